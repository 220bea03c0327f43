"""Adapter: Starlette and FastAPI: routes, endpoints and dependencies of live apps and routers.

An endpoint edited under an unchanged decorator keeps its function object,
which Route and APIRoute hold: it serves the new code with nothing to do here.
What FastAPI computes when a route is registered (the dependant built from the
endpoint's signature, its Depends callables, the response model) and what
``include_router`` copies into the app (one APIRoute per route of the router,
made when the app was built) does not follow; after() re-syncs:

- in every router (the apps' and the APIRouters of workspace modules), a route
  whose endpoint was replaced (its decorator or a name it reads changed: the
  decorator ran again and appended a route) gives its place to the new route;
  one whose endpoint was deleted, or lost its decorators (before_run notes
  the defs that run again), is removed;
- an APIRoute whose endpoint, dependency callables or models (response,
  body, query) belong to a module that ran is made again in place (a new
  signature, a new Depends, a new field FastAPI's cloned response model lacks);
- the app's copies of an included router (found in prepare by matching
  endpoint, path suffix and methods against the innermost router, with the
  include's prefix, tags, dependencies and responses inferred from them) are
  made again from the router's current routes, in the router's order, where
  they were: a new route, a removed one, an edited signature, a router made
  again; an include_router statement that ran again replaces them;
- an app made again (a Starlette(routes=...) whose routes changed, a FastAPI()
  whose arguments changed) gives its routes to the app object the server
  holds, which the module's name keeps; a change of middleware, exception
  handlers or debug is `restart-needed` at the app's line.

The OpenAPI schema the app cached is dropped when its routes changed. A
reload rolled back puts every router's route list back as it was (a decorator
that ran before the failure registered its route already).
"""

import inspect
import sys

from . import adapterkit
from . import locate

NAME = 'Starlette/FastAPI'
MODULES = ('starlette',)
_STATE = "_fw_starlette"
_SKIP_INIT = ("self", "path", "endpoint")


def _types():
    routing = sys.modules.get("starlette.routing")
    apps = sys.modules.get("starlette.applications")
    fastapi = sys.modules.get("fastapi.routing")
    return (getattr(routing, "Router", None), getattr(apps, "Starlette", None),
            getattr(fastapi, "APIRoute", None), getattr(routing, "Mount", None))


def _workspace_modules(st):
    for name, module in list(sys.modules.items()):
        space = getattr(module, "__dict__", None)
        if not isinstance(space, dict):
            continue
        path = getattr(module, "__file__", None)
        if name == "__main__" or (isinstance(path, str) and st.sources.is_workspace(path)):
            yield name, module


def _found(st, names=None, known=None):
    """(apps, routers) bound in workspace modules (only those named, when
    names is given, added to known): routers by id, each once, with the
    routers of mounted sub-apps."""
    Router, Starlette, _, Mount = _types()
    apps, routers = known if known is not None else ({}, {})
    if Router is None:
        return apps, routers

    def add_router(router):
        if id(router) in routers:
            return
        routers[id(router)] = router
        for route in list(router.routes):
            sub = getattr(route, "app", None) if Mount and isinstance(route, Mount) else None
            if Starlette is not None and isinstance(sub, Starlette):
                apps.setdefault(id(sub), sub)
                sub = sub.router
            if isinstance(sub, Router):
                add_router(sub)
    modules = (_workspace_modules(st) if names is None else
               ((n, sys.modules[n]) for n in names if n in sys.modules))
    for _, module in modules:
        for value in list(vars(module).values()):
            if Starlette is not None and isinstance(value, Starlette):
                apps.setdefault(id(value), value)
                add_router(value.router)
            elif isinstance(value, Router):
                add_router(value)
    for app in list(apps.values()):
        add_router(app.router)
    return apps, routers


def _state(ctx):
    return getattr(ctx, _STATE, None)


def prepare(ctx):
    apps, routers = _found(ctx.st)
    state = {"routers": {k: (r, list(r.routes)) for k, r in routers.items()},
             "apps": apps, "spans": {}, "found": (dict(apps), dict(routers))}
    for key, router in routers.items():
        state["spans"][key] = _spans(router, routers)

        def undo(router=router, saved=state["routers"][key][1]):
            router.routes[:] = saved  # what a decorator that ran registered goes
        ctx.on_rollback(undo)
    state["stacks"] = [_open_stack(ctx, app) for app in apps.values()]
    state["derived"] = {id(r): _derived(r) for router in routers.values()
                        for r in router.routes if hasattr(r, "dependant")}
    setattr(ctx, _STATE, state)


