#!/usr/bin/env bash
# The whole test suite: lint, types, and pytest (unit, integration on SQLite and PostgreSQL, acceptance).
# PostgreSQL tests skip with a reason when no server listens on 127.0.0.1:5432,
# unless ORGFLOW_REQUIRE_POSTGRES=1 (set by CI), which makes them required.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/venv.sh
echo "==> ruff"
.venv/bin/ruff check src tests benchmarks
.venv/bin/ruff format --check src tests benchmarks
echo "==> mypy"
.venv/bin/mypy
echo "==> pytest"
.venv/bin/pytest "$@"
