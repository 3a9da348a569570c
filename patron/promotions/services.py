"""Cart price rules: defining them, their coupon codes, answering a checkout's "which rules apply
to this cart", and counting their use from the orders the shop records."""

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from patron.core.actors import Actor
from patron.core.errors import InvalidInput, NotFound, Problem
from patron.customers.models import Customer, CustomerGroup
from patron.customers.services import accounts_are_global
from patron.promotions import trees
from patron.promotions.conditions import ITEM, CartFacts, ItemFacts
from patron.promotions.discounts import CouponCheck, Evaluation, evaluate
from patron.promotions.models import (
    Action,
    CartPriceRule,
    Coupon,
    CouponType,
    FreeShipping,
    RuleLabel,
    RuleUsage,
    empty_tree,
)
from patron.scopes.models import StoreView, Website

MAX_GENERATED = 100_000
COUPON_FORMATS = {
    "alphanumeric": "ABCDEFGHJKLMNPQRSTUVWXYZ23456789",  # no 0/O or 1/I to misread
    "alphabetical": "ABCDEFGHJKLMNPQRSTUVWXYZ",
    "numeric": "0123456789",
}
CANCELED_STATUSES = frozenset({"canceled"})
# Beyond these a cart is a mistake, and the arithmetic would outgrow Decimal's precision.
MAX_QTY = Decimal(1_000_000_000)
MAX_AMOUNT = Decimal(1_000_000_000_000)

RULE_FIELDS = (
    "name", "description", "is_active", "websites", "customer_groups", "coupon_type",
    "coupon_code", "uses_per_coupon", "uses_per_customer", "from_date", "to_date", "priority",
    "conditions", "action_conditions", "action", "discount_amount", "max_qty", "discount_step",
    "apply_to_shipping", "discard_subsequent_rules", "free_shipping", "default_label", "labels",
)  # fmt: skip


def _problem(field: str, message, code: str = "invalid") -> Problem:
    return Problem(code=code, message=str(message), field=field)


def get_rule(rule_id: Any) -> CartPriceRule:
    try:
        return CartPriceRule.objects.get(pk=int(rule_id))
    except (CartPriceRule.DoesNotExist, TypeError, ValueError):
        raise NotFound(
            _("There is no cart price rule %(id)s.") % {"id": rule_id}, code="rule_not_found"
        ) from None


# --- Defining rules ---------------------------------------------------------------------------


def current_values(rule: CartPriceRule) -> dict[str, Any]:
    """A rule's definition in the shape :func:`save_rule` takes."""
    primary = rule.coupons.filter(is_primary=True).first()
    return {
        **{name: getattr(rule, name) for name in RULE_FIELDS if hasattr(rule, name)
           and name not in ("websites", "customer_groups", "labels")},
        "websites": list(rule.websites.values_list("pk", flat=True)),
        "customer_groups": list(rule.customer_groups.values_list("pk", flat=True)),
        "coupon_code": primary.code if primary else "",
        "labels": {label.store_view_id: label.label for label in rule.labels.all()},
    }  # fmt: skip


@transaction.atomic
def save_rule(*, actor: Actor, rule: CartPriceRule | None = None, **changes: Any) -> CartPriceRule:
    """Create a rule (``rule`` None) or change the given fields of ``rule``. Raises
    ``InvalidInput`` listing every problem, each at its field (a condition at its path)."""
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown cart price rule fields: {', '.join(sorted(unknown))}")
    values = _defaults() if rule is None else current_values(rule)
    values.update(changes)
    cleaned, relations = _clean(values, rule)
    if rule is None:
        rule = CartPriceRule.objects.create(**cleaned)
    else:
        rule = CartPriceRule.objects.select_for_update().get(pk=rule.pk)
        for name, value in cleaned.items():
            setattr(rule, name, value)
        rule.save()
    rule.websites.set(relations["websites"])
    rule.customer_groups.set(relations["customer_groups"])
    _save_labels(rule, relations["labels"])
    _save_primary_coupon(rule, relations["coupon_code"])
    return rule


def _defaults() -> dict[str, Any]:
    return {
        "name": "", "description": "", "is_active": True, "websites": [], "customer_groups": [],
        "coupon_type": CouponType.NONE, "coupon_code": "", "uses_per_coupon": None,
        "uses_per_customer": None, "from_date": None, "to_date": None, "priority": 0,
        "conditions": empty_tree(), "action_conditions": empty_tree(),
        "action": Action.BY_PERCENT, "discount_amount": None, "max_qty": None,
        "discount_step": 0, "apply_to_shipping": False, "discard_subsequent_rules": False,
        "free_shipping": FreeShipping.NO, "default_label": "", "labels": {},
    }  # fmt: skip


