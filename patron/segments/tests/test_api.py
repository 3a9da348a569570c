"""The segments API (patron/segments/api.py), through HTTP with integration tokens: definitions
(spec c checks 9, 10, 12), problems with their paths, permissions and website-limited tokens,
refresh as a job (checks 11, 35), members, the membership a shop asks for (check 22 for a
guest's cart) and the condition catalogue."""

import json
from decimal import Decimal

import pytest

from patron.core.actors import SYSTEM
from patron.customers import services as customer_services
from patron.customers.tests.factories import make_customer
from patron.sales import services as sales
from patron.segments import services
from patron.segments.models import Segment, SegmentMembership
from patron.segments.schemas import EXAMPLE_SEGMENT_IN
from patron.testing.fixtures import bearer, make_integration_token, make_store_view, set_config

VIEW = "segments.view_segment"
ADD = "segments.add_segment"
CHANGE = "segments.change_segment"
DELETE = "segments.delete_segment"
ALL = [VIEW, ADD, CHANGE, DELETE, "sales.change_cart"]
ENABLED = "customer/segments/enabled"


def lastname_contains(text: str) -> dict:
    return {
        "type": "combine",
        "aggregator": "all",
        "value": True,
        "conditions": [
            {"type": "customer_attribute", "attribute": "lastname", "operator": "contains",
             "value": text},
        ],
    }  # fmt: skip


def cart_subtotal_at_least(amount: str) -> dict:
    return {
        "type": "combine",
        "aggregator": "all",
        "value": True,
        "conditions": [
            {"type": "cart_total", "field": "subtotal", "operator": "gte", "value": amount}
        ],
    }


def make_segment(name="Lovelaces", *, websites=None, conditions=None, **fields) -> Segment:
    from patron.testing.fixtures import default_website

    return services.create_segment(
        name=name,
        websites=websites or [default_website()],
        conditions=conditions if conditions is not None else lastname_contains("Lovelace"),
        actor=SYSTEM,
        **fields,
    )


@pytest.fixture
def secret(db):
    _token, plain = make_integration_token("Shop", permissions=ALL)
    return plain


@pytest.fixture
def segment(db):
    return make_segment()


@pytest.fixture
def view_b(website_b):
    return make_store_view(website_b, "second_en", "en", name="Second", is_default=True)


def call(client, method, url, secret=None, data=None, store=None):
    headers = bearer(secret) if secret else {}
    if store is not None:
        headers["HTTP_X_PATRON_STORE"] = store
    if data is not None:
        headers.update(data=json.dumps(data), content_type="application/json")
    return getattr(client, method)(url, **headers)


def problems(response) -> list[tuple[str, str | None]]:
    """(code, field) of every problem in an error answer."""
    body = response.json()
    return [(p["code"], p.get("field")) for p in body.get("errors") or [body]]


def member_ids(segment: Segment) -> list[int]:
    rows = SegmentMembership.objects.filter(segment=segment, left_at__isnull=True)
    return sorted(rows.values_list("customer_id", flat=True))


def definitions() -> list[tuple]:
    return list(Segment.objects.order_by("pk").values_list("pk", "name", "is_active", "apply_to"))


# --- Definitions --------------------------------------------------------------------------------


def test_a_segment_is_created_and_its_members_computed_after_commit(
    client, secret, website_a, django_capture_on_commit_callbacks
):
    # given
    ada = make_customer("ada@example.com", lastname="Lovelace")
    make_customer("grace@example.com", firstname="Grace", lastname="Hopper")
    data = {
        "name": " Lovelaces ", "description": "Family", "websites": ["base"],
        "apply_to": "registered", "conditions": lastname_contains("lovelace"),
    }  # fmt: skip

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = call(client, "post", "/api/v1/segments", secret, data)

    # then
    assert response.status_code == 201
    body = response.json()
    segment = Segment.objects.get()
    assert body["id"] == segment.pk
    assert (body["name"], body["description"], body["apply_to"]) == (
        "Lovelaces", "Family", "registered",
    )  # fmt: skip
    assert (body["websites"], body["website_ids"]) == (["base"], [website_a.pk])
    assert body["conditions"] == lastname_contains("lovelace")
    assert body["events"] == ["accountCreated", "accountUpdated", "groupChanged", "signIn"]
    assert body["depends_on_time"] is False
    assert (body["is_active"], body["member_count"], body["refreshed_at"]) == (True, 0, None)
    assert member_ids(segment) == [ada.pk]
    read = call(client, "get", f"/api/v1/segments/{segment.pk}", secret).json()
    assert read["member_count"] == 1
    assert read["refreshed_at"] is not None


