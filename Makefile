# The README's commands. Everything installs into .venv with Python 3.11.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test bench lint format install install-dev migrate demo messages clean

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found); set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@ $(STAMP)

.env:
	cp .env.example .env

install: $(STAMP) .env

install-dev: $(DEV_STAMP) .env

migrate: install
	$(PY) manage.py migrate --noinput

messages: install
	$(PY) manage.py compilemessages --ignore=.venv >/dev/null

demo: migrate messages
	$(PY) manage.py load_demo --if-empty

run: demo
	$(PY) manage.py demo_logins
	$(BIN)/honcho -f Procfile start

TEST_WORKERS ?= 2

test: install-dev messages
	$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

bench: install-dev
	$(PY) -m bench

lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install-dev
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

clean:
	rm -rf var/college.sqlite3 var/celery var/staticfiles
