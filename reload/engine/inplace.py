"""In-place reload: the edited statements run again inside the live modules, then
every old function, class and module takes its new definition.

One reload is one transaction (Txn):
1. Choose: the loaded modules of the package whose source changed since they
   were loaded (sources.Sources), in load order.
2. Run (may raise; nothing outside the module namespaces has changed yet): for
   each module, plan its new statements against the old ones
   (statements.plan). Unchanged statements do not run again and their names
   keep their values, unless they read a name that changed in this reload or
   are marked `# pyreload: reset`; an edited function's body is compiled
   alone; an edited class is updated member by member when only its methods
   changed; anything else runs in the module's namespace. A module whose old
   source is unknown, marked `__pyreload__ = "reset"`, or reloaded with
   `all`, runs whole. Modules of the package (and workspace modules outside
   it) that bound a value which changed are rebound, and the package's own
   statements that read it run again (dependents), transitively.
3. If anything raised: every namespace and sys.modules are restored exactly.
4. Update (update.py): old functions take the new code, old classes the new
   namespace; what could not be updated is recorded for the report.
"""

import ast
import importlib
import importlib.util
import os
import sys
import threading
import time
import types

from . import adapters
from . import failure
from . import fresh
from . import heap
from . import locate
from . import locks
from . import missing
from . import partial
from . import paths
from . import precompile
from . import reloader
from . import scan
from . import statements
from . import update
from . import watchdog

_MISSING = object()
FUNCTION = types.FunctionType
# Values that many names share by identity (small ints, interned strings):
# a module binding one is a dependent only under the same name.
_SHARED = (int, float, bool, str, bytes, type(None), tuple, frozenset)


class Outcome:
    """What an in-place reload did, for the report and the leftover scan."""

    def __init__(self):
        self.modules = []  # modules whose statements ran, in order
        self.error = None
        self.rolled_back = False
        self.unchanged = False
        self.kept = []  # "mod.NAME": data whose statement did not run again
        self.reset = []  # "mod.NAME": data whose statement ran again
        self.added = []  # "mod.NAME": names the edit added
        self.deleted = []  # (module name, name, old value)
        self.rebound = []  # (holder module, name, "mod.NAME") from-imports that follow
        self.reassigned = []  # (holder module, name, source module): left alone
        self.functions = 0  # old functions now running new code
        self.classes = 0  # old classes updated in place
        self.replaced = []  # (module, name, old, new, why): could not be updated in place
        self.old_codes = {}  # id(code) -> (code, module, qualname) replaced by new code
        self.findings = []  # Stale dicts the framework adapters reported


def reload(st, package, timeout_s=watchdog.DEFAULT_SECONDS, force_all=False, reset=(),
           hooks=()):
    """Reload the changed modules of package in place; return an Outcome."""
    deadline = time.monotonic() + max(timeout_s, 0.1)
    out = Outcome()
    live = {n: m for n, m in list(sys.modules.items())
            if m is not None and paths.in_tree(n, package)}
    st.sources.sweep(live.values())
    chosen, gone = choose(st, live, force_all, reset)
    if gone:
        out.error = missing.failure(st, live, gone)
        return out
    if not chosen:
        out.unchanged = True
        return out
    if not locks.wait_settled(list(live.values()), deadline):
        out.error = failure.refusal("`%s` is still being imported by another thread"
                                    % package, "Busy")
        return out
    try:
        held = locks.acquire(list(live), deadline)
    except TimeoutError as exc:
        out.error = failure.refusal(str(exc), "Busy")
        return out
    txn = Txn(st, package, live, out, force_all, reset, hooks)
    threads_before = set(threading.enumerate())
    guard = None
    try:
        try:
            guard = watchdog.Deadline(max(deadline - time.monotonic(), 0.05), st.watchdog)
            with fresh.installed([package], st.root, st.libdirs, st.real):
                txn.run(chosen)
            guard.disarm()
        except BaseException as exc:  # roll back whatever the new code raised
            if guard is not None:
                guard.disarm()
            interrupted = isinstance(exc, watchdog.ReloadTimeout)
            if interrupted:
                exc = TimeoutError("the reload did not finish within %g ms"
                                   % (timeout_s * 1000)).with_traceback(exc.__traceback__)
            txn.rollback()
            out.error = failure.note_threads(
                failure.from_exception(exc, st.root, st.libdirs, interrupted), threads_before)
            out.rolled_back = True
            out.modules = []
            return out
        txn.apply()
    finally:
        locks.release(held)
    st.count += 1
    return out


