"""Adapter: pydantic v1: validators and fields of reloaded models.

pydantic v1 remembers every ``@validator`` function by "module.Class.name" in a
process-wide set (``class_validators._FUNCS``) and refuses a second definition
("ConfigError: duplicate validator function"), so a class statement that runs
again could never define its validators. prepare and before_run take the refs
of the modules about to run out of that set (put back on rollback, and after
the reload, so the guard still holds between reloads).

A model whose fields or validators changed runs again (its class statement);
the engine merges the new class into the old class object (same bases and
slots), so FastAPI parameters typed with it and new instances get the new
fields and validators, and a validator's body edited later reaches the tables
through its code object. Instances made before keep the fields they had:
after() reports them (`stale-instance`, at the class line, with their count
and the fields they lack or still hold). A new ``@validator`` in a class whose
other members were only updated in place would never be called (pydantic
builds its validator tables when the class is made): after() runs that class
statement again from the new source and merges it the same way (a nested
class cannot be: `restart-needed`).
"""

import ast
import sys

from . import heap
from . import locate
from . import update

NAME = 'pydantic'
MODULES = ('pydantic',)
_REGISTRIES = ("pydantic.class_validators", "pydantic.v1.class_validators")
_STATE = "_fw_pydantic"


def _funcs():
    """The live duplicate-validator registries (v1, and v2's v1 copy)."""
    out = []
    for name in _REGISTRIES:
        module = sys.modules.get(name)
        funcs = getattr(module, "_FUNCS", None)
        if isinstance(funcs, set):
            out.append(funcs)
    return out


def _model_bases():
    out = []
    for name in ("pydantic.main", "pydantic.v1.main"):
        base = getattr(sys.modules.get(name), "BaseModel", None)
        if isinstance(base, type):
            out.append(base)
    return tuple(out)


def _state(ctx):
    state = getattr(ctx, _STATE, None)
    if state is None:
        state = {"seen": set(), "fields": {}}
        setattr(ctx, _STATE, state)
    return state


def _release(ctx, prefix):
    """Take the validator refs under prefix out of the registries until after()."""
    state = _state(ctx)
    for funcs in _funcs():
        refs = [ref for ref in funcs if ref.startswith(prefix)]
        if not refs:
            continue
        funcs.difference_update(refs)

        def undo(funcs=funcs, refs=refs):
            funcs.update(refs)
        ctx.on_rollback(undo)
        state.setdefault("refs", []).append((funcs, refs))


def prepare(ctx):
    for name in ctx.modules:
        before_run(ctx, name, ())


def before_run(ctx, module, names):
    """Once per module, before its first statement runs again (a dependent
    that was not chosen at first included)."""
    seen = _state(ctx)["seen"]
    if module not in seen:
        seen.add(module)
        _release(ctx, module + ".")
        _remember_models(ctx, sys.modules.get(module))


def _remember_models(ctx, module):
    """Remember the field names of the module's models before anything runs."""
    bases = _model_bases()
    if module is None or not bases:
        return
    fields = _state(ctx)["fields"]
    for value in list(vars(module).values()):
        if (isinstance(value, type) and issubclass(value, bases) and value not in bases
                and getattr(value, "__module__", None) == module.__name__):
            fields.setdefault(value, list(getattr(value, "__fields__", {})))


def after(ctx):
    state = _state(ctx)
    for funcs, refs in state.get("refs", ()):
        funcs.update(refs)  # the guard holds between reloads again
    for (module, qual), members in sorted(ctx.members.items()):
        cls = _class_at(sys.modules.get(module), qual)
        if cls is not None and _new_validators(cls, members):
            _remake(ctx, module, qual, cls)
    for cls, before in state["fields"].items():
        after_fields = list(getattr(cls, "__fields__", {}))
        if after_fields != before:
            _report_instances(ctx, cls, before, after_fields)


