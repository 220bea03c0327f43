"""Which package a request means: from a name or a file, refused when not reloadable."""

import os
import sys

from . import failure
from . import paths

ENGINE = __name__.rpartition(".")[0]


def workspace_packages(state):
    """Return the sorted top-level names of loaded workspace modules (the
    workspace check cached per path: a status comes before reloads, and
    resolving every module's path each time cost an app of a few hundred
    modules 10 ms)."""
    names = set()
    for name, module in list(sys.modules.items()):
        if module is None or name == "__main__" or _is_engine(name):
            continue
        if state.sources.is_workspace(paths.module_path(module)):
            names.add(name.partition(".")[0])
    return sorted(names)


def _is_engine(name):
    return bool(ENGINE) and paths.in_tree(name, ENGINE)


def check_name(state, name):
    """Return None when package name may be reloaded, else a Failure."""
    if not name or not isinstance(name, str):
        return failure.refusal("no package given")
    if name == "__main__" or name.startswith("__main__."):
        return failure.refusal("`__main__` is the running script and is never reloaded")
    if _is_engine(name):
        return failure.refusal("`%s` is pyreload's own engine" % name)
    module = sys.modules.get(name)
    if module is None:
        return failure.refusal("package `%s` is not loaded in this interpreter" % name,
                               "NotLoaded")
    path = paths.module_path(module)
    if path is None:
        return failure.refusal("`%s` is built in or has no source file" % name,
                               "NotInWorkspace")
    if not paths.under(state.real(path), state.root):
        return failure.refusal("`%s` is outside the workspace root" % name,
                               "NotInWorkspace")
    if not paths.is_workspace(path, state.root, state.libdirs, state.real):
        return failure.refusal("`%s` is part of the standard library or site-packages"
                               % name, "NotInWorkspace")
    return None


def from_file(state, path):
    """Return (package name, None) for the package owning path, or (None, Failure)."""
    full = state.real(path)
    if not paths.under(full, state.root):
        return None, failure.refusal("the file is outside the workspace root",
                                     "NotInWorkspace")
    if not os.path.exists(full):
        return None, failure.refusal("%s does not exist" % paths.display(full, state.root),
                                     "FileNotFound")
    for name, module in list(sys.modules.items()):
        mpath = paths.module_path(module) if module is not None else None
        if mpath and state.real(mpath) == full:
            if name == "__main__":
                return None, failure.refusal(
                    "%s is the running `__main__` script and is never reloaded"
                    % paths.display(full, state.root))
            return name.partition(".")[0], None
    name = _name_from_layout(full)
    if name is None:
        return None, failure.refusal("%s is not part of a loaded package"
                                     % paths.display(full, state.root), "NotLoaded")
    return name, None


def _name_from_layout(full):
    """The top-level package of full from the layout and the real sys.path."""
    return package_of(full, [paths.real(p or os.curdir) for p in sys.path if isinstance(p, str)])


def package_of(full, entries):
    """Return the top-level package (or module) that file full belongs to
    when the directories entries are on sys.path, or None.

    Walk up the __init__.py directories to the outermost one (else the
    file's directory); the longest entry strictly above it names the
    package by its first component (a regular package, or the namespace
    package holding it); a module directly in an entry is its own name; a
    package on no entry is named by its own directory. The Go side
    (reload.PackageOf) follows the same rule: testdata/layouts.json is the
    table both sides are tested against.
    """
    if not full.endswith(".py"):
        return None
    directory = os.path.dirname(full)
    top = None
    while os.path.isfile(os.path.join(directory, "__init__.py")):
        top = directory
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    start = top or os.path.dirname(full)
    name = None
    for entry in sorted(set(entries), key=len, reverse=True):
        if paths.under(start, entry) and start != entry:
            name = os.path.relpath(start, entry).split(os.sep)[0]
            break
        if start == entry and top is None:
            name = os.path.basename(full)[:-3]
            break
    if name is None and top is not None:
        name = os.path.basename(top)
    return name if name and name.isidentifier() and name.isascii() else None


def package(state, params):
    """Return (name, None) for the package a reload request means, or (None, Failure)."""
    name = params.get("package")
    if not name and params.get("file"):
        name, fail = from_file(state, params["file"])
        if fail is not None:
            return None, fail
    fail = check_name(state, name)
    return (None, fail) if fail else (name, None)
