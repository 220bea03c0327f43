"""Adapter: attrs and dataclasses: classes whose fields changed.

The engine's update rules already do what these need (update.layout_problem):
a method edit updates the old class in place, also in a slotted class
(`@attr.s(slots=True)`, `@attrs.define`, whose decorator made a new class:
its methods are that class's own); a change of the field set (of
`__attrs_attrs__` or `__dataclass_fields__`, checked before `__slots__`, which
follow the fields) makes the class anew, and its live instances are a
stale-instance finding with their count. This module only names such classes
for the scan.
"""

import sys

NAME = 'attrs/dataclasses'
MODULES = ('attr',)


def describe(obj):
    """An attrs class or a dataclass as its users know it."""
    if not isinstance(obj, type):
        return None
    space = vars(obj)
    if "__attrs_attrs__" in space and "attr" in sys.modules:
        kind = "attrs class"
    elif "__dataclass_fields__" in space:
        kind = "dataclass"
    else:
        return None
    return "%s `%s.%s`" % (kind, obj.__module__, obj.__qualname__)
