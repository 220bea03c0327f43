"""FAKE `LSP.plugin` (sublimelsp/LSP's plugin API, the LspPlugin API of LSP
4070-2.12 and newer) for the LSP-pyreload tests.

Only the names LSP-pyreload imports, with the behavior the real ones have at
the points the plugin touches: LspPlugin takes its name from its top-level
package and registers with register()/unregister(); notification_handler and
command_handler mark methods that the session calls for a server
notification or an executed command; on_pre_start_async gets an
OnPreStartContext whose variables fill "${...}" in the command and may raise
PluginStartError; Promise is a minimal synchronous one. FakeSession stands
in for LSP's Session: execute_command calls the plugin's command handler or
sends the request to the (absent) server, send_request_task records requests.
"""
import weakref

registered = []

HANDLER_MARKER = "__HANDLER_MARKER"
COMMAND_HANDLER_MARKER = "__COMMAND_HANDLER_MARKER"


class PluginStartError(Exception):
    """Aborts a start with a message for the status field."""


class Error(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


class Promise:
    """Resolved at once (the real one resolves on Sublime's worker thread)."""

    def __init__(self, value):
        self.value = value

    @staticmethod
    def resolve(value=None):
        return Promise(value)

    def then(self, fn):
        return Promise(fn(self.value))


class Request:
    def __init__(self, method, params=None, view=None, progress=False):
        self.method = method
        self.params = params
        self.view = view
        self.progress = progress


def notification_handler(method):
    def decorator(func):
        setattr(func, HANDLER_MARKER, method)
        return func
    return decorator


def command_handler(command_name):
    def decorator(func):
        setattr(func, COMMAND_HANDLER_MARKER, command_name)
        return func
    return decorator


class OnPreStartContext:
    def __init__(self, configuration, variables, view, working_directory, workspace_folders):
        self.configuration = configuration
        self.variables = variables
        self.view = view
        self.working_directory = working_directory
        self.workspace_folders = workspace_folders


class WorkspaceFolder:
    def __init__(self, name, path):
        self.name = name
        self.path = path


class ClientConfig:
    def __init__(self, command):
        self.command = command


class LspPlugin:
    name = ""

    def __init_subclass__(cls, **kwargs):
        cls.name = cls.__module__.split(".")[0]

    @classmethod
    def register(cls):
        registered.append(cls)

    @classmethod
    def unregister(cls):
        registered.remove(cls)

    @classmethod
    def on_pre_start_async(cls, context):
        pass

    def __init__(self, weaksession):
        self.weaksession = weaksession

    def on_session_end_async(self, exit_code, exception):
        pass


def start_command(plugin_class, command, folders, env_variables=None):
    """What LSP does before starting the server: on_pre_start_async, then
    "${name}" in the command replaced from the context's variables. Returns
    the command to run; PluginStartError propagates."""
    variables = dict(env_variables or {})
    ctx = OnPreStartContext(ClientConfig(list(command)), variables, None,
                            folders[0] if folders else None,
                            [WorkspaceFolder(f.rsplit("/", 1)[-1], f) for f in folders])
    plugin_class.on_pre_start_async(ctx)
    out = []
    for arg in ctx.configuration.command:
        for k, v in ctx.variables.items():
            arg = arg.replace("${%s}" % k, v)
        out.append(arg)
    return out


def _marked(plugin, marker, value):
    for name in dir(plugin):
        fn = getattr(plugin, name, None)
        if callable(fn) and getattr(fn, marker, None) == value:
            return fn
    return None


class FakeSession:
    """A stand-in for LSP's Session: a window and a record of requests."""

    def __init__(self, window):
        self.window = window
        self.sent = []
        self.fail_with = None

    def send_request_task(self, request):
        self.sent.append((request.method, request.params))
        if self.fail_with is not None:
            return Promise(Error(-32603, self.fail_with))
        return Promise(None)

    def execute_command(self, plugin, command):
        """As Session.execute_command: the plugin's handler, else the server."""
        handler = _marked(plugin, COMMAND_HANDLER_MARKER, command["command"])
        if handler is not None:
            return handler(command.get("arguments"))
        return self.send_request_task(Request("workspace/executeCommand", command))

    def notify(self, plugin, method, params):
        """A server notification: the plugin's handler for method, if any."""
        handler = _marked(plugin, HANDLER_MARKER, method)
        if handler is None:
            raise AssertionError("no notification_handler for %s" % method)
        handler(params)

    def weak(self):
        return weakref.ref(self)
