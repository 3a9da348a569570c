"""Sign-in and sign-out on the storefront (spec a §6, §8, §9, §12, §13): account sharing,
excluded groups, the redirect option, lockout, per-IP throttling, sessions bound to the website
and the password, Force Sign-In and Remember Me (acceptance checks 6, 7, 9, 10, 11, 12, 23, 38
and 39)."""

import datetime as dt
import time
import types
from urllib.parse import unquote

import pytest
from django.test import Client, RequestFactory
from django.utils import timezone

from patron.accounts import services, sessions
from patron.accounts.history import AccountKind
from patron.accounts.tests.factories import (
    ACCOUNT_URL,
    CREATE_URL,
    FORGOT_URL,
    LOGIN_URL,
    LOGOUT_URL,
    PASSWORD,
    field_named,
    form_elements,
    is_signed_in,
    make_shopper,
    registration_data,
    sign_in,
)
from patron.core.actors import SYSTEM, Actor
from patron.core.errors import NotAuthenticated, PatronError
from patron.customers import services as customer_services
from patron.customers.models import Customer, TaxClass
from patron.testing.fixtures import make_staff_user, make_store_view, set_config

INVALID = (
    "The account sign-in was incorrect or your account is disabled temporarily. "
    "Please wait and try again later."
)
SHARE_SCOPE = "customer/account_share/scope"
LOCKOUT_FAILURES = "customer/password/lockout_failures"
LOCKOUT_MINUTES = "customer/password/lockout_threshold"
PERSISTENCE = "persistent/options/enabled"
PRODUCT_PAGE = "/catalog/product/view/id/42/"


def errors_of(response) -> list[str]:
    return response.context["form"].non_field_errors()


def kinds(customer: Customer) -> list[str]:
    return list(customer.timeline.order_by("pk").values_list("kind", flat=True))


@pytest.fixture
def remember_me(website_a):
    set_config({PERSISTENCE: True}, website=website_a)


# --- Signing in and out -------------------------------------------------------------------------


def test_sign_in_starts_a_session_and_records_it(client, view_a, shopper, committed, emitted):
    # given
    client.get(LOGIN_URL)

    # when
    with committed():
        response = sign_in(client, "ADA@example.com ")

    # then
    assert (response.status_code, response["Location"]) == (302, ACCOUNT_URL)
    cookie = response.cookies[sessions.SESSION_COOKIE]
    assert (cookie["max-age"], cookie["httponly"], cookie["samesite"]) == (3600, True, "Lax")
    assert is_signed_in(client) is True
    shopper.refresh_from_db()
    assert shopper.last_login_at is not None
    assert emitted == [
        ("signIn", {"customer_id": shopper.pk, "store_view_id": view_a.pk, "via": "web"})
    ]
    entry = shopper.timeline.get(kind=AccountKind.SIGNED_IN)
    assert (entry.params, entry.actor_kind, entry.actor_id) == (
        {"via": "web", "store_view": "default"},
        "customer",
        shopper.pk,
    )


def test_session_lifetime_follows_the_cookie_lifetime_setting(client, view_a, shopper):
    # given
    set_config({"web/cookie/cookie_lifetime": 900}, store_view=view_a)

    # when
    response = sign_in(client, shopper.email)

    # then
    assert response.cookies[sessions.SESSION_COOKIE]["max-age"] == 900
    key = response.cookies[sessions.SESSION_COOKIE].value
    assert 890 <= sessions.session_store(key).get_expiry_age() <= 900


def test_signing_in_replaces_the_session_key(client, view_a, shopper):
    # given: a session id planted before sign-in
    store = sessions.session_store(None)
    store["planted"] = True
    store.save()
    client.cookies[sessions.SESSION_COOKIE] = store.session_key

    # when
    sign_in(client, shopper.email)

    # then
    assert client.cookies[sessions.SESSION_COOKIE].value != store.session_key
    assert is_signed_in(client) is True


