# Two commands on a fresh clone (Python ≥ 3.11 and make):
#   make run    set up .venv and start the bot (console unless DISCORD_TOKEN / SLACK_BOT_TOKEN are set)
#   make test   set up .venv and run the whole test suite
#   make lint   ruff check + ruff format --check
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test lint bench setup
setup: $(STAMP)

# Checked before anything else, so an old Python is named as the problem (pip would only say
# "No matching distribution found for SQLAlchemy").
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "Python 3.11 or newer is needed; '$(PYTHON)' is $$($(PYTHON) --version 2>&1 || echo 'not found')." >&2; \
	  echo "Install Python 3.11+ and run e.g. 'make PYTHON=python3.11 $(MAKECMDGOALS)'." >&2; \
	  exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/python -m bot run

test: $(STAMP)
	$(VENV)/bin/python -m bot content check
	$(VENV)/bin/python -m pytest

# ruff's linter and formatter check (CI runs this before the tests).
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: $(STAMP)
	for b in bench/bench_*.py; do $(VENV)/bin/python $$b || exit 1; done
