"""Django's URL resolvers after a reload: every resolver reads its URLconf again, and
a URL pattern whose view was made anew routes to the new view."""

import sys


def clear_urls(ctx):
    """Make every URL resolver read its patterns again."""
    base = sys.modules.get("django.urls.base")
    resolvers = sys.modules.get("django.urls.resolvers")
    if base is None or resolvers is None:
        return
    _repoint_views(ctx, resolvers)
    seen = set()
    for resolver in _resolvers(resolvers):
        if id(resolver) not in seen:
            seen.add(id(resolver))
            _reset_resolver(resolver, resolvers, seen)
    base.clear_url_caches()


def _repoint_views(ctx, resolvers):
    """A URL pattern whose view was made anew (its decorators changed: the old
    function took the new body, not the new decorators) routes to the new view."""
    made = {}
    for module, changes in ctx.changes.items():
        space = vars(sys.modules.get(module) or sys)
        for name, (old, new) in changes.items():
            if callable(old) and callable(new) and old is not new and space.get(name) is new:
                made[id(old)] = (old, new)
    if not made:
        return
    stack = list(_url_lists(resolvers))
    seen = set()
    while stack:
        pattern = stack.pop()
        if id(pattern) in seen:
            continue
        seen.add(id(pattern))
        if isinstance(pattern, resolvers.URLResolver):
            if isinstance(pattern.urlconf_name, (list, tuple)):
                stack.extend(pattern.urlconf_name)
            continue
        hit = made.get(id(getattr(pattern, "callback", None)))
        if hit is not None and hit[0] is pattern.callback:
            pattern.callback = hit[1]
            vars(pattern).pop("lookup_str", None)


def _url_lists(resolvers):
    """The URL patterns and resolvers of every URL module's urlpatterns."""
    for mod in list(sys.modules.values()):
        try:
            patterns = vars(mod).get("urlpatterns") if mod is not None else None
        except TypeError:
            continue
        if isinstance(patterns, (list, tuple)):
            for item in patterns:
                if isinstance(item, (resolvers.URLPattern, resolvers.URLResolver)):
                    yield item


def _resolvers(resolvers):
    """The root resolvers in use, and those held by URL modules' urlpatterns."""
    out = []
    try:
        settings = sys.modules["django.conf"].settings
        out.append(resolvers.get_resolver(getattr(settings, "ROOT_URLCONF", None)))
    except Exception:  # settings not configured: nothing is routed
        pass
    out.extend(p for p in _url_lists(resolvers) if isinstance(p, resolvers.URLResolver))
    return out


def _reset_resolver(resolver, resolvers, seen):
    """Drop what resolver cached from its URL module (patterns, reverse maps),
    after resetting the resolvers it included."""
    for pattern in list(vars(resolver).get("url_patterns", ())):
        if isinstance(pattern, resolvers.URLResolver) and id(pattern) not in seen:
            seen.add(id(pattern))
            _reset_resolver(pattern, resolvers, seen)
    if isinstance(getattr(resolver, "urlconf_name", None), str):
        vars(resolver).pop("urlconf_module", None)
    vars(resolver).pop("url_patterns", None)
    resolver._reverse_dict = {}
    resolver._namespace_dict = {}
    resolver._app_dict = {}
    resolver._callback_strs = set()
    resolver._populated = False
