"""Accounts created by staff (spec a §15, acceptance checks 4 and 40): no password, the "New
Account Without Password" email from the chosen store view and in its language, sign-in only
after the customer chose a password. Then the timeline and notes API."""

import json

import pytest
from django.test import Client

from patron.accounts.models import PasswordResetRequest
from patron.accounts.tests.factories import (
    ACCOUNT_URL,
    PASSWORD,
    RESET_URL,
    is_signed_in,
    link_in_email,
    query_of,
    sign_in,
)
from patron.core.actors import SYSTEM, Actor
from patron.customers import services
from patron.customers.history import TimelineKind
from patron.customers.models import Customer, TimelineEntry
from patron.customers.tests.factories import make_customer
from patron.mail.models import OutboxMessage
from patron.testing.fixtures import (
    bearer,
    make_integration_token,
    make_staff_user,
    make_store_view,
    set_config,
)

ADD_URL = "/admin/customers/customer/add/"
LIST_URL = "/admin/customers/customer/"
NO_PASSWORD_TEMPLATE = "customer_create_account_email_no_password_template"
GERMAN_RESET_PATH = f"/de{RESET_URL}"
SENDER = "Kundendienst <kundendienst@example.com>"
GERMAN_SUBJECT = "Ihr neues Konto bei Main Website"
INVALID_SIGN_IN = (
    "The account sign-in was incorrect or your account is disabled temporarily. "
    "Please wait and try again later."
)
NEW_PASSWORD = "Chosen-password-2"


def german_body(reset_url: str) -> str:
    return (
        "Hallo Nora West,\n\n"
        "Für nora@example.com wurde ein Konto bei Main Website erstellt.\n\n"
        "Wählen Sie hier Ihr Passwort, um Ihr Konto zu nutzen:\n"
        f"{reset_url}\n\n"
        "Ihr Main Website-Team\n"
    )


def add_form(website, **overrides):
    data = {
        "website": website.pk,
        "created_in": "",
        "send_welcome_email": "on",
        "group": 1,
        "prefix": "",
        "firstname": "Nora",
        "middlename": "",
        "lastname": "West",
        "suffix": "",
        "email": "nora@example.com",
        "dob": "",
        "taxvat": "",
        "gender": "",
        "is_active": "on",
        "addresses-TOTAL_FORMS": "0",
        "addresses-INITIAL_FORMS": "0",
        "_save": "Save",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def send(client, method, url, secret=None, payload=None):
    kwargs = bearer(secret) if secret else {}
    if payload is not None:
        kwargs.update(data=json.dumps(payload), content_type="application/json")
    return getattr(client, method)(url, **kwargs)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the on-commit work (mail delivery) of the block as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def german(website_a):
    view = make_store_view(website_a, "de", "de", name="Deutsch")
    set_config(
        {
            "customer/create_account/email_identity": "support",
            "trans_email/ident_support/name": "Kundendienst",
            "trans_email/ident_support/email": "kundendienst@example.com",
        }
    )
    return view


@pytest.fixture
def staff_client(client, superuser):
    client.force_login(superuser)
    return client


# --- Add New Customer in the back office (check 4) ----------------------------------------------


def test_add_form_offers_the_welcome_email_and_its_store_view(staff_client, german):
    # when
    response = staff_client.get(ADD_URL)

    # then
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert (str(form.fields["created_in"].label), form.fields["send_welcome_email"].initial) == (
        "Send Welcome Email From",
        True,
    )
    assert "password" not in form.fields


def test_admin_created_customer_gets_the_no_password_email_of_the_chosen_view(
    staff_client, website_a, german, committed, mailoutbox
):
    # when
    with committed():
        response = staff_client.post(ADD_URL, add_form(website_a, created_in=german.pk))

    # then
    assert response.status_code == 302
    customer = Customer.objects.get()
    assert (customer.email, customer.password, customer.has_password, customer.created_in_id) == (
        "nora@example.com",
        "",
        False,
        german.pk,
    )
    stored = OutboxMessage.objects.get()
    assert (
        stored.template_code,
        stored.language,
        stored.store_view_id,
        stored.customer_id,
        stored.sender,
        stored.recipients,
        stored.subject,
        stored.body_text,
        stored.has_secrets,
    ) == (
        NO_PASSWORD_TEMPLATE,
        "de",
        german.pk,
        customer.pk,
        SENDER,
        ["nora@example.com"],
        GERMAN_SUBJECT,
        german_body("[redacted]"),
        True,
    )
    [message] = mailoutbox
    link = link_in_email(message, GERMAN_RESET_PATH)
    reset = PasswordResetRequest.objects.get()
    assert query_of(link)["id"] == str(reset.pk)
    assert (reset.customer_id, reset.store_view_id, reset.by_staff) == (
        customer.pk,
        german.pk,
        True,
    )
    assert (message.from_email, message.to, message.subject, message.body) == (
        SENDER,
        ["nora@example.com"],
        GERMAN_SUBJECT,
        german_body(f"http://127.0.0.1:8000{link}"),
    )
    assert query_of(link)["token"] not in stored.body_text


def test_unticked_welcome_email_sends_nothing(
    staff_client, website_a, german, committed, mailoutbox
):
    # when
    with committed():
        response = staff_client.post(
            ADD_URL, add_form(website_a, created_in=german.pk, send_welcome_email=None)
        )

    # then
    assert response.status_code == 302
    customer = Customer.objects.get()
    assert (customer.has_password, customer.created_in_id) == (False, german.pk)
    assert OutboxMessage.objects.count() == 0
    assert PasswordResetRequest.objects.count() == 0
    assert mailoutbox == []


def test_store_view_of_another_website_is_refused_and_nothing_is_sent(
    staff_client, website_a, view_b, committed, mailoutbox
):
    # when
    with committed():
        response = staff_client.post(ADD_URL, add_form(website_a, created_in=view_b.pk))

    # then
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "The store view second_en does not belong to the website base."
    ]
    assert Customer.objects.count() == 0
    assert OutboxMessage.objects.count() == 0
    assert mailoutbox == []


