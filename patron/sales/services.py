"""Taking in the facts a shop reports: products, orders and active carts.

Every call is idempotent by the shop's own identifier (SKU, order number per website, the cart's
owner): sending the same fact twice changes nothing and emits nothing; a changed fact updates
the row and emits one event. Unknown customers, products, currencies or store views are refused
with the field that names them, and nothing is written.
"""

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import pycountry
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patron.core import events
from patron.core.actors import Actor
from patron.core.errors import Conflict, InvalidInput, Problem
from patron.customers.models import Customer
from patron.sales import history as sales_history
from patron.sales.models import (
    Cart,
    CartItem,
    Order,
    OrderItem,
    Product,
    ProductAttribute,
    ProductAttributeType,
    ProductView,
    Refund,
    RefundItem,
    Review,
    ReviewStatus,
    WishlistItem,
)
from patron.scopes.config import get_config
from patron.scopes.models import StoreView

events.declare("orderRecorded", "A shop reported a new order.")
events.declare("orderChanged", "A shop reported a change to an order (e.g. its status).")
events.declare("cartChanged", "A shop reported a change to a shopper's cart.")

ORDER_FIELDS = (
    "status", "currency", "subtotal", "tax", "shipping", "discount", "grand_total", "total_qty",
    "coupon_code", "applied_rule_ids", "billing_address", "shipping_address", "placed_at",
    "customer_email", "customer_name",
)  # fmt: skip
CART_FIELDS = (
    "currency", "subtotal", "tax", "shipping", "grand_total", "store_credit_applied",
    "gift_card_applied", "billing_address", "shipping_address",
)  # fmt: skip
LINK_GUEST_ORDERS = "customer/guest_orders/link_by_email"
MONEY_FIELDS = ("subtotal", "tax", "shipping", "discount", "grand_total", "total_qty",
                "store_credit_applied", "gift_card_applied")  # fmt: skip
FOUR_PLACES = Decimal("0.0001")


def _four_places(value: Any) -> Decimal:
    """Amounts as the database keeps them (4 decimal places), so a resent fact compares equal."""
    return Decimal(str(value)).quantize(FOUR_PLACES)


def _stored_amounts(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: _four_places(v) if k in MONEY_FIELDS else v for k, v in fields.items()}


def _create_once(model, **values):
    """Create the row a fact reports; when the same fact is being recorded at this very moment
    by another request (the unique key just taken), answer Conflict so the shop retries, and
    its retry finds the row and answers "unchanged"."""
    try:
        with transaction.atomic():
            return model.objects.create(**values)
    except IntegrityError:
        raise Conflict(
            _("The same fact is being recorded by another request; send it again."),
            code="concurrent_report",
        ) from None


def _currency_problem(code: str) -> Problem | None:
    if pycountry.currencies.get(alpha_3=(code or "").upper()) is None:
        return Problem(
            "unknown_currency",
            _("%(code)s is not an ISO 4217 currency code.") % {"code": code},
            field="currency",
        )
    return None


def _status_problem(status: str) -> Problem | None:
    from patron.sales.statuses import order_statuses

    known = order_statuses()
    if status not in known:
        return Problem(
            "unknown_status",
            _("%(status)s is not an order status of this store (known: %(known)s).")
            % {"status": status, "known": ", ".join(known)},
            field="status",
        )
    return None


def _products_by_sku(items: Sequence[Mapping[str, Any]], problems: list[Problem]) -> dict:
    skus = {item["sku"] for item in items}
    found = {p.sku: p for p in Product.objects.filter(sku__in=skus)}
    for index, item in enumerate(items):
        if item["sku"] not in found:
            problems.append(
                Problem(
                    "unknown_product",
                    _("There is no product with SKU %(sku)s.") % {"sku": item["sku"]},
                    field=f"items[{index}].sku",
                )
            )
    return found


def _product_by_sku(sku: str, problems: list[Problem]) -> Product | None:
    """The product of a one-product fact (a review, a view); a problem on field "sku" if none."""
    product = Product.objects.filter(sku=sku).first()
    if product is None:
        problems.append(
            Problem(
                "unknown_product",
                _("There is no product with SKU %(sku)s.") % {"sku": sku},
                field="sku",
            )
        )
    return product


def _customer_on(website_id: int, customer_id: int | None, problems: list[Problem]):
    if customer_id is None:
        return None
    customer = Customer.objects.filter(pk=customer_id).first()
    from patron.customers.services import accounts_are_global

    if customer is None or (not accounts_are_global() and customer.website_id != website_id):
        problems.append(
            Problem(
                "unknown_customer",
                _("There is no customer %(id)s on this website.") % {"id": customer_id},
                field="customer_id",
            )
        )
        return None
    return customer


