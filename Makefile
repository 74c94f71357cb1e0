# The README's two commands: `make demo` and `make test`.
SHELL := /bin/bash
VENV := .venv
PYTHON := $(VENV)/bin/python
DBT := $(VENV)/bin/dbt
export DBT_PROFILES_DIR := $(CURDIR)/profiles
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: setup demo report test lint bench clean

# Pinned dependencies into .venv (requirements/<set>.txt under constraints.txt); each set
# is installed once, and again when its pins change. `setup` installs everything (dev);
# `demo` only what a DuckDB build needs.
$(VENV)/.installed-%: requirements/%.txt requirements/base.txt constraints.txt
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -r $< -c constraints.txt
	touch $@

$(VENV)/.installed-dev: requirements/duckdb.txt requirements/metricflow.txt requirements/postgres.txt requirements/spark.txt
$(VENV)/.installed-metricflow: requirements/duckdb.txt

setup: $(VENV)/.installed-dev

## demo: build the shipped demo data on DuckDB (seeds, models, unit and data tests), then
## summarise it; installs only requirements/metricflow.txt (the DuckDB set and `mf`).
demo: $(VENV)/.installed-metricflow
	$(DBT) build --target duckdb
	$(PYTHON) -m tools.summary

## report: one static HTML page (target/report.html; REPORT_ARGS='--out x.html --target postgres')
## drawn from the marts of the current dbt target: run it after `make demo` or a build.
report: $(VENV)/.installed-duckdb
	$(PYTHON) -m tools.report $(REPORT_ARGS)

## test: lint, then every test on DuckDB, PostgreSQL and Spark (pytest starts a throwaway
## PostgreSQL unless DBT_POSTGRES_HOST points at one, and a local Spark in its own process).
## Two test processes share the cases (TEST_WORKERS=0: one process); PYTEST_ARGS='--engines duckdb' narrows it.
## The 25 slowest tests are listed at the end (CI must stay under 35 minutes).
TEST_WORKERS ?= 2
test: lint
	$(PYTHON) -m pytest tests -n $(TEST_WORKERS) --durations=25 $(PYTEST_ARGS)

## lint: sqlfluff with the dbt templater over models and data tests, compiled against a
## database holding the demo seeds (so staging models render their real `from`), reloaded
## whole each time: a change to the seeds' columns cannot leave a stale table behind.
lint: setup
	mkdir -p target
	DBT_DUCKDB_PATH=$(CURDIR)/target/lint.duckdb $(DBT) seed --quiet --full-refresh --target duckdb
	DBT_DUCKDB_PATH=$(CURDIR)/target/lint.duckdb $(VENV)/bin/sqlfluff lint models data-tests

## bench: full and incremental builds against a hand-written baseline, on generated data
## (default 1M and 10M events on DuckDB, 1M on PostgreSQL and on Spark); writes bench/results.md.
## BENCH_ARGS='--scales duckdb:10000000,duckdb:100000000 --project-only --out bench/results-100m.md': 100M.
bench: setup
	$(PYTHON) -m tools.bench $(BENCH_ARGS)

clean:
	rm -rf target logs rudderstack_sessions.duckdb spark-warehouse metastore_db derby.log
