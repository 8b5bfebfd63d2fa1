# Two entry points: `make run` (dashboard on the demo store when no store exists)
# and `make test` (the whole suite, browser tests included); `make bench` times it all.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STORE ?= $(or $(AWARDS_STORE),data/awards.duckdb)

.PHONY: run test bench install install-dev demo

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt

demo: install
	@test -f "$(STORE)" || $(BIN)/python -m loaders demo --store "$(STORE)"

run: demo
	AWARDS_STORE="$(STORE)" $(BIN)/streamlit run dashboard.py

test: install-dev
	$(BIN)/python -m pytest -q

# The performance benchmark at 1M and 2M awards, every target in one run (benchmarks/run.py): about 15 minutes
# on 2 cores (the 1M queries and the 60 s load test took 4.4 min; 2M doubles the queries); needs /usr/bin/chromium.
bench: install-dev
	$(BIN)/python -m benchmarks
