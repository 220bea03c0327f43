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

from . import adapterkit
from . import starlette_apps
from . import starlette_routes

NAME = 'Starlette/FastAPI'
MODULES = ('starlette',)
_STATE = "_fw_starlette"


def _state(ctx):
    return getattr(ctx, _STATE, None)


def prepare(ctx):
    apps, routers = starlette_apps.found(ctx.st)
    state = {"routers": {k: (r, list(r.routes)) for k, r in routers.items()},
             "apps": apps, "spans": {}, "found": (dict(apps), dict(routers))}
    for key, router in routers.items():
        state["spans"][key] = starlette_routes.include_spans(router, routers)

        def undo(router=router, saved=state["routers"][key][1]):
            router.routes[:] = saved  # what a decorator that ran registered goes
        ctx.on_rollback(undo)
    state["stacks"] = [starlette_apps.open_stack(ctx, app) for app in apps.values()]
    state["derived"] = {id(r): starlette_routes.derived_settings(r)
                        for router in routers.values()
                        for r in router.routes if hasattr(r, "dependant")}
    setattr(ctx, _STATE, state)


def before_run(ctx, module, names):
    adapterkit.remember_reruns(getattr(ctx, _STATE, None), module, names)


def after(ctx):
    state = _state(ctx)
    Router, Starlette, _, _ = starlette_apps.classes()
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
        starlette_apps.close_stacks(state, replaced)
    sources = {id(source) for spans in state["spans"].values() for source, _, _ in spans}
    adapterkit.took_care(ctx, lambda old: (Starlette is not None and isinstance(old, Starlette))
                         or id(old) in sources)


def _sync(ctx, state, replaced):
    """The routers' route lists follow the reload (see the module's doc)."""
    ran = set(ctx.ran)
    touched = set()
    starlette_apps.adopt_apps(ctx, state, replaced, touched)
    apps, routers = starlette_apps.found(ctx.st, ctx.ran, state["found"])
    redone = starlette_routes.included_again(state, routers, replaced, touched)
    copies = {id(c) for spans in state["spans"].values() for _, _, cs in spans for c in cs}
    for key, router in routers.items():
        before = state["routers"].get(key)
        if before is not None and starlette_routes.settle(router, before[1], replaced, copies):
            touched.add(key)
        if starlette_routes.rebuild_all(router, ran, replaced, copies, state["derived"]):
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
                   or any(starlette_routes.stale(c, ran, replaced) for c in made))
            if due and starlette_routes.resync(target, now, kwargs, made, state["derived"]):
                touched.add(key)
    for app in apps.values():
        if id(app.router) in touched and getattr(app, "openapi_schema", None) is not None:
            app.openapi_schema = None


def describe(obj):
    """Name a holder the way users know it: "route GET /items/{id} of the
    FastAPI app", "the FastAPI app", "APIRouter /items"."""
    Router, Starlette, APIRoute, Mount = starlette_apps.classes()
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
