"""Prints what the web app of a workspace made by workspace.sh serves.

    python3 app_says.py ROOT

Exit 1 with the reason on stderr when it does not answer."""

import sys
import urllib.request

try:
    with open(sys.argv[1] + "/.port") as f:
        port = f.read().strip()
    print(urllib.request.urlopen("http://127.0.0.1:%s/" % port, timeout=10).read().decode())
except Exception as exc:
    print("app_says: %s" % exc, file=sys.stderr)
    sys.exit(1)
