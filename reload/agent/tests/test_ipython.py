"""``%load_ext pyreload_agent`` in a real IPython kernel (Debian's
python3-ipykernel, driven by python3-jupyter-client as a notebook drives it),
reloaded by the real ``pyreload reload`` ($PYRELOAD_BIN, else the
repository's bin/pyreload): the kernel is attached with one line, each
reload and fix is reported in the notebook, and the kernel runs the new code
with its state kept. Skipped where ipykernel or the binary is missing (the
other CPythons of `make test-engine`)."""

import importlib
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

from pyreload_agent import ipython as notebook

try:
    importlib.import_module("ipykernel")
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
except ImportError:  # not this interpreter's: the test is skipped
    KernelManager = None

HERE = os.path.dirname(os.path.abspath(__file__))
AGENT_DIR = os.path.dirname(HERE)  # reload/agent: pyreload_agent from source
REPO = os.path.dirname(os.path.dirname(AGENT_DIR))
BIN = os.environ.get("PYRELOAD_BIN") or os.path.join(REPO, "bin", "pyreload")
TIMEOUT = 60


class ReportLinesTest(unittest.TestCase):
    """What the notebook shows for a report, without a kernel."""

    def test_reload_with_stale_references(self):
        lines = notebook.report_lines({
            "action": "reload", "package": "shop", "ok": True, "modules": ["shop", "shop.core"],
            "duration_ms": 12.4, "stale": [{"code": "stale-import", "file": "/r/app/views.py", "line": 3,
                                            "message": "`hello` is old"}]}, "/r")
        self.assertEqual(lines, ["pyreload: reloaded shop (2 modules) in 12 ms; 1 still on the old code:",
                                 "  [stale-import] app/views.py:3: `hello` is old"])

    def test_rolled_back(self):
        lines = notebook.report_lines({"package": "shop", "ok": False, "error": {
            "type": "SyntaxError", "message": "invalid syntax", "file": "/r/shop/core.py", "line": 2}}, "/r")
        self.assertEqual(lines, ["pyreload: reload of shop rolled back: SyntaxError: invalid syntax "
                                 "(shop/core.py:2); the old code still runs"])

    def test_fix(self):
        lines = notebook.report_lines({"action": "fix", "package": "shop", "ok": True,
                                       "fixes": [{"changed": True}, {"changed": False}]})
        self.assertEqual(lines, ["pyreload: fixed 1 of 2 stale references to shop"])

    def test_root_is_found_above_the_working_directory(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp, True)
        os.makedirs(os.path.join(tmp, "proj", "notebooks"))
        open(os.path.join(tmp, "proj", "pyproject.toml"), "w").close()
        old = os.environ.pop("PYRELOAD_ROOT", None)
        self.addCleanup(lambda: old is not None and os.environ.__setitem__("PYRELOAD_ROOT", old))
        self.assertEqual(notebook.find_root(os.path.join(tmp, "proj", "notebooks")), os.path.join(tmp, "proj"))


