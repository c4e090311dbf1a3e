# Two commands matter: `make demo` (try the bot locally, no token needed) and `make test`.
# Each one creates .venv and installs what it needs on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint fmt sandbox bench bench-load bench-startup bench-clinics bench-cluster bench-mini-app clean catalogs

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "vetbot needs Python 3.11 or newer (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/vetbot demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

sandbox: $(STAMP)
	$(BIN)/vetbot sandbox --port 8000

bench: $(STAMP)
	$(BIN)/python bench/when_bench.py

# 200 owners booking at once against a separate bot process, then the echo-bot floor.
bench-load: $(STAMP)
	$(BIN)/python bench/load.py

# Start to first reply and SIGTERM to exit, median of 5.
bench-startup: $(STAMP)
	$(BIN)/python bench/startup.py

# 1, 10, 100 and 300 clinics in one process, SQLite and PostgreSQL: memory, start-up, CPU.
bench-clinics: $(STAMP)
	$(BIN)/python bench/clinics.py

# 1, 2 and 3 instances of a group on PostgreSQL: coordination cost, takeover after a kill -9.
bench-cluster: $(STAMP)
	$(BIN)/python bench/cluster.py

# The week view (Mini App) in headless Chromium, 20 opens: first paint and bytes transferred.
bench-mini-app: $(STAMP)
	$(BIN)/python bench/mini_app.py

# Re-extract user-facing strings into locales/vetbot.pot and merge them into fr and en.
catalogs: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k plural:1,2 --no-location --sort-output \
		--project vetbot -o locales/vetbot.pot .
	$(BIN)/pybabel update -i locales/vetbot.pot -d locales -D vetbot --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
