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

import functools
import sys

from . import django_models
from . import django_urls
from . import locate
from . import paths

NAME = 'Django'
MODULES = ('django',)

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
        self.sites = []  # (site, its own register attribute or django_models._MISSING)
        self.replaced_admins = []  # (site, model, old ModelAdmin or None)


def _state(ctx):
    st = getattr(ctx, "fw_django", None)
    if st is None:
        st = ctx.fw_django = _State()
    return st


def prepare(ctx):
    st = _state(ctx)
    apps = django_models.app_registry()
    if apps is not None:
        for label, models in apps.all_models.items():
            for model_name, model in models.items():
                st.registered.add((label, model_name))
    sites = sys.modules.get("django.contrib.admin.sites")
    for site in list(getattr(sites, "all_sites", ())):
        django_models.wrap_register(ctx, st, site)


def before_run(ctx, module, names):
    """Take the models about to be made again out of the app registry."""
    base, apps = django_models.model_base(), django_models.app_registry()
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
            django_models.save_related(ctx, st, apps)
        st.models.append((module, name, old, dict(vars(old))))
        label, model_name = old._meta.app_label, old._meta.model_name
        table = apps.all_models[label]
        if table.get(model_name) is old:
            del table[model_name]
            ctx.on_rollback(functools.partial(django_models.put_back, apps, label, model_name, old))


def after(ctx):
    st = _state(ctx)
    django_models.unwrap_sites(st, False)
    apps = django_models.app_registry()
    if apps is not None:
        kept = django_models.settle_models(ctx, st, apps)
        django_models.meta_members(ctx)
        if st.related:
            django_models.restore_related(st, apps, skip=kept)
        django_models.new_models(ctx, st, apps)
        django_models.admin_classes(st)
    _settings(ctx)
    django_urls.clear_urls(ctx)
    _clear_templates(ctx)


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
    base = django_models.model_base()
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
