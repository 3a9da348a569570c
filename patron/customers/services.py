"""Every change to customers, their addresses, groups, tax classes and newsletter subscriptions.

Account sharing (spec a §8): with "Per Website" an email is unique within its website (a
database constraint); with "Global" it is unique across the installation, which the service
enforces while holding a lock on the sharing setting's row, so two registrations of one email
on two websites cannot both pass.

Deletion policy: deleting a customer removes the account, its addresses, newsletter
subscriptions, tokens and timeline. Facts other apps keep about the customer (orders, refunds,
the store-credit ledger, logs) carry their own snapshot of name and email and a nullable
reference, so they stay readable. ``accountDeleted`` carries the same snapshot.
"""

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.hashers import check_password as check_password_hash
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from patron.core import events
from patron.core.actors import Actor
from patron.core.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    PatronError,
    Problem,
    problems_from_validation_error,
)
from patron.customers import attributes, grid, history
from patron.customers.address_rules import apply_country_rules
from patron.customers.models import (
    NOT_LOGGED_IN_ID,
    Address,
    AttributeEntity,
    ConsentSource,
    Customer,
    CustomerGroup,
    CustomerNumberSequence,
    CustomerToken,
    NewsletterSubscriber,
    SubscriberStatus,
    TaxClass,
)
from patron.customers.validation import (
    address_problems,
    customer_problems,
    form_rules,
    normalize_street,
)
from patron.scopes.config import get_config
from patron.scopes.models import ConfigValue, Scope, StoreView, Website

events.declare("addressSaved", "A customer address was added or changed.")
events.declare("addressDeleted", "A customer address was deleted.")
events.declare("groupChanged", "A customer moved to another group.")
events.declare("newsletterChanged", "A newsletter subscription changed status.")
events.declare("customerGroupDeleted", "A customer group was deleted.")

SHARE_SCOPE_PATH = "customer/account_share/scope"
CUSTOMER_FIELDS = (
    "prefix", "firstname", "middlename", "lastname", "suffix", "email", "dob", "taxvat",
    "gender", "is_active", "disable_auto_group_change", "allow_remote_assistance",
    "custom_attributes",
)  # fmt: skip
ADDRESS_FIELDS = (
    "prefix", "firstname", "middlename", "lastname", "suffix", "company", "street", "city",
    "country_id", "region", "region_code", "postcode", "telephone", "fax", "vat_id",
    "custom_attributes",
)  # fmt: skip
CUSTOMER_TOKEN_LIFETIME = dt.timedelta(hours=1)


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def accounts_are_global() -> bool:
    return get_config(SHARE_SCOPE_PATH) == "global"


# --- Email uniqueness ---------------------------------------------------------------------------


def _lock_sharing_setting() -> None:
    """Serialize account creation and email changes while accounts are shared globally."""
    ConfigValue.objects.select_for_update().filter(
        path=SHARE_SCOPE_PATH, scope=Scope.DEFAULT, scope_id=0
    ).first()


def _email_taken(email: str, website_id: int, exclude_id: int | None = None) -> bool:
    customers = Customer.objects.filter(email=email)
    if not accounts_are_global():
        customers = customers.filter(website_id=website_id)
    if exclude_id is not None:
        customers = customers.exclude(pk=exclude_id)
    return customers.exists()


def _duplicate_email_problem(email: str) -> Problem:
    return Problem(
        "email_taken",
        _("A customer with the email %(email)s already exists.") % {"email": email},
        field="email",
    )


def refuse_global_sharing_with_duplicates(value: Any, scope: str, scope_id: int) -> None:
    """Save guard: switching to Global is refused while an email is used on two websites."""
    if value != "global":
        return
    duplicates = (
        Customer.objects.values("email")
        .annotate(websites=Count("website", distinct=True))
        .filter(websites__gt=1)
        .order_by("email")
    )
    count = duplicates.count()
    if count:
        examples = ", ".join(row["email"] for row in duplicates[:3])
        raise InvalidInput(
            ngettext(
                "Accounts cannot be shared globally while %(count)d email address belongs to "
                "accounts on more than one website (for example %(examples)s). Merge or change "
                "those accounts first.",
                "Accounts cannot be shared globally while %(count)d email addresses belong to "
                "accounts on more than one website (for example %(examples)s). Merge or change "
                "those accounts first.",
                count,
            )
            % {"count": count, "examples": examples},
            code="duplicate_emails_across_websites",
            field=SHARE_SCOPE_PATH,
            params={"count": count},
        )


# --- Customers ----------------------------------------------------------------------------------


def assign_group_by_vat(*, customer: Customer, address: Address, actor: Actor) -> str | None:
    """Run VAT-based group assignment for a saved address (see patron.customers.vat)."""
    from patron.customers import vat

    return vat.assign_group_by_vat(customer=customer, address=address, actor=actor)


def default_store_view_of(customer: Customer) -> StoreView | None:
    """The store view whose settings apply to a customer: where the account was created, else
    the default view of the customer's website."""
    return customer.created_in or _default_store_view(customer.website)


def _default_store_view(website: Website) -> StoreView | None:
    from patron.scopes.selectors import default_store_view

    return default_store_view(website)


def default_group_id(store_view: StoreView | None, website: Website | None = None) -> int:
    """Return the Default Group configured for a store view (or the website's default view)."""
    if store_view is None and website is not None:
        store_view = _default_store_view(website)
    return int(get_config("customer/create_account/default_group", store_view=store_view))


def _next_number(website: Website) -> str:
    CustomerNumberSequence.objects.get_or_create(website=website)
    sequence = CustomerNumberSequence.objects.select_for_update().get(website=website)
    value = sequence.next_value
    CustomerNumberSequence.objects.filter(pk=website.pk).update(next_value=F("next_value") + 1)
    return f"{website.code.upper()}-{value:06d}"


def _check_group(group_id: int, field: str = "group") -> CustomerGroup:
    if group_id == NOT_LOGGED_IN_ID:
        raise InvalidInput(
            _("NOT LOGGED IN is the group of guests and cannot be given to an account."),
            code="guest_group",
            field=field,
        )
    try:
        return CustomerGroup.objects.get(pk=group_id)
    except CustomerGroup.DoesNotExist:
        raise InvalidInput(
            _("There is no customer group %(id)s.") % {"id": group_id},
            code="unknown_group",
            field=field,
        ) from None


