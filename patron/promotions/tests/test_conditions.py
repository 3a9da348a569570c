"""Cart price rule conditions (spec c §11.2, §6; checks 7, 8, 34, 36, 37): every cart attribute,
products found or not found, subselections, cart item and product attributes, nested
combinations and the Customer Segment condition for registered customers and guests. Each test
saves a rule through ``save_rule`` and asks ``evaluate_cart`` whether it applies."""

from decimal import Decimal

import pytest

from patron.core.actors import SYSTEM
from patron.customers.tests.factories import make_customer
from patron.promotions import trees
from patron.promotions.conditions import CartFacts
from patron.promotions.tests.conftest import (
    GUEST,
    REGISTERED,
    SEGMENTS_ENABLED,
    applied_ids,
    cart_attribute,
    customer_segment,
    evaluate,
    found,
    item_attribute,
    line,
    make_category,
    make_product,
    product_attribute,
    subselect,
    tree,
)
from patron.sales import services as sales
from patron.segments import services as segments
from patron.segments.tests.conftest import cart_total, combine, customer_attribute, set_cart
from patron.testing.fixtures import set_config


def applies(rule, store_view, items, **cart) -> bool:
    return rule.pk in applied_ids(evaluate(store_view, items, **cart))


# --- Cart attributes ----------------------------------------------------------------------------


def test_subtotal_excl_tax_compares_the_sum_of_row_totals(make_rule, view_a):
    # given
    rule = make_rule(conditions=tree(cart_attribute("subtotal", "gte", "100")))

    # when / then: 2 x 40 + 20 = 100 holds, 99.99 does not
    assert applies(rule, view_a, [line("A", 2, "40"), line("B", 1, "20")])
    assert not applies(rule, view_a, [line("A", 2, "40"), line("B", 1, "19.99")])


def test_subtotal_incl_tax_uses_the_amount_the_checkout_sends(make_rule, view_a):
    # given
    rule = make_rule(conditions=tree(cart_attribute("subtotal_incl_tax", "gt", "105")))
    items = [line("A", 1, "100")]

    # when / then
    assert applies(rule, view_a, items, subtotal_incl_tax="119")
    assert not applies(rule, view_a, items, subtotal_incl_tax="105")


def test_subtotal_incl_tax_falls_back_to_the_subtotal_when_not_sent(make_rule, view_a):
    # given
    rule = make_rule(conditions=tree(cart_attribute("subtotal_incl_tax", "gte", "100")))

    # when / then
    assert applies(rule, view_a, [line("A", 1, "100")])
    assert not applies(rule, view_a, [line("A", 1, "99")])


def test_total_items_quantity_adds_the_quantities_of_all_lines(make_rule, view_a):
    # given
    rule = make_rule(conditions=tree(cart_attribute("total_qty", "is", "5")))

    # when / then
    assert applies(rule, view_a, [line("A", 2, "1"), line("B", 3, "1")])
    assert not applies(rule, view_a, [line("A", 2, "1"), line("B", 2, "1")])


def test_total_weight_comes_from_the_catalogue_times_the_quantity(make_rule, view_a):
    # given: a 1.5 kg product
    make_product("KETTLE", price="30", weight=Decimal("1.5"))
    rule = make_rule(conditions=tree(cart_attribute("weight", "gte", "3")))

    # when / then: two weigh 3, one 1.5
    assert applies(rule, view_a, [line("KETTLE", 2)])
    assert not applies(rule, view_a, [line("KETTLE", 1)])


@pytest.mark.parametrize(
    ("attribute", "cart"),
    [
        ("payment_method", {"payment_method": "checkmo"}),
        ("shipping_method", {"shipping_method": "checkmo"}),
    ],
    ids=["payment_case", "shipping_case"],
)
def test_payment_and_shipping_methods_compare_the_codes_sent(make_rule, view_a, attribute, cart):
    # given
    rule = make_rule(conditions=tree(cart_attribute(attribute, "is", "checkmo")))
    items = [line("A", 1, "10")]

    # when / then: the code sent holds, another or none does not
    assert applies(rule, view_a, items, **cart)
    assert not applies(rule, view_a, items, **{key: "other" for key in cart})
    assert not applies(rule, view_a, items)


