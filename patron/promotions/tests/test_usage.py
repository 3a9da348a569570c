"""Rule and coupon usage, counted from the orders the shop records (``record_order`` with
``coupon_code`` and ``applied_rule_ids``, spec c §11.2 Uses per Coupon / Uses per Customer):
limits per coupon and per registered customer, guests never limited, a canceled order giving
its use back, and recording the same order again counting once."""

import pytest

from patron.core.actors import SYSTEM
from patron.customers.tests.factories import make_customer
from patron.promotions import selectors, services
from patron.promotions.models import RuleUsage
from patron.promotions.tests.conftest import applied_ids, evaluate, line, record_order

ITEMS = [line("A", 1, "50")]


@pytest.fixture
def ada(view_a):
    return make_customer("ada@example.com", store_view=view_a)


@pytest.fixture
def bob(view_a):
    return make_customer("bob@example.com", store_view=view_a)


def refusal(store_view, rule, **cart) -> str | None:
    evaluation = evaluate(store_view, ITEMS, explain_rule_id=rule.pk, **cart)
    found = evaluation.refusals.get(rule.pk)
    return found.code if found else None


def test_a_recorded_order_counts_its_coupon_and_its_rules(make_rule, view_a, mug, ada, on_commit):
    # given
    coupon_rule = make_rule(coupon_type="specific", coupon_code="SPRING")
    plain = make_rule()
    untouched = make_rule()

    # when
    with on_commit():
        order = record_order(view_a, ada, coupon_code="spring", applied_rule_ids=[plain.pk])

    # then: the coupon's rule counts even when the shop left it out of the applied ids
    usages = RuleUsage.objects.order_by("rule_id")
    assert [(u.rule_id, u.order_id, u.customer_id) for u in usages] == [
        (coupon_rule.pk, order.pk, ada.pk), (plain.pk, order.pk, ada.pk),
    ]  # fmt: skip
    assert usages[0].coupon.code == "SPRING" and usages[1].coupon is None
    assert [selectors.times_used(r) for r in (coupon_rule, plain, untouched)] == [1, 1, 0]


def test_rule_ids_that_do_not_exist_are_ignored(make_rule, view_a, mug, on_commit):
    # given
    rule = make_rule()

    # when
    with on_commit():
        record_order(view_a, applied_rule_ids=[rule.pk, 99999, "x"])

    # then
    assert list(RuleUsage.objects.values_list("rule_id", flat=True)) == [rule.pk]


def test_recording_the_same_order_again_counts_once(make_rule, view_a, mug, ada, on_commit):
    # given
    rule = make_rule(coupon_type="specific", coupon_code="ONCE")
    with on_commit():
        record_order(view_a, ada, number="1001", coupon_code="ONCE")

    # when: sent again unchanged, then with another status
    with on_commit():
        record_order(view_a, ada, number="1001", coupon_code="ONCE")
        record_order(view_a, ada, number="1001", coupon_code="ONCE", status="complete")

    # then
    assert selectors.times_used(rule) == 1


def test_uses_per_coupon_are_exhausted_by_recorded_orders(make_rule, view_a, mug, ada, bob,
                                                          on_commit):  # fmt: skip
    # given: two uses allowed
    rule = make_rule(coupon_type="specific", coupon_code="TWICE", uses_per_coupon=2)
    with on_commit():
        record_order(view_a, ada, coupon_code="TWICE")
    assert refusal(view_a, rule, coupon_code="TWICE") is None

    # when
    with on_commit():
        record_order(view_a, coupon_code="twice")

    # then: nobody may use it any more, a new customer or a guest
    assert refusal(view_a, rule, coupon_code="TWICE", customer_id=bob.pk) == "coupon_limit"
    assert refusal(view_a, rule, coupon_code="TWICE") == "coupon_limit"


def test_each_generated_code_has_its_own_uses_per_coupon(make_rule, view_a, mug, on_commit):
    # given
    rule = make_rule(coupon_type="auto", uses_per_coupon=1)
    first, second = services.generate_coupons(rule=rule, quantity=2, actor=SYSTEM)

    # when
    with on_commit():
        record_order(view_a, coupon_code=first)

    # then
    assert refusal(view_a, rule, coupon_code=first) == "coupon_limit"
    assert refusal(view_a, rule, coupon_code=second) is None


