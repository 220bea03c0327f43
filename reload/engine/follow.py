"""Dependents of an in-place reload: changed values followed to where modules hold them.

A mixin of inplace.Txn. Names other modules still bind to a value that changed
are rebound to the new one; the package's modules that held one run again,
wave after wave.
"""

from . import locate
from . import paths
from . import runphase
from . import scan
from . import statements

_MISSING = runphase.MISSING
# Values that many names share by identity (small ints, interned strings):
# a module binding one is a dependent only under the same name.
_SHARED = (int, float, bool, str, bytes, type(None), tuple, frozenset)


class Follow:
    """inplace.Txn's following of changed values to the modules holding them."""

    def follow(self, ran):
        """Rebind, in other modules, names still bound to values that changed
        in the modules of ran (one pass over the holders for the whole wave);
        return the package modules to run again."""
        by_id, by_name = {}, {}
        for name in ran:
            for key, (old, new) in self.changes.get(name, {}).items():
                if new is _MISSING or old is _MISSING or (name, key) in self.followed:
                    continue
                self.followed.add((name, key))
                if not isinstance(old, _SHARED):
                    by_id[id(old)] = (name, key, old, new)
                by_name.setdefault(key, {})[name] = (old, new)
        if not by_id and not by_name:
            return []
        out = []
        for hname, hmod in self.holders():
            if self.force_all and hname in self.ctx.modules:
                continue  # it ran whole after what it imports: its imports took the new values
            space = vars(hmod)
            imported = None  # key -> modules the holder from-imports it from
            for key, value in list(space.items()):
                hit = by_id.get(id(value))
                if hit is not None and hit[2] is value and hit[0] != hname:
                    source, new = hit[0], hit[3]
                elif key in by_name:
                    # A value many names share (a small int, a string): only a
                    # from-import of that name from that module counts.
                    if imported is None:
                        imported = _from_imports(self.st, hmod)
                    source = new = None
                    # `from M import *` takes every public name of M.
                    for name in imported.get(key, set()) | imported.get("*", set()):
                        old_new = by_name[key].get(name)
                        if old_new is None or name == hname:
                            continue
                        if old_new[0] is value:
                            source, new = name, old_new[1]
                            break
                        if old_new[1] is not value:  # the program assigned its own value
                            self.out.reassigned.append((hname, key, name))
                    if source is None:
                        continue
                else:
                    continue
                self.snapshot(hname, hmod)
                space[key] = new
                self.out.rebound.append((hname, key, "%s.%s" % (source, key)))
                if paths.in_tree(hname, self.package):
                    self.changed(hname, key, value, new)
                    if hname not in out:
                        out.append(hname)
        return out

    def holders(self):
        """Modules that may hold from-imported values: the package's, the
        workspace's and __main__."""
        return scan.workspace_modules(self.st, lambda n: paths.in_tree(n, self.package))


def _from_imports(st, holder):
    """{name: {absolute module, ...}} of holder's module-level `from M import name`."""
    path = paths.module_path(holder)
    idx = locate.index(st, path) if path else None
    if idx is None:
        return {}
    package = holder.__package__ if isinstance(getattr(holder, "__package__", None), str) else ""
    out = {}
    for key, binds in idx.bindings.items():
        for kind, module, _ in binds:
            if kind == "from" and module is not None:
                base = statements.absolute_dotted(module, package)
                if base:
                    out.setdefault(key, set()).add(base)
    return out
