"""Phase one of an in-place reload: what changed runs again in the live modules.

A mixin of inplace.Txn. In each module (its namespace snapshotted first), the
new statements are planned against the old ones and only what changed runs;
an edited body or method is compiled alone; each rebinding keeps the old
object when it can take the new definition, the update itself left pending
for phase two (applyphase).
"""

import ast
import importlib
import importlib.util
import sys
import types

from . import adapters
from . import fresh
from . import partial
from . import paths
from . import precompile
from . import statements
from . import update

MISSING = object()  # a name not bound (before a statement, or after it)
FUNCTION = types.FunctionType


class RunPhase:
    """inplace.Txn's running: modules wave after wave (its follow gives the
    next wave), statements planned against the old source and run; what ran
    is recorded in the transaction (changes, dirty, pending, sources, out)
    after snapshot() saved the namespace."""

    def run(self, chosen):
        """Run the chosen modules in load order, then, wave after wave, the
        package modules that bound a value that changed (dependents)."""
        wave = [name for name, _, _ in chosen]
        self.ctx.modules = list(wave)
        adapters.call(self.adapters, "prepare", self.ctx)
        edited = {name: (path, version) for name, path, version in chosen}
        if self.force_all:
            # Many modules run whole: those without a .pyc CPython trusts are
            # compiled in parallel by the workers (the rest load their .pyc),
            # from the bytes chosen (the pool does not read them again).
            compile_these = {path: version for _, path, version in chosen
                             if not fresh.cache_is_trustworthy(path, version[0])}
            self.pool = precompile.pool_for(self.st, len(compile_these))
            if self.pool is not None:
                self.pool.submit(list(compile_these), compile_these)
        passes = {}
        try:
            self.run_waves(wave, edited, passes)
        finally:
            if self.pool is not None:
                self.pool.forget()

    def run_waves(self, wave, edited, passes):
        while wave:
            ran = []
            for name in wave:
                passes[name] = passes.get(name, 0) + 1
                module = sys.modules.get(name)
                if module is None or passes[name] > 3:
                    continue
                self.run_module(name, module, edited.pop(name, None))
                ran.append(name)
                if name not in self.out.modules:
                    self.out.modules.append(name)
            wave = self.follow(ran)

    def run_module(self, name, module, edited):
        """Run what changed in one module. edited is (path, (stat, bytes)) of
        a chosen module, the version choose compared, which is what runs; None
        for a dependent whose source did not change, where only statements
        reading rebound names run."""
        path = paths.module_path(module)
        ns = vars(module)
        self.snapshot(name, module)
        edited_path = edited[0] if edited is not None else None
        if edited is None:
            info, data = self.source_of(path)
        elif edited_path == path:
            info, data = edited[1]
        else:  # the module was replaced by one from another file meanwhile
            info, data = self.read_source(path)
        if edited_path is not None and (
                self.force_all or name in self.reset or ns.get("__pyreload__") == "reset"
                or self.st.sources.before(path) is None):
            self.sources[path] = (info, data)
            self.run_whole(name, module, path, data, info)
            return
        try:
            tree = statements.parse(data, path)
            text = importlib.util.decode_source(data)
        except SyntaxError as exc:
            if exc.filename and exc.lineno:
                raise
            raise fresh.located(exc, data, path) from exc
        except UnicodeDecodeError as exc:
            raise fresh.located(SyntaxError(str(exc)), data, path) from exc
        package = module.__package__ if isinstance(module.__package__, str) else (
            name if hasattr(module, "__path__") else name.rpartition(".")[0])
        flags = partial.future_flags(tree)
        dirty = self.dirty.setdefault(name, set())
        changes = self.changes.setdefault(name, {})
        if edited_path is None:
            news = statements.split(tree, text, package)
            plan = statements.plan(news, news)
        else:
            self.sources[path] = (info, data)
            before = self.st.sources.before(path)
            try:
                old_tree = statements.parse(before, path)
            except (SyntaxError, ValueError):
                self.run_whole(name, module, path, data, info)
                return
            olds = statements.split(old_tree, importlib.util.decode_source(before), package)
            news = statements.split(tree, text, package)
            plan = statements.plan(olds, news)
        resets = {r.rpartition(".")[2] for r in self.reset if r.rpartition(".")[0] == name}
        for action, s, o, sub in plan.steps:
            if action == "skip":
                if s.reset or (s.binds & resets) or (s.reads & dirty) or self.reads_changed(s):
                    action = "run"
                else:
                    if edited_path is not None:
                        self.keep(name, ns, s)
                    continue
            if action == "body" and self.patch_body(name, ns, path, s, o, flags):
                continue
            if action == "class" and self.patch_members(name, ns, path, ns.get(s.name), s, sub,
                                                        flags):
                continue
            self.run_statement(name, ns, path, s, flags)
        for key in sorted(plan.removed):
            if key in ns and not (key.startswith("__") and key.endswith("__")):
                old = ns.pop(key)
                changes[key] = (old, MISSING)
                dirty.add(key)
                self.out.deleted.append((name, key, old))
        if edited_path is not None:
            doc = ast.get_docstring(tree, clean=False)
            ns["__doc__"] = doc

    def source_of(self, path):
        """(stat or None, bytes) of a module's source as it runs now: the
        version this reload ran (a module running again as a dependent), else
        the one it was loaded from, else the file's."""
        if path in self.sources:
            return self.sources[path]
        data = self.st.sources.before(path)
        if data is not None:
            return None, data
        return self.read_source(path)

    def read_source(self, path):
        version = self.st.sources.read_version(path) if path else None
        if version is None:
            raise FileNotFoundError("cannot read %s" % path)
        return version

    def reads_changed(self, s):
        """Report whether an import statement takes a name that changed in
        this reload (`from .settings import *` takes them all)."""
        for how, base, item in s.imports:
            if how != "from":
                continue
            changed = self.changes.get(base)
            if changed and (item in changed or item == "*"):
                return True
        return False

    def keep(self, name, ns, s):
        for key in sorted(s.binds):
            value = ns.get(key, MISSING)
            if value is not MISSING and _is_data(value):
                self.out.kept.append("%s.%s" % (name, key))

    def patch_body(self, name, ns, path, s, o, flags):
        """An edited def whose header is unchanged: compile it without its
        decorators and pair it with the function inside the old value."""
        old_value = ns.get(s.name, MISSING)
        if old_value is MISSING:
            return False
        scratch = {}
        exec(partial.compile_nodes([statements.body_only(s.node)], path, flags), ns, scratch)
        new = scratch.get(s.name)
        old = _pick(update.inner_functions(old_value, s.name, path), o.first_line)
        if type(new) is not FUNCTION or old is None:
            return False
        if old.__code__.co_freevars != new.__code__.co_freevars:
            return False
        self.pending.append(("function", old, new, None, "%s.%s" % (name, s.name)))
        return True

    def patch_members(self, name, ns, path, cls, s, sub, flags, qual=None):
        """An edited class whose header and data are unchanged: its members are
        compiled in a throwaway class that sees its namespace."""
        qual = qual or s.name
        if not isinstance(cls, type) or getattr(cls, "__qualname__", None) != qual:
            return False
        target = "%s.%s" % (name, qual)
        todo = []
        for action, m, mo, msub in sub.steps:
            if action == "skip":
                continue
            if action == "class":
                inner = vars(cls).get(m.name)
                if self.patch_members(name, ns, path, inner, m, msub, flags,
                                      "%s.%s" % (qual, m.name)):
                    continue
                action = "run"
            if action == "body":
                space = partial.member_space(cls, statements.body_only(m.node), path, flags, ns)
                new = space.get(m.name)
                old = _pick(update.inner_functions(vars(cls).get(m.name), m.name, path),
                            mo.first_line)
                if (type(new) is FUNCTION and old is not None
                        and old.__code__.co_freevars == new.__code__.co_freevars):
                    todo.append(("function", old, new, cls, "%s.%s" % (target, m.name)))
                    continue
            space = partial.member_space(cls, m.node, path, flags, ns)
            for key in m.binds:
                if key in space:
                    todo.append(("member", cls, key, space[key], "%s.%s" % (target, key)))
        for key in sorted(sub.removed):
            todo.append(("delete", cls, key, None, "%s.%s" % (target, key)))
        self.pending.extend(todo)
        # Adapters see which members of which classes changed (a validator).
        self.ctx.members.setdefault((name, qual), set()).update(
            t[2] if t[0] in ("member", "delete") else t[1].__name__ for t in todo)
        return True

    def run_statement(self, name, ns, path, s, flags):
        adapters.call(self.adapters, "before_run", self.ctx, name, sorted(s.binds))
        before = {key: ns.get(key, MISSING) for key in s.binds}
        exec(partial.compile_nodes([s.node], path, flags), ns)
        for key in sorted(s.binds):
            self.settle(name, ns, path, key, before[key], ns.get(key, MISSING),
                        decorated=bool(getattr(s.node, "decorator_list", None)))

    def run_whole(self, name, module, path, data, info):
        """Run the whole new module in its namespace (its old source unknown,
        or asked for): every name is paired with its old value."""
        ns = vars(module)
        ready = self.pool.take(path, info) if self.pool is not None else None
        if ready is not None and ready[0] == data:
            code = ready[1]
            fresh.write_cache(path, code, info)
        else:
            code = fresh.module_code(path, data, info, self.st.sources.read)
        if any(hasattr(a, "before_run") for a in self.adapters):
            bound = set()
            for node in statements.parse(data, path).body:
                bound |= statements.bound_names(node)
            adapters.call(self.adapters, "before_run", self.ctx, name, sorted(bound))
        before = dict(ns)
        exec(code, ns)
        for key in list(ns):
            if key.startswith("__") and key.endswith("__"):
                continue
            self.settle(name, ns, path, key, before.get(key, MISSING), ns[key], decorated=None)

    def settle(self, name, ns, path, key, old, new, decorated):
        """After a statement ran: keep the old object where it can take the
        new definition (rebinding the name to it), else record the change."""
        if old is new:
            return
        qual = "%s.%s" % (name, key)
        if old is MISSING:
            self.out.added.append(qual)
            self.changed(name, key, old, new)
            return
        if (type(old) is FUNCTION and type(new) is FUNCTION and decorated is not True
                and old.__code__.co_name == new.__code__.co_name
                and old.__code__.co_freevars == new.__code__.co_freevars):
            ns[key] = old
            self.pending.append(("function", old, new, None, qual))
            if old.__code__.co_name != key:  # a wrapper: the function inside follows too
                olds = update.inner_functions(old, key, path)
                news = update.inner_functions(new, key, path)
                if olds and news and olds[-1] is not old:
                    self.pending.append(("function", olds[-1], news[-1], None, qual))
            return
        if isinstance(old, type) and isinstance(new, type) and old.__name__ == new.__name__:
            why = update.layout_problem(old, new)
            if not why:
                ns[key] = old
                self.pending.append(("class", old, new, None, qual))
                return
            self.out.replaced.append((name, key, old, new, why))
        elif callable(old) and callable(new) and not isinstance(old, type):
            olds = update.inner_functions(old, key, path)
            news = update.inner_functions(new, key, path)
            if olds and news:
                self.pending.append(("function", olds[-1], news[-1], None, qual))
            else:  # e.g. a framework object made by a decorator: an adapter may re-register it
                self.ctx.unpaired.append((name, key, old, new))
        if _is_data(new) and _is_data(old):
            self.out.reset.append(qual)
        self.changed(name, key, old, new)

    def changed(self, name, key, old, new):
        self.changes.setdefault(name, {})[key] = (old, new)
        self.dirty.setdefault(name, set()).add(key)


def _pick(candidates, first_line):
    """The old function among candidates defined at first_line, else the innermost."""
    if not candidates:
        return None
    for func in candidates:
        if func.__code__.co_firstlineno == first_line:
            return func
    return candidates[-1]


def _is_data(value):
    return not isinstance(value, (type, types.ModuleType, FUNCTION, types.BuiltinFunctionType,
                                  staticmethod, classmethod, property))
