"""Old objects take their new definitions in place: a table of update rules.

Like IPython's autoreload UPDATE_RULES, each rule is a (test, updater) pair;
an updater changes the old object so that every existing reference to it runs
the new code, and returns '' or what it could not do (then the old object is
left exactly as it was). Finding the function inside a decorated value
(functools.wraps chains, closures of wrappers, property parts, a framework
object's callback) is `inner_functions`.
"""

import enum
import types

FUNCTION = types.FunctionType
# Attributes under which framework objects keep the function they wrap
# (click commands, Celery tasks, functools.partial, bound methods).
HOLDER_ATTRS = ("__wrapped__", "__func__", "callback", "run", "func", "fn", "fget",
                "fset", "fdel", "view_func", "endpoint")
CLASS_SKIP = frozenset(("__dict__", "__weakref__", "__module__", "__qualname__",
                        "__slots__", "__mro__", "__bases__", "__doc__"))


def inner_functions(value, name, path, depth=4):
    """Return the plain functions named name, compiled from path, reachable from
    value through wrappers (outermost first, each once)."""
    if type(value) is not FUNCTION:
        # The usual case, a functools.wraps chain (lru_cache, most decorators).
        try:
            inner = vars(value).get("__wrapped__") if hasattr(value, "__dict__") else None
        except TypeError:
            inner = None
        if (type(inner) is FUNCTION and inner.__code__.co_name == name
                and _same_file(inner.__code__.co_filename, path)
                and vars(inner).get("__wrapped__") is None and not inner.__closure__):
            return [inner]
    out = []
    seen = set()
    stack = [(value, 0)]
    while stack:
        cur, level = stack.pop(0)
        if id(cur) in seen or level > depth:
            continue
        seen.add(id(cur))
        if type(cur) is FUNCTION:
            code = cur.__code__
            if code.co_name == name and _same_file(code.co_filename, path):
                out.append(cur)
            for cell in cur.__closure__ or ():
                try:
                    stack.append((cell.cell_contents, level + 1))
                except ValueError:
                    pass
        elif isinstance(cur, type):
            continue
        if isinstance(cur, types.ModuleType):
            continue
        for attr in HOLDER_ATTRS:
            try:
                part = getattr(cur, attr, None)
            except Exception:  # a proxy or property that raises outside its context
                continue
            if part is not None and part is not cur:
                stack.append((part, level + 1))
        if type(cur) is not FUNCTION:
            try:
                extra = list(vars(cur).values())[:64]
            except TypeError:
                extra = ()
            stack.extend((part, level + 1) for part in extra if type(part) is FUNCTION)
    return out


def _same_file(a, b):
    return a == b or (a and b and a.endswith(b.rsplit("/", 1)[-1]) and _real(a) == _real(b))


def _real(path):
    import os
    try:
        return os.path.realpath(path)
    except (OSError, ValueError):
        return path


def update_function(old, new, owner=None, in_place=True):
    """Give old new's code, defaults, annotations, doc and dict; its closure
    cells take new's contents, except, in place, a cell holding an object that
    is itself updated in place (`__class__` of a method keeps the class it
    lives in; a wrapped function keeps its identity and gets the new code).
    Evict's patch (in_place false) takes every cell: the old instances move to
    the new class, and the new wrapped function is the one to call."""
    if old is new:
        return ""
    ocode, ncode = old.__code__, new.__code__
    if ocode.co_freevars != ncode.co_freevars:
        return "its free variables changed (%s -> %s)" % (
            ", ".join(ocode.co_freevars) or "none", ", ".join(ncode.co_freevars) or "none")
    cells = []
    for name, cell_old, cell_new in zip(ocode.co_freevars, old.__closure__ or (),
                                        new.__closure__ or ()):
        if name == "__class__" and in_place:
            continue  # the old class is the one being kept
        try:
            value = cell_new.cell_contents
        except ValueError:
            continue
        try:
            current = cell_old.cell_contents
        except ValueError:
            current = None
        if in_place and type(current) is FUNCTION and type(value) is FUNCTION and (
                current.__code__.co_name == value.__code__.co_name):
            continue  # a wrapped function: updated by its own pairing
        cells.append((cell_old, value))
    old.__code__ = ncode
    for cell, value in cells:
        cell.cell_contents = value
    old.__defaults__ = new.__defaults__
    old.__kwdefaults__ = new.__kwdefaults__
    for attr in ("__doc__", "__annotations__"):
        try:
            setattr(old, attr, getattr(new, attr))
        except (AttributeError, TypeError):
            pass
    old.__dict__.update(new.__dict__)
    if owner is not None:
        bind_class_cell(old, owner)
    return ""