def _problems_or_raise(problems: list[Problem]) -> None:
    if problems:
        raise InvalidInput.from_problems(problems)


def _none_as_empty(model: type[models.Model], values: Mapping[str, Any]) -> dict[str, Any]:
    """Read None (an API's explicit null) as the empty value of optional fields that store no
    NULL ("" for text, {} for custom attributes); other fields keep None for validation."""
    cleaned = dict(values)
    for name, value in values.items():
        field = model._meta.get_field(name)
        if value is None and field.blank and not field.null:
            cleaned[name] = field.get_default()
    return cleaned


def _full_clean(instance: models.Model) -> None:
    """Check lengths, choices and NULLs before saving, so PostgreSQL never sees a value it would
    refuse. Uniqueness and constraints are left out: the email's sharing scope is the service's
    own check and the other constraints hold by construction."""
    try:
        instance.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise InvalidInput.from_problems(problems_from_validation_error(error)) from None


@transaction.atomic
def create_customer(
    *,
    website: Website,
    email: str,
    firstname: str,
    lastname: str,
    actor: Actor,
    store_view: StoreView | None = None,
    group: CustomerGroup | None = None,
    password: str | None = None,
    password_hash: str | None = None,
    confirmation_required: bool = False,
    attribute_form: str | None = None,
    **fields: Any,
) -> Customer:
    """Create a customer on ``website`` and return it.

    ``store_view`` is where the account was created (defaults to the website's default view)
    and decides the Default Group when ``group`` is not given. ``password`` is hashed as given:
    the password policy is checked by the accounts services that take passwords from people.
    Raises ``InvalidInput`` listing every problem, or ``Conflict`` for a taken email.
    """
    unknown = set(fields) - set(CUSTOMER_FIELDS)
    if unknown:
        raise TypeError(f"Unknown customer fields: {', '.join(sorted(unknown))}")
    fields = _none_as_empty(Customer, fields)
    store_view = store_view or _default_store_view(website)
    if store_view is not None and store_view.store.website_id != website.pk:
        raise InvalidInput(
            _("The store view %(view)s does not belong to the website %(website)s.")
            % {"view": store_view.code, "website": website.code},
            code="store_view_website_mismatch",
            field="store_view",
        )
    email = normalize_email(email)
    data = {"email": email, "firstname": firstname, "lastname": lastname, **fields}
    _problems_or_raise(customer_problems(data, form_rules(website)))
    fields["custom_attributes"] = attributes.clean_values(
        AttributeEntity.CUSTOMER, fields.get("custom_attributes"), form=attribute_form,
        creating=True,
    )  # fmt: skip
    group = group or _check_group(default_group_id(store_view, website))
    if group.pk == NOT_LOGGED_IN_ID:
        _check_group(group.pk)
    if accounts_are_global():
        _lock_sharing_setting()
    if _email_taken(email, website.pk):
        raise Conflict(
            str(_duplicate_email_problem(email).message), code="email_taken", field="email"
        )
    fields.setdefault(
        "disable_auto_group_change",
        bool(get_config("customer/create_account/viv_disable_auto_group_assign_default")),
    )
    customer = Customer(
        website=website,
        group=group,
        created_in=store_view,
        email=email,
        firstname=firstname.strip(),
        lastname=lastname.strip(),
        confirmation_required=confirmation_required,
        **{k: v.strip() if isinstance(v, str) else v for k, v in fields.items()},
    )
    if password_hash:
        customer.password = password_hash
    elif password:
        customer.password = make_password(password)
    if customer.password:
        customer.password_changed_at = timezone.now()
    _full_clean(customer)
    if get_config("customer/create_account/generate_human_friendly_id"):
        customer.number = _next_number(website)
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError:
        # Lost a race with a concurrent registration of the same email on this website.
        raise Conflict(
            str(_duplicate_email_problem(email).message), code="email_taken", field="email"
        ) from None
    grid.refresh_rows([customer.pk])
    history.record_account_created(
        customer=customer, actor=actor, store_view_code=store_view.code if store_view else None
    )
    if customer.allow_remote_assistance:
        from patron.privacy.consent import record_assistance_change

        record_assistance_change(
            customer=customer, actor=actor, store_view=store_view, created=True
        )
    events.emit(
        "accountCreated", customer_id=customer.pk, website_id=website.pk, actor=actor.as_fields()
    )
    return customer


@transaction.atomic
def update_customer(
    *, customer: Customer, actor: Actor, attribute_form: str | None = None, **changes: Any
) -> Customer:
    """Change a customer's own fields (not group, website or password) and return it.

    Validation runs on the merged record, so a partial update is checked against the values
    it leaves in place; ``custom_attributes`` merge into the stored ones (None clears one).
    ``attribute_form`` is the shopper form the change comes from, if any. Raises
    ``InvalidInput`` or ``Conflict`` (email taken).
    """
    unknown = set(changes) - set(CUSTOMER_FIELDS)
    if unknown:
        raise TypeError(f"Unknown customer fields: {', '.join(sorted(unknown))}")
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    # None for custom_attributes clears them all; a dict merges into the stored values.
    clear_attributes = "custom_attributes" in changes and changes["custom_attributes"] is None
    # Strip before comparing, so " Ada " for "Ada" is no change (and no timeline entry).
    changes = {
        k: v.strip() if isinstance(v, str) else v
        for k, v in _none_as_empty(Customer, changes).items()
    }
    if "email" in changes:
        changes["email"] = normalize_email(changes["email"])
    merged = {name: getattr(customer, name) for name in CUSTOMER_FIELDS} | changes
    _problems_or_raise(customer_problems(merged, form_rules(customer.website)))
    if "custom_attributes" in changes:
        changes["custom_attributes"] = attributes.clean_values(
            AttributeEntity.CUSTOMER, changes["custom_attributes"],
            existing={} if clear_attributes else customer.custom_attributes, form=attribute_form,
        )  # fmt: skip
    changed = [name for name, value in changes.items() if getattr(customer, name) != value]
    if not changed:
        return customer
    if "email" in changed:
        if accounts_are_global():
            _lock_sharing_setting()
        if _email_taken(changes["email"], customer.website_id, exclude_id=customer.pk):
            raise Conflict(
                str(_duplicate_email_problem(changes["email"]).message),
                code="email_taken",
                field="email",
            )
    for name in changed:
        value = changes[name]
        setattr(customer, name, value.strip() if isinstance(value, str) else value)
    _full_clean(customer)
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError:
        raise Conflict(
            str(_duplicate_email_problem(customer.email).message), code="email_taken", field="email"
        ) from None
    grid.refresh_rows([customer.pk])
    history.record_account_updated(customer=customer, actor=actor, changed=sorted(changed))
    if "allow_remote_assistance" in changed:
        from patron.privacy.consent import record_assistance_change

        record_assistance_change(customer=customer, actor=actor)
    events.emit(
        "accountUpdated", customer_id=customer.pk, changed=sorted(changed), actor=actor.as_fields()
    )
    return customer


