"""The cart price rules API through HTTP (patron/promotions/api.py): definitions with problems at
their paths, the list's filters, changes and deletion, the condition catalogue (check 8), coupon
codes, permissions and website-limited tokens, and the documented examples."""

import json

import pytest

from patron.promotions.models import CartPriceRule
from patron.promotions.schemas import EXAMPLE_ACTION_CONDITIONS
from patron.promotions.tests.conftest import (
    ALL_GROUPS,
    SEGMENTS_ENABLED,
    cart_attribute,
    make_category,
    product_attribute,
    tree,
)
from patron.testing.fixtures import bearer, make_integration_token, set_config

VIEW = "promotions.view_cartpricerule"
ADD = "promotions.add_cartpricerule"
CHANGE = "promotions.change_cartpricerule"
DELETE = "promotions.delete_cartpricerule"
ALL = [VIEW, ADD, CHANGE, DELETE]


@pytest.fixture
def secret(db):
    _token, plain = make_integration_token("Shop", permissions=ALL)
    return plain


def call(client, method, url, secret=None, data=None):
    headers = bearer(secret) if secret else {}
    if data is not None:
        headers.update(data=json.dumps(data), content_type="application/json")
    return getattr(client, method)(url, **headers)


def problems(response) -> list[tuple[str, str | None]]:
    body = response.json()
    return [(p["code"], p.get("field")) for p in body.get("errors") or [body]]


def definition(**fields) -> dict:
    return {"name": "Ten off", "websites": ["base"], "customer_groups": ALL_GROUPS,
            "discount_amount": "10", **fields}  # fmt: skip


# --- Definitions --------------------------------------------------------------------------------


def test_a_rule_is_created(client, secret, website_a, view_a):
    # when
    response = call(client, "post", "/api/v1/cart-rules", secret, definition(
        coupon_type="specific", coupon_code="SPRING", uses_per_coupon=5, priority=2,
        from_date="2026-03-01", to_date="2026-05-31", default_label="Sale",
        labels={str(view_a.pk): "Spring sale"},
        conditions=tree(cart_attribute("subtotal", "gte", "50")),
    ))  # fmt: skip

    # then
    assert response.status_code == 201
    body = response.json()
    rule = CartPriceRule.objects.get()
    assert body["id"] == rule.pk
    assert (body["websites"], body["website_ids"]) == (["base"], [website_a.pk])
    assert (body["coupon_type"], body["coupon_code"], body["uses_per_coupon"]) == (
        "specific", "SPRING", 5,
    )  # fmt: skip
    assert (body["from_date"], body["to_date"], body["priority"]) == (
        "2026-03-01", "2026-05-31", 2,
    )  # fmt: skip
    assert body["labels"] == {str(view_a.pk): "Spring sale"}
    assert body["conditions"]["conditions"][0]["value"] == "50"
    assert (body["times_used"], body["customer_groups"]) == (0, ALL_GROUPS)


def test_problems_are_answered_at_their_fields_and_paths(client, secret):
    # when
    response = call(client, "post", "/api/v1/cart-rules", secret, definition(
        name="", discount_amount="150",
        conditions=tree(cart_attribute("subtotal", "gte", "x"), {"type": "nope"}),
    ))  # fmt: skip

    # then
    assert response.status_code == 400
    assert sorted(field for _code, field in problems(response)) == [
        "conditions.conditions[0].value", "conditions.conditions[1].type", "discount_amount",
        "name",
    ]  # fmt: skip
    assert not CartPriceRule.objects.exists()


def test_an_unknown_website_code_is_refused_at_websites(client, secret):
    # when
    response = call(client, "post", "/api/v1/cart-rules", secret,
                    definition(websites=["nowhere"]))  # fmt: skip

    # then
    assert response.status_code == 400
    assert [field for _code, field in problems(response)] == ["websites"]