def _confirmed_customer_with_email(store_view: StoreView, email: str) -> Customer | None:
    """The customer a guest order belongs to, when the website links guest orders by email and
    that customer has confirmed the address (so nobody can claim orders by registering it)."""
    website = store_view.store.website
    if not get_config(LINK_GUEST_ORDERS, website=website):
        return None
    customer = Customer.objects.filter(website=website, email=email.strip().lower()).first()
    if customer is None or not customer.is_confirmed:
        return None
    return customer


@transaction.atomic
def save_product_attribute(
    *,
    code: str,
    label: str,
    type: str,
    actor: Actor,
    options: Sequence[str] = (),
    use_for_promo_rules: bool = False,
) -> ProductAttribute:
    """Define a product attribute (or change it) by code. Options are for the select types; an
    option still used by a product cannot be removed (its values would lose their meaning)."""
    problems: list[Problem] = []
    if not ATTRIBUTE_CODE.fullmatch(code):
        problems.append(
            Problem(
                "invalid_code",
                _(
                    "An attribute code starts with a letter and has only lower-case letters, "
                    "digits and _ (up to 60 characters)."
                ),
                field="code",
            )
        )
    if not label.strip():
        problems.append(Problem("required", _("Enter the attribute's label."), field="label"))
    if type not in ProductAttributeType.values:
        problems.append(
            Problem(
                "invalid_type",
                _("Unknown attribute type %(type)s.") % {"type": type},
                field="type",
            )
        )
    options = [str(option).strip() for option in options]
    if type in CHOICE_TYPES and not options:
        problems.append(
            Problem("required", _("A dropdown or multiple select has options."), field="options")
        )
    if len(set(options)) != len(options):
        problems.append(Problem("duplicate", _("Options must differ."), field="options"))
    existing = ProductAttribute.objects.select_for_update().filter(code=code).first()
    if existing is not None and not problems:
        problems.extend(_removed_options_in_use(existing, type, options))
    if problems:
        raise InvalidInput.from_problems(problems)
    attribute, _created = ProductAttribute.objects.update_or_create(
        code=code,
        defaults={
            "label": label.strip(), "type": type, "use_for_promo_rules": use_for_promo_rules,
            "options": options if type in CHOICE_TYPES else [],
        },
    )  # fmt: skip
    return attribute


ATTRIBUTE_CODE = re.compile(r"[a-z][a-z0-9_]{0,59}")
CHOICE_TYPES = (ProductAttributeType.SELECT, ProductAttributeType.MULTISELECT)


def _removed_options_in_use(attribute, type: str, options: list[str]) -> list[Problem]:
    if attribute.type != type:
        used = Product.objects.filter(attributes__has_key=attribute.code).exists()
        if used:
            return [
                Problem(
                    "attribute_in_use",
                    _("Products have values of this attribute; its type cannot change."),
                    field="type",
                )
            ]
        return []
    removed = set(attribute.options) - set(options)
    in_use = [
        option
        for option in sorted(removed)
        if any(
            option == str(value) or (isinstance(value, list) and option in map(str, value))
            for value in Product.objects.filter(attributes__has_key=attribute.code).values_list(
                f"attributes__{attribute.code}", flat=True
            )
        )
    ]
    return [
        Problem(
            "option_in_use",
            _("Option %(option)s is used by products and cannot be removed.") % {"option": option},
            field="options",
        )
        for option in in_use
    ]


def _attribute_problems(values: Mapping[str, Any]) -> list[Problem]:
    """Every product attribute value checked against its definition."""
    definitions = {a.code: a for a in ProductAttribute.objects.filter(code__in=list(values))}
    problems = []
    for code, value in values.items():
        field = f"attributes.{code}"
        attribute = definitions.get(code)
        if attribute is None:
            problems.append(
                Problem(
                    "unknown_attribute",
                    _("There is no product attribute %(code)s; define it first.") % {"code": code},
                    field=field,
                )
            )
        elif value is not None and not _fits(attribute, value):
            problems.append(
                Problem(
                    "invalid_attribute_value",
                    _("%(value)s is not a valid value of %(label)s (%(type)s).")
                    % {
                        "value": value,
                        "label": attribute.label,
                        "type": attribute.get_type_display(),
                    },
                    field=field,
                )
            )
    return problems


