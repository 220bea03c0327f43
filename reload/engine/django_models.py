"""Django's models across a reload: the app registry and admin sites (a model made
again replaces its registration), the old class keeping its own Django machinery,
and the changes a migration must follow (restart-needed)."""

import ast
import functools
import sys

from . import locate
from . import paths

_MISSING = object()
# The Meta options that change what the database holds or how rows are read.
_META_KEYS = ("db_table", "ordering", "unique_together", "index_together", "indexes",
              "constraints", "managed", "proxy", "abstract", "app_label")


def app_registry():
    """Django's app registry (django.apps.apps), None before Django is imported."""
    registry = sys.modules.get("django.apps.registry")
    return getattr(registry, "apps", None)


def model_base():
    """django.db.models.Model, None before Django is imported."""
    base = sys.modules.get("django.db.models.base")
    return getattr(base, "Model", None)


def wrap_register(ctx, st, site):
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
    ctx.on_rollback(functools.partial(unwrap_sites, st, True))


def unwrap_sites(st, undo):
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


def save_related(ctx, st, apps):
    """Remember every registered model's class dict: a new model class sets
    descriptors on the models it relates to."""
    for models in apps.all_models.values():
        for model in models.values():
            st.related[id(model)] = (model, dict(vars(model)))
    ctx.on_rollback(functools.partial(restore_related, st, apps))


def put_back(apps, label, model_name, model):
    apps.all_models[label][model_name] = model
    apps.clear_cache()


def restore_related(st, apps, skip=()):
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


def settle_models(ctx, st, apps):
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


def meta_members(ctx):
    """A model whose only class-level change was its `class Meta` had it
    updated as a member (Django keeps no Meta on the class): the options it
    set are compared with the model's and the attribute taken away."""
    base = model_base()
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


def new_models(ctx, st, apps):
    """A model the edit added: it serves, but its table needs a migration."""
    ran = set(ctx.ran)
    for label, models in apps.all_models.items():
        for model_name, model in models.items():
            if (label, model_name) in st.registered or model.__module__ not in ran:
                continue
            _report(ctx, model, None, "new model `%s.%s`: its table does not exist until "
                    "you run `python manage.py makemigrations %s` and `python manage.py "
                    "migrate`" % (label, model.__name__, label))


def admin_classes(st):
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