def test_shipping_postcode_contains(make_rule, view_a):
    # given
    rule = make_rule(conditions=tree(cart_attribute("postcode", "contains", "101")))
    items = [line("A", 1, "10")]

    # when / then
    assert applies(rule, view_a, items, shipping_address={"postcode": "10115"})
    assert not applies(rule, view_a, items, shipping_address={"postcode": "20095"})


def test_shipping_region_and_state_province(make_rule, view_a):
    # given
    region = make_rule(conditions=tree(cart_attribute("region", "is", "Berlin")))
    code = make_rule(conditions=tree(cart_attribute("region_code", "is_one_of", ["BE", "BB"])))
    items = [line("A", 1, "10")]

    # when
    berlin = applied_ids(evaluate(view_a, items, shipping_address={
        "country_id": "DE", "region": "berlin", "region_code": "BE"}))  # fmt: skip
    hamburg = applied_ids(evaluate(view_a, items, shipping_address={
        "country_id": "DE", "region": "Hamburg", "region_code": "HH"}))  # fmt: skip

    # then: text compares without regard to case
    assert berlin == [region.pk, code.pk]
    assert hamburg == []


def test_shipping_country_is_one_of(make_rule, view_a):
    # given
    rule = make_rule(conditions=tree(cart_attribute("country", "is_one_of", ["DE", "AT"])))
    items = [line("A", 1, "10")]

    # when / then
    assert applies(rule, view_a, items, shipping_address={"country_id": "at"})
    assert not applies(rule, view_a, items, shipping_address={"country_id": "CH"})
    assert not applies(rule, view_a, items)


def test_shipping_country_is_not_one_of_needs_an_address(make_rule, view_a):
    # given
    rule = make_rule(conditions=tree(cart_attribute("country", "is_not_one_of", ["DE", "AT"])))
    items = [line("A", 1, "10")]

    # when / then: CH is not one of them; a cart without a country has no value to compare
    assert applies(rule, view_a, items, shipping_address={"country_id": "CH"})
    assert not applies(rule, view_a, items, shipping_address={"country_id": "DE"})


# --- Products found, not found, subselections ---------------------------------------------------


@pytest.fixture
def shoes(db):
    """Categories shoes > boots, and hats; a SHOE in shoes, a BOOT in boots, a HAT in hats."""
    shoes = make_category("shoes")
    make_category("boots", parent=shoes)
    make_category("hats")
    make_product("SHOE", price="50", categories=["shoes"], attribute_set="Footwear")
    make_product("BOOT", price="80", categories=["boots"], attribute_set="Footwear")
    make_product("HAT", price="20", categories=["hats"])
    return shoes


def test_a_product_found_in_the_cart(make_rule, view_a, shoes):
    # given
    rule = make_rule(conditions=tree(found(product_attribute("sku", "is", "SHOE"))))

    # when / then
    assert applies(rule, view_a, [line("HAT"), line("SHOE")])
    assert not applies(rule, view_a, [line("HAT"), line("BOOT")])


def test_a_product_not_found_in_the_cart(make_rule, view_a, shoes):
    # given
    rule = make_rule(
        conditions=tree(found(product_attribute("category", "is", "shoes"), value=False))
    )

    # when / then: a boot is in a child category of shoes
    assert applies(rule, view_a, [line("HAT")])
    assert not applies(rule, view_a, [line("HAT"), line("BOOT")])


