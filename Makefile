# antre: the two commands are `make run` and `make test`; everything else is a helper.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_VERSION := $(shell cat .python-version)
PYENV_ROOT ?= $(HOME)/.pyenv
# Prefer the pyenv interpreter the machines carry; else a python3.13 on PATH;
# else let uv fetch one (a user elsewhere with network access).
PYTHON := $(shell for candidate in "$(PYENV_ROOT)/versions/$(PYTHON_VERSION)/bin/python" "$$(command -v python3.13)"; do \
	if [ -n "$$candidate" ] && [ -x "$$candidate" ]; then echo "$$candidate"; break; fi; done)
UV_VERSION := 0.13.8
UV := .tools/bin/uv
VENV := .venv
ANTRE := $(VENV)/bin/antre
export UV_PROJECT_ENVIRONMENT := $(VENV)
ifneq ($(PYTHON),)
export UV_PYTHON_DOWNLOADS := never
UV_PYTHON := --python $(PYTHON)
else
UV_PYTHON := --python $(PYTHON_VERSION)
endif

.PHONY: help run test check audit pytest fmt demo messages browser-deps clean bench

help:
	@echo "make run    start antre (web server + job worker) with the demo city on SQLite"
	@echo "make test   lint, type-check and run every test (what CI runs)"
	@echo "make check  ruff, ruff format --check, mypy, makemigrations --check, dependency audit"
	@echo "make fmt    format the code"
	@echo "make demo   (re)load the demo city into the database"
	@echo "make bench  the booking rush against its ceilings, SQLite then PostgreSQL (<= 15 min;"
	@echo "            BENCH_QUICK=1 for a short smoke run; see bench/README.md)"

# uv itself, pinned, in a private venv: any python3 can host it.
$(UV):
	python3 -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# The virtualenv, from the lock file; rebuilt when the lock or the project changes.
$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen $(UV_PYTHON)
	@touch $@

run: $(VENV)/.synced
	$(ANTRE) run

demo: $(VENV)/.synced
	$(ANTRE) migrate --noinput
	$(ANTRE) seed_demo

# Debian's Chromium drives the browser tests (no browser download); installed when missing.
browser-deps:
	@command -v chromium >/dev/null || { \
		echo "Installing Debian's chromium for the browser tests"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
		|| { echo "Could not install chromium: browser tests will be skipped outside CI" >&2; \
		     [ -z "$$CI" ] || exit 1; }; }
	@command -v msgfmt >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext) || true

check: $(VENV)/.synced
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	ANTRE_DATA_DIR=$${ANTRE_DATA_DIR:-$$(mktemp -d)} $(ANTRE) makemigrations --check --dry-run
	scripts/audit.sh

# Known vulnerabilities in the locked dependencies (pip-audit; see the script for offline machines).
audit: $(VENV)/.synced
	scripts/audit.sh

pytest: $(VENV)/.synced browser-deps
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test: check pytest

fmt: $(VENV)/.synced
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Refresh the id/en catalogs; then translate the empty English entries and run it again.
messages: $(VENV)/.synced
	$(VENV)/bin/python -m antre.testing.translations

# Not part of `make test`: it takes up to 15 minutes and wants a quiet machine.
# The load group (aiohttp, pyinstrument) is added to the venv; `make test`
# drops it again on its next sync. timeout is the backstop of bench's own deadline.
bench: $(VENV)/.synced
	$(UV) sync --frozen --group load $(UV_PYTHON)
	timeout --signal=INT --kill-after=10 895 $(VENV)/bin/python -m bench

clean:
	rm -rf $(VENV) .tools .mypy_cache .ruff_cache
