"""State kept by a host between engine calls: old generations, reports, caches."""

import sys
import threading
import types
import weakref

from . import paths
from . import sources


class OldModule:
    """One replaced module object and what it defined (one generation)."""

    __slots__ = ("name", "file", "ref", "namespace", "names", "classes", "functions", "gen",
                 "made")

    def __init__(self, module, gen):
        self.name = module.__name__
        self.file = paths.module_path(module)
        self.ref = weakref.ref(module)
        # The namespace is held strongly: old functions are recognised by
        # their __globals__ identity, which must stay unique while recorded.
        self.namespace = vars(module)
        self.names = frozenset(self.namespace)
        self.gen = gen
        # Functions made inside another (a decorator's lambda or wrapper), by
        # the name the module bound them to: their qualnames do not say it, and
        # a patch may rebind the namespace later.
        self.made = _made_functions(self.namespace, self.name)
        self.classes = []
        self.functions = []
        _record(self.namespace, self.name, self.classes, self.functions)


# Exact types that are never a function, class, staticmethod, classmethod or
# property: _collect skips them without a call (most module and class entries).
_PLAIN = frozenset((
    int, float, complex, bool, str, bytes, type(None), dict, list, tuple, set, frozenset,
    types.ModuleType, types.BuiltinFunctionType, types.GetSetDescriptorType,
    types.MemberDescriptorType, types.WrapperDescriptorType, types.MethodDescriptorType,
))


# Exact types _collect looks into (besides plain functions); an object that is
# none of them records nothing and is skipped without a call.
_SPECIAL = (staticmethod, classmethod, property, type)
_FUNCTION = types.FunctionType
_ref = weakref.ref


def _record(namespace, modname, classes, functions):
    """Fill classes and functions of the module owning namespace, in the same
    order, with the same objects, as _collect on each namespace value would:
    plain functions and classes (most entries that are not plain values) are
    handled inline, a class's methods too; other kinds go through _collect."""
    seen = set()
    add = seen.add
    for value in list(namespace.values()):
        kind = type(value)
        if kind in _PLAIN:
            continue
        if kind is _FUNCTION:
            if id(value) not in seen:
                add(id(value))
                if value.__globals__ is namespace:
                    functions.append(_ref(value))
                else:  # a wrapper made elsewhere (functools.wraps): the function inside
                    _record_wrapped(value, namespace, functions, seen)
            continue
        if kind is not type:
            if isinstance(value, _SPECIAL):
                _collect(value, modname, namespace, classes, functions, seen)
            continue
        # An exact `type` instance: a class, as _collect treats it.
        if id(value) in seen:
            continue
        add(id(value))
        if getattr(value, "__module__", None) != modname:
            continue
        try:
            classes.append(_ref(value))
        except TypeError:
            continue
        for item in list(vars(value).values()):
            kind = type(item)
            if kind in _PLAIN:
                continue
            if kind is _FUNCTION:
                if id(item) not in seen:
                    add(id(item))
                    if item.__globals__ is namespace:
                        functions.append(_ref(item))
                continue
            if kind is property or kind is staticmethod or kind is classmethod:
                # Inline what _collect does for these, functions inside inline too.
                if id(item) in seen:
                    continue
                add(id(item))
                parts = ((item.fget, item.fset, item.fdel) if kind is property
                         else (item.__func__,))
                for part in parts:
                    if part is None:
                        continue
                    if type(part) is _FUNCTION:
                        if id(part) not in seen:
                            add(id(part))
                            if part.__globals__ is namespace:
                                functions.append(_ref(part))
                    else:
                        _collect(part, modname, namespace, classes, functions, seen)
                continue
            _collect(item, modname, namespace, classes, functions, seen)