# --- Signing in only after choosing a password (check 40) ---------------------------------------


def test_customer_signs_in_only_after_choosing_a_password_through_the_link(
    staff_client, website_a, german, committed, mailoutbox
):
    # given
    with committed():
        staff_client.post(ADD_URL, add_form(website_a, created_in=german.pk))
    link = link_in_email(mailoutbox[0], GERMAN_RESET_PATH)
    shopper = Client()

    # when
    before = [sign_in(shopper, "nora@example.com", p) for p in (PASSWORD, NEW_PASSWORD)]
    form = shopper.get(link)
    with committed():
        chosen = shopper.post(
            link, {"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD}
        )
    after = sign_in(shopper, "nora@example.com", NEW_PASSWORD)

    # then
    assert [(r.status_code, r.context["form"].non_field_errors()) for r in before] == [
        (400, [INVALID_SIGN_IN]),
        (400, [INVALID_SIGN_IN]),
    ]
    assert form.status_code == 200
    assert (chosen.status_code, chosen["Location"]) == (302, "/de/customer/account/login/")
    assert (after.status_code, after["Location"]) == (302, ACCOUNT_URL)
    assert is_signed_in(shopper) is True
    assert Customer.objects.get().has_password is True
    assert shopper.get(link)["Location"] == "/de/customer/account/forgotpassword/"


def test_reset_password_action_sends_the_no_password_email_when_the_welcome_was_skipped(
    staff_client, website_a, german, committed, mailoutbox
):
    # given
    with committed():
        staff_client.post(
            ADD_URL, add_form(website_a, created_in=german.pk, send_welcome_email=None)
        )
    customer = Customer.objects.get()
    shopper = Client()

    # when
    with committed():
        action = staff_client.post(f"/admin/customers/customer/{customer.pk}/reset-password/")
    link = link_in_email(mailoutbox[0], GERMAN_RESET_PATH)
    with committed():
        shopper.post(link, {"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD})

    # then
    assert action.status_code == 302
    assert list(OutboxMessage.objects.order_by("pk").values_list("template_code", "language")) == [
        (NO_PASSWORD_TEMPLATE, "de"),
        ("customer_password_reset_password_template", "de"),
    ]
    assert sign_in(shopper, "nora@example.com", NEW_PASSWORD).status_code == 302


# --- POST /api/v1/customers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("send_welcome_email", "templates"),
    [(True, [(NO_PASSWORD_TEMPLATE, "de", SENDER)]), (False, [])],
    ids=["welcome_case", "no_welcome_case"],
)
def test_api_creates_a_password_less_customer_with_or_without_the_email(
    client, website_a, german, committed, mailoutbox, send_welcome_email, templates
):
    # given
    _token, secret = make_integration_token(permissions=["customers.add_customer"])
    payload = {
        "website_id": website_a.pk,
        "store_view": "de",
        "email": "Nora@Example.com",
        "firstname": "Nora",
        "lastname": "West",
        "send_welcome_email": send_welcome_email,
    }

    # when
    with committed():
        response = send(client, "post", "/api/v1/customers", secret, payload)

    # then
    assert response.status_code == 201
    body = response.json()
    assert (body["email"], body["created_in"], body["website_id"]) == (
        "nora@example.com",
        "de",
        website_a.pk,
    )
    customer = Customer.objects.get()
    assert (customer.pk, customer.has_password) == (body["id"], False)
    assert list(OutboxMessage.objects.values_list("template_code", "language", "sender")) == (
        templates
    )
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["nora@example.com"], GERMAN_SUBJECT) for _ in templates
    ]
    assert PasswordResetRequest.objects.count() == len(templates)


