"""One batch of customers and addresses: read every row into a planned change, check each
planned record after merging it with what is stored, then write the batch with a handful of
set-based statements (one lookup of the batch's customers and addresses, bulk inserts and
updates, one grid refresh).

The checks are the customers app's own: :func:`patron.customers.validation.customer_problems`
and ``address_problems``, the country rules of :mod:`patron.customers.address_rules`, the
attribute service's ``clean_values`` and the password policy of
:mod:`patron.accounts.passwords`; lengths come from the models' fields. Per-row services are
used only where a row does something rare (deleting a customer or an address).
"""

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.contrib.auth.hashers import identify_hasher
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from patron.accounts.hashers import parse_magento_hash, stored_magento_hash
from patron.core.errors import PatronError
from patron.customers.address_rules import apply_country_rules
from patron.customers.models import Address, AttributeEntity, Customer, InputType
from patron.customers.validation import address_problems, customer_problems, normalize_street
from patron.scopes.models import Website
from patron.transfer import layouts, regions
from patron.transfer.imports.cells import (
    CellError,
    read_date,
    read_datetime,
    read_flag,
    read_gender,
    read_int,
)
from patron.transfer.imports.context import Context, Counts
from patron.transfer.imports.reading import Row, is_continuation
from patron.transfer.imports.sql import (
    assign_keys,
    insert_rows,
    insert_values,
    new_instance,
    update_rows,
)

EMPTY = layouts.EMPTY_VALUE
# Attribute types whose cells name options (by label, as exports and Magento write them).
OPTION_TYPES = (InputType.SELECT, InputType.MULTISELECT)

# Customer columns read by a function: column -> (field, reader).
CUSTOMER_READERS = {
    "dob": ("dob", read_date),
    "gender": ("gender", read_gender),
    "disable_auto_group_change": ("disable_auto_group_change", read_flag),
    "is_active": ("is_active", read_flag),
}
# What a cleared (or, on Replace, empty) value becomes.
CLEARED = {"dob": None, "gender": None, "disable_auto_group_change": False, "is_active": True}
ADDRESS_FLAG_COLUMNS = {
    "vat_is_valid": "vat_is_valid",
    "vat_request_success": "vat_request_success",
}
ADDRESS_TEXT_FIELDS = tuple(layouts.ADDRESS_FIELDS.values())
CUSTOMER_TEXT_FIELDS = ("email", *layouts.CUSTOMER_FIELDS.values())
WEBSITE_FIELD = Customer._meta.get_field("website")
ADDRESS_CUSTOMER_FIELD = Address._meta.get_field("customer")
ADDRESS_RECORD_FIELDS = (
    "prefix", "firstname", "middlename", "lastname", "suffix", "company", "street", "city",
    "country_id", "region", "region_code", "postcode", "telephone", "fax", "vat_id",
)  # fmt: skip


@dataclass
class AddressPlan:
    row: Row
    address: Address
    is_new: bool
    changed: set[str] = field(default_factory=set)
    default_billing: bool = False
    default_shipping: bool = False


@dataclass
class CustomerPlan:
    row: Row
    website: Website
    email: str
    customer: Customer
    is_new: bool
    changed: set[str] = field(default_factory=set)
    created_at: Any = None
    password: str | None = None
    addresses: list[AddressPlan] = field(default_factory=list)
    replace_addresses: bool = False


# --- Reading a customer --------------------------------------------------------------------------


def _text(cells: dict[str, str], column: str) -> str:
    return cells.get(column, "").strip()


def _key(context: Context, row: Row, email_column: str) -> tuple[Website, str] | None:
    """The row's website and email, or None after reporting what is wrong with them."""
    cells = row.cells
    website_code = _text(cells, "_website")
    email = cells.get(email_column, "").strip().lower()
    ok = True
    website = None
    if not website_code:
        context.report(row.number, "_website", "required", _("Enter the website code."))
        ok = False
    else:
        try:
            website = context.website(website_code)
        except CellError as error:
            context.report(row.number, "_website", error.code, error.message)
            ok = False
    if not email:
        context.report(row.number, email_column, "required", _("Email is a required field."))
        ok = False
    if not ok:
        return None
    return website, email


