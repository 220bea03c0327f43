"""Serve board.app's app with aiohttp's runner on a free loopback port, written to ./port."""
import socket

from aiohttp import web

from board.app import make_app

sock = socket.socket()
sock.bind(("127.0.0.1", 0))
port = sock.getsockname()[1]
sock.close()
with open("port", "w") as handle:
    handle.write(str(port))
web.run_app(make_app(), host="127.0.0.1", port=port, print=None)
