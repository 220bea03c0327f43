"""pyreload engine: reload a workspace package inside a live interpreter, in place or by eviction.

Hosts load this package by executing its modules (registered in sys.modules only
while they execute) and then call ``api.new_state`` once and ``api.handle`` per
request. Every module here is stateless; all state lives in ``state.State``.

A host that executes the embedded sources itself (no import system) runs this
file first, then the modules of LOAD_ORDER, each registered as
``<package>.<name>`` in sys.modules and set as an attribute of the package module
before the next one runs; every module only uses top-level ``from . import x``
of modules earlier in the order. tests/ is not part of the engine.
"""

LOAD_ORDER = ("paths", "failure", "entries", "locks", "compileworker", "precompile", "fresh",
              "sources", "state", "statements", "partial", "update", "codedefs", "locate",
              "heap", "oldobjects", "watchdog", "patch", "scan", "resolve", "missing",
              "reloader", "fixes", "adapterkit", "fw_flask", "fw_starlette", "fw_django",
              "fw_sqlalchemy", "fw_pydantic", "fw_celery", "fw_click", "fw_aiohttp",
              "fw_attrs", "adapters", "inplace", "leftover", "api")
