#!/usr/bin/env bash
# End to end with Debian's real Emacs (emacs-nox) and eglot (elpa-eglot) in
# batch mode and the real `pyreload serve` at <repo>/bin/pyreload (override:
# PYRELOAD_BIN): open, edit, save, the stale-import on the import line, the
# rebind quick fix from eglot-code-actions, the app serving the new code.
set -euo pipefail
cd "$(dirname "$0")"
here=$PWD
repo=$(cd ../.. && pwd)
fail() { echo "editors/emacs: $*" >&2; echo "emacs: 0 passed, 1 failed"; exit 1; }
command -v emacs >/dev/null || fail "emacs is missing: apt-get install -y emacs-nox elpa-eglot"
ls -d /usr/share/emacs/site-lisp/elpa-src/eglot-* >/dev/null 2>&1 || fail "eglot is missing: apt-get install -y elpa-eglot"
export PYRELOAD_BIN=${PYRELOAD_BIN:-$repo/bin/pyreload}
[ -x "$PYRELOAD_BIN" ] || fail "$PYRELOAD_BIN does not exist: run make at the repository root"
. "$repo/editors/lib/workspace.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
web_workspace "$tmp/root"
export PYRELOAD_TEST_ROOT=$(cd "$tmp/root" && pwd -P) PYRELOAD_TEST_LIB=$repo/editors/lib HOME=$tmp
rc=0
timeout 300 emacs -Q --batch -l "$here/test/e2e.el" >"$tmp/out" 2>"$tmp/err" || rc=$?
cat "$tmp/out"
passed=$(grep -c '^ok ' "$tmp/out" || true)
failed=$(grep -c '^not ok ' "$tmp/out" || true)
if [ "$rc" != 0 ] || ! grep -q '^done$' "$tmp/out"; then
  echo "--- emacs stderr (exit status $rc)"; tail -n 40 "$tmp/err"
  [ "$failed" != 0 ] || failed=1
fi
echo "emacs: $passed passed, $failed failed"
[ "$failed" = 0 ]
