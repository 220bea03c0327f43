"""Adapter: Django: models, admin registrations, URL resolvers and template caches.

- A model class whose statement runs again (its class-level data or fields
  changed) is taken out of the app registry first, so Django creates the new
  class without "Model 'polls.question' was already registered"; when the
  engine keeps the old class (merged: the usual case), the old class keeps its
  own Django machinery (`_meta`, field and manager descriptors, the exception
  classes), takes only the new methods and data, and is registered again; the
  descriptors the new class put on related models are put back. A change of
  fields or Meta options is a `restart-needed` finding naming the migration:
  the old model keeps serving against the database it was made for.
- While the reload runs, registering an already registered model on an admin
  site replaces its ModelAdmin (one per model, never AlreadyRegistered, never
  one more per reload).
- After the reload: the URL resolvers are made again (clear_url_caches and the
  included resolvers' cached patterns), so a new URL pattern is live; the
  template loaders' caches are reset and the tag libraries read again when a
  templatetags module ran.
"""

import ast
import functools
import sys

from . import locate
from . import paths

NAME = 'Django'
MODULES = ('django',)
_MISSING = object()
# The Meta options that change what the database holds or how rows are read.
_META_KEYS = ("db_table", "ordering", "unique_together", "index_together", "indexes",
              "constraints", "managed", "proxy", "abstract", "app_label")


# Settings Django reads once, at startup: a new value is restart-needed (the
# running value is kept, so django.conf.settings says what serves).
_STARTUP_SETTINGS = frozenset((
    "INSTALLED_APPS", "MIDDLEWARE", "DATABASES", "CACHES", "TEMPLATES", "AUTH_USER_MODEL",
    "LOGGING", "LOGGING_CONFIG", "SECRET_KEY", "STATICFILES_DIRS", "STATICFILES_STORAGE",
    "STATICFILES_FINDERS", "DEFAULT_FILE_STORAGE", "USE_TZ", "TIME_ZONE", "USE_I18N",
    "LANGUAGES", "WSGI_APPLICATION", "ASGI_APPLICATION", "SESSION_ENGINE",
    "DEFAULT_AUTO_FIELD", "DATABASE_ROUTERS", "AUTHENTICATION_BACKENDS"))


class _State:
    """What this adapter remembers during one reload."""

    def __init__(self):
        self.models = []  # (module, name, old class, saved class dict)
        self.related = {}  # id(model) -> (model, saved class dict) of every registered model
        self.registered = set()  # (label, model_name) before the reload
        self.sites = []  # (site, its own register attribute or _MISSING)
        self.replaced_admins = []  # (site, model, old ModelAdmin or None)


def _state(ctx):
    st = getattr(ctx, "fw_django", None)
    if st is None:
        st = ctx.fw_django = _State()
    return st


def _apps():
    registry = sys.modules.get("django.apps.registry")
    return getattr(registry, "apps", None)


def _model_base():
    base = sys.modules.get("django.db.models.base")
    return getattr(base, "Model", None)


def prepare(ctx):
    st = _state(ctx)
    apps = _apps()
    if apps is not None:
        for label, models in apps.all_models.items():
            for model_name, model in models.items():
                st.registered.add((label, model_name))
    sites = sys.modules.get("django.contrib.admin.sites")
    for site in list(getattr(sites, "all_sites", ())):
        _wrap_register(ctx, st, site)


def _wrap_register(ctx, st, site):
    """During the reload, registering a registered model replaces its ModelAdmin."""
    own = vars(site).get("register", _MISSING)
    original = site.register

    def register(model_or_iterable, admin_class=None, **options):
        models = model_or_iterable
        if isinstance(models, type):
            models = [models]
        for model in models:
            old = site._registry.pop(model, None)
            if old is not None:
                st.replaced_admins.append((site, model, old))
        return original(model_or_iterable, admin_class, **options)

    site.register = register
    st.sites.append((site, own))
    ctx.on_rollback(functools.partial(_unwrap_sites, st, True))


def _unwrap_sites(st, undo):
    for site, own in st.sites:
        if own is _MISSING:
            vars(site).pop("register", None)
        else:
            site.register = own
    st.sites = []
    if undo:
        for site, model, old in reversed(st.replaced_admins):
            site._registry[model] = old
        st.replaced_admins = []


