"""A pre-fork HTTP app for the attach-mode tests (see ../README.md)."""

import http.server
import importlib
import json
import os
import signal
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        views = importlib.import_module("shop.views")
        body = json.dumps({"pid": os.getpid(), "greeting": views.greeting()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve(ports_file):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fd = os.open(ports_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    os.write(fd, ("%d %d\n" % (os.getpid(), server.server_address[1])).encode())
    os.close(fd)
    server.serve_forever()


def main():
    ports_file, workers = sys.argv[1], int(sys.argv[2])
    import shop.views  # noqa: F401  (loaded before the fork, as pre-fork servers do)
    children = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            try:
                serve(ports_file)
            finally:
                os._exit(0)
        children.append(pid)

    def stop(signum, frame):
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
            except OSError:
                pass
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    while children:
        try:
            pid, _ = os.wait()
        except ChildProcessError:
            break
        if pid in children:
            children.remove(pid)


if __name__ == "__main__":
    main()