@transaction.atomic
def move_customer_to_website(*, customer: Customer, website: Website, actor: Actor) -> Customer:
    """Associate a customer with another website, keeping email uniqueness."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.website_id == website.pk:
        return customer
    if (
        not accounts_are_global()
        and Customer.objects.filter(website=website, email=customer.email).exists()
    ):
        raise Conflict(
            str(_duplicate_email_problem(customer.email).message), code="email_taken", field="email"
        )
    customer.website = website
    customer.save(update_fields=["website", "updated_at"])
    grid.refresh_rows([customer.pk])
    history.record_account_updated(customer=customer, actor=actor, changed=["website"])
    events.emit(
        "accountUpdated", customer_id=customer.pk, changed=["website"], actor=actor.as_fields()
    )
    return customer


@transaction.atomic
def change_group(
    *, customer: Customer, group: CustomerGroup, actor: Actor, reason: str = ""
) -> Customer:
    """Move a customer to ``group``; recorded on the timeline with the old and new group."""
    _check_group(group.pk)
    customer = Customer.objects.select_for_update().select_related("group").get(pk=customer.pk)
    if customer.group_id == group.pk:
        return customer
    old = customer.group.code
    customer.group = group
    customer.save(update_fields=["group", "updated_at"])
    grid.refresh_rows([customer.pk])
    history.record_group_changed(
        customer=customer, actor=actor, old_group=old, new_group=group.code, reason=reason
    )
    events.emit(
        "groupChanged",
        customer_id=customer.pk,
        group_id=group.pk,
        reason=reason,
        actor=actor.as_fields(),
    )
    return customer


def assign_group(*, customers: Iterable[Customer], group: CustomerGroup, actor: Actor) -> int:
    """Move several customers to ``group``; return how many changed."""
    changed = 0
    for customer in customers:
        before = customer.group_id
        change_group(customer=customer, group=group, actor=actor)
        changed += before != group.pk
    return changed


@transaction.atomic
def delete_customer(*, customer: Customer, actor: Actor) -> dict[str, Any]:
    """Delete a customer under the deletion policy (module docstring); return the snapshot."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    snapshot = {
        "customer_id": customer.pk,
        "email": customer.email,
        "customer_name": customer.name,
        "website_id": customer.website_id,
    }
    Customer.objects.filter(pk=customer.pk).update(default_billing=None, default_shipping=None)
    customer.delete()
    events.emit("accountDeleted", **snapshot, actor=actor.as_fields())
    return snapshot


# --- Passwords and tokens -----------------------------------------------------------------------


def check_customer_password(customer: Customer, raw_password: str) -> bool:
    """Return whether ``raw_password`` is the customer's; re-hash with the preferred hasher."""
    if not customer.password:
        return False

    def upgrade(raw: str) -> None:
        Customer.objects.filter(pk=customer.pk).update(password=make_password(raw))

    return check_password_hash(raw_password, customer.password, setter=upgrade)


def _token_digest(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


@transaction.atomic
def issue_customer_token(
    *, customer: Customer, lifetime: dt.timedelta = CUSTOMER_TOKEN_LIFETIME
) -> str:
    """Create a shopper API token and return its secret (shown once)."""
    prefix = secrets.token_hex(6)
    plaintext = f"pct_{prefix}_{secrets.token_urlsafe(32)}"
    CustomerToken.objects.create(
        customer=customer,
        prefix=prefix,
        secret_digest=_token_digest(plaintext),
        expires_at=timezone.now() + lifetime,
    )
    return plaintext


def authenticate_customer_token(plaintext: str) -> Customer | None:
    """Return the active customer behind a token, or None."""
    import hmac

    parts = plaintext.split("_", 2)
    if len(parts) != 3 or parts[0] != "pct":
        return None
    token = CustomerToken.objects.select_related("customer__group").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.secret_digest, _token_digest(plaintext)):
        return None
    if token.expires_at <= timezone.now() or not token.customer.is_active:
        return None
    now = timezone.now()
    # Record use at most once a minute, so authentication is not a write per request.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        CustomerToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.customer


@transaction.atomic
def revoke_customer_tokens(*, customer: Customer, actor: Actor) -> int:
    """End every API token of a customer; return how many there were."""
    count, _detail = CustomerToken.objects.filter(customer=customer).delete()
    if count:
        history.record_tokens_revoked(customer=customer, actor=actor, count=count)
    return count


# --- Addresses ----------------------------------------------------------------------------------


def _clean_address_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(ADDRESS_FIELDS)
    if unknown:
        raise TypeError(f"Unknown address fields: {', '.join(sorted(unknown))}")
    cleaned = {
        k: v.strip() if isinstance(v, str) else v
        for k, v in _none_as_empty(Address, fields).items()
    }
    if "street" in cleaned:
        cleaned["street"] = normalize_street(cleaned["street"])
    if cleaned.get("country_id"):
        cleaned["country_id"] = cleaned["country_id"].upper()
    return cleaned


def _check_country(data: Mapping[str, Any], problems: list[Problem]) -> None:
    import pycountry

    code = data.get("country_id") or ""
    if code and pycountry.countries.get(alpha_2=code) is None:
        problems.append(
            Problem(
                "unknown_country",
                _("%(code)s is not a country code.") % {"code": code},
                field="country_id",
            )
        )


