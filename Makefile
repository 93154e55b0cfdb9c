# Two commands run everything: `make demo` and `make test`. Both bootstrap .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo demo-service test test-faults bench lint migration system-deps clean catalogs

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

system-deps:
	bash scripts/system-deps.sh

demo: $(STAMP)
	bash scripts/demo.sh

# `acara serve` on the demo's data: a trigger starts a flow run; its state and artifact, then stop.
demo-service: $(STAMP)
	$(BIN)/python scripts/demo_service.py

lint: $(STAMP)
	$(BIN)/ruff check .

# The fast suite runs on every core (pytest-xdist; WORKERS=0 runs it in one process), a test
# file per worker at a time so a module's fixtures (a browser, rendered templates) are built
# once. The long fault tests (about 10 minutes) run after it, so CI runs them too.
WORKERS ?= auto
test: $(STAMP) system-deps lint
	$(BIN)/pytest -q -m "not slow" -n $(WORKERS) --dist loadfile
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
