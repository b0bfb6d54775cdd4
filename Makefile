# Two commands on a fresh clone (Python ≥ 3.11 and make):
#   make run    set up .venv and start the bot (console unless DISCORD_TOKEN / SLACK_BOT_TOKEN are set)
#   make test   set up .venv and run the whole test suite
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test bench setup
setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/python -m bot run

test: $(STAMP)
	$(VENV)/bin/python -m bot content check
	$(VENV)/bin/python -m pytest

bench: $(STAMP)
	for b in bench/bench_*.py; do $(VENV)/bin/python $$b || exit 1; done
