from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransferConfig(AppConfig):
    name = "patron.transfer"
    label = "transfer"
    verbose_name = _("Data Transfer")

    def ready(self) -> None:
        from patron.core import events
        from patron.transfer import tasks

        tasks.register_jobs()

        events.declare(
            "customersImported", "A batch of an import added or changed customers (ids listed)."
        )
