from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "patron.dashboard"
    label = "dashboard"
    verbose_name = _("Shopper account dashboard")

    def ready(self) -> None:
        from patron.core.registries import DashboardLink, dashboard_links

        for code, label, order, url_name in (
            ("address_book", _("Address Book"), 50, "customer-address-book"),
            ("account_information", _("Account Information"), 60, "customer-account-edit"),
            ("newsletter", _("Newsletter Subscriptions"), 90, "customer-newsletter"),
        ):
            dashboard_links.register(
                DashboardLink(code=code, label=label, order=order, url_name=url_name)
            )