@unittest.skipIf(KernelManager is None, "IPython's kernel is not installed for this python (python3-ipykernel)")
@unittest.skipUnless(os.access(BIN, os.X_OK), "no pyreload binary at %s (make build)" % BIN)
class KernelTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="pyreload-ipython-test-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.root = os.path.realpath(os.path.join(self.tmp, "proj"))
        self.write("pyproject.toml", """
            [tool.pyreload]
            packages = ["shop"]
            mode = "evict"
        """)
        self.write("shop/__init__.py", "")
        self.write("shop/core.py", 'def hello():\n    return "hello v1"\n')
        run_dir = os.path.join(self.tmp, "run")
        os.mkdir(run_dir, 0o700)
        self.env = dict(os.environ, XDG_RUNTIME_DIR=run_dir, PYTHONDONTWRITEBYTECODE="1", PYDEVD_DISABLE_FILE_VALIDATION="1",
                        PYTHONPATH=os.pathsep.join([AGENT_DIR, self.root]))
        self.env.pop("PYRELOAD_ROOT", None)
        kernels = os.path.join(self.tmp, "kernels")
        os.makedirs(os.path.join(kernels, "pyreload-test"))
        with open(os.path.join(kernels, "pyreload-test", "kernel.json"), "w") as f:
            json.dump({"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                       "display_name": "pyreload test", "language": "python"}, f)
        self.km = KernelManager(kernel_name="pyreload-test", kernel_spec_manager=KernelSpecManager(kernel_dirs=[kernels]))
        self.km.start_kernel(cwd=self.root, env=self.env)
        self.addCleanup(self.km.shutdown_kernel, now=True)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.addCleanup(self.kc.stop_channels)
        self.kc.wait_for_ready(timeout=TIMEOUT)

    def write(self, rel, text):
        path = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(textwrap.dedent(text).lstrip())

    def cell(self, code):
        """Run a cell; return its stdout and its result (text/plain)."""
        out = {"stdout": "", "result": None, "error": None}

        def hook(msg):
            c = msg["content"]
            if msg["msg_type"] == "stream" and c["name"] == "stdout":
                out["stdout"] += c["text"]
            elif msg["msg_type"] == "execute_result":
                out["result"] = c["data"].get("text/plain")
            elif msg["msg_type"] == "error":
                out["error"] = "%s: %s" % (c["ename"], c["evalue"])

        reply = self.kc.execute_interactive(code, output_hook=hook, timeout=TIMEOUT)
        self.assertEqual(reply["content"]["status"], "ok", out["error"])
        return out["stdout"], out["result"]

    def notebook_output(self, want):
        """Wait for stdout the kernel sends between cells containing want."""
        seen = ""
        deadline = time.monotonic() + TIMEOUT
        while want not in seen and time.monotonic() < deadline:
            try:
                msg = self.kc.get_iopub_msg(timeout=1)
            except queue.Empty:
                continue
            if msg["msg_type"] == "stream":
                seen += msg["content"]["text"]
        self.assertIn(want, seen)
        return seen

    def reload(self, *args):
        p = subprocess.run([BIN, "reload", "--root", self.root] + list(args) + ["shop"], env=self.env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=TIMEOUT)
        return p.returncode, p.stdout

    def test_one_line_attaches_and_reloads_are_reported_in_the_notebook(self):
        self.cell("from shop.core import hello\nimport shop.core\ncounter = 41")
        stdout, _ = self.cell("%load_ext pyreload_agent")
        self.assertIn("attached to %s" % self.root, stdout)

        self.write("shop/core.py", 'def hello():\n    return "hello v2"\n')
        code, text = self.reload()
        self.assertIn(code, (0, 1), text)
        shown = self.notebook_output("pyreload: reloaded shop")
        self.assertIn("(2 modules)", shown, text)
        _, result = self.cell("import sys\nsys.modules['shop.core'].hello(), counter + 1")
        self.assertEqual(result, "('hello v2', 42)", "the kernel imports the new code and keeps its state")

        code, text = self.reload("--fix", "patch")
        self.assertIn(code, (0, 1), text)
        self.notebook_output("pyreload: fixed")
        _, result = self.cell("hello(), shop.core.hello()")
        self.assertEqual(result, "('hello v2', 'hello v2')", "the names the notebook bound run the new code")

        stdout, _ = self.cell("%pyreload")
        self.assertIn("socket:", stdout)
        self.assertIn("pyreload: fixed", stdout)

        self.write("shop/core.py", "def hello(:\n")
        code, text = self.reload()
        self.assertEqual(code, 2, text)
        self.notebook_output("rolled back: SyntaxError")
        _, result = self.cell("hello(), counter")
        self.assertEqual(result, "('hello v2', 41)", "a broken edit leaves the kernel as it was")

        stdout, _ = self.cell("%unload_ext pyreload_agent")
        self.assertIn("detached", stdout)
        code, text = self.reload()
        self.assertEqual(code, 3, "no interpreter answers once detached: %s" % text)


if __name__ == "__main__":
    unittest.main()
