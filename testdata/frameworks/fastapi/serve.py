"""Serve shop.main:app with uvicorn on a free loopback port, written to ./port."""
import socket

import uvicorn

from shop.main import app

sock = socket.socket()
sock.bind(("127.0.0.1", 0))
port = sock.getsockname()[1]
sock.close()
with open("port", "w") as handle:
    handle.write(str(port))
uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
