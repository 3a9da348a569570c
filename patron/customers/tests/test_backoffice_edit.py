"""Back office: the customer edit page over HTTP (its sections from the customer_sections
registry, the button bar, Add New Customer and its defaults)."""

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone
from django.utils.html import format_html

from patron.accounts.models import PasswordResetRequest
from patron.core.actors import SYSTEM, Actor
from patron.core.registries import CustomerSection, customer_sections
from patron.customers import services
from patron.customers.history import TimelineKind
from patron.customers.models import (
    ConsentSource,
    Customer,
    CustomerGroup,
    CustomerToken,
    NewsletterSubscriber,
    SubscriberStatus,
)
from patron.customers.tests.factories import address_data, make_address, make_customer
from patron.staff.models import StaffProfile
from patron.testing.fixtures import make_staff_user, set_config

GRID_URL = "/admin/customers/customer/"
ADD_URL = "/admin/customers/customer/add/"
GENERAL, WHOLESALE, RETAILER = 1, 2, 3
OWN_SECTIONS = ["customer_view", "account", "addresses", "newsletter", "timeline"]


def edit_url(customer, section: str | None = None) -> str:
    url = f"/admin/customers/customer/{customer.pk}/change/"
    return f"{url}?section={section}" if section else url


def button_url(customer, name: str) -> str:
    return f"/admin/customers/customer/{customer.pk}/{name}/"


