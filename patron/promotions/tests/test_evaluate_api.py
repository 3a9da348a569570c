"""POST /api/v1/cart-rules/evaluate through HTTP (spec c §11.1–11.2, issue 12's evaluation API):
the answer's shape, labels on the store view of the X-Patron-Store header, the coupon's fate,
why a named rule did not apply, problems at their paths, permissions, website-limited tokens
and the OpenAPI document."""

import json
from decimal import Decimal

import pytest

from patron.customers.tests.factories import make_customer
from patron.promotions.tests.conftest import (
    cart_attribute,
    found,
    make_product,
    product_attribute,
    tree,
)
from patron.testing.fixtures import bearer, make_integration_token, make_store_view

URL = "/api/v1/cart-rules/evaluate"
VIEW = "promotions.view_cartpricerule"


@pytest.fixture
def secret(db):
    _token, plain = make_integration_token("Shop", permissions=[VIEW])
    return plain


def post(client, data, secret=None, store="default", **headers):
    if secret:
        headers.update(bearer(secret))
    if store is not None:
        headers["HTTP_X_PATRON_STORE"] = store
    return client.post(URL, data=json.dumps(data), content_type="application/json", **headers)


def problems(response) -> list[tuple[str, str | None]]:
    body = response.json()
    return [(p["code"], p.get("field")) for p in body.get("errors") or [body]]


@pytest.fixture
def view_de(website_a):
    return make_store_view(website_a, "de", "de", name="Deutsch")


@pytest.fixture
def rules(make_rule, view_de):
    """A 10 % rule (priority 2) and a 5.00-per-unit rule on SHOE (priority 1), with labels."""
    percent = make_rule(name="Ten percent", priority=2, default_label="Sale",
                        labels={view_de.pk: "Rabatt"}, apply_to_shipping=True)  # fmt: skip
    fixed = make_rule(name="Five off shoes", priority=1, action="by_fixed", discount_amount="5",
                      action_conditions=tree(product_attribute("sku", "is", "SHOE")),
                      default_label="Shoes")  # fmt: skip
    return percent, fixed


def test_the_answer_lists_rules_in_priority_order_with_the_discount_of_each_item(
    client, secret, rules
):
    # given
    percent, fixed = rules
    data = {"items": [{"sku": "SHOE", "qty": 2, "price": "30"},
                      {"sku": "HAT", "qty": 1, "price": "20.05"}],
            "shipping_amount": "4.90"}  # fmt: skip

    # when
    response = post(client, data, secret)

    # then: shoes 10.00 + 10 % of 50 = 15.00; hat 10 % of 20.05 = 2.005 -> 2.01; shipping 0.49
    assert response.status_code == 200
    body = response.json()
    assert body["currency"] == "USD"
    assert body["applied_rule_ids"] == [fixed.pk, percent.pk]
    assert [(a["rule_id"], a["name"], a["label"], Decimal(a["discount"]),
             Decimal(a["shipping_discount"])) for a in body["applied_rules"]] == [
        (fixed.pk, "Five off shoes", "Shoes", Decimal("10.00"), 0),
        (percent.pk, "Ten percent", "Sale", Decimal("7.01"), Decimal("0.49")),
    ]  # fmt: skip
    assert [(i["sku"], i["row_total"], i["discount"], i["rule_ids"]) for i in body["items"]] == [
        ("SHOE", "60.00", "15.00", [fixed.pk, percent.pk]),
        ("HAT", "20.05", "2.01", [percent.pk]),
    ]
    assert (body["subtotal"], body["discount_total"], body["shipping_discount"]) == (
        "80.05", "17.50", "0.49",
    )  # fmt: skip
    assert body["labels"] == ["Shoes", "Sale"]
    assert (body["free_shipping"], body["coupon"], body["explanation"]) == ("no", None, None)