def _derived(route):
    """The settings FastAPI took from the endpoint itself when it was
    registered (its docstring, its return annotation): made again, they are
    taken from the new code, not kept."""
    out = set()
    endpoint = getattr(route, "endpoint", None)
    try:
        doc = inspect.cleandoc(getattr(endpoint, "__doc__", None) or "").split("\f")[0].strip()
        if route.description == doc:
            out.add("description")
        annotation = inspect.signature(endpoint).return_annotation
        if annotation is not inspect.Signature.empty and route.response_model == annotation:
            out.add("response_model")
    except (TypeError, ValueError, AttributeError):
        pass
    return out


def _open_stack(ctx, app):
    """A started app refuses add_middleware ("Cannot add middleware after an
    application has started"): for the reload it takes it; after() builds the
    middleware stack again. Undone on rollback."""
    saved = (app, list(getattr(app, "user_middleware", ())),
             dict(getattr(app, "exception_handlers", {})))
    if getattr(app, "middleware_stack", None) is not None and hasattr(app, "user_middleware"):
        make = getattr(sys.modules.get("starlette.middleware"), "Middleware", None)

        def add_middleware(middleware_class, **options):
            app.user_middleware.insert(0, make(middleware_class, **options))
        if make is not None:
            app.add_middleware = add_middleware

    def undo():
        vars(app).pop("add_middleware", None)
        app.user_middleware[:] = saved[1]
        app.exception_handlers.clear()
        app.exception_handlers.update(saved[2])
    ctx.on_rollback(undo)
    return saved


def _close_stacks(state, replaced):
    """Middleware whose dispatch function was made again leaves (its decorator
    added the new one); an app whose middleware or exception handlers changed
    builds its middleware stack again."""
    for app, middleware, handlers in state.get("stacks", ()):
        vars(app).pop("add_middleware", None)
        current = getattr(app, "user_middleware", None)
        if current is None:
            continue
        current[:] = [m for m in current
                      if id(getattr(m, "options", {}).get("dispatch")) not in replaced]
        changed = ([id(m) for m in current] != [id(m) for m in middleware]
                   or app.exception_handlers != handlers)
        if changed and getattr(app, "middleware_stack", None) is not None:
            app.middleware_stack = app.build_middleware_stack()


def before_run(ctx, module, names):
    adapterkit.remember_reruns(getattr(ctx, _STATE, None), module, names)


def _spans(target, routers):
    """The routes of target copied from another router by include_router:
    a list of spans [router, include kwargs, [copies]], in target's order."""
    _, _, APIRoute, _ = _types()
    if APIRoute is None:
        return []
    origin = {}  # id(endpoint) -> [(router, route)]
    for router in routers.values():
        if router is target:
            continue
        for route in router.routes:
            if isinstance(route, APIRoute):
                origin.setdefault(id(route.endpoint), []).append((router, route))
    spans = []
    for route in target.routes:
        if not isinstance(route, APIRoute):
            continue
        # the innermost router it came from (nested includes: the shortest path)
        found = [(len(source.path), n, router, source)
                 for n, (router, source) in enumerate(origin.get(id(route.endpoint), ()))
                 if route.path.endswith(source.path) and route.methods == source.methods
                 and source is not route]
        if not found:
            continue
        _, _, router, source = min(found)
        kwargs = _include_kwargs(route, source)
        last = spans[-1] if spans else None
        if last is not None and last[0] is router and last[1]["prefix"] == kwargs["prefix"]:
            last[2].append(route)
        else:
            spans.append([router, kwargs, [route]])
    return spans


def _head(longer, shorter):
    """What include_router put before the route's own list items."""
    longer, shorter = list(longer or ()), list(shorter or ())
    if shorter and longer[len(longer) - len(shorter):] != shorter:
        return longer
    return longer[:len(longer) - len(shorter)]


