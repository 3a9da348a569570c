"""Audience definitions (issue 14 "Audiences"): the rules of ``save_audience`` and
``delete_audience`` with each problem at its field, and the /api/v1/audiences endpoints with
their permissions."""

import pytest

from patron.audiences import services
from patron.audiences.models import Audience, AudienceMember
from patron.audiences.tests.conftest import ADD, ALL, CHANGE, DELETE, VIEW, call, make_audience
from patron.core.actors import SYSTEM
from patron.core.errors import InvalidInput
from patron.customers.models import Customer
from patron.customers.tests.factories import make_customer
from patron.testing.fixtures import make_integration_token

URL = "/api/v1/audiences"


def problems_of(error: InvalidInput) -> list[tuple[str | None, str, str]]:
    return sorted((p.field, p.code, p.message) for p in error.problems)


def answered_problems(response) -> list[tuple[str | None, str]]:
    body = response.json()
    return sorted((p.get("field"), p["code"]) for p in body.get("errors") or [body])


@pytest.fixture
def secret(db):
    _token, plain = make_integration_token("CDP", permissions=ALL)
    return plain


# --- The service --------------------------------------------------------------------------------


def test_an_audience_needs_an_id_a_name_and_a_website(db):
    # when
    with pytest.raises(InvalidInput) as raised:
        services.save_audience(actor=SYSTEM, external_id="  ", name="", websites=[])

    # then: every problem at its field; nothing saved
    assert problems_of(raised.value) == [
        ("external_id", "required", "Enter the audience ID."),
        ("name", "required", "Enter the audience name."),
        ("websites", "required", "Choose at least one website."),
    ]
    assert Audience.objects.count() == 0


def test_a_registered_audience_keeps_its_fields_trimmed(website_a):
    # when
    audience = services.save_audience(
        actor=SYSTEM, external_id=" b2f1-loyal ", name=" Loyal ", description="Three orders",
        source=" Experience Platform ", websites=[website_a],
    )  # fmt: skip

    # then
    audience.refresh_from_db()
    assert (audience.external_id, audience.name, audience.description, audience.source) == (
        "b2f1-loyal", "Loyal", "Three orders", "Experience Platform",
    )  # fmt: skip
    assert audience.is_active is True
    assert list(audience.websites.all()) == [website_a]


def test_the_audience_id_is_unique(website_a):
    # given
    make_audience("loyal")

    # when
    with pytest.raises(InvalidInput) as raised:
        make_audience("loyal", name="Other")

    # then
    assert problems_of(raised.value) == [
        ("external_id", "duplicate", "Another audience has this ID.")
    ]
    assert Audience.objects.count() == 1


@pytest.mark.parametrize(
    "external_id",
    ["loyal,vip", "loyal vip", "loyal\tvip", "x" * 256],
    ids=["comma_case", "space_case", "tab_case", "too_long_case"],
)
def test_an_audience_id_has_no_commas_or_spaces_and_at_most_255_characters(website_a, external_id):
    # when
    with pytest.raises(InvalidInput) as raised:
        make_audience(external_id, name="Loyal")

    # then
    assert problems_of(raised.value) == [
        (
            "external_id",
            "invalid",
            "An audience ID has at most 255 characters and no commas or spaces.",
        )
    ]
    assert Audience.objects.count() == 0


def test_an_audience_id_of_255_characters_is_accepted(website_a):
    # when
    audience = make_audience("x" * 255, name="Long")

    # then
    assert Audience.objects.get().external_id == "x" * 255 == audience.external_id


def test_websites_are_named_by_id_or_code(website_a, website_b):
    # when
    audience = make_audience("loyal", websites=[str(website_a.pk), "second"])

    # then
    assert set(audience.websites.all()) == {website_a, website_b}


def test_an_unknown_website_is_refused_at_websites(website_a):
    # when
    with pytest.raises(InvalidInput) as raised:
        make_audience("loyal", websites=["base", "nowhere"])

    # then
    assert problems_of(raised.value) == [
        ("websites", "invalid", "One of the chosen websites does not exist.")
    ]
    assert Audience.objects.count() == 0


