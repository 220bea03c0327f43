"""The old objects of a package's earlier generations, indexed for identity checks.

Old functions are recognised by their __globals__ being an old module namespace,
old classes and modules by identity. Counterparts are looked up in the module
that is in sys.modules now.
"""

import enum
import sys
import types

from . import locate
from . import paths


class Old:
    """Identity index of everything earlier reloads of one package replaced."""

    def __init__(self, st, package):
        self.st = st
        self.package = package
        self.mods = st.old_modules(package)
        self.by_ns = {id(om.namespace): om for om in self.mods}
        self.modules = {}
        self.classes = {}
        self._instances = None
        for om in self.mods:
            module = om.ref()
            if module is not None:
                self.modules[id(module)] = (module, om)
            for ref in om.classes:
                cls = ref()
                if cls is not None:
                    self.classes[id(cls)] = (cls, om)

    def instance_binding(self, value):
        """Return (om, name) when value is an old-class instance bound in an old module."""
        if self._instances is None:
            self._instances = {}
            for om in self.mods:
                for key, item in list(om.namespace.items()):
                    if id(type(item)) in self.classes:
                        self._instances.setdefault(id(item), (om, key, item))
        hit = self._instances.get(id(value))
        return (hit[0], hit[1]) if hit is not None and hit[2] is value else None

    def owner(self, value):
        """Return (kind, OldModule, object) when value is old code, else None."""
        kind = type(value)
        if kind is types.FunctionType:
            om = self.by_ns.get(id(value.__globals__))
            if om is None:  # a wrapper made elsewhere around an old function
                inner = self.wrapped(value)
                return ("function", inner[0], inner[1]) if inner is not None else None
            return ("function", om, value)
        if kind is types.MethodType:
            func = value.__func__
            if type(func) is types.FunctionType:
                om = self.by_ns.get(id(func.__globals__))
                return ("function", om, func) if om is not None else None
            return None
        if kind is types.ModuleType:
            hit = self.modules.get(id(value))
            return ("module", hit[1], value) if hit else None
        if isinstance(value, type):
            hit = self.classes.get(id(value))
            return ("class", hit[1], value) if hit else None
        return None

    def wrapped(self, value):
        """Return (om, function) of the old function inside a wrapper's
        __wrapped__ chain (functools.wraps), or None."""
        for _ in range(10):
            try:
                value = vars(value).get("__wrapped__")
            except TypeError:
                return None
            if type(value) is not types.FunctionType:
                return None
            om = self.by_ns.get(id(value.__globals__))
            if om is not None:
                return om, value
        return None

    def enum_member(self, value):
        """Return (om, enum class, member name) when value is a member of an old enum."""
        if not isinstance(value, enum.Enum):
            return None
        hit = self.classes.get(id(type(value)))
        if hit is None:
            return None
        return hit[1], hit[0], value.name

    def target(self, kind, om, obj):
        """Return the qualified name of an old object, e.g. shop.core.hello."""
        if kind == "module":
            return om.name
        return "%s.%s" % (om.name, self.local_name(om, obj))

    def local_name(self, om, obj):
        qual = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", "?")
        if "<locals>" in qual:
            # Made inside a decorator: named by where the module bound it.
            key = om.made.get(id(obj))
            if key is not None:
                return key
        return qual

    def counterpart(self, kind, om, obj, unwrap=False):
        """Return the object that replaces obj in the current module, or None.
        With unwrap, a function's counterpart is the function itself, not the
        wrapper or property the module binds in its place (what patching needs)."""
        current = sys.modules.get(om.name)
        if kind == "module":
            return current if current is not obj else None
        if current is None:
            return None
        new = walk(current, self.local_name(om, obj))
        if unwrap and kind == "function":
            return same_function(new, obj)
        return new

    def deleted(self, kind, om, obj):
        """Report whether the current module no longer defines obj's top-level name."""
        current = sys.modules.get(om.name)
        if kind == "module" or current is None:
            return False
        top = self.local_name(om, obj).split(".")[0]
        return top in om.names and top not in vars(current)

    def is_fixed(self, obj, new):
        """Report whether obj was patched to mirror exactly new."""
        if new is None:
            return False
        try:
            return self.st.patched.get(obj) is new
        except TypeError:
            return False

    def definition(self, kind, om, new):
        """Return a Location dict of new's definition, or None."""
        return self.definition_span(kind, om, new)[0]

    def definition_span(self, kind, om, new):
        """Return (Location dict or None, span): span is the header span of
        new.__qualname__ in the Location's file when the Location came from
        it, else None."""
        current = sys.modules.get(om.name)
        path = paths.module_path(current) if current is not None else None
        if not path or new is None:
            return None, None
        if kind == "module":
            return {"file": self.st.real(path), "line": 1, "column": 1}, None
        qual = getattr(new, "__qualname__", None)
        span = locate.find_def(self.st, path, qual) if isinstance(qual, str) else None
        if span is not None:
            real = self.st.real(path)
            # The same answer find_def gives for the resolved file (same .py
            # file, same contents); a link to a non-.py file gives none there.
            same = real == path or real.endswith(".py")
            return ({"file": real, "line": span[0], "column": span[1]},
                    span if same else None)
        code = getattr(new, "__code__", None)
        if code is not None:
            return ({"file": self.st.real(code.co_filename), "line": code.co_firstlineno,
                     "column": 1}, None)
        return None, None


def same_function(new, old):
    """The function in new (itself, inside a property, or along its
    __wrapped__ chain) that corresponds to the old function, or None."""
    if isinstance(new, property):
        parts = [p for p in (new.fget, new.fset, new.fdel) if type(p) is types.FunctionType]
        code = old.__code__
        same = [p for p in parts if p.__code__.co_argcount == code.co_argcount]
        return (same or parts or [None])[0]
    for _ in range(10):
        if type(new) is not types.FunctionType:
            return None
        if new.__code__.co_name == old.__code__.co_name:
            return new
        new = vars(new).get("__wrapped__")
    return None


def walk(module, qualname):
    """Look qualname up in module through namespaces only (no __getattr__ hooks)."""
    current = module
    for part in qualname.split("."):
        try:
            space = vars(current)
        except TypeError:
            return None
        if part not in space:
            return None
        current = space[part]
        if isinstance(current, (staticmethod, classmethod)):
            current = current.__func__
    return current