def html(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def section_codes(response) -> list[str]:
    return [section.code for section in response.context["sections"]]


def buttons(response) -> list[str]:
    """The labels of the button bar's links and buttons."""
    bar = re.search(r'<div class="patron-buttons" role="group".*?</div>', html(response), re.S)
    return re.findall(r'class="button"[^>]*>([^<]+)<', bar.group(0))


def account_data(customer: Customer, **overrides) -> dict:
    """Account Information as the form posts it, with the customer's current values."""
    data = {
        "website": customer.website_id,
        "group": customer.group_id,
        "firstname": customer.firstname,
        "lastname": customer.lastname,
        "email": customer.email,
        "is_active": "on",
    }
    data.update(overrides)
    return data


def address_form(**overrides) -> dict:
    values = address_data()
    data = {
        "operation": "save",
        "firstname": values["firstname"],
        "lastname": values["lastname"],
        "street_1": values["street"][0],
        "city": values["city"],
        "country_id": values["country_id"],
        "region": values["region"],
        "postcode": values["postcode"],
        "telephone": values["telephone"],
    }
    data.update(overrides)
    return data


@pytest.fixture
def staff_client(client, superuser):
    client.force_login(superuser)
    return client


def login_staff(client, *permissions: str, username: str = "clerk"):
    user = make_staff_user(username, permissions=["customers.view_customer", *permissions])
    client.force_login(user)
    return user


# --- Sections -----------------------------------------------------------------------------------


def test_every_registered_section_renders_for_a_superuser(staff_client, customer):
    # given
    registered = [section.code for section in customer_sections if section.is_enabled()]

    # when
    pages = {code: staff_client.get(edit_url(customer, code)) for code in registered}

    # then
    assert set(OWN_SECTIONS) <= set(registered)
    assert {code: page.status_code for code, page in pages.items()} == dict.fromkeys(
        registered, 200
    )
    for code, page in pages.items():
        assert page.context["section"].code == code
        assert section_codes(page) == registered
        assert f'href="?section={code}" aria-current="page"' in html(page)
    headings = {
        code: re.search(r"<section aria-label=[^>]*>\s*<h2>([^<]+)</h2>", html(pages[code])).group(
            1
        )
        for code in OWN_SECTIONS
    }
    assert headings == {
        "customer_view": "Personal Information",
        "account": "Account Information",
        "addresses": "Addresses",
        "newsletter": "Newsletter Information",
        "timeline": "Timeline",
    }


def test_first_section_opens_without_a_section_parameter(staff_client, customer):
    # when
    response = staff_client.get(edit_url(customer))

    # then
    assert response.context["section"].code == "customer_view"
    assert "Personal Information" in html(response)


@pytest.mark.parametrize(
    ("section", "permission"),
    [
        ("addresses", "customers.view_address"),
        ("newsletter", "customers.view_newslettersubscriber"),
        ("timeline", "customers.view_timeline"),
    ],
)
def test_a_section_shows_only_with_its_permission(client, customer, section, permission):
    # given
    login_staff(client)
    without_nav = client.get(edit_url(customer))
    without = client.get(edit_url(customer, section))
    login_staff(client, permission, username="holder")

    # when
    response = client.get(edit_url(customer, section))

    # then
    assert section not in section_codes(without_nav)
    assert {"customer_view", "account"} <= set(section_codes(without_nav))
    assert without.status_code == 404
    assert response.status_code == 200
    assert response.context["section"].code == section
    assert f'href="?section={section}"' in html(response)


@pytest.mark.parametrize(
    ("section", "data"),
    [("addresses", {"operation": "delete"}), ("timeline", {"note": "Hi"})],
)
def test_a_hidden_section_refuses_posts(client, customer, section, data):
    # given
    address = make_address(customer)
    login_staff(client)

    # when
    response = client.post(edit_url(customer, section), data | {"address_id": address.pk})

    # then
    assert response.status_code == 404
    assert customer.addresses.count() == 1
    assert not customer.timeline.filter(kind=TimelineKind.NOTE).exists()


def test_customer_view_shows_lock_confirmation_origin_group_and_billing_address(
    staff_client, view_a
):
    # given
    customer = make_customer(
        "ada@example.com", store_view=view_a, confirmation_required=True,
        group=CustomerGroup.objects.get(pk=WHOLESALE),
    )  # fmt: skip
    make_address(customer, default_billing=True, city="Salem", postcode="01970")
    Customer.objects.filter(pk=customer.pk).update(
        lock_expires_at=timezone.now() + dt.timedelta(minutes=10)
    )

    # when
    response = staff_client.get(edit_url(customer, "customer_view"))

    # then
    text = re.sub(r"\s+", " ", html(response))
    assert "<dt>Account Lock</dt><dd>Locked until " in text
    assert "<dt>Confirmed email</dt><dd>Confirmation Required</dd>" in text
    assert "<dt>Account Created in</dt><dd>Default Store View</dd>" in text
    assert "<dt>Customer Group</dt><dd>Wholesale</dd>" in text
    billing = text.split("<h2>Default Billing Address</h2>")[1]
    assert "12 Analytical Row" in billing
    assert "Salem" in billing
    assert response.context["locked"] is True


def test_customer_view_without_billing_address_or_lock_says_so(staff_client, customer):
    # when
    response = staff_client.get(edit_url(customer, "customer_view"))

    # then
    text = re.sub(r"\s+", " ", html(response))
    assert "<dt>Account Lock</dt><dd>Unlocked</dd>" in text
    assert "<dt>Confirmed email</dt><dd>Confirmation Not Required</dd>" in text
    assert "The customer has no default billing address." in text


# --- Account Information ------------------------------------------------------------------------


def test_save_and_continue_saves_and_stays_on_the_section(staff_client, customer):
    # when
    response = staff_client.post(
        edit_url(customer, "account"),
        account_data(customer, lastname="King", group=RETAILER, save_and_continue="1"),
    )

    # then
    assert response.status_code == 302
    assert response.url == edit_url(customer, "account")
    customer.refresh_from_db()
    assert (customer.lastname, customer.group_id) == ("King", RETAILER)
    assert messages_of(response) == [("success", "You saved the customer.")]
    assert TimelineKind.GROUP_CHANGED in customer.timeline.values_list("kind", flat=True)


def test_save_goes_back_to_the_grid(staff_client, customer):
    # when
    response = staff_client.post(
        edit_url(customer, "account"), account_data(customer, firstname="Augusta", save="1")
    )

    # then
    assert response.status_code == 302
    assert response.url == GRID_URL
    assert Customer.objects.get(pk=customer.pk).firstname == "Augusta"


def test_a_taken_email_is_shown_on_its_field_and_nothing_is_saved(staff_client, customer, view_a):
    # given
    make_customer("grace@example.com", store_view=view_a, firstname="Grace")

    # when
    response = staff_client.post(
        edit_url(customer, "account"),
        account_data(customer, email="Grace@Example.com", lastname="King", save="1"),
    )

    # then
    message = "A customer with the email grace@example.com already exists."
    assert response.status_code == 400
    assert response.context["form"].errors == {"email": [message]}
    assert '<ul class="errorlist"' in html(response)
    assert message in html(response)
    customer.refresh_from_db()
    assert (customer.email, customer.lastname) == ("ada@example.com", "Lovelace")


def test_view_only_staff_gets_disabled_fields_and_no_save(client, customer):
    # given
    login_staff(client)

    # when
    response = client.get(edit_url(customer, "account"))

    # then
    form = response.context["form"]
    assert all(field.disabled for field in form.fields.values())
    account_form = re.search(
        r'<form method="post" id="account-form".*?</form>', html(response), re.S
    )
    controls = re.findall(
        r"<(?:input|select|textarea)\b(?![^>]*csrfmiddlewaretoken)[^>]*>", account_form.group(0)
    )
    assert len(controls) == len(form.fields)
    assert [c for c in controls if " disabled" not in c] == []
    assert 'name="save"' not in account_form.group(0)


def test_view_only_staff_cannot_post_account_information(client, customer):
    # given
    login_staff(client)

    # when
    response = client.post(
        edit_url(customer, "account"), account_data(customer, lastname="King", save="1")
    )

    # then
    assert response.status_code == 403
    assert Customer.objects.get(pk=customer.pk).lastname == "Lovelace"


# --- Addresses ----------------------------------------------------------------------------------


def test_adding_an_address_as_default_billing(staff_client, customer):
    # given
    make_address(customer, city="Salem")

    # when
    response = staff_client.post(
        edit_url(customer, "addresses"), address_form(city="Concord", default_billing="on")
    )

    # then
    assert response.status_code == 302
    assert response.url == edit_url(customer, "addresses")
    customer = Customer.objects.select_related("default_billing", "default_shipping").get(
        pk=customer.pk
    )
    assert customer.addresses.count() == 2
    assert (customer.default_billing.city, customer.default_shipping.city) == ("Concord", "Salem")
    assert messages_of(response) == [("success", "You saved the address.")]


def test_add_address_form_opens_with_the_customers_name(staff_client, customer):
    # when
    response = staff_client.get(edit_url(customer, "addresses") + "&address=new")

    # then
    assert "Add New Address" in html(response)
    assert response.context["form"].initial == {"firstname": "Ada", "lastname": "Lovelace"}


def test_editing_an_address(staff_client, customer):
    # given
    address = make_address(customer)
    opened = staff_client.get(edit_url(customer, "addresses") + f"&address={address.pk}")

    # when
    response = staff_client.post(
        edit_url(customer, "addresses"),
        address_form(address_id=address.pk, city="Cambridge", postcode="02139"),
    )

    # then
    assert opened.context["form"].initial["city"] == "Boston"
    assert response.status_code == 302
    address.refresh_from_db()
    assert (address.city, address.postcode) == ("Cambridge", "02139")


def test_an_invalid_address_shows_its_errors(staff_client, customer):
    # when
    response = staff_client.post(edit_url(customer, "addresses"), address_form(city=""))

    # then
    assert response.status_code == 400
    assert "city" in response.context["form"].errors
    assert customer.addresses.count() == 0


def test_deleting_a_default_address_of_a_customer_with_others_is_refused(staff_client, customer):
    # given
    default = make_address(customer)
    make_address(customer, city="Salem")

    # when
    response = staff_client.post(
        edit_url(customer, "addresses"), {"operation": "delete", "address_id": default.pk}
    )

    # then
    assert response.status_code == 302
    assert messages_of(response) == [
        (
            "error",
            "This is a default address. Make another address the default before deleting it.",
        )
    ]
    assert customer.addresses.filter(pk=default.pk).exists()


def test_deleting_an_address(staff_client, customer):
    # given
    make_address(customer)
    other = make_address(customer, city="Salem")

    # when
    response = staff_client.post(
        edit_url(customer, "addresses"), {"operation": "delete", "address_id": other.pk}
    )

    # then
    assert messages_of(response) == [("success", "You deleted the address.")]
    assert list(customer.addresses.values_list("city", flat=True)) == ["Boston"]


@pytest.mark.parametrize(
    ("operation", "expected"),
    [("default_billing", ("Salem", "Boston")), ("default_shipping", ("Boston", "Salem"))],
)
def test_setting_a_default_address(staff_client, customer, operation, expected):
    # given
    make_address(customer)
    other = make_address(customer, city="Salem")

    # when
    response = staff_client.post(
        edit_url(customer, "addresses"), {"operation": operation, "address_id": other.pk}
    )

    # then
    assert messages_of(response) == [("success", "The default address was changed.")]
    customer = Customer.objects.select_related("default_billing", "default_shipping").get(
        pk=customer.pk
    )
    assert (customer.default_billing.city, customer.default_shipping.city) == expected


def test_address_changes_need_their_permission(client, customer):
    # given
    address = make_address(customer)
    make_address(customer, city="Salem")
    login_staff(client, "customers.view_address")

    # when
    page = client.get(edit_url(customer, "addresses"))
    response = client.post(
        edit_url(customer, "addresses"), {"operation": "delete", "address_id": address.pk}
    )

    # then
    assert response.status_code == 403
    assert customer.addresses.count() == 2
    for absent in ("Add New Address", "Set as Default", ">Edit<", ">Delete<"):
        assert absent not in html(page)


def test_a_malformed_address_parameter_shows_the_list(staff_client, customer):
    # given
    make_address(customer)

    # when
    response = staff_client.get(edit_url(customer, "addresses") + "&address=abc")

    # then
    assert response.status_code == 200
    assert response.context["form"] is None


def test_a_malformed_address_id_is_reported_as_missing(staff_client, customer):
    # given
    make_address(customer)

    # when
    response = staff_client.post(
        edit_url(customer, "addresses"), {"operation": "delete", "address_id": "abc"}
    )

    # then
    assert response.status_code == 302
    assert messages_of(response) == [("error", "That address does not exist any more.")]
    assert customer.addresses.count() == 1


# --- Newsletter ---------------------------------------------------------------------------------


def test_ticking_a_store_view_subscribes_from_the_back_office(staff_client, customer, view_a):
    # when
    response = staff_client.post(edit_url(customer, "newsletter"), {"store_views": [view_a.pk]})

    # then
    assert response.status_code == 302
    subscription = NewsletterSubscriber.objects.get(customer=customer)
    assert (subscription.store_view, subscription.status, subscription.consent_source) == (
        view_a,
        SubscriberStatus.SUBSCRIBED,
        ConsentSource.BACK_OFFICE,
    )
    page = staff_client.get(response.url)
    assert f'name="store_views" value="{view_a.pk}" checked' in html(page)


def test_unticking_a_store_view_unsubscribes(staff_client, customer, view_a):
    # given
    services.subscribe_newsletter(
        store_view=view_a, actor=SYSTEM, source=ConsentSource.ACCOUNT, customer=customer
    )

    # when
    response = staff_client.post(edit_url(customer, "newsletter"), {})

    # then
    assert response.status_code == 302
    assert NewsletterSubscriber.objects.get(customer=customer).status == (
        SubscriberStatus.UNSUBSCRIBED
    )
    assert messages_of(response) == [("success", "You saved the newsletter subscriptions.")]


# --- Timeline -----------------------------------------------------------------------------------


def test_a_note_is_added_to_the_timeline(staff_client, customer, superuser):
    # when
    response = staff_client.post(edit_url(customer, "timeline"), {"note": "Called about order"})

    # then
    assert response.status_code == 302
    note = customer.timeline.get(kind=TimelineKind.NOTE)
    assert (note.note, note.actor_id) == ("Called about order", superuser.pk)
    page = staff_client.get(response.url)
    assert '<div class="patron-note">Called about order</div>' in html(page)


def test_an_empty_note_shows_the_error(staff_client, customer):
    # when
    response = staff_client.post(edit_url(customer, "timeline"), {"note": "   "})

    # then
    assert response.status_code == 400
    assert '<p class="errornote" role="alert" id="note-error">Write the note first.</p>' in html(
        response
    )
    assert not customer.timeline.filter(kind=TimelineKind.NOTE).exists()


def test_older_timeline_entries_are_on_the_next_page(staff_client, customer, superuser):
    # given
    for n in range(51):
        services.add_timeline_note(
            customer=customer, text=f"note {n}", actor=Actor.staff(superuser)
        )
    newest = staff_client.get(edit_url(customer, "timeline"))
    older = re.search(r'href="(\?section=timeline&amp;before=\d+)"', html(newest)).group(1)

    # when
    response = staff_client.get(edit_url(customer) + older.replace("&amp;", "&"))

    # then
    first_notes = [e.note for e in newest.context["entries"]]
    assert len(first_notes) == 50
    assert first_notes[0] == "note 50"
    assert [(e.kind, e.note) for e in response.context["entries"]] == [
        (TimelineKind.NOTE, "note 0"),
        (TimelineKind.ACCOUNT_CREATED, ""),
    ]
    assert response.context["older"] is None


# --- Buttons ------------------------------------------------------------------------------------


def test_reset_password_sends_the_email(
    staff_client, customer, mailoutbox, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(button_url(customer, "reset-password"))

    # then
    assert response.status_code == 302
    assert response.url == edit_url(customer)
    assert [m.to for m in mailoutbox] == [["ada@example.com"]]
    assert messages_of(response) == [
        ("success", "The customer will receive an email with a link to reset the password.")
    ]
    assert PasswordResetRequest.objects.get().by_staff is True


def test_reset_password_respects_the_hourly_limit(
    staff_client, customer, mailoutbox, django_capture_on_commit_callbacks
):
    # given
    set_config({"customer/password/max_number_password_reset_requests": 1})
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(button_url(customer, "reset-password"))

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(button_url(customer, "reset-password"))

    # then
    assert response.status_code == 302
    assert messages_of(response)[-1] == (
        "error",
        "This customer was sent 1 reset link in the last hour; try again later.",
    )
    assert len(mailoutbox) == 1
    assert PasswordResetRequest.objects.count() == 1


def test_force_sign_in_asks_for_confirmation_first(staff_client, customer):
    # given
    services.issue_customer_token(customer=customer)

    # when
    response = staff_client.get(button_url(customer, "force-sign-in"))

    # then
    assert response.status_code == 200
    assert "Sign ada@example.com out of every browser and revoke every API token?" in html(response)
    customer.refresh_from_db()
    assert (customer.session_version, CustomerToken.objects.count()) == (0, 1)


def test_confirmed_force_sign_in_ends_sessions_and_tokens(staff_client, customer):
    # given
    services.issue_customer_token(customer=customer)
    services.issue_customer_token(customer=customer)

    # when
    response = staff_client.post(button_url(customer, "force-sign-in"))

    # then
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.session_version, CustomerToken.objects.count()) == (1, 0)
    assert messages_of(response) == [
        ("success", "The customer is signed out everywhere and must sign in again.")
    ]


def test_unlock_shows_only_for_a_locked_account_and_clears_the_lock(staff_client, customer):
    # given
    unlocked_page = staff_client.get(edit_url(customer))
    Customer.objects.filter(pk=customer.pk).update(
        lock_expires_at=timezone.now() + dt.timedelta(minutes=10), failures_num=10
    )
    locked_page = staff_client.get(edit_url(customer))

    # when
    response = staff_client.post(button_url(customer, "unlock"))

    # then
    assert "Unlock" not in buttons(unlocked_page)
    assert "Unlock" in buttons(locked_page)
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.lock_expires_at, customer.failures_num) == (None, 0)
    assert messages_of(response) == [("success", "The customer account was unlocked.")]


