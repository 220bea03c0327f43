"""Stale-reference scan: what outside a reloaded package still points at old code.

Holder modules (workspace modules outside the package, and __main__) are read
through their namespaces; instances come from one filtered pass over the gc
heap; subclasses from type.__subclasses__; threads from sys._current_frames.
No per-object gc.get_referrers walk is ever made.
"""

import collections
import enum
from itertools import islice
import sys
import threading
import types

from . import entries
from . import heap
from . import locate
from . import oldobjects
from . import paths

CONTAINERS = (list, tuple, set, frozenset, dict, collections.deque)
MAX_ITEMS = 100000
MAX_DEPTH = 3
NEST_LIMIT = 1000  # larger containers are searched for callables, not descended
WALK_BUDGET = 20000  # objects looked into below one module-level value
CALLABLE_KINDS = frozenset((types.FunctionType, types.MethodType))


def holder_modules(st, package):
    """Return [(name, module)] of workspace modules outside package, plus
    __main__, each module object once (billiard and multiprocessing alias
    `__mp_main__` to `__main__`: findings would come twice)."""
    out = []
    seen = set()
    items = sorted(list(sys.modules.items()), key=lambda kv: kv[0] != "__main__")
    for name, module in items:
        if module is None or paths.in_tree(name, package) or id(module) in seen:
            continue
        if name == "__main__" or paths.is_workspace(
                paths.module_path(module), st.root, st.libdirs, st.real):
            if isinstance(module, types.ModuleType):
                seen.add(id(module))
                out.append((name, module))
    return out


def scan(st, package):
    """Return the Stale dicts of package; prune generations nothing refers to."""
    old = oldobjects.Old(st, package)
    if not old.mods:
        return []
    found = []
    hits = set()
    index_of = lambda path: locate.index(st, path)  # noqa: E731
    for hname, hmod in holder_modules(st, package):
        _scan_holder(st, old, hname, hmod, index_of, found, hits)
    _scan_instances(st, old, index_of, found, hits)
    _scan_subclasses(st, old, index_of, found, hits)
    _scan_threads(st, old, found, hits)
    _prune(st, package, hits)
    return sorted(found, key=entries.sort_key)


def _prune(st, package, hits):
    """Forget old modules that nothing referenced in this scan. Whether the
    old module object is still alive does not count: the records hold the
    old namespaces, and old modules refer to each other (package attributes,
    `from pkg import mod`), so they would keep each other alive forever and
    every reload would add a generation to scan."""
    keep = [om for om in st.generations.get(package, ()) if id(om) in hits]
    st.generations[package] = keep


def _scan_holder(st, old, hname, hmod, index_of, found, hits):
    path = paths.module_path(hmod)
    rel = paths.display(path, st.root, st.real)
    idx = index_of(path)
    space = vars(hmod)
    for name, value in list(space.items()):
        if name.startswith("__") and name.endswith("__"):
            continue
        own = old.owner(value)
        member = old.enum_member(value) if own is None else None
        if member is not None:
            _member(st, old, hname, path, rel, idx, name, member, found, hits)
        elif own is not None:
            _binding(st, old, hname, path, rel, idx, name, own, index_of, found, hits)
        elif id(type(value)) in old.classes and old.instance_binding(value):
            _instance(st, old, hname, path, rel, idx, name, value, index_of, found, hits)
        elif isinstance(value, CONTAINERS) or _is_plain_instance(value) or (
                isinstance(value, type) and getattr(value, "__module__", None) == hname):
            _callbacks(st, old, hname, path, rel, idx, name, value, index_of, found, hits)
    if idx is not None:
        _deleted_uses(st, old, hname, path, rel, idx, space, found)


def _where(idx, path, name, package):
    if idx is None:
        return None, None
    hit = idx.binding(name)
    if hit is None:
        return None, None
    return hit[0], (path, hit[1])


def _binding(st, old, hname, path, rel, idx, name, own, index_of, found, hits):
    kind, om, obj = own
    hits.add(id(om))
    new = old.counterpart(kind, om, obj)
    if old.is_fixed(obj, new):
        return
    target = old.target(kind, om, obj)
    how, where = _where(idx, path, name, old.package)
    at = entries.at_line(how, where[1] if where else None)
    newloc = old.definition(kind, om, new)
    if kind == "module":
        code = "stale-module"
        msg = "`%s` in %s still refers to the old module `%s`; %s" % (name, rel, target, at)
    elif new is None and old.deleted(kind, om, obj):
        code = "deleted-name"
        msg = ("`%s` in %s is bound to `%s`, which the new `%s` no longer defines; %s"
               % (name, rel, target, om.name, at))
    else:
        code = "stale-import"
        msg = "`%s` in %s still refers to the old `%s`; %s" % (name, rel, target, at)
    found.append(entries.stale(code, msg, where, hname, name, target, newloc, real=st.real))


