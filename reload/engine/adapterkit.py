"""What framework adapters share: which decorated functions an edit left
undecorated (a route decorator removed, while the engine keeps the function
object, which stays routed), what an adapter took care of, where a name is bound."""

import ast
import sys

from . import locate


def lost_decorators(ctx, module, name):
    """Whether the top-level def name of module had decorators before this
    reload and has none now (a route decorator removed: the engine then keeps
    the old function object, which stays routed)."""
    path = getattr(sys.modules.get(module), "__file__", None)
    if not path:
        return False
    found = []
    for data in (ctx.st.sources.before(path), ctx.st.sources.read(path)):
        try:
            tree = ast.parse(data or b"", path)
        except (SyntaxError, ValueError):
            return False
        nodes = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and n.name == name]
        found.append(bool(nodes and nodes[-1].decorator_list))
    return found == [True, False]


def remember_reruns(state, module, names):
    """Note the callables a statement that runs again binds (before it runs)."""
    space = getattr(sys.modules.get(module), "__dict__", {})
    if state is None:
        return
    for name in names:
        value = space.get(name)
        if callable(value) and not isinstance(value, type):
            state.setdefault("reran", {})[id(value)] = (module, name, value)


def unrouted(ctx, state, replaced):
    """ids of kept functions whose route decorator this reload removed."""
    out = set()
    for key, (module, name, value) in (state.get("reran") or {}).items():
        space = getattr(sys.modules.get(module), "__dict__", {})
        if key not in replaced and space.get(name) is value and lost_decorators(ctx, module, name):
            out.add(key)
    return out


def took_care(ctx, handled):
    """Take what an adapter handled out of ctx.unpaired (the callables made
    again that the engine reports as not updated otherwise)."""
    unpaired = getattr(ctx, "unpaired", None)
    if isinstance(unpaired, list):
        unpaired[:] = [u for u in unpaired if not handled(u[2])]


def binding_span(ctx, path, key):
    """The span of the statement binding key in path (its last binding)."""
    idx = locate.index(ctx.st, path) if path else None
    found = idx.bindings.get(key) if idx is not None else None
    return found[-1][2] if found else None