def _include_kwargs(copy, source):
    """How an app's route was made from a router's route: the include's prefix
    and what it added, and the app route's class and settings."""
    return {
        "prefix": copy.path[:len(copy.path) - len(source.path)],
        "tags": _head(copy.tags, source.tags),
        "dependencies": _head(copy.dependencies, source.dependencies),
        "callbacks": _head(copy.callbacks, source.callbacks),
        "responses": {k: v for k, v in (copy.responses or {}).items()
                      if k not in (source.responses or {})},
        "deprecated": bool(copy.deprecated) and not source.deprecated,
        "include_in_schema": copy.include_in_schema or not source.include_in_schema,
        "route_class": type(copy),
        "dependency_overrides_provider": copy.dependency_overrides_provider,
        "generate_unique_id_function": copy.generate_unique_id_function,
        "response_class": copy.response_class,
    }


def after(ctx):
    state = _state(ctx)
    Router, Starlette, _, _ = _types()
    if state is None or Router is None:
        return
    replaced = {}  # id(old value) -> new value (or None: deleted)
    for module, names in ctx.changes.items():
        for key, (old, new) in names.items():
            if callable(old) or isinstance(old, Router):
                replaced[id(old)] = new if (callable(new) or isinstance(new, Router)) else None
    for key in adapterkit.unrouted(ctx, state, replaced):
        replaced[key] = None  # its route decorator was removed: its routes go
    try:
        _sync(ctx, state, replaced)
    finally:
        _close_stacks(state, replaced)
    sources = {id(source) for spans in state["spans"].values() for source, _, _ in spans}
    _took_care(ctx, lambda old: (Starlette is not None and isinstance(old, Starlette))
               or id(old) in sources)


def _sync(ctx, state, replaced):
    """The routers' route lists follow the reload (see the module's doc)."""
    ran = set(ctx.ran)
    touched = set()
    _adopt_apps(ctx, state, replaced, touched)
    apps, routers = _found(ctx.st, ctx.ran, state["found"])
    redone = _included_again(state, routers, replaced, touched)
    copies = {id(c) for spans in state["spans"].values() for _, _, cs in spans for c in cs}
    for key, router in routers.items():
        before = state["routers"].get(key)
        if before is not None and _settle(router, before[1], replaced, copies):
            touched.add(key)
        if _rebuild_all(router, ran, replaced, copies, state["derived"]):
            touched.add(key)
    for key, spans in state["spans"].items():
        target = routers.get(key)
        if target is None:
            continue
        for source, kwargs, made in spans:
            if id(made) in redone:
                continue
            now = replaced.get(id(source), source) or source
            due = (id(now) in touched or now is not source
                   or any(_stale(c, ran, replaced) for c in made))
            if due and _resync(target, now, kwargs, made, state["derived"]):
                touched.add(key)
    for app in apps.values():
        if id(app.router) in touched and getattr(app, "openapi_schema", None) is not None:
            app.openapi_schema = None


def _took_care(ctx, handled):
    """Take what this adapter handled out of ctx.unpaired (the callables made
    again that the engine reports as not updated otherwise)."""
    unpaired = getattr(ctx, "unpaired", None)
    if isinstance(unpaired, list):
        unpaired[:] = [u for u in unpaired if not handled(u[2])]


def _included_again(state, routers, replaced, touched):
    """An include_router statement that ran again appended a new copy of the
    router's routes: it takes the old copies' place (a new prefix, new tags)."""
    redone = set()
    for key, spans in state["spans"].items():
        target = routers.get(key)
        if target is None or not spans:
            continue
        known = {id(r) for r in state["routers"][key][1]}
        fresh = [r for r in target.routes if id(r) not in known]
        for source, _, made in spans:
            now = replaced.get(id(source), source) or source
            endpoints = {id(getattr(r, "endpoint", None)) for r in now.routes}
            again = [r for r in fresh if id(getattr(r, "endpoint", None)) in endpoints]
            if not again:
                continue
            places = [i for i, r in enumerate(target.routes) if any(r is c for c in made)]
            drop = {id(r) for r in again} | {id(r) for r in made}
            keep = [r for r in target.routes if id(r) not in drop]
            at = places[0] - sum(1 for i in places if i < places[0]) if places else len(keep)
            keep[at:at] = again
            target.routes[:] = keep
            made[:] = again
            fresh = [r for r in fresh if all(r is not a for a in again)]
            redone.add(id(made))
            touched.add(key)
    return redone