@pytest.mark.parametrize(
    ("email", "password"),
    [("ada@example.com", "Wrong-password-1"), ("nobody@example.com", PASSWORD)],
    ids=["wrong_password_case", "unknown_email_case"],
)
def test_wrong_credentials_get_one_neutral_answer(client, view_a, shopper, email, password):
    # when
    response = sign_in(client, email, password)

    # then
    assert response.status_code == 400
    assert errors_of(response) == [INVALID]
    assert response.context["form"]["email"].value() == email
    assert is_signed_in(client) is False
    shopper.refresh_from_db()
    assert shopper.last_login_at is None
    assert AccountKind.SIGNED_IN not in kinds(shopper)


def test_failed_sign_in_is_on_the_timeline(client, view_a, shopper):
    # when
    sign_in(client, shopper.email, "Wrong-password-1")

    # then
    entry = shopper.timeline.get(kind=AccountKind.SIGN_IN_FAILED)
    assert (entry.params, entry.actor_kind) == ({"ip": "127.0.0.1"}, "system")


def test_inactive_account_is_refused(client, view_a, shopper):
    # given
    customer_services.update_customer(customer=shopper, is_active=False, actor=SYSTEM)

    # when
    right = sign_in(client, shopper.email)
    wrong = sign_in(client, shopper.email, "Wrong-password-1")

    # then
    assert (right.status_code, errors_of(right)) == (400, ["This account is disabled."])
    # A wrong password does not reveal that the account exists but is disabled.
    assert (wrong.status_code, errors_of(wrong)) == (400, [INVALID])
    assert is_signed_in(client) is False
    shopper.refresh_from_db()
    assert shopper.last_login_at is None


def test_deactivating_an_account_ends_its_session(client, view_a, shopper):
    # given
    sign_in(client, shopper.email)

    # when
    customer_services.update_customer(customer=shopper, is_active=False, actor=SYSTEM)

    # then
    assert is_signed_in(client) is False


def test_sign_out_ends_the_session_and_goes_home(client, view_a, shopper, committed, emitted):
    # given (check 38)
    sign_in(client, shopper.email)
    emitted.clear()

    # when
    with committed():
        response = client.post(LOGOUT_URL, follow=True)

    # then
    assert response.redirect_chain == [("/", 302)]
    assert [str(m) for m in response.context["messages"]] == ["You are signed out."]
    assert is_signed_in(client) is False
    assert emitted == [("signOut", {"customer_id": shopper.pk, "via": "web"})]
    shopper.refresh_from_db()
    assert shopper.last_logout_at is not None
    assert kinds(shopper)[-1] == AccountKind.SIGNED_OUT


def test_header_shows_the_welcome_menu_with_sign_out(client, view_a, shopper):
    # given (check 38)
    sign_in(client, shopper.email)

    # when
    response = client.get("/")

    # then
    assert "<li>Welcome, Ada!</li>" in response.content.decode()
    assert form_elements(response, "form") == [
        {"tag": "form", "select": None, "method": "post", "action": LOGOUT_URL,
         "class": "inline-form"}
    ]  # fmt: skip


def test_sign_out_page_asks_first_and_anonymous_visitors_go_home(client, view_a, shopper):
    # given
    sign_in(client, shopper.email)

    # when
    confirm = client.get(LOGOUT_URL)
    client.post(LOGOUT_URL)
    anonymous = client.get(LOGOUT_URL)

    # then
    assert confirm.status_code == 200
    assert (anonymous.status_code, anonymous["Location"]) == (302, "/")


def test_signed_in_customer_skips_the_sign_in_page(client, view_a, shopper):
    # given
    sign_in(client, shopper.email)

    # when
    response = client.get(LOGIN_URL)

    # then
    assert (response.status_code, response["Location"]) == (302, ACCOUNT_URL)


# --- Account sharing and excluded groups --------------------------------------------------------


