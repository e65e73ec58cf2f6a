# Developer entry points. `make run` is the quick start (SQLite, console email, demo logins);
# `make test` runs pytest against SQLite, or PostgreSQL when DATABASE_URL is set.

PYTHON ?= python3.11
VENV = .venv
BIN = $(VENV)/bin
PYTEST_ARGS ?=
# Two test processes by default (this project's machines have 2 cores); a file's tests
# stay in one process, so the real-worker tests never share their Redis queue.
PYTEST_WORKERS ?= 2

# Passed through only when set: an empty DATABASE_URL would not fall back to SQLite.
ifdef DATABASE_URL
export DATABASE_URL
endif

.PHONY: install run test lint format clean

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install -c requirements.lock -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# The quick start runs an embedded Celery worker with beat on a folder-based queue
# (no Redis), stopped together with the web server.
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	mkdir -p .celery/queue .celery/control
	$(BIN)/celery -A config.celery_app worker --beat --pool=solo --loglevel=info \
		--schedule=.celery/beat-schedule & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# The settings module is pinned: pytest-django prefers an exported DJANGO_SETTINGS_MODULE
# over pyproject.toml, and a stray production setting must not leak into the tests.
# bpmnlint checks the BPMN export in the tests; npm installs it from package-lock.json.
node_modules/.bin/bpmnlint: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

test: install node_modules/.bin/bpmnlint
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --select I --fix .
	$(BIN)/ruff format .

clean:
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache staticfiles

# The bpmn-js viewer bundle in static/bpmn/ (committed, so `make run` needs no npm) and
# bpmnlint for the tests, both from package.json.
.PHONY: bpmn-assets
bpmn-assets:
	npm ci --no-audit --no-fund
	npm run build
