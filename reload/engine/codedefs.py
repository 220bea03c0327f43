"""Definitions read from a module's compiled code, without parsing the source again.

A reload compiles every module it replaces (fresh.FreshSourceLoader records the
code and the source in State.codes). Where a top-level `def`/`class` header
is, the compiled code already says: locate.find_def asks code_defs first and
parses the file (locate.Index) only when the code cannot answer exactly.
Lines and columns are 1-based, columns count characters, ends are exclusive.
"""

import dis
from importlib.util import decode_source
from itertools import islice
import re

from . import paths


_LOAD_CONST = dis.opmap.get("LOAD_CONST")
_EXTENDED_ARG = dis.opmap.get("EXTENDED_ARG")
_CO_NEWLOCALS = 0x2  # set for functions, not for class bodies
_CO_ASYNC = 0x80 | 0x200  # CO_COROUTINE | CO_ASYNC_GENERATOR: `async def`
# A def/class header line. Matched with its leading newline on "\n" + text: a
# pattern that starts with a literal is searched for far faster than one that
# starts at `^` (re.M), and finds exactly the same lines.
_DEF_LINE = re.compile(r"\n[ \t\f]*(?:async[ \t\f]+)?(?:def|class)\b")
_SPLIT_HEADER = re.compile(r"\b(?:async|def|class)[ \t\f]*\\\r?\n")


def _split_header(text):
    """Report whether a def/class header continues on the next line (`def \\`)."""
    # Without a backslash before a line end there is nothing to search for.
    if "\\\n" not in text and "\\\r" not in text:
        return False
    return _SPLIT_HEADER.search(text) is not None