def test_a_new_segment_is_active_and_for_visitors_and_registered_customers_by_default(
    client, secret
):
    # when
    response = call(client, "post", "/api/v1/segments", secret, {"name": "S", "websites": [1]})

    # then
    assert response.status_code == 201
    assert (response.json()["is_active"], response.json()["apply_to"]) == (True, "both")
    assert response.json()["conditions"] == {
        "type": "combine", "aggregator": "all", "value": True, "conditions": []
    }  # fmt: skip


def test_websites_are_named_by_id_or_code(client, secret, website_a, website_b):
    # when
    response = call(
        client,
        "post",
        "/api/v1/segments",
        secret,
        {"name": "S", "websites": [website_a.pk, "second"]},
    )

    # then
    assert response.status_code == 201
    assert response.json()["websites"] == ["base", "second"]
    assert set(Segment.objects.get().websites.all()) == {website_a, website_b}


def test_every_problem_of_a_definition_is_answered_with_its_path(client, secret):
    # given
    conditions = {
        "type": "combine",
        "aggregator": "every",
        "value": True,
        "conditions": [
            {"type": "customer_attribute", "attribute": "gender", "operator": "is", "value": 2},
            {"type": "customer_address", "aggregator": "all", "conditions": [
                {"type": "address_attribute", "attribute": "city", "operator": "near",
                 "value": "Los"},
                {"type": "no_such_type"},
            ]},
            {"type": "cart_total", "field": "subtotal", "operator": "gte", "value": "lots"},
        ],
    }  # fmt: skip

    # when
    response = call(
        client, "post", "/api/v1/segments", secret,
        {"name": "  ", "websites": ["nowhere"], "conditions": conditions},
    )  # fmt: skip

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert sorted(problems(response), key=lambda p: p[1]) == [
        ("invalid", "conditions.aggregator"),
        ("invalid", "conditions.conditions[1].conditions[0].operator"),
        ("invalid", "conditions.conditions[1].conditions[1].type"),
        ("invalid", "conditions.conditions[2].value"),
        ("invalid", "name"),
        ("invalid", "websites"),
    ]
    assert Segment.objects.count() == 0


def test_a_visitors_segment_refuses_registered_only_conditions_at_their_path(client, secret):
    # given
    conditions = cart_subtotal_at_least("100")
    conditions["conditions"].append({"type": "newsletter", "value": True})
    conditions["conditions"].append(
        {"type": "product_list", "operator": "found", "source": "wishlist", "aggregator": "all",
         "conditions": []}
    )  # fmt: skip

    # when
    response = call(
        client, "post", "/api/v1/segments", secret,
        {"name": "Guests", "websites": ["base"], "apply_to": "visitors", "conditions": conditions},
    )  # fmt: skip

    # then
    assert response.status_code == 400
    assert problems(response) == [
        ("invalid", "conditions.conditions[1].type"),
        ("invalid", "conditions.conditions[2].source"),
    ]
    assert Segment.objects.count() == 0


def test_a_request_that_does_not_fit_the_schema_names_the_field(client, secret):
    # when
    response = call(
        client, "post", "/api/v1/segments", secret,
        {"name": "S", "websites": ["base"], "apply_to": "everyone"},
    )  # fmt: skip

    # then
    assert response.status_code == 422
    assert response.json()["field"] == "apply_to"
    assert Segment.objects.count() == 0


def test_the_list_is_paged_by_id_and_filtered_by_website_and_status(
    client, secret, website_a, website_b
):
    # given
    first = make_segment("A")
    second = make_segment("B", websites=[website_b])
    third = make_segment("C", websites=[website_a, website_b], is_active=False)
    fourth = make_segment("D")

    # when
    page_1 = call(client, "get", "/api/v1/segments?page_size=3", secret).json()
    page_2 = call(client, "get", "/api/v1/segments?page_size=3&page=2", secret).json()
    on_b = call(client, "get", "/api/v1/segments?website=second", secret).json()
    inactive_on_a = call(
        client, "get", f"/api/v1/segments?website={website_a.pk}&is_active=false", secret
    ).json()

    # then
    assert [s["id"] for s in page_1["items"]] == [first.pk, second.pk, third.pk]
    assert (page_1["page"], page_1["page_size"], page_1["count"]) == (1, 3, 4)
    assert [s["id"] for s in page_2["items"]] == [fourth.pk]
    assert [s["id"] for s in on_b["items"]] == [second.pk, third.pk]
    assert [s["id"] for s in inactive_on_a["items"]] == [third.pk]


