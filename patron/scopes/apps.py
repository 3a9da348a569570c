from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScopesConfig(AppConfig):
    name = "patron.scopes"
    label = "scopes"
    verbose_name = _("Stores")

    def ready(self) -> None:
        from patron.scopes import fields

        fields.register_all()
