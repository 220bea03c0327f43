"""Engine tests through real reloads in fresh interpreters (see harness.py)."""

import unittest

from .harness import run
from .test_scenarios import ENGINE

SHOP = {
    "shop/__init__.py": "from . import core, models\n",
    "shop/core.py": "def hello():\n    return 'v1'\n\n\ndef other():\n    return 'o1'\n",
    "shop/models.py": "class Cart:\n    def total(self):\n        return 1\n",
    "app/__init__.py": "",
    "app/views.py": "from shop.core import hello, other\n\n\ndef index():\n    return hello()\n",
    "main.py": "",
}

V2 = "def hello():\n    return 'v2'\n\n\ndef other():\n    return 'o2'\n"


class ReloadTests(unittest.TestCase):
    maxDiff = None

    def test_generations_all_count(self):
        result, _, _ = run(SHOP, '''
            import app.views, shop.models
            first = shop.models.Cart()
            reload("shop")
            second = sys.modules["shop.models"].Cart()
            edit("shop/core.py", %r)
            rep = reload("shop")
            RESULT["lines"] = lines(rep)
            RESULT["gens"] = len(state.generations["shop"])
        ''' % V2)
        self.assertIn("shop/models.py:1:1: warning: 2 instances of the old `shop.models.Cart` "
                      "still alive; patch in place to move them to the new class "
                      "[stale-instance]", result["lines"])
        self.assertIn("app/views.py:1:1: warning: `hello` in app/views.py still refers to the "
                      "old `shop.core.hello`; imported at line 1 [stale-import]",
                      result["lines"])

    def test_queued_concurrent_requests(self):
        result, _, _ = run(SHOP, '''
            import threading, app.views
            oks = []
            def go():
                for _ in range(15):
                    oks.append(reload("shop")["ok"])
            ts = [threading.Thread(target=go) for _ in range(3)]
            [t.start() for t in ts]
            [t.join(60) for t in ts]
            RESULT["oks"] = oks
            RESULT["count"] = state.count
        ''')
        self.assertEqual(result["oks"], [True] * 45)
        self.assertEqual(result["count"], 45)

    def test_lazy_imports_during_reloads_never_deadlock(self):
        files = dict(SHOP)
        for i in range(60):
            files["shop/lazy%d.py" % i] = ("import time\ntime.sleep(0.002)\n"
                                           "from . import core\nVALUE = %d\n" % i)
        result, _, _ = run(files, '''
            import importlib, threading, app.views
            errors, done = [], []
            def lazy():
                for i in range(60):
                    try:
                        assert importlib.import_module("shop.lazy%d" % i).VALUE == i
                        importlib.import_module("shop.core").hello()
                    except BaseException as exc:
                        errors.append(repr(exc))
                done.append(1)
            ts = [threading.Thread(target=lazy, daemon=True) for _ in range(2)]
            [t.start() for t in ts]
            oks = [reload("shop")["ok"] for _ in range(40)]
            [t.join(60) for t in ts]
            RESULT.update(errors=errors, done=len(done), oks=oks)
        ''')
        self.assertEqual(result["errors"], [])
        self.assertEqual(result["done"], 2)
        self.assertEqual(set(result["oks"]), {True})

    def test_namespace_package_from_file(self):
        files = {"ns/pkg/__init__.py": "", "ns/pkg/mod.py": "X = 1\n",
                 "ns/other.py": "Y = 1\n", "main.py": ""}
        result, _, _ = run(files, '''
            import ns.pkg.mod, ns.other
            edit("ns/other.py", "Y = 2\\n")
            rep = api.handle(state, "reload", {"file": os.path.join(ROOT, "ns/other.py")})
            RESULT.update(package=rep["package"], modules=rep["modules"],
                          y=sys.modules["ns.other"].Y)
            edit("ns/other.py", "Y = 3\\n")
            rep = api.handle(state, "reload", {"file": os.path.join(ROOT, "ns/other.py"),
                                               "mode": "evict"})
            RESULT.update(evicted=rep["modules"], y3=sys.modules["ns.other"].Y)
        ''')
        self.assertEqual(result["package"], "ns")
        self.assertEqual(result["y"], 2)
        self.assertEqual(result["modules"], ["ns.other"], "in place: only what changed")
        self.assertEqual(result["y3"], 3)
        self.assertEqual(sorted(result["evicted"]), ["ns", "ns.other", "ns.pkg", "ns.pkg.mod"])

    def test_mode_patch(self):
        result, _, _ = run(SHOP, '''
            import app.views
            edit("shop/core.py", %r)
            rep = reload("shop", mode="patch")
            RESULT.update(lines=lines(rep), index=sys.modules["app.views"].index(),
                          mode=rep["mode"])
        ''' % V2)
        # "patch" is accepted as the in-place mode it became.
        self.assertEqual(result["lines"], [])
        self.assertEqual(result["index"], "v2")
        self.assertEqual(result["mode"], "inplace")

    def test_full_collections_wait_for_the_request(self):
        files = dict(SHOP)
        files["shop/probe.py"] = "import gc\nSEEN = gc.get_threshold()\n"
        result, _, _ = run(files, '''
            import gc, shop.probe
            before = gc.get_threshold()
            reload("shop")
            during = sys.modules["shop.probe"].SEEN
            RESULT.update(before=before, during=during, after=gc.get_threshold())
            gc.disable()  # the app's own choice is left alone
            reload("shop")
            RESULT["disabled"] = [sys.modules["shop.probe"].SEEN, gc.isenabled()]
        ''')
        before = result["before"]
        self.assertEqual(result["during"][:2], before[:2], "young collections go on")
        self.assertGreater(result["during"][2], 10 ** 6, "no full collection")
        self.assertEqual(result["after"], before)
        self.assertEqual(result["disabled"], [before, False])

    def test_patch_whole_package_tells_what_it_did(self):
        result, _, _ = run(SHOP, '''
            import app.views, shop.models
            cart = shop.models.Cart()
            edit("shop/core.py", %r)
            reload("shop")
            rep = api.handle(state, "fix", {"kind": "patch", "package": "shop"})
            RESULT["details"] = [f["detail"] for f in rep["fixes"] if f["holder"] == ""]
        ''' % V2)
        self.assertEqual(result["details"],
                         ["patched 3 functions, 1 class, 3 modules; moved 1 instance"])

    def test_fix_targets_and_dependents(self):
        result, _, _ = run(SHOP, '''
            import app.views
            edit("shop/core.py", %r)
            rep = reload("shop")
            one = [s["data"] for s in rep["stale"] if s["name"] == "hello"]
            fixed = api.handle(state, "fix", {"kind": "rebind", "package": "shop",
                                              "targets": one})
            RESULT["after_rebind"] = lines(fixed)
            dep = api.handle(state, "fix", {"kind": "dependents", "package": "shop"})
            RESULT["after_dependents"] = lines(dep)
            RESULT["dep_fixes"] = dep["fixes"]
            RESULT["other"] = sys.modules["app.views"].other()
        ''' % V2)
        self.assertEqual(result["after_rebind"], [
            "app/views.py:1:1: warning: `other` in app/views.py still refers to the old "
            "`shop.core.other`; imported at line 1 [stale-import]"])
        self.assertEqual(result["after_dependents"], [])
        self.assertEqual(result["other"], "o2")
        self.assertTrue(result["dep_fixes"][0]["changed"], result["dep_fixes"])

    def test_accelerator_is_used(self):
        result, _, _ = run(SHOP, '''
            import gc, importlib
            keep = importlib.import_module("shop.models").Cart()
            class Accel:
                calls = 0
                def instances_of(self, types):
                    Accel.calls += 1
                    return [o for o in gc.get_objects() if type(o) in types]
            state.accel = Accel()
            rep = reload("shop")
            RESULT.update(calls=Accel.calls, codes=[s["code"] for s in rep["stale"]],
                          count=rep["stale"][0]["count"])
        ''')
        self.assertEqual(result["calls"], 1)
        self.assertEqual(result["codes"], ["stale-instance"])
        self.assertEqual(result["count"], 1)

    def test_status_import_scan_and_errors(self):
        files = dict(SHOP, **{"bad.py": "x = 1\nraise ValueError('no')\n"})
        result, out, err = run(files, '''
            res = api.import_modules(state, ["app.views", "bad"])
            RESULT["imported"] = res["imported"]
            RESULT["failure"] = {k: res["failures"][0][k] for k in ("type", "line", "column")}
            RESULT["packages"] = api.status_fields(state)["packages"]
            RESULT["scan"] = api.handle(state, "scan", {"packages": ["shop"]})["action"]
            for method, params in (("nope", {}), ("reload", {"package": "shop", "mode": "x"})):
                try:
                    api.handle(state, method, params)
                except (KeyError, ValueError) as exc:
                    RESULT.setdefault("raised", []).append(type(exc).__name__)
            RESULT["engine_modules"] = [m for m in sys.modules if "pyreload" in m]
        ''')
        self.assertEqual(result["imported"], ["app.views"])
        self.assertEqual(result["failure"], {"type": "ValueError", "line": 2, "column": 1})
        self.assertEqual(result["packages"], ["app", "shop"])
        self.assertEqual(result["scan"], "scan")
        self.assertEqual(result["raised"], ["KeyError", "ValueError"])
        self.assertEqual(result["engine_modules"], [])
        self.assertEqual(out, "")

    def test_old_module_level_instance_imported_elsewhere(self):
        files = dict(SHOP, **{"shop/models.py": "class Cart:\n    pass\n\n\nDEFAULT = Cart()\n",
                              "app/use.py": "from shop.models import DEFAULT\n"})
        result, _, _ = run(files, '''
            import importlib
            importlib.import_module("app.use")
            rep = reload("shop")
            RESULT["lines"] = lines(rep)
            fixed = api.handle(state, "fix", {"kind": "rebind", "package": "shop"})
            RESULT["after"] = lines(fixed)
            RESULT["same"] = (sys.modules["app.use"].DEFAULT
                              is sys.modules["shop.models"].DEFAULT)
        ''')
        self.assertEqual(result["lines"], [
            "app/use.py:1:1: warning: `DEFAULT` in app/use.py still refers to the old "
            "`shop.models.DEFAULT`; imported at line 1 [stale-import]"])
        self.assertEqual(result["after"], [])
        self.assertTrue(result["same"])

    def test_embedded_load_order_and_stale_none(self):
        result, _, _ = run(SHOP, '''
            import types
            engine = %r
            name = "_embedded_engine"
            pkg = types.ModuleType(name)
            pkg.__path__ = []
            pkg.__package__ = name
            sys.modules[name] = pkg
            exec(compile(open(os.path.join(engine, "__init__.py")).read(), "init", "exec"),
                 vars(pkg))
            pkg.load_files(pkg, engine)  # the engine's one loader
            sys.modules.pop(name)
            eapi = pkg.api
            st = pkg.start(eapi, ROOT, "host")
            import app.views
            sys.modules["shop.gone"] = None
            rep = eapi.handle(st, "reload", {"package": "shop", "mode": "evict"})
            RESULT.update(ok=rep["ok"], none="shop.gone" in sys.modules,
                          codes=sorted(s["code"] for s in rep["stale"]))
        ''' % ENGINE)
        self.assertEqual(result, {"ok": True, "none": False,
                                  "codes": ["stale-import", "stale-import"]})

    def test_evict_rollback_keeps_the_sources_that_run(self):
        # A failed evict reload read the broken file while re-importing it:
        # the engine must go on comparing with the source that still runs,
        # so the in-place reload after the fix runs only what changed since.
        files = dict(SHOP, **{"shop/counter.py": "HITS = []\n\n\ndef hit():\n    HITS.append(1)\n"})
        result, _, _ = run(files, '''
            import shop.counter
            shop.counter.hit()
            edit("shop/counter.py", "HITS = []\\n\\n\\ndef hit():\\n    HITS.append(2\\n")
            broken = reload("shop", mode="evict")
            edit("shop/counter.py", "HITS = []\\n\\n\\ndef hit():\\n    HITS.append(3)\\n")
            fixed = reload("shop", mode="inplace")
            shop.counter.hit()
            RESULT.update(broken=broken["ok"], rolled=broken["rolled_back"], fixed=fixed["ok"],
                          hits=sys.modules["shop.counter"].HITS)
        ''')
        self.assertEqual(result, {"broken": False, "rolled": True, "fixed": True,
                                  "hits": [1, 3]})

    def test_rollback_restores_subpackage_parent_attribute(self):
        files = dict(SHOP, **{"shop/sub/__init__.py": "from . import leaf\n",
                              "shop/sub/leaf.py": "X = 1\n"})
        result, _, _ = run(files, '''
            import shop.sub
            old_sub = sys.modules["shop.sub"]
            edit("shop/sub/leaf.py", "X = 2\\nimport shop.sub.missing\\n")
            rep = reload("shop.sub")
            RESULT.update(ok=rep["ok"], rolled=rep["rolled_back"],
                          same=sys.modules["shop"].sub is old_sub
                          and sys.modules["shop.sub"] is old_sub,
                          line=rep["error"]["line"], file=rep["error"]["file"][-16:])
        ''')
        self.assertEqual(result, {"ok": False, "rolled": True, "same": True, "line": 2,
                                  "file": "shop/sub/leaf.py"})


if __name__ == "__main__":
    unittest.main()