def _fits(attribute: ProductAttribute, value: Any) -> bool:
    kind = attribute.type
    if kind == ProductAttributeType.TEXT:
        return isinstance(value, str)
    if kind == ProductAttributeType.NUMBER:
        number = isinstance(value, int | float) and not isinstance(value, bool)
        return number and math.isfinite(value)
    if kind == ProductAttributeType.BOOLEAN:
        return isinstance(value, bool)
    if kind == ProductAttributeType.SELECT:
        return value in attribute.options
    if kind == ProductAttributeType.MULTISELECT:
        return isinstance(value, list) and all(v in attribute.options for v in value)
    try:
        dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


@transaction.atomic
def save_product(*, sku: str, name: str, price: Decimal, actor: Actor, **fields: Any) -> Product:
    """Create or update a product by SKU; ``categories`` is a list of category codes and
    ``attributes`` values of defined product attributes, by code."""
    from patron.sales.models import Category

    problems = _attribute_problems(fields.get("attributes") or {})
    if not sku.strip():
        problems.append(Problem("required", _("Enter the product's SKU."), field="sku"))
    if problems:
        raise InvalidInput.from_problems(problems)
    codes = fields.pop("categories", None)
    product, _created = Product.objects.update_or_create(
        sku=sku.strip(), defaults={"name": name, "price": price, **fields}
    )
    if codes is not None:
        categories = list(Category.objects.filter(code__in=codes))
        missing = sorted(set(codes) - {c.code for c in categories})
        if missing:
            raise InvalidInput(
                _("Unknown categories: %(codes)s.") % {"codes": ", ".join(missing)},
                code="unknown_category",
                field="categories",
            )
        product.categories.set(categories)
    return product


@transaction.atomic
def record_order(
    *,
    store_view: StoreView,
    number: str,
    items: Sequence[Mapping[str, Any]],
    actor: Actor,
    customer_id: int | None = None,
    **fields: Any,
) -> tuple[Order, str]:
    """Record an order the shop placed, or its change. Returns the order and what happened:
    "created", "changed" or "unchanged". Raises ``InvalidInput`` listing every problem."""
    unknown = set(fields) - set(ORDER_FIELDS)
    if unknown:
        raise TypeError(f"Unknown order fields: {', '.join(sorted(unknown))}")
    website_id = store_view.store.website_id
    problems: list[Problem] = []
    if not number.strip():
        problems.append(Problem("required", _("Enter the order number."), field="number"))
    currency = _currency_problem(fields.get("currency", ""))
    if currency:
        problems.append(currency)
    status = _status_problem(fields.get("status", ""))
    if status:
        problems.append(status)
    if not items:
        problems.append(Problem("required", _("An order has at least one item."), field="items"))
    fields["customer_email"] = (fields.get("customer_email") or "").strip().lower()
    if not _is_email(fields["customer_email"]):
        problems.append(
            Problem("invalid_email", _("Enter a valid email address."), field="customer_email")
        )
    customer = _customer_on(website_id, customer_id, problems)
    products = _products_by_sku(items, problems)
    if problems:
        raise InvalidInput.from_problems(problems)
    fields["currency"] = fields["currency"].upper()
    fields.setdefault("total_qty", sum((Decimal(str(i["qty"])) for i in items), Decimal(0)))
    fields = _stored_amounts(fields)
    if customer is None and fields["customer_email"]:
        customer = _confirmed_customer_with_email(store_view, fields["customer_email"])
    order = Order.objects.select_for_update().filter(website_id=website_id, number=number).first()
    new_items = [_order_item(item, products) for item in items]
    if order is None:
        order = _create_once(
            Order,
            website_id=website_id, store_view=store_view, number=number, customer=customer,
            **fields,
        )  # fmt: skip
        _write_items(order, new_items, products)
        if order.customer_id:
            sales_history.record_order_placed(order, actor)
        events.emit(
            "orderRecorded", order_id=order.pk, number=number, customer_id=order.customer_id,
            website_id=website_id, status=order.status, actor=actor.as_fields(),
        )  # fmt: skip
        return order, "created"
    changed = sorted(
        name for name, value in fields.items() if _differs(getattr(order, name), value)
    )
    newly_linked = customer is not None and order.customer_id is None
    if customer is not None and order.customer_id != customer.pk:
        changed.append("customer")
        order.customer = customer
    old_items = [
        {"sku": i.sku, "name": i.name, "qty": i.qty, "price": i.price, "row_total": i.row_total}
        for i in order.items.all()
    ]
    items_changed = not _same_items(old_items, new_items)
    if not changed and not items_changed:
        return order, "unchanged"
    old_status = order.status
    for name in changed:
        if name != "customer":
            setattr(order, name, fields[name])
    order.save()
    if items_changed:
        order.items.all().delete()
        _write_items(order, new_items, products)
        changed.append("items")
    if newly_linked:
        sales_history.record_order_placed(order, actor)
    elif order.customer_id and order.status != old_status:
        sales_history.record_status_changed(order, old_status, actor)
    events.emit(
        "orderChanged", order_id=order.pk, number=number, customer_id=order.customer_id,
        website_id=website_id, status=order.status, changed=changed, actor=actor.as_fields(),
    )  # fmt: skip
    return order, "changed"


