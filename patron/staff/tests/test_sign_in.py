"""Staff sign-in to the back office: the password, then a code from an authenticator app or a
recovery code (or enrolment of an app right after the password), with throttling of password and
code attempts, enforcement of the second factor on admin pages and staff API sessions, an idle
timeout, re-enrolment, a reset by an administrator and the staff password policy.

Two-factor authentication is required only where a test says so (``two_factor_required``); the
test settings leave it off, like every installation outside production.
"""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from patron.core.actors import SYSTEM
from patron.staff import two_factor
from patron.staff.middleware import LAST_SEEN_KEY
from patron.staff.models import StaffAction, StaffActionKind
from patron.staff.views import PENDING_KEY, PENDING_SECONDS
from patron.testing.fixtures import make_staff_user

LOGIN_URL = "/admin/login/"
VERIFY_URL = "/admin/two-factor/"
SETUP_URL = "/admin/two-factor/setup/"
WHOAMI_URL = "/api/v1/whoami"
PASSWORD = "Staff-password-1"
WRONG_CODE_MESSAGE = "That code is not right. Enter the code from your app or a recovery code."
LOCKED_MESSAGE = "Too many failed attempts. Try again in 15 minutes."


@pytest.fixture
def two_factor_required(settings):
    settings.STAFF_TWO_FACTOR_REQUIRED = True


@pytest.fixture
def no_device_throttling(settings):
    """Turn off django-otp's own back-off (1, 2, 4… seconds after a failure), so a refusal seen
    after failed attempts can only come from Patron's limit."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def enrol(user) -> tuple[TOTPDevice, list[str]]:
    """Give ``user`` a confirmed authenticator app and ten recovery codes."""
    device = TOTPDevice.objects.create(user=user, name=two_factor.APP_DEVICE_NAME, confirmed=True)
    return device, two_factor.new_recovery_codes(user)


def _totp(device: TOTPDevice, drift: int = 0) -> TOTP:
    return TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)


def app_code(device: TOTPDevice) -> str:
    """The code the authenticator app shows now."""
    device.refresh_from_db()
    return f"{_totp(device, device.drift).token():0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    """A 6-digit code the device accepts at no time step it tolerates now."""
    near = {_totp(device, device.drift + offset).token() for offset in range(-2, 3)}
    return next(f"{n:06d}" for n in (0, 111111, 222222, 333333, 444444, 555555) if n not in near)


def enter_password(client, username: str = "staff", password: str = PASSWORD, **extra):
    return client.post(LOGIN_URL, {"username": username, "password": password, **extra})


def enter_code(client, token: str, **extra):
    return client.post(VERIFY_URL, {"token": token, **extra})


def sign_in_with_app(client, user, device: TOTPDevice, **extra):
    """Go through the password and code steps; return the code step's response."""
    enter_password(client, user.get_username(), **extra)
    return enter_code(client, app_code(device), **extra)


def step_of(response) -> tuple[str, str | None]:
    """Where a redirect sends the browser: the path and its ``next`` parameter."""
    location = urlsplit(response["Location"])
    return location.path, parse_qs(location.query).get("next", [None])[0]


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def reaches_admin(client) -> bool:
    return client.get("/admin/").status_code == 200


def pending_device(user) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user, confirmed=False)


# --- Enrolment right after the password --------------------------------------------------------


def test_staff_without_an_app_is_sent_to_setup_after_the_password(client, db, two_factor_required):
    # given
    make_staff_user()

    # when
    response = enter_password(client)

    # then
    assert response.status_code == 302
    assert step_of(response) == (SETUP_URL, "/admin/")
    assert not reaches_admin(client)


def test_setup_page_shows_the_qr_code_and_the_key_to_type_in(client, db, two_factor_required):
    # given
    user = make_staff_user()
    enter_password(client)

    # when
    response = client.get(SETUP_URL)

    # then
    secret = two_factor.setup_details(pending_device(user), issuer="Patron")["secret"]
    content = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in content
    assert "QR code to scan" in content
    assert f"Or type this key into the app: {secret}" in content


def test_setup_refuses_a_wrong_code_and_confirms_nothing(client, db, two_factor_required):
    # given
    user = make_staff_user()
    enter_password(client)
    client.get(SETUP_URL)

    # when
    response = client.post(SETUP_URL, {"token": wrong_code(pending_device(user))})

    # then
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "token": ["That code is not right. Enter the 6-digit code your app shows now."]
    }
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert not StaticDevice.objects.filter(user=user).exists()
    assert not reaches_admin(client)