def test_buttons_show_only_with_their_permissions(client, customer):
    # given
    Customer.objects.filter(pk=customer.pk).update(
        lock_expires_at=timezone.now() + dt.timedelta(minutes=10)
    )
    login_staff(client)
    plain = client.get(edit_url(customer))
    login_staff(
        client,
        "customers.delete_customer",
        "customers.reset_customer_password",
        "customers.force_sign_in_customer",
        "customers.unlock_customer",
        username="holder",
    )

    # when
    response = client.get(edit_url(customer))

    # then
    assert buttons(plain) == ["Back"]
    assert buttons(response) == [
        "Back", "Delete Customer", "Reset Password", "Force Sign-In", "Unlock",
    ]  # fmt: skip


@pytest.mark.parametrize("name", ["reset-password", "force-sign-in", "unlock"])
def test_buttons_refuse_staff_without_their_permission(client, customer, name):
    # given
    Customer.objects.filter(pk=customer.pk).update(
        lock_expires_at=timezone.now() + dt.timedelta(minutes=10)
    )
    login_staff(client)

    # when
    response = client.post(button_url(customer, name))

    # then
    assert response.status_code == 403
    customer.refresh_from_db()
    assert (customer.session_version, customer.lock_expires_at is not None) == (0, True)
    assert not PasswordResetRequest.objects.exists()


