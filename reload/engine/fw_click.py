"""Adapter: click: commands, groups and the decorators made by make_pass_decorator.

Not written yet: the adapter registry (adapters.py) lists it so that the
framework work lands in this one file; it does nothing until then.
"""

NAME = 'click'
MODULES = ('click',)