def test_not_found_holds_for_an_empty_cart(make_rule, website_a, view_a, shoes):
    # given (check 24's not found): the checkout never sends an empty cart, so the tree is
    # asked directly
    rule = make_rule(
        conditions=tree(found(product_attribute("category", "is", "shoes"), value=False))
    )
    found_rule = make_rule(conditions=tree(found(product_attribute("category", "is", "shoes"))))
    empty = CartFacts(website=website_a, store_view=view_a, items=[])

    # when / then
    assert trees.holds(rule.conditions, empty) is True
    assert trees.holds(found_rule.conditions, empty) is False


def test_found_with_any_of_its_conditions(make_rule, view_a, shoes):
    # given
    rule = make_rule(conditions=tree(found(
        product_attribute("sku", "is", "SHOE"), item_attribute("item_qty", "gte", "3"),
        aggregator="any",
    )))  # fmt: skip

    # when / then: three hats, or one shoe
    assert applies(rule, view_a, [line("HAT", 3)])
    assert applies(rule, view_a, [line("SHOE", 1)])
    assert not applies(rule, view_a, [line("HAT", 2)])


def test_found_with_all_its_conditions_needs_them_on_the_same_item(make_rule, view_a, shoes):
    # given
    rule = make_rule(conditions=tree(found(
        product_attribute("sku", "is", "SHOE"), item_attribute("item_qty", "gte", "3"),
    )))  # fmt: skip

    # when / then: three hats and one shoe is no item meeting both
    assert not applies(rule, view_a, [line("HAT", 3), line("SHOE", 1)])
    assert applies(rule, view_a, [line("SHOE", 3)])


def test_subselection_total_quantity_of_matching_items(make_rule, view_a, shoes):
    # given
    rule = make_rule(conditions=tree(
        subselect("qty", "gte", "3", product_attribute("category", "is", "shoes"))
    ))  # fmt: skip

    # when / then: 2 shoes + 1 boot = 3; the 5 hats do not count
    assert applies(rule, view_a, [line("SHOE", 2), line("BOOT", 1), line("HAT", 5)])
    assert not applies(rule, view_a, [line("SHOE", 2), line("HAT", 5)])


def test_subselection_total_amount_is_the_row_total_of_matching_items(make_rule, view_a, shoes):
    # given
    rule = make_rule(conditions=tree(
        subselect("row_total", "gt", "129.99", product_attribute("category", "is", "shoes"))
    ))  # fmt: skip

    # when / then: 50 + 80 = 130; 50 + 20 (a hat) = 70
    assert applies(rule, view_a, [line("SHOE"), line("BOOT")])
    assert not applies(rule, view_a, [line("SHOE"), line("HAT", 4)])


# --- Cart item attributes -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "matching", "other"),
    [
        (item_attribute("item_price", "gt", "50"), line("A", 1, "50.01"), line("A", 9, "50")),
        (item_attribute("item_qty", "gte", "2"), line("A", 2, "1"), line("A", 1, "100")),
        (item_attribute("item_row_total", "gte", "100"), line("A", 4, "25"), line("A", 3, "33")),
    ],
    ids=["price_case", "qty_case", "row_total_case"],
)
def test_cart_item_attributes(make_rule, view_a, condition, matching, other):
    # given
    rule = make_rule(conditions=tree(found(condition)))

    # when / then
    assert applies(rule, view_a, [matching])
    assert not applies(rule, view_a, [other])


# --- Product attributes -------------------------------------------------------------------------


def test_product_attribute_set(make_rule, view_a, shoes):
    # given
    rule = make_rule(conditions=tree(found(product_attribute("attribute_set", "is", "Footwear"))))

    # when / then
    assert applies(rule, view_a, [line("BOOT")])
    assert not applies(rule, view_a, [line("HAT")])


def test_category_includes_the_products_of_its_child_categories(make_rule, view_a, shoes):
    # given
    rule = make_rule(conditions=tree(found(product_attribute("category", "is", "shoes"))))

    # when / then
    assert applies(rule, view_a, [line("SHOE")])
    assert applies(rule, view_a, [line("BOOT")])
    assert not applies(rule, view_a, [line("HAT")])


