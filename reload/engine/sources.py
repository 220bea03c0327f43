"""The source each workspace module was loaded from, to tell what an edit changed.

An in-place reload re-executes only the statements a user edited, so it must
know a module's source as it was before the edit, when the file on disk
already holds the new one. Sources keeps it, keyed by the real path:

- for modules imported while the State exists, an audit hook (CPython's
  `open` event, raised when importlib reads the .py or its .pyc) reads the
  source as the import reads it;
- for modules loaded before the State existed, the file as it is when the
  State starts, if it was not changed since the process started;
- after a reload, the source each reloaded module was compiled from: the
  bytes check() read to tell that it changed (a file is read once per
  reload, so a write in between cannot make it run a version that was not
  the one compared).

A module without a known source is treated as changed when its file changed
since the process started, and re-executed whole (its data is reset).
"""

import os
import sys
import threading
import time
import weakref
from importlib.util import source_from_cache

from . import paths

_ENV_OFF = "PYRELOAD_NO_AUDIT"


def stamp(info):
    """Return what identifies one version of a file from its stat."""
    return (info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino)


def process_start_ns():
    """Return when this process started (wall clock, ns), or now when unknown."""
    try:
        with open("/proc/self/stat", "rb") as handle:
            fields = handle.read().rpartition(b")")[2].split()
        ticks = int(fields[19])
        with open("/proc/stat", "rb") as handle:
            for line in handle:
                if line.startswith(b"btime "):
                    boot = int(line.split()[1])
                    break
            else:
                raise ValueError("no btime")
        hertz = os.sysconf("SC_CLK_TCK")
        # Tick granularity: a file written in the same tick counts as newer.
        return int((boot + ticks / float(hertz)) * 1e9) - int(1e9 / hertz)
    except (OSError, ValueError, IndexError):
        return time.time_ns()


