"""FAKE `sublime_plugin` module for the LSP-pyreload tests."""


class EventListener:
    pass


class ViewEventListener:
    def __init__(self, view):
        self.view = view


class WindowCommand:
    def __init__(self, window):
        self.window = window


class TextCommand:
    def __init__(self, view):
        self.view = view
