"""Optional TCP for processes in containers: a listener on loopback unless
told otherwise, a random hex token in a 0600 file, and the check that the
first line a client sends is ``{"token": "<hex>"}``."""

import hmac
import json
import os
import secrets
import socket

TOKEN_TIMEOUT = 5.0  # seconds a client has to send its token line


def parse_address(spec):
    """"HOST:PORT", ":PORT", "PORT" or "[v6]:PORT" -> (host, port); the
    host defaults to 127.0.0.1."""
    spec = str(spec).strip()
    host, sep, port = spec.rpartition(":")
    if not sep:
        host, port = "", spec
    host = host.strip("[]") or "127.0.0.1"
    return host, int(port or 0)


def write_token(path):
    """Write a fresh random token to path (mode 0600) and return it."""
    token = secrets.token_hex(32)
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token + "\n")
    return token


def listen(spec, token_file):
    """Open the TCP listener and the token file: (socket, token, path)."""
    host, port = parse_address(spec)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(16)
        token = write_token(token_file)
    except BaseException:
        sock.close()
        raise
    return sock, token, token_file


def check_token(conn, reader, token):
    """Read the client's first line and tell whether it carries the token."""
    conn.settimeout(TOKEN_TIMEOUT)
    try:
        line = reader.readline(4096)
    except OSError:
        return False
    finally:
        try:
            conn.settimeout(None)
        except OSError:
            pass
    try:
        msg = json.loads(line.decode("utf-8"))
    except ValueError:
        return False
    got = msg.get("token") if isinstance(msg, dict) else None
    return isinstance(got, str) and token is not None and hmac.compare_digest(got.encode(), token.encode())