@transaction.atomic
def add_address(
    *,
    customer: Customer,
    actor: Actor,
    default_billing: bool = False,
    default_shipping: bool = False,
    attribute_form: str | None = None,
    **fields: Any,
) -> Address:
    """Add an address to ``customer`` (optionally as a default) and return it."""
    customer = Customer.objects.select_for_update().select_related("website").get(pk=customer.pk)
    cleaned = _clean_address_fields(fields)
    rules = form_rules(customer.website)
    problems = address_problems(cleaned, rules)
    _check_country(cleaned, problems)
    if not problems:
        problems = apply_country_rules(cleaned, telephone_shown=rules.telephone.visible)
    _problems_or_raise(problems)
    cleaned["custom_attributes"] = attributes.clean_values(
        AttributeEntity.ADDRESS, cleaned.get("custom_attributes"), form=attribute_form,
        creating=True,
    )  # fmt: skip
    address = Address(customer=customer, **cleaned)
    _full_clean(address)
    address.save()
    grid.refresh_rows([customer.pk])
    history.record_address_change(
        customer=customer,
        actor=actor,
        kind=history.TimelineKind.ADDRESS_ADDED,
        address_id=address.pk,
    )
    first_address = customer.default_billing_id is None and customer.default_shipping_id is None
    if default_billing or default_shipping or first_address:
        _set_defaults(
            customer,
            address,
            billing=default_billing or customer.default_billing_id is None,
            shipping=default_shipping or customer.default_shipping_id is None,
            actor=actor,
        )
    assign_group_by_vat(customer=customer, address=address, actor=actor)
    events.emit(
        "addressSaved", customer_id=customer.pk, address_id=address.pk, actor=actor.as_fields()
    )
    return address


@transaction.atomic
def update_address(
    *,
    address: Address,
    actor: Actor,
    default_billing: bool | None = None,
    default_shipping: bool | None = None,
    attribute_form: str | None = None,
    **changes: Any,
) -> Address:
    """Change an address; validation runs on the merged record (``custom_attributes`` merge
    into the stored ones)."""
    address = (
        Address.objects.select_for_update().select_related("customer__website").get(pk=address.pk)
    )
    customer = address.customer
    cleaned = _clean_address_fields(changes)
    merged = {name: getattr(address, name) for name in ADDRESS_FIELDS} | cleaned
    # A new region name must not be overridden by the stored code (or the other way round),
    # and a new country makes the stored region meaningless.
    if "region" in cleaned and "region_code" not in cleaned:
        merged["region_code"] = ""
    if "region_code" in cleaned and "region" not in cleaned:
        merged["region"] = ""
    country_changed = cleaned.get("country_id", address.country_id) != address.country_id
    if country_changed and "region" not in cleaned and "region_code" not in cleaned:
        merged["region"] = merged["region_code"] = ""
    rules = form_rules(customer.website)
    problems = address_problems(merged, rules)
    _check_country(merged, problems)
    if not problems:
        problems = apply_country_rules(merged, telephone_shown=rules.telephone.visible)
        # Country rules normalize region, postcode and telephone; keep what they changed.
        cleaned = {
            name: merged[name]
            for name in ADDRESS_FIELDS
            if name in cleaned or merged[name] != getattr(address, name)
        }
    _problems_or_raise(problems)
    if "custom_attributes" in cleaned:
        cleaned["custom_attributes"] = attributes.clean_values(
            AttributeEntity.ADDRESS, cleaned["custom_attributes"],
            existing=address.custom_attributes, form=attribute_form,
        )  # fmt: skip
    changed = [name for name, value in cleaned.items() if getattr(address, name) != value]
    for name in changed:
        setattr(address, name, cleaned[name])
    if changed:
        _full_clean(address)
        address.save()
        grid.refresh_rows([customer.pk])
        history.record_address_change(
            customer=customer,
            actor=actor,
            kind=history.TimelineKind.ADDRESS_UPDATED,
            address_id=address.pk,
        )
    if default_billing or default_shipping:
        _set_defaults(
            customer,
            address,
            billing=bool(default_billing),
            shipping=bool(default_shipping),
            actor=actor,
        )
    if changed or default_billing or default_shipping:
        customer.refresh_from_db()
        assign_group_by_vat(customer=customer, address=address, actor=actor)
        events.emit(
            "addressSaved", customer_id=customer.pk, address_id=address.pk, actor=actor.as_fields()
        )
    return address


def _set_defaults(
    customer: Customer, address: Address, *, billing: bool, shipping: bool, actor: Actor
) -> None:
    updates = {}
    if billing and customer.default_billing_id != address.pk:
        updates["default_billing"] = address
    if shipping and customer.default_shipping_id != address.pk:
        updates["default_shipping"] = address
    if not updates:
        return
    for name, value in updates.items():
        setattr(customer, name, value)
    customer.save(update_fields=[*updates, "updated_at"])
    grid.refresh_rows([customer.pk])
    history.record_default_address_changed(
        customer=customer,
        actor=actor,
        billing=customer.default_billing_id,
        shipping=customer.default_shipping_id,
    )


@transaction.atomic
def set_default_address(
    *, address: Address, actor: Actor, billing: bool = False, shipping: bool = False
) -> Customer:
    """Make ``address`` the customer's default billing and/or shipping address."""
    customer = Customer.objects.select_for_update().get(pk=address.customer_id)
    _set_defaults(customer, address, billing=billing, shipping=shipping, actor=actor)
    assign_group_by_vat(customer=customer, address=address, actor=actor)
    events.emit(
        "addressSaved", customer_id=customer.pk, address_id=address.pk, actor=actor.as_fields()
    )
    return customer


@transaction.atomic
def delete_address(*, address: Address, actor: Actor) -> None:
    """Delete an address. A default address is deleted only when it is the customer's last:
    otherwise another address must be made the default first."""
    customer = Customer.objects.select_for_update().get(pk=address.customer_id)
    is_default = address.pk in (customer.default_billing_id, customer.default_shipping_id)
    if is_default and customer.addresses.exclude(pk=address.pk).exists():
        raise Conflict(
            _("This is a default address. Make another address the default before deleting it."),
            code="default_address",
        )
    address_id = address.pk
    address.delete()
    grid.refresh_rows([customer.pk])
    history.record_address_change(
        customer=customer,
        actor=actor,
        kind=history.TimelineKind.ADDRESS_DELETED,
        address_id=address_id,
    )
    events.emit(
        "addressDeleted", customer_id=customer.pk, address_id=address_id, actor=actor.as_fields()
    )


