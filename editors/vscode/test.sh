#!/usr/bin/env bash
# Tests of the VS Code extension: compile, then node's test runner with the FAKE
# vscode module (test/fake-vscode) on NODE_PATH, the real vscode-languageclient,
# and the real server at <repo>/bin/pyreload (override with PYRELOAD_BIN); the
# status bar tests use the FAKE server test/fake-server. Ends with a
# "vscode: N passed, N failed" line like the other editors' tests.
set -euo pipefail
cd "$(dirname "$0")"
command -v node >/dev/null || { echo "editors/vscode: node is missing (Node 20 needed)" >&2; exit 1; }
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run --silent compile
npm run --silent bundle
export NODE_PATH="$PWD/test/fake-vscode"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
rc=0
node --test --test-concurrency=1 test/*.test.js 2>&1 | tee "$log" || rc=$?
passed=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$log" | tail -n 1)
failed=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$log" | tail -n 1)
cancelled=$(sed -n 's/^# cancelled \([0-9]*\)$/\1/p' "$log" | tail -n 1)
# Tests cancelled because their suite's before hook failed count as failed.
[ -n "$failed" ] && failed=$((failed + ${cancelled:-0}))
if [ -z "$passed" ] || [ -z "$failed" ]; then
  echo "vscode: 0 passed, 1 failed (node --test printed no summary, exit status $rc)"
  exit $((rc == 0 ? 1 : rc))
fi
echo "vscode: $passed passed, $failed failed"
exit "$rc"
