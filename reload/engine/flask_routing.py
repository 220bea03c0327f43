"""Where Flask apps and blueprints hold routes and hooks, and how a reload takes them out and back.

Finding the live apps and their blueprints; endpoints and their URL rules;
the request hook lists (an app's, and a blueprint's, which Flask copies into
the app at registration); setup methods after the first request; the URL
prefix a blueprint registration used. fw_flask keeps one reload's state and
registers the undos these functions return for a rollback.
"""

import sys

from . import heap

# Where apps and blueprints keep request hooks: {blueprint name or None: [functions]}.
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


def chain(view):
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
    for part in chain(view):
        if getattr(part, "__module__", None) == module and getattr(
                part, "__qualname__", None) in names:
            return True
    return False


def wraps_object(view, obj):
    return any(part is obj for part in chain(view))


def route_lambda(func):
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
                getattr(part, "__module__", None) in modules for part in chain(current)):
            ctx.on_rollback(drop_endpoints(app, [key]))
        return original(rule, endpoint, view_func, **options)
    add_url_rule._pyreload = True
    app.add_url_rule = add_url_rule



def prefix_of(app, reg, bp):
    """The URL prefix the registration reg of bp used on app, read back from a
    rule it added (None: the blueprint's own)."""
    for func in bp.deferred_functions:
        parts = route_lambda(func)
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
