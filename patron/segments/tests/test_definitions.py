"""Segment definitions (spec c §3, §4.3, §4.5, checks 9-12): defaults, Apply To fixed after the
first save, the conditions each Apply To offers and accepts, every refusal with the path of the
field at fault, the limits of a tree, and what a tree depends on (events, the date)."""

import datetime as dt
from decimal import Decimal

import pytest

from patron.core.actors import SYSTEM
from patron.core.errors import InvalidInput
from patron.customers.models import Customer
from patron.customers.tests.factories import make_customer
from patron.sales.models import Order
from patron.segments import services
from patron.segments.conditions import segment_conditions
from patron.segments.models import Segment, SegmentMembership
from patron.segments.tests.conftest import (
    address_attribute,
    cart_line_items,
    cart_qty,
    cart_total,
    combine,
    customer_address,
    customer_attribute,
    date_range,
    default_address,
    default_address_exists,
    make_product,
    member_ids,
    newsletter,
    number_of_orders,
    order_address,
    order_address_attribute,
    order_address_type,
    order_status,
    place_order,
    product_attribute,
    product_history,
    product_list,
    purchased_qty,
    refreshed_members,
    sales_amount,
    store_credit,
    up_to_date,
)
from patron.segments.trees import MAX_DEPTH, MAX_NODES, is_visitor_capable

FEMALE = 2
ROOT_EVENTS = ["accountCreated", "signIn"]


def problems_of(error: InvalidInput) -> list[tuple[str, str]]:
    return [(p.field, p.message) for p in error.problems]


def fields_of(error: InvalidInput) -> list[str]:
    return [p.field for p in error.problems]


def refused(make_segment, tree=None, **fields) -> InvalidInput:
    """Create a segment that must be refused; check that nothing was written."""
    with pytest.raises(InvalidInput) as error:
        make_segment(tree, **fields)
    assert Segment.objects.count() == 0
    return error.value


# --- Defaults and Apply To ----------------------------------------------------------------------


def test_a_new_segment_is_active_and_applies_to_visitors_and_registered_customers(website_a):
    # when: only the required fields are given (check 9)
    segment = services.create_segment(name="  Everyone  ", websites=[website_a], actor=SYSTEM)

    # then
    segment.refresh_from_db()
    assert (segment.name, segment.is_active, segment.apply_to) == ("Everyone", True, "both")
    assert list(segment.websites.all()) == [website_a]
    assert segment.conditions == combine()


def test_apply_to_sent_with_a_change_is_ignored(make_segment):
    # given: a registered-only segment built on an account attribute
    segment = make_segment(
        combine(customer_attribute("gender", "is", FEMALE)), apply_to="registered"
    )

    # when: a change also sends another Apply To (check 9)
    services.update_segment(segment=segment, apply_to="visitors", name="Women", actor=SYSTEM)

    # then: the change is kept, Apply To is not
    segment.refresh_from_db()
    assert (segment.name, segment.apply_to) == ("Women", "registered")


def test_conditions_sent_with_a_change_are_checked_against_the_original_apply_to(make_segment):
    # given
    segment = make_segment(combine(cart_qty("gte", 1)), apply_to="visitors")

    # when: the change asks for registered-only conditions and Apply To "registered" at once
    with pytest.raises(InvalidInput) as error:
        services.update_segment(
            segment=segment,
            apply_to="registered",
            conditions=combine(newsletter()),
            actor=SYSTEM,
        )

    # then
    assert fields_of(error.value) == ["conditions.conditions[0].type"]
    segment.refresh_from_db()
    assert (segment.apply_to, segment.conditions) == ("visitors", combine(cart_qty("gte", "1")))


def test_an_unknown_apply_to_is_refused_naming_the_field(make_segment):
    # when
    error = refused(make_segment, combine(), apply_to="guests")

    # then
    assert (error.field, error.code) == ("apply_to", "invalid")


# --- What a Visitors segment may use (check 10) -------------------------------------------------


