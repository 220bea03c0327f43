"""pydantic v1 models across in-place reloads (fw_pydantic), on Debian's
python3-pydantic, each test in a fresh interpreter (harness.py)."""

import unittest

from .harness import run
from .fwcheck import need

MODELS = {
    "shop/__init__.py": "",
    "shop/models.py": '''
        from pydantic import BaseModel, validator


        class Item(BaseModel):
            name: str
            price: float = 0

            @validator("name")
            def strip(cls, v):
                return v.strip()
    ''',
}

STEPS = r'''
import shop.models as models
Item = models.Item
seen = []
def step(old, new, tail=""):
    path = os.path.join(ROOT, "shop/models.py")
    text = open(path).read()
    assert old in text, old
    edit("shop/models.py", text.replace(old, new) + tail)
    rep = reload("shop", mode="inplace")
    try:
        made = models.Item(name=" a ").dict()
    except Exception as exc:
        made = repr(exc)
    seen.append({"error": (rep.get("error") or {}).get("message"), "lines": lines(rep),
                 "made": made, "same": models.Item is Item})
'''


@need("pydantic")
class PydanticTests(unittest.TestCase):
    maxDiff = None

    def test_fields_and_validators_follow_edits(self):
        result, _, err = run(MODELS, STEPS + r'''
first = Item(name=" keep ")
step("    price: float = 0\n", "    price: float = 0\n    qty: int = 1\n")
step("v.strip()", "v.strip().upper()")
step("    @validator(\"name\")\n    def strip",
     "    @validator(\"qty\")\n    def positive(cls, v):\n        assert v > 0\n        return v\n\n"
     "    @validator(\"name\")\n    def strip")
step("return v.strip().upper()", "return v.strip().upper() + '!'")
try:
    models.Item(name="x", qty=0)
    zero = "accepted"
except Exception as exc:
    zero = type(exc).__name__
step("v.strip().upper() + '!'", "v.strip(")
RESULT.update(seen=seen, first=first.dict(), zero=zero)
''')
        seen = result["seen"]
        # a field: the class statement runs again; no duplicate validator error
        self.assertIsNone(seen[0]["error"], err)
        self.assertEqual(seen[0]["made"], {"name": "a", "price": 0.0, "qty": 1})
        self.assertTrue(seen[0]["same"])
        self.assertEqual(len(seen[0]["lines"]), 1, seen[0]["lines"])
        self.assertIn("stale-instance", seen[0]["lines"][0])
        self.assertIn("1 instance of pydantic model shop.models.Item", seen[0]["lines"][0])
        self.assertIn("lack qty", seen[0]["lines"][0])
        self.assertIn("models.py:5", seen[0]["lines"][0])
        # a validator's body edited after the class was re-made
        self.assertEqual(seen[1]["made"], {"name": "A", "price": 0.0, "qty": 1})
        # a new validator beside members edited in place, then its neighbour's body
        self.assertIsNone(seen[2]["error"])
        self.assertEqual(seen[3]["made"], {"name": "A!", "price": 0.0, "qty": 1})
        self.assertEqual(result["zero"], "ValidationError")
        # a syntax error rolls back; the model works on
        self.assertIn("was never closed", seen[4]["error"] or "")
        self.assertEqual(seen[4]["made"], {"name": "A!", "price": 0.0, "qty": 1})
        self.assertEqual(result["first"], {"name": "keep", "price": 0.0})

    def test_rolled_back_reload_keeps_the_duplicate_guard(self):
        result, _, _ = run(MODELS, STEPS + r'''
step("    price: float = 0\n", "    price: float = 0\n    qty: int = 1\n", "\nBROKEN = 1 / 0\n")
from pydantic import class_validators
RESULT["guard"] = sorted(r for r in class_validators._FUNCS if r.startswith("shop."))
RESULT["seen"] = seen
''')
        self.assertIn("division by zero", result["seen"][0]["error"])
        self.assertEqual(result["guard"], ["shop.models.Item.strip"])


if __name__ == "__main__":
    unittest.main()
