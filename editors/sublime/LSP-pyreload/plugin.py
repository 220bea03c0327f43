"""LSP-pyreload: the sublimelsp/LSP plugin for `pyreload serve` (the LspPlugin
API of LSP 4070-2.12 and newer).

The client entry lives in LSP-pyreload.sublime-settings. This plugin adds what a
settings file cannot:

- The server binary is found as LSP-* packages find their servers: the
  command's "${pyreload_binary}" is the project's virtualenv's pyreload
  ($VIRTUAL_ENV, then .venv/ or venv/ in a workspace folder: where
  `pip install` of pyreload's wheel puts it), else `pyreload` on PATH, else
  bin/pyreload in the package's storage directory. When none exists the
  server does not start and the status field says what was looked for.
- pyreload.deepReload and pyreload.restartInterpreter get their argument in the
  shape the server expects: LSP's `lsp_execute` turns "$file_uri" into a bare
  URI string, the server takes {"uri": ...}.
- A deep reload of a file with unsaved changes is held until the file is
  written. LSP runs `lsp_code_actions_on_save` actions *before* the native
  save, so the `source.deepReload.pyreload` action would otherwise reload the
  old file from disk.
- The `pyreload/report` notification after every reload goes to the status bar
  and to "pyreload: Show Last Report" (the pyreload_show_report command).
- The `pyreload/status` notification (a root's interpreters are "ready",
  "restarting" or "failed") sets the status bar key of the window's views:
  "pyreload: restarting…" and "pyreload: failed" while that lasts, else the
  last report ("pyreload: ready" before the first reload).
"""
import os
import shutil
import time
from urllib.parse import unquote, urlparse

import sublime
import sublime_plugin
from LSP.plugin import Error, LspPlugin, PluginStartError, Promise, Request, command_handler, notification_handler

SESSION_NAME = "LSP-pyreload"
SETTINGS_FILE = "LSP-pyreload.sublime-settings"
DEEP_RELOAD = "pyreload.deepReload"
RESTART = "pyreload.restartInterpreter"
# Commands whose argument is normalized to {"uri": ...}.
URI_COMMANDS = (DEEP_RELOAD, RESTART)
STATUS_KEY = "lsp_pyreload"
PANEL = "pyreload"

# Deep reloads held until their view is saved: view id -> [(weak session, params)].
_pending = {}
# The last report per window id (dict with the notification's fields and "at").
_reports = {}
# The latest pyreload/status per window id and root path:
# {"root": URI, "path": root path, "state": ..., "pids": [...], "at": time}.
_states = {}
# The states pyreload/status carries.
STATES = ("ready", "restarting", "failed")
STATE_TEXT = {"restarting": "pyreload: restarting\u2026", "failed": "pyreload: failed"}
# The command's variable for the binary found by find_binary.
BINARY_VARIABLE = "pyreload_binary"


def _exe(name):
    return name + ".exe" if os.name == "nt" else name


def candidates(folders, env, storage):
    """candidates are the places find_binary looks, in order."""
    bindir = "Scripts" if os.name == "nt" else "bin"
    out = []
    if env.get("VIRTUAL_ENV"):
        out.append(os.path.join(env["VIRTUAL_ENV"], bindir, _exe("pyreload")))
    for folder in folders:
        for venv in (".venv", "venv"):
            out.append(os.path.join(folder, venv, bindir, _exe("pyreload")))
    out.append("PATH")
    if storage:
        out.append(os.path.join(storage, "bin", _exe("pyreload")))
    return out


def find_binary(folders, env, storage):
    """find_binary returns the pyreload binary for a window's folders, or None."""
    for place in candidates(folders, env, storage):
        if place == "PATH":
            found = shutil.which(_exe("pyreload"), path=env.get("PATH"))
            if found:
                return found
        elif os.path.isfile(place) and os.access(place, os.X_OK):
            return place
    return None


def missing_binary_message(folders, env, storage):
    """missing_binary_message says where pyreload was looked for and what to do."""
    places = ", ".join("PATH" if p == "PATH" else p for p in candidates(folders, env, storage))
    return ("no pyreload binary (looked in {}): pip install pyreload's wheel into the project's "
            "virtualenv, or set \"command\" in Preferences: LSP-pyreload Settings".format(places))


