"""Settings come from the environment; production settings pass Django's deployment checklist."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from hunan_safety.env import env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k3y-" + "x7Q!pL2#vR9$mN4^tB8&wZ1*" * 3,
    "ALLOWED_HOSTS": "safety.example.gov.cn",
    "DATABASE_URL": "postgres://hunan:secret@db.example:5432/hunan_safety",
    "CELERY_BROKER_URL": "redis://redis.example:6379/0",
}


def _manage(*args, env):
    # The browser tests allow the ORM beside Playwright's event loop; a deployment never does.
    ignored = {*PRODUCTION, "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {key: value for key, value in os.environ.items() if key not in ignored}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env={**PRODUCTION, "VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_secret_key_is_required_when_debug_is_off(tmp_path):
    env = {key: value for key, value in PRODUCTION.items() if key != "SECRET_KEY"}
    result = _manage("check", env={**env, "VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_a_development_secret_key_is_generated_once_into_var(tmp_path):
    env = {"DEBUG": "1", "VAR_DIR": str(tmp_path)}
    assert _manage("check", env=env).returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert _manage("check", env=env).returncode == 0
    assert (tmp_path / "secret_key").read_text() == key


def test_a_bad_boolean_fails_loudly(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG='maybe' is not a boolean"):
        env_bool("SOME_FLAG", False)
    monkeypatch.setenv("SOME_FLAG", "off")
    assert env_bool("SOME_FLAG", True) is False


def test_env_helpers(monkeypatch):
    monkeypatch.setenv("SOME_NUMBER", "twelve")
    with pytest.raises(ImproperlyConfigured):
        env_int("SOME_NUMBER", 1)
    monkeypatch.setenv("SOME_HOSTS", "a.example, b.example,,")
    assert env_list("SOME_HOSTS", []) == ["a.example", "b.example"]


def test_embedded_defaults_are_sqlite_and_the_filesystem_broker(tmp_path):
    env = {"DEBUG": "1", "VAR_DIR": str(tmp_path)}
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE']);print(s.CELERY_BROKER_URL);"
        "print(s.TIME_ZONE, s.LANGUAGE_CODE)"
    )
    result = _manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[-4:-1] == [
        "django.db.backends.sqlite3",
        "filesystem://",
        "Asia/Shanghai zh-hans",
    ]
    assert (tmp_path / "broker" / "queue").is_dir()


def test_production_urls_select_postgresql_and_redis(tmp_path):
    code = "from django.conf import settings as s;print(s.DATABASES['default']['ENGINE']);print(s.CELERY_BROKER_URL)"
    result = _manage("shell", "-c", code, env={**PRODUCTION, "VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert "django.db.backends.postgresql" in result.stdout
    assert "redis://redis.example:6379/0" in result.stdout
