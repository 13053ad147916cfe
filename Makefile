# `make run` builds everything, `make test` checks everything on DuckDB; CI runs `make test` then `make test-spark`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PYTHONPATH := $(CURDIR)/src
# dbt must not phone home from CI or a closed network.
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := False

SOURCE ?= shop
SCALE ?= 1
SEED ?= 42
SHOP_RAW ?= data/raw/shop
SHOP_TRUTH ?= data/truth/shop
# How generated orders and events land: single (orders.csv, events.csv), or daily/monthly landed_on= partitions.
LAYOUT ?= single
ONLINE_RETAIL_CSV ?= data/raw/online_retail/online_retail.csv.gz
WAREHOUSE = $${ECOM_DUCKDB_PATH:-data/warehouse.duckdb}
DBT_VARS = {source_system: $(SOURCE), shop_raw_path: $(SHOP_RAW), online_retail_csv: $(ONLINE_RETAIL_CSV)}

# Where `make test` builds its own warehouse, apart from the one `make run` leaves for BI tools.
CI_DIR ?= data/ci
CI_SCALE ?= 1

.PHONY: help venv data run build charts docs chromium metricflow semantic spark test-spark test lint pytest ci-build bench clean

help:
	@echo "make run    - set up .venv, generate shop data if missing, dbt build + docs (SOURCE=online_retail ONLINE_RETAIL_CSV=<file> for UCI;"
	@echo "              LAYOUT=daily generates orders/events as landed_on= partitions; a later make run reads only new ones)"
	@echo "make test   - ruff, sqlfluff, pytest and a full dbt build with all dbt tests (CI runs it, then test-spark)"
	@echo "make semantic - the semantic layer's metrics by month (MetricFlow in .venv-metricflow)"
	@echo "make test-spark - the models on local Spark (.venv-spark), every mart compared with DuckDB's (CI runs it after make test)"
	@echo "make bench  - time dbt build against a plain DuckDB script and pandas (BENCH_SCALES='1 10', BENCH_BIG=1 adds 100)"

$(BIN)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	touch $@

venv: $(BIN)/.installed

