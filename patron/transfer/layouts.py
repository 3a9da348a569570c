"""Magento's customer file layouts (issue 15), shared by the importer and the exporter.

Four entities, by Magento's own entity codes:

- ``customer``: Customers Main File, one row per customer, keyed by (``_website``, ``email``).
- ``customer_address``: Customer Addresses, one row per address, keyed by (``_website``,
  ``_email``) and ``_entity_id`` (the address id; empty adds a new address).
- ``customer_composite``: Customers and Addresses, one file: the main file's columns, then the
  address columns prefixed ``_address_``; a row with an empty ``email`` (a continuation row) adds
  another address to the customer above it.
- ``customer_finance``: Customer Finances, store credit per website of a customer.

Columns of a layout are in Magento's export order; staff-defined attributes follow, by code.
``*_FIELDS`` map a column to the Patron model field it fills (customers.Customer,
customers.Address); columns missing from a map are read for their special meaning (codes,
keys, flags) or ignored, as ``IGNORED_*`` says.

The importer's entry point, for the benchmark and the command line::

    patron.transfer.services.import_file(
        path, *, entity, behavior="append", check_only=False, check_first=True,
        batch_size=1000, website_map=None, allowed_errors=10, job=None, actor=SYSTEM,
        progress=None,
    ) -> ImportResult  # .counts (rows, customers_added, ...), .problems, .ok, .seconds

``behavior`` is one of ``BEHAVIORS``; ``website_map`` maps Magento website codes to Patron
website codes (``{"admin": "base"}`` or ``"admin=base"``); ``check_first=False`` skips the
Check Data pass (rows with problems are still skipped and counted).
"""

CUSTOMER = "customer"
CUSTOMER_ADDRESS = "customer_address"
CUSTOMER_COMPOSITE = "customer_composite"
CUSTOMER_FINANCE = "customer_finance"
ENTITIES = (CUSTOMER, CUSTOMER_ADDRESS, CUSTOMER_COMPOSITE, CUSTOMER_FINANCE)

# Magento's import behaviours: "append" is Add/Update, "replace" deletes the customer (or the
# address) and creates it anew from the row, "delete" removes what the rows name.
APPEND = "append"
REPLACE = "replace"
DELETE = "delete"
BEHAVIORS = (APPEND, REPLACE, DELETE)

# A cell holding this clears the field; an empty cell keeps the current value.
EMPTY_VALUE = "__EMPTY__VALUE__"

# The prefix of address columns in the composite file.
ADDRESS_PREFIX = "_address_"
DEFAULT_BILLING = "_address_default_billing_"
DEFAULT_SHIPPING = "_address_default_shipping_"

# --- Customers Main File -------------------------------------------------------------------------

CUSTOMER_KEY = ("email", "_website")
CUSTOMER_COLUMNS = (
    "email",
    "_website",
    "_store",
    "confirmation",
    "created_at",
    "created_in",
    "default_billing",
    "default_shipping",
    "disable_auto_group_change",
    "dob",
    "firstname",
    "gender",
    "group_id",
    "lastname",
    "middlename",
    "password_hash",
    "prefix",
    "rp_token",
    "rp_token_created_at",
    "store_id",
    "suffix",
    "taxvat",
    "updated_at",
    "website_id",
    "password",
)
# Patron's own customer columns, written after Magento's and read back by the importer.
PATRON_CUSTOMER_COLUMNS = ("is_active",)
# Plain text fields: column -> Customer field.
CUSTOMER_FIELDS = {
    "firstname": "firstname",
    "lastname": "lastname",
    "middlename": "middlename",
    "prefix": "prefix",
    "suffix": "suffix",
    "taxvat": "taxvat",
}
# Columns with their own reading: _store / store_id / created_in -> created_in (store view),
# created_at (m/d/Y H:i or ISO), dob (date), gender (label or id), group_id (id or group name),
# disable_auto_group_change and is_active (0/1), password_hash (Magento hash or Patron's own),
# password (plain, hashed after the import), confirmation (a key: not confirmed yet).
# Read-only in Magento's sense: the file's values are never written.
IGNORED_CUSTOMER_COLUMNS = (
    "website_id",
    "updated_at",
    "rp_token",
    "rp_token_created_at",
    "default_billing",
    "default_shipping",
)

