"""Adapter: aiohttp: handlers routed by live applications.

Not written yet: the adapter registry (adapters.py) lists it so that the
framework work lands in this one file; it does nothing until then.
"""

NAME = 'aiohttp'
MODULES = ('aiohttp',)
