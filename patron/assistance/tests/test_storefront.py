"""Storefront side of shopper assistance ("Log in as Customer"): the single-use link, the
assisted session in its own cookie with the banner on every shopper page, the changes recorded
against both the customer and the staff member, what may not be changed, ending the session
(also by signing out), and the consent checkbox on the registration and Account Information
pages (its policy default, its website-scope title and its translation)."""

import datetime as dt
import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from patron.accounts.history import AccountKind
from patron.assistance import services
from patron.assistance import settings_fields as fields
from patron.assistance.history import AssistanceKind
from patron.assistance.middleware import COOKIE, signed_session_id
from patron.assistance.models import AssistanceAction, AssistanceSession
from patron.assistance.tests.conftest import BAD_LINK, PASSWORD
from patron.core.actors import Actor
from patron.customers.history import TimelineKind
from patron.customers.models import Address, Customer
from patron.customers.tests.factories import make_customer
from patron.testing.fixtures import make_staff_user, make_store_view, set_config

NEW_PASSWORD = "Zyxwvut2?long"
SHOPPER_COOKIE = "patron_shopper"
LOGIN_URL = "/customer/account/login/"
CREATE_URL = "/customer/account/create/"
ACCOUNT_URL = "/customer/account/"
EDIT_URL = "/customer/account/edit/"
LOGOUT_URL = "/customer/account/logout/"
NEW_ADDRESS_URL = "/customer/address/new/"
END_URL = "/loginascustomer/logout/"
BANNER = "You are logged in as Ada Lovelace (staff member: helper). Every change is recorded."
DEFAULT_TITLE = "Allow remote shopping assistance"


@pytest.fixture
def ada(view_a):
    return make_customer(
        "ada@example.com", store_view=view_a, password=PASSWORD, allow_remote_assistance=True
    )


@pytest.fixture
def bob(view_a):
    return make_customer(
        "bob@example.com", store_view=view_a, password=PASSWORD, firstname="Bob", lastname="Babbage"
    )


@pytest.fixture
def helper(db):
    return make_staff_user("helper", permissions=[services.PERMISSION, "customers.view_customer"])


@pytest.fixture
def browser(client, helper):
    """The staff member's browser, signed in to the back office."""
    client.force_login(helper)
    return client


def sign_in(client: Client, email: str, prefix: str = ""):
    response = client.post(f"{prefix}{LOGIN_URL}", {"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def issue_link(browser: Client, customer) -> str:
    """Confirm Log in as Customer in the back office; return the storefront path it leads to."""
    response = browser.post(reverse("admin:assistance-login-as", args=[customer.pk]))
    assert response.status_code == 302, response.content.decode()[:500]
    parts = urlsplit(response["Location"])
    return f"{parts.path}?{parts.query}"


def open_assisted(browser: Client, customer) -> AssistanceSession:
    """Confirm in the back office and open the link, as the staff member's browser does."""
    response = browser.get(issue_link(browser, customer))
    assert response.status_code == 302, response.content.decode()[:500]
    return AssistanceSession.objects.get(customer=customer, started_at__isnull=False)


def assist(browser: Client, customer, staff) -> AssistanceSession:
    """Put ``browser`` in a running session for ``customer`` as its opened link leaves it (the
    link has tests of its own), so the rules of a running session are checked on every
    database."""
    session, _secret = services.start_assistance(
        customer=customer, actor=Actor.staff(staff), may=True, staff_user=staff
    )
    now = timezone.now()
    AssistanceSession.objects.filter(pk=session.pk).update(started_at=now, last_activity_at=now)
    browser.cookies[COOKIE] = signed_session_id(session.pk)
    return AssistanceSession.objects.get(pk=session.pk)


def html(response) -> str:
    return unescape(response.content.decode())


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html(response)).split())


def welcome(response) -> list[str]:
    return re.findall(r"Welcome, [^<!]*!", html(response))


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def fresh(customer) -> Customer:
    return Customer.objects.get(pk=customer.pk)


