"""Runs every testdata/reload/*.txtar scenario in a fresh /usr/bin/python3 process.

Each scenario gets its own temporary workspace root; see testdata/reload/README.md
for the format. One test method per scenario file.
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest

from . import txtar

HERE = os.path.dirname(os.path.abspath(__file__))
ENGINE = os.path.dirname(HERE)
REPO = os.path.dirname(os.path.dirname(ENGINE))
SCENARIOS = os.path.join(REPO, "testdata", "reload")
PYTHON = os.environ.get("PYRELOAD_PYTHON") or (
    "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable)


def load(path):
    """Return (workspace files, spec) of one scenario file."""
    with open(path, encoding="utf-8") as handle:
        _, files = txtar.parse(handle.read())
    workspace, spec = {}, {"edit": {}, "delete": []}
    for name, content in files:
        if name.startswith("pyreload/edit/"):
            spec["edit"][name[len("pyreload/edit/"):]] = content
        elif name.startswith("pyreload/delete/"):
            spec["delete"].append(name[len("pyreload/delete/"):])
        elif name.startswith("pyreload/"):
            key = name[len("pyreload/"):]
            spec["check" if key == "check.py" else key] = content
        else:
            workspace[name] = content
    return workspace, spec


def want_lines(text):
    return sorted(line for line in (text or "").splitlines() if line.strip())


def run(path):
    """Run one scenario; return the driver's result dict."""
    workspace, spec = load(path)
    spec["reload"] = spec["reload"].strip()
    with tempfile.TemporaryDirectory(prefix="pyreload-scn-") as root:
        for rel, content in workspace.items():
            full = os.path.join(root, rel)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w", encoding="utf-8", newline="") as handle:
                handle.write(content)
        spec_path = os.path.join(root, ".pyreload-spec.json")
        out_path = os.path.join(root, ".pyreload-out.json")
        with open(spec_path, "w", encoding="utf-8") as handle:
            json.dump(spec, handle)
        proc = subprocess.run(
            [PYTHON, os.path.join(HERE, "driver.py"), ENGINE, root, spec_path, out_path],
            cwd=root, capture_output=True, text=True, timeout=180,
            env=dict(os.environ, PYTHONDONTWRITEBYTECODE=""))
        if not os.path.exists(out_path):
            raise AssertionError("driver died (%d):\n%s\n%s" % (
                proc.returncode, proc.stdout, proc.stderr))
        with open(out_path, encoding="utf-8") as handle:
            out = json.load(handle)
    out["spec"] = spec
    return out


_IMPORTABLE = {}


def importable(modules):
    """True when PYTHON imports every module named (a scenario's requires)."""
    key = tuple(modules)
    if key not in _IMPORTABLE:
        _IMPORTABLE[key] = subprocess.run(
            [PYTHON, "-c", "import " + ", ".join(key)], capture_output=True).returncode == 0
    return _IMPORTABLE[key]


class Scenarios(unittest.TestCase):
    maxDiff = None

    def check_scenario(self, path):
        requires = load(path)[1].get("requires", "").split()
        if requires and not importable(requires):
            self.skipTest("%s cannot import %s: Debian's packages, which .ci/install-deps.sh "
                          "installs for /usr/bin/python3" % (PYTHON, ", ".join(requires)))
        out = run(path)
        spec = out["spec"]
        self.assertNotIn("crash", out, out.get("crash"))
        oks = out["reports_ok"]
        self.assertEqual(len(set(oks)), 1, "reports disagree on ok: %s" % oks)
        self.assertEqual(out["lines"], want_lines(spec.get("want")),
                         json.dumps(out["report"], indent=1))
        if "want-after-fix" in spec:
            self.assertEqual(out["fix_lines"], want_lines(spec["want-after-fix"]),
                             json.dumps(out["fix_report"], indent=1))


def _add(path):
    name = "test_" + os.path.basename(path)[:-len(".txtar")].replace("-", "_")
    setattr(Scenarios, name, lambda self: self.check_scenario(path))


for _file in sorted(os.listdir(SCENARIOS)) if os.path.isdir(SCENARIOS) else ():
    if _file.endswith(".txtar"):
        _add(os.path.join(SCENARIOS, _file))
