"""Forked children serve their own sockets (os.register_at_fork); the
socket of a process is removed at exit; follow_fork=False opts out."""

import json
import os
import subprocess
import sys
import textwrap

from pyreload_agent import sockdir

from .support import AgentCase, Conn

AGENT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

APP = textwrap.dedent("""
    import os, sys, time
    import pyreload_agent
    pyreload_agent.start(sys.argv[1], follow_fork=sys.argv[2] == "follow")
    kids = []
    for _ in range(2):
        pid = os.fork()
        if pid == 0:
            end = time.time() + 60
            while not os.path.exists(sys.argv[3]) and time.time() < end:
                time.sleep(0.01)
            sys.exit(0)   # runs atexit: the child's socket goes away
        kids.append(pid)
    print(" ".join(map(str, kids)), flush=True)
    for pid in kids:
        os.waitpid(pid, 0)
    print("children done", flush=True)
    sys.stdin.readline()
""")


class ForkTest(AgentCase):
    def run_app(self, mode):
        release = os.path.join(self.tmp, "release")
        env = dict(os.environ, PYTHONPATH=AGENT_DIR)
        proc = subprocess.Popen([sys.executable, "-c", APP, self.root, mode, release], env=env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.addCleanup(proc.stdout.close)
        self.addCleanup(proc.stdin.close)
        self.addCleanup(proc.wait)
        self.addCleanup(proc.kill)  # cleanups run last-first: kill, then wait
        kids = [int(p) for p in proc.stdout.readline().split()]
        self.assertEqual(len(kids), 2)
        return proc, kids, release

    def sock(self, pid):
        return sockdir.socket_path(os.path.join(self.run_dir, "pyreload"), self.root, pid)

    def test_each_forked_child_serves_its_own_socket(self):
        proc, kids, release = self.run_app("follow")
        for pid in [proc.pid] + kids:
            c = Conn(self.sock(pid))
            self.assertEqual(c.call("ping")["result"]["pid"], pid)
            st = c.call("status")["result"]
            self.assertEqual(st["pid"], pid)
            self.assertEqual(st["startup_failures"], [], "the child inherited a working engine")
            c.close()
        open(release, "w").close()
        self.assertEqual(proc.stdout.readline().strip(), "children done")
        for pid in kids:
            self.assertFalse(os.path.exists(self.sock(pid)), "a child's socket is removed at its exit")
        self.assertTrue(os.path.exists(self.sock(proc.pid)), "the parent still serves")
        proc.stdin.close()
        proc.wait(10)
        self.assertFalse(os.path.exists(self.sock(proc.pid)))

    def test_follow_fork_false_serves_only_the_parent(self):
        proc, kids, release = self.run_app("nofollow")
        c = Conn(self.sock(proc.pid))
        self.addCleanup(c.close)
        self.assertEqual(c.call("ping")["result"]["pid"], proc.pid)
        for pid in kids:
            self.assertFalse(os.path.exists(self.sock(pid)))
        open(release, "w").close()
        self.assertEqual(proc.stdout.readline().strip(), "children done")
        self.assertEqual(c.call("ping")["result"]["pid"], proc.pid,
                         "the children's exit did not remove the parent's socket")


class MainTest(AgentCase):
    def test_python_m_runs_target_in_main_thread_with_agent(self):
        self.write("tgt/__init__.py", "")
        self.write("tgt/app.py", """
            import json, os, socket, sys, threading
            def main():
                path = os.path.join(os.environ["XDG_RUNTIME_DIR"], "pyreload", os.listdir(
                    os.path.join(os.environ["XDG_RUNTIME_DIR"], "pyreload"))[0])
                c = socket.socket(socket.AF_UNIX); c.connect(path); f = c.makefile("rwb")
                f.write(b'{"jsonrpc":"2.0","id":1,"method":"status"}\\n'); f.flush()
                st = json.loads(f.readline())["result"]
                print(json.dumps({"main": threading.current_thread() is threading.main_thread(),
                                  "argv": sys.argv[1:], "entry": st["entry"], "state": st["entry_state"],
                                  "pid": st["pid"] == os.getpid()}))
                return 3
        """)
        env = dict(os.environ, PYTHONPATH=AGENT_DIR)
        out = subprocess.run([sys.executable, "-m", "pyreload_agent", "--root", self.root, "tgt.app:main", "a", "b"],
                             env=env, cwd=self.tmp, capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 3, out.stderr)
        self.assertEqual(json.loads(out.stdout), {"main": True, "argv": ["a", "b"], "entry": "tgt.app:main",
                                                  "state": "running", "pid": True})
        self.assertEqual(os.listdir(os.path.join(self.run_dir, "pyreload")), [], "socket removed at exit")

    def test_script_and_module_targets(self):
        self.write("script.py", "import sys\nprint('script', sys.argv[1:], __name__)\n")
        self.write("modtgt.py", "import sys\nprint('module', sys.argv[1:], __name__)\n")
        env = dict(os.environ, PYTHONPATH=AGENT_DIR)
        for target, want in (("script.py", "script ['x'] __main__"), ("modtgt", "module ['x'] __main__")):
            out = subprocess.run([sys.executable, "-m", "pyreload_agent", "--root", self.root, target, "x"],
                                 env=env, cwd=self.root, capture_output=True, text=True, timeout=30)
            self.assertEqual((out.returncode, out.stdout.strip()), (0, want), out.stderr)
