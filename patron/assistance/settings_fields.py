"""Customers > Login as Customer settings (Magento's General Options of that page)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from patron.scopes.config import (
    GLOBAL_SCOPES,
    WEBSITE_SCOPES,
    ConfigField,
    ConfigGroup,
    ConfigSection,
    FieldType,
    register_section,
)

ENABLED = "login_as_customer/general/enabled"
CONSENT_POLICY = "login_as_customer/general/consent_policy"
STORE_VIEW_CHOICE = "login_as_customer/general/store_view_manual_choice"
CHECKBOX_TITLE = "login_as_customer/general/opt_in_title"
CHECKBOX_TOOLTIP = "login_as_customer/general/opt_in_tooltip"

OPT_IN, OPT_OUT, ALWAYS = "opt_in", "opt_out", "always"

# Stored untranslated; shown translated while staff have not changed them (see checkbox_texts).
DEFAULT_TITLE = gettext_noop("Allow remote shopping assistance")
DEFAULT_TOOLTIP = gettext_noop(
    'This allows merchants to "see what you see" and take actions on your behalf in order to '
    "provide better assistance."
)


def register_settings() -> None:
    used_by = "shopper assistance (Login as Customer)"
    register_section(
        ConfigSection(
            "login_as_customer",
            _("Login as Customer"),
            48,
            (
                ConfigGroup(
                    "login_as_customer/general",
                    _("General Options"),
                    (
                        ConfigField(
                            ENABLED, FieldType.BOOL, False, GLOBAL_SCOPES,
                            _("Enable Login as Customer"),
                            _("Lets staff with the permission open the store as a customer to help them."),
                            used_by=used_by,
                        ),
                        ConfigField(
                            CONSENT_POLICY, FieldType.CHOICE, OPT_IN, GLOBAL_SCOPES,
                            _("Customer Consent"),
                            _("Opt-in: only customers who ticked the box. Opt-out: the box starts ticked for new accounts and customers may untick it. Always: no consent is asked (only where the law allows it)."),
                            options=[
                                (OPT_IN, _("Opt-in")),
                                (OPT_OUT, _("Opt-out")),
                                (ALWAYS, _("Always allowed")),
                            ],
                            used_by=used_by,
                        ),
                        ConfigField(
                            STORE_VIEW_CHOICE, FieldType.BOOL, False, GLOBAL_SCOPES,
                            _("Store View to Log in: Manual Selection"),
                            _("No: the customer's own store view (Auto-Detection). Yes: staff choose the store view each time."),
                            used_by=used_by,
                        ),
                        ConfigField(
                            CHECKBOX_TITLE, FieldType.TEXT, DEFAULT_TITLE,
                            WEBSITE_SCOPES, _("Title for Login as Customer opt-in checkbox"),
                            max_length=255, used_by="registration and Account Information pages",
                        ),
                        ConfigField(
                            CHECKBOX_TOOLTIP, FieldType.TEXT, DEFAULT_TOOLTIP,
                            WEBSITE_SCOPES, _("Login as Customer checkbox tooltip"),
                            max_length=1000, used_by="registration and Account Information pages",
                        ),
                    ),
                ),
            ),
        )
    )  # fmt: skip