def before_run(ctx, module, names):
    """Take the models about to be made again out of the app registry."""
    base, apps = _model_base(), _apps()
    mod = sys.modules.get(module)
    if base is None or apps is None or mod is None:
        return
    st = _state(ctx)
    space = vars(mod)
    for name in names:
        old = space.get(name)
        if not (isinstance(old, type) and issubclass(old, base) and old is not base
                and old.__module__ == module and not old._meta.abstract):
            continue
        if any(m[2] is old for m in st.models):
            continue
        if not st.related:
            _save_related(ctx, st, apps)
        st.models.append((module, name, old, dict(vars(old))))
        label, model_name = old._meta.app_label, old._meta.model_name
        table = apps.all_models[label]
        if table.get(model_name) is old:
            del table[model_name]
            ctx.on_rollback(functools.partial(_put_back, apps, label, model_name, old))


def _save_related(ctx, st, apps):
    """Remember every registered model's class dict: a new model class sets
    descriptors on the models it relates to."""
    for models in apps.all_models.values():
        for model in models.values():
            st.related[id(model)] = (model, dict(vars(model)))
    ctx.on_rollback(functools.partial(_restore_related, st, apps))


def _put_back(apps, label, model_name, model):
    apps.all_models[label][model_name] = model
    apps.clear_cache()


def _restore_related(st, apps, skip=()):
    for model, saved in st.related.values():
        if id(model) not in skip:
            _restore_machinery(model, saved)
    apps.clear_cache()


def _is_machinery(key, value):
    """What Django itself put in a model class's dict (not the user's code)."""
    if key in ("_meta", "DoesNotExist", "MultipleObjectsReturned"):
        return True
    if isinstance(value, functools.partialmethod):  # get_FOO_display, get_next_by_FOO
        return True
    module = getattr(type(value), "__module__", "") or ""
    return module.startswith("django.")


def _restore_machinery(cls, saved):
    """Put back Django's own attributes of cls as they were in saved."""
    current = dict(vars(cls))
    for key in set(current) | set(saved):
        was, now = saved.get(key, _MISSING), current.get(key, _MISSING)
        if was is now:
            continue
        if not _is_machinery(key, was if was is not _MISSING else now):
            continue
        try:
            if was is _MISSING:
                delattr(cls, key)
            else:
                setattr(cls, key, was)
        except (AttributeError, TypeError):
            pass


def after(ctx):
    st = _state(ctx)
    _unwrap_sites(st, False)
    apps = _apps()
    if apps is not None:
        kept = _settle_models(ctx, st, apps)
        _meta_members(ctx)
        if st.related:
            _restore_related(st, apps, skip=kept)
        _new_models(ctx, st, apps)
        _admin_classes(st)
    _settings(ctx)
    _clear_urls(ctx)
    _clear_templates(ctx)


def _settle_models(ctx, st, apps):
    """Each re-made model: keep the old class registered with its own
    machinery, and report a change the database must follow."""
    kept = set()
    for module, name, old, saved in st.models:
        mod = sys.modules.get(module)
        current = vars(mod).get(name, _MISSING) if mod is not None else _MISSING
        label, model_name = old._meta.app_label, old._meta.model_name
        table = apps.all_models[label]
        new = table.get(model_name)
        if current is _MISSING:
            table[model_name] = old
            _report(ctx, old, None, "model `%s.%s` was removed from %s; the old model keeps "
                    "serving until you run `python manage.py makemigrations %s`, `python "
                    "manage.py migrate` and restart" % (label, old.__name__, module, label))
            continue
        if current is not old:  # replaced (its bases changed): the new class serves
            _report(ctx, current, None, "model `%s.%s` was made anew (its %s); existing "
                    "rows and instances still use the old class: run `python manage.py "
                    "makemigrations %s` and `python manage.py migrate` if its table "
                    "changed, and restart" % (label, old.__name__, _why(current, old), label))
            continue
        kept.add(id(old))
        old_meta = saved["_meta"]
        new_meta = new._meta if isinstance(new, type) and new is not old else None
        _restore_machinery(old, saved)
        table[model_name] = old
        if new_meta is not None:
            _compare(ctx, old, old_meta, new_meta, label)
    if st.models:
        apps.clear_cache()
    return kept


