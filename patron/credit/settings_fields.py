from django.utils.translation import gettext_lazy as _

from patron.credit import services
from patron.scopes.config import (
    GLOBAL_SCOPES,
    STORE_VIEW_SCOPES,
    WEBSITE_SCOPES,
    ConfigField,
    ConfigGroup,
    ConfigSection,
    FieldType,
    register_section,
)
from patron.scopes.fields import IDENTITY_OPTIONS, TEMPLATE_OPTIONS


def register_settings() -> None:
    register_section(
        ConfigSection(
            "store_credit",
            _("Store Credit"),
            65,
            (
                ConfigGroup(
                    "customer/magento_customerbalance",
                    _("Store Credit Options"),
                    (
                        ConfigField(services.ENABLED, FieldType.BOOL, True, GLOBAL_SCOPES, _("Enable Store Credit Functionality"), _("No: store credit disappears from the shopper's account and the customer page, and the API refuses to change balances."), used_by="store credit everywhere"),
                        ConfigField(services.SHOW_HISTORY, FieldType.BOOL, True, WEBSITE_SCOPES, _("Show Store Credit History to Customers"), used_by="the shopper's Store Credit page"),
                        ConfigField(services.REFUND_AUTOMATICALLY, FieldType.BOOL, False, GLOBAL_SCOPES, _("Refund Store Credit Automatically"), _("Yes: when the shop reports a refund of an order paid partly with store credit, that part returns to the balance."), used_by="refunds reported by the shop"),
                        ConfigField(services.EMAIL_IDENTITY, FieldType.CHOICE, "general", STORE_VIEW_SCOPES, _("Store Credit Update Email Sender"), options=IDENTITY_OPTIONS, used_by="balance update emails"),
                        ConfigField(services.EMAIL_TEMPLATE, FieldType.CHOICE, "customer_store_credit_update_email_template", STORE_VIEW_SCOPES, _("Store Credit Update Email Template"), options=TEMPLATE_OPTIONS, used_by="balance update emails"),
                    ),
                ),
            ),
        )
    )  # fmt: skip
