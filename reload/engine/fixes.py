"""Fixes for stale references: rebind, patch in place, reload dependents.

Each returns FixResult dicts saying what changed and, when nothing could, why.
"""

import enum
import importlib
import sys
import time
import types

from . import entries
from . import failure
from . import fresh
from . import heap
from . import locate
from . import locks
from . import oldobjects
from . import patch
from . import paths
from . import scan
from . import watchdog

KINDS = ("rebind", "patch", "dependents", "all")


def apply(st, package, kind, targets):
    """Run fix kind for the stale entries matching targets (empty: all); return results."""
    if kind not in KINDS:
        raise ValueError("unknown fix kind %r" % (kind,))
    if kind == "all":
        results = apply(st, package, "patch", targets)
        return results + apply(st, package, "rebind", targets)
    current = scan.scan(st, package)
    selected = select(current, targets)
    if kind == "rebind":
        return rebind(st, package, selected)
    if kind == "patch":
        return patch_all(st, package, selected, whole=not targets)
    return dependents(st, package, selected)


def select(current, targets):
    """Return the entries of current whose data matches one of targets (all if none)."""
    if not targets:
        return list(current)
    keys = ("code", "holder", "name", "target")
    wanted = [{k: t.get(k) for k in keys if t.get(k) is not None} for t in targets]
    return [e for e in current
            if any(all(e["data"].get(k) == v for k, v in w.items()) for w in wanted)]


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
    if id(value) in seen or depth > scan.MAX_DEPTH:
        return value
    seen.add(id(value))
    sequence = isinstance(value, (list, scan.collections.deque))
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
    # Objects and classes: the same rule as the scan's walk (scan.children).
    if (isinstance(value, type) and depth == 0) or scan._is_plain_instance(value):
        try:
            attrs = list(vars(value).items())
        except TypeError:
            return value
        for key, item in attrs:
            if isinstance(item, scan.CONTAINERS) or (
                    not isinstance(value, type) and scan.descends(item)):
                fixed = _repair(old, item, rebind_entries, counts, depth + 1, seen)
                if fixed is not item:
                    setattr(value, key, fixed)
    return value


def patch_all(st, package, selected, whole):
    """Patch old functions, classes, modules and instances to mirror the new code."""
    run = _Patch(st, package, selected, whole)
    run.functions()
    run.classes()
    run.instances()
    run.modules()
    return run.results()


class _Patch:
    """One patch fix: what it selected, and what each step did (done: target ->
    (changed, detail)), for the results."""

    def __init__(self, st, package, selected, whole):
        self.st = st
        self.package = package
        self.old = oldobjects.Old(st, package)
        self.selected = selected
        self.whole = whole
        self.wanted = {e["target"] for e in selected}
        self.done = {}
        self.tally = {"functions": 0, "classes": 0, "modules": 0}
        self.problems = []
        self.patched_classes = {}  # old class -> (target, new class)
        self.moved = self.failed = 0

    def pick(self, target):
        return self.whole or target in self.wanted or any(
            target.startswith(w + ".") for w in self.wanted)

    def functions(self):
        old = self.old
        for om in old.mods:
            if sys.modules.get(om.name) is None:
                continue
            for ref in om.functions:
                func = ref()
                if func is None:
                    continue
                target = old.target("function", om, func)
                new = old.counterpart("function", om, func, unwrap=True)
                if (not self.pick(target) or new is None or new is func
                        or old.is_fixed(func, new)):
                    continue
                changed, problem = patch.update(self.st, func, new)
                self.tally["functions"] += changed
                self.done[target] = (changed, problem or "old function now runs the new code")
                if problem:
                    self.problems.append("%s: %s" % (target, problem))

    def classes(self):
        old = self.old
        for cls, om in list(old.classes.values()):
            target = old.target("class", om, cls)
            new = old.counterpart("class", om, cls)
            if not self.pick(target) or not isinstance(new, type) or new is cls:
                continue
            if isinstance(cls, enum.EnumMeta):
                # Moving members to the new enum would make `member == Enum.MEMBER`
                # false for every member held before; rebind the holders instead.
                self.done[target] = (False, "an enum is not patched in place (its members "
                                     "are the old enum's); rebind what holds them")
                continue
            changed, problem = patch.update(self.st, cls, new)
            self.tally["classes"] += changed
            self.patched_classes[cls] = (target, new)
            self.done[target] = (changed, problem or "old class now has the new attributes")
            for sub in type.__subclasses__(cls):
                if id(sub) not in old.classes and not paths.in_tree(sub.__module__,
                                                                     self.package):
                    reason = patch.rebase(sub, cls, new)
                    self.done.setdefault(target + "#sub", (not reason, reason))

    def instances(self):
        classes = self.patched_classes
        if not classes:
            return
        by_type = {}
        for obj in heap.instances(self.st, classes):
            by_type.setdefault(type(obj), []).append(obj)
        for cls, objs in by_type.items():
            ok, bad = patch.swap_instances(objs, classes[cls][1])
            self.moved += ok
            self.failed += bad
            self.done[classes[cls][0]] = (bad == 0, "%d instances moved to the new class%s" % (
                ok, ", %d could not (layout differs)" % bad if bad else ""))

    def modules(self):
        old = self.old
        for om in old.mods:
            current = sys.modules.get(om.name)
            module = om.ref()
            if current is None or current is module or not self.pick(om.name):
                continue
            if module is not None and old.is_fixed(module, current):
                continue
            kept = patch.update_module(self.st, om.namespace, module, current)
            self.tally["modules"] += 1
            self.done.setdefault(om.name, (True, "old module namespace now has the new code%s" % (
                "; it kept its %s (the new module has its own)" % _count(kept, "data value")
                if kept else "")))

    def results(self):
        out = []
        done = self.done
        for entry in self.selected:
            target, holder = entry["target"], entry["holder"]
            if entry["code"] == "stale-callback":
                module = sys.modules.get(holder)
                value = vars(module).get(entry["name"]) if module is not None else None
                changed, detail = repair(self.old, value, False)
                base = done.get(target, (False, "no new object to patch with"))
                out.append(entries.fix_result("patch", target, holder, base[0],
                                              base[1] + "; duplicates: " + detail))
                continue
            if entry["code"] == "stale-subclass":
                base = done.get(target + "#sub", (False, "not rebased"))
            elif entry["code"] == "stale-thread":
                base = (False, "the running frame keeps its old code until it returns")
            else:
                base = done.get(target, (False, "no new object to patch with"))
            out.append(entries.fix_result("patch", target, holder, base[0], base[1]))
        if self.whole:
            tally = self.tally
            detail = "patched %s, %s, %s; moved %s" % (
                _count(tally["functions"], "function"), _count(tally["classes"], "class"),
                _count(tally["modules"], "module"), _count(self.moved, "instance"))
            if self.failed:
                detail += ", %d could not be moved" % self.failed
            if self.problems:
                detail += "; not patched: " + "; ".join(self.problems[:5])
            out.append(entries.fix_result("patch", self.package, "", True, detail))
        return out


