"""What a reviewer checks first: migrations in step with models, ruff clean."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

BASE_DIR = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_migrations_are_in_step_with_models():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]])
def test_ruff_is_clean(command):
    result = subprocess.run([sys.executable, "-m", "ruff", *command, "."], cwd=BASE_DIR, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
