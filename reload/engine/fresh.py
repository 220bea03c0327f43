"""Fresh bytecode: during a reload, workspace sources compile from source, never a stale .pyc.

CPython trusts a .pyc whose recorded mtime (whole seconds) and size match the
source, so an edit within the same second that keeps the size would load old
code. While a reload re-imports, a meta-path finder hands out a source loader
that ignores the cached bytecode for workspace files of the reloaded tree and
rewrites the cache with the fresh code. Stdlib and site-packages are untouched.
When the reload runs a precompile.Pool, the loader takes the code the pool
compiled from the same version of the file instead of compiling it again.
"""

import marshal
import os
import sys
from importlib import _bootstrap_external
from importlib import machinery
from importlib.util import cache_from_source
from importlib.util import decode_source

from . import paths


class FreshSourceLoader(machinery.SourceFileLoader):
    """SourceFileLoader that always compiles the source and refreshes the .pyc.

    When given a codes dict, it records there path -> ((mtime_ns, size), module
    code object, source bytes or None), the source's stat taken before it was
    read: locate.find_def reads definition lines from the code (and the source
    it was compiled from) instead of reading and parsing the file again.
    """

    def __init__(self, fullname, path, codes=None, keys=(), precompiled=None):
        super().__init__(fullname, path)
        self.codes = codes
        self.precompiled = precompiled  # a precompile.Pool, or None
        self.keys = tuple(keys) or (path,)
        self._source = None  # the bytes _get_code compiled (None: from a .pyc)

    def get_code(self, fullname):
        path = self.get_filename(fullname)
        try:
            info = os.stat(path)  # one stat serves the record, the trust check and the .pyc
        except OSError:
            info = None
        stamp = None if info is None or self.codes is None else (info.st_mtime_ns, info.st_size)
        self._source = None
        code = self._get_code(fullname, path, info)
        if stamp is not None and code is not None:
            record = (stamp, code, self._source)
            for key in self.keys:
                self.codes[key] = record
        self._source = None
        return code

    def _get_code(self, fullname, path, info):
        ready = None if self.precompiled is None else self.precompiled.take(path, info)
        if ready is None and cache_is_trustworthy(path, info):
            return super().get_code(fullname)
        if ready is not None:
            data, code = ready
        else:
            data = self.get_data(path)
            try:
                code = self.source_to_code(data, path)
            except SyntaxError as exc:
                if exc.filename and exc.lineno:
                    raise
                raise located(exc, data, path) from exc
        self._source = data
        write_cache(path, code, info)
        return code


def cache_is_trustworthy(path, src=None):
    """Report whether path's .pyc was written after the source's last change.

    The pyc records the source mtime in whole seconds; it can only be stale when
    the source changed after the pyc was written (ctime, which utime cannot set
    back) or within the second the pyc records. src is path's stat, if taken.
    """
    try:
        if src is None:
            src = os.stat(path)
        pyc = os.stat(cache_from_source(path))
    except (OSError, NotImplementedError, ValueError):
        return False
    return (int(pyc.st_mtime) > int(src.st_mtime)
            and pyc.st_mtime_ns > src.st_ctime_ns)


def refresh_trusted_cache(path, data, info, read):
    """Rewrite path's .pyc when CPython would still trust it for the new source
    data (an edit within the second the .pyc records, keeping the size): an
    in-place reload does not import the module, so a later process would
    otherwise load the old code. read(path) returns bytes or None."""
    if sys.dont_write_bytecode or _matching_pyc(path, info, read) is None:
        return False
    try:
        code = compile(data, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    write_cache(path, code, info)
    return True


def _matching_pyc(path, info, read):
    """Return path's timestamp .pyc (bytes) when its header records exactly
    info's mtime and size, as CPython checks before trusting it; else None."""
    try:
        pyc = read(cache_from_source(path))
    except (NotImplementedError, ValueError):
        return None
    if (not pyc or len(pyc) < 16 or pyc[4:8] != b"\0\0\0\0"
            or int.from_bytes(pyc[8:12], "little") != int(info.st_mtime) & 0xFFFFFFFF
            or int.from_bytes(pyc[12:16], "little") != info.st_size & 0xFFFFFFFF):
        return None
    return pyc


def module_code(path, data, info, read):
    """Return the code object of path's source data: from its .pyc when CPython
    would trust it for exactly this source (same mtime and size, written after
    the last change), else compiled. Raises SyntaxError at the bad line."""
    pyc = _matching_pyc(path, info, read) if cache_is_trustworthy(path, info) else None
    if pyc is not None:
        try:
            return marshal.loads(pyc[16:])
        except (EOFError, ValueError, TypeError):
            pass
    try:
        code = compile(data, path, "exec", dont_inherit=True)
    except SyntaxError as exc:
        if exc.filename and exc.lineno:
            raise
        raise located(exc, data, path) from exc
    write_cache(path, code, info)
    return code


def write_cache(path, code, info):
    """Write path's .pyc for code compiled from the source info describes, as
    an import would (unless bytecode writing is off); errors are ignored."""
    if sys.dont_write_bytecode or info is None:
        return
    try:
        pyc = _bootstrap_external._code_to_timestamp_pyc(code, int(info.st_mtime), info.st_size)
        machinery.SourceFileLoader("_", path)._cache_bytecode(path, cache_from_source(path), pyc)
    except Exception:
        pass


def located(exc, data, path):
    """Return a SyntaxError for an undecodable source, at the first bad byte."""
    start = 0
    try:
        decode_source(data)
    except UnicodeDecodeError as err:
        start = err.start
    except Exception:
        start = 0
    line = data.count(b"\n", 0, start) + 1
    col = start - (data.rfind(b"\n", 0, start) + 1) + 1
    text = data.splitlines()[line - 1].decode("latin-1") if data else ""
    return SyntaxError(exc.msg, (path, line, col, text))


class FreshFinder:
    """Meta-path finder for the modules under prefixes that live in the workspace."""

    def __init__(self, prefixes, root, libdirs, real=paths.real, precompiled=None):
        self.prefixes = tuple(prefixes)
        self.root = root
        self.libdirs = libdirs
        self.real = real
        self.precompiled = precompiled
        self.codes = {}  # path -> ((mtime_ns, size), module code, source) compiled

    def find_spec(self, fullname, path=None, target=None):
        if not any(paths.in_tree(fullname, p) for p in self.prefixes):
            return None
        spec = machinery.PathFinder.find_spec(fullname, path)
        if spec is None:
            return None
        loader = spec.loader
        if (type(loader) is machinery.SourceFileLoader and spec.origin
                and paths.is_workspace(spec.origin, self.root, self.libdirs, self.real)):
            keys = {loader.path, self.real(loader.path)}
            spec.loader = FreshSourceLoader(loader.name, loader.path, self.codes, keys,
                                            self.precompiled)
        return spec

    def invalidate_caches(self):
        return None


class installed:
    """Context manager that puts a FreshFinder first on sys.meta_path."""

    def __init__(self, prefixes, root, libdirs, real=paths.real, precompiled=None):
        self.finder = FreshFinder(prefixes, root, libdirs, real, precompiled)

    def __enter__(self):
        sys.meta_path.insert(0, self.finder)
        return self.finder

    def __exit__(self, *exc):
        try:
            sys.meta_path.remove(self.finder)
        except ValueError:
            pass
        return False