@pytest.mark.parametrize(
    ("node", "field"),
    [
        pytest.param(customer_attribute("gender", "is", FEMALE), "type", id="customer"),
        pytest.param(default_address_exists("billing"), "type", id="default_billing_exists"),
        pytest.param(newsletter(), "type", id="newsletter"),
        pytest.param(store_credit("gt", 0), "type", id="store_credit"),
        pytest.param(
            customer_address(address_attribute("city", "is", "Berlin")), "type", id="address"
        ),
        pytest.param(
            order_address(order_address_type("billing")), "type", id="sales_order_address"
        ),
        pytest.param(sales_amount("gte", 500), "type", id="sales_amount"),
        pytest.param(number_of_orders("is", 0), "type", id="number_of_orders"),
        pytest.param(purchased_qty("gt", 10), "type", id="purchased_qty"),
        pytest.param(product_list(source="wishlist"), "source", id="wish_list"),
        pytest.param(product_history(source="ordered"), "source", id="ordered"),
        pytest.param(cart_total("gt", 0, field="store_credit"), "field", id="cart_store_credit"),
    ],
)
def test_a_visitors_segment_refuses_registered_only_conditions(make_segment, node, field):
    # when
    error = refused(make_segment, combine(cart_qty("gte", 1), node), apply_to="visitors")

    # then: the problem names the second condition's field at fault
    assert fields_of(error) == [f"conditions.conditions[1].{field}"]


def test_a_mixed_segment_accepts_the_registered_only_conditions(make_segment):
    # when
    segment = make_segment(
        combine(
            newsletter(),
            product_list(source="wishlist"),
            product_history(source="ordered"),
            cart_total("gt", 0, field="store_credit"),
        ),
        apply_to="both",
    )

    # then
    assert [c["type"] for c in segment.conditions["conditions"]] == [
        "newsletter",
        "product_list",
        "product_history",
        "cart_total",
    ]


def picker(apply_to: str) -> list[dict]:
    """Every entry the condition picker offers for ``apply_to``."""
    return [
        entry
        for condition in segment_conditions()
        if condition.is_available(apply_to)
        for entry in condition.entries(apply_to=apply_to)
    ]


def choices(entries: list[dict], type_: str, field: str) -> list:
    entry = next(e for e in entries if e["type"] == type_)
    found = next(f for f in entry["fields"] if f["name"] == field)
    return [value for value, _label in found["choices"]]


def test_the_picker_of_a_visitors_segment_offers_no_registered_only_options(db):
    # when (check 10)
    entries = picker("visitors")

    # then: no Customer, Customer Address or Sales entry, no Wish List, ordered, Store Credit
    assert sorted({e["group"] for e in entries}) == [
        "Conditions Combination",
        "Date Ranges",
        "Product Attribute",
        "Products",
        "Shopping Cart",
    ]
    assert all(e["visitor"] for e in entries)
    assert choices(entries, "product_list", "source") == ["cart"]
    assert choices(entries, "product_history", "source") == ["viewed"]
    assert "store_credit" not in choices(entries, "cart_total", "field")
    assert choices(entries, "cart_total", "field") == [
        "subtotal",
        "grand_total",
        "tax",
        "shipping",
        "gift_card",
    ]


def test_the_picker_of_a_mixed_segment_offers_everything_and_marks_what_visitors_can_meet(db):
    # when
    entries = picker("both")

    # then: the registered-only groups and options are there, without the visitor mark
    groups = {e["group"] for e in entries}
    assert {"Customer", "Customer Address", "Sales"} <= groups
    assert not any(e["visitor"] for e in entries if e["group"] in ("Customer", "Sales"))
    assert choices(entries, "product_list", "source") == ["cart", "wishlist"]
    assert choices(entries, "product_history", "source") == ["viewed", "ordered"]
    assert "store_credit" in choices(entries, "cart_total", "field")
    # the asterisk of spec c §4.3 follows the option chosen
    assert is_visitor_capable(cart_total("gt", 0)) is True
    assert is_visitor_capable(cart_total("gt", 0, field="store_credit")) is False
    assert is_visitor_capable(product_list(source="cart")) is True
    assert is_visitor_capable(product_list(source="wishlist")) is False
    assert is_visitor_capable(product_history(source="viewed")) is True
    assert is_visitor_capable(product_history(source="ordered")) is False
    assert is_visitor_capable(newsletter()) is False