def choose(st, live, force_all, reset):
    """Return ([(name, path)] to run in load order, [(name, path)] missing)."""
    chosen, gone = [], []
    forced = {r for r in reset if r in live} | {r.rpartition(".")[0] for r in reset
                                                 if r.rpartition(".")[0] in live}
    for name, module in live.items():
        path = paths.module_path(module)
        if not path or not path.endswith(".py") or not st.sources.is_workspace(path):
            continue
        state = st.sources.changed(path)
        if state == "missing":
            gone.append((name, path))
        elif state == "changed" or force_all or name in forced:
            chosen.append((name, path))
    return chosen, gone


class Txn:
    """One in-place reload: runs statements, remembers how to undo and what to update."""

    def __init__(self, st, package, live, out, force_all, reset, hooks=()):
        self.st = st
        self.package = package
        self.live = live
        self.out = out
        self.force_all = force_all
        self.reset = set(reset)
        self.snapshots = {}  # module name -> (module, dict copy of its namespace)
        self.modules_before = dict(sys.modules)
        self.dirty = {}  # module name -> names rebound in this reload
        self.changes = {}  # module name -> {name: (old, new)} identity changes
        self.pending = []  # updates applied once everything ran
        self.sources = {}  # path -> (stat, bytes) run, remembered on success
        self.parent = reloader.parent_snapshot(package)
        self.followed = set()  # (module, name) whose holders were rebound
        self.ctx = adapters.Context(st, package, [])
        self.adapters = adapters.active(hooks)
        self.pool = None  # precompile.Pool compiling modules that run whole

    # -- running -----------------------------------------------------------

    def run(self, chosen):
        """Run the chosen modules in load order, then, wave after wave, the
        package modules that bound a value that changed (dependents)."""
        wave = [name for name, _ in chosen]
        self.ctx.modules = list(wave)
        adapters.call(self.adapters, "prepare", self.ctx)
        edited = {name: path for name, path in chosen}
        if self.force_all:
            # Many modules run whole: those without a .pyc CPython trusts are
            # compiled in parallel by the workers (the rest load their .pyc).
            compile_these = [path for _, path in chosen if not fresh.cache_is_trustworthy(path)]
            self.pool = precompile.pool_for(self.st, len(compile_these))
            if self.pool is not None:
                self.pool.submit(compile_these)
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

    def snapshot(self, name, module):
        if name not in self.snapshots:
            self.snapshots[name] = (module, dict(vars(module)))

    def run_module(self, name, module, edited_path):
        """Run what changed in one module (edited_path None: a dependent whose
        source did not change, where only statements reading rebound names run)."""
        path = paths.module_path(module)
        ns = vars(module)
        self.snapshot(name, module)
        info = os.stat(path)
        data = self.st.sources.read(path)
        if data is None:
            raise FileNotFoundError("cannot read %s" % path)
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
                changes[key] = (old, _MISSING)
                dirty.add(key)
                self.out.deleted.append((name, key, old))
        if edited_path is not None:
            doc = ast.get_docstring(tree, clean=False)
            ns["__doc__"] = doc

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
            value = ns.get(key, _MISSING)
            if value is not _MISSING and _is_data(value):
                self.out.kept.append("%s.%s" % (name, key))

    def patch_body(self, name, ns, path, s, o, flags):
        """An edited def whose header is unchanged: compile it without its
        decorators and pair it with the function inside the old value."""
        old_value = ns.get(s.name, _MISSING)
        if old_value is _MISSING:
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
        before = {key: ns.get(key, _MISSING) for key in s.binds}
        exec(partial.compile_nodes([s.node], path, flags), ns)
        for key in sorted(s.binds):
            self.settle(name, ns, path, key, before[key], ns.get(key, _MISSING),
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
            self.settle(name, ns, path, key, before.get(key, _MISSING), ns[key], decorated=None)

    def settle(self, name, ns, path, key, old, new, decorated):
        """After a statement ran: keep the old object where it can take the
        new definition (rebinding the name to it), else record the change."""
        if old is new:
            return
        qual = "%s.%s" % (name, key)
        if old is _MISSING:
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

    # -- dependents --------------------------------------------------------

    def follow(self, ran):
        """Rebind, in other modules, names still bound to values that changed
        in the modules of ran (one pass over the holders for the whole wave);
        return the package modules to run again."""
        by_id, by_name = {}, {}
        for name in ran:
            for key, (old, new) in self.changes.get(name, {}).items():
                if new is _MISSING or old is _MISSING or (name, key) in self.followed:
                    continue
                self.followed.add((name, key))
                if not isinstance(old, _SHARED):
                    by_id[id(old)] = (name, key, old, new)
                by_name.setdefault(key, {})[name] = (old, new)
        if not by_id and not by_name:
            return []
        out = []
        for hname, hmod in self.holders():
            if self.force_all and hname in self.ctx.modules:
                continue  # it ran whole after what it imports: its imports took the new values
            space = vars(hmod)
            imported = None  # key -> modules the holder from-imports it from
            for key, value in list(space.items()):
                hit = by_id.get(id(value))
                if hit is not None and hit[2] is value and hit[0] != hname:
                    source, new = hit[0], hit[3]
                elif key in by_name:
                    # A value many names share (a small int, a string): only a
                    # from-import of that name from that module counts.
                    if imported is None:
                        imported = _from_imports(self.st, hmod)
                    source = new = None
                    # `from M import *` takes every public name of M.
                    for name in imported.get(key, set()) | imported.get("*", set()):
                        old_new = by_name[key].get(name)
                        if old_new is None or name == hname:
                            continue
                        if old_new[0] is value:
                            source, new = name, old_new[1]
                            break
                        if old_new[1] is not value:  # the program assigned its own value
                            self.out.reassigned.append((hname, key, name))
                    if source is None:
                        continue
                else:
                    continue
                self.snapshot(hname, hmod)
                space[key] = new
                self.out.rebound.append((hname, key, "%s.%s" % (source, key)))
                if paths.in_tree(hname, self.package):
                    self.changed(hname, key, value, new)
                    if hname not in out:
                        out.append(hname)
        return out

    def holders(self):
        """Modules that may hold from-imported values: the package's, the
        workspace's and __main__."""
        return scan.workspace_modules(self.st, lambda n: paths.in_tree(n, self.package))

    # -- undo / apply ------------------------------------------------------

    def rollback(self):
        """Restore every namespace that ran and sys.modules exactly, and what
        the adapters cleared."""
        self.ctx.rollback()
        for module, saved in self.snapshots.values():
            space = vars(module)
            space.clear()
            space.update(saved)
        reloader.rollback(self.parent, self.modules_before)

    def apply(self):
        """Old objects take their new definitions; record what could not."""
        out = self.out
        pending, self.pending = self.pending, []
        nested = {}
        for item in pending:
            try:
                self.apply_one(item, nested)
            except Exception as exc:  # the reload is committed: one failure is a finding
                kind, a, b, c, qual = item
                out.replaced.append((qual.rpartition(".")[0], qual.rpartition(".")[2], a,
                                     b if kind != "member" else c,
                                     "updating it raised %s: %s" % (type(exc).__name__, exc)))
        self.finish(nested)

    def apply_one(self, item, nested):
        """Apply one pending update (function, class, member or delete)."""
        out = self.out
        kind, a, b, c, qual = item
        if kind == "function":
            problem = self.update_function(a, b, c, nested)
            if problem:
                out.replaced.append((qual.rpartition(".")[0], qual.rpartition(".")[2],
                                     a, b, problem))
            else:
                out.functions += 1
        elif kind == "class":
            problem = update.update_class(a, b, None, self.pair_class)
            if problem:
                out.replaced.append((qual.rpartition(".")[0], qual.rpartition(".")[2],
                                     a, b, problem))
            out.classes += 1
        elif kind == "member":
            problem = update.update_member(a, b, vars(a).get(b), c, None, self.pair_class)
            if problem:
                out.replaced.append((qual.rpartition(".")[0], b, a, c, problem))
        elif kind == "delete":
            try:
                if b in vars(a):
                    delattr(a, b)
            except (AttributeError, TypeError):
                pass

    def finish(self, nested):
        """After the updates: closures, the adapters, the sources remembered."""
        out = self.out
        if nested:
            self.update_closures(nested)
        self.ctx.ran = list(out.modules)
        self.ctx.changes = self.changes
        adapters.call_after(self.adapters, self.ctx)
        out.findings.extend(self.ctx.findings)
        for module, key, old, new in self.ctx.unpaired:  # what no adapter took care of
            out.replaced.append((module, key, old, new, "it was made again and the old one "
                                 "holds no function pyreload can update"))
        for path, (info, data) in self.sources.items():
            edited = self.st.sources.before(path) != data
            self.st.sources.remember(path, data, info)
            if edited:  # a .pyc of the old source that CPython would still trust
                fresh.refresh_trusted_cache(path, data, info, self.st.sources.read)

    def update_function(self, old, new, owner, nested):
        for code_old, code_new in _nested_codes(old.__code__, new.__code__):
            nested[code_old] = code_new
        self.out.old_codes[id(old.__code__)] = (old.__code__, old.__module__,
                                                old.__qualname__)
        return update.update_function(old, new, owner)

    def pair_class(self, old, new, key):
        why = update.layout_problem(old, new)
        if why:
            return why
        return update.update_class(old, new, None, self.pair_class)

    def update_closures(self, nested):
        """Functions made from an edited function's inner code (closures,
        decorator wrappers, lambdas) take the new inner code."""
        codes = {id(k): v for k, v in nested.items()}
        for func in heap.instances(self.st, (FUNCTION,)):
            new = codes.get(id(func.__code__))
            if new is None:
                continue
            old = func.__code__
            if old.co_freevars != new.co_freevars:
                why = "its free variables changed (%s -> %s)" % (
                    ", ".join(old.co_freevars) or "none", ", ".join(new.co_freevars) or "none")
                self.out.replaced.append((func.__module__, func.__qualname__, func, None, why))
                continue
            self.out.old_codes[id(old)] = (old, func.__module__, func.__qualname__)
            func.__code__ = new


def _nested_codes(old, new):
    """Pairs (old inner code, new inner code) of functions defined inside, by name
    and order."""
    olds = [c for c in old.co_consts if isinstance(c, types.CodeType)]
    news = [c for c in new.co_consts if isinstance(c, types.CodeType)]
    out = []
    used = set()
    for oc in olds:
        for i, nc in enumerate(news):
            if i not in used and nc.co_name == oc.co_name:
                used.add(i)
                if nc.co_code != oc.co_code or nc.co_consts != oc.co_consts:
                    out.append((oc, nc))
                out.extend(_nested_codes(oc, nc))
                break
    return out


def _from_imports(st, holder):
    """{name: {absolute module, ...}} of holder's module-level `from M import name`."""
    path = paths.module_path(holder)
    idx = locate.index(st, path) if path else None
    if idx is None:
        return {}
    package = holder.__package__ if isinstance(getattr(holder, "__package__", None), str) else ""
    out = {}
    for key, binds in idx.bindings.items():
        for kind, module, _ in binds:
            if kind == "from" and module is not None:
                base = statements.absolute_dotted(module, package)
                if base:
                    out.setdefault(key, set()).add(base)
    return out


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
