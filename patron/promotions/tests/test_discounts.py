"""What cart price rules take off (spec c §11.2 Actions, with Magento's arithmetic as the module
docstring of patron/promotions/discounts.py states it): each action, Maximum Qty, Discount Qty
Step, shipping, free shipping, priority, Discard Subsequent Rules, rules stacking on what is
left, action conditions and currencies without decimals."""

from decimal import Decimal

import pytest

from patron.promotions.tests.conftest import (
    applied_ids,
    discounts,
    evaluate,
    item_attribute,
    line,
    product_attribute,
    tree,
)

D = Decimal


# --- Percent of product price -------------------------------------------------------------------


def test_percent_of_the_price_is_rounded_half_up_per_line(make_rule, view_a):
    # given: 10 % of 2 x 19.99 = 3.998
    make_rule(action="by_percent", discount_amount="10")

    # when
    evaluation = evaluate(view_a, [line("A", 2, "19.99"), line("B", 1, "0.05")])

    # then: 4.00 and 0.005 -> 0.01
    assert discounts(evaluation) == [D("4.00"), D("0.01")]
    assert evaluation.discount_total == D("4.01")
    assert evaluation.subtotal == D("40.03")


def test_percent_of_100_takes_the_whole_row(make_rule, view_a):
    # given
    make_rule(discount_amount="100")

    # when
    evaluation = evaluate(view_a, [line("A", 3, "7.77")])

    # then
    assert discounts(evaluation) == [D("23.31")]


# --- Fixed amount -------------------------------------------------------------------------------


def test_a_fixed_amount_is_taken_off_each_unit(make_rule, view_a):
    # given
    make_rule(action="by_fixed", discount_amount="2.50")

    # when
    evaluation = evaluate(view_a, [line("A", 3, "10"), line("B", 1, "4")])

    # then
    assert discounts(evaluation) == [D("7.50"), D("2.50")]


def test_a_fixed_amount_never_exceeds_the_row_total(make_rule, view_a):
    # given
    make_rule(action="by_fixed", discount_amount="15")

    # when
    evaluation = evaluate(view_a, [line("A", 2, "10")])

    # then
    assert discounts(evaluation) == [D("20.00")]


# --- Fixed amount for the whole cart ------------------------------------------------------------


def test_a_cart_fixed_amount_is_shared_in_proportion_to_the_row_totals(make_rule, view_a):
    # given
    make_rule(action="cart_fixed", discount_amount="10")

    # when: rows of 10, 20 and 30
    evaluation = evaluate(view_a, [line("A", 1, "10"), line("B", 2, "10"), line("C", 1, "30")])

    # then: 1.666 -> 1.67, 3.333 -> 3.33, and the last takes what is left (5.00)
    assert discounts(evaluation) == [D("1.67"), D("3.33"), D("5.00")]
    assert evaluation.applied[0].discount == D("10.00")


def test_the_last_item_takes_the_rounding_remainder_of_a_cart_fixed_amount(make_rule, view_a):
    # given
    make_rule(action="cart_fixed", discount_amount="10")

    # when: three equal rows
    evaluation = evaluate(view_a, [line("A", 1, "5"), line("B", 1, "5"), line("C", 1, "5")])

    # then
    assert discounts(evaluation) == [D("3.33"), D("3.33"), D("3.34")]


def test_a_cart_fixed_amount_larger_than_the_cart_takes_the_cart(make_rule, view_a):
    # given
    make_rule(action="cart_fixed", discount_amount="100")

    # when
    evaluation = evaluate(view_a, [line("A", 1, "10"), line("B", 1, "20")])

    # then
    assert discounts(evaluation) == [D("10.00"), D("20.00")]
    assert evaluation.discount_total == D("30.00")


def test_a_cart_fixed_amount_is_never_exceeded_by_rounding(make_rule, view_a):
    # given: 0.02 shared by four equal rows is 0.005 each, which rounds half up to 0.01
    make_rule(action="cart_fixed", discount_amount="0.02")

    # when
    evaluation = evaluate(view_a, [line(sku, 1, "1") for sku in "ABCD"])

    # then: the cart gets 0.02, not 0.03
    assert evaluation.discount_total == D("0.02")


def test_a_cart_fixed_amount_below_the_subtotal_is_given_in_full(make_rule, view_a):
    # given: 49.61 off rows of 12.43, 12.37, 25.26 and 0.10 (50.16 in all); the first three
    # shares round down by a cent altogether, which the last row (0.10, share 0.0989) cannot take
    make_rule(action="cart_fixed", discount_amount="49.61")

    # when
    evaluation = evaluate(view_a, [line("A", 1, "12.43"), line("B", 1, "12.37"),
                                   line("C", 1, "25.26"), line("D", 1, "0.10")])  # fmt: skip

    # then
    assert evaluation.discount_total == D("49.61")


