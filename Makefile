# hedgesim — set-up, demo and tests. `make demo` and `make test` each set up .venv first.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed-stamp
DEMO    := results/baseline-$(shell date -u +%Y%m%dT%H%M%SZ)

# Find a working interpreter >= 3.12: python3.13, python3.12, python3, then pyenv's installed versions.
# (pyenv shims exist for versions that are installed but not selected; they fail when run, so each
# candidate is actually executed.)
FIND_PYTHON := for c in "$$PYTHON" python3.13 python3.12 python3 \
	  $$(ls -d "$${PYENV_ROOT:-$$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
	  [ -n "$$c" ] || continue; \
	  if "$$c" -c 'import sys, venv; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then echo "$$c"; exit 0; fi; \
	done; exit 1

.PHONY: help venv demo test lint format bench figures clean chromium explore
help:
	@echo "make demo   set up .venv, run the baseline scenario batch, print its table, write figures + report"
	@echo "make test   set up .venv, run ruff and the test suite"
	@echo "make explore  start the live ensemble explorer on http://127.0.0.1:8765"
	@echo "make bench  run the benchmarks (lanes, engine, explorer)"
	@echo "make figures  regenerate the README figures in docs/img/"

$(STAMP): pyproject.toml
	@py="$$($(FIND_PYTHON))" || { echo "error: hedgesim needs Python >= 3.12 (tried python3.13, python3.12, python3 and pyenv's versions); install one or set PYTHON=/path/to/python3.12" >&2; exit 2; }; \
	echo "Using $$py ($$("$$py" --version 2>&1))"; \
	if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	  rm -rf $(VENV) && "$$py" -m venv $(VENV); fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/hedgesim run scenarios/baseline.yaml --out $(DEMO)
	$(VENV)/bin/hedgesim plot $(DEMO)
	$(VENV)/bin/hedgesim report $(DEMO)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: lint chromium
	$(PY) -m pytest -q

# The explorer's browser test drives Debian's Chromium; install it where apt-get works (CI runs as root).
chromium:
	@if command -v chromium >/dev/null 2>&1; then exit 0; fi; \
	if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  echo "Installing chromium and chromium-driver with apt-get (for the explorer's browser test)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	else \
	  echo "warning: chromium is missing and cannot be installed here (needs apt-get as root); the browser test will fail" >&2; \
	fi

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

explore: $(STAMP)
	$(VENV)/bin/hedgesim explore

bench: $(STAMP)
	$(PY) benchmarks/bench_lanes.py
	$(PY) benchmarks/bench_engine.py
	$(PY) benchmarks/bench_explorer.py

figures: $(STAMP)
	$(PY) docs/make_figures.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis *.egg-info
