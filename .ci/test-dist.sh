#!/usr/bin/env bash
# Tests what `make dist` built in dist/ as users install it:
# - the wheel: pip installs it (no index) into a fresh venv of Debian's
#   python3; its RECORD matches; `pyreload version`, `import pyreload_agent`;
#   the README's demo runs with the venv active and its pyreload;
# - the .vsix: the pyreload binary inside runs, the extension is the bundle;
# - the .sublime-package: the package's files are at its top level.
# Ends with "dist: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
version=$(cat VERSION)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
check() { # check NAME CMD...: runs CMD, prints its output when it fails
  local name=$1; shift
  if out=$("$@" 2>&1); then passed=$((passed + 1)); echo "ok $name"
  else failed=$((failed + 1)); echo "not ok $name"; echo "$out" | tail -n 40 | sed 's/^/    /'; fi
}

whl=$(ls dist/pyreload-"$version"-*.whl 2>/dev/null | head -n 1)
vsix=$(ls dist/pyreload-*-"$version".vsix 2>/dev/null | head -n 1)
sublime=dist/LSP-pyreload.sublime-package

check "the wheel is tagged for the embedded CPython" bash -c "
  py=\$(pkg-config --modversion python3-embed | tr -d .)
  case '$whl' in */pyreload-$version-cp\$py-cp\$py-linux_*.whl) ;; *) echo 'bad name: $whl'; exit 1;; esac"
check "the wheel's RECORD lists every file with its hash" /usr/bin/python3 - "$whl" <<'PY'
import base64, csv, hashlib, io, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = set(z.namelist())
record = [n for n in names if n.endswith(".dist-info/RECORD")]
assert len(record) == 1, record
rows = list(csv.reader(io.StringIO(z.read(record[0]).decode())))
listed = {r[0] for r in rows}
assert listed == names, names ^ listed
for path, digest, size in rows:
    if path == record[0]:
        continue
    data = z.read(path)
    want = "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    assert digest == want and int(size) == len(data), path
wheel = z.read(record[0].replace("RECORD", "WHEEL")).decode()
assert "Root-Is-Purelib: false" in wheel and "Tag: cp" in wheel, wheel
PY

venv=$tmp/venv
check "pip installs the wheel into a fresh venv without an index" bash -c "
  /usr/bin/python3 -m venv '$venv' && '$venv/bin/pip' install --no-index --disable-pip-version-check -q '$whl'"
check "the venv's pyreload runs" bash -c "'$venv/bin/pyreload' version | grep -qx 'pyreload $version'"
check "the venv's python imports the agent and its engine" \
  "$venv/bin/python" -c "import pyreload_agent, pyreload_agent.engine, pyreload_agent.ipython"
check "the demo runs with the venv active and its pyreload" \
  env VIRTUAL_ENV="$venv" PATH="$venv/bin:$PATH" PYRELOAD_BIN="$venv/bin/pyreload" bash .ci/check-demo.sh
check "pip uninstalls it cleanly" bash -c "
  '$venv/bin/pip' uninstall -y -q pyreload && [ ! -e '$venv/bin/pyreload' ] &&
  ! '$venv/bin/python' -c 'import pyreload_agent' 2>/dev/null"

check "the .vsix's pyreload binary runs" bash -c "
  cd '$tmp' && /usr/bin/python3 -m zipfile -e '$repo/$vsix' vsix &&
  chmod +x vsix/extension/bin/pyreload && vsix/extension/bin/pyreload version | grep -qx 'pyreload $version'"
check "the .vsix holds the bundle, the binary and the licence, no node_modules" /usr/bin/python3 - "$vsix" <<'PY'
import json, stat, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = z.namelist()
manifest = json.loads(z.read("extension/package.json"))
assert manifest["main"] == "./dist/extension.js", manifest["main"]
for want in ("extension/dist/extension.js", "extension/bin/pyreload", "extension/LICENSE.txt", "extension/package.json"):
    assert want in names, (want, names)
assert not any("node_modules" in n for n in names), names
assert len(names) < 15, names
assert stat.S_IMODE(z.getinfo("extension/bin/pyreload").external_attr >> 16) & 0o111, "bin/pyreload is not executable"
assert 'TargetPlatform="linux-' in z.read("extension.vsixmanifest").decode(), "no target platform"
PY
check "the Sublime package holds its files at the top level" /usr/bin/python3 - "$sublime" <<'PY'
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
for want in ("plugin.py", "LSP-pyreload.sublime-settings", "Main.sublime-menu", "sublime-package.json",
             "Default.sublime-commands", "README.md", "LICENSE", ".python-version"):
    assert want in names, (want, sorted(names))
assert not any(n.endswith(".pyc") or "__pycache__" in n for n in names), names
PY

echo "dist: $passed passed, $failed failed"
[ "$failed" = 0 ]
