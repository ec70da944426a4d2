# Hunan Safety. `make run` runs the whole product; `make test` runs the whole suite.
# Both set everything up first, and reuse what is already there.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Findings the demo puts on a new database, across industries, counties, campaigns and states.
DEMO_HAZARDS ?= 2000
DEMO_UNITS ?= 3000
export PORT

.PHONY: run test bench bench-tools setup setup-dev prepare assets messages migrate lint typecheck format clean

run: setup migrate
	$(BIN)/python manage.py seed_demo --if-empty --hazards $(DEMO_HAZARDS) --units $(DEMO_UNITS)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start --procfile Procfile --port $(PORT)

# The suite on every core (pytest-xdist): each worker has its own test database (test_<name>_gw0, …),
# its live server on a free port and its tmp folders; Redis tests use queues of their own. PYTEST_ARGS
# comes after, so PYTEST_ARGS="-n 0 tests/accounts" runs in one process.
TEST_WORKERS ?= auto
test: setup-dev
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# Every benchmark module of bench/ on the configured database (DATABASE_URL): one table.
# BENCH_ARGS picks benchmarks and sizes, e.g. BENCH_ARGS="export --export-rows 100000 300000".
bench: setup-dev migrate bench-tools
	$(BIN)/python -m bench $(BENCH_ARGS)

# wrk (Debian's package) drives bench/throughput.py; installed here when missing and run as root.
bench-tools:
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq wrk; } \
		|| echo "wrk is missing and cannot be installed here: the throughput benchmark will say so" >&2

setup: $(VENV)/.runtime-installed assets messages prepare

# var/, its folders and the development secret key (var/secret_key, unless SECRET_KEY is set): the
# settings only read them. Keeps what is there.
prepare: $(VENV)/.runtime-installed
	$(BIN)/python -m hunan_safety.prepare

setup-dev: setup $(VENV)/.dev-installed

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.runtime-installed
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# Front-end packages from the npm registry, exactly as locked; Django serves them from node_modules.
assets: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Compiled translations (.mo) are built from the committed .po files, with Babel (no GNU gettext needed).
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))
messages: $(MO_FILES)

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po $(VENV)/.runtime-installed
	$(BIN)/pybabel compile --statistics -i $< -o $@

migrate: setup
	$(BIN)/python manage.py migrate --noinput

lint: setup-dev typecheck
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# mypy with django-stubs over the files listed in pyproject.toml ([tool.mypy] files).
typecheck: setup-dev
	$(BIN)/mypy

format: setup-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules var/static
