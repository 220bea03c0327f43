"""Framework adapters and user hooks: what a reload must tell the frameworks.

Like IPython's table of update rules, each adapter is a small module of its own
(`fw_<name>.py`, with its framework's mechanics in helper modules beside it when
they are long: `flask_routing`, `starlette_routes`, `django_urls`...), listed in
ADAPTERS in the order they run, and active only
when one of its framework's modules is imported in the process (`MODULES`).
The in-place reload calls, on every active adapter, with one Context:

- `prepare(ctx)` once, before any statement runs;
- `before_run(ctx, module, names)` before a statement (or a whole module, when
  it runs whole) that binds names in module runs again: clear what the new
  definitions would collide with (a table, a validator, a registered model,
  a task); register how to undo it with `ctx.on_rollback`;
- `after(ctx)` once everything ran and the old objects took their new
  definitions: apply what the edit added or changed (routes, URL patterns,
  tasks, commands) and add a finding with `ctx.report(...)` for what the
  framework cannot take live (a restart or a migration).

prepare and before_run may raise: the reload is then rolled back like an import
error, with the message at the adapter's frame. after must not raise; if it
does, the exception becomes a `not-updated` finding naming the adapter.
`describe(obj)` (optional) names a holder the way users know it ("view
`index` of Flask app `shop`"), for the scan.

User hooks (the `hooks` setting) are modules with optional `before_reload(modules)`
and `after_reload(modules)` functions, called like adapters; a hook that raises
in before_reload rolls the reload back.
"""

import importlib
import sys

from . import entries
from . import fw_flask
from . import fw_starlette
from . import fw_django
from . import fw_sqlalchemy
from . import fw_pydantic
from . import fw_celery
from . import fw_click
from . import fw_aiohttp
from . import fw_attrs

# The adapters, in the order they run (ORM and validation layers before the
# web frameworks that route to them).
ADAPTERS = (fw_sqlalchemy, fw_pydantic, fw_attrs, fw_django, fw_celery, fw_click,
            fw_flask, fw_starlette, fw_aiohttp)


class Context:
    """What adapters see of one in-place reload."""

    def __init__(self, st, package, modules):
        self.st = st
        self.package = package
        self.modules = list(modules)  # the modules chosen to run, in order
        self.ran = []  # the modules that ran (dependents included), once done
        self.changes = {}  # module -> {name: (old, new)}: bindings that changed
        self.members = {}  # (module, class qualname) -> member names updated in place
        # (module, name, old, new): callables made again (by a decorator that
        # returns an object, not a function) whose old object could not be
        # updated in place; after() removes those it re-registered, the rest
        # are reported as not-updated.
        self.unpaired = []
        self.findings = []  # Stale dicts adapters report
        self._undo = []

    def on_rollback(self, undo):
        """Register a callable that undoes what an adapter did, if the reload
        is rolled back (called newest first)."""
        self._undo.append(undo)

    def rollback(self):
        for undo in reversed(self._undo):
            try:
                undo()
            except Exception:  # restore as much as possible
                pass
        self._undo = []

    def report(self, code, message, where=None, holder=None, name=None, target=None, new=None,
               count=1):
        """Add a finding (a Stale dict); where is (file, (line, col, end_line, end_col)).
        A holder, name or target not given (or empty) is None, as in the engine's own
        findings: a fix target then matches on what is known only."""
        self.findings.append(entries.stale(code, message, where, holder or None, name or None,
                                           target or None, new, count=count, real=self.st.real))


def active(hook_modules=()):
    """Return the adapters whose framework is imported, then the user hooks."""
    out = []
    for module in ADAPTERS:
        if any(m in sys.modules for m in getattr(module, "MODULES", ())):
            out.append(module)
    for name in hook_modules:
        out.append(UserHook(name))
    return out


class UserHook:
    """A user's hook module, called like an adapter."""

    def __init__(self, name):
        self.name = name

    def _call(self, attr, ctx):
        module = sys.modules.get(self.name) or importlib.import_module(self.name)
        func = getattr(module, attr, None)
        if func is not None:
            func(list(ctx.ran or ctx.modules))

    def prepare(self, ctx):
        self._call("before_reload", ctx)

    def after(self, ctx):
        self._call("after_reload", ctx)


def describe(obj):
    """Return how the active adapters name obj for users ("Flask app `shop`"),
    or None."""
    for adapter in active():
        func = getattr(adapter, "describe", None)
        if func is None:
            continue
        try:
            text = func(obj)
        except Exception:  # naming is best effort
            text = None
        if text:
            return text
    return None


def call(adapters, method, ctx, *args):
    """Call method on every adapter that has it (exceptions propagate)."""
    for adapter in adapters:
        func = getattr(adapter, method, None)
        if func is not None:
            func(ctx, *args)


def call_after(adapters, ctx):
    """Call after() on every adapter; an exception becomes a finding."""
    for adapter in adapters:
        func = getattr(adapter, "after", None)
        if func is None:
            continue
        try:
            func(ctx)
        except Exception as exc:  # an adapter must never take the reload down
            label = getattr(adapter, "NAME", None) or getattr(adapter, "name", "adapter")
            ctx.report("not-updated", "the %s adapter could not apply the reload: %s: %s; "
                       "restart to be sure the framework serves the new code"
                       % (label, type(exc).__name__, exc), holder=str(label))
