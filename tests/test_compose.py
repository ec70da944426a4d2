"""docker-compose.yml describes the production stack; no Docker engine runs here, so it is parsed."""

from pathlib import Path

import pytest
import yaml

BASE_DIR = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ["web", "worker", "beat"]


def _command(service):
    command = SERVICES[service]["command"]
    return command if isinstance(command, str) else " ".join(command)


def test_the_stack_has_its_five_services():
    assert set(SERVICES) >= {"postgres", "redis", "web", "worker", "beat"}


@pytest.mark.parametrize("service", ["postgres", "redis", "web", "worker", "beat"])
def test_every_service_has_a_health_check(service):
    healthcheck = SERVICES[service]["healthcheck"]
    assert healthcheck["test"] and healthcheck["interval"] and healthcheck["retries"]


def test_data_lives_in_named_volumes():
    assert "postgres-data:/var/lib/postgresql/data" in SERVICES["postgres"]["volumes"]
    assert any(volume.startswith("redis-data:") for volume in SERVICES["redis"]["volumes"])
    assert {"postgres-data", "redis-data", "media"} <= set(COMPOSE["volumes"])


@pytest.mark.parametrize("service", APP_SERVICES)
def test_application_services_get_production_settings(service):
    environment = SERVICES[service]["environment"]
    assert environment["DEBUG"] == "0"
    assert environment["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in environment["DATABASE_URL"]
    assert environment["CELERY_BROKER_URL"] == "redis://redis:6379/0"
    # The web workers share one cache: a workflow action or a taxonomy change is forgotten by all.
    assert environment["CACHE_URL"] == "redis://redis:6379/1"
    assert "SECRET_KEY" in environment and "ALLOWED_HOSTS" in environment
    depends = SERVICES[service]["depends_on"]
    assert depends["postgres"]["condition"] == "service_healthy"
    assert depends["redis"]["condition"] == "service_healthy"
    assert SERVICES[service]["build"] == "."


def test_commands_run_gunicorn_a_worker_and_one_beat():
    assert "gunicorn hunan_safety.wsgi:application" in _command("web")
    assert "migrate --noinput" in _command("migrate")
    assert "-A hunan_safety worker" in _command("worker") and "--beat" not in _command("worker")
    assert "-A hunan_safety beat" in _command("beat")
    assert "deploy" not in SERVICES["beat"] or SERVICES["beat"]["deploy"].get("replicas", 1) == 1


def test_web_health_check_asks_healthz():
    assert "/healthz" in " ".join(SERVICES["web"]["healthcheck"]["test"])


def test_the_dockerfile_builds_assets_from_the_lock_file_and_collects_static():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    assert "npm ci" in dockerfile and "package-lock.json" in dockerfile
    assert "collectstatic" in dockerfile and "pip install -r requirements.txt" in dockerfile
    assert "FROM python:3.11" in dockerfile


def test_migrations_run_as_the_owner_and_the_application_connects_as_its_own_role():
    """The owner migrates and grants; web, worker and beat connect as a role with row rights only."""
    assert SERVICES["migrate"]["environment"]["DATABASE_URL"].startswith("postgres://hunan:")
    assert "grant_app_role hunan_app" in _command("migrate")
    for service in APP_SERVICES:
        assert SERVICES[service]["environment"]["DATABASE_URL"].startswith("postgres://hunan_app:")
        assert SERVICES[service]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    init_script = "./deploy/postgres/10-app-role.sh:/docker-entrypoint-initdb.d/10-app-role.sh:ro"
    assert init_script in SERVICES["postgres"]["volumes"]
    assert "CREATE ROLE" in (BASE_DIR / "deploy" / "postgres" / "10-app-role.sh").read_text()


def test_timeouts_proxy_and_load_shedding_are_set_for_production():
    environment = SERVICES["web"]["environment"]
    assert environment["DB_CONNECT_TIMEOUT"] and environment["DB_STATEMENT_TIMEOUT"]
    assert "TRUSTED_PROXIES" in environment and "LOAD_SHED_MAX_IN_FLIGHT" in environment
    assert "--backlog" in _command("web") and "--timeout" in _command("web") and "--threads" in _command("web")
    assert SERVICES["worker"]["environment"]["DB_STATEMENT_TIMEOUT"] != environment["DB_STATEMENT_TIMEOUT"]