def test_an_unknown_segment_is_not_found(client, secret):
    # when
    response = call(client, "get", "/api/v1/segments/999", secret)

    # then
    assert response.status_code == 404
    assert response.json()["code"] == "segment_not_found"


def test_put_replaces_the_definition_and_rebuilds_the_membership(
    client, secret, segment, website_b, django_capture_on_commit_callbacks
):
    # given
    make_customer("ada@example.com", lastname="Lovelace")
    grace = make_customer("grace@example.com", firstname="Grace", lastname="Hopper")
    services.refresh_segment(segment=segment)
    data = {
        "name": "Hoppers", "websites": ["base", "second"], "is_active": False,
        "conditions": lastname_contains("Hopper"),
    }  # fmt: skip

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = call(client, "put", f"/api/v1/segments/{segment.pk}", secret, data)

    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["description"], body["is_active"]) == ("Hoppers", "", False)
    assert body["websites"] == ["base", "second"]
    assert body["conditions"] == lastname_contains("Hopper")
    assert member_ids(segment) == [grace.pk]


def test_patch_changes_only_the_fields_sent(client, secret, segment):
    # when
    response = call(
        client, "patch", f"/api/v1/segments/{segment.pk}", secret, {"description": "Family"}
    )

    # then
    assert response.status_code == 200
    segment.refresh_from_db()
    assert (segment.name, segment.description, segment.is_active) == ("Lovelaces", "Family", True)
    assert segment.conditions == lastname_contains("Lovelace")
    assert response.json()["websites"] == ["base"]


def test_patch_with_null_conditions_empties_the_tree(client, secret, segment):
    # when
    response = call(client, "patch", f"/api/v1/segments/{segment.pk}", secret, {"conditions": None})

    # then
    assert response.status_code == 200
    segment.refresh_from_db()
    assert segment.conditions["conditions"] == []


@pytest.mark.parametrize("method", ["put", "patch"])
def test_apply_to_sent_on_update_is_ignored(client, secret, segment, method):
    # given: spec c check 9
    data = {"name": "Renamed", "websites": ["base"], "apply_to": "visitors"}

    # when
    response = call(client, method, f"/api/v1/segments/{segment.pk}", secret, data)

    # then
    assert response.status_code == 200
    assert response.json()["apply_to"] == "both"
    segment.refresh_from_db()
    assert (segment.name, segment.apply_to) == ("Renamed", "both")


def test_a_change_with_a_problem_changes_nothing(client, secret, segment):
    # when
    response = call(
        client, "patch", f"/api/v1/segments/{segment.pk}", secret,
        {"name": "Renamed", "conditions": {"type": "customer_address", "conditions": []}},
    )  # fmt: skip

    # then
    assert response.status_code == 400
    assert problems(response) == [("invalid", "conditions")]
    segment.refresh_from_db()
    assert segment.name == "Lovelaces"


def test_deleting_removes_the_segment_and_its_rows_but_not_the_customers(client, secret, segment):
    # given: spec c check 12
    ada = make_customer("ada@example.com", lastname="Lovelace")
    services.refresh_segment(segment=segment)

    # when
    response = call(client, "delete", f"/api/v1/segments/{segment.pk}", secret)

    # then
    assert response.status_code == 204
    assert Segment.objects.count() == 0
    assert SegmentMembership.objects.count() == 0
    ada.refresh_from_db()
    assert ada.lastname == "Lovelace"


# --- Permissions and website-limited tokens -----------------------------------------------------

OPERATIONS = [
    ("get", "/api/v1/segments", None, VIEW, 200),
    ("post", "/api/v1/segments", {"name": "New", "websites": ["base"]}, ADD, 201),
    ("get", "/api/v1/segments/{id}", None, VIEW, 200),
    ("put", "/api/v1/segments/{id}", {"name": "New", "websites": ["base"]}, CHANGE, 200),
    ("patch", "/api/v1/segments/{id}", {"is_active": False}, CHANGE, 200),
    ("delete", "/api/v1/segments/{id}", None, DELETE, 204),
    ("post", "/api/v1/segments/{id}/refresh", None, CHANGE, 202),
    ("get", "/api/v1/segments/{id}/members", None, VIEW, 200),
    ("get", "/api/v1/segments/membership?customer_id={customer}", None, VIEW, 200),
    ("get", "/api/v1/segments/condition-types", None, VIEW, 200),
]


