"""Compile a reload's sources ahead, in worker processes, while it imports.

compile() is about a third of a big package's re-import and holds the
interpreter while it runs. A Pool of worker processes (the same Python,
running compileworker.serve) compiles the sources of the modules a reload
replaces, in import order, while the reloading thread executes the modules
already compiled; fresh.FreshSourceLoader takes each code object from the
pool when the source on disk is still the one that was sent.

The pool is an accelerator and nothing more: a source that changed since it
was read, that raised or warned, or a worker that died, stalled or runs
another Python all mean the loader compiles that module itself, as it would
without a pool. The reloading thread drives the pipes itself (non-blocking,
select with a short timeout), so no thread competes with it for the GIL and
a reload deadline still interrupts it.

One pool per interpreter lives in State.compilers; it is started by the
first reload with MIN_SOURCES or more sources to compile and kept for later
ones. PYRELOAD_COMPILE_WORKERS sets the number of workers (0: never).
"""

import functools
import io
import marshal
import os
import select
import subprocess
import sys
import threading
import time

from . import compileworker

MIN_SOURCES = 32  # below this, compiling in-process costs less than the pipes
MAX_WORKERS = 4
CHUNK_FILES = 8  # sources per request frame
STALL_S = 5.0  # a worker silent this long while it owes answers is given up
WAIT_S = 0.05  # select timeout: lets a reload's deadline interrupt a wait
_PIPE_BYTES = 1 << 20
_F_SETPIPE_SZ = 1031  # Linux fcntl: enlarge a pipe's buffer

# Run by the worker: check it is the same Python (bytecode), read serve's code
# object from the first frame and call it.
_STUB = (
    "import sys, marshal\n"
    "if sys.implementation.cache_tag != sys.argv[1]:\n"
    "    sys.exit(3)\n"
    "read = sys.stdin.buffer.read\n"
    "code = marshal.loads(read(int.from_bytes(read(4), 'big')))\n"
    "type(lambda: 0)(code, {'__builtins__': __builtins__})()\n"
)


def worker_count(environ, cpus):
    """Return how many workers to run: PYRELOAD_COMPILE_WORKERS, or one per
    core (at most MAX_WORKERS): the reloading thread spends much of a big
    reload waiting for them, so they may have its core too."""
    wanted = environ.get("PYRELOAD_COMPILE_WORKERS", "").strip()
    if wanted:
        try:
            return max(0, min(int(wanted), 64))
        except ValueError:
            pass
    return max(1, min(cpus or 1, MAX_WORKERS))


def pool_for(st, count):
    """Return st's pool, started if a reload of count sources should use one."""
    pool = st.compilers
    if pool is not None and not pool.usable():
        pool.close()
        pool = st.compilers = None
    if count < MIN_SOURCES:
        return None
    if pool is not None:
        return pool
    workers = worker_count(os.environ, usable_cpus())
    executable = sys.executable
    if not workers or not is_python(executable):
        return None
    try:
        pool = Pool(executable, workers, sys.flags.optimize)
    except Exception:
        return None
    st.compilers = pool
    return pool


def usable_cpus():
    """Return the number of CPUs this process may run on (its affinity, which
    a container or taskset narrows), or None if unknown."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count()


def is_python(executable):
    """Report whether executable is a Python interpreter to start workers
    with. An app that embeds Python (uWSGI, a game engine) may name itself in
    sys.executable; starting that with Python's options could do anything."""
    if not executable or not os.access(executable, os.X_OK):
        return False
    names = {os.path.basename(executable), os.path.basename(os.path.realpath(executable))}
    return any(name.startswith("python") for name in names)


def stamp(info):
    """What identifies one version of a file: equal stamps, same bytes."""
    return (info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino, info.st_dev)


def read_source(path):
    """Return (bytes, stamp) of path, or None if it changed while being read."""
    try:
        with io.open_code(path) as f:  # what importlib reads sources with
            before = os.fstat(f.fileno())
            data = f.read()
            after = os.fstat(f.fileno())
    except OSError:
        return None
    first = stamp(before)
    return (data, first) if first == stamp(after) else None


def _one_thread_at_a_time(method):
    """Run a Pool method holding the pool's lock: one thread drives the pipes."""
    @functools.wraps(method)
    def locked(self, *args):
        with self.lock:
            return method(self, *args)
    return locked