def test_category_parent_only_takes_the_category_itself(make_rule, view_a, shoes):
    # given
    rule = make_rule(
        conditions=tree(found(product_attribute("category_parent_only", "is", "shoes")))
    )

    # when / then: a shoe is in shoes itself, a boot only in a child of it
    assert applies(rule, view_a, [line("SHOE")])
    assert not applies(rule, view_a, [line("BOOT")])


def test_category_children_only_takes_the_child_categories(make_rule, view_a, shoes):
    # given
    rule = make_rule(
        conditions=tree(found(product_attribute("category_children_only", "is", "shoes")))
    )

    # when / then
    assert applies(rule, view_a, [line("BOOT")])
    assert not applies(rule, view_a, [line("SHOE")])


def test_category_children_only_holds_for_a_product_also_in_the_parent(make_rule, view_a, shoes):
    # given: a product assigned to shoes and to boots, a child of shoes
    make_product("BOTH", price="60", categories=["shoes", "boots"])
    rule = make_rule(
        conditions=tree(found(product_attribute("category_children_only", "is", "shoes")))
    )

    # when / then: boots is a child category of shoes
    assert applies(rule, view_a, [line("BOTH")])


@pytest.fixture
def colours(db):
    sales.save_product_attribute(
        code="colour", label="Colour", type="select", options=["red", "blue"],
        use_for_promo_rules=True, actor=SYSTEM,
    )  # fmt: skip
    make_product("RED", attributes={"colour": "red"})
    make_product("BLUE", attributes={"colour": "blue"})
    make_product("PLAIN")


def test_a_promo_product_attribute(make_rule, view_a, colours):
    # given
    rule = make_rule(conditions=tree(found(product_attribute("colour", "is", "red"))))

    # when / then
    assert applies(rule, view_a, [line("BLUE"), line("RED")])
    assert not applies(rule, view_a, [line("BLUE")])


def test_an_empty_product_attribute_keeps_the_rule_from_applying(make_rule, view_a, colours):
    # given: "colour is not red"; PLAIN has no colour
    rule = make_rule(conditions=tree(found(product_attribute("colour", "is_not", "red"))))

    # when / then (spec c §11.2)
    assert applies(rule, view_a, [line("BLUE")])
    assert not applies(rule, view_a, [line("PLAIN")])


def test_an_empty_product_attribute_keeps_the_action_from_the_item(make_rule, view_a, colours):
    # given: 10 % off items whose colour is not red
    make_rule(action_conditions=tree(product_attribute("colour", "is_not", "red")))

    # when
    evaluation = evaluate(view_a, [line("BLUE"), line("PLAIN"), line("RED")])

    # then: only the blue one is discounted
    assert [r.discount for r in evaluation.lines] == [Decimal("1.00"), 0, 0]


def test_an_attribute_not_used_for_promo_rules_is_refused(make_rule, view_a):
    # given
    sales.save_product_attribute(code="secret", label="Secret", type="text", actor=SYSTEM)

    # when / then
    with pytest.raises(Exception) as caught:
        make_rule(conditions=tree(found(product_attribute("secret", "is", "x"))))
    assert [p.field for p in caught.value.problems] == [
        "conditions.conditions[0].conditions[0].attribute"
    ]


# --- Combinations -------------------------------------------------------------------------------


def test_any_of_these_conditions_are_false(make_rule, view_a):
    # given (check 29 for carts): subtotal >= 100 and total qty >= 5 not both true
    rule = make_rule(conditions=tree(
        cart_attribute("subtotal", "gte", "100"), cart_attribute("total_qty", "gte", "5"),
        aggregator="any", value=False,
    ))  # fmt: skip

    # when / then
    assert applies(rule, view_a, [line("A", 1, "100")])
    assert applies(rule, view_a, [line("A", 5, "1")])
    assert not applies(rule, view_a, [line("A", 5, "20")])