def _instance(st, old, hname, path, rel, idx, name, value, index_of, found, hits):
    """An old module-level instance (e.g. a default object) imported elsewhere."""
    om, key = old.instance_binding(value)
    hits.add(id(om))
    target = "%s.%s" % (om.name, key)
    how, where = _where(idx, path, name, old.package)
    at = entries.at_line(how, where[1] if where else None)
    current = sys.modules.get(om.name)
    newloc = None
    if current is not None:
        cpath = paths.module_path(current)
        cidx = index_of(cpath)
        hit = cidx.binding(key) if cidx is not None else None
        if hit is not None:
            newloc = entries.location(cpath, hit[1], st.real)
    msg = "`%s` in %s still refers to the old `%s`; %s" % (name, rel, target, at)
    found.append(entries.stale("stale-import", msg, where, hname, name, target, newloc, real=st.real))


def _member(st, old, hname, path, rel, idx, name, member, found, hits):
    """A member of an old enum bound in a holder: it no longer equals the new
    enum's member of that name."""
    om, cls, key = member
    hits.add(id(om))
    target = "%s.%s.%s" % (om.name, cls.__qualname__, key)
    how, where = _where(idx, path, name, old.package)
    at = entries.at_line(how, where[1] if where else None)
    msg = ("`%s` in %s is the old enum member `%s`, which no longer equals the new one; %s"
           % (name, rel, target, at))
    found.append(entries.stale("stale-import", msg, where, hname, name, target,
                               old.definition("class", om, old.counterpart("class", om, cls)),
                               real=st.real))


def _is_plain_instance(value):
    return (hasattr(value, "__dict__") and not isinstance(
        value, (type, types.ModuleType, types.FunctionType, types.MethodType,
                types.BuiltinFunctionType, enum.Enum)))


def old_callables(old, value):
    """Return [(kind, om, obj)] of old functions/classes held inside value."""
    out = []
    seen = set()
    _walk(old, value, 0, seen, out)
    return out


def _walk(old, value, depth, seen, out):
    if id(value) in seen or len(seen) > WALK_BUDGET:
        return
    seen.add(id(value))
    if isinstance(value, dict):
        items = list(islice(value.values(), MAX_ITEMS)) + list(islice(value, MAX_ITEMS))
    elif isinstance(value, CONTAINERS):
        items = list(islice(value, MAX_ITEMS))
    elif depth == 0 and isinstance(value, type):
        items = [v for v in vars(value).values() if isinstance(v, CONTAINERS)]
    elif _is_plain_instance(value):
        # Framework objects keep user code a few attributes down (an app's
        # router's routes' endpoints): objects are looked into at every depth.
        try:
            items = list(vars(value).values())
        except TypeError:
            return
    else:
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
        elif nest and (isinstance(item, CONTAINERS) or _is_plain_instance(item)):
            _walk(old, item, depth + 1, seen, out)


def contains_identity(value, obj):
    """Report whether obj is (by identity) somewhere inside container value."""
    seen = set()
    stack = [(value, 0)]
    while stack:
        cur, depth = stack.pop()
        if id(cur) in seen:
            continue
        seen.add(id(cur))
        if isinstance(cur, dict):
            items = [x for pair in list(cur.items())[:MAX_ITEMS] for x in pair]
        elif isinstance(cur, CONTAINERS):
            items = list(cur)[:MAX_ITEMS]
        elif depth == 0 and (isinstance(cur, type) or _is_plain_instance(cur)):
            try:
                items = list(vars(cur).values())
            except TypeError:
                continue
        else:
            continue
        for item in items:
            if item is obj or (type(item) is types.MethodType and item.__func__ is obj):
                return True
            if depth < MAX_DEPTH:
                stack.append((item, depth + 1))
    return False


def _callbacks(st, old, hname, path, rel, idx, name, value, index_of, found, hits):
    for kind, om, obj in old_callables(old, value):
        hits.add(id(om))
        new = old.counterpart(kind, om, obj)
        if old.is_fixed(obj, new):
            continue
        target = old.target(kind, om, obj)
        how, where = _where(idx, path, name, old.package)
        at = entries.at_line(how, where[1] if where else None)
        twice = new is not None and contains_identity(value, new)
        state = ("next to the new one, so it is registered twice" if twice
                 else "registered before the reload")
        label = st.describe(value) if st.describe is not None else None
        what = "`%s` in %s%s" % (name, rel, " (%s)" % label if label else "")
        msg = ("%s holds the old `%s` (%s); re-register the new one or patch "
               "in place; %s" % (what, target, state, at))
        found.append(entries.stale("stale-callback", msg, where, hname, name, target,
                                   old.definition(kind, om, new), real=st.real))


