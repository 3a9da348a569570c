"""The shopper dashboard in Chromium: sign in, add, edit and delete addresses (the confirm
dialog accepted), change the password and the email (opening the link from the email), in
English on the default store view and in German on a ``de`` store view, with axe-core on every
page.

The German run finds elements by id, role and link target rather than by English text, since
the German catalogue may lag behind the templates.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from patron.core.actors import SYSTEM
from patron.customers.address_rules import region_choices
from patron.customers.models import Customer
from patron.customers.services import check_customer_password, create_customer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LANGUAGES = [pytest.param("en", id="english_default_view"), pytest.param("de", id="german_de_view")]

PASSWORD = "Abcdefg1!"
NEW_PASSWORD = "Zyxwvut2?"


@pytest.fixture
def shopper(store):
    view, _prefix, _language = store
    return create_customer(
        website=view.store.website, store_view=view, email="ada@example.com",
        firstname="Ada", lastname="Lovelace", password=PASSWORD, actor=SYSTEM,
    )  # fmt: skip


def expect_page(page: Page, path: str, language: str, assert_accessible) -> None:
    page.wait_for_url(re.compile(rf"^[^?]*{re.escape(path)}(\?.*)?$"))
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert_accessible(page)


def submit(page: Page) -> None:
    page.locator("main form[method=post] button[type=submit]").last.click()


def fill_address(page: Page, *, street: str, city: str) -> None:
    page.locator("#id_telephone").fill("+1 617 555 0100")
    page.locator("#id_street_1").fill(street)
    page.locator("#id_country_id").select_option("US")
    page.locator("#id_region").fill("Massachusetts")
    page.locator("#id_city").fill(city)
    page.locator("#id_postcode").fill("02108")


def link_to(path: str) -> str:
    """Return the absolute link to ``path`` from the last email sent."""
    body = mail.outbox[-1].body
    match = re.search(rf"https?://\S+{re.escape(path)}\S*", body)
    assert match, f"no link to {path} in: {body}"
    return match.group(0)


@pytest.mark.parametrize("store", LANGUAGES, indirect=True)
def test_addresses_password_and_email(page, store, shopper, assert_accessible, broken_assets):
    _view, prefix, language = store
    account = f"{prefix}/customer/account/"
    book = f"{prefix}/customer/address/"
    edit_account = f"{prefix}/customer/account/edit/"

    # when: a guest opens My Account
    page.goto(account)

    # then: asked to sign in first
    expect_page(page, f"{prefix}/customer/account/login/", language, assert_accessible)

    # when
    page.locator("#id_email").fill("ada@example.com")
    page.locator("#id_password").fill(PASSWORD)
    submit(page)

    # then
    expect_page(page, account, language, assert_accessible)
    expect(page.locator(f".account-nav a[href='{account}']")).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.locator(".account-nav a")).to_have_count(9)

    # when: Address Book, then Add New Address
    page.locator(f".account-nav a[href='{book}']").click()
    expect_page(page, book, language, assert_accessible)
    page.locator(f"main a[href='{book}new/']").click()

    # then: the form carries the customer's names
    expect_page(page, f"{book}new/", language, assert_accessible)
    expect(page.locator("#id_firstname")).to_have_value("Ada")
    expect(page.locator("#id_lastname")).to_have_value("Lovelace")

    # when
    fill_address(page, street="12 Analytical Row", city="Boston")

    # then: choosing the country loaded its regions as suggestions
    expect(page.locator("#region-options option")).to_have_count(len(region_choices("US")))
    assert_accessible(page)

    # when
    submit(page)

    # then: the first address is both defaults, with no Delete
    expect_page(page, book, language, assert_accessible)
    expect(page.locator(".messages .message-success")).to_have_count(1)
    first = Customer.objects.get(pk=shopper.pk).addresses.get()
    expect(page.locator("main address")).to_have_count(2)
    expect(page.locator("form[action$='/delete/']")).to_have_count(0)

    # when: edit it
    page.locator(f"main a[href='{book}{first.pk}/edit/']").first.click()
    expect_page(page, f"{book}{first.pk}/edit/", language, assert_accessible)
    page.locator("#id_city").fill("Cambridge")
    submit(page)

    # then
    expect_page(page, book, language, assert_accessible)
    first.refresh_from_db()
    assert first.city == "Cambridge"

    # when: a second address, then delete it after confirming
    page.locator(f"main a[href='{book}new/']").click()
    expect_page(page, f"{book}new/", language, assert_accessible)
    fill_address(page, street="7 Second Street", city="Salem")
    submit(page)
    expect_page(page, book, language, assert_accessible)
    second = Customer.objects.get(pk=shopper.pk).addresses.exclude(pk=first.pk).get()
    delete = page.locator(f"form[action='{book}{second.pk}/delete/'] button")
    expect(delete).to_have_count(1)
    page.once("dialog", lambda dialog: dialog.dismiss())
    delete.click()

    # then: Cancel keeps it
    expect(delete).to_have_count(1)
    assert Customer.objects.get(pk=shopper.pk).addresses.count() == 2

    # when: OK
    page.once("dialog", lambda dialog: dialog.accept())
    delete.click()

    # then
    expect_page(page, book, language, assert_accessible)
    expect(page.locator("form[action$='/delete/']")).to_have_count(0)
    assert list(Customer.objects.get(pk=shopper.pk).addresses.all()) == [first]

    # when: Account Information, change the password
    page.locator(f".account-nav a[href='{edit_account}']").click()
    expect_page(page, edit_account, language, assert_accessible)
    expect(page.locator("#id_email")).to_be_hidden()
    expect(page.locator("#id_password")).to_be_hidden()
    page.locator("#id_change_password").check()
    expect(page.locator("#id_email")).to_be_hidden()
    page.locator("#id_current_password").fill(PASSWORD)
    page.locator("#id_password").fill(NEW_PASSWORD)
    page.locator("#id_password_confirmation").fill(NEW_PASSWORD)
    assert_accessible(page)
    submit(page)

    # then: still signed in, with the new password
    expect_page(page, account, language, assert_accessible)
    expect(page.locator(".messages .message-success")).to_have_count(2)
    assert check_customer_password(Customer.objects.get(pk=shopper.pk), NEW_PASSWORD) is True

    # when: change the email
    page.goto(edit_account)
    expect_page(page, edit_account, language, assert_accessible)
    page.locator("#id_change_email").check()
    expect(page.locator("#id_email")).to_be_visible()
    page.locator("#id_email").fill("ada.new@example.com")
    page.locator("#id_current_password").fill(NEW_PASSWORD)
    submit(page)

    # then: nothing changes until the link is opened
    expect_page(page, account, language, assert_accessible)
    assert Customer.objects.get(pk=shopper.pk).email == "ada@example.com"
    assert mail.outbox[-1].to == ["ada.new@example.com"]

    # when
    page.goto(link_to(f"{prefix}/customer/account/email/confirm/"))

    # then
    expect_page(page, account, language, assert_accessible)
    expect(page.locator(".messages .message-success")).to_have_count(1)
    assert Customer.objects.get(pk=shopper.pk).email == "ada.new@example.com"
    assert mail.outbox[-1].to == ["ada@example.com"]
    if language == "en":
        expect(page.locator("main")).to_contain_text("ada.new@example.com")
    assert broken_assets == []