# --- Groups and tax classes ---------------------------------------------------------------------


def _group_problems(code: str, exclude_id: int | None) -> list[Problem]:
    problems = []
    code = code.strip()
    if not code:
        problems.append(Problem("required", _("Group Name is a required field."), field="code"))
    elif len(code) >= 32:
        problems.append(
            Problem("too_long", _("Group Name must be fewer than 32 characters."), field="code")
        )
    elif CustomerGroup.objects.filter(code__iexact=code).exclude(pk=exclude_id).exists():
        problems.append(
            Problem(
                "duplicate_group",
                _("A group named %(code)s already exists.") % {"code": code},
                field="code",
            )
        )
    return problems


@transaction.atomic
def create_group(
    *, code: str, tax_class: TaxClass, actor: Actor, excluded_websites: Iterable[Website] = ()
) -> CustomerGroup:
    """Create a customer group with the next free id and return it."""
    _problems_or_raise(_group_problems(code, None))
    # Ids are explicit (Magento's 0-3 are kept); take the next one under a lock on the table's
    # last row so that concurrent creations do not pick the same id.
    last = CustomerGroup.objects.select_for_update().order_by("-pk").first()
    group = CustomerGroup.objects.create(
        id=(last.pk + 1) if last else 1, code=code.strip(), tax_class=tax_class
    )
    group.excluded_websites.set(list(excluded_websites))
    return group


@transaction.atomic
def update_group(
    *,
    group: CustomerGroup,
    actor: Actor,
    code: str | None = None,
    tax_class: TaxClass | None = None,
    excluded_websites: Iterable[Website] | None = None,
) -> CustomerGroup:
    if code is not None:
        if group.pk == NOT_LOGGED_IN_ID and code.strip() != group.code:
            raise Conflict(
                _("The NOT LOGGED IN group cannot be renamed."), code="guest_group", field="code"
            )
        _problems_or_raise(_group_problems(code, group.pk))
        group.code = code.strip()
    if tax_class is not None:
        group.tax_class = tax_class
    group.save()
    if excluded_websites is not None:
        group.excluded_websites.set(list(excluded_websites))
    return group


GROUP_SETTINGS = (
    "customer/create_account/default_group",
    "customer/create_account/viv_domestic_group",
    "customer/create_account/viv_intra_union_group",
    "customer/create_account/viv_invalid_group",
    "customer/create_account/viv_error_group",
)


def groups_used_as_default() -> set[int]:
    """Return the ids of groups some scope's configuration names: the Default Group and the
    VAT assignment groups, which must not be left pointing at a deleted group."""
    from patron.scopes.config import get_field

    used = {
        int(v)
        for v in ConfigValue.objects.filter(path__in=GROUP_SETTINGS).values_list("value", flat=True)
        if v not in (None, "")
    }
    for path in GROUP_SETTINGS:
        default = get_field(path).default
        if (
            default is not None
            and not ConfigValue.objects.filter(path=path, scope=Scope.DEFAULT).exists()
        ):
            used.add(int(default))
    return used


def check_group_deletable(group: CustomerGroup) -> None:
    """Raise ``Conflict`` (group_protected) if ``group`` is NOT LOGGED IN or a Default Group."""
    if group.pk == NOT_LOGGED_IN_ID or group.pk in groups_used_as_default():
        raise Conflict(
            _("You can't delete group %(code)s: it is the guest group or a store's default group.")
            % {"code": group.code},
            code="group_protected",
        )


@transaction.atomic
def delete_group(*, group: CustomerGroup, actor: Actor) -> int:
    """Delete a group and move its customers to their store view's Default Group.

    NOT LOGGED IN and any group used as a Default Group cannot be deleted. Returns how many
    customers moved.
    """
    check_group_deletable(group)
    moved = 0
    customers = Customer.objects.filter(group=group).select_related("created_in", "website")
    by_target: dict[int, list[int]] = {}
    for customer_id, view_id, website_id in customers.values_list(
        "pk", "created_in_id", "website_id"
    ):
        target = int(
            get_config(
                "customer/create_account/default_group", store_view=view_id, website=website_id
            )
        )
        by_target.setdefault(target, []).append(customer_id)
    for target, ids in by_target.items():
        target_group = CustomerGroup.objects.get(pk=target)
        for customer in Customer.objects.filter(pk__in=ids):
            change_group(customer=customer, group=target_group, actor=actor, reason="group_deleted")
            moved += 1
    code = group.code
    group.delete()
    events.emit("customerGroupDeleted", group_code=code, moved=moved, actor=actor.as_fields())
    return moved


@transaction.atomic
def save_tax_class(
    *, name: str, actor: Actor, tax_class: TaxClass | None = None, kind: str = "customer"
) -> TaxClass:
    name = name.strip()
    if not name:
        raise InvalidInput(_("Tax class name is a required field."), code="required", field="name")
    tax_class = tax_class or TaxClass(kind=kind)
    if (
        TaxClass.objects.filter(kind=tax_class.kind, name__iexact=name)
        .exclude(pk=tax_class.pk)
        .exists()
    ):
        raise InvalidInput(
            _("A tax class named %(name)s already exists.") % {"name": name},
            code="duplicate_tax_class",
            field="name",
        )
    tax_class.name = name
    tax_class.save()
    return tax_class


@transaction.atomic
def delete_tax_class(*, tax_class: TaxClass, actor: Actor) -> None:
    """Delete a tax class; refused while a customer group uses it."""
    used_by = list(tax_class.groups.values_list("code", flat=True))
    if used_by:
        raise Conflict(
            _(
                "The tax class %(name)s is used by the groups %(groups)s; give them another class first."
            )
            % {"name": tax_class.name, "groups": ", ".join(used_by)},
            code="tax_class_in_use",
        )
    tax_class.delete()


# --- Newsletter ---------------------------------------------------------------------------------


def _subscriber_for(email: str, store_view: StoreView) -> NewsletterSubscriber | None:
    return (
        NewsletterSubscriber.objects.select_for_update()
        .filter(email=email, store_view=store_view)
        .first()
    )


