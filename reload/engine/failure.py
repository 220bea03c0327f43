"""Failure dicts (PROTOCOL.md "Failure") built from exceptions or refusals."""

import threading
import traceback

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


def from_exception(exc, root, libdirs, interrupted=False):
    """Return a Failure for exc, located at the innermost workspace frame.
    An interrupted frame (a deadline) is located at its line's first
    character: the column it was stopped at is happenstance and differs
    between Python versions."""
    formatted = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    out = {"type": type(exc).__name__, "message": str(exc), "file": None,
           "line": None, "column": None, "traceback": formatted}
    if isinstance(exc, SyntaxError):
        out["message"] = exc.msg or str(exc)
        if exc.filename and not str(exc.filename).startswith("<"):
            out["file"] = paths.real(exc.filename)
            out["line"] = exc.lineno or None
            out["column"] = exc.offset or (1 if exc.lineno else None)
            return out
    frames = traceback.extract_tb(exc.__traceback__)
    pick = None
    for frame in frames:
        if frame.filename and not frame.filename.startswith("<"):
            if paths.is_workspace(frame.filename, root, libdirs):
                pick = frame
            elif pick is None:
                pick = frame
    if pick is not None:
        out["file"] = paths.real(pick.filename)
        out["line"] = pick.lineno
        colno = getattr(pick, "colno", None)
        line_text = pick.line if colno is None else _raw_line(pick)
        out["column"] = (char_column(line_text, colno) if colno is not None and not interrupted
                         else first_column(line_text))
    return out


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