def bind_class_cell(func, cls):
    """Point the `__class__` cell of a method (zero-argument super()) at cls."""
    code = getattr(func, "__code__", None)
    if code is None or "__class__" not in code.co_freevars:
        return
    cell = func.__closure__[code.co_freevars.index("__class__")]
    try:
        cell.cell_contents = cls
    except (ValueError, TypeError):
        pass


def layout_problem(old, new):
    """Return why instances of old could not become instances of new in place,
    or '' when old can take new's namespace."""
    if isinstance(old, enum.EnumMeta) or isinstance(new, enum.EnumMeta):
        if list(getattr(old, "__members__", {})) != list(getattr(new, "__members__", {})) or [
                m.value for m in old] != [m.value for m in new]:
            return "its members changed"
    if type(old) is not type(new):
        return "its metaclass changed"
    if _names(old.__bases__) != _names(new.__bases__):
        return "its base classes changed"
    # Fields before __slots__: a slotted attrs class or dataclass whose fields
    # changed is named by its fields (its slots follow them).
    for attr, what in (("__dataclass_fields__", "dataclass fields"),
                       ("__attrs_attrs__", "attrs fields"), ("_fields", "fields")):
        a, b = vars(old).get(attr), vars(new).get(attr)
        if (a is None) != (b is None):
            return "its %s changed" % what
        if a is not None and _field_names(a) != _field_names(b):
            return "its %s changed" % what
    if vars(old).get("__slots__") != vars(new).get("__slots__"):
        return "its __slots__ changed"
    if old.__basicsize__ != new.__basicsize__ or old.__itemsize__ != new.__itemsize__:
        return "its instance layout changed"
    return ""


def _names(bases):
    return [getattr(b, "__module__", "") + "." + getattr(b, "__qualname__", "") for b in bases]


def _field_names(fields):
    if isinstance(fields, dict):
        return list(fields)
    try:
        return [getattr(f, "name", f) for f in fields]
    except TypeError:
        return fields


def update_class(old, new, path, pair=None):
    """Give old class new's namespace: members that are functions in both take
    the new code in place (keeping identity), the rest are set; members new
    lacks are removed. pair(old_member, new_member, name) patches nested
    classes. Returns '' or the problems met."""
    problems = []
    old_space = dict(vars(old))
    new_space = dict(vars(new))
    for key, value in new_space.items():
        if key in CLASS_SKIP or type(value).__name__ in ("member_descriptor",
                                                       "getset_descriptor"):
            continue
        current = old_space.get(key)
        problem = update_member(old, key, current, value, path, pair)
        if problem:
            problems.append("%s: %s" % (key, problem))
    for key in old_space:
        if key not in new_space and key not in CLASS_SKIP:
            try:
                delattr(old, key)
            except Exception as exc:  # a metaclass may refuse (SQLAlchemy's mapped classes)
                problems.append("%s: %s" % (key, exc))
    doc = new_space.get("__doc__")
    try:
        old.__doc__ = doc
    except (AttributeError, TypeError):
        pass
    return "; ".join(problems)


def update_member(cls, key, current, value, path, pair=None):
    """Update one member of cls in place when current and value are the same
    kind of thing, else set value (re-pointing its zero-argument super())."""
    if current is value:
        return ""
    if type(current) is FUNCTION and type(value) is FUNCTION:
        return update_function(current, value, cls)
    if isinstance(current, (staticmethod, classmethod)) and type(current) is type(value):
        inner_old, inner_new = current.__func__, value.__func__
        if type(inner_old) is FUNCTION and type(inner_new) is FUNCTION:
            return update_function(inner_old, inner_new, cls)
    if type(current) is property and type(value) is property:
        parts = [(getattr(current, p), getattr(value, p)) for p in ("fget", "fset", "fdel")]
        if all((a is None) == (b is None) for a, b in parts):
            for a, b in parts:
                if type(a) is FUNCTION and type(b) is FUNCTION:
                    problem = update_function(a, b, cls)
                    if problem:
                        return problem
            try:
                current.__doc__ = value.__doc__
            except (AttributeError, TypeError):
                pass
            return ""
    if isinstance(current, type) and isinstance(value, type) and pair is not None:
        problem = pair(current, value, key)
        if not problem:
            return ""
    for func in _functions_of(value):
        bind_class_cell(func, cls)
    try:
        setattr(cls, key, value)
    except Exception as exc:  # a metaclass may refuse (SQLAlchemy's mapped classes)
        return str(exc)
    return ""


def _functions_of(value):
    if type(value) is FUNCTION:
        return [value]
    if isinstance(value, (staticmethod, classmethod)):
        return [value.__func__] if type(value.__func__) is FUNCTION else []
    if type(value) is property:
        return [f for f in (value.fget, value.fset, value.fdel) if type(f) is FUNCTION]
    return []
