# Safer Leeds Executive dashboard. Quick start: `make run`, then `make test`.
PYTHON ?= python3
VENV   ?= .venv
PORT   ?= 8501
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# Two workers (the machines we run on have 2 cores); a file's tests stay on one worker so module fixtures are shared.
PYTEST := $(BIN)/pytest -n 2 --dist loadfile

.PHONY: install db run replicas test test-fast bench lint format hooks clean
REPLICAS ?= 2

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

## install: create the virtual environment and install the app with its test tools
install: $(STAMP)

## db: migrate the configured database and seed the default data if it is empty (never overwrites data)
db: $(STAMP)
	$(BIN)/saferleeds db init

## run: install, build or upgrade the database, start the app on http://localhost:$(PORT)
run: db
	$(BIN)/streamlit run dashboard.py --server.port $(PORT)

## replicas: several app processes behind nginx on the configured database (sticky sessions; README "Deploying")
replicas: db
	$(BIN)/saferleeds serve --replicas $(REPLICAS) --port $(PORT)

## test: install, lint (ruff, format, types), then the whole test suite: the browser tests last, one at a time (each
## starts app servers and Chromium; beside the other tests on 2 cores they starved and timed out)
test: lint
	$(PYTEST) -m "not browser"
	$(BIN)/pytest -m browser

## test-fast: the suite without the browser tests (what to run while working)
test-fast: $(STAMP)
	$(PYTEST) -m "not browser"

## bench: speed, payload and memory against same-run baselines (not part of test); writes benchmarks/results.md
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

## lint: ruff check, ruff format --check and mypy on lib/ (the pre-commit hook runs the same)
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## format: apply ruff's formatting and safe fixes
format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## hooks: run `make lint` before every commit
hooks: $(STAMP)
	$(BIN)/pre-commit install

## clean: remove the virtual environment and caches (the database file is kept)
clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache *.egg-info