def address_form(**overrides):
    return {
        "firstname": "Ada", "lastname": "Lovelace", "telephone": "+1 617 555 0100",
        "street_1": "12 Analytical Row", "street_2": "", "country_id": "US",
        "region": "Massachusetts", "city": "Boston", "postcode": "02108", **overrides,
    }  # fmt: skip


def account_form(**overrides):
    return {
        "firstname": "Ada",
        "lastname": "Lovelace",
        "allow_remote_assistance": "on",
        **overrides,
    }


def checkbox_label(response) -> str:
    match = re.search(r'<label for="id_allow_remote_assistance"[^>]*>(.*?)</label>', html(response))
    assert match, "no consent checkbox on the page"
    return match.group(1).strip().rstrip(":")


def checkbox_tooltip(response) -> str:
    match = re.search(
        r'<div class="helptext" id="id_allow_remote_assistance_helptext">(.*?)</div>',
        html(response),
        re.S,
    )
    assert match, "no consent tooltip on the page"
    return match.group(1).strip()


# --- Opening the link ---------------------------------------------------------------------------


def test_the_link_opens_the_customer_account_with_the_banner(browser, enabled, ada, bob):
    # given: the browser also holds its own shopper session (Bob's)
    sign_in(browser, bob.email)
    link = issue_link(browser, ada)

    # when
    response = browser.get(link)
    page = browser.get(ACCOUNT_URL)

    # then
    assert (response.status_code, response["Location"]) == (302, ACCOUNT_URL)
    assert COOKIE in response.cookies
    assert response.cookies[COOKIE]["httponly"]
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert SHOPPER_COOKIE not in response.cookies
    assert messages_of(response) == [
        "You are now logged in as Ada Lovelace. Everything you do here is recorded."
    ]
    assert page.status_code == 200
    assert BANNER in text(page)
    assert welcome(page) == ["Welcome, Ada!"]


def test_opening_the_link_writes_assistance_started(browser, enabled, ada):
    # when
    session = open_assisted(browser, ada)

    # then
    entry = fresh(ada).timeline.get(kind=AssistanceKind.STARTED)
    assert entry.params == {"session_id": session.pk, "store_view": "default"}
    assert entry.actor_label == "helper"


def test_a_link_opens_only_once(browser, enabled, ada):
    # given
    link = issue_link(browser, ada)
    browser.get(link)
    browser.cookies.pop(COOKIE)

    # when
    response = browser.get(link)

    # then
    assert response.status_code == 401
    assert BAD_LINK in html(response)
    assert COOKIE not in response.cookies
    assert browser.get(ACCOUNT_URL).status_code == 302
    assert fresh(ada).timeline.filter(kind=AssistanceKind.STARTED).count() == 1


def test_a_link_older_than_sixty_seconds_is_refused(browser, enabled, ada):
    # given
    link = issue_link(browser, ada)
    AssistanceSession.objects.update(secret_expires_at=timezone.now() - dt.timedelta(seconds=1))

    # when
    response = browser.get(link)

    # then
    assert response.status_code == 401
    assert BAD_LINK in html(response)
    assert COOKIE not in response.cookies
    assert AssistanceSession.objects.get().started_at is None


# --- During the session -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "page",
    ["/", ACCOUNT_URL, "/customer/address/", NEW_ADDRESS_URL, EDIT_URL, "/newsletter/manage/"],
)
def test_every_shopper_page_shows_the_banner_naming_customer_and_staff(
    browser, enabled, ada, page, helper
):
    # given
    assist(browser, ada, helper)

    # when
    response = browser.get(page)

    # then
    assert response.status_code == 200
    assert BANNER in text(response)
    assert f'action="{END_URL}"' in html(response)


def test_assisted_pages_are_never_cached(browser, enabled, ada, helper):
    # given
    assist(browser, ada, helper)

    # when
    response = browser.get("/")

    # then
    assert response["Cache-Control"] == "no-store"


