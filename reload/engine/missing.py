"""A reload refused because a loaded module's source file is gone.

Dropping the module would lose it for good (nothing would import it again once
the file is back); running on would hide the deletion. Both modes refuse, at
the line that imports the module when one does, and the loaded module stays.
"""

import os

from . import failure as failuremod
from . import locate
from . import paths
from . import statements


def sources_gone(st, live):
    """Return [(name, path)] of live workspace modules whose .py file is gone."""
    out = []
    for name, module in live.items():
        path = paths.module_path(module)
        if (path and path.endswith(".py") and not os.path.exists(path)
                and paths.is_workspace(path, st.root, st.libdirs, st.real)):
            out.append((name, path))
    return out


def failure(st, live, missing):
    """A refusal for modules whose source files are gone, at the line that
    imports the first of them when one does."""
    names = ", ".join("`%s` (%s)" % (n, paths.display(p, st.root, st.real)) for n, p in missing)
    fail = failuremod.refusal(
        "the source of %s is missing; restore it: the process keeps the loaded module "
        "until it restarts" % names, "SourceMissing")
    where = importer(st, live, missing[0][0])
    if where is not None:
        fail["file"], fail["line"], fail["column"] = st.real(where[0]), where[1][0], where[1][1]
    return fail


def importer(st, live, target):
    """Return (path, span) of a statement in live's sources importing target."""
    for name, module in live.items():
        path = paths.module_path(module)
        idx = locate.index(st, path) if path and path.endswith(".py") else None
        if idx is None or name == target:
            continue
        package = name if hasattr(module, "__path__") else name.rpartition(".")[0]
        for key, binds in idx.bindings.items():
            for kind, mod, span in binds:
                if mod is None:
                    continue
                base = statements.absolute_dotted(mod, package)
                if base == target or (kind == "from" and base and base + "." + key == target):
                    return path, span
    return None


