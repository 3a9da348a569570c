"""The segments insight API (patron/segments/api_insight.py), through HTTP with integration
tokens: the live preview of a draft, explanations of a saved segment and of a draft for one
customer, the size history, and parsing / printing the query language; permissions,
website-limited tokens, errors and the OpenAPI document."""

import datetime as dt
import json

import pytest

from patron.core.actors import SYSTEM
from patron.customers import services as customer_services
from patron.customers.tests.factories import make_customer, share_accounts
from patron.segments import preview as previews
from patron.segments import services
from patron.segments.api_insight import EXAMPLE_EXPLANATION, EXAMPLE_QUERY
from patron.segments.models import Segment, SegmentMembership
from patron.segments.preview import Preview
from patron.segments.schemas import EXAMPLE_TREE
from patron.segments.tests.conftest import (
    cart_total,
    combine,
    customer_attribute,
    make_product,
    number_of_orders,
    place_order,
    set_cart,
    store_credit,
)
from patron.testing.fixtures import bearer, make_integration_token, make_store_view

VIEW = "segments.view_segment"


def lovelaces() -> dict:
    return combine(customer_attribute("lastname", "is", "Lovelace"))


def make_segment(name="Lovelaces", *, websites, conditions=None, **fields) -> Segment:
    return services.create_segment(
        name=name,
        websites=websites,
        conditions=conditions if conditions is not None else lovelaces(),
        actor=SYSTEM,
        **fields,
    )


@pytest.fixture
def secret(db):
    _token, plain = make_integration_token("Shop", permissions=[VIEW])
    return plain


def limited_secret(website) -> str:
    _token, plain = make_integration_token("Limited", permissions=[VIEW], websites=[website])
    return plain


@pytest.fixture
def segment(website_a):
    return make_segment(websites=[website_a])


@pytest.fixture
def view_b(website_b):
    """The second website's store view; accounts are shared per website."""
    share_accounts("website")
    return make_store_view(website_b, "second_en", "en", name="Second", is_default=True)


def call(client, method, url, secret=None, data=None):
    headers = bearer(secret) if secret else {}
    if data is not None:
        headers.update(data=json.dumps(data), content_type="application/json")
    return getattr(client, method)(url, **headers)


def problems(response) -> list[tuple[str, str | None]]:
    """(code, field) of every problem in an error answer."""
    body = response.json()
    return [(p["code"], p.get("field")) for p in body.get("errors") or [body]]


def held(node: dict) -> list[tuple[str, bool]]:
    """(type, held) of a node's children."""
    return [(child["type"], child["held"]) for child in node["children"]]


# --- Preview ------------------------------------------------------------------------------------


def test_a_preview_answers_the_count_and_the_first_customers(client, secret, website_a):
    # given
    ada = make_customer("ada@example.com")
    byron = make_customer("byron@example.com", firstname="Byron")
    make_customer("grace@example.com", firstname="Grace", lastname="Hopper")
    data = {"conditions": lovelaces(), "apply_to": "registered", "websites": ["base"]}

    # when
    response = call(client, "post", "/api/v1/segments/preview", secret, data)

    # then
    assert response.status_code == 200
    assert response.json() == {
        "count": 2,
        "complete": True,
        "sample": [
            {"id": ada.pk, "email": "ada@example.com", "name": "Ada Lovelace"},
            {"id": byron.pk, "email": "byron@example.com", "name": "Byron Lovelace"},
        ],
    }
    assert not Segment.objects.exists()


def test_a_preview_that_timed_out_answers_at_least_its_count(
    client, secret, website_a, monkeypatch
):
    # given counting runs out of time after the sample
    ada = make_customer("ada@example.com")
    monkeypatch.setattr(
        previews, "preview", lambda **_kw: Preview(count=1, complete=False, sample=[ada])
    )

    # when
    response = call(
        client, "post", "/api/v1/segments/preview", secret, {"websites": [website_a.pk]}
    )

    # then
    assert response.json() == {
        "count": 1,
        "complete": False,
        "sample": [{"id": ada.pk, "email": "ada@example.com", "name": "Ada Lovelace"}],
    }


