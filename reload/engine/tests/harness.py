"""Runs a test script against the engine in a fresh /usr/bin/python3 process.

The script sees ROOT (a temporary workspace holding the given files, first on
sys.path), api and state (the engine loaded as the host loads it), and helpers
edit(), reload(), lines(); it stores what the test checks in RESULT.
"""

import json
import os
import subprocess
import tempfile
import textwrap

from .test_scenarios import ENGINE, HERE, PYTHON

PRELUDE = '''
import json, os, sys
sys.path.insert(0, %(tests)r)
import driver
sys.path.remove(%(tests)r)
del sys.modules["driver"]
ROOT = os.path.realpath(%(root)r)
sys.path.insert(0, ROOT)
api = driver.load_engine(%(engine)r)
state = api.new_state(ROOT, "agent")
RESULT = {}

def edit(rel, text):
    path = os.path.join(ROOT, rel)
    old = os.stat(path) if os.path.exists(path) else None
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as handle:
        handle.write(text)
    if old is not None:
        os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))

def reload(package, **params):
    # These tests were written for evict mode; in-place tests pass mode="inplace".
    params.setdefault("package", package)
    params.setdefault("mode", "evict")
    return api.handle(state, "reload", params)

def lines(report):
    return driver.render(report, ROOT)

def change(rel, old, new):
    """Replace old (which must be there) by new in the file rel."""
    with open(os.path.join(ROOT, rel)) as handle:
        text = handle.read()
    assert old in text, (rel, old)
    edit(rel, text.replace(old, new))

def errors(rep):
    """The message of a report's error, or None."""
    return (rep.get("error") or {}).get("message")
'''

EPILOGUE = '''
with open(%(out)r, "w") as handle:
    json.dump(RESULT, handle, default=repr)
sys.stdout.flush()
os._exit(0)
'''


def run(files, script, timeout=180):
    """Write files, run script after the prelude; return (RESULT, stdout, stderr)."""
    with tempfile.TemporaryDirectory(prefix="pyreload-t-") as root:
        for rel, content in files.items():
            full = os.path.join(root, rel)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w") as handle:
                handle.write(textwrap.dedent(content))
        out = os.path.join(root, ".result.json")
        values = {"tests": HERE, "root": root, "engine": ENGINE, "out": out}
        source = PRELUDE % values + textwrap.dedent(script) + EPILOGUE % values
        path = os.path.join(root, ".script.py")
        with open(path, "w") as handle:
            handle.write(source)
        proc = subprocess.run([PYTHON, path], cwd=root, capture_output=True, text=True,
                              timeout=timeout)
        if not os.path.exists(out):
            raise AssertionError("script died (%d):\n%s\n%s" % (
                proc.returncode, proc.stdout, proc.stderr[-4000:]))
        with open(out) as handle:
            return json.load(handle), proc.stdout, proc.stderr
