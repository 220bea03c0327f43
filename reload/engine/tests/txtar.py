"""Minimal txtar reader (the format of golang.org/x/tools/txtar)."""

import re

MARKER = re.compile(r"^-- (.+?) --$")


def parse(text):
    """Return (comment, [(name, content)]) of a txtar archive."""
    comment, files = [], []
    name, body = None, []
    for line in text.splitlines(keepends=True):
        match = MARKER.match(line.rstrip("\n"))
        if match:
            if name is not None:
                files.append((name, "".join(body)))
            name, body = match.group(1).strip(), []
        elif name is None:
            comment.append(line)
        else:
            body.append(line)
    if name is not None:
        files.append((name, "".join(body)))
    return "".join(comment), files
