"""Simplified Chinese by default, whatever the browser says; English on the user's choice."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

BASE_DIR = Path(__file__).resolve().parent.parent
CATALOGUE = BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


@pytest.mark.django_db
def test_pages_are_chinese_even_for_an_english_browser(client, inspector):
    client.force_login(inspector)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"
    assert "欢迎" in response.content.decode()


@pytest.mark.django_db
def test_switching_to_english_and_back(client, inspector):
    client.force_login(inspector)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    page = client.get("/").content.decode()
    assert "Welcome" in page and "Inspector" in page and "欢迎" not in page
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "检查员" in client.get("/").content.decode()


@pytest.mark.django_db
def test_an_unknown_language_cookie_falls_back_to_chinese(client, inspector):
    client.force_login(inspector)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert "欢迎" in client.get("/").content.decode()


def test_every_chinese_translation_is_filled_in():
    catalogue = read_po(CATALOGUE.open("rb"))
    assert not catalogue.fuzzy
    untranslated = [message.id for message in catalogue if message.id and not message.string]
    fuzzy = [message.id for message in catalogue if message.id and message.fuzzy]
    assert untranslated == [] and fuzzy == []
    assert len(catalogue) > 50


@pytest.mark.skipif(not shutil.which("xgettext"), reason="needs GNU gettext (apt-get install gettext)")
def test_the_catalogue_holds_every_translatable_string_of_the_code(tmp_path):
    """makemessages run on a copy of the sources finds no string the committed catalogue lacks."""
    apps = [path.name for path in BASE_DIR.iterdir() if (path / "apps.py").exists()]
    for name in (*apps, "hunan_safety", "templates", "locale", "manage.py"):
        source = BASE_DIR / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete", "-v0"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env={
            "DJANGO_SETTINGS_MODULE": "hunan_safety.settings",
            "VAR_DIR": str(tmp_path / "var"),
            "SECRET_KEY": "only-for-makemessages",
            "PATH": "/usr/bin:/bin",
        },
    )
    fresh = {
        (message.context, message.id) for message in read_po((tmp_path / CATALOGUE.relative_to(BASE_DIR)).open("rb"))
    }
    committed = {(message.context, message.id) for message in read_po(CATALOGUE.open("rb"))}
    assert fresh - committed == set(), "run makemessages -l zh_Hans and translate the new strings"
