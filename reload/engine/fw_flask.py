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
"""

import ast
import sys
import time
import weakref

from . import heap
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
# Where apps and blueprints keep those hooks: {blueprint name or None: [functions]}.
HOOK_LISTS = ("before_request_funcs", "after_request_funcs", "teardown_request_funcs",
              "url_value_preprocessors", "url_default_functions",
              "template_context_processors")
# Hooks only an app keeps, in plain lists.
APP_HOOK_LISTS = ("teardown_appcontext_funcs", "shell_context_processors")


# -- finding apps, blueprints and views ----------------------------------

def apps(st):
    """The live Flask applications (instances of Flask and its subclasses)."""
    flask = sys.modules.get("flask")
    if flask is None:
        return []
    classes, todo = [], [flask.Flask]
    while todo:
        cls = todo.pop()
        classes.append(cls)
        todo.extend(cls.__subclasses__())
    return heap.instances(st, classes)


def registrations(app_list):
    """(app, registered name, blueprint) for every blueprint on the apps."""
    out = []
    for app in app_list:
        for reg, bp in list(getattr(app, "blueprints", {}).items()):
            out.append((app, reg, bp))
    return out


def _chain(view):
    """The view and what it wraps (functools.wraps chains, a class view's class)."""
    seen = set()
    while view is not None and id(view) not in seen:
        seen.add(id(view))
        yield view
        cls = getattr(view, "view_class", None)
        if cls is not None:
            yield cls
        view = getattr(view, "__wrapped__", None)


def defined_as(view, module, names):
    """True when view (or what it wraps) is the top-level def module.<name>."""
    for part in _chain(view):
        if getattr(part, "__module__", None) == module and getattr(
                part, "__qualname__", None) in names:
            return True
    return False


def wraps_object(view, obj):
    return any(part is obj for part in _chain(view))


def _route_lambda(func):
    """The (rule, endpoint, view_func) of a blueprint's recorded add_url_rule, or None."""
    code = getattr(func, "__code__", None)
    if code is None or not getattr(func, "__qualname__", "").startswith(
            "Blueprint.add_url_rule"):
        return None
    cells = {}
    for name, cell in zip(code.co_freevars, func.__closure__ or ()):
        try:
            cells[name] = cell.cell_contents
        except ValueError:
            pass
    return cells.get("rule"), cells.get("endpoint"), cells.get("view_func")


# -- URL map surgery ------------------------------------------------------

def drop_endpoints(app, endpoints):
    """Remove the endpoints' URL rules and view functions from app; return an undo."""
    url_map = app.url_map
    endpoints = set(endpoints)
    views = {e: app.view_functions[e] for e in endpoints if e in app.view_functions}
    for e in views:
        del app.view_functions[e]
    saved = dict(vars(url_map))
    by_endpoint = getattr(url_map, "_rules_by_endpoint", {})
    if any(e in by_endpoint for e in endpoints):
        if hasattr(url_map, "_matcher"):  # Werkzeug 2.2+: a state machine
            keep = {e: list(r) for e, r in by_endpoint.items() if e not in endpoints}
            matcher = type(url_map._matcher)(url_map.merge_slashes)
            for rules in keep.values():
                for rule in rules:
                    if not rule.build_only:
                        matcher.add(rule)
            matcher.update()
            url_map._matcher, url_map._rules_by_endpoint = matcher, keep
        else:  # older Werkzeug: a sorted list of rules
            url_map._rules = [r for r in url_map._rules if r.endpoint not in endpoints]
            url_map._rules_by_endpoint = {
                e: list(r) for e, r in by_endpoint.items() if e not in endpoints}
        url_map._remap = True

    def undo():
        vars(url_map).update(saved)
        app.view_functions.update(views)
    return undo


def hook_lists(obj):
    """Every list of request hooks obj (an app or a blueprint) keeps."""
    for attr in HOOK_LISTS:
        for funcs in list(getattr(obj, attr, {}).values()):
            yield funcs
    for attr in APP_HOOK_LISTS:
        funcs = getattr(obj, attr, None)
        if isinstance(funcs, list):
            yield funcs


def drop_hooks(objs, test):
    """Remove the hooks for which test(func) holds; return an undo."""
    saved = []
    for obj in objs:
        for funcs in hook_lists(obj):
            keep = [f for f in funcs if not test(f)]
            if len(keep) != len(funcs):
                saved.append((funcs, list(funcs)))
                funcs[:] = keep

    def undo():
        for funcs, before in saved:
            funcs[:] = before
    return undo


def hooks_of(bp):
    """A blueprint's hook lists and error handlers as {(attr, key): copy}."""
    out = {(attr, key): list(funcs) for attr in HOOK_LISTS
           for key, funcs in getattr(bp, attr, {}).items()}
    for key, codes in getattr(bp, "error_handler_spec", {}).items():
        out[("error_handler_spec", key)] = {code: dict(h) for code, h in codes.items()}
    return out


def sync_hooks(app, reg, bp, before):
    """Hooks and error handlers a blueprint gained or lost during the reload
    reach the app it is registered on as reg (Flask copies them into the app
    once, at registration)."""
    for (attr, key), value in hooks_of(bp).items():
        if before.get((attr, key)) == value:
            continue
        app_key = reg if key is None else "%s.%s" % (reg, key)
        if attr == "error_handler_spec":
            spec = app.error_handler_spec[app_key]  # a defaultdict(dict) per name
            spec.clear()
            for code, handlers in value.items():
                spec[code] = dict(handlers)
        else:
            getattr(app, attr).setdefault(app_key, [])[:] = value


# -- setup methods after the first request --------------------------------

def _allow_setup(f_name):
    """Stands for Flask's _check_setup_finished while a reload registers routes."""


def open_setup(objs):
    for obj in objs:
        obj._check_setup_finished = _allow_setup


def close_setup(objs):
    for obj in objs:
        if vars(obj).get("_check_setup_finished") is _allow_setup:
            del obj._check_setup_finished
        if getattr(vars(obj).get("add_url_rule"), "_pyreload", False):
            del obj.add_url_rule


def replace_on_collision(ctx, app):
    """While the reload runs, a route registered again under an endpoint whose
    view comes from a module being reloaded replaces it (a decorator the
    source check did not know as a route's, say) instead of Flask's "View
    function mapping is overwriting an existing endpoint function"."""
    original = app.add_url_rule
    modules = set(ctx.modules)

    def add_url_rule(rule, endpoint=None, view_func=None, **options):
        key = endpoint if endpoint is not None else getattr(view_func, "__name__", None)
        current = app.view_functions.get(key)
        if current is not None and view_func is not None and current != view_func and any(
                getattr(part, "__module__", None) in modules for part in _chain(current)):
            ctx.on_rollback(drop_endpoints(app, [key]))
        return original(rule, endpoint, view_func, **options)
    add_url_rule._pyreload = True
    app.add_url_rule = add_url_rule


# -- one reload's state ---------------------------------------------------

class _Reload:
    """What this adapter knows during one reload (kept on the Context)."""

    def __init__(self, ctx):
        self.apps = apps(ctx.st)
        self.regs = registrations(self.apps)
        self.blueprints = []
        for _, _, bp in self.regs:
            if all(bp is not b for b in self.blueprints):
                self.blueprints.append(bp)
        self.recorded = {id(bp): list(bp.deferred_functions) for bp in self.blueprints}
        self.hooks = {id(bp): hooks_of(bp) for bp in self.blueprints}
        self.prefixes = {(id(app), reg): prefix_of(app, reg, bp) for app, reg, bp in self.regs}
        self.routed = {}  # module -> names its old source decorated with a route
        self.opened = self.apps + self.blueprints
        open_setup(self.opened)
        for app in self.apps:
            replace_on_collision(ctx, app)
        ctx.on_rollback(self.rollback)

    def rollback(self):
        close_setup(self.opened)
        for bp in self.blueprints:
            bp.deferred_functions[:] = self.recorded[id(bp)]


def _state(ctx, create=True):
    state = getattr(ctx, "_fw_flask", None)
    if state is None and create:
        state = ctx._fw_flask = _Reload(ctx)
    return state


def prefix_of(app, reg, bp):
    """The URL prefix the registration reg of bp used on app, read back from a
    rule it added (None: the blueprint's own)."""
    for func in bp.deferred_functions:
        parts = _route_lambda(func)
        if parts is None or parts[0] is None:
            continue
        rule, endpoint, view = parts
        if endpoint is None:
            endpoint = getattr(view, "__name__", None)
        for r in app.url_map._rules_by_endpoint.get("%s.%s" % (reg, endpoint), ()):
            tail = rule.lstrip("/")
            if not tail:
                return r.rule
            if r.rule.endswith(tail):
                return r.rule[:len(r.rule) - len(tail)] or None
    return None


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
        ctx.on_rollback(drop_hooks(state.apps + state.blueprints,
                                   lambda f: defined_as(f, module, hooked)))
    names = set(names) & decorated[0]
    if not names:
        return
    for app in state.apps:
        hit = [e for e, v in app.view_functions.items() if defined_as(v, module, names)]
        if hit:
            ctx.on_rollback(drop_endpoints(app, hit))
    for bp in state.blueprints:
        kept = [f for f in bp.deferred_functions
                if not (_route_lambda(f) and defined_as(_route_lambda(f)[2], module, names))]
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
    views = method_views(ctx)
    state = _state(ctx, create=bool(removed or remade or apps_remade or views))
    if state is None:
        return
    try:
        for cls in views:
            update_methods(state, cls)
        for module, key, old, new in apps_remade:
            adopt(ctx, module, key, old, new)
        for old, new in remade:
            reregister(ctx, state, old, new)
        for old in removed:
            drop_hooks(state.apps + state.blueprints, lambda f, old=old: wraps_object(f, old))
            for app in state.apps:
                hit = [e for e, v in app.view_functions.items() if wraps_object(v, old)]
                if hit:
                    drop_endpoints(app, hit)
            for bp in state.blueprints:
                bp.deferred_functions[:] = [
                    f for f in bp.deferred_functions
                    if not (_route_lambda(f) and wraps_object(_route_lambda(f)[2], old))]
        for app, reg, bp in state.regs:
            if app.blueprints.get(reg) is bp:
                sync_hooks(app, reg, bp, state.hooks.get(id(bp), {}))
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
                    parts = _route_lambda(func)
                    ctx.report("not-updated", "route %s of blueprint `%s` could not be added "
                               "to Flask app `%s`: %s: %s; restart to serve it" % (
                                   parts[0] if parts else "?", reg, app.name,
                                   type(exc).__name__, exc), holder="Flask app `%s`" % app.name)
        for app in state.apps:
            canonical_views(ctx, app)
    finally:
        close_setup(state.opened)


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
        inner_cur, inner_view = list(_chain(cur))[-1], list(_chain(view))[-1]
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
        drop_endpoints(app, [e for e in app.view_functions if e.startswith(reg + ".")] + [
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
                if wraps_object(view, obj):
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
    found = apps(_St())
    try:  # held weakly: an app made again is not kept alive by the names cache
        _APPS_SEEN.update(at=now, apps=[weakref.ref(a) for a in found])
    except TypeError:
        pass
    return found
