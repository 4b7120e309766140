# Two commands for a fresh machine with Python 3.11 and make:
#   make run   - virtual environment, install, migrate, demo data, serve at 127.0.0.1:8000
#                (make run PORT=8001 when 8000 is taken)
#   make test  - virtual environment, install, the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
PORT ?= 8000

.PHONY: run test test-fast lint format install node-modules messages clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found: install Python 3.11 or run make PYTHON=python3"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Leaflet for the route map and axe-core for the browser tests' accessibility check (from the
# npm registry; optional: without them the route page is a plain list and axe checks are skipped).
NODE_STAMP := node_modules/.package-lock.json

$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --silent; else echo "npm not found: no route map, and browser accessibility checks will be skipped"; fi

node-modules: $(NODE_STAMP)

run: install $(NODE_STAMP)
	$(BIN)/wushe migrate --noinput
	$(BIN)/wushe demo
	$(BIN)/wushe runserver 127.0.0.1:$(PORT)

test: install $(NODE_STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: install
	$(BIN)/pytest -m "not slow" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/wushe makemigrations --check --dry-run

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install
	cd wushe && ../$(BIN)/wushe makemessages -l zh_Hans --no-obsolete && ../$(BIN)/wushe compilemessages -l zh_Hans

clean:
	rm -rf $(VENV) var/test-*.sqlite3 .pytest_cache
