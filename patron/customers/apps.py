from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "patron.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from patron.customers import demo, history, newsletter, sections, services  # noqa: F401
        from patron.scopes.services import register_save_guard

        register_save_guard(
            services.SHARE_SCOPE_PATH, services.refuse_global_sharing_with_duplicates
        )
        demo.register_steps()
        sections.register_sections()
        newsletter.register_settings()
