"""Back office: the "Log in as Customer" button (customer edit page and grid rows), its
confirmation page with the Store View to Log in, the consent on the Account Information section,
and Customers > Login as Customer Log with its CSV export."""

import csv
import io
import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from patron.assistance import services
from patron.assistance import settings_fields as fields
from patron.assistance.models import AssistanceSession
from patron.assistance.tests.conftest import NO_CONSENT
from patron.core.actors import Actor
from patron.customers.history import TimelineKind
from patron.customers.models import Customer
from patron.customers.tests.factories import make_customer
from patron.staff.models import StaffAction, StaffActionKind, StaffProfile
from patron.testing.fixtures import make_staff_user, make_store_view, set_config

GRID_URL = "/admin/customers/customer/"
LOG_URL = "/admin/assistance/assistancesession/"
BUTTON = "Log in as Customer"
REASON_NEEDED = "Give the reason for changing the customer's consent."


@pytest.fixture
def ada(view_a):
    return make_customer("ada@example.com", store_view=view_a, allow_remote_assistance=True)


@pytest.fixture
def superuser_client(client, db):
    client.force_login(make_staff_user("root", superuser=True))
    return client


def login_staff(client, *permissions: str, username: str = "helper"):
    user = make_staff_user(username, permissions=["customers.view_customer", *permissions])
    client.force_login(user)
    return user


def login_as_url(customer) -> str:
    return reverse("admin:assistance-login-as", args=[customer.pk])


def edit_url(customer, section: str | None = None) -> str:
    url = f"/admin/customers/customer/{customer.pk}/change/"
    return f"{url}?section={section}" if section else url


def html(response) -> str:
    return unescape(response.content.decode())


def edit_page_buttons(response) -> list[tuple[str, str]]:
    """(label, href) of the links in the edit page's button bar."""
    bar = re.search(r'<div class="patron-buttons" role="group".*?</div>', html(response), re.S)
    return re.findall(r'<a class="button" href="([^"]*)"[^>]*>([^<]+)<', bar.group(0))


def grid_row_actions(response) -> dict[int, list[tuple[str, str]]]:
    return {
        row["id"]: [(str(label), url) for label, url in row["actions"]]
        for row in response.context["table"]
    }


def storefront_path(location: str) -> str:
    parts = urlsplit(location)
    return f"{parts.path}?{parts.query}"


def account_data(customer: Customer, **overrides) -> dict:
    """Account Information as the form posts it, with the customer's current values."""
    data = {
        "website": customer.website_id,
        "group": customer.group_id,
        "firstname": customer.firstname,
        "lastname": customer.lastname,
        "email": customer.email,
        "is_active": "on",
        "save_and_continue": "1",
    }
    data.update(overrides)
    return data


def form_errors(response) -> list[str]:
    return [
        str(message) for errors in response.context["form"].errors.values() for message in errors
    ]


# --- Switched off -------------------------------------------------------------------------------


def test_switched_off_there_is_no_button_on_the_edit_page_or_in_the_grid(superuser_client, ada):
    # when
    page = superuser_client.get(edit_url(ada))
    grid = superuser_client.get(GRID_URL)

    # then
    assert page.status_code == grid.status_code == 200
    assert BUTTON not in [label for _href, label in edit_page_buttons(page)]
    assert grid_row_actions(grid) == {ada.pk: []}
    assert login_as_url(ada) not in html(page) + html(grid)


def test_switched_off_a_direct_request_is_refused(superuser_client, ada):
    # when
    shown = superuser_client.get(login_as_url(ada))
    confirmed = superuser_client.post(login_as_url(ada))

    # then
    assert shown.status_code == confirmed.status_code == 403
    assert "Login as Customer is switched off." in html(confirmed)
    assert 'name="store_view"' not in html(shown)
    assert AssistanceSession.objects.count() == 0


# --- Permission ---------------------------------------------------------------------------------


def test_without_the_permission_there_is_no_button(client, enabled, ada):
    # given
    login_staff(client)

    # when
    page = client.get(edit_url(ada))
    grid = client.get(GRID_URL)

    # then
    assert BUTTON not in [label for _href, label in edit_page_buttons(page)]
    assert grid_row_actions(grid) == {ada.pk: []}


def test_without_the_permission_the_view_answers_403(client, enabled, ada):
    # given
    login_staff(client)

    # when
    shown = client.get(login_as_url(ada))
    confirmed = client.post(login_as_url(ada))

    # then
    assert shown.status_code == confirmed.status_code == 403
    assert AssistanceSession.objects.count() == 0


def test_with_the_permission_the_button_is_on_the_edit_page_and_each_grid_row(
    client, enabled, ada, grace
):
    # given
    login_staff(client, services.PERMISSION)

    # when
    page = client.get(edit_url(ada))
    grid = client.get(GRID_URL)

    # then
    assert (login_as_url(ada), BUTTON) in edit_page_buttons(page)
    assert grid_row_actions(grid) == {
        ada.pk: [(BUTTON, login_as_url(ada))],
        grace.pk: [(BUTTON, login_as_url(grace))],
    }
    assert f'href="{login_as_url(grace)}"' in html(grid)


