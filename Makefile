# ogi-reports: `make demo` and `make test` are the two set-up commands (see README).
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: help venv demo test lint bench services clean

help: ## list targets
	@grep -E '^[a-z]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/\t/'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

venv: $(STAMP) ## create .venv and install the project with its test extras

demo: $(STAMP) ## run the main job on the bundled demo into output/
	$(BIN)/python -m ogi.demo

services: ## install and start what the tests need (redis-server on 127.0.0.1, chromium)
	bash scripts/services.sh

lint: $(STAMP) ## ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check extractors writers ogi crawler

test: $(STAMP) services ## install and run the whole suite (pytest + ruff)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

bench: $(STAMP) ## benchmarks → output/bench.json
	$(BIN)/python -c 'import pyinstrument' 2>/dev/null || $(BIN)/pip install -q -e '.[test,bench]'
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) output/*.csv output/*.parquet output/districts output/report
