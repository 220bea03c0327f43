"""The agent's Failures of exceptions are the engine's (api.failure_of, the
embedded host's rule): the entry's and a request's -32000 data; rpc's
minimal describe_failure only without the engine.
pyhost/hostserver/failure_agree_test.go runs the same app in both hosts."""

import importlib
import os
import sys
from unittest import mock

import pyreload_agent
from pyreload_agent import methods, rpc, target

from .support import AgentCase, Conn

WORK = """\
import json


def main():
    return json.loads("{")


def request(agent, method, params):
    return main()
"""


class FailureTest(AgentCase):
    def setUp(self):
        super().setUp()
        self.write("failpkg/__init__.py", "")
        self.work = os.path.realpath(self.write("failpkg/work.py", WORK))
        sys.path.insert(0, self.root)
        self.addCleanup(sys.path.remove, self.root)
        self.addCleanup(_forget, "failpkg")
        saved = dict(target._ENTRY)
        self.addCleanup(target._ENTRY.update, saved)

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


def _forget(pkg):
    for name in list(sys.modules):
        if name == pkg or name.startswith(pkg + "."):
            del sys.modules[name]
    importlib.invalidate_caches()
