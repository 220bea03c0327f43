"""A long-running web app: it keeps its state while pyreload changes its code."""
import http.server
import os
from shop.core import greet, record


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        count = record(self.path)
        body = ("%s [request %d]\n" % (greet("world"), count)).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(os.environ.get("DEMO_PORT_FILE", "port"), "w") as f:
    f.write(str(server.server_address[1]))
print("serving on http://127.0.0.1:%d" % server.server_address[1], flush=True)
server.serve_forever()