def test_api_welcome_email_needs_no_extra_field(client, website_a, german, committed):
    # given
    _token, secret = make_integration_token(permissions=["customers.add_customer"])
    payload = {
        "website_id": website_a.pk,
        "email": "n@example.com",
        "firstname": "N",
        "lastname": "W",
    }

    # when
    with committed():
        response = send(client, "post", "/api/v1/customers", secret, payload)

    # then
    assert response.status_code == 201
    assert OutboxMessage.objects.count() == 0


# --- GET /api/v1/customers/{id}/timeline --------------------------------------------------------


def timeline_url(customer) -> str:
    return f"/api/v1/customers/{customer.pk}/timeline"


def notes_url(customer) -> str:
    return f"/api/v1/customers/{customer.pk}/notes"


def entry_rows(response) -> list[tuple]:
    return [
        (e["kind"], e["label"], e["actor_kind"], e["actor_label"], e["params"], e["note"])
        for e in response.json()
    ]


@pytest.fixture
def timeline_token(db):
    _token, secret = make_integration_token(
        "Helpdesk", permissions=["customers.view_timeline", "customers.add_timeline_note"]
    )
    return secret


@pytest.fixture
def busy_customer(customer, superuser):
    """Ada, created by the system, renamed by staff, with a staff note: three entries."""
    staff = Actor.staff(superuser)
    services.update_customer(customer=customer, actor=staff, firstname="Augusta")
    services.add_timeline_note(customer=customer, text="Called about her order.", actor=staff)
    return customer


def test_timeline_lists_entries_newest_first_with_kind_label_and_actor(
    client, timeline_token, busy_customer
):
    # when
    response = send(client, "get", timeline_url(busy_customer), timeline_token)

    # then
    assert response.status_code == 200
    assert entry_rows(response) == [
        (TimelineKind.NOTE, "Staff note", "staff", "root", {}, "Called about her order."),
        (
            TimelineKind.ACCOUNT_UPDATED,
            "Account updated",
            "staff",
            "root",
            {"changed": ["firstname"]},
            "",
        ),
        (
            TimelineKind.ACCOUNT_CREATED,
            "Account created",
            "system",
            "Patron",
            {"store_view": "default"},
            "",
        ),
    ]
    ids = [e["id"] for e in response.json()]
    assert ids == sorted(ids, reverse=True)


def test_before_id_pages_to_older_entries(client, timeline_token, busy_customer):
    # given
    first = send(client, "get", f"{timeline_url(busy_customer)}?limit=2", timeline_token)
    last_id = first.json()[-1]["id"]

    # when
    older = send(
        client, "get", f"{timeline_url(busy_customer)}?before_id={last_id}", timeline_token
    )

    # then
    assert [e["kind"] for e in first.json()] == [TimelineKind.NOTE, TimelineKind.ACCOUNT_UPDATED]
    assert [e["kind"] for e in older.json()] == [TimelineKind.ACCOUNT_CREATED]
    empty = send(
        client, "get", f"{timeline_url(busy_customer)}?before_id={older.json()[0]['id']}",
        timeline_token,
    )  # fmt: skip
    assert empty.json() == []


def test_timeline_shows_only_its_own_customer(client, timeline_token, busy_customer, view_a):
    # given
    grace = make_customer("grace@example.com", store_view=view_a, firstname="Grace")
    services.add_timeline_note(customer=grace, text="Not Ada's.", actor=SYSTEM)

    # when
    response = send(client, "get", timeline_url(busy_customer), timeline_token)

    # then
    assert [e["note"] for e in response.json()] == ["Called about her order.", "", ""]


CALLERS = ["anonymous", "shopper", "without_permission", "with_permission", "staff_session"]


