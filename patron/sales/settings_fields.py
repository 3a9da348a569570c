from django.utils.translation import gettext_lazy as _

from patron.scopes.config import (
    WEBSITE_SCOPES,
    ConfigField,
    ConfigGroup,
    ConfigSection,
    FieldType,
    register_section,
)


def register_settings() -> None:
    register_section(
        ConfigSection(
            "sales",
            _("Orders"),
            60,
            (
                ConfigGroup(
                    "customer/guest_orders",
                    _("Guest Orders"),
                    (
                        ConfigField(
                            "customer/guest_orders/link_by_email",
                            FieldType.BOOL,
                            False,
                            WEBSITE_SCOPES,
                            _("Link Guest Orders to Accounts by Email"),
                            _("Yes: an order placed as a guest joins the account with the same email, once that account's email is confirmed."),
                            used_by="orders reported by the shop",
                        ),
                    ),
                ),
            ),
        )
    )  # fmt: skip