@transaction.atomic
def subscribe_newsletter(
    *,
    store_view: StoreView,
    actor: Actor,
    source: str,
    customer: Customer | None = None,
    email: str | None = None,
    require_confirmation: bool = False,
) -> tuple[NewsletterSubscriber, str | None]:
    """Subscribe a customer (or a guest email) on a store view.

    With ``require_confirmation`` the subscription waits as "Not Activated" and the returned
    code must be passed to :func:`confirm_newsletter` (double opt-in); otherwise it is active at
    once and the code is None. Consent time and source are recorded.
    """
    if source not in ConsentSource.values:
        raise InvalidInput(_("Unknown consent source."), code="invalid_source", field="source")
    address = normalize_email(customer.email if customer else email or "")
    if not address:
        raise InvalidInput(_("Email is a required field."), code="required", field="email")
    now = timezone.now()
    subscriber = _subscriber_for(address, store_view) or NewsletterSubscriber(
        email=address, store_view=store_view
    )
    if subscriber.status == SubscriberStatus.SUBSCRIBED:
        return subscriber, None
    code = None
    if require_confirmation:
        code = secrets.token_urlsafe(24)
        subscriber.status = SubscriberStatus.NOT_ACTIVATED
        subscriber.confirm_code_digest = _token_digest(code)
    else:
        subscriber.status = SubscriberStatus.SUBSCRIBED
        subscriber.confirm_code_digest = ""
        subscriber.consent_at = now
    subscriber.customer = customer or subscriber.customer
    subscriber.consent_source = source
    subscriber.status_changed_at = now
    subscriber.save()
    _newsletter_changed(subscriber, actor, source)
    return subscriber, code


@transaction.atomic
def confirm_newsletter(*, subscriber_id: int, code: str, actor: Actor) -> NewsletterSubscriber:
    """Activate a "Not Activated" subscription with the code from the confirmation email."""
    import hmac

    subscriber = NewsletterSubscriber.objects.select_for_update().filter(pk=subscriber_id).first()
    if (
        subscriber is None
        or subscriber.status != SubscriberStatus.NOT_ACTIVATED
        or not hmac.compare_digest(subscriber.confirm_code_digest, _token_digest(code))
    ):
        raise NotFound(
            _("This confirmation link is not valid or was already used."),
            code="invalid_confirmation",
        )
    subscriber.status = SubscriberStatus.SUBSCRIBED
    subscriber.confirm_code_digest = ""
    subscriber.consent_at = subscriber.status_changed_at = timezone.now()
    subscriber.save()
    _newsletter_changed(subscriber, actor, ConsentSource.EMAIL_LINK)
    return subscriber


@transaction.atomic
def unsubscribe_newsletter(
    *,
    actor: Actor,
    source: str,
    customer: Customer | None = None,
    email: str | None = None,
    store_view: StoreView | None = None,
) -> int:
    """Unsubscribe a customer or email on one store view, or on every view when none is given.

    Returns how many subscriptions changed.
    """
    address = normalize_email(customer.email if customer else email or "")
    subscriptions = NewsletterSubscriber.objects.select_for_update().filter(email=address)
    if customer is not None:
        subscriptions = NewsletterSubscriber.objects.select_for_update().filter(customer=customer)
    if store_view is not None:
        subscriptions = subscriptions.filter(store_view=store_view)
    changed = 0
    for subscriber in subscriptions.exclude(status=SubscriberStatus.UNSUBSCRIBED):
        subscriber.status = SubscriberStatus.UNSUBSCRIBED
        subscriber.status_changed_at = timezone.now()
        subscriber.confirm_code_digest = ""
        subscriber.save()
        _newsletter_changed(subscriber, actor, source)
        changed += 1
    return changed


def _newsletter_changed(subscriber: NewsletterSubscriber, actor: Actor, source: str) -> None:
    from patron.privacy.consent import record_newsletter_change

    record_newsletter_change(subscriber=subscriber, actor=actor, source=source)
    if subscriber.customer_id:
        history.record_newsletter_changed(
            customer=subscriber.customer,
            actor=actor,
            store_view_code=subscriber.store_view.code,
            status=subscriber.status,
            source=source,
        )
    events.emit(
        "newsletterChanged",
        subscriber_id=subscriber.pk,
        customer_id=subscriber.customer_id,
        store_view_id=subscriber.store_view_id,
        # Guests have no customer to take the website from; webhook website filters need it.
        website_id=subscriber.store_view.store.website_id,
        status=subscriber.status,
        actor=actor.as_fields(),
    )


# --- Timeline notes -----------------------------------------------------------------------------


