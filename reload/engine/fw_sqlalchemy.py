"""Adapter: SQLAlchemy: declarative models and tables of reloaded modules (and Flask-SQLAlchemy).

A model method edited under an unchanged class needs nothing here (the
engine updates the method in place). A model class that runs again (its
columns or other class-level data changed) would collide with itself: "Table
'users' is already defined for this MetaData instance". So:

- before_run: the old class's table leaves its MetaData and the class leaves
  its declarative registry (undone on rollback), so the class statement runs;
- after: the running app keeps the old mapping, which matches its database:
  the old class object (which the engine kept, taking the new methods) gets
  its own mapped attributes, table and mapper back, the new mapper is
  disposed and the old table and class are registered again. When the
  mapped columns or properties changed, that is a `restart-needed` finding
  at the class line (a migration and a restart make them live), reported
  again after every later reload until the class matches its mapping.

A declarative base made again (its module runs whole) is kept with its own
registry and MetaData, where the old mappings live.

Flask-SQLAlchemy: a `db = SQLAlchemy()` that ran again is registered on the
apps the old one served (sharing their engines), so views never meet "The
current Flask app is not registered with this 'SQLAlchemy' instance".
"""

import ast
import sys

from . import paths

NAME = 'SQLAlchemy'
MODULES = ('sqlalchemy',)

# Class attributes that make up a declarative class's mapping.
MAPPING_KEYS = frozenset(("__table__", "__mapper__", "_sa_class_manager", "__tablename__",
                          "__table_args__", "__mapper_args__", "__init__"))


def _mapped(cls):
    """True for a class mapped by a declarative registry (its own mapper)."""
    return isinstance(cls, type) and "__mapper__" in vars(cls) and "_sa_class_manager" in vars(cls)


def _is_mapping(key, value):
    if key in MAPPING_KEYS:
        return True
    orm = sys.modules.get("sqlalchemy.orm.attributes")
    return orm is not None and isinstance(value, orm.QueryableAttribute)


def _clsregistry():
    return sys.modules.get("sqlalchemy.orm.clsregistry")


class _Old:
    """A mapped class about to run again, and where its mapping was."""

    def __init__(self, module, name, cls):
        self.module, self.name, self.cls = module, name, cls
        self.space = dict(vars(cls))
        self.mapper = self.space["__mapper__"]
        self.registry = cls._sa_class_manager.registry
        self.table = self.space.get("__table__")  # None: single-table inheritance
        self.metadata = getattr(self.table, "metadata", None)
        self.managers = set(self.registry._managers.keys())

    def detach(self):
        """The old table leaves its MetaData, the class its registry."""
        if self.table is not None and self.metadata.tables.get(self.table.key) is self.table:
            self.fks = {k: list(v) for k, v in self.metadata._fk_memos.items()}
            self.metadata.remove(self.table)
        clsregistry = _clsregistry()
        if clsregistry is not None:
            clsregistry.remove_class(self.cls.__name__, self.cls, self.registry._class_registry)

    def attach(self, new_cls=None):
        """The old table and class are registered again (a new class made
        since is disposed first)."""
        if new_cls is not None and new_cls is not self.cls:
            self.dispose(new_cls)
        for manager in list(self.registry._managers.keys()):
            if manager not in self.managers and manager.class_ is not self.cls:
                self.dispose(manager.class_)
        if self.table is not None:
            md = self.metadata
            current = md.tables.get(self.table.key)
            if current is not None and current is not self.table:
                md.remove(current)
            if current is not self.table:
                md._add_table(self.table.name, self.table.schema, self.table)
                for key, fks in getattr(self, "fks", {}).items():
                    for fk in fks:
                        if fk.parent is not None and fk.parent.table is self.table and (
                                fk not in md._fk_memos[key]):
                            md._fk_memos[key].append(fk)
        clsregistry = _clsregistry()
        if clsregistry is not None:
            reg = self.registry._class_registry
            clsregistry.remove_class(self.cls.__name__, self.cls, reg)
            clsregistry.add_class(self.cls.__name__, self.cls, reg)

    def dispose(self, new_cls):
        manager = vars(new_cls).get("_sa_class_manager")
        registry = getattr(manager, "registry", None)
        if manager is None or registry is None:
            return
        registry._dispose_manager_and_mapper(manager)
        registry._managers.pop(manager, None)
        table = vars(new_cls).get("__table__")
        md = getattr(table, "metadata", None)
        if md is not None and md.tables.get(table.key) is table:
            md.remove(table)

    def restore_space(self):
        """The kept class object gets its own mapping back (the engine gave it
        the new class's mapped attributes along with its methods)."""
        space = vars(self.cls)
        for key in list(space):
            if key not in self.space and _is_mapping(key, space[key]):
                type.__delattr__(self.cls, key)
        for key, value in self.space.items():
            if _is_mapping(key, value) and space.get(key) is not value:
                type.__setattr__(self.cls, key, value)


# What makes a declarative base class (declarative_base(), db.Model) its registry's.
BASE_KEYS = ("registry", "metadata", "_sa_registry", "__fsa__")


def _is_base(cls):
    return isinstance(cls, type) and "_sa_registry" in vars(cls) and "__mapper__" not in vars(cls)


class _OldBase:
    """A declarative base about to be made again (its module runs whole): the
    kept class object keeps its own registry and MetaData, where the old
    mappings live."""

    def __init__(self, module, name, cls):
        self.module, self.name, self.cls = module, name, cls
        self.space = {k: vars(cls)[k] for k in BASE_KEYS if k in vars(cls)}

    def restore(self):
        for key, value in self.space.items():
            if vars(self.cls).get(key) is not value:
                type.__setattr__(self.cls, key, value)


