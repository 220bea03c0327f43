"""Adapter: pydantic v1: validators and fields of reloaded models.

Not written yet: the adapter registry (adapters.py) lists it so that the
framework work lands in this one file; it does nothing until then.
"""

NAME = 'pydantic'
MODULES = ('pydantic',)
