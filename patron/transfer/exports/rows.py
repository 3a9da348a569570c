"""The rows of an export in Magento's layouts: one function per entity turns the records read
in chunks into lists of cell texts, in the layout's column order (patron/transfer/layouts.py).

Cells are written the way Patron's importer reads them back, so that export → import leaves
the data unchanged: codes rather than names for websites and store views, Magento's labels for
genders, ids for groups and addresses, ISO dates, the stored password hash (Magento's own form
for imported hashes), ``0``/``1`` for flags and option labels for staff-defined dropdowns.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from patron.customers.models import AttributeEntity, CustomerAttribute, Gender, InputType

MAGENTO_PREFIX = "magento$"
# Magento's own labels: the importer reads these whatever the staff member's language.
GENDERS = {Gender.MALE: "Male", Gender.FEMALE: "Female", Gender.NOT_SPECIFIED: "Not Specified"}


@dataclass(frozen=True)
class Scopes:
    """Codes and names of websites and store views, read once per export."""

    website_codes: dict[int, str]
    view_codes: dict[int, str]
    view_names: dict[int, str]

    @classmethod
    def load(cls) -> "Scopes":
        from patron.scopes.models import StoreView, Website

        views = list(StoreView.objects.values_list("pk", "code", "name"))
        return cls(
            website_codes=dict(Website.objects.values_list("pk", "code")),
            view_codes={pk: code for pk, code, _name in views},
            view_names={pk: name for pk, _code, name in views},
        )


def moment_text(value: str | None) -> str:
    """A date and time read as text (``TEXT_MOMENTS``): its first 19 characters are
    ``Y-m-d H:i:s`` in UTC on both databases (PostgreSQL's ISO output in the connection's UTC
    time zone, SQLite's stored UTC text). Reading the text skips parsing a datetime object per
    value, which was a third of the export's database time on PostgreSQL."""
    return value[:19] if value else ""


def flag(value: bool | None) -> str:
    if value is None:
        return ""
    return "1" if value else "0"


def password_hash(stored: str) -> str:
    """The hash as the importer takes it back: an imported Magento hash in Magento's form,
    Patron's own (Argon2id, ...) as stored."""
    if stored.startswith(MAGENTO_PREFIX):
        return stored[len(MAGENTO_PREFIX) :]
    return stored


def attribute_cell(attribute: CustomerAttribute, value: Any) -> str:
    """A staff-defined attribute's value as the importer reads it: option labels (joined by
    commas for a multiple select), 0/1, ISO dates, lines joined by new lines."""
    if value is None or value == "" or value == []:
        return ""
    kind = attribute.input_type
    if kind in (InputType.SELECT, InputType.MULTISELECT):
        labels = {option.pk: option.label for option in attribute.options.all()}
        ids = value if isinstance(value, list) else [value]
        return ",".join(labels.get(option_id, str(option_id)) for option_id in ids)
    if kind == InputType.BOOLEAN:
        return flag(bool(value))
    if kind == InputType.MULTILINE:
        return "\n".join(str(line) for line in value)
    if kind in (InputType.FILE, InputType.IMAGE):
        return value.get("path", "") if isinstance(value, dict) else ""
    return str(value)


def custom_attributes(entity: str) -> list[CustomerAttribute]:
    from patron.customers.attributes import custom_attributes as definitions

    return definitions(entity)


def _with_attributes(
    base: dict[str, Callable[[Any], Any]], entity: str
) -> dict[str, Callable[[Any], Any]]:
    cells = dict(base)
    for attribute in custom_attributes(entity):
        cells.setdefault(
            attribute.code,
            lambda record, a=attribute: attribute_cell(
                a, (record["custom_attributes"] or {}).get(a.code)
            ),
        )
    return cells


# The fields each export reads (``QuerySet.values``: plain dicts cost far less than models).
CUSTOMER_FIELDS = (
    "id", "email", "website_id", "created_in_id", "confirmation_required",
    "confirmation_key_digest", "default_billing_id", "default_shipping_id",
    "disable_auto_group_change", "dob", "firstname", "gender", "group_id", "lastname",
    "middlename", "password", "prefix", "suffix", "taxvat", "is_active", "custom_attributes",
)  # fmt: skip
ADDRESS_FIELDS = (
    "id", "customer__email", "customer__website_id", "customer__default_billing_id",
    "customer__default_shipping_id", "city", "company", "country_id", "fax", "firstname",
    "lastname", "middlename", "postcode", "prefix", "region", "region_code", "street", "suffix",
    "telephone", "vat_id", "vat_is_valid", "vat_request_id", "vat_request_success",
    "custom_attributes",
)  # fmt: skip
FINANCE_FIELDS = ("id", "customer__email", "customer__website_id", "website_id", "amount")
# Dates and times read as text, as ``<field>_text`` (see moment_text).
TEXT_MOMENTS = {
    "customer": ("created_at", "updated_at", "confirmed_at"),
    "customer_address": ("vat_request_date",),
    "customer_finance": (),
}
FIELDS = {"customer": CUSTOMER_FIELDS, "customer_address": ADDRESS_FIELDS,
          "customer_finance": FINANCE_FIELDS}  # fmt: skip


def customer_cells(scopes: Scopes) -> dict[str, Callable[[Any], Any]]:
    """Each Customers Main File column's value of a customer."""

    def confirmation(customer) -> str:
        # Magento keeps the confirmation key while the email is unconfirmed; Patron keeps only
        # a digest of it, which serves as the marker "not confirmed yet".
        if customer["confirmation_required"] and customer["confirmed_at_text"] is None:
            return customer["confirmation_key_digest"] or "1"
        return ""

    base = {
        "email": lambda c: c["email"],
        "_website": lambda c: scopes.website_codes.get(c["website_id"], ""),
        "_store": lambda c: scopes.view_codes.get(c["created_in_id"], ""),
        "confirmation": confirmation,
        "created_at": lambda c: moment_text(c["created_at_text"]),
        "created_in": lambda c: scopes.view_names.get(c["created_in_id"], ""),
        "default_billing": lambda c: c["default_billing_id"] or "",
        "default_shipping": lambda c: c["default_shipping_id"] or "",
        "disable_auto_group_change": lambda c: flag(c["disable_auto_group_change"]),
        "dob": lambda c: c["dob"].isoformat() if c["dob"] else "",
        "firstname": lambda c: c["firstname"],
        "gender": lambda c: GENDERS.get(c["gender"], ""),
        "group_id": lambda c: c["group_id"],
        "lastname": lambda c: c["lastname"],
        "middlename": lambda c: c["middlename"],
        "password_hash": lambda c: password_hash(c["password"]),
        "prefix": lambda c: c["prefix"],
        "rp_token": lambda c: "",
        "rp_token_created_at": lambda c: "",
        "store_id": lambda c: c["created_in_id"] if c["created_in_id"] is not None else 0,
        "suffix": lambda c: c["suffix"],
        "taxvat": lambda c: c["taxvat"],
        "updated_at": lambda c: moment_text(c["updated_at_text"]),
        "website_id": lambda c: c["website_id"],
        "is_active": lambda c: flag(c["is_active"]),
        "password": lambda c: "",
    }
    return _with_attributes(base, AttributeEntity.CUSTOMER)


def address_cells(scopes: Scopes) -> dict[str, Callable[[Any], Any]]:
    """Each Customer Addresses column's value of an address (its customer loaded with it)."""
    region_id = _region_ids()

    base = {
        "_website": lambda a: scopes.website_codes.get(a["customer__website_id"], ""),
        "_email": lambda a: a["customer__email"],
        "_entity_id": lambda a: a["id"],
        "city": lambda a: a["city"],
        "company": lambda a: a["company"],
        "country_id": lambda a: a["country_id"],
        "fax": lambda a: a["fax"],
        "firstname": lambda a: a["firstname"],
        "lastname": lambda a: a["lastname"],
        "middlename": lambda a: a["middlename"],
        "postcode": lambda a: a["postcode"],
        "prefix": lambda a: a["prefix"],
        "region": lambda a: a["region"],
        "region_id": lambda a: region_id(a["country_id"], a["region_code"]),
        "street": lambda a: "\n".join(a["street"] or []),
        "suffix": lambda a: a["suffix"],
        "telephone": lambda a: a["telephone"],
        "vat_id": lambda a: a["vat_id"],
        "vat_is_valid": lambda a: flag(a["vat_is_valid"]),
        "vat_request_date": lambda a: moment_text(a["vat_request_date_text"]),
        "vat_request_id": lambda a: a["vat_request_id"],
        "vat_request_success": lambda a: flag(a["vat_request_success"]),
        "_address_default_billing_": lambda a: flag(a["customer__default_billing_id"] == a["id"]),
        "_address_default_shipping_": lambda a: flag(a["customer__default_shipping_id"] == a["id"]),
    }
    return _with_attributes(base, AttributeEntity.ADDRESS)


def finance_cells(scopes: Scopes) -> dict[str, Callable[[Any], Any]]:
    """Each Customer Finances column's value of a store credit balance."""
    return {
        "_email": lambda b: b["customer__email"],
        "_website": lambda b: scopes.website_codes.get(b["customer__website_id"], ""),
        "_finance_website": lambda b: scopes.website_codes.get(b["website_id"], ""),
        "store_credit": lambda b: _amount(b["amount"]),
        "reward_points": lambda b: "",
    }


def _amount(value: Decimal) -> str:
    # As stored, with its four decimal places, as Magento writes it too.
    return format(value, "f")


def _region_ids() -> Callable[[str, str], Any]:
    """Magento's numeric region id of a country and region code, when the importer's mapping
    table knows it; empty otherwise."""
    try:
        from patron.transfer import regions  # the importer's table (Magento directory data)
    except ImportError:
        return lambda country, code: ""
    lookup = getattr(regions, "magento_region_id", None)
    if lookup is None:
        return lambda country, code: ""
    return lambda country, code: (lookup(country, code) or "") if code else ""


def values(
    records: Iterable[Any], header: list[str], cells: dict[str, Callable[[Any], Any]]
) -> Iterator[list[Any]]:
    """Yield each record's cells in ``header`` order (an unknown column stays empty)."""
    getters = [cells.get(column, lambda record: "") for column in header]
    for record in records:
        yield [getter(record) for getter in getters]


def now_text() -> str:
    return timezone.now().strftime("%Y%m%d_%H%M%S")
