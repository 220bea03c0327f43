"""Scenario driver: runs one txtar scenario inside a fresh interpreter.

Usage: python3 driver.py ENGINE_DIR ROOT SPEC_JSON OUT_JSON
The workspace files are already written under ROOT; SPEC_JSON holds the
pyreload/* sections. The engine is loaded by its own loader, as the embedded
host and the agent load it (modules registered in sys.modules only while they
execute). Results go to OUT_JSON, never stdout, because user code may print.
"""

import builtins
import json
import os
import sys
import traceback
import types

ENGINE_NAME = "_pyreload_engine"


def load_engine(engine_dir):
    """Load the engine package from engine_dir through its own loader (the
    embedded host's and the agent's: __init__'s load) and return its api
    module. No bytecode is written into the checkout."""
    return load_package(engine_dir).api


def load_package(engine_dir):
    """The engine's package module, its modules run by load_files."""
    init = os.path.join(engine_dir, "__init__.py")
    package = types.ModuleType(ENGINE_NAME)
    saved = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    try:
        with open(init, "rb") as handle:
            exec(compile(handle.read(), init, "exec"), vars(package))
        package.load_files(package, engine_dir)
    finally:
        sys.dont_write_bytecode = saved
    return package


def render(report, root):
    """Return the report as sorted CLI lines `path:line:col: severity: message [code]`."""
    def where(item):
        file = item.get("file")
        if not file or not item.get("line"):
            return "-:0:0"
        rel = os.path.relpath(os.path.realpath(file), root).replace(os.sep, "/")
        return "%s:%d:%d" % (rel, item["line"], item.get("column") or 1)
    lines = []
    err = report.get("error")
    if err:
        verb = "failed and was rolled back" if report.get("rolled_back") else "was refused"
        what = "reload of `%s`" % report["package"] if report.get("package") else "reload"
        lines.append("%s: error: %s %s: %s: %s [reload-failed]" % (
            where(err), what, verb, err["type"], err["message"]))
    for item in report.get("stale") or ():
        lines.append("%s: warning: %s [%s]" % (where(item), item["message"], item["code"]))
    return sorted(lines)


def run_main(root):
    """Execute ROOT/main.py as the __main__ module and keep it registered."""
    path = os.path.join(root, "main.py")
    module = types.ModuleType("__main__")
    module.__file__ = path
    module.__builtins__ = builtins
    sys.modules["__main__"] = module
    with open(path, "rb") as handle:
        code = compile(handle.read(), path, "exec")
    exec(code, vars(module))


def apply_edits(root, spec):
    """Write pyreload/edit files and delete pyreload/delete files, keeping mtimes."""
    for rel, content in spec.get("edit", {}).items():
        path = os.path.join(root, rel)
        old = os.stat(path) if os.path.exists(path) else None
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as handle:
            handle.write(content)
        if old is not None:
            os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))
    for rel in spec.get("delete", []):
        os.remove(os.path.join(root, rel))


def reload_params(root, line):
    """Parse the pyreload/reload line into (params, repeat)."""
    tokens = line.split()
    params, repeat = {}, 1
    first = tokens[0]
    if "/" in first or first.endswith(".py"):
        params["file"] = os.path.join(root, first)
    else:
        params["package"] = first
    for token in tokens[1:]:
        key, _, value = token.partition("=")
        if key == "repeat":
            repeat = int(value)
        elif key == "mode":
            params["mode"] = value
        elif key == "timeout_ms":
            params["timeout_ms"] = int(value)
        elif key == "dependents":
            params["dependents"] = value == "true"
        elif key == "all":
            params["all"] = value == "true"
        elif key == "reset":
            params["reset"] = value.split(",")
        elif key == "hooks":
            params["hooks"] = value.split(",")
    return params, repeat


def main():
    engine_dir, root, spec_path, out_path = sys.argv[1:5]
    root = os.path.realpath(root)
    with open(spec_path, encoding="utf-8") as handle:
        spec = json.load(handle)
    out = {}
    try:
        sys.path.insert(0, root)
        os.chdir(root)
        package = load_package(engine_dir)
        api = package.api
        state = package.start(api, root, "agent")
        run_main(root)
        apply_edits(root, spec)
        params, repeat = reload_params(root, spec["reload"])
        oks = []
        for _ in range(repeat):
            report = api.handle(state, "reload", params)
            oks.append(report["ok"])
        out["reports_ok"] = oks
        out["report"] = report
        out["lines"] = render(report, root)
        if spec.get("fix"):
            fixed = api.handle(state, "fix", {"kind": spec["fix"].strip(),
                                              "package": report["package"]})
            out["fix_report"] = fixed
            out["fix_lines"] = render(fixed, root)
        if spec.get("check"):
            space = {"__name__": "pyreload_check", "__builtins__": builtins}
            exec(compile(spec["check"], os.path.join(root, "pyreload/check.py"), "exec"),
                 space)
            out["check"] = space["check"]()
    except BaseException:  # the test reports whatever broke
        out["crash"] = traceback.format_exc()
    with open(out_path, "w", encoding="utf-8") as handle:
        json.dump(out, handle, indent=1, default=repr)
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