@transaction.atomic
def add_timeline_note(*, customer: Customer, text: str, actor: Actor):
    """Add a staff note to a customer's timeline."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("Write the note first."), code="required", field="text")
    if len(text) > 5000:
        raise InvalidInput(
            _("Notes are limited to 5,000 characters."), code="too_long", field="text"
        )
    return history.record_note(customer=customer, actor=actor, text=text)


# --- Grid: quick edit and mass actions ----------------------------------------------------------

QUICK_EDIT_FIELDS = ("email", "group", "telephone", "postcode", "website", "taxvat", "gender")


def _problems_of(error: PatronError) -> list[Problem]:
    return error.problems or [
        Problem(error.code, str(error.message), field=error.field, params=error.params)
    ]


@transaction.atomic
def quick_edit_customer(*, customer: Customer, actor: Actor, **values: Any) -> Customer:
    """Apply an inline grid edit: Email, Group, Phone, ZIP, Web Site, Tax/VAT Number, Gender.

    Phone and ZIP belong to the default billing address. See :func:`save_customer_account`.
    """
    unknown = set(values) - set(QUICK_EDIT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown quick-edit fields: {', '.join(sorted(unknown))}")
    return save_customer_account(customer=customer, actor=actor, **values)


@transaction.atomic
def save_customer_account(
    *,
    customer: Customer,
    actor: Actor,
    website: Website | None = None,
    group: CustomerGroup | None = None,
    telephone: str | None = None,
    postcode: str | None = None,
    consent_reason: str = "",
    **own: Any,
) -> Customer:
    """Save a staff edit of an account: its own fields, website, group and the Phone and ZIP of
    its default billing address, each through the service that owns it (so the rules are those
    of every other surface); a change of the assistance consent needs ``consent_reason``. Every problem is reported together, and nothing is saved unless
    all values are accepted."""
    customer = Customer.objects.select_related("default_billing").get(pk=customer.pk)
    steps = []
    if "allow_remote_assistance" in own:
        allowed = own.pop("allow_remote_assistance")
        if allowed != customer.allow_remote_assistance:
            steps.append(
                lambda: set_assistance_consent(
                    customer=customer, allowed=allowed, actor=actor, reason=consent_reason
                )
            )
    if own:
        steps.append(lambda: update_customer(customer=customer, actor=actor, **own))
    # After the email change: the move checks the email the customer will have on the website.
    if website is not None and website.pk != customer.website_id:
        steps.append(
            lambda: move_customer_to_website(customer=customer, website=website, actor=actor)
        )
    if group is not None and group.pk != customer.group_id:
        steps.append(lambda: change_group(customer=customer, group=group, actor=actor))
    address_changes = {
        name: value or ""
        for name, value in (("telephone", telephone), ("postcode", postcode))
        if value is not None
    }
    billing = customer.default_billing
    problems = []
    if billing is None:
        problems = [
            Problem(
                "no_billing_address",
                _("This customer has no default billing address to hold a %(field)s.")
                % {"field": _("phone number") if name == "telephone" else _("ZIP code")},
                field=name,
            )
            for name, value in address_changes.items()
            if value
        ]
    else:
        address_changes = {k: v for k, v in address_changes.items() if getattr(billing, k) != v}
        if address_changes:
            steps.append(lambda: update_address(address=billing, actor=actor, **address_changes))
    for step in steps:
        try:
            with transaction.atomic():
                step()
        except PatronError as error:
            problems.extend(_problems_of(error))
    if problems:
        raise InvalidInput.from_problems(problems)
    return Customer.objects.get(pk=customer.pk)


MASS_ACTIONS = ("delete", "subscribe", "unsubscribe", "assign_group", "activate", "deactivate")
MASS_ACTION_PERMISSIONS = {
    "delete": "customers.delete_customer",
    "subscribe": "customers.change_newslettersubscriber",
    "unsubscribe": "customers.change_newslettersubscriber",
    "assign_group": "customers.assign_customer_group",
    "activate": "customers.change_customer_status",
    "deactivate": "customers.change_customer_status",
}
# Above this many customers a mass action runs as a background task with a progress job.
MASS_ACTION_TASK_THRESHOLD = 200
MASS_ACTION_LIMIT = 100_000


def mass_action_label(action: str) -> str:
    labels = {
        "delete": _("Delete"),
        "subscribe": _("Subscribe to Newsletter"),
        "unsubscribe": _("Unsubscribe from Newsletter"),
        "assign_group": _("Assign a Customer Group"),
        "activate": _("Activate"),
        "deactivate": _("Deactivate"),
    }
    return labels[action]


def check_mass_action(
    *, action: str, customer_ids: list[int], group_id: int | None = None
) -> CustomerGroup | None:
    """Refuse an unknown action, an empty or oversized selection and a missing or unknown
    target group before anything runs; return the target group for Assign a Customer Group."""
    if action not in MASS_ACTIONS:
        raise InvalidInput(
            _("Unknown mass action %(action)s.") % {"action": action},
            code="unknown_action",
            field="action",
        )
    if not customer_ids:
        raise InvalidInput(_("Select at least one customer."), code="required", field="ids")
    if len(customer_ids) > MASS_ACTION_LIMIT:
        raise InvalidInput(
            _("A mass action takes at most %(limit)s customers; narrow the selection.")
            % {"limit": f"{MASS_ACTION_LIMIT:,}"},
            code="too_many",
            field="ids",
        )
    if action != "assign_group":
        return None
    if group_id is None:
        raise InvalidInput(_("Choose the group to assign."), code="required", field="group_id")
    return _check_group(group_id, field="group_id")


def apply_mass_action_to(
    *, customer: Customer, action: str, actor: Actor, group: CustomerGroup | None = None
) -> None:
    """Apply one mass action to one customer through the service that owns the change."""
    if action == "delete":
        delete_customer(customer=customer, actor=actor)
    elif action == "subscribe":
        _subscribe_for_mass_action(customer, actor)
    elif action == "unsubscribe":
        unsubscribe_newsletter(customer=customer, actor=actor, source=ConsentSource.BACK_OFFICE)
    elif action == "assign_group":
        change_group(customer=customer, group=group, actor=actor)
    else:
        update_customer(customer=customer, actor=actor, is_active=action == "activate")


def _subscribe_for_mass_action(customer: Customer, actor: Actor) -> None:
    # With Global sharing an account is not tied to the sites it uses, so (as Magento does) it
    # is subscribed on the default website's default store view only.
    if accounts_are_global():
        from patron.scopes.selectors import default_store_view

        store_view = default_store_view(None)
    else:
        store_view = default_store_view_of(customer)
    if store_view is None:
        raise Conflict(
            _("The customer's website has no store view to subscribe on."), code="no_store_view"
        )
    subscribe_newsletter(
        store_view=store_view, actor=actor, source=ConsentSource.BACK_OFFICE, customer=customer
    )


def run_mass_action(
    *,
    action: str,
    customer_ids: list[int],
    actor: Actor,
    group_id: int | None = None,
    website_ids: list[int] | None = None,
    progress=None,
) -> dict[str, Any]:
    """Apply ``action`` to each customer in its own transaction, so one refusal (a customer
    deleted meanwhile, a rule) does not undo the others; return the counts and each failure
    with the customer's id and the reason. ``website_ids`` limits it to those websites."""
    group = check_mass_action(action=action, customer_ids=customer_ids, group_id=group_id)
    customers = Customer.objects.filter(pk__in=customer_ids)
    if website_ids is not None:
        customers = customers.filter(website_id__in=website_ids)
    found = {customer.pk: customer for customer in customers}
    done, failures = 0, []
    for customer_id in customer_ids:
        customer = found.get(customer_id)
        try:
            if customer is None:
                raise NotFound(_("There is no such customer."), code="customer_not_found")
            with transaction.atomic():
                apply_mass_action_to(customer=customer, action=action, actor=actor, group=group)
        except PatronError as error:
            failures.append({"id": customer_id, "code": error.code, "message": str(error.message)})
        else:
            done += 1
        if progress is not None:
            progress(customer_id)
    return {"action": action, "done": done, "failed": failures}