def test_labels_follow_the_store_view_of_the_header(client, secret, rules):
    # when
    response = post(client, {"items": [{"sku": "HAT", "qty": 1, "price": "10"}]}, secret,
                    store="de")  # fmt: skip

    # then: the German label; the shoe rule has no German label and keeps its default
    assert response.status_code == 200
    assert response.json()["labels"] == ["Rabatt"]


def test_the_catalogue_price_is_used_when_none_is_sent(client, secret, make_rule):
    # given
    make_product("MUG", price="12.50")
    make_rule()

    # when
    response = post(client, {"items": [{"sku": "MUG", "qty": 2}]}, secret)

    # then
    item = response.json()["items"][0]
    assert (item["price"], item["row_total"], item["discount"]) == ("12.5000", "25.00", "2.50")


def test_an_accepted_coupon(client, secret, make_rule):
    # given
    make_rule(coupon_type="specific", coupon_code="SPRING10")

    # when
    response = post(client, {"items": [{"sku": "A", "qty": 1, "price": "10"}],
                             "coupon_code": "spring10"}, secret)  # fmt: skip

    # then: the code as the shopper typed it
    assert response.json()["coupon"] == {"code": "spring10", "accepted": True, "message": ""}


def test_an_unknown_coupon_is_refused_with_a_message(client, secret, make_rule):
    # when
    response = post(client, {"items": [{"sku": "A", "qty": 1, "price": "10"}],
                             "coupon_code": "NOPE"}, secret)  # fmt: skip

    # then
    assert response.json()["coupon"] == {
        "code": "NOPE", "accepted": False,
        "message": "The coupon code isn't valid. Verify the code and try again.",
    }  # fmt: skip


def test_a_coupon_whose_rule_does_not_apply_is_refused_with_the_reason(client, secret, make_rule):
    # given
    make_rule(coupon_type="specific", coupon_code="BIG",
              conditions=tree(cart_attribute("subtotal", "gte", "100")))  # fmt: skip

    # when
    response = post(client, {"items": [{"sku": "A", "qty": 1, "price": "10"}],
                             "coupon_code": "BIG"}, secret)  # fmt: skip

    # then
    assert response.json()["coupon"] == {
        "code": "BIG", "accepted": False, "message": "The rule's conditions are not met.",
    }  # fmt: skip


def test_why_a_named_rule_did_not_apply(client, secret, make_rule):
    # given: subtotal >= 100 and a shoe in the cart; the cart has 30 of hats
    rule = make_rule(conditions=tree(
        cart_attribute("subtotal", "gte", "100"),
        found(product_attribute("sku", "is", "SHOE")),
        aggregator="any",
    ))  # fmt: skip

    # when
    response = post(client, {"items": [{"sku": "HAT", "qty": 3, "price": "10"}],
                             "explain_rule_id": rule.pk}, secret)  # fmt: skip

    # then: each condition with its result and the value compared
    explanation = response.json()["explanation"]
    assert (explanation["rule_id"], explanation["applied"], explanation["code"]) == (
        rule.pk, False, "conditions",
    )  # fmt: skip
    assert explanation["message"] == "The rule's conditions are not met."
    assert [(c["path"], c["result"], c["actual"]) for c in explanation["conditions"]] == [
        ("conditions", False, None),
        ("conditions.conditions[0]", False, "30"),
        ("conditions.conditions[1]", False, None),
        ("conditions.conditions[1].conditions[0]", False, "HAT"),
    ]
    assert explanation["conditions"][1]["condition"] == (
        "Subtotal (Excl. Tax) equals or greater than 100"
    )


def test_why_an_inactive_rule_did_not_apply(client, secret, make_rule):
    # given
    rule = make_rule(is_active=False)

    # when
    response = post(client, {"items": [{"sku": "A", "qty": 1, "price": "10"}],
                             "explain_rule_id": rule.pk}, secret)  # fmt: skip

    # then: explained, and still not applied
    body = response.json()
    assert body["applied_rule_ids"] == []
    assert (body["explanation"]["code"], body["explanation"]["conditions"]) == ("inactive", [])


