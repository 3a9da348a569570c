from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def customers_grid_url(job) -> str:
    """Where the page of a customers job (a mass action, a grid rebuild) leads back to."""
    return reverse("admin:customers_customer_changelist")


class CustomersConfig(AppConfig):
    name = "patron.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from patron.core.registries import JobBackLink, job_back_links
        from patron.customers import demo, history, newsletter, sections, services  # noqa: F401
        from patron.scopes.services import register_save_guard

        register_save_guard(
            services.SHARE_SCOPE_PATH, services.refuse_global_sharing_with_duplicates
        )
        demo.register_steps()
        sections.register_sections()
        newsletter.register_settings()
        job_back_links.register(JobBackLink("customers.", 100, customers_grid_url))