def test_a_preview_counts_on_every_website_chosen(client, secret, website_a, view_b):
    # given
    make_customer("ada@example.com")
    make_customer("byron@example.com", store_view=view_b)

    # when
    one = call(client, "post", "/api/v1/segments/preview", secret, {"websites": ["second"]})
    both = call(
        client, "post", "/api/v1/segments/preview", secret, {"websites": ["base", "second"]}
    )

    # then
    assert (one.json()["count"], both.json()["count"]) == (1, 2)


def test_a_visitors_preview_matches_no_stored_customers(client, secret, website_a, view_a):
    # given a customer whose cart the draft matches
    make_product("MUG")
    ada = make_customer("ada@example.com")
    set_cart(view_a, customer=ada, items=[{"sku": "MUG", "qty": 1, "price": "80.00"}])
    data = {"conditions": combine(cart_total("gte", 50)), "websites": ["base"]}

    # when
    visitors = call(
        client, "post", "/api/v1/segments/preview", secret, {**data, "apply_to": "visitors"}
    )
    both = call(client, "post", "/api/v1/segments/preview", secret, {**data, "apply_to": "both"})

    # then
    assert visitors.json() == {"count": 0, "complete": True, "sample": []}
    assert both.json()["count"] == 1


def test_every_problem_of_a_preview_is_answered_with_its_path(client, secret):
    # given an unknown website and two problems in the tree
    data = {
        "websites": ["nowhere"],
        "apply_to": "visitors",
        "conditions": combine(store_credit("gt", 0), customer_attribute("gender", "bigger", 2)),
    }

    # when
    response = call(client, "post", "/api/v1/segments/preview", secret, data)

    # then
    assert response.status_code == 400
    assert set(problems(response)) == {
        ("unknown_website", "websites"),
        ("invalid", "conditions.conditions[0].type"),
        ("invalid", "conditions.conditions[1].type"),
    }


def test_a_bad_tree_alone_is_answered_with_its_path(client, secret):
    # when
    response = call(
        client, "post", "/api/v1/segments/preview", secret,
        {"websites": ["base"], "conditions": combine(number_of_orders("gte", "many"))},
    )  # fmt: skip

    # then
    assert response.status_code == 400
    assert problems(response) == [("invalid", "conditions.conditions[0].value")]


def test_a_preview_needs_a_website(client, secret):
    # when
    empty = call(client, "post", "/api/v1/segments/preview", secret, {"websites": []})
    missing = call(client, "post", "/api/v1/segments/preview", secret, {})

    # then
    assert (empty.status_code, problems(empty)) == (400, [("invalid", "websites")])
    assert (missing.status_code, missing.json()["field"]) == (422, "websites")


def test_a_website_limited_token_previews_only_its_websites(client, website_a, website_b):
    # when
    other = call(
        client, "post", "/api/v1/segments/preview", limited_secret(website_b),
        {"websites": ["base"]},
    )  # fmt: skip
    own = call(
        client, "post", "/api/v1/segments/preview", limited_secret(website_b),
        {"websites": ["second"]},
    )  # fmt: skip

    # then
    assert (other.status_code, other.json()["code"]) == (403, "website_not_allowed")
    assert own.status_code == 200


# --- Explain ------------------------------------------------------------------------------------


@pytest.fixture
def orders_segment(website_a, view_a):
    """ "Two complete orders or more", and Ada with one."""
    make_product("MUG")
    ada = make_customer("ada@example.com")
    place_order(view_a, ada, grand_total="10", placed_at=dt.datetime.now(dt.UTC))
    segment = make_segment(
        "Repeat buyers",
        websites=[website_a],
        conditions=combine(
            number_of_orders("gte", 2), customer_attribute("lastname", "is", "Lovelace")
        ),
    )
    return segment, ada


