"""The walk over what a holder holds, one rule for the scan and the fixes.

Dict values then keys, other containers' items, plain objects' attributes a
few levels down and a class's containers, within budgets: which old functions
and classes a value holds, and whether it holds a given object.
"""

import collections
import enum
from itertools import islice
import types

CONTAINERS = (list, tuple, set, frozenset, dict, collections.deque)
MAX_ITEMS = 100000
MAX_DEPTH = 3
NEST_LIMIT = 1000  # larger containers are searched for callables, not descended
WALK_BUDGET = 20000  # objects looked into below one module-level value
CALLABLE_KINDS = frozenset((types.FunctionType, types.MethodType))


def is_plain_instance(value):
    return (hasattr(value, "__dict__") and not isinstance(
        value, (type, types.ModuleType, types.FunctionType, types.MethodType,
                types.BuiltinFunctionType, enum.Enum)))


def old_callables(old, value):
    """Return [(kind, om, obj)] of old functions/classes held inside value."""
    out = []
    seen = set()
    _walk(old, value, 0, seen, out)
    return out


def children(value, depth):
    """Return the objects a walk looks at inside value (None: not a holder).

    The one rule every walk over holders follows (finding old code, telling
    whether a container holds the new object, repairing containers): dict
    values then keys, the items of the other containers, the attributes of a
    plain object at any depth (framework objects keep user code a few
    attributes down: an app's router's routes' endpoints), and a class's
    container attributes at the top."""
    if isinstance(value, dict):
        return list(islice(value.values(), MAX_ITEMS)) + list(islice(value, MAX_ITEMS))
    if isinstance(value, CONTAINERS):
        return list(islice(value, MAX_ITEMS))
    if isinstance(value, type):
        if depth:
            return None
        return [v for v in vars(value).values() if isinstance(v, CONTAINERS)]
    if is_plain_instance(value):
        try:
            return list(vars(value).values())
        except TypeError:
            return None
    return None


def descends(item):
    """Report whether a walk goes on into item (below the top)."""
    return isinstance(item, CONTAINERS) or is_plain_instance(item)


def _walk(old, value, depth, seen, out):
    if id(value) in seen or len(seen) > WALK_BUDGET:
        return
    seen.add(id(value))
    items = children(value, depth)
    if items is None:
        return
    kinds = set(map(type, items))  # C-speed look at what the container holds
    direct = bool(kinds & CALLABLE_KINDS) or any(issubclass(k, type) for k in kinds)
    nest = depth < MAX_DEPTH and len(items) <= NEST_LIMIT
    if not direct and not nest:
        return
    for item in items:
        own = old.owner(item) if direct else None
        if own is not None:
            if own[0] != "module" and all(own[2] is not o[2] for o in out):
                out.append(own)
        elif nest and descends(item):
            _walk(old, item, depth + 1, seen, out)


def contains_identity(value, obj):
    """Report whether obj is (by identity) somewhere inside container value."""
    seen = set()
    stack = [(value, 0)]
    while stack:
        cur, depth = stack.pop()
        if id(cur) in seen or len(seen) > WALK_BUDGET:
            continue
        seen.add(id(cur))
        items = children(cur, depth)
        for item in items or ():
            if item is obj or (type(item) is types.MethodType and item.__func__ is obj):
                return True
            if depth < MAX_DEPTH and descends(item):
                stack.append((item, depth + 1))
    return False