def _clean(values: dict[str, Any], rule: CartPriceRule | None) -> tuple[dict, dict]:
    problems: list[Problem] = []
    cleaned: dict[str, Any] = {}
    name = str(values["name"] or "").strip()
    if not name:
        problems.append(_problem("name", _("Enter the rule name."), "required"))
    elif len(name) > 255:
        problems.append(_problem("name", _("Enter at most 255 characters.")))
    cleaned["name"] = name
    cleaned["description"] = str(values["description"] or "")
    for flag in ("is_active", "apply_to_shipping", "discard_subsequent_rules"):
        cleaned[flag] = _boolean(values[flag], flag, problems)
    cleaned["coupon_type"] = _choice(values["coupon_type"], CouponType, "coupon_type", problems)
    cleaned["action"] = _choice(values["action"], Action, "action", problems)
    cleaned["free_shipping"] = _choice(
        values["free_shipping"], FreeShipping, "free_shipping", problems
    )
    for number in ("uses_per_coupon", "uses_per_customer"):
        cleaned[number] = _whole(values[number], number, problems, blank=True)
    cleaned["priority"] = _whole(values["priority"], "priority", problems) or 0
    cleaned["discount_step"] = _whole(values["discount_step"], "discount_step", problems) or 0
    cleaned["discount_amount"] = _amount(values["discount_amount"], "discount_amount", problems)
    cleaned["max_qty"] = _amount(values["max_qty"], "max_qty", problems, blank=True)
    cleaned["from_date"] = _date(values["from_date"], "from_date", problems)
    cleaned["to_date"] = _date(values["to_date"], "to_date", problems)
    if cleaned["from_date"] and cleaned["to_date"] and cleaned["from_date"] > cleaned["to_date"]:
        problems.append(_problem("to_date", _("The end date is before the start date.")))
    cleaned["default_label"] = str(values["default_label"] or "").strip()[:255]
    _check_action(cleaned, problems)
    for tree_field, scope in (("conditions", "root"), ("action_conditions", ITEM)):
        cleaned[tree_field] = _tree(values[tree_field], tree_field, scope, problems)
    relations = {
        "websites": _rows(Website, values["websites"], "websites", problems,
                          _("Choose at least one website.")),
        "customer_groups": _rows(CustomerGroup, values["customer_groups"], "customer_groups",
                                 problems, _("Choose at least one customer group.")),
        "labels": _labels(values["labels"], problems),
        "coupon_code": _coupon_code(values, cleaned, rule, problems),
    }  # fmt: skip
    if problems:
        raise InvalidInput.from_problems(problems)
    return cleaned, relations


def _check_action(cleaned: dict, problems: list[Problem]) -> None:
    amount = cleaned["discount_amount"]
    if amount is None:
        return
    if cleaned["action"] == Action.BY_PERCENT and amount > 100:
        problems.append(_problem("discount_amount", _("A percentage is at most 100.")))
    if cleaned["action"] == Action.BUY_X_GET_Y:
        if amount != amount.to_integral_value() or amount < 1:
            problems.append(
                _problem("discount_amount", _("Enter Y, the number of free units, as 1 or more."))
            )
        if cleaned["discount_step"] < 1:
            problems.append(
                _problem("discount_step", _("Enter X, the number of units to buy, as 1 or more."))
            )


def _boolean(value: Any, field: str, problems: list[Problem]) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    problems.append(_problem(field, _("Choose Yes or No.")))
    return False


def _choice(value: Any, choices, field: str, problems: list[Problem]) -> str:
    if value in choices.values:
        return value
    problems.append(
        _problem(field, _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices.values)})
    )
    return choices.values[0]


def _whole(value: Any, field: str, problems: list[Problem], *, blank: bool = False) -> int | None:
    if value in (None, ""):
        if blank:
            return None
        problems.append(_problem(field, _("Enter a whole number."), "required"))
        return None
    if isinstance(value, bool) or not str(value).strip().isdigit():
        problems.append(_problem(field, _("Enter a whole number (0 or more).")))
        return None
    number = int(str(value).strip())
    if number > 2_147_483_647:
        problems.append(_problem(field, _("Enter a smaller number.")))
        return None
    return None if blank and number == 0 else number


