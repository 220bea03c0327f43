"""The Celery app of the tasks test app: eager, no broker (task_always_eager)."""
from celery import Celery

app = Celery("proj", broker="memory://", backend="cache+memory://",
             include=["proj.tasks"])
app.conf.update(task_always_eager=True, task_eager_propagates=True,
                task_store_eager_result=False)
