"""FAKE `LSP.plugin` (sublimelsp/LSP's plugin API) for the LSP-pyreload tests.

Only the names LSP-pyreload imports, with the behavior the real ones have at
the points the plugin touches: AbstractPlugin holds a weak session, Request is
method + params, register_plugin records the class. FakeSession records the
requests the plugin sends.
"""
import weakref

registered = []


def register_plugin(plugin):
    registered.append(plugin)


def unregister_plugin(plugin):
    registered.remove(plugin)


class Request:
    def __init__(self, method, params=None, view=None, progress=False):
        self.method = method
        self.params = params
        self.view = view
        self.progress = progress


class AbstractPlugin:
    def __init__(self, weaksession):
        self.weaksession = weaksession

    def on_pre_server_command(self, command, done_callback):
        return False

    def on_session_end_async(self, exit_code, exception):
        pass


class FakeSession:
    """A stand-in for LSP's Session: a window and a record of requests."""

    def __init__(self, window):
        self.window = window
        self.sent = []
        self.fail_with = None

    def send_request(self, request, on_result, on_error=None):
        self.sent.append((request.method, request.params))
        if self.fail_with is not None and on_error:
            on_error(self.fail_with)
        else:
            on_result(None)

    def weak(self):
        return weakref.ref(self)