def test_an_explanation_shows_each_condition_and_the_values_compared(
    client, secret, orders_segment
):
    # given
    segment, ada = orders_segment

    # when
    response = call(
        client, "get", f"/api/v1/segments/{segment.pk}/explain?customer_id={ada.pk}", secret
    )

    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["type"], body["held"], body["scoped"]) == ("combine", False, False)
    orders, lastname = body["children"]
    assert (orders["held"], orders["measured"], orders["children"]) == (False, "1", [])
    assert orders["label"] == "Number of Orders Total equals or greater than 2 ALL"
    assert (lastname["held"], lastname["measured"]) == (True, "Lovelace")


def test_an_explanation_is_on_the_customers_own_website_by_default(
    client, secret, website_a, website_b, view_b
):
    # given a segment on both websites and a customer of the second
    segment = make_segment(websites=[website_a, website_b])
    byron = make_customer("byron@example.com", store_view=view_b)
    url = f"/api/v1/segments/{segment.pk}/explain?customer_id={byron.pk}"

    # when
    own = call(client, "get", url, secret).json()
    on_base = call(client, "get", f"{url}&website=base", secret).json()
    by_id = call(client, "get", f"{url}&website={website_b.pk}", secret).json()

    # then on the first website his account is not looked at
    assert (own["held"], held(own)) == (True, [("customer_attribute", True)])
    assert (on_base["held"], held(on_base)) == (False, [("customer_attribute", False)])
    assert by_id == own


def test_an_explanation_on_a_website_of_another_segment_is_refused(
    client, secret, segment, website_b
):
    # given
    ada = make_customer("ada@example.com")

    # when
    response = call(
        client, "get",
        f"/api/v1/segments/{segment.pk}/explain?customer_id={ada.pk}&website=second", secret,
    )  # fmt: skip

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (
        "website_not_assigned",
        "website",
    )


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        ("/api/v1/segments/{segment}/explain?customer_id=999999", 404, "customer_not_found"),
        ("/api/v1/segments/999999/explain?customer_id={customer}", 404, "segment_not_found"),
        ("/api/v1/segments/{segment}/explain?customer_id={customer}&website=x", 404,
         "unknown_website"),
        ("/api/v1/segments/{segment}/explain", 422, "invalid"),
    ],
    ids=["customer", "segment", "website", "no_customer"],
)  # fmt: skip
def test_an_explanation_of_something_unknown_is_refused(client, secret, segment, url, status, code):
    # given
    ada = make_customer("ada@example.com")

    # when
    response = call(client, "get", url.format(segment=segment.pk, customer=ada.pk), secret)

    # then
    assert (response.status_code, response.json()["code"]) == (status, code)


def test_a_website_limited_token_explains_only_what_it_may_see(
    client, website_a, website_b, view_b
):
    # given
    only_a = make_segment("Only A", websites=[website_a])
    both = make_segment("Both", websites=[website_a, website_b])
    ada = make_customer("ada@example.com")
    byron = make_customer("byron@example.com", store_view=view_b)
    secret = limited_secret(website_b)

    def explain(segment, customer, website=""):
        url = f"/api/v1/segments/{segment.pk}/explain?customer_id={customer.pk}"
        return call(client, "get", url + (f"&website={website}" if website else ""), secret)

    # when
    other_customer = explain(both, ada)
    other_segment = explain(only_a, byron)
    other_website = explain(both, byron, "base")
    own = explain(both, byron)

    # then
    assert (other_customer.status_code, other_customer.json()["code"]) == (
        404,
        "customer_not_found",
    )
    assert (other_segment.status_code, other_segment.json()["code"]) == (404, "segment_not_found")
    assert (other_website.status_code, other_website.json()["code"]) == (
        403,
        "website_not_allowed",
    )
    assert (own.status_code, own.json()["held"]) == (200, True)


