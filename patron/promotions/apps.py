from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PromotionsConfig(AppConfig):
    name = "patron.promotions"
    label = "promotions"
    verbose_name = _("Marketing")

    def ready(self) -> None:
        from patron.promotions import conditions, demo, handlers  # noqa: F401 (event handlers)

        conditions.register_catalogue()
        demo.register_steps()
