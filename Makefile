# The two commands a newcomer needs:  `make run`  and  `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Development defaults: DEBUG on, SQLite under var/, the embedded broker. Override from the environment.
export DEBUG ?= 1

.PHONY: run test test-prereqs install install-dev setup lint

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt

setup: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py demo_setup

## Install, migrate, create the demo login and start web, worker and beat together.
run: setup
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start

## Install the dev tools and run the whole test suite (SQLite unless DATABASE_URL is set), in PYTEST_WORKERS
## processes side by side (pytest-xdist; each has its own test databases, Redis database, sandbox and ports).
## One more than CI's two cores: much of a worker's time is spent waiting on the sandbox, Celery and rate limits.
PYTEST_WORKERS ?= 3
test: test-prereqs install-dev
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist load $(PYTEST_ARGS)

## Chromium and, without REDIS_URL, redis-server: installed with apt-get as root, else named and the run stops.
test-prereqs:
	bash scripts/test-prereqs.sh

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python manage.py makemigrations --check --dry-run
