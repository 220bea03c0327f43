"""Celery tasks across in-place reloads (fw_celery), on Debian's python3-celery
in eager mode (no broker): the tasks app of testdata/frameworks/celery, in a
fresh interpreter (harness.py)."""

import unittest

from .fwapps import app_files
from .fwcheck import need
from .harness import run

SETUP = r'''
from proj.celery import app
import proj.tasks as tasks
from proj.tasks import add, mul, label
import billiard  # Celery's worker pool: aliases __mp_main__ to __main__


def by_name(name, *args):
    return app.signature(name, args=args).delay().get()


def step(rel, old, new):
    change(rel, old, new)
    return reload("proj", mode="inplace")

'''


@need("celery")
class CeleryTests(unittest.TestCase):
    maxDiff = None

    def test_tasks_follow_edits(self):
        result, _, err = run(app_files("celery"), SETUP + r'''
seen = {"alias": sys.modules.get("__mp_main__") is sys.modules["__main__"],
        "first": [add.delay(1, 2).get(), by_name("proj.tasks.mul", 2, 3)]}
task = app.tasks["proj.tasks.add"]
rep = step("proj/tasks.py", "(x + y) * helpers", "(x + y + 100) * helpers")
seen["body"] = [errors(rep), lines(rep), add.delay(1, 2).get(), by_name("proj.tasks.add", 1, 2),
                app.tasks["proj.tasks.add"] is task]
rep = step("proj/helpers.py", "return 1", "return 2")
seen["helper"] = [errors(rep), by_name("proj.tasks.add", 1, 2)]
rep = step("proj/tasks.py", '@app.task(name="proj.tasks.mul")\ndef mul(x, y):',
           '@app.task(name="proj.tasks.mul", bind=True)\ndef mul(self, x, y):\n    CALLS.append(self.name)')
seen["decorator"] = [errors(rep), lines(rep), by_name("proj.tasks.mul", 2, 3), mul.delay(2, 3).get(),
                     tasks.mul is app.tasks["proj.tasks.mul"], tasks.CALLS[-2:]]
rep = step("proj/tasks.py", "\n\n@app.task(name", "\n\n@app.task\ndef sub(x, y):\n    return x - y\n\n\n@app.task(name")
seen["new"] = [errors(rep), by_name("proj.tasks.sub", 5, 1), "proj.tasks.sub" in app.tasks]
with open(os.path.join(ROOT, "proj/tasks.py")) as handle:
    text = handle.read()
rep = step("proj/tasks.py", text, text.split('\n\n\n@app.task(name=')[0] + "\n")
seen["deleted"] = [errors(rep), lines(rep), "proj.tasks.mul" in app.tasks]
rep = step("proj/tasks.py", "return x - y", "return x - y +")
seen["syntax"] = [rep["rolled_back"], by_name("proj.tasks.sub", 5, 1),
                  add.delay(1, 2).get(), "proj.tasks.mul" in app.tasks]
seen["calls"] = len(tasks.CALLS)
seen["describe"] = [api.adapters.describe(add), api.adapters.describe(app)]
RESULT.update(seen=seen)
''')
        seen = result["seen"]
        self.assertTrue(seen["alias"])
        self.assertEqual(seen["first"], [3, 6])
        self.assertEqual(seen["body"], [None, [], 103, 103, True])
        self.assertEqual(seen["helper"], [None, 206])
        error, found, *rest = seen["decorator"]
        self.assertIsNone(error)
        self.assertEqual(rest, [6, 6, True, ["proj.tasks.mul", "mul"]])
        self.assertEqual(seen["new"], [None, 4, True])
        self.assertEqual(seen["syntax"], [True, 4, 206, False])
        error, found, registered = seen["deleted"]
        self.assertIsNone(error)
        self.assertFalse(registered)
        # __main__ holds the deleted function once, not again as __mp_main__.
        self.assertEqual(len([f for f in found if "`label`" in f]), 1, found)
        self.assertGreater(seen["calls"], 0)
        self.assertEqual(seen["describe"], ["task `proj.tasks.add` of Celery app `proj`",
                                            "Celery app `proj`"])

    def test_shared_task_decorator_change(self):
        files = app_files("celery")
        files["proj/shared.py"] = (
            "from celery import shared_task\n\n\n@shared_task\ndef double(x):\n    return 2 * x\n")
        result, _, err = run(files, SETUP + r'''
import proj.shared as shared
from celery import _state
first = by_name("proj.shared.double", 4)
hooks = len(_state._on_app_finalizers)
rep = step("proj/shared.py", "@shared_task\ndef double(x):\n    return 2 * x",
           "@shared_task(bind=True)\ndef double(self, x):\n    return [self.name, 3 * x]")
RESULT.update(first=first, error=errors(rep), lines=lines(rep),
              then=by_name("proj.shared.double", 4), direct=shared.double.delay(4).get(),
              hooks=len(_state._on_app_finalizers) - hooks)
''')
        self.assertEqual(result["first"], 8)
        self.assertIsNone(result["error"])
        self.assertEqual(result["then"], ["proj.shared.double", 12])
        self.assertEqual(result["direct"], ["proj.shared.double", 12])
        self.assertEqual(result["hooks"], 0)


if __name__ == "__main__":
    unittest.main()
