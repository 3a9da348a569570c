"""Staff API of shopper assistance: POST /api/v1/customers/{id}/login-as (a one-time storefront
URL under the same checks as the back office), PUT /api/v1/customers/{id}/assistance-consent
(with customers.change_remote_assistance and a reason), and POST /api/v1/customers refusing a
consent given at creation."""

import datetime as dt
import json
import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from patron.assistance import services
from patron.assistance import settings_fields as fields
from patron.assistance.models import AssistanceSession
from patron.assistance.tests.conftest import BAD_LINK, NO_CONSENT
from patron.customers.history import TimelineKind
from patron.customers.models import Customer
from patron.customers.tests.factories import make_customer
from patron.testing.fixtures import (
    bearer,
    make_integration_token,
    make_staff_user,
    make_store_view,
    set_config,
)


@pytest.fixture
def ada(view_a):
    return make_customer("ada@example.com", store_view=view_a, allow_remote_assistance=True)


@pytest.fixture
def helpdesk(db):
    _token, secret = make_integration_token(
        "Helpdesk", permissions=[services.PERMISSION, "customers.view_customer"]
    )
    return secret


def send(client, method, url, secret=None, payload=None):
    kwargs = bearer(secret) if secret else {}
    if payload is not None:
        kwargs.update(data=json.dumps(payload), content_type="application/json")
    return getattr(client, method)(url, **kwargs)


def login_as(client, customer, secret=None, **payload):
    return send(client, "post", f"/api/v1/customers/{customer.pk}/login-as", secret, payload)


def set_consent(client, customer, secret, **payload):
    return send(
        client, "put", f"/api/v1/customers/{customer.pk}/assistance-consent", secret, payload
    )


def error_of(response) -> tuple:
    body = response.json()
    return response.status_code, body["code"], body.get("field")


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def page_text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", unescape(response.content.decode())).split())


# --- Who may ask --------------------------------------------------------------------------------


def test_switched_off_the_request_is_refused(client, ada, helpdesk):
    # when
    response = login_as(client, ada, helpdesk)

    # then
    assert error_of(response) == (403, "assistance_disabled", None)
    assert AssistanceSession.objects.count() == 0


def test_without_the_permission_a_token_gets_403(client, enabled, ada):
    # given
    _token, secret = make_integration_token("Reader", permissions=["customers.view_customer"])

    # when
    response = login_as(client, ada, secret)

    # then
    assert error_of(response) == (403, "permission_denied", None)
    assert response.json()["params"] == {"permission": "assistance.login_as_customer"}
    assert AssistanceSession.objects.count() == 0


def test_without_the_permission_a_staff_session_gets_403(client, enabled, ada):
    # given
    client.force_login(make_staff_user("clerk", permissions=["customers.view_customer"]))

    # when
    response = login_as(client, ada)

    # then
    assert error_of(response) == (403, "permission_denied", None)
    assert AssistanceSession.objects.count() == 0


def test_a_customer_without_consent_is_refused_with_the_explanation(
    client, enabled, grace, helpdesk
):
    # when
    response = login_as(client, grace, helpdesk)

    # then
    assert error_of(response) == (409, "no_consent", None)
    assert response.json()["message"] == NO_CONSENT
    assert AssistanceSession.objects.count() == 0


def test_always_policy_issues_a_url_without_consent(client, enabled, grace, helpdesk):
    # given
    set_config({fields.CONSENT_POLICY: fields.ALWAYS})

    # when
    response = login_as(client, grace, helpdesk)

    # then
    assert response.status_code == 201
    assert AssistanceSession.objects.get().customer_id == grace.pk


def test_a_customer_outside_the_token_websites_is_not_found(client, enabled, ada, website_b):
    # given
    _token, secret = make_integration_token(
        "Second only", permissions=[services.PERMISSION], websites=[website_b]
    )

    # when
    response = login_as(client, ada, secret)

    # then
    assert response.status_code == 404
    assert AssistanceSession.objects.count() == 0


# --- The URL ------------------------------------------------------------------------------------


def test_the_url_is_one_time_and_valid_for_sixty_seconds(client, enabled, ada, helpdesk):
    # given
    before = timezone.now()

    # when
    response = login_as(client, ada, helpdesk)

    # then
    assert response.status_code == 201
    body = response.json()
    base = settings.PATRON_PUBLIC_URL.rstrip("/")
    assert body["url"].startswith(f"{base}/loginascustomer/login/?secret=")
    session = AssistanceSession.objects.get()
    assert body["session_id"] == session.pk
    expires_at = parse_datetime(body["expires_at"])
    assert abs(expires_at - session.secret_expires_at) < dt.timedelta(milliseconds=1)
    assert before + dt.timedelta(seconds=60) <= session.secret_expires_at
    assert session.secret_expires_at <= timezone.now() + dt.timedelta(seconds=60)
    assert session.started_at is None


def test_the_url_works_once(client, enabled, ada, helpdesk):
    # given
    url = login_as(client, ada, helpdesk).json()["url"]
    browser, other_browser = Client(), Client()

    # when
    first = browser.get(path_of(url))
    account = browser.get("/customer/account/")
    second = other_browser.get(path_of(url))

    # then
    assert (first.status_code, first["Location"]) == (302, "/customer/account/")
    assert account.status_code == 200
    assert (
        "You are logged in as Ada Lovelace (staff member: Helpdesk). Every change is recorded."
        in page_text(account)
    )
    assert second.status_code == 401
    assert BAD_LINK in page_text(second)
    assert other_browser.get("/customer/account/").status_code == 302


