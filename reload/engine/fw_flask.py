"""Adapter: Flask: view functions, URL rules and blueprints registered on live apps.

An edited view body needs nothing here (the old function takes the new code
wherever Flask holds it). What this adapter does, for every live Flask app:

- before a route's def runs again (its decorator changed, or it is new): the
  apps and their blueprints accept setup methods again (Flask refuses them
  after the first request), and the endpoint the old def registered through a
  route decorator is taken out of the app (its URL rules and view function)
  and out of its blueprint's recorded routes, so the new registration does not
  collide; all of it undone on rollback;
- after the reload: routes a blueprint recorded since are applied to every app
  it is registered on (with the prefix that registration used), a blueprint
  made again (its module ran whole) replaces the old one on its apps, an app
  made again hands its routes to the app object the server holds, views
  whose def was removed are removed, each view is the function object its
  module keeps (so later body edits reach it), and setup is closed again.

Request hooks (before_request, after_request, context processors, ...) follow
the same way: a hook def that runs again leaves the lists first, a removed one
leaves them, and a blueprint's lists, which Flask copies into the app only at
registration, are copied again when the reload changed them.

Werkzeug's URL map cannot drop a rule: the map's matcher is rebuilt from the
rules kept (the same Rule objects) and swapped in.

This module keeps one reload's state and the adapter's entry points; how
apps and blueprints hold routes and hooks is flask_routing's, what becomes
of apps, blueprints and class views made again or changed is flask_remade's.
"""

import ast
import sys
import time
import weakref

from . import flask_remade
from . import flask_routing
from . import paths

NAME = 'Flask'
MODULES = ('flask',)

# Decorators that register a route (app.route, bp.get, ...).
ROUTE_DECORATORS = frozenset(("route", "get", "post", "put", "patch", "delete"))
# Decorators that append a request hook to a list (app.before_request, ...).
HOOK_DECORATORS = frozenset((
    "before_request", "after_request", "teardown_request", "context_processor",
    "url_value_preprocessor", "url_defaults", "teardown_appcontext",
    "shell_context_processor", "before_app_request", "after_app_request",
    "teardown_app_request", "app_context_processor", "app_url_value_preprocessor",
    "app_url_defaults"))


# -- one reload's state ---------------------------------------------------

class _Reload:
    """What this adapter knows during one reload (kept on the Context)."""

    def __init__(self, ctx):
        self.apps = flask_routing.apps(ctx.st)
        self.regs = flask_routing.registrations(self.apps)
        self.blueprints = []
        for _, _, bp in self.regs:
            if all(bp is not b for b in self.blueprints):
                self.blueprints.append(bp)
        self.recorded = {id(bp): list(bp.deferred_functions) for bp in self.blueprints}
        self.hooks = {id(bp): flask_routing.hooks_of(bp) for bp in self.blueprints}
        self.prefixes = {(id(app), reg): flask_routing.prefix_of(app, reg, bp)
                         for app, reg, bp in self.regs}
        self.routed = {}  # module -> names its old source decorated with a route
        self.opened = self.apps + self.blueprints
        flask_routing.open_setup(self.opened)
        for app in self.apps:
            flask_routing.replace_on_collision(ctx, app)
        ctx.on_rollback(self.rollback)

    def rollback(self):
        flask_routing.close_setup(self.opened)
        for bp in self.blueprints:
            bp.deferred_functions[:] = self.recorded[id(bp)]


def _state(ctx, create=True):
    state = getattr(ctx, "_fw_flask", None)
    if state is None and create:
        state = ctx._fw_flask = _Reload(ctx)
    return state


def routed_names(st, module):
    """The top-level defs the module's source before this reload decorated
    with a route, and those it decorated with a request hook (None when that
    source is unknown)."""
    mod = sys.modules.get(module)
    path = paths.module_path(mod) if mod is not None else None
    data = st.sources.before(path) if path else None
    if data is None:
        return None
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError):
        return None
    routes, hooks = set(), set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for dec in node.decorator_list:
                func = dec.func if isinstance(dec, ast.Call) else dec
                if isinstance(func, ast.Attribute) and func.attr in ROUTE_DECORATORS:
                    routes.add(node.name)
                if isinstance(func, ast.Attribute) and func.attr in HOOK_DECORATORS:
                    hooks.add(node.name)
    return routes, hooks


# -- the adapter ----------------------------------------------------------

def before_run(ctx, module, names):
    """A def that registered a route or a request hook runs again: take its
    endpoint out of the apps and its blueprint's recorded routes, its hook out
    of the hook lists, and let setup methods run."""
    state = _state(ctx)
    if module not in state.routed:
        state.routed[module] = routed_names(ctx.st, module)
    decorated = state.routed[module]
    if decorated is None:
        # The source before is unknown (the module runs whole): which defs
        # were routed by a decorator is not known, so nothing is taken out
        # here; a registration made again replaces its endpoint
        # (replace_on_collision) and the rest stays routed.
        return
    hooked = set(names) & decorated[1]
    if hooked:
        ctx.on_rollback(flask_routing.drop_hooks(
            state.apps + state.blueprints,
            lambda f: flask_routing.defined_as(f, module, hooked)))
    names = set(names) & decorated[0]
    if not names:
        return
    for app in state.apps:
        hit = [e for e, v in app.view_functions.items()
               if flask_routing.defined_as(v, module, names)]
        if hit:
            ctx.on_rollback(flask_routing.drop_endpoints(app, hit))
    for bp in state.blueprints:
        kept = [f for f in bp.deferred_functions
                if not (flask_routing.route_lambda(f) and flask_routing.defined_as(
                    flask_routing.route_lambda(f)[2], module, names))]
        if len(kept) != len(bp.deferred_functions):
            bp.deferred_functions[:] = kept


