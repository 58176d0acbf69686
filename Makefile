# Linli: `make run` serves the app with demo data, `make test` runs the whole suite.
# Needs only Python 3.11 (python3.11 or python3); everything else goes into .venv.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
FLASK := $(PY) -m flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
# Werkzeug's threaded server also carries Flask-SocketIO in threading mode (websockets via simple-websocket).
SERVE := $(FLASK) run --host $(HOST) --port $(PORT) --with-threads --no-reload

.PHONY: run serve setup test browser lint format bench initial-migration clean distclean help

help:
	@echo "make run     install, migrate, seed demo data and serve on http://$(HOST):$(PORT)"
	@echo "make test    the whole suite on SQLite, and again on PostgreSQL when TEST_DATABASE_URL is set"
	@echo "make lint    ruff check + ruff format --check"
	@echo "make bench   the benchmarks in bench/"
	@echo "make clean   caches and test artifacts (make distclean: also .venv and instance/)"

$(PY):
	@test -n "$(PYTHON)" || { echo "Python 3.11 is needed (python3.11 or python3 on PATH)."; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Stamps: pip runs again only when a requirements file changes.
$(VENV)/.requirements.stamp: requirements.txt | $(PY)
	$(PIP) install -r requirements.txt
	@touch $@

$(VENV)/.requirements-dev.stamp: requirements-dev.txt requirements.txt | $(PY)
	$(PIP) install -r requirements-dev.txt
	@touch $@ $(VENV)/.requirements.stamp

setup: $(VENV)/.requirements.stamp

run: setup
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	@echo ""
	@echo "  Linli is starting at  http://$(HOST):$(PORT)   (API docs: http://$(HOST):$(PORT)/api/v1/docs)"
	@echo "  Stop it with Ctrl-C."
	@echo ""
	$(SERVE)

# Serve without migrating or seeding.
serve: setup
	$(SERVE)

# Debian's Chromium for tests/e2e; without it (not root, no apt-get) those tests skip and say why.
browser:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="chromium"; \
	if command -v dpkg >/dev/null 2>&1 && ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; then missing="$$missing fonts-noto-cjk"; fi; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing$$missing from Debian for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing \
			|| echo "note: could not install$$missing; browser tests (tests/e2e) will be skipped."; \
	else \
		echo "note: $$missing missing and not installable here (needs root and apt-get);"; \
		echo "      browser tests (tests/e2e) will be skipped. Install Debian's chromium to run them."; \
	fi

# Both passes run even when the first fails, so one CI run reports everything; any failure fails make
# (pytest's exit 5, "no tests collected", included).
test: $(VENV)/.requirements-dev.stamp browser
	@echo "== SQLite pass =="; \
	$(PY) -m pytest; sqlite_status=$$?; \
	pg_status=0; \
	if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== PostgreSQL pass ($$TEST_DATABASE_URL) =="; \
		LINLI_TEST_BACKEND=postgresql $(PY) -m pytest -m "not e2e"; pg_status=$$?; \
	else \
		echo "(TEST_DATABASE_URL not set: PostgreSQL pass skipped)"; \
	fi; \
	echo "pytest exit codes: SQLite $$sqlite_status, PostgreSQL $$pg_status"; \
	[ $$sqlite_status = 0 ] && [ $$pg_status = 0 ]

lint: $(VENV)/.requirements-dev.stamp
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.requirements-dev.stamp
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(VENV)/.requirements-dev.stamp
	@set -e; found=0; for script in bench/bench_*.py; do \
		[ -e "$$script" ] || continue; found=1; \
		echo "== $$script"; $(PY) $$script; \
	done; [ $$found = 1 ] || echo "No benchmarks in bench/ yet."

# The project keeps one initial migration while the schema settles: rebuild it from the models.
initial-migration: setup
	rm -f migrations/versions/*.py
	INSTANCE_PATH=$$(mktemp -d) $(FLASK) db migrate -m "initial schema"
	$(PY) -c 'import pathlib, re; \
		src = next(pathlib.Path("migrations/versions").glob("*_initial_schema.py")); \
		text = src.read_text(); rev = re.search(r"^revision = .(\w+).", text, re.M).group(1); \
		src.with_name("0001_initial_schema.py").write_text(text.replace(rev, "0001")); src.unlink()'
	-$(VENV)/bin/ruff format -q migrations/versions
	-$(VENV)/bin/ruff check --fix -q migrations/versions

clean:
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache test-artifacts bench/results

distclean: clean
	rm -rf $(VENV) instance