def _settle(router, before, replaced, copies):
    """Routes whose endpoint was replaced give their place to the route the
    new endpoint appended; those whose endpoint was deleted go (copies of an
    included router's routes are left to _resync); other new routes stay where
    they were registered."""
    known = {id(r) for r in before}
    fresh = [r for r in router.routes if id(r) not in known]
    by_endpoint = {id(getattr(r, "endpoint", None)): r for r in fresh}
    moved = {}  # id(old route) -> its successor, or None
    for route in router.routes:
        endpoint = getattr(route, "endpoint", None)
        if (id(route) in known and endpoint is not None and id(endpoint) in replaced
                and id(route) not in copies):
            new = replaced[id(endpoint)]
            successor = by_endpoint.get(id(new)) if new is not None else None
            if successor is not None and any(s is successor for s in moved.values()):
                successor = None
            moved[id(route)] = successor
    if not moved:
        return bool(fresh)
    placed = {id(s) for s in moved.values() if s is not None}
    out = []
    for route in router.routes:
        if id(route) in moved:
            if moved[id(route)] is not None:
                out.append(moved[id(route)])
        elif id(route) not in placed:
            out.append(route)
    router.routes[:] = out
    return True


def _rebuild_all(router, ran, replaced, copies, derived):
    """APIRoutes whose endpoint or dependency callables come from a module
    that ran are made again, in place."""
    _, _, APIRoute, _ = _types()
    if APIRoute is None:
        return False
    changed = False
    for index, route in enumerate(list(router.routes)):
        if (isinstance(route, APIRoute) and id(route) not in copies
                and _stale(route, ran, replaced)):
            router.routes[index] = _remake(route, replaced, derived=derived.get(id(route), ()))
            changed = True
    return changed


def _calls(dependant):
    stack = [dependant]
    while stack:
        dep = stack.pop()
        if dep.call is not None:
            yield dep.call
        stack.extend(dep.dependencies)


def _stale(route, ran, replaced):
    """Whether what route was built from changed: its endpoint or a
    dependency (a signature), or a model it validates or answers with
    (FastAPI clones a response model's fields when the route is made)."""
    for call in _calls(route.dependant):
        if id(call) in replaced or getattr(call, "__module__", None) in ran:
            return True
    models = [getattr(route, "response_model", None)]
    stack = [route.dependant]
    while stack:
        dep = stack.pop()
        stack.extend(dep.dependencies)
        for field in list(dep.body_params) + list(dep.query_params):
            models.append(getattr(field, "type_", None))
    for model in models:
        if model is not None and (id(model) in replaced
                                  or getattr(model, "__module__", None) in ran):
            return True
    return False


def _depends(dep, replaced):
    call = getattr(dep, "dependency", None)
    new = replaced.get(id(call)) if call is not None else None
    if new is None:
        return dep
    clone = object.__new__(type(dep))
    clone.__dict__.update(vars(dep))
    clone.dependency = new
    return clone


def _remake(route, replaced, path=None, endpoint=None, derived=(), **override):
    """Make an APIRoute again from its own settings (the dependant, response
    fields and request handler are built anew); those derived from the
    endpoint are derived again."""
    cls = override.pop("route_class", None) or type(route)
    kwargs = {}
    for name in inspect.signature(cls.__init__).parameters:
        if name in _SKIP_INIT:
            continue
        if name in override:
            kwargs[name] = override[name]
        elif hasattr(route, name):
            kwargs[name] = getattr(route, name)
    if "description" in derived:
        kwargs["description"] = None
    default = getattr(sys.modules.get("fastapi.datastructures"), "Default", None)
    if "response_model" in derived and default is not None:
        kwargs["response_model"] = default(None)
    kwargs["dependencies"] = [_depends(d, replaced) for d in kwargs.get("dependencies") or ()]
    model = kwargs.get("response_model")
    if model is not None and id(model) in replaced and replaced[id(model)] is not None:
        kwargs["response_model"] = replaced[id(model)]
    endpoint = endpoint or route.endpoint
    endpoint = replaced.get(id(endpoint)) or endpoint
    return cls(path if path is not None else route.path, endpoint, **kwargs)