def test_a_cart_fixed_amount_is_shared_only_among_the_matching_items(make_rule, view_a):
    # given
    make_rule(action="cart_fixed", discount_amount="9",
              action_conditions=tree(item_attribute("item_price", "gte", "10")))  # fmt: skip

    # when
    evaluation = evaluate(view_a, [line("A", 1, "10"), line("CHEAP", 1, "5"), line("B", 1, "20")])

    # then: 9 x 10/30 = 3.00, the cheap item nothing, 6.00 for the last
    assert discounts(evaluation) == [D("3.00"), D("0"), D("6.00")]


# --- Buy X get Y ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("qty", "free"),
    [(2, 0), (3, 1), (5, 1), (6, 2), (8, 2), (9, 3)],
    ids=lambda v: f"{v}_case",
)
def test_buy_2_get_1(make_rule, view_a, qty, free):
    # given
    make_rule(action="buy_x_get_y", discount_step=2, discount_amount="1")

    # when
    evaluation = evaluate(view_a, [line("A", qty, "10")])

    # then: one free of every 3; 2 left over beyond a full period are both paid for
    assert discounts(evaluation) == [D(10 * free)]


@pytest.mark.parametrize(
    ("qty", "free"), [(3, 1), (4, 2), (5, 2), (7, 3), (8, 4)], ids=lambda v: f"{v}_case"
)
def test_buy_2_get_2_gives_the_units_beyond_x_of_a_last_incomplete_period(
    make_rule, view_a, qty, free
):
    # given
    make_rule(action="buy_x_get_y", discount_step=2, discount_amount="2")

    # when
    evaluation = evaluate(view_a, [line("A", qty, "10")])

    # then: 7 = one period (2 free) + 3 of which 1 is beyond X
    assert discounts(evaluation) == [D(10 * free)]


def test_buy_x_get_y_counts_each_line_alone(make_rule, view_a):
    # given (same SKU): buy 2 get 1
    make_rule(action="buy_x_get_y", discount_step=2, discount_amount="1")

    # when: two lines of 2 are not a 3
    evaluation = evaluate(view_a, [line("A", 2, "10"), line("B", 2, "10")])

    # then
    assert discounts(evaluation) == [D("0"), D("0")]


def test_buy_x_get_y_with_maximum_qty(make_rule, view_a):
    # given: buy 1 get 1, on at most 4 units
    make_rule(action="buy_x_get_y", discount_step=1, discount_amount="1", max_qty="4")

    # when
    evaluation = evaluate(view_a, [line("A", 10, "3")])

    # then: 2 free of the 4 counted
    assert discounts(evaluation) == [D("6.00")]


# --- Maximum Qty and Discount Qty Step ---------------------------------------------------------


def test_maximum_qty_caps_the_discounted_units(make_rule, view_a):
    # given
    make_rule(discount_amount="10", max_qty="2")

    # when
    evaluation = evaluate(view_a, [line("A", 5, "10"), line("B", 1, "10")])

    # then: 2 of 5 units, and the single unit
    assert discounts(evaluation) == [D("2.00"), D("1.00")]


def test_discount_step_rounds_the_units_down_to_a_multiple(make_rule, view_a):
    # given: 1.00 off per unit, by steps of 3
    make_rule(action="by_fixed", discount_amount="1", discount_step=3)

    # when
    evaluation = evaluate(view_a, [line("A", 7, "5"), line("B", 2, "5")])

    # then: 6 of 7; none of 2
    assert discounts(evaluation) == [D("6.00"), D("0")]


def test_discount_step_and_maximum_qty_together(make_rule, view_a):
    # given: 10 % by steps of 2, at most 5 units
    make_rule(discount_amount="10", discount_step=2, max_qty="5")

    # when
    evaluation = evaluate(view_a, [line("A", 9, "10")])

    # then: 9 -> 5 -> 4 units
    assert discounts(evaluation) == [D("4.00")]


# --- Shipping -----------------------------------------------------------------------------------


def test_percent_applies_to_shipping_when_asked(make_rule, view_a):
    # given
    make_rule(discount_amount="10", apply_to_shipping=True)

    # when
    evaluation = evaluate(view_a, [line("A", 1, "20")], shipping_amount="5.55")

    # then: 0.555 -> 0.56
    assert evaluation.shipping_discount == D("0.56")
    assert evaluation.applied[0].shipping_discount == D("0.56")
    assert evaluation.discount_total == D("2.56")


def test_shipping_is_untouched_without_apply_to_shipping(make_rule, view_a):
    # given
    make_rule(discount_amount="10")

    # when
    evaluation = evaluate(view_a, [line("A", 1, "20")], shipping_amount="5")

    # then
    assert evaluation.shipping_discount == D("0")
    assert evaluation.discount_total == D("2.00")