def test_per_website_accounts_are_separate(client, view_a, view_b):
    # given (check 6)
    make_shopper("ada@example.com", store_view=view_a)
    on_b = Client().post(
        f"/{view_b.code}{CREATE_URL}",
        registration_data(password="Other-password-2", password_confirmation="Other-password-2"),
    )
    assert on_b.status_code == 302
    assert Customer.objects.filter(email="ada@example.com").count() == 2

    # when
    with_a_password = client.post(
        f"/{view_b.code}{LOGIN_URL}", {"email": "ada@example.com", "password": PASSWORD}
    )

    # then
    assert (with_a_password.status_code, errors_of(with_a_password)) == (400, [INVALID])

    # when
    with_b_password = client.post(
        f"/{view_b.code}{LOGIN_URL}", {"email": "ada@example.com", "password": "Other-password-2"}
    )

    # then
    assert with_b_password.status_code == 302
    assert client.get(f"/{view_b.code}{ACCOUNT_URL}").context["customer"].website_id == (
        view_b.store.website_id
    )


def test_per_website_account_cannot_sign_in_on_another_website(client, view_a, view_b, shopper):
    # when (check 6)
    response = client.post(
        f"/{view_b.code}{LOGIN_URL}", {"email": shopper.email, "password": PASSWORD}
    )

    # then
    assert (response.status_code, errors_of(response)) == (400, [INVALID])
    shopper.refresh_from_db()
    assert (shopper.last_login_at, shopper.failures_num) == (None, 0)


def test_per_website_session_does_not_open_another_website(client, view_a, view_b, shopper):
    # given
    sign_in(client, shopper.email)

    # when
    response = client.get(f"/{view_b.code}{ACCOUNT_URL}")

    # then
    assert response.status_code == 302
    assert unquote(response["Location"]) == (
        f"/{view_b.code}{LOGIN_URL}?next=/{view_b.code}{ACCOUNT_URL}"
    )
    assert is_signed_in(client) is True


def test_global_account_signs_in_on_every_website(client, view_a, view_b, shopper):
    # given (check 7)
    set_config({SHARE_SCOPE: "global"})

    # when
    response = client.post(
        f"/{view_b.code}{LOGIN_URL}", {"email": shopper.email, "password": PASSWORD}
    )

    # then
    assert (response.status_code, response["Location"]) == (302, f"/{view_b.code}{ACCOUNT_URL}")
    assert client.get(f"/{view_b.code}{ACCOUNT_URL}").status_code == 200
    assert is_signed_in(client) is True


def test_global_sharing_refuses_the_same_email_on_another_website(client, view_a, view_b, shopper):
    # given (check 7)
    set_config({SHARE_SCOPE: "global"})

    # when
    response = client.post(f"/{view_b.code}{CREATE_URL}", registration_data())

    # then
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "email": ["A customer with the email ada@example.com already exists."]
    }
    assert list(Customer.objects.values_list("pk", flat=True)) == [shopper.pk]


@pytest.mark.parametrize("mode", ["website", "global"], ids=["per_website_case", "global_case"])
def test_group_excluded_from_the_website_cannot_sign_in_there(client, view_a, view_b, mode):
    # given (check 9)
    set_config({SHARE_SCOPE: mode})
    blocked = customer_services.create_group(
        code="Blocked on B",
        tax_class=TaxClass.objects.filter(kind="customer").first(),
        excluded_websites=[view_b.store.website],
        actor=SYSTEM,
    )
    customer = make_shopper(
        "ada@example.com", store_view=view_b if mode == "website" else view_a, group=blocked
    )

    # when
    on_b = client.post(
        f"/{view_b.code}{LOGIN_URL}", {"email": customer.email, "password": PASSWORD}
    )

    # then
    assert (on_b.status_code, errors_of(on_b)) == (
        400,
        ["This account cannot sign in to this store."],
    )
    assert client.get(f"/{view_b.code}{ACCOUNT_URL}").status_code == 302
    customer.refresh_from_db()
    assert customer.last_login_at is None
    assert AccountKind.SIGNED_IN not in kinds(customer)


