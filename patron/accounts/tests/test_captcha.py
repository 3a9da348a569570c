"""Patron's own CAPTCHA (spec a §16.10 and the SPEC decisions): which forms show it and when,
single-use challenges, the image and audio, and the API challenge endpoint."""

import pytest
from django.core.cache import cache

from patron.accounts import captcha
from patron.accounts.tests.factories import (
    CREATE_URL,
    FORGOT_URL,
    LOGIN_URL,
    PASSWORD,
    field_named,
    is_signed_in,
    registration_data,
    sign_in,
)
from patron.customers.models import Customer
from patron.mail.models import OutboxMessage
from patron.testing.fixtures import set_config

ENABLE = "customer/captcha/enable"
STORE = {"HTTP_X_PATRON_STORE": "default"}


def challenge_of(response) -> str | None:
    field = field_named(response, "captcha_id")
    return field["value"] if field else None


def answer_of(challenge_id: str) -> str:
    """Read the text a person would read off the image (it is kept only in the cache)."""
    return cache.get(f"patron:captcha:{challenge_id}")["text"]


@pytest.fixture
def captcha_on(website_a):
    set_config({ENABLE: True}, website=website_a)


def fail_sign_in(client, email: str, times: int) -> None:
    for _attempt in range(times):
        assert sign_in(client, email, "Wrong-password-1").status_code == 400


# --- Sign-in ------------------------------------------------------------------------------------


def test_captcha_is_off_by_default(client, view_a, shopper):
    # given
    fail_sign_in(client, shopper.email, 5)

    # when
    response = client.get(LOGIN_URL)

    # then
    assert challenge_of(response) is None
    assert sign_in(client, shopper.email).status_code == 302


def test_sign_in_shows_the_captcha_after_three_failures(client, view_a, shopper, captcha_on):
    # given
    fail_sign_in(client, shopper.email, 2)
    assert challenge_of(client.get(LOGIN_URL)) is None

    # when
    third = sign_in(client, shopper.email, "Wrong-password-1")

    # then
    challenge = challenge_of(third)
    assert challenge is not None
    assert field_named(third, "captcha") == {
        "tag": "input", "select": None, "type": "text", "name": "captcha", "autocomplete": "off",
        "autocapitalize": "off", "maxlength": "16", "required": "", "id": "id_captcha",
    }  # fmt: skip
    assert f'src="/customer/captcha/{challenge}.png"' in third.content.decode()
    assert f'href="/customer/captcha/{challenge}.wav"' in third.content.decode()
    assert challenge_of(client.get(LOGIN_URL)) is not None


def test_sign_in_without_the_captcha_answer_is_refused(client, view_a, shopper, captcha_on):
    # given
    fail_sign_in(client, shopper.email, 3)

    # when
    response = sign_in(client, shopper.email)

    # then
    assert response.status_code == 400
    assert response.context["form"].errors == {"captcha": ["This field is required."]}
    assert is_signed_in(client) is False
    shopper.refresh_from_db()
    assert shopper.last_login_at is None


def test_wrong_captcha_answer_is_refused_and_the_challenge_dies(
    client, view_a, shopper, captcha_on
):
    # given
    fail_sign_in(client, shopper.email, 3)
    challenge = challenge_of(client.get(LOGIN_URL))
    right = answer_of(challenge)

    # when
    wrong = sign_in(client, shopper.email, captcha_id=challenge, captcha="0000000")

    # then
    assert wrong.status_code == 400
    assert wrong.context["form"].errors == {"captcha": ["Incorrect CAPTCHA."]}
    assert challenge_of(wrong) not in (None, challenge)
    assert is_signed_in(client) is False

    # when: the right text for the challenge that was already answered
    replay = sign_in(client, shopper.email, captcha_id=challenge, captcha=right)

    # then
    assert replay.context["form"].errors == {"captcha": ["Incorrect CAPTCHA."]}
    assert is_signed_in(client) is False


