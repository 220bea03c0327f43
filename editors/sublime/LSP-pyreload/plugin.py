"""LSP-pyreload: the sublimelsp/LSP plugin for `pyreload serve`.

The client entry lives in LSP-pyreload.sublime-settings. This plugin adds what a
settings file cannot:

- pyreload.deepReload and pyreload.restartInterpreter get their argument in the
  shape the server expects: LSP's `lsp_execute` turns "$file_uri" into a bare
  URI string, the server takes {"uri": ...}.
- A deep reload of a file with unsaved changes is held until the file is
  written. LSP runs `lsp_code_actions_on_save` actions *before* the native
  save, so the `source.deepReload.pyreload` action would otherwise reload the
  old file from disk.
- The `pyreload/report` notification after every reload goes to the status bar
  and to "pyreload: Show Last Report" (the pyreload_show_report command).
"""
import time
from urllib.parse import unquote, urlparse

import sublime
import sublime_plugin
from LSP.plugin import AbstractPlugin, Request, register_plugin, unregister_plugin

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


def _send(weaksession, params, done=None):
    session = weaksession()
    if not session:
        if done:
            done()
        return

    def on_result(_result):
        if done:
            done()

    def on_error(error):
        sublime.status_message("pyreload: {} failed: {}".format(params.get("command"), error))
        if done:
            done()

    session.send_request(Request("workspace/executeCommand", params), on_result, on_error)


def flush_pending(view_id):
    """flush_pending sends the deep reloads that waited for this view's save."""
    for weaksession, params in _pending.pop(view_id, []):
        _send(weaksession, params)


class LspPyreloadPlugin(AbstractPlugin):
    @classmethod
    def name(cls):
        return SESSION_NAME

    @classmethod
    def configuration(cls):
        return sublime.load_settings(SETTINGS_FILE), "Packages/LSP-pyreload/" + SETTINGS_FILE

    def on_pre_server_command(self, command, done_callback):
        name = command.get("command")
        if name not in URI_COMMANDS:
            return False
        session = self.weaksession()
        if not session:
            return False
        params = normalize(command)
        if name == DEEP_RELOAD:
            view = self._view_for(session, params)
            if view is not None and view.is_dirty():
                # Running from lsp_code_actions_on_save (or on a modified file):
                # reload what is about to be written, once it is.
                _pending.setdefault(view.id(), []).append((self.weaksession, params))
                sublime.status_message("pyreload: reloading after the save")
                done_callback()
                return True
        _send(self.weaksession, params, done_callback)
        return True

    @staticmethod
    def _view_for(session, params):
        args = params.get("arguments") or []
        window = session.window
        path = uri_to_path(args[0].get("uri")) if args and isinstance(args[0], dict) else None
        if path:
            return window.find_open_file(path)
        return window.active_view()

    def m_pyreload_report(self, params):
        """Handles the pyreload/report notification."""
        session = self.weaksession()
        if not session or not isinstance(params, dict):
            return
        report = dict(params)
        report["at"] = time.time()
        window = session.window
        _reports[window.id()] = report
        text = status_text(report)
        view = window.active_view()
        if view is not None:
            view.set_status(STATUS_KEY, text)
        window.status_message(text)


class PyreloadSaveListener(sublime_plugin.EventListener):
    def on_post_save_async(self, view):
        flush_pending(view.id())

    def on_close(self, view):
        _pending.pop(view.id(), None)


class PyreloadShowReportCommand(sublime_plugin.WindowCommand):
    """pyreload: Show Last Report — the last reload's report in an output panel."""

    def run(self):
        panel = self.window.create_output_panel(PANEL)
        panel.run_command("append", {"characters": report_text(_reports.get(self.window.id()))})
        self.window.run_command("show_panel", {"panel": "output." + PANEL})


def plugin_loaded():
    register_plugin(LspPyreloadPlugin)


def plugin_unloaded():
    unregister_plugin(LspPyreloadPlugin)
