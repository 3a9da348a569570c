"""Properties of the discount arithmetic for random carts and random rules (hypothesis, under the
project's profiles: ``ci`` is derandomized with 60 examples per test): no line is discounted
below 0 or above its row total, the totals agree with the lines and the rules, and a rule that
never applies changes nothing wherever it stands in the priority order."""

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal

from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from patron.core.actors import SYSTEM
from patron.promotions import services
from patron.promotions.tests.conftest import (
    ALL_GROUPS,
    WHOLESALE,
    cart_attribute,
    evaluate,
    item_attribute,
    product_attribute,
    tree,
)

SKUS = ("A", "B", "C", "D")
NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


@contextmanager
def rolled_back():
    """Run the block in a savepoint that is always rolled back, so examples never meet."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def money(low: int, high: int, places: int = 2):
    return st.integers(low * 10**places, high * 10**places).map(
        lambda n: Decimal(n).scaleb(-places)
    )


items = st.lists(
    st.fixed_dictionaries({
        "sku": st.sampled_from(SKUS),
        "qty": st.integers(1, 12).map(Decimal),
        "price": money(0, 300),
    }),
    min_size=1,
    max_size=5,
)  # fmt: skip

item_conditions = st.one_of(
    st.just(tree()),
    st.builds(lambda sku: tree(product_attribute("sku", "is", sku)), st.sampled_from(SKUS)),
    st.builds(lambda n: tree(item_attribute("item_qty", "gte", n)), st.integers(1, 6)),
    st.builds(lambda p: tree(item_attribute("item_price", "gt", p)), money(0, 200)),
)
cart_conditions = st.one_of(
    st.just(tree()),
    st.builds(lambda v: tree(cart_attribute("subtotal", "gte", v)), money(0, 800)),
    st.builds(lambda n: tree(cart_attribute("total_qty", "lte", n)), st.integers(1, 30)),
)


@st.composite
def rule_fields(draw) -> dict:
    action = draw(st.sampled_from(("by_percent", "by_fixed", "cart_fixed", "buy_x_get_y")))
    amount = {
        "by_percent": money(0, 100),
        "by_fixed": money(0, 120),
        "cart_fixed": money(0, 400),
        "buy_x_get_y": st.integers(1, 3).map(Decimal),
    }[action]
    return {
        "action": action,
        "discount_amount": draw(amount),
        "discount_step": draw(st.integers(1 if action == "buy_x_get_y" else 0, 3)),
        "max_qty": draw(st.one_of(st.none(), st.integers(1, 6).map(Decimal))),
        "priority": draw(st.integers(0, 3)),
        "apply_to_shipping": draw(st.booleans()),
        "discard_subsequent_rules": draw(st.booleans()),
        "free_shipping": draw(st.sampled_from(("no", "items", "shipment"))),
        "conditions": draw(cart_conditions),
        "action_conditions": draw(item_conditions),
    }


@st.composite
def never_applying(draw, website_b) -> dict:
    """A rule that can never apply to a guest's cart on the default website today."""
    fields = draw(rule_fields())
    blocker = draw(st.sampled_from(("website", "group", "conditions", "coupon", "ended")))
    if blocker == "website":
        fields["websites"] = [website_b]
    elif blocker == "group":
        fields["customer_groups"] = [WHOLESALE]
    elif blocker == "conditions":
        fields["conditions"] = tree(cart_attribute("subtotal", "gt", "1000000"))
    elif blocker == "coupon":
        fields.update(coupon_type="specific", coupon_code="NEVER-TYPED")
    else:
        fields.update(from_date="2020-01-01", to_date="2020-12-31")
    return fields


def save(fields: dict, website, n: int):
    fields = {"websites": [website], "customer_groups": ALL_GROUPS, **fields}
    return services.save_rule(actor=SYSTEM, name=f"Rule {n}", **fields)


def snapshot(evaluation) -> tuple:
    return (
        [(line.discount, tuple(line.rule_ids), line.free_shipping) for line in evaluation.lines],
        [(a.rule.pk, a.discount, a.shipping_discount) for a in evaluation.applied],
        evaluation.shipping_discount,
        evaluation.free_shipping,
        evaluation.discount_total,
    )


# A shipping amount in the currency's precision (a fraction of a yen is its own bug, below).
shipping_in = {"USD": money(0, 30), "EUR": money(0, 30), "JPY": money(0, 3000, places=0)}
currencies = st.sampled_from(tuple(shipping_in))


@given(data=st.data(), cart=items, rules=st.lists(rule_fields(), max_size=4), currency=currencies)
def test_each_line_is_discounted_between_0_and_its_row_total(
    website_a, view_a, data, cart, rules, currency
):
    shipping = data.draw(shipping_in[currency], label="shipping")
    with rolled_back():
        # given
        for n, fields in enumerate(rules):
            save(fields, website_a, n)

        # when
        evaluation = evaluate(view_a, cart, shipping_amount=shipping, currency=currency,
                              now=NOW)  # fmt: skip

        # then
        for line in evaluation.lines:
            assert 0 <= line.discount <= line.row_total
        assert 0 <= evaluation.shipping_discount <= shipping
        assert 0 <= evaluation.discount_total <= evaluation.subtotal + shipping


@given(data=st.data(), cart=items, rules=st.lists(rule_fields(), max_size=4), currency=currencies)
def test_the_totals_agree_with_the_lines_and_the_rules(
    website_a, view_a, data, cart, rules, currency
):
    shipping = data.draw(shipping_in[currency], label="shipping")
    with rolled_back():
        # given
        for n, fields in enumerate(rules):
            save(fields, website_a, n)

        # when
        evaluation = evaluate(view_a, cart, shipping_amount=shipping, currency=currency,
                              now=NOW)  # fmt: skip

        # then: the total is the lines plus shipping, and each rule's part adds up to it
        lines = sum((line.discount for line in evaluation.lines), Decimal(0))
        assert evaluation.discount_total == lines + evaluation.shipping_discount
        assert sum((a.discount for a in evaluation.applied), Decimal(0)) == lines
        assert (
            sum((a.shipping_discount for a in evaluation.applied), Decimal(0))
            == evaluation.shipping_discount
        )
        for line in evaluation.lines:
            assert line.rule_ids == sorted(
                line.rule_ids, key=[a.rule.pk for a in evaluation.applied].index
            )


@given(data=st.data(), cart=items, rules=st.lists(rule_fields(), max_size=3),
       shipping=money(0, 30))  # fmt: skip
def test_a_rule_that_never_applies_changes_nothing(
    website_a, website_b, view_a, data, cart, rules, shipping
):
    with rolled_back():
        # given
        for n, fields in enumerate(rules):
            save(fields, website_a, n)
        before = snapshot(evaluate(view_a, cart, shipping_amount=shipping, now=NOW))

        # when: a rule that cannot apply is added, at any priority
        save(data.draw(never_applying(website_b), label="unrelated"), website_a, 99)
        after = snapshot(evaluate(view_a, cart, shipping_amount=shipping, now=NOW))

        # then
        assert after == before