def start_mass_action(
    *,
    action: str,
    customer_ids: list[int],
    actor: Actor,
    group_id: int | None = None,
    website_ids: list[int] | None = None,
) -> tuple[dict[str, Any] | None, Any]:
    """Run a mass action now, or as a background task above the threshold.

    Returns ``(result, None)`` when it ran, ``(None, job)`` when it was queued. Either way the
    staff action log records who asked for what on how many customers.
    """
    from patron.core.progress import start_job
    from patron.staff.models import StaffActionKind
    from patron.staff.services import record_staff_action

    customer_ids = list(dict.fromkeys(int(i) for i in customer_ids))
    group = check_mass_action(action=action, customer_ids=customer_ids, group_id=group_id)
    details: dict[str, Any] = {"action": action}
    if group is not None:
        details["group_id"] = group.pk
    label = mass_action_label(action)
    if group is not None:
        label = f"{label}: {group.code}"
    if len(customer_ids) <= MASS_ACTION_TASK_THRESHOLD:
        result = run_mass_action(
            action=action, customer_ids=customer_ids, actor=actor, group_id=group_id,
            website_ids=website_ids,
        )  # fmt: skip
        details |= {"done": result["done"], "failed": len(result["failed"])}
        record_staff_action(
            actor=actor, action=StaffActionKind.MASS_ACTION, target=label,
            count=len(customer_ids), details=details,
        )  # fmt: skip
        return result, None
    from patron.customers.tasks import mass_action_task

    job = start_job(kind="customers.mass_action", label=label, actor=actor, total=len(customer_ids))
    details["job_id"] = str(job.pk)
    record_staff_action(
        actor=actor, action=StaffActionKind.MASS_ACTION, target=label,
        count=len(customer_ids), details=details,
    )  # fmt: skip
    arguments = {
        "job_id": str(job.pk), "action": action, "customer_ids": customer_ids,
        "group_id": group_id, "website_ids": website_ids, "actor": actor.as_fields(),
    }  # fmt: skip
    transaction.on_commit(lambda: mass_action_task.enqueue(**arguments))
    return None, job


def export_grid(
    *,
    rows,
    file_format: str,
    actor: Actor,
    selected: int = 0,
    filters: Mapping[str, Any] | None = None,
    columns: list[str] | None = None,
):
    """Start a grid export (streamed by the caller) of ``columns`` (codes, in order; all by
    default) and record it in the staff action log with what was exported: the selected rows,
    else the filtered set, else every row."""
    from patron.staff.models import StaffActionKind
    from patron.staff.services import record_staff_action

    chunks, content_type, filename = grid.export_chunks(rows, file_format, columns=columns)
    record_staff_action(
        actor=actor,
        action=StaffActionKind.EXPORT,
        target=filename,
        count=rows.count(),
        details={"format": file_format, "selected": selected, "filters": dict(filters or {})},
    )
    return chunks, content_type, filename


# --- Saved grid views ---------------------------------------------------------------------------


def _view_name(name: str, user, exclude_id: int | None = None) -> str:
    from patron.customers.models import GridView

    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("Name the view."), code="required", field="name")
    if len(name) > 100:
        raise InvalidInput(
            _("View names are limited to 100 characters."), code="too_long", field="name"
        )
    taken = GridView.objects.filter(user=user, name__iexact=name).exclude(pk=exclude_id)
    if taken.exists():
        raise Conflict(
            _("You already have a view named %(name)s.") % {"name": name},
            code="name_taken",
            field="name",
        )
    return name


@transaction.atomic
def save_grid_view(*, user, name: str, state: Mapping[str, Any]):
    """Save the grid's current state as a named view of ``user``."""
    from patron.customers.models import GridView

    return GridView.objects.create(
        user=user, name=_view_name(name, user), state=grid.clean_state(state)
    )


@transaction.atomic
def update_grid_view(
    *, view, user, name: str | None = None, state: Mapping[str, Any] | None = None
):
    """Rename a view or replace its state; only its owner may."""
    view = _own_view(view.pk, user)
    if name is not None:
        view.name = _view_name(name, user, exclude_id=view.pk)
    if state is not None:
        view.state = grid.clean_state(state)
    view.save()
    return view


@transaction.atomic
def delete_grid_view(*, view, user) -> None:
    _own_view(view.pk, user).delete()


def _own_view(view_id: int, user):
    from patron.customers.models import GridView

    view = GridView.objects.select_for_update().filter(pk=view_id, user=user).first()
    if view is None:
        raise NotFound(_("There is no such view."), code="view_not_found")
    return view


# --- Remote shopping assistance consent ---------------------------------------------------------


def refuse_while_assisting(actor: Actor, what: str) -> None:
    """Password, email and consent changes belong to the customer alone: refused when made by
    staff logged in as the customer (Login as Customer)."""
    if actor.on_behalf_of_staff_id is not None:
        raise Forbidden(
            _("While assisting a customer you cannot change their %(what)s.") % {"what": what},
            code="not_while_assisting",
        )


@transaction.atomic
def set_assistance_consent(
    *, customer: Customer, allowed: bool, actor: Actor, reason: str = ""
) -> Customer:
    """Change a customer's "Allow remote shopping assistance". Staff and integrations must give
    a reason, kept on the timeline; customers change their own without one."""
    refuse_while_assisting(actor, _("consent to remote shopping assistance"))
    reason = (reason or "").strip()
    if actor.kind != "customer" and not reason:
        raise InvalidInput(
            _("Give the reason for changing the customer's consent."),
            code="required",
            field="assistance_reason",
        )
    before = Customer.objects.get(pk=customer.pk).allow_remote_assistance
    customer = update_customer(customer=customer, actor=actor, allow_remote_assistance=allowed)
    if before != allowed:
        history.record_consent_changed(
            customer=customer, actor=actor, allowed=allowed, reason=reason
        )
    return customer
