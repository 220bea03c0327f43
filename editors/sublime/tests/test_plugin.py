"""Tests of LSP-pyreload (plugin.py and its JSON files) against FAKE sublime,
sublime_plugin and LSP.plugin modules (tests/fakes).

Run: editors/sublime/test.sh (or /usr/bin/python3 -m unittest discover -s editors/sublime/tests -t editors/sublime/tests)
"""
import importlib.util
import json
import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.join(os.path.dirname(HERE), "LSP-pyreload")
sys.path.insert(0, os.path.join(HERE, "fakes"))

import sublime  # noqa: E402  (the fake)
from LSP import plugin as lsp  # noqa: E402  (the fake)


def load_plugin():
    # Sublime imports it as LSP-pyreload.plugin: LspPlugin names the session after the package.
    spec = importlib.util.spec_from_file_location("LSP-pyreload.plugin", os.path.join(PACKAGE, "plugin.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def load_json(name):
    """Sublime's JSON allows // comments and trailing commas."""
    with open(os.path.join(PACKAGE, name), encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r'^\s*//.*$', "", text, flags=re.M)
    text = re.sub(r",(\s*[\]}])", r"\1", text)
    return json.loads(text)


class PackageFilesTest(unittest.TestCase):
    def test_client_entry(self):
        s = load_json("LSP-pyreload.sublime-settings")
        self.assertEqual(s["command"], ["${pyreload_binary}", "serve", "--stdio"])
        self.assertEqual(s["selector"], "source.python")
        self.assertIn("initializationOptions", s)
        # on-save goes through the code action; the server must not reload again on didSave.
        self.assertIs(s["initializationOptions"]["onSave"], False)
        self.assertIs(s["settings"]["pyreload.onSave"], False)

    def test_code_action_on_save_enabled_for_python(self):
        s = load_json("Python.sublime-settings")
        self.assertEqual(s["lsp_code_actions_on_save"], {"source.deepReload.pyreload": True})

    def test_palette_commands(self):
        cmds = {c["caption"]: c for c in load_json("Default.sublime-commands")}
        for caption, server_command in (("pyreload: Deep Reload Package", "pyreload.deepReload"),
                                        ("pyreload: Restart Interpreter", "pyreload.restartInterpreter")):
            c = cmds[caption]
            self.assertEqual(c["command"], "lsp_execute")
            self.assertEqual(c["args"]["session_name"], "LSP-pyreload")
            self.assertEqual(c["args"]["command_name"], server_command)
            self.assertEqual(c["args"]["command_args"], ["$file_uri"])
        self.assertEqual(cmds["pyreload: Show Last Report"]["command"], "pyreload_show_report")

    def test_session_name_matches_plugin(self):
        mod = load_plugin()
        self.assertEqual(mod.LspPyreloadPlugin.name, "LSP-pyreload")
        self.assertEqual(mod.SESSION_NAME, "LSP-pyreload")
        self.assertTrue(issubclass(mod.LspPyreloadPlugin, lsp.LspPlugin), "the current LspPlugin API")

    def test_menu_entry_opens_the_settings(self):
        menu = load_json("Main.sublime-menu")
        node = menu[0]
        for want in ("preferences", "package-settings", "lsp-settings", "lsp-servers"):
            self.assertEqual(node["id"], want)
            node = node["children"][0]
        self.assertEqual(node["caption"], "LSP-pyreload")
        self.assertEqual(node["command"], "edit_settings")
        self.assertEqual(node["args"]["base_file"], "${packages}/LSP-pyreload/LSP-pyreload.sublime-settings")

    def test_settings_schema_covers_the_server_settings(self):
        schema = load_json("sublime-package.json")["contributions"]["settings"]
        self.assertEqual(schema[0]["file_patterns"], ["/LSP-pyreload.sublime-settings"])
        s = schema[0]["schema"]
        self.assertEqual(s["$id"], "sublime://settings/LSP-pyreload")
        self.assertIn({"$ref": "sublime://settings/LSP-plugin-base"}, s["allOf"])
        config = s["definitions"]["PluginConfig"]["properties"]
        # The server's settings keys: the JSON names of reload/config's Settings fields.
        with open(os.path.join(PACKAGE, "..", "..", "..", "reload", "config", "config.go")) as f:
            struct = re.search(r"\ntype Settings struct \{(.*?)\n\}", f.read(), re.S).group(1)
        keys = re.findall(r'json:"(\w+)', struct)
        self.assertEqual(sorted(config["initializationOptions"]["properties"]), sorted(keys))
        self.assertEqual(sorted(config["settings"]["properties"]), sorted("pyreload." + k for k in keys))
        project = schema[1]["schema"]["properties"]["settings"]["properties"]["LSP"]["properties"]
        self.assertEqual(project["LSP-pyreload"], {"$ref": "sublime://settings/LSP-pyreload#/definitions/PluginConfig"})

    def test_readme_and_licence_ship_in_the_package(self):
        with open(os.path.join(PACKAGE, "LICENSE")) as f, open(os.path.join(PACKAGE, "..", "..", "..", "LICENSE")) as g:
            self.assertEqual(f.read(), g.read())
        with open(os.path.join(PACKAGE, "README.md")) as f:
            self.assertIn("Package Storage/LSP-pyreload/bin/pyreload", f.read())


class BinaryTest(unittest.TestCase):
    """The binary is found as LSP-* packages find their servers."""

    def setUp(self):
        import shutil
        import tempfile
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.mod = load_plugin()
        self.env = dict(os.environ)
        self.env["PATH"] = os.path.join(self.tmp, "path")
        self.env.pop("VIRTUAL_ENV", None)
        self.mod.os.environ = self.env  # what the plugin reads
        self.addCleanup(setattr, self.mod.os, "environ", os.environ)

    def binary(self, *parts):
        path = os.path.join(self.tmp, *parts)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write("#!/bin/sh\n")
        os.chmod(path, 0o755)
        return path

    def start(self, command=("${pyreload_binary}", "serve", "--stdio")):
        return lsp.start_command(self.mod.LspPyreloadPlugin, command, [os.path.join(self.tmp, "proj")])

    def test_venv_then_path_then_storage(self):
        self.mod.LspPyreloadPlugin.plugin_storage_path = os.path.join(self.tmp, "storage")
        stored = self.binary("storage", "bin", "pyreload")
        self.assertEqual(self.start(), [stored, "serve", "--stdio"])
        on_path = self.binary("path", "pyreload")
        self.assertEqual(self.start()[0], on_path)
        venv = self.binary("proj", ".venv", "bin", "pyreload")
        self.assertEqual(self.start()[0], venv)
        active = self.binary("active", "bin", "pyreload")
        self.env["VIRTUAL_ENV"] = os.path.join(self.tmp, "active")
        self.assertEqual(self.start()[0], active)

    def test_missing_binary_names_where_it_looked(self):
        self.mod.LspPyreloadPlugin.plugin_storage_path = os.path.join(self.tmp, "storage")
        with self.assertRaises(lsp.PluginStartError) as e:
            self.start()
        msg = str(e.exception)
        self.assertIn(os.path.join(self.tmp, "proj", ".venv", "bin", "pyreload"), msg)
        self.assertIn("PATH", msg)
        self.assertIn("pip install", msg)

    def test_the_users_command_is_left_alone(self):
        self.assertEqual(self.start(("/opt/pyreload", "serve")), ["/opt/pyreload", "serve"])


class PluginTest(unittest.TestCase):
    def setUp(self):
        sublime.reset()
        lsp.registered.clear()
        self.mod = load_plugin()
        self.mod._pending.clear()
        self.mod._reports.clear()
        self.mod._states.clear()
        self.window = sublime.Window()
        self.session = lsp.FakeSession(self.window)
        self.plugin = self.mod.LspPyreloadPlugin(self.session.weak())
        self.done = []

    def run_command(self, command, args):
        """lsp_execute of a command: the plugin's command handler or the server."""
        self.session.execute_command(self.plugin, {"command": command, "arguments": args})
        self.done.append(command)

    def test_plugin_loaded_registers(self):
        self.mod.plugin_loaded()
        self.assertEqual(lsp.registered, [self.mod.LspPyreloadPlugin])
        self.mod.plugin_unloaded()
        self.assertEqual(lsp.registered, [])

    def test_palette_deep_reload_sends_uri_object(self):
        self.window.new_file_view("/w/shop/core.py")
        self.run_command("pyreload.deepReload", ["file:///w/shop/core.py"])
        self.assertEqual(self.session.sent, [("workspace/executeCommand", {
            "command": "pyreload.deepReload", "arguments": [{"uri": "file:///w/shop/core.py"}]})])
        self.assertEqual(self.done, ["pyreload.deepReload"])

    def test_restart_sends_uri_object(self):
        self.run_command("pyreload.restartInterpreter", ["file:///w/shop/core.py"])
        self.assertEqual(self.session.sent, [("workspace/executeCommand", {
            "command": "pyreload.restartInterpreter", "arguments": [{"uri": "file:///w/shop/core.py"}]})])

    def test_package_argument_passes_through(self):
        self.window.new_file_view("/w/shop/core.py")
        self.run_command("pyreload.deepReload", [{"package": "shop"}])
        self.assertEqual(self.session.sent, [("workspace/executeCommand", {
            "command": "pyreload.deepReload", "arguments": [{"package": "shop"}]})])

    def test_on_save_code_action_waits_for_the_write(self):
        view = self.window.new_file_view("/w/shop/core.py", dirty=True)
        # LSP runs the source.deepReload.pyreload action before the native save.
        self.run_command("pyreload.deepReload", [{"uri": "file:///w/shop/core.py"}])
        self.assertEqual(self.done, ["pyreload.deepReload"], "the save must not wait for the reload")
        self.assertEqual(self.session.sent, [], "nothing sent before the file is written")
        view.dirty = False
        self.mod.PyreloadSaveListener().on_post_save_async(view)
        self.assertEqual(self.session.sent, [("workspace/executeCommand", {
            "command": "pyreload.deepReload", "arguments": [{"uri": "file:///w/shop/core.py"}]})])
        self.mod.PyreloadSaveListener().on_post_save_async(view)
        self.assertEqual(len(self.session.sent), 1, "sent once")

    def test_closing_a_view_drops_its_pending_reload(self):
        view = self.window.new_file_view("/w/shop/core.py", dirty=True)
        self.run_command("pyreload.deepReload", ["file:///w/shop/core.py"])
        self.mod.PyreloadSaveListener().on_close(view)
        self.mod.PyreloadSaveListener().on_post_save_async(view)
        self.assertEqual(self.session.sent, [])

    def test_quick_fix_commands_go_to_lsp_unchanged(self):
        for cmd in ("pyreload.rebind", "pyreload.patchInPlace", "pyreload.reloadDependents"):
            self.run_command(cmd, [{"code": "stale-import"}])
        self.assertEqual(self.session.sent, [("workspace/executeCommand", {"command": cmd, "arguments": [{"code": "stale-import"}]})
                                             for cmd in ("pyreload.rebind", "pyreload.patchInPlace", "pyreload.reloadDependents")])

    def test_error_is_reported_and_done_called(self):
        self.session.fail_with = "boom"
        self.run_command("pyreload.restartInterpreter", [])
        self.assertEqual(self.done, ["pyreload.restartInterpreter"])
        self.assertTrue(any("boom" in m for m in sublime.status_messages), sublime.status_messages)

    def test_report_notification_sets_status_and_report_panel(self):
        view = self.window.new_file_view("/w/shop/core.py")
        self.plugin.m_pyreload_report({"package": "shop", "ok": True, "modules": 2, "duration_ms": 12.4,
                                       "stale": 1, "summary": "1 stale reference in app.views"})
        self.assertRegex(view.status["lsp_pyreload"], r"^pyreload: shop reloaded, 1 stale \d\d:\d\d:\d\d$")
        self.mod.PyreloadShowReportCommand(self.window).run()
        panel = self.window.panels["pyreload"]
        self.assertIn("pyreload report for package shop", panel.text)
        self.assertIn("1 stale reference in app.views", panel.text)
        self.assertEqual(self.window.commands, [("show_panel", {"panel": "output.pyreload"})])

    def test_notifications_reach_their_handlers(self):
        view = self.window.new_file_view("/w/shop/core.py")
        self.session.notify(self.plugin, "pyreload/status", {"root": "file:///w", "state": "failed", "pids": []})
        self.assertEqual(view.status["lsp_pyreload"], "pyreload: failed")
        self.session.notify(self.plugin, "pyreload/status", {"root": "file:///w", "state": "ready", "pids": [1]})
        self.session.notify(self.plugin, "pyreload/report", {"package": "shop", "ok": True, "stale": 0})
        self.assertRegex(view.status["lsp_pyreload"], r"^pyreload: shop reloaded ")

    def test_status_notification_sets_the_status_key_of_the_windows_views(self):
        core = self.window.new_file_view("/w/shop/core.py")
        views = self.window.new_file_view("/w/app/views.py")
        self.plugin.m_pyreload_status({"root": "file:///w", "state": "ready", "pids": [4242]})
        for v in (core, views):
            self.assertEqual(v.status["lsp_pyreload"], "pyreload: ready")
        self.assertEqual(self.window.status_messages, [], "no message when ready")
        self.plugin.m_pyreload_status({"root": "file:///w", "state": "restarting", "pids": None})
        self.assertEqual(core.status["lsp_pyreload"], "pyreload: restarting\u2026")
        self.assertEqual(views.status["lsp_pyreload"], "pyreload: restarting\u2026")
        self.assertEqual(self.window.status_messages, ["pyreload: the Python interpreter of w is restarting"])
        self.plugin.m_pyreload_status({"root": "file:///w", "state": "failed", "pids": []})
        self.assertEqual(core.status["lsp_pyreload"], "pyreload: failed")
        self.plugin.m_pyreload_status({"root": "file:///w", "state": "ready", "pids": [5151]})
        self.assertEqual(core.status["lsp_pyreload"], "pyreload: ready")

    def test_report_shows_once_ready_and_state_wins_while_not_ready(self):
        view = self.window.new_file_view("/w/shop/core.py")
        self.plugin.m_pyreload_status({"root": "file:///w", "state": "ready", "pids": [1]})
        self.plugin.m_pyreload_report({"package": "shop", "ok": True, "modules": 2, "duration_ms": 3, "stale": 0, "summary": ""})
        self.assertRegex(view.status["lsp_pyreload"], r"^pyreload: shop reloaded \d\d:\d\d:\d\d$")
        self.plugin.m_pyreload_status({"root": "file:///w", "state": "restarting", "pids": []})
        self.assertEqual(view.status["lsp_pyreload"], "pyreload: restarting\u2026")
        self.plugin.m_pyreload_status({"root": "file:///w", "state": "ready", "pids": [2]})
        self.assertRegex(view.status["lsp_pyreload"], r"^pyreload: shop reloaded ")

    def test_status_per_root(self):
        a = self.window.new_file_view("/w/a/x.py")
        b = self.window.new_file_view("/w/b/y.py")
        elsewhere = self.window.new_file_view("/tmp/z.py")
        self.plugin.m_pyreload_status({"root": "file:///w/a", "state": "ready", "pids": [1]})
        self.plugin.m_pyreload_status({"root": "file:///w/b", "state": "failed", "pids": []})
        self.assertEqual(a.status["lsp_pyreload"], "pyreload: ready")
        self.assertEqual(b.status["lsp_pyreload"], "pyreload: failed")
        self.assertEqual(elsewhere.status["lsp_pyreload"], "pyreload: failed", "a file under no root: any root failing")
        self.assertEqual(self.mod.view_status_text(self.window.id(), "/w/ab/q.py"), "pyreload: failed", "/w/ab is not under /w/a")

    def test_status_in_the_report_panel(self):
        self.plugin.m_pyreload_status({"root": "file:///w/a%20b", "state": "ready", "pids": [11, 12]})
        self.mod.PyreloadShowReportCommand(self.window).run()
        text = self.window.panels["pyreload"].text
        self.assertRegex(text, r"^pyreload interpreters of /w/a b: ready \(pid 11, 12\) since \d\d:\d\d:\d\d\n")
        self.assertIn("no reload has run yet", text)

    def test_malformed_status_is_ignored(self):
        view = self.window.new_file_view("/w/shop/core.py")
        for params in (None, "ready", {"root": "file:///w", "state": "exploded"}, {"state": "ready"}):
            self.plugin.m_pyreload_status(params)
        self.assertEqual(self.mod._states, {})
        self.assertEqual(view.status, {})

    def test_activated_view_gets_the_status_key(self):
        self.plugin.m_pyreload_status({"root": "file:///w", "state": "failed", "pids": []})
        later = sublime.View(self.window, "/w/shop/new.py")  # opened after the notification
        self.mod.PyreloadStatusListener().on_activated_async(later)
        self.assertEqual(later.status["lsp_pyreload"], "pyreload: failed")
        other = sublime.View(sublime.Window(), "/x/y.py")
        self.mod.PyreloadStatusListener().on_activated_async(other)
        self.assertEqual(other.status, {}, "windows without pyreload are left alone")

    def test_session_end_forgets_the_state(self):
        view = self.window.new_file_view("/w/shop/core.py")
        self.plugin.m_pyreload_status({"root": "file:///w", "state": "ready", "pids": [1]})
        self.plugin.on_session_end_async(0, None)
        self.assertEqual(self.mod._states, {})
        self.assertEqual(view.status, {}, "no server, no key")

    def test_rolled_back_status(self):
        self.assertRegex(self.mod.status_text({"package": "shop", "ok": False, "at": 0}), r"rolled back")
        self.assertIn("no reload has run yet", self.mod.report_text(None))

    def test_uri_to_path(self):
        self.assertEqual(self.mod.uri_to_path("file:///w/a%20b/c.py"), "/w/a b/c.py")
        self.assertIsNone(self.mod.uri_to_path("untitled:1"))


if __name__ == "__main__":
    unittest.main()
