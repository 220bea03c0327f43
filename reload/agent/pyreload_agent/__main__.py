"""``python3 -m pyreload_agent [--root DIR] [--tcp ADDR] [--token-file F]
TARGET [ARGS...]``: start the agent, then run TARGET (``module``,
``module:function`` or a script path) as __main__ in the main thread."""

import argparse
import logging
import os
import sys

from . import rpc
from . import start
from . import target


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python3 -m pyreload_agent",
        description="Run TARGET with the pyreload agent attached, so `pyreload reload --root DIR` reaches it.")
    parser.add_argument("--root", default=os.getcwd(), help="workspace root (default: the current directory)")
    parser.add_argument("--tcp", help="also listen on TCP, e.g. 127.0.0.1:0 (token-guarded)")
    parser.add_argument("--token-file", help="where to write the TCP token (default: next to the socket)")
    parser.add_argument("--no-follow-fork", action="store_true", help="do not serve forked children")
    parser.add_argument("--log-level", default="WARNING", help="agent log level on stderr (default WARNING)")
    parser.add_argument("target", help="module, module:function or script path")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="arguments for TARGET")
    opts = parser.parse_args(argv)
    root = os.path.realpath(opts.root)
    if not os.path.isdir(root):
        parser.error("--root %s is not a directory" % opts.root)
    log = logging.getLogger("pyreload_agent")
    if all(isinstance(h, logging.NullHandler) for h in log.handlers):  # server.py's own
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(name)s[%(process)d]: %(message)s"))
        log.addHandler(handler)
        log.setLevel(opts.log_level.upper())
        log.propagate = False
    if root not in sys.path:
        sys.path.insert(0, root)
    agent = start(root, tcp=opts.tcp, token_file=opts.token_file, follow_fork=not opts.no_follow_fork)
    if agent.tcp_address:
        sys.stderr.write("pyreload agent: TCP %s:%d, token file %s\n" % (agent.tcp_address[0], agent.tcp_address[1], agent.token_file))
    try:
        value = target.run(opts.target, opts.args, root)
    except SystemExit:
        raise
    except BaseException:
        sys.excepthook = _user_frames_hook(sys.excepthook)
        raise
    return value if isinstance(value, int) else 0


def _user_frames_hook(hook):
    """sys.excepthook for the entry's exception leaving main: Python prints
    it (through the app's own hook, if it set one) and exits as python3
    would (1; a Ctrl-C as SIGINT), its traceback from the user's first
    frame, as ``pyreload run`` prints it (rpc.user_frames): not the
    agent's, the engine's or runpy's frames."""

    def print_user_frames(exc_type, exc, tb):
        sys.excepthook = hook
        if isinstance(exc, BaseException):
            tb = rpc.user_frames(tb)
            exc = exc.with_traceback(tb)
        hook(exc_type, exc, tb)

    return print_user_frames


if __name__ == "__main__":
    sys.exit(main())
