"""Stale entries (PROTOCOL.md "Stale"), their messages, and the report dict."""

import os
import platform
import sys
import time

from . import paths

FIXES = {
    "stale-import": ["rebind", "patch", "dependents"],
    "stale-module": ["rebind", "patch", "dependents"],
    "stale-instance": ["patch"],
    "stale-subclass": ["patch", "dependents"],
    "stale-callback": ["rebind", "patch", "dependents"],
    "stale-thread": [],
    "deleted-name": ["dependents"],
    "not-updated": [],
    "restart-needed": [],
}


def stale(code, message, where, holder, name, target, new=None, count=1, extra=None,
          real=paths.real):
    """Return one Stale dict; where is (file, (line, col, end_line, end_col)) or None."""
    file, span = where if where else (None, None)
    line, col, end_line, end_col = normal_span(*span) if span and span[0] else (None, None, None, None)
    # The record the editor's quick fixes get back (a diagnostic's data):
    # finished here; the report adds the package.
    data = {"code": code, "holder": holder, "name": name, "target": target,
            "fixes": list(FIXES.get(code, []))}
    if extra:
        data.update(extra)
    return {
        "code": code, "message": message,
        "file": real(file) if file and line else None,
        "line": line if file else None, "column": col if file else None,
        "end_line": end_line if file else None, "end_column": end_col if file else None,
        "holder": holder, "name": name, "target": target, "new": new,
        "count": count, "fixes": list(FIXES.get(code, [])), "data": data,
    }


def normal_span(line, col, end_line, end_col):
    """Return the range a finding is shown at (1-based, end exclusive): the
    column is at least 1, and a range that ends at or before its start (or
    has no end) is the one character at its start. reload.NormalRange in Go
    is the same rule for what reaches Go unfinished (a Failure's position);
    a test holds the two to one table."""
    col = max(col or 1, 1)
    end_line, end_col = end_line or 0, end_col or 0
    if end_line < line or end_line == line and end_col <= col:
        end_line, end_col = line, col + 1
    return line, col, end_line, end_col


def location(file, span, real=paths.real):
    """Return a Location dict for the start of span in file, or None."""
    if not file or not span:
        return None
    return {"file": real(file), "line": span[0], "column": span[1]}


def at_line(kind, span):
    """Return 'imported at line N' / 'assigned at line N' / 'defined at line N'."""
    if not span:
        return "not located in the source"
    verb = {"import": "imported", "from": "imported", "assign": "assigned",
            "def": "defined"}.get(kind, "bound")
    return "%s at line %d" % (verb, span[0])


def sort_key(entry):
    return (entry.get("file") or "~", entry.get("line") or 0, entry.get("column") or 0,
            entry["code"], entry.get("holder") or "", entry.get("name") or "",
            entry.get("target") or "")


def report(st, action, package, started, ok=True, rolled_back=False, modules=(),
           error=None, stale_list=(), fixes=None, extra=None):
    """Return a Report dict (PROTOCOL.md "Report"); extra adds fields (an
    in-place reload's mode, kept, reset...)."""
    for entry in stale_list:
        entry["data"].setdefault("package", package)
    out = {
        "action": action, "package": package, "ok": ok, "rolled_back": rolled_back,
        "modules": list(modules),
        "duration_ms": round((time.perf_counter() - started) * 1000.0, 3),
        "error": error, "stale": sorted(stale_list, key=sort_key),
        "process": {"pid": os.getpid(), "kind": st.kind,
                    "python": platform.python_version(), "executable": sys.executable},
    }
    if st.socket:
        out["process"]["socket"] = st.socket
    if fixes is not None:
        out["fixes"] = list(fixes)
    if extra:
        out.update(extra)
    return out


def fix_result(kind, target, holder, changed, detail):
    """Return a FixResult dict."""
    return {"kind": kind, "target": target, "holder": holder, "changed": bool(changed),
            "detail": detail}
