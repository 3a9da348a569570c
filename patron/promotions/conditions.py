"""The cart price rule condition catalogue (spec c §11.2, §6): one class per condition type,
registered in the foundation's ``condition_types`` registry with engine "cart_rule", so other
apps (audiences) add theirs the same way.

A tree is JSON shaped like a segment's: ``{"type": "combine", "aggregator": "all"|"any",
"value": true|false, "conditions": [...]}``. Unlike segment conditions, these are evaluated in
Python over the one cart the checkout asks about (:class:`CartFacts`), since the cart arrives
with the request and is never a set of rows to scan. Nodes stand either at the cart level
(``ROOT``) or inside a product container, where they test one cart item (``ITEM``); the
rule's action conditions are a tree of item conditions.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.utils.translation import gettext_lazy as _

from patron.core.registries import ConditionType, condition_types
from patron.segments import operators as ops
from patron.segments.conditions import (
    Field,
    Problems,
    ProductAttributeCondition,
    clean_choice,
    clean_decimal,
    clean_text,
    operator_field,
)

ENGINE = "cart_rule"
ROOT, ITEM = "root", "item"

GROUPS = {
    "combine": _("Conditions Combination"),
    "products": _("Product Attribute Combination"),
    "cart": _("Cart Attribute"),
    "item": _("Cart Item Attribute"),
    "product": _("Product Attribute"),
    "customer": _("Customer"),
}
AGGREGATORS = (("all", _("ALL")), ("any", _("ANY")))
TRUTH = ((True, _("TRUE")), (False, _("FALSE")))


@dataclass
class ItemFacts:
    """One cart line as the rule engine sees it: what the shop sent, completed from the light
    catalogue (attributes, categories with their ancestors, weight)."""

    sku: str
    qty: Decimal
    price: Decimal
    attributes: dict = field(default_factory=dict)
    attribute_set: str = ""
    category_codes: frozenset[str] = frozenset()  # assigned directly
    ancestor_codes: frozenset[str] = frozenset()  # parents of the assigned ones
    weight: Decimal = Decimal(0)

    @property
    def row_total(self) -> Decimal:
        return self.qty * self.price


@dataclass
class CartFacts:
    """The cart a checkout asks about, and who it belongs to."""

    website: Any
    store_view: Any
    items: list[ItemFacts]
    customer: Any = None
    visitor_id: str = ""
    group_id: int = 0
    shipping_address: dict = field(default_factory=dict)
    shipping_method: str = ""
    payment_method: str = ""
    shipping_amount: Decimal = Decimal(0)
    subtotal_incl_tax: Decimal | None = None
    coupon_code: str = ""
    currency: str = "USD"
    # Audience ids the shopper's request carried, already verified (patron.audiences).
    audience_ids: tuple[str, ...] = ()
    # Lazily read facts (segment memberships) shared by every rule evaluated for this cart.
    memo: dict = field(default_factory=dict, repr=False)

    def remember(self, key: str, load: Callable[[], Any]) -> Any:
        if key not in self.memo:
            self.memo[key] = load()
        return self.memo[key]

    @property
    def subtotal(self) -> Decimal:
        return sum((item.row_total for item in self.items), Decimal(0))

    @property
    def total_qty(self) -> Decimal:
        return sum((item.qty for item in self.items), Decimal(0))

    @property
    def weight(self) -> Decimal:
        return sum((item.weight * item.qty for item in self.items), Decimal(0))


# --- Comparing values -------------------------------------------------------------------------


def compare(actual: Any, operator: str, value: Any) -> bool:
    """``actual <operator> value`` with the operators of spec c §4.1. A missing actual value
    (None) never satisfies a condition, as an empty product attribute keeps a rule from
    applying to that product (spec c §11.2)."""
    if actual is None:
        return False
    if isinstance(actual, (set, frozenset, list, tuple)):
        return _compare_many({_norm(a) for a in actual}, operator, value)
    if isinstance(actual, Decimal | int | float) and not isinstance(actual, bool):
        return _compare_number(Decimal(str(actual)), operator, value)
    return _compare_text(_norm(actual), operator, value)


def _norm(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip().lower()


def _values(value: Any) -> list[str]:
    items = value if isinstance(value, list) else str(value).split(",")
    return [_norm(v) for v in items if str(v).strip()]


def _compare_number(actual: Decimal, operator: str, value: Any) -> bool:
    if operator in ("is_one_of", "is_not_one_of"):
        found = any(actual == Decimal(v) for v in _values(value))
        return found if operator == "is_one_of" else not found
    wanted = Decimal(str(value))
    return {
        "is": actual == wanted,
        "is_not": actual != wanted,
        "gte": actual >= wanted,
        "gt": actual > wanted,
        "lte": actual <= wanted,
        "lt": actual < wanted,
    }[operator]


def _compare_text(actual: str, operator: str, value: Any) -> bool:
    if operator in ("is_one_of", "is_not_one_of"):
        found = actual in _values(value)
        return found if operator == "is_one_of" else not found
    if operator in ("contains", "does_not_contain"):
        found = _norm(value) in actual
        return found if operator == "contains" else not found
    if operator in ("gte", "gt", "lte", "lt"):  # dates as ISO text compare in order
        wanted = _norm(value)
        return {"gte": actual >= wanted, "gt": actual > wanted,
                "lte": actual <= wanted, "lt": actual < wanted}[operator]  # fmt: skip
    equal = actual == _norm(value)
    return equal if operator == "is" else not equal


def _compare_many(actual: set[str], operator: str, value: Any) -> bool:
    """A list value (categories, a multiselect) holds ``is`` when it has any wanted value."""
    found = bool(actual & set(_values(value)))
    return not found if operator in ops.NEGATIVE else found


# --- The base class ---------------------------------------------------------------------------


@dataclass
class Trace:
    """What evaluating a node found, for "why did this rule not apply"."""

    path: str
    text: str
    result: bool
    actual: Any = None


class Condition:
    """A cart rule condition type. Subclasses set the class attributes and implement
    ``clean_params``, ``fields``, ``describe`` and ``evaluate``."""

    code = ""
    label: Any = ""
    group = "cart"
    order = 0
    scopes: frozenset[str] = frozenset({ROOT})
    child_scope: str | None = None

    def is_offered(self) -> bool:
        return True

    def clean_params(self, node: dict, *, problems: Problems, path: str) -> dict:
        return {}

    def fields(self, *, params: dict | None = None) -> list[Field]:
        return []

    def entries(self) -> list[dict[str, Any]]:
        return [self.entry(label=self.label, defaults={})]

    def entry(self, *, label, defaults: dict, fields=None) -> dict[str, Any]:
        fields = self.fields(params=defaults) if fields is None else fields
        return {
            "type": self.code,
            "label": str(label),
            "group": str(GROUPS[self.group]),
            "scopes": sorted(self.scopes),
            "children": self.child_scope,
            "visitor": True,
            "defaults": defaults,
            "fields": [f.as_dict() for f in fields],
        }

    def describe(self, node: dict) -> str:
        return str(self.label)

    def actual(self, node: dict, cart: CartFacts, item: ItemFacts | None) -> Any:
        """The value the node compares, shown in explanations."""
        return None

    def evaluate(self, node: dict, cart: CartFacts, item: ItemFacts | None, children) -> bool:
        raise NotImplementedError


class Combination(Condition):
    code = "cart_rule.combine"
    label = _("Conditions Combination")
    group = "combine"
    scopes = frozenset({ROOT, ITEM})
    child_scope = "same"

    def clean_params(self, node, *, problems, path):
        return {
            "aggregator": clean_choice(node, "aggregator", AGGREGATORS, problems, path, "all"),
            "value": clean_choice(node, "value", TRUTH, problems, path, True),
        }

    def fields(self, *, params=None):
        return [Field("aggregator", "select", AGGREGATORS), Field("value", "select", TRUTH)]

    def describe(self, node):
        return str(
            _("If %(aggregator)s of these conditions are %(value)s")
            % {"aggregator": dict(AGGREGATORS)[node["aggregator"]],
               "value": dict(TRUTH)[node["value"]]}
        )  # fmt: skip

    def evaluate(self, node, cart, item, children):
        return combine(children(item), node["aggregator"], node["value"])


def combine(children: list[Callable[[], bool]], aggregator: str, value: bool) -> bool:
    """ALL/ANY of the children being TRUE/FALSE, evaluated lazily; no children always holds (an
    empty tree applies to every cart)."""
    if not children:
        return True
    checks = (child() == value for child in children)
    return all(checks) if aggregator == "all" else any(checks)


# --- Cart attributes --------------------------------------------------------------------------

NUMBER, TEXT, COUNTRY = "number", "text", "country"
CART_ATTRIBUTES: dict[str, tuple[Any, str]] = {
    "subtotal": (_("Subtotal (Excl. Tax)"), NUMBER),
    "subtotal_incl_tax": (_("Subtotal (Incl. Tax)"), NUMBER),
    "total_qty": (_("Total Items Quantity"), NUMBER),
    "weight": (_("Total Weight"), NUMBER),
    "payment_method": (_("Payment Method"), TEXT),
    "shipping_method": (_("Shipping Method"), TEXT),
    "postcode": (_("Shipping Postcode"), TEXT),
    "region": (_("Shipping Region"), TEXT),
    "region_code": (_("Shipping State/Province"), TEXT),
    "country": (_("Shipping Country"), COUNTRY),
}
TEXT_OPERATORS = (*ops.TEXT, "is_one_of", "is_not_one_of")
COUNTRY_OPERATORS = ("is", "is_not", "is_one_of", "is_not_one_of")
OPERATORS = {NUMBER: ops.NUMBER, TEXT: TEXT_OPERATORS, COUNTRY: COUNTRY_OPERATORS}


def _operator_choices(codes):
    return tuple((code, ops.LABELS[code]) for code in codes)


def _clean_compared(node, kind, problems, path) -> dict:
    operator = clean_choice(node, "operator", _operator_choices(OPERATORS[kind]), problems, path)
    if operator in ("is_one_of", "is_not_one_of"):
        values = _values_list(node.get("value"))
        if not values:
            problems.add(f"{path}.value", _("Enter at least one value."))
        return {"operator": operator, "value": values}
    if kind == NUMBER:
        return {"operator": operator, "value": clean_decimal(node, problems, path)}
    return {"operator": operator, "value": clean_text(node, problems, path)}


def _values_list(raw) -> list[str]:
    items = raw if isinstance(raw, list) else str(raw or "").split(",")
    return [str(v).strip() for v in items if str(v).strip()]


def _show(value) -> str:
    return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)


class CartAttributeCondition(Condition):
    """The phrase "<Cart attribute> <operator> <value>": subtotal, quantity, weight, methods and the
    shipping address."""

    code = "cart_rule.cart_attribute"
    label = _("Cart Attribute")
    group = "cart"
    order = 100

    def entries(self):
        return [
            self.entry(label=label, defaults={"attribute": code}, fields=self._fields(kind))
            for code, (label, kind) in CART_ATTRIBUTES.items()
        ]

    def _fields(self, kind):
        value = Field("value", "number" if kind == NUMBER else "text")
        if kind == COUNTRY:
            from patron.core.locales import country_choices

            value = Field("value", "multiselect", tuple(c for c in country_choices() if c[0]))
        return [operator_field(OPERATORS[kind]), value]

    def fields(self, *, params=None):
        found = CART_ATTRIBUTES.get((params or {}).get("attribute"))
        return self._fields(found[1]) if found else []

    def clean_params(self, node, *, problems, path):
        found = CART_ATTRIBUTES.get(node.get("attribute"))
        if found is None:
            problems.add(f"{path}.attribute", _("Choose a cart attribute."))
            return {"attribute": node.get("attribute"), "operator": "is", "value": ""}
        return {"attribute": node["attribute"], **_clean_compared(node, found[1], problems, path)}

    def describe(self, node):
        label = CART_ATTRIBUTES.get(node["attribute"], (node["attribute"], ""))[0]
        return f"{label} {ops.LABELS[node['operator']]} {_show(node['value'])}"

    def actual(self, node, cart, item):
        attribute = node["attribute"]
        address = cart.shipping_address or {}
        if attribute == "subtotal_incl_tax":
            return cart.subtotal if cart.subtotal_incl_tax is None else cart.subtotal_incl_tax
        if attribute in ("subtotal", "total_qty", "weight"):
            return getattr(cart, attribute)
        if attribute in ("payment_method", "shipping_method"):
            return getattr(cart, attribute) or None
        return address.get(attribute) or None

    def evaluate(self, node, cart, item, children):
        return compare(self.actual(node, cart, item), node["operator"], node["value"])


# --- Products in the cart ---------------------------------------------------------------------


class ProductFoundCondition(Condition):
    """The phrase "If an item is FOUND / NOT FOUND in the cart with ALL / ANY of these
    conditions true"."""

    code = "cart_rule.product_found"
    label = _("Product attribute combination")
    group = "products"
    order = 200
    child_scope = ITEM
    FOUND = ((True, _("FOUND")), (False, _("NOT FOUND")))

    def fields(self, *, params=None):
        return [Field("value", "select", self.FOUND), Field("aggregator", "select", AGGREGATORS)]

    def clean_params(self, node, *, problems, path):
        return {
            "value": clean_choice(node, "value", self.FOUND, problems, path, True),
            "aggregator": clean_choice(node, "aggregator", AGGREGATORS, problems, path, "all"),
        }

    def describe(self, node):
        return str(
            _("If an item is %(found)s in the cart with %(aggregator)s of these conditions true")
            % {"found": dict(self.FOUND)[node["value"]],
               "aggregator": dict(AGGREGATORS)[node["aggregator"]]}
        )  # fmt: skip

    def actual(self, node, cart, item):
        return None

    def evaluate(self, node, cart, item, children):
        found = any(combine(children(line), node["aggregator"], True) for line in cart.items)
        return found == node["value"]


