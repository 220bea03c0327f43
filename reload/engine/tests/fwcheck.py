"""Skip a framework test only when the framework is truly absent, saying so."""

import subprocess
import unittest

from .test_scenarios import PYTHON


def need(*modules):
    """Skip the class unless PYTHON imports every module (Debian's python3-*;
    .ci/install-deps.sh installs them)."""
    code = "import " + ", ".join(modules)
    ok = subprocess.run([PYTHON, "-c", code], capture_output=True).returncode == 0
    return unittest.skipUnless(ok, "%s not importable by %s: install Debian's python3-%s "
                               "(.ci/install-deps.sh)" % (", ".join(modules), PYTHON,
                                                          " python3-".join(modules)))