def test_global_session_from_another_website_does_not_open_an_excluding_website(
    client, view_a, view_b, shopper
):
    # given (check 9): signed in on A, where the group may sign in
    set_config({SHARE_SCOPE: "global"})
    sign_in(client, shopper.email)
    blocked = customer_services.create_group(
        code="Blocked on B",
        tax_class=TaxClass.objects.filter(kind="customer").first(),
        excluded_websites=[view_b.store.website],
        actor=SYSTEM,
    )

    # when
    customer_services.change_group(customer=shopper, group=blocked, actor=SYSTEM)

    # then
    assert client.get(f"/{view_b.code}{ACCOUNT_URL}").status_code == 302
    assert is_signed_in(client) is True


# --- Where the customer lands -------------------------------------------------------------------


def test_sign_in_page_remembers_the_page_the_shopper_came_from(client, view_a):
    # when
    response = client.get(LOGIN_URL, HTTP_REFERER=f"http://testserver{PRODUCT_PAGE}")

    # then
    assert field_named(response, "next")["value"] == f"http://testserver{PRODUCT_PAGE}"


@pytest.mark.parametrize(
    ("dashboard", "target"),
    [(False, f"http://testserver{PRODUCT_PAGE}"), (True, ACCOUNT_URL)],
    ids=["redirect_no_case", "redirect_yes_case"],
)
def test_redirect_option_decides_where_sign_in_lands(client, view_a, shopper, dashboard, target):
    # given (check 10)
    set_config({"customer/startup/redirect_dashboard": dashboard}, website=view_a.store.website)

    # when
    response = sign_in(client, shopper.email, next=f"http://testserver{PRODUCT_PAGE}")

    # then
    assert (response.status_code, response["Location"]) == (302, target)


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example.com/phish", "//evil.example.com/phish", "javascript:alert(1)",
     "http://testserver.evil.example.com/"],
    ids=["other_host_case", "scheme_relative_case", "javascript_case", "lookalike_host_case"],
)  # fmt: skip
def test_next_pointing_elsewhere_is_ignored(client, view_a, shopper, next_url):
    # when (check 10)
    response = sign_in(client, shopper.email, next=next_url)

    # then
    assert (response.status_code, response["Location"]) == (302, ACCOUNT_URL)
    assert is_signed_in(client) is True


@pytest.mark.parametrize(
    "came_from",
    ["http://testserver/customer/account/createpassword/?id=1&token=used",
     "http://testserver/customer/account/forgotpassword/", "/customer/account/create/",
     "/customer/account/confirm/?id=1&key=used", "/customer/account/logout/"],
    ids=["reset_link_case", "forgot_case", "create_case", "confirm_case", "logout_case"],
)  # fmt: skip
def test_sign_in_never_returns_to_a_page_of_the_sign_in_flow(client, view_a, shopper, came_from):
    # given: the sign-in page was reached from one of these pages (its Referer)
    page = client.get(LOGIN_URL, HTTP_REFERER=came_from)

    # when
    response = sign_in(client, shopper.email, next=field_named(page, "next")["value"])

    # then
    assert (response.status_code, response["Location"]) == (302, ACCOUNT_URL)


def test_sign_in_on_a_prefixed_store_view_skips_its_flow_pages_too(client, view_a, website_a):
    # given
    german = make_store_view(website_a, "de", "de", name="Deutsch")
    make_shopper("ada@example.com", store_view=german)

    # when
    back_to_product = client.post(
        f"/de{LOGIN_URL}",
        {"email": "ada@example.com", "password": PASSWORD, "next": f"/de{PRODUCT_PAGE}"},
    )
    client.post(f"/de{LOGOUT_URL}")
    back_to_reset = client.post(
        f"/de{LOGIN_URL}",
        {"email": "ada@example.com", "password": PASSWORD,
         "next": "/de/customer/account/createpassword/?id=1&token=used"},
    )  # fmt: skip

    # then
    assert back_to_product["Location"] == f"/de{PRODUCT_PAGE}"
    assert back_to_reset["Location"] == f"/de{ACCOUNT_URL}"


