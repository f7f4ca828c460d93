# Two commands: `make run` and `make test`. Everything else they need, they install.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install install-dev system-deps bench screenshots clean

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

run: $(VENV)/.installed
	bash scripts/run-embedded.sh

# System packages first: Chromium, PostgreSQL and Redis must exist before the servers start.
test: system-deps $(VENV)/.installed-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Browser tests write their screenshots to tests/artifacts/screenshots; this refreshes docs/screenshots.
screenshots: system-deps $(VENV)/.installed-dev
	CONFAPP_UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest tests/browser -q $(PYTEST_ARGS)

bench: system-deps $(VENV)/.installed-dev
	bash bench/run_all.sh

clean:
	rm -rf $(VENV) *.egg-info