class Pool:
    """Worker processes compiling one reload's sources at a time."""

    def __init__(self, executable, count, optimize):
        self.pid = os.getpid()
        self.optimize = optimize
        self.lock = threading.Lock()
        self.workers = []
        try:
            for _ in range(count):
                self.workers.append(_Worker(executable))
        except BaseException:
            self.close()
            raise
        self.round = 0  # submit() calls; answers to earlier rounds are dropped
        self.sent = {}  # path -> (key, stamp, source bytes, worker)
        self.done = {}  # key -> code object or None

    @_one_thread_at_a_time
    def usable(self):
        """Report whether this process owns the pool and a worker still runs."""
        if os.getpid() != self.pid:
            return False
        for worker in self.workers:
            if not worker.broken and worker.proc.poll() is not None:
                worker.fail()
        return any(not w.broken for w in self.workers)

    @_one_thread_at_a_time
    def submit(self, paths, versions=None):
        """Read paths and queue them for compiling, in order; forget earlier
        work. versions: {path: (os.stat, bytes)} already read (those are sent
        as they are, not read again)."""
        self.round += 1
        self.sent = {}
        self.done = {}
        workers = [w for w in self.workers if not w.broken]
        if not workers:
            return
        chunk, index = [], 0
        for path in paths:
            known = versions.get(path) if versions else None
            got = (known[1], stamp(known[0])) if known is not None else read_source(path)
            if got is None:
                continue
            data, version = got
            index += 1
            key = (self.round, index)
            worker = workers[(index - 1) // CHUNK_FILES % len(workers)]
            self.sent[path] = (key, version, data, worker)
            chunk.append((key, path, data, self.optimize))
            if len(chunk) == CHUNK_FILES:
                worker.send(chunk)
                chunk = []
        if chunk:
            worker.send(chunk)
        self._pump()

    @_one_thread_at_a_time
    def take(self, path, info):
        """Return (source bytes, code) compiled from path as info (its os.stat)
        describes it, or None: the caller compiles it."""
        entry = self.sent.pop(path, None)
        if entry is None or info is None:
            return None
        key, version, data, worker = entry
        if stamp(info) != version:
            return None
        while key not in self.done:
            if worker.broken:
                return None
            if self._pump():
                continue
            live = [w for w in self.workers if not w.broken]
            readable = [w.rfd for w in live if w.owed]
            writable = [w.wfd for w in live if w.outbuf]
            try:
                ready = select.select(readable, writable, [], WAIT_S)
            except (OSError, ValueError):
                worker.fail()
                return None
            if not any(ready) and time.monotonic() - worker.last > STALL_S:
                worker.fail()
                return None
        code = self.done.pop(key)
        return None if code is None else (data, code)

    @_one_thread_at_a_time
    def forget(self):
        """Drop what was queued; answers still on their way are ignored."""
        self.round += 1
        self.sent = {}
        self.done = {}

    def _pump(self):
        """Write what the pipes take, read what arrived; report any progress."""
        moved = False
        for worker in self.workers:
            if worker.broken:
                continue
            moved = worker.flush() or moved
            for key, code in worker.drain():
                moved = True
                if key[0] == self.round:
                    self.done[key] = code
        return moved

    @_one_thread_at_a_time
    def close(self):
        """Stop the workers (only in the process that started them)."""
        for worker in self.workers:
            worker.close(own=os.getpid() == self.pid)
        self.workers = []


class _Worker:
    """One compile process and the non-blocking ends of its pipes."""

    def __init__(self, executable):
        self.proc = subprocess.Popen(
            [executable, "-I", "-S", "-c", _STUB, sys.implementation.cache_tag],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            close_fds=True, start_new_session=True)
        self.wfd = self.proc.stdin.fileno()
        self.rfd = self.proc.stdout.fileno()
        for fd in (self.wfd, self.rfd):
            os.set_blocking(fd, False)
            try:
                import fcntl
                fcntl.fcntl(fd, _F_SETPIPE_SZ, _PIPE_BYTES)
            except (ImportError, OSError):
                pass
        self.outbuf = bytearray()  # frames not written yet
        self.inbuf = bytearray()  # answer bytes not parsed yet
        self.owed = 0  # request frames sent and not answered
        self.last = time.monotonic()  # last time the worker took or gave bytes
        self.broken = False
        self._frame(marshal.dumps(compileworker.serve.__code__))
        self.flush()

    def send(self, chunk):
        """Queue one request frame."""
        self._frame(marshal.dumps(chunk))
        self.owed += 1

    def _frame(self, payload):
        self.outbuf += len(payload).to_bytes(4, "big")
        self.outbuf += payload

    def flush(self):
        """Write as much of outbuf as the pipe takes; report whether any went."""
        if not self.outbuf or self.broken:
            return False
        try:
            n = os.write(self.wfd, self.outbuf)
        except BlockingIOError:
            return False
        except OSError:
            self.fail()
            return True
        del self.outbuf[:n]
        if n:
            self.last = time.monotonic()
        return n > 0

    def drain(self):
        """Read what the worker wrote; return the answers of complete frames."""
        answers = []
        while not self.broken:
            try:
                chunk = os.read(self.rfd, _PIPE_BYTES)
            except BlockingIOError:
                break
            except OSError:
                self.fail()
                break
            if not chunk:  # the worker exited
                self.fail()
                break
            self.inbuf += chunk
            self.last = time.monotonic()
        buf = self.inbuf
        while len(buf) >= 4:
            size = int.from_bytes(buf[:4], "big")
            if len(buf) < 4 + size:
                break
            payload = bytes(buf[4:4 + size])
            del buf[:4 + size]
            self.owed -= 1
            try:
                answers.extend(marshal.loads(payload))
            except Exception:
                self.fail()
                break
        return answers

    def fail(self):
        """Give this worker up: stop it; what it owed is compiled by the caller."""
        self.close()

    def close(self, own=True):
        if self.broken:
            return
        self.broken = True
        self.outbuf = bytearray()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        if own:
            try:
                self.proc.kill()
                self.proc.wait(timeout=1)
            except Exception:
                pass
