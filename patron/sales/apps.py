from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "patron.sales"
    label = "sales"
    verbose_name = _("Commerce facts")

    def ready(self) -> None:
        from patron.sales import demo, sections, services, settings_fields, shop_views  # noqa: F401

        settings_fields.register_settings()
        sections.register_sections()
        demo.register_steps()
        shop_views.register_dashboard()