def _order_item(item: Mapping[str, Any], products: dict) -> dict:
    qty, price = _four_places(item["qty"]), _four_places(item["price"])
    row_total = item.get("row_total")
    return {
        "sku": item["sku"],
        "name": item.get("name") or products[item["sku"]].name,
        "qty": qty,
        "price": price,
        "row_total": _four_places(qty * price if row_total is None else row_total),
    }


def _is_email(value: str) -> bool:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def _differs(current: Any, new: Any) -> bool:
    if isinstance(current, Decimal) or isinstance(new, Decimal):
        return Decimal(str(current)) != Decimal(str(new))
    if isinstance(current, dt.datetime) and isinstance(new, dt.datetime):
        return current != new
    return current != new


def _same_items(old: list[dict], new: list[dict]) -> bool:
    def key(item):
        return (item["sku"], item["name"], Decimal(item["qty"]), Decimal(item["price"]),
                Decimal(item["row_total"]))  # fmt: skip

    return sorted(map(key, old)) == sorted(map(key, new))


def _write_items(order: Order, items: list[dict], products: dict) -> None:
    OrderItem.objects.bulk_create(
        [OrderItem(order=order, product=products.get(item["sku"]), **item) for item in items]
    )


@transaction.atomic
def replace_cart(
    *,
    store_view: StoreView,
    items: Sequence[Mapping[str, Any]],
    actor: Actor,
    customer_id: int | None = None,
    visitor_id: str = "",
    url: str = "",
    **fields: Any,
) -> Cart | None:
    """Set a shopper's active cart to what the shop reports (an empty cart removes it), and
    count the shopper as online (Now Online) with the page the shop names."""
    from patron.online.services import touch_online

    unknown = set(fields) - set(CART_FIELDS)
    if unknown:
        raise TypeError(f"Unknown cart fields: {', '.join(sorted(unknown))}")
    website_id = store_view.store.website_id
    visitor_id = visitor_id.strip()
    problems: list[Problem] = []
    if (customer_id is None) == (not visitor_id):
        problems.append(
            Problem(
                "owner_required",
                _("Name the cart's owner: a customer_id or a visitor_id, not both."),
                field="customer_id",
            )
        )
    currency = _currency_problem(fields.get("currency", ""))
    if currency:
        problems.append(currency)
    customer = _customer_on(website_id, customer_id, problems)
    products = _products_by_sku(items, problems)
    if problems:
        raise InvalidInput.from_problems(problems)
    owner = (
        {"customer": customer}
        if customer is not None
        else {"customer": None, "visitor_id": visitor_id}
    )
    cart = Cart.objects.select_for_update().filter(website_id=website_id, **owner).first()
    # Any cart change, emptying included, is activity: the shopper counts as online.
    transaction.on_commit(
        lambda: touch_online(
            customer=customer, visitor_id="" if customer else visitor_id, url=url,
            store_view=store_view,
        )
    )  # fmt: skip
    if not items:
        if cart is not None:
            cart.delete()
            _cart_changed(None, website_id, customer, visitor_id, actor)
        return None
    fields["currency"] = fields["currency"].upper()
    fields = _stored_amounts(fields)
    if cart is None:
        cart = Cart(website_id=website_id, **owner)
    cart.store_view = store_view
    for name, value in fields.items():
        setattr(cart, name, value)
    cart.save()
    cart.items.all().delete()
    CartItem.objects.bulk_create(
        [
            CartItem(
                cart=cart, sku=i["sku"], product=products[i["sku"]],
                name=i.get("name") or products[i["sku"]].name,
                qty=_four_places(i["qty"]), price=_four_places(i["price"]),
            )
            for i in items
        ]
    )  # fmt: skip
    _cart_changed(cart, website_id, customer, visitor_id, actor)
    return cart