def test_a_change_touches_only_the_fields_given(website_a, website_b):
    # given
    audience = make_audience("loyal", name="Loyal", source="CDP", description="Old")

    # when
    services.save_audience(actor=SYSTEM, audience=audience, name="Loyal shoppers",
                           websites=[website_b], is_active=False)  # fmt: skip

    # then
    audience.refresh_from_db()
    assert (audience.external_id, audience.name, audience.source, audience.description) == (
        "loyal", "Loyal shoppers", "CDP", "Old",
    )  # fmt: skip
    assert audience.is_active is False
    assert list(audience.websites.all()) == [website_b]


def test_a_change_cannot_leave_an_audience_without_websites(website_a):
    # given
    audience = make_audience("loyal")

    # when
    with pytest.raises(InvalidInput) as raised:
        services.save_audience(actor=SYSTEM, audience=audience, websites=[])

    # then
    assert problems_of(raised.value) == [("websites", "required", "Choose at least one website.")]
    assert list(audience.websites.all()) == [website_a]


def test_deleting_an_audience_removes_its_members_and_keeps_the_customers(website_a):
    # given
    audience = make_audience("loyal")
    ada = make_customer("ada@example.com")
    services.push_members(audience=audience, actor=SYSTEM, add=[ada.pk])

    # when
    services.delete_audience(audience=audience, actor=SYSTEM)

    # then
    assert Audience.objects.count() == 0
    assert AudienceMember.objects.count() == 0
    assert list(Customer.objects.values_list("email", flat=True)) == ["ada@example.com"]


# --- The API ------------------------------------------------------------------------------------


def test_the_api_registers_an_audience(client, secret, website_a, website_b):
    # when
    response = call(client, "post", URL, secret, {
        "external_id": "b2f1-loyal", "name": "Loyal", "description": "Three orders",
        "source": "Experience Platform", "websites": ["second", website_a.pk],
    })  # fmt: skip

    # then
    assert response.status_code == 201
    body = response.json()
    audience = Audience.objects.get()
    assert body["id"] == audience.pk
    assert {k: body[k] for k in ("external_id", "name", "description", "source", "websites",
                                 "is_active", "members", "synced_at")} == {
        "external_id": "b2f1-loyal", "name": "Loyal", "description": "Three orders",
        "source": "Experience Platform", "websites": ["base", "second"], "is_active": True,
        "members": 0, "synced_at": None,
    }  # fmt: skip


def test_the_api_answers_every_problem_at_its_field(client, secret, website_a):
    # given
    make_audience("loyal")

    # when
    response = call(client, "post", URL, secret,
                    {"external_id": "loyal", "name": " ", "websites": ["nowhere"]})  # fmt: skip

    # then
    assert response.status_code == 400
    assert answered_problems(response) == [
        ("external_id", "duplicate"), ("name", "required"), ("websites", "invalid"),
    ]  # fmt: skip
    assert Audience.objects.count() == 1


def test_the_api_lists_audiences_by_name_filtered_and_paged(client, secret, website_a):
    # given
    make_audience("vip", name="VIP shoppers")
    make_audience("loyal", name="Loyal shoppers")
    make_audience("lapsed", name="Lapsed")

    # when
    first = call(client, "get", f"{URL}?name=shoppers&page_size=1", secret).json()
    second = call(client, "get", f"{URL}?name=shoppers&page_size=1&page=2", secret).json()

    # then
    assert (first["count"], first["page"], first["page_size"]) == (2, 1, 1)
    assert [a["external_id"] for a in first["results"]] == ["loyal"]
    assert [a["external_id"] for a in second["results"]] == ["vip"]