# --- Stored members: visitors-only segments and deleting (checks 11, 12) ------------------------


def test_refreshing_a_visitors_segment_leaves_no_stored_members(make_segment, view_a):
    # given: registered customers exist, and a conditionless segment of each kind
    make_customer("ada@example.com", store_view=view_a)
    make_customer("grace@example.com", store_view=view_a)
    visitors = make_segment(combine(), apply_to="visitors")
    mixed = make_segment(combine(), apply_to="both")
    now = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)

    # when (check 11)
    result = services.refresh_segment(segment=visitors, now=now)

    # then: nothing is stored for the visitors segment, while the mixed one stores everyone
    assert result.as_dict() == {"joined": 0, "left": 0, "members": 0}
    assert SegmentMembership.objects.filter(segment=visitors).count() == 0
    visitors.refresh_from_db()
    assert visitors.refreshed_at == now
    assert len(refreshed_members(mixed, now=now)) == 2


def test_deleting_a_segment_removes_its_members_and_keeps_customers_and_orders(
    make_segment, view_a
):
    # given: two segments with the same member, who has an order
    make_product("MUG")
    ada = make_customer("ada@example.com", store_view=view_a)
    place_order(view_a, ada, grand_total="30.00", placed_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC))
    doomed = make_segment(combine(number_of_orders("gte", 1)), name="Buyers")
    kept = make_segment(combine(number_of_orders("gte", 1)), name="Buyers too")
    assert refreshed_members(doomed) == refreshed_members(kept) == {ada.pk}

    # when (check 12)
    services.delete_segment(segment=doomed, actor=SYSTEM)

    # then
    assert list(Segment.objects.values_list("name", flat=True)) == ["Buyers too"]
    assert SegmentMembership.objects.filter(segment_id=doomed.pk).count() == 0
    assert member_ids(kept) == {ada.pk}
    assert list(Customer.objects.values_list("pk", flat=True)) == [ada.pk]
    assert list(Order.objects.values_list("customer_id", "grand_total")) == [
        (ada.pk, Decimal("30.0000"))
    ]


# --- General properties refused -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        pytest.param({"name": "   "}, ("name", "Enter the segment name."), id="blank_name"),
        pytest.param({"name": "x" * 256}, ("name", "Enter at most 255 characters."), id="long"),
        pytest.param({"websites": []}, ("websites", "Choose at least one website."), id="none"),
        pytest.param(
            {"websites": [987654]},
            ("websites", "One of the chosen websites does not exist."),
            id="unknown_website",
        ),
        pytest.param(
            {"websites": ["base"]},
            ("websites", "One of the chosen websites does not exist."),
            id="not_an_id",
        ),
    ],
)
def test_general_properties_are_refused_naming_the_field(make_segment, fields, problem):
    # when
    error = refused(make_segment, combine(), **fields)

    # then
    assert problems_of(error) == [problem]


def test_a_name_of_255_characters_is_accepted(make_segment):
    # when
    segment = make_segment(combine(), name="x" * 255)

    # then
    assert len(segment.name) == 255


def test_every_problem_of_a_definition_is_reported_together(make_segment):
    # when
    error = refused(
        make_segment,
        combine(customer_attribute("gender", "contains", FEMALE), cart_qty("gte", "many")),
        name="",
        websites=[],
    )

    # then
    assert fields_of(error) == [
        "name",
        "websites",
        "conditions.conditions[0].operator",
        "conditions.conditions[1].value",
    ]


