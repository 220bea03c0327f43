"""The agent serves the host protocol in-process: methods, refusals,
socket rules, the one worker thread, deadlines, shutdown, TCP tokens and
the peer uid check."""

import importlib
import os
import shutil
import socket
import stat
import subprocess
import sys
import time
import unittest

import pyreload_agent
from pyreload_agent import rpc

from .support import AgentCase, Conn


class ServerTest(AgentCase):
    def start(self, **kw):
        agent = pyreload_agent.start(self.root, **kw)
        conn = Conn(agent.socket_path)
        self.addCleanup(conn.close)
        return agent, conn

    def test_ping_and_socket_rules(self):
        agent, conn = self.start()
        self.assertEqual(conn.call("ping")["result"], {"pong": True, "pid": os.getpid(), "kind": "agent"})
        self.assertEqual(os.path.dirname(agent.socket_path), os.path.join(self.run_dir, "pyreload"))
        self.assertTrue(agent.socket_path.endswith("-%d.sock" % os.getpid()))
        self.assertEqual(stat.S_IMODE(os.stat(agent.socket_path).st_mode), 0o600)
        self.assertIs(pyreload_agent.start(self.root), agent, "start() is idempotent per process")

    def test_status(self):
        _, conn = self.start()
        st = conn.call("status")["result"]
        self.assertEqual((st["pid"], st["kind"], st["root"]), (os.getpid(), "agent", os.path.realpath(self.root)))
        self.assertEqual(st["python"], "%d.%d.%d" % sys.version_info[:3])
        self.assertEqual(st["startup_failures"], [], "the engine loaded")
        for key in ("executable", "sys_path", "modules", "entry", "entry_state", "entry_error", "packages"):
            self.assertIn(key, st)

    def test_call_and_run_are_refused(self):
        _, conn = self.start()
        for method, params in (("call", {"target": "os:getpid"}), ("run", {"entry": "x"})):
            err = conn.call(method, params)["error"]
            self.assertEqual(err["code"], rpc.UNKNOWN_METHOD)
            self.assertIn("never runs code sent over the socket", err["message"])
        self.assertEqual(conn.call("nope")["error"]["code"], rpc.UNKNOWN_METHOD)

    def test_bad_requests(self):
        _, conn = self.start()
        conn.send_line(b"{not json")
        self.assertEqual(conn.read()["error"]["code"], rpc.PARSE_ERROR)
        conn.send_line({"jsonrpc": "1.0", "id": 7, "method": "ping"})
        self.assertEqual(conn.read()["error"]["code"], rpc.INVALID_REQUEST)
        conn.send_line({"jsonrpc": "2.0", "method": "ping"})  # a notification: no answer
        self.assertEqual(conn.call("ping")["id"], 1)

    def test_reload_with_the_engine_on_the_agent_thread(self):
        self.write("shopx/__init__.py", "")
        self.write("shopx/core.py", """
            import threading
            THREAD = threading.current_thread().name
            def hello():
                return "v1"
        """)
        sys.path.insert(0, self.root)
        self.addCleanup(sys.path.remove, self.root)
        self.addCleanup(_forget, "shopx")
        import shopx.core
        self.assertEqual(shopx.core.hello(), "v1")
        _, conn = self.start()
        self.write("shopx/core.py", """
            import threading
            THREAD = threading.current_thread().name
            def hello():
                return "v2"
        """)
        rep = conn.call("reload", {"package": "shopx"})["result"]
        self.assertTrue(rep["ok"], rep)
        self.assertEqual(rep["process"]["pid"], os.getpid())
        self.assertEqual(rep["process"]["kind"], "agent")
        new = sys.modules["shopx.core"]
        self.assertEqual(new.hello(), "v2")
        self.assertEqual(new.THREAD, "pyreload-agent", "requests run on the one agent thread")

    def test_import_runs_on_the_agent_thread(self):
        self.write("threadname_probe.py", "import threading\nNAME = threading.current_thread().name\n")
        sys.path.insert(0, self.root)
        self.addCleanup(sys.path.remove, self.root)
        self.addCleanup(_forget, "threadname_probe")
        _, conn = self.start()
        res = conn.call("import", {"modules": ["threadname_probe", "no_such_module_xyz"]})["result"]
        self.assertEqual(res["imported"], ["threadname_probe"])
        self.assertEqual(res["failures"][0]["type"], "ModuleNotFoundError")
        # The engine's record of a failed import, as the embedded host gives it.
        self.assertEqual(res["failures"][0]["module"], "no_such_module_xyz")
        self.assertTrue(res["failures"][0]["message"].startswith("no_such_module_xyz: "))
        self.assertEqual(sys.modules["threadname_probe"].NAME, "pyreload-agent")

    def test_deadline_interrupts_and_agent_stays_usable(self):
        self.write("spin/__init__.py", """
            import os, time
            if os.path.exists(os.path.join(os.path.dirname(__file__), "spin-now")):
                end = time.time() + 30
                while time.time() < end:
                    pass
        """)
        sys.path.insert(0, self.root)
        self.addCleanup(sys.path.remove, self.root)
        self.addCleanup(_forget, "spin")
        importlib.import_module("spin")
        _, conn = self.start()
        self.write("spin/spin-now", "")
        started = time.monotonic()
        err = conn.call("reload", {"package": "spin", "timeout_ms": 300})["error"]
        self.assertEqual(err["code"], rpc.DEADLINE)
        self.assertLess(time.monotonic() - started, 5)
        os.unlink(os.path.join(self.root, "spin", "spin-now"))
        st = conn.call("status")
        self.assertIn("result", st, "the agent answers after an interrupted request")

    def test_shutdown_stops_the_server_not_the_process(self):
        agent, conn = self.start()
        self.assertEqual(conn.call("shutdown")["result"], {})
        deadline = time.monotonic() + 5
        while os.path.exists(agent.socket_path) and time.monotonic() < deadline:
            time.sleep(0.01)
        self.assertFalse(os.path.exists(agent.socket_path))
        self.assertIsNone(pyreload_agent.current())
        with self.assertRaises(OSError):
            Conn(agent.socket_path)

    def test_tcp_needs_the_token(self):
        with self.assertLogs("pyreload_agent", "WARNING") as logs:
            agent, _ = self.start(tcp="127.0.0.1:0")
            self.assertEqual(agent.tcp_address[0], "127.0.0.1")
            self.assertEqual(stat.S_IMODE(os.stat(agent.token_file).st_mode), 0o600)
            self.assertEqual(os.path.dirname(agent.token_file), os.path.dirname(agent.socket_path))
            with open(agent.token_file) as f:
                token = f.read().strip()
            int(token, 16)
            for first in ({"jsonrpc": "2.0", "id": 1, "method": "ping"}, {"token": "0" * len(token)}):
                c = Conn(socket.create_connection(agent.tcp_address))
                c.send_line(first)
                self.assertEqual(c.read()["error"]["message"], "token refused")
                self.assertIsNone(c.read(), "the connection is closed")
                c.close()
            c = Conn(socket.create_connection(agent.tcp_address))
            c.send_line({"token": token})
            self.assertEqual(c.call("ping")["result"]["pid"], os.getpid())
            c.close()
        self.assertEqual(sum("refused TCP connection" in m for m in logs.output), 2)
        pyreload_agent.stop()
        self.assertFalse(os.path.exists(agent.token_file))

    @unittest.skipUnless(os.getuid() == 0 and shutil.which("setpriv"), "needs root and setpriv to connect as another uid")
    def test_other_uid_is_refused(self):
        agent, conn = self.start()
        # uid 65534 keeps CAP_DAC_OVERRIDE, so only the SO_PEERCRED check can stop it.
        probe = ("import socket,sys,time\nc=socket.socket(socket.AF_UNIX); c.connect(sys.argv[1])\n"
                 "try:\n c.sendall(b'{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\\n'); c.settimeout(5)\n"
                 " print('answered' if c.recv(100) else 'closed')\n"
                 "except OSError:\n print('closed')\n")
        with self.assertLogs("pyreload_agent", "WARNING") as logs:
            out = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                  "--inh-caps=+dac_override", "--ambient-caps=+dac_override",
                                  sys.executable, "-c", probe, agent.socket_path],
                                 capture_output=True, text=True, timeout=20)
            deadline = time.monotonic() + 5
            while not logs.output and time.monotonic() < deadline:
                time.sleep(0.01)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.strip(), "closed", "closed without an answer")
        self.assertIn("refused connection from uid 65534", logs.output[0])
        self.assertIn("result", conn.call("ping"), "our own uid still gets in")


def _forget(pkg):
    for name in list(sys.modules):
        if name == pkg or name.startswith(pkg + "."):
            del sys.modules[name]
    importlib.invalidate_caches()