def _amount(value: Any, field: str, problems: list[Problem], *, blank: bool = False):
    if value in (None, ""):
        if not blank:
            problems.append(_problem(field, _("Enter the discount amount."), "required"))
        return None
    try:
        amount = Decimal(str(value).strip())
        if not amount.is_finite() or isinstance(value, bool):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        problems.append(_problem(field, _("Enter a number.")))
        return None
    if amount < 0:
        problems.append(_problem(field, _("Enter 0 or more.")))
        return None
    if amount >= Decimal("1e10"):
        problems.append(_problem(field, _("Enter a smaller number.")))
        return None
    return None if blank and amount == 0 else amount.quantize(Decimal("0.0001"))


def _date(value: Any, field: str, problems: list[Problem]) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        problems.append(_problem(field, _("Enter a date as YYYY-MM-DD.")))
        return None


def _tree(value: Any, field: str, scope: str, problems: list[Problem]) -> dict:
    try:
        return trees.clean_tree(value, field=field, scope=scope)
    except ValidationError as error:
        for path, messages in error.message_dict.items():
            problems.extend(_problem(path, message) for message in messages)
        return empty_tree()


def _rows(model, given: Any, field: str, problems: list[Problem], required_message) -> list:
    ids = [getattr(item, "pk", item) for item in (given or [])]
    if not ids:
        problems.append(_problem(field, required_message, "required"))
        return []
    if not all(str(i).isdigit() for i in ids):
        problems.append(_problem(field, _("Enter IDs.")))
        return []
    found = list(model.objects.filter(pk__in={int(i) for i in ids}))
    if len(found) != len({int(i) for i in ids}):
        problems.append(_problem(field, _("One of the chosen entries does not exist.")))
    return found


def _labels(given: Any, problems: list[Problem]) -> dict[int, str]:
    labels: dict[int, str] = {}
    if not isinstance(given, Mapping):
        problems.append(_problem("labels", _("Enter the labels per store view.")))
        return labels
    for key, label in given.items():
        key = getattr(key, "pk", key)
        if not str(key).isdigit():
            problems.append(_problem(f"labels.{key}", _("Unknown store view.")))
            continue
        text = str(label or "").strip()
        if len(text) > 255:
            problems.append(_problem(f"labels.{key}", _("Enter at most 255 characters.")))
        elif text:
            labels[int(key)] = text
    known = set(StoreView.objects.filter(pk__in=labels).values_list("pk", flat=True))
    for missing in sorted(set(labels) - known):
        problems.append(_problem(f"labels.{missing}", _("Unknown store view.")))
    return labels


def _coupon_code(values, cleaned, rule, problems: list[Problem]) -> str:
    if cleaned["coupon_type"] != CouponType.SPECIFIC:
        return ""
    code = str(values["coupon_code"] or "").strip()
    if not code:
        problems.append(_problem("coupon_code", _("Enter the coupon code."), "required"))
    elif len(code) > 64:
        problems.append(_problem("coupon_code", _("Enter at most 64 characters.")))
    elif _code_taken(code, rule):
        problems.append(
            _problem("coupon_code", _("The coupon code %(code)s is already used.") % {"code": code},
                     "duplicate")
        )  # fmt: skip
    return code


def _code_taken(code: str, rule: CartPriceRule | None) -> bool:
    taken = Coupon.objects.annotate(lower=Lower("code")).filter(lower=code.lower())
    if rule is not None:
        taken = taken.exclude(rule=rule, is_primary=True)
    return taken.exists()


def _save_labels(rule: CartPriceRule, labels: dict[int, str]) -> None:
    rule.labels.exclude(store_view_id__in=labels).delete()
    for store_view_id, label in labels.items():
        RuleLabel.objects.update_or_create(
            rule=rule, store_view_id=store_view_id, defaults={"label": label}
        )


def _save_primary_coupon(rule: CartPriceRule, code: str) -> None:
    """The specific code lives among the coupons, so one lookup finds every code; switching to
    No Coupon or Auto removes it (generated codes are removed only on request)."""
    primary = rule.coupons.filter(is_primary=True).first()
    if not code:
        if primary:
            primary.delete()
        return
    if primary is None:
        Coupon.objects.create(rule=rule, code=code, is_primary=True)
    elif primary.code != code:
        primary.code = code
        primary.save(update_fields=["code"])