class ProductSubselectCondition(Condition):
    """The phrase "If total quantity / total amount <operator> <value> for a subselection of items in the
    cart matching ALL / ANY of these conditions"; the amount is the row total without tax."""

    code = "cart_rule.product_subselect"
    label = _("Products subselection")
    group = "products"
    order = 210
    child_scope = ITEM
    MEASURES = (("qty", _("total quantity")), ("row_total", _("total amount")))

    def fields(self, *, params=None):
        return [
            Field("attribute", "select", self.MEASURES),
            operator_field(ops.NUMBER),
            Field("value", "number"),
            Field("aggregator", "select", AGGREGATORS),
        ]

    def clean_params(self, node, *, problems, path):
        return {
            "attribute": clean_choice(node, "attribute", self.MEASURES, problems, path, "qty"),
            "operator": clean_choice(
                node, "operator", _operator_choices(ops.NUMBER), problems, path
            ),
            "value": clean_decimal(node, problems, path),
            "aggregator": clean_choice(node, "aggregator", AGGREGATORS, problems, path, "all"),
        }

    def describe(self, node):
        return str(
            _("If %(measure)s %(operator)s %(value)s for a subselection of items in the cart "
              "matching %(aggregator)s of these conditions")
            % {"measure": dict(self.MEASURES)[node["attribute"]],
               "operator": ops.LABELS[node["operator"]], "value": node["value"],
               "aggregator": dict(AGGREGATORS)[node["aggregator"]]}
        )  # fmt: skip

    def _matching(self, node, cart, children):
        return [line for line in cart.items if combine(children(line), node["aggregator"], True)]

    def actual(self, node, cart, item, children=None):
        lines = self._matching(node, cart, children) if children else cart.items
        return sum((getattr(line, node["attribute"]) for line in lines), Decimal(0))

    def evaluate(self, node, cart, item, children):
        total = self.actual(node, cart, item, children)
        return compare(total, node["operator"], node["value"])


