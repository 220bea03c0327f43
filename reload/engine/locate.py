"""Source locations from the file and its AST: bindings, definitions, attribute uses.

Lines and columns are 1-based, columns count characters, ends are exclusive.
"""

import ast
import tokenize

from . import codedefs
from . import paths


class Index:
    """What one source file binds at module level and where."""

    def __init__(self, path, text):
        self.path = path
        self.lines = text.splitlines()
        self.bindings = {}  # name -> [(kind, module or None, span)]
        self.defs = {}  # qualname -> span of the `class X` / `def f` header
        self._tree = None
        self._uses = None
        self.imports = set()  # absolute module names this file imports
        try:
            tree = ast.parse(text, path)
        except (SyntaxError, ValueError):
            return
        self._tree = tree
        self._module_level(tree.body)
        self._defs(tree.body, "")

    @property
    def uses(self):
        """(dotted base, attr, span) for every `a.b.attr` in the file (computed once)."""
        if self._uses is None:
            self._uses = []
            for node in ast.walk(self._tree) if self._tree is not None else ():
                if isinstance(node, ast.Attribute):
                    base = dotted(node.value)
                    if base:
                        self._uses.append((base, node.attr, self.span(node)))
            self._tree = None
        return self._uses

    def col(self, lineno, offset):
        """Convert an AST byte offset on lineno to a 1-based character column."""
        if not 1 <= lineno <= len(self.lines):
            return offset + 1
        raw = self.lines[lineno - 1].encode("utf-8", "surrogateescape")
        return len(raw[:offset].decode("utf-8", "replace")) + 1

    def span(self, node):
        """Return (line, col, end_line, end_col) of node."""
        end_line = getattr(node, "end_lineno", None) or node.lineno
        end_off = getattr(node, "end_col_offset", None)
        if end_off is None:
            end_off = len(self.lines[node.lineno - 1]) if node.lineno <= len(self.lines) else 0
        return (node.lineno, self.col(node.lineno, node.col_offset),
                end_line, self.col(end_line, end_off))

    def _bind(self, name, kind, module, node):
        self.bindings.setdefault(name, []).append((kind, module, self.span(node)))

    def _module_level(self, body):
        for node in body:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self.imports.add(alias.name)
                    if alias.asname:
                        self._bind(alias.asname, "import", alias.name, node)
                    else:
                        top = alias.name.partition(".")[0]
                        self._bind(top, "import", alias.name, node)
            elif isinstance(node, ast.ImportFrom):
                module = node.module or ""
                if node.level:
                    module = "." * node.level + module
                self.imports.add(module)
                for alias in node.names:
                    self._bind(alias.asname or alias.name, "from", module, node)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self._bind(node.name, "def", None, node)
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    for sub in ast.walk(target):
                        if isinstance(sub, ast.Name):
                            self._bind(sub.id, "assign", None, node)
            else:
                for field in ("body", "orelse", "finalbody", "handlers"):
                    inner = getattr(node, field, None)
                    if isinstance(inner, list):
                        self._module_level([n for n in inner if isinstance(n, ast.AST)])
                if isinstance(node, ast.ExceptHandler):
                    continue

    def _defs(self, body, prefix):
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                qual = prefix + node.name
                keyword = {"ClassDef": "class ", "FunctionDef": "def ",
                           "AsyncFunctionDef": "async def "}[type(node).__name__]
                line = node.lineno
                text = self.lines[line - 1] if line <= len(self.lines) else ""
                start = text.find(keyword + node.name)
                start = start if start >= 0 else len(text) - len(text.lstrip())
                span = (line, start + 1, line, start + len(keyword) + len(node.name) + 1)
                self.defs.setdefault(qual, span)
                if isinstance(node, ast.ClassDef):
                    self._defs(node.body, qual + ".")
            elif isinstance(node, (ast.If, ast.Try, ast.With)):
                for field in ("body", "orelse", "finalbody"):
                    self._defs(getattr(node, field, []) or [], prefix)

    def binding(self, name):
        """Return (kind, span) of the last module-level binding of name, or None."""
        found = self.bindings.get(name)
        if not found:
            return None
        kind, _, span = max(found, key=lambda item: item[2])
        return kind, span


def dotted(node):
    """Return 'a.b.c' for a Name/Attribute chain, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def index(st, path):
    """Return the (cached) Index of path, or None when it cannot be read."""
    key = paths.source_stamp(path)
    if key is None:
        return None
    cached = st.indexes.get(path)
    if cached is not None and cached[0] == key:
        return cached[1]
    try:
        with tokenize.open(path) as handle:
            text = handle.read()
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None
    result = Index(path, text)
    st.indexes[path] = (key, result)
    return result


def find_def(st, path, qualname):
    """Return the span of qualname's definition header in path, exactly as
    index(st, path).defs.get(qualname) (None when no index), parsing only when
    the reload's module code cannot answer."""
    if qualname and "." not in qualname:
        fast = codedefs.code_defs(st, path)
        if fast is not None:
            known, span = fast.lookup(qualname)
            if known:
                return span
    idx = index(st, path)
    return idx.defs.get(qualname) if idx is not None else None