@transaction.atomic
def delete_rule(*, rule: CartPriceRule, actor: Actor) -> None:
    """Delete a rule with its coupons and usage counts; recorded orders keep their rule ids."""
    rule.delete()


# --- Coupon codes -----------------------------------------------------------------------------


def generate_coupons(
    *,
    rule: CartPriceRule,
    quantity: int,
    actor: Actor,
    length: int = 12,
    format: str = "alphanumeric",
    prefix: str = "",
    suffix: str = "",
    dash_every: int = 0,
) -> list[str]:
    """Add ``quantity`` new random codes to an Auto coupon rule (Manage Coupon Codes) and return
    them. Codes never collide with any existing code, in any case."""
    problems = _generation_problems(rule, quantity, length, format, prefix, suffix, dash_every)
    if problems:
        raise InvalidInput.from_problems(problems)
    alphabet = COUPON_FORMATS[format]
    if len(alphabet) ** length < quantity * 4:
        raise InvalidInput(
            _("There are too few possible codes of this length; make the codes longer."),
            field="length",
        )
    created: list[str] = []
    with transaction.atomic():
        while len(created) < quantity:
            batch = {
                _code(alphabet, length, prefix, suffix, dash_every)
                for _n in range(min(5_000, quantity - len(created)) * 2)
            }
            taken = set(
                Coupon.objects.annotate(lower=Lower("code"))
                .filter(lower__in=[c.lower() for c in batch])
                .values_list("lower", flat=True)
            )
            fresh = [c for c in batch if c.lower() not in taken][: quantity - len(created)]
            Coupon.objects.bulk_create([Coupon(rule=rule, code=c) for c in fresh])
            created.extend(fresh)
    return created


def _generation_problems(rule, quantity, length, format, prefix, suffix, dash_every):
    problems = []
    if rule.coupon_type != CouponType.AUTO:
        problems.append(
            _problem("coupon_type", _("Codes are generated only for rules with the Auto coupon."))
        )
    if not isinstance(quantity, int) or not 1 <= quantity <= MAX_GENERATED:
        problems.append(
            _problem("quantity", _("Enter a quantity from 1 to %(n)d.") % {"n": MAX_GENERATED})
        )
    if not isinstance(length, int) or not 4 <= length <= 32:
        problems.append(_problem("length", _("Enter a code length from 4 to 32.")))
    if format not in COUPON_FORMATS:
        problems.append(
            _problem(
                "format", _("Choose one of: %(choices)s.") % {"choices": ", ".join(COUPON_FORMATS)}
            )
        )
    if not isinstance(dash_every, int) or dash_every < 0:
        problems.append(_problem("dash_every", _("Enter a whole number (0 or more).")))
    for name, text in (("prefix", prefix), ("suffix", suffix)):
        if len(text) > 16 or any(c.isspace() for c in text):
            problems.append(_problem(name, _("Enter at most 16 characters without spaces.")))
    if (
        isinstance(length, int)
        and length + len(prefix) + len(suffix) + length // max(dash_every or length, 1) > 64
    ):
        problems.append(_problem("length", _("The codes would be longer than 64 characters.")))
    return problems


def _code(alphabet: str, length: int, prefix: str, suffix: str, dash_every: int) -> str:
    body = "".join(secrets.choice(alphabet) for _n in range(length))
    if dash_every:
        body = "-".join(body[i : i + dash_every] for i in range(0, length, dash_every))
    return f"{prefix}{body}{suffix}"


@transaction.atomic
def delete_coupons(*, rule: CartPriceRule, coupon_ids: Iterable[int], actor: Actor) -> int:
    """Delete generated codes of ``rule``; the specific code is changed on the rule itself."""
    deleted, _detail = rule.coupons.filter(pk__in=list(coupon_ids), is_primary=False).delete()
    return deleted


# --- Evaluating a cart ------------------------------------------------------------------------


