"""What an in-place reload could not update, as Stale entries.

After an in-place reload most old objects run the new code, so only these are
reported, each at the user's line with what fixes it:
- a class replaced because its layout changed (slots, dataclass or attrs
  fields, bases, an enum's members): its live instances (stale-instance) and
  subclasses outside the package (stale-subclass), and modules still binding
  it (stale-import);
- a function whose free variables changed: it keeps the old code wherever it
  was taken before the reload (not-updated);
- a name the edit deleted that other modules still bind or use (deleted-name);
- threads still running code the reload replaced (stale-thread).
"""

import gc
import sys
import threading
import types

from . import entries
from . import heap
from . import locate
from . import paths
from . import scan as stale_scan


def scan(st, package, outcome):
    """Return the Stale dicts for what outcome could not update in place."""
    found = []
    classes = {}
    for module, name, old, new, why in outcome.replaced:
        if isinstance(old, type):
            classes[old] = (module, name, new, why)
        elif callable(old):
            found.append(_function(st, module, name, old, new, why))
    if classes:
        _classes(st, package, classes, found)
    _deleted(st, package, outcome, found)
    _reassigned(st, outcome, found)
    _threads(st, outcome, found)
    found.extend(outcome.findings)
    return sorted([f for f in found if f is not None], key=entries.sort_key)


def _definition(st, module, qual, fallback=None):
    """Return (where, Location) of qual's definition in module's current source."""
    current = sys.modules.get(module)
    path = paths.module_path(current) if current is not None else None
    span = locate.find_def(st, path, qual) if path else None
    if span is None and fallback is not None:
        code = getattr(fallback, "__code__", None)
        if code is not None:
            line = code.co_firstlineno
            return (code.co_filename, (line, 1, line + 1, 1)), entries.location(
                code.co_filename, (line, 1), st.real)
        return None, None
    if span is None:
        return None, None
    return (path, span), entries.location(path, span, st.real)


def _function(st, module, name, old, new, why):
    qual = getattr(new if new is not None else old, "__qualname__", name)
    # A closure is located at the function that makes it.
    where, loc = _definition(st, module, qual.split(".<locals>.")[0], new)
    target = "%s.%s" % (module, qual)
    msg = ("`%s` could not take the new code in place: %s; references taken before "
           "this reload (decorators, registries, other packages) run the old code until "
           "they are made again or the process restarts" % (target, why))
    return entries.stale("not-updated", msg, where, module, name, target, loc, real=st.real)


def _classes(st, package, classes, found):
    counts = heap.count(st, list(classes))
    if counts:
        # Instances found may only be waiting for the collector (a cycle left
        # by an earlier call): collect once, only in this rare case, and count
        # again, so the count is what the program still holds.
        gc.collect()
        counts = heap.count(st, list(classes))
    for old, (module, name, new, why) in classes.items():
        qual = getattr(new, "__qualname__", name)
        where, loc = _definition(st, module, qual)
        target = "%s.%s" % (module, qual)
        number = counts.get(old, 0)
        if isinstance(old, type) and hasattr(old, "__members__") and hasattr(old, "_member_map_"):
            number = _held_members(st, old)
            if number:
                msg = ("enum `%s` was replaced, not updated: %s; %d old member%s held "
                       "elsewhere no longer equal%s the new ones; make %s again or restart"
                       % (target, why, number, "" if number == 1 else "s",
                          "s" if number == 1 else "", "it" if number == 1 else "them"))
                found.append(entries.stale("stale-instance", msg, where, module, name, target,
                                           loc, count=number, real=st.real))
            continue
        if number:
            noun = "instance" if number == 1 else "instances"
            msg = ("%d %s of the old `%s` %s the old class: %s, so %s cannot take the "
                   "new definition in place; make %s again or restart"
                   % (number, noun, target, "keeps" if number == 1 else "keep", why,
                      "it" if number == 1 else "they", "it" if number == 1 else "them"))
            found.append(entries.stale("stale-instance", msg, where, module, name, target, loc,
                                       count=number, real=st.real))
        for sub in type.__subclasses__(old):
            holder = getattr(sub, "__module__", "") or ""
            if paths.in_tree(holder, package) and vars(sys.modules.get(holder, sys)).get(
                    sub.__name__) is not sub:
                continue
            hmod = sys.modules.get(holder)
            path = paths.module_path(hmod) if hmod is not None else None
            idx = locate.index(st, path) if path else None
            span = idx.defs.get(sub.__qualname__) if idx is not None else None
            at = ("class at line %d" % span[0]) if span else "not located in the source"
            msg = ("`%s` in %s derives from the old `%s`, which was replaced (%s); %s"
                   % (sub.__qualname__, paths.display(path, st.root, st.real), target, why, at))
            found.append(entries.stale("stale-subclass", msg, (path, span) if span else None,
                                       holder, sub.__qualname__, target, loc, real=st.real))


