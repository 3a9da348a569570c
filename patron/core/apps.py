from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "patron.core"
    label = "core"
    verbose_name = _("Patron core")

    def ready(self) -> None:
        from patron.core import checks, scheduler

        checks.register()
        scheduler.register_builtin_jobs()
