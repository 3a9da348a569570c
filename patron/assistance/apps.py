from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "patron.assistance"
    label = "assistance"
    verbose_name = _("Login as Customer")

    def ready(self) -> None:
        from patron.assistance import admin, history, settings_fields

        settings_fields.register_settings()
        history.register()
        admin.register_button()
