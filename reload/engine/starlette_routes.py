"""Route lists of Starlette routers after a reload: a replaced endpoint's route in its
place, FastAPI APIRoutes and include_router copies made again from what they were
built from (signature, dependencies, models)."""

import inspect
import sys

from . import starlette_apps

_SKIP_INIT = ("self", "path", "endpoint")


def derived_settings(route):
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


def include_spans(target, routers):
    """The routes of target copied from another router by include_router:
    a list of spans [router, include kwargs, [copies]], in target's order."""
    _, _, APIRoute, _ = starlette_apps.classes()
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


def included_again(state, routers, replaced, touched):
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


def settle(router, before, replaced, copies):
    """Routes whose endpoint was replaced give their place to the route the
    new endpoint appended; those whose endpoint was deleted go (copies of an
    included router's routes are left to resync); other new routes stay where
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


def rebuild_all(router, ran, replaced, copies, derived):
    """APIRoutes whose endpoint or dependency callables come from a module
    that ran are made again, in place."""
    _, _, APIRoute, _ = starlette_apps.classes()
    if APIRoute is None:
        return False
    changed = False
    for index, route in enumerate(list(router.routes)):
        if (isinstance(route, APIRoute) and id(route) not in copies
                and stale(route, ran, replaced)):
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


def stale(route, ran, replaced):
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


def resync(target, source, kwargs, copies, derived):
    """Make target's copies of source's routes again from source's routes,
    in source's order, where the first copy was."""
    _, _, APIRoute, _ = starlette_apps.classes()
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
