"""Adapter: Celery: tasks registered on live apps.

Celery's task decorator returns the task already registered under a name
(`app._task_from_fun`), so a task whose decorator runs again would keep the
old task and drop the new function. Before a statement that binds a task runs
again, the task leaves its app's registry (and a pending, not yet evaluated
task its app's pending list; the decorator's app-finalize hook its set), so
the decorator registers the new task; on rollback they are put back. After the
reload every app's registry holds what the modules now bind, and the old task
object (held elsewhere: a from-import, a canvas) runs the new code through the
engine's function update.
"""

import functools
import sys

NAME = 'Celery'
MODULES = ('celery',)


def _task_class():
    module = sys.modules.get("celery.app.task")
    return getattr(module, "Task", None)


def _task_of(value):
    """The task value is, or that an evaluated proxy stands for (`@app.task`
    before the app was finalized binds a PromiseProxy), else None."""
    base = _task_class()
    if base is None:
        return None
    kind = type(value).__name__
    if kind in ("PromiseProxy", "Proxy") and type(value).__module__ == "celery.local":
        # `@app.task` before the app was finalized binds a PromiseProxy;
        # `@shared_task` a Proxy to the current app's task of that name.
        try:
            if kind == "PromiseProxy" and not value.__evaluated__():
                return None
            value = value._get_current_object()
        except Exception:  # a proxy that cannot evaluate
            return None
    return value if isinstance(value, base) else None


def _is_task(value):
    return _task_of(value) is not None


def _is_pending(value):
    if type(value).__name__ != "PromiseProxy" or type(value).__module__ != "celery.local":
        return False
    try:
        return not value.__evaluated__()
    except Exception:
        return False


def before_run(ctx, module, names):
    mod = sys.modules.get(module)
    if mod is None or _task_class() is None:
        return
    space = vars(mod)
    for name in names:
        value = space.get(name)
        task = _task_of(value)
        if task is not None:
            _unregister(ctx, task)
        elif _is_pending(value):
            _unpend(ctx, value)
    _drop_finalizers(ctx, module, set(names))


def _unregister(ctx, task):
    app = getattr(task, "_app", None) or getattr(type(task), "_app", None)
    registry = getattr(app, "_tasks", None)
    if registry is None or registry.get(task.name) is not task:
        return
    name = task.name
    del registry[name]
    ctx.on_rollback(functools.partial(registry.__setitem__, name, task))


def _unpend(ctx, proxy):
    for app in _apps():
        pending = getattr(app, "_pending", None)
        if pending is None:
            continue
        kept = [p for p in pending if p is not proxy]
        if len(kept) != len(pending):
            before = list(pending)
            pending.clear()
            pending.extend(kept)
            ctx.on_rollback(functools.partial(_refill, pending, before))


def _refill(pending, items):
    pending.clear()
    pending.extend(items)


def _drop_finalizers(ctx, module, names):
    """Forget the app-finalize hooks of the task decorators about to run again
    (each run of `@app.task` adds one)."""
    state = sys.modules.get("celery._state")
    hooks = getattr(state, "_on_app_finalizers", None)
    if not hooks:
        return
    for hook in list(hooks):
        fun = _closure_value(hook, "fun")
        if getattr(fun, "__module__", None) == module and getattr(fun, "__name__", None) in names:
            hooks.discard(hook)
            ctx.on_rollback(functools.partial(hooks.add, hook))


def _closure_value(func, name):
    code = getattr(func, "__code__", None)
    if code is None or name not in code.co_freevars:
        return None
    try:
        return func.__closure__[code.co_freevars.index(name)].cell_contents
    except (ValueError, IndexError):
        return None


def _apps():
    state = sys.modules.get("celery._state")
    try:
        return list(state._get_active_apps()) if state is not None else []
    except Exception:
        return []


def after(ctx):
    """Each task a reloaded module binds is its app's task under its name; a
    task the edit deleted leaves its app (as it would after a restart)."""
    if _task_class() is None:
        return
    for module, changes in ctx.changes.items():
        mod = sys.modules.get(module)
        for name, (old, _new) in changes.items():
            task = _task_of(old)
            if task is None or mod is None or name in vars(mod):
                continue
            registry = getattr(getattr(task, "_app", None), "_tasks", None)
            if registry is not None and registry.get(task.name) is task:
                del registry[task.name]
    for module in ctx.ran:
        mod = sys.modules.get(module)
        for value in list(vars(mod).values()) if mod is not None else ():
            value = _task_of(value)
            if value is None:
                continue
            app = getattr(value, "_app", None)
            registry = getattr(app, "_tasks", None)
            if registry is not None and registry.get(value.name) is not value and (
                    getattr(value, "__module__", None) == module):
                registry[value.name] = value


def describe(obj):
    """A task or an app as Celery users know it."""
    base = getattr(sys.modules.get("celery.app.base"), "Celery", None)
    if base is not None and isinstance(obj, base):
        return "Celery app `%s`" % obj.main if obj.main else "a Celery app"
    obj = _task_of(obj)
    if obj is None:
        return None
    app = getattr(obj, "_app", None)
    main = getattr(app, "main", None)
    if main:
        return "task `%s` of Celery app `%s`" % (obj.name, main)
    return "task `%s` of a Celery app" % obj.name