def test_right_captcha_answer_signs_in_and_clears_the_failures(client, view_a, shopper, captcha_on):
    # given
    fail_sign_in(client, shopper.email, 3)
    challenge = challenge_of(client.get(LOGIN_URL))

    # when
    response = sign_in(
        client, shopper.email, captcha_id=challenge, captcha=answer_of(challenge).lower()
    )

    # then
    assert response.status_code == 302
    assert is_signed_in(client) is True
    client.post("/customer/account/logout/")
    assert challenge_of(client.get(LOGIN_URL)) is None


def test_failures_are_counted_per_email_across_ips(client, view_a, shopper, captcha_on):
    # given
    fail_sign_in(client, shopper.email, 3)

    # when
    response = client.post(
        LOGIN_URL, {"email": shopper.email, "password": PASSWORD}, REMOTE_ADDR="192.0.2.7"
    )

    # then
    assert response.status_code == 400
    assert response.context["form"].errors == {"captcha": ["This field is required."]}


@pytest.mark.parametrize(
    "options",
    [{"customer/captcha/mode": "always"}, {"customer/captcha/failed_attempts_login": 0}],
    ids=["always_case", "zero_attempts_case"],
)
def test_always_mode_shows_the_captcha_at_once(client, view_a, captcha_on, options):
    # given
    set_config(options, website=view_a.store.website)

    # when
    response = client.get(LOGIN_URL)

    # then
    assert challenge_of(response) is not None


# --- Forgot password and registration -----------------------------------------------------------


def test_forgot_password_always_needs_the_captcha(client, view_a, shopper, captcha_on):
    # given
    page = client.get(FORGOT_URL)
    challenge = challenge_of(page)
    assert challenge is not None

    # when
    missing = client.post(FORGOT_URL, {"email": shopper.email})
    wrong = client.post(
        FORGOT_URL, {"email": shopper.email, "captcha_id": challenge, "captcha": "0000000"}
    )

    # then
    assert missing.status_code == wrong.status_code == 400
    assert missing.context["form"].errors == {"captcha": ["This field is required."]}
    assert wrong.context["form"].errors == {"captcha": ["Incorrect CAPTCHA."]}
    assert OutboxMessage.objects.count() == 0

    # when
    fresh = challenge_of(wrong)
    right = client.post(
        FORGOT_URL, {"email": shopper.email, "captcha_id": fresh, "captcha": answer_of(fresh)}
    )

    # then
    assert right.status_code == 302
    assert OutboxMessage.objects.get().template_code == "customer_password_forgot_email_template"


def test_registration_needs_the_captcha_once_selected(client, view_a, captcha_on):
    # given
    assert challenge_of(client.get(CREATE_URL)) is None
    set_config({"customer/captcha/forms": ["user_create"]}, website=view_a.store.website)
    challenge = challenge_of(client.get(CREATE_URL))

    # when
    wrong = client.post(CREATE_URL, registration_data(captcha_id=challenge, captcha="0000000"))

    # then
    assert wrong.status_code == 400
    assert wrong.context["form"].errors == {"captcha": ["Incorrect CAPTCHA."]}
    assert Customer.objects.count() == 0

    # when
    fresh = challenge_of(wrong)
    right = client.post(CREATE_URL, registration_data(captcha_id=fresh, captcha=answer_of(fresh)))

    # then
    assert right.status_code == 302
    assert Customer.objects.count() == 1


# --- Challenges ---------------------------------------------------------------------------------


def test_challenge_image_is_a_png_and_audio_a_wav(client, view_a):
    # given
    challenge = captcha.new_challenge(view_a.store.website)

    # when
    image = client.get(f"/customer/captcha/{challenge}.png")
    audio = client.get(f"/customer/captcha/{challenge}.wav")

    # then
    assert (image.status_code, image["Content-Type"], image["Cache-Control"]) == (
        200,
        "image/png",
        "no-store",
    )
    assert image.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert (audio.status_code, audio["Content-Type"]) == (200, "audio/wav")
    assert (audio.content[:4], audio.content[8:12]) == (b"RIFF", b"WAVE")


def test_answered_or_unknown_challenge_has_no_image(client, view_a):
    # given
    website = view_a.store.website
    challenge = captcha.new_challenge(website)
    captcha.verify(challenge, "wrong", website)

    # when
    answered = client.get(f"/customer/captcha/{challenge}.png")
    unknown = client.get("/customer/captcha/unknown.wav")

    # then
    assert (answered.status_code, unknown.status_code) == (404, 404)


