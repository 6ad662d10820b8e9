# Exitloop: `make run` serves the app with demo data, `make test` runs every test.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed

.PHONY: run test lint format translations compile-translations browser-deps clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Quiet: only a broken catalog speaks (and stops the run).
compile-translations: $(STAMP)
	@$(BIN)/pybabel -q compile -d service/translations

# On PostgreSQL with ADMIN_DATABASE_URL set, first the two roles row-level security needs.
run: $(STAMP) compile-translations
	@if [ -n "$$ADMIN_DATABASE_URL" ]; then $(FLASK) db-roles; fi
	@$(FLASK) serve

# axe-core (accessibility checks in the browser tests) comes from npm, pinned by the lock.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --silent --no-audit --no-fund && touch $@; \
	else echo "npm not found: the accessibility checks will be skipped"; fi

browser-deps: node_modules/.installed

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo

# One pytest-xdist worker per CPU, each on its own database; a test file stays on one worker
# (its module fixtures, the browser tests' live server, are set up once).
TEST_WORKERS ?= auto
test: $(STAMP) compile-translations browser-deps lint
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Extract every marked string and merge it into the nl, fr and en catalogs.
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ --no-location --sort-output \
		--project Exitloop --copyright-holder Exitloop -o service/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date \
		-i service/translations/messages.pot -d service/translations

clean:
	rm -rf $(VENV) node_modules instance .pytest_cache .ruff_cache .import_linter_cache
