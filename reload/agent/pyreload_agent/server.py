"""The agent's server: a 0600 unix socket (and optional token-guarded TCP
listener), one thread per connection that reads requests and writes answers
in order, and ONE worker thread that runs every request touching Python
state (status, import, reload, scan, fix), one at a time, each with a
deadline after which the worker is interrupted and the client told."""

import logging
import os
import queue
import socket
import threading

from . import engineload
from . import methods
from . import rpc
from . import sockdir
from . import tcp as tcpmod

# LOG's records go where the app's logging sends them, never by default to
# its stderr (logging's last-resort handler would print warnings there).
LOG = logging.getLogger("pyreload_agent")
LOG.addHandler(logging.NullHandler())


class DeadlineExceeded(BaseException):
    """Raised inside the worker thread when a request overran its deadline."""


class _Job:
    __slots__ = ("method", "params", "done", "value", "error", "cancelled")

    def __init__(self, method, params):
        self.method, self.params = method, params
        self.done = threading.Event()
        self.value, self.error, self.cancelled = None, None, False


class Agent:
    """One process's agent for one workspace root. Fields set by start():
    socket_path, tcp_address ((host, port) or None), token_file."""

    def __init__(self, root, tcp=None, token_file=None, follow_fork=True, logger=None, engine=None):
        self.root = sockdir.canonical_root(root)
        self.tcp, self.token_option, self.follow_fork = tcp, token_file, follow_fork
        self.log = logger or LOG
        self.pid = os.getpid()
        self.socket_path = self.tcp_address = self.token_file = None
        self.engine, self.engine_error = engine, None
        self._token = None
        self._listeners = []
        self._conns = set()
        self._lock = threading.Lock()  # _lock guards _conns and _current.
        self._current = None
        self._jobs = queue.Queue()
        self._stopping = threading.Event()
        self._worker_ident = None
        # step_aside: the last shutdown asked this process to make way for a
        # `pyreload run` of its root (hosted mode exits with 75 then).
        self.step_aside = False

    # -- lifecycle ---------------------------------------------------------

    def start(self):
        """Open the socket(s) and start the threads; returns self."""
        directory = sockdir.socket_dir()
        path = sockdir.socket_path(directory, self.root)
        lsock = _listen_unix(path)
        self.socket_path = path
        self._listeners.append((lsock, "unix"))
        if self.tcp:
            tsock, self._token, self.token_file = tcpmod.listen(self.tcp, self.token_option or sockdir.token_path(directory, self.root))
            self.tcp_address = tsock.getsockname()[:2]
            self._listeners.append((tsock, "tcp"))
            self.log.info("pyreload agent: TCP on %s:%d, token in %s", self.tcp_address[0], self.tcp_address[1], self.token_file)
        self._load_engine()
        _thread(self._work, "pyreload-agent")
        for lsock, kind in self._listeners:
            _thread(self._accept, "pyreload-agent-accept", lsock, kind)
        self.log.debug("pyreload agent: serving %s on %s", self.root, path)
        return self

    def stop(self):
        """Stop serving (the app keeps running): close the listeners and
        connections and remove this process's socket and token files."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        self._close_fds()
        if self.pid == os.getpid():
            for path in (self.socket_path, self.token_file):
                _unlink(path)
        self._jobs.put(None)

    def abandon(self):
        """In a forked child: close the inherited descriptors of the parent's
        agent without touching its files (they still serve the parent)."""
        self._stopping.set()
        self._close_fds()

    @property
    def stopped(self):
        return self._stopping.is_set()

    def process(self):
        return {"pid": os.getpid(), "kind": "agent", "socket": self.socket_path}

    def engine_or_raise(self):
        if self.engine is None:
            msg = "the pyreload engine is not available in this agent"
            if self.engine_error:
                msg += ": %s: %s" % (self.engine_error["type"], self.engine_error["message"])
            raise rpc.RPCError(rpc.PYTHON_RAISED, msg, self.engine_error)
        return self.engine

    def describe(self, exc):
        """Return the Failure of exc: the engine's (api.failure_of, located in
        this root's workspace, as the embedded host's), or, only when the
        engine could not be loaded (or, a bug, raised here), rpc's minimal one."""
        if self.engine is not None:
            try:
                return self.engine.api.failure_of(self.engine.state, exc)
            except Exception:
                self.log.debug("pyreload agent: the engine could not describe %r", exc, exc_info=True)
        return rpc.describe_failure(exc)

    def _close_fds(self):
        with self._lock:
            conns = list(self._conns)
            self._conns.clear()
        for sock, _ in self._listeners:
            _close(sock, shutdown=self.pid == os.getpid())
        for conn in conns:
            _close(conn, shutdown=self.pid == os.getpid())

    # -- connections ---------------------------------------------------------

    def _accept(self, lsock, kind):
        while not self._stopping.is_set():
            try:
                conn, addr = lsock.accept()
            except OSError:
                if self._stopping.is_set():
                    return
                continue
            if kind == "unix":
                try:
                    uid = sockdir.peer_uid(conn)
                except OSError as exc:
                    uid = "unknown (%s)" % exc
                if not sockdir.peer_allowed(uid):
                    self.log.warning("pyreload agent: refused connection from uid %s (only uid %d may connect)", uid, os.getuid())
                    _close(conn)
                    continue
            with self._lock:
                self._conns.add(conn)
            _thread(self._serve_conn, "pyreload-agent-conn", conn, kind, addr)

    def _serve_conn(self, conn, kind, addr):
        reader = conn.makefile("rb")
        try:
            if kind == "tcp" and not tcpmod.check_token(conn, reader, self._token):
                self.log.warning("pyreload agent: refused TCP connection from %s: no valid token", addr)
                conn.sendall(rpc.encode(rpc.error(None, rpc.INVALID_REQUEST, "token refused")))
                return
            while not self._stopping.is_set():
                line = reader.readline(rpc.MAX_MESSAGE + 1)
                if not line:
                    return
                if len(line) > rpc.MAX_MESSAGE:
                    head, ended = line[:1024], line.endswith(b"\n")
                    del line
                    if not ended and not _skip_line(reader):
                        return
                    conn.sendall(rpc.encode(rpc.error(rpc.sniff_id(head), rpc.INVALID_REQUEST,
                                                      "message over %d bytes" % rpc.MAX_MESSAGE)))
                    continue
                if not line.strip():
                    continue
                resp, stop_after = self._answer(line)
                if resp is not None:
                    conn.sendall(rpc.encode(resp))
                if stop_after:
                    self.stop()
                    return
        except OSError:
            pass
        finally:
            with self._lock:
                self._conns.discard(conn)
            reader.close()
            _close(conn)

    def _answer(self, line):
        """Answer one request line: (response or None, stop afterwards).
        Whatever the line holds, a request with an id is answered and nothing
        is raised (a raise would print into the app's stderr)."""
        try:
            return self._answer_parsed(line)
        except Exception as exc:
            self.log.debug("pyreload agent: internal error answering a request", exc_info=True)
            return rpc.error(None, rpc.INTERNAL_ERROR, "internal error: %s: %s" % (type(exc).__name__, exc)), False

    def _answer_parsed(self, line):
        try:
            req_id, method, params = rpc.parse(line)
        except rpc.RPCError as exc:
            return rpc.error(getattr(exc, "req_id", None), exc.code, exc.message), False
        try:
            if method == "ping":
                value = methods.ping()
            elif method == "shutdown":
                value = {}
                self.step_aside = isinstance(params, dict) and params.get("step_aside") is True
            elif method in methods.REFUSED:
                raise methods.refusal(method)
            elif method in methods.QUEUED:
                value = self._submit(method, params)
            else:
                raise rpc.RPCError(rpc.UNKNOWN_METHOD, "unknown method %r" % method)
        except rpc.RPCError as exc:
            return (None if req_id is None else rpc.error(req_id, exc.code, exc.message, exc.data)), False
        except Exception as exc:
            self.log.debug("pyreload agent: internal error in %s", method, exc_info=True)
            value = rpc.RPCError(rpc.INTERNAL_ERROR, "internal error: %s: %s" % (type(exc).__name__, exc))
            return (None if req_id is None else rpc.error(req_id, value.code, value.message)), False
        return (None if req_id is None else rpc.result(req_id, value)), method == "shutdown"

    # -- the worker thread ----------------------------------------------------

    def _submit(self, method, params):
        if self._stopping.is_set():
            raise rpc.RPCError(rpc.BUSY, "the agent is shutting down")
        job = _Job(method, params)
        timeout = methods.timeout_of(method, params)
        self._jobs.put(job)
        if not job.done.wait(timeout):
            self._interrupt(job)
            raise rpc.RPCError(rpc.DEADLINE, "%s did not finish within %.3gs; it was interrupted" % (method, timeout))
        if job.error is not None:
            raise job.error
        return job.value

    def _interrupt(self, job):
        with self._lock:
            job.cancelled = True
            if self._current is job and self._worker_ident is not None:
                _async_raise(self._worker_ident, DeadlineExceeded)

    def _load_engine(self):
        # On the caller's thread, before start() returns: an app that forks
        # right after start() must not fork while another thread imports.
        if self.engine is None:
            try:
                self.engine = engineload.Engine(self.root, "agent")
            except Exception as exc:
                # The one Failure not built by the engine: it failed to load.
                self.engine_error = rpc.describe_failure(exc)
                self.log.warning("pyreload agent: engine not loaded: %s", exc)

    def _work(self):
        self._worker_ident = threading.get_ident()
        while True:
            try:
                job = self._jobs.get()
                if job is None:
                    return
                self._run(job)
            except DeadlineExceeded:
                continue  # an interrupt that landed after its job ended

    def _run(self, job):
        with self._lock:
            if job.cancelled:
                return
            self._current = job
        try:
            job.value = methods.dispatch(self, job.method, job.params)
        except rpc.RPCError as exc:
            job.error = exc
        except DeadlineExceeded:
            job.error = rpc.RPCError(rpc.DEADLINE, "%s was interrupted at its deadline" % job.method)
        except BaseException as exc:
            f = self.describe(exc)
            job.error = rpc.RPCError(rpc.PYTHON_RAISED, "%s: %s" % (f["type"], f["message"]), f)
        finally:
            with self._lock:
                self._current = None
            job.done.set()


def _listen_unix(path):
    _unlink(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        os.set_inheritable(sock.fileno(), False)
        sock.bind(path)
        os.chmod(path, 0o600)
        sock.listen(64)
    except BaseException:
        sock.close()
        raise
    return sock


def _skip_line(reader):
    """Read and drop the rest of an overlong line; False at end of stream."""
    while True:
        chunk = reader.readline(1 << 20)
        if not chunk:
            return False
        if chunk.endswith(b"\n"):
            return True


def _thread(fn, name, *args):
    t = threading.Thread(target=fn, name=name, args=args, daemon=True)
    t.start()
    return t


def _close(sock, shutdown=True):
    try:
        if shutdown:
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


def _unlink(path):
    if path:
        try:
            os.unlink(path)
        except OSError:
            pass


def _async_raise(ident, exc_type):
    try:
        import ctypes
    except ImportError:  # no ctypes: the request is answered, the work runs on
        return
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(exc_type))
