"""The dependents fix: workspace modules holding old code reload, in dependency order."""

import importlib
import sys
import time

from . import entries
from . import failure
from . import fresh
from . import locate
from . import locks
from . import paths
from . import watchdog


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
