"""An exception's Failure (failure.from_exception, api.failure_of): the one
rule the engine, the embedded host and the agent describe exceptions by.
pyhost/hostserver/failure_agree_test.go holds the host and the agent to it."""

import textwrap
import unittest

from .harness import run

FILES = {
    "shop/__init__.py": "",
    "shop/errors.py": "class Refused(Exception):\n    pass\n",
    "shop/work.py": (
        "import json\n"
        "from shop.errors import Refused\n"
        "\n"
        "\n"
        "def parse(text):\n"
        "    return  json.loads(text)\n"
        "\n"
        "\n"
        "def refuse():\n"
        "    raise Refused('no')\n"
    ),
}

# catch(fn) returns what fn raises, caught in a frame of no file: the
# script's own frames (below ROOT) are then not the only real ones left.
CATCH = '''
space = {}
exec(compile("def catch(fn):\\n    try:\\n        fn()\\n    except BaseException as exc:\\n"
             "        return exc\\n", "<test>", "exec"), space)
catch = space["catch"]
'''


class FailureRuleTest(unittest.TestCase):
    def test_type_names_and_frames(self):
        result, _, _ = run(FILES, '''
            import json as jsonmod
            from shop import work
            fail = api.failure
            keep = ("type", "file", "line", "column")

            def describe(fn, *args, root=ROOT):
                try:
                    fn(*args)
                except BaseException as exc:
                    f = fail.from_exception(exc, root, state.libdirs) if root != "state" else api.failure_of(state, exc)
                    out = {k: f[k] for k in keep}
                    if out["file"]:
                        out["file"] = os.path.relpath(out["file"], ROOT) if out["file"].startswith(ROOT) else "LIB:" + os.path.basename(out["file"])
                    return out

            class Scripted(Exception):
                pass

            def raise_scripted():
                raise Scripted("x")

            RESULT["workspace"] = describe(work.parse, "{")
            RESULT["state"] = describe(work.parse, "{", root="state")
            RESULT["user_class"] = describe(work.refuse)
            RESULT["no_root"] = describe(work.parse, "{", root=None)
            RESULT["library_only"] = describe(jsonmod.loads, "{", root=os.path.join(ROOT, "elsewhere"))
            RESULT["colno"] = sys.version_info >= (3, 11)
            RESULT["main_class"] = describe(raise_scripted)["type"]
            RESULT["builtin"] = describe(int, "x")["type"]
            RESULT["syntax"] = describe(compile, "x = (\\n", os.path.join(ROOT, "bad.py"), "exec")
        ''')
        # Columns count characters; before 3.11 a frame has no column: 1.
        self.assertEqual(result["workspace"], {"type": "json.decoder.JSONDecodeError",
                                               "file": "shop/work.py", "line": 6,
                                               "column": 13 if result["colno"] else 1})
        self.assertEqual(result["state"], result["workspace"], "api.failure_of is the same rule")
        self.assertEqual(result["user_class"], {"type": "shop.errors.Refused", "file": "shop/work.py",
                                                "line": 10, "column": 5 if result["colno"] else 1})
        # Without a root, or with no workspace frame: the innermost real frame.
        self.assertEqual(result["no_root"]["file"], "LIB:decoder.py")
        self.assertEqual(result["library_only"]["file"], "LIB:decoder.py")
        self.assertEqual(result["main_class"], "Scripted", "a class of __main__ is named bare, as Python does")
        self.assertEqual(result["builtin"], "ValueError")
        self.assertEqual(result["syntax"]["file"], "bad.py")
        self.assertEqual(result["syntax"]["line"], 1)

    def test_pyreloads_own_frames_are_never_chosen(self):
        # The engine's frames (here its entrypoint module, called by the
        # stdlib's copy, called by this script) are skipped: without a
        # workspace frame the failure is located in the library, and an
        # exception only pyreload's frames saw has no file.
        result, _, _ = run(FILES, CATCH + textwrap.dedent('''
            import copy, functools
            pkg = driver.load_package(os.path.dirname(api.failure.__file__))
            elsewhere = os.path.join(ROOT, "elsewhere")

            def where(fn, root):
                f = pkg.failure.from_exception(catch(fn), root, state.libdirs)
                return [os.path.basename(f["file"]) if f["file"] else None, f["type"]]

            class Holder:
                pass

            holder = Holder()
            holder.__deepcopy__ = functools.partial(pkg.entrypoint.module, "no_such_mod")
            RESULT["library"] = where(lambda: copy.deepcopy(holder), elsewhere)
            RESULT["library_no_root"] = where(lambda: copy.deepcopy(holder), None)
            RESULT["engine_only"] = where(functools.partial(pkg.entrypoint.module, "no_such_mod"), elsewhere)
        '''))
        self.assertEqual(result["library"], ["copy.py", "ModuleNotFoundError"])
        self.assertEqual(result["library_no_root"], ["copy.py", "ModuleNotFoundError"])
        self.assertEqual(result["engine_only"], [None, "ModuleNotFoundError"])

    def test_entry_failures(self):
        # The entry's rule (entrypoint.py), which the embedded host and the
        # agent both follow (failure_agree_test.go runs both).
        files = dict(FILES)
        files["shop/broken.py"] = "import json\nimport no_such_dependency\n"
        result, _, _ = run(files, CATCH + textwrap.dedent('''
            import functools
            pkg = driver.load_package(os.path.dirname(api.failure.__file__))
            entry = pkg.entrypoint

            def describe(fn, *args):
                exc = catch(functools.partial(fn, *args))
                if exc is not None:
                    f = pkg.failure.from_exception(exc, ROOT, state.libdirs)
                    return [f["type"], f["message"].replace(ROOT, "ROOT"), f["file"] and os.path.relpath(f["file"], ROOT), f["line"]]
                return "ran"

            RESULT["kinds"] = [entry.kind(e) for e in ("shop.work", "shop.work:parse", "app.py", "sub/app")]
            RESULT["module"] = describe(entry.module, "no_such_mod")
            RESULT["parent"] = describe(entry.module, "nope.sub")
            RESULT["package"] = describe(entry.module, "shop", True)
            RESULT["package_plain"] = describe(entry.module, "shop")
            RESULT["broken"] = describe(entry.module, "shop.broken.x")
            RESULT["broken_fn"] = describe(entry.function, "shop.broken", "main")
            RESULT["function"] = describe(entry.function, "shop.work", "nosuch")
            RESULT["found"] = entry.function("shop.work", "parse").__name__
            RESULT["script"] = describe(entry.script, "missing.py", ROOT)
            RESULT["script_found"] = os.path.relpath(entry.script("shop/work.py", ROOT), ROOT)
        '''))
        self.assertEqual(result["kinds"], ["module", "function", "script", "script"])
        self.assertEqual(result["module"], ["ModuleNotFoundError", "No module named 'no_such_mod'", None, None])
        self.assertEqual(result["parent"], ["ModuleNotFoundError", "No module named 'nope'", None, None])
        self.assertEqual(result["package"][:1] + result["package"][2:], ["ModuleNotFoundError", None, None])
        self.assertIn("'shop.__main__'", result["package"][1])
        self.assertEqual(result["package_plain"], "ran")
        missing_dep = ["ModuleNotFoundError", "No module named 'no_such_dependency'", "shop/broken.py", 2]
        self.assertEqual(result["broken"], missing_dep, "an existing module's own ImportError is its failure")
        self.assertEqual(result["broken_fn"], missing_dep)
        self.assertEqual(result["function"], ["AttributeError", "module 'shop.work' has no attribute 'nosuch'", None, None])
        self.assertEqual(result["found"], "parse")
        self.assertEqual(result["script"][0], "FileNotFoundError")
        self.assertEqual(result["script"][1:], ["entry script ROOT/missing.py does not exist", None, None])
        self.assertEqual(result["script_found"], "shop/work.py")


    def test_the_users_frames_of_a_printed_traceback(self):
        # ownframes.user_tb, the one rule of which frames a failed entry's
        # printed traceback shows (the embedded host's, the agent's): the
        # leading frames of pyreload (its files, "<pyreload ...>" code),
        # runpy and importlib skipped, the user's kept from the first on.
        files = dict(FILES)
        files["shop/broken.py"] = "import json\nimport no_such_dependency\n"
        result, _, _ = run(files, CATCH + textwrap.dedent('''
            import functools, runpy
            pkg = driver.load_package(os.path.dirname(api.failure.__file__))
            rule = pkg.ownframes

            def shown(fn):
                tb = rule.user_tb(catch(fn).__traceback__.tb_next, rule.own_dirs())  # from fn's frame
                out = []
                while tb is not None:
                    name = tb.tb_frame.f_code.co_filename
                    out.append(os.path.relpath(name, ROOT) if name.startswith(ROOT) else name)
                    tb = tb.tb_next
                return out

            RESULT["import"] = shown(functools.partial(pkg.entrypoint.function, "shop.broken", "main"))
            RESULT["runpy"] = shown(functools.partial(runpy.run_module, "shop.broken"))
            RESULT["own_only"] = shown(functools.partial(pkg.entrypoint.module, "no_such_mod"))
            RESULT["user_first"] = shown(functools.partial(__import__("shop.work").work.parse, "{"))[:1]
            RESULT["own"] = [rule.is_own(name, rule.own_dirs()) for name in (
                "<pyreload engine>/api.py", "<pyreload bootstrap>", "<stdin>", pkg.entrypoint.__file__,
                os.path.join(ROOT, "shop", "work.py"))]
        '''))
        self.assertEqual(result["import"], ["shop/broken.py"])
        self.assertEqual(result["runpy"], ["shop/broken.py"])
        self.assertEqual(result["own_only"], [])
        self.assertEqual(result["user_first"], ["shop/work.py"], "the user's frames are kept")
        self.assertEqual(result["own"], [True, True, False, True, False])


if __name__ == "__main__":
    unittest.main()
