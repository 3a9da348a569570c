"""Every store setting Patron registers, grouped as the back office shows them.

Paths follow Magento's configuration paths where one exists, so that people coming from Magento
recognise them and imported configuration maps one to one. Settings that cannot have an effect
in Patron (admin order creation, client-side section data, CAPTCHA fonts) are not registered;
docs/configuration.md lists every field and what reads it.
"""

from django.utils.translation import gettext_lazy as _

from patron.customers.address_format import validate_template_setting
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

SHOW_OPTIONS = (("", _("No")), ("opt", _("Optional")), ("req", _("Required")))
IDENTITY_OPTIONS = (
    ("general", _("General Contact")),
    ("sales", _("Sales Representative")),
    ("support", _("Customer Support")),
    ("custom1", _("Custom Email 1")),
    ("custom2", _("Custom Email 2")),
)
TEMPLATE_OPTIONS = "patron.mail.templates.template_choices"
GROUP_OPTIONS = "patron.customers.selectors.group_choices"
OPTIONAL_GROUP_OPTIONS = "patron.customers.selectors.optional_group_choices"
COUNTRY_OPTIONS = "patron.core.locales.country_choices"

DEFAULT_TEXT_TEMPLATE = (
    "{{depend prefix}}{{var prefix}} {{/depend}}{{var firstname}} "
    "{{depend middlename}}{{var middlename}} {{/depend}}{{var lastname}}"
    "{{depend suffix}} {{var suffix}}{{/depend}}\n"
    "{{depend company}}{{var company}}{{/depend}}\n"
    "{{if street1}}{{var street1}}\n{{/if}}\n"
    "{{depend street2}}{{var street2}}{{/depend}}\n"
    "{{depend street3}}{{var street3}}{{/depend}}\n"
    "{{depend street4}}{{var street4}}{{/depend}}\n"
    "{{if city}}{{var city}},  {{/if}}{{if region}}{{var region}}, {{/if}}"
    "{{if postcode}}{{var postcode}}{{/if}}\n"
    "{{var country}}\n"
    "{{depend telephone}}T: {{var telephone}}{{/depend}}\n"
    "{{depend fax}}F: {{var fax}}{{/depend}}\n"
    "{{depend vat_id}}VAT: {{var vat_id}}{{/depend}}"
)
DEFAULT_ONELINE_TEMPLATE = (
    "{{depend prefix}}{{var prefix}} {{/depend}}{{var firstname}} "
    "{{depend middlename}}{{var middlename}} {{/depend}}{{var lastname}}"
    "{{depend suffix}} {{var suffix}}{{/depend}}, {{var street}}, {{var city}}, "
    "{{var region}} {{var postcode}}, {{var country}}"
)
DEFAULT_HTML_TEMPLATE = (
    "{{depend prefix}}{{var prefix}} {{/depend}}{{var firstname}} "
    "{{depend middlename}}{{var middlename}} {{/depend}}{{var lastname}}"
    "{{depend suffix}} {{var suffix}}{{/depend}}{{depend firstname}}<br />{{/depend}}\n"
    "{{depend company}}{{var company}}<br />{{/depend}}\n"
    "{{if street1}}{{var street1}}<br />{{/if}}\n"
    "{{depend street2}}{{var street2}}<br />{{/depend}}\n"
    "{{depend street3}}{{var street3}}<br />{{/depend}}\n"
    "{{depend street4}}{{var street4}}<br />{{/depend}}\n"
    "{{if city}}{{var city}},  {{/if}}{{if region}}{{var region}}, {{/if}}"
    "{{if postcode}}{{var postcode}}{{/if}}<br />\n"
    "{{var country}}<br />\n"
    '{{depend telephone}}T: <a href="tel:{{var telephone}}">{{var telephone}}</a>{{/depend}}\n'
    "{{depend fax}}<br />F: {{var fax}}{{/depend}}\n"
    "{{depend vat_id}}<br />VAT: {{var vat_id}}{{/depend}}"
)
DEFAULT_PDF_TEMPLATE = (
    "{{depend prefix}}{{var prefix}} {{/depend}}{{var firstname}} "
    "{{depend middlename}}{{var middlename}} {{/depend}}{{var lastname}}"
    "{{depend suffix}} {{var suffix}}{{/depend}}|\n"
    "{{depend company}}{{var company}}|{{/depend}}\n"
    "{{if street1}}{{var street1}}|{{/if}}\n"
    "{{depend street2}}{{var street2}}|{{/depend}}\n"
    "{{depend street3}}{{var street3}}|{{/depend}}\n"
    "{{depend street4}}{{var street4}}|{{/depend}}\n"
    "{{if city}}{{var city}}, {{/if}}{{if region}}{{var region}}, {{/if}}"
    "{{if postcode}}{{var postcode}}{{/if}}|\n"
    "{{var country}}|\n"
    "{{depend telephone}}T: {{var telephone}}|{{/depend}}\n"
    "{{depend fax}}F: {{var fax}}|{{/depend}}|\n"
    "{{depend vat_id}}VAT: {{var vat_id}}{{/depend}}|"
)


