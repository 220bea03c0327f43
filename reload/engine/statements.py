"""Top-level statements of a module and what an edit changed in them (pure functions).

A statement is unchanged when its syntax tree, without positions, is the same
in the old and the new source: moving it, or editing comments and blank lines
around it, does not change it. For each statement this module knows the names
it binds and the names it reads while it runs (function bodies excluded: they
read globals when called, not when defined).

The plan of a module says, for each new statement in order, one of:
- "skip": unchanged; it does not run again and its names keep their values;
- "body": a function whose header and decorators are unchanged: only the body
  (and defaults) is compiled, and the old function takes the new code;
- "class": a class whose header and class-level data are unchanged: its
  members are planned the same way and the old class is updated in place;
- "run": changed, new, or depending on something that changed: it runs.
"""

import ast

RESET_MARK = "pyreload: reset"


class Stmt:
    """One statement: its node, what identifies it, what it binds and reads."""

    __slots__ = ("node", "key", "kind", "name", "header", "binds", "reads", "line",
                 "first_line", "reset", "imports")

    def __init__(self, node, lines, package):
        self.node = node
        self.key = ast.dump(node, include_attributes=False)
        self.kind, self.name = kind_of(node)
        self.header = header_key(node) if self.kind in ("def", "class") else None
        self.binds = bound_names(node)
        self.reads = read_names(node)
        self.line = node.lineno
        decos = getattr(node, "decorator_list", None) or ()
        self.first_line = min([node.lineno] + [d.lineno for d in decos])
        end = getattr(node, "end_lineno", None) or node.lineno
        self.reset = any(RESET_MARK in lines[i - 1] for i in range(node.lineno, end + 1)
                         if 0 < i <= len(lines))
        self.imports = imported_modules(node, package)


def parse(source, path):
    """Return the module AST of source (bytes or str); raises SyntaxError."""
    return ast.parse(source, path)


def split(tree, text, package):
    """Return [Stmt] of a module body; package is the module's __package__."""
    lines = text.splitlines()
    return [Stmt(node, lines, package) for node in tree.body]


def kind_of(node):
    """Return (kind, name): ("def"|"class"|"import"|"other", name or None)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return "def", node.name
    if isinstance(node, ast.ClassDef):
        return "class", node.name
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return "import", None
    return "other", None


def header_key(node):
    """What must be equal for a def or class to be updated member by member:
    its kind, name, decorators and (for a class) bases and keywords."""
    parts = [type(node).__name__, node.name]
    parts.extend(ast.dump(d, include_attributes=False) for d in node.decorator_list)
    if isinstance(node, ast.ClassDef):
        parts.append("bases")
        parts.extend(ast.dump(b, include_attributes=False) for b in node.bases)
        parts.extend(ast.dump(k, include_attributes=False) for k in node.keywords)
    return tuple(parts)


def bound_names(node):
    """Names a top-level statement binds in the module namespace."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    out = set()
    for sub in _walk_here(node):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, (ast.Store, ast.Del)):
            out.add(sub.id)
        elif isinstance(sub, (ast.Import, ast.ImportFrom)):
            for alias in sub.names:
                if alias.name != "*":
                    out.add(alias.asname or alias.name.partition(".")[0])
        elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(sub.name)
        elif isinstance(sub, ast.ExceptHandler) and sub.name:
            out.add(sub.name)
        elif hasattr(ast, "MatchAs") and isinstance(sub, (ast.MatchAs, ast.MatchStar)):
            if sub.name:
                out.add(sub.name)
    return out


def read_names(node):
    """Global names a statement reads while it runs (decorators, defaults,
    bases, class bodies, right-hand sides), not inside function bodies."""
    out = set()
    for sub in _walk_here(node, into_classes=True):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load):
            out.add(sub.id)
    return out


def imported_modules(node, package):
    """Absolute names of the modules a statement imports names from, with
    whether each binds names out of it ("from") or the module ("module")."""
    out = []
    for sub in _walk_here(node):
        if isinstance(sub, ast.ImportFrom):
            base = absolute(sub.module, sub.level, package)
            if base is None:
                continue
            for alias in sub.names:
                out.append(("from", base, alias.name))
        elif isinstance(sub, ast.Import):
            for alias in sub.names:
                out.append(("module", alias.name, None))
    return out


def absolute(module, level, package):
    """Resolve a (possibly relative) from-import base; None when it cannot be."""
    if not level:
        return module
    if not package:
        return None
    parts = package.split(".")
    if level - 1 >= len(parts):
        return None
    base = ".".join(parts[:len(parts) - (level - 1)])
    return base + "." + module if module else base