def test_the_api_reads_one_audience_with_its_member_count(client, secret, website_a):
    # given
    audience = make_audience("loyal")
    services.push_members(
        audience=audience, actor=SYSTEM, add=[make_customer("ada@example.com").pk]
    )

    # when
    response = call(client, "get", f"{URL}/{audience.pk}", secret)

    # then
    assert response.status_code == 200
    assert (response.json()["external_id"], response.json()["members"]) == ("loyal", 1)


def test_an_unknown_audience_is_answered_404(client, secret, db):
    # when
    response = call(client, "get", f"{URL}/999999", secret)

    # then
    assert (response.status_code, response.json()["code"]) == (404, "audience_not_found")


def test_the_api_changes_the_fields_sent(client, secret, website_a):
    # given
    audience = make_audience("loyal", name="Loyal", source="CDP")

    # when
    response = call(client, "patch", f"{URL}/{audience.pk}", secret,
                    {"name": "Loyal shoppers", "is_active": False})  # fmt: skip

    # then
    assert response.status_code == 200
    audience.refresh_from_db()
    assert (audience.name, audience.source, audience.is_active) == ("Loyal shoppers", "CDP", False)
    assert response.json()["name"] == "Loyal shoppers"


def test_the_api_deletes_an_audience(client, secret, website_a):
    # given
    audience = make_audience("loyal")

    # when
    response = call(client, "delete", f"{URL}/{audience.pk}", secret)

    # then
    assert response.status_code == 204
    assert Audience.objects.count() == 0


def _endpoints(audience_id: int) -> dict[str, tuple[str, str, dict | None]]:
    return {
        "list": ("get", URL, None),
        "read": ("get", f"{URL}/{audience_id}", None),
        "create": ("post", URL, {"external_id": "new", "name": "New", "websites": ["base"]}),
        "change": ("patch", f"{URL}/{audience_id}", {"name": "Renamed"}),
        "delete": ("delete", f"{URL}/{audience_id}", None),
        "push": ("post", f"{URL}/{audience_id}/members", {"add": ["ada@example.com"]}),
        "members": ("get", f"{URL}/{audience_id}/members", None),
        "pull": ("post", f"{URL}/pull", None),
    }


@pytest.mark.parametrize(
    ("endpoint", "needed"),
    [
        ("list", VIEW), ("read", VIEW), ("create", ADD), ("change", CHANGE), ("delete", DELETE),
        ("push", CHANGE), ("members", VIEW), ("pull", CHANGE),
    ],
)  # fmt: skip
def test_a_token_without_the_permission_is_refused_403(client, website_a, endpoint, needed):
    # given: a token holding every audience permission except the one needed
    audience = make_audience("loyal")
    _token, plain = make_integration_token("Partial", permissions=[p for p in ALL if p != needed])
    method, url, data = _endpoints(audience.pk)[endpoint]

    # when
    response = call(client, method, url, plain, data)

    # then: refused, naming the permission, and nothing changed
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert response.json()["params"] == {"permission": needed}
    assert list(Audience.objects.values_list("external_id", "name")) == [("loyal", "Loyal")]
    assert audience.members.count() == 0


def test_a_call_without_a_token_is_refused_401(client, website_a):
    # when
    response = call(client, "get", URL)

    # then
    assert response.status_code == 401


def test_a_website_limited_token_cannot_push_members_into_another_websites_audience(
    client, website_a, website_b
):
    # given: an audience of the first website, a token limited to the second
    audience = make_audience("loyal", websites=[website_a])
    make_customer("ada@example.com", website=website_a)
    _token, plain = make_integration_token("Second only", permissions=ALL, websites=[website_b])

    # when
    response = call(client, "post", f"{URL}/{audience.pk}/members", plain,
                    {"add": ["ada@example.com"]})  # fmt: skip

    # then
    assert response.status_code in (403, 404)
    assert audience.members.count() == 0


def test_a_website_named_by_both_id_and_code_is_accepted(website_a):
    # when
    audience = make_audience("loyal", websites=[website_a.pk, "base"])

    # then
    assert list(audience.websites.all()) == [website_a]
