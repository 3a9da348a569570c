"""The grid's inline edit through ``PATCH /api/v1/customers/{id}/quick-edit``: Email, Group,
Phone and ZIP (of the default billing address), Web Site, Tax/VAT Number and Gender, each
checked by the service that owns it, every problem reported at once and nothing saved unless
every value is accepted."""

import json

import pytest

from patron.customers.history import TimelineKind
from patron.customers.models import Customer, CustomerGridRow, TimelineEntry
from patron.customers.tests.factories import make_address, make_customer, share_accounts
from patron.testing.fixtures import bearer, make_integration_token, make_staff_user

GENERAL, WHOLESALE = 1, 2
FEMALE = 2


def url_of(customer) -> str:
    return f"/api/v1/customers/{customer.pk}/quick-edit"


def patch(client, customer, payload, **headers):
    return client.patch(
        url_of(customer), data=json.dumps(payload), content_type="application/json", **headers
    )


def stored(customer) -> dict:
    """What the quick edit may change, as stored: the customer's own fields, its group and
    website, the default billing address's phone and ZIP, and the grid row's copy of each."""
    customer = Customer.objects.select_related("default_billing").get(pk=customer.pk)
    billing = customer.default_billing
    row = CustomerGridRow.objects.get(pk=customer.pk)
    return {
        "email": customer.email,
        "group_id": customer.group_id,
        "website_id": customer.website_id,
        "taxvat": customer.taxvat,
        "gender": customer.gender,
        "telephone": billing.telephone if billing else None,
        "postcode": billing.postcode if billing else None,
        "row": (
            row.email,
            row.group_id,
            row.website_id,
            row.taxvat,
            row.gender,
            row.telephone,
            row.postcode,
        ),
    }


def error_fields(response) -> list[tuple[str, str]]:
    return sorted((error["field"], error["code"]) for error in response.json()["errors"])


@pytest.fixture
def editor(client, db):
    """A signed-in staff member who may edit customers in the grid."""
    user = make_staff_user("editor", permissions=["customers.quick_edit_customer"])
    client.force_login(user)
    return user


@pytest.fixture
def ada(view_a):
    """Ada, with a default billing address in Boston (02108, +1 617 555 0100)."""
    customer = make_customer("ada@example.com", store_view=view_a, taxvat="DE123456789")
    make_address(customer)
    return customer


@pytest.fixture
def grace(view_a):
    return make_customer("grace@example.com", store_view=view_a, firstname="Grace")


# --- Each column (acceptance check 36) ----------------------------------------------------------

EDITS = [
    ("email", "augusta@example.com", "augusta@example.com"),
    ("group_id", WHOLESALE, WHOLESALE),
    ("telephone", "+1 617 555 0199", "+1 617-555-0199"),
    ("postcode", "02139", "02139"),
    ("website_id", "website_b", "website_b"),
    ("taxvat", "GB999999973", "GB999999973"),
    ("gender", FEMALE, FEMALE),
]


@pytest.mark.parametrize(("field", "value", "expected"), EDITS, ids=[e[0] for e in EDITS])
def test_quick_edit_changes_one_column(client, editor, ada, request, field, value, expected):
    # given
    if value == "website_b":
        value = expected = request.getfixturevalue("website_b").pk
    before = stored(ada)

    # when
    response = patch(client, ada, {field: value})

    # then
    assert response.status_code == 200
    assert response.json()[field] == expected
    after = stored(ada)
    assert after[field] == expected
    assert {k: v for k, v in after.items() if k not in (field, "row")} == {
        k: v for k, v in before.items() if k not in (field, "row")
    }
    assert after["row"] == tuple(
        after[name]
        for name in ("email", "group_id", "website_id", "taxvat", "gender", "telephone", "postcode")
    )


def test_quick_edit_changes_every_column_at_once(client, editor, ada, website_b):
    # when
    response = patch(
        client,
        ada,
        {
            "email": "augusta@example.com",
            "group_id": WHOLESALE,
            "telephone": "+1 617 555 0199",
            "postcode": "02139",
            "website_id": website_b.pk,
            "taxvat": "GB999999973",
            "gender": FEMALE,
        },
    )

    # then
    assert response.status_code == 200
    expected = {
        "email": "augusta@example.com",
        "group_id": WHOLESALE,
        "website_id": website_b.pk,
        "taxvat": "GB999999973",
        "gender": FEMALE,
        "telephone": "+1 617-555-0199",
        "postcode": "02139",
    }
    assert {k: response.json()[k] for k in expected} == expected
    assert {k: v for k, v in stored(ada).items() if k != "row"} == expected