ITEM_ATTRIBUTES: dict[str, tuple[Any, str]] = {
    "item_price": (_("Price in cart"), NUMBER),
    "item_qty": (_("Quantity in cart"), NUMBER),
    "item_row_total": (_("Row total in cart"), NUMBER),
}


class ItemAttributeCondition(Condition):
    """The phrase "<Cart item attribute> <operator> <value>" for one cart line."""

    code = "cart_rule.item_attribute"
    label = _("Cart Item Attribute")
    group = "item"
    order = 300
    scopes = frozenset({ITEM})

    def entries(self):
        return [
            self.entry(label=label, defaults={"attribute": code}, fields=self.fields())
            for code, (label, _kind) in ITEM_ATTRIBUTES.items()
        ]

    def fields(self, *, params=None):
        return [operator_field(ops.NUMBER), Field("value", "number")]

    def clean_params(self, node, *, problems, path):
        if node.get("attribute") not in ITEM_ATTRIBUTES:
            problems.add(f"{path}.attribute", _("Choose a cart item attribute."))
            return {"attribute": node.get("attribute"), "operator": "is", "value": "0"}
        return {"attribute": node["attribute"], **_clean_compared(node, NUMBER, problems, path)}

    def describe(self, node):
        label = ITEM_ATTRIBUTES.get(node["attribute"], (node["attribute"], ""))[0]
        return f"{label} {ops.LABELS[node['operator']]} {node['value']}"

    def actual(self, node, cart, item):
        if item is None:
            return None
        return {"item_price": item.price, "item_qty": item.qty,
                "item_row_total": item.row_total}[node["attribute"]]  # fmt: skip

    def evaluate(self, node, cart, item, children):
        return compare(self.actual(node, cart, item), node["operator"], node["value"])


