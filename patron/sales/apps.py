from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "patron.sales"
    label = "sales"
    verbose_name = _("Commerce facts")

    def ready(self) -> None:
        from patron.sales import demo, sections, services  # noqa: F401 - declares the events

        sections.register_sections()
        demo.register_steps()