def _count(n, noun):
    """Return "1 class", "2 classes", "0 functions"."""
    if n == 1:
        return "1 " + noun
    return "%d %s" % (n, noun + ("es" if noun.endswith("s") else "s"))


def dependents(st, package, selected):
    """Reload the holder modules in place, in dependency order, workspace only."""
    holders = []
    out = []
    for entry in selected:
        holder = entry["holder"]
        if "dependents" not in entries.FIXES.get(entry["code"], ()) or holder in holders:
            continue
        module = sys.modules.get(holder)
        if holder == "__main__":
            out.append(entries.fix_result("dependents", entry["target"], holder, False,
                                          "the main script cannot be reloaded"))
        elif module is None or paths.in_tree(holder, package) or not paths.is_workspace(
                paths.module_path(module), st.root, st.libdirs, st.real):
            out.append(entries.fix_result("dependents", entry["target"], holder, False,
                                          "`%s` is not a workspace module" % holder))
        else:
            holders.append(holder)
    for holder in _dependency_order(st, holders):
        fail = reload_in_place(st, holder)
        if fail is None:
            out.append(entries.fix_result("dependents", package, holder, True,
                                          "reloaded %s" % holder))
        else:
            out.append(entries.fix_result(
                "dependents", package, holder, False, "reloading %s failed and was rolled "
                "back: %s: %s" % (holder, fail["type"], fail["message"])))
    return out


def _dependency_order(st, holders):
    """Order holders so that a module comes after the holders it imports."""
    deps = {}
    for name in holders:
        idx = locate.index(st, paths.module_path(sys.modules[name]))
        imports = set()
        pkg = name if hasattr(sys.modules[name], "__path__") else name.rpartition(".")[0]
        for mod in (idx.imports if idx else ()):
            if mod.startswith("."):
                level = len(mod) - len(mod.lstrip("."))
                base = pkg.rsplit(".", level - 1)[0] if level > 1 else pkg
                mod = (base + "." + mod.lstrip(".")).rstrip(".")
            imports.add(mod)
        deps[name] = {h for h in holders if h != name and any(
            paths.in_tree(m, h) or paths.in_tree(h, m) for m in imports)}
    order = []
    while len(order) < len(holders):
        ready = [h for h in holders if h not in order and deps[h] <= set(order)]
        order.append(ready[0] if ready else next(h for h in holders if h not in order))
    return order


def reload_in_place(st, name, timeout_s=watchdog.DEFAULT_SECONDS):
    """importlib.reload one module under its lock with fresh bytecode; restore on error."""
    module = sys.modules[name]
    held = locks.acquire([name], time.monotonic() + timeout_s)
    snapshot = dict(vars(module))
    before = set(sys.modules)
    try:
        importlib.invalidate_caches()
        with fresh.installed([name], st.root, st.libdirs, st.real):
            importlib.reload(module)
        return None
    except BaseException as exc:  # restore the module exactly as it was
        space = vars(module)
        space.clear()
        space.update(snapshot)
        sys.modules[name] = module
        for key in list(sys.modules):
            if key not in before and paths.is_workspace(
                    paths.module_path(sys.modules.get(key)), st.root, st.libdirs):
                sys.modules.pop(key, None)
        return failure.from_exception(exc, st.root, st.libdirs)
    finally:
        locks.release(held)
