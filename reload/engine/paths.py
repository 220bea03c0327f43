"""Path facts: workspace membership, stdlib/site-packages detection, display paths."""

import os
import sys
import sysconfig


def real(path):
    """Return the absolute, symlink-resolved form of path."""
    return os.path.realpath(os.path.abspath(path))


class Resolver:
    """real() for one request: each path, and each directory, is resolved once.

    realpath lstat()s every component; here a file costs one lstat once its
    directory is known: real(dir/name) is real(dir)/name unless name is a
    link. Make a new one per request: files may change between requests.
    """

    def __init__(self):
        self.dirs = {}
        self.files = {}

    def real(self, path):
        hit = self.files.get(path)
        if hit is not None:
            return hit
        full = os.path.abspath(path)
        head, tail = os.path.split(full)
        if not tail or tail in (os.curdir, os.pardir):
            out = os.path.realpath(full)
        else:
            base = self.dirs.get(head)
            if base is None:
                base = self.dirs[head] = os.path.realpath(head)
            out = os.path.join(base, tail)
            if os.path.islink(out):
                out = os.path.realpath(out)
        self.files[path] = out
        return out


def under(path, root):
    """Report whether path is root or lies below it (both already real)."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def library_dirs(root):
    """Return the real directories of the stdlib and installed packages."""
    found = set()
    try:
        conf = sysconfig.get_paths()
    except Exception:
        conf = {}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        if conf.get(key):
            found.add(real(conf[key]))
    found.add(real(os.path.dirname(os.__file__)))
    for entry in sys.path:
        base = os.path.basename(entry.rstrip(os.sep))
        if base in ("site-packages", "dist-packages"):
            found.add(real(entry))
    for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix}:
        lib = os.path.join(prefix, "lib")
        if not under(real(root), real(prefix)):
            found.add(real(lib))
    return tuple(sorted(found))


def is_workspace(path, root, libdirs, real=real):
    """Report whether path is a workspace source: below root, not in a library dir."""
    if not path:
        return False
    path = real(path)
    if not under(path, root):
        return False
    parts = path[len(root):].split(os.sep)
    if "site-packages" in parts or "dist-packages" in parts:
        return False
    return not any(under(path, d) and not under(root, d) for d in libdirs)


def module_path(module):
    """Return the file (or first namespace directory) of module, or None."""
    try:
        ns = vars(module)
    except TypeError:
        return None
    path = ns.get("__file__")
    if isinstance(path, str):
        return path
    locations = ns.get("__path__")
    try:
        for loc in locations or ():
            if isinstance(loc, str):
                return loc
    except Exception:
        return None
    return None


def display(path, root, real=real):
    """Return path relative to root with forward slashes, or absolute outside it."""
    if not path:
        return "?"
    full = real(path)
    if under(full, root):
        return os.path.relpath(full, root).replace(os.sep, "/")
    return full


def in_tree(name, package):
    """Report whether module name is package or one of its submodules."""
    return name == package or name.startswith(package + ".")


def source_stamp(path):
    """Return (mtime_ns, size) of a Python source file, the key under which
    what was read or derived from it is cached; None for a path that is not
    a .py file or cannot be read."""
    if not path or not path.endswith(".py"):
        return None
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size)


def loaded_modules():
    """Return [(name, module)] of sys.modules, each module object once and
    `__main__` first (billiard and multiprocessing alias `__mp_main__` to it:
    anything found there would otherwise be found twice)."""
    out = []
    seen = set()
    for name, module in sorted(list(sys.modules.items()), key=lambda kv: kv[0] != "__main__"):
        if module is None or id(module) in seen:
            continue
        seen.add(id(module))
        out.append((name, module))
    return out
