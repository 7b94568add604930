# Two commands for a fresh machine:
#   make run   - install what the bot needs and start it (console demo without a token)
#   make test  - install the dev tools and run lint, type check and the whole test suite, on
#                SQLite and again on a throwaway PostgreSQL the tests start (tests/postgresql.py)
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: run test postgresql lint typecheck pytest bench lock extract clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-runtime: requirements/runtime.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/runtime.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.installed-dev: requirements/dev.txt $(VENV)/.installed-runtime
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	touch $@

run: $(VENV)/.installed-runtime
	$(BIN)/xomantoan run

# The suite's second run needs PostgreSQL's server programs (initdb, pg_ctl; the tests start
# and remove their own throwaway server): installed with apt-get where they are missing.
postgresql:
	@command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
	{ echo "installing PostgreSQL's server programs with apt-get (for the tests)"; \
	  SUDO=; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; } || \
	{ echo "make test needs PostgreSQL's server programs (initdb, pg_ctl): install the"\
	  "postgresql package of your system"; exit 1; }

test: $(VENV)/.installed-dev postgresql
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q
	$(BIN)/python -m pytest -q --backend=postgresql

bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench.updates

# Refresh the message template from the code (then merge it into locales/*/messages.po).
extract: $(VENV)/.installed-dev
	$(BIN)/pybabel extract -k N_ -k _n:1,2 -o locales/messages.pot --no-location --omit-header bot scheduler
	$(BIN)/pybabel update -i locales/messages.pot -d locales -D messages --no-location --omit-header --no-fuzzy-matching

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
