"""A loopback web app for the Emacs and Vim end-to-end tests.

The hosted interpreter runs serve() (the workspace's entry): GET / answers
app.views.index(), so what the app serves shows which hello it still calls.
The port goes to <root>/.port once the server listens.
"""

import http.server
import os
import threading

import app.views


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = app.views.index().encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    tmp = os.path.join(root, ".port.tmp")
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(tmp, os.path.join(root, ".port"))