def test_a_change_is_recorded_on_the_session_and_names_both(browser, enabled, ada, bob, helper):
    # given: the browser also holds its own shopper session (Bob's)
    sign_in(browser, bob.email)
    session = assist(browser, ada, helper)

    # when
    response = browser.post(NEW_ADDRESS_URL, address_form(city="Salem"))

    # then
    assert response.status_code == 302
    assert list(Address.objects.values_list("customer_id", "city")) == [(ada.pk, "Salem")]
    action = AssistanceAction.objects.get()
    assert (action.session_id, action.method, action.path, action.status) == (
        session.pk,
        "POST",
        NEW_ADDRESS_URL,
        302,
    )
    assert AssistanceSession.objects.get(pk=session.pk).actions_count == 1
    entry = fresh(ada).timeline.get(kind=TimelineKind.ADDRESS_ADDED)
    assert (entry.actor_kind, entry.actor_id) == ("customer", ada.pk)
    assert entry.actor_label == "ada@example.com (assisted by helper)"


def test_page_views_and_refused_changes_are_not_counted(browser, enabled, ada, helper):
    # given
    session = assist(browser, ada, helper)

    # when
    browser.get(ACCOUNT_URL)
    browser.get(EDIT_URL)
    refused = browser.post(NEW_ADDRESS_URL, address_form(city=""))

    # then
    assert refused.status_code == 400
    assert AssistanceAction.objects.count() == 0
    assert AssistanceSession.objects.get(pk=session.pk).actions_count == 0


def test_changing_the_password_is_refused_with_a_message(browser, enabled, ada, helper):
    # given
    assist(browser, ada, helper)
    before = fresh(ada).password

    # when
    response = browser.post(
        EDIT_URL,
        account_form(
            firstname="Augusta", change_password="on", current_password=PASSWORD,
            password=NEW_PASSWORD, password_confirmation=NEW_PASSWORD,
        ),
    )  # fmt: skip

    # then
    assert response.status_code == 400
    assert "While assisting a customer you cannot change their password." in html(response)
    customer = fresh(ada)
    assert (customer.password, customer.firstname) == (before, "Ada")
    assert mail.outbox == []
    assert AssistanceSession.objects.get().actions_count == 0


def test_changing_the_email_is_refused_with_a_message(browser, enabled, ada, helper):
    # given
    assist(browser, ada, helper)

    # when
    response = browser.post(
        EDIT_URL,
        account_form(change_email="on", email="ada.new@example.com", current_password=PASSWORD),
    )

    # then
    assert response.status_code == 400
    assert "While assisting a customer you cannot change their email address." in html(response)
    customer = fresh(ada)
    assert (customer.email, customer.pending_email) == ("ada@example.com", "")
    assert mail.outbox == []


def test_withdrawing_the_consent_while_assisting_is_refused(browser, enabled, ada, helper):
    # given
    assist(browser, ada, helper)

    # when
    response = browser.post(EDIT_URL, account_form(allow_remote_assistance=""))

    # then
    assert response.status_code == 400
    assert "cannot change their consent to remote shopping assistance" in html(response)
    assert fresh(ada).allow_remote_assistance is True


def test_the_staff_and_shopper_sessions_of_the_browser_are_left_alone(
    browser, enabled, ada, bob, helper
):
    # given
    sign_in(browser, bob.email)
    staff_cookie = browser.cookies[settings.SESSION_COOKIE_NAME].value
    shopper_cookie = browser.cookies[SHOPPER_COOKIE].value

    # when
    assist(browser, ada, helper)
    during = browser.get(ACCOUNT_URL)
    browser.post(NEW_ADDRESS_URL, address_form())
    browser.post(END_URL)
    after = browser.get(ACCOUNT_URL)

    # then
    assert welcome(during) == ["Welcome, Ada!"]
    assert browser.cookies[settings.SESSION_COOKIE_NAME].value == staff_cookie
    assert browser.cookies[SHOPPER_COOKIE].value == shopper_cookie
    assert browser.get("/admin/").status_code == 200
    assert after.status_code == 200
    assert welcome(after) == ["Welcome, Bob!"]
    assert BANNER not in text(after)
    assert not Address.objects.filter(customer=bob).exists()