def evaluate_cart(
    *,
    store_view: StoreView,
    items: Sequence[Mapping[str, Any]],
    customer_id: int | None = None,
    visitor_id: str = "",
    shipping_address: Mapping[str, Any] | None = None,
    shipping_method: str = "",
    payment_method: str = "",
    shipping_amount: Any = 0,
    subtotal_incl_tax: Any = None,
    coupon_code: str = "",
    currency: str = "",
    explain_rule_id: int | None = None,
    audience_ids: Sequence[str] = (),
    now: dt.datetime | None = None,
) -> tuple[Evaluation, CartFacts, CouponCheck, CartPriceRule | None]:
    """Which rules apply to the cart a checkout describes, in priority order, and what each takes
    off. With ``explain_rule_id``, that rule is evaluated with a trace even when it is inactive
    or not on this website, so the answer can say why it did not apply. ``audience_ids`` are the
    verified audience ids the shopper's request carried."""
    website = store_view.store.website
    problems: list[Problem] = []
    customer = _shopper(website, customer_id, problems)
    lines = _item_facts(items, problems)
    amounts = {
        "shipping_amount": _input_amount(shipping_amount, "shipping_amount", problems) or Decimal(0),
        "subtotal_incl_tax": _input_amount(subtotal_incl_tax, "subtotal_incl_tax", problems),
    }  # fmt: skip
    explained = None
    if explain_rule_id is not None:
        explained = CartPriceRule.objects.filter(pk=explain_rule_id).first()
        if explained is None:
            problems.append(_problem("explain_rule_id", _("There is no such cart price rule.")))
    if problems:
        raise InvalidInput.from_problems(problems)
    cart = CartFacts(
        website=website, store_view=store_view, items=lines, customer=customer,
        visitor_id=str(visitor_id or "").strip()[:128],
        group_id=customer.group_id if customer else 0,
        shipping_address=_address(shipping_address),
        shipping_method=str(shipping_method or "").strip(),
        payment_method=str(payment_method or "").strip(),
        coupon_code=str(coupon_code or "").strip(),
        currency=(str(currency or "") or website.base_currency).upper(),
        audience_ids=tuple(audience_ids), **amounts,
    )  # fmt: skip
    rules = _rules_for(website, explained)
    coupon = _coupon_check(cart)
    evaluation = evaluate(
        cart, rules, coupon=coupon, usage=_customer_usage(customer, rules),
        now=now or timezone.now(), labels=_labels_for(rules, store_view),
        trace_rule_id=explain_rule_id,
    )  # fmt: skip
    return evaluation, cart, coupon, explained


def _shopper(website: Website, customer_id: Any, problems: list[Problem]) -> Customer | None:
    if customer_id in (None, ""):
        return None
    customer = (
        Customer.objects.filter(pk=customer_id).first() if str(customer_id).isdigit() else None
    )
    if customer is None:
        problems.append(_problem("customer_id", _("There is no such customer."), "not_found"))
    elif customer.website_id != website.pk and not accounts_are_global():
        problems.append(_problem("customer_id", _("The customer's account is on another website.")))
    return customer


def _input_amount(
    value: Any, field: str, problems: list[Problem], *, maximum: Decimal | None = None
) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
        if not amount.is_finite() or amount < 0 or isinstance(value, bool):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        problems.append(_problem(field, _("Enter an amount of 0 or more.")))
        return None
    maximum = MAX_AMOUNT if maximum is None else maximum
    if amount > maximum:
        problems.append(
            _problem(field, _("Enter at most %(maximum)s.") % {"maximum": f"{maximum:,}"})
        )
        return None
    return amount


def _item_facts(items: Sequence[Mapping[str, Any]], problems: list[Problem]) -> list[ItemFacts]:
    from patron.sales.models import Category, Product

    skus = {str(item.get("sku") or "").strip() for item in items}
    products = {
        p.sku: p for p in Product.objects.filter(sku__in=skus).prefetch_related("categories")
    }
    parents = dict(Category.objects.values_list("code", "parent__code")) if products else {}
    facts = []
    for n, item in enumerate(items):
        sku = str(item.get("sku") or "").strip()
        product = products.get(sku)
        if not sku:
            problems.append(_problem(f"items.{n}.sku", _("Enter the SKU."), "required"))
        qty = _input_amount(item.get("qty"), f"items.{n}.qty", problems, maximum=MAX_QTY)
        if qty is not None and qty <= 0:
            problems.append(_problem(f"items.{n}.qty", _("Enter a quantity above 0.")))
        price = _input_amount(item.get("price"), f"items.{n}.price", problems)
        if price is None and product is None and sku:
            problems.append(
                _problem(f"items.{n}.price",
                         _("Enter the price: %(sku)s is not in the catalogue.") % {"sku": sku},
                         "required")
            )  # fmt: skip
        if qty is None or qty <= 0 or (price is None and product is None):
            continue
        facts.append(_line(sku, qty, price, product, parents))
    if not items:
        problems.append(_problem("items", _("A cart has at least one item."), "required"))
    return facts