def _meta_members(ctx):
    """A model whose only class-level change was its `class Meta` had it
    updated as a member (Django keeps no Meta on the class): the options it
    set are compared with the model's and the attribute taken away."""
    base = _model_base()
    for (module, qual), names in ctx.members.items():
        if "Meta" not in names or "." in qual:
            continue
        cls = vars(sys.modules.get(module) or sys).get(qual)
        if not (isinstance(cls, type) and issubclass(cls, base)) or cls._meta.abstract:
            continue
        meta = vars(cls).get("Meta")
        if meta is not None:
            try:
                delattr(cls, "Meta")
            except (AttributeError, TypeError):
                pass
        given = {k: v for k, v in vars(meta).items() if not k.startswith("__")} if meta else {}
        old = cls._meta.original_attrs
        changed = [k for k in sorted(set(given) | set(old))
                   if not _same(given.get(k, _MISSING), old.get(k, _MISSING))]
        if changed:
            label = cls._meta.app_label
            _report(ctx, cls, None, "model `%s.%s`: Meta %s changed; the database needs a "
                    "migration: run `python manage.py makemigrations %s` and `python manage.py "
                    "migrate`, then restart the server (the old model keeps serving until then)"
                    % (label, cls.__name__, ", ".join(changed), label))


def _why(new, old):
    if [b.__qualname__ for b in new.__bases__] != [b.__qualname__ for b in old.__bases__]:
        return "base classes changed"
    return "instance layout changed"


def _fields(meta):
    out = {}
    for field in list(meta.local_fields) + list(meta.local_many_to_many):
        try:
            _, path, args, kwargs = field.deconstruct()
        except Exception:  # a field that cannot deconstruct: compare by its type
            path, args, kwargs = type(field).__name__, (), {}
        out[field.name] = (path, list(args), kwargs)
    return out


def _compare(ctx, model, old_meta, new_meta, label):
    """A restart-needed finding when the fields or Meta options changed."""
    olds, news = _fields(old_meta), _fields(new_meta)
    added = [n for n in news if n not in olds]
    removed = [n for n in olds if n not in news]
    changed = [n for n in news if n in olds and not _same(olds[n], news[n])]
    options = [k for k in _META_KEYS if not _same(old_meta.original_attrs.get(k, _MISSING),
                                                 new_meta.original_attrs.get(k, _MISSING))]
    if not (added or removed or changed or options):
        return
    parts = []
    for words, names in (("added", added), ("removed", removed), ("changed", changed)):
        if names:
            parts.append("%s %s" % (words, ", ".join("`%s`" % n for n in names)))
    if options:
        parts.append("Meta %s changed" % ", ".join(options))
    field = (added or changed or [None])[0]
    _report(ctx, model, field,
            "model `%s.%s`: %s; the database needs a migration: run `python manage.py "
            "makemigrations %s` and `python manage.py migrate`, then restart the server "
            "(the old model keeps serving until then)"
            % (label, model.__name__, "; ".join(parts), label))


def _same(a, b):
    try:
        return bool(a == b)
    except Exception:
        return repr(a) == repr(b)


def _report(ctx, model, field, message):
    path = paths.module_path(sys.modules.get(model.__module__))
    where = None
    if path:
        idx = locate.index(ctx.st, path)
        span = idx.defs.get(model.__qualname__) if idx is not None else None
        if span and field:
            span = _field_span(idx, span[0], field) or span
        if span:
            where = (path, span)
    ctx.report("restart-needed", message, where, holder=model.__module__,
               name=model.__qualname__, target="%s.%s" % (model.__module__,
                                                          model.__qualname__))


