"""Helpers of the agent tests: an isolated socket directory, a workspace
root, and a line-oriented protocol client."""

import json
import os
import shutil
import socket
import tempfile
import textwrap
import unittest

import pyreload_agent


class AgentCase(unittest.TestCase):
    """Each test gets its own $XDG_RUNTIME_DIR and workspace root."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="pyreload-agent-test-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.run_dir = os.path.join(self.tmp, "run")
        os.mkdir(self.run_dir, 0o700)
        old = os.environ.get("XDG_RUNTIME_DIR")
        os.environ["XDG_RUNTIME_DIR"] = self.run_dir
        self.addCleanup(_restore_env, "XDG_RUNTIME_DIR", old)
        self.root = os.path.join(self.tmp, "root")
        os.mkdir(self.root)
        self.addCleanup(pyreload_agent.stop)

    def write(self, rel, text):
        path = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(textwrap.dedent(text))
        return path


def _restore_env(key, value):
    if value is None:
        os.environ.pop(key, None)
    else:
        os.environ[key] = value


class Conn:
    """A protocol client over a unix socket path or a connected socket."""

    def __init__(self, target, timeout=10):
        if isinstance(target, socket.socket):
            self.sock = target
        else:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                self.sock.connect(target)
            except OSError:
                self.sock.close()
                raise
        self.sock.settimeout(timeout)
        self.file = self.sock.makefile("rwb")
        self.next_id = 0

    def send_line(self, obj):
        data = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
        self.file.write(data + b"\n")
        self.file.flush()

    def read(self):
        line = self.file.readline()
        return json.loads(line) if line else None

    def call(self, method, params=None):
        self.next_id += 1
        self.send_line({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params or {}})
        return self.read()

    def close(self):
        self.file.close()
        self.sock.close()
