#!/usr/bin/env bash
# Tests of the VS Code extension: compile, then node's test runner with the FAKE
# vscode module (test/fake-vscode) on NODE_PATH, the real vscode-languageclient,
# and the real server at <repo>/bin/pyreload (override with PYRELOAD_BIN).
set -euo pipefail
cd "$(dirname "$0")"
command -v node >/dev/null || { echo "editors/vscode: node is missing (Node 20 needed)" >&2; exit 1; }
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run --silent compile
export NODE_PATH="$PWD/test/fake-vscode"
exec node --test --test-concurrency=1 test/*.test.js
