"""Views of the test shop; tests rewrite greeting()."""

import os
import time

_slow = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "slow-%d" % os.getpid())
if os.path.exists(_slow):
    open(_slow + ".started", "w").close()
    time.sleep(60)


def greeting():
    return "v1"
