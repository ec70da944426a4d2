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


def _prepare(env):
    clean = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "VAR_DIR"}}
    return subprocess.run(
        [sys.executable, "-m", "hunan_safety.prepare"],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_importing_the_settings_writes_nothing(tmp_path):
    """A fresh process that loads the settings and every app, with the embedded defaults, makes no file."""
    var = tmp_path / "var"
    code = "import django; django.setup(); from hunan_safety.celery import app; print(app.conf.broker_url)"
    clean = {key: value for key, value in os.environ.items() if key not in {*PRODUCTION, "STATIC_ROOT", "MEDIA_ROOT"}}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={
            **clean,
            "PYTHONPATH": str(BASE_DIR),
            "DJANGO_SETTINGS_MODULE": "hunan_safety.settings",
            "DEBUG": "1",
            "SECRET_KEY": "only-for-this-test",
            "VAR_DIR": str(var),
            "PYTHONDONTWRITEBYTECODE": "1",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "filesystem://"
    assert not var.exists()
    assert list(tmp_path.iterdir()) == []


def test_prepare_makes_the_folders_and_the_development_key_once(tmp_path):
    env = {"DEBUG": "1", "VAR_DIR": str(tmp_path / "var")}
    assert _prepare(env).returncode == 0
    key = (tmp_path / "var" / "secret_key").read_text()
    assert len(key) >= 50
    assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o777 == 0o600
    for folder in ("static", "media", "broker/queue", "broker/processed", "broker/control"):
        assert (tmp_path / "var" / folder).is_dir(), folder
    again = _prepare(env)
    assert again.returncode == 0
    assert again.stdout == ""
    assert (tmp_path / "var" / "secret_key").read_text() == key
    assert _manage("check", env=env).returncode == 0


def test_without_the_key_the_development_settings_say_what_to_run(tmp_path):
    result = _manage("check", env={"DEBUG": "1", "VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert "secret_key is missing: run `make run` or `make test`" in last_line
    assert "or set SECRET_KEY" in last_line
    assert list(tmp_path.iterdir()) == []


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
    assert _prepare(env).returncode == 0
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE']);print(s.CELERY_BROKER_URL);"
        "print(s.TIME_ZONE, s.LANGUAGE_CODE);print(s.CELERY_BROKER_TRANSPORT_OPTIONS['data_folder_in'])"
    )
    result = _manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[-5:-1] == [
        "django.db.backends.sqlite3",
        "filesystem://",
        "Asia/Shanghai zh-hans",
        str(tmp_path / "broker" / "queue"),
    ]


def test_production_urls_select_postgresql_and_redis(tmp_path):
    code = "from django.conf import settings as s;print(s.DATABASES['default']['ENGINE']);print(s.CELERY_BROKER_URL)"
    result = _manage("shell", "-c", code, env={**PRODUCTION, "VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert "django.db.backends.postgresql" in result.stdout
    assert "redis://redis.example:6379/0" in result.stdout


def test_the_cache_is_local_memory_by_default_and_redis_when_configured(tmp_path):
    code = "from django.conf import settings as s;print(s.CACHES['default'])"
    embedded = _manage("shell", "-c", code, env={**PRODUCTION, "VAR_DIR": str(tmp_path), "CACHE_URL": ""})
    assert "LocMemCache" in embedded.stdout, embedded.stderr
    shared = {**PRODUCTION, "VAR_DIR": str(tmp_path), "CACHE_URL": "redis://redis.example:6379/1"}
    result = _manage("shell", "-c", code, env=shared)
    assert "django.core.cache.backends.redis.RedisCache" in result.stdout, result.stderr
    assert "redis://redis.example:6379/1" in result.stdout