def test_account_page_sends_anonymous_visitors_to_sign_in_and_back(client, view_a, shopper):
    # given
    response = client.get(ACCOUNT_URL)
    assert unquote(response["Location"]) == f"{LOGIN_URL}?next={ACCOUNT_URL}"

    # when
    signed_in = sign_in(client, shopper.email, next=ACCOUNT_URL)

    # then
    assert signed_in["Location"] == ACCOUNT_URL


# --- Lockout ------------------------------------------------------------------------------------


@pytest.fixture
def three_strikes(db):
    set_config({LOCKOUT_FAILURES: 3, LOCKOUT_MINUTES: 10})


def test_three_wrong_passwords_lock_the_account(client, view_a, shopper, three_strikes):
    # given (check 11)
    for _attempt in range(2):
        sign_in(client, shopper.email, "Wrong-password-1")
    shopper.refresh_from_db()
    assert (shopper.failures_num, services.is_locked(shopper)) == (2, False)

    # when
    started = timezone.now()
    sign_in(client, shopper.email, "Wrong-password-1")

    # then
    shopper.refresh_from_db()
    assert services.is_locked(shopper) is True
    assert started + dt.timedelta(minutes=10) <= shopper.lock_expires_at
    assert shopper.lock_expires_at <= timezone.now() + dt.timedelta(minutes=10)
    assert (shopper.failures_num, shopper.first_failure_at) == (0, None)
    entry = shopper.timeline.get(kind=AccountKind.LOCKED)
    assert (entry.params, entry.actor_kind) == ({"minutes": 10}, "system")