# --- Ending the session -------------------------------------------------------------------------


def test_end_the_session_from_the_banner(browser, enabled, ada, helper):
    # given
    session = assist(browser, ada, helper)

    # when
    response = browser.post(END_URL)
    after = browser.get(ACCOUNT_URL)

    # then
    assert response.status_code == 200
    assert "You are no longer logged in as ada@example.com." in text(response)
    assert response.cookies[COOKIE].value == ""
    ended = AssistanceSession.objects.get(pk=session.pk)
    assert (ended.end_reason, ended.ended_at is not None) == ("ended", True)
    entry = fresh(ada).timeline.get(kind=AssistanceKind.ENDED)
    assert entry.params == {"session_id": session.pk, "actions": 0, "reason": "ended"}
    assert after.status_code == 302
    assert after["Location"].startswith(LOGIN_URL)


def test_signing_out_while_assisting_ends_only_the_assisted_session(
    browser, enabled, ada, bob, helper
):
    # given
    sign_in(browser, bob.email)
    session = assist(browser, ada, helper)

    # when
    response = browser.post(LOGOUT_URL)
    after = browser.get(ACCOUNT_URL)

    # then
    assert response.status_code == 200
    assert AssistanceSession.objects.get(pk=session.pk).ended_at is not None
    assert welcome(after) == ["Welcome, Bob!"]
    assert fresh(ada).last_logout_at is None
    assert fresh(bob).last_logout_at is None
    assert not fresh(ada).timeline.filter(kind=AccountKind.SIGNED_OUT).exists()
    assert AssistanceAction.objects.count() == 0


def test_an_ended_session_cookie_no_longer_works(browser, enabled, ada, helper):
    # given
    assist(browser, ada, helper)
    cookie = browser.cookies[COOKIE].value
    browser.post(END_URL)

    # when
    browser.cookies[COOKIE] = cookie
    response = browser.get(ACCOUNT_URL)

    # then
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)
    assert response.cookies[COOKIE].value == ""


def test_a_tampered_cookie_is_ignored(browser, enabled, ada, view_a, helper):
    # given: another customer's session is open, and the cookie is edited to name it
    eve = make_customer("eve@example.com", store_view=view_a, allow_remote_assistance=True)
    eve_session = assist(Client(), eve, helper)
    assist(browser, ada, helper)
    genuine = browser.cookies[COOKIE].value
    forged_payload = signed_session_id(eve_session.pk).split(":", 1)[0]
    browser.cookies[COOKIE] = forged_payload + genuine[genuine.index(":") :]

    # when
    response = browser.get("/")
    account = browser.get(ACCOUNT_URL)

    # then
    assert "assistance-banner" not in html(response)
    assert "eve@example.com" not in html(response)
    assert response.cookies[COOKIE].value == ""
    assert account.status_code == 302
    assert account["Location"].startswith(LOGIN_URL)


@pytest.mark.parametrize("change", ["customer_deactivated", "feature_switched_off"])
def test_the_session_stops_at_the_next_request(browser, enabled, ada, change, helper):
    # given
    assist(browser, ada, helper)
    assert BANNER in text(browser.get("/"))

    # when
    if change == "customer_deactivated":
        Customer.objects.filter(pk=ada.pk).update(is_active=False)
    else:
        set_config({fields.ENABLED: False})
    home = browser.get("/")
    account = browser.get(ACCOUNT_URL)

    # then
    assert BANNER not in text(home)
    assert home.cookies[COOKIE].value == ""
    assert account.status_code == 302


