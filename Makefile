# Safer Leeds Executive dashboard. Quick start: `make run`, then `make test`.
PYTHON ?= python3
VENV   ?= .venv
PORT   ?= 8501
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install db run test bench lint clean

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

## test: install, lint, then the whole test suite
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest

## bench: speed, payload and memory against same-run baselines (not part of test); writes benchmarks/results.md
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

## lint: ruff only
lint: $(STAMP)
	$(BIN)/ruff check .

## clean: remove the virtual environment and caches (the database file is kept)
clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
