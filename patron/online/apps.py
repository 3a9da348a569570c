from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnlineConfig(AppConfig):
    name = "patron.online"
    label = "online"
    verbose_name = _("Now Online")

    def ready(self) -> None:
        from patron.online import tasks

        tasks.register_periodic_jobs()
