"""Adapter: attrs and dataclasses: classes whose fields changed.

Not written yet: the adapter registry (adapters.py) lists it so that the
framework work lands in this one file; it does nothing until then.
"""

NAME = 'attrs/dataclasses'
MODULES = ('attr',)
