"""Starlette's classes, and the apps and routers workspace modules bind: found, an app
made again handing its routes to the served one, the apps' middleware stacks."""

import sys

from . import adapterkit


def classes():
    """(Router, Starlette, APIRoute, Mount), each None while its module is not imported."""
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


def found(st, names=None, known=None):
    """(apps, routers) bound in workspace modules (only those named, when
    names is given, added to known): routers by id, each once, with the
    routers of mounted sub-apps."""
    Router, Starlette, _, Mount = classes()
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


def open_stack(ctx, app):
    """A started app refuses add_middleware ("Cannot add middleware after an
    application has started"): for the reload it takes it; close_stacks builds
    the middleware stack again. Undone on rollback."""
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


def close_stacks(state, replaced):
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


def adopt_apps(ctx, state, replaced, touched):
    """An app made again: the server holds the old app object; it takes the
    new app's routes and the module's name keeps it."""
    _, Starlette, _, _ = classes()
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
                span = adapterkit.binding_span(ctx, path, key)
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