# Generates only when the folder has no events file yet, whole (events.csv) or landed per day.
ifeq ($(SOURCE),shop)
data: | $(BIN)/.installed
	@if [ -e $(SHOP_RAW)/events.csv ] || ls $(SHOP_RAW)/events/landed_on=*/*.csv >/dev/null 2>&1; then echo "data: using the files in $(SHOP_RAW)"; else \
		$(BIN)/python -m ecom_analytics.generator --scale $(SCALE) --seed $(SEED) --layout $(LAYOUT) \
			--out $(SHOP_RAW) --truth $(SHOP_TRUTH); fi
else
data:
	@test -f "$(ONLINE_RETAIL_CSV)" || { echo "ONLINE_RETAIL_CSV=$(ONLINE_RETAIL_CSV): no such file" >&2; exit 2; }
endif

build: venv data
	mkdir -p "$$(dirname $(WAREHOUSE))"
	$(BIN)/dbt build --vars '$(DBT_VARS)'

# The pictures on the docs overview page are drawn from the built marts.
charts: venv
	$(BIN)/python -m ecom_analytics.charts --database $(WAREHOUSE) --out assets

# --static writes one self-contained page; the pictures are then embedded into it as data URIs.
docs: venv
	$(BIN)/dbt docs generate --static --vars '$(DBT_VARS)'
	$(BIN)/python -m ecom_analytics.charts --no-charts --out assets --inline-html target/static_index.html

run: build charts docs
	$(BIN)/python -m ecom_analytics.publish --database $(WAREHOUSE)
	@echo
	@echo "Database : $$(realpath $(WAREHOUSE))  (schemas staging, intermediate, marts)"
	@echo "Published: $$(realpath "$$(dirname $(WAREHOUSE))")/published/  (marts.duckdb and Parquet for BI tools)"
	@echo "Docs     : $(CURDIR)/target/static_index.html  (or browse with: $(BIN)/dbt docs serve)"

# sqlfluff's dbt templater renders only enabled models, so the online_retail folders get a second pass with
# that source switched on (against the small generated fixture, never the real file).
LINT_DIR := data/lint
lint: venv
	$(BIN)/ruff check src tests python_models bench
	$(BIN)/ruff format --check src tests python_models bench
	mkdir -p $(LINT_DIR)
	$(BIN)/python -m ecom_analytics.fixtures.online_retail $(LINT_DIR)/online_retail.csv
	printf '[sqlfluff:templater:dbt:context]\nsource_system = online_retail\nonline_retail_csv = %s\n' \
		$(LINT_DIR)/online_retail.csv > $(LINT_DIR)/online_retail.sqlfluff
	ECOM_DUCKDB_PATH=$(LINT_DIR)/lint.duckdb $(BIN)/sqlfluff lint models analyses tests macros
	ECOM_DUCKDB_PATH=$(LINT_DIR)/lint.duckdb $(BIN)/sqlfluff lint --config $(LINT_DIR)/online_retail.sqlfluff \
		models/staging/online_retail models/intermediate/online_retail

# A full build with every dbt test on freshly generated data, in its own folder.
ci-build: venv
	rm -rf $(CI_DIR)
	$(BIN)/python -m ecom_analytics.generator --scale $(CI_SCALE) --seed $(SEED) --out $(CI_DIR)/raw/shop --truth $(CI_DIR)/truth/shop
	ECOM_DUCKDB_PATH=$(CI_DIR)/warehouse.duckdb $(BIN)/dbt build --target-path $(CI_DIR)/target \
		--vars '{source_system: shop, shop_raw_path: $(CI_DIR)/raw/shop}'

# pytest reuses the ci-build warehouse; exit code 5 (no tests collected) is a failure too. Each test file runs
# whole on one of PYTEST_WORKERS processes (pytest-xdist), so a module's fixture is built once. The 15 slowest
# tests are listed, to watch the CI time.
PYTEST_WORKERS ?= auto
pytest: venv
	ECOM_TEST_SHOP_DIR=$(CI_DIR) $(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadfile --durations=15 tests/python

# The browser test needs Debian's chromium; the script installs it when missing and says so loudly.
chromium:
	scripts/ensure_chromium.sh

# MetricFlow (the semantic layer's `mf`) pins its own dbt stack, so it gets its own venv.
MF_VENV := .venv-metricflow
$(MF_VENV)/bin/.installed: requirements-metricflow.lock
	$(PYTHON) -m venv $(MF_VENV)
	$(MF_VENV)/bin/pip install --quiet --upgrade pip
	$(MF_VENV)/bin/pip install --quiet -r requirements-metricflow.lock
	touch $@

metricflow: $(MF_VENV)/bin/.installed

# The metrics of models/semantic/ by month from the warehouse `make run` built; `mf` reads target/.
semantic: metricflow
	$(MF_VENV)/bin/dbt parse --vars '$(DBT_VARS)'
	$(MF_VENV)/bin/mf query --metrics revenue,returns,net_revenue,orders,customers,average_order_value \
		--group-by metric_time__month --order metric_time__month

# The Spark stack (dbt-spark's session method: pyspark in process) pins its own venv beside the project's pins.
# Java 17 comes from the OS packages.
SPARK_VENV := .venv-spark
$(SPARK_VENV)/bin/.installed: requirements-spark.lock requirements.lock
	@command -v java >/dev/null || { echo "spark: no java on PATH (install Java 17, e.g. apt-get install openjdk-17-jre-headless)" >&2; exit 2; }
	$(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/pip install --quiet --upgrade pip
	$(SPARK_VENV)/bin/pip install --quiet -r requirements-spark.lock
	touch $@

spark: $(SPARK_VENV)/bin/.installed

# The SQL layer on local Spark: the shop (one month landing incrementally) and the UCI fixture built by Spark and
# by DuckDB, every SQL mart compared, and the Python models' code run on Spark DataFrames (tests/spark). One
# process: Spark's local[*] already uses every core, and two builds side by side took about as long.
SPARK_TEST_DIR ?= data/spark-test
test-spark: spark
	ECOM_SPARK_TEST_DIR=$(SPARK_TEST_DIR) $(SPARK_VENV)/bin/pytest -q -p no:cacheprovider --durations=10 tests/spark

# Optional stacks the tests need, one per line so that each addition merges on its own.
TEST_STACKS := chromium
TEST_STACKS += metricflow

test: lint ci-build $(TEST_STACKS) pytest

bench: venv
	$(BIN)/python -m bench.run $(if $(BENCH_BIG),--big,)

clean:
	rm -rf target logs data/warehouse.duckdb $(CI_DIR) $(SPARK_TEST_DIR) data/spark
