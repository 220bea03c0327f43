"""Finding and loading the engine: the same .py files the embedded host runs
(reload/engine), shipped as the subpackage ``pyreload_agent.engine`` by
``pyreload agent --path``. In a source checkout, where that subpackage is
absent, the sibling reload/engine directory (or $PYRELOAD_ENGINE_DIR) is
loaded under the same name."""

import importlib
import importlib.util
import os
import sys

PACKAGE = __name__.rpartition(".")[0] + ".engine"
_HERE = os.path.dirname(os.path.abspath(__file__))


def engine_dir():
    """Return the directory holding the engine's .py files."""
    shipped = os.path.join(_HERE, "engine")
    if os.path.isfile(os.path.join(shipped, "__init__.py")):
        return shipped
    env = os.environ.get("PYRELOAD_ENGINE_DIR")
    if env:
        return env
    return os.path.join(os.path.dirname(os.path.dirname(_HERE)), "engine")


def load_api():
    """Import and return the engine's api module (ImportError if missing)."""
    if PACKAGE not in sys.modules:
        directory = engine_dir()
        init = os.path.join(directory, "__init__.py")
        if not os.path.isfile(init):
            raise ImportError("pyreload engine not found in %s" % directory)
        spec = importlib.util.spec_from_file_location(PACKAGE, init, submodule_search_locations=[directory])
        module = importlib.util.module_from_spec(spec)
        sys.modules[PACKAGE] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            sys.modules.pop(PACKAGE, None)
            raise
    return importlib.import_module(PACKAGE + ".api")


class Engine:
    """The engine's api module and the state it keeps between calls."""

    def __init__(self, root, kind="agent"):
        self.api = load_api()
        self.state = self.api.new_state(root, kind)
        if not hasattr(self.state, "accel"):
            try:
                self.state.accel = None  # no C heap filter outside the host
            except AttributeError:
                pass

    def handle(self, method, params):
        return self.api.handle(self.state, method, params)

    def status_fields(self):
        fn = getattr(self.api, "status_fields", None)
        return dict(fn(self.state)) if fn is not None else {}