class Sources:
    """Known sources: real path -> (stamp, bytes)."""

    def __init__(self, root, libdirs, real=paths.real):
        self.root = root
        self.libdirs = libdirs
        self._resolve = real
        self.known = {}
        self.pinned = {}  # path, real path -> bytes a running reload runs (read() gives them)
        self.started = process_start_ns()
        self._local = threading.local()
        # A module's file path resolves the same way for the life of the
        # process (resolving costs several lstat calls): both are cached.
        self._real = {}  # path -> real path
        self._workspace = {}  # path -> is a workspace file
        self._swept = set()  # paths sweep has looked at

    def real(self, path):
        """Return path resolved (cached)."""
        hit = self._real.get(path)
        if hit is None:
            hit = self._real[path] = self._resolve(path)
        return hit

    def is_workspace(self, path):
        """Report whether path is a workspace source (cached)."""
        hit = self._workspace.get(path)
        if hit is None:
            hit = self._workspace[path] = paths.is_workspace(path, self.root, self.libdirs,
                                                             self.real)
        return hit

    def remember(self, path, data, info=None):
        """Record data as path's source (info: the stat taken before reading)."""
        if info is None:
            try:
                info = os.stat(path)
            except OSError:
                return
        self.known[self.real(path)] = (stamp(info), data)

    def snapshot(self):
        """Return what is known, for restore: a reload that rolls back must not
        leave the sources its failed re-import read as the modules' own."""
        return dict(self.known)

    def restore(self, known):
        """Put back what snapshot returned."""
        self.known.clear()
        self.known.update(known)

    def pin(self, versions):
        """Make read() give these {path: bytes} until unpinned (a reload's)."""
        pinned = {}
        for path, data in versions.items():
            pinned[path] = pinned[self.real(path)] = data
        self.pinned = pinned

    def unpin(self):
        self.pinned = {}

    def before(self, path):
        """Return the source path was loaded from, or None when unknown."""
        hit = self.known.get(self.real(path))
        return hit[1] if hit is not None else None

    def check(self, path):
        """Return (state, version) for a module's source file: state is
        "changed", "unchanged" or "missing"; version is (stat, bytes), the
        version the state was decided on (the bytes read and compared, or the
        known bytes when the stat says the file is the one they came from), or
        None when the file was not read (missing; old source unknown). A reload
        runs and remembers exactly these bytes: the file is read once."""
        try:
            info = os.stat(path)
        except OSError:
            return "missing", None
        real = self.real(path)
        hit = self.known.get(real)
        if hit is None:
            return ("changed" if info.st_ctime_ns >= self.started else "unchanged"), None
        if hit[0] == stamp(info):
            return "unchanged", (info, hit[1])
        version = self.read_version(path)
        if version is None:
            return "missing", None
        if version[1] == hit[1]:
            self.known[real] = (stamp(version[0]), version[1])
            return "unchanged", version
        return "changed", version

    def sweep(self, modules):
        """Remember the sources of workspace modules not known yet whose files
        did not change since the process started."""
        for module in modules:
            path = paths.module_path(module)
            if not path or path in self._swept or not path.endswith(".py"):
                continue
            self._swept.add(path)
            if self.real(path) in self.known or not self.is_workspace(path):
                continue
            try:
                info = os.stat(path)
            except OSError:
                continue
            if info.st_ctime_ns < self.started:
                data = self.read(path)
                if data is not None:
                    self.remember(path, data, info)

    def on_open(self, path):
        """Audit hook body: importlib is about to read path (a .py or its .pyc)."""
        local = self._local
        if getattr(local, "busy", False):
            return
        if path.endswith(".pyc"):
            try:
                path = source_from_cache(path)
            except ValueError:
                return
        if not self.is_workspace(path):
            return
        version = self.read_version(path)
        if version is not None:
            self.remember(path, version[1], version[0])

    def read(self, path):
        """Return path's bytes (None when unreadable) without the audit hook
        taking them for the source a module was loaded from. While a reload
        runs, a module it chose reads as the version it runs (pinned): the
        adapters see the source that ran, and the file is not read again."""
        if self.pinned and path.endswith(".py"):
            hit = self.pinned.get(path)
            if hit is None:
                hit = self.pinned.get(self.real(path))
            if hit is not None:
                return hit
        version = self.read_version(path)
        return version[1] if version is not None else None

    def read_version(self, path):
        """Return (stat, bytes) of path as the file is now (None when
        unreadable), the audit hook kept out as in read(). The stat is the
        open file's, taken before reading: it describes these bytes even when
        an editor replaces the file by a rename, and a write during the read
        leaves it older than them (never trusted as newer)."""
        local = self._local
        busy = getattr(local, "busy", False)
        local.busy = True
        try:
            with open(path, "rb") as handle:
                info = os.fstat(handle.fileno())
                return info, handle.read()
        except OSError:
            return None
        finally:
            local.busy = busy


def _importing(frame, depth=4):
    """True when the code opening a file is the import system (or runpy):
    a traceback's or inspect's read of the same file (linecache) is not what
    the module was loaded from."""
    while frame is not None and depth:
        name = frame.f_code.co_filename
        if name.startswith(("<frozen importlib", "<frozen runpy")) or name.endswith(
                ("importlib/_bootstrap_external.py", "runpy.py")):
            return True
        frame, depth = frame.f_back, depth - 1
    return False


def install_hook(sources):
    """Add the audit hook that feeds sources (once per Sources; hooks cannot be
    removed, so it holds sources weakly and does nothing once they are gone).
    PYRELOAD_NO_AUDIT=1 leaves it out: edits of modules imported afterwards then
    reset their data."""
    if os.environ.get(_ENV_OFF) or not hasattr(sys, "addaudithook"):
        return False
    ref = weakref.ref(sources)
    prefix = sources.root.rstrip(os.sep) + os.sep

    def hook(event, args):
        if event != "open":
            return
        path = args[0]
        if type(path) is not str or not path.startswith(prefix) or args[1] not in ("r", "rb"):
            return
        if not path.endswith((".py", ".pyc")):
            return
        target = ref()
        try:
            caller = sys._getframe(1)
        except ValueError:  # opened from C with no Python frame: not an import
            return
        if target is not None and _importing(caller):
            target.on_open(path)

    sys.addaudithook(hook)
    return True