def after(ctx):
    """Apply blueprint routes recorded during the reload, remove views whose
    def was removed, close setup again."""
    removed = []
    for module, changes in ctx.changes.items():
        for key, (old, new) in changes.items():
            if callable(old) and not callable(new) and not isinstance(old, type):
                removed.append(old)
    flask = sys.modules.get("flask")
    remade, apps_remade = [], []
    for module, changes in ctx.changes.items():
        for key, (old, new) in changes.items():
            if isinstance(old, flask.Blueprint) and isinstance(new, flask.Blueprint):
                remade.append((old, new))
            elif isinstance(old, flask.Flask) and isinstance(new, flask.Flask):
                apps_remade.append((module, key, old, new))
    views = flask_remade.method_views(ctx)
    state = _state(ctx, create=bool(removed or remade or apps_remade or views))
    if state is None:
        return
    try:
        for cls in views:
            flask_remade.update_methods(state, cls)
        for module, key, old, new in apps_remade:
            flask_remade.adopt(ctx, module, key, old, new)
        for old, new in remade:
            flask_remade.reregister(ctx, state, old, new)
        for old in removed:
            flask_routing.drop_hooks(state.apps + state.blueprints,
                                     lambda f, old=old: flask_routing.wraps_object(f, old))
            for app in state.apps:
                hit = [e for e, v in app.view_functions.items()
                       if flask_routing.wraps_object(v, old)]
                if hit:
                    flask_routing.drop_endpoints(app, hit)
            for bp in state.blueprints:
                bp.deferred_functions[:] = [
                    f for f in bp.deferred_functions
                    if not (flask_routing.route_lambda(f) and flask_routing.wraps_object(
                        flask_routing.route_lambda(f)[2], old))]
        for app, reg, bp in state.regs:
            if app.blueprints.get(reg) is bp:
                flask_routing.sync_hooks(app, reg, bp, state.hooks.get(id(bp), {}))
            known = {id(f) for f in state.recorded[id(bp)]}
            new = [f for f in bp.deferred_functions if id(f) not in known]
            if not new:
                continue
            options = {"name": reg.rpartition(".")[2], "name_prefix": reg.rpartition(".")[0]}
            prefix = state.prefixes.get((id(app), reg))
            if prefix is not None:
                options["url_prefix"] = prefix
            # first_registration: what a new record_once function registers
            # (before_app_request, ...) never reached this app.
            setup = bp.make_setup_state(app, options, True)
            for func in new:
                try:
                    func(setup)
                except Exception as exc:  # one route must not stop the others
                    parts = flask_routing.route_lambda(func)
                    ctx.report("not-updated", "route %s of blueprint `%s` could not be added "
                               "to Flask app `%s`: %s: %s; restart to serve it" % (
                                   parts[0] if parts else "?", reg, app.name,
                                   type(exc).__name__, exc), holder="Flask app `%s`" % app.name)
        for app in state.apps:
            flask_remade.canonical_views(ctx, app)
    finally:
        flask_routing.close_setup(state.opened)


def describe(obj):
    """Name a holder as a Flask user knows it, or None."""
    flask = sys.modules.get("flask")
    if flask is None:
        return None
    if isinstance(obj, flask.Flask):
        return "Flask app `%s`" % obj.name
    found = [a for a in _gc_apps() if obj is a.view_functions]
    if found:
        return "the views of Flask app `%s`" % found[0].name
    if isinstance(obj, flask.Blueprint):
        for app in _gc_apps():
            for reg, bp in app.blueprints.items():
                if bp is obj:
                    return "blueprint `%s` of Flask app `%s`" % (reg, app.name)
        return "blueprint `%s`" % obj.name
    if callable(obj):
        for app in _gc_apps():
            for endpoint, view in app.view_functions.items():
                if flask_routing.wraps_object(view, obj):
                    return "view `%s` of Flask app `%s`" % (endpoint, app.name)
    return None


_APPS_SEEN = {"at": None, "apps": []}  # describe's last look at the heap


def _gc_apps():
    """The live Flask apps, for describe. A scan names many holders in a row:
    the heap is filtered once a second at most, not once per name."""
    now = time.monotonic()
    if _APPS_SEEN["at"] is not None and now - _APPS_SEEN["at"] < 1.0:
        return [a for a in (ref() for ref in _APPS_SEEN["apps"]) if a is not None]

    class _St:  # describe has no engine state: filter gc's objects here
        accel = None
    found = flask_routing.apps(_St())
    try:  # held weakly: an app made again is not kept alive by the names cache
        _APPS_SEEN.update(at=now, apps=[weakref.ref(a) for a in found])
    except TypeError:
        pass
    return found