def test_locked_account_refuses_the_right_password_until_the_lock_ends(
    client, view_a, shopper, three_strikes
):
    # given (check 11)
    for _attempt in range(3):
        sign_in(client, shopper.email, "Wrong-password-1")

    # when
    during = sign_in(client, shopper.email)

    # then
    assert (during.status_code, errors_of(during)) == (400, [INVALID])
    assert is_signed_in(client) is False

    # when: ten minutes later
    Customer.objects.filter(pk=shopper.pk).update(
        lock_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    shopper.refresh_from_db()
    unlocked_before_sign_in = services.is_locked(shopper)
    after = sign_in(client, shopper.email)

    # then
    assert unlocked_before_sign_in is False
    assert after.status_code == 302
    shopper.refresh_from_db()
    assert (shopper.lock_expires_at, shopper.failures_num) == (None, 0)


def test_staff_unlock_lets_the_customer_in_at_once(client, view_a, shopper, three_strikes):
    # given
    for _attempt in range(3):
        sign_in(client, shopper.email, "Wrong-password-1")
    staff = make_staff_user("support")

    # when
    services.unlock_customer(customer=shopper, actor=Actor.staff(staff))

    # then
    shopper.refresh_from_db()
    assert (shopper.lock_expires_at, shopper.failures_num, shopper.first_failure_at) == (
        None,
        0,
        None,
    )
    entry = shopper.timeline.get(kind=AccountKind.UNLOCKED)
    assert (entry.actor_kind, entry.actor_label) == ("staff", "support")
    assert sign_in(client, shopper.email).status_code == 302


def test_failures_older_than_the_lockout_window_start_again(client, view_a, shopper, three_strikes):
    # given
    for _attempt in range(2):
        sign_in(client, shopper.email, "Wrong-password-1")
    Customer.objects.filter(pk=shopper.pk).update(
        first_failure_at=timezone.now() - dt.timedelta(minutes=11)
    )

    # when
    sign_in(client, shopper.email, "Wrong-password-1")

    # then
    shopper.refresh_from_db()
    assert (shopper.failures_num, shopper.lock_expires_at) == (1, None)


def test_successful_sign_in_clears_the_failure_count(client, view_a, shopper, three_strikes):
    # given
    for _attempt in range(2):
        sign_in(client, shopper.email, "Wrong-password-1")

    # when
    sign_in(client, shopper.email)

    # then
    shopper.refresh_from_db()
    assert (shopper.failures_num, shopper.first_failure_at) == (0, None)


def test_failures_count_from_the_database_not_from_a_stale_copy(view_a, shopper, three_strikes):
    # The counter is raised with F() in the database, so concurrent failed sign-ins all count;
    # a copy of the row read before another request's failures must not reset them.
    # given: another request counted two failures since this copy was read
    stale = Customer.objects.get(pk=shopper.pk)
    Customer.objects.filter(pk=shopper.pk).update(failures_num=2, first_failure_at=timezone.now())

    # when
    locked = services._record_failure(stale)

    # then
    assert locked is True
    assert services.is_locked(Customer.objects.get(pk=shopper.pk)) is True


def test_zero_maximum_failures_never_locks(client, view_a, shopper):
    # given (check 12)
    set_config({LOCKOUT_FAILURES: 0})

    # when
    for _attempt in range(25):
        with pytest.raises(NotAuthenticated):
            services.authenticate(store_view=view_a, email=shopper.email, password="Wrong-1")

    # then
    shopper.refresh_from_db()
    assert (shopper.lock_expires_at, shopper.failures_num) == (None, 25)
    assert AccountKind.LOCKED not in kinds(shopper)
    assert sign_in(client, shopper.email).status_code == 302


# --- Throttling per IP --------------------------------------------------------------------------


def spray(store_view, attempts: int, ip: str = "127.0.0.1") -> list[str]:
    """Try one password on ``attempts`` unknown emails from ``ip``; return the error codes."""
    found = []
    for n in range(attempts):
        with pytest.raises(PatronError) as error:
            services.authenticate(
                store_view=store_view, email=f"victim{n}@example.com", password="Spring2026!", ip=ip
            )
        found.append(error.value.code)
    return found


@pytest.fixture
def frozen_clock(monkeypatch):
    """Fix the rate limiter's clock 100 s into a 600 s window, so no attempt straddles two."""
    now = 1_800_000_100.0
    monkeypatch.setattr("patron.core.ratelimit.time", types.SimpleNamespace(time=lambda: now))
    return now


def test_thirty_attempts_from_one_ip_across_accounts_then_429(
    client, view_a, shopper, frozen_clock
):
    # given: password spraying, one attempt per email
    assert spray(view_a, 30) == ["invalid_credentials"] * 30

    # when
    response = sign_in(client, shopper.email)

    # then
    assert response.status_code == 429
    assert response["Retry-After"] == "500"
    assert errors_of(response) == [
        "Too many sign-in attempts from your network. Try again in 8 minutes."
    ]
    assert is_signed_in(client) is False
    shopper.refresh_from_db()
    assert (shopper.last_login_at, shopper.failures_num) == (None, 0)


def test_other_ips_are_not_throttled(client, view_a, shopper, frozen_clock):
    # given
    assert spray(view_a, 31)[-1] == "too_many_attempts"

    # when
    response = client.post(
        LOGIN_URL, {"email": shopper.email, "password": PASSWORD}, REMOTE_ADDR="192.0.2.7"
    )

    # then
    assert response.status_code == 302


# --- Sessions bound to the password and to Force Sign-In ----------------------------------------


def test_password_change_ends_other_sessions_but_not_the_current_one(view_a, shopper):
    # given: signed in from two browsers
    current, other = Client(), Client()
    sign_in(current, shopper.email)
    sign_in(other, shopper.email)

    # when: the customer changes the password in the current browser
    customer = services.set_password(customer=shopper, password="Newer-password-2", actor=SYSTEM)
    request = RequestFactory().get(ACCOUNT_URL)
    request.shopper_session = sessions.session_store(current.cookies[sessions.SESSION_COOKIE].value)
    sessions.refresh_fingerprint(request, customer)
    request.shopper_session.save()

    # then
    assert is_signed_in(other) is False
    assert is_signed_in(current) is True
    assert kinds(customer)[-1] == AccountKind.PASSWORD_CHANGED


def test_password_change_without_a_refresh_ends_every_session(client, view_a, shopper):
    # given
    sign_in(client, shopper.email)

    # when
    services.set_password(customer=shopper, password="Newer-password-2", actor=SYSTEM)

    # then
    assert is_signed_in(client) is False


def test_force_sign_in_ends_every_session_and_changes_nothing_else(client, view_a, shopper):
    # given
    other = Client()
    sign_in(client, shopper.email)
    sign_in(other, shopper.email)
    staff = make_staff_user("support")
    before = Customer.objects.filter(pk=shopper.pk).values().get()

    # when
    revoked = services.force_sign_in(customer=shopper, actor=Actor.staff(staff))

    # then
    assert revoked == 0
    assert (is_signed_in(client), is_signed_in(other)) == (False, False)
    after = Customer.objects.filter(pk=shopper.pk).values().get()
    assert after.pop("session_version") == before.pop("session_version") + 1
    assert after == before
    entry = shopper.timeline.get(kind=AccountKind.FORCED_SIGN_IN)
    assert (entry.params, entry.actor_label) == ({"tokens": 0}, "support")
    assert sign_in(client, shopper.email).status_code == 302


# --- Remember Me ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "shown", "checked"),
    [
        ({PERSISTENCE: True}, True, True),
        ({PERSISTENCE: True, "persistent/options/remember_default": False}, True, False),
        ({PERSISTENCE: True, "persistent/options/remember_enabled": False}, False, False),
        ({}, False, False),
    ],
    ids=["default_yes_case", "default_no_case", "remember_off_case", "persistence_off_case"],
)
def test_remember_me_checkbox_on_the_sign_in_page(client, view_a, options, shown, checked):
    # given (check 39)
    if options:
        set_config(options, website=view_a.store.website)

    # when
    response = client.get(LOGIN_URL)

    # then
    box = field_named(response, "remember")
    assert (box is not None, box is not None and "checked" in box) == (shown, checked)