def test_quick_edit_records_the_changes_on_the_timeline(client, editor, ada):
    # given
    known = set(TimelineEntry.objects.values_list("pk", flat=True))

    # when
    patch(client, ada, {"email": "augusta@example.com", "group_id": WHOLESALE, "postcode": "02139"})

    # then
    added = TimelineEntry.objects.exclude(pk__in=known).filter(customer=ada)
    assert sorted(added.values_list("kind", "actor_kind", "actor_label")) == sorted(
        [
            (TimelineKind.ACCOUNT_UPDATED, "staff", "editor"),
            (TimelineKind.GROUP_CHANGED, "staff", "editor"),
            (TimelineKind.ADDRESS_UPDATED, "staff", "editor"),
        ]
    )


def test_quick_edit_with_the_current_values_changes_nothing(client, editor, ada):
    # given
    before = stored(ada)
    entries = TimelineEntry.objects.count()

    # when
    response = patch(
        client,
        ada,
        {
            "email": before["email"],
            "group_id": before["group_id"],
            "website_id": before["website_id"],
            "telephone": before["telephone"],
            "postcode": before["postcode"],
            "taxvat": before["taxvat"],
        },
    )

    # then
    assert response.status_code == 200
    assert stored(ada) == before
    assert TimelineEntry.objects.count() == entries


# --- Email uniqueness in the sharing scope ------------------------------------------------------


def test_an_email_used_on_the_same_website_is_refused(client, editor, ada, grace):
    # given
    before = stored(ada)

    # when
    response = patch(client, ada, {"email": "grace@example.com", "postcode": "02139"})

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("email_taken", "email")
    assert stored(ada) == before


def test_an_email_used_on_the_same_website_is_refused_in_any_case(client, editor, ada, grace):
    # when
    response = patch(client, ada, {"email": " Grace@Example.COM "})

    # then
    assert (response.status_code, response.json()["field"]) == (400, "email")
    assert stored(ada)["email"] == "ada@example.com"


def test_an_email_used_on_another_website_is_accepted_per_website(client, editor, ada, website_b):
    # given
    make_customer("byron@example.org", website=website_b)

    # when
    response = patch(client, ada, {"email": "byron@example.org"})

    # then
    assert response.status_code == 200
    assert stored(ada)["email"] == "byron@example.org"


def test_an_email_used_on_another_website_is_refused_when_accounts_are_global(
    client, editor, ada, website_b
):
    # given
    make_customer("byron@example.org", website=website_b)
    share_accounts("global")

    # when
    response = patch(client, ada, {"email": "byron@example.org"})

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("email_taken", "email")
    assert stored(ada)["email"] == "ada@example.com"


def test_moving_to_a_website_where_the_email_is_taken_is_refused(client, editor, ada, website_b):
    # given
    make_customer("ada@example.com", website=website_b)

    # when
    response = patch(client, ada, {"website_id": website_b.pk})

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("email_taken", "email")
    assert stored(ada)["website_id"] != website_b.pk


def test_moving_website_and_changing_email_together_checks_the_new_email(
    client, editor, ada, website_b
):
    # given: the old email is taken on website B, the new one is free there
    make_customer("ada@example.com", website=website_b)

    # when
    response = patch(client, ada, {"website_id": website_b.pk, "email": "augusta@example.com"})

    # then
    assert response.status_code == 200
    assert (stored(ada)["website_id"], stored(ada)["email"]) == (
        website_b.pk,
        "augusta@example.com",
    )


# --- Phone and ZIP belong to the default billing address ----------------------------------------


@pytest.mark.parametrize(
    ("field", "value"), [("telephone", "+1 617 555 0199"), ("postcode", "02139")]
)
def test_phone_or_zip_without_a_default_billing_address_is_refused(
    client, editor, grace, field, value
):
    # when
    response = patch(client, grace, {field: value})

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("no_billing_address", field)
    assert not Customer.objects.get(pk=grace.pk).addresses.exists()