def _bool(path, default, scopes, label, help="", used_by="", **extra):
    return ConfigField(path, FieldType.BOOL, default, scopes, label, help, used_by=used_by, **extra)


def _int(path, default, scopes, label, help="", used_by="", **extra):
    return ConfigField(path, FieldType.INT, default, scopes, label, help, used_by=used_by, **extra)


def _choice(path, default, scopes, label, options, help="", used_by="", **extra):
    return ConfigField(
        path,
        FieldType.CHOICE,
        default,
        scopes,
        label,
        help,
        options=options,
        used_by=used_by,
        **extra,
    )


def _show(path, default, label, used_by="customer forms"):
    return _choice(path, default, WEBSITE_SCOPES, label, SHOW_OPTIONS, used_by=used_by)


def _template(path, default, label, help="", used_by="emails"):
    return _choice(path, default, STORE_VIEW_SCOPES, label, TEMPLATE_OPTIONS, help, used_by)


def _identity(path, default, label, used_by="emails"):
    return _choice(path, default, STORE_VIEW_SCOPES, label, IDENTITY_OPTIONS, used_by=used_by)


def _email_identity_group(code, label, name, email):
    return ConfigGroup(
        f"trans_email/ident_{code}",
        label,
        (
            ConfigField(
                f"trans_email/ident_{code}/name",
                FieldType.TEXT,
                name,
                STORE_VIEW_SCOPES,
                _("Sender Name"),
                max_length=255,
                required=True,
                used_by="emails (From header)",
            ),
            ConfigField(
                f"trans_email/ident_{code}/email",
                FieldType.EMAIL,
                email,
                STORE_VIEW_SCOPES,
                _("Sender Email"),
                required=True,
                used_by="emails (From header)",
            ),
        ),
    )


GENERAL = ConfigSection(
    "general",
    _("General"),
    10,
    (
        ConfigGroup(
            "general/store_information",
            _("Store Information"),
            (
                ConfigField("general/store_information/name", FieldType.TEXT, "", STORE_VIEW_SCOPES, _("Store Name"), max_length=255, used_by="emails, shopper pages"),
                ConfigField("general/store_information/phone", FieldType.TEXT, "", STORE_VIEW_SCOPES, _("Store Phone Number"), max_length=64, used_by="emails"),
                ConfigField("general/store_information/hours", FieldType.TEXT, "", STORE_VIEW_SCOPES, _("Store Hours of Operation"), max_length=255, used_by="emails"),
                _choice("general/store_information/country_id", "", STORE_VIEW_SCOPES, _("Country"), COUNTRY_OPTIONS, help=_("Compared with a customer's VAT number country for automatic group assignment."), used_by="VAT-based group assignment, emails"),
                ConfigField("general/store_information/city", FieldType.TEXT, "", STORE_VIEW_SCOPES, _("City"), max_length=255, used_by="emails"),
                ConfigField("general/store_information/postcode", FieldType.TEXT, "", STORE_VIEW_SCOPES, _("ZIP/Postal Code"), max_length=32, used_by="emails"),
                ConfigField("general/store_information/street_line1", FieldType.TEXT, "", STORE_VIEW_SCOPES, _("Street Address"), max_length=255, used_by="emails"),
                ConfigField("general/store_information/street_line2", FieldType.TEXT, "", STORE_VIEW_SCOPES, _("Street Address Line 2"), max_length=255, used_by="emails"),
                ConfigField("general/store_information/merchant_vat_number", FieldType.TEXT, "", WEBSITE_SCOPES, _("VAT Number"), max_length=64, used_by="VAT-based group assignment"),
            ),
        ),
    ),
)  # fmt: skip