def test_shop_links_appear_with_the_customer_substituted(staff_client, customer):
    # given
    without = staff_client.get(edit_url(customer))
    set_config(
        {
            "web/url/shop_admin_order_url": "https://shop.example.com/orders/new?c={customer_id}",
            "web/url/shop_admin_cart_url": "https://shop.example.com/carts?email={email}",
        }
    )

    # when
    response = staff_client.get(edit_url(customer))

    # then
    assert [label for label, _url in without.context["shop_links"]] == []
    assert response.context["shop_links"] == [
        ("Create Order", f"https://shop.example.com/orders/new?c={customer.pk}"),
        ("Manage Shopping Cart", "https://shop.example.com/carts?email=ada@example.com"),
    ]
    assert (
        f'<a class="button" href="https://shop.example.com/orders/new?c={customer.pk}" '
        'rel="noopener">Create Order</a>'
    ) in html(response)


@pytest.fixture
def loyalty_section():
    """A section another app would register in its AppConfig.ready()."""

    def render(request, customer):
        return format_html("<p>Loyalty points of {}: {}</p>", customer.email, 42)

    section = CustomerSection(
        "test_loyalty", "Loyalty", 60, render, permission="customers.view_customer"
    )
    customer_sections.register(section)
    yield section
    customer_sections.unregister(section.code)