def test_a_duplicate_coupon_code_is_refused(client, secret, make_rule):
    # given
    make_rule(coupon_type="specific", coupon_code="TAKEN")

    # when
    response = call(client, "post", "/api/v1/cart-rules", secret,
                    definition(coupon_type="specific", coupon_code="taken"))  # fmt: skip

    # then
    assert problems(response) == [("duplicate", "coupon_code")]


def test_a_rule_is_read_and_an_unknown_one_is_not_found(client, secret, make_rule):
    # given
    rule = make_rule(name="Readable")

    # when
    found = call(client, "get", f"/api/v1/cart-rules/{rule.pk}", secret)
    missing = call(client, "get", "/api/v1/cart-rules/999999", secret)

    # then
    assert (found.status_code, found.json()["name"]) == (200, "Readable")
    assert (missing.status_code, missing.json()["code"]) == (404, "rule_not_found")


def test_the_list_is_in_priority_order_and_filtered(client, secret, make_rule, website_b):
    # given
    late = make_rule(name="Late summer", priority=9)
    early = make_rule(name="Early summer", priority=1, coupon_type="specific", coupon_code="SUN")
    off = make_rule(name="Winter", is_active=False)
    other = make_rule(name="Elsewhere", websites=[website_b])

    def ids(query: str) -> list[int]:
        response = call(client, "get", f"/api/v1/cart-rules{query}", secret)
        return [r["id"] for r in response.json()["results"]]

    # when / then
    assert ids("") == [off.pk, other.pk, early.pk, late.pk]
    assert ids("?is_active=false") == [off.pk]
    assert ids("?coupon_code=sun") == [early.pk]
    assert ids("?name=summer") == [early.pk, late.pk]
    assert ids("?website=second") == [other.pk]
    assert ids("?page_size=2&page=2") == [early.pk, late.pk]


def test_a_change_keeps_the_fields_not_sent(client, secret, make_rule):
    # given
    rule = make_rule(name="Before", priority=3,
                     conditions=tree(cart_attribute("total_qty", "gte", "2")))  # fmt: skip

    # when
    response = call(client, "patch", f"/api/v1/cart-rules/{rule.pk}", secret,
                    {"name": "After", "to_date": "2026-12-31"})  # fmt: skip

    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["priority"], body["to_date"]) == ("After", 3, "2026-12-31")
    assert body["conditions"]["conditions"][0]["attribute"] == "total_qty"


def test_a_null_clears_the_conditions_and_the_end_date(client, secret, make_rule):
    # given
    rule = make_rule(to_date="2026-12-31", conditions=tree(cart_attribute("total_qty", "gte", "2")))

    # when
    response = call(client, "patch", f"/api/v1/cart-rules/{rule.pk}", secret,
                    {"conditions": None, "to_date": None})  # fmt: skip

    # then
    body = response.json()
    assert (body["conditions"], body["to_date"]) == (tree(), None)


def test_a_change_with_a_problem_changes_nothing(client, secret, make_rule):
    # given
    rule = make_rule(name="Stable")

    # when
    response = call(
        client,
        "patch",
        f"/api/v1/cart-rules/{rule.pk}",
        secret,
        {"name": "Changed", "from_date": "2026-02-01", "to_date": "2026-01-01"},
    )

    # then
    assert problems(response) == [("invalid", "to_date")]
    rule.refresh_from_db()
    assert rule.name == "Stable"


def test_a_rule_is_deleted(client, secret, make_rule):
    # given
    rule = make_rule()

    # when
    response = call(client, "delete", f"/api/v1/cart-rules/{rule.pk}", secret)

    # then
    assert response.status_code == 204
    assert not CartPriceRule.objects.exists()


# --- The condition catalogue --------------------------------------------------------------------


