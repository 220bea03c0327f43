"""Compiling a part of a source file with its real line numbers: a statement,
a function's body without its decorators, a class member inside a throwaway
class that sees the old class's namespace (so `@x.setter`, class constants and
zero-argument super() work). Used by the in-place reload."""

import __future__
import ast
import sys

_FUTURE_FLAGS = {name: getattr(__future__, name).compiler_flag
                 for name in __future__.all_feature_names}


def future_flags(tree):
    """Compiler flags of the module's `from __future__ import` statements."""
    flags = 0
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            for alias in node.names:
                flags |= _FUTURE_FLAGS.get(alias.name, 0)
    return flags


def compile_nodes(nodes, path, flags):
    """Compile statement nodes of path as a module, with the module's
    `__future__` flags and nothing inherited from the engine."""
    return compile(ast.Module(body=list(nodes), type_ignores=[]), path, "exec",
                   flags, dont_inherit=True)


class _Prep(type):
    """Metaclass of the throwaway class a method is compiled in: the body sees
    the old class's namespace (property setters, class constants), and the
    statement yields that namespace instead of a new class."""

    @classmethod
    def __prepare__(mcs, name, bases, space=None):
        return dict(space or {})

    def __new__(mcs, name, bases, namespace, space=None):
        return namespace


def member_space(cls, node, path, flags, ns):
    """Compile and run one class-body statement (a method, a nested class) in
    a throwaway class that sees cls's namespace, in module namespace ns;
    return that class's namespace (the members as the statement made them)."""
    prep = ast.keyword(arg="metaclass", value=ast.Name(id="__pyreload_prep__",
                                                       ctx=ast.Load()))
    space = ast.keyword(arg="space", value=ast.Name(id="__pyreload_space__",
                                                    ctx=ast.Load()))
    wrapper = ast.ClassDef(name=cls.__name__, bases=[], keywords=[prep, space],
                           body=[node], decorator_list=[])
    if sys.version_info >= (3, 12):
        wrapper.type_params = []
    ast.copy_location(wrapper, node)
    ast.fix_missing_locations(wrapper)
    scratch = {"__pyreload_prep__": _Prep, "__pyreload_space__": dict(vars(cls))}
    exec(compile_nodes([wrapper], path, flags), ns, scratch)
    return scratch[cls.__name__]