def test_a_fixed_amount_applies_once_to_shipping_up_to_its_amount(make_rule, view_a):
    # given
    make_rule(action="by_fixed", discount_amount="3", apply_to_shipping=True)

    # when
    small = evaluate(view_a, [line("A", 2, "20")], shipping_amount="2")
    large = evaluate(view_a, [line("A", 2, "20")], shipping_amount="10")

    # then
    assert (small.shipping_discount, large.shipping_discount) == (D("2.00"), D("3.00"))
    assert discounts(large) == [D("6.00")]


def test_a_cart_fixed_amount_takes_what_the_items_left_from_shipping(make_rule, view_a):
    # given
    make_rule(action="cart_fixed", discount_amount="10", apply_to_shipping=True)

    # when: items of 6 and shipping of 5
    evaluation = evaluate(view_a, [line("A", 1, "6")], shipping_amount="5")

    # then
    assert discounts(evaluation) == [D("6.00")]
    assert evaluation.shipping_discount == D("4.00")
    assert evaluation.discount_total == D("10.00")


def test_buy_x_get_y_never_discounts_shipping(make_rule, view_a):
    # given
    make_rule(action="buy_x_get_y", discount_step=1, discount_amount="1", apply_to_shipping=True)

    # when
    evaluation = evaluate(view_a, [line("A", 2, "10")], shipping_amount="5")

    # then
    assert discounts(evaluation) == [D("10.00")]
    assert evaluation.shipping_discount == D("0")


def test_a_second_shipping_percentage_takes_what_the_first_left(make_rule, view_a):
    # given
    make_rule(discount_amount="50", apply_to_shipping=True, priority=1)
    make_rule(discount_amount="50", apply_to_shipping=True, priority=2)

    # when
    evaluation = evaluate(view_a, [line("A", 1, "10")], shipping_amount="8")

    # then: 4 then 2
    assert [a.shipping_discount for a in evaluation.applied] == [D("4.00"), D("2.00")]
    assert evaluation.shipping_discount == D("6.00")


def test_discarding_rules_on_shipping_stops_later_shipping_discounts(make_rule, view_a):
    # given
    first = make_rule(discount_amount="10", apply_to_shipping=True, priority=1,
                      discard_subsequent_rules=True)  # fmt: skip
    make_rule(action="by_fixed", discount_amount="1", apply_to_shipping=True, priority=2,
              action_conditions=tree(product_attribute("sku", "is", "OTHER")))  # fmt: skip

    # when
    evaluation = evaluate(view_a, [line("A", 1, "10"), line("OTHER", 1, "10")],
                          shipping_amount="10")  # fmt: skip

    # then: the second rule's shipping part is discarded with everything else
    assert applied_ids(evaluation) == [first.pk]
    assert evaluation.shipping_discount == D("1.00")


# --- Free shipping ------------------------------------------------------------------------------


def test_free_shipping_for_matching_items_only(make_rule, view_a):
    # given
    make_rule(discount_amount="0", free_shipping="items",
              action_conditions=tree(product_attribute("sku", "is", "HEAVY")))  # fmt: skip

    # when
    evaluation = evaluate(view_a, [line("HEAVY", 1, "10"), line("LIGHT", 1, "10")])

    # then
    assert [r.free_shipping for r in evaluation.lines] == [True, False]
    assert evaluation.free_shipping == "items"


def test_free_shipping_for_the_shipment(make_rule, view_a):
    # given
    make_rule(discount_amount="0", free_shipping="shipment",
              action_conditions=tree(product_attribute("sku", "is", "HEAVY")))  # fmt: skip

    # when
    evaluation = evaluate(view_a, [line("HEAVY", 1, "10"), line("LIGHT", 1, "10")])

    # then
    assert evaluation.free_shipping == "shipment"


def test_free_shipping_needs_a_matching_item(make_rule, view_a):
    # given
    rule = make_rule(discount_amount="0", free_shipping="shipment",
                     action_conditions=tree(product_attribute("sku", "is", "HEAVY")))  # fmt: skip

    # when
    evaluation = evaluate(view_a, [line("LIGHT", 1, "10")])

    # then
    assert evaluation.free_shipping == "no"
    assert evaluation.refusals[rule.pk].code == "no_items"


# --- Priority and Discard Subsequent Rules ------------------------------------------------------


def test_rules_apply_in_priority_order_then_oldest_first(make_rule, view_a):
    # given
    late = make_rule(priority=5)
    early_old = make_rule(priority=1)
    early_new = make_rule(priority=1)

    # when
    evaluation = evaluate(view_a, [line("A", 1, "100")])

    # then
    assert applied_ids(evaluation) == [early_old.pk, early_new.pk, late.pk]