def test_the_root_catalogue_offers_cart_conditions_and_the_segment_condition(client, secret):
    # when
    entries = call(client, "get", "/api/v1/cart-rules/condition-types", secret).json()

    # then
    offered = {(e["type"], e["defaults"].get("attribute")) for e in entries}
    assert {
        ("cart_rule.combine", None), ("cart_rule.cart_attribute", "subtotal"),
        ("cart_rule.cart_attribute", "country"), ("cart_rule.product_found", None),
        ("cart_rule.product_subselect", None), ("cart_rule.customer_segment", None),
    } <= offered  # fmt: skip
    assert not any(e["type"] == "cart_rule.product_attribute" for e in entries)
    segment = next(e for e in entries if e["type"] == "cart_rule.customer_segment")
    assert [c[0] for c in segment["fields"][0]["choices"]] == [
        "matches", "does_not_match", "is_one_of", "is_not_one_of",
    ]  # fmt: skip


def test_the_item_catalogue_offers_item_and_product_attributes(client, secret):
    # when
    entries = call(client, "get", "/api/v1/cart-rules/condition-types?scope=item", secret).json()

    # then
    offered = {(e["type"], e["defaults"].get("attribute")) for e in entries}
    assert {
        ("cart_rule.item_attribute", "item_price"), ("cart_rule.product_attribute", "sku"),
        ("cart_rule.product_attribute", "category_parent_only"),
        ("cart_rule.product_attribute", "category_children_only"),
    } <= offered  # fmt: skip
    assert not {"cart_rule.cart_attribute", "cart_rule.customer_segment"} & {t for t, _ in offered}


def test_the_segment_condition_is_not_offered_with_segments_switched_off(client, secret):
    # given (check 8)
    set_config({SEGMENTS_ENABLED: False})

    # when
    entries = call(client, "get", "/api/v1/cart-rules/condition-types", secret).json()

    # then
    assert "cart_rule.customer_segment" not in {e["type"] for e in entries}
    assert "cart_rule.cart_attribute" in {e["type"] for e in entries}


# --- Coupon codes -------------------------------------------------------------------------------


def test_codes_are_generated_listed_and_deleted(client, secret, make_rule):
    # given
    rule = make_rule(coupon_type="auto")
    base = f"/api/v1/cart-rules/{rule.pk}/coupons"

    # when
    generated = call(client, "post", f"{base}/generate", secret,
                     {"quantity": 3, "length": 6, "prefix": "AB-"})  # fmt: skip
    listed = call(client, "get", base, secret).json()
    first = listed["results"][0]
    deleted = call(client, "post", f"{base}/delete", secret, {"ids": [first["id"]]})

    # then
    assert generated.status_code == 201
    codes = generated.json()["codes"]
    assert generated.json()["created"] == 3 and all(c.startswith("AB-") for c in codes)
    assert listed["count"] == 3
    assert sorted(c["code"] for c in listed["results"]) == sorted(codes)
    assert (first["is_primary"], first["times_used"]) == (False, 0)
    assert deleted.json() == {"deleted": 1}
    assert rule.coupons.count() == 2


def test_codes_are_not_generated_for_a_specific_coupon_rule(client, secret, make_rule):
    # given
    rule = make_rule(coupon_type="specific", coupon_code="ONE")

    # when
    response = call(client, "post", f"/api/v1/cart-rules/{rule.pk}/coupons/generate", secret,
                    {"quantity": 3})  # fmt: skip

    # then
    assert problems(response) == [("invalid", "coupon_type")]


# --- Permissions --------------------------------------------------------------------------------


def test_a_view_only_token_reads_but_cannot_write(client, make_rule):
    # given
    rule = make_rule()
    _token, plain = make_integration_token("Reader", permissions=[VIEW])

    # when
    read = call(client, "get", "/api/v1/cart-rules", plain)
    created = call(client, "post", "/api/v1/cart-rules", plain, definition())
    changed = call(client, "patch", f"/api/v1/cart-rules/{rule.pk}", plain, {"name": "X"})
    deleted = call(client, "delete", f"/api/v1/cart-rules/{rule.pk}", plain)
    generated = call(client, "post", f"/api/v1/cart-rules/{rule.pk}/coupons/generate", plain,
                     {"quantity": 1})  # fmt: skip

    # then
    assert read.status_code == 200
    assert [r.status_code for r in (created, changed, deleted, generated)] == [403] * 4
    assert CartPriceRule.objects.get().name == rule.name