def test_remember_me_cookie_restores_the_session(client, view_a, shopper, remember_me):
    # given
    response = sign_in(client, shopper.email, remember="on")
    cookie = response.cookies[sessions.PERSISTENT_COOKIE]
    assert (cookie["max-age"], cookie["httponly"]) == (31536000, True)

    # when: the browser closed and dropped the session cookie
    del client.cookies[sessions.SESSION_COOKIE]
    restored = client.get(ACCOUNT_URL)

    # then
    assert restored.status_code == 200
    assert restored.context["customer"].pk == shopper.pk
    assert restored.cookies[sessions.SESSION_COOKIE].value != ""
    del client.cookies[sessions.PERSISTENT_COOKIE]
    assert is_signed_in(client) is True


def test_remember_me_cookie_dies_after_force_sign_in(client, view_a, shopper, remember_me):
    # given
    sign_in(client, shopper.email, remember="on")
    del client.cookies[sessions.SESSION_COOKIE]

    # when
    services.force_sign_in(customer=shopper, actor=SYSTEM)

    # then
    assert is_signed_in(client) is False


def test_remember_me_cookie_dies_after_a_password_change(client, view_a, shopper, remember_me):
    # given
    sign_in(client, shopper.email, remember="on")
    del client.cookies[sessions.SESSION_COOKIE]

    # when
    services.set_password(customer=shopper, password="Newer-password-2", actor=SYSTEM)

    # then
    assert is_signed_in(client) is False


