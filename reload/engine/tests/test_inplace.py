"""In-place reloads over several steps, through the engine in a fresh process.

The txtar scenarios (testdata/reload) cover one edit each on both the agent's
engine and the embedded host; these cover what takes several steps: edits in
a row, a module imported before the engine's State existed, the reset marks
and params, the source remembered after a reload, and the unit rules of
statements.py.
"""

import ast
import importlib
import sys
import unittest

from .harness import run

STATEMENTS = importlib.import_module("reload.engine.statements")

SHOP = {
    "shop/__init__.py": "",
    "shop/core.py": '''
        SESSIONS = {}
        VERSION = 1


        def hello():
            return "v1"
    ''',
    "main.py": "",
}


def core(version, body):
    return ('SESSIONS = {}\nVERSION = %d\n\n\ndef hello():\n    return "%s"\n'
            % (version, body))


class InPlaceTests(unittest.TestCase):
    maxDiff = None

    def test_edits_in_a_row_keep_state_and_identity(self):
        result, _, _ = run(SHOP, '''
            from shop.core import hello, SESSIONS
            import shop.core as core
            SESSIONS["a"] = 1
            seen = []
            for n, body in enumerate(["v2", "v3", "v2", "v4"]):
                text = 'SESSIONS = {}\\nVERSION = %d\\n\\n\\ndef hello():\\n    return "%s"\\n'
                edit("shop/core.py", text % (n + 2, body))
                rep = reload("shop", mode="inplace")
                seen.append((hello(), rep["modules"], rep["reset"], rep["kept"]))
            rep = reload("shop", mode="inplace")
            RESULT.update(seen=seen, same=core.hello is hello, sessions=core.SESSIONS,
                          unchanged=rep["unchanged"], modules=rep["modules"])
        ''')
        self.assertEqual([s[0] for s in result["seen"]], ["v2", "v3", "v2", "v4"])
        for _, modules, reset, kept in result["seen"]:
            self.assertEqual(modules, ["shop.core"])
            self.assertEqual(reset, ["shop.core.VERSION"])
            self.assertEqual(kept, ["shop.core.SESSIONS"])
        self.assertTrue(result["same"])
        self.assertEqual(result["sessions"], {"a": 1})
        self.assertTrue(result["unchanged"])
        self.assertEqual(result["modules"], [])

    def test_module_imported_before_the_state_runs_whole_once(self):
        # The engine started after the import and the file changed since the
        # process started: its old source is unknown, so it runs whole (data
        # reset, functions still updated in place), then edits are precise.
        result, _, _ = run(SHOP, '''
            import time
            del state
            import shop.core as core
            from shop.core import hello
            core.SESSIONS["a"] = 1
            time.sleep(0.02)
            edit("shop/core.py", %r)
            st = api.new_state(ROOT, "agent")
            first = api.handle(st, "reload", {"package": "shop"})
            first = [first["reset"], hello()]
            core.SESSIONS["b"] = 2
            edit("shop/core.py", %r)
            second = api.handle(st, "reload", {"package": "shop"})
            RESULT.update(first=first, second=[second["kept"], hello()],
                          sessions=sorted(core.SESSIONS))
        ''' % (core(2, "v2"), core(3, "v3")))
        self.assertEqual(result["first"], [["shop.core.SESSIONS", "shop.core.VERSION"], "v2"])
        self.assertEqual(result["second"], [["shop.core.SESSIONS"], "v3"])
        self.assertEqual(result["sessions"], ["b"])

    def test_reset_mark_module_flag_and_param(self):
        files = dict(SHOP)
        files["shop/cache.py"] = '''
            __pyreload__ = "reset"
            CACHE = {}


            def get():
                return "get v1"
        '''
        result, _, _ = run(files, '''
            import shop.core as core, shop.cache as cache
            core.SESSIONS["a"] = 1
            cache.CACHE["x"] = 1
            edit("shop/cache.py", open(os.path.join(ROOT, "shop/cache.py")).read().replace("v1", "v2"))
            rep = reload("shop", mode="inplace")
            RESULT["module_flag"] = [cache.CACHE, cache.get(), rep["reset"]]
            rep = reload("shop", mode="inplace", reset=["shop.core.SESSIONS"])
            RESULT["param"] = [core.SESSIONS, rep["modules"], rep["reset"]]
        ''')
        self.assertEqual(result["module_flag"], [{}, "get v2", ["shop.cache.CACHE"]])
        self.assertEqual(result["param"], [{}, ["shop.core"], ["shop.core.SESSIONS"]])

    def test_bad_reset_param_is_a_params_error(self):
        result, _, _ = run(SHOP, '''
            import shop.core
            try:
                reload("shop", mode="inplace", reset="shop.core")
            except ValueError as exc:
                RESULT["error"] = str(exc)
        ''')
        self.assertIn("reset must be a list", result["error"])

    def test_hook_that_raises_rolls_the_reload_back(self):
        files = dict(SHOP)
        files["hooks_bad.py"] = '''
            def before_reload(modules):
                raise RuntimeError("registry is busy")
        '''
        result, _, _ = run(files, '''
            import shop.core as core
            edit("shop/core.py", %r)
            rep = reload("shop", mode="inplace", hooks=["hooks_bad"])
            RESULT.update(ok=rep["ok"], error=rep["error"]["message"], file=rep["error"]["file"],
                          hello=core.hello())
        ''' % core(2, "v2"))
        self.assertEqual(result["ok"], False)
        self.assertEqual(result["error"], "registry is busy")
        self.assertTrue(result["file"].endswith("hooks_bad.py"), result["file"])
        self.assertEqual(result["hello"], "v1")

    def test_rollback_keeps_the_remembered_source(self):
        # A failed reload must not take the broken source as the loaded one:
        # after fixing it, the next reload compares with what really runs.
        result, _, _ = run(SHOP, '''
            import shop.core as core
            core.SESSIONS["a"] = 1
            edit("shop/core.py", "SESSIONS = {}\\nVERSION = 1\\nraise RuntimeError('x')\\n")
            bad = reload("shop", mode="inplace")
            edit("shop/core.py", %r)
            good = reload("shop", mode="inplace")
            RESULT.update(bad=bad["ok"], good=[good["ok"], good["kept"], core.hello()],
                          sessions=core.SESSIONS)
        ''' % core(1, "v2"))
        self.assertFalse(result["bad"])
        self.assertEqual(result["good"], [True, ["shop.core.SESSIONS", "shop.core.VERSION"], "v2"])
        self.assertEqual(result["sessions"], {"a": 1})