def test_a_draft_tree_is_explained_for_a_customer(client, secret, website_a, view_a):
    # given a customer with a cart of 80
    make_product("MUG")
    ada = make_customer("ada@example.com")
    set_cart(view_a, customer=ada, items=[{"sku": "MUG", "qty": 1, "price": "80.00"}])
    data = {
        "conditions": combine(cart_total("gte", 50), cart_total("gte", 100), aggregator="any"),
        "apply_to": "registered",
        "customer_id": ada.pk,
    }

    # when
    response = call(client, "post", "/api/v1/segments/explain", secret, data)

    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["held"], held(body)) == (True, [("cart_total", True), ("cart_total", False)])
    assert [float(child["measured"]) for child in body["children"]] == [80, 80]
    assert not Segment.objects.exists()


def test_a_draft_is_explained_on_the_website_named(client, secret, website_a, website_b, view_b):
    # given a customer of the second website
    byron = make_customer("byron@example.com", store_view=view_b)
    data = {"conditions": lovelaces(), "customer_id": byron.pk}

    # when
    own = call(client, "post", "/api/v1/segments/explain", secret, data).json()
    on_base = call(
        client, "post", "/api/v1/segments/explain", secret, {**data, "website": "base"}
    ).json()

    # then
    assert (own["held"], on_base["held"]) == (True, False)


def test_a_bad_draft_is_answered_with_its_paths(client, secret):
    # given
    ada = make_customer("ada@example.com")
    data = {
        "conditions": combine(store_credit("gt", 0), customer_attribute("gender", "is", "x")),
        "apply_to": "visitors",
        "customer_id": ada.pk,
    }

    # when
    response = call(client, "post", "/api/v1/segments/explain", secret, data)

    # then
    assert response.status_code == 400
    assert ("invalid", "conditions.conditions[0].type") in problems(response)


def test_a_website_limited_token_cannot_explain_a_draft_for_other_customers(
    client, website_a, website_b, view_b
):
    # given
    ada = make_customer("ada@example.com")
    byron = make_customer("byron@example.com", store_view=view_b)
    secret = limited_secret(website_b)

    # when
    other = call(client, "post", "/api/v1/segments/explain", secret, {"customer_id": ada.pk})
    on_base = call(
        client, "post", "/api/v1/segments/explain", secret,
        {"customer_id": byron.pk, "website": "base"},
    )  # fmt: skip

    # then
    assert (other.status_code, other.json()["code"]) == (404, "customer_not_found")
    assert (on_base.status_code, on_base.json()["code"]) == (403, "website_not_allowed")


# --- History ------------------------------------------------------------------------------------


def stay(segment, customer, joined, left=None):
    return SegmentMembership.objects.create(
        segment=segment, customer=customer, website=customer.website, joined_at=joined,
        left_at=left,
    )  # fmt: skip


def test_the_history_answers_the_members_of_each_day(client, secret, segment):
    # given Ada a member since long ago, Byron since two days ago until yesterday
    now = dt.datetime.now(dt.UTC)
    ada = make_customer("ada@example.com")
    byron = make_customer("byron@example.com")
    stay(segment, ada, now - dt.timedelta(days=30))
    stay(segment, byron, now - dt.timedelta(days=2), now - dt.timedelta(days=1))
    today = dt.date.today()  # the default website keeps UTC

    # when
    response = call(client, "get", f"/api/v1/segments/{segment.pk}/history?days=5", secret)

    # then
    assert response.status_code == 200
    body = response.json()
    assert [row["date"] for row in body] == [
        (today - dt.timedelta(days=n)).isoformat() for n in (4, 3, 2, 1, 0)
    ]
    assert [row["members"] for row in body][:2] == [1, 1]
    assert body[-1]["members"] == 1


def test_the_history_covers_90_days_by_default(client, secret, segment):
    # when
    body = call(client, "get", f"/api/v1/segments/{segment.pk}/history", secret).json()

    # then
    assert len(body) == 90
    assert {row["members"] for row in body} == {0}