def test_all_of_these_conditions_are_false(make_rule, view_a):
    # given
    rule = make_rule(conditions=tree(
        cart_attribute("subtotal", "gte", "100"), cart_attribute("total_qty", "gte", "5"),
        value=False,
    ))  # fmt: skip

    # when / then
    assert applies(rule, view_a, [line("A", 1, "10")])
    assert not applies(rule, view_a, [line("A", 1, "100")])


def test_a_nested_any_inside_all(make_rule, view_a):
    # given: country DE and (subtotal >= 100 or payment checkmo)
    rule = make_rule(conditions=tree(
        cart_attribute("country", "is", "DE"),
        tree(cart_attribute("subtotal", "gte", "100"),
             cart_attribute("payment_method", "is", "checkmo"), aggregator="any"),
    ))  # fmt: skip
    de = {"shipping_address": {"country_id": "DE"}}

    # when / then
    assert applies(rule, view_a, [line("A", 1, "10")], payment_method="checkmo", **de)
    assert applies(rule, view_a, [line("A", 1, "100")], **de)
    assert not applies(rule, view_a, [line("A", 1, "10")], **de)
    assert not applies(rule, view_a, [line("A", 1, "100")], shipping_address={"country_id": "FR"})


def test_an_empty_tree_applies_to_every_cart(make_rule, view_a):
    # given
    rule = make_rule()

    # when / then
    assert applies(rule, view_a, [line("A", 1, "0.01")])


# --- Customer Segment (spec c §6) ---------------------------------------------------------------


@pytest.fixture
def ada(view_a):
    return make_customer("ada@example.com", store_view=view_a)


@pytest.fixture
def bob(view_a):
    return make_customer("bob@example.com", store_view=view_a)


@pytest.fixture
def cy(view_a):
    return make_customer("cy@example.com", store_view=view_a)


@pytest.fixture
def s1_s2(make_segment, ada, bob):
    """S1 holds Ada, S2 holds Bob (stored memberships, refreshed)."""
    s1 = make_segment(combine(customer_attribute("email", "is", "ada@example.com")), name="S1")
    s2 = make_segment(combine(customer_attribute("email", "is", "bob@example.com")), name="S2")
    for segment in (s1, s2):
        segments.refresh_segment(segment=segment)
    return s1, s2


ITEMS = [line("A", 1, "10")]


@pytest.mark.parametrize("operator", ["matches", "is_one_of"])
def test_a_positive_segment_condition_holds_for_a_member_of_any_listed_segment(
    make_rule, view_a, s1_s2, bob, cy, operator
):
    # given (check 36)
    s1, s2 = s1_s2
    rule = make_rule(conditions=tree(customer_segment(operator, [s1.pk, s2.pk])))

    # when / then: Bob is in S2 only; Cy is in neither
    assert applies(rule, view_a, ITEMS, customer_id=bob.pk)
    assert not applies(rule, view_a, ITEMS, customer_id=cy.pk)


@pytest.mark.parametrize("operator", ["does_not_match", "is_not_one_of"])
def test_a_negative_segment_condition_holds_only_outside_every_listed_segment(
    make_rule, view_a, s1_s2, ada, bob, cy, operator
):
    # given (check 36)
    s1, s2 = s1_s2
    rule = make_rule(conditions=tree(customer_segment(operator, [s1.pk, s2.pk])))

    # when / then
    assert applies(rule, view_a, ITEMS, customer_id=cy.pk)
    assert not applies(rule, view_a, ITEMS, customer_id=ada.pk)
    assert not applies(rule, view_a, ITEMS, customer_id=bob.pk)


