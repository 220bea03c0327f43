"""The engine's rule for which package a file belongs to, against the table
the Go side is tested with too (testdata/layouts/layouts.json)."""

import json
import os
import tempfile
import unittest

from .. import paths
from .. import resolve

TABLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "testdata", "layouts", "layouts.json")


class LayoutTests(unittest.TestCase):
    def test_shared_table(self):
        with open(TABLE) as handle:
            cases = json.load(handle)["cases"]
        self.assertGreater(len(cases), 10)
        for case in cases:
            with self.subTest(case["name"]), tempfile.TemporaryDirectory() as tmp:
                root = paths.real(tmp)
                for name in case["files"]:
                    full = os.path.join(root, name)
                    os.makedirs(os.path.dirname(full), exist_ok=True)
                    open(full, "w").close()
                entries = [os.path.normpath(os.path.join(root, p)) for p in case["sys_path"]]
                got = resolve.package_of(os.path.join(root, case["file"]), entries)
                self.assertEqual(case["package"], got)


if __name__ == "__main__":
    unittest.main()