@pytest.mark.parametrize("caller", ["anonymous", "shopper", "without", "with"])
@pytest.mark.parametrize(
    ("method", "url", "data", "permission", "success"),
    OPERATIONS,
    ids=["list", "create", "read", "replace", "update", "delete", "refresh", "members",
         "membership", "condition-types"],
)  # fmt: skip
def test_operations_need_their_permission(
    client, segment, method, url, data, permission, success, caller
):
    # given
    customer = make_customer("ada@example.com", lastname="Lovelace")
    before = definitions()
    secret = None
    if caller == "shopper":
        secret = customer_services.issue_customer_token(customer=customer)
    elif caller != "anonymous":
        _token, secret = make_integration_token(
            permissions=[permission] if caller == "with" else []
        )

    # when
    response = call(client, method, url.format(id=segment.pk, customer=customer.pk), secret, data)

    # then
    expected = {"anonymous": 401, "shopper": 401, "without": 403, "with": success}[caller]
    assert response.status_code == expected
    if caller == "without":
        assert response.json()["params"] == {"permission": permission}
    if caller != "with":
        assert definitions() == before


def limited_secret(website):
    _token, plain = make_integration_token("Limited", permissions=ALL, websites=[website])
    return plain


def test_a_website_limited_token_sees_only_segments_of_its_websites(client, website_a, website_b):
    # given
    make_segment("Only A")
    only_b = make_segment("Only B", websites=[website_b])
    both = make_segment("Both", websites=[website_a, website_b])
    secret = limited_secret(website_b)

    # when
    listed = call(client, "get", "/api/v1/segments", secret).json()
    other = call(client, "get", "/api/v1/segments?website=base", secret)

    # then
    assert [s["id"] for s in listed["items"]] == [only_b.pk, both.pk]
    assert listed["count"] == 2
    assert (other.status_code, other.json()["code"]) == (403, "website_not_allowed")


def test_a_website_limited_token_cannot_read_a_segment_of_other_websites(client, website_b):
    # given
    only_a = make_segment("Only A")

    # when
    response = call(client, "get", f"/api/v1/segments/{only_a.pk}", limited_secret(website_b))

    # then
    assert (response.status_code, response.json()["code"]) == (404, "segment_not_found")


def test_a_website_limited_token_cannot_assign_other_websites(client, website_b):
    # when
    response = call(
        client, "post", "/api/v1/segments", limited_secret(website_b),
        {"name": "S", "websites": ["second", "base"]},
    )  # fmt: skip

    # then
    assert (response.status_code, response.json()["code"]) == (403, "website_not_allowed")
    assert Segment.objects.count() == 0


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("patch", "", {"is_active": False}),
        ("put", "", {"name": "S", "websites": ["second"]}),
        ("delete", "", None),
        ("post", "/refresh", None),
    ],
    ids=["update", "replace", "delete", "refresh"],
)
def test_a_website_limited_token_cannot_change_a_segment_shared_with_other_websites(
    client, website_a, website_b, method, path, data
):
    # given
    both = make_segment("Both", websites=[website_a, website_b])
    before = definitions()

    # when
    response = call(
        client, method, f"/api/v1/segments/{both.pk}{path}", limited_secret(website_b), data
    )

    # then
    assert (response.status_code, response.json()["code"]) == (403, "website_not_allowed")
    assert definitions() == before
    assert set(both.websites.all()) == {website_a, website_b}


def test_a_website_limited_token_changes_a_segment_of_its_own_website(client, website_b):
    # given
    only_b = make_segment("Only B", websites=[website_b])

    # when
    response = call(
        client, "patch", f"/api/v1/segments/{only_b.pk}", limited_secret(website_b),
        {"is_active": False},
    )  # fmt: skip

    # then
    assert response.status_code == 200
    only_b.refresh_from_db()
    assert only_b.is_active is False


def test_a_website_limited_token_sees_members_and_counts_of_its_websites_only(
    client, website_a, website_b, view_b
):
    # given
    make_customer("ada@example.com", lastname="Lovelace")
    byron = make_customer("byron@example.com", lastname="Lovelace", store_view=view_b)
    both = make_segment("Both", websites=[website_a, website_b])
    services.refresh_segment(segment=both)
    secret = limited_secret(website_b)

    # when
    members = call(client, "get", f"/api/v1/segments/{both.pk}/members", secret).json()
    read = call(client, "get", f"/api/v1/segments/{both.pk}", secret).json()
    on_a = call(client, "get", f"/api/v1/segments/{both.pk}/members?website=base", secret)

    # then
    assert [(m["customer_id"], m["website"]) for m in members["items"]] == [(byron.pk, "second")]
    assert members["count"] == 1
    assert read["member_count"] == 1
    assert (on_a.status_code, on_a.json()["code"]) == (403, "website_not_allowed")


