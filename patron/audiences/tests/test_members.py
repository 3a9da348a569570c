"""Membership pushed in batches (issue 14, membership input 1): add and remove by customer id or
email, only customers on the audience's websites, idempotent, unknown identifiers counted and
listed, at most 10,000 identifiers a request; through the service and
/api/v1/audiences/{id}/members."""

import pytest

from patron.audiences import services
from patron.audiences.tests.conftest import ALL, call, make_audience, member_emails
from patron.core.actors import SYSTEM
from patron.core.errors import InvalidInput
from patron.customers.tests.factories import make_customer
from patron.testing.fixtures import make_integration_token


@pytest.fixture
def audience(website_a):
    return make_audience("loyal")


@pytest.fixture
def ada(website_a):
    return make_customer("ada@example.com", website=website_a)


@pytest.fixture
def grace(website_a):
    return make_customer("grace@example.com", website=website_a, firstname="Grace")


@pytest.fixture
def secret(db):
    _token, plain = make_integration_token("CDP", permissions=ALL)
    return plain


def push(audience, add=(), remove=()):
    return services.push_members(audience=audience, actor=SYSTEM, add=add, remove=remove)


def test_members_are_added_by_customer_id_and_by_email(audience, ada, grace):
    # when
    result = push(audience, add=[ada.pk, "GRACE@example.com"])

    # then
    assert result == {
        "added": 2, "removed": 0, "unchanged": 0, "unknown": 0, "unknown_identifiers": [],
        "members": 2,
    }  # fmt: skip
    assert member_emails(audience) == ["ada@example.com", "grace@example.com"]


def test_members_are_removed_by_customer_id_and_by_email(audience, ada, grace):
    # given
    push(audience, add=[ada.pk, grace.pk])

    # when
    result = push(audience, remove=[str(ada.pk), "grace@example.com"])

    # then
    assert (result["added"], result["removed"], result["members"]) == (0, 2, 0)
    assert member_emails(audience) == []


def test_the_same_batch_twice_adds_nothing_the_second_time(audience, ada, grace):
    # given
    batch = [ada.pk, "grace@example.com", "nobody@example.com"]
    push(audience, add=batch)

    # when
    again = push(audience, add=batch)

    # then
    assert again == {
        "added": 0, "removed": 0, "unchanged": 2, "unknown": 1,
        "unknown_identifiers": ["nobody@example.com"], "members": 2,
    }  # fmt: skip
    assert member_emails(audience) == ["ada@example.com", "grace@example.com"]


def test_removing_a_customer_who_is_no_member_changes_nothing(audience, ada, grace):
    # given
    push(audience, add=[ada.pk])

    # when
    result = push(audience, remove=[grace.pk])

    # then
    assert (result["removed"], result["unchanged"], result["members"]) == (0, 1, 1)
    assert member_emails(audience) == ["ada@example.com"]


def test_only_customers_on_the_audiences_websites_become_members(audience, ada, website_b):
    # given: a customer with the same kind of identifiers on another website
    other = make_customer("alan@example.com", website=website_b, firstname="Alan")

    # when
    result = push(audience, add=[ada.pk, other.pk, "alan@example.com"])

    # then
    assert (result["added"], result["unknown"]) == (1, 2)
    assert result["unknown_identifiers"] == [str(other.pk), "alan@example.com"]
    assert member_emails(audience) == ["ada@example.com"]


def test_unknown_identifiers_are_counted_and_listed_not_refused(audience, ada):
    # when
    result = push(
        audience, add=[ada.pk, 999999, "nobody@example.com", "not-an-identifier"],
        remove=["gone@example.com"],
    )  # fmt: skip

    # then
    assert (result["added"], result["unknown"]) == (1, 4)
    assert result["unknown_identifiers"] == [
        "999999", "nobody@example.com", "not-an-identifier", "gone@example.com",
    ]  # fmt: skip


def test_at_most_100_unknown_identifiers_are_listed_and_all_are_counted(audience):
    # given
    strangers = [f"stranger{n}@example.com" for n in range(150)]

    # when
    result = push(audience, add=strangers)

    # then
    assert result["unknown"] == 150
    assert result["unknown_identifiers"] == strangers[:100]


def test_a_push_marks_the_audience_as_updated(audience, ada):
    # given
    assert audience.synced_at is None

    # when
    push(audience, add=[ada.pk])

    # then
    audience.refresh_from_db()
    assert audience.synced_at is not None
    assert audience.synced_at >= audience.created_at


def test_10000_identifiers_are_accepted_in_one_request(audience, ada):
    # given: 10,000 identifiers, one of them a customer
    identifiers = [ada.pk] + [f"stranger{n}@example.com" for n in range(9_999)]

    # when
    result = push(audience, add=identifiers[:5_000], remove=identifiers[5_000:])

    # then
    assert (result["added"], result["unknown"], result["members"]) == (1, 9_999, 1)


def test_more_than_10000_identifiers_are_refused_and_nothing_changes(audience, ada):
    # given
    identifiers = [ada.pk] + [f"stranger{n}@example.com" for n in range(10_000)]

    # when
    with pytest.raises(InvalidInput) as raised:
        push(audience, add=identifiers)

    # then
    assert (raised.value.field, str(raised.value)) == (
        "add", "Send at most 10000 identifiers a request.",
    )  # fmt: skip
    assert member_emails(audience) == []


# --- Through the API ----------------------------------------------------------------------------


def test_the_api_pushes_a_batch_and_answers_the_counts(client, secret, audience, ada, grace):
    # given
    push(audience, add=[grace.pk])

    # when
    response = call(client, "post", f"/api/v1/audiences/{audience.pk}/members", secret,
                    {"add": [ada.pk, "nobody@example.com"], "remove": ["grace@example.com"]})  # fmt: skip

    # then
    assert response.status_code == 200
    assert response.json() == {
        "added": 1, "removed": 1, "unchanged": 0, "unknown": 1,
        "unknown_identifiers": ["nobody@example.com"], "members": 1,
    }  # fmt: skip
    assert member_emails(audience) == ["ada@example.com"]


def test_the_api_refuses_a_batch_of_more_than_10000_identifiers(client, secret, audience, ada):
    # given
    add = [ada.pk] + [f"s{n}@example.com" for n in range(5_000)]
    remove = [f"r{n}@example.com" for n in range(5_000)]

    # when
    response = call(client, "post", f"/api/v1/audiences/{audience.pk}/members", secret,
                    {"add": add, "remove": remove})  # fmt: skip

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("invalid", "add")
    assert member_emails(audience) == []


def test_the_api_lists_the_members_by_customer_id_paged(client, secret, audience, ada, grace):
    # given
    push(audience, add=[grace.pk, ada.pk])

    # when
    first = call(client, "get", f"/api/v1/audiences/{audience.pk}/members?page_size=1", secret)
    second = call(
        client, "get", f"/api/v1/audiences/{audience.pk}/members?page_size=1&page=2", secret
    )

    # then
    assert first.status_code == 200
    assert (first.json()["count"], first.json()["page_size"]) == (2, 1)
    assert [(m["customer_id"], m["email"]) for m in first.json()["results"]] == [
        (ada.pk, "ada@example.com")
    ]
    assert [m["email"] for m in second.json()["results"]] == ["grace@example.com"]
