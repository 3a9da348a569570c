"""Coupon codes (spec c §11.2 Coupon): a coupon rule applies only with one of its codes, codes
match without regard to case, and Manage Coupon Codes generates and deletes codes of Auto
rules. The limits per coupon and per customer are in test_usage.py."""

import re

import pytest

from patron.core.actors import SYSTEM
from patron.core.errors import InvalidInput
from patron.promotions import services
from patron.promotions.models import Coupon
from patron.promotions.tests.conftest import applied_ids, evaluate, line

ITEMS = [line("A", 1, "50")]


def coupon_check(store_view, code: str):
    _evaluation, _cart, coupon, _explained = services.evaluate_cart(
        store_view=store_view, items=ITEMS, coupon_code=code
    )
    return coupon


@pytest.fixture
def spring(make_rule):
    return make_rule(name="Spring", coupon_type="specific", coupon_code="SPRING10")


def test_a_coupon_rule_without_a_code_in_the_cart_does_not_apply(spring, view_a):
    # when
    evaluation = evaluate(view_a, ITEMS)

    # then
    assert evaluation.applied == []
    assert evaluation.refusals[spring.pk].code == "coupon_missing"
    assert evaluation.coupon_accepted is False


def test_a_coupon_rule_applies_with_its_code_in_any_case(spring, view_a):
    # when
    evaluation = evaluate(view_a, ITEMS, coupon_code=" spring10 ")

    # then
    assert applied_ids(evaluation) == [spring.pk]
    assert evaluation.coupon_accepted is True


def test_another_rules_code_unlocks_only_that_rule(spring, make_rule, view_a):
    # given
    summer = make_rule(name="Summer", coupon_type="specific", coupon_code="SUMMER")

    # when
    evaluation = evaluate(view_a, ITEMS, coupon_code="SUMMER")

    # then
    assert applied_ids(evaluation) == [summer.pk]
    assert evaluation.refusals[spring.pk].code == "coupon_other"


def test_an_unknown_code_unlocks_nothing_and_is_not_accepted(spring, make_rule, view_a):
    # given: a rule without coupon still applies
    plain = make_rule(name="Plain")

    # when
    evaluation = evaluate(view_a, ITEMS, coupon_code="NOPE")

    # then
    assert applied_ids(evaluation) == [plain.pk]
    assert evaluation.coupon_accepted is False
    assert coupon_check(view_a, "NOPE").coupon is None


def test_a_code_of_an_inactive_rule_is_not_accepted(make_rule, view_a):
    # given
    make_rule(is_active=False, coupon_type="specific", coupon_code="OLD")

    # when
    evaluation = evaluate(view_a, ITEMS, coupon_code="OLD")

    # then
    assert evaluation.applied == []
    assert evaluation.coupon_accepted is False


def test_a_code_is_accepted_only_when_its_rule_applies(make_rule, view_a):
    # given: the rule's conditions are not met
    from patron.promotions.tests.conftest import cart_attribute, tree

    rule = make_rule(coupon_type="specific", coupon_code="BIG",
                     conditions=tree(cart_attribute("subtotal", "gte", "100")))  # fmt: skip

    # when
    evaluation = evaluate(view_a, ITEMS, coupon_code="BIG")

    # then
    assert evaluation.coupon_accepted is False
    assert evaluation.refusals[rule.pk].code == "conditions"


# --- Auto-generated codes -----------------------------------------------------------------------


@pytest.fixture
def auto(make_rule):
    return make_rule(name="Auto", coupon_type="auto")


def test_generated_codes_follow_the_format_and_are_unique(auto):
    # when
    codes = services.generate_coupons(
        rule=auto, quantity=50, length=8, format="numeric", prefix="SP-", suffix="-X",
        dash_every=4, actor=SYSTEM,
    )  # fmt: skip

    # then
    assert len(codes) == len({c.lower() for c in codes}) == 50
    assert all(re.fullmatch(r"SP-\d{4}-\d{4}-X", code) for code in codes)
    assert auto.coupons.count() == 50


def test_alphanumeric_codes_leave_out_characters_that_are_easily_misread(auto):
    # when
    codes = services.generate_coupons(rule=auto, quantity=200, length=12, actor=SYSTEM)

    # then
    assert all(re.fullmatch(r"[A-HJ-NP-Z2-9]{12}", code) for code in codes)


