from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BlocksConfig(AppConfig):
    name = "patron.blocks"
    label = "blocks"
    # The back-office menu heading: Content > Dynamic Blocks.
    verbose_name = _("Content")

    def ready(self) -> None:
        from patron.blocks import demo

        demo.register_steps()
