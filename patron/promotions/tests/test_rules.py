"""Defining cart price rules through ``save_rule`` (spec c §11.2): required fields, the checks of
the action, dates and coupon codes, condition problems at their paths, labels per store view;
and the rule's scoping when a cart is evaluated: active, website, customer group (check 7) and
the From/To days in the website's time zone."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from patron.core.actors import SYSTEM
from patron.core.errors import InvalidInput
from patron.customers.models import CustomerGroup
from patron.customers.tests.factories import make_customer
from patron.promotions import services
from patron.promotions.models import CartPriceRule, Coupon
from patron.promotions.tests.conftest import (
    ALL_GROUPS,
    GENERAL,
    RETAILER,
    WHOLESALE,
    applied_ids,
    cart_attribute,
    customer_segment,
    evaluate,
    found,
    item_attribute,
    line,
    product_attribute,
    tree,
)
from patron.scopes import services as scope_services
from patron.testing.fixtures import default_store_view, make_store_view


def fields_of(error: InvalidInput) -> list[str]:
    return [problem.field for problem in error.problems]


def refused(**fields) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        services.save_rule(actor=SYSTEM, **fields)
    return caught.value


@pytest.fixture
def valid(website_a):
    """The fields of a valid rule, to change one at a time."""
    return {
        "name": "Ten off",
        "websites": [website_a],
        "customer_groups": ALL_GROUPS,
        "discount_amount": "10",
    }


# --- Required fields ----------------------------------------------------------------------------


def test_a_rule_without_name_websites_groups_or_amount_is_refused_at_each_field(db):
    # given / when: an empty definition
    error = refused(name="  ")

    # then: every problem at once, each at its field, and nothing stored
    assert sorted(fields_of(error)) == ["customer_groups", "discount_amount", "name", "websites"]
    assert {p.code for p in error.problems} == {"required"}
    assert not CartPriceRule.objects.exists()


def test_an_unknown_website_or_group_is_refused_at_its_field(valid):
    # when
    error = refused(**{**valid, "websites": [9999], "customer_groups": [1, 77]})

    # then
    assert sorted(fields_of(error)) == ["customer_groups", "websites"]


def test_a_valid_rule_is_stored_with_its_websites_and_groups(valid, website_a):
    # when
    rule = services.save_rule(actor=SYSTEM, **valid)

    # then
    assert rule.name == "Ten off"
    assert list(rule.websites.all()) == [website_a]
    assert sorted(rule.customer_groups.values_list("pk", flat=True)) == ALL_GROUPS
    assert rule.discount_amount == Decimal("10")
    assert rule.is_active is True
    assert rule.conditions == tree()


def test_changing_one_field_keeps_the_others(valid):
    # given
    rule = services.save_rule(actor=SYSTEM, **valid, priority=3, coupon_type="specific",
                              coupon_code="KEEP")  # fmt: skip

    # when
    services.save_rule(actor=SYSTEM, rule=rule, is_active=False)

    # then
    rule.refresh_from_db()
    assert (rule.is_active, rule.priority, rule.name) == (False, 3, "Ten off")
    assert list(rule.coupons.values_list("code", flat=True)) == ["KEEP"]


# --- Actions ------------------------------------------------------------------------------------


def test_a_percentage_above_100_is_refused(valid):
    # when
    error = refused(**{**valid, "action": "by_percent", "discount_amount": "100.01"})

    # then
    assert fields_of(error) == ["discount_amount"]


def test_a_percentage_of_100_and_a_fixed_amount_above_100_are_accepted(valid):
    # when
    whole = services.save_rule(actor=SYSTEM, **{**valid, "discount_amount": "100"})
    fixed = services.save_rule(actor=SYSTEM, **{**valid, "action": "by_fixed",
                                                "discount_amount": "150"})  # fmt: skip

    # then
    assert whole.discount_amount == Decimal("100")
    assert fixed.discount_amount == Decimal("150")


def test_a_negative_amount_is_refused(valid):
    # when
    error = refused(**{**valid, "discount_amount": "-1"})

    # then
    assert fields_of(error) == ["discount_amount"]


def test_buy_x_get_y_needs_x_of_at_least_one(valid):
    # when
    error = refused(**{**valid, "action": "buy_x_get_y", "discount_amount": "1",
                       "discount_step": 0})  # fmt: skip

    # then
    assert fields_of(error) == ["discount_step"]


@pytest.mark.parametrize("y", ["1.5", "0"], ids=["fraction_case", "zero_case"])
def test_buy_x_get_y_needs_a_whole_y_of_at_least_one(valid, y):
    # when
    error = refused(**{**valid, "action": "buy_x_get_y", "discount_amount": y,
                       "discount_step": 2})  # fmt: skip

    # then
    assert fields_of(error) == ["discount_amount"]


def test_an_unknown_action_or_free_shipping_choice_is_refused(valid):
    # when
    error = refused(**{**valid, "action": "by_magic", "free_shipping": "always"})

    # then
    assert sorted(fields_of(error)) == ["action", "free_shipping"]


# --- Dates --------------------------------------------------------------------------------------


def test_a_start_after_the_end_is_refused_at_the_end(valid):
    # when
    error = refused(**{**valid, "from_date": "2026-06-02", "to_date": "2026-06-01"})

    # then
    assert fields_of(error) == ["to_date"]


def test_a_rule_of_one_day_is_accepted(valid):
    # when
    rule = services.save_rule(actor=SYSTEM, **{**valid, "from_date": "2026-06-01",
                                               "to_date": "2026-06-01"})  # fmt: skip

    # then
    assert rule.from_date == rule.to_date == dt.date(2026, 6, 1)


def test_a_malformed_date_is_refused_at_its_field(valid):
    # when
    error = refused(**{**valid, "from_date": "01/06/2026"})

    # then
    assert fields_of(error) == ["from_date"]


# --- Coupon codes -------------------------------------------------------------------------------


def test_a_specific_coupon_needs_a_code(valid):
    # when
    error = refused(**{**valid, "coupon_type": "specific", "coupon_code": " "})

    # then
    assert fields_of(error) == ["coupon_code"]
    assert error.problems[0].code == "required"


def test_a_specific_coupon_code_is_unique_regardless_of_case(valid):
    # given
    services.save_rule(actor=SYSTEM, **valid, coupon_type="specific", coupon_code="SPRING10")

    # when
    error = refused(**{**valid, "name": "Other", "coupon_type": "specific",
                       "coupon_code": "spring10"})  # fmt: skip

    # then
    assert fields_of(error) == ["coupon_code"]
    assert error.problems[0].code == "duplicate"
    assert CartPriceRule.objects.count() == 1


def test_a_specific_code_may_not_repeat_a_generated_code(valid):
    # given: a generated code of an Auto rule
    auto = services.save_rule(actor=SYSTEM, **valid, coupon_type="auto")
    (code,) = services.generate_coupons(rule=auto, quantity=1, actor=SYSTEM)

    # when
    error = refused(**{**valid, "coupon_type": "specific", "coupon_code": code.lower()})

    # then
    assert fields_of(error) == ["coupon_code"]


def test_a_rule_keeps_its_own_code_when_saved_again(valid):
    # given
    rule = services.save_rule(actor=SYSTEM, **valid, coupon_type="specific", coupon_code="MINE")

    # when: saved with the same code in another case
    services.save_rule(actor=SYSTEM, rule=rule, coupon_code="mine")

    # then
    assert list(Coupon.objects.values_list("code", flat=True)) == ["mine"]


def test_switching_to_no_coupon_frees_the_code(valid):
    # given
    rule = services.save_rule(actor=SYSTEM, **valid, coupon_type="specific", coupon_code="FREE")

    # when
    services.save_rule(actor=SYSTEM, rule=rule, coupon_type="none")
    other = services.save_rule(actor=SYSTEM, **{**valid, "name": "Other"},
                               coupon_type="specific", coupon_code="free")  # fmt: skip

    # then
    assert not rule.coupons.exists()
    assert list(other.coupons.values_list("code", flat=True)) == ["free"]


def test_zero_uses_per_coupon_and_per_customer_mean_unlimited(valid):
    # when
    rule = services.save_rule(actor=SYSTEM, **valid, uses_per_coupon=0, uses_per_customer="")

    # then
    assert (rule.uses_per_coupon, rule.uses_per_customer) == (None, None)


# --- Conditions at their paths ------------------------------------------------------------------


def test_an_unknown_condition_type_is_refused_at_its_path(valid):
    # when
    error = refused(**{**valid, "conditions": tree(
        cart_attribute("subtotal", "gte", "10"), {"type": "cart_rule.horoscope"},
    )})  # fmt: skip

    # then
    assert fields_of(error) == ["conditions.conditions[1].type"]


def test_an_item_condition_at_the_root_is_refused_at_its_path(valid):
    # when
    error = refused(**{**valid, "conditions": tree(product_attribute("sku", "is", "MUG"))})

    # then
    assert fields_of(error) == ["conditions.conditions[0].type"]


def test_a_cart_condition_among_the_action_conditions_is_refused_at_its_path(valid):
    # when
    error = refused(**{**valid, "action_conditions": tree(cart_attribute("total_qty", "gt", "1"))})

    # then
    assert fields_of(error) == ["action_conditions.conditions[0].type"]


def test_a_bad_value_deep_in_a_product_container_is_refused_at_its_path(valid):
    # when
    error = refused(**{**valid, "conditions": tree(
        tree(found(item_attribute("item_qty", "gte", "two")), aggregator="any"),
    )})  # fmt: skip

    # then
    assert fields_of(error) == ["conditions.conditions[0].conditions[0].conditions[0].value"]


def test_unknown_segment_ids_are_refused_at_the_value(valid, make_segment):
    # given
    segment = make_segment(None, name="Known")

    # when
    error = refused(**{**valid, "conditions": tree(
        customer_segment("is_one_of", [segment.pk, 9998, 9999])
    )})  # fmt: skip

    # then
    assert fields_of(error) == ["conditions.conditions[0].value"]
    assert "9998, 9999" in error.problems[0].message


def test_segment_ids_that_are_not_numbers_are_refused_at_the_value(valid):
    # when
    error = refused(**{**valid, "conditions": tree(customer_segment("matches", "vip,gold"))})

    # then
    assert fields_of(error) == ["conditions.conditions[0].value"]


def test_segment_ids_given_as_a_comma_list_are_stored_as_ids(valid, make_segment):
    # given
    first, second = make_segment(None, name="A"), make_segment(None, name="B")

    # when
    rule = services.save_rule(actor=SYSTEM, **valid, conditions=tree(
        customer_segment("matches", f"{second.pk}, {first.pk}")
    ))  # fmt: skip

    # then
    assert rule.conditions["conditions"][0]["value"] == sorted([first.pk, second.pk])


def test_a_root_that_is_not_a_combination_is_refused(valid):
    # when
    error = refused(**{**valid, "conditions": cart_attribute("subtotal", "gte", "1")})

    # then
    assert fields_of(error) == ["conditions"]


# --- Labels -------------------------------------------------------------------------------------


@pytest.fixture
def view_de(website_a):
    return make_store_view(website_a, "de", "de", name="Deutsch")


def test_labels_are_stored_per_store_view_and_shown_on_that_view(valid, view_a, view_de):
    # given
    services.save_rule(actor=SYSTEM, **valid, default_label="Sale",
                       labels={view_de.pk: "Rabatt"})  # fmt: skip
    items = [line("SKU", 1, "20")]

    # when
    on_default, on_german = evaluate(view_a, items), evaluate(view_de, items)

    # then
    assert [a.label for a in on_default.applied] == ["Sale"]
    assert [a.label for a in on_german.applied] == ["Rabatt"]


def test_a_label_of_an_unknown_store_view_is_refused_at_its_key(valid):
    # when
    error = refused(**{**valid, "labels": {9999: "Ghost"}})

    # then
    assert fields_of(error) == ["labels.9999"]


def test_an_emptied_label_is_removed(valid, view_de):
    # given
    rule = services.save_rule(actor=SYSTEM, **valid, labels={view_de.pk: "Rabatt"})

    # when
    services.save_rule(actor=SYSTEM, rule=rule, labels={view_de.pk: " "})

    # then
    assert not rule.labels.exists()


def test_deleting_a_rule_deletes_its_coupons(valid):
    # given
    rule = services.save_rule(actor=SYSTEM, **valid, coupon_type="specific", coupon_code="BYE")

    # when
    services.delete_rule(rule=rule, actor=SYSTEM)

    # then
    assert not CartPriceRule.objects.exists()
    assert not Coupon.objects.exists()


# --- Scoping: active, website, customer group, dates -----------------------------------------


def test_an_inactive_rule_never_applies(make_rule, view_a):
    # given
    rule = make_rule(is_active=False)

    # when
    evaluation = evaluate(view_a, [line("A", 1, "10")], explain_rule_id=rule.pk)

    # then
    assert evaluation.applied == []
    assert evaluation.refusals[rule.pk].code == "inactive"


def test_a_rule_of_another_website_never_applies(make_rule, view_a, website_b):
    # given
    rule = make_rule(websites=[website_b])

    # when
    evaluation = evaluate(view_a, [line("A", 1, "10")], explain_rule_id=rule.pk)

    # then
    assert evaluation.applied == []
    assert evaluation.refusals[rule.pk].code == "website"


def test_a_rule_without_not_logged_in_never_applies_to_a_guest(make_rule, view_a):
    # given (check 7): every group except NOT LOGGED IN
    rule = make_rule(customer_groups=[GENERAL, WHOLESALE, RETAILER])

    # when
    evaluation = evaluate(view_a, [line("A", 1, "10")], visitor_id="v-1")

    # then
    assert evaluation.applied == []
    assert evaluation.refusals[rule.pk].code == "customer_group"


def test_a_rule_applies_to_the_customers_of_its_groups_only(make_rule, view_a):
    # given
    wholesale = CustomerGroup.objects.get(pk=WHOLESALE)
    trader = make_customer("trade@example.com", store_view=view_a, group=wholesale)
    shopper = make_customer("shop@example.com", store_view=view_a)
    rule = make_rule(customer_groups=[WHOLESALE])

    # when
    for_trader = evaluate(view_a, [line("A", 1, "10")], customer_id=trader.pk)
    for_shopper = evaluate(view_a, [line("A", 1, "10")], customer_id=shopper.pk)

    # then
    assert applied_ids(for_trader) == [rule.pk]
    assert applied_ids(for_shopper) == []


@pytest.fixture
def new_york_view(website_a):
    """The default store view of a website in New York's time zone."""
    scope_services.save_website(website=website_a, time_zone="America/New_York")
    return default_store_view()


NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("local_time", "applies"),
    [
        (dt.datetime(2026, 6, 1, 23, 59, tzinfo=NEW_YORK), True),
        (dt.datetime(2026, 6, 2, 0, 1, tzinfo=NEW_YORK), False),
    ],
    ids=["last_minute_case", "next_day_case"],
)
def test_a_rule_ending_today_applies_until_midnight_in_the_websites_time_zone(
    make_rule, new_york_view, local_time, applies
):
    # given: the rule's last day is 1 June; 23:59 in New York is already 2 June in UTC
    rule = make_rule(to_date="2026-06-01")

    # when
    evaluation = evaluate(new_york_view, [line("A", 1, "10")], now=local_time.astimezone(dt.UTC))

    # then
    assert (rule.pk in applied_ids(evaluation)) is applies
    if not applies:
        assert evaluation.refusals[rule.pk].code == "ended"


@pytest.mark.parametrize(
    ("local_time", "applies"),
    [
        (dt.datetime(2026, 5, 31, 23, 59, tzinfo=NEW_YORK), False),
        (dt.datetime(2026, 6, 1, 0, 0, tzinfo=NEW_YORK), True),
    ],
    ids=["day_before_case", "first_minute_case"],
)
def test_a_rule_starting_today_applies_from_midnight_in_the_websites_time_zone(
    make_rule, new_york_view, local_time, applies
):
    # given
    rule = make_rule(from_date="2026-06-01")

    # when
    evaluation = evaluate(new_york_view, [line("A", 1, "10")], now=local_time.astimezone(dt.UTC))

    # then
    assert (rule.pk in applied_ids(evaluation)) is applies
    if not applies:
        assert evaluation.refusals[rule.pk].code == "not_started"