def _held_members(st, enum_cls):
    """Count old enum members bound in workspace modules (values or one level
    into their containers)."""
    members = {id(m) for m in enum_cls}
    number = 0
    for name, module in stale_scan.workspace_modules(st):
        for value in list(vars(module).values()):
            if id(value) in members:
                number += 1
            elif isinstance(value, (list, tuple, set, frozenset)):
                number += sum(1 for v in list(value)[:10000] if id(v) in members)
            elif isinstance(value, dict):
                items = list(value.items())[:10000]
                number += sum(1 for k, v in items if id(v) in members or id(k) in members)
    return number


def _deleted(st, package, outcome, found):
    gone = {}
    for module, name, old in outcome.deleted:
        gone[(module, name)] = old
    if not gone:
        return
    by_id = {id(old): key for key, old in gone.items()
             if not isinstance(old, (int, str, bytes, float, bool, type(None)))}
    for hname, hmod in stale_scan.workspace_modules(st):
        path = paths.module_path(hmod)
        idx = locate.index(st, path) if path else None
        rel = paths.display(path, st.root, st.real)
        space = vars(hmod)
        for key, value in list(space.items()):
            hit = by_id.get(id(value))
            if hit is None or hit[0] == hname:
                continue
            module, name = hit
            span = None
            how = None
            if idx is not None and idx.binding(key) is not None:
                how, span = idx.binding(key)
            target = "%s.%s" % (module, name)
            msg = ("`%s` in %s is bound to `%s`, which the new `%s` no longer defines; %s"
                   % (key, rel, target, module, entries.at_line(how, span)))
            found.append(entries.stale("deleted-name", msg, (path, span) if span else None,
                                       hname, key, target, real=st.real))
        if idx is None:
            continue
        seen = set()
        for base, attr, span in idx.uses:
            parts = base.split(".")
            obj = space.get(parts[0])
            for part in parts[1:]:
                obj = vars(obj).get(part) if isinstance(obj, types.ModuleType) else None
            if not isinstance(obj, types.ModuleType):
                continue
            module = obj.__name__
            if (module, attr) not in gone or attr in vars(obj) or (module, attr, span[0]) in seen:
                continue
            seen.add((module, attr, span[0]))
            target = "%s.%s" % (module, attr)
            msg = ("`%s` was removed from `%s` but %s still uses `%s.%s` at line %d"
                   % (attr, module, rel, base, attr, span[0]))
            found.append(entries.stale("deleted-name", msg, (path, span), hname, attr, target,
                                       real=st.real))


def _reassigned(st, outcome, found):
    """From-imports of a value that changed which the program reassigned since:
    left alone (it chose its own value), and said so at the import line."""
    for holder, key, source in outcome.reassigned:
        hmod = sys.modules.get(holder)
        path = paths.module_path(hmod) if hmod is not None else None
        idx = locate.index(st, path) if path else None
        hit = idx.binding(key) if idx is not None else None
        span = None
        if idx is not None:
            for kind, module, where in idx.bindings.get(key, ()):
                if kind == "from":
                    span = where
                    break
        if span is None and hit is not None:
            span = hit[1]
        target = "%s.%s" % (source, key)
        msg = ("`%s` in %s was imported from `%s`, which has a new value now, and was "
               "reassigned since: it keeps the program's value" % (
                   key, paths.display(path, st.root, st.real), source))
        found.append(entries.stale("stale-import", msg, (path, span) if span else None,
                                   holder, key, target, real=st.real))


def _threads(st, outcome, found):
    if not outcome.old_codes:
        return
    me = threading.get_ident()
    names = {t.ident: t.name for t in threading.enumerate()}
    for ident, frame in list(sys._current_frames().items()):
        if ident == me:
            continue
        while frame is not None and id(frame.f_code) not in outcome.old_codes:
            frame = frame.f_back
        if frame is None or outcome.old_codes[id(frame.f_code)][0] is not frame.f_code:
            continue
        code, module, qual = outcome.old_codes[id(frame.f_code)]
        target = "%s.%s" % (module, qual)
        tname = names.get(ident, "thread-%d" % ident)
        line = frame.f_lineno
        path = code.co_filename
        msg = ("thread `%s` is still running the old `%s` at %s:%d; it runs the new code "
               "once it calls it again" % (tname, target, paths.display(path, st.root, st.real),
                                          line))
        where = (path, (line, 1, line + 1, 1)) if line else None
        found.append(entries.stale("stale-thread", msg, where, tname, qual, target,
                                   real=st.real))