def test_without_a_token_nothing_is_answered(client, db):
    # when
    response = call(client, "get", "/api/v1/cart-rules")

    # then
    assert response.status_code == 401


def test_a_website_limited_token_sees_and_changes_only_its_rules(
    client, make_rule, website_a, website_b
):
    # given: a token of the second website
    mine = make_rule(name="Mine", websites=[website_b])
    shared = make_rule(name="Shared", websites=[website_a, website_b])
    hidden = make_rule(name="Hidden", websites=[website_a])
    _token, plain = make_integration_token("B", permissions=ALL, websites=[website_b])

    # when
    listed = call(client, "get", "/api/v1/cart-rules", plain).json()["results"]
    change_mine = call(client, "patch", f"/api/v1/cart-rules/{mine.pk}", plain, {"priority": 4})
    change_shared = call(client, "patch", f"/api/v1/cart-rules/{shared.pk}", plain,
                         {"priority": 4})  # fmt: skip
    read_hidden = call(client, "get", f"/api/v1/cart-rules/{hidden.pk}", plain)
    create_elsewhere = call(client, "post", "/api/v1/cart-rules", plain, definition())

    # then
    assert [r["id"] for r in listed] == [mine.pk, shared.pk]
    assert change_mine.status_code == 200
    assert (change_shared.status_code, change_shared.json()["code"]) == (
        403, "website_not_allowed",
    )  # fmt: skip
    assert read_hidden.status_code == 404
    assert (create_elsewhere.status_code, create_elsewhere.json()["code"]) == (
        403, "website_not_allowed",
    )  # fmt: skip


# --- Documentation ------------------------------------------------------------------------------


def test_the_openapi_document_lists_the_rule_operations_with_examples(client, db):
    # when
    document = client.get("/api/v1/openapi.json").json()

    # then
    paths = document["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/cart-rules"])
    assert {"get", "patch", "delete"} <= set(paths["/api/v1/cart-rules/{rule_id}"])
    assert "post" in paths["/api/v1/cart-rules/{rule_id}/coupons/generate"]
    assert document["components"]["schemas"]["RuleIn"]["examples"][0]["name"]


def test_the_documented_action_conditions_are_accepted(client, secret):
    # given: the example's category exists
    make_category("shoes")

    # when
    response = call(client, "post", "/api/v1/cart-rules", secret,
                    definition(action_conditions=EXAMPLE_ACTION_CONDITIONS))  # fmt: skip

    # then
    assert response.status_code == 201, response.json()


def test_a_category_condition_with_a_single_code_is_accepted(client, secret):
    # given
    make_category("shoes")

    # when
    response = call(client, "post", "/api/v1/cart-rules", secret, definition(
        action_conditions=tree(product_attribute("category", "is", "shoes"))
    ))  # fmt: skip

    # then
    assert response.status_code == 201


def test_a_rule_with_a_segment_condition_can_be_deactivated_with_segments_off(
    client, secret, make_rule, make_segment
):
    # given: a rule saved while segments were on
    segment = make_segment(None)
    rule = make_rule(conditions=tree(
        {"type": "cart_rule.customer_segment", "operator": "matches", "value": [segment.pk]}
    ))  # fmt: skip
    set_config({SEGMENTS_ENABLED: False})

    # when
    response = call(client, "patch", f"/api/v1/cart-rules/{rule.pk}", secret, {"is_active": False})

    # then
    assert response.status_code == 200, response.json()
    rule.refresh_from_db()
    assert rule.is_active is False