def uri_to_path(uri):
    """uri_to_path returns the file path of a file: URI, or None."""
    if not isinstance(uri, str):
        return None
    u = urlparse(uri)
    if u.scheme != "file":
        return None
    return unquote(u.path)


def normalize(params):
    """normalize returns executeCommand params with a bare URI argument made {"uri": URI}."""
    args = list(params.get("arguments") or [])
    if args and isinstance(args[0], str):
        args[0] = {"uri": args[0]}
    out = dict(params)
    if args:
        out["arguments"] = args
    return out


def status_text(report):
    """status_text renders a report for the status bar: result, package, time."""
    if not report:
        return ""
    at = time.strftime("%H:%M:%S", time.localtime(report.get("at", time.time())))
    pkg = report.get("package", "?")
    if not report.get("ok", False):
        return "pyreload: {} rolled back {}".format(pkg, at)
    stale = report.get("stale") or 0
    if stale:
        return "pyreload: {} reloaded, {} stale {}".format(pkg, stale, at)
    return "pyreload: {} reloaded {}".format(pkg, at)


def _contains(root, path):
    root = root.rstrip("/") or "/"
    return path == root or path.startswith(root if root.endswith("/") else root + "/")


def states_for(window_id, path=None):
    """states_for returns the statuses that apply to a file of a window: the
    status of the innermost root holding path, else every root's status."""
    states = list((_states.get(window_id) or {}).values())
    if path:
        holding = [st for st in states if _contains(st["path"], path)]
        if holding:
            return [max(holding, key=lambda st: len(st["path"]))]
    return states


def view_status_text(window_id, path=None):
    """view_status_text is the status bar text of a view of the window showing
    path: the interpreters' state when not ready, else the last report."""
    states = states_for(window_id, path)
    for state in ("failed", "restarting"):
        if any(st["state"] == state for st in states):
            return STATE_TEXT[state]
    report = _reports.get(window_id)
    if report:
        return status_text(report)
    if states:
        return "pyreload: ready"
    return ""


def update_status(window):
    """update_status sets (or erases) the status bar key of every view of the window."""
    for view in window.views():
        update_view_status(view, window)


def update_view_status(view, window=None):
    window = window or view.window()
    if window is None:
        return
    text = view_status_text(window.id(), view.file_name())
    if text:
        view.set_status(STATUS_KEY, text)
    else:
        view.erase_status(STATUS_KEY)


def state_text(window_id):
    """state_text renders the interpreters' state of a window's roots for the report panel."""
    lines = []
    for st in sorted((_states.get(window_id) or {}).values(), key=lambda st: st["path"]):
        pids = ", ".join(str(p) for p in st["pids"])
        lines.append("pyreload interpreters of {}: {}{} since {}".format(
            st["path"], st["state"], " (pid {})".format(pids) if pids else "",
            time.strftime("%H:%M:%S", time.localtime(st["at"]))))
    return "".join(line + "\n" for line in lines)


def report_text(report):
    """report_text renders a report for the output panel."""
    if not report:
        return "pyreload: no reload has run yet in this window.\n"
    lines = [
        "pyreload report for package {} ({})".format(
            report.get("package", "?"), time.strftime("%H:%M:%S", time.localtime(report.get("at", 0)))),
        "  result:   {}".format("reloaded" if report.get("ok") else "rolled back"),
        "  modules:  {}".format(report.get("modules")),
        "  duration: {} ms".format(int(round(report.get("duration_ms") or 0))),
        "  stale:    {}".format(report.get("stale")),
    ]
    for line in (report.get("summary") or "").splitlines():
        lines.append("  " + line)
    return "\n".join(lines) + "\n"


def _send(weaksession, params):
    """_send sends workspace/executeCommand; a failure goes to the status bar."""
    session = weaksession()
    if not session:
        return Promise.resolve(None)

    def on_result(result):
        if isinstance(result, Error):
            sublime.status_message("pyreload: {} failed: {}".format(params.get("command"), result))
            return None
        return result

    return session.send_request_task(Request("workspace/executeCommand", params)).then(on_result)


def flush_pending(view_id):
    """flush_pending sends the deep reloads that waited for this view's save."""
    for weaksession, params in _pending.pop(view_id, []):
        _send(weaksession, params)


