"""FAKE `sublime` module for the LSP-pyreload tests: windows, views, settings, status."""

status_messages = []
_settings = {}


def reset():
    del status_messages[:]
    _settings.clear()


def status_message(msg):
    status_messages.append(msg)


class Settings(dict):
    def get(self, key, default=None):
        return dict.get(self, key, default)

    def set(self, key, value):
        self[key] = value


def load_settings(basename):
    return _settings.setdefault(basename, Settings())


class View:
    _next = 1

    def __init__(self, window, path=None, dirty=False):
        self._id = View._next
        View._next += 1
        self._window = window
        self.path = path
        self.dirty = dirty
        self.status = {}
        self.commands = []
        self.text = ""

    def id(self):
        return self._id

    def window(self):
        return self._window

    def file_name(self):
        return self.path

    def is_dirty(self):
        return self.dirty

    def set_status(self, key, value):
        self.status[key] = value

    def erase_status(self, key):
        self.status.pop(key, None)

    def run_command(self, name, args=None):
        self.commands.append((name, args))
        if name == "append":
            self.text += args["characters"]


class Window:
    _next = 1

    def __init__(self):
        self._id = Window._next
        Window._next += 1
        self.views_ = []
        self.active = None
        self.panels = {}
        self.commands = []
        self.status_messages = []

    def id(self):
        return self._id

    def new_file_view(self, path, dirty=False):
        v = View(self, path, dirty)
        self.views_.append(v)
        self.active = v
        return v

    def views(self):
        return list(self.views_)

    def active_view(self):
        return self.active

    def find_open_file(self, path):
        for v in self.views_:
            if v.path == path:
                return v
        return None

    def create_output_panel(self, name):
        self.panels[name] = View(self)
        return self.panels[name]

    def run_command(self, name, args=None):
        self.commands.append((name, args))

    def status_message(self, msg):
        self.status_messages.append(msg)
