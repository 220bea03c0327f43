"""What a Flask reload does to objects it made again or changed in place.

An app made again hands its routes to the app object the server holds; a
blueprint made again replaces the old one on its apps; a MethodView whose
HTTP methods changed reaches its view functions and URL rules; a view that
is a twin of the function its module keeps is swapped for that function.
"""

import ast
import sys

from . import flask_routing
from . import paths


def method_views(ctx):
    """MethodView classes updated in place whose HTTP methods changed (a
    `def post` added or removed): Flask computes `methods` at class creation."""
    views = sys.modules.get("flask.views")
    base = getattr(views, "MethodView", None)
    out = []
    for (module, qual), changed in ctx.members.items():
        cls = sys.modules.get(module)
        for part in qual.split("."):
            cls = getattr(cls, part, None)
        if not (isinstance(cls, type) and base is not None and issubclass(cls, base)):
            continue
        inherited = set()
        for b in cls.__bases__:
            inherited.update(getattr(b, "methods", None) or ())
        methods = inherited | {k.upper() for k in views.http_method_funcs if hasattr(cls, k)}
        # Only methods Flask computed: one the class set itself (methods =
        # [...]) names a method without its def.
        computed = all(m in inherited or hasattr(cls, m.lower()) or m.lower() in changed
                       for m in cls.methods or ())
        if computed and methods and methods != set(cls.methods or ()):
            out.append((cls, methods))
    return out


def update_methods(state, view):
    """The class view's new methods reach the class, its view functions and
    their URL rules (a rule's methods are read when a request is matched)."""
    cls, methods = view
    old = set(cls.methods or ())
    cls.methods = methods
    with_head = methods | ({"HEAD"} if "GET" in methods else set())
    for app in state.apps:
        for endpoint, func in app.view_functions.items():
            if getattr(func, "view_class", None) is not cls:
                continue
            func.methods = methods
            for rule in app.url_map._rules_by_endpoint.get(endpoint, ()):
                if rule.methods is not None:
                    rule.methods = (set(rule.methods) - old - {"HEAD"}) | with_head


# What an app made again hands to the app object the server holds.
ROUTING = ("before_request_funcs", "after_request_funcs", "teardown_request_funcs",
           "teardown_appcontext_funcs", "error_handler_spec", "url_value_preprocessors",
           "url_default_functions", "template_context_processors",
           "shell_context_processors")


def adopt(ctx, module, key, old, new):
    """An app made again (its statement or module ran again): the server holds
    the old object, which takes the new one's URL map, views, blueprints and
    request hooks; workspace names bound to the new app point back at the old
    one. A changed config is restart-needed (extensions read it at init)."""
    unpaired = getattr(ctx, "unpaired", [])
    unpaired[:] = [u for u in unpaired if not (u[2] is old and u[3] is new)]  # taken care of
    old.url_map = new.url_map
    old.view_functions.clear()
    old.view_functions.update(new.view_functions)
    old.blueprints.clear()
    old.blueprints.update(new.blueprints)
    for attr in ROUTING:
        if hasattr(new, attr):
            setattr(old, attr, getattr(new, attr))
    for name, mod in list(sys.modules.items()):
        path = paths.module_path(mod) if mod is not None else None
        if name != "__main__" and not (path and ctx.st.sources.is_workspace(path)):
            continue
        space = getattr(mod, "__dict__", None)
        for k, v in list(space.items()) if space is not None else ():
            if v is new:
                space[k] = old
    keys = sorted(str(k) for k in set(old.config) | set(new.config)
                  if old.config.get(k, _NONE) != new.config.get(k, _NONE))
    if keys:
        ctx.report("restart-needed", "Flask app `%s` was made again: it serves the new routes, "
                   "but its config changed (%s) and the server keeps the old config: restart "
                   "the app to apply it" % (old.name, ", ".join(keys)),
                   where=_binding_line(ctx, module, key), holder="Flask app `%s`" % old.name,
                   name=key, target="%s.%s" % (module, key))


_NONE = object()


def canonical_views(ctx, app):
    """A view registered by a def that ran again may be a twin of the function
    its module keeps (the engine keeps the old function object and gives it
    the new code): the app serves the module's object, so later body edits
    reach it."""
    ran = set(ctx.ran)
    for endpoint, view in list(app.view_functions.items()):
        module = getattr(view, "__module__", None)
        if module not in ran:
            continue
        space = getattr(sys.modules.get(module), "__dict__", {})
        cur = space.get(getattr(view, "__name__", None))
        if cur is None or cur is view or isinstance(cur, type) or not callable(cur):
            continue
        if getattr(cur, "__qualname__", None) != getattr(view, "__qualname__", None):
            continue
        inner_cur = list(flask_routing.chain(cur))[-1]
        inner_view = list(flask_routing.chain(view))[-1]
        if getattr(inner_cur, "__code__", 1) is getattr(inner_view, "__code__", 2):
            app.view_functions[endpoint] = cur


def _binding_line(ctx, module, key):
    path = paths.module_path(sys.modules.get(module))
    data = ctx.st.sources.read(path) if path else None
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError, TypeError):
        return None
    for node in tree.body:
        targets = getattr(node, "targets", None) or [getattr(node, "target", None)]
        if any(isinstance(t, ast.Name) and t.id == key for t in targets):
            return (path, (node.lineno, node.col_offset + 1, node.lineno, node.col_offset + 1))
    return None


def reregister(ctx, state, old, new):
    """A blueprint made again (its module ran whole) takes the old one's place
    on every app: the old registration's routes and request hooks go, the new
    blueprint registers with the same name and prefix."""
    for app, reg, bp in state.regs:
        if bp is not old or app.blueprints.get(reg) is not old:
            continue
        flask_routing.drop_endpoints(
            app, [e for e in app.view_functions if e.startswith(reg + ".")] + [
                r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith(reg + ".")])
        for attr in ("before_request_funcs", "after_request_funcs", "teardown_request_funcs",
                     "url_default_functions", "url_value_preprocessors",
                     "template_context_processors", "error_handler_spec"):
            getattr(app, attr, {}).pop(reg, None)
        del app.blueprints[reg]
        options = {"name": reg.rpartition(".")[2], "name_prefix": reg.rpartition(".")[0]}
        prefix = state.prefixes.get((id(app), reg))
        if prefix is not None:
            options["url_prefix"] = prefix
        try:
            app.register_blueprint(new, **options)
        except Exception as exc:
            app.blueprints[reg] = old
            ctx.report("not-updated", "blueprint `%s` made again could not replace the old one "
                       "on Flask app `%s`: %s: %s; restart to serve it" % (
                           reg, app.name, type(exc).__name__, exc),
                       holder="Flask app `%s`" % app.name)
        state.opened.append(new)
        state.recorded[id(new)] = list(new.deferred_functions)