def test_staff_limited_to_another_website_cannot_reach_the_customer(
    client, enabled, ada, website_b
):
    # given
    user = login_staff(client, services.PERMISSION)
    StaffProfile.objects.create(user=user).websites.set([website_b])

    # when
    response = client.post(login_as_url(ada))

    # then
    assert response.status_code == 404
    assert AssistanceSession.objects.count() == 0


# --- Consent policy -----------------------------------------------------------------------------


def test_opt_in_refuses_a_customer_without_consent_with_the_explanation(client, enabled, grace):
    # given
    login_staff(client, services.PERMISSION)

    # when
    shown = client.get(login_as_url(grace))
    confirmed = client.post(login_as_url(grace))

    # then
    assert shown.status_code == confirmed.status_code == 403
    assert NO_CONSENT in html(shown)
    assert NO_CONSENT in html(confirmed)
    assert AssistanceSession.objects.count() == 0


def test_the_confirmation_page_asks_first_and_creates_nothing(client, enabled, ada):
    # given
    login_staff(client, services.PERMISSION)

    # when
    response = client.get(login_as_url(ada))

    # then
    assert response.status_code == 200
    assert "Open the store as ada@example.com in a new tab?" in html(response)
    assert '<form method="post" target="_blank">' in html(response)
    assert AssistanceSession.objects.count() == 0


def test_always_policy_sends_the_staff_member_to_a_single_use_storefront_link(
    client, enabled, grace
):
    # given
    set_config({fields.CONSENT_POLICY: fields.ALWAYS})
    staff = login_staff(client, services.PERMISSION)

    # when
    response = client.post(login_as_url(grace))

    # then
    assert response.status_code == 302
    base = settings.PATRON_PUBLIC_URL.rstrip("/")
    assert response["Location"].startswith(f"{base}/loginascustomer/login/?secret=")
    session = AssistanceSession.objects.get()
    assert (session.customer_id, session.staff_user_id, session.actor_label) == (
        grace.pk,
        staff.pk,
        "helper",
    )
    assert session.started_at is None


def test_confirming_creates_exactly_one_log_record(client, enabled, ada):
    # given
    staff = login_staff(client, services.PERMISSION)
    location = client.post(login_as_url(ada))["Location"]

    # when
    opened = client.get(storefront_path(location))
    client.post("/loginascustomer/logout/")

    # then
    assert opened.status_code == 302
    record = AssistanceSession.objects.get()
    assert (record.customer_id, record.customer_email, record.staff_user_id) == (
        ada.pk,
        "ada@example.com",
        staff.pk,
    )
    assert (record.actor_kind, record.actor_id, record.actor_label) == ("staff", staff.pk, "helper")
    assert record.started_at is not None and record.ended_at is not None


# --- Store View to Log in -----------------------------------------------------------------------


def test_manual_selection_offers_the_store_views_of_the_customer_website(
    client, enabled, ada, website_a, website_b
):
    # given
    set_config({fields.STORE_VIEW_CHOICE: True})
    make_store_view(website_a, "fr", "fr", name="Français")
    make_store_view(website_b, "second_en", "en", name="Second English", is_default=True)
    login_staff(client, services.PERMISSION)

    # when
    response = client.get(login_as_url(ada))

    # then
    assert response.status_code == 200
    choices = [label for _value, label in response.context["form"].fields["store_view"].choices]
    assert choices == ["---------", "Default Store View", "Français"]
    assert "Store View to Log in" in html(response)


def test_manual_selection_without_a_store_view_shows_the_form_error(client, enabled, ada):
    # given
    set_config({fields.STORE_VIEW_CHOICE: True})
    login_staff(client, services.PERMISSION)

    # when
    response = client.post(login_as_url(ada), {"store_view": ""})

    # then
    assert response.status_code == 200
    assert response.context["form"].errors == {"store_view": ["This field is required."]}
    assert "Please correct the errors below." in html(response)
    assert AssistanceSession.objects.count() == 0


def test_manual_selection_refuses_a_store_view_of_another_website(client, enabled, ada, website_b):
    # given
    set_config({fields.STORE_VIEW_CHOICE: True})
    elsewhere = make_store_view(website_b, "second_en", "en", is_default=True)
    login_staff(client, services.PERMISSION)

    # when
    response = client.post(login_as_url(ada), {"store_view": elsewhere.pk})

    # then
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["store_view"]
    assert AssistanceSession.objects.count() == 0


def test_manual_selection_opens_the_chosen_store_view(client, enabled, ada, website_a):
    # given
    set_config({fields.STORE_VIEW_CHOICE: True})
    french = make_store_view(website_a, "fr", "fr", name="Français")
    login_staff(client, services.PERMISSION)

    # when
    response = client.post(login_as_url(ada), {"store_view": french.pk})

    # then
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == "/fr/loginascustomer/login/"
    assert AssistanceSession.objects.get().store_view_id == french.pk


