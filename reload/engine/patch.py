"""Patch in place: old functions, classes, modules and instances take the new code.

What to update is a table of (test, updater) rules, like IPython's autoreload
UPDATE_RULES; each updater returns a short detail of what it could not do, or ''.
"""

import types

from . import update as update_rules

MODULE_KEEP = frozenset(("__name__", "__spec__", "__loader__", "__file__", "__cached__",
                         "__package__", "__path__", "__builtins__"))
CLASS_SKIP = frozenset(("__dict__", "__weakref__", "__module__", "__qualname__",
                        "__slots__", "__mro__", "__bases__"))


def update_function(st, old, new):
    """Give old function new's code, defaults, dict and closure contents (the
    in-place rule, update_rules.update_function; the `__class__` cell too, as the
    old instances move to the new class)."""
    problem = update_rules.update_function(old, new, in_place=False)
    if not problem:
        st.patched[old] = new
    return problem


def update_class(st, old, new):
    """Give old class new's attributes (methods, properties, class/static methods)."""
    problems = []
    old_space = dict(vars(old))
    new_space = dict(vars(new))
    for key, value in new_space.items():
        if key in CLASS_SKIP or type(value).__name__ == "member_descriptor":
            continue
        try:
            setattr(old, key, value)
        except (AttributeError, TypeError) as exc:
            problems.append("%s: %s" % (key, exc))
    for key in old_space:
        if key not in new_space and key not in CLASS_SKIP:
            try:
                delattr(old, key)
            except (AttributeError, TypeError) as exc:
                problems.append("%s: %s" % (key, exc))
    if not problems:
        st.patched[old] = new
    return "; ".join(problems)


def update_module(st, old_space, old_module, new):
    """Make an old module namespace take the new module's code: functions,
    classes and modules, so that old functions patched to run the new code
    call the new helpers. Data stays: the old objects that still hold it keep
    their values (the new module has its own). Returns how many data values
    were kept."""
    new_space = vars(new)
    kept = 0
    for key, value in list(new_space.items()):
        if key in MODULE_KEEP:
            continue
        if key in old_space and _is_data(old_space[key]):
            kept += 1
            continue
        old_space[key] = value
    for key in list(old_space):
        if key not in new_space and key not in MODULE_KEEP and not _is_data(old_space[key]):
            del old_space[key]
    if old_module is not None:
        st.patched[old_module] = new
    return kept


def _is_data(value):
    return not isinstance(value, (type, types.ModuleType, types.FunctionType,
                                  types.BuiltinFunctionType))


def _both(kind):
    return lambda old, new: isinstance(old, kind) and isinstance(new, kind)


UPDATE_RULES = (
    (_both(types.FunctionType), update_function),
    (_both(type), update_class),
)


def update(st, old, new):
    """Apply the first matching rule; return (changed, detail)."""
    for test, updater in UPDATE_RULES:
        if test(old, new):
            problem = updater(st, old, new)
            return (not problem), problem
    return False, "no rule patches a %s" % type(old).__name__


def swap_instances(objs, new):
    """Set __class__ of every obj to new where the layout allows; return (done, failed)."""
    done = failed = 0
    for obj in objs:
        try:
            obj.__class__ = new
            done += 1
        except TypeError:
            failed += 1
    return done, failed


def rebase(sub, old, new):
    """Replace old by new among sub's bases; return '' or the reason it could not."""
    try:
        sub.__bases__ = tuple(new if base is old else base for base in sub.__bases__)
        return ""
    except TypeError as exc:
        return str(exc)