WEB = ConfigSection(
    "web",
    _("Web"),
    20,
    (
        ConfigGroup(
            "web/url",
            _("Base URLs"),
            (
                ConfigField(
                    "web/url/base_url",
                    FieldType.URL,
                    "",
                    STORE_VIEW_SCOPES,
                    _("Storefront Base URL"),
                    _("For example https://shop.example.com/. Leave empty to serve the store "
                      "view under /<store view code>/ on Patron's own host."),
                    used_by="store view routing, links in emails",
                ),
                ConfigField(
                    "web/url/shop_admin_order_url",
                    FieldType.TEXT,
                    "",
                    WEBSITE_SCOPES,
                    _("Shop Admin URL for Orders"),
                    _("A link template with {customer_id} and {email}, such as "
                      "https://shop.example.com/admin/orders/new?customer={customer_id}. "
                      "When set, the customer page links to the shop's own order creation."),
                    max_length=500,
                    used_by="customer edit page (Create Order)",
                ),
                ConfigField(
                    "web/url/shop_admin_cart_url",
                    FieldType.TEXT,
                    "",
                    WEBSITE_SCOPES,
                    _("Shop Admin URL for Shopping Carts"),
                    _("A link template with {customer_id} and {email}, such as "
                      "https://shop.example.com/admin/carts?customer={customer_id}. "
                      "When set, the customer page links to the shop's own cart management."),
                    max_length=500,
                    used_by="customer edit page (Manage Shopping Cart)",
                ),
            ),
        ),
        ConfigGroup(
            "web/cookie",
            _("Default Cookie Settings"),
            (
                _int("web/cookie/cookie_lifetime", 3600, STORE_VIEW_SCOPES, _("Cookie Lifetime"), _("Seconds of inactivity before the shopper must sign in again."), "shopper sessions", min_value=60, max_value=31536000),
                ConfigField("web/cookie/cookie_path", FieldType.TEXT, "/", STORE_VIEW_SCOPES, _("Cookie Path"), pattern=r"/[^\s;,]*", pattern_message=_("Use a path starting with /."), used_by="shopper sessions"),
                ConfigField("web/cookie/cookie_domain", FieldType.TEXT, "", STORE_VIEW_SCOPES, _("Cookie Domain"), _("A leading dot (.example.com) shares the cookie with subdomains."), pattern=r"\.?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*", pattern_message=_("Use a domain name only, such as .example.com."), used_by="shopper sessions"),
                _bool("web/cookie/cookie_httponly", True, STORE_VIEW_SCOPES, _("Use HTTP Only"), used_by="shopper sessions"),
                _bool("web/cookie/cookie_restriction", False, WEBSITE_SCOPES, _("Cookie Restriction Mode"), _("Ask shoppers to accept cookies before Remember Me and visitor tracking cookies are set."), "shopper pages"),
            ),
        ),
    ),
)  # fmt: skip

STORE_EMAIL_ADDRESSES = ConfigSection(
    "trans_email",
    _("Store Email Addresses"),
    30,
    (
        _email_identity_group("general", _("General Contact"), "Owner", "owner@example.com"),
        _email_identity_group("sales", _("Sales Representative"), "Sales", "sales@example.com"),
        _email_identity_group("support", _("Customer Support"), "Customer Support", "support@example.com"),
        _email_identity_group("custom1", _("Custom Email 1"), "Custom 1", "custom1@example.com"),
        _email_identity_group("custom2", _("Custom Email 2"), "Custom 2", "custom2@example.com"),
    ),
)  # fmt: skip