def test_a_website_limited_token_cannot_ask_for_a_customer_of_other_websites(
    client, segment, website_b
):
    # given
    ada = make_customer("ada@example.com", lastname="Lovelace")
    services.refresh_segment(segment=segment)

    # when
    response = call(
        client, "get", f"/api/v1/segments/membership?customer_id={ada.pk}",
        limited_secret(website_b),
    )  # fmt: skip

    # then
    assert (response.status_code, response.json()["code"]) == (404, "customer_not_found")


# --- Refresh ------------------------------------------------------------------------------------


def test_refresh_runs_as_a_job_that_reports_the_new_membership(
    client, secret, segment, django_capture_on_commit_callbacks
):
    # given: customers who arrived without any real-time matching
    ada = make_customer("ada@example.com", lastname="Lovelace")
    byron = make_customer("byron@example.com", firstname="Byron", lastname="Lovelace")
    assert member_ids(segment) == []

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = call(client, "post", f"/api/v1/segments/{segment.pk}/refresh", secret)

    # then
    assert response.status_code == 202
    body = response.json()
    assert (body["state"], body["result"]) == ("pending", {"segment_id": segment.pk})
    assert body["status_url"] == f"/api/v1/jobs/{body['job_id']}"
    job = call(client, "get", body["status_url"], secret).json()
    assert (job["kind"], job["state"], job["done"], job["total"]) == (
        "segments.refresh", "succeeded", 1, 1,
    )  # fmt: skip
    assert job["result"] == {"segment_id": segment.pk, "joined": 2, "left": 0, "members": 2}
    assert member_ids(segment) == sorted([ada.pk, byron.pk])


def test_refreshing_a_visitors_segment_finishes_at_once_with_no_members(client, secret):
    # given: spec c check 11
    guests = make_segment("Guests", apply_to="visitors", conditions=cart_subtotal_at_least("1"))
    make_customer("ada@example.com", lastname="Lovelace")

    # when
    response = call(client, "post", f"/api/v1/segments/{guests.pk}/refresh", secret)

    # then
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["result"]) == (
        "succeeded", {"segment_id": guests.pk, "joined": 0, "left": 0, "members": 0},
    )  # fmt: skip
    assert SegmentMembership.objects.count() == 0


# --- Members ------------------------------------------------------------------------------------


def test_members_are_paged_longest_standing_first(client, secret, segment):
    # given
    import datetime as dt

    from django.utils import timezone

    earlier = timezone.now().replace(microsecond=0) - dt.timedelta(days=2)
    ada = make_customer("ada@example.com", firstname="Ada", lastname="Lovelace")
    services.refresh_segment(segment=segment, now=earlier)
    byron = make_customer("byron@example.com", firstname="Byron", lastname="Lovelace")
    anne = make_customer("anne@example.com", firstname="Anne", lastname="Lovelace")
    services.refresh_segment(segment=segment)

    # when
    first = call(client, "get", f"/api/v1/segments/{segment.pk}/members?page_size=2", secret)
    second = call(
        client, "get", f"/api/v1/segments/{segment.pk}/members?page_size=2&page=2", secret
    ).json()

    # then
    assert first.status_code == 200
    body = first.json()
    assert (body["page"], body["page_size"], body["count"]) == (1, 2, 3)
    assert body["items"][0] == {
        "customer_id": ada.pk, "email": "ada@example.com", "name": "Ada Lovelace",
        "website": "base", "joined_at": earlier.isoformat().replace("+00:00", "Z"),
    }  # fmt: skip
    assert [m["customer_id"] for m in body["items"]] == [ada.pk, byron.pk]
    assert [m["customer_id"] for m in second["items"]] == [anne.pk]


def test_members_who_left_are_not_listed(client, secret, segment):
    # given
    ada = make_customer("ada@example.com", lastname="Lovelace")
    services.refresh_segment(segment=segment)
    customer_services.update_customer(customer=ada, lastname="Byron", actor=SYSTEM)
    services.refresh_segment(segment=segment)

    # when
    body = call(client, "get", f"/api/v1/segments/{segment.pk}/members", secret).json()

    # then
    assert (body["items"], body["count"]) == ([], 0)
    assert SegmentMembership.objects.filter(customer=ada, left_at__isnull=False).count() == 1


