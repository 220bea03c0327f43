#!/usr/bin/env bash
# make dist: builds into dist/
#   pyreload-V-cpXY-cpXY-<platform>.whl   the binary and the agent (.ci/wheel.py)
#   pyreload-<vscode target>-V.vsix        VS Code, bundled, with that binary
#   LSP-pyreload.sublime-package           the Sublime Text package
# V is the VERSION file. The binary is a release build (trimmed, stripped,
# `pyreload version` prints V). Needs Go, cgo, python3-dev, Node 20 (npm ci).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
version=$(cat VERSION)
out=$repo/dist
build=$out/build
rm -rf "$out"
mkdir -p "$build"

vscode_version=$(node -p "require('./editors/vscode/package.json').version")
[ "$vscode_version" = "$version" ] || { echo "dist: VERSION is $version, editors/vscode/package.json $vscode_version" >&2; exit 1; }
echo "dist: pyreload $version"
go build -trimpath -ldflags "-s -w -X main.version=$version" -o "$build/pyreload" ./cmd/pyreload
"$build/pyreload" version | grep -qx "pyreload $version"

# The agent as pip installs it: pyreload_agent with the engine inside.
agent=$(XDG_CACHE_HOME=$build/cache "$build/pyreload" agent --path)
/usr/bin/python3 .ci/wheel.py --binary "$build/pyreload" --agent "$agent" --version "$version" --out "$out"

make --no-print-directory -C editors/vscode platform-vsix BIN="$build/pyreload" OUT="$out" >"$build/vsce.log" 2>&1 ||
  { cat "$build/vsce.log"; echo "dist: the VS Code package failed" >&2; exit 1; }

/usr/bin/python3 .ci/sublime_package.py editors/sublime/LSP-pyreload "$out/LSP-pyreload.sublime-package"

rm -rf "$build"
ls -1 "$out"