def test_a_token_session_is_logged_with_the_integration_as_actor(client, enabled, ada, helpdesk):
    # when
    login_as(client, ada, helpdesk)

    # then
    session = AssistanceSession.objects.get()
    assert (session.actor_kind, session.actor_label, session.staff_user_id) == (
        "integration",
        "Helpdesk",
        None,
    )
    assert (session.customer_id, session.customer_email) == (ada.pk, "ada@example.com")


def test_a_staff_session_is_logged_with_the_staff_member(client, enabled, ada):
    # given
    staff = make_staff_user("helper", permissions=[services.PERMISSION])
    client.force_login(staff)

    # when
    response = login_as(client, ada)

    # then
    assert response.status_code == 201
    session = AssistanceSession.objects.get()
    assert (session.actor_kind, session.actor_id, session.staff_user_id) == (
        "staff",
        staff.pk,
        staff.pk,
    )


# --- Store View to Log in -----------------------------------------------------------------------


def test_manual_selection_requires_the_store_view(client, enabled, ada, helpdesk):
    # given
    set_config({fields.STORE_VIEW_CHOICE: True})

    # when
    response = login_as(client, ada, helpdesk)

    # then
    assert error_of(response) == (400, "required", "store_view")
    assert AssistanceSession.objects.count() == 0


def test_manual_selection_refuses_a_store_view_of_another_website(
    client, enabled, ada, helpdesk, website_b
):
    # given
    set_config({fields.STORE_VIEW_CHOICE: True})
    make_store_view(website_b, "second_en", "en", is_default=True)

    # when
    response = login_as(client, ada, helpdesk, store_view="second_en")

    # then
    assert error_of(response) == (400, "invalid_store_view", "store_view")
    assert AssistanceSession.objects.count() == 0


def test_an_unknown_store_view_code_is_named(client, enabled, ada, helpdesk):
    # when
    response = login_as(client, ada, helpdesk, store_view="nowhere")

    # then
    assert error_of(response) == (404, "unknown_store", "store_view")
    assert AssistanceSession.objects.count() == 0


def test_manual_selection_opens_the_chosen_store_view(client, enabled, ada, helpdesk, website_a):
    # given
    set_config({fields.STORE_VIEW_CHOICE: True})
    french = make_store_view(website_a, "fr", "fr", name="Français")

    # when
    response = login_as(client, ada, helpdesk, store_view="fr")

    # then
    assert response.status_code == 201
    assert urlsplit(response.json()["url"]).path == "/fr/loginascustomer/login/"
    assert AssistanceSession.objects.get().store_view_id == french.pk


# --- Consent ------------------------------------------------------------------------------------


@pytest.fixture
def consent_token(db):
    _token, secret = make_integration_token(
        "Support desk",
        permissions=[
            "customers.view_customer",
            "customers.change_remote_assistance",
            services.PERMISSION,
        ],
    )
    return secret


def test_setting_the_consent_needs_its_permission(client, grace):
    # given
    _token, secret = make_integration_token(
        "Editor", permissions=["customers.view_customer", "customers.change_customer"]
    )

    # when
    response = set_consent(client, grace, secret, allowed=True, reason="Asked by phone")

    # then
    assert error_of(response) == (403, "permission_denied", None)
    assert Customer.objects.get(pk=grace.pk).allow_remote_assistance is False


def test_setting_the_consent_needs_a_reason(client, grace, consent_token):
    # when
    response = set_consent(client, grace, consent_token, allowed=True, reason=" ")

    # then
    assert error_of(response) == (400, "required", "assistance_reason")
    assert Customer.objects.get(pk=grace.pk).allow_remote_assistance is False
    assert not grace.timeline.filter(kind=TimelineKind.ASSISTANCE_CONSENT_CHANGED).exists()


def test_consent_set_with_a_reason_lets_staff_log_in_as_the_customer(
    client, enabled, grace, consent_token
):
    # given
    refused = login_as(client, grace, consent_token)

    # when
    response = set_consent(client, grace, consent_token, allowed=True, reason="Asked by phone")
    allowed = login_as(client, grace, consent_token)

    # then
    assert refused.status_code == 409
    assert response.status_code == 200
    assert response.json()["allow_remote_assistance"] is True
    entry = grace.timeline.get(kind=TimelineKind.ASSISTANCE_CONSENT_CHANGED)
    assert (entry.note, entry.params) == ("Asked by phone", {"allowed": True})
    assert (entry.actor_kind, entry.actor_label) == ("integration", "Support desk")
    assert allowed.status_code == 201


def test_creating_a_customer_refuses_a_consent_given_at_creation(client, website_a):
    # given
    _token, secret = make_integration_token(
        "Creator", permissions=["customers.add_customer", "customers.change_remote_assistance"]
    )
    payload = {
        "website_id": website_a.pk, "email": "new@example.com", "firstname": "N",
        "lastname": "W",
    }  # fmt: skip

    # when
    refused = send(
        client, "post", "/api/v1/customers", secret, {**payload, "allow_remote_assistance": True}
    )
    created = send(client, "post", "/api/v1/customers", secret, payload)

    # then
    assert error_of(refused) == (400, "consent_not_at_creation", "allow_remote_assistance")
    assert created.status_code == 201
    assert created.json()["allow_remote_assistance"] is False
    assert list(Customer.objects.values_list("email", flat=True)) == ["new@example.com"]
