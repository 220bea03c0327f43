"""Failure dicts (PROTOCOL.md "Failure") built from exceptions or refusals."""

import threading
import traceback

from . import ownframes
from . import paths


def refusal(message, kind="ReloadRefused"):
    """Return a Failure for a request refused before anything changed."""
    return {"type": kind, "message": message, "file": None, "line": None,
            "column": None, "traceback": None}


def char_column(text, byte_offset):
    """Convert a 0-based UTF-8 byte offset in text to a 1-based character column."""
    if text is None or byte_offset is None or byte_offset < 0:
        return 1
    data = text.encode("utf-8", "surrogateescape")
    return len(data[:byte_offset].decode("utf-8", "replace")) + 1


def first_column(text):
    """Return the 1-based column of the first non-blank character of text."""
    if not text:
        return 1
    return len(text) - len(text.lstrip()) + 1


def type_name(exc_type):
    """Return the name of an exception type as a Failure gives it: the name
    Python's own traceback prints on its last line, bare for builtins and
    for classes of __main__ (ValueError, Refused), else module.Qualname
    (json.decoder.JSONDecodeError, shop.errors.Refused)."""
    name = getattr(exc_type, "__qualname__", None) or getattr(exc_type, "__name__", "Exception")
    module = getattr(exc_type, "__module__", None)
    if not isinstance(module, str) or module in ("builtins", "__main__"):
        return str(name)
    return "%s.%s" % (module, name)


def from_exception(exc, root=None, libdirs=(), interrupted=False):
    """Return the Failure (PROTOCOL.md "Failure") of exc: the one rule for
    every host (engine reloads and imports, the embedded host's entry and
    PYTHON_RAISED errors, the agent's). Type: type_name. Location: a
    SyntaxError's own file, line and offset; else the innermost workspace
    frame (below root, outside libdirs), else the innermost real frame (its
    file a path, not "<...>"); without a root, the innermost real frame.
    pyreload's own frames (the engine's files, the agent's, the host's
    "<pyreload ...>" glue: ownframes, the one rule of which frames are
    pyreload's) are never chosen: an exception raised there (a missing
    entry) has no file.
    Columns count characters, 1-based. An interrupted frame (a deadline) is
    located at its line's first character: the column it was stopped at is
    happenstance and differs between Python versions."""
    name = type_name(type(exc))
    formatted = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    out = {"type": name, "message": _message(exc, name), "file": None,
           "line": None, "column": None, "traceback": formatted}
    if isinstance(exc, SyntaxError):
        out["message"] = exc.msg or out["message"]
        if exc.filename and not str(exc.filename).startswith("<"):
            out["file"] = paths.real(exc.filename)
            out["line"] = exc.lineno or None
            out["column"] = exc.offset or (1 if exc.lineno else None)
            return out
    pick = _located_frame(traceback.extract_tb(exc.__traceback__), root, libdirs)
    if pick is not None:
        out["file"] = paths.real(pick.filename)
        out["line"] = pick.lineno
        colno = getattr(pick, "colno", None)
        line_text = pick.line if colno is None else _raw_line(pick)
        out["column"] = (char_column(line_text, colno) if colno is not None and not interrupted
                         else first_column(line_text))
    return out


def _located_frame(frames, root, libdirs):
    """The frame a Failure is located at (from_exception's rule, whose
    frames part is ownframes.located: pyreload's own frames skipped)."""
    workspace = None if root is None else (lambda name: paths.is_workspace(name, root, libdirs))
    return ownframes.located(frames, ownframes.own_dirs(), workspace)


def _message(exc, name):
    try:
        return str(exc)
    except Exception:
        return "<unprintable %s>" % name


def _raw_line(frame):
    """Return the unstripped source line of a FrameSummary (3.11 keeps it)."""
    raw = getattr(frame, "_original_line", None)
    return raw if raw is not None else frame.line


def note_threads(fail, before):
    """Add to a rollback's Failure the threads the failed code started and
    left running (before: the threads alive when the reload began): a
    rollback restores modules, not threads."""
    left = [t for t in threading.enumerate() if t not in before and t.is_alive()
            and not t.name.startswith("pyreload-")  # the engine's own deadline timer
            and not isinstance(t, threading._DummyThread)]  # a host's calling thread, seen
    if left:
        names = ", ".join("`%s`" % t.name for t in left)
        fail["threads"] = [t.name for t in left]
        fail["message"] += " (rolled back, but the failed code left %s running: %s)" % (
            "a thread" if len(left) == 1 else "%d threads" % len(left), names)
    return fail
