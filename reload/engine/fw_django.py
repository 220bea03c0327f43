"""Adapter: Django: models, admin registrations, URL resolvers and template caches.

Not written yet: the adapter registry (adapters.py) lists it so that the
framework work lands in this one file; it does nothing until then.
"""

NAME = 'Django'
MODULES = ('django',)
