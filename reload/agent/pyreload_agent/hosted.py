"""Hosted mode: ``pyreload serve`` and ``pyreload run`` run the app in the
project's own Python through the agent when that Python is not pyreload's
embedded CPython build (cmd/pyreload/hostagent.go execs it in place of
``pyreload host``). Its life is the embedded host's: the project's sys.path
entries first, the agent serving the root, the configured packages
imported, one ready line on --ready-fd, then the entry as __main__ on the
main thread. With --exit-with-entry (``run``) the process ends as the app
does, exit code included, as under python3; otherwise (``serve``) it stays
up for reloads until a ``shutdown`` request."""

import argparse
import json
import os
import sys
import threading
import time
import traceback

from . import methods
from . import rpc
from . import start
from . import target

_HERE = os.path.dirname(os.path.abspath(__file__))

# STEPPED_ASIDE is the exit status after a shutdown that asked this process
# to make way for a `pyreload run` of the root (hostproto.ExitSteppedAside).
STEPPED_ASIDE = 75


def parse(argv):
    # The arguments are written by hostproto.HostOptions.Args (Go), beside
    # --ready-fd and without --python; reload/hostproto's
    # TestAgentReadsHostOptionsAlike checks that this reads them back.
    parser = argparse.ArgumentParser(prog="pyreload host (agent)")
    parser.add_argument("--root", required=True)
    parser.add_argument("--ready-fd", type=int, default=-1)
    parser.add_argument("--path", action="append", default=[])
    parser.add_argument("--import", dest="imports", default="")
    parser.add_argument("--exit-with-entry", action="store_true")
    parser.add_argument("--entry", default="")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    opts = parser.parse_args(argv)
    if opts.args and opts.args[0] == "--":
        opts.args = opts.args[1:]
    return opts


def main(argv):
    """Run the hosted agent; returns the process's exit code."""
    opts = parse(argv)
    root = os.path.realpath(opts.root)
    boot = os.path.dirname(_HERE)  # the directory agentBoot put on sys.path
    if "" in sys.path:
        sys.path.remove("")  # python -c's current directory: the root goes there instead
    entries = [root] + [p for p in opts.path if p != root]
    sys.path[0:0] = [p for p in entries if p not in sys.path]
    methods.ROLE = "run" if opts.exit_with_entry else "serve"
    try:
        agent = start(root)
    except Exception as exc:
        _ready(opts.ready_fd, {"error": "the agent could not start in %s: %s: %s"
                               % (sys.executable, type(exc).__name__, exc)})
        return 70
    if boot in sys.path:
        sys.path.remove(boot)  # the agent is loaded; the app does not see it
    failures = []
    if opts.imports:
        failures = methods.import_modules(opts.imports.split(","), agent.engine)["failures"]
        for f in failures:
            sys.stderr.write("pyreload: import failed: %s: %s\n%s" % (f["type"], f["message"], f.get("traceback") or ""))
    agent.startup_failures = failures
    _ready(opts.ready_fd, {"socket": agent.socket_path})
    running = {"entry": bool(opts.entry)}
    threading.Thread(target=_stop_on_shutdown, args=(agent, running), name="pyreload-hosted", daemon=True).start()
    code = 0
    if opts.entry:
        code = _run_entry(opts.entry, opts.args, root)
        running["entry"] = False
    if agent.step_aside:
        return STEPPED_ASIDE
    if opts.exit_with_entry:
        return code
    while not agent.stopped:
        time.sleep(0.1)
    return STEPPED_ASIDE if agent.step_aside else 0


def _run_entry(entry, args, root):
    """Run the entry as python3 would; returns its exit code (the traceback
    of an exception it raised printed from the user's first frame, as the
    embedded host prints it: rpc.user_frames)."""
    try:
        value = target.run(entry, args, root)
        return value if isinstance(value, int) and not isinstance(value, bool) else 0
    except SystemExit as exc:
        return _exit_code(exc.code)
    except KeyboardInterrupt:
        return 130  # Ctrl-C the app did not handle, or a shutdown
    except BaseException as exc:
        traceback.print_exception(type(exc), exc, rpc.user_frames(exc.__traceback__), file=sys.stderr)
        return 1


def _exit_code(code):
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    sys.stderr.write("%s\n" % (code,))
    return 1


def _stop_on_shutdown(agent, running):
    """A shutdown request stops the agent: interrupt a running entry (its
    KeyboardInterrupt), as the embedded host stops its app."""
    while not agent.stopped:
        time.sleep(0.1)
    if running["entry"]:
        import _thread
        _thread.interrupt_main()


def _ready(fd, msg):
    if fd < 0:
        return
    try:
        os.write(fd, (json.dumps(msg) + "\n").encode())
        os.close(fd)
    except OSError:
        pass