def test_a_percentage_after_an_earlier_rule_takes_what_is_left(make_rule, view_a):
    # given: 5 off per unit first, then 50 %
    make_rule(action="by_fixed", discount_amount="5", priority=1)
    make_rule(discount_amount="50", priority=2)

    # when
    evaluation = evaluate(view_a, [line("A", 2, "20")])

    # then: 10, then 50 % of 30
    assert [a.discount for a in evaluation.applied] == [D("10.00"), D("15.00")]
    assert discounts(evaluation) == [D("25.00")]


def test_discard_subsequent_rules_stops_later_rules(make_rule, view_a):
    # given
    first = make_rule(priority=1, discard_subsequent_rules=True)
    second = make_rule(priority=2, discount_amount="50")

    # when
    evaluation = evaluate(view_a, [line("A", 1, "100")])

    # then
    assert applied_ids(evaluation) == [first.pk]
    assert discounts(evaluation) == [D("10.00")]
    assert evaluation.refusals[second.pk].code == "discarded"


def test_discard_subsequent_rules_stops_only_for_the_items_it_discounted(make_rule, view_a):
    # given: the first rule discounts SHOE only
    make_rule(priority=1, discard_subsequent_rules=True,
              action_conditions=tree(product_attribute("sku", "is", "SHOE")))  # fmt: skip
    make_rule(priority=2, discount_amount="50")

    # when
    evaluation = evaluate(view_a, [line("SHOE", 1, "100"), line("HAT", 1, "100")])

    # then
    assert discounts(evaluation) == [D("10.00"), D("50.00")]


def test_a_rule_that_does_not_apply_does_not_discard_anything(make_rule, view_a):
    # given: the discarding rule is for the General group only, and the cart is a guest's
    make_rule(priority=1, discard_subsequent_rules=True, customer_groups=[1])
    second = make_rule(priority=2, discount_amount="50")

    # when
    evaluation = evaluate(view_a, [line("A", 1, "100")])

    # then
    assert applied_ids(evaluation) == [second.pk]


def test_the_discount_never_exceeds_the_row_total_across_rules(make_rule, view_a):
    # given
    make_rule(action="by_fixed", discount_amount="30", priority=1)
    make_rule(action="by_fixed", discount_amount="30", priority=2)
    make_rule(discount_amount="10", priority=3)

    # when
    evaluation = evaluate(view_a, [line("A", 1, "40")])

    # then: 30, the remaining 10, nothing
    assert [a.discount for a in evaluation.applied] == [D("30.00"), D("10.00"), D("0")]
    assert discounts(evaluation) == [D("40.00")]


# --- Action conditions --------------------------------------------------------------------------


def test_action_conditions_limit_the_discounted_items(make_rule, view_a):
    # given
    make_rule(discount_amount="20", action_conditions=tree(
        item_attribute("item_qty", "gte", "2"), product_attribute("sku", "is_not", "B"),
    ))  # fmt: skip

    # when
    evaluation = evaluate(view_a, [line("A", 2, "10"), line("B", 2, "10"), line("C", 1, "10")])

    # then
    assert discounts(evaluation) == [D("4.00"), D("0"), D("0")]
    assert [r.rule_ids for r in evaluation.lines][1:] == [[], []]


def test_a_rule_without_a_matching_item_is_not_applied(make_rule, view_a):
    # given
    rule = make_rule(action_conditions=tree(product_attribute("sku", "is", "NONE")))

    # when
    evaluation = evaluate(view_a, [line("A", 1, "10")])

    # then
    assert applied_ids(evaluation) == []
    assert evaluation.refusals[rule.pk].code == "no_items"


# --- Currencies ---------------------------------------------------------------------------------


def test_yen_amounts_are_rounded_to_whole_yen(make_rule, view_a):
    # given
    make_rule(discount_amount="15")

    # when: 15 % of 999 = 149.85
    evaluation = evaluate(view_a, [line("A", 1, "999")], currency="JPY")

    # then
    assert discounts(evaluation) == [D("150")]
    assert str(discounts(evaluation)[0]) == "150"


def test_a_yen_cart_fixed_amount_leaves_the_remainder_to_the_last_item(make_rule, view_a):
    # given
    make_rule(action="cart_fixed", discount_amount="100")

    # when
    evaluation = evaluate(
        view_a, [line("A", 1, "1000"), line("B", 1, "1000"), line("C", 1, "1000")],
        currency="JPY",
    )  # fmt: skip

    # then
    assert discounts(evaluation) == [D("33"), D("33"), D("34")]


def test_a_yen_shipping_discount_never_exceeds_the_shipping_amount(make_rule, view_a):
    # given: 100 % off shipping; the checkout sent 0.50 yen of shipping
    make_rule(discount_amount="100", apply_to_shipping=True)

    # when
    evaluation = evaluate(view_a, [line("A", 1, "100")], shipping_amount="0.50", currency="JPY")

    # then: not 1 yen off 0.50
    assert evaluation.shipping_discount <= D("0.50")
