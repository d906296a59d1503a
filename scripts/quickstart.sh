#!/usr/bin/env bash
# Set up OrgFlow on its embedded default (SQLite) with the demo company and run the service on
# http://127.0.0.1:8000 (Ctrl+C stops it). Running it again keeps the data: the demo data is added once.
#
#   scripts/quickstart.sh                 # install, init, demo data, serve in the foreground
#   scripts/quickstart.sh --port 8080     # any other options go to `orgflow serve`
#   scripts/quickstart.sh --check         # the same, but serve on a free port, check /api/v1/health,
#                                         # stop the service and exit (0 when it answered): for scripts and CI
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
check=0
serve_args=()
for arg in "$@"; do
  if [ "$arg" = "--check" ]; then check=1; else serve_args+=("$arg"); fi
done
source scripts/venv.sh
export ORGFLOW_HOME=${ORGFLOW_HOME:-.orgflow}
export ORGFLOW_SERVICES=${ORGFLOW_SERVICES:-examples/services.py}  # the annual budget's budget_check
.venv/bin/orgflow init
if [ "$check" = 0 ]; then
  exec .venv/bin/orgflow serve --demo ${serve_args[@]+"${serve_args[@]}"}
fi

log=$(mktemp)
.venv/bin/orgflow serve --demo --port 0 ${serve_args[@]+"${serve_args[@]}"} >"$log" 2>&1 &
pid=$!
trap 'kill -INT "$pid" 2>/dev/null || true; rm -f "$log"' EXIT
url=""
for _ in $(seq 1 600); do  # up to a minute: the demo data comes first
  url=$(sed -n 's/.*服务已启动：\(http:\/\/[][0-9a-zA-Z.:]*\).*/\1/p' "$log" | head -n 1)
  if [ -n "$url" ] || ! kill -0 "$pid" 2>/dev/null; then break; fi
  sleep 0.1
done
cat "$log"
if [ -z "$url" ]; then
  echo "快速开始检查失败：服务没有启动" >&2
  exit 1
fi
.venv/bin/python - "$url" <<'PY'
import sys

import httpx

answer = httpx.get(f"{sys.argv[1]}/api/v1/health", timeout=10)
print(f"{sys.argv[1]}/api/v1/health → {answer.status_code} {answer.text}")
sys.exit(0 if answer.status_code == 200 else 1)
PY
kill -INT "$pid"
status=0
wait "$pid" || status=$?
trap - EXIT
tail -n 1 "$log"
rm -f "$log"
if [ "$status" != 0 ]; then
  echo "快速开始检查失败：服务退出码 $status" >&2
  exit 1
fi
echo "快速开始检查通过"
