"""Adapter: aiohttp: handlers routed by live applications.

A handler edited under an unchanged decorator keeps its function object,
which the app's ResourceRoute holds: it serves the new code with nothing to do
here. The router is frozen once the app serves (registering raises
"Cannot register a resource into frozen router"); new routes are made live:

- prepare() opens the routers of the live apps (found on the heap, so apps
  made by a factory count) for the reload, and makes registering idempotent
  there: a method and path already routed takes the new handler instead of
  raising "Added route will never be executed" or shadowing it, so an
  ``app.add_routes([...])`` or ``app.router.add_get(...)`` statement that runs
  again adds only what is new;
- after() registers the routes a ``web.RouteTableDef`` of a module that ran
  gained (on the apps that route its other handlers), drops the table entries
  and routes of handlers that were replaced by a route elsewhere, deleted, or
  whose route decorator was removed (before_run notes the defs that run
  again), points routes of handlers made again (same path) at the new one, then
  freezes the routers again. Resolution scans the resource list, so a route
  appended there is served by the next request.
- rollback puts every router back exactly (resources, names, handlers, frozen).

What stays a restart: an Application made again while the old one serves
(`restart-needed` at its line): its middlewares, signals and sub-apps are
frozen with it; statements that change those raise aiohttp's own error and
roll the reload back.
"""

import sys

from . import heap
from . import adapterkit

NAME = 'aiohttp'
MODULES = ('aiohttp',)
_STATE = "_fw_aiohttp"


def _types():
    web_app = sys.modules.get("aiohttp.web_app")
    routedef = sys.modules.get("aiohttp.web_routedef")
    return (getattr(web_app, "Application", None), getattr(routedef, "RouteTableDef", None),
            getattr(routedef, "RouteDef", None))


def prepare(ctx):
    Application, _, _ = _types()
    if Application is None:
        return
    routers, frozen = [], set()
    for app in heap.instances(ctx.st, (Application,)):
        if getattr(app, "frozen", False):
            frozen.add(id(app))
        router = getattr(app, "_router", None)
        if router is None or not hasattr(router, "_resources"):
            continue
        routers.append(_open(ctx, router))
    setattr(ctx, _STATE, {"routers": routers, "frozen": frozen})


def before_run(ctx, module, names):
    adapterkit.remember_reruns(getattr(ctx, _STATE, None), module, names)


def _open(ctx, router):
    """Unfreeze router for the reload, registering idempotently; undo on rollback."""
    saved = {"router": router, "frozen": router._frozen, "resources": list(router._resources),
             "named": dict(router._named_resources),
             "handlers": [(r, r._handler) for r in _routes(router)]}
    for resource in saved["resources"]:
        if isinstance(getattr(resource, "_routes", None), list):
            _idempotent(resource)
    original = router.add_resource

    def add_resource(path, *, name=None):
        for resource in saved["resources"]:
            if getattr(resource, "name", None) == name and _matches(resource, path):
                return resource
        return original(path, name=name)
    router.add_resource = add_resource
    router._frozen = False

    def undo():
        _close(saved)
        router._resources[:] = saved["resources"]
        router._named_resources.clear()
        router._named_resources.update(saved["named"])
        for route, handler in saved["handlers"]:
            route._handler = handler
        router._frozen = saved["frozen"]
    ctx.on_rollback(undo)
    return saved


def _idempotent(resource):
    """resource.add_route of a method it routes already takes the new handler."""
    original = resource.add_route

    def add_route(method, handler, *, expect_handler=None):
        for route in resource._routes:
            if route.method == method:
                route._handler = handler
                return route
        return original(method, handler, expect_handler=expect_handler)
    resource.add_route = add_route


def _close(saved):
    vars(saved["router"]).pop("add_resource", None)
    for resource in saved["resources"]:
        vars(resource).pop("add_route", None)


def _matches(resource, path):
    try:
        return resource.raw_match(path)
    except Exception:  # a resource kind without raw_match: never the same
        return False


def _routes(router):
    out = []
    for resource in list(router._resources):
        out.extend(r for r in getattr(resource, "_routes", ()) if hasattr(r, "_handler"))
    return out