def test_a_change_is_refused_as_a_whole_and_leaves_the_segment_as_it_was(make_segment):
    # given
    segment = make_segment(combine(cart_qty("gte", 1)), name="Shoppers")

    # when
    with pytest.raises(InvalidInput) as error:
        services.update_segment(
            segment=segment, name="", conditions=combine(cart_qty("gte", -1)), actor=SYSTEM
        )

    # then: -1 is a number, so only the name is refused, and nothing changed
    assert fields_of(error.value) == ["name"]
    segment.refresh_from_db()
    assert segment.name == "Shoppers"


# --- Condition trees refused with their paths ---------------------------------------------------


@pytest.mark.parametrize(
    ("tree", "problem"),
    [
        pytest.param(
            combine({"type": "lottery"}),
            ("conditions.conditions[0].type", "Unknown condition type 'lottery'."),
            id="unknown_type",
        ),
        pytest.param(
            combine(default_address("billing")),
            ("conditions.conditions[0].type", "Default Address cannot be used here."),
            id="default_address_at_the_root",
        ),
        pytest.param(
            combine(address_attribute("city", "is", "Berlin")),
            ("conditions.conditions[0].type", "Address attribute cannot be used here."),
            id="address_attribute_at_the_root",
        ),
        pytest.param(
            combine(sales_amount("gt", 1, up_to_date("lte", 3), order_address_type("billing"))),
            ("conditions.conditions[0].conditions[1].type", "Address Type cannot be used here."),
            id="address_type_among_order_filters",
        ),
        pytest.param(
            combine(product_list(order_status("complete"))),
            ("conditions.conditions[0].conditions[0].type", "Order Status cannot be used here."),
            id="order_status_in_a_product_list",
        ),
        pytest.param(
            combine(customer_attribute("gender", "contains", FEMALE)),
            ("conditions.conditions[0].operator", "Choose one of: is, is_not."),
            id="bad_operator",
        ),
        pytest.param(
            combine(customer_attribute("shoe_size", "is", "42")),
            (
                "conditions.conditions[0].attribute",
                "This attribute does not exist or is not used in customer segments.",
            ),
            id="unknown_attribute",
        ),
        pytest.param(
            combine(customer_attribute("gender", "is", 9)),
            ("conditions.conditions[0].value", "Choose one of: 1, 2, 3."),
            id="bad_choice",
        ),
        pytest.param(
            combine(customer_attribute("dob", "is", "1990-13-01")),
            ("conditions.conditions[0].value", "Enter a date as YYYY-MM-DD."),
            id="bad_date",
        ),
        pytest.param(
            combine(sales_amount("gte", "lots")),
            ("conditions.conditions[0].value", "Enter a number."),
            id="bad_number",
        ),
        pytest.param(
            combine(sales_amount("gte", "1e18")),
            ("conditions.conditions[0].value", "Enter a smaller number."),
            id="huge_number",
        ),
        pytest.param(
            combine(combine(customer_address(address_attribute("city", "contains", "  ")))),
            ("conditions.conditions[0].conditions[0].conditions[0].value", "Enter a value."),
            id="blank_text_deep_inside",
        ),
        pytest.param(
            combine(product_history(up_to_date("lte", "seven"))),
            (
                "conditions.conditions[0].conditions[0].value",
                "Enter a whole number of days (0 or more).",
            ),
            id="bad_days",
        ),
        pytest.param(
            combine(number_of_orders("gte", 3, date_range("2024-03-31", "2024-01-01"))),
            ("conditions.conditions[0].conditions[0].value", "The range ends before it starts."),
            id="reversed_range",
        ),
        pytest.param(
            combine(aggregator="some"),
            ("conditions.aggregator", "Choose one of: all, any."),
            id="bad_aggregator_at_the_root",
        ),
        pytest.param(
            combine(product_list(operator="was")),
            ("conditions.conditions[0].operator", "Choose one of: found, not_found."),
            id="product_list_operator",
        ),
        pytest.param(
            combine(order_address(order_address_attribute("country_id", "is", "XX"))),
            ("conditions.conditions[0].conditions[0].value", None),
            id="unknown_country",
        ),
        pytest.param(
            {"type": "newsletter", "value": True},
            ("conditions", "The conditions must start with a conditions combination."),
            id="root_not_a_combination",
        ),
        pytest.param(
            combine("gender"),
            ("conditions.conditions[0]", "Each condition must be an object with a type."),
            id="not_an_object",
        ),
    ],
)
def test_a_condition_tree_is_refused_at_the_path_of_the_fault(make_segment, tree, problem):
    # when
    error = refused(make_segment, tree)

    # then
    (found,) = problems_of(error)
    path, message = problem
    assert found[0] == path
    if message is not None:
        assert found[1] == message


