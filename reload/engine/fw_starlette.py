"""Adapter: Starlette and FastAPI: routes, endpoints and dependencies of live apps and routers.

Not written yet: the adapter registry (adapters.py) lists it so that the
framework work lands in this one file; it does nothing until then.
"""

NAME = 'Starlette/FastAPI'
MODULES = ('starlette',)