def test_a_customer_joining_a_segment_on_a_later_refresh_gets_the_rule(
    make_rule, view_a, make_segment, cy
):
    # given: a segment of subscribers... here of Cy's email, created before she is a member
    segment = make_segment(combine(customer_attribute("firstname", "is", "Cyd")), name="Cyds")
    rule = make_rule(conditions=tree(customer_segment("matches", [segment.pk])))
    assert not applies(rule, view_a, ITEMS, customer_id=cy.pk)

    # when: her first name changes and the segment is refreshed
    from patron.customers import services as customers

    customers.update_customer(customer=cy, actor=SYSTEM, firstname="Cyd")
    segments.refresh_segment(segment=segment)

    # then
    assert applies(rule, view_a, ITEMS, customer_id=cy.pk)


def test_an_inactive_segment_is_ignored_for_a_customer(make_rule, view_a, s1_s2, ada):
    # given (check 34): Ada is a stored member of S1, which is then deactivated
    s1, _s2 = s1_s2
    rule = make_rule(conditions=tree(customer_segment("matches", [s1.pk])))
    assert applies(rule, view_a, ITEMS, customer_id=ada.pk)

    # when
    segments.update_segment(segment=s1, actor=SYSTEM, is_active=False)

    # then
    assert not applies(rule, view_a, ITEMS, customer_id=ada.pk)


@pytest.fixture
def big_cart_segment(make_segment):
    """A mixed segment (visitors and registered customers) of carts of 100 or more."""
    return make_segment(combine(cart_total("gte", 100)), name="Big carts", apply_to="both")


@pytest.fixture
def mug(db):
    return make_product("MUG", price="60")


def test_a_guest_in_a_mixed_segment_gets_the_rule_when_guests_are_included(
    make_rule, view_a, big_cart_segment, mug
):
    # given (check 37): the guest's stored cart is 120
    set_cart(view_a, items=[{"sku": "MUG", "qty": 2, "price": "60"}], visitor_id="v-1")
    rule = make_rule(conditions=tree(customer_segment("is_one_of", [big_cart_segment.pk])))

    # when
    evaluation = evaluate(view_a, [line("MUG", 2)], visitor_id="v-1")

    # then
    assert applied_ids(evaluation) == [rule.pk]
    assert evaluation.lines[0].discount == Decimal("12.00")


def test_a_guest_whose_cart_is_below_the_threshold_is_not_in_the_segment(
    make_rule, view_a, big_cart_segment, mug
):
    # given
    set_cart(view_a, items=[{"sku": "MUG", "qty": 1, "price": "60"}], visitor_id="v-2")
    rule = make_rule(conditions=tree(customer_segment("is_one_of", [big_cart_segment.pk])))

    # when / then
    assert not applies(rule, view_a, [line("MUG", 1)], visitor_id="v-2")


def test_a_guest_segment_member_gets_nothing_from_a_rule_without_not_logged_in(
    make_rule, view_a, big_cart_segment, mug
):
    # given (checks 7, 37)
    set_cart(view_a, items=[{"sku": "MUG", "qty": 2, "price": "60"}], visitor_id="v-3")
    rule = make_rule(
        customer_groups=REGISTERED,
        conditions=tree(customer_segment("is_one_of", [big_cart_segment.pk])),
    )

    # when
    evaluation = evaluate(view_a, [line("MUG", 2)], visitor_id="v-3")

    # then
    assert applied_ids(evaluation) == []
    assert evaluation.refusals[rule.pk].code == "customer_group"


def test_an_inactive_segment_is_ignored_for_a_guest(make_rule, view_a, make_segment, mug):
    # given (check 34): an inactive mixed segment the guest's cart would satisfy
    segment = make_segment(combine(cart_total("gte", 100)), name="Off", is_active=False)
    set_cart(view_a, items=[{"sku": "MUG", "qty": 2, "price": "60"}], visitor_id="v-4")
    rule = make_rule(conditions=tree(customer_segment("matches", [segment.pk])))

    # when / then
    assert not applies(rule, view_a, [line("MUG", 2)], visitor_id="v-4")


