"""Adapter: SQLAlchemy: declarative models and tables of reloaded modules (and Flask-SQLAlchemy).

Not written yet: the adapter registry (adapters.py) lists it so that the
framework work lands in this one file; it does nothing until then.
"""

NAME = 'SQLAlchemy'
MODULES = ('sqlalchemy',)
