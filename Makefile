# The README's commands. Everything installs into .venv with Python 3.11.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
# Local data (SQLite file, filesystem broker); the settings read the same variable and
# create no folder themselves.
VAR_DIR ?= var

.PHONY: run test bench lint check format install install-dev migrate demo messages clean

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
	sed "s/^NOTIFICATIONS_GO_LIVE=.*/NOTIFICATIONS_GO_LIVE=$$(python3 -c 'import datetime as d; print(d.date.today() - d.timedelta(days=14))')/" .env.example > .env

install: $(STAMP) .env

install-dev: $(DEV_STAMP) .env

$(VAR_DIR):
	mkdir -p $@

migrate: install | $(VAR_DIR)
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
	$(BIN)/lint-imports

# What CI runs besides the tests. `check --deploy` with production-like settings, as CI
# (a throw-away secret of the length Django asks for, DEBUG off, a real host name).
check: lint | $(VAR_DIR)
	$(BIN)/djlint templates --lint
	$(PY) manage.py makemigrations --check --dry-run
	SECRET_KEY="check-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')-production-like-secret" DEBUG=false \
	  ALLOWED_HOSTS=college.example $(PY) manage.py check --deploy --fail-level WARNING

format: install-dev
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

clean:
	rm -rf $(VAR_DIR)/college.sqlite3 $(VAR_DIR)/celery $(VAR_DIR)/staticfiles
