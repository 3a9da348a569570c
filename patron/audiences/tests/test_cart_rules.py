"""The Audience condition of cart price rules (issue 14 "Use"), through POST
/api/v1/cart-rules/evaluate: spec c check 44 restated for the signed header (a guest carrying a
signed ``aep-segments-membership`` with X gets the discount of a rule with "Audience matches X";
the same request without X, or expired, does not), a registered member without a header,
inactive audiences and audiences of other websites, the negated operators, and Audience
Activation switched off."""

import json

import pytest

from patron.audiences import services
from patron.audiences.tests.conftest import (
    ENABLED,
    SECRET,
    TRUST_UNSIGNED,
    make_audience,
    signed,
)
from patron.core.actors import SYSTEM
from patron.core.errors import InvalidInput
from patron.customers.tests.factories import make_customer
from patron.promotions import services as rules
from patron.testing.fixtures import bearer, make_integration_token, set_config

GUEST, GENERAL, WHOLESALE, RETAILER = 0, 1, 2, 3
ALL_GROUPS = [GUEST, GENERAL, WHOLESALE, RETAILER]
EVALUATE = "/api/v1/cart-rules/evaluate"
HEADER = "HTTP_AEP_SEGMENTS_MEMBERSHIP"
CART = [{"sku": "MUG", "qty": "2", "price": "25.00"}]  # subtotal 50.00


def audience_condition(operator: str, *ids: str) -> dict:
    return {
        "type": "cart_rule.combine",
        "aggregator": "all",
        "value": True,
        "conditions": [{"type": "cart_rule.audience", "operator": operator, "value": list(ids)}],
    }


def make_rule(operator: str = "matches", *ids: str, groups=ALL_GROUPS, website=None):
    """10 % off every item for shoppers the Audience condition admits."""
    from patron.testing.fixtures import default_website

    return rules.save_rule(
        actor=SYSTEM, name=f"Audience {operator} {','.join(ids)}",
        websites=[website or default_website()], customer_groups=groups,
        discount_amount="10", conditions=audience_condition(operator, *(ids or ("X",))),
    )  # fmt: skip


@pytest.fixture
def token(db):
    _token, plain = make_integration_token(
        "Checkout", permissions=["promotions.view_cartpricerule"]
    )
    return plain


@pytest.fixture
def audience_x(enabled, website_a):
    make_audience("Y")
    return make_audience("X")


@pytest.fixture
def rule_x(audience_x):
    return make_rule("matches", "X")


def evaluate(client, token, header: str | None = None, **cart):
    headers = {**bearer(token), "HTTP_X_PATRON_STORE": "default"}
    if header is not None:
        headers[HEADER] = header
    body = {"items": CART, **cart}
    response = client.post(
        EVALUATE, data=json.dumps(body), content_type="application/json", **headers
    )
    assert response.status_code == 200, response.content
    return response.json()


def applied(answer) -> list[int]:
    return answer["applied_rule_ids"]


# --- Check 44, for a guest carrying the signed header -----------------------------------------


def test_a_guest_whose_signed_header_lists_x_gets_the_discount(client, token, rule_x):
    # when: a guest (no customer), the header signing "Y" and "X"
    answer = evaluate(client, token, signed("Y", "X"))

    # then
    assert applied(answer) == [rule_x.pk]
    assert answer["discount_total"] == "5.00"


def test_the_same_request_without_x_gets_no_discount(client, token, rule_x):
    # when
    answer = evaluate(client, token, signed("Y"))

    # then
    assert applied(answer) == []
    assert answer["discount_total"] == "0.00"


def test_the_same_request_without_the_header_gets_no_discount(client, token, rule_x):
    # when
    answer = evaluate(client, token)

    # then
    assert applied(answer) == []


def test_an_expired_header_with_x_gets_no_discount(client, token, rule_x):
    # when
    answer = evaluate(client, token, signed("X", expires_in=-1))

    # then
    assert applied(answer) == []
    assert services.signal_counts()["expired"] == 1


def test_a_header_signed_with_another_secret_gets_no_discount(client, token, rule_x):
    # when
    answer = evaluate(client, token, signed("X", secret=SECRET + "-guessed"))

    # then
    assert applied(answer) == []
    assert services.signal_counts()["bad_signature"] == 1


def test_an_unsigned_header_with_x_counts_only_with_trust_unsigned_on(client, token, rule_x):
    # given
    refused = evaluate(client, token, "X")
    set_config({TRUST_UNSIGNED: True})

    # when
    trusted = evaluate(client, token, "X")

    # then
    assert applied(refused) == []
    assert applied(trusted) == [rule_x.pk]


def test_the_signed_list_may_come_in_the_body_instead_of_the_header(client, token, rule_x):
    # when
    answer = evaluate(client, token, audience_membership=signed("X"))

    # then
    assert applied(answer) == [rule_x.pk]