@pytest.mark.parametrize("days", [0, 366, -1])
def test_the_history_covers_1_to_365_days(client, secret, segment, days):
    # when
    response = call(client, "get", f"/api/v1/segments/{segment.pk}/history?days={days}", secret)

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("invalid_days", "days")


def test_the_history_can_be_narrowed_to_one_website(client, secret, website_a, website_b, view_b):
    # given a member on each website
    segment = make_segment(websites=[website_a, website_b])
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=10)
    stay(segment, make_customer("ada@example.com"), long_ago)
    stay(segment, make_customer("byron@example.com", store_view=view_b), long_ago)
    url = f"/api/v1/segments/{segment.pk}/history?days=2"

    # when
    everywhere = call(client, "get", url, secret).json()
    second = call(client, "get", f"{url}&website=second", secret).json()
    limited = call(client, "get", url, limited_secret(website_b)).json()
    forbidden = call(client, "get", f"{url}&website=base", limited_secret(website_b))

    # then
    assert [row["members"] for row in everywhere] == [2, 2]
    assert [row["members"] for row in second] == [1, 1]
    assert [row["members"] for row in limited] == [1, 1]
    assert (forbidden.status_code, forbidden.json()["code"]) == (403, "website_not_allowed")


def test_the_history_of_a_segment_of_other_websites_is_not_found(client, segment, website_b):
    # when
    response = call(
        client, "get", f"/api/v1/segments/{segment.pk}/history", limited_secret(website_b)
    )

    # then
    assert (response.status_code, response.json()["code"]) == (404, "segment_not_found")


# --- The query language -------------------------------------------------------------------------


def test_a_query_is_parsed_into_the_tree_the_builder_makes(client, secret):
    # when
    response = call(
        client, "post", "/api/v1/segments/query/parse", secret,
        {"text": EXAMPLE_QUERY, "apply_to": "registered"},
    )  # fmt: skip

    # then
    assert response.status_code == 200
    assert response.json() == {"conditions": EXAMPLE_TREE}


def test_a_tree_is_printed_as_the_query_that_reads_back_into_it(client, secret):
    # when
    printed = call(
        client, "post", "/api/v1/segments/query/print", secret, {"conditions": EXAMPLE_TREE}
    )
    parsed = call(
        client, "post", "/api/v1/segments/query/parse", secret, {"text": printed.json()["text"]}
    )

    # then
    assert printed.status_code == 200
    assert printed.json() == {"text": EXAMPLE_QUERY}
    assert parsed.json()["conditions"] == EXAMPLE_TREE


def test_an_unreadable_query_is_answered_with_its_line_and_column(client, secret):
    # when
    response = call(
        client, "post", "/api/v1/segments/query/parse", secret,
        {"text": "customer.lastname = \"Lovelace\" and\n  orders.count(within: 90d) 2"},
    )  # fmt: skip

    # then
    assert response.status_code == 400
    body = response.json()
    message = (
        'expected a comparison operator (=, !=, >=, >, <=, <) after "orders.count(...)", found "2"'
    )
    assert body == {
        "code": "query_syntax",
        "message": message,
        "field": "text",
        "line": 2,
        "column": 29,
        "params": {"line": 2, "column": 29},
        "errors": [{"line": 2, "column": 29, "message": message, "path": None}],
    }


def test_a_query_breaking_the_catalogues_rules_is_answered_where_the_condition_is(client, secret):
    # when a visitors query names a registered-only condition on its second line
    response = call(
        client, "post", "/api/v1/segments/query/parse", secret,
        {"text": "cart.qty >= 1 and\nstore_credit > 0", "apply_to": "visitors"},
    )  # fmt: skip

    # then
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["line"], body["column"]) == ("query_syntax", 2, 1)
    assert [(p["line"], p["column"], p["path"]) for p in body["errors"]] == [
        (2, 1, "conditions.conditions[1].type")
    ]
    assert "visitors" in body["message"]