def test_every_generated_code_unlocks_the_rule(auto, view_a):
    # given
    first, second = services.generate_coupons(rule=auto, quantity=2, actor=SYSTEM)

    # when / then
    assert applied_ids(evaluate(view_a, ITEMS, coupon_code=first.lower())) == [auto.pk]
    assert applied_ids(evaluate(view_a, ITEMS, coupon_code=second)) == [auto.pk]


def test_codes_are_generated_only_for_auto_rules(spring):
    # when
    with pytest.raises(InvalidInput) as caught:
        services.generate_coupons(rule=spring, quantity=5, actor=SYSTEM)

    # then
    assert [p.field for p in caught.value.problems] == ["coupon_type"]
    assert spring.coupons.count() == 1


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"quantity": 0}, "quantity"),
        ({"quantity": 100_001}, "quantity"),
        ({"quantity": 1, "length": 3}, "length"),
        ({"quantity": 1, "format": "emoji"}, "format"),
        ({"quantity": 1, "prefix": "A B"}, "prefix"),
    ],
    ids=["none_case", "too_many_case", "short_case", "format_case", "space_case"],
)
def test_generation_options_are_checked_at_their_fields(auto, options, field):
    # when
    with pytest.raises(InvalidInput) as caught:
        services.generate_coupons(rule=auto, actor=SYSTEM, **options)

    # then
    assert [p.field for p in caught.value.problems] == [field]
    assert not auto.coupons.exists()


def test_too_few_possible_codes_are_refused(auto):
    # when: 10**4 numeric codes of 4 digits cannot give 5,000 with room to spare
    with pytest.raises(InvalidInput) as caught:
        services.generate_coupons(rule=auto, quantity=5_000, length=4, format="numeric",
                                  actor=SYSTEM)  # fmt: skip

    # then
    assert caught.value.field == "length"


def test_generated_codes_never_repeat_an_existing_code(make_rule, auto):
    # given: 2,000 of the 10,000 four-digit codes belong to another rule
    other = make_rule(name="Other", coupon_type="auto")
    taken = set(services.generate_coupons(rule=other, quantity=2000, length=4, format="numeric",
                                          actor=SYSTEM))  # fmt: skip

    # when
    fresh = services.generate_coupons(rule=auto, quantity=400, length=4, format="numeric",
                                      actor=SYSTEM)  # fmt: skip

    # then
    assert not taken & set(fresh)
    assert Coupon.objects.count() == 2400


def test_deleting_generated_codes_keeps_the_others(auto, view_a):
    # given
    services.generate_coupons(rule=auto, quantity=3, actor=SYSTEM)
    gone, kept, also_gone = auto.coupons.order_by("pk")

    # when
    deleted = services.delete_coupons(rule=auto, coupon_ids=[gone.pk, also_gone.pk], actor=SYSTEM)

    # then
    assert deleted == 2
    assert list(auto.coupons.values_list("code", flat=True)) == [kept.code]
    assert applied_ids(evaluate(view_a, ITEMS, coupon_code=gone.code)) == []


def test_deleting_codes_never_deletes_the_specific_code_or_another_rules(spring, auto):
    # given
    services.generate_coupons(rule=auto, quantity=1, actor=SYSTEM)
    primary = spring.coupons.get()

    # when
    deleted = services.delete_coupons(rule=spring, coupon_ids=[primary.pk], actor=SYSTEM)
    deleted += services.delete_coupons(rule=spring, coupon_ids=[auto.coupons.get().pk],
                                       actor=SYSTEM)  # fmt: skip

    # then
    assert deleted == 0
    assert Coupon.objects.count() == 2


def test_switching_an_auto_rule_to_specific_keeps_its_generated_codes(auto, view_a):
    # given
    (generated,) = services.generate_coupons(rule=auto, quantity=1, actor=SYSTEM)

    # when
    services.save_rule(actor=SYSTEM, rule=auto, coupon_type="specific", coupon_code="MAIN")

    # then: generated codes are removed only on request
    assert sorted(auto.coupons.values_list("code", flat=True)) == sorted(["MAIN", generated])
    assert applied_ids(evaluate(view_a, ITEMS, coupon_code="main")) == [auto.pk]