CATEGORY_VARIANTS = {
    "category": _("Category"),
    "category_children_only": _("Category (Children Only)"),
    "category_parent_only": _("Category (Parent Only)"),
}


class ProductCondition(Condition):
    """The phrase "Product <attribute> <operator> <value>" for one cart line: SKU, Attribute Set, the three
    Category variants and the product attributes flagged "Use for Promo Rule Conditions". The
    attribute list, operators and value checks are the segments' product attribute condition's,
    so a product attribute behaves the same in both engines."""

    code = "cart_rule.product_attribute"
    label = _("Product Attribute")
    group = "product"
    order = 400
    scopes = frozenset({ITEM})

    @cached_property
    def _segment_condition(self) -> ProductAttributeCondition:
        return ProductAttributeCondition()

    def offered(self) -> dict[str, tuple[Any, str, tuple]]:
        offered = self._segment_condition.offered()
        category = offered.pop("category")
        return {
            **{code: (label, "category", category[2]) for code, label in CATEGORY_VARIANTS.items()},
            **offered,
        }

    def entries(self):
        return [
            self.entry(label=label, defaults={"attribute": code},
                       fields=self._segment_condition._fields(kind, choices))
            for code, (label, kind, choices) in self.offered().items()
        ]  # fmt: skip

    def fields(self, *, params=None):
        found = self.offered().get((params or {}).get("attribute"))
        return self._segment_condition._fields(found[1], found[2]) if found else []

    def clean_params(self, node, *, problems, path):
        attribute = node.get("attribute")
        if attribute in CATEGORY_VARIANTS:
            proxy = {**node, "attribute": "category"}
            cleaned = self._segment_condition.clean_params(
                proxy, apply_to="both", problems=problems, path=path
            )
            return {**cleaned, "attribute": attribute}
        return self._segment_condition.clean_params(
            node, apply_to="both", problems=problems, path=path
        )

    def describe(self, node):
        found = self.offered().get(node["attribute"])
        label = found[0] if found else node["attribute"]
        return f"{label} {ops.LABELS[node['operator']]} {_show(node['value'])}"

    def actual(self, node, cart, item):
        if item is None:
            return None
        attribute = node["attribute"]
        if attribute == "sku":
            return item.sku
        if attribute == "attribute_set":
            return item.attribute_set or None
        if attribute == "category":
            return item.category_codes | item.ancestor_codes
        if attribute == "category_parent_only":
            return item.category_codes
        if attribute == "category_children_only":
            return item.ancestor_codes
        value = item.attributes.get(attribute)
        return None if value in (None, "", []) else value

    def evaluate(self, node, cart, item, children):
        return compare(self.actual(node, cart, item), node["operator"], node["value"])


