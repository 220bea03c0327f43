"""One pass over the garbage collector's objects, filtered by exact type.

A host may set ``state.accel`` to an object with ``instances_of(types) -> list``
that does the filtering in C; otherwise gc.get_objects() is filtered here with
C-level helpers (map/Counter) so the pure-Python path stays lean.
"""

import collections
import gc


def count(st, classes):
    """Return {class: number of live instances} for the exact classes given."""
    classes = tuple(classes)
    if not classes:
        return {}
    accel = getattr(st, "accel", None)
    if accel is not None:
        found = accel.instances_of(classes)
        counts = collections.Counter(map(type, found))
        del found
    else:
        objs = gc.get_objects()
        counts = collections.Counter(map(type, objs))
        del objs
    return {cls: counts[cls] for cls in classes if counts.get(cls)}


def instances(st, classes):
    """Return the live instances whose exact type is one of classes."""
    classes = tuple(classes)
    if not classes:
        return []
    accel = getattr(st, "accel", None)
    if accel is not None:
        return list(accel.instances_of(classes))
    wanted = set(classes)
    objs = gc.get_objects()
    try:
        return [o for o in objs if type(o) in wanted]
    finally:
        del objs