CUSTOMER = ConfigSection(
    "customer",
    _("Customer Configuration"),
    40,
    (
        ConfigGroup(
            "customer/account_share",
            _("Account Sharing Options"),
            (
                _choice("customer/account_share/scope", "website", GLOBAL_SCOPES, _("Share Customer Accounts"), (("global", _("Global")), ("website", _("Per Website"))), _("Global: one account signs in on every website. Per Website: an email can own one account on each website. Switching to Global is refused while an email is used on more than one website."), "customer uniqueness, sign-in"),
            ),
        ),
        ConfigGroup(
            "customer/online_customers",
            _("Online Customers Options"),
            (
                _int("customer/online_customers/online_minutes_interval", None, GLOBAL_SCOPES, _("Online Minutes Interval"), _("Minutes since the last sign-in, registration or cart change during which a shopper counts as online. Empty means 15."), "Now Online", min_value=1, max_value=1440),
            ),
        ),
        ConfigGroup(
            "customer/create_account",
            _("Create New Account Options"),
            (
                _bool("customer/create_account/auto_group_assign", False, STORE_VIEW_SCOPES, _("Enable Automatic Assignment to Customer Group"), _("Move customers between groups by the result of validating the VAT number of their default address."), "VAT-based group assignment"),
                _choice("customer/create_account/tax_calculation_address_type", "billing", STORE_VIEW_SCOPES, _("Tax Calculation Based On"), (("billing", _("Billing Address")), ("shipping", _("Shipping Address"))), used_by="VAT-based group assignment", depends_on={"customer/create_account/auto_group_assign": (True,)}),
                _choice("customer/create_account/default_group", 1, STORE_VIEW_SCOPES, _("Default Group"), GROUP_OPTIONS, used_by="registration, staff-created accounts"),
                _choice("customer/create_account/viv_domestic_group", None, STORE_VIEW_SCOPES, _("Group for Valid VAT ID - Domestic"), OPTIONAL_GROUP_OPTIONS, used_by="VAT-based group assignment", depends_on={"customer/create_account/auto_group_assign": (True,)}),
                _choice("customer/create_account/viv_intra_union_group", None, STORE_VIEW_SCOPES, _("Group for Valid VAT ID - Intra-Union"), OPTIONAL_GROUP_OPTIONS, used_by="VAT-based group assignment", depends_on={"customer/create_account/auto_group_assign": (True,)}),
                _choice("customer/create_account/viv_invalid_group", None, STORE_VIEW_SCOPES, _("Group for Invalid VAT ID"), OPTIONAL_GROUP_OPTIONS, used_by="VAT-based group assignment", depends_on={"customer/create_account/auto_group_assign": (True,)}),
                _choice("customer/create_account/viv_error_group", None, STORE_VIEW_SCOPES, _("Validation Error Group"), OPTIONAL_GROUP_OPTIONS, used_by="VAT-based group assignment", depends_on={"customer/create_account/auto_group_assign": (True,)}),
                _bool("customer/create_account/viv_online_check", False, STORE_VIEW_SCOPES, _("Check VAT Numbers Online (VIES)"), _("Off: VAT numbers are checked by format only. On: EU numbers are also checked with the European Commission's VIES service; when it cannot be reached the customer goes to the Validation Error Group."), "VAT-based group assignment", depends_on={"customer/create_account/auto_group_assign": (True,)}),
                _bool("customer/create_account/viv_disable_auto_group_assign_default", False, GLOBAL_SCOPES, _("Default Value for Disable Automatic Group Changes Based on VAT ID"), _("The initial state of each new customer's \"Disable Automatic Group Change\" flag."), "new customers"),
                _bool("customer/create_account/vat_frontend_visibility", False, WEBSITE_SCOPES, _("Show VAT Number on Storefront"), used_by="shopper address forms"),
                _template("customer/create_account/email_template", "customer_create_account_email_template", _("Default Welcome Email")),
                _template("customer/create_account/email_no_password_template", "customer_create_account_email_no_password_template", _("Default Welcome Email Without Password"), _("Sent instead of the welcome email when the account has no password yet, e.g. when staff created it.")),
                _identity("customer/create_account/email_identity", "general", _("Email Sender")),
                _bool("customer/create_account/confirm", False, WEBSITE_SCOPES, _("Require Emails Confirmation"), _("New accounts must open a link sent by email before they can sign in. Confirming does not sign the customer in."), "registration, sign-in"),
                _template("customer/create_account/email_confirmation_template", "customer_create_account_email_confirmation_template", _("Confirmation Link Email")),
                _template("customer/create_account/email_confirmed_template", "customer_create_account_email_confirmed_template", _("Welcome Email"), _("Sent instead of the default welcome email once the account is confirmed.")),
                _bool("customer/create_account/generate_human_friendly_id", False, GLOBAL_SCOPES, _("Generate Human-Friendly Customer ID"), _("Give every new customer a sequential number per website (e.g. US-000123) besides the internal ID."), "customer numbers"),
            ),
        ),
        ConfigGroup(
            "customer/password",
            _("Password Options"),
            (
                _choice("customer/password/password_reset_protection_type", "ip_email", STORE_VIEW_SCOPES, _("Password Reset Protection Type"), (("ip_email", _("By IP and Email")), ("ip", _("By IP")), ("email", _("By Email")), ("none", _("None"))), used_by="forgot password"),
                _int("customer/password/max_number_password_reset_requests", 5, STORE_VIEW_SCOPES, _("Max Number of Password Reset Requests"), _("Per hour; 0 means unlimited."), "forgot password", min_value=0, max_value=1000),
                _int("customer/password/min_time_between_password_reset_requests", 10, STORE_VIEW_SCOPES, _("Min Time Between Password Reset Requests"), _("Minutes; 0 means no delay."), "forgot password", min_value=0, max_value=1440),
                _template("customer/password/forgot_email_template", "customer_password_forgot_email_template", _("Forgot Email Template")),
                _template("customer/password/remind_email_template", "customer_password_remind_email_template", _("Remind Email Template"), _("Sent when staff reset a customer's password.")),
                _template("customer/password/reset_password_template", "customer_password_reset_password_template", _("Reset Password Template")),
                _identity("customer/password/forgot_email_identity", "support", _("Password Template Email Sender")),
                _int("customer/password/reset_link_expiration_period", 2, GLOBAL_SCOPES, _("Recovery Link Expiration Period (hours)"), used_by="password reset links", min_value=1, max_value=720, required=True),
                _bool("customer/password/autocomplete_on_storefront", False, WEBSITE_SCOPES, _("Enable Autocomplete on login/forgot password forms"), used_by="sign-in and forgot-password pages"),
                _int("customer/password/required_character_classes_number", 3, GLOBAL_SCOPES, _("Number of Required Character Classes"), _("Out of lowercase, uppercase, digits and special characters."), "password policy", min_value=1, max_value=4, required=True),
                _int("customer/password/lockout_failures", 10, GLOBAL_SCOPES, _("Maximum Login Failures to Lockout Account"), _("0 means the account is never locked."), "sign-in lockout", min_value=0, max_value=1000, required=True),
                _int("customer/password/minimum_password_length", 8, GLOBAL_SCOPES, _("Minimum Password Length"), used_by="password policy", min_value=1, max_value=256, required=True),
                _int("customer/password/lockout_threshold", 10, GLOBAL_SCOPES, _("Lockout Time (minutes)"), used_by="sign-in lockout", min_value=1, max_value=525600, required=True),
            ),
        ),
        ConfigGroup(
            "customer/account_information",
            _("Account Information Options"),
            (
                _template("customer/account_information/change_email_template", "customer_account_information_change_email_template", _("Change Email Template")),
                _template("customer/account_information/change_email_and_password_template", "customer_account_information_change_email_and_password_template", _("Change Email and Password Template")),
            ),
        ),
        ConfigGroup(
            "customer/address",
            _("Name and Address Options"),
            (
                _int("customer/address/street_lines", 2, WEBSITE_SCOPES, _("Number of Lines in a Street Address"), used_by="address forms", min_value=1, max_value=4, required=True),
                _show("customer/address/prefix_show", "", _("Show Prefix")),
                ConfigField("customer/address/prefix_options", FieldType.TEXT, "", WEBSITE_SCOPES, _("Prefix Dropdown Options"), _("Values separated by a semicolon (;). A leading semicolon adds an empty first option. Empty means a free-text field."), max_length=255, used_by="customer forms"),
                _bool("customer/address/middlename_show", False, WEBSITE_SCOPES, _("Show Middle Name (initial)"), _("Always optional."), "customer forms"),
                _show("customer/address/suffix_show", "", _("Show Suffix")),
                ConfigField("customer/address/suffix_options", FieldType.TEXT, "", WEBSITE_SCOPES, _("Suffix Dropdown Options"), _("Values separated by a semicolon (;). A leading semicolon adds an empty first option. Empty means a free-text field."), max_length=255, used_by="customer forms"),
                _show("customer/address/dob_show", "", _("Show Date of Birth")),
                _show("customer/address/taxvat_show", "", _("Show Tax/VAT Number")),
                _show("customer/address/gender_show", "", _("Show Gender")),
                _show("customer/address/telephone_show", "req", _("Show Telephone"), "address forms"),
                _show("customer/address/company_show", "opt", _("Show Company"), "address forms"),
                _show("customer/address/fax_show", "", _("Show Fax"), "address forms"),
            ),
        ),
        ConfigGroup(
            "customer/startup",
            _("Login Options"),
            (
                _bool("customer/startup/redirect_dashboard", False, WEBSITE_SCOPES, _("Redirect Customer to Account Dashboard after Logging in"), _("No: the customer returns to the page they came from."), "sign-in"),
            ),
        ),
        ConfigGroup(
            "customer/address_templates",
            _("Address Templates"),
            (
                ConfigField("customer/address_templates/text", FieldType.TEXTAREA, DEFAULT_TEXT_TEMPLATE, STORE_VIEW_SCOPES, _("Text"), validators=(validate_template_setting,), used_by="plain-text addresses (emails)"),
                ConfigField("customer/address_templates/oneline", FieldType.TEXTAREA, DEFAULT_ONELINE_TEMPLATE, STORE_VIEW_SCOPES, _("Text One Line"), validators=(validate_template_setting,), used_by="address lists"),
                ConfigField("customer/address_templates/html", FieldType.TEXTAREA, DEFAULT_HTML_TEMPLATE, STORE_VIEW_SCOPES, _("HTML"), validators=(validate_template_setting,), used_by="address display in the back office and the address book"),
                ConfigField("customer/address_templates/pdf", FieldType.TEXTAREA, DEFAULT_PDF_TEMPLATE, STORE_VIEW_SCOPES, _("PDF"), validators=(validate_template_setting,), used_by="addresses on printed documents (API)"),
            ),
        ),
        ConfigGroup(
            "customer/store_credit",
            _("Store Credit Options"),
            (
                _bool("customer/store_credit/enabled", True, GLOBAL_SCOPES, _("Enable Store Credit Functionality"), used_by="store credit"),
                _bool("customer/store_credit/show_history", True, WEBSITE_SCOPES, _("Show Store Credit History to Customers"), used_by="store credit"),
                _bool("customer/store_credit/refund_automatically", False, GLOBAL_SCOPES, _("Refund Store Credit Automatically"), used_by="store credit"),
                _identity("customer/store_credit/email_identity", "general", _("Store Credit Update Email Sender"), "store credit emails"),
                _template("customer/store_credit/email_template", "customer_store_credit_update_email_template", _("Store Credit Update Email Template"), used_by="store credit emails"),
            ),
        ),
        ConfigGroup(
            "customer/segments",
            _("Customer Segments"),
            (
                _bool("customer/segments/enabled", True, GLOBAL_SCOPES, _("Enable Customer Segment Functionality"), used_by="segments, cart price rules"),
            ),
        ),
        ConfigGroup(
            "customer/privacy",
            _("Privacy and Data Retention"),
            (
                _int("customer/privacy/erasure_cancel_days", 14, GLOBAL_SCOPES, _("Erasure Cancel Window (days)"), _("Days between a request to erase an account and the erasure, during which the customer or staff can cancel it. 0 erases at the next run of the erasure task."), "account erasure", min_value=0, max_value=90, required=True),
                _int("customer/privacy/export_link_hours", 72, GLOBAL_SCOPES, _("Data Export Link Lifetime (hours)"), _("How long the single-use download link of a customer's data export works."), "data export", min_value=1, max_value=720, required=True),
                _int("customer/privacy/retention_visitors_days", 30, GLOBAL_SCOPES, _("Keep Visitor Records (days)"), _("Now Online records and guest carts without activity for longer are deleted. 0 keeps them."), "data retention", min_value=0, max_value=3650, required=True),
                _int("customer/privacy/retention_product_views_days", 365, GLOBAL_SCOPES, _("Keep Product Views (days)"), _("0 keeps them."), "data retention, segments", min_value=0, max_value=3650, required=True),
                _int("customer/privacy/retention_ip_days", 30, GLOBAL_SCOPES, _("Keep IP Addresses (days)"), _("IP addresses in sign-in throttling and request logs are removed after this many days. 0 keeps them."), "data retention", min_value=0, max_value=3650, required=True),
                _int("customer/privacy/retention_outbox_days", 90, GLOBAL_SCOPES, _("Keep Sent Emails (days)"), _("Messages in the email outbox older than this are deleted. 0 keeps them."), "data retention, email outbox", min_value=0, max_value=3650, required=True),
                _int("customer/privacy/retention_timeline_details_days", 730, GLOBAL_SCOPES, _("Keep Timeline Details (days)"), _("Older timeline entries keep what happened and when, but lose their details and notes. 0 keeps them."), "data retention, customer timeline", min_value=0, max_value=3650, required=True),
                _int("customer/privacy/retention_assistance_days", 365, GLOBAL_SCOPES, _("Keep Assisted Session Logs (days)"), _("The page log of shopping-assistance sessions that ended longer ago is deleted. 0 keeps them."), "data retention, shopping assistance", min_value=0, max_value=3650, required=True),
                _int("customer/privacy/retention_export_files_hours", 72, GLOBAL_SCOPES, _("Keep Export Files (hours)"), _("Files of finished exports are deleted this many hours after the export finished; downloading one then answers that it expired. 0 keeps them."), "data retention, export", min_value=0, max_value=8760, required=True),
                _int("customer/privacy/retention_import_files_days", 30, GLOBAL_SCOPES, _("Keep Imported Files (days)"), _("Uploaded import files are deleted this many days after their import (or its Check Data) ended; the import's results stay. 0 keeps them."), "data retention, import", min_value=0, max_value=3650, required=True),
            ),
        ),
        ConfigGroup(
            "customer/captcha",
            _("CAPTCHA"),
            (
                _bool("customer/captcha/enable", False, WEBSITE_SCOPES, _("Enable CAPTCHA on Storefront"), used_by="shopper forms"),
                ConfigField("customer/captcha/forms", FieldType.MULTICHOICE, ["user_login", "user_forgotpassword"], WEBSITE_SCOPES, _("Forms"), _("The Create an Account and Forgot Password forms always show the CAPTCHA when selected."), options=(("user_create", _("Create an Account")), ("user_login", _("Sign In")), ("user_forgotpassword", _("Forgot Password")), ("customer_change_password", _("Change Password"))), used_by="shopper forms"),
                _choice("customer/captcha/mode", "after_fail", WEBSITE_SCOPES, _("Displaying Mode"), (("always", _("Always")), ("after_fail", _("After number of attempts to login"))), used_by="sign-in page"),
                _int("customer/captcha/failed_attempts_login", 3, WEBSITE_SCOPES, _("Number of Unsuccessful Attempts to Login"), _("0 means always."), "sign-in page", min_value=0, max_value=100, required=True),
                _int("customer/captcha/timeout", 7, WEBSITE_SCOPES, _("CAPTCHA Timeout (minutes)"), used_by="shopper forms", min_value=1, max_value=120, required=True),
                ConfigField("customer/captcha/length", FieldType.TEXT, "4-5", WEBSITE_SCOPES, _("Number of Symbols"), _("A number from 1 to 8, or a range such as 5-8."), pattern=r"[1-8](-[1-8])?", pattern_message=_("Use a number from 1 to 8 or a range such as 5-8."), required=True, used_by="shopper forms"),
                ConfigField("customer/captcha/symbols", FieldType.TEXT, "ABCDEFGHJKMnpqrstuvwxyz23456789", WEBSITE_SCOPES, _("Symbols Used in CAPTCHA"), _("Letters a-z, A-Z and digits 0-9."), pattern=r"[a-zA-Z0-9]+", pattern_message=_("Use only the letters a-z, A-Z and the digits 0-9."), required=True, max_length=62, used_by="shopper forms"),
                _bool("customer/captcha/case_sensitive", False, WEBSITE_SCOPES, _("Case Sensitive"), used_by="shopper forms"),
            ),
        ),
    ),
)  # fmt: skip