def test_a_named_rule_that_applied_is_explained_as_applied(client, secret, make_rule):
    # given
    rule = make_rule()

    # when
    response = post(client, {"items": [{"sku": "A", "qty": 1, "price": "10"}],
                             "explain_rule_id": rule.pk}, secret)  # fmt: skip

    # then
    assert response.json()["explanation"] == {
        "rule_id": rule.pk, "applied": True, "code": "", "message": "", "conditions": [],
    }  # fmt: skip


# --- Problems -----------------------------------------------------------------------------------


def test_problems_of_the_cart_are_answered_at_their_paths(client, secret):
    # when: a zero quantity, a missing SKU, a product not in the catalogue without a price
    response = post(client, {"items": [
        {"sku": "A", "qty": 0, "price": "1"},
        {"sku": " ", "qty": 1, "price": "1"},
        {"sku": "UNKNOWN", "qty": 1},
    ], "explain_rule_id": 99999}, secret)  # fmt: skip

    # then
    assert response.status_code == 400
    assert sorted(problems(response)) == sorted([
        ("invalid", "items.0.qty"), ("required", "items.1.sku"),
        ("required", "items.2.price"), ("invalid", "explain_rule_id"),
    ])  # fmt: skip


def test_an_empty_cart_is_refused(client, secret):
    # when
    response = post(client, {"items": []}, secret)

    # then
    assert response.status_code == 400
    assert problems(response) == [("required", "items")]


def test_a_quantity_that_is_not_a_number_is_answered_at_its_path(client, secret):
    # when
    response = post(client, {"items": [{"sku": "A", "qty": "many", "price": "1"}]}, secret)

    # then
    assert response.status_code == 422
    assert [field for _code, field in problems(response)] == ["items.0.qty"]


def test_a_customer_of_another_website_is_refused(client, secret, website_b):
    # given
    stranger = make_customer("far@example.com", website=website_b)

    # when
    response = post(client, {"customer_id": stranger.pk,
                             "items": [{"sku": "A", "qty": 1, "price": "1"}]}, secret)  # fmt: skip

    # then
    assert response.status_code == 400
    assert problems(response) == [("invalid", "customer_id")]


def test_an_unknown_customer_is_refused(client, secret):
    # when
    response = post(client, {"customer_id": 424242,
                             "items": [{"sku": "A", "qty": 1, "price": "1"}]}, secret)  # fmt: skip

    # then
    assert problems(response) == [("not_found", "customer_id")]


def test_the_store_view_header_is_required(client, secret):
    # when
    response = post(client, {"items": [{"sku": "A", "qty": 1, "price": "1"}]}, secret, store=None)

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "store_required"


# --- Permissions --------------------------------------------------------------------------------


def test_evaluating_needs_authentication(client, db):
    # when
    response = post(client, {"items": [{"sku": "A", "qty": 1, "price": "1"}]})

    # then
    assert response.status_code == 401


def test_evaluating_needs_the_view_permission(client, db):
    # given
    _token, plain = make_integration_token("Other", permissions=["customers.view_customer"])

    # when
    response = post(client, {"items": [{"sku": "A", "qty": 1, "price": "1"}]}, plain)

    # then
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_a_website_limited_token_evaluates_only_on_its_websites(client, make_rule, website_b):
    # given: a token of the second website; the cart is on the default one
    make_store_view(website_b, "second_en", "en", name="Second", is_default=True)
    make_rule(websites=[website_b])
    _token, plain = make_integration_token("B", permissions=[VIEW], websites=[website_b])
    data = {"items": [{"sku": "A", "qty": 1, "price": "10"}]}

    # when
    elsewhere = post(client, data, plain, store="default")
    at_home = post(client, data, plain, store="second_en")

    # then
    assert elsewhere.status_code == 403
    assert elsewhere.json()["code"] == "website_not_allowed"
    assert at_home.status_code == 200
    assert at_home.json()["discount_total"] == "1.00"


