#!/usr/bin/env bash
# End to end with Debian's real Emacs (emacs-nox) and eglot (elpa-eglot) in
# batch mode and the real `pyreload serve` at <repo>/bin/pyreload (override:
# PYRELOAD_BIN): open, edit, save, the stale-import on the import line, the
# rebind quick fix from eglot-code-actions, the app serving the new code;
# the same through lsp-mode (elpa-lsp-mode), where pyreload is an add-on server.
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
export PYRELOAD_TEST_LIB=$repo/editors/lib HOME=$tmp
passed=0 failed=0
# run NAME: test/NAME.el on its own copy of the workspace.
run() {
  web_workspace "$tmp/$1"
  export PYRELOAD_TEST_ROOT=$(cd "$tmp/$1" && pwd -P)
  local rc=0
  timeout 300 emacs -Q --batch -l "$here/test/$1.el" >"$tmp/$1.out" 2>"$tmp/$1.err" || rc=$?
  sed "s/^/$1: /" "$tmp/$1.out"
  passed=$((passed + $(grep -c '^ok ' "$tmp/$1.out" || true)))
  local f=$(grep -c '^not ok ' "$tmp/$1.out" || true)
  if [ "$rc" != 0 ] || ! grep -q '^done$' "$tmp/$1.out"; then
    echo "--- $1: emacs stderr (exit status $rc)"; tail -n 40 "$tmp/$1.err"
    [ "$f" != 0 ] || f=1
  fi
  failed=$((failed + f))
}
run e2e
if ls -d /usr/share/emacs/site-lisp/elpa-src/lsp-mode-* >/dev/null 2>&1; then
  run lsp-mode
else
  echo "lsp-mode: not installed (apt-get install -y elpa-lsp-mode); its test did not run"
  failed=$((failed + 1))
fi
echo "emacs: $passed passed, $failed failed"
[ "$failed" = 0 ]
