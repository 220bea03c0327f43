"""The app's entry (``pyreload run TARGET``, ``python3 -m pyreload_agent
TARGET``): a module (``pkg.app``), ``module:function`` (``pkg.app:main``)
or a script path. This module is the one rule of how an entry is resolved
and of what a missing one raises, which the embedded host
(pyhost/hostserver/bootstrap.py: its entry and the ``call`` request's
``module:function``) and the agent (pyreload_agent/target.py) both follow,
so that both report one Failure (PROTOCOL.md "Failure"):

- a missing module (or a missing package of it): ModuleNotFoundError
  "No module named 'x'", without a file;
- a package without __main__: ModuleNotFoundError naming pkg.__main__;
- a module that exists whose import raises: that exception, located in
  its code (a missing module it imports included);
- ``module:function`` naming a missing function: AttributeError with
  Python's message ("module 'm' has no attribute 'f'"), without a file;
- a missing script: FileNotFoundError "entry script /abs/x.py does not
  exist", without a file.

These exceptions are raised here, in pyreload's own frames, which a Failure
is never located at (failure.from_exception). Running the resolved entry as
__main__ stays each host's own."""

import importlib
import importlib.util
import os


def kind(entry):
    """Return "script", "function" (module:function) or "module"."""
    if entry.endswith(".py") or os.sep in entry:
        return "script"
    return "function" if ":" in entry else "module"


def script(entry, root):
    """Return the absolute path of a script entry: entry itself when
    absolute; else from the current directory when it is there, else from
    root (the embedded host's current directory is root). FileNotFoundError
    when the script does not exist."""
    if os.path.isabs(entry):
        path = entry
    else:
        path = os.path.abspath(entry)
        if not os.path.exists(path):
            path = os.path.join(root, entry)
    if not os.path.exists(path):
        raise FileNotFoundError("entry script %s does not exist" % path)
    return path


def module(name, as_main=False):
    """Check that module name can be found, without running it (its parent
    packages are imported, as ``python -m`` imports them); as_main (a
    module entry): a package needs its __main__. ModuleNotFoundError when
    it cannot be found; what importing a parent package raises propagates."""
    spec = _find(name)
    if as_main and spec.submodule_search_locations is not None:
        if _find(name + ".__main__", quiet=True) is None:
            raise ModuleNotFoundError("No module named '%s.__main__' (%r is a package and cannot be "
                                      "directly executed)" % (name, name), name=name + ".__main__")


def function(module_name, path):
    """Import the module of a module:function entry and return the function
    (path may be dotted: App.main). What the import raises propagates; a
    missing function raises AttributeError."""
    module(module_name)
    obj = importlib.import_module(module_name)
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def _find(name, quiet=False):
    """importlib.util.find_spec(name), raising ModuleNotFoundError (with
    Python's import message, naming the missing module) when name or a
    package of it does not exist, or returning None if quiet. A module
    found whose import raises, even ImportError, propagates that."""
    missing = name
    try:
        spec = importlib.util.find_spec(name)
    except ModuleNotFoundError as exc:
        missing = exc.name or name
        if missing != name and not name.startswith(missing + "."):
            raise  # an existing package imports a missing module: its own failure
        spec = None
    except ValueError:  # an empty or relative name
        spec = None
    if spec is None and not quiet:
        raise ModuleNotFoundError("No module named %r" % missing, name=missing) from None
    return spec
