"""The agent's Failures of exceptions are the engine's (api.failure_of, the
embedded host's rule): the entry's and a request's -32000 data; rpc's
minimal describe_failure only without the engine.
pyhost/hostserver/failure_agree_test.go runs the same app in both hosts."""

import importlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
from unittest import mock

import pyreload_agent
from pyreload_agent import methods, rpc, target

from .support import AgentCase, Conn

AGENT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENGINE_DIR = os.path.join(os.path.dirname(AGENT_DIR), "engine")

WORK = """\
import json


def main():
    return json.loads("{")


def request(agent, method, params):
    return main()


def via_agent():
    from pyreload_agent import target
    return target.run("no_such_script.py", [], "/nonexistent")
"""

# RUN_HOSTED runs argv[1] as `pyreload run` does in a Python that is not
# pyreload's (pyreload_agent.hosted), with root argv[2].
RUN_HOSTED = "import sys; from pyreload_agent import hosted; sys.exit(hosted._run_entry(sys.argv[1], [], sys.argv[2]))"


class _FailPkgCase(AgentCase):
    """A case with failpkg importable from the root, and the agent's entry
    state put back after it."""

    def setUp(self):
        super().setUp()
        self.write("failpkg/__init__.py", "")
        self.work = os.path.realpath(self.write("failpkg/work.py", WORK))
        sys.path.insert(0, self.root)
        self.addCleanup(sys.path.remove, self.root)
        self.addCleanup(_forget, "failpkg")
        saved = dict(target._ENTRY)
        self.addCleanup(target._ENTRY.update, saved)


class FailureTest(_FailPkgCase):
    def where(self, fail):
        return fail["type"], fail["file"], fail["line"]

    def test_entry_failure_is_located_at_the_workspace_frame(self):
        agent = pyreload_agent.start(self.root)
        self.assertIsNotNone(agent.engine, agent.engine_error)
        with self.assertRaises(ValueError):
            target.run("failpkg.work:main", [], self.root)
        fail = target.entry_status()["entry_error"]
        self.assertEqual(self.where(fail), ("json.decoder.JSONDecodeError", self.work, 5))
        self.assertEqual(fail["column"], 12 if sys.version_info >= (3, 11) else 1)

    def test_a_missing_entry_fails_as_in_the_embedded_host(self):
        # The engine's entrypoint rule; the agent's own frames (target.py,
        # the engine's files) are never where a failure is located.
        agent = pyreload_agent.start(self.root)
        self.assertIsNotNone(agent.engine, agent.engine_error)
        want = {
            "no_such_entry_mod": ("ModuleNotFoundError", "No module named 'no_such_entry_mod'"),
            "failpkg.work:nosuch": ("AttributeError", "module 'failpkg.work' has no attribute 'nosuch'"),
            "json:loads": ("TypeError", "loads() missing 1 required positional argument: 's'"),
            "no_such_script.py": ("FileNotFoundError", "entry script %s does not exist"
                                  % os.path.join(self.root, "no_such_script.py")),
        }
        for entry, (kind, message) in want.items():
            with self.assertRaises(Exception):
                target.run(entry, [], self.root)
            fail = target.entry_status()["entry_error"]
            self.assertEqual((fail["type"], fail["message"], fail["file"], fail["line"]),
                             (kind, message, None, None), entry)

    def test_a_request_that_raises_carries_the_engines_failure(self):
        agent = pyreload_agent.start(self.root)
        conn = Conn(agent.socket_path)
        self.addCleanup(conn.close)
        request = importlib.import_module("failpkg.work").request
        with mock.patch.object(methods, "dispatch", request):
            err = conn.call("status")["error"]
        self.assertEqual(err["code"], rpc.PYTHON_RAISED)
        self.assertEqual(self.where(err["data"]), ("json.decoder.JSONDecodeError", self.work, 5))
        self.assertTrue(err["message"].startswith("json.decoder.JSONDecodeError: Expecting"), err["message"])

    def test_without_the_engine_the_minimal_rule(self):
        agent = pyreload_agent.start(self.root)
        engine, agent.engine = agent.engine, None
        self.addCleanup(setattr, agent, "engine", engine)
        try:
            importlib.import_module("failpkg.work").main()
        except ValueError as exc:
            fail = agent.describe(exc)
        self.assertEqual(fail["type"], "json.decoder.JSONDecodeError", "the same type name")
        self.assertNotEqual(fail["file"], self.work, "the last frame: json's own")


