"""The framework test apps of testdata/frameworks, read for harness.run."""

import os

APPS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "testdata", "frameworks")


def app_files(name):
    """testdata/frameworks/<name> as {relative path: text} (sources and templates)."""
    top_dir = os.path.join(APPS, name)
    out = {}
    for top, dirs, files in os.walk(top_dir):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for base in files:
            if base.endswith((".py", ".html")):
                full = os.path.join(top, base)
                with open(full) as handle:
                    out[os.path.relpath(full, top_dir)] = handle.read()
    return out