# --- Customer Addresses --------------------------------------------------------------------------

ADDRESS_KEY = ("_email", "_website", "_entity_id")
ADDRESS_COLUMNS = (
    "_website",
    "_email",
    "_entity_id",
    "city",
    "company",
    "country_id",
    "fax",
    "firstname",
    "lastname",
    "middlename",
    "postcode",
    "prefix",
    "region",
    "region_id",
    "street",
    "suffix",
    "telephone",
    "vat_id",
    "vat_is_valid",
    "vat_request_date",
    "vat_request_id",
    "vat_request_success",
    DEFAULT_BILLING,
    DEFAULT_SHIPPING,
)
# Plain text fields: column -> Address field.
ADDRESS_FIELDS = {
    "city": "city",
    "company": "company",
    "country_id": "country_id",
    "fax": "fax",
    "firstname": "firstname",
    "lastname": "lastname",
    "middlename": "middlename",
    "postcode": "postcode",
    "prefix": "prefix",
    "suffix": "suffix",
    "telephone": "telephone",
    "vat_id": "vat_id",
    "vat_request_id": "vat_request_id",
}
# Columns with their own reading: region / region_id (name, code or Magento's region id, see
# patron.transfer.regions), street (lines separated by new lines), vat_is_valid and
# vat_request_success (0/1), vat_request_date (date and time), the two default flags (0/1).

# --- Customers and Addresses (composite) ---------------------------------------------------------

COMPOSITE_ADDRESS_COLUMNS = tuple(
    ADDRESS_PREFIX + column
    for column in ADDRESS_COLUMNS
    if column not in ("_website", "_email", "_entity_id", "region_id", "vat_is_valid",
                      "vat_request_date", "vat_request_id", "vat_request_success",
                      DEFAULT_BILLING, DEFAULT_SHIPPING)
)  # fmt: skip
COMPOSITE_COLUMNS = (
    *(
        column
        for column in CUSTOMER_COLUMNS
        if column not in ("default_billing", "default_shipping")
    ),
    *COMPOSITE_ADDRESS_COLUMNS,
    DEFAULT_BILLING,
    DEFAULT_SHIPPING,
)

# --- Customer Finances ---------------------------------------------------------------------------

FINANCE_KEY = ("_email", "_website", "_finance_website")
FINANCE_COLUMNS = ("_email", "_website", "_finance_website", "store_credit", "reward_points")
# reward_points: Patron has no reward points; the column is read and ignored.

COLUMNS = {
    CUSTOMER: CUSTOMER_COLUMNS,
    CUSTOMER_ADDRESS: ADDRESS_COLUMNS,
    CUSTOMER_COMPOSITE: COMPOSITE_COLUMNS,
    CUSTOMER_FINANCE: FINANCE_COLUMNS,
}
# The columns a file must have for the entity; anything else is optional.
REQUIRED_COLUMNS = {
    CUSTOMER: ("email", "_website"),
    CUSTOMER_ADDRESS: ("_email", "_website"),
    CUSTOMER_COMPOSITE: ("email", "_website"),
    CUSTOMER_FINANCE: ("_email", "_website", "_finance_website"),
}


def export_columns(entity: str) -> tuple[str, ...]:
    """The columns an export of ``entity`` writes, in order (before staff-defined attributes):
    Magento's layout, then Patron's own columns the importer reads back."""
    if entity == CUSTOMER:
        return CUSTOMER_COLUMNS + PATRON_CUSTOMER_COLUMNS
    return COLUMNS[entity]
