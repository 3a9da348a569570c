"""The dynamic blocks API (patron/blocks/api.py) through HTTP: what a shopper sees (store view
header, customer token, visitor id) and the definitions for staff and integrations, with
permissions, website-limited tokens and problems named by field."""

import json

import pytest

from patron.blocks.models import ContentBlock
from patron.blocks.tests.conftest import (
    big_cart_segment,
    guest_with_big_cart,
    make_block,
    members_segment,
)
from patron.customers.services import issue_customer_token
from patron.testing.fixtures import bearer, make_integration_token, make_staff_user

VIEW = "blocks.view_contentblock"
ADD = "blocks.add_contentblock"
CHANGE = "blocks.change_contentblock"
DELETE = "blocks.delete_contentblock"
ALL = [VIEW, ADD, CHANGE, DELETE]
BLOCKS = "/api/v1/blocks"
DEFINITIONS = "/api/v1/content-blocks"


def call(client, method, url, secret=None, data=None, store=None):
    headers = bearer(secret) if secret else {}
    if store is not None:
        headers["HTTP_X_PATRON_STORE"] = store
    if data is not None:
        headers.update(data=json.dumps(data), content_type="application/json")
    return getattr(client, method)(url, **headers)


def problems(response) -> list[tuple[str, str | None]]:
    body = response.json()
    return [(p["code"], p.get("field")) for p in body.get("errors") or [body]]


@pytest.fixture
def secret(db):
    _token, plain = make_integration_token("Shop", permissions=ALL)
    return plain


# --- Shopper ------------------------------------------------------------------------------------


def test_a_guest_gets_the_blocks_for_everyone_of_a_placement(client, view_a, ada):
    # given
    make_block("Banner", html="<p>Hello</p>")
    make_block("For S", segments=[members_segment(ada)])
    make_block("Footer", type="footer")

    # when
    response = call(client, "get", f"{BLOCKS}?placement=header", store="default")

    # then
    assert response.status_code == 200
    banner = ContentBlock.objects.get(name="Banner")
    assert response.json() == [
        {
            "id": banner.pk,
            "name": "Banner",
            "type": "header",
            "html": "<p>Hello</p>",
            "audiences": [],
        }
    ]


def test_a_customer_token_gets_the_blocks_of_the_customers_segments(client, view_a, ada):
    # given
    make_block("For S", segments=[members_segment(ada)])
    token = issue_customer_token(customer=ada)

    # when
    response = call(client, "get", f"{BLOCKS}?placement=header", secret=token, store="default")

    # then
    assert response.status_code == 200
    assert [block["name"] for block in response.json()] == ["For S"]


def test_a_visitor_id_gets_the_blocks_of_the_visitors_segments(client, view_a):
    # given
    make_block("Big spenders", segments=[big_cart_segment()])
    visitor = guest_with_big_cart(view_a)

    # when
    member = call(client, "get", f"{BLOCKS}?placement=header&visitor_id={visitor}", store="default")
    other = call(client, "get", f"{BLOCKS}?placement=header&visitor_id=v-other", store="default")

    # then
    assert [block["name"] for block in member.json()] == ["Big spenders"]
    assert other.json() == []


def test_the_store_view_header_is_required(client, view_a):
    response = call(client, "get", f"{BLOCKS}?placement=header")

    assert response.status_code == 400
    assert problems(response) == [("store_required", "X-Patron-Store")]


def test_an_unknown_placement_is_refused_with_its_field(client, view_a):
    response = call(client, "get", f"{BLOCKS}?placement=sidebar", store="default")

    assert response.status_code == 422
    assert response.json()["field"] == "query.placement"


def test_a_customer_token_that_is_not_valid_is_refused(client, view_a):
    response = call(
        client, "get", f"{BLOCKS}?placement=header", secret="pct_nope_nope", store="default"
    )

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


# --- Definitions: permissions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("caller_case", "permissions", "expected"),
    [
        ("anonymous", None, 401),
        ("integration without the permission", [CHANGE], 403),
        ("integration with the permission", [VIEW], 200),
    ],
)
def test_listing_needs_the_view_permission(client, db, caller_case, permissions, expected):
    secret = None
    if permissions is not None:
        _token, secret = make_integration_token("T", permissions=permissions)

    response = call(client, "get", DEFINITIONS, secret=secret)

    assert response.status_code == expected


@pytest.mark.parametrize(
    ("caller_case", "permissions", "expected"),
    [("staff without the permission", [VIEW], 403), ("staff with the permission", [ADD], 201)],
)
def test_a_staff_session_creates_with_the_add_permission(
    client, view_a, caller_case, permissions, expected
):
    # given
    staff = make_staff_user(permissions=permissions)
    client.force_login(staff)

    # when
    response = call(
        client, "post", DEFINITIONS,
        data={"name": "B", "type": "header", "all_store_views": True},
    )  # fmt: skip

    # then
    assert response.status_code == expected
    assert ContentBlock.objects.count() == (1 if expected == 201 else 0)


def test_deleting_needs_the_delete_permission(client, view_a):
    # given
    block = make_block("B")
    _token, secret = make_integration_token("T", permissions=[VIEW, CHANGE])

    # when
    response = call(client, "delete", f"{DEFINITIONS}/{block.pk}", secret=secret)

    # then
    assert response.status_code == 403
    assert response.json()["params"] == {"permission": DELETE}
    assert ContentBlock.objects.filter(pk=block.pk).exists()


