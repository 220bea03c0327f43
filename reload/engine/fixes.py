"""Fixes for stale references: rebind, patch in place, reload dependents.

apply runs one kind (fixrebind, fixpatch, fixdependents) on the findings
select picks. Each returns FixResult dicts saying what changed and, when
nothing could, why.
"""

from . import fixdependents
from . import fixpatch
from . import fixrebind
from . import scan

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
        return fixrebind.rebind(st, package, selected)
    if kind == "patch":
        return fixpatch.patch_all(st, package, selected, whole=not targets)
    return fixdependents.dependents(st, package, selected)


def select(current, targets):
    """Return the entries of current whose data matches one of targets (all if none)."""
    if not targets:
        return list(current)
    keys = ("code", "holder", "name", "target")
    wanted = [{k: t.get(k) for k in keys if t.get(k) is not None} for t in targets]
    return [e for e in current
            if any(all(e["data"].get(k) == v for k, v in w.items()) for w in wanted)]