def test_a_segment_deactivated_after_a_guest_was_evaluated_is_ignored(
    make_rule, view_a, big_cart_segment, mug
):
    # given: the guest was evaluated while the segment was active (memberships cached)
    set_cart(view_a, items=[{"sku": "MUG", "qty": 2, "price": "60"}], visitor_id="v-5")
    rule = make_rule(conditions=tree(customer_segment("matches", [big_cart_segment.pk])))
    assert applies(rule, view_a, [line("MUG", 2)], visitor_id="v-5")

    # when (check 34)
    segments.update_segment(segment=big_cart_segment, actor=SYSTEM, is_active=False)

    # then
    assert not applies(rule, view_a, [line("MUG", 2)], visitor_id="v-5")


@pytest.mark.parametrize("operator", ["matches", "does_not_match"])
def test_without_a_customer_or_a_visitor_the_segment_condition_is_false(
    make_rule, view_a, s1_s2, operator
):
    # given
    s1, _s2 = s1_s2
    rule = make_rule(conditions=tree(customer_segment(operator, [s1.pk])))

    # when
    evaluation = evaluate(view_a, ITEMS)

    # then (spec c §6): neither the positive nor the negative form holds
    assert applied_ids(evaluation) == []
    assert evaluation.refusals[rule.pk].code == "conditions"


@pytest.mark.parametrize("operator", ["matches", "does_not_match"])
def test_with_segments_switched_off_the_segment_condition_is_false(
    make_rule, view_a, s1_s2, ada, cy, operator
):
    # given (check 8): a rule saved while segments were on
    s1, _s2 = s1_s2
    rule = make_rule(conditions=tree(customer_segment(operator, [s1.pk])))

    # when
    set_config({SEGMENTS_ENABLED: False})

    # then: the condition fails for the member and for the non-member alike
    assert not applies(rule, view_a, ITEMS, customer_id=ada.pk)
    assert not applies(rule, view_a, ITEMS, customer_id=cy.pk)


def test_a_registered_customer_uses_stored_memberships_not_the_cart(
    make_rule, view_a, big_cart_segment, ada, mug
):
    # given: Ada's cart satisfies the segment, but her membership was never stored
    set_cart(view_a, items=[{"sku": "MUG", "qty": 2, "price": "60"}], customer=ada)
    rule = make_rule(conditions=tree(customer_segment("matches", [big_cart_segment.pk])))
    assert not applies(rule, view_a, [line("MUG", 2)], customer_id=ada.pk)

    # when: the segment is refreshed
    segments.refresh_segment(segment=big_cart_segment)

    # then
    assert applies(rule, view_a, [line("MUG", 2)], customer_id=ada.pk)


def test_a_segment_of_another_website_does_not_count(make_rule, view_a, website_b, ada, cy):
    # given: a segment of Ada's email on the second website only
    from patron.segments.tests.conftest import segment_of_emails

    elsewhere = segment_of_emails("Elsewhere", ["ada@example.com"], [website_b])
    rule = make_rule(conditions=tree(customer_segment("matches", [elsewhere.pk])))

    # when / then
    assert not applies(rule, view_a, ITEMS, customer_id=ada.pk)


def test_the_segment_condition_is_offered_only_with_segments_switched_on(db):
    # given
    from patron.promotions.conditions import catalogue

    types_on = {entry["type"] for entry in catalogue()}

    # when
    set_config({SEGMENTS_ENABLED: False})
    types_off = {entry["type"] for entry in catalogue()}

    # then (check 8)
    assert "cart_rule.customer_segment" in types_on
    assert types_on - types_off == {"cart_rule.customer_segment"}


def test_the_guest_group_is_zero(make_rule, view_a):
    # given: a rule for guests only
    rule = make_rule(customer_groups=[GUEST])

    # when / then
    assert applies(rule, view_a, ITEMS)
