"""Serves flaskr on a free loopback port, written to ./port (pyreload run serve.py)."""

from werkzeug.serving import make_server

import flaskr

app = flaskr.create_app()
server = make_server("127.0.0.1", 0, app, threaded=True)
with open("port.tmp", "w") as handle:
    handle.write(str(server.server_port))
__import__("os").replace("port.tmp", "port")
server.serve_forever()
