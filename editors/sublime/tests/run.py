"""Runs the LSP-pyreload tests and ends with a plain "sublime: N passed, N failed" line."""
import os
import sys
import unittest

here = os.path.dirname(os.path.abspath(__file__))
suite = unittest.defaultTestLoader.discover(here, top_level_dir=here)
result = unittest.TextTestRunner(verbosity=2).run(suite)
failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
passed = result.testsRun - failed - len(result.skipped)
line = "sublime: {} passed, {} failed".format(passed, failed)
if result.skipped:
    line += ", {} skipped".format(len(result.skipped))
sys.stderr.flush()
print(line, flush=True)
sys.exit(0 if failed == 0 and result.testsRun > 0 else 1)
