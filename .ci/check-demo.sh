#!/usr/bin/env bash
# Runs the README's demo (testdata/demo/demo.sh; PYRELOAD_BIN picks the
# binary) and checks what the app served. Ends with "demo: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
out=$(bash testdata/demo/demo.sh 2>&1) || { echo "$out"; echo "demo: 0 passed, 1 failed"; exit 1; }
for want in 'Hello, world (v1) \[request 1\]' 'Hello, world (v2) \[request 2\]' 'reloaded shop in place (1 module; kept 1 value)' 'Hello, world (v2) \[request 3\]' '\[stale-instance\]' 'Hello, world (v2) \[request 4\]' '\[reload-failed\]'; do
  echo "$out" | grep -q "$want" || { echo "$out"; echo "demo: missing $want"; echo "demo: 0 passed, 1 failed"; exit 1; }
done
echo "demo: 1 passed, 0 failed"
