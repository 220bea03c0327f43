"""Benchmark workspace generator for pyreload (stdlib only).

    python3 gen.py ROOT [--modules N] [--objects M] [--instances K] [--package NAME]

writes under ROOT:
  NAME/__init__.py, NAME/mod_0000.py ...  N modules of ~50 lines each: functions,
                        classes with methods, properties, class and static methods,
                        module globals, a registry, cross-imports between modules
  benchapp.py           an app module outside the package that imports from it the
                        way real code does (from-imports, module imports, a callback
                        registry, a subclass)
  benchmain.py          the entry: imports benchapp, then builds the heap: M live
                        GC-tracked objects in all, K of them instances of the
                        package's classes
  benchtool.py          a copy of this file: the helpers the benchmarks call inside
                        the interpreter (host `call` method): edit, bare_reimport,
                        superreload, tracked, phases (a reload's steps timed),
                        profile_engine
  bench.json            the parameters

The edit (edit()) rewrites modules keeping their size (GENERATION = 0..9 and the
helpers' return value change) and moves their mtime to a new whole second, so
that both pyreload and a bare importlib re-import must compile the new source.
"""

import argparse
import gc
import importlib
import json
import os
import shutil
import sys
import time

PACKAGE = "benchpkg"

MODULE = '''"""Generated module {i} of {pkg}: services, models and helpers."""
import functools
import itertools
from {pkg} import {prev} as prev
{other_import}

GENERATION = {gen}
LIMIT = {i}
REGISTRY = {{}}
_counter = itertools.count()


def register(func):
    REGISTRY[func.__name__] = func
    return func


@register
def helper_{n}(x):
    return x + LIMIT + GENERATION


@register
def compute_{n}(values):
    total = 0
    for value in values:
        total += helper_{n}(value) + helper_other(value)
    return total + prev.LIMIT


class Base{n}:
    kind = "base"

    def __init__(self, value):
        self.value = value

    def describe(self):
        return "%s:%s:%d" % (self.kind, self.value, GENERATION)


class Item{n}(Base{n}):
    kind = "item"
    default_tag = "t{i}"

    def __init__(self, value, tag=None):
        super().__init__(value)
        self.tag = tag or self.default_tag

    @property
    def doubled(self):
        return self.value * 2 + GENERATION

    @classmethod
    def make(cls, value):
        return cls(value)

    @staticmethod
    def check(value):
        return value >= LIMIT

    def total(self):
        return helper_{n}(self.value) + next(_counter)


cached_{n} = functools.lru_cache(maxsize=64)(helper_{n})
'''

APP = '''"""An app outside {pkg} that uses it the way real code does."""
{imports}

HANDLERS = [{handlers}]
BY_NAME = {{{byname}}}


class LocalItem({base}):
    kind = "local"


def run(values):
    return sum(handler(values) for handler in HANDLERS)
'''

MAIN = '''"""Benchmark entry: import the app, then build the heap."""
import benchapp
import benchtool

HEAP = benchtool.build_heap({objects}, {instances})
'''


def module_name(i):
    return "mod_%04d" % i


def module_source(i, count, gen, pkg):
    # Cross-imports point at modules imported earlier (no deep import chains);
    # the first module imports itself, which a partly initialised module allows.
    prev = module_name(i - 1 if i else 0)
    if i:
        o = (i * 7 + 3) % i
        other = "from %s.%s import helper_%04d as helper_other" % (pkg, module_name(o), o)
    else:
        other = "helper_other = abs"
    return MODULE.format(i=i, n="%04d" % i, pkg=pkg, prev=prev, other_import=other,
                         gen=gen % 10)


