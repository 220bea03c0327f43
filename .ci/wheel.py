"""Builds pyreload's wheel: the pyreload binary and the agent, for one
platform and the CPython the binary embeds.

    python3 .ci/wheel.py --binary BIN --agent DIR --version V --out DIR

Written by hand (zipfile and RECORD, PEP 427/491) so building needs no PyPI.
Inside: ``pyreload-V.data/scripts/pyreload`` (pip puts it in the
environment's bin/), the ``pyreload_agent`` package with its engine
(``import pyreload_agent``, ``%load_ext pyreload_agent``), and the
dist-info with the LICENSE.

Tags: the binary links the shared libpython of the CPython it embeds
(``cpXY``, read from the binary's own needs), so the interpreter tag and the
ABI tag are that CPython's; the platform tag is the plain ``linux_<arch>``:
libpython is not in any manylinux policy, so the wheel needs a system with
that libpython (Debian/Ubuntu: ``libpython3.X``) and says so in its metadata.
Prints the wheel's path.
"""

import argparse
import base64
import hashlib
import io
import os
import re
import sys
import sysconfig
import zipfile

NAME = "pyreload"
SUMMARY = "Change the code of a running Python process and see what still runs the old code"
ZIP_DATE = (2026, 1, 1, 0, 0, 0)  # reproducible archives


def embedded_cpython(binary):
    """Returns (major, minor) of the libpython the binary needs (its
    DT_NEEDED name, found in the binary's bytes)."""
    with open(binary, "rb") as fh:
        m = re.search(rb"libpython(\d)\.(\d+)\.so", fh.read())
    if not m:
        sys.exit("wheel: %s needs no libpython: is it the cgo build of pyreload?" % binary)
    return int(m.group(1)), int(m.group(2))


def platform_tag():
    return re.sub(r"[^A-Za-z0-9]", "_", sysconfig.get_platform())


def metadata(version, py):
    return "\n".join([
        "Metadata-Version: 2.1",
        "Name: " + NAME,
        "Version: " + version,
        "Summary: " + SUMMARY,
        "Home-page: https://github.com/pyreload/pyreload",
        "License: MIT",
        "License-File: LICENSE",
        "Requires-Python: ==%d.%d.*" % py,
        "Classifier: License :: OSI Approved :: MIT License",
        "Classifier: Programming Language :: Python :: %d.%d" % py,
        "Classifier: Operating System :: POSIX :: Linux",
        "Description-Content-Type: text/markdown",
        "",
        "pyreload: a language server and CLI that reloads Python code inside a",
        "running process and shows in the editor what still runs the old code.",
        "",
        "This wheel installs the `pyreload` command (it embeds CPython %d.%d and needs" % py,
        "its shared library: on Debian and Ubuntu `apt-get install libpython%d.%d`)" % py,
        "and the `pyreload_agent` package, which attaches processes pyreload did not",
        "start (`%load_ext pyreload_agent` in IPython and Jupyter).",
        "",
    ])


def record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (path, digest, len(data))


def build(binary, agent_dir, version, out_dir, license_file):
    py = embedded_cpython(binary)
    cp = "cp%d%d" % py
    tag = "%s-%s-%s" % (cp, cp, platform_tag())
    dist_info = "%s-%s.dist-info" % (NAME, version)
    data_dir = "%s-%s.data" % (NAME, version)
    files = []  # (archive path, bytes, mode)
    for dirpath, dirnames, filenames in os.walk(os.path.join(agent_dir, "pyreload_agent")):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for f in sorted(filenames):
            if f.endswith(".py"):
                full = os.path.join(dirpath, f)
                with open(full, "rb") as fh:
                    files.append((os.path.relpath(full, agent_dir).replace(os.sep, "/"), fh.read(), 0o644))
    if not any(p == "pyreload_agent/engine/__init__.py" for p, _, _ in files):
        sys.exit("wheel: %s holds no pyreload_agent with its engine" % agent_dir)
    with open(binary, "rb") as fh:
        files.append((data_dir + "/scripts/pyreload", fh.read(), 0o755))
    with open(license_file, "rb") as fh:
        files.append((dist_info + "/LICENSE", fh.read(), 0o644))
    files.append((dist_info + "/METADATA", metadata(version, py).encode(), 0o644))
    wheel = "Wheel-Version: 1.0\nGenerator: pyreload .ci/wheel.py\nRoot-Is-Purelib: false\nTag: %s\n" % tag
    files.append((dist_info + "/WHEEL", wheel.encode(), 0o644))
    record = [record_line(p, d) for p, d, _ in files] + [dist_info + "/RECORD,,"]
    files.append((dist_info + "/RECORD", ("\n".join(record) + "\n").encode(), 0o644))

    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "%s-%s-%s.whl" % (NAME, version, tag))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data, mode in files:
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    with open(path + ".tmp", "wb") as fh:
        fh.write(buf.getvalue())
    os.replace(path + ".tmp", path)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", required=True)
    ap.add_argument("--agent", required=True, help="the directory `pyreload agent --path` printed")
    ap.add_argument("--version", required=True)
    ap.add_argument("--license", default=os.path.join(os.path.dirname(__file__), "..", "LICENSE"))
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    if not re.fullmatch(r"\d+(\.\d+)*([ab]\d+|rc\d+)?(\.dev\d+)?", a.version):
        sys.exit("wheel: %r is not a PEP 440 version" % a.version)
    print(build(a.binary, a.agent, a.version, a.out, a.license))


if __name__ == "__main__":
    main()
