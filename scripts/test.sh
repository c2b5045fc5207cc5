#!/usr/bin/env bash
# Sets up everything the tests need and runs the whole suite headless:
# ruff (lint + format), import-linter (layers), mypy, pytest with pytest-qt offscreen, every
# database test on SQLite and on a throwaway PostgreSQL server.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
# shellcheck disable=SC2086
ensure_system_packages $BASE_PACKAGES $TEST_PACKAGES
ensure_venv -e '.[dev]'
export QT_QPA_PLATFORM=offscreen
echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== import-linter"
.venv/bin/lint-imports
echo "== mypy"
.venv/bin/mypy
echo "== pytest"
# Every database test runs on SQLite and on PostgreSQL: a throwaway cluster of the packages
# installed above (tests/pg_server.py); here a server that cannot start fails the run instead
# of skipping PostgreSQL's half. STATIONDESK_TEST_POSTGRES=0 runs SQLite only.
export STATIONDESK_TEST_POSTGRES="${STATIONDESK_TEST_POSTGRES:-require}"
# pytest exits 5 when it collected no test: that fails this script too. One worker process
# per core (pytest-xdist); STATIONDESK_TEST_WORKERS=0 runs everything in this process.
.venv/bin/pytest -n "${STATIONDESK_TEST_WORKERS:-auto}" "$@"
