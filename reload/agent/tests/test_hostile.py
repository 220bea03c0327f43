"""Hostile input to the agent: every request line gets a valid JSON answer on
a connection that stays open, and nothing is written into the app's output."""

import io
import json
import sys
import threading

import pyreload_agent
from pyreload_agent import rpc

from .support import AgentCase, Conn


def strict_json(line):
    """Decode line as JSON proper: Infinity and NaN are not JSON."""
    def refuse(name):
        raise ValueError("not JSON: %s" % name)
    return json.loads(line, parse_constant=refuse)


class HostileInputTest(AgentCase):
    def setUp(self):
        super().setUp()
        self.uncaught = []
        old_hook, old_stderr = threading.excepthook, sys.stderr
        threading.excepthook = self.uncaught.append
        sys.stderr = self.stderr = io.StringIO()

        def restore():
            threading.excepthook, sys.stderr = old_hook, old_stderr
        self.addCleanup(restore)
        agent = pyreload_agent.start(self.root)
        self.conn = Conn(agent.socket_path)
        self.addCleanup(self.conn.close)

    def ask(self, line):
        self.conn.send_line(line)
        raw = self.conn.file.readline()
        self.assertTrue(raw, "no answer to %.80r: the connection closed" % line)
        return raw, strict_json(raw)

    def assertNothingPrinted(self):
        self.assertEqual(self.uncaught, [], "a connection thread died")
        self.assertEqual(self.stderr.getvalue(), "", "the agent wrote into the app's stderr")

    def test_deep_nesting_is_a_parse_error(self):
        deep = b"[" * 200000 + b"]" * 200000
        for line in (deep, b'{"jsonrpc":"2.0","id":5,"method":"ping","params":{"a":' + deep + b"}}"):
            _, resp = self.ask(line)
            self.assertEqual(resp["error"]["code"], rpc.PARSE_ERROR)
            self.assertIsNone(resp["id"])
        self.assertEqual(self.conn.call("ping")["result"]["pong"], True)
        self.assertNothingPrinted()

    def test_absurd_timeouts(self):
        for ms in ("1e13", "10000000000000", "1e400", "9.3e18", "0.5"):
            raw, resp = self.ask(b'{"jsonrpc":"2.0","id":1,"method":"import","params":{"modules":["json"],"timeout_ms":%s}}' % ms.encode())
            self.assertIn("result", resp, "timeout_ms %s: %s" % (ms, raw))
            self.assertEqual(resp["result"]["failures"], [])
        for ms in ("-1", '"soon"', "true", "[]"):
            raw, resp = self.ask(b'{"jsonrpc":"2.0","id":2,"method":"reload","params":{"package":"x","timeout_ms":%s}}' % ms.encode())
            self.assertEqual(resp["error"]["code"], rpc.INVALID_PARAMS, raw)
            self.assertIn("timeout_ms", resp["error"]["message"])
        self.assertNothingPrinted()

    def test_ids_come_back_as_sent(self):
        for sent, answered in ((b"1e400", b"1e400"), (b"-1e400", b"-1e400"), (b'"x\\"y"', b'"x\\"y"'),
                               (b"12345678901234567890123", b"12345678901234567890123"), (b"0.25", b"0.25")):
            raw, resp = self.ask(b'{"jsonrpc":"2.0","id":%s,"method":"ping"}' % sent)
            self.assertIn(b'"id": ' + answered, raw)
            self.assertTrue(resp["result"]["pong"])
        for sent in (b'{"a":1}', b"[1]", b"true"):
            _, resp = self.ask(b'{"jsonrpc":"2.0","id":%s,"method":"ping"}' % sent)
            self.assertEqual(resp["error"]["code"], rpc.INVALID_REQUEST)
            self.assertIsNone(resp["id"])
        self.assertNothingPrinted()

    def test_oversized_message_is_answered_and_skipped(self):
        old = rpc.MAX_MESSAGE
        rpc.MAX_MESSAGE = 4096
        self.addCleanup(setattr, rpc, "MAX_MESSAGE", old)
        # A new connection: the first one's thread already reads with the old limit.
        self.conn = Conn(pyreload_agent.start(self.root).socket_path)
        self.addCleanup(self.conn.close)
        big = b'{"jsonrpc":"2.0","id":"big","method":"ping","params":{"pad":"' + b"x" * 3000000 + b'"}}'
        _, resp = self.ask(big)
        self.assertEqual((resp["id"], resp["error"]["code"]), ("big", rpc.INVALID_REQUEST))
        self.assertEqual(self.conn.call("ping")["result"]["pong"], True)
        self.assertNothingPrinted()

    def test_results_json_cannot_hold(self):
        self.assertEqual(strict_json(rpc.encode(rpc.result(1, {"x": float("nan"), "y": [float("inf")]}))),
                         {"id": 1, "jsonrpc": "2.0", "result": {"x": "nan", "y": ["inf"]}})
        loop = []
        loop.append(loop)
        resp = strict_json(rpc.encode(rpc.result(2, loop)))
        self.assertEqual((resp["id"], resp["error"]["code"]), (2, rpc.INTERNAL_ERROR))