def _state(ctx):
    state = getattr(ctx, "_fw_sqlalchemy", None)
    if state is None:
        state = ctx._fw_sqlalchemy = []
    return state


def before_run(ctx, module, names):
    """Mapped classes about to be defined again leave their MetaData and registry."""
    mod = sys.modules.get(module)
    if mod is None:
        return
    space = vars(mod)
    state = _state(ctx)
    for name in names:
        cls = space.get(name)
        if any(o.cls is cls for o in state):
            continue
        if _is_base(cls):
            state.append(_OldBase(module, name, cls))
            continue
        if not _mapped(cls) or getattr(cls, "__module__", None) != module:
            continue
        old = _Old(module, name, cls)
        old.detach()
        state.append(old)
        ctx.on_rollback(old.attach)


def after(ctx):
    olds = getattr(ctx, "_fw_sqlalchemy", ())
    for old in olds:
        if isinstance(old, _OldBase) and vars(sys.modules[old.module]).get(old.name) is old.cls:
            old.restore()
    pending = _pending(ctx.st)
    for old in olds:
        if isinstance(old, _OldBase):
            continue
        key = (old.module, old.name)
        current = vars(sys.modules[old.module]).get(old.name)
        if current is old.cls:  # the engine kept the class object
            mapper = vars(old.cls).get("__mapper__")
            new_mapper = mapper if mapper is not old.mapper else None
            old.restore_space()
            new_cls = new_mapper.class_ if new_mapper is not None else None
            old.attach(new_cls)
            message = _changes(old, new_mapper, kept=True) if new_mapper is not None else None
            if message:
                pending[key] = message
            else:
                pending.pop(key, None)
        elif _mapped(current):  # a new class object: its mapping is the live one
            pending.pop(key, None)
            message = _changes(old, vars(current)["__mapper__"], kept=False)
            if message:
                _report(ctx, old.module, old.name, message)
        else:
            old.attach()
    for (module, name), message in list(pending.items()):
        mod = sys.modules.get(module)
        if mod is None or not _mapped(vars(mod).get(name)):
            del pending[(module, name)]
            continue
        _report(ctx, module, name, message)
    _flask_sqlalchemy(ctx)


def _pending(st):
    """The models whose source no longer matches the mapping the app keeps,
    module -> message: reported again after every reload until the class runs
    again matching it (the state lives on the engine's State)."""
    pending = getattr(st, "fw_sqlalchemy_pending", None)
    if pending is None:
        pending = st.fw_sqlalchemy_pending = {}
    return pending


def columns(mapper):
    """A comparable description of a mapper's table columns and properties."""
    table = mapper.local_table
    cols = {}
    for col in getattr(table, "columns", ()):
        cols[col.name] = (repr(col.type), bool(col.primary_key), bool(col.nullable),
                          sorted(fk.target_fullname for fk in col.foreign_keys))
    return cols, sorted(mapper._props.keys()), getattr(table, "fullname", None)


def _changes(old, new_mapper, kept):
    """The restart-needed message for a model whose new definition maps
    differently from the mapping kept, or None."""
    (a, pa, ta), (b, pb, tb) = columns(old.mapper), columns(new_mapper)
    if (a, pa, ta) == (b, pb, tb):
        return None
    parts = []
    if ta != tb:
        parts.append("table %s -> %s" % (ta, tb))
    added = [k for k in b if k not in a]
    gone = [k for k in a if k not in b]
    changed = [k for k in a if k in b and a[k] != b[k]]
    for label, keys in (("added", added), ("removed", gone), ("changed", changed)):
        if keys:
            parts.append("%s column%s %s" % (label, "s" if len(keys) > 1 else "",
                                              ", ".join(keys)))
    for label, keys in (("added", [k for k in pb if k not in pa and k not in b]),
                        ("removed", [k for k in pa if k not in pb and k not in a])):
        if keys:
            parts.append("%s mapped attribute%s %s" % (label, "s" if len(keys) > 1 else "",
                                                       ", ".join(keys)))
    how = ("the running app keeps the old mapping" if kept else
           "instances loaded before the reload keep the old mapping")
    todo = ("migrate the database and restart the app to use the new columns"
            if (a, ta) != (b, tb) else "restart the app to use the new mapping")
    return "model `%s` (table '%s'): %s; %s: %s" % (old.name, ta, "; ".join(parts), how, todo)


def _report(ctx, module, name, message):
    ctx.report("restart-needed", message, where=_class_line(ctx, module, name),
               holder="SQLAlchemy model `%s`" % name, name=name,
               target="%s.%s" % (module, name))


def _class_line(ctx, module, name):
    path = paths.module_path(sys.modules.get(module))
    if not path:
        return None
    data = ctx.st.sources.read(path)
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError, TypeError):
        return None
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            return (path, (node.lineno, node.col_offset + 1, node.lineno,
                           node.col_offset + 1 + len("class " + node.name)))
    return None


def _flask_sqlalchemy(ctx):
    """A Flask-SQLAlchemy extension made again serves the old one's apps."""
    fsa = sys.modules.get("flask_sqlalchemy")
    if fsa is None:
        return
    for changes in ctx.changes.values():
        for old, new in changes.values():
            if not (isinstance(old, fsa.SQLAlchemy) and isinstance(new, fsa.SQLAlchemy)):
                continue
            for app, engines in list(old._app_engines.items()):
                if app in new._app_engines:
                    continue
                new._app_engines[app] = engines
                funcs = app.teardown_appcontext_funcs
                for name in ("_teardown_commit", "_teardown_session"):
                    if any(getattr(f, "__func__", None) is getattr(type(old), name, None)
                           and getattr(f, "__self__", None) is old for f in funcs):
                        funcs.append(getattr(new, name))
