"""State kept by a host between engine calls: old generations, reports, caches."""

import threading
import types
import weakref

from . import paths


class OldModule:
    """One replaced module object and what it defined (one generation)."""

    __slots__ = ("name", "file", "ref", "namespace", "names", "classes", "functions", "gen")

    def __init__(self, module, gen):
        self.name = module.__name__
        self.file = paths.module_path(module)
        self.ref = weakref.ref(module)
        # The namespace is held strongly: old functions are recognised by
        # their __globals__ identity, which must stay unique while recorded.
        self.namespace = vars(module)
        self.names = frozenset(self.namespace)
        self.gen = gen
        self.classes = []
        self.functions = []
        seen = set()
        for value in list(self.namespace.values()):
            if type(value) not in _PLAIN:
                _collect(value, self.name, self.namespace, self.classes, self.functions,
                         seen)


# Exact types that are never a function, class, staticmethod, classmethod or
# property: _collect skips them without a call (most module and class entries).
_PLAIN = frozenset((
    int, float, complex, bool, str, bytes, type(None), dict, list, tuple, set, frozenset,
    types.ModuleType, types.BuiltinFunctionType, types.GetSetDescriptorType,
    types.MemberDescriptorType, types.WrapperDescriptorType, types.MethodDescriptorType,
))


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
        # Interrupt a re-import that runs past its deadline (hosts that interrupt
        # runaway calls themselves may turn this off).
        self.watchdog = kind == "agent"
        self.libdirs = paths.library_dirs(self.root)
        self.generations = {}  # package -> [OldModule] of every earlier reload
        self.reports = {}  # package -> last report
        self.order = {}  # package -> module names in import order
        self.patched = weakref.WeakKeyDictionary()  # old object -> new it now mirrors
        self.indexes = {}  # path -> (mtime_ns, size, locate.Index)
        self.codes = {}  # path -> ((mtime_ns, size), module code, source bytes or None)
        self.codedefs = {}  # path -> ((mtime_ns, size), locate.CodeDefs or None)
        self.count = 0  # reloads done
        self.lock = threading.RLock()  # one request at a time, queued

    def old_modules(self, package):
        """Return the OldModule records of package, oldest first."""
        return list(self.generations.get(package, ()))