# --- Customer Segment (spec c §6) -------------------------------------------------------------

SEGMENT_OPERATORS = (
    ("matches", _("matches")),
    ("does_not_match", _("does not match")),
    ("is_one_of", _("is one of")),
    ("is_not_one_of", _("is not one of")),
)


def shopper_segment_ids(cart: CartFacts) -> set[int]:
    """The shopper's active segments on the cart's website: stored memberships for a customer,
    the visitor's (cached) memberships for a guest."""
    from patron.segments import services as segments

    def load():
        if cart.customer is not None:
            return set(segments.customer_segment_ids(customer=cart.customer, website=cart.website))
        ids = segments.visitor_segment_ids(website=cart.website, visitor_id=cart.visitor_id)
        # Cached while the segment was active: a segment switched off since counts for nobody.
        return active_segment_ids(cart, ids)

    return cart.remember("segment_ids", load)


def active_segment_ids(cart: CartFacts, ids) -> set[int]:
    """Those of ``ids`` that are active segments (read once per cart evaluation)."""
    from patron.segments.models import Segment

    wanted = sorted(set(ids))
    known = cart.remember("active_segments", dict)
    missing = [i for i in wanted if i not in known]
    if missing:
        active = set(
            Segment.objects.filter(pk__in=missing, is_active=True).values_list("pk", flat=True)
        )
        known.update({i: i in active for i in missing})
    return {i for i in wanted if known[i]}