def test_an_empty_query_has_no_conditions(client, secret):
    # when
    response = call(client, "post", "/api/v1/segments/query/parse", secret, {"text": ""})

    # then
    assert response.json() == {
        "conditions": {"type": "combine", "aggregator": "all", "value": True, "conditions": []}
    }


def test_a_bad_tree_is_not_printed(client, secret):
    # when
    response = call(
        client, "post", "/api/v1/segments/query/print", secret,
        {"conditions": combine(store_credit("gt", 0)), "apply_to": "visitors"},
    )  # fmt: skip

    # then
    assert response.status_code == 400
    assert problems(response) == [("invalid", "conditions.conditions[0].type")]


# --- Permissions and the OpenAPI document -------------------------------------------------------

OPERATIONS = [
    ("post", "/api/v1/segments/preview", {"websites": ["base"]}),
    ("get", "/api/v1/segments/{id}/explain?customer_id={customer}", None),
    ("post", "/api/v1/segments/explain", {"customer_id": "{customer}"}),
    ("get", "/api/v1/segments/{id}/history", None),
    ("post", "/api/v1/segments/query/parse", {"text": "store_credit > 0"}),
    ("post", "/api/v1/segments/query/print", {"conditions": EXAMPLE_TREE}),
]


@pytest.mark.parametrize("caller", ["anonymous", "shopper", "without", "with"])
@pytest.mark.parametrize(
    ("method", "url", "data"),
    OPERATIONS,
    ids=["preview", "explain", "explain-draft", "history", "parse", "print"],
)
def test_operations_need_the_view_permission(client, segment, method, url, data, caller):
    # given
    customer = make_customer("ada@example.com")
    secret = None
    if caller == "shopper":
        secret = customer_services.issue_customer_token(customer=customer)
    elif caller != "anonymous":
        others = ["segments.add_segment", "segments.change_segment", "segments.delete_segment"]
        _token, secret = make_integration_token(permissions=[VIEW] if caller == "with" else others)
    if data is not None and data.get("customer_id") == "{customer}":
        data = {**data, "customer_id": customer.pk}

    # when
    response = call(client, method, url.format(id=segment.pk, customer=customer.pk), secret, data)

    # then
    expected = {"anonymous": 401, "shopper": 401, "without": 403, "with": 200}[caller]
    assert response.status_code == expected
    if caller == "without":
        assert response.json()["params"] == {"permission": VIEW}


def test_the_openapi_document_lists_the_operations_with_examples(client, secret, website_a):
    # when
    document = client.get("/api/v1/openapi.json").json()

    # then
    paths = document["paths"]
    assert {
        "/api/v1/segments/preview": {"post"},
        "/api/v1/segments/{segment_id}/explain": {"get"},
        "/api/v1/segments/explain": {"post"},
        "/api/v1/segments/{segment_id}/history": {"get"},
        "/api/v1/segments/query/parse": {"post"},
        "/api/v1/segments/query/print": {"post"},
    }.items() <= {path: set(operations) for path, operations in paths.items()}.items()
    schemas = document["components"]["schemas"]
    for name in ("PreviewIn", "PreviewOut", "ExplanationOut", "ExplainIn", "SizeOut", "QueryIn",
                 "ConditionsOut", "TreeIn", "QueryTextOut", "QueryErrorOut"):  # fmt: skip
        assert schemas[name]["examples"], name
    assert schemas["ExplanationOut"]["examples"] == [EXAMPLE_EXPLANATION]
    # The documented examples are valid requests.
    preview = call(
        client, "post", "/api/v1/segments/preview", secret, schemas["PreviewIn"]["examples"][0]
    )
    parse = call(
        client, "post", "/api/v1/segments/query/parse", secret, schemas["QueryIn"]["examples"][0]
    )
    assert preview.status_code == 200
    assert parse.json()["conditions"] == EXAMPLE_TREE