@lru_cache(maxsize=8)
def _limits(model: type[Model], names: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    limits = ((name, model._meta.get_field(name).max_length) for name in names)
    return tuple((name, limit) for name, limit in limits if limit)


def _length_problems(
    context: Context, row: Row, instance: Model, names: tuple[str, ...], prefix: str = ""
) -> bool:
    """Report text values longer than their model field allows; return whether all fit."""
    fits = True
    values = instance.__dict__
    for name, limit in _limits(type(instance), names):
        value = values.get(name)
        if isinstance(value, str) and len(value) > limit:
            context.report(
                row.number,
                prefix + name,
                "too_long",
                _("%(field)s takes at most %(limit)d characters.")
                % {"field": prefix + name, "limit": limit},
            )
            fits = False
    return fits


def _password_hash(text: str) -> str:
    """The value to store for a ``password_hash`` cell: a Magento hash marked as such, or a hash
    Patron wrote itself (export → import); raise :class:`CellError` otherwise."""
    try:
        parse_magento_hash(text)
    except ValueError:
        pass
    else:
        return stored_magento_hash(text)
    try:
        identify_hasher(text)
    except ValueError:
        raise CellError(
            "invalid_password_hash",
            _("This is neither a Magento password hash (hash:salt[:version]) nor a known hash."),
        ) from None
    return text


def read_customer(context: Context, row: Row, existing: dict[tuple[int, str], Customer]):
    """Plan the change a main row makes to its customer, or report its problems and return
    None. ``existing`` holds the batch's stored customers by (website id, email)."""
    key = _key(context, row, "email")
    if key is None:
        return None
    website, email = key
    if not context.first_sight(website.code, email):
        context.report(
            row.number, "email", "duplicate_row",
            _("%(email)s on website %(website)s appears more than once in the file.")
            % {"email": email, "website": website.code},
        )  # fmt: skip
        return None
    customer = existing.get((website.pk, email))
    if context.deleting:
        if customer is None:
            context.report(
                row.number, "email", "customer_not_found",
                _("There is no customer %(email)s on website %(website)s.")
                % {"email": email, "website": website.code},
            )  # fmt: skip
            return None
        return CustomerPlan(row, website, email, customer, is_new=False)
    if customer is None and context.accounts_global and email in existing.get("taken", {}):  # type: ignore[operator]
        context.report(
            row.number, "email", "email_taken",
            _("A customer with the email %(email)s already exists.") % {"email": email},
        )  # fmt: skip
        return None
    is_new = customer is None
    if is_new:
        customer = new_instance(
            Customer, website_id=website.pk, email=email, firstname="", lastname="",
            disable_auto_group_change=context.auto_group_default,
        )  # fmt: skip
        WEBSITE_FIELD.set_cached_value(customer, website)
    plan = CustomerPlan(row, website, email, customer, is_new=is_new)
    if not _apply_customer_cells(context, plan):
        return None
    return plan


def _cell(context: Context, cells: dict[str, str], column: str) -> str | None:
    """The cell's instruction: None keeps the value, EMPTY clears it, anything else sets it.
    On Replace an empty cell clears too."""
    if column not in cells:
        return None
    value = cells[column]
    if value.strip() == "":
        return EMPTY if context.replacing else None
    return value


def _same_moment(stored: Any, given: Any) -> bool:
    """Whether a date from the file names the stored one: files give whole seconds (Magento's
    layout and Patron's export alike), so a stored fraction of a second does not count."""
    if stored is None:
        return False
    if given.microsecond == 0:
        stored = stored.replace(microsecond=0)
    return stored == given


def _apply_customer_cells(context: Context, plan: CustomerPlan) -> bool:
    row, customer, cells = plan.row, plan.customer, plan.row.cells
    ok = True

    def set_value(name: str, value: Any) -> None:
        if plan.is_new or getattr(customer, name) != value:
            setattr(customer, name, value)
            plan.changed.add(name)

    def fail(column: str, error: CellError) -> None:
        nonlocal ok
        context.report(row.number, column, error.code, error.message)
        ok = False

    for column, name in layouts.CUSTOMER_FIELDS.items():
        value = _cell(context, cells, column)
        if value is not None:
            set_value(name, "" if value == EMPTY else value.strip())
    for column, (name, reader) in CUSTOMER_READERS.items():
        value = _cell(context, cells, column)
        if value is None:
            continue
        try:
            set_value(name, CLEARED[name] if value == EMPTY else reader(value))
        except CellError as error:
            fail(column, error)
    store = _cell(context, cells, "_store")
    view = context.stored_view(customer) if not plan.is_new else None
    if store is not None:
        try:
            view = None if store == EMPTY else context.store_view(store, plan.website)
        except CellError as error:
            fail("_store", error)
        else:
            if plan.is_new or customer.created_in_id != (view.pk if view else None):
                customer.created_in = view
                plan.changed.add("created_in")
    group = _cell(context, cells, "group_id")
    if group is not None and group != EMPTY:
        try:
            found = context.group(group)
        except CellError as error:
            fail("group_id", error)
        else:
            if plan.is_new or customer.group_id != found.pk:
                customer.group = found
                plan.changed.add("group")
    elif plan.is_new or group == EMPTY:
        found_id = context.default_group(view, plan.website)
        if plan.is_new or customer.group_id != found_id:
            customer.group_id = found_id
            plan.changed.add("group")
    created = _cell(context, cells, "created_at")
    if created is not None and created != EMPTY:
        try:
            moment = read_datetime(created)
        except CellError as error:
            fail("created_at", error)
        else:
            if plan.is_new or not _same_moment(customer.created_at, moment):
                plan.created_at = moment
    confirmation = _cell(context, cells, "confirmation")
    if confirmation is not None:
        required = confirmation != EMPTY
        if plan.is_new or customer.confirmation_required != required:
            customer.confirmation_required = required
            plan.changed.add("confirmation_required")
    hash_cell = _cell(context, cells, "password_hash")
    if hash_cell is not None:
        try:
            stored = "" if hash_cell == EMPTY else _password_hash(hash_cell.strip())
        except CellError as error:
            fail("password_hash", error)
        else:
            if customer.password != stored:
                customer.password = stored
                customer.password_changed_at = context.now if stored else None
                plan.changed |= {"password", "password_changed_at"}
    password = cells.get("password", "")
    if password and password != EMPTY:
        from patron.accounts.passwords import password_problems

        for problem in password_problems(password):
            context.report(row.number, "password", problem.code, problem.message)
            ok = False
        plan.password = password
    if not ok:
        return False
    return _check_customer(context, plan)


def _check_customer(context: Context, plan: CustomerPlan) -> bool:
    """Check the merged record with the customers app's rules."""
    customer, row = plan.customer, plan.row
    data = {
        "email": customer.email, "firstname": customer.firstname, "lastname": customer.lastname,
        "prefix": customer.prefix, "middlename": customer.middlename, "suffix": customer.suffix,
        "dob": customer.dob, "taxvat": customer.taxvat, "gender": customer.gender,
    }  # fmt: skip
    ok = True
    for problem in customer_problems(data, context.rules_for(plan.website)):
        context.report(row.number, problem.field or "", problem.code, problem.message)
        ok = False
    ok = _length_problems(context, row, customer, CUSTOMER_TEXT_FIELDS) and ok
    submitted = {
        code: ("" if value.strip() == EMPTY else value)
        for code, value in row.cells.items()
        if code in context.customer_attributes and (value.strip() or context.replacing)
    }
    ok = _attributes(context, plan, AttributeEntity.CUSTOMER, customer, submitted, "") and ok
    return ok


def _attributes(
    context: Context, plan: Any, entity: str, owner: Model, submitted: dict, prefix: str
) -> bool:
    """Merge staff-defined attribute cells through the attribute service."""
    from patron.customers import attributes

    definitions = (
        context.customer_attributes if entity == AttributeEntity.CUSTOMER
        else context.address_attributes
    )  # fmt: skip
    needs_check = submitted or (
        plan.is_new
        and any(a.is_required or a.default_value not in (None, "") for a in definitions.values())
    )
    if not needs_check:
        return True
    for code, text in submitted.items():
        attribute = definitions[code]
        if text and attribute.input_type in OPTION_TYPES:
            submitted[code] = attributes.option_ids_from_text(attribute, text)
    try:
        values = attributes.clean_values(
            entity, submitted, existing=owner.custom_attributes, creating=plan.is_new
        )
    except PatronError as error:
        for problem in error.problems or []:
            column = (problem.field or "").removeprefix("custom_attributes.")
            context.report(plan.row.number, prefix + column, problem.code, problem.message)
        if not error.problems:
            context.report(plan.row.number, "", error.code, str(error.message))
        return False
    if values != owner.custom_attributes:
        owner.custom_attributes = values
        plan.changed.add("custom_attributes")
    return True


# --- Reading an address --------------------------------------------------------------------------


def _address_columns(context: Context, prefix: str) -> tuple[tuple[str, str], ...]:
    """(column in the file, column without the prefix) of every address column an address
    row may carry, layout and attribute columns alike."""
    known = context.address_columns.get(prefix)
    if known is None:
        names = (*layouts.ADDRESS_COLUMNS, *context.address_attributes)
        known = tuple((prefix + name, name) for name in dict.fromkeys(names))
        context.address_columns[prefix] = known
    return known


def address_cells(context: Context, row: Row, prefix: str) -> dict[str, str]:
    """The row's address cells without their prefix (``_address_city`` -> ``city``)."""
    if not prefix:
        return row.cells
    cells = row.cells
    return {
        name: cells[column] for column, name in _address_columns(context, prefix) if column in cells
    }


def has_address(context: Context, row: Row) -> bool:
    cells = row.cells
    return any(
        cells[column].strip()
        for column, _name in _address_columns(context, layouts.ADDRESS_PREFIX)
        if column in cells
    )


def read_address(
    context: Context,
    row: Row,
    *,
    customer: Customer,
    website: Website,
    existing: Address | None,
    prefix: str,
    is_new_customer: bool = False,
) -> AddressPlan | None:
    """Plan an address from the row's cells (merged into ``existing`` when given) and check
    it; report its problems and return None when it fails."""
    cells = address_cells(context, row, prefix)
    is_new = existing is None
    address = (
        existing
        if existing is not None
        else new_instance(Address, customer_id=customer.pk, street=[])
    )
    if existing is None:
        ADDRESS_CUSTOMER_FIELD.set_cached_value(address, customer)
    plan = AddressPlan(row, address, is_new)
    ok = True
    merged = {name: getattr(address, name) for name in ADDRESS_RECORD_FIELDS}
    given: set[str] = set()
    for column, name in layouts.ADDRESS_FIELDS.items():
        value = _cell(context, cells, column)
        if value is not None:
            merged[name] = "" if value == EMPTY else value.strip()
            given.add(name)
    if merged.get("country_id"):
        merged["country_id"] = merged["country_id"].upper()
    street = _cell(context, cells, "street")
    if street is not None:
        merged["street"] = [] if street == EMPTY else normalize_street(street)
        given.add("street")
    region_ok = _read_region(context, row, cells, merged, given, prefix)
    if not region_ok:
        ok = False
    if (
        "country_id" in given
        and "region" not in given
        and merged["country_id"] != getattr(address, "country_id", "")
    ):
        merged["region"] = merged["region_code"] = ""
    rules = context.rules_for(website)
    problems = address_problems(merged, rules)
    _check_country(merged, problems)
    if not problems:
        problems = apply_country_rules(
            merged, telephone_shown=rules.telephone.visible, telephones=context.telephones
        )
    for problem in problems:
        column = prefix + (problem.field or "")
        context.report(row.number, column, problem.code, problem.message)
        ok = False
    for name in ADDRESS_RECORD_FIELDS:
        if is_new or getattr(address, name) != merged[name]:
            setattr(address, name, merged[name])
            plan.changed.add(name)
    for column, name in ADDRESS_FLAG_COLUMNS.items():
        value = _cell(context, cells, column)
        if value is None:
            continue
        try:
            setattr(address, name, None if value == EMPTY else read_flag(value))
            plan.changed.add(name)
        except CellError as error:
            context.report(row.number, prefix + column, error.code, error.message)
            ok = False
    value = _cell(context, cells, "vat_request_date")
    if value is not None:
        try:
            address.vat_request_date = None if value == EMPTY else read_datetime(value)
            plan.changed.add("vat_request_date")
        except CellError as error:
            context.report(row.number, prefix + "vat_request_date", error.code, error.message)
            ok = False
    value = _cell(context, cells, "vat_request_id")
    if value is not None:
        address.vat_request_id = "" if value == EMPTY else value.strip()
        plan.changed.add("vat_request_id")
    for column, attribute in (
        (layouts.DEFAULT_BILLING, "default_billing"),
        (layouts.DEFAULT_SHIPPING, "default_shipping"),
    ):
        flag = row.cells.get(column, "").strip()
        if flag and flag != EMPTY:
            try:
                setattr(plan, attribute, read_flag(flag))
            except CellError as error:
                context.report(row.number, column, error.code, error.message)
                ok = False
    ok = _length_problems(context, row, address, ADDRESS_TEXT_FIELDS, prefix) and ok
    submitted = {
        code: ("" if value.strip() == EMPTY else value)
        for code, value in cells.items()
        if code in context.address_attributes and (value.strip() or context.replacing)
    }
    ok = _attributes(context, plan, AttributeEntity.ADDRESS, address, submitted, prefix) and ok
    return plan if ok else None


def _check_country(merged: dict[str, Any], problems: list) -> None:
    from patron.customers.services import _check_country as check

    check(merged, problems)


def _read_region(
    context: Context, row: Row, cells: dict[str, str], merged: dict, given: set, prefix: str
) -> bool:
    """Region by name or code (``region``) or by Magento's numeric id (``region_id``)."""
    region = _cell(context, cells, "region")
    if region is not None:
        merged["region"] = "" if region == EMPTY else region.strip()
        merged["region_code"] = ""
        given.add("region")
    region_id = _cell(context, cells, "region_id")
    if region_id is None or region_id == EMPTY:
        return True
    try:
        number = read_int(region_id)
    except CellError as error:
        context.report(row.number, prefix + "region_id", error.code, error.message)
        return False
    if number == 0:  # Magento's "no region from the list"
        return True
    found = regions.region_by_id(number)
    if found is None:
        if merged.get("region"):
            return True  # the name decides; the id belongs to a region added after install
        context.report(
            row.number, prefix + "region_id", "unknown_region_id",
            _("%(id)s is not a Magento region id Patron knows; give the region's name in the "
              "region column.") % {"id": number},
        )  # fmt: skip
        return False
    if found.country_id != (merged.get("country_id") or ""):
        context.report(
            row.number, prefix + "region_id", "region_not_in_country",
            _("The region %(region)s is not in the country %(country)s.")
            % {"region": found.name, "country": merged.get("country_id") or "-"},
        )  # fmt: skip
        return False
    if region is None or region == EMPTY:
        merged["region"] = found.name
        merged["region_code"] = found.code
        given.add("region")
    return True


def _signature(address: Address) -> tuple:
    """What makes two addresses the same place and person (for composite files, which carry
    no address ids)."""
    return (
        address.firstname.casefold(), address.lastname.casefold(),
        tuple(line.casefold() for line in address.street), address.city.casefold(),
        address.country_id, address.postcode.replace(" ", "").casefold(),
        address.company.casefold(),
    )  # fmt: skip


# --- Customers and composite batches -------------------------------------------------------------


def _existing_customers(context: Context, keys: set[tuple[Website, str]]) -> dict:
    emails = {email for _website, email in keys}
    website_ids = {website.pk for website, _email in keys}
    found: dict[Any, Any] = {}
    if not emails:
        return found
    customers = Customer.objects.filter(email__in=emails)
    if not context.accounts_global:
        customers = customers.filter(website_id__in=website_ids)
    taken: set[str] = set()
    for customer in customers:
        if customer.website_id in website_ids:
            found[(customer.website_id, customer.email)] = customer
        taken.add(customer.email)
    found["taken"] = taken
    return found


def _peek_key(context: Context, row: Row, email_column: str) -> tuple[Website, str] | None:
    try:
        website = context.website(_text(row.cells, "_website"))
    except CellError:
        return None
    email = row.cells.get(email_column, "").strip().lower()
    return (website, email) if email else None


def process_customers(context: Context, rows: list[Row], counts: Counts, *, composite: bool):
    """Check the batch's rows of a Customers Main File or composite file; unless checking
    only, write them. Runs inside the caller's transaction."""
    keys = set()
    for row in rows:
        if row.problem is None and not (composite and is_continuation(row)):
            key = _peek_key(context, row, "email")
            if key is not None:
                keys.add(key)
    existing = _existing_customers(context, keys)
    stored_addresses: dict[int, list[Address]] = {}
    if composite and not context.deleting:
        ids = [c.pk for k, c in existing.items() if k != "taken"]
        for address in Address.objects.filter(customer_id__in=ids):
            stored_addresses.setdefault(address.customer_id, []).append(address)
    plans: list[CustomerPlan] = []
    current: CustomerPlan | None = None
    skipping = False
    for row in rows:
        counts.rows += 1
        errors_before = context.problem_count
        if row.problem is not None:
            code, message, column = row.problem
            context.report(row.number, column, code, message)
            counts.invalid_rows += 1
            current, skipping = None, True
            continue
        if composite and is_continuation(row):
            if skipping or current is None:
                if current is None and not skipping:
                    context.report(
                        row.number, "email", "no_customer",
                        _("This address row has no customer row above it."),
                    )  # fmt: skip
                    counts.invalid_rows += 1
                continue
            if not context.deleting and has_address(context, row):
                _plan_composite_address(context, current, row, stored_addresses)
            if context.problem_count > errors_before:
                counts.invalid_rows += 1
            continue
        counts.entities += 1
        current = read_customer(context, row, existing)
        skipping = current is None
        if current is None:
            counts.invalid_rows += 1
            continue
        if composite and not context.deleting:
            current.replace_addresses = context.replacing
            if has_address(context, row):
                _plan_composite_address(context, current, row, stored_addresses)
            if context.problem_count > errors_before:
                counts.invalid_rows += 1
        plans.append(current)
    _count(plans, counts, context)
    if not context.check_only:
        write_customers(context, plans)


def _plan_composite_address(
    context: Context, plan: CustomerPlan, row: Row, stored: dict[int, list[Address]]
) -> None:
    candidates = [] if plan.is_new or plan.replace_addresses else stored.get(plan.customer.pk, [])
    address_plan = read_address(
        context, row, customer=plan.customer, website=plan.website, existing=None,
        prefix=layouts.ADDRESS_PREFIX, is_new_customer=plan.is_new,
    )  # fmt: skip
    if address_plan is None:
        return
    signature = _signature(address_plan.address)
    for address in candidates:
        if _signature(address) == signature:
            # The same address again (a second import of the file): update it in place.
            changed = set()
            for name in address_plan.changed:
                if getattr(address, name) != getattr(address_plan.address, name):
                    setattr(address, name, getattr(address_plan.address, name))
                    changed.add(name)
            address_plan.address = address
            address_plan.is_new = False
            address_plan.changed = changed
            break
    plan.addresses.append(address_plan)


def _count(plans: list[CustomerPlan], counts: Counts, context: Context) -> None:
    for plan in plans:
        if context.deleting:
            counts.customers_deleted += 1
            continue
        if plan.is_new:
            counts.customers_added += 1
        elif plan.changed or plan.created_at:
            counts.customers_updated += 1
        for address_plan in plan.addresses:
            if address_plan.is_new:
                counts.addresses_added += 1
            elif address_plan.changed:
                counts.addresses_updated += 1


def write_customers(context: Context, plans: list[CustomerPlan]) -> None:
    """Write the planned customers and their addresses with bulk statements."""
    from patron.customers import grid
    from patron.customers.services import _next_number, delete_customer

    if context.deleting:
        for plan in plans:
            delete_customer(customer=plan.customer, actor=context.actor)
        return
    now = timezone.now()
    new = [plan for plan in plans if plan.is_new]
    new_addresses = [p for plan in plans for p in plan.addresses if p.is_new]
    # Keys first: a new customer's default addresses then go into its own INSERT instead of a
    # later UPDATE of every new customer.
    assign_keys(Customer, [plan.customer for plan in new])
    assign_keys(Address, [p.address for p in new_addresses])
    for plan in new:
        plan.customer.updated_at = now
        plan.customer.created_at = plan.created_at
        if context.numbered:
            plan.customer.number = _next_number(plan.website)
        _set_defaults(plan)
    insert_rows(Customer, [plan.customer for plan in new], keys_given=True)
    changed = [plan for plan in plans if not plan.is_new and plan.changed]
    _bulk_update(Customer, [plan.customer for plan in changed], _fields(changed), now)
    # Replace: the composite file's addresses take the place of the stored ones.
    replaced = [plan.customer.pk for plan in plans if plan.replace_addresses and not plan.is_new]
    if replaced:
        Customer.objects.filter(pk__in=replaced).update(default_billing=None, default_shipping=None)
        Address.objects.filter(customer_id__in=replaced).delete()
        for plan in plans:
            if plan.customer.pk in replaced:
                plan.customer.default_billing_id = plan.customer.default_shipping_id = None
    updated_addresses = []
    for plan in plans:
        for address_plan in plan.addresses:
            address_plan.address.customer_id = plan.customer.pk
            if address_plan.is_new:
                address_plan.address.updated_at = now
            elif address_plan.changed:
                updated_addresses.append(address_plan)
    insert_rows(Address, [p.address for p in new_addresses], keys_given=True)
    _bulk_update(Address, [p.address for p in updated_addresses], _fields(updated_addresses), now)
    _finish_customers(plans, now)
    _queue_passwords(plans)
    _insert_grid_rows([plan for plan in plans if plan.is_new])
    grid.refresh_rows([plan.customer.pk for plan in plans if not plan.is_new])
    _announce(context, plans)


def _insert_grid_rows(plans: list[CustomerPlan]) -> None:
    """Grid rows of new customers, built by the grid's own ``row_values`` from the records in
    memory (every address of a new customer is in the batch) instead of reading them back."""
    from patron.customers import grid
    from patron.customers.models import CustomerGridRow

    if not plans:
        return
    searchable = grid._searchable_attributes()
    rows = []
    for plan in plans:
        customer = plan.customer
        addresses = {p.address.pk: p.address for p in plan.addresses}
        billing = addresses.get(customer.default_billing_id)
        shipping = addresses.get(customer.default_shipping_id)
        rows.append(grid.row_values(customer, billing, shipping, searchable))
    insert_values(CustomerGridRow, rows, keys_given=True)


def _fields(plans: list[Any]) -> set[str]:
    names: set[str] = set()
    for plan in plans:
        names |= plan.changed
    return names


def _bulk_update(model: type[Model], objects: list[Model], fields: set[str], now) -> None:
    """Write the changed ``fields`` of stored ``objects`` and stamp them as updated."""
    if not objects:
        return
    names = sorted(fields | {"updated_at"})
    attnames = [model._meta.get_field(name).attname for name in names]
    for instance in objects:
        instance.updated_at = now
    update_rows(
        model, names, [(o.pk, *(getattr(o, attname) for attname in attnames)) for o in objects]
    )


def _set_defaults(plan: CustomerPlan) -> None:
    """Point the customer at the addresses the file flags as its defaults."""
    customer = plan.customer
    for address_plan in plan.addresses:
        if address_plan.default_billing:
            customer.default_billing_id = address_plan.address.pk
        if address_plan.default_shipping:
            customer.default_shipping_id = address_plan.address.pk


def _finish_customers(plans: list[CustomerPlan], now) -> None:
    """Default addresses and dates from the file of stored customers (new ones are inserted
    with theirs)."""
    touched = []
    for plan in plans:
        customer = plan.customer
        before = (customer.default_billing_id, customer.default_shipping_id, customer.created_at)
        _set_defaults(plan)
        if plan.created_at is not None:
            customer.created_at = plan.created_at
        if before != (
            customer.default_billing_id,
            customer.default_shipping_id,
            customer.created_at,
        ):
            touched.append(customer)
    update_rows(
        Customer,
        ["default_billing", "default_shipping", "created_at"],
        [(c.pk, c.default_billing_id, c.default_shipping_id, c.created_at) for c in touched],
    )


def _queue_passwords(plans: list[CustomerPlan]) -> None:
    from django.db import transaction

    from patron.transfer.models import PendingPassword

    pending = [
        PendingPassword(customer_id=plan.customer.pk, password=plan.password)
        for plan in plans
        if plan.password
    ]
    if not pending:
        return
    PendingPassword.objects.bulk_create(
        pending, update_conflicts=True, unique_fields=["customer"], update_fields=["password"]
    )
    from patron.transfer.tasks import hash_pending_passwords_task

    ids = [item.customer_id for item in pending]
    transaction.on_commit(lambda: hash_pending_passwords_task.enqueue(customer_ids=ids))


def _announce(context: Context, plans: list[CustomerPlan]) -> None:
    from patron.core import events

    if not plans:
        return
    events.emit(
        "customersImported",
        customer_ids=[plan.customer.pk for plan in plans],
        added=sum(1 for plan in plans if plan.is_new),
        actor=context.actor.as_fields(),
    )


# --- Customer Addresses batches ------------------------------------------------------------------


def process_addresses(context: Context, rows: list[Row], counts: Counts) -> None:
    """Check (and unless checking only, write) a batch of a Customer Addresses file."""
    keys = set()
    for row in rows:
        if row.problem is None:
            key = _peek_key(context, row, "_email")
            if key is not None:
                keys.add(key)
    existing = _existing_customers(context, keys)
    customer_ids = [c.pk for k, c in existing.items() if k != "taken"]
    stored = {a.pk: a for a in Address.objects.filter(customer_id__in=customer_ids)}
    plans: list[tuple[CustomerPlan, AddressPlan | None, Address | None]] = []
    for row in rows:
        counts.rows += 1
        counts.entities += 1
        if row.problem is not None:
            code, message, column = row.problem
            context.report(row.number, column, code, message)
            counts.invalid_rows += 1
            continue
        planned = _read_address_row(context, row, existing, stored)
        if planned is None:
            counts.invalid_rows += 1
            continue
        plans.append(planned)
    for owner, address_plan, doomed in plans:
        if doomed is not None:
            counts.addresses_deleted += 1
        elif address_plan.is_new:
            counts.addresses_added += 1
        elif address_plan.changed or _moves_default(owner.customer, address_plan):
            counts.addresses_updated += 1
    if not context.check_only:
        _write_addresses(context, plans)


def _moves_default(customer: Customer, plan: AddressPlan) -> bool:
    """Whether the row makes a stored address a default it is not yet."""
    pk = plan.address.pk
    return (plan.default_billing and customer.default_billing_id != pk) or (
        plan.default_shipping and customer.default_shipping_id != pk
    )


def _read_address_row(context: Context, row: Row, existing: dict, stored: dict[int, Address]):
    key = _key(context, row, "_email")
    if key is None:
        return None
    website, email = key
    customer = existing.get((website.pk, email))
    if customer is None:
        context.report(
            row.number, "_email", "customer_not_found",
            _("There is no customer %(email)s on website %(website)s.")
            % {"email": email, "website": website.code},
        )  # fmt: skip
        return None
    owner = CustomerPlan(row, website, email, customer, is_new=False)
    entity_id = row.cells.get("_entity_id", "").strip()
    address = None
    if entity_id:
        try:
            number = read_int(entity_id)
        except CellError as error:
            context.report(row.number, "_entity_id", error.code, error.message)
            return None
        if not context.first_sight(website.code, email, str(number)):
            context.report(
                row.number, "_entity_id", "duplicate_row",
                _("The address %(id)s appears more than once in the file.") % {"id": number},
            )  # fmt: skip
            return None
        candidate = stored.get(number)
        if candidate is not None and candidate.customer_id == customer.pk:
            address = candidate
    if context.deleting:
        if address is None:
            context.report(
                row.number, "_entity_id", "address_not_found",
                _("The customer has no address %(id)s.") % {"id": entity_id or "-"},
            )  # fmt: skip
            return None
        return owner, None, address
    plan = read_address(
        context, row, customer=customer, website=website, existing=address, prefix=""
    )
    if plan is None:
        return None
    owner.addresses.append(plan)
    return owner, plan, None


def _write_addresses(context: Context, plans: list) -> None:
    from patron.customers import grid
    from patron.customers.services import delete_address

    now = timezone.now()
    deleting = [(owner, doomed) for owner, _plan, doomed in plans if doomed is not None]
    for owner, doomed in deleting:
        try:
            delete_address(address=doomed, actor=context.actor)
        except PatronError as error:
            # Counted as deleted by the check; the service refuses (a default address while
            # others remain), which the row reports.
            context.report(owner.row.number, "_entity_id", error.code, str(error.message))
    writing = [(owner, plan) for owner, plan, doomed in plans if doomed is None]
    new = [plan for _owner, plan in writing if plan.is_new]
    for plan in new:
        plan.address.updated_at = now
    insert_rows(Address, [plan.address for plan in new])
    updated = [plan for _owner, plan in writing if not plan.is_new and plan.changed]
    _bulk_update(Address, [p.address for p in updated], _fields(updated), now)
    # One customer may own several rows: apply their default flags to one instance each.
    owners: dict[int, CustomerPlan] = {}
    for owner, plan in writing:
        merged = owners.setdefault(owner.customer.pk, owner)
        if merged is not owner:
            merged.addresses.append(plan)
    _finish_customers(list(owners.values()), now)
    grid.refresh_rows(list(owners))
    _announce(context, list(owners.values()))