class CodeDefs:
    """Top-level `class X` / `def f` headers of a file, from its module code object.

    The compiler loads each def/class code object (LOAD_CONST) at the position
    of the statement: the line of the `def`/`class` keyword, past decorators,
    and its column. A top-level name is answered exactly as Index.defs would
    answer it, or not at all (lookup returns (False, None)) when the file has
    something this cannot see: a definition the compiler dropped (dead code),
    or a first definition not at column 0 (inside if/for/try/...).
    """

    def __init__(self, code, text):
        self.code = code
        self.text = text
        self._lines = None
        self._plain = None  # whether the one-name check (_quick) may be tried
        self._nl_only = None  # whether "\n" is the only line break (ASCII text)
        self._full = False  # whether the whole-file analysis (_analyse) ran
        self._answers = {}  # name -> what _quick answered (False: unsure)
        self.usable = False
        self.first = {}  # name -> (line, col, code) of its first module-level def

    @property
    def lines(self):
        if self._lines is None:
            self._lines = self.text.splitlines()
        return self._lines

    def _analyse(self):
        self._full = True
        code, text = self.code, self.text
        if _LOAD_CONST is None or not hasattr(code, "co_positions"):
            return
        if _split_header(text):
            return
        defs = _count_defs(code)
        if defs != len(_DEF_LINE.findall("\n" + text)):
            return
        loaded = _loaded_code(code)
        if loaded is None:
            return
        for line, col, sub in loaded:
            if line is None or col is None:
                return
            have = self.first.get(sub.co_name)
            if have is None or line < have[0]:
                self.first[sub.co_name] = (line, col, sub)
        self.usable = True

    def _quick(self, name):
        """Answer name from its own definitions only, or return None when unsure.

        In an ASCII file (no NFKC-normalised identifiers) every def/class
        statement named name holds name in its header, at its own place, and
        each module-level code constant named name comes from its own
        statement (the compiler merges a body compiled twice, as in `finally`,
        into one constant). So when the module code holds as many constants
        named name as the text holds occurrences of name, no statement named
        name was dropped as dead code or hidden in a function: the first
        column-0 load (or the only statement, when its first line is its
        header at column 0) is the first definition Index.defs records.
        """
        plain = self._plain
        if plain is None:
            plain = self._plain = (_LOAD_CONST is not None
                                   and hasattr(self.code, "co_positions")
                                   and self.text.isascii()
                                   and not _split_header(self.text))
        if not plain or name.startswith("<"):
            return None
        code = self.code
        consts = code.co_consts
        wanted = [i for i, const in enumerate(consts)
                  if type(const) is _CODE and const.co_name == name]
        if len(wanted) != self.text.count(name):
            return None
        if not wanted:
            return True, None
        if len(wanted) == 1:
            # The one statement named name. Its code's co_firstlineno is its
            # first line: the first decorator's, else the `def`/`class` line.
            # When that line starts with the keyword and name, it is the
            # header line and the statement is at module level (column 0).
            sub = consts[wanted[0]]
            line = sub.co_firstlineno
            head = _keyword(sub) + name
            if self._header_line(head, line):
                return True, (line, 1, line, len(head) + 1)
        offsets = _offsets(code.co_code, wanted)
        if {i for _, i in offsets} != set(wanted):
            return None
        if len(offsets) == 1:
            off = offsets[0][0] // 2
            found = [next(islice(code.co_positions(), off, None), (None,) * 4)]
        else:
            positions = list(code.co_positions())
            found = [positions[off // 2] if off // 2 < len(positions) else (None,) * 4
                     for off, _ in offsets]
        have = None
        for (off, i), pos in zip(offsets, found):
            line, col = pos[0], pos[2]
            if line is None or col is None:
                return None
            if have is None or line < have[0]:
                have = (line, col, consts[i])
        if have[1] != 0:
            return None
        return True, self._span(name, have[0], have[2])

    def _header_line(self, head, line):
        """Report whether lines[line - 1] starts with head, where head holds a
        name the text holds once. When "\\n" is the text's only line break
        (an ASCII text without \\r \\v \\f \\x1c-\\x1e, which splitlines
        also breaks at), head's one occurrence is found and its line counted
        without splitting the whole text."""
        nl_only = self._nl_only
        if nl_only is None:
            text = self.text
            nl_only = self._nl_only = not any(c in text for c in _OTHER_BREAKS)
        if not nl_only:
            lines = self.lines
            return 1 <= line <= len(lines) and lines[line - 1].startswith(head)
        text = self.text
        at = text.find(head)
        return (at >= 0 and (at == 0 or text[at - 1] == "\n")
                and text.count("\n", 0, at) + 1 == line)

    def lookup(self, name):
        """Return (True, span or None) as Index.defs.get(name) would, or (False, None)."""
        quick = self._answers.get(name)
        if quick is None:
            quick = self._answers[name] = self._quick(name) or False
        if quick:
            return quick
        if not self._full:
            self._analyse()
        if not self.usable:
            return False, None
        hit = self.first.get(name)
        if hit is None:
            return True, None
        line, col, sub = hit
        if col != 0:
            return False, None
        return True, self._span(name, line, sub)

    def _span(self, name, line, sub):
        keyword = _keyword(sub)
        lines = self.lines
        text = lines[line - 1] if line <= len(lines) else ""
        start = text.find(keyword + name)
        start = start if start >= 0 else len(text) - len(text.lstrip())
        return (line, start + 1, line, start + len(keyword) + len(name) + 1)


def _keyword(sub):
    """The header keyword of the def/class statement that compiled to code sub."""
    if not sub.co_flags & _CO_NEWLOCALS:
        return "class "
    if sub.co_flags & _CO_ASYNC:
        return "async def "
    return "def "


# Line breaks str.splitlines honours in an ASCII text besides "\n".
_OTHER_BREAKS = "\r\v\f\x1c\x1d\x1e"

_CODE = type(compile("", "", "exec"))  # code objects cannot be subclassed


def _is_def(code):
    return type(code) is _CODE and not code.co_name.startswith("<")


def _count_defs(code):
    """Number of def/class code objects anywhere in code (lambdas etc. excluded)."""
    total = 0
    stack = [code]
    while stack:
        for const in stack.pop().co_consts:
            if type(const) is _CODE:
                stack.append(const)
                if not const.co_name.startswith("<"):
                    total += 1
    return total


def _loaded_code(code):
    """Return [(line, byte col, code object)] of each def/class LOAD_CONST in code,
    or None when one of them is not found."""
    raw = code.co_code
    consts = code.co_consts
    wanted = [i for i, const in enumerate(consts) if _is_def(const)]
    if not wanted:
        return []
    offsets = _offsets(raw, wanted)
    if {i for _, i in offsets} != set(wanted):
        return None  # a definition not loaded the plain way: do not guess
    positions = list(code.co_positions())  # one per 2-byte code unit
    out = []
    for off, i in offsets:
        pos = positions[off // 2] if off // 2 < len(positions) else (None,) * 4
        out.append((pos[0], pos[2], consts[i]))
    return out


def _offsets(raw, wanted):
    """(offset, const index) of each plain LOAD_CONST of the wanted (ascending)
    constant indexes."""
    if wanted[-1] > 255:
        return _load_offsets(raw, set(wanted))
    offsets = []
    for i in wanted:
        pattern = bytes((_LOAD_CONST, i))
        at = raw.find(pattern)
        while at >= 0:
            # An instruction starts at an even offset; EXTENDED_ARG before
            # it would make the argument another constant.
            if at % 2 == 0 and (at == 0 or raw[at - 2] != _EXTENDED_ARG):
                offsets.append((at, i))
            at = raw.find(pattern, at + 1)
    return offsets


def _load_offsets(raw, wanted):
    """(offset, const index) of every LOAD_CONST of a wanted constant, by a full pass."""
    out = []
    ext = 0
    for off in range(0, len(raw), 2):
        op, arg = raw[off], raw[off + 1]
        if op == _EXTENDED_ARG:
            ext = (ext | arg) << 8
            continue
        arg |= ext
        ext = 0
        if op == _LOAD_CONST and arg in wanted:
            out.append((off, arg))
    return out


def code_defs(st, path):
    """Return the CodeDefs of path from the module code a reload compiled, or None."""
    record = st.codes.get(path)
    if record is None:
        return None
    key = paths.source_stamp(path)
    if key is None or record[0] != key:
        return None
    cached = st.codedefs.get(path)
    if cached is not None and cached[0] == key:
        return cached[1]
    data = record[2] if len(record) > 2 else None
    try:
        # The text tokenize.open would give (same encoding detection, universal
        # newlines), without its TextIOWrapper set-up; from the bytes the
        # reload compiled when it kept them (read after the stamp was taken,
        # which still matches), else from the file.
        if data is None:
            with open(path, "rb") as handle:
                data = handle.read()
        if data.isascii() and b"\r" not in data and b"coding" not in data:
            # What decode_source gives here: no coding cookie (UTF-8), no
            # BOM, no line ends to translate.
            text = data.decode("ascii")
        else:
            text = decode_source(data)
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None
    result = CodeDefs(record[1], text)
    st.codedefs[path] = (key, result)
    return result
