# Power Portal — two commands: `make run` and `make test`.
# Both set up everything they need on a fresh machine with python3, node/npm and make.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
UV_VERSION := 0.13.9
# uv from PATH, else a private copy installed into .tools/ on first use.
UV := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)
VENV := .venv
BIN := $(VENV)/bin
STATIC := src/power_portal/static
FRONTEND_INPUTS := $(shell find frontend/src frontend/public -type f 2>/dev/null) \
	frontend/index.html frontend/vite.config.ts frontend/tsconfig.json frontend/package-lock.json
PYTEST_ARGS ?=
# TimescaleDB source for `make timescale`: a folder with build.sh and the source tarball.
TIMESCALE_SRC ?= ../shared/timescaledb

.PHONY: help setup run test lint typecheck pytest test-unit test-integration test-e2e test-hardening \
	frontend frontend-check openapi openapi-check chromium bench clean architecture timescale

help: ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

# ---------------------------------------------------------------- setup
$(CURDIR)/.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

$(BIN)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	@touch $@

$(STATIC)/index.html: $(FRONTEND_INPUTS) frontend/node_modules/.installed
	cd frontend && npm run build
	@touch $@

setup: $(BIN)/.synced $(STATIC)/index.html ## install the Python env (.venv), npm packages, build the web app

frontend: $(STATIC)/index.html ## build the web app into src/power_portal/static

# ---------------------------------------------------------------- run
run: setup ## set up, then start the portal at http://127.0.0.1:8000 (embedded PostgreSQL in ./var)
	$(BIN)/portal demo --if-empty --ask
	$(BIN)/portal serve

# ---------------------------------------------------------------- test
test: setup chromium lint typecheck openapi-check frontend-check pytest ## every check and every test

lint: $(BIN)/.synced ## ruff lint + format check, the package layers (import-linter), the package diagram
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo
	$(BIN)/python tools/package_graph.py --check

typecheck: $(BIN)/.synced ## mypy (strict)
	$(BIN)/mypy

frontend-check: frontend/node_modules/.installed ## front-end type check, ESLint, Prettier and unit tests
	cd frontend && npm run typecheck
	cd frontend && npm run lint
	cd frontend && npm run format:check
	cd frontend && npm test

pytest: setup chromium ## unit + integration (real PostgreSQL) + e2e (real Chromium)
	$(BIN)/pytest $(PYTEST_ARGS)

test-unit: $(BIN)/.synced
	$(BIN)/pytest tests/unit $(PYTEST_ARGS)

test-integration: $(BIN)/.synced
	$(BIN)/pytest tests/integration $(PYTEST_ARGS)

test-e2e: setup chromium
	$(BIN)/pytest tests/e2e $(PYTEST_ARGS)

test-hardening: setup chromium ## load, faults and hostile input, long form (make test runs a short form)
	PORTAL_HARDENING=full PORTAL_HARDENING_RESULTS=$(CURDIR)/var/hardening-results.json \
		$(BIN)/pytest tests/hardening $(PYTEST_ARGS)

chromium: ## Debian's Chromium (browser tests) and mosquitto (MQTT tests), installed when missing
	@if ! command -v chromium >/dev/null 2>&1 || ! [ -x /usr/sbin/mosquitto ]; then \
		echo "installing Debian's chromium and mosquitto for the tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq; \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium mosquitto >/dev/null; \
	fi

timescale: $(BIN)/.synced ## build TimescaleDB from TIMESCALE_SRC into .venv's embedded PostgreSQL (needs cmake, gcc)
	@src=$$(cd "$(TIMESCALE_SRC)" && pwd) || { echo "TIMESCALE_SRC=$(TIMESCALE_SRC) does not exist"; exit 1; }; \
	pg_config=$$($(BIN)/python -c 'from power_portal.db.embedded import pg_config; print(pg_config())'); \
	version=$$(sed -n 's/^VERSION=//p' "$$src/build.sh"); \
	sharedir=$$("$$pg_config" --sharedir); pkglibdir=$$("$$pg_config" --pkglibdir); \
	if [ -f "$$sharedir/extension/timescaledb--$$version.sql" ] && \
	   [ -f "$$pkglibdir/timescaledb-$$version.so" ]; then \
		echo "TimescaleDB $$version is already installed in .venv's PostgreSQL"; \
	else \
		echo "building TimescaleDB $$version from $$src (about a minute)"; \
		bash "$$src/build.sh" "$$pg_config"; \
	fi

# ---------------------------------------------------------------- API client
openapi: $(BIN)/.synced frontend/node_modules/.installed ## regenerate frontend/openapi.json and the typed client (admin mode: every route)
	PORTAL_RUN_MODE=admin $(BIN)/portal openapi --output frontend/openapi.json
	cd frontend && npm run --silent gen:api

openapi-check: $(BIN)/.synced frontend/node_modules/.installed ## fail when the checked-in client drifted from the API
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	PORTAL_RUN_MODE=admin $(BIN)/portal openapi --output "$$tmp/openapi.json"; \
	(cd frontend && npx --no-install openapi-typescript "$$tmp/openapi.json" -o "$$tmp/schema.d.ts" >/dev/null); \
	if ! diff -q "$$tmp/openapi.json" frontend/openapi.json >/dev/null || \
	   ! diff -q "$$tmp/schema.d.ts" frontend/src/api/schema.d.ts >/dev/null; then \
		echo "The generated API client is out of date: run 'make openapi' and commit the result."; \
		diff -u frontend/openapi.json "$$tmp/openapi.json" | head -40; exit 1; \
	fi; echo "API client is up to date"

# ---------------------------------------------------------------- misc
architecture: $(BIN)/.synced ## redraw the package diagram in ARCHITECTURE.md from the real imports
	$(BIN)/python tools/package_graph.py

bench: setup ## run the benchmarks in bench/
	@set -e; for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b; done

clean: ## remove build output and environments (keeps ./var, your data)
	rm -rf $(VENV) .tools frontend/node_modules $(STATIC) .pytest_cache .mypy_cache .ruff_cache
