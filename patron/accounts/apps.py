from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "patron.accounts"
    label = "accounts"
    verbose_name = _("Shopper accounts")

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy

        from patron.accounts import history  # noqa: F401 - registers timeline kinds
        from patron.core.registries import DashboardLink, dashboard_links

        dashboard_links.register(
            DashboardLink(
                code="account",
                label=gettext_lazy("My Account"),
                order=10,
                url_name="customer-account",
            )
        )
