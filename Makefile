# Two commands run everything: `make demo` and `make test`. Both bootstrap .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test test-faults bench lint migration system-deps clean i18n

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
# them into locale/*/LC_MESSAGES/messages.po, then compile the .mo files (committed, so a fresh
# clone runs without this step). Translate what `git diff locale` shows empty, then run it again.
PYBABEL_KEYWORDS := -k N_ -k Np_:1c,2 -k translate:2 -k Question:2 -k pgettext:1c,2 -k npgettext:1c,2,3
i18n: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg $(PYBABEL_KEYWORDS) --add-comments=TRANSLATORS: --add-location=file --sort-output \
		-w 100 --project=acara -o locale/messages.pot .
	$(BIN)/pybabel -q update -D messages -i locale/messages.pot -d locale -w 100 \
		--no-fuzzy-matching --ignore-obsolete
	$(BIN)/python scripts/english_catalog.py
	$(BIN)/pybabel compile -D messages -d locale --statistics

bench: $(STAMP)
	$(BIN)/python -m bench

migration: $(STAMP)
	$(BIN)/python scripts/regen_initial_migration.py

clean:
	rm -rf data .pytest_cache .ruff_cache