def test_a_staff_session_with_the_permission_may_evaluate(client, make_rule):
    # given
    from patron.testing.fixtures import make_staff_user

    make_rule()
    staff = make_staff_user("clerk", permissions=[VIEW])
    client.force_login(staff)

    # when
    response = post(client, {"items": [{"sku": "A", "qty": 1, "price": "10"}]})

    # then
    assert response.status_code == 200
    assert Decimal(response.json()["discount_total"]) == Decimal("1.00")


# --- OpenAPI ------------------------------------------------------------------------------------


def test_the_openapi_document_describes_the_evaluation_with_examples(client, db):
    # when
    document = client.get("/api/v1/openapi.json").json()

    # then
    operation = document["paths"][URL]["post"]
    assert "X-Patron-Store" in operation["description"]
    assert "200" in operation["responses"]
    request_ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    request_schema = document["components"]["schemas"][request_ref.rsplit("/", 1)[1]]
    examples = request_schema["examples"]
    assert {"customer_id", "items", "coupon_code"} <= set(examples[0])
    assert "visitor_id" in examples[1]
    response_ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert (
        "applied_rules"
        in document["components"]["schemas"][response_ref.rsplit("/", 1)[1]]["properties"]
    )


def test_the_documented_example_cart_is_evaluated(client, secret, make_rule):
    # given: the example's customer, products and coupon exist
    from patron.promotions.schemas import EXAMPLE_EVALUATE_IN

    ada = make_customer("ada@example.com")
    make_product("SHOE-RED-42", price="59.90")
    make_product("SOCKS-3", price="4.00")
    make_rule(coupon_type="specific", coupon_code="SPRING10")

    # when
    response = post(client, {**EXAMPLE_EVALUATE_IN, "customer_id": ada.pk}, secret)

    # then
    assert response.status_code == 200
    assert response.json()["coupon"]["accepted"] is True
    assert response.json()["discount_total"] == "12.38"


def test_an_absurd_quantity_is_refused_at_its_path(client, secret, make_rule):
    # given
    make_rule()

    # when
    response = post(client, {"items": [{"sku": "A", "qty": "1e30", "price": "1"}]}, secret)

    # then
    assert response.status_code == 400
    assert [field for _code, field in problems(response)] == ["items.0.qty"]


def test_the_explanation_lists_every_condition_of_the_rule(client, secret, make_rule):
    # given: both conditions fail
    rule = make_rule(conditions=tree(
        cart_attribute("subtotal", "gte", "100"), cart_attribute("country", "is", "DE"),
    ))  # fmt: skip

    # when
    response = post(client, {"items": [{"sku": "A", "qty": 1, "price": "30"}],
                             "shipping_address": {"country_id": "FR"},
                             "explain_rule_id": rule.pk}, secret)  # fmt: skip

    # then
    conditions = response.json()["explanation"]["conditions"]
    assert [(c["path"], c["result"], c["actual"]) for c in conditions] == [
        ("conditions", False, None),
        ("conditions.conditions[0]", False, "30"),
        ("conditions.conditions[1]", False, "FR"),
    ]


def test_a_globally_shared_customer_may_shop_on_another_website(client, make_rule, website_b):
    # given: accounts shared by all websites; Ada's account was made on the default website
    from patron.customers.tests.factories import share_accounts

    share_accounts("global")
    make_store_view(website_b, "second_en", "en", name="Second", is_default=True)
    ada = make_customer("ada@example.com")
    rule = make_rule(websites=[website_b])
    _token, plain = make_integration_token("Shop", permissions=[VIEW])

    # when
    response = post(client, {"customer_id": ada.pk, "items": [{"sku": "A", "qty": 1,
                                                                 "price": "10"}]},
                    plain, store="second_en")  # fmt: skip

    # then
    assert response.status_code == 200, response.json()
    assert response.json()["applied_rule_ids"] == [rule.pk]
