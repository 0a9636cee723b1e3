# Softbridge developer commands. `make help` lists them.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Plain assignments rather than ?= so that an unrelated DB or ARGS in the
# environment cannot change what runs; override on the command line instead.
DB := postgres
ARGS :=
# Test processes (pytest-xdist), one test database each; JOBS=0 runs the suite in one process.
JOBS := $(shell nproc 2>/dev/null || echo 2)
BROWSER_PACKAGES := chromium chromium-driver
# The SMS gateway the reminders' tests start (bearerbox, smsbox; fakesmsc is in kannel-extras).
SMS_PACKAGES := kannel kannel-extras
# xgettext: the catalogue test checks that every string in the code is in the catalogues.
GETTEXT_PACKAGES := gettext

# pytest keeps its rewritten test modules as bytecode: with PYTHONDONTWRITEBYTECODE set (some machines
# set it) every process of every run compiled them again, 8 of 13 CPU-seconds of collecting.
unexport PYTHONDONTWRITEBYTECODE

# Installing as root (CI, containers) must never wait for a prompt.
APT_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends

# Tests, benchmarks and the virtualenv hold no strings a person reads in the app.
MESSAGES_IGNORE := -i ".venv/*" -i "bench/*" -i "tests/*" -i "staticfiles/*"

.DEFAULT_GOAL := help
.PHONY: help venv catalogues run check test messages browser-deps sms-deps

help:
	@echo "make run            migrate, seed the demo data and serve on http://127.0.0.1:8000"
	@echo "make check          ruff + the fast lane: every test but the browser's and the fuzz's, on SQLite"
	@echo "make test           ruff + pytest on a throwaway PostgreSQL cluster"
	@echo "make test DB=sqlite ruff + pytest on SQLite"
	@echo "make test ARGS='-k grant'   extra pytest arguments"
	@echo "make test JOBS=0    the suite in one process (default: one per core)"
	@echo "make messages       update the vi and en catalogues in locale/"
	@echo "make browser-deps   install chromium and chromium-driver for browser tests"
	@echo "make sms-deps       install kannel and kannel-extras for the SMS tests"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The stamp makes pip run again only when requirements.txt changes.
$(VENV)/.requirements-installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

venv: $(VENV)/.requirements-installed

# Babel compiles the .po files without GNU gettext. Each language is named
# explicitly: `pybabel compile` with none found is an error, and there may be none yet.
# Unlike msgfmt, Babel skips a whole catalogue whose header is marked fuzzy (as
# makemessages leaves a new one) and still succeeds, so a missing .mo is an error.
catalogues: venv
	@for po in locale/*/LC_MESSAGES/django.po; do \
		[ -f "$$po" ] || continue; \
		lang=$${po#locale/}; lang=$${lang%%/*}; mo=$${po%.po}.mo; \
		rm -f "$$mo"; \
		$(BIN)/pybabel compile -d locale -D django -l "$$lang" || exit 1; \
		[ -f "$$mo" ] || { echo "$$po was not compiled: remove '#, fuzzy' from its header" >&2; exit 1; }; \
	done

run: catalogues
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# Tests go to whichever process is free. Not --dist loadfile, which would build each module's
# shared fixtures once instead of once per process: schemathesis's tests (test_api_fuzz.py)
# then run as one item that checks nothing.
PYTEST_JOBS = $(if $(filter 0,$(JOBS)),,-n $(JOBS))

# The lane to run before every commit: lint and every test that needs neither Chromium nor the
# schema fuzz (markers applied by path in tests/conftest.py), on SQLite. `make test` stays the
# whole suite and is what CI runs. pytest's exit code 5 (no tests collected) fails it too.
# SOFTBRIDGE_LANE=check: the property tests try a quarter of their examples (tests/lanes.py).
# The lanes left out are not even imported (tests/conftest.py), so neither are the plugins only
# they use: schemathesis's, and anyio's (no test uses it).
check: catalogues
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	env -u DATABASE_URL SOFTBRIDGE_LANE=check $(BIN)/pytest $(PYTEST_JOBS) -p no:schemathesis -p no:anyio \
		-m "not browser and not fuzz" $(ARGS)

# pytest's exit code 5 (no tests collected) fails the target like any other.
test: browser-deps sms-deps catalogues
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
ifeq ($(DB),sqlite)
	env -u DATABASE_URL $(BIN)/pytest $(PYTEST_JOBS) $(ARGS)
else ifeq ($(DB),postgres)
	bin/throwaway-postgres $(BIN)/pytest $(PYTEST_JOBS) $(ARGS)
else
	@echo "DB must be postgres or sqlite, not '$(DB)'" >&2; exit 2
endif

messages: venv
	@command -v xgettext >/dev/null || { \
		[ "$$(id -u)" -eq 0 ] || { echo "makemessages needs GNU gettext: apt-get install gettext" >&2; exit 1; }; \
		apt-get update -q && $(APT_INSTALL) gettext </dev/null; \
	}
	$(BIN)/python manage.py makemessages -l vi -l en --no-obsolete $(MESSAGES_IGNORE)

# Quick when already installed: only a file test.
browser-deps:
	@if [ ! -x /usr/bin/xgettext ]; then \
		if [ "$$(id -u)" -eq 0 ]; then \
			apt-get update -q && $(APT_INSTALL) $(GETTEXT_PACKAGES) </dev/null; \
		else \
			echo "warning: gettext missing; the catalogue test needs: apt-get install $(GETTEXT_PACKAGES)" >&2; \
		fi; \
	fi
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
		if [ "$$(id -u)" -eq 0 ]; then \
			apt-get update -q && $(APT_INSTALL) $(BROWSER_PACKAGES) </dev/null; \
		else \
			echo "warning: chromium missing; browser tests need: apt-get install $(BROWSER_PACKAGES)" >&2; \
		fi; \
	fi

# Quick when already installed: only a file test.
sms-deps:
	@if [ ! -x /usr/sbin/bearerbox ] || [ ! -x /usr/sbin/smsbox ] || [ ! -x /usr/lib/kannel/test/fakesmsc ]; then \
		if [ "$$(id -u)" -eq 0 ]; then \
			apt-get update -q && $(APT_INSTALL) $(SMS_PACKAGES) </dev/null; \
		else \
			echo "warning: kannel missing; the SMS tests need: apt-get install $(SMS_PACKAGES)" >&2; \
		fi; \
	fi