def after(ctx):
    state = getattr(ctx, _STATE, None)
    Application, RouteTableDef, RouteDef = _types()
    if state is None:
        return
    replaced = {}
    for module, names in ctx.changes.items():
        for key, (old, new) in names.items():
            if callable(old) and not isinstance(old, type):
                replaced[id(old)] = new if callable(new) else None
            if Application is not None and isinstance(old, Application) and \
                    isinstance(new, Application) and id(old) in state["frozen"]:
                _report_app(ctx, module, key)
    if Application is not None:  # reported above
        adapterkit.took_care(ctx, lambda obj: isinstance(obj, Application))
    try:
        for key in adapterkit.unrouted(ctx, state, replaced):
            replaced[key] = None  # its route decorator was removed: its routes go
        tables, untabled = _tables(ctx, RouteTableDef, RouteDef, replaced)
        for saved in state["routers"]:
            router = saved["router"]
            for table in tables:
                handlers = {id(d.handler) for d in table}
                if any(id(r._handler) in handlers for r in _routes(router)):
                    for d in table:
                        d.register(router)
            _settle(router, replaced, untabled)
    finally:
        for saved in state["routers"]:
            _close(saved)
            if saved["frozen"]:
                saved["router"].freeze()


def _tables(ctx, RouteTableDef, RouteDef, replaced):
    """The RouteTableDefs of the modules that ran, without the entries of
    handlers that were replaced or deleted; and the handlers whose entry went
    with no entry for their successor (the decorator was removed)."""
    out, dropped, now = [], set(), set()
    if RouteTableDef is None:
        return out, dropped
    for name in ctx.ran:
        module = sys.modules.get(name)
        for value in list(vars(module).values()) if module is not None else ():
            if isinstance(value, RouteTableDef) and all(id(v) != id(value) for v in out):
                items = value._items
                dropped.update(id(d.handler) for d in items
                               if isinstance(d, RouteDef) and id(d.handler) in replaced)
                items[:] = [d for d in items
                            if not (isinstance(d, RouteDef) and id(d.handler) in replaced)]
                now.update(id(d.handler) for d in items if isinstance(d, RouteDef))
                out.append([d for d in items if isinstance(d, RouteDef)])
    out_ids = {h for h in dropped if id(replaced.get(h)) not in now}
    return out, out_ids


def _settle(router, replaced, untabled):
    """Routes of replaced handlers: gone when the new handler is routed
    elsewhere (its path changed), was deleted or lost its table entry (its
    decorator was removed), else they take the new one."""
    routed = {id(r._handler) for r in _routes(router)}
    for route in _routes(router):
        handler = route._handler
        if id(handler) not in replaced:
            continue
        new = replaced[id(handler)]
        if new is None or id(new) in routed or id(handler) in untabled:
            _drop(router, route)
        else:
            route._handler = new


def _drop(router, route):
    resource = route.resource
    routes = getattr(resource, "_routes", None)
    if routes is not None and route in routes:
        routes.remove(route)
    if resource is not None and not routes and resource in router._resources:
        router._resources.remove(resource)
        for key, value in list(router._named_resources.items()):
            if value is resource:
                del router._named_resources[key]


def _report_app(ctx, module, key):
    path = getattr(sys.modules.get(module), "__file__", None)
    span = adapterkit.binding_span(ctx, path, key)
    ctx.report("restart-needed",
               "the aiohttp Application `%s.%s` was made again while the old one serves: its "
               "router, middlewares and signals are frozen with it; restart the app to serve "
               "the new one" % (module, key),
               (path, span) if span else None, holder="aiohttp app", name=key,
               target="%s.%s" % (module, key))


def describe(obj):
    """Name a holder the way users know it: "route GET /items/{id} of the
    aiohttp app", "the aiohttp app", "aiohttp route table"."""
    Application, RouteTableDef, _ = _types()
    if Application is not None and isinstance(obj, Application):
        return "the aiohttp app"
    if RouteTableDef is not None and isinstance(obj, RouteTableDef):
        return "aiohttp route table"
    resource = getattr(obj, "resource", None)
    method = getattr(obj, "method", None)
    if resource is None or not isinstance(method, str) or not hasattr(obj, "_handler"):
        return None
    path = getattr(resource, "canonical", None) or "?"
    return "route %s %s of the aiohttp app" % (method, path)
