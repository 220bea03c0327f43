"""Adapter: click: commands, groups and make_pass_decorator closures.

- `make_pass_decorator(Environment)` keeps the class in the closure of every
  command it decorated. The engine updates a class in place, so that closure
  follows; when the class had to be replaced (its layout changed) the
  closures still holding the old class are pointed at the new one, so
  `ctx.ensure_object`/`find_object` find the object the group made (`-v`
  keeps working).
- A group made anew (its decorators changed) keeps the commands the old
  group had that were added from modules that did not run (a command added
  with `cli.add_command` elsewhere); commands of the modules that ran are
  registered again by their own decorators.
"""

import sys

from . import heap

NAME = 'click'
MODULES = ('click',)
FUNCTION = type(lambda: None)


def _click():
    core = sys.modules.get("click.core")
    return getattr(core, "Command", None), getattr(core, "Group", None)


def after(ctx):
    command, group = _click()
    if command is None:
        return
    classes = {}
    groups = []
    for module, changes in ctx.changes.items():
        for name, (old, new) in changes.items():
            if isinstance(old, type) and isinstance(new, type) and old is not new:
                classes[id(old)] = (old, new)
            elif isinstance(old, group) and isinstance(new, group) and old is not new:
                groups.append((old, new))
    if classes:
        _repoint_pass_decorators(ctx, classes)
    ran = set(ctx.ran)
    for old, new in groups:
        for key, cmd in list(old.commands.items()):
            callback = getattr(cmd, "callback", None)
            if key not in new.commands and getattr(callback, "__module__", None) not in ran:
                new.commands[key] = cmd


def _repoint_pass_decorators(ctx, classes):
    """Cells named object_type (make_pass_decorator's closures) holding an
    old class now hold its replacement."""
    for func in heap.instances(ctx.st, (FUNCTION,)):
        code = func.__code__
        if "object_type" not in code.co_freevars or "click" not in code.co_filename:
            continue
        cell = func.__closure__[code.co_freevars.index("object_type")]
        try:
            hit = classes.get(id(cell.cell_contents))
        except ValueError:
            continue
        if hit is not None and hit[0] is cell.cell_contents:
            cell.cell_contents = hit[1]


def describe(obj):
    """A command as click users know it."""
    command, group = _click()
    if command is None or not isinstance(obj, command):
        return None
    kind = "group" if group is not None and isinstance(obj, group) else "command"
    return "click %s `%s`" % (kind, obj.name)