def test_a_members_page_holds_at_most_250(client, secret, segment):
    # given
    make_customer("ada@example.com", lastname="Lovelace")
    make_customer("byron@example.com", lastname="Lovelace")
    services.refresh_segment(segment=segment)
    url = f"/api/v1/segments/{segment.pk}/members"

    # when
    largest = call(client, "get", f"{url}?page_size=250", secret)
    too_large = call(client, "get", f"{url}?page_size=251", secret)

    # then
    assert largest.status_code == 200
    assert (len(largest.json()["items"]), largest.json()["page_size"]) == (2, 250)
    assert (too_large.status_code, too_large.json()["code"]) == (400, "invalid_page_size")
    assert too_large.json()["field"] == "page_size"


def test_segment_lists_hold_at_most_250_a_page(client, secret):
    # when
    response = call(client, "get", "/api/v1/segments?page_size=251", secret)

    # then
    assert (response.status_code, response.json()["code"]) == (400, "invalid_page_size")
    assert response.json()["field"] == "page_size"


def test_members_can_be_narrowed_to_one_website(client, secret, website_a, website_b, view_b):
    # given
    ada = make_customer("ada@example.com", lastname="Lovelace")
    make_customer("byron@example.com", lastname="Lovelace", store_view=view_b)
    both = make_segment("Both", websites=[website_a, website_b])
    services.refresh_segment(segment=both)

    # when
    body = call(client, "get", f"/api/v1/segments/{both.pk}/members?website=base", secret).json()

    # then
    assert [(m["customer_id"], m["website"]) for m in body["items"]] == [(ada.pk, "base")]


# --- Membership, as the shop asks for it --------------------------------------------------------


def test_a_customers_membership_lists_their_active_segments_per_website(
    client, secret, segment, website_b
):
    # given
    ada = make_customer("ada@example.com", firstname="Ada", lastname="Lovelace")
    adas = make_segment("Adas", conditions={
        "type": "combine", "aggregator": "all", "value": True, "conditions": [
            {"type": "customer_attribute", "attribute": "firstname", "operator": "is",
             "value": "ada"},
        ],
    })  # fmt: skip
    paused = make_segment("Paused")
    make_segment("Hoppers", conditions=lastname_contains("Hopper"))
    for each in Segment.objects.all():
        services.refresh_segment(segment=each)
    services.update_segment(segment=paused, is_active=False, actor=SYSTEM)

    # when
    response = call(client, "get", f"/api/v1/segments/membership?customer_id={ada.pk}", secret)
    on_b = call(
        client, "get", f"/api/v1/segments/membership?customer_id={ada.pk}&website=second", secret
    ).json()

    # then
    assert response.status_code == 200
    assert response.json() == {
        "customer_id": ada.pk,
        "visitor_id": None,
        "websites": [{
            "website": "base", "website_id": segment.websites.get().pk,
            "segment_ids": [segment.pk, adas.pk],
            "segments": [{"id": segment.pk, "name": "Lovelaces"}, {"id": adas.pk, "name": "Adas"}],
        }],
    }  # fmt: skip
    assert on_b["websites"] == [
        {"website": "second", "website_id": website_b.pk, "segment_ids": [], "segments": []}
    ]


@pytest.fixture
def products(db):
    return [
        sales.save_product(sku="LAMP", name="Lamp", price=Decimal("60.00"), actor=SYSTEM),
        sales.save_product(sku="MUG", name="Mug", price=Decimal("40.00"), actor=SYSTEM),
    ]


def put_guest_cart(client, secret, items, subtotal, visitor_id="v-123"):
    data = {
        "visitor_id": visitor_id, "currency": "USD", "subtotal": subtotal,
        "grand_total": subtotal, "items": items,
    }  # fmt: skip
    response = call(client, "put", "/api/v1/carts", secret, data, store="default")
    assert response.status_code == 200
    return response


def visitor_segments(client, secret, visitor_id="v-123", website="base"):
    url = f"/api/v1/segments/membership?visitor_id={visitor_id}&website={website}"
    response = call(client, "get", url, secret)
    assert response.status_code == 200
    return [s["name"] for entry in response.json()["websites"] for s in entry["segments"]]


LAMP = {"sku": "LAMP", "qty": "1", "price": "60.00"}
MUG = {"sku": "MUG", "qty": "1", "price": "40.00"}


