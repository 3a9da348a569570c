from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "patron.core"
    label = "core"
    verbose_name = _("Patron core")

    def ready(self) -> None:
        from django_tasks.signals import task_enqueued, task_finished, task_started

        from patron.core import checks, logs, metrics, scheduler

        checks.register()
        scheduler.register_builtin_jobs()
        task_enqueued.connect(logs.remember_for_task, dispatch_uid="patron.logs.enqueued")
        task_started.connect(logs.adopt_for_task, dispatch_uid="patron.logs.started")
        task_finished.connect(logs.forget_for_task, dispatch_uid="patron.logs.finished")
        task_finished.connect(metrics.count_task, dispatch_uid="patron.metrics.tasks")
