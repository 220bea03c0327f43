"""A tiny shop package for the pyreload demo."""
import dataclasses


@dataclasses.dataclass
class Visit:
    path: str


VISITS = []  # the app's state: kept through every reload


def record(path):
    VISITS.append(Visit(path))
    return len(VISITS)


def greet(name):
    return "Hello, %s (v1)" % name
