"""Compile workers (precompile.py): real worker processes, real reloads."""

import textwrap
import unittest

from .harness import run

MODULES = 40  # above precompile.MIN_SOURCES, so a reload of `big` uses the pool


def big_package(value=1):
    files = {"big/__init__.py": "".join("from . import m%d\n" % i for i in range(MODULES))}
    for i in range(MODULES):
        files["big/m%d.py" % i] = "VALUE = %d\n\n\ndef get():\n    return VALUE\n" % value
    files["main.py"] = ""
    return files


# Counts what the pool handed out; the script then reloads and checks.
COUNTING = '''
import big
# Rewritten (same text, same mtime): its .pyc, if one was written, is not
# trusted, so the reload compiles all MODULES + 1 sources.
edit("big/__init__.py", open(os.path.join(ROOT, "big", "__init__.py")).read())
precompile = api.reloader.precompile
taken = {"code": 0, "none": 0}
_take = precompile.Pool.take
def counting_take(self, path, info):
    got = _take(self, path, info)
    taken["code" if got is not None else "none"] += 1
    return got
precompile.Pool.take = counting_take
'''


def counting(script):
    """script, run after COUNTING."""
    return COUNTING + textwrap.dedent(script)


class PrecompileTests(unittest.TestCase):
    maxDiff = None

    def test_big_reload_takes_code_from_the_workers(self):
        result, _, _ = run(big_package(), counting('''
            for i in range(%d):
                edit("big/m%%d.py" %% i, "VALUE = 2\\n\\n\\ndef get():\\n    return VALUE\\n")
            rep = reload("big")
            RESULT["ok"] = rep["ok"]
            RESULT["values"] = sorted(set(sys.modules["big.m%%d" %% i].get() for i in range(%d)))
            RESULT["taken"] = taken
            RESULT["workers"] = len(state.compilers.workers)
            RESULT["stale_pyc"] = state.codes[os.path.join(ROOT, "big", "m7.py")][2] is not None
        ''' % (MODULES, MODULES)))
        self.assertTrue(result["ok"])
        self.assertEqual(result["values"], [2], "every module runs the edited code")
        self.assertEqual(result["taken"], {"code": MODULES + 1, "none": 0})
        self.assertGreaterEqual(result["workers"], 1)
        self.assertTrue(result["stale_pyc"], "the source the code came from is recorded")

    def test_threads_import_and_call_during_big_reloads(self):
        files = big_package()
        for i in range(20):
            files["big/lazy%d.py" % i] = "import time\ntime.sleep(0.001)\nfrom . import m%d\nLAZY = %d\n" % (i, i)
        result, _, _ = run(files, counting('''
            import importlib, threading
            errors, done = [], []
            def busy():
                for i in range(20):
                    try:
                        assert importlib.import_module("big.lazy%%d" %% i).LAZY == i
                        assert importlib.import_module("big.m%%d" %% i).get() in (1, 2)
                    except BaseException as exc:
                        errors.append(repr(exc))
                done.append(1)
            threads = [threading.Thread(target=busy, daemon=True) for _ in range(3)]
            [t.start() for t in threads]
            oks = []
            for n in range(30):
                for i in range(%d):  # every source changes: each reload uses the pool
                    edit("big/m%%d.py" %% i, "VALUE = %%d\\n\\n\\ndef get():\\n    return VALUE\\n" %% (1 + n %% 2))
                oks.append(reload("big")["ok"])
            [t.join(60) for t in threads]
            RESULT.update(errors=errors, done=len(done), oks=oks, taken=dict(taken))
        ''' % MODULES))
        self.assertEqual(result["errors"], [])
        self.assertEqual(result["done"], 3)
        self.assertEqual(set(result["oks"]), {True})
        self.assertGreaterEqual(result["taken"]["code"], 30 * MODULES)

    def test_small_reload_compiles_in_process(self):
        result, _, _ = run({"tiny/__init__.py": "from . import a\n", "tiny/a.py": "A = 1\n",
                            "main.py": ""}, '''
            import tiny
            edit("tiny/a.py", "A = 2\\n")
            rep = reload("tiny")
            RESULT["ok"] = rep["ok"]
            RESULT["a"] = sys.modules["tiny.a"].A
            RESULT["pool"] = state.compilers is not None
        ''')
        self.assertEqual(result, {"ok": True, "a": 2, "pool": False})

    def test_syntax_error_among_many_is_reported_at_its_line(self):
        result, _, _ = run(big_package(), counting('''
            for i in range(%d):
                edit("big/m%%d.py" %% i, "VALUE = 2\\n\\n\\ndef get():\\n    return VALUE\\n")
            edit("big/m17.py", "VALUE = 2\\n\\n\\ndef get(:\\n    return VALUE\\n")
            rep = reload("big")
            RESULT["ok"] = rep["ok"]
            RESULT["error"] = {k: rep["error"][k] for k in ("type", "file", "line")}
            RESULT["rolled_back"] = rep["rolled_back"]
            RESULT["value"] = sys.modules["big.m3"].get()
            RESULT["none"] = taken["none"]
        ''' % MODULES))
        self.assertFalse(result["ok"])
        self.assertTrue(result["rolled_back"])
        self.assertEqual(result["error"]["type"], "SyntaxError")
        self.assertTrue(result["error"]["file"].endswith("big/m17.py"), result["error"])
        self.assertEqual(result["error"]["line"], 4)
        self.assertEqual(result["value"], 1, "the old code still runs")
        self.assertEqual(result["none"], 1, "the worker left the broken source to the reload")

    def test_warning_is_shown_by_the_reloading_interpreter(self):
        files = big_package()
        files["big/m5.py"] = "VALUE = 1\n\n\ndef get():\n    return VALUE\n"
        result, _, err = run(files, counting('''
            import warnings
            warnings.simplefilter("always")
            for i in range(%d):
                edit("big/m%%d.py" %% i, "VALUE = 2\\n\\n\\ndef get():\\n    return VALUE\\n")
            edit("big/m5.py", "VALUE = 2\\n\\n\\ndef get():\\n    return VALUE is 2\\n")
            rep = reload("big")
            RESULT["ok"] = rep["ok"]
            RESULT["none"] = taken["none"]
        ''' % MODULES))
        self.assertTrue(result["ok"])
        self.assertEqual(result["none"], 1)
        self.assertIn("m5.py:5: SyntaxWarning", err)

    def test_source_changed_after_it_was_read_is_compiled_again(self):
        result, _, _ = run({"a.py": "X = 1\n", "b.py": "X = 2\n", "main.py": ""}, '''
            precompile = api.reloader.precompile
            pool = precompile.Pool(sys.executable, 1, 0)
            a, b = os.path.join(ROOT, "a.py"), os.path.join(ROOT, "b.py")
            pool.submit([a, b])
            edit("a.py", "X = 3\\n")  # same size, same mtime: the ctime tells
            RESULT["a"] = pool.take(a, os.stat(a))
            got = pool.take(b, os.stat(b))
            ns = {}
            exec(got[1], ns)
            RESULT["b"] = [got[0].decode(), ns["X"]]
            RESULT["again"] = pool.take(b, os.stat(b))  # each code is handed out once
            pool.close()
        ''')
        self.assertIsNone(result["a"])
        self.assertEqual(result["b"], ["X = 2\n", 2])
        self.assertIsNone(result["again"])

    def test_answers_of_an_earlier_round_are_dropped(self):
        result, _, _ = run({"a.py": "X = 1\n", "main.py": ""}, '''
            precompile = api.reloader.precompile
            pool = precompile.Pool(sys.executable, 1, 0)
            a = os.path.join(ROOT, "a.py")
            pool.submit([a])
            pool.forget()  # a failed reload: its answers are still on their way
            with open(a, "w") as f:
                f.write("X = 22\\n")
            pool.submit([a])
            ns = {}
            exec(pool.take(a, os.stat(a))[1], ns)
            RESULT["x"] = ns["X"]
            pool.close()
        ''')
        self.assertEqual(result["x"], 22)

    def test_foreign_or_dying_workers_leave_compiling_to_the_caller(self):
        files = {"a.py": "X = 1\n", "main.py": "",
                 "fake-python": "#!/bin/sh\nexit 3\n", "stuck-python": "#!/bin/sh\nexec sleep 60\n"}
        result, _, _ = run(files, '''
            precompile = api.reloader.precompile
            precompile.STALL_S = 120  # only the worker's exit can end the wait
            a = os.path.join(ROOT, "a.py")
            for name in ("fake-python", "stuck-python"):
                os.chmod(os.path.join(ROOT, name), 0o755)
            # A Python whose bytecode differs exits at once (the stub's check).
            pool = precompile.Pool(os.path.join(ROOT, "fake-python"), 2, 0)
            pool.submit([a])
            took = pool.take(a, os.stat(a))
            for worker in pool.workers:
                worker.proc.wait()
            RESULT["foreign"] = [took, pool.usable()]
            # A worker that dies with work owed.
            pool = precompile.Pool(os.path.join(ROOT, "stuck-python"), 1, 0)
            pool.submit([a])
            pool.workers[0].proc.kill()
            RESULT["died"] = [pool.take(a, os.stat(a)), pool.usable()]
        ''')
        self.assertEqual(result, {"foreign": [None, False], "died": [None, False]})

    def test_dead_pool_is_replaced_by_the_next_big_reload(self):
        result, _, _ = run(big_package(), counting('''
            for i in range(%d):
                edit("big/m%%d.py" %% i, "VALUE = 2\\n\\n\\ndef get():\\n    return VALUE\\n")
            reload("big")
            pool = state.compilers
            for worker in pool.workers:
                worker.proc.kill()
                worker.proc.wait()
            for i in range(%d):
                edit("big/m%%d.py" %% i, "VALUE = 3\\n\\n\\ndef get():\\n    return VALUE\\n")
            taken.update(code=0, none=0)
            rep = reload("big")
            RESULT["second"] = [rep["ok"], sys.modules["big.m9"].get(), dict(taken),
                                state.compilers is pool, pool.workers]
        ''' % (MODULES, MODULES)))
        self.assertEqual(result["second"], [True, 3, {"code": MODULES + 1, "none": 0}, False, []])

    def test_stalled_worker_is_given_up(self):
        files = big_package()
        files["stuck-python"] = "#!/bin/sh\nexec sleep 60\n"
        result, _, _ = run(files, counting('''
            os.chmod(os.path.join(ROOT, "stuck-python"), 0o755)
            precompile = api.reloader.precompile
            precompile.STALL_S = 0.3
            state.compilers = precompile.Pool(os.path.join(ROOT, "stuck-python"), 1, 0)
            for i in range(%d):
                edit("big/m%%d.py" %% i, "VALUE = 2\\n\\n\\ndef get():\\n    return VALUE\\n")
            rep = reload("big")
            RESULT["ok"] = [rep["ok"], sys.modules["big.m9"].get(), dict(taken)]
        ''' % MODULES))
        self.assertEqual(result["ok"], [True, 2, {"code": 0, "none": MODULES + 1}])

    def test_reload_deadline_interrupts_a_wait_for_workers(self):
        files = big_package()
        files["stuck-python"] = "#!/bin/sh\nexec sleep 60\n"
        result, _, _ = run(files, '''
            import big
            os.chmod(os.path.join(ROOT, "stuck-python"), 0o755)
            precompile = api.reloader.precompile
            precompile.STALL_S = 120  # only the deadline can end the wait
            state.compilers = precompile.Pool(os.path.join(ROOT, "stuck-python"), 1, 0)
            for i in range(%d):
                edit("big/m%%d.py" %% i, "VALUE = 2\\n\\n\\ndef get():\\n    return VALUE\\n")
            rep = reload("big", timeout_ms=500)
            RESULT["ok"] = rep["ok"]
            RESULT["rolled_back"] = rep["rolled_back"]
            RESULT["error"] = rep["error"]["message"]
            RESULT["value"] = sys.modules["big.m9"].get()
        ''' % MODULES)
        self.assertFalse(result["ok"])
        self.assertTrue(result["rolled_back"])
        self.assertIn("did not finish within 500 ms", result["error"])
        self.assertEqual(result["value"], 1)

    def test_forked_child_leaves_the_parents_workers_alone(self):
        result, _, _ = run(big_package(), '''
            import big
            precompile = api.reloader.precompile
            state.compilers = pool = precompile.Pool(sys.executable, 1, 0)
            pid = os.fork()
            if pid == 0:
                code = 0 if not pool.usable() and precompile.pool_for(state, 100) is not pool else 1
                os._exit(code)
            _, status = os.waitpid(pid, 0)
            RESULT["child"] = os.WEXITSTATUS(status)
            RESULT["parent"] = pool.usable() and pool.workers[0].proc.poll() is None
            pool.close()
        ''')
        self.assertEqual(result, {"child": 0, "parent": True})

    def test_worker_count(self):
        result, _, _ = run({"main.py": ""}, '''
            wc = api.reloader.precompile.worker_count
            RESULT["n"] = [wc({}, 1), wc({}, 2), wc({}, 8), wc({}, 64), wc({}, None),
                           wc({"PYRELOAD_COMPILE_WORKERS": "0"}, 8),
                           wc({"PYRELOAD_COMPILE_WORKERS": "3"}, 2),
                           wc({"PYRELOAD_COMPILE_WORKERS": "many"}, 2)]
        ''')
        self.assertEqual(result["n"], [1, 2, 4, 4, 1, 0, 3, 2])

    def test_only_a_python_runs_workers(self):
        files = {"main.py": "", "uwsgi": "#!/bin/sh\nexit 0\n", "python3.11": "#!/bin/sh\nexit 0\n"}
        result, _, _ = run(files, '''
            is_python = api.reloader.precompile.is_python
            for name in ("uwsgi", "python3.11"):
                os.chmod(os.path.join(ROOT, name), 0o755)
            os.symlink(sys.executable, os.path.join(ROOT, "app-python"))
            RESULT["is"] = [is_python(sys.executable), is_python(os.path.join(ROOT, "uwsgi")),
                            is_python(os.path.join(ROOT, "python3.11")),
                            is_python(os.path.join(ROOT, "app-python")),
                            is_python(os.path.join(ROOT, "main.py")), is_python("")]
        ''')
        self.assertEqual(result["is"], [True, False, True, True, False, False])


if __name__ == "__main__":
    unittest.main()