def test_setup_with_the_right_code_shows_ten_recovery_codes_and_signs_in_verified(
    client, db, two_factor_required
):
    # given
    user = make_staff_user()
    enter_password(client)
    client.get(SETUP_URL)

    # when
    response = client.post(SETUP_URL, {"token": app_code(pending_device(user))})

    # then
    codes = response.context["codes"]
    assert response.status_code == 200
    assert len(codes) == two_factor.RECOVERY_CODES == 10
    assert all(f"<code>{code}</code>" in response.content.decode() for code in codes)
    assert sorted(
        StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    ) == (sorted(codes))
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
    assert response.wsgi_request.user.otp_device is not None
    assert reaches_admin(client)
    assert client.get(WHOAMI_URL).status_code == 200


def test_recovery_codes_are_shown_only_once(client, db, two_factor_required):
    # given
    user = make_staff_user()
    enter_password(client)
    client.get(SETUP_URL)
    codes = client.post(SETUP_URL, {"token": app_code(pending_device(user))}).context["codes"]

    # when
    later = client.get(SETUP_URL)

    # then
    assert "codes" not in later.context
    assert not any(code in later.content.decode() for code in codes)


# --- The code step -----------------------------------------------------------------------------


def test_staff_with_an_app_signs_in_with_its_code(client, db, two_factor_required):
    # given
    user = make_staff_user()
    device, _codes = enrol(user)
    password_step = enter_password(client)

    # when
    response = enter_code(client, app_code(device))

    # then
    assert step_of(password_step) == (VERIFY_URL, "/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert reaches_admin(client)


def test_recovery_code_signs_in_and_tells_how_many_remain(client, db, two_factor_required):
    # given
    user = make_staff_user()
    _device, codes = enrol(user)
    enter_password(client)

    # when
    response = enter_code(client, codes[3])

    # then
    assert response.status_code == 302
    assert messages_of(response) == ["You used a recovery code; 9 remain. Set up new codes soon."]
    assert reaches_admin(client)
    assert not StaticToken.objects.filter(token=codes[3]).exists()


def test_a_spent_recovery_code_is_refused(client, db, two_factor_required):
    # given
    user = make_staff_user()
    _device, codes = enrol(user)
    enter_password(client)
    enter_code(client, codes[0])
    client.logout()
    enter_password(client)

    # when
    response = enter_code(client, codes[0])

    # then
    assert response.status_code == 200
    assert response.context["form"].errors == {"token": [WRONG_CODE_MESSAGE]}
    assert not reaches_admin(client)


def test_a_wrong_code_is_refused(client, db, two_factor_required):
    # given
    user = make_staff_user()
    device, _codes = enrol(user)
    enter_password(client)

    # when
    response = enter_code(client, wrong_code(device))

    # then
    assert response.status_code == 200
    assert response.context["form"].errors == {"token": [WRONG_CODE_MESSAGE]}
    assert not reaches_admin(client)


def test_five_wrong_codes_lock_the_code_step_even_for_the_right_code(
    client, db, two_factor_required, no_device_throttling, fixed_clock
):
    # given
    user = make_staff_user()
    device, _codes = enrol(user)
    enter_password(client)
    for _ in range(two_factor.CODE_FAILURES_PER_ACCOUNT):
        enter_code(client, wrong_code(device))

    # when
    response = enter_code(client, app_code(device))

    # then
    assert response.status_code == 200
    assert response.context["form"].errors == {"token": [LOCKED_MESSAGE]}
    assert not reaches_admin(client)


def test_four_wrong_codes_still_let_the_right_code_in(
    client, db, two_factor_required, no_device_throttling, fixed_clock
):
    # given
    user = make_staff_user()
    device, _codes = enrol(user)
    enter_password(client)
    for _ in range(two_factor.CODE_FAILURES_PER_ACCOUNT - 1):
        enter_code(client, wrong_code(device))

    # when
    response = enter_code(client, app_code(device))

    # then
    assert response.status_code == 302
    assert reaches_admin(client)


# --- Password throttling -----------------------------------------------------------------------


def fail_passwords(client, username: str, times: int) -> None:
    for _ in range(times):
        enter_password(client, username, "Not-the-password-9")


def test_ten_failed_passwords_lock_the_username(client, db, fixed_clock):
    # given
    make_staff_user("clerk")
    fail_passwords(client, "clerk", two_factor.PASSWORD_FAILURES_PER_ACCOUNT)

    # when
    response = enter_password(client, "clerk")

    # then
    assert response.status_code == 429
    assert LOCKED_MESSAGE in response.content.decode()
    assert not reaches_admin(client)


def test_nine_failed_passwords_still_let_the_right_password_in(client, db, fixed_clock):
    # given
    make_staff_user("clerk")
    fail_passwords(client, "clerk", two_factor.PASSWORD_FAILURES_PER_ACCOUNT - 1)

    # when
    response = enter_password(client, "clerk")

    # then
    assert response.status_code == 302
    assert reaches_admin(client)


def test_a_locked_username_does_not_lock_another(client, db, fixed_clock):
    # given
    make_staff_user("clerk")
    make_staff_user("manager")
    fail_passwords(client, "clerk", two_factor.PASSWORD_FAILURES_PER_ACCOUNT)

    # when
    response = enter_password(client, "manager")

    # then
    assert response.status_code == 302
    assert response.wsgi_request.user.get_username() == "manager"
    assert reaches_admin(client)


def test_a_locked_sign_in_does_not_tell_a_right_password_from_a_wrong_one(client, db, fixed_clock):
    # given
    make_staff_user("clerk")
    fail_passwords(client, "clerk", two_factor.PASSWORD_FAILURES_PER_ACCOUNT)

    # when
    right = enter_password(client, "clerk")
    wrong = enter_password(client, "clerk", "Not-the-password-9")

    # then
    assert right.status_code == wrong.status_code == 429
    assert "Please enter the correct username" not in wrong.content.decode()


# --- Without two-factor authentication required -------------------------------------------------


def test_without_2fa_required_staff_without_an_app_signs_in_with_the_password(client, db):
    # given
    make_staff_user()

    # when
    response = enter_password(client)

    # then
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert reaches_admin(client)


def test_without_2fa_required_staff_with_an_app_still_gets_the_code_step(client, db):
    # given
    user = make_staff_user()
    device, _codes = enrol(user)

    # when
    password_step = enter_password(client)

    # then
    assert step_of(password_step) == (VERIFY_URL, "/admin/")
    assert not reaches_admin(client)
    assert enter_code(client, app_code(device))["Location"] == "/admin/"
    assert reaches_admin(client)


# --- Enforcement -------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["/admin/", "/admin/auth/user/"])
def test_a_password_only_session_is_sent_to_the_login_page(client, db, two_factor_required, page):
    # given
    client.force_login(make_staff_user(superuser=True))

    # when
    response = client.get(page)

    # then
    assert response.status_code == 302
    assert step_of(response) == (LOGIN_URL, page)


def test_a_password_only_session_is_not_a_staff_api_session(client, db, two_factor_required):
    # given
    client.force_login(make_staff_user())

    # when
    response = client.get(WHOAMI_URL)

    # then
    assert response.status_code == 401


def test_a_session_verified_through_the_sign_in_is_a_staff_api_session(
    client, db, two_factor_required
):
    # given
    user = make_staff_user()
    device, _codes = enrol(user)
    sign_in_with_app(client, user, device)

    # when
    response = client.get(WHOAMI_URL)

    # then
    assert response.status_code == 200
    assert response.json()["kind"] == "staff"
    assert response.json()["name"] == "staff"


def test_a_password_only_session_finishes_with_the_code_at_the_login_page(
    client, db, two_factor_required
):
    # given
    user = make_staff_user()
    device, _codes = enrol(user)
    client.force_login(user)

    # when
    login_page = client.get(f"{LOGIN_URL}?next=/admin/")
    response = enter_code(client, app_code(device))

    # then
    assert step_of(login_page) == (VERIFY_URL, "/admin/")
    assert response["Location"] == "/admin/"
    assert reaches_admin(client)


def test_the_code_step_expires_after_five_minutes(client, db, two_factor_required):
    # given
    user = make_staff_user()
    device, _codes = enrol(user)
    enter_password(client)
    session = client.session
    session[PENDING_KEY] = {**session[PENDING_KEY], "at": time.time() - PENDING_SECONDS - 1}
    session.save()

    # when
    response = enter_code(client, app_code(device))

    # then
    assert response.status_code == 302
    assert response["Location"] == LOGIN_URL
    assert messages_of(response) == ["Sign in again: the sign-in took too long."]
    assert not reaches_admin(client)


def test_the_code_step_still_counts_just_before_five_minutes(client, db, two_factor_required):
    # given
    user = make_staff_user()
    device, _codes = enrol(user)
    enter_password(client)
    session = client.session
    session[PENDING_KEY] = {**session[PENDING_KEY], "at": time.time() - PENDING_SECONDS + 30}
    session.save()

    # when
    response = enter_code(client, app_code(device))

    # then
    assert response["Location"] == "/admin/"
    assert reaches_admin(client)


def test_the_setup_step_expires_after_five_minutes(client, db, two_factor_required):
    # given
    make_staff_user()
    enter_password(client)
    session = client.session
    session[PENDING_KEY] = {**session[PENDING_KEY], "at": time.time() - PENDING_SECONDS - 1}
    session.save()

    # when
    response = client.get(SETUP_URL)

    # then
    assert response.status_code == 302
    assert response["Location"] == LOGIN_URL


# --- next ---------------------------------------------------------------------------------------


def test_next_is_honoured_through_both_steps(client, db, two_factor_required):
    # given
    user = make_staff_user(superuser=True)
    device, _codes = enrol(user)

    # when
    password_step = enter_password(client, next="/admin/auth/user/")
    response = enter_code(client, app_code(device), next="/admin/auth/user/")

    # then
    assert step_of(password_step) == (VERIFY_URL, "/admin/auth/user/")
    assert response["Location"] == "/admin/auth/user/"


def test_an_external_next_is_ignored(client, db, two_factor_required):
    # given
    user = make_staff_user()
    device, _codes = enrol(user)

    # when
    password_step = enter_password(client, next="https://evil.example/steal")
    response = enter_code(client, app_code(device), next="https://evil.example/steal")

    # then
    assert step_of(password_step) == (VERIFY_URL, "/admin/")
    assert response["Location"] == "/admin/"


def test_a_next_with_a_query_string_is_kept_whole(client, db, two_factor_required):
    # given
    user = make_staff_user(superuser=True)
    device, _codes = enrol(user)
    target = "/admin/auth/user/?is_staff__exact=1&is_superuser__exact=1"
    password_step = enter_password(client, next=target)

    # when: the code form posts back the next it was given
    verify_page = client.get(password_step["Location"])
    response = enter_code(client, app_code(device), next=verify_page.context["next"])

    # then
    assert response["Location"] == target


# --- Re-enrolment and reset --------------------------------------------------------------------


def test_re_enrolment_replaces_the_old_app_and_keeps_the_staff_member_signed_in(
    client, db, two_factor_required
):
    # given
    user = make_staff_user()
    old, _codes = enrol(user)
    sign_in_with_app(client, user, old)
    client.get(SETUP_URL)
    new = pending_device(user)

    # when
    response = client.post(SETUP_URL, {"token": app_code(new)})

    # then
    assert response.status_code == 200
    assert len(response.context["codes"]) == 10
    assert list(TOTPDevice.objects.filter(user=user).values_list("pk", "confirmed")) == [
        (new.pk, True)
    ]
    assert reaches_admin(client)
    assert client.get(WHOAMI_URL).status_code == 200


def test_the_password_alone_cannot_replace_an_existing_app(client, db, two_factor_required):
    # given
    user = make_staff_user()
    old, _codes = enrol(user)
    enter_password(client)

    # when: the setup page is opened instead of entering a code from the app
    page = client.get(SETUP_URL)
    if page.status_code == 200:
        client.post(SETUP_URL, {"token": app_code(pending_device(user))})

    # then
    assert page.status_code == 302
    assert TOTPDevice.objects.get(user=user, confirmed=True).pk == old.pk
    assert not reaches_admin(client)


def test_the_staff_list_shows_who_has_two_factor_authentication(client, db):
    # given
    admin = make_staff_user("admin", superuser=True)
    enrol(make_staff_user("clerk"))
    client.force_login(admin)

    # when
    response = client.get("/admin/auth/user/")

    # then
    changelist = response.context["cl"]
    assert "two_factor" in changelist.list_display
    assert "two-factor" in response.content.decode()
    flags = {user.username: changelist.model_admin.two_factor(user) for user in changelist.queryset}
    assert flags == {"admin": False, "clerk": True}


def test_reset_two_factor_action_removes_the_devices_and_writes_one_staff_action(client, db):
    # given
    admin = make_staff_user("admin", superuser=True)
    clerk = make_staff_user("clerk")
    enrol(clerk)
    client.force_login(admin)

    # when
    response = client.post(
        "/admin/auth/user/",
        {"action": "reset_two_factor", "_selected_action": [str(clerk.pk)], "index": "0"},
        follow=True,
    )

    # then
    assert not TOTPDevice.objects.filter(user=clerk).exists()
    assert not StaticDevice.objects.filter(user=clerk).exists()
    assert list(StaffAction.objects.values_list("action", "target", "details", "actor_id")) == [
        (
            StaffActionKind.PERMISSIONS,
            "Staff member clerk",
            {"change": "two_factor_reset"},
            admin.pk,
        )
    ]
    # (it says "1 staff members": the action formats it with gettext, not ngettext)
    [message] = messages_of(response)
    assert message.startswith("Two-factor authentication was reset for 1 staff member")


def test_a_reset_ends_the_verified_back_office_session(client, db, two_factor_required):
    # given
    clerk = make_staff_user("clerk")
    device, _codes = enrol(clerk)
    sign_in_with_app(client, clerk, device)

    # when
    two_factor.reset_two_factor(user=clerk, actor=SYSTEM)

    # then
    assert step_of(client.get("/admin/")) == (LOGIN_URL, "/admin/")
    assert client.get(WHOAMI_URL).status_code == 401


def test_after_a_reset_the_next_sign_in_enrols_again(client, db, two_factor_required):
    # given
    clerk = make_staff_user("clerk")
    enrol(clerk)
    two_factor.reset_two_factor(user=clerk, actor=SYSTEM)

    # when
    response = enter_password(client, "clerk")

    # then
    assert step_of(response) == (SETUP_URL, "/admin/")


# --- Idle timeout -------------------------------------------------------------------------------


def set_last_seen(client, seconds_ago: float) -> None:
    session = client.session
    session[LAST_SEEN_KEY] = time.time() - seconds_ago
    session.save()


def test_an_idle_admin_request_signs_out_and_redirects_to_the_login_page(client, db, settings):
    # given
    settings.STAFF_IDLE_MINUTES = 30
    client.force_login(make_staff_user(superuser=True))
    set_last_seen(client, 30 * 60 + 5)

    # when
    response = client.get("/admin/auth/user/")

    # then
    assert response.status_code == 302
    assert step_of(response) == (LOGIN_URL, "/admin/auth/user/")
    assert messages_of(response) == ["You were signed out after 30 minutes without activity."]
    assert not reaches_admin(client)


def test_an_idle_api_request_is_signed_out(client, db, settings):
    # given
    settings.STAFF_IDLE_MINUTES = 30
    client.force_login(make_staff_user())
    set_last_seen(client, 30 * 60 + 5)

    # when
    response = client.get(WHOAMI_URL)

    # then
    assert response.status_code == 401
    assert not reaches_admin(client)


def test_a_request_within_the_idle_window_keeps_the_staff_member_signed_in(client, db, settings):
    # given
    settings.STAFF_IDLE_MINUTES = 30
    client.force_login(make_staff_user())
    set_last_seen(client, 29 * 60)

    # when
    response = client.get("/admin/")

    # then
    assert response.status_code == 200
    assert time.time() - client.session[LAST_SEEN_KEY] < 60


# --- Password policy ----------------------------------------------------------------------------


def test_the_password_policy_refuses_a_password_similar_to_the_username(client, db):
    # given
    clerk = make_staff_user("margotclerk")
    client.force_login(make_staff_user("admin", superuser=True))

    # when
    response = client.post(
        f"/admin/auth/user/{clerk.pk}/password/",
        {"usable_password": "true", "password1": "margotclerk7", "password2": "margotclerk7"},
    )

    # then
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "password2": ["The password is too similar to the username."]
    }
    clerk.refresh_from_db()
    assert clerk.check_password(PASSWORD)