@pytest.mark.parametrize(
    ("options", "posted"),
    [({PERSISTENCE: True}, {}), ({}, {"remember": "on"})],
    ids=["unticked_case", "persistence_off_case"],
)
def test_no_remember_me_cookie_without_the_box_or_persistence(
    client, view_a, shopper, options, posted
):
    # given
    if options:
        set_config(options, website=view_a.store.website)

    # when
    response = sign_in(client, shopper.email, **posted)

    # then
    assert sessions.PERSISTENT_COOKIE not in response.cookies


@pytest.mark.parametrize(
    ("clear", "kept"), [(True, False), (False, True)], ids=["clear_yes_case", "clear_no_case"]
)
def test_sign_out_clears_the_remember_me_cookie_when_configured(
    client, view_a, shopper, remember_me, clear, kept
):
    # given
    set_config({"persistent/options/logout_clear": clear}, website=view_a.store.website)
    sign_in(client, shopper.email, remember="on")

    # when
    response = client.post(LOGOUT_URL)

    # then
    deleted = sessions.PERSISTENT_COOKIE in response.cookies
    assert deleted is not kept
    assert is_signed_in(client) is kept


# --- Autocomplete -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("enabled", "expected"),
    [(False, ("off", "off", "off")), (True, ("email", "current-password", "email"))],
    ids=["autocomplete_no_case", "autocomplete_yes_case"],
)
def test_autocomplete_option_on_sign_in_and_forgot_password(client, view_a, enabled, expected):
    # given (check 23)
    set_config(
        {"customer/password/autocomplete_on_storefront": enabled}, website=view_a.store.website
    )

    # when
    login = client.get(LOGIN_URL)
    forgot = client.get(FORGOT_URL)

    # then
    assert (
        field_named(login, "email")["autocomplete"],
        field_named(login, "password")["autocomplete"],
        field_named(forgot, "email")["autocomplete"],
    ) == expected


def test_remember_me_cookie_expires_with_the_persistence_lifetime(
    client, view_a, shopper, remember_me, monkeypatch
):
    # given
    set_config({"persistent/options/lifetime": 600}, website=view_a.store.website)
    response = sign_in(client, shopper.email, remember="on")
    assert response.cookies[sessions.PERSISTENT_COOKIE]["max-age"] == 600
    del client.cookies[sessions.SESSION_COOKIE]
    issued = time.time()

    # when: eleven minutes later
    monkeypatch.setattr(
        "django.core.signing.time", types.SimpleNamespace(time=lambda: issued + 660)
    )

    # then
    assert is_signed_in(client) is False


def test_existing_remember_me_cookie_works_after_the_checkbox_is_hidden(
    client, view_a, shopper, remember_me
):
    # given: spec a §6, "No: checkbox hidden; an existing persistent cookie still works"
    sign_in(client, shopper.email, remember="on")
    del client.cookies[sessions.SESSION_COOKIE]

    # when
    set_config({"persistent/options/remember_enabled": False}, website=view_a.store.website)

    # then
    assert is_signed_in(client) is True


def test_remember_me_cookie_needs_persistence(client, view_a, shopper, remember_me):
    # given
    sign_in(client, shopper.email, remember="on")
    del client.cookies[sessions.SESSION_COOKIE]

    # when
    set_config({PERSISTENCE: False}, website=view_a.store.website)

    # then
    assert is_signed_in(client) is False


def test_registration_with_remember_me_sets_the_cookie(client, view_a, remember_me):
    # when
    response = client.post(CREATE_URL, registration_data(remember="on"))

    # then
    assert response.cookies[sessions.PERSISTENT_COOKIE]["max-age"] == 31536000
    del client.cookies[sessions.SESSION_COOKIE]
    assert is_signed_in(client) is True
