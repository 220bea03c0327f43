"""The rebind fix: holders, containers and subclasses point at the new objects.

repair is also the patch fix's way to drop duplicate registrations.
"""

import collections
import sys
import types

from . import entries
from . import holderwalk
from . import oldobjects
from . import patch


def rebind(st, package, selected):
    """Point holder globals and container entries at the new objects."""
    old = oldobjects.Old(st, package)
    out = []
    for entry in selected:
        code, holder, name, target = (entry["code"], entry["holder"], entry["name"],
                                      entry["target"])
        module = sys.modules.get(holder)
        result = lambda ok, detail: out.append(  # noqa: E731
            entries.fix_result("rebind", target, holder, ok, detail))
        if code in ("stale-instance", "stale-thread", "deleted-name"):
            why = {"stale-instance": "instances cannot be rebound; use patch",
                   "stale-thread": "a running frame cannot be rebound",
                   "deleted-name": "`%s` no longer exists; edit %s" % (target, holder)}
            result(False, why[code])
            continue
        if module is None:
            result(False, "module `%s` is no longer loaded" % holder)
            continue
        if code == "stale-callback":
            changed, detail = repair(old, vars(module).get(name), True, module, name)
            result(changed, "%s.%s: %s" % (holder, name, detail))
        elif code == "stale-subclass":
            result(*_rebase(old, oldobjects.walk(module, name), target))
        else:
            value = vars(module).get(name)
            member = old.enum_member(value)
            if member is not None:
                current = sys.modules.get(member[0].name)
                new_enum = oldobjects.walk(current, member[1].__qualname__) if current else None
                new = getattr(new_enum, "__members__", {}).get(member[2])
                if new is None:
                    result(False, "the new `%s` has no member %s" % (target, member[2]))
                else:
                    setattr(module, name, new)
                    result(True, "%s.%s now points at the new %s" % (holder, name, target))
                continue
            own = old.owner(value)
            bound = old.instance_binding(value) if own is None else None
            if own is None and bound is None:
                result(False, "%s.%s no longer refers to old code" % (holder, name))
                continue
            if bound is not None:
                current = sys.modules.get(bound[0].name)
                new = vars(current).get(bound[1]) if current is not None else None
            else:
                new = old.counterpart(*own)
            if new is None or type(value) is types.MethodType:
                result(False, "no new object to bind for `%s`" % target)
                continue
            setattr(module, name, new)
            result(True, "%s.%s now points at the new %s" % (holder, name, target))
    return out


def _rebase(old, sub, target):
    if not isinstance(sub, type):
        return False, "subclass not found"
    done = []
    for base in sub.__bases__:
        own = old.owner(base)
        if own is not None:
            new = old.counterpart(*own)
            if new is None:
                return False, "`%s` has no new class" % target
            problem = patch.rebase(sub, base, new)
            if problem:
                return False, "cannot rebase %s: %s" % (sub.__qualname__, problem)
            done.append(sub.__qualname__)
    return bool(done), ("%s now derives from the new %s" % (sub.__qualname__, target)
                        if done else "already rebased")


def repair(old, value, rebind_entries, module=None, name=None):
    """Fix old callables inside container value; return (changed, detail).

    An old entry whose new counterpart is already present is removed (no double
    registration); otherwise it is replaced by the new one when rebind_entries.
    """
    counts = {"replaced": 0, "removed": 0, "kept": 0}
    new_value = _repair(old, value, rebind_entries, counts, 0, set())
    if new_value is not value and module is not None:
        setattr(module, name, new_value)
    detail = ", ".join("%d %s" % (n, k) for k, n in counts.items() if n) or "nothing old"
    return bool(counts["replaced"] or counts["removed"]), detail


def _swap(old, item, rebind_entries, present):
    """Return ('keep'|'drop'|'replace', new) for one container item."""
    own = old.owner(item)
    if own is None or own[0] == "module":
        return "keep", None
    new = old.counterpart(*own)
    if new is None:
        return "keep", None
    if any(x is new for x in present):
        return "drop", None
    if rebind_entries and type(item) is not types.MethodType:
        return "replace", new
    return "keep", None


def _repair(old, value, rebind_entries, counts, depth, seen):
    if id(value) in seen or depth > holderwalk.MAX_DEPTH:
        return value
    seen.add(id(value))
    sequence = isinstance(value, (list, collections.deque))
    if sequence or isinstance(value, dict):
        present = list(value) if sequence else list(value.values())
        # Indexes backwards so deletions keep the rest in place; dict keys.
        keys = range(len(value) - 1, -1, -1) if sequence else list(value)
        for key in keys:
            how, new = _swap(old, value[key], rebind_entries, present)
            if how == "drop":
                del value[key]
                counts["removed"] += 1
            elif how == "replace":
                value[key] = new
                counts["replaced"] += 1
            else:
                value[key] = _repair(old, value[key], rebind_entries, counts, depth + 1, seen)
        return value
    if isinstance(value, set):
        present = list(value)
        for item in present:
            how, new = _swap(old, item, rebind_entries, present)
            if how in ("drop", "replace"):
                value.discard(item)
                counts["removed" if how == "drop" else "replaced"] += 1
                if new is not None:
                    value.add(new)
        return value
    if type(value) is tuple:
        items = []
        changed = False
        for item in value:
            how, new = _swap(old, item, rebind_entries, list(value))
            if how == "drop":
                counts["removed"] += 1
                changed = True
            elif how == "replace":
                items.append(new)
                counts["replaced"] += 1
                changed = True
            else:
                sub = _repair(old, item, rebind_entries, counts, depth + 1, seen)
                changed = changed or sub is not item
                items.append(sub)
        return tuple(items) if changed else value
    # Objects and classes: the same rule as the scan's walk (holderwalk.children).
    if (isinstance(value, type) and depth == 0) or holderwalk.is_plain_instance(value):
        try:
            attrs = list(vars(value).items())
        except TypeError:
            return value
        for key, item in attrs:
            if isinstance(item, holderwalk.CONTAINERS) or (
                    not isinstance(value, type) and holderwalk.descends(item)):
                fixed = _repair(old, item, rebind_entries, counts, depth + 1, seen)
                if fixed is not item:
                    setattr(value, key, fixed)
    return value