def generate(root, modules, objects, instances, package=PACKAGE):
    """Write the workspace (see the module doc) under root."""
    pkgdir = os.path.join(root, package)
    os.makedirs(pkgdir, exist_ok=True)
    names = [module_name(i) for i in range(modules)]
    # The package imports every module, in order (cross-imports point backwards
    # or into the cycle through `from pkg import mod` after the parent is set up).
    with open(os.path.join(pkgdir, "__init__.py"), "w") as out:
        out.write('"""Generated benchmark package of %d modules."""\n' % modules)
        for name in names:
            out.write("from . import %s\n" % name)
    for i in range(modules):
        write(os.path.join(pkgdir, names[i] + ".py"), module_source(i, modules, 0, package))
    step = max(modules // 20, 1)
    used = list(range(0, modules, step))
    imports = ["from %s.%s import helper_%04d, compute_%04d, Item%04d" % (
        package, module_name(i), i, i, i) for i in used]
    imports += ["import %s.%s as m%04d" % (package, module_name(i), i) for i in used[1::2]]
    handlers = ", ".join("compute_%04d" % i for i in used)
    byname = ", ".join('"h%d": helper_%04d' % (i, i) for i in used)
    write(os.path.join(root, "benchapp.py"), APP.format(
        pkg=package, imports="\n".join(imports), handlers=handlers, byname=byname,
        base="Item%04d" % used[0]))
    write(os.path.join(root, "benchmain.py"), MAIN.format(objects=objects,
                                                          instances=instances))
    shutil.copy(os.path.abspath(__file__), os.path.join(root, "benchtool.py"))
    with open(os.path.join(root, "bench.json"), "w") as out:
        json.dump({"package": package, "modules": modules, "objects": objects,
                   "instances": instances}, out)


def write(path, text):
    with open(path, "w") as out:
        out.write(text)


# --- helpers run inside the interpreter under test (host `call`) -------------

_KEEP = {}


def _params():
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench.json")) as f:
        return json.load(f)


def build_heap(objects, instances):
    """Return a heap of `objects` GC-tracked objects in all (counting what is
    already tracked), `instances` of them instances of the package's classes."""
    params = _params()
    pkg = importlib.import_module(params["package"])
    classes = [getattr(getattr(pkg, module_name(i)), "Item%04d" % i)
               for i in range(params["modules"])]
    gc.collect()
    have = len(gc.get_objects())
    heap = [classes[i % len(classes)](i) for i in range(instances)]
    rest = max(objects - have - instances - 2, 0)

    class Row:
        def __init__(self, i):
            self.i = i

    # Half small lists, half plain objects: both always GC-tracked.
    heap.extend([i, None] if i & 1 else Row(i) for i in range(rest))
    gc.collect()
    return heap


def tracked():
    """Return the number of GC-tracked objects."""
    return len(gc.get_objects())


def package_modules(package):
    return [n for n, m in list(sys.modules.items())
            if m is not None and (n == package or n.startswith(package + "."))]


def edit(gen, count=0):
    """Rewrite `count` modules (0: all) of the package as generation gen, keeping
    sizes; move their mtime to a fresh whole second; then collect, so that the
    measurement that follows (pyreload's or a bare re-import) pays for no
    garbage or collection left by the one before. Return the paths."""
    params = _params()
    root = os.path.dirname(os.path.abspath(__file__))
    total = params["modules"]
    chosen = range(total) if not count else [(gen * 37 + k) % total for k in range(count)]
    stamp = max(time.time(), _KEEP.get("stamp", 0) + 1)
    _KEEP["stamp"] = stamp = float(int(stamp) + 1)
    done = []
    for i in chosen:
        path = os.path.join(root, params["package"], module_name(i) + ".py")
        write(path, module_source(i, total, gen, params["package"]))
        os.utime(path, (stamp, stamp))
        done.append(path)
    gc.collect()
    return done


def edit_function(gen, index=-1):
    """Edit one function's body (helper_N of module `index`, default the last:
    a leaf nothing else in the package imports) as generation gen; return the
    path. What a one-line edit costs an in-place reload."""
    params = _params()
    root = os.path.dirname(os.path.abspath(__file__))
    i = index % params["modules"]
    path = os.path.join(root, params["package"], module_name(i) + ".py")
    with open(path) as f:
        text = f.read()
    head, sep, tail = text.partition("    return x + LIMIT + GENERATION")
    line, _, rest = tail.partition("\n")
    write(path, head + sep + " + %d\n" % gen + rest)
    gc.collect()
    return path


def collected_objects():
    """Return the number of GC-tracked objects after a full collection."""
    gc.collect()
    return len(gc.get_objects())


def bare_reimport(package):
    """Evict package and its submodules from sys.modules and import them all again,
    in their original order: what a plain restart-free reload costs. Returns
    seconds spent."""
    names = package_modules(package)
    started = time.perf_counter()
    for name in names:
        del sys.modules[name]
    importlib.invalidate_caches()
    for name in names:
        importlib.import_module(name)
    return time.perf_counter() - started


def superreload(package, limit=0):
    """IPython autoreload's superreload over the package's modules (first `limit`
    of them when limit > 0). Returns {"seconds", "modules", "total"}."""
    from IPython.extensions.autoreload import superreload as ipython_superreload
    names = package_modules(package)
    subset = names[:limit] if limit else names
    old = _KEEP.setdefault("superreload_old_objects", {})
    started = time.perf_counter()
    for name in subset:
        ipython_superreload(sys.modules[name], old_objects=old)
    return {"seconds": time.perf_counter() - started, "modules": len(subset),
            "total": len(names)}


def _engine():
    """Find the engine's api module and the host's State (pyreload keeps them out
    of sys.modules) through the garbage collector."""
    import types
    api = state = None
    for obj in gc.get_objects():
        if (isinstance(obj, dict) and "api" in obj and "state" in obj
                and isinstance(obj["api"], types.ModuleType)
                and hasattr(obj["api"], "handle")):
            api, state = obj["api"], obj["state"]
    if api is None:
        raise RuntimeError("no pyreload engine in this interpreter")
    return api, state


def profile_engine(method, params, lines=40):
    """Run one engine method under cProfile; return the top `lines` by
    cumulative and by internal time, as text."""
    import cProfile
    import io
    import pstats
    api, state = _engine()
    prof = cProfile.Profile()
    prof.enable()
    api.handle(state, method, params)
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("cumulative").print_stats(lines)
    stats.sort_stats("tottime").print_stats(lines)
    return out.getvalue()


def phases(method, params):
    """Run one engine method with its main steps timed; return
    {"total": ms, step: ms, ..., "gc": ms spent in collections}."""
    import functools
    api, state = _engine()
    spent = {}
    undo = []

    def timed(owner, attr, label):
        original = getattr(owner, attr)

        @functools.wraps(original)
        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + (time.perf_counter() - t0) * 1000
        setattr(owner, attr, wrapper)
        undo.append((owner, attr, original))

    reloader, scan = api.reloader, api.scan
    timed(reloader.locks, "acquire", "locks")
    timed(reloader, "_reimport", "reimport")
    timed(reloader.statemod.OldModule, "__init__", "record")
    timed(scan.heap, "count", "heapwalk")
    timed(scan, "scan", "scan")
    collections = []

    def on_gc(phase, info):
        if phase == "start":
            collections.append(time.perf_counter())
        else:
            collections[-1] = time.perf_counter() - collections[-1]
    gc.callbacks.append(on_gc)
    try:
        t0 = time.perf_counter()
        api.handle(state, method, params)
        spent["total"] = (time.perf_counter() - t0) * 1000
    finally:
        gc.callbacks.remove(on_gc)
        for owner, attr, original in reversed(undo):
            setattr(owner, attr, original)
    spent["gc"] = sum(collections) * 1000
    return {k: round(v, 1) for k, v in spent.items()}


def warm_ipython():
    """Import IPython's autoreload outside any timing."""
    importlib.import_module("IPython.extensions.autoreload")
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("root")
    parser.add_argument("--modules", type=int, default=200)
    parser.add_argument("--objects", type=int, default=1000000)
    parser.add_argument("--instances", type=int, default=100000)
    parser.add_argument("--package", default=PACKAGE)
    args = parser.parse_args()
    generate(args.root, args.modules, args.objects, args.instances, args.package)


if __name__ == "__main__":
    main()