def test_clearing_phone_without_a_default_billing_address_is_no_change(client, editor, grace):
    # when
    response = patch(client, grace, {"telephone": "", "postcode": None})

    # then
    assert response.status_code == 200
    assert (response.json()["telephone"], response.json()["postcode"]) == ("", "")


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("email", "not-an-email", "invalid_email"),
        ("postcode", "ABC", "invalid_postcode"),
        ("telephone", "call me", "invalid_telephone"),
        ("gender", 7, "invalid_choice"),
    ],
)
def test_a_value_the_owning_service_refuses_is_refused(client, editor, ada, field, value, code):
    # given
    before = stored(ada)

    # when
    response = patch(client, ada, {field: value})

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert stored(ada) == before


# --- All problems together, nothing saved -------------------------------------------------------


def test_every_problem_is_reported_together_and_nothing_is_saved(client, editor, grace, ada):
    # given: Grace has no address, and Ada owns the email Grace asks for
    before = stored(grace)
    entries = TimelineEntry.objects.count()

    # when
    response = patch(
        client,
        grace,
        {
            "email": "ada@example.com",
            "telephone": "+1 617 555 0199",
            "group_id": 0,
            "taxvat": "GB999999973",
            "gender": FEMALE,
        },
    )

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert error_fields(response) == [
        ("email", "email_taken"),
        ("group", "guest_group"),
        ("telephone", "no_billing_address"),
    ]
    assert stored(grace) == before
    assert TimelineEntry.objects.count() == entries


def test_an_accepted_value_is_not_saved_when_another_is_refused(client, editor, ada, grace):
    # given
    before = stored(ada)

    # when
    response = patch(
        client,
        ada,
        {
            "group_id": WHOLESALE,
            "postcode": "02139",
            "gender": FEMALE,
            "email": "grace@example.com",
        },
    )

    # then
    assert response.status_code == 400
    assert stored(ada) == before
    assert not ada.timeline.filter(kind=TimelineKind.GROUP_CHANGED).exists()


# --- Who may edit what --------------------------------------------------------------------------


@pytest.mark.parametrize("caller", ["staff", "token"])
def test_quick_edit_needs_its_permission(client, ada, caller):
    # given: a caller who may change customers, but not in the grid
    headers = {}
    granted = ["customers.view_customer", "customers.change_customer"]
    if caller == "staff":
        client.force_login(make_staff_user("clerk", permissions=granted))
    else:
        headers = bearer(make_integration_token("T", permissions=granted)[1])
    before = stored(ada)

    # when
    response = patch(client, ada, {"email": "augusta@example.com"}, **headers)

    # then
    assert response.status_code == 403
    assert (response.json()["code"], response.json()["params"]) == (
        "permission_denied",
        {"permission": "customers.quick_edit_customer"},
    )
    assert stored(ada) == before


def test_a_website_scoped_token_does_not_find_other_websites_customers(
    client, website_a, website_b
):
    # given
    _token, secret = make_integration_token(
        "A", permissions=["customers.quick_edit_customer"], websites=[website_a]
    )
    byron = make_customer("byron@example.org", website=website_b)

    # when
    response = patch(client, byron, {"taxvat": "GB999999973"}, **bearer(secret))

    # then
    assert (response.status_code, response.json()["code"]) == (404, "customer_not_found")
    assert Customer.objects.get(pk=byron.pk).taxvat == ""


def test_a_website_scoped_token_cannot_move_a_customer_out_of_its_websites(
    client, ada, website_a, website_b
):
    # given
    _token, secret = make_integration_token(
        "A", permissions=["customers.quick_edit_customer"], websites=[website_a]
    )

    # when
    response = patch(client, ada, {"website_id": website_b.pk}, **bearer(secret))

    # then
    assert (response.status_code, response.json()["code"]) == (403, "website_not_allowed")
    assert stored(ada)["website_id"] == website_a.pk


def test_an_unknown_group_is_not_found(client, editor, ada):
    # when
    response = patch(client, ada, {"group_id": 987_654})

    # then
    assert (response.status_code, response.json()["code"]) == (404, "group_not_found")
    assert stored(ada)["group_id"] == GENERAL
