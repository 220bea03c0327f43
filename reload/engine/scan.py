"""Stale-reference scan: what outside a reloaded package still points at old code.

Holder modules (workspace modules outside the package, and __main__) are read
through their namespaces (their values walked by holderwalk's rule); instances
come from one filtered pass over the gc heap; subclasses from
type.__subclasses__; threads from sys._current_frames.
No per-object gc.get_referrers walk is ever made.
"""

import collections
import enum
import sys
import threading
import types

from . import entries
from . import heap
from . import holderwalk
from . import locate
from . import oldobjects
from . import paths


def workspace_modules(st, also=None):
    """Return [(name, module)] of __main__ and the workspace's modules (and
    those also(name) accepts), each module object once (billiard and
    multiprocessing alias `__mp_main__` to `__main__`: findings would come
    twice)."""
    out = []
    for name, module in paths.loaded_modules():
        if not isinstance(module, types.ModuleType):
            continue
        path = paths.module_path(module)
        if (name == "__main__" or (also is not None and also(name))
                or (path and st.sources.is_workspace(path))):
            out.append((name, module))
    return out


def holder_modules(st, package):
    """Return [(name, module)] of workspace modules outside package, plus __main__."""
    return [(n, m) for n, m in workspace_modules(st) if not paths.in_tree(n, package)]


class _Scan:
    """One scan of a package: the old objects, and what was found and hit
    (old generations something still refers to)."""

    def __init__(self, st, package):
        self.st = st
        self.old = oldobjects.Old(st, package)
        self.found = []
        self.hits = set()

    def index(self, path):
        return locate.index(self.st, path)

    def add(self, om, code, message, where, holder, name, target, new=None, count=1):
        self.hits.add(id(om))
        self.found.append(entries.stale(code, message, where, holder, name, target, new,
                                        count=count, real=self.st.real))


class _Holder:
    """A module looked at for bindings: its name, file, index and namespace."""

    def __init__(self, sc, name, module):
        self.name = name
        self.path = paths.module_path(module)
        self.rel = paths.display(self.path, sc.st.root, sc.st.real)
        self.idx = sc.index(self.path)
        self.space = vars(module)

    def where(self, name):
        """Return (how, (path, span)) of name's binding here, or (None, None)."""
        hit = self.idx.binding(name) if self.idx is not None else None
        if hit is None:
            return None, None
        return hit[0], (self.path, hit[1])

    def at(self, name):
        """Return (where, "imported at line N")."""
        how, where = self.where(name)
        return where, entries.at_line(how, where[1] if where else None)


def scan(st, package):
    """Return the Stale dicts of package; prune generations nothing refers to."""
    sc = _Scan(st, package)
    if not sc.old.mods:
        return []
    for hname, hmod in holder_modules(st, package):
        _scan_holder(sc, _Holder(sc, hname, hmod))
    _scan_libraries(sc, package)
    _scan_instances(sc)
    _scan_subclasses(sc)
    _scan_threads(sc)
    _prune(st, package, sc.hits)
    return sorted(sc.found, key=entries.sort_key)


def _prune(st, package, hits):
    """Forget old modules that nothing referenced in this scan. Whether the
    old module object is still alive does not count: the records hold the
    old namespaces, and old modules refer to each other (package attributes,
    `from pkg import mod`), so they would keep each other alive forever and
    every reload would add a generation to scan."""
    keep = [om for om in st.generations.get(package, ()) if id(om) in hits]
    st.generations[package] = keep


def _scan_holder(sc, h):
    old = sc.old
    for name, value in list(h.space.items()):
        if name.startswith("__") and name.endswith("__"):
            continue
        own = old.owner(value)
        member = old.enum_member(value) if own is None else None
        if member is not None:
            _member(sc, h, name, member)
        elif own is not None:
            _binding(sc, h, name, own)
        elif id(type(value)) in old.classes and old.instance_binding(value):
            _instance(sc, h, name, value)
        elif isinstance(value, holderwalk.CONTAINERS) or holderwalk.is_plain_instance(value) or (
                isinstance(value, type) and getattr(value, "__module__", None) == h.name):
            _callbacks(sc, h, name, value)
    if h.idx is not None:
        _deleted_uses(sc, h)


def library_modules(package):
    """Return [(name, module)] of installed packages' modules (site-packages,
    dist-packages): frameworks keep user code there (a CLI's app, a server's
    handler). The standard library is left out."""
    out = []
    for name, module in paths.loaded_modules():
        path = paths.module_path(module) or ""
        if ("site-packages" in path or "dist-packages" in path) and not paths.in_tree(
                name, package) and isinstance(module, types.ModuleType):
            out.append((name, module))
    return out


def _scan_libraries(sc, package):
    """Old code held in installed packages' objects: reported once per old
    object, at the user's definition (what registered it), the holder named
    as the adapters know it."""
    old = sc.old
    seen_targets = {e["target"] for e in sc.found}
    for hname, hmod in library_modules(package):
        for name, value in list(vars(hmod).items()):
            if not (isinstance(value, holderwalk.CONTAINERS)
                    or holderwalk.is_plain_instance(value)):
                continue
            for kind, om, obj in holderwalk.old_callables(old, value):
                sc.hits.add(id(om))
                new = old.counterpart(kind, om, obj)
                target = old.target(kind, om, obj)
                if old.is_fixed(obj, new) or target in seen_targets:
                    continue
                seen_targets.add(target)
                loc, span = old.definition_span(kind, om, new)
                where = (loc["file"], span) if loc is not None and span else None
                label = sc.st.describe(value) if sc.st.describe is not None else None
                what = label or "`%s.%s`" % (hname, name)
                msg = ("%s (in the installed package `%s`) holds the old `%s`; patch in place "
                       "so it runs the new code, or re-register it" % (what, hname, target))
                sc.add(om, "stale-callback", msg, where, hname, name, target, loc)