def test_a_guest_with_x_gets_no_discount_when_the_rule_excludes_not_logged_in(
    client, token, audience_x
):
    # given
    make_rule("matches", "X", groups=[GENERAL, WHOLESALE, RETAILER])

    # when
    answer = evaluate(client, token, signed("X"))

    # then
    assert applied(answer) == []


# --- Registered customers, stored membership --------------------------------------------------


def test_a_customer_pushed_into_x_gets_the_discount_without_a_header(
    client, token, audience_x, rule_x
):
    # given
    ada = make_customer("ada@example.com")
    services.push_members(audience=audience_x, actor=SYSTEM, add=[ada.pk])

    # when
    answer = evaluate(client, token, customer_id=ada.pk)

    # then
    assert applied(answer) == [rule_x.pk]


def test_a_customer_not_in_x_gets_no_discount_without_a_header(client, token, rule_x):
    # given
    grace = make_customer("grace@example.com", firstname="Grace")

    # when
    answer = evaluate(client, token, customer_id=grace.pk)

    # then
    assert applied(answer) == []


def test_an_inactive_audience_does_not_count(client, token, audience_x, rule_x):
    # given: Ada a stored member of X, then X deactivated
    ada = make_customer("ada@example.com")
    services.push_members(audience=audience_x, actor=SYSTEM, add=[ada.pk])
    services.save_audience(actor=SYSTEM, audience=audience_x, is_active=False)

    # when
    by_header = evaluate(client, token, signed("X"))
    by_membership = evaluate(client, token, customer_id=ada.pk)

    # then
    assert applied(by_header) == []
    assert applied(by_membership) == []


def test_an_audience_of_another_website_does_not_count(client, token, audience_x, website_b):
    # given: X moved to the second website; the rule is on the first
    rule = make_rule("matches", "X")
    services.save_audience(actor=SYSTEM, audience=audience_x, websites=[website_b])

    # when
    answer = evaluate(client, token, signed("X"))

    # then
    assert applied(answer) == []
    assert rule.pk not in applied(answer)


# --- Operators ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operator", "in_x", "outside_x"),
    [
        ("matches", True, False),
        ("is_one_of", True, False),
        ("does_not_match", False, True),
        ("is_not_one_of", False, True),
    ],
    ids=["matches_case", "is_one_of_case", "does_not_match_case", "is_not_one_of_case"],
)
def test_each_operator_admits_members_or_non_members_of_the_listed_audiences(
    client, token, audience_x, operator, in_x, outside_x
):
    # given: a rule naming X and Z, a guest in X, a guest in Y only
    make_audience("Z")
    rule = make_rule(operator, "X", "Z")

    # when
    member = evaluate(client, token, signed("Y", "X"))
    outsider = evaluate(client, token, signed("Y"))

    # then
    assert (rule.pk in applied(member), rule.pk in applied(outsider)) == (in_x, outside_x)


def test_a_rule_cannot_name_an_unknown_audience(audience_x):
    # when
    with pytest.raises(InvalidInput) as raised:
        make_rule("matches", "X", "nobody")

    # then
    assert [(p.field, p.message) for p in raised.value.problems] == [
        ("conditions.conditions[0].value", "There is no audience with ID nobody.")
    ]


# --- Audience Activation off ------------------------------------------------------------------


def test_with_audience_activation_off_the_condition_is_false(client, token, audience_x, rule_x):
    # given: a "matches X" and a "does not match X" rule, Ada a stored member of X; then the
    # feature switched off
    make_rule("does_not_match", "X")
    ada = make_customer("ada@example.com")
    services.push_members(audience=audience_x, actor=SYSTEM, add=[ada.pk])
    set_config({ENABLED: False})

    # when
    by_header = evaluate(client, token, signed("X"))
    by_membership = evaluate(client, token, customer_id=ada.pk)
    outside_x = evaluate(client, token)

    # then: neither rule applies to anyone
    assert applied(by_header) == []
    assert applied(by_membership) == []
    assert applied(outside_x) == []


def condition_types(client, token) -> dict[str, dict]:
    response = client.get("/api/v1/cart-rules/condition-types", **bearer(token))
    assert response.status_code == 200
    return {entry["type"]: entry for entry in response.json()}


def test_the_condition_is_offered_only_with_audience_activation_on(client, token, audience_x):
    # given
    offered_on = condition_types(client, token)
    set_config({ENABLED: False})

    # when
    offered_off = condition_types(client, token)

    # then: offered with the audiences to choose from, and only while switched on
    entry = offered_on["cart_rule.audience"]
    assert (entry["label"], entry["scopes"]) == ("Audience", ["root"])
    assert entry["fields"][1] == {
        "name": "value", "kind": "audiences", "choices": [["X", "X"], ["Y", "Y"]],
    }  # fmt: skip
    assert [choice[0] for choice in entry["fields"][0]["choices"]] == [
        "matches", "does_not_match", "is_one_of", "is_not_one_of",
    ]  # fmt: skip
    assert set(offered_on) - set(offered_off) == {"cart_rule.audience"}
