from django.utils.translation import gettext_lazy as _

from patron.sales import statuses
from patron.scopes.config import (
    GLOBAL_SCOPES,
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
                ConfigGroup(
                    "sales/order_statuses",
                    _("Order Statuses"),
                    (
                        ConfigField(
                            statuses.ORDER_STATUSES,
                            FieldType.TEXTAREA,
                            statuses.DEFAULT_LIST,
                            GLOBAL_SCOPES,
                            _("Statuses a Shop May Report"),
                            _("One a line: a status code, optionally followed by = and its label (e.g. awaiting_pickup = Awaiting Pickup). Orders with another status are refused."),
                            validators=(statuses.validate_status_list,),
                            used_by="orders reported by the shop, My Orders",
                        ),
                    ),
                ),
            ),
        )
    )  # fmt: skip