def _deleted_uses(st, old, hname, path, rel, idx, space, found):
    seen = set()
    for base, attr, span in idx.uses:
        parts = base.split(".")
        obj = space.get(parts[0])
        for part in parts[1:]:
            if not isinstance(obj, types.ModuleType):
                obj = None
                break
            obj = vars(obj).get(part)
        if not isinstance(obj, types.ModuleType):
            continue
        modname = getattr(obj, "__name__", "")
        if not paths.in_tree(modname, old.package):
            continue
        current = sys.modules.get(modname)
        if current is None or attr in vars(current):
            continue
        if not any(om.name == modname and attr in om.names for om in old.mods):
            continue
        key = (modname, attr, span[0])
        if key in seen:
            continue
        seen.add(key)
        target = "%s.%s" % (modname, attr)
        msg = ("`%s` was removed from `%s` but %s still uses `%s.%s` at line %d"
               % (attr, modname, rel, base, attr, span[0]))
        found.append(entries.stale("deleted-name", msg, (path, span), hname, attr, target, real=st.real))


def _scan_instances(st, old, index_of, found, hits):
    live = {}
    for cls, om in old.classes.values():
        if isinstance(cls, enum.EnumMeta):
            continue  # its members live as long as it does; held ones are bindings
        new = old.counterpart("class", om, cls)
        if not old.is_fixed(cls, new):
            live[cls] = (om, new)
    if not live:
        return
    counts = heap.count(st, live)
    if not counts:
        return
    kept = collections.Counter()
    seen = set()
    for om in old.mods:
        for value in list(om.namespace.values()):
            if type(value) in counts and id(value) not in seen:
                seen.add(id(value))
                kept[type(value)] += 1
    groups = {}
    for cls, number in counts.items():
        number -= kept.get(cls, 0)
        if number <= 0:
            continue
        om, new = live[cls]
        hits.add(id(om))
        target = old.target("class", om, cls)
        group = groups.setdefault(target, [0, om, cls, new])
        group[0] += number
        if new is not None:
            group[3] = new
    for target, (number, om, cls, new) in groups.items():
        loc, span = old.definition_span("class", om, new)
        where = None
        if loc is not None:
            if span is None:
                span = locate.find_def(st, loc["file"], new.__qualname__)
            where = (loc["file"], span) if span else None
        noun = "instance" if number == 1 else "instances"
        msg = ("%d %s of the old `%s` still alive; patch in place to move them to the "
               "new class" % (number, noun, target))
        found.append(entries.stale("stale-instance", msg, where, om.name,
                                   cls.__qualname__, target, loc, count=number, real=st.real))


def _scan_subclasses(st, old, index_of, found, hits):
    for cls, om in list(old.classes.values()):
        try:
            subs = type.__subclasses__(cls)
        except TypeError:
            continue
        for sub in subs:
            if id(sub) in old.classes or paths.in_tree(
                    getattr(sub, "__module__", "") or "", old.package):
                continue
            hits.add(id(om))
            holder = sub.__module__
            hmod = sys.modules.get(holder)
            path = paths.module_path(hmod) if hmod is not None else None
            idx = index_of(path)
            span = idx.defs.get(sub.__qualname__) if idx is not None else None
            target = old.target("class", om, cls)
            at = ("class at line %d" % span[0]) if span else "not located in the source"
            msg = "`%s` in %s derives from the old `%s`; %s" % (
                sub.__qualname__, paths.display(path, st.root, st.real), target, at)
            new = old.counterpart("class", om, cls)
            found.append(entries.stale(
                "stale-subclass", msg, (path, span) if span else None, holder,
                sub.__qualname__, target, old.definition("class", om, new), real=st.real))


def _scan_threads(st, old, found, hits):
    me = threading.get_ident()
    names = {t.ident: t.name for t in threading.enumerate()}
    for ident, frame in list(sys._current_frames().items()):
        if ident == me:
            continue
        while frame is not None:
            om = old.by_ns.get(id(frame.f_globals))
            if om is not None:
                break
            frame = frame.f_back
        if frame is None:
            continue
        hits.add(id(om))
        code = frame.f_code
        func = getattr(code, "co_qualname", code.co_name)
        target = "%s.%s" % (om.name, func)
        tname = names.get(ident, "thread-%d" % ident)
        line = frame.f_lineno
        path = code.co_filename
        msg = ("thread `%s` is still running the old `%s` at %s:%d; it runs new code "
               "only once it calls it again" % (tname, target, paths.display(path, st.root, st.real),
                                               line))
        where = (path, (line, 1, line + 1, 1)) if line else None
        found.append(entries.stale("stale-thread", msg, where, tname, func, target, real=st.real))
