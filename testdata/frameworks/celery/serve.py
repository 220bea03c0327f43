"""Serves the Celery app's tasks (eager, no broker) over HTTP on loopback for
the tests: GET /NAME?arg=1&arg=2 runs the task registered as NAME, by name;
GET /label calls a function this script imported. Writes its port to ./port."""
import http.server
import json
import os
import sys
import urllib.parse

import billiard

from proj.celery import app
from proj.tasks import label

POOL = billiard.__name__  # Celery's pool: it aliases __mp_main__ to __main__


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        name = url.path.strip("/")
        args = [int(v) for v in urllib.parse.parse_qs(url.query).get("arg", [])]
        if name == "label":
            code, body = 200, label()
        elif name == "aliased":
            code, body = 200, str(sys.modules.get("__mp_main__") is sys.modules["__main__"])
        elif name not in app.tasks:
            code, body = 404, "no task " + name
        else:
            try:
                code, body = 200, json.dumps(app.signature(name, args=args).delay().get())
            except Exception as exc:  # the task raised: say so
                code, body = 500, repr(exc)
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open("port.tmp", "w") as handle:
    handle.write(str(server.server_address[1]))
os.replace("port.tmp", "port")
server.serve_forever()
