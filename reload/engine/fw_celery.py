"""Adapter: Celery: tasks registered on live apps.

Not written yet: the adapter registry (adapters.py) lists it so that the
framework work lands in this one file; it does nothing until then.
"""

NAME = 'Celery'
MODULES = ('celery',)
