# Two commands: `make run` and `make test`. Everything else they need, they install.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test test-shifted install install-dev system-deps bench screenshots clean translations messages

$(BIN)/python:
	bash scripts/install-system-deps.sh run
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

system-deps:
	bash scripts/install-system-deps.sh

# Interface translations (confapp/i18n.py): each catalogue is compiled when its .po changes; the
# .mo files are built here, never committed. `make messages` refreshes the .po files from the code.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard confapp/translations/*/LC_MESSAGES/messages.po))

confapp/translations/%/LC_MESSAGES/messages.mo: confapp/translations/%/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(BIN)/pybabel -q compile -i $< -o $@

translations: $(MO_FILES)

# --ignore-dirs: without it pybabel skips every folder whose name starts with "_" (templates/_macros).
messages: $(VENV)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg -k _l --ignore-dirs=".* ._ __pycache__" -o confapp/translations/messages.pot .
	$(BIN)/pybabel -q update -i confapp/translations/messages.pot -d confapp/translations --width 100 --no-fuzzy-matching

run: $(VENV)/.installed translations
	bash scripts/run-embedded.sh

# System packages first: Chromium, PostgreSQL and Redis must exist before the servers start.
test: system-deps $(VENV)/.installed-dev translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The fast part of the suite (unit and functional) with the system clock a year ahead: no test may
# depend on the day it runs. CI runs it after `make test`; SHIFT=+3y (faketime's syntax) for further.
# Monotonic time stays real, or threads waiting on it hang. libfaketime then fails every
# time.sleep with EINVAL: tests/support/faketime/sitecustomize.py (on PYTHONPATH, so in every
# process the tests start too) sleeps through select() instead. One test is left out by name:
# libfaketime breaks its timed lock wait (flock with a timer fails with EINVAL), not a date.
SHIFT ?= +365d
test-shifted: system-deps $(VENV)/.installed-dev translations
	PYTHONPATH=$(CURDIR)/tests/support/faketime FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f '$(SHIFT)' \
	  $(BIN)/python -m pytest tests/unit tests/functional -q \
	  --deselect tests/unit/infra/test_sqlite_write_lock.py::test_a_second_writer_waits_for_the_first_and_then_goes_straight_in \
	  $(PYTEST_ARGS)

# Browser tests write their screenshots to tests/artifacts/screenshots; this refreshes docs/screenshots.
screenshots: system-deps $(VENV)/.installed-dev
	CONFAPP_UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest tests/browser -q $(PYTEST_ARGS)

bench: system-deps $(VENV)/.installed-dev
	bash bench/run_all.sh

clean:
	rm -rf $(VENV) *.egg-info
