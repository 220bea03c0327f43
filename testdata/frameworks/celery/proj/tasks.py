from proj import helpers
from proj.celery import app

CALLS = []


@app.task
def add(x, y):
    CALLS.append("add")
    return (x + y) * helpers.scale()


@app.task(name="proj.tasks.mul")
def mul(x, y):
    CALLS.append("mul")
    return x * y


def label():
    return "tasks v1"