class CustomerSegmentCondition(Condition):
    """The phrase "If Customer Segment <operator> <ids>": ``matches`` / ``is one of`` hold when
    the shopper belongs to at least one listed segment on the cart's website, the negative ones
    when to none. Inactive listed segments are left out, and the condition fails when none is
    left (issue 12: an inactive segment makes its condition fail). Always false with segments
    switched off or without a shopper to ask about."""

    code = "cart_rule.customer_segment"
    label = _("Customer Segment")
    group = "customer"
    order = 500

    def is_offered(self) -> bool:
        from patron.segments.services import is_enabled

        return is_enabled()

    def fields(self, *, params=None):
        from patron.segments.models import Segment

        choices = tuple(Segment.objects.order_by("pk").values_list("pk", "name"))
        return [Field("operator", "select", SEGMENT_OPERATORS), Field("value", "segments", choices)]

    def clean_params(self, node, *, problems, path):
        from patron.segments.models import Segment

        operator = clean_choice(node, "operator", SEGMENT_OPERATORS, problems, path, "matches")
        raw = _values_list(node.get("value"))
        if not raw:
            problems.add(f"{path}.value", _("Choose at least one segment."))
            return {"operator": operator, "value": []}
        if not all(v.isdigit() for v in raw):
            problems.add(f"{path}.value", _("Enter segment IDs separated by commas."))
            return {"operator": operator, "value": []}
        ids = sorted({int(v) for v in raw})
        missing = sorted(
            set(ids) - set(Segment.objects.filter(pk__in=ids).values_list("pk", flat=True))
        )
        if missing:
            problems.add(
                f"{path}.value",
                _("There is no segment with ID %(ids)s.") % {"ids": ", ".join(map(str, missing))},
            )
        return {"operator": operator, "value": ids}

    def describe(self, node):
        return str(
            _("Customer Segment %(operator)s %(ids)s")
            % {"operator": dict(SEGMENT_OPERATORS)[node["operator"]], "ids": _show(node["value"])}
        )

    def actual(self, node, cart, item):
        if not self.is_offered() or (cart.customer is None and not cart.visitor_id):
            return None
        return sorted(shopper_segment_ids(cart))

    def evaluate(self, node, cart, item, children):
        mine = self.actual(node, cart, item)
        if mine is None:
            return False
        listed = active_segment_ids(cart, node["value"])
        if not listed:
            return False
        member = bool(set(mine) & listed)
        return member if node["operator"] in ("matches", "is_one_of") else not member


# --- The registry -----------------------------------------------------------------------------

CATALOGUE: list[type[Condition]] = [
    Combination,
    CartAttributeCondition,
    ProductFoundCondition,
    ProductSubselectCondition,
    ItemAttributeCondition,
    ProductCondition,
    CustomerSegmentCondition,
]


def register(condition_class: type[Condition]) -> Condition:
    """Add a condition type to the cart rule engine (other apps call this in ``ready()``)."""
    condition = condition_class()
    condition_types.register(
        ConditionType(
            code=condition.code, label=condition.label, order=condition.order, engine=ENGINE,
            implementation=condition,
        )
    )  # fmt: skip
    return condition


def register_catalogue() -> None:
    for condition_class in CATALOGUE:
        register(condition_class)


def rule_condition(code: str) -> Condition | None:
    if code not in condition_types:
        return None
    entry = condition_types.get(code)
    return entry.implementation if entry.engine == ENGINE else None


def catalogue(scope: str = ROOT) -> list[dict[str, Any]]:
    """What a builder offers, in picker order, for nodes in ``scope``."""
    offered = []
    for entry in condition_types:
        condition = entry.implementation
        if entry.engine == ENGINE and scope in condition.scopes and condition.is_offered():
            offered.extend(condition.entries())
    return offered