def _resync(target, source, kwargs, copies, derived):
    """Make target's copies of source's routes again from source's routes,
    in source's order, where the first copy was."""
    _, _, APIRoute, _ = _types()
    places = [i for i, r in enumerate(target.routes) if any(r is c for c in copies)]
    at = places[0] if places else len(target.routes)
    extra = dict(kwargs)
    prefix = extra.pop("prefix")
    made = []
    for route in source.routes:
        if not isinstance(route, APIRoute):
            continue
        made.append(_remake(
            route, {}, path=prefix + route.path, route_class=extra["route_class"],
            derived=derived.get(id(route), ()),
            tags=extra["tags"] + list(route.tags or ()),
            dependencies=extra["dependencies"] + list(route.dependencies or ()),
            callbacks=extra["callbacks"] + list(route.callbacks or ()),
            responses={**extra["responses"], **(route.responses or {})},
            deprecated=route.deprecated or extra["deprecated"] or None,
            include_in_schema=route.include_in_schema and extra["include_in_schema"],
            dependency_overrides_provider=extra["dependency_overrides_provider"],
            generate_unique_id_function=extra["generate_unique_id_function"]))
    keep = [r for i, r in enumerate(target.routes) if i not in set(places)]
    at -= sum(1 for i in places if i < at)
    keep[at:at] = made
    target.routes[:] = keep
    copies[:] = made
    return True


def _adopt_apps(ctx, state, replaced, touched):
    """An app made again: the server holds the old app object; it takes the
    new app's routes and the module's name keeps it."""
    _, Starlette, _, _ = _types()
    for module, names in ctx.changes.items():
        for key, (old, new) in names.items():
            if not (isinstance(old, Starlette) and isinstance(new, Starlette)):
                continue
            old.router.routes[:] = new.router.routes
            touched.add(id(old.router))
            for _, holder in _workspace_modules(ctx.st):  # the name and its rebound copies
                hspace = vars(holder)
                for hkey, value in list(hspace.items()):
                    if value is new:
                        hspace[hkey] = old
            replaced.pop(id(old), None)
            why = _app_settings_changed(old, new)
            if why:
                path = getattr(sys.modules.get(module), "__file__", None)
                span = _assignment(ctx, path, key)
                ctx.report("restart-needed",
                           "the %s app `%s.%s` was made again and its %s changed: the running "
                           "server keeps the app it started with (its routes were updated); "
                           "restart to apply the rest" % (type(old).__name__, module, key, why),
                           (path, span) if span else None,
                           holder="the %s app" % type(old).__name__, name=key,
                           target="%s.%s" % (module, key))


def _app_settings_changed(old, new):
    parts = []
    if getattr(old, "debug", None) != getattr(new, "debug", None):
        parts.append("debug")
    if len(getattr(old, "user_middleware", ())) != len(getattr(new, "user_middleware", ())):
        parts.append("middleware")
    if set(getattr(old, "exception_handlers", {})) != set(getattr(new, "exception_handlers", {})):
        parts.append("exception handlers")
    return " and ".join(parts)


def _assignment(ctx, path, key):
    """The span of the statement binding key in path (its last binding)."""
    idx = locate.index(ctx.st, path) if path else None
    found = idx.bindings.get(key) if idx is not None else None
    return found[-1][2] if found else None


def describe(obj):
    """Name a holder the way users know it: "route GET /items/{id} of the
    FastAPI app", "the FastAPI app", "APIRouter /items"."""
    Router, Starlette, APIRoute, Mount = _types()
    if Router is None:
        return None
    if Starlette is not None and isinstance(obj, Starlette):
        title = getattr(obj, "title", None)
        kind = type(obj).__name__
        return "the %s app%s" % (kind, " `%s`" % title if isinstance(title, str) and title
                                   and title != kind else "")
    if isinstance(obj, Router):
        prefix = getattr(obj, "prefix", "")
        return "%s%s" % (type(obj).__name__, " " + prefix if prefix else "")
    path = getattr(obj, "path", None)
    if not isinstance(path, str) or not hasattr(obj, "endpoint"):
        return None
    methods = sorted(m for m in (getattr(obj, "methods", None) or ()) if m != "HEAD")
    kind = "FastAPI" if APIRoute is not None and isinstance(obj, APIRoute) else "Starlette"
    return "route %s%s of the %s app" % (" ".join(methods) + " " if methods else "", path, kind)