def _line(sku, qty, price, product, parents) -> ItemFacts:
    if product is None:
        return ItemFacts(sku=sku, qty=qty, price=price)
    assigned = frozenset(c.code for c in product.categories.all())
    ancestors: set[str] = set()  # parents of assigned categories, assigned themselves or not
    for code in assigned:
        parent = parents.get(code)
        while parent and parent not in ancestors:
            ancestors.add(parent)
            parent = parents.get(parent)
    return ItemFacts(
        sku=sku, qty=qty, price=product.price if price is None else price,
        attributes=product.attributes or {}, attribute_set=product.attribute_set,
        category_codes=assigned, ancestor_codes=frozenset(ancestors),
        weight=product.weight or Decimal(0),
    )  # fmt: skip


def _address(given: Mapping[str, Any] | None) -> dict[str, str]:
    given = given or {}
    return {
        "country": str(given.get("country_id") or given.get("country") or "").strip().upper(),
        "region": str(given.get("region") or "").strip(),
        "region_code": str(given.get("region_code") or "").strip(),
        "postcode": str(given.get("postcode") or "").strip(),
    }


def _rules_for(website: Website, explained: CartPriceRule | None) -> list[CartPriceRule]:
    rules = CartPriceRule.objects.filter(
        Q(is_active=True, websites=website) | Q(pk=getattr(explained, "pk", None))
    ).distinct()
    return list(rules.prefetch_related("websites", "customer_groups").order_by("priority", "pk"))


def _labels_for(rules: list[CartPriceRule], store_view: StoreView) -> dict[int, str]:
    labels = {rule.pk: rule.default_label for rule in rules}
    for rule_id, label in RuleLabel.objects.filter(
        rule__in=rules, store_view=store_view
    ).values_list("rule_id", "label"):
        labels[rule_id] = label
    return labels


def _coupon_check(cart: CartFacts) -> CouponCheck:
    check = CouponCheck(code=cart.coupon_code)
    if not cart.coupon_code:
        return check
    coupon = (
        Coupon.objects.annotate(lower=Lower("code"))
        .filter(lower=cart.coupon_code.lower())
        .select_related("rule")
        .first()
    )
    if coupon is None:
        return check
    check.coupon = coupon
    rule = coupon.rule
    if rule.uses_per_coupon:
        check.exhausted = coupon.usages.count() >= rule.uses_per_coupon
    if rule.uses_per_customer and cart.customer is not None:
        used = coupon.usages.filter(customer=cart.customer).count()
        check.used_up_by_customer = used >= rule.uses_per_customer
    return check


def _customer_usage(customer: Customer | None, rules: list[CartPriceRule]) -> dict[int, int]:
    """How often the customer used each rule with a limit per customer, with any of its codes
    (so a new generated code does not reset the count)."""
    limited = [r.pk for r in rules if r.uses_per_customer]
    if customer is None or not limited:
        return {}
    return dict(
        RuleUsage.objects.filter(rule_id__in=limited, customer=customer)
        .values("rule_id")
        .annotate(n=Count("pk"))
        .values_list("rule_id", "n")
    )


# --- Usage, from the orders the shop records -------------------------------------------------


@transaction.atomic
def sync_usage(*, order_id: int) -> int:
    """Make the order's usage rows match what it says now: one per applied rule id that exists,
    with the coupon when the order's coupon code is that rule's. A canceled order uses nothing,
    so its coupon can be used again. Idempotent; returns the number of rows kept."""
    from patron.sales.models import Order

    order = Order.objects.filter(pk=order_id).first()
    RuleUsage.objects.filter(order_id=order_id).delete()
    if order is None or order.status in CANCELED_STATUSES:
        return 0
    coupon = None
    if order.coupon_code:
        coupon = (
            Coupon.objects.annotate(lower=Lower("code"))
            .filter(lower=order.coupon_code.strip().lower())
            .first()
        )
    rule_ids = {int(i) for i in order.applied_rule_ids or [] if str(i).isdigit()}
    if coupon is not None:
        rule_ids.add(coupon.rule_id)
    existing = CartPriceRule.objects.filter(pk__in=rule_ids).values_list("pk", flat=True)
    RuleUsage.objects.bulk_create(
        [
            RuleUsage(
                rule_id=rule_id,
                order=order,
                customer_id=order.customer_id,
                coupon=coupon if coupon is not None and coupon.rule_id == rule_id else None,
                used_at=order.placed_at,
            )
            for rule_id in existing
        ]
    )
    return len(existing)