def _binding(sc, h, name, own):
    old = sc.old
    kind, om, obj = own
    sc.hits.add(id(om))
    new = old.counterpart(kind, om, obj)
    if old.is_fixed(obj, new):
        return
    target = old.target(kind, om, obj)
    where, at = h.at(name)
    if kind == "module":
        code = "stale-module"
        msg = "`%s` in %s still refers to the old module `%s`; %s" % (name, h.rel, target, at)
    elif new is None and old.deleted(kind, om, obj):
        code = "deleted-name"
        msg = ("`%s` in %s is bound to `%s`, which the new `%s` no longer defines; %s"
               % (name, h.rel, target, om.name, at))
    else:
        code = "stale-import"
        msg = "`%s` in %s still refers to the old `%s`; %s" % (name, h.rel, target, at)
    sc.add(om, code, msg, where, h.name, name, target, old.definition(kind, om, new))


def _instance(sc, h, name, value):
    """An old module-level instance (e.g. a default object) imported elsewhere."""
    om, key = sc.old.instance_binding(value)
    target = "%s.%s" % (om.name, key)
    where, at = h.at(name)
    current = sys.modules.get(om.name)
    newloc = None
    if current is not None:
        cpath = paths.module_path(current)
        cidx = sc.index(cpath)
        hit = cidx.binding(key) if cidx is not None else None
        if hit is not None:
            newloc = entries.location(cpath, hit[1], sc.st.real)
    msg = "`%s` in %s still refers to the old `%s`; %s" % (name, h.rel, target, at)
    sc.add(om, "stale-import", msg, where, h.name, name, target, newloc)


def _member(sc, h, name, member):
    """A member of an old enum bound in a holder: it no longer equals the new
    enum's member of that name."""
    old = sc.old
    om, cls, key = member
    target = "%s.%s.%s" % (om.name, cls.__qualname__, key)
    where, at = h.at(name)
    msg = ("`%s` in %s is the old enum member `%s`, which no longer equals the new one; %s"
           % (name, h.rel, target, at))
    sc.add(om, "stale-import", msg, where, h.name, name, target,
           old.definition("class", om, old.counterpart("class", om, cls)))



def _callbacks(sc, h, name, value):
    old, st = sc.old, sc.st
    for kind, om, obj in holderwalk.old_callables(old, value):
        sc.hits.add(id(om))
        new = old.counterpart(kind, om, obj)
        if old.is_fixed(obj, new):
            continue
        target = old.target(kind, om, obj)
        where, at = h.at(name)
        twice = new is not None and holderwalk.contains_identity(value, new)
        state = ("next to the new one, so it is registered twice" if twice
                 else "registered before the reload")
        label = st.describe(value) if st.describe is not None else None
        what = "`%s` in %s%s" % (name, h.rel, " (%s)" % label if label else "")
        msg = ("%s holds the old `%s` (%s); re-register the new one or patch "
               "in place; %s" % (what, target, state, at))
        sc.add(om, "stale-callback", msg, where, h.name, name, target,
               old.definition(kind, om, new))


def _deleted_uses(sc, h):
    old = sc.old
    seen = set()
    for base, attr, span in h.idx.uses:
        parts = base.split(".")
        obj = h.space.get(parts[0])
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
               % (attr, modname, h.rel, base, attr, span[0]))
        sc.found.append(entries.stale("deleted-name", msg, (h.path, span), h.name, attr, target,
                                      real=sc.st.real))


def _scan_instances(sc):
    st, old = sc.st, sc.old
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
        sc.hits.add(id(om))
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
        sc.add(om, "stale-instance", msg, where, om.name, cls.__qualname__, target, loc,
               count=number)


def _scan_subclasses(sc):
    st, old = sc.st, sc.old
    for cls, om in list(old.classes.values()):
        try:
            subs = type.__subclasses__(cls)
        except TypeError:
            continue
        for sub in subs:
            if id(sub) in old.classes or paths.in_tree(
                    getattr(sub, "__module__", "") or "", old.package):
                continue
            holder = sub.__module__
            hmod = sys.modules.get(holder)
            path = paths.module_path(hmod) if hmod is not None else None
            idx = sc.index(path)
            span = idx.defs.get(sub.__qualname__) if idx is not None else None
            target = old.target("class", om, cls)
            at = ("class at line %d" % span[0]) if span else "not located in the source"
            msg = "`%s` in %s derives from the old `%s`; %s" % (
                sub.__qualname__, paths.display(path, st.root, st.real), target, at)
            new = old.counterpart("class", om, cls)
            sc.add(om, "stale-subclass", msg, (path, span) if span else None, holder,
                   sub.__qualname__, target, old.definition("class", om, new))


def _scan_threads(sc):
    st, old = sc.st, sc.old
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
        sc.add(om, "stale-thread", msg, where, tname, func, target)