def test_values_are_stored_normalized(make_segment):
    # when: a form sends choices as text, with other cases and spaces around text
    segment = make_segment(
        combine(
            customer_attribute("gender", "is", "2"),
            customer_address(
                address_attribute("country_id", "is", "de"),
                address_attribute("city", "is", "  Berlin "),
                aggregator="ANY",
            ),
            aggregator="any",
            value="false",
        )
    )

    # then
    root = segment.conditions
    assert (root["aggregator"], root["value"]) == ("any", False)
    gender, address = root["conditions"]
    assert gender["value"] == FEMALE
    assert address["aggregator"] == "any"
    assert [c["value"] for c in address["conditions"]] == ["DE", "Berlin"]


# --- Limits -------------------------------------------------------------------------------------


def nested(levels: int) -> dict:
    """A root with ``levels`` combinations nested under it, a condition at the bottom."""
    node = cart_qty("gte", 1)
    for _ in range(levels):
        node = combine(node)
    return combine(node)


def test_conditions_nest_down_to_the_depth_limit(make_segment):
    # when: the innermost condition stands at depth MAX_DEPTH
    segment = make_segment(nested(MAX_DEPTH - 1))

    # then
    depth, node = 0, segment.conditions
    while node.get("conditions"):
        depth, node = depth + 1, node["conditions"][0]
    assert (depth, node["type"]) == (MAX_DEPTH, "cart_qty")


def test_a_condition_deeper_than_the_limit_is_refused(make_segment):
    # when
    error = refused(make_segment, nested(MAX_DEPTH))

    # then
    path = "conditions" + ".conditions[0]" * (MAX_DEPTH + 1)
    assert problems_of(error) == [(path, f"Conditions can be nested at most {MAX_DEPTH} deep.")]


def test_a_tree_of_the_size_limit_is_accepted(make_segment):
    # when: the root and MAX_NODES - 1 conditions
    segment = make_segment(combine(*[cart_qty("gte", 1)] * (MAX_NODES - 1)))

    # then
    assert len(segment.conditions["conditions"]) == MAX_NODES - 1


def test_a_tree_larger_than_the_limit_is_refused(make_segment):
    # when
    error = refused(make_segment, combine(*[cart_qty("gte", 1)] * MAX_NODES))

    # then
    assert problems_of(error) == [
        (
            f"conditions.conditions[{MAX_NODES - 1}]",
            f"A segment can have at most {MAX_NODES} conditions.",
        )
    ]


# --- What a tree depends on (spec c §4.5, §4.6) -------------------------------------------------