class StatementRules(unittest.TestCase):
    """The pure rules of statements.py."""

    def plan(self, old, new):
        olds = STATEMENTS.split(ast.parse(old), old, "pkg")
        news = STATEMENTS.split(ast.parse(new), new, "pkg")
        return [(a, s.name or s.line) for a, s, _, _ in STATEMENTS.plan(olds, news).steps]

    def test_moves_and_comments_change_nothing(self):
        self.assertEqual(self.plan("def f():\n    return 1\nx = 1\n",
                                   "x = 1  # same\n\n\ndef f():\n    return 1\n"),
                         [("skip", 1), ("skip", "f")])

    def test_body_class_and_run(self):
        old = "@d\ndef f(a):\n    return 1\nclass C:\n    def m(self):\n        pass\n"
        new = "@d\ndef f(a, b):\n    return 2\nclass C:\n    def m(self):\n        return 1\n"
        self.assertEqual(self.plan(old, new), [("body", "f"), ("class", "C")])
        self.assertEqual(self.plan("@d\ndef f():\n    pass\n", "@e\ndef f():\n    pass\n"),
                         [("run", "f")])
        self.assertEqual(self.plan("class C:\n    x = 1\n", "class C:\n    x = 2\n"),
                         [("run", "C")])

    def test_reads_skip_function_bodies_but_not_defaults(self):
        node = ast.parse("def f(a=LIMIT):\n    return TIMEOUT\n").body[0]
        self.assertEqual(STATEMENTS.read_names(node), {"LIMIT"})
        node = ast.parse("class C(Base):\n    size = SIZE\n    def m(self):\n        return X\n").body[0]
        self.assertEqual(STATEMENTS.read_names(node), {"Base", "SIZE"})

    def test_relative_imports_resolve(self):
        self.assertEqual(STATEMENTS.absolute("x", 1, "pkg.sub"), "pkg.sub.x")
        self.assertEqual(STATEMENTS.absolute(None, 2, "pkg.sub"), "pkg")
        self.assertIsNone(STATEMENTS.absolute("x", 3, "pkg.sub"))
        self.assertEqual(STATEMENTS.absolute("os", 0, "pkg"), "os")


if __name__ == "__main__":
    sys.exit(unittest.main())