@pytest.mark.parametrize("apply_to", ["visitors", "both"])
def test_a_guest_cart_of_100_matches_until_items_are_removed(
    client, secret, products, apply_to, django_capture_on_commit_callbacks
):
    # given: spec c check 22
    make_segment("Carts of 100", apply_to=apply_to, conditions=cart_subtotal_at_least("100"))
    assert visitor_segments(client, secret) == []

    # when
    with django_capture_on_commit_callbacks(execute=True):
        put_guest_cart(client, secret, [LAMP, MUG], "100.00")
    with_both = visitor_segments(client, secret)
    with django_capture_on_commit_callbacks(execute=True):
        put_guest_cart(client, secret, [LAMP], "60.00")
    with_lamp_only = visitor_segments(client, secret)

    # then
    assert with_both == ["Carts of 100"]
    assert with_lamp_only == []
    assert SegmentMembership.objects.count() == 0


def test_a_visitor_without_a_stored_answer_is_evaluated_then_answered_from_the_cache(
    client, secret, products
):
    # given: a cart recorded without its after-commit matching (no answer kept yet)
    guests = make_segment(
        "Carts of 100", apply_to="visitors", conditions=cart_subtotal_at_least("100")
    )
    put_guest_cart(client, secret, [LAMP, MUG], "100.00")

    # when
    first = call(
        client, "get", "/api/v1/segments/membership?visitor_id=v-123&website=base", secret
    ).json()
    put_guest_cart(client, secret, [LAMP], "60.00")  # again without matching
    second = visitor_segments(client, secret)

    # then
    assert first == {
        "customer_id": None, "visitor_id": "v-123",
        "websites": [{"website": "base", "website_id": guests.websites.get().pk,
                      "segment_ids": [guests.pk],
                      "segments": [{"id": guests.pk, "name": "Carts of 100"}]}],
    }  # fmt: skip
    assert second == ["Carts of 100"]


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        ("", "subject_required", "customer_id"),
        ("customer_id=1&visitor_id=v-1", "subject_required", "customer_id"),
        ("visitor_id=v-1", "website_required", "website"),
        ("visitor_id=v-1&website=nowhere", "unknown_website", "website"),
    ],
    ids=["neither", "both", "visitor-without-website", "unknown-website"],
)
def test_membership_needs_one_shopper_and_a_website_for_a_visitor(
    client, secret, query, code, field
):
    # when
    response = call(client, "get", f"/api/v1/segments/membership?{query}", secret)

    # then
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert response.status_code == (404 if code == "unknown_website" else 400)


# --- Segments turned off ------------------------------------------------------------------------


def test_membership_answers_are_empty_while_segments_are_turned_off(
    client, secret, segment, products
):
    # given: a stored member and a visitor with a kept answer
    ada = make_customer("ada@example.com", lastname="Lovelace")
    services.refresh_segment(segment=segment)
    make_segment("Carts of 100", conditions=cart_subtotal_at_least("100"))
    put_guest_cart(client, secret, [LAMP, MUG], "100.00")
    assert visitor_segments(client, secret) == ["Carts of 100"]
    set_config({ENABLED: False})

    # when
    customer = call(client, "get", f"/api/v1/segments/membership?customer_id={ada.pk}", secret)
    on_base = call(
        client, "get", f"/api/v1/segments/membership?customer_id={ada.pk}&website=base", secret
    )
    visitor = visitor_segments(client, secret)

    # then
    assert customer.json()["websites"] == []
    assert on_base.json()["websites"][0]["segment_ids"] == []
    assert visitor == []
    assert member_ids(segment) == [ada.pk]  # kept for when segments are turned on again


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("post", "", {"name": "New", "websites": ["base"]}),
        ("put", "/{id}", {"name": "New", "websites": ["base"]}),
        ("patch", "/{id}", {"name": "New"}),
        ("delete", "/{id}", None),
        ("post", "/{id}/refresh", None),
    ],
    ids=["create", "replace", "update", "delete", "refresh"],
)
def test_changes_are_refused_while_segments_are_turned_off(
    client, secret, segment, method, path, data
):
    # given
    set_config({ENABLED: False})
    before = definitions()

    # when
    url = "/api/v1/segments" + path.format(id=segment.pk)
    response = call(client, method, url, secret, data)

    # then
    assert (response.status_code, response.json()["code"]) == (400, "segments_disabled")
    assert definitions() == before
    segment.refresh_from_db()
    assert segment.refreshed_at is None


