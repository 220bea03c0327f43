"""Phase two of an in-place reload: old objects take their new definitions.

A mixin of inplace.Txn, run once every statement ran: old functions take the
new code, old classes the new namespace (update.py), closures made from edited
code follow, the adapters finish and the sources run are remembered; what
could not be updated is recorded for the report.
"""

import types

from . import adapters
from . import fresh
from . import heap
from . import update

FUNCTION = types.FunctionType


class ApplyPhase:
    """inplace.Txn's updates, applied from its pending list (phase one's)."""

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
