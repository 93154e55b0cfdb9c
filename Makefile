# Two commands run everything: `make demo` and `make test`. Both bootstrap .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test test-faults bench lint migration system-deps clean catalogs

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

system-deps:
	bash scripts/system-deps.sh

demo: $(STAMP)
	bash scripts/demo.sh

lint: $(STAMP)
	$(BIN)/ruff check .

# The long fault tests (about 10 minutes) run after the fast suite, so CI runs them too.
test: $(STAMP) system-deps lint
	$(BIN)/pytest -q -m "not slow"
	$(MAKE) --no-print-directory test-faults

test-faults: $(STAMP) system-deps
	$(BIN)/pytest -q -m slow

# Translations: extract the English source strings from code and templates (babel.cfg), merge
# them into locale/*/LC_MESSAGES/messages.po and compile the .mo files (committed, so a fresh
# clone runs without this step). It lists what is left to translate; translate it and run again.
# `make catalogs LANGUAGE=fr` starts the catalog of a new language.
catalogs: $(STAMP)
	$(BIN)/python scripts/catalogs.py $(LANGUAGE)

bench: $(STAMP)
	$(BIN)/python -m bench

migration: $(STAMP)
	$(BIN)/python scripts/new_migration.py $(m)

clean:
	rm -rf data .pytest_cache .ruff_cache
