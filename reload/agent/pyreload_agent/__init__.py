"""pyreload_agent: attach pyreload to a Python process it did not start.

    import pyreload_agent
    pyreload_agent.start(root="/abs/workspace")

or ``python3 -m pyreload_agent --root DIR TARGET [ARGS...]``, or, in IPython
and Jupyter, ``%load_ext pyreload_agent`` (pyreload_agent.ipython). The agent
serves the host protocol (reload/PROTOCOL.md) on
``<socket dir>/<roothash>-<pid>.sock`` from daemon threads, runs the same
engine files as pyreload's embedded host, and is found by ``pyreload
reload`` and ``pyreload serve`` for that root with no configuration.
Stdlib only, Python 3.8+.

Forks: start() once before a pre-fork server forks its workers. Every
forked child then closes the parent's inherited socket and opens its own
``<roothash>-<childpid>.sock`` (os.register_at_fork), keeping the engine's
state, so each worker is reached by the same ``pyreload reload``. Calling
start() in each worker instead (e.g. a gunicorn ``post_fork`` hook) works
too; start() is idempotent per process. TCP (``tcp=``) is not re-opened in
children. Pass ``follow_fork=False`` to serve only the calling process.

Security: the socket directory is 0700 and must be ours, the socket 0600,
and every connection's peer uid (SO_PEERCRED) must be ours; refused
connections are logged to the ``pyreload_agent`` logger. The agent refuses
``call`` and ``run``: it runs no code sent over the socket beyond the
engine's methods. ``tcp="127.0.0.1:0"`` also listens on TCP (loopback
unless a host is given); the first line a TCP client sends must be
``{"token": "<hex>"}`` with the token from ``Agent.token_file``
(default ``<socket dir>/<roothash>-<pid>.token``, mode 0600).
"""

import atexit
import os
import threading

from .server import Agent

__all__ = ["Agent", "start", "stop", "current"]

_lock = threading.Lock()
_agent = None  # the agent of this process (guarded by _lock)
_hooks = []  # set once the atexit and at-fork hooks are registered


def start(root, tcp=None, token_file=None, follow_fork=True, logger=None):
    """Start serving root from this process and return the Agent. A second
    call in the same process returns the running agent."""
    global _agent
    with _lock:
        if _agent is not None and _agent.pid == os.getpid() and not _agent.stopped:
            return _agent
        _agent = Agent(root, tcp=tcp, token_file=token_file, follow_fork=follow_fork, logger=logger).start()
        if not _hooks:
            atexit.register(_at_exit)
            if hasattr(os, "register_at_fork"):
                os.register_at_fork(after_in_child=_after_fork_child)
            _hooks.append(True)
        return _agent


def stop():
    """Stop this process's agent (the app keeps running)."""
    agent = current()
    if agent is not None:
        agent.stop()


def current():
    """Return this process's running agent, or None."""
    agent = _agent
    if agent is None or agent.pid != os.getpid() or agent.stopped:
        return None
    return agent


def load_ipython_extension(ipython):
    """``%load_ext pyreload_agent`` in IPython or Jupyter: attach this kernel
    and report every reload in the notebook (pyreload_agent.ipython)."""
    from . import ipython as notebook

    notebook.load(ipython)


def unload_ipython_extension(ipython):
    """``%unload_ext pyreload_agent``: detach this kernel."""
    from . import ipython as notebook

    notebook.unload(ipython)


def _at_exit():
    agent = _agent
    if agent is not None and agent.pid == os.getpid():
        agent.stop()


def _after_fork_child():
    """In a forked child: drop the parent's listeners, serve our own pid."""
    global _agent, _lock
    _lock = threading.Lock()  # the parent's may have been held at fork
    parent = _agent
    if parent is None or parent.stopped or parent.pid == os.getpid():
        return
    parent.abandon()
    _agent = None
    if not parent.follow_fork:
        return
    engine = parent.engine
    lock = getattr(getattr(engine, "state", None), "lock", None)
    if lock is not None and hasattr(lock, "acquire"):
        engine.state.lock = threading.RLock()  # only this thread survived the fork
    try:
        _agent = Agent(parent.root, follow_fork=True, logger=parent.log, engine=engine).start()
    except Exception as exc:  # never break the app's fork
        parent.log.warning("pyreload agent: could not serve forked process %d: %s", os.getpid(), exc)
