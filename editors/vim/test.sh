#!/usr/bin/env bash
# End to end with Debian's real Vim and ALE (vim-ale) headless, and the real
# `pyreload serve` at <repo>/bin/pyreload (override: PYRELOAD_BIN): open,
# edit, save, the stale-import on the import line, :ALECodeAction's rebind
# applied, and the app (a loopback web server) serving the new code.
set -euo pipefail
cd "$(dirname "$0")"
here=$PWD
repo=$(cd ../.. && pwd)
command -v vim >/dev/null || { echo "editors/vim: vim is missing: apt-get install -y vim vim-ale" >&2; echo "vim: 0 passed, 1 failed"; exit 1; }
ale=/usr/share/vim/vimfiles/pack/dist-bundle/opt/ale
[ -d "$ale" ] || { echo "editors/vim: ALE is missing: apt-get install -y vim-ale" >&2; echo "vim: 0 passed, 1 failed"; exit 1; }
export PYRELOAD_BIN=${PYRELOAD_BIN:-$repo/bin/pyreload}
[ -x "$PYRELOAD_BIN" ] || { echo "editors/vim: $PYRELOAD_BIN does not exist: run make at the repository root" >&2; echo "vim: 0 passed, 1 failed"; exit 1; }
. "$repo/editors/lib/workspace.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
web_workspace "$tmp/root"
export PYRELOAD_TEST_ROOT=$(cd "$tmp/root" && pwd -P) PYRELOAD_TEST_LIB=$repo/editors/lib
export PYRELOAD_TEST_RESULT=$tmp/result HOME=$tmp
rc=0
(cd "$PYRELOAD_TEST_ROOT" && timeout 300 vim -N -u NONE -i NONE -n -es \
  --cmd "set runtimepath^=$here" --cmd "packadd ale" -S "$here/test/e2e.vim") || rc=$?
cat "$PYRELOAD_TEST_RESULT" 2>/dev/null || true
passed=$(grep -c '^ok ' "$PYRELOAD_TEST_RESULT" 2>/dev/null || true)
failed=$(grep -c '^not ok ' "$PYRELOAD_TEST_RESULT" 2>/dev/null || true)
if [ "$rc" != 0 ] || ! grep -q '^done$' "$PYRELOAD_TEST_RESULT" 2>/dev/null; then
  echo "editors/vim: vim exited with status $rc before the end of the test"
  failed=$((failed + 1))
fi
echo "vim: $passed passed, $failed failed"
[ "$failed" = 0 ]