class LspPyreloadPlugin(LspPlugin):
    @classmethod
    def on_pre_start_async(cls, context):
        """Fills "${pyreload_binary}" of the command, or refuses to start
        saying where the binary was looked for."""
        if not any("${" + BINARY_VARIABLE + "}" in arg for arg in context.configuration.command):
            return  # the user's own command
        folders = [f.path for f in context.workspace_folders]
        storage = str(getattr(cls, "plugin_storage_path", "") or "")
        binary = find_binary(folders, os.environ, storage)
        if binary is None:
            raise PluginStartError(missing_binary_message(folders, os.environ, storage))
        context.variables[BINARY_VARIABLE] = binary

    @command_handler(DEEP_RELOAD)
    def on_deep_reload(self, arguments):
        return self._uri_command(DEEP_RELOAD, arguments)

    @command_handler(RESTART)
    def on_restart(self, arguments):
        return self._uri_command(RESTART, arguments)

    def _uri_command(self, name, arguments):
        session = self.weaksession()
        if not session:
            return Promise.resolve(None)
        params = normalize({"command": name, "arguments": arguments or []})
        if name == DEEP_RELOAD:
            view = self._view_for(session, params)
            if view is not None and view.is_dirty():
                # Running from lsp_code_actions_on_save (or on a modified file):
                # reload what is about to be written, once it is.
                _pending.setdefault(view.id(), []).append((self.weaksession, params))
                sublime.status_message("pyreload: reloading after the save")
                return Promise.resolve(None)
        return _send(self.weaksession, params)

    @staticmethod
    def _view_for(session, params):
        args = params.get("arguments") or []
        window = session.window
        path = uri_to_path(args[0].get("uri")) if args and isinstance(args[0], dict) else None
        if path:
            return window.find_open_file(path)
        return window.active_view()

    @notification_handler("pyreload/report")
    def m_pyreload_report(self, params):
        """Handles the pyreload/report notification."""
        session = self.weaksession()
        if not session or not isinstance(params, dict):
            return
        report = dict(params)
        report["at"] = time.time()
        window = session.window
        self._pyreload_window = window
        _reports[window.id()] = report
        update_status(window)
        window.status_message(status_text(report))

    @notification_handler("pyreload/status")
    def m_pyreload_status(self, params):
        """Handles the pyreload/status notification: a root's interpreters are
        ready, restarting or failed."""
        session = self.weaksession()
        if not session or not isinstance(params, dict):
            return
        uri, state = params.get("root"), params.get("state")
        if not isinstance(uri, str) or state not in STATES:
            return
        pids = params.get("pids")
        path = uri_to_path(uri) or uri
        st = {
            "root": uri,
            "path": path.rstrip("/") or "/",
            "state": state,
            "pids": [p for p in pids if isinstance(p, int)] if isinstance(pids, list) else [],
            "at": time.time(),
        }
        window = session.window
        self._pyreload_window = window
        _states.setdefault(window.id(), {})[st["path"]] = st
        update_status(window)
        if state != "ready":
            window.status_message("pyreload: the Python interpreter of {} is {}".format(
                os.path.basename(st["path"]) or st["path"], state))

    def on_session_end_async(self, exit_code, exception):
        """The server is gone, and with it its interpreters: forget their state."""
        window = getattr(self, "_pyreload_window", None)
        if window is not None:
            _states.pop(window.id(), None)
            update_status(window)


class PyreloadStatusListener(sublime_plugin.EventListener):
    """Status bar keys are per view: set the key of a view when it shows up."""

    def on_activated_async(self, view):
        window = view.window()
        if window is not None and (window.id() in _states or window.id() in _reports):
            update_view_status(view, window)

    on_load_async = on_activated_async


class PyreloadSaveListener(sublime_plugin.EventListener):
    def on_post_save_async(self, view):
        flush_pending(view.id())

    def on_close(self, view):
        _pending.pop(view.id(), None)


class PyreloadShowReportCommand(sublime_plugin.WindowCommand):
    """pyreload: Show Last Report — the last reload's report in an output panel."""

    def run(self):
        panel = self.window.create_output_panel(PANEL)
        text = state_text(self.window.id()) + report_text(_reports.get(self.window.id()))
        panel.run_command("append", {"characters": text})
        self.window.run_command("show_panel", {"panel": "output." + PANEL})


def plugin_loaded():
    LspPyreloadPlugin.register()


def plugin_unloaded():
    LspPyreloadPlugin.unregister()