def _made_functions(namespace, modname):
    """{id(function): "name" or "Class.name"} of the functions made inside
    another that the module (or one of its classes) binds."""
    out = {}
    for key, value in list(namespace.items()):
        if type(value) is types.FunctionType and "<locals>" in value.__qualname__:
            out[id(value)] = key
        elif type(value) is type and getattr(value, "__module__", None) == modname:
            for member, item in list(vars(value).items()):
                if isinstance(item, (staticmethod, classmethod)):
                    item = item.__func__
                if type(item) is types.FunctionType and "<locals>" in item.__qualname__:
                    out[id(item)] = "%s.%s" % (value.__qualname__, member)
    return out


def _record_wrapped(value, namespace, functions, seen):
    """Record the functions of namespace found along value's __wrapped__ chain."""
    for _ in range(10):
        try:
            value = vars(value).get("__wrapped__")
        except TypeError:
            return
        if type(value) is not _FUNCTION or id(value) in seen:
            return
        seen.add(id(value))
        if value.__globals__ is namespace:
            functions.append(_ref(value))


def _collect(value, modname, namespace, classes, functions, seen):
    """Record classes and functions defined by the module owning namespace."""
    if id(value) in seen:
        return
    seen.add(id(value))
    if type(value) is types.FunctionType:  # function cannot be subclassed
        if value.__globals__ is namespace:
            functions.append(weakref.ref(value))
        return
    if isinstance(value, (staticmethod, classmethod)):
        _collect(value.__func__, modname, namespace, classes, functions, seen)
        return
    if isinstance(value, property):
        for part in (value.fget, value.fset, value.fdel):
            if part is not None:
                _collect(part, modname, namespace, classes, functions, seen)
        return
    if isinstance(value, type) and getattr(value, "__module__", None) == modname:
        try:
            classes.append(weakref.ref(value))
        except TypeError:
            return
        for item in list(vars(value).values()):
            kind = type(item)
            if kind in _PLAIN:
                continue
            if kind is types.FunctionType:  # most class entries: methods, inline
                if id(item) not in seen:
                    seen.add(id(item))
                    if item.__globals__ is namespace:
                        functions.append(weakref.ref(item))
                continue
            _collect(item, modname, namespace, classes, functions, seen)


class State:
    """Everything the engine remembers for one interpreter."""

    def __init__(self, root, kind):
        self.root = paths.real(root)
        self.kind = kind
        self.accel = None  # host may set: object with instances_of(types) -> list
        # paths.real, or during a request (api.handle) a paths.Resolver's real:
        # resolved paths are cached for one request only.
        self.real = paths.real
        # Interrupt a re-import that runs past its deadline: the engine's own
        # deadline, in every host (engine.start; the embedded host's interrupt
        # of a runaway call is only its backstop).
        self.watchdog = True
        self.libdirs = paths.library_dirs(self.root)
        # The source each workspace module was loaded from (in-place reloads
        # compare it with the file): an audit hook records imports from now on.
        self.sources = sources.Sources(self.root, self.libdirs)
        sources.install_hook(self.sources)
        self.sources.sweep([m for m in list(sys.modules.values()) if m is not None])
        self.generations = {}  # package -> [OldModule] of every earlier reload
        self.reports = {}  # package -> last report
        self.order = {}  # package -> module names in import order
        self.patched = weakref.WeakKeyDictionary()  # old object -> new it now mirrors
        self.indexes = {}  # path -> (mtime_ns, size, locate.Index)
        self.codes = {}  # path -> ((mtime_ns, size), module code, source bytes or None)
        self.codedefs = {}  # path -> ((mtime_ns, size), codedefs.CodeDefs or None)
        self.socket = None  # the host's socket path, named in reports
        self.describe = None  # adapters.describe (set by api): names holders for users
        # fw_sqlalchemy's findings that stay until a model matches its mapping.
        self.fw_sqlalchemy_pending = None
        self.compilers = None  # precompile.Pool, started by the first big reload
        self.count = 0  # reloads done
        self.lock = threading.RLock()  # one request at a time, queued

    def old_modules(self, package):
        """Return the OldModule records of package, oldest first."""
        return list(self.generations.get(package, ()))
