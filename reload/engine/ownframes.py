"""Which frames of a traceback are pyreload's own and which are the user's:
the one rule for the frame a Failure is located at (failure.from_exception,
and the agent's rpc.describe_failure without the engine) and for the frames
a failed entry's printed traceback shows (the embedded host's bootstrap.py,
the agent's ``python3 -m pyreload_agent`` and its hosted mode).

pyreload's own frames are the engine's files, the agent package's (when the
engine is its subpackage, pyreload_agent.engine) and the embedded host's
glue and engine, whose code is named "<pyreload ...>". The frames of the
machinery they run an entry with (runpy's, ``python -m``'s, and
importlib's) are not the user's either when they lead a traceback.

Stdlib only, importing no engine module: the agent loads this file alone
when the engine cannot be loaded."""

import os
import sys


def own_dirs():
    """The real directories of pyreload's own files in this process: the
    engine's (this file's; the embedded host's "<pyreload engine>/..." have
    none) and, when the engine is a subpackage (pyreload_agent.engine), its
    parent package's."""
    dirs = []
    here = os.path.dirname(__file__)
    if here and not here.startswith("<"):
        dirs.append(_real(here))
    parent = __name__.rpartition(".")[0].rpartition(".")[0]
    parent_file = getattr(sys.modules.get(parent), "__file__", None) if parent else None
    if parent_file:
        dirs.append(_real(os.path.dirname(parent_file)))
    return dirs


def is_own(filename, dirs):
    """Report whether a frame's file (co_filename) is pyreload's own: the
    embedded host's "<pyreload ...>" code, or a file below one of dirs
    (own_dirs())."""
    if not filename or filename.startswith("<"):
        return filename.startswith("<pyreload")
    path = _real(filename)
    return any(path == d or path.startswith(d.rstrip(os.sep) + os.sep) for d in dirs)


def located(frames, dirs, is_workspace=None):
    """The frame a Failure is located at, among traceback.FrameSummary
    frames: the innermost with a real file (not "<...>") that is not
    pyreload's own and that is_workspace(filename) accepts, else the
    innermost such frame of any file (always it without is_workspace);
    None when there is none."""
    innermost = None
    for frame in reversed(frames):
        name = frame.filename
        if not name or name.startswith("<") or is_own(name, dirs):
            continue
        if is_workspace is None or is_workspace(name):
            return frame
        if innermost is None:
            innermost = frame
    return innermost


def user_tb(tb, dirs):
    """The traceback tb from the user's first frame: the leading frames of
    pyreload (is_own), runpy and importlib skipped; None when only they
    are left."""
    while tb is not None and _leads(tb.tb_frame.f_code.co_filename, dirs):
        tb = tb.tb_next
    return tb


def _leads(filename, dirs):
    if filename.startswith(("<frozen runpy", "<frozen importlib")):
        return True
    parts = filename.split(os.sep)
    return (is_own(filename, dirs) or parts[-1] == "runpy.py"
            or parts[-2:] == ["importlib", "__init__.py"])


def _real(path):
    return os.path.realpath(os.path.abspath(path))