class PrintedTracebackTest(AgentCase):
    """A failed entry's traceback, as ``python3 -m pyreload_agent`` and the
    hosted agent (``pyreload run`` in the project's own Python) print it:
    the user's frames only, as the embedded host prints it (the engine's
    ownframes.user_tb), with python3's exit codes."""

    def setUp(self):
        super().setUp()
        self.write("failpkg/__init__.py", "")
        self.write("failpkg/work.py", WORK)
        self.script = self.write("boom.py", "def fail():\n    raise ValueError('boom')\n\n\nfail()\n")
        self.write("interrupted.py", "raise KeyboardInterrupt\n")
        self.write("exits.py", "import sys\nsys.exit(3)\n")
        self.write("imports_missing.py", "import no_such_dependency\n")

    def agent(self, *argv, env=None):
        return self.python("-m", "pyreload_agent", "--root", self.root, *argv, env=env)

    def python(self, *argv, env=None):
        env = dict(os.environ, PYTHONPATH=AGENT_DIR, **(env or {}))
        return subprocess.run([sys.executable] + list(argv), env=env, cwd=self.root,
                              capture_output=True, text=True, timeout=60)

    def test_a_script_prints_as_under_python3(self):
        for name in ("boom.py", "interrupted.py", "exits.py", "imports_missing.py"):
            path = os.path.join(self.root, name)
            plain, agent = self.python(path), self.agent(path)
            self.assertEqual((agent.returncode, agent.stderr), (plain.returncode, plain.stderr), name)
            self.assertNotEqual(plain.returncode, 0, name)

    def test_the_users_frames_only(self):
        out = self.agent("failpkg.work:main")
        self.assertEqual(out.returncode, 1, out.stderr)
        self.assert_user_frames(out.stderr, ["failpkg/work.py"], "json.decoder.JSONDecodeError")
        out = self.agent("imports_missing:main")
        self.assertEqual(out.returncode, 1, out.stderr)
        self.assert_user_frames(out.stderr, ["imports_missing.py"], "ModuleNotFoundError")

    def test_an_entry_that_cannot_run_prints_its_error_alone(self):
        out = self.agent("no_such_entry_mod")
        self.assertEqual((out.returncode, out.stderr), (1, "ModuleNotFoundError: No module named 'no_such_entry_mod'\n"))
        out = self.agent("failpkg.work:nosuch")
        self.assertEqual((out.returncode, out.stderr),
                         (1, "AttributeError: module 'failpkg.work' has no attribute 'nosuch'\n"))

    def test_the_hosted_agent_prints_alike(self):
        for entry in ("failpkg.work:main", "boom.py", "no_such_entry_mod"):
            hosted = self.python("-c", RUN_HOSTED, entry, self.root)
            agent = self.agent(entry)
            self.assertEqual((hosted.returncode, hosted.stderr), (agent.returncode, agent.stderr), entry)

    def test_without_the_engine_too(self):
        # The engine fails to load: its ownframes rule is loaded alone.
        broken = os.path.join(self.tmp, "engine")
        shutil.copytree(ENGINE_DIR, broken, ignore=shutil.ignore_patterns("tests", "__pycache__"))
        with open(os.path.join(broken, "api.py"), "a") as handle:
            handle.write("\nraise RuntimeError('the engine is broken')\n")
        env = {"PYRELOAD_ENGINE_DIR": broken}
        out = self.agent("failpkg.work:main", env=env)
        self.assertEqual(out.returncode, 1, out.stderr)
        self.assertIn("engine not loaded", out.stderr)
        self.assert_user_frames(out.stderr.split("\n", 1)[1], ["failpkg/work.py"], "json.decoder.JSONDecodeError")

    def assert_user_frames(self, stderr, files, kind):
        self.assertTrue(stderr.startswith("Traceback (most recent call last):\n"), stderr)
        first = stderr.splitlines()[1]
        self.assertTrue(first.startswith('  File "%s"' % os.path.join(self.root, files[0])), stderr)
        for own in ("pyreload_agent", "runpy", "importlib", os.path.basename(ENGINE_DIR) + os.sep):
            self.assertNotIn(own, stderr)
        self.assertTrue(stderr.splitlines()[-1].startswith(kind + ": "), stderr)


class MinimalRuleTest(_FailPkgCase):
    """rpc.describe_failure, the agent's Failure when the engine is not
    loaded, follows the engine's frame rule without a root (ownframes):
    pyreload's own frames are never chosen."""

    def test_the_agents_and_the_engines_frames_are_skipped(self):
        self.assertIsNone(pyreload_agent.current(), "no agent: target describes with rpc's rule")
        for entry in ("no_such_entry_mod", "json:loads", "no_such_script.py"):
            with self.assertRaises(Exception):
                target.run(entry, [], self.root)
            fail = target.entry_status()["entry_error"]
            self.assertEqual((fail["file"], fail["line"]), (None, None), entry)
        try:
            importlib.import_module("failpkg.work").via_agent()
        except FileNotFoundError as exc:
            fail = rpc.describe_failure(exc)
        self.assertEqual((fail["type"], fail["file"], fail["line"]), ("FileNotFoundError", self.work, 14))

    def test_an_engine_that_fails_to_load_is_located_nowhere(self):
        broken = os.path.join(self.tmp, "engine")
        shutil.copytree(ENGINE_DIR, broken, ignore=shutil.ignore_patterns("tests", "__pycache__"))
        with open(os.path.join(broken, "api.py"), "a") as handle:
            handle.write("\nraise RuntimeError('the engine is broken')\n")
        code = textwrap.dedent("""
            import json, sys
            import pyreload_agent
            agent = pyreload_agent.start(sys.argv[1])
            print(json.dumps(agent.engine_error))
        """)
        env = dict(os.environ, PYTHONPATH=AGENT_DIR, PYRELOAD_ENGINE_DIR=broken)
        out = subprocess.run([sys.executable, "-c", code, self.root], env=env, capture_output=True,
                             text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        fail = json.loads(out.stdout)
        self.assertEqual((fail["type"], fail["message"], fail["file"], fail["line"]),
                         ("RuntimeError", "the engine is broken", None, None))


def _forget(pkg):
    for name in list(sys.modules):
        if name == pkg or name.startswith(pkg + "."):
            del sys.modules[name]
    importlib.invalidate_caches()