def test_definitions_can_still_be_read_while_segments_are_turned_off(client, secret, segment):
    # given
    set_config({ENABLED: False})

    # when
    response = call(client, "get", f"/api/v1/segments/{segment.pk}", secret)

    # then
    assert (response.status_code, response.json()["name"]) == (200, "Lovelaces")


# --- The condition catalogue --------------------------------------------------------------------


def catalogue(client, secret, apply_to):
    response = call(client, "get", f"/api/v1/segments/condition-types?apply_to={apply_to}", secret)
    assert response.status_code == 200
    return response.json()


def choices(entries, type_, field):
    entry = next(e for e in entries if e["type"] == type_)
    return [c[0] for f in entry["fields"] if f["name"] == field for c in f["choices"]]


REGISTERED_ONLY = {
    "customer_attribute", "customer_default_address", "newsletter", "store_credit",
    "customer_address", "default_address", "address_attribute", "address_has_region",
    "order_address", "order_address_type", "order_address_attribute", "order_status",
    "sales_amount", "number_of_orders", "purchased_qty",
}  # fmt: skip


def test_the_catalogue_for_visitors_offers_no_registered_only_conditions(client, secret):
    # when: spec c check 10
    entries = catalogue(client, secret, "visitors")

    # then
    types = {e["type"] for e in entries}
    assert types == {
        "combine", "cart_total", "cart_line_items", "cart_qty", "product_list",
        "product_history", "product_attribute", "up_to_date", "date_range",
    }  # fmt: skip
    assert "store_credit" not in choices(entries, "cart_total", "field")
    assert choices(entries, "product_list", "source") == ["cart"]
    assert choices(entries, "product_history", "source") == ["viewed"]


def test_the_catalogue_for_mixed_segments_marks_what_visitors_can_match(client, secret):
    # when
    entries = catalogue(client, secret, "both")

    # then
    assert {e["type"] for e in entries} >= REGISTERED_ONLY
    assert all(e["visitor"] is False for e in entries if e["type"] in REGISTERED_ONLY)
    assert next(e for e in entries if e["type"] == "cart_total")["visitor"] is True
    assert "store_credit" in choices(entries, "cart_total", "field")
    assert choices(entries, "product_history", "source") == ["viewed", "ordered"]
    gender = next(e for e in entries if e["defaults"] == {"attribute": "gender"})
    assert (gender["type"], gender["label"], gender["group"]) == (
        "customer_attribute", "Gender", "Customer",
    )  # fmt: skip
    assert choices([gender], "customer_attribute", "value") == [1, 2, 3]


def test_an_unknown_apply_to_is_refused(client, secret):
    # when
    response = call(client, "get", "/api/v1/segments/condition-types?apply_to=guests", secret)

    # then
    assert (response.status_code, response.json()["field"]) == (422, "query.apply_to")


# --- The OpenAPI document -----------------------------------------------------------------------


def test_the_openapi_document_lists_the_operations_with_examples(client, secret):
    # when
    document = client.get("/api/v1/openapi.json").json()

    # then
    paths = document["paths"]
    assert {path: set(paths[path]) for path in paths if path.startswith("/api/v1/segments")} == {
        "/api/v1/segments": {"get", "post"},
        "/api/v1/segments/{segment_id}": {"get", "put", "patch", "delete"},
        "/api/v1/segments/{segment_id}/refresh": {"post"},
        "/api/v1/segments/{segment_id}/members": {"get"},
        "/api/v1/segments/membership": {"get"},
        "/api/v1/segments/condition-types": {"get"},
        "/api/v1/segments/preview": {"post"},
        "/api/v1/segments/explain": {"post"},
        "/api/v1/segments/{segment_id}/explain": {"get"},
        "/api/v1/segments/{segment_id}/history": {"get"},
        "/api/v1/segments/query/parse": {"post"},
        "/api/v1/segments/query/print": {"post"},
    }
    schemas = document["components"]["schemas"]
    for name in ("SegmentIn", "SegmentPatch", "SegmentOut", "MemberOut", "MembershipOut",
                 "RefreshOut", "ConditionTypeOut"):  # fmt: skip
        assert schemas[name]["examples"], name
    assert schemas["SegmentIn"]["examples"] == [EXAMPLE_SEGMENT_IN]
    # The documented example is a valid request.
    created = call(client, "post", "/api/v1/segments", secret, EXAMPLE_SEGMENT_IN)
    assert created.status_code == 201
    assert created.json()["conditions"] == EXAMPLE_SEGMENT_IN["conditions"]
