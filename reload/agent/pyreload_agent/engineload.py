"""Finding and loading the engine: the same .py files the embedded host runs
(reload/engine), shipped as the subpackage ``pyreload_agent.engine`` by
``pyreload agent --path``. In a source checkout, where that subpackage is
absent, the sibling reload/engine directory (or $PYRELOAD_ENGINE_DIR) is
loaded under the same name."""

import os
import threading
import types

PACKAGE = __name__.rpartition(".")[0] + ".engine"
_HERE = os.path.dirname(os.path.abspath(__file__))
_LOADED = {}  # "package": the engine's package module, loaded once per process
_LOCK = threading.Lock()


def engine_dir():
    """Return the directory holding the engine's .py files."""
    shipped = os.path.join(_HERE, "engine")
    if os.path.isfile(os.path.join(shipped, "__init__.py")):
        return shipped
    env = os.environ.get("PYRELOAD_ENGINE_DIR")
    if env:
        return env
    return os.path.join(os.path.dirname(os.path.dirname(_HERE)), "engine")


def load_package():
    """Load the engine (once) through its own loader, the embedded host's:
    its __init__ runs in a fresh module, whose load_files runs the rest.
    ImportError if the engine is missing."""
    with _LOCK:
        if "package" not in _LOADED:
            directory = engine_dir()
            init = os.path.join(directory, "__init__.py")
            if not os.path.isfile(init):
                raise ImportError("pyreload engine not found in %s" % directory)
            pkg = types.ModuleType(PACKAGE)
            with open(init, "rb") as handle:
                exec(compile(handle.read(), init, "exec"), vars(pkg))
            pkg.load_files(pkg, directory)
            _LOADED["package"] = pkg
        return _LOADED["package"]


def load_api():
    """Return the engine's api module (ImportError if the engine is missing)."""
    return load_package().api


class Engine:
    """The engine's api module and the state it keeps between calls."""

    def __init__(self, root, kind="agent"):
        pkg = load_package()
        self.api = pkg.api
        self.state = pkg.start(self.api, root, kind)  # no C heap filter outside the host

    def handle(self, method, params):
        return self.api.handle(self.state, method, params)

    def status_fields(self):
        fn = getattr(self.api, "status_fields", None)
        return dict(fn(self.state)) if fn is not None else {}
