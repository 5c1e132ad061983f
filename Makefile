# xinfang — 电子办访系统. `make run` and `make test` work from a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
APPS := orgs audit petitions cases detection workflow stats api
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install run test test-sqlite test-postgres lint bench messages demo

install: $(STAMP)
	@scripts/install-system-packages.sh
	@$(PY) -m xinfang.lib.i18n compile

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

run: install
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py load_demo
	$(PY) manage.py runserver 127.0.0.1:8000 --noreload

demo: install
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py load_demo

test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy
	$(PY) -m xinfang.lib.i18n check
	XINFANG_VAR_DIR=$$(mktemp -d) $(PY) manage.py makemigrations --check --dry-run -v0
	$(MAKE) --no-print-directory test-sqlite
	@rc=0; $(PY) scripts/postgres_gate.py || rc=$$?; \
	if [ $$rc = 0 ]; then $(MAKE) --no-print-directory test-postgres; elif [ $$rc != 10 ]; then exit $$rc; fi

test-sqlite:
	@echo "== tests on SQLite =="
	env -u DATABASE_URL XINFANG_VAR_DIR=$$(mktemp -d) $(VENV)/bin/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

test-postgres:
	@echo "== tests on PostgreSQL =="
	DATABASE_URL=$(PG_URL) XINFANG_VAR_DIR=$$(mktemp -d) $(VENV)/bin/pytest -n 2 --dist loadgroup --create-db $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy

messages: install
	for app in $(APPS); do mkdir -p xinfang/$$app/locale && (cd xinfang/$$app && ../../$(PY) ../../manage.py makemessages -l zh_Hans --no-obsolete --no-location -v0); done
	$(PY) -m xinfang.lib.i18n compile

bench: install
	$(PY) -m bench.run
