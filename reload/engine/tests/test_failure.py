"""An exception's Failure (failure.from_exception, api.failure_of): the one
rule the engine, the embedded host and the agent describe exceptions by.
pyhost/hostserver/failure_agree_test.go holds the host and the agent to it."""

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


if __name__ == "__main__":
    unittest.main()