def absolute_dotted(module, package):
    """Resolve an import's module as written (".x", "..", "os") against package."""
    level = len(module) - len(module.lstrip("."))
    return absolute(module.lstrip(".") or None, level, package)


def _walk_here(node, into_classes=False):
    """Walk node without entering function bodies (and class bodies unless asked)."""
    stack = [node]
    while stack:
        cur = stack.pop()
        yield cur
        if isinstance(cur, (ast.FunctionDef, ast.AsyncFunctionDef)):
            stack.extend(cur.decorator_list)
            stack.extend(_arg_parts(cur.args))
            if cur.returns is not None:
                stack.append(cur.returns)
            continue
        if isinstance(cur, ast.Lambda):
            stack.extend(_arg_parts(cur.args))
            continue
        if isinstance(cur, ast.ClassDef) and not into_classes:
            stack.extend(cur.decorator_list)
            stack.extend(cur.bases)
            stack.extend(cur.keywords)
            continue
        if isinstance(cur, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            # Comprehension targets are local to it; what they read is global.
            for gen in cur.generators:
                stack.append(gen.iter)
                stack.extend(gen.ifs)
            for part in ("elt", "key", "value"):
                if getattr(cur, part, None) is not None:
                    stack.append(getattr(cur, part))
            continue
        stack.extend(ast.iter_child_nodes(cur))


def _arg_parts(args):
    out = list(args.defaults) + [d for d in args.kw_defaults if d is not None]
    for arg in list(getattr(args, "posonlyargs", [])) + args.args + args.kwonlyargs + [
            a for a in (args.vararg, args.kwarg) if a is not None]:
        if arg.annotation is not None:
            out.append(arg.annotation)
    return out


def body_only(node):
    """A copy of a def node without its decorators (same positions)."""
    copy = ast.copy_location(type(node)(**{f: getattr(node, f) for f in node._fields}), node)
    copy.decorator_list = []
    for attr in ("end_lineno", "end_col_offset"):
        if hasattr(node, attr):
            setattr(copy, attr, getattr(node, attr))
    return copy


class Plan:
    """What to do with each new statement of one module, and what goes away."""

    def __init__(self):
        self.steps = []  # [(action, Stmt new, Stmt old or None, sub-plan or None)]
        self.removed = set()  # names the old statements bound that no new one binds

    def __repr__(self):
        return "Plan(%s, removed=%s)" % (
            [(a, s.name or s.line) for a, s, _, _ in self.steps], sorted(self.removed))


def plan(old, new, member=False):
    """Plan new statements [Stmt] against old ones [Stmt] (old None: unknown,
    everything runs). In a class body (member=True), only defs and nested
    classes may differ for the class to be updated member by member; the
    caller checks that (class_plan)."""
    out = Plan()
    if old is None:
        out.steps = [("run", s, None, None) for s in new]
        return out
    pool = {}
    for s in old:
        pool.setdefault(s.key, []).append(s)
    by_header = {}
    for s in old:
        if s.header is not None:
            by_header.setdefault(s.header, []).append(s)
    used = set()
    for s in new:
        same = pool.get(s.key)
        if same:
            o = same.pop(0)
            used.add(id(o))
            out.steps.append(("skip", s, o, None))
            continue
        candidates = [o for o in by_header.get(s.header, ()) if id(o) not in used] \
            if s.header is not None else []
        if candidates:
            o = candidates[0]
            if s.kind == "def":
                used.add(id(o))
                out.steps.append(("body", s, o, None))
                continue
            sub = class_plan(o, s)
            if sub is not None:
                used.add(id(o))
                out.steps.append(("class", s, o, sub))
                continue
        out.steps.append(("run", s, None, None))
    new_binds = set()
    for s in new:
        new_binds |= s.binds
    for s in old:
        out.removed |= s.binds - new_binds
    return out


def class_plan(old, new):
    """Plan a class body member by member, or None when the class must be made
    again (a class-level statement other than a def or nested class changed,
    was added or removed)."""
    lines = ()
    olds = [Stmt(n, lines, None) for n in old.node.body]
    news = [Stmt(n, lines, None) for n in new.node.body]
    sub = plan(olds, news, member=True)
    for action, s, o, _ in sub.steps:
        if action == "run" and s.kind not in ("def", "class"):
            return None
    for s in olds:
        if s.kind not in ("def", "class") and not any(
                o is s for _, _, o, _ in sub.steps):
            return None
    return sub