def test_a_canceled_order_gives_its_coupon_use_back(make_rule, view_a, mug, ada, bob, on_commit):
    # given: the single use is taken
    rule = make_rule(coupon_type="specific", coupon_code="SOLO", uses_per_coupon=1)
    with on_commit():
        record_order(view_a, ada, number="2001", coupon_code="SOLO")
    assert refusal(view_a, rule, coupon_code="SOLO") == "coupon_limit"

    # when: the shop reports the order canceled
    with on_commit():
        record_order(view_a, ada, number="2001", coupon_code="SOLO", status="canceled")

    # then
    assert selectors.times_used(rule) == 0
    assert refusal(view_a, rule, coupon_code="SOLO", customer_id=bob.pk) is None


def test_an_order_recorded_as_canceled_uses_nothing(make_rule, view_a, mug, on_commit):
    # given
    rule = make_rule(coupon_type="specific", coupon_code="VOID", uses_per_coupon=1)

    # when
    with on_commit():
        record_order(view_a, coupon_code="VOID", status="canceled")

    # then
    assert selectors.times_used(rule) == 0


def test_uses_per_customer_limit_a_registered_customer(make_rule, view_a, mug, ada, bob,
                                                       on_commit):  # fmt: skip
    # given: one use per customer of a coupon
    rule = make_rule(coupon_type="specific", coupon_code="HELLO", uses_per_customer=1)

    # when
    with on_commit():
        record_order(view_a, ada, coupon_code="HELLO")

    # then: Ada has used hers, Bob has not
    assert refusal(view_a, rule, coupon_code="HELLO", customer_id=ada.pk) == (
        "coupon_customer_limit"
    )
    assert refusal(view_a, rule, coupon_code="HELLO", customer_id=bob.pk) is None


def test_uses_per_customer_never_limit_guests(make_rule, view_a, mug, on_commit):
    # given
    rule = make_rule(coupon_type="specific", coupon_code="GUEST", uses_per_customer=1)

    # when: guests used it three times
    with on_commit():
        for _n in range(3):
            record_order(view_a, coupon_code="GUEST")

    # then
    assert refusal(view_a, rule, coupon_code="GUEST", visitor_id="v-1") is None


def test_uses_per_customer_of_a_rule_without_coupon(make_rule, view_a, mug, ada, bob, on_commit):
    # given: twice per customer
    rule = make_rule(uses_per_customer=2)

    # when
    with on_commit():
        record_order(view_a, ada, applied_rule_ids=[rule.pk])
        record_order(view_a, ada, applied_rule_ids=[rule.pk])

    # then
    assert refusal(view_a, rule, customer_id=ada.pk) == "customer_limit"
    assert refusal(view_a, rule, customer_id=bob.pk) is None
    assert applied_ids(evaluate(view_a, ITEMS)) == [rule.pk]


def test_a_canceled_order_gives_a_customers_use_back(make_rule, view_a, mug, ada, on_commit):
    # given
    rule = make_rule(uses_per_customer=1)
    with on_commit():
        record_order(view_a, ada, number="3001", applied_rule_ids=[rule.pk])
    assert refusal(view_a, rule, customer_id=ada.pk) == "customer_limit"

    # when
    with on_commit():
        record_order(view_a, ada, number="3001", applied_rule_ids=[rule.pk], status="canceled")

    # then
    assert refusal(view_a, rule, customer_id=ada.pk) is None


def test_an_order_that_drops_a_rule_no_longer_counts_it(make_rule, view_a, mug, ada, on_commit):
    # given
    kept, dropped = make_rule(), make_rule()
    with on_commit():
        record_order(view_a, ada, number="4001", applied_rule_ids=[kept.pk, dropped.pk])

    # when: the shop corrects the order
    with on_commit():
        record_order(view_a, ada, number="4001", applied_rule_ids=[kept.pk], status="complete")

    # then
    assert (selectors.times_used(kept), selectors.times_used(dropped)) == (1, 0)


def test_uses_per_customer_of_an_auto_rule_count_every_code(make_rule, view_a, mug, ada,
                                                            on_commit):  # fmt: skip
    # given: one use per customer; Ada used the first code
    rule = make_rule(coupon_type="auto", uses_per_customer=1)
    first, second = services.generate_coupons(rule=rule, quantity=2, actor=SYSTEM)
    with on_commit():
        record_order(view_a, ada, coupon_code=first)

    # when / then: the rule is used up for her, whichever code she types
    assert refusal(view_a, rule, coupon_code=second, customer_id=ada.pk) is not None