PERSISTENT = ConfigSection(
    "persistent",
    _("Persistent Shopping Cart"),
    50,
    (
        ConfigGroup(
            "persistent/options",
            _("General Options"),
            (
                _bool("persistent/options/enabled", False, WEBSITE_SCOPES, _("Enable Persistence"), used_by="Remember Me"),
                _int("persistent/options/lifetime", 31536000, WEBSITE_SCOPES, _("Persistence Lifetime (seconds)"), used_by="Remember Me", min_value=60, max_value=3153600000, required=True),
                _bool("persistent/options/remember_enabled", True, WEBSITE_SCOPES, _("Enable \"Remember Me\""), _("Yes shows the Remember Me checkbox on the sign-in and registration pages."), "sign-in and registration pages"),
                _bool("persistent/options/remember_default", True, WEBSITE_SCOPES, _("\"Remember Me\" Default Value"), used_by="sign-in and registration pages"),
                _bool("persistent/options/logout_clear", True, WEBSITE_SCOPES, _("Clear Persistence on Sign Out"), used_by="sign-out"),
            ),
        ),
    ),
)  # fmt: skip


AUDIENCES = ConfigSection(
    "audiences",
    _("Audience Activation"),
    60,
    (
        ConfigGroup(
            "audiences/general",
            _("General"),
            (
                _bool("audiences/general/enabled", False, GLOBAL_SCOPES, _("Enable Audience Activation"), _("Yes lets cart price rules and content blocks use audiences from a customer data platform."), "cart price rules, content blocks"),
            ),
        ),
        ConfigGroup(
            "audiences/request",
            _("Membership Sent with Requests"),
            (
                ConfigField("audiences/request/secret", FieldType.SECRET, "", GLOBAL_SCOPES, _("Signing Secret"), _("The shared secret the storefront or the platform signs the audience list with (HMAC-SHA256). Without it, signed values cannot be checked and are ignored."), used_by="audience header and cookie", max_length=255),
                ConfigField("audiences/request/header", FieldType.TEXT, "aep-segments-membership", GLOBAL_SCOPES, _("Header Name"), _("The request header that carries the audience list on API calls."), used_by="cart rule evaluation API, content blocks API", max_length=100, required=True),
                ConfigField("audiences/request/cookie", FieldType.TEXT, "patron_audiences", GLOBAL_SCOPES, _("Cookie Name"), _("The cookie that carries the audience list on Patron's own shopper pages."), used_by="shopper pages", max_length=100, required=True),
                _bool("audiences/request/trust_unsigned", False, GLOBAL_SCOPES, _("Trust Unsigned Values"), _("Only for shops whose edge removes and sets the header itself: Yes accepts an audience list without a signature."), "audience header and cookie"),
            ),
        ),
        ConfigGroup(
            "audiences/pull",
            _("Scheduled Pull"),
            (
                ConfigField("audiences/pull/endpoint", FieldType.URL, "", GLOBAL_SCOPES, _("Endpoint"), _("An HTTPS address answering the audiences and their members as JSON. Empty turns the pull off."), used_by="scheduled audience pull"),
                ConfigField("audiences/pull/token", FieldType.SECRET, "", GLOBAL_SCOPES, _("Bearer Token"), _("Sent as Authorization: Bearer to the endpoint."), used_by="scheduled audience pull", max_length=500),
                _int("audiences/pull/interval_minutes", 60, GLOBAL_SCOPES, _("Pull Every (minutes)"), used_by="scheduled audience pull", min_value=5, max_value=10080, required=True),
                _int("audiences/pull/timeout_seconds", 10, GLOBAL_SCOPES, _("Timeout (seconds)"), used_by="scheduled audience pull", min_value=1, max_value=120, required=True),
            ),
        ),
    ),
)  # fmt: skip


def register_all() -> None:
    for section in (GENERAL, WEB, STORE_EMAIL_ADDRESSES, CUSTOMER, PERSISTENT, AUDIENCES):
        register_section(section)