def test_challenge_text_uses_the_configured_symbols_and_length(view_a):
    # given
    website = view_a.store.website
    set_config({"customer/captcha/symbols": "XY", "customer/captcha/length": "6"}, website=website)

    # when
    text = answer_of(captcha.new_challenge(website))

    # then
    assert len(text) == 6
    assert set(text) <= {"X", "Y"}


def test_challenge_of_one_website_is_refused_on_another(view_a, view_b):
    # given
    challenge = captcha.new_challenge(view_a.store.website)

    # when
    accepted = captcha.verify(challenge, answer_of(challenge), view_b.store.website)

    # then
    assert accepted is False


@pytest.mark.parametrize(
    ("case_sensitive", "typed", "accepted"),
    [(False, "aBcDe", True), (True, "aBcDe", False), (True, "AbCdE", True)],
    ids=["insensitive_case", "sensitive_wrong_case", "sensitive_right_case"],
)
def test_case_sensitivity_setting(view_a, case_sensitive, typed, accepted):
    # given
    website = view_a.store.website
    set_config({"customer/captcha/case_sensitive": case_sensitive}, website=website)
    challenge = captcha.new_challenge(website)
    cache.set(f"patron:captcha:{challenge}", {"text": "AbCdE", "website_id": website.pk})

    # when
    result = captcha.verify(challenge, typed, website)

    # then
    assert result is accepted


# --- API ----------------------------------------------------------------------------------------


def test_api_creates_a_challenge(client, view_a):
    # when
    response = client.post("/api/v1/captcha", **STORE)

    # then
    assert response.status_code == 201
    body = response.json()
    challenge = body["captcha_id"]
    assert body == {
        "captcha_id": challenge,
        "image_url": f"http://testserver/customer/captcha/{challenge}.png",
        "audio_url": f"http://testserver/customer/captcha/{challenge}.wav",
        "expires_in": 420,
    }
    assert client.get(f"/customer/captcha/{challenge}.png").status_code == 200


def test_api_challenge_needs_the_store_header(client, view_a):
    # when
    response = client.post("/api/v1/captcha")

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "store_required"


def test_api_tells_whether_a_form_needs_the_captcha(client, view_a, captcha_on):
    # when
    forgot = client.get("/api/v1/captcha/required?form=user_forgotpassword", **STORE)
    login = client.get("/api/v1/captcha/required?form=user_login&email=a@example.com", **STORE)

    # then
    assert (forgot.json(), login.json()) == ({"required": True}, {"required": False})


def test_api_forgot_password_needs_an_answered_challenge(client, view_a, shopper, captcha_on):
    # given
    url = "/api/v1/account/password/forgot"

    # when
    refused = client.post(url, {"email": shopper.email}, content_type="application/json", **STORE)

    # then
    assert refused.status_code == 400
    assert refused.json() == {
        "code": "captcha_required",
        "message": "Answer the CAPTCHA: request a challenge and send its id and answer.",
        "field": "captcha",
    }
    assert OutboxMessage.objects.count() == 0

    # when
    challenge = client.post("/api/v1/captcha", **STORE).json()["captcha_id"]
    accepted = client.post(
        url,
        {"email": shopper.email, "captcha_id": challenge, "captcha": answer_of(challenge)},
        content_type="application/json",
        **STORE,
    )

    # then
    assert accepted.status_code == 202
    assert OutboxMessage.objects.count() == 1


def test_api_sign_in_asks_for_the_captcha_after_failures(client, view_a, shopper, captcha_on):
    # given
    url = "/api/v1/account/token"
    for _attempt in range(3):
        client.post(url, {"email": shopper.email, "password": "Wrong-password-1"},
                    content_type="application/json", **STORE)  # fmt: skip

    # when
    response = client.post(
        url, {"email": shopper.email, "password": PASSWORD}, content_type="application/json",
        **STORE,
    )  # fmt: skip

    # then
    assert (response.status_code, response.json()["code"]) == (400, "captcha_required")
    assert shopper.tokens.count() == 0