# --- Definitions: CRUD --------------------------------------------------------------------------


def test_create_read_update_and_delete(client, view_a, ada, secret):
    # given
    segment = members_segment(ada)

    # when: created
    created = call(
        client, "post", DEFINITIONS, secret=secret,
        data={
            "name": "Spring", "type": "content", "store_views": ["default"],
            "segments": [segment.pk], "html": '<p onclick="x()">Spring</p>', "sort_order": 4,
        },
    )  # fmt: skip

    # then
    assert created.status_code == 201
    body = created.json()
    block_id = body.pop("id")
    assert {k: v for k, v in body.items() if k not in ("created_at", "updated_at")} == {
        "name": "Spring", "is_enabled": True, "type": "content", "all_store_views": False,
        "store_views": ["default"], "store_view_ids": [view_a.pk], "segments": [segment.pk],
        "audiences": [], "html": "<p>Spring</p>", "sort_order": 4,
    }  # fmt: skip

    # when: read, patched, listed with filters
    read = call(client, "get", f"{DEFINITIONS}/{block_id}", secret=secret)
    patched = call(
        client, "patch", f"{DEFINITIONS}/{block_id}", secret=secret,
        data={"is_enabled": False, "segments": []},
    )  # fmt: skip
    listed = call(client, "get", f"{DEFINITIONS}?type=content&is_enabled=false", secret=secret)
    not_listed = call(client, "get", f"{DEFINITIONS}?type=header", secret=secret)

    # then
    assert read.json()["name"] == "Spring"
    assert (patched.json()["is_enabled"], patched.json()["segments"]) == (False, [])
    assert patched.json()["store_views"] == ["default"]
    assert [item["id"] for item in listed.json()["items"]] == [block_id]
    assert listed.json()["count"] == 1
    assert not_listed.json()["count"] == 0

    # when: deleted
    deleted = call(client, "delete", f"{DEFINITIONS}/{block_id}", secret=secret)

    # then
    assert deleted.status_code == 204
    assert call(client, "get", f"{DEFINITIONS}/{block_id}", secret=secret).status_code == 404


def test_a_put_replaces_the_whole_block(client, view_a, secret):
    # given
    block = make_block("Old", store_views=[view_a], sort_order=9)

    # when
    response = call(
        client, "put", f"{DEFINITIONS}/{block.pk}", secret=secret,
        data={"name": "New", "type": "footer", "all_store_views": True},
    )  # fmt: skip

    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["type"], body["all_store_views"], body["store_views"]) == (
        "New", "footer", True, [],
    )  # fmt: skip
    assert (body["sort_order"], body["html"]) == (0, "")


def test_problems_are_answered_together_with_their_fields(client, db, secret):
    # when
    response = call(
        client, "post", DEFINITIONS, secret=secret,
        data={"name": "", "type": "header", "store_views": ["nowhere"], "segments": [987654],
              "sort_order": -2},
    )  # fmt: skip

    # then
    assert response.status_code == 400
    assert problems(response) == [
        ("required", "name"),
        ("invalid_sort_order", "sort_order"),
        ("unknown_store_views", "store_views"),
        ("unknown_segments", "segments"),
    ]
    assert ContentBlock.objects.count() == 0


def test_a_website_limited_token_manages_only_its_websites_blocks(
    client, view_a, view_b, website_b
):
    # given
    ours = make_block("Ours", store_views=[view_b])
    make_block("Theirs", store_views=[view_a])
    make_block("Everywhere", all_store_views=True)
    _token, secret = make_integration_token("B", permissions=ALL, websites=[website_b])

    # when
    listed = call(client, "get", DEFINITIONS, secret=secret)
    everywhere = call(
        client, "post", DEFINITIONS, secret=secret,
        data={"name": "X", "type": "header", "all_store_views": True},
    )  # fmt: skip
    elsewhere = call(
        client, "post", DEFINITIONS, secret=secret,
        data={"name": "X", "type": "header", "store_views": ["default"]},
    )  # fmt: skip
    theirs = ContentBlock.objects.get(name="Theirs")
    hidden = call(client, "patch", f"{DEFINITIONS}/{theirs.pk}", secret=secret, data={"name": "Y"})

    # then
    assert [item["name"] for item in listed.json()["items"]] == [ours.name]
    assert (everywhere.status_code, everywhere.json()["code"]) == (403, "website_not_allowed")
    assert (elsewhere.status_code, elsewhere.json()["field"]) == (403, "store_views")
    assert hidden.status_code == 404
    assert ContentBlock.objects.count() == 3


def test_the_openapi_document_shows_examples(client, db):
    document = client.get("/api/v1/openapi.json").json()

    schemas = document["components"]["schemas"]
    assert schemas["ShopperBlockOut"]["examples"][0]["type"] == "header"
    assert schemas["BlockIn"]["examples"][0]["store_views"] == ["default"]
    operation = document["paths"]["/api/v1/blocks"]["get"]
    assert [p["name"] for p in operation["parameters"]] == ["placement", "visitor_id"]
