# Steward — the two commands a newcomer needs: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

PG_HOST ?= 127.0.0.1
PG_PORT ?= 5432
PG_SUPERUSER ?= postgres
APP_ROLE ?= steward_app
OWNER_ROLE ?= steward_owner
REDIS_PORT ?= 6379
DEMO_ADDR ?= 127.0.0.1:8000
# pytest-xdist workers for make test: one per core (each its own test database,
# test_steward_gw0, ...); a test file stays on one worker. 0 = one process.
PYTEST_WORKERS ?= auto

# The test database is created and migrated as the owner role; the tests run as the app role.
TEST_ENV := DATABASE_URL=postgres://$(APP_ROLE)@$(PG_HOST):$(PG_PORT)/steward \
	DATABASE_OWNER_URL=postgres://$(OWNER_ROLE)@$(PG_HOST):$(PG_PORT)/steward \
	DATABASE_APP_ROLE=$(APP_ROLE) \
	PG_ADMIN_URL=postgres://$(PG_SUPERUSER)@$(PG_HOST):$(PG_PORT)/postgres \
	REDIS_URL=redis://127.0.0.1:$(REDIS_PORT)/0 \
	CELERY_TASK_ALWAYS_EAGER=true

.PHONY: demo test install services db-role chromium gettext lint messages demo-reset bench

$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements.lock
	touch $(STAMP)

install: $(STAMP)

## make demo: install, migrate, seed the demo bank, run web (127.0.0.1:8000) + worker with beat.
## Embedded SQLite and the filesystem broker unless DATABASE_URL / CELERY_BROKER_URL are set.
demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --skip-if-exists
	@echo "Steward: http://$(DEMO_ADDR)/  (Ctrl-C stops web and worker)"
	@$(PY) scripts/demo_run.py --addr $(DEMO_ADDR)

demo-reset:
	rm -f var/steward.sqlite3
	rm -rf var/broker

## make test: the whole suite on real PostgreSQL and Redis (started when installed but stopped).
test: install services db-role chromium gettext
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(TEST_ENV) $(PY) -m pytest --create-db -p no:cacheprovider -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

## make bench: Steward's own benchmark over HTTP at bench size (scripts/bench.py, docs/BENCHMARKS.md).
## Creates and seeds steward_bench_$(BENCH_CLIENTS) the first time (a few minutes), reuses it after.
BENCH_CLIENTS ?= 100000
bench: install services db-role
	BENCH_CLIENTS=$(BENCH_CLIENTS) PG_HOST=$(PG_HOST) PG_PORT=$(PG_PORT) APP_ROLE=$(APP_ROLE) OWNER_ROLE=$(OWNER_ROLE) \
	PG_ADMIN_URL=postgres://$(PG_SUPERUSER)@$(PG_HOST):$(PG_PORT)/postgres \
	REDIS_URL=redis://127.0.0.1:$(REDIS_PORT)/12 $(PY) scripts/bench.py

services:
	@command -v pg_isready >/dev/null || { echo "PostgreSQL is not installed (apt-get install postgresql)."; exit 1; }
	@pg_isready -q -h $(PG_HOST) -p $(PG_PORT) || { \
		echo "Starting PostgreSQL..."; \
		pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | tail -n1) main start; \
		for i in $$(seq 1 30); do pg_isready -q -h $(PG_HOST) -p $(PG_PORT) && break; sleep 1; done; }
	@command -v redis-server >/dev/null || { echo "Redis is not installed (apt-get install redis-server)."; exit 1; }
	@redis-cli -p $(REDIS_PORT) ping >/dev/null 2>&1 || { \
		echo "Starting Redis..."; \
		redis-server --daemonize yes --bind 127.0.0.1 --port $(REDIS_PORT) --save "" --appendonly no; \
		for i in $$(seq 1 20); do redis-cli -p $(REDIS_PORT) ping >/dev/null 2>&1 && break; sleep 0.5; done; }

# Two roles, neither superuser nor BYPASSRLS (a superuser ignores row-level security):
# the owner creates the database and runs migrations; the app role owns nothing and
# gets row privileges only from the owner's migrate (tenancy/rls.py): no TRUNCATE, no DDL.
# A database left owned by the app role by an older setup is handed to the owner
# (the test database is recreated by the owner).
db-role:
	@psql -q -h $(PG_HOST) -p $(PG_PORT) -U $(PG_SUPERUSER) -d postgres -v ON_ERROR_STOP=1 -c "\
	DO \$$\$$ BEGIN \
	  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$(OWNER_ROLE)') THEN \
	    CREATE ROLE $(OWNER_ROLE) LOGIN PASSWORD 'steward' NOSUPERUSER NOBYPASSRLS CREATEDB; \
	  ELSE ALTER ROLE $(OWNER_ROLE) NOSUPERUSER NOBYPASSRLS CREATEDB; END IF; \
	  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$(APP_ROLE)') THEN \
	    CREATE ROLE $(APP_ROLE) LOGIN PASSWORD 'steward' NOSUPERUSER NOBYPASSRLS NOCREATEDB; \
	  ELSE ALTER ROLE $(APP_ROLE) NOSUPERUSER NOBYPASSRLS NOCREATEDB; END IF; END \$$\$$;"
	@psql -q -h $(PG_HOST) -p $(PG_PORT) -U $(PG_SUPERUSER) -d postgres -tc \
	  "SELECT 1 FROM pg_database WHERE datname = 'test_steward' AND pg_get_userbyid(datdba) = '$(APP_ROLE)'" | grep -q 1 && \
	  psql -q -h $(PG_HOST) -p $(PG_PORT) -U $(PG_SUPERUSER) -d postgres -c "DROP DATABASE test_steward" || true
	@psql -q -h $(PG_HOST) -p $(PG_PORT) -U $(PG_SUPERUSER) -d postgres -tc \
	  "SELECT 1 FROM pg_database WHERE datname = 'steward'" | grep -q 1 || \
	  psql -q -h $(PG_HOST) -p $(PG_PORT) -U $(PG_SUPERUSER) -d postgres -c "CREATE DATABASE steward OWNER $(OWNER_ROLE)"
	@psql -q -h $(PG_HOST) -p $(PG_PORT) -U $(PG_SUPERUSER) -d postgres -c "ALTER DATABASE steward OWNER TO $(OWNER_ROLE)"

# Browser tests drive Debian's chromium through Playwright (no browser download).
chromium:
	@command -v chromium >/dev/null || { \
		echo "Installing Debian chromium for the browser tests..."; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk) >/dev/null \
		|| echo "Could not install chromium: browser tests will fail."; }

# msgfmt/msgattrib: the translation-completeness test uses them.
gettext:
	@command -v msgattrib >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext) >/dev/null \
		|| echo "Could not install gettext: the catalogue check will be skipped."

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## Rebuild the translation catalogues after changing strings.
messages: install
	$(PY) scripts/messages.py
