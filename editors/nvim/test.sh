#!/usr/bin/env bash
# Tests of the Neovim plugin with Debian's real Neovim (0.7.2) headless:
# unit tests, then end to end against <repo>/bin/pyreload (override: PYRELOAD_BIN).
set -euo pipefail
cd "$(dirname "$0")"
here=$PWD
command -v nvim >/dev/null || { echo "editors/nvim: nvim is missing: apt-get install -y neovim" >&2; exit 1; }
repo=$(git rev-parse --show-toplevel 2>/dev/null || (cd ../.. && pwd))
export PYRELOAD_BIN=${PYRELOAD_BIN:-$repo/bin/pyreload}
NVIM=(timeout 300 nvim --headless -u NONE -i NONE -n)

"${NVIM[@]}" -c "luafile $here/test/unit.lua" 2>&1

if [ ! -x "$PYRELOAD_BIN" ]; then
  echo "editors/nvim: the language server $PYRELOAD_BIN does not exist: run make at the repository root" >&2
  echo "nvim-e2e: 0 passed, 1 failed"
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r "$repo/editors/fixtures" "$tmp/root1"
cp -r "$repo/editors/fixtures" "$tmp/root2"
export PYRELOAD_TEST_ROOT1=$(cd "$tmp/root1" && pwd -P) PYRELOAD_TEST_ROOT2=$(cd "$tmp/root2" && pwd -P)
"${NVIM[@]}" -c "luafile $here/test/e2e.lua" 2>&1