def _cart_changed(cart, website_id, customer, visitor_id, actor) -> None:
    events.emit(
        "cartChanged", cart_id=getattr(cart, "pk", None), website_id=website_id,
        customer_id=getattr(customer, "pk", None), visitor_id="" if customer else visitor_id,
        items=cart.items.count() if cart else 0, actor=actor.as_fields(),
    )  # fmt: skip


# --- Refunds, wish lists, reviews and product views ----------------------------------------------

events.declare("refundRecorded", "A shop reported a refund (credit memo) of an order.")
events.declare("wishlistChanged", "A shop reported a change to a customer's wish list.")
events.declare("reviewRecorded", "A shop reported a product review or a change of it.")
events.declare("productViewed", "A shop reported that a shopper viewed a product.")


def _order_on(store_view: StoreView, number: str) -> Order:
    order = Order.objects.filter(website_id=store_view.store.website_id, number=number).first()
    if order is None:
        raise InvalidInput(
            _("There is no order %(number)s on this website.") % {"number": number},
            code="unknown_order",
            field="order",
        )
    return order


@transaction.atomic
def record_refund(
    *,
    store_view: StoreView,
    order_number: str,
    number: str,
    items: Sequence[Mapping[str, Any]],
    grand_total: Decimal,
    refunded_at: dt.datetime,
    actor: Actor,
    to_store_credit: Decimal = Decimal(0),
) -> tuple[Refund, str]:
    """Record a refund of an order once; a resend changes nothing ("unchanged"). A refund is
    final: a resend with other amounts is refused rather than rewriting history."""
    order = _order_on(store_view, order_number)
    grand_total, to_store_credit = _four_places(grand_total), _four_places(to_store_credit)
    problems: list[Problem] = []
    if to_store_credit > grand_total:
        problems.append(
            Problem(
                "too_much_store_credit",
                _("The part refunded to store credit cannot exceed the refund."),
                field="to_store_credit",
            )
        )
    ordered = {item.sku for item in order.items.all()}
    for index, item in enumerate(items):
        if item["sku"] not in ordered:
            problems.append(
                Problem(
                    "not_in_order",
                    _("%(sku)s is not an item of this order.") % {"sku": item["sku"]},
                    field=f"items[{index}].sku",
                )
            )
    if problems:
        raise InvalidInput.from_problems(problems)
    existing = Refund.objects.filter(order=order, number=number).first()
    if existing is not None:
        stored_items = sorted((i.sku, i.qty, i.row_total) for i in existing.items.all())
        sent_items = sorted(
            (i["sku"], _four_places(i["qty"]), _four_places(i["row_total"])) for i in items
        )
        if (existing.grand_total, existing.to_store_credit, stored_items) != (
            grand_total, to_store_credit, sent_items,
        ):  # fmt: skip
            raise InvalidInput(
                _("Refund %(number)s was already recorded with other amounts.")
                % {"number": number},
                code="refund_differs",
                field="grand_total",
            )
        return existing, "unchanged"
    refund = _create_once(
        Refund,
        order=order, number=number, currency=order.currency, grand_total=grand_total,
        to_store_credit=to_store_credit, refunded_at=refunded_at,
    )  # fmt: skip
    RefundItem.objects.bulk_create(
        [
            RefundItem(
                refund=refund,
                sku=i["sku"],
                qty=_four_places(i["qty"]),
                row_total=_four_places(i["row_total"]),
            )
            for i in items
        ]
    )
    if order.customer_id:
        sales_history.record_refund(refund, actor)
    from patron.credit.services import credit_order_refund

    # In the same transaction: a refund to store credit exists exactly when the refund does.
    credit_order_refund(refund, actor)
    events.emit(
        "refundRecorded", refund_id=refund.pk, order_id=order.pk, customer_id=order.customer_id,
        website_id=order.website_id, grand_total=str(grand_total),
        to_store_credit=str(to_store_credit), actor=actor.as_fields(),
    )  # fmt: skip
    return refund, "created"


