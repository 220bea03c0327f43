"""The patch fix: old functions, classes, modules and instances mirror the new code."""

import enum
import sys

from . import entries
from . import fixrebind
from . import heap
from . import oldobjects
from . import patch
from . import paths


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
                changed, detail = fixrebind.repair(self.old, value, False)
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