@pytest.mark.parametrize("caller", CALLERS, ids=[f"{c}_case" for c in CALLERS])
def test_timeline_needs_the_view_timeline_permission(client, customer, caller):
    # given
    secret = None
    if caller == "shopper":
        secret = services.issue_customer_token(customer=customer)
    elif caller == "staff_session":
        client.force_login(make_staff_user("clerk", permissions=["customers.view_customer"]))
    elif caller != "anonymous":
        granted = ["customers.view_customer"]
        if caller == "with_permission":
            granted.append("customers.view_timeline")
        _token, secret = make_integration_token(permissions=granted)

    # when
    response = send(client, "get", timeline_url(customer), secret)

    # then
    expected = {
        "anonymous": 401,
        "shopper": 401,
        "without_permission": 403,
        "staff_session": 403,
        "with_permission": 200,
    }[caller]
    assert response.status_code == expected
    if expected == 403:
        assert response.json() == {
            "code": "permission_denied",
            "message": "You need the permission customers.view_timeline for this.",
            "params": {"permission": "customers.view_timeline"},
        }
    if expected == 200:
        assert [e["kind"] for e in response.json()] == [TimelineKind.ACCOUNT_CREATED]


def test_website_scoped_token_does_not_see_another_websites_customer(client, customer, website_b):
    # given
    _token, secret = make_integration_token(
        permissions=["customers.view_timeline", "customers.add_timeline_note"],
        websites=[website_b],
    )

    # when
    timeline = send(client, "get", timeline_url(customer), secret)
    note = send(client, "post", notes_url(customer), secret, {"text": "Hello"})

    # then
    expected = {"code": "customer_not_found", "message": f"There is no customer {customer.pk}."}
    assert (timeline.status_code, timeline.json()) == (404, expected)
    assert (note.status_code, note.json()) == (404, expected)
    assert list(customer.timeline.values_list("kind", flat=True)) == [TimelineKind.ACCOUNT_CREATED]


# --- POST /api/v1/customers/{id}/notes ----------------------------------------------------------


def test_note_is_added_to_the_timeline(client, timeline_token, customer):
    # when
    response = send(client, "post", notes_url(customer), timeline_token, {"text": "  VIP.  "})

    # then
    assert response.status_code == 201
    body = response.json()
    entry = TimelineEntry.objects.get(pk=body["id"])
    assert (entry.customer_id, entry.kind, entry.note, entry.actor_kind, entry.actor_label) == (
        customer.pk,
        TimelineKind.NOTE,
        "VIP.",
        "integration",
        "Helpdesk",
    )
    assert {k: v for k, v in body.items() if k not in ("id", "occurred_at")} == {
        "kind": "note",
        "label": "Staff note",
        "actor_kind": "integration",
        "actor_label": "Helpdesk",
        "params": {},
        "note": "VIP.",
    }
    listed = send(client, "get", timeline_url(customer), timeline_token).json()
    assert listed[0]["id"] == body["id"]


def test_note_of_5000_characters_is_accepted(client, timeline_token, customer):
    # when
    response = send(client, "post", notes_url(customer), timeline_token, {"text": "x" * 5000})

    # then
    assert response.status_code == 201
    assert len(customer.timeline.get(kind=TimelineKind.NOTE).note) == 5000


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ("", "required", "Write the note first."),
        ("   ", "required", "Write the note first."),
        ("x" * 5001, "too_long", "Notes are limited to 5,000 characters."),
    ],
    ids=["empty_case", "blank_case", "too_long_case"],
)
def test_invalid_note_is_refused(client, timeline_token, customer, text, code, message):
    # when
    response = send(client, "post", notes_url(customer), timeline_token, {"text": text})

    # then
    assert response.status_code == 400
    assert response.json() == {"code": code, "message": message, "field": "text"}
    assert not customer.timeline.filter(kind=TimelineKind.NOTE).exists()


@pytest.mark.parametrize("caller", CALLERS, ids=[f"{c}_case" for c in CALLERS])
def test_note_needs_the_add_timeline_note_permission(client, customer, caller):
    # given
    secret = None
    if caller == "shopper":
        secret = services.issue_customer_token(customer=customer)
    elif caller == "staff_session":
        client.force_login(make_staff_user("clerk", permissions=["customers.view_timeline"]))
    elif caller != "anonymous":
        granted = ["customers.view_timeline"]
        if caller == "with_permission":
            granted.append("customers.add_timeline_note")
        _token, secret = make_integration_token(permissions=granted)

    # when
    response = send(client, "post", notes_url(customer), secret, {"text": "VIP."})

    # then
    expected = {
        "anonymous": 401,
        "shopper": 401,
        "without_permission": 403,
        "staff_session": 403,
        "with_permission": 201,
    }[caller]
    assert response.status_code == expected
    if expected == 403:
        assert response.json()["params"] == {"permission": "customers.add_timeline_note"}
    notes = list(customer.timeline.filter(kind=TimelineKind.NOTE).values_list("note", flat=True))
    assert notes == (["VIP."] if expected == 201 else [])
