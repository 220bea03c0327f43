"""Views of the test shop; tests rewrite greeting()."""

import os
import time

# Both statements are marked to run on every reload: the workers are forked, so
# the pid must be the worker's, not the parent's that imported the module.
_slow = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "slow-%d" % os.getpid())  # pyreload: reset
if os.path.exists(_slow):  # pyreload: reset
    open(_slow + ".started", "w").close()
    time.sleep(60)


def greeting():
    return "v1"