@transaction.atomic
def replace_wishlist(
    *, customer: Customer, items: Sequence[Mapping[str, Any]], actor: Actor
) -> tuple[list[WishlistItem], bool]:
    """Set a customer's wish list to the products the shop reports; return it and whether it
    changed (an unchanged list emits nothing)."""
    problems: list[Problem] = []
    products = _products_by_sku(items, problems)
    if problems:
        raise InvalidInput.from_problems(problems)
    Customer.objects.select_for_update().filter(pk=customer.pk).first()
    current = {w.product.sku: w for w in customer.wishlist.select_related("product")}
    wanted = {item["sku"]: item for item in items}
    removed = [sku for sku in current if sku not in wanted]
    added, changed = [], []
    for sku, item in wanted.items():
        qty = _four_places(item.get("qty") or 1)
        if sku not in current:
            added.append(
                WishlistItem(
                    customer=customer,
                    product=products[sku],
                    qty=qty,
                    added_at=item.get("added_at") or timezone.now(),
                )
            )
        elif current[sku].qty != qty:
            current[sku].qty = qty
            changed.append(current[sku])
    WishlistItem.objects.filter(customer=customer, product__sku__in=removed).delete()
    WishlistItem.objects.bulk_create(added)
    WishlistItem.objects.bulk_update(changed, ["qty"])
    touched = bool(removed or added or changed)
    if touched:
        events.emit(
            "wishlistChanged", customer_id=customer.pk, website_id=customer.website_id,
            items=len(wanted), actor=actor.as_fields(),
        )  # fmt: skip
    return list(customer.wishlist.select_related("product")), touched


@transaction.atomic
def record_review(
    *,
    store_view: StoreView,
    external_id: str,
    sku: str,
    rating: int,
    title: str,
    nickname: str,
    written_at: dt.datetime,
    actor: Actor,
    customer_id: int | None = None,
    detail: str = "",
    status: str = "pending",
) -> tuple[Review, str]:
    """Record a review or its change (e.g. approved), idempotent by the shop's review id."""
    website_id = store_view.store.website_id
    problems: list[Problem] = []
    product = _product_by_sku(sku, problems)
    if not 1 <= int(rating) <= 5:
        problems.append(Problem("invalid_rating", _("Rate from 1 to 5 stars."), field="rating"))
    if status not in ReviewStatus.values:
        problems.append(
            Problem(
                "invalid_status",
                _("Unknown review status %(status)s.") % {"status": status},
                field="status",
            )
        )
    customer = _customer_on(website_id, customer_id, problems)
    if problems:
        raise InvalidInput.from_problems(problems)
    values = {
        "store_view": store_view, "product": product, "customer": customer,
        "nickname": nickname.strip(), "title": title.strip(), "detail": detail.strip(),
        "rating": int(rating), "status": status, "written_at": written_at,
    }  # fmt: skip
    review = (
        Review.objects.select_for_update()
        .filter(website_id=website_id, external_id=external_id)
        .first()
    )
    if review is None:
        review = _create_once(Review, website_id=website_id, external_id=external_id, **values)
        result = "created"
    else:
        changed = [k for k, v in values.items() if getattr(review, k) != v]
        if not changed:
            return review, "unchanged"
        for name in changed:
            setattr(review, name, values[name])
        review.save()
        result = "changed"
    events.emit(
        "reviewRecorded", review_id=review.pk, customer_id=review.customer_id,
        website_id=website_id, status=review.status, rating=review.rating,
        actor=actor.as_fields(),
    )  # fmt: skip
    return review, result


@transaction.atomic
def record_product_view(
    *,
    store_view: StoreView,
    external_id: str,
    sku: str,
    viewed_at: dt.datetime,
    actor: Actor,
    customer_id: int | None = None,
    visitor_id: str = "",
) -> tuple[ProductView, str]:
    """Record that a shopper viewed a product, once per shop view id."""
    website_id = store_view.store.website_id
    visitor_id = visitor_id.strip()
    problems: list[Problem] = []
    if (customer_id is None) == (not visitor_id):
        problems.append(
            Problem(
                "viewer_required",
                _("Name the viewer: a customer_id or a visitor_id, not both."),
                field="customer_id",
            )
        )
    product = _product_by_sku(sku, problems)
    customer = _customer_on(website_id, customer_id, problems)
    if problems:
        raise InvalidInput.from_problems(problems)
    existing = ProductView.objects.filter(website_id=website_id, external_id=external_id).first()
    if existing is not None:
        return existing, "unchanged"
    view = _create_once(
        ProductView,
        website_id=website_id, external_id=external_id, product=product,
        customer=customer, visitor_id="" if customer else visitor_id, viewed_at=viewed_at,
    )  # fmt: skip
    events.emit(
        "productViewed", view_id=view.pk, product_id=view.product_id, customer_id=view.customer_id,
        visitor_id=view.visitor_id, website_id=website_id, actor=actor.as_fields(),
    )  # fmt: skip
    return view, "created"