# --- The consent checkbox -----------------------------------------------------------------------


def test_a_customer_who_ticks_the_consent_can_then_be_logged_in_as(browser, enabled, view_a):
    # given
    grace = make_customer(
        "grace@example.com", store_view=view_a, password=PASSWORD, firstname="Grace"
    )
    refused = browser.post(reverse("admin:assistance-login-as", args=[grace.pk]))
    shopper = Client()
    sign_in(shopper, grace.email)

    # when
    saved = shopper.post(EDIT_URL, account_form(firstname="Grace"))
    allowed = browser.post(reverse("admin:assistance-login-as", args=[grace.pk]))

    # then
    assert refused.status_code == 403
    assert saved.status_code == 302
    assert fresh(grace).allow_remote_assistance is True
    entry = fresh(grace).timeline.get(kind=TimelineKind.ASSISTANCE_CONSENT_CHANGED)
    assert (entry.actor_kind, entry.actor_label, entry.params) == (
        "customer",
        "grace@example.com",
        {"allowed": True},
    )
    assert allowed.status_code == 302
    assert "/loginascustomer/login/?secret=" in allowed["Location"]


@pytest.mark.parametrize(
    ("policy", "ticked"), [(fields.OPT_IN, False), (fields.OPT_OUT, True), (fields.ALWAYS, False)]
)
def test_registration_box_starts_ticked_only_under_opt_out(client, view_a, policy, ticked):
    # given
    set_config({fields.CONSENT_POLICY: policy})

    # when
    response = client.get(CREATE_URL)

    # then
    box = re.search(r'<input type="checkbox" name="allow_remote_assistance"[^>]*>', html(response))
    assert box, "no consent checkbox on the registration page"
    assert ("checked" in box.group(0)) is ticked


def test_a_website_title_changes_the_checkbox_on_that_website_only(client, view_a, website_b):
    # given
    make_store_view(website_b, "second_en", "en", name="Second English", is_default=True)
    set_config(
        {
            fields.CHECKBOX_TITLE: "Let our team help you",
            fields.CHECKBOX_TOOLTIP: "We see your cart",
        },
        website=website_b,
    )
    make_customer("bea@example.com", website=website_b, password=PASSWORD, firstname="Bea")
    sign_in(client, "bea@example.com", prefix="/second_en")

    # when
    account_b = client.get(f"/second_en{EDIT_URL}")
    register_b = Client().get(f"/second_en{CREATE_URL}")
    register_a = Client().get(CREATE_URL)

    # then
    assert account_b.status_code == 200
    assert checkbox_label(account_b) == "Let our team help you"
    assert checkbox_tooltip(account_b) == "We see your cart"
    assert checkbox_label(register_b) == "Let our team help you"
    assert checkbox_tooltip(register_b) == "We see your cart"
    assert checkbox_label(register_a) == DEFAULT_TITLE
    assert checkbox_tooltip(register_a) == fields.DEFAULT_TOOLTIP


def test_the_default_title_is_translated_on_a_german_store_view(client, view_a, website_a):
    # given
    german = make_store_view(website_a, "de", "de", name="Deutsch")
    make_customer("ada@example.com", store_view=german, password=PASSWORD)
    sign_in(client, "ada@example.com", prefix="/de")

    # when
    account = client.get(f"/de{EDIT_URL}")
    register = Client().get(f"/de{CREATE_URL}")

    # then
    assert checkbox_label(account) == "Remote-Einkaufsunterstützung erlauben"
    assert checkbox_label(register) == "Remote-Einkaufsunterstützung erlauben"


def test_the_default_tooltip_is_translated_on_a_german_store_view(client, view_a, website_a):
    # given
    make_store_view(website_a, "de", "de", name="Deutsch")

    # when
    register = client.get(f"/de{CREATE_URL}")

    # then
    assert register["Content-Language"] == "de"
    assert checkbox_tooltip(register) != fields.DEFAULT_TOOLTIP