def test_auto_detection_opens_the_customer_own_store_view(client, enabled, website_a):
    # given
    french = make_store_view(website_a, "fr", "fr", name="Français")
    pierre = make_customer("pierre@example.com", store_view=french, allow_remote_assistance=True)
    login_staff(client, services.PERMISSION)

    # when
    shown = client.get(login_as_url(pierre))
    response = client.post(login_as_url(pierre))

    # then
    assert 'name="store_view"' not in html(shown)
    assert urlsplit(response["Location"]).path == "/fr/loginascustomer/login/"
    assert AssistanceSession.objects.get().store_view_id == french.pk


# --- Consent on the Account Information section -------------------------------------------------


def test_without_change_remote_assistance_the_consent_box_is_locked(client, grace):
    # given
    login_staff(client, "customers.change_customer")

    # when
    page = client.get(edit_url(grace, "account"))
    response = client.post(
        edit_url(grace, "account"),
        account_data(grace, allow_remote_assistance="on", assistance_reason="Asked by phone"),
    )

    # then
    assert page.context["form"].fields["allow_remote_assistance"].disabled is True
    assert response.status_code == 302
    assert Customer.objects.get(pk=grace.pk).allow_remote_assistance is False
    assert not grace.timeline.filter(kind=TimelineKind.ASSISTANCE_CONSENT_CHANGED).exists()


def test_setting_the_consent_without_a_reason_shows_the_error(superuser_client, grace):
    # when
    response = superuser_client.post(
        edit_url(grace, "account"),
        account_data(grace, allow_remote_assistance="on", lastname="Hopper"),
    )

    # then
    assert response.status_code == 400
    assert REASON_NEEDED in form_errors(response)
    assert REASON_NEEDED in html(response)
    customer = Customer.objects.get(pk=grace.pk)
    assert (customer.allow_remote_assistance, customer.lastname) == (False, "Lovelace")
    assert not grace.timeline.filter(kind=TimelineKind.ASSISTANCE_CONSENT_CHANGED).exists()


def test_staff_set_the_consent_with_a_reason_then_can_log_in(superuser_client, enabled, grace):
    # when
    saved = superuser_client.post(
        edit_url(grace, "account"),
        account_data(grace, allow_remote_assistance="on", assistance_reason="Asked by phone"),
    )
    login = superuser_client.post(login_as_url(grace))

    # then
    assert saved.status_code == 302
    assert Customer.objects.get(pk=grace.pk).allow_remote_assistance is True
    entry = grace.timeline.get(kind=TimelineKind.ASSISTANCE_CONSENT_CHANGED)
    assert (entry.note, entry.actor_kind, entry.actor_label) == ("Asked by phone", "staff", "root")
    assert login.status_code == 302
    assert "/loginascustomer/login/?secret=" in login["Location"]


# --- Login as Customer Log ----------------------------------------------------------------------


def opened_session(customer, staff) -> AssistanceSession:
    """A session as its opened link leaves it (the link itself is tested in test_storefront)."""
    session, _secret = services.start_assistance(
        customer=customer, actor=Actor.staff(staff), may=True, staff_user=staff
    )
    now = timezone.now()
    AssistanceSession.objects.filter(pk=session.pk).update(started_at=now, last_activity_at=now)
    return AssistanceSession.objects.get(pk=session.pk)


def test_the_log_needs_view_assistance_log(client, enabled, ada):
    # given
    login_staff(client, services.PERMISSION)
    without = client.get(LOG_URL)
    login_staff(client, services.PERMISSION, services.LOG_PERMISSION, username="auditor")

    # when
    response = client.get(LOG_URL)

    # then
    assert without.status_code == 403
    assert response.status_code == 200


def test_the_log_lists_opened_sessions_but_not_unused_links(superuser_client, enabled, ada):
    # given
    helper = make_staff_user("helper", permissions=[services.PERMISSION])
    opened = opened_session(ada, helper)
    services.start_assistance(customer=ada, actor=Actor.staff(helper), may=True)

    # when
    response = superuser_client.get(LOG_URL)

    # then
    assert AssistanceSession.objects.count() == 2
    assert [s.pk for s in response.context["cl"].result_list] == [opened.pk]
    text = html(response)
    assert "ada@example.com" in text
    assert "helper" in text


def test_the_csv_export_is_recorded_in_the_staff_action_log(client, enabled, ada):
    # given
    helper = make_staff_user("helper", permissions=[services.PERMISSION])
    session = opened_session(ada, helper)
    auditor = login_staff(client, services.LOG_PERMISSION, username="auditor")

    # when
    response = client.post(
        LOG_URL, {"action": "export_csv", "_selected_action": [session.pk], "index": 0}
    )

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == [
        "Logged In", "Staff member", "Customer ID", "Customer Email", "Store View", "Ended",
        "Actions taken",
    ]  # fmt: skip
    assert [row[1:5] for row in rows[1:]] == [["helper", str(ada.pk), "ada@example.com", "default"]]
    action = StaffAction.objects.get()
    assert (action.action, action.count, action.actor_id) == (
        StaffActionKind.EXPORT,
        1,
        auditor.pk,
    )
    assert action.target == "login-as-customer-log.csv"
