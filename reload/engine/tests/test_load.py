"""The engine has one loader (__init__'s load): the embedded host's bootstrap,
the agent and this suite's driver all go through it.

Each entry point loads the engine in a fresh interpreter while an audit hook
records which engine files run: all three must run __init__ and then
LOAD_ORDER, once each and in that order, leave no engine module in
sys.modules, and refuse an engine file missing from LOAD_ORDER the same way.
The embedded host's Go side (sources from Go, the real interpreter) is held
to the same by pyhost/hostserver/load_test.go.
"""

import ast
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from .test_scenarios import ENGINE, HERE, PYTHON, REPO

AGENT = os.path.join(REPO, "reload", "agent")
BOOTSTRAP = os.path.join(REPO, "pyhost", "hostserver", "bootstrap.py")
ENTRIES = ("host", "agent", "driver")

SCRIPT = r'''
import json, os, sys
entry, engine, root, out = sys.argv[1:5]
TESTS, AGENT, BOOTSTRAP = %r, %r, %r
executed = []

def hook(event, args):
    name = getattr(args[0], "co_filename", "") if event == "exec" else ""
    if name.startswith("<pyreload engine>/"):
        executed.append(name[len("<pyreload engine>/"):-3])
    elif name.endswith(".py") and os.path.dirname(name) == engine:
        executed.append(os.path.basename(name)[:-3])

sys.addaudithook(hook)
result = {}
try:
    if entry == "host":
        space = {"__name__": "pyreload_bootstrap"}
        with open(BOOTSTRAP) as handle:
            exec(compile(handle.read(), "<pyreload bootstrap>", "exec"), space)
        sources = {}
        for name in os.listdir(engine):
            if name.endswith(".py"):
                with open(os.path.join(engine, name)) as handle:
                    sources[name[:-3]] = handle.read()
        loaded = space["load_engine"]("_pyreload_engine", json.dumps(sources), root, "host", None, "")
        api, state = loaded["api"], loaded["state"]
    elif entry == "agent":
        os.environ["PYRELOAD_ENGINE_DIR"] = engine
        sys.path.insert(0, AGENT)
        from pyreload_agent import engineload
        loaded = engineload.Engine(root)
        api, state = loaded.api, loaded.state
    else:
        sys.path.insert(0, TESTS)
        import driver
        package = driver.load_package(engine)
        api = package.api
        state = package.start(api, root, "agent")
    result.update(api=api.__name__, kind=state.kind, watchdog=state.watchdog, accel=state.accel)
except Exception as exc:
    result["error"] = "%%s: %%s" %% (type(exc).__name__, exc)
result["executed"] = executed
result["left"] = sorted(k for k in sys.modules for p in ("_pyreload_engine", "pyreload_agent.engine")
                        if k == p or k.startswith(p + "."))
with open(out, "w") as handle:
    json.dump(result, handle)
''' % (HERE, AGENT, BOOTSTRAP)


def load_order(engine):
    """LOAD_ORDER as written in engine/__init__.py."""
    with open(os.path.join(engine, "__init__.py")) as handle:
        tree = ast.parse(handle.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "LOAD_ORDER":
            return list(ast.literal_eval(node.value))
    raise AssertionError("no LOAD_ORDER in %s" % engine)


def load(entry, engine):
    """Load the engine from engine (a directory) through entry; return what the script saw."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.json")
        root = os.path.join(tmp, "root")
        os.mkdir(root)
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        run = subprocess.run([PYTHON, "-c", SCRIPT, entry, engine, root, out], env=env,
                             capture_output=True, text=True, timeout=120)
        if run.returncode != 0 or not os.path.exists(out):
            raise AssertionError("%s loader script failed:\n%s%s" % (entry, run.stdout, run.stderr))
        with open(out) as handle:
            return json.load(handle)


def engine_copy(tmp, changes):
    """A copy of the engine's .py files in tmp, with changes (name -> source, None deletes)."""
    target = os.path.join(tmp, "engine")
    os.mkdir(target)
    for name in os.listdir(ENGINE):
        if name.endswith(".py"):
            shutil.copy(os.path.join(ENGINE, name), target)
    for name, source in changes.items():
        path = os.path.join(target, name)
        if source is None:
            os.remove(path)
        else:
            with open(path, "w") as handle:
                handle.write(source)
    return target


class OneLoaderTest(unittest.TestCase):
    def test_every_entry_point_runs_load_order_once(self):
        want = ["__init__"] + load_order(ENGINE)
        files = sorted(n[:-3] for n in os.listdir(ENGINE) if n.endswith(".py"))
        self.assertEqual(sorted(want), files, "every engine file is in LOAD_ORDER, once")
        for entry in ENTRIES:
            with self.subTest(entry=entry):
                got = load(entry, ENGINE)
                self.assertNotIn("error", got)
                self.assertEqual(got["executed"], want)
                self.assertEqual(got["left"], [], "no engine module stays in sys.modules")
                self.assertTrue(got["api"].endswith("engine.api"), got["api"])
                self.assertEqual(got["kind"], "host" if entry == "host" else "agent")
                self.assertTrue(got["watchdog"])
                self.assertIsNone(got["accel"])

    def test_a_file_missing_from_load_order_is_refused_by_every_entry_point(self):
        with tempfile.TemporaryDirectory() as tmp:
            engine = engine_copy(tmp, {"zz_extra.py": "X = 1\n"})
            for entry in ENTRIES:
                with self.subTest(entry=entry):
                    got = load(entry, engine)
                    self.assertIn("ImportError: pyreload engine: zz_extra.py not in LOAD_ORDER",
                                  got.get("error", ""))
                    self.assertEqual(got["executed"], ["__init__"], "nothing ran")
                    self.assertEqual(got["left"], [])

    def test_a_module_that_raises_leaves_sys_modules_as_it_was(self):
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(ENGINE, "leftover.py")) as handle:
                broken = handle.read() + "\nraise RuntimeError('leftover broke')\n"
            engine = engine_copy(tmp, {"leftover.py": broken})
            order = ["__init__"] + load_order(ENGINE)
            for entry in ENTRIES:
                with self.subTest(entry=entry):
                    got = load(entry, engine)
                    self.assertEqual(got.get("error"), "RuntimeError: leftover broke")
                    self.assertEqual(got["executed"], order[:order.index("leftover") + 1])
                    self.assertEqual(got["left"], [])


if __name__ == "__main__":
    unittest.main()