def test_a_section_registered_by_another_app_appears(staff_client, customer, loyalty_section):
    # when
    response = staff_client.get(edit_url(customer, "test_loyalty"))

    # then
    assert response.status_code == 200
    codes = section_codes(response)
    assert codes.index("newsletter") < codes.index("test_loyalty") < codes.index("timeline")
    assert "<p>Loyalty points of ada@example.com: 42</p>" in html(response)
    assert staff_client.post(edit_url(customer, "test_loyalty")).status_code == 405


# --- Add New Customer ---------------------------------------------------------------------------


def test_add_new_customer_opens_the_new_customers_edit_page(staff_client, website_a):
    # when
    response = staff_client.post(
        ADD_URL,
        {
            "website": website_a.pk,
            "created_in": "",
            "group": GENERAL,
            "firstname": "Nora",
            "lastname": "West",
            "email": "nora@example.com",
            "is_active": "on",
            "_save": "Save",
        },
    )

    # then
    customer = Customer.objects.get()
    assert response.status_code == 302
    assert response.url == edit_url(customer)
    assert messages_of(response)[-1] == ("success", "You saved the customer.")
    assert staff_client.get(response.url).context["customer"] == customer


def test_add_form_defaults_follow_the_configuration(staff_client):
    # given
    set_config(
        {
            "customer/create_account/default_group": RETAILER,
            "customer/create_account/viv_disable_auto_group_assign_default": True,
        }
    )

    # when
    response = staff_client.get(ADD_URL)

    # then
    form = response.context["adminform"].form
    assert (form.fields["group"].initial, form.fields["disable_auto_group_change"].initial) == (
        RETAILER,
        True,
    )
    assert f'<option value="{RETAILER}" selected>Retailer</option>' in html(response)


def test_add_form_defaults_without_configuration(staff_client):
    # when
    response = staff_client.get(ADD_URL)

    # then
    form = response.context["adminform"].form
    assert (form.fields["group"].initial, form.fields["disable_auto_group_change"].initial) == (
        GENERAL,
        False,
    )


def test_website_limited_staff_cannot_add_a_customer_to_another_website(
    client, website_a, website_b
):
    # given
    clerk = login_staff(client, "customers.add_customer")
    StaffProfile.objects.create(user=clerk).websites.set([website_a])

    # when
    response = client.post(
        ADD_URL,
        {
            "website": website_b.pk,
            "created_in": "",
            "group": GENERAL,
            "firstname": "Nora",
            "lastname": "West",
            "email": "nora@example.com",
            "is_active": "on",
            "_save": "Save",
        },
    )

    # then
    assert response.status_code == 200
    assert "website" in response.context["adminform"].form.errors
    assert not Customer.objects.exists()