def _class_at(module, qual):
    value = module
    for part in qual.split("."):
        value = getattr(value, part, None)
    bases = _model_bases()
    if isinstance(value, type) and bases and issubclass(value, bases):
        return value
    return None


def _table_functions(cls):
    """The validator functions pydantic's tables of cls call."""
    out = []
    for group in (getattr(cls, "__validators__", None) or {}).values():
        out.extend(v.func for v in group)
    out.extend(getattr(cls, "__pre_root_validators__", None) or ())
    out.extend(p[1] if isinstance(p, tuple) else p
               for p in getattr(cls, "__post_root_validators__", None) or ())
    return out


def _new_validators(cls, members):
    """Whether a member set in place is a validator the class's tables lack."""
    known = {id(f) for f in _table_functions(cls)}
    for name in members:
        value = vars(cls).get(name)
        func = getattr(value, "__func__", None)
        if (getattr(value, "__validator_config__", None) is not None
                or getattr(value, "__root_validator_config__", None) is not None):
            if id(func) not in known:
                return True
    return False


def _remake(ctx, module, qual, cls):
    """A validator added to a class updated member by member: run the class
    statement again from the new source (pydantic builds its validator tables
    when a class is made) and merge the new class into the old one, like a
    class whose data changed."""
    mod = sys.modules.get(module)
    path = getattr(mod, "__file__", None)
    node = _class_node(ctx, path, qual)
    if node is None:
        span = locate.find_def(ctx.st, path, qual) if path else None
        ctx.report("restart-needed", "a validator was added to pydantic model %s.%s, whose "
                   "validator tables cannot be made again here; restart the app" % (module, qual),
                   (path, span) if span else None, holder="pydantic model %s" % qual,
                   name=qual, target="%s.%s" % (module, qual))
        return
    _release(ctx, "%s.%s." % (module, qual))
    scratch = {}
    try:
        exec(compile(ast.Module(body=[node], type_ignores=[]), path, "exec",
                     dont_inherit=True), vars(mod), scratch)
    finally:
        for funcs, refs in _state(ctx).get("refs", ()):
            funcs.update(refs)
    new = scratch[node.name]

    def pair(old_cls, new_cls, key):
        return update.layout_problem(old_cls, new_cls) or update.update_class(
            old_cls, new_cls, None, pair)
    problem = pair(cls, new, qual)
    if problem:
        raise RuntimeError("could not merge the re-made %s.%s: %s" % (module, qual, problem))


def _class_node(ctx, path, qual):
    """The top-level class statement named qual in path's current source."""
    if not path or "." in qual:
        return None
    data = ctx.st.sources.read(path)
    if data is None:
        return None
    for node in ast.parse(data, path).body:
        if isinstance(node, ast.ClassDef) and node.name == qual:
            return node
    return None


def _report_instances(ctx, cls, before, after_fields):
    lost = [f for f in after_fields if f not in before]
    gone = [f for f in before if f not in after_fields]
    old = [o for o in heap.instances(ctx.st, (cls,))
           if any(f not in vars(o) for f in lost) or any(f in vars(o) for f in gone)]
    if not old:
        return
    path = getattr(sys.modules.get(cls.__module__), "__file__", None)
    span = locate.find_def(ctx.st, path, cls.__qualname__) if path else None
    what = []
    if lost:
        what.append("lack %s" % ", ".join(lost))
    if gone:
        what.append("still hold %s" % ", ".join(gone))
    ctx.report("stale-instance",
               "%d instance%s of pydantic model %s.%s made before its fields changed %s; "
               "make them again (or restart)" % (
                   len(old), "" if len(old) == 1 else "s", cls.__module__, cls.__qualname__,
                   " and ".join(what)),
               (path, span) if span else None, holder="pydantic model %s" % cls.__qualname__,
               name=cls.__qualname__, target="%s.%s" % (cls.__module__, cls.__qualname__),
               count=len(old))
