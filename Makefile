# Two commands for a newcomer: `make run` and `make test`. Both create ./.venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
ARGS   ?=

.PHONY: run once check test lint bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed  ## start the daemon (dry run without TELEGRAM_BOT_TOKEN)
	$(BIN)/gwangju-ai-watch run $(ARGS)

once: $(VENV)/.installed  ## one cycle over every source, then exit
	$(BIN)/gwangju-ai-watch once $(ARGS)

check: $(VENV)/.installed  ## fetch and parse every source, print a health table
	$(BIN)/gwangju-ai-watch check $(ARGS)

test: $(VENV)/.installed-test  ## lint, type-check and run the test suite
	$(BIN)/ruff check bot scrapers state tests bench evaluation
	$(BIN)/ruff format --check bot scrapers state tests bench evaluation
	$(BIN)/mypy bot scrapers state evaluation
	$(BIN)/python -m pytest -q $(ARGS)

bench: $(VENV)/.installed-test
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python -m bench $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
