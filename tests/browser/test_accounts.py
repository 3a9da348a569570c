"""Shopper accounts in Chromium: register, confirm, sign in and out; forgot, reset and sign in
with the new password; the strength meter and "Show Password". Each flow runs in English on the
default store view and in German on a ``de`` store view, with axe-core on every page.

The German run finds elements by role, id and link target rather than by English text, since
the German catalogue may lag behind the templates.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from patron.accounts.tests.factories import make_shopper
from patron.core.actors import SYSTEM
from patron.scopes import services as scope_services
from patron.scopes.models import Scope

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LANGUAGES = [pytest.param("en", id="english_default_view"), pytest.param("de", id="german_de_view")]

PASSWORD = "Secret-password-1"
NEW_PASSWORD = "Newer-password-2"


def link_to(path: str) -> str:
    """Return the absolute link to ``path`` from the last email sent."""
    body = mail.outbox[-1].body
    match = re.search(rf"https?://\S+{re.escape(path)}\S*", body)
    assert match, f"no link to {path} in: {body}"
    return match.group(0)


def submit(page: Page) -> None:
    page.locator("main form button[type=submit]").click()


def expect_page(page: Page, path: str, language: str, assert_accessible) -> None:
    page.wait_for_url(re.compile(rf"^[^?]*{re.escape(path)}(\?.*)?$"))
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert_accessible(page)


def sign_in(page: Page, prefix: str, email: str, password: str) -> None:
    page.locator("#id_email").fill(email)
    page.locator("#id_password").fill(password)
    submit(page)


@pytest.mark.parametrize("store", LANGUAGES, indirect=True)
def test_register_confirm_sign_in_and_sign_out(page, store, assert_accessible, broken_assets):
    # given: email confirmation required on the website
    view, prefix, language = store
    scope_services.save_config(
        scope=Scope.WEBSITE, scope_id=view.store.website_id,
        values={"customer/create_account/confirm": True}, actor=SYSTEM,
    )  # fmt: skip
    scope_services.invalidate_caches()

    # when
    page.goto(f"{prefix}/customer/account/create/")

    # then
    expect_page(page, f"{prefix}/customer/account/create/", language, assert_accessible)

    # when
    page.locator("#id_firstname").fill("Ada")
    page.locator("#id_lastname").fill("Lovelace")
    page.locator("#id_email").fill("ada@example.com")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password_confirmation").fill(PASSWORD)
    submit(page)

    # then: not signed in, told to confirm
    expect_page(page, f"{prefix}/customer/account/login/", language, assert_accessible)
    expect(page.locator(".messages .message-success")).to_have_count(1)
    assert mail.outbox[-1].to == ["ada@example.com"]
    confirmation = link_to(f"{prefix}/customer/account/confirm/")

    # when
    page.goto(confirmation)

    # then: confirmed, still not signed in
    expect_page(page, f"{prefix}/customer/account/login/", language, assert_accessible)
    expect(page.locator(".messages .message-success")).to_have_count(1)
    expect(page.locator(f"header a[href='{prefix}/customer/account/login/']")).to_be_visible()

    # when
    sign_in(page, prefix, "ada@example.com", PASSWORD)

    # then
    expect_page(page, f"{prefix}/customer/account/", language, assert_accessible)
    sign_out = page.locator(f"header form[action='{prefix}/customer/account/logout/'] button")
    expect(sign_out).to_be_visible()

    # when
    sign_out.click()

    # then: back on the home page, signed out
    expect_page(page, f"{prefix}/", language, assert_accessible)
    expect(page.locator(".messages .message-success")).to_have_count(1)
    expect(page.locator(f"header a[href='{prefix}/customer/account/login/']")).to_be_visible()
    if language == "en":
        expect(page.locator(".messages")).to_have_text("You are signed out.")
    assert broken_assets == []


@pytest.mark.parametrize("store", LANGUAGES, indirect=True)
def test_forgot_reset_and_sign_in_with_the_new_password(
    page, store, assert_accessible, broken_assets
):
    # given
    view, prefix, language = store
    make_shopper("ada@example.com", store_view=view, password=PASSWORD)
    page.goto(f"{prefix}/customer/account/login/")
    expect_page(page, f"{prefix}/customer/account/login/", language, assert_accessible)

    # when
    page.locator(f"main a[href='{prefix}/customer/account/forgotpassword/']").click()

    # then
    expect_page(page, f"{prefix}/customer/account/forgotpassword/", language, assert_accessible)

    # when
    page.locator("#id_email").fill("ada@example.com")
    submit(page)

    # then
    expect_page(page, f"{prefix}/customer/account/login/", language, assert_accessible)
    expect(page.locator(".messages .message-success")).to_have_count(1)
    reset_link = link_to(f"{prefix}/customer/account/createpassword/")

    # when
    page.goto(reset_link)

    # then
    expect_page(page, f"{prefix}/customer/account/createpassword/", language, assert_accessible)

    # when
    page.locator("#id_password").fill(NEW_PASSWORD)
    page.locator("#id_password_confirmation").fill(NEW_PASSWORD)
    submit(page)

    # then
    expect_page(page, f"{prefix}/customer/account/login/", language, assert_accessible)

    # when
    sign_in(page, prefix, "ada@example.com", PASSWORD)

    # then: the old password is refused
    expect(page.locator("main .form-errors[role=alert]")).to_be_visible()
    assert_accessible(page)

    # when
    sign_in(page, prefix, "ada@example.com", NEW_PASSWORD)

    # then
    expect_page(page, f"{prefix}/customer/account/", language, assert_accessible)
    assert broken_assets == []


@pytest.mark.parametrize("store", LANGUAGES, indirect=True)
def test_strength_meter_and_show_password(page, store, assert_accessible):
    # given
    _view, prefix, language = store
    page.goto(f"{prefix}/customer/account/create/")
    expect_page(page, f"{prefix}/customer/account/create/", language, assert_accessible)
    meter = page.locator("[data-strength-for=id_password]")
    password = page.locator("#id_password")
    confirmation = page.locator("#id_password_confirmation")
    expect(meter).to_be_visible()
    expect(meter).to_have_attribute("data-level", "none")

    # when
    password.press_sequentially("abc")

    # then
    expect(meter).to_have_attribute("data-level", "weak")

    # when
    password.press_sequentially("DEF12")

    # then
    expect(meter).to_have_attribute("data-level", "medium")

    # when
    password.press_sequentially("!")

    # then
    expect(meter).to_have_attribute("data-level", "strong")
    if language == "en":
        expect(meter.locator("[data-strength-label]")).to_have_text("Strong")
    assert_accessible(page)

    # when
    password.fill("")

    # then
    expect(meter).to_have_attribute("data-level", "none")

    # when
    toggle = page.locator("#show-password")
    toggle.check()

    # then
    expect(password).to_have_attribute("type", "text")
    expect(confirmation).to_have_attribute("type", "text")
    assert_accessible(page)

    # when
    toggle.uncheck()

    # then
    expect(password).to_have_attribute("type", "password")
    expect(confirmation).to_have_attribute("type", "password")