def _field_span(idx, class_line, field):
    """Span of `field = ...` in the class body starting at class_line."""
    try:
        tree = ast.parse("\n".join(idx.lines))
    except (SyntaxError, ValueError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.lineno == class_line:
            for stmt in node.body:
                targets = getattr(stmt, "targets", None) or [getattr(stmt, "target", None)]
                if any(isinstance(t, ast.Name) and t.id == field for t in targets):
                    return idx.span(stmt)
    return None


def _new_models(ctx, st, apps):
    """A model the edit added: it serves, but its table needs a migration."""
    ran = set(ctx.ran)
    for label, models in apps.all_models.items():
        for model_name, model in models.items():
            if (label, model_name) in st.registered or model.__module__ not in ran:
                continue
            _report(ctx, model, None, "new model `%s.%s`: its table does not exist until "
                    "you run `python manage.py makemigrations %s` and `python manage.py "
                    "migrate`" % (label, model.__name__, label))


def _admin_classes(st):
    """A ModelAdmin made from a class the engine merged into the old one is
    made an instance of the old class (the one its module binds)."""
    for site, model, _old in st.replaced_admins:
        admin = site._registry.get(model)
        cls = type(admin)
        mod = sys.modules.get(cls.__module__)
        bound = vars(mod).get(cls.__name__) if mod is not None else None
        if isinstance(bound, type) and bound is not cls and bound.__qualname__ == cls.__qualname__:
            try:
                admin.__class__ = bound
            except TypeError:
                pass
    st.replaced_admins = []


def _settings(ctx):
    """The settings module ran: django.conf.settings takes its new values,
    except those Django reads once at startup (restart-needed)."""
    settings = getattr(sys.modules.get("django.conf"), "settings", None)
    if settings is None or not settings.configured:
        return
    name = getattr(settings._wrapped, "SETTINGS_MODULE", None)
    mod = sys.modules.get(name) if name else None
    if mod is None or name not in ctx.changes:
        return
    space = vars(mod)
    restart = []
    for key, (_old, new) in sorted(ctx.changes[name].items()):
        if not key.isupper():
            continue
        if key in _STARTUP_SETTINGS or key not in space:
            restart.append(key)
        else:
            setattr(settings, key, new)
    if not restart:
        return
    path = paths.module_path(mod)
    idx = locate.index(ctx.st, path) if path else None
    hit = idx.binding(restart[0]) if idx is not None else None
    ctx.report("restart-needed", "setting%s %s changed: Django reads %s once, at startup; "
               "restart the server (django.conf.settings keeps the running value)"
               % ("s" if len(restart) > 1 else "", ", ".join("`%s`" % k for k in restart),
                  "them" if len(restart) > 1 else "it"),
               (path, hit[1]) if hit else None, holder=name, name=restart[0],
               target="%s.%s" % (name, restart[0]))


def _clear_urls(ctx):
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


def _clear_templates(ctx):
    """Reset the template loaders' caches; read the tag libraries again when a
    templatetags module ran."""
    template = sys.modules.get("django.template")
    backends = sys.modules.get("django.template.backends.django")
    engines = getattr(template, "engines", None)
    if engines is None or backends is None or getattr(engines, "_engines", None) is None:
        return
    tags = any(".templatetags." in name for name in ctx.ran)
    for backend in list(engines._engines.values()):
        engine = getattr(backend, "engine", None)
        if not isinstance(backend, backends.DjangoTemplates) or engine is None:
            continue
        for loader in engine.template_loaders:
            reset = getattr(loader, "reset", None)
            if reset is not None:
                reset()
        if tags:
            libraries = dict(engine.libraries)
            libraries.update(backends.get_installed_libraries())
            engine.libraries = libraries
            engine.template_libraries = engine.get_template_libraries(libraries)
            engine.template_builtins = engine.get_template_builtins(engine.builtins)


def describe(obj):
    """A model, URL pattern or admin site as Django users know it."""
    base = _model_base()
    if base is not None and isinstance(obj, type) and issubclass(obj, base) and obj is not base:
        meta = obj._meta
        return "model `%s.%s` of Django app `%s`" % (meta.app_label, obj.__name__,
                                                      meta.app_label)
    resolvers = sys.modules.get("django.urls.resolvers")
    if resolvers is not None and isinstance(obj, resolvers.URLPattern):
        name = " (name `%s`)" % obj.name if obj.name else ""
        return "Django URL pattern `%s`%s" % (obj.pattern, name)
    if resolvers is not None and isinstance(obj, resolvers.URLResolver):
        return "Django URLconf included at `%s`" % obj.pattern
    sites = sys.modules.get("django.contrib.admin.sites")
    if sites is not None and isinstance(obj, sites.AdminSite):
        return "Django admin site `%s`" % obj.name
    return None
