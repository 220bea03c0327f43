"""The IPython extension: one line attaches a running IPython or Jupyter
kernel to pyreload, and every reload shows up in the notebook.

    %load_ext pyreload_agent

starts the agent (``pyreload_agent.start``) for the project root: $PYRELOAD_ROOT,
else the nearest directory above the kernel's working directory holding
``pyproject.toml``, ``setup.py``, ``setup.cfg`` or ``.git``, else the working
directory itself. ``pyreload reload`` and the editors' servers for that root
then reload code inside the kernel with the same engine as everywhere else,
and each reload or fix is reported as a few lines in the notebook (under the
cell that ran last: reloads come from outside, between cells).
``%pyreload`` prints the root, the socket and the last report;
``%unload_ext pyreload_agent`` detaches the kernel.
"""

import os
import sys
import threading

MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")
SHOWN = ("reload", "fix")  # engine methods whose reports the notebook shows
MAX_STALE_LINES = 10


def find_root(start=None):
    """The project root for a kernel started in start (default: cwd)."""
    env = os.environ.get("PYRELOAD_ROOT")
    if env:
        return os.path.abspath(env)
    here = os.path.abspath(start or os.getcwd())
    d = here
    while True:
        if any(os.path.exists(os.path.join(d, m)) for m in MARKERS):
            return d
        parent = os.path.dirname(d)
        if parent == d:
            return here
        d = parent


def report_lines(report, root=None):
    """A report (reload/PROTOCOL.md) as the few lines the notebook shows."""
    if not isinstance(report, dict):
        return ["pyreload: %r" % (report,)]
    action = report.get("action") or "reload"
    pkg = report.get("package") or "?"
    ms = report.get("duration_ms")
    took = " in %d ms" % round(ms) if isinstance(ms, (int, float)) else ""
    if not report.get("ok", False):
        err = report.get("error") or {}
        where = ""
        if err.get("file"):
            where = " (%s:%s)" % (_rel(err["file"], root), err.get("line") or "?")
        return ["pyreload: %s of %s rolled back: %s: %s%s; the old code still runs" % (
            action, pkg, err.get("type", "Error"), err.get("message", ""), where)]
    if action == "fix":
        fixes = report.get("fixes") or []
        done = sum(1 for f in fixes if isinstance(f, dict) and f.get("changed"))
        head = "pyreload: fixed %d of %d stale reference%s to %s%s" % (
            done, len(fixes), "" if len(fixes) == 1 else "s", pkg, took)
    else:
        n = len(report.get("modules") or [])
        head = "pyreload: reloaded %s (%d module%s)%s" % (pkg, n, "" if n == 1 else "s", took)
    stale = [s for s in report.get("stale") or [] if isinstance(s, dict)]
    if not stale:
        return [head]
    lines = [head + "; %d still on the old code:" % len(stale)]
    for s in stale[:MAX_STALE_LINES]:
        where = "%s:%s" % (_rel(s["file"], root), s.get("line") or "?") if s.get("file") else (s.get("holder") or "?")
        lines.append("  [%s] %s: %s" % (s.get("code", "?"), where, s.get("message", "")))
    if len(stale) > MAX_STALE_LINES:
        lines.append("  ... and %d more" % (len(stale) - MAX_STALE_LINES))
    return lines


def _rel(path, root):
    if root and path.startswith(root.rstrip(os.sep) + os.sep):
        return path[len(root.rstrip(os.sep)) + 1:]
    return path


class Notebook:
    """What the extension keeps in a kernel: the agent, where to write, the
    last report. It wraps the agent's engine so that every reload or fix
    reported to pyreload is also written to the notebook."""

    def __init__(self, shell, agent, out):
        self.shell, self.agent, self.out = shell, agent, out
        self.last = None
        self._lock = threading.Lock()
        self._inner = None

    def watch(self):
        engine = self.agent.engine
        if engine is None or self._inner is not None:
            return
        inner = engine.handle
        self._inner = inner

        def handle(method, params):
            report = inner(method, params)
            if method in SHOWN:
                self.show(report)
            return report

        engine.handle = handle

    def unwatch(self):
        engine = self.agent.engine
        if engine is not None and self._inner is not None:
            try:
                del engine.handle  # the class's method again
            except AttributeError:
                pass
        self._inner = None

    def show(self, report):
        """Write a report to the notebook; never raises into the engine."""
        try:
            with self._lock:
                self.last = report
                self.out.write("\n".join(report_lines(report, self.agent.root)) + "\n")
                self.out.flush()
        except Exception:  # a closed stream must not break a reload
            pass

    def describe(self):
        a = self.agent
        lines = ["pyreload: this kernel (pid %d) is attached to %s" % (os.getpid(), a.root),
                 "  socket: %s" % a.socket_path]
        if a.engine is None:
            lines.append("  engine: not loaded (%s)" % ((a.engine_error or {}).get("message", "?")))
        if self.last is None:
            lines.append("  no reload yet: save a file, then `pyreload reload --root %s PACKAGE` "
                         "(or let your editor do it)" % a.root)
        else:
            lines.extend("  " + line for line in report_lines(self.last, a.root))
        return "\n".join(lines)


_notebook = None  # the loaded extension of this process


def load(shell):
    """%load_ext pyreload_agent: attach this kernel and show where."""
    global _notebook
    import pyreload_agent

    if _notebook is not None and not _notebook.agent.stopped:
        print(_notebook.describe())
        return
    root = find_root()
    agent = pyreload_agent.start(root=root)
    _notebook = Notebook(shell, agent, sys.stdout)
    _notebook.watch()
    if shell is not None and hasattr(shell, "register_magic_function"):
        shell.register_magic_function(_magic, magic_kind="line", magic_name="pyreload")
    print(_notebook.describe())


def unload(shell):
    """%unload_ext pyreload_agent: detach (the kernel keeps its state)."""
    global _notebook
    import pyreload_agent

    if _notebook is not None:
        _notebook.unwatch()
        _notebook = None
    pyreload_agent.stop()
    print("pyreload: this kernel is detached")


def _magic(line=""):
    """%pyreload: the root, the socket and the last reload of this kernel."""
    if _notebook is None:
        print("pyreload: not attached; run %load_ext pyreload_agent")
    else:
        print(_notebook.describe())
