#!/usr/bin/env bash
# Set up OrgFlow on its embedded default (SQLite) and walk an example process end to end.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/venv.sh
export ORGFLOW_HOME=${ORGFLOW_HOME:-.orgflow}
.venv/bin/orgflow init
.venv/bin/orgflow org import examples/org/demo-部门.csv examples/org/demo-人员.csv
.venv/bin/orgflow deploy examples/*.yaml
.venv/bin/orgflow demo
