from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    name = "patron.credit"
    label = "credit"
    verbose_name = _("Store credit")

    def ready(self) -> None:
        from patron.credit import history, settings_fields, tasks  # noqa: F401

        settings_fields.register_settings()
        tasks.register_jobs()
