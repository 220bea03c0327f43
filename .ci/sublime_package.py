"""Packs a Sublime Text package directory into a .sublime-package archive
(a zip of the directory's files at its top level, as Package Control
installs them into Installed Packages/).

    python3 .ci/sublime_package.py editors/sublime/LSP-pyreload OUT.sublime-package
"""

import os
import sys
import zipfile

ZIP_DATE = (2026, 1, 1, 0, 0, 0)  # reproducible archives
SKIP_DIRS = {"__pycache__", ".git"}


def pack(src, dst):
    names = []
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for f in sorted(filenames):
            if not f.endswith(".pyc"):
                names.append(os.path.relpath(os.path.join(dirpath, f), src))
    tmp = dst + ".tmp"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for name in names:
            info = zipfile.ZipInfo(name.replace(os.sep, "/"), ZIP_DATE)
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(os.path.join(src, name), "rb") as fh:
                z.writestr(info, fh.read())
    os.replace(tmp, dst)
    return names


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    pack(sys.argv[1], sys.argv[2])