@pytest.mark.parametrize(
    ("node", "events"),
    [
        pytest.param(None, [], id="root_only"),
        pytest.param(
            customer_attribute("gender", "is", FEMALE),
            ["accountUpdated", "groupChanged"],
            id="customer_attribute",
        ),
        pytest.param(
            default_address_exists("shipping"),
            ["accountUpdated", "addressDeleted", "addressSaved"],
            id="default_address_exists",
        ),
        pytest.param(
            customer_address(default_address("billing"), address_attribute("city", "is", "Oslo")),
            ["accountUpdated", "addressDeleted", "addressSaved"],
            id="customer_address",
        ),
        pytest.param(newsletter(), ["accountUpdated", "newsletterChanged"], id="newsletter"),
        pytest.param(store_credit("gt", 0), ["storeCreditChanged"], id="store_credit"),
        pytest.param(cart_total("gte", 100), ["cartChanged"], id="cart_total"),
        pytest.param(cart_line_items("is", 2), ["cartChanged"], id="cart_line_items"),
        pytest.param(cart_qty("is", 10), ["cartChanged"], id="cart_qty"),
        pytest.param(
            product_list(product_attribute("sku", "is", "MUG")), ["cartChanged"], id="in_cart"
        ),
        pytest.param(product_list(source="wishlist"), ["wishlistChanged"], id="in_wish_list"),
        pytest.param(product_history(), ["productViewed"], id="viewed"),
        pytest.param(
            product_history(source="ordered"), ["orderChanged", "orderRecorded"], id="ordered"
        ),
        pytest.param(
            order_address(order_address_type("billing")),
            ["orderChanged", "orderRecorded"],
            id="order_address",
        ),
        pytest.param(
            sales_amount("gte", 500, order_status("complete")),
            ["orderChanged", "orderRecorded"],
            id="sales_amount",
        ),
        pytest.param(number_of_orders("is", 0), ["orderChanged", "orderRecorded"], id="orders"),
        pytest.param(purchased_qty("gt", 10), ["orderChanged", "orderRecorded"], id="qty"),
    ],
)
def test_a_segment_listens_to_the_events_its_conditions_depend_on(make_segment, node, events):
    # when
    segment = make_segment(combine(node) if node else combine())

    # then: sign-in and account creation re-evaluate every segment
    assert segment.events == sorted({*ROOT_EVENTS, *events})


def test_the_events_of_nested_conditions_are_merged(make_segment):
    # when
    segment = make_segment(
        combine(combine(newsletter(), combine(cart_qty("gt", 1)), aggregator="any"))
    )

    # then
    assert segment.events == sorted(
        {*ROOT_EVENTS, "accountUpdated", "newsletterChanged", "cartChanged"}
    )


def test_a_change_of_conditions_changes_the_events(make_segment):
    # given
    segment = make_segment(combine(cart_qty("gt", 1)))

    # when
    services.update_segment(
        segment=segment, conditions=combine(store_credit("gt", 0)), actor=SYSTEM
    )

    # then
    segment.refresh_from_db()
    assert segment.events == sorted({*ROOT_EVENTS, "storeCreditChanged"})


@pytest.mark.parametrize(
    ("node", "depends"),
    [
        pytest.param(sales_amount("gte", 500, up_to_date("lte", 30)), True, id="orders_up_to"),
        pytest.param(product_history(up_to_date("gt", 7)), True, id="views_up_to_date"),
        pytest.param(
            combine(combine(product_list(up_to_date("lte", 1)))), True, id="deep_up_to_date"
        ),
        pytest.param(
            number_of_orders("gte", 3, date_range("2024-01-01", "2024-03-31")),
            False,
            id="date_range",
        ),
        pytest.param(customer_attribute("dob", "is", "1990-05-01"), False, id="date_of_birth"),
    ],
)
def test_only_an_up_to_date_period_makes_a_segment_depend_on_the_date(make_segment, node, depends):
    # when
    segment = make_segment(combine(node))

    # then
    assert segment.depends_on_time is depends


def test_removing_the_up_to_date_period_stops_the_dependence_on_the_date(make_segment):
    # given
    segment = make_segment(combine(sales_amount("gte", 500, up_to_date("lte", 30))))

    # when
    services.update_segment(
        segment=segment, conditions=combine(sales_amount("gte", 500)), actor=SYSTEM
    )

    # then
    segment.refresh_from_db()
    assert segment.depends_on_time is False
