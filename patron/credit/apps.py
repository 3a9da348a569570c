from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    name = "patron.credit"
    label = "credit"
    verbose_name = _("Store credit")

    def ready(self) -> None:
        from patron.credit import demo, history, sections, shop_views, tasks  # noqa: F401

        tasks.register_jobs()
        demo.register_steps()
        sections.register_sections()
        shop_views.register_dashboard()
