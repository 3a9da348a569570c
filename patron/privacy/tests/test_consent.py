"""Consent records: newsletter and remote-assistance consent changes kept with when, where
(channel, store view), how (form or link) and by whom, written by the services that change
them, only when the consent actually changes; and the customer page's Consent section."""

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from patron.accounts import services as account_services
from patron.core.actors import SYSTEM, Actor
from patron.core.errors import InvalidInput
from patron.customers import services
from patron.customers.models import ConsentSource
from patron.customers.tests.factories import make_customer
from patron.privacy.consent import consent_history, record_consent
from patron.privacy.models import ConsentKind, ConsentRecord
from patron.testing.fixtures import (
    make_integration_token,
    make_staff_user,
    make_store_view,
)

PASSWORD = "Secret-password-1"
NEWSLETTER = ConsentKind.NEWSLETTER
ASSISTANCE = ConsentKind.REMOTE_ASSISTANCE
HEADER = ["When", "Consent", "Given/Withdrawn", "Where", "How", "By"]


@pytest.fixture
def customer(view_a):
    return make_customer("ada@example.com", store_view=view_a)


@pytest.fixture
def clerk(db):
    return make_staff_user("clerk", permissions=["customers.view_customer"])


@pytest.fixture
def view_a_fr(website_a):
    return make_store_view(website_a, "default_fr", "fr", name="Français")


def records(customer) -> list[tuple]:
    """The customer's records, oldest first, without the time."""
    return [
        (
            r.kind,
            r.granted,
            r.channel,
            r.method,
            r.store_view.code if r.store_view else None,
            r.actor_kind,
            r.actor_label,
        )
        for r in ConsentRecord.objects.filter(customer=customer)
        .select_related("store_view")
        .order_by("at", "pk")
    ]


def subscribe(customer, view, actor, source, **kwargs):
    return services.subscribe_newsletter(
        store_view=view, actor=actor, source=source, customer=customer, **kwargs
    )


# --- Newsletter ---------------------------------------------------------------------------------


def test_a_customer_subscribing_on_the_storefront_gives_consent_on_that_store_view(
    customer, view_a
):
    # given
    before = timezone.now()

    # when
    subscribe(customer, view_a, Actor.customer(customer), ConsentSource.ACCOUNT)

    # then
    assert records(customer) == [
        (NEWSLETTER, True, "storefront", "account", "default", "customer", "ada@example.com")
    ]
    assert ConsentRecord.objects.get().at >= before


def test_staff_unsubscribing_in_the_back_office_withdraws_consent(customer, view_a, clerk):
    # given
    subscribe(customer, view_a, Actor.customer(customer), ConsentSource.REGISTRATION)

    # when
    services.unsubscribe_newsletter(
        customer=customer, actor=Actor.staff(clerk), source=ConsentSource.BACK_OFFICE
    )

    # then
    assert records(customer) == [
        (NEWSLETTER, True, "storefront", "registration", "default", "customer", "ada@example.com"),
        (NEWSLETTER, False, "back_office", "back_office", "default", "staff", "clerk"),
    ]


def test_a_customer_changing_it_through_the_api_is_recorded_as_api(customer, view_a):
    # when
    subscribe(customer, view_a, Actor.customer(customer), ConsentSource.API)

    # then
    assert records(customer) == [
        (NEWSLETTER, True, "api", "api", "default", "customer", "ada@example.com")
    ]


def test_an_integration_and_an_import_are_recorded_as_api_and_import(customer, view_a):
    # given
    token, _secret = make_integration_token("Shop")

    # when
    subscribe(customer, view_a, Actor.integration(token), ConsentSource.API)
    services.unsubscribe_newsletter(customer=customer, actor=SYSTEM, source=ConsentSource.IMPORT)

    # then
    assert records(customer) == [
        (NEWSLETTER, True, "api", "api", "default", "integration", "Shop"),
        (NEWSLETTER, False, "import", "import", "default", "system", "Patron"),
    ]


def test_double_opt_in_gives_consent_only_when_the_link_is_followed(customer, view_a):
    # given
    pending, code = subscribe(
        customer, view_a, Actor.customer(customer), ConsentSource.ACCOUNT, require_confirmation=True
    )
    assert records(customer) == []

    # when
    services.confirm_newsletter(subscriber_id=pending.pk, code=code, actor=SYSTEM)

    # then
    assert records(customer) == [
        (NEWSLETTER, True, "storefront", "email_link", "default", "system", "Patron")
    ]


def test_unsubscribing_a_never_confirmed_subscription_withdraws_nothing(customer, view_a):
    # given
    subscribe(
        customer, view_a, Actor.customer(customer), ConsentSource.ACCOUNT, require_confirmation=True
    )

    # when
    changed = services.unsubscribe_newsletter(
        customer=customer, actor=Actor.customer(customer), source=ConsentSource.ACCOUNT
    )

    # then
    assert changed == 1
    assert records(customer) == []


def test_each_store_view_has_its_own_newsletter_consent(customer, view_a, view_a_fr):
    # given
    actor = Actor.customer(customer)
    subscribe(customer, view_a, actor, ConsentSource.ACCOUNT)

    # when
    subscribe(customer, view_a_fr, actor, ConsentSource.ACCOUNT)
    services.unsubscribe_newsletter(
        customer=customer, store_view=view_a, actor=actor, source=ConsentSource.ACCOUNT
    )

    # then
    assert [(granted, view) for _k, granted, _c, _m, view, *_ in records(customer)] == [
        (True, "default"),
        (True, "default_fr"),
        (False, "default"),
    ]


def test_a_guest_subscription_has_no_customer_to_record_for(view_a):
    # when
    services.subscribe_newsletter(
        store_view=view_a, actor=SYSTEM, source=ConsentSource.GUEST_FORM, email="guest@example.com"
    )

    # then
    assert ConsentRecord.objects.count() == 0


# --- Remote shopping assistance -----------------------------------------------------------------


def test_registering_with_the_box_ticked_gives_consent_on_the_registration_form(view_a):
    # when
    customer = account_services.register_customer(
        store_view=view_a, email="grace@example.com", password=PASSWORD,
        password_confirmation=PASSWORD, firstname="Grace", lastname="Hopper",
        allow_remote_assistance=True,
    )  # fmt: skip

    # then
    assert records(customer) == [
        (ASSISTANCE, True, "storefront", "registration", "default", "customer", "grace@example.com")
    ]


def test_registering_without_the_box_records_nothing(view_a):
    # when
    customer = account_services.register_customer(
        store_view=view_a, email="grace@example.com", password=PASSWORD,
        password_confirmation=PASSWORD, firstname="Grace", lastname="Hopper",
    )  # fmt: skip

    # then
    assert records(customer) == []


def test_the_customer_and_staff_changing_the_assistance_consent_are_both_recorded(customer, clerk):
    # given
    services.set_assistance_consent(customer=customer, allowed=True, actor=Actor.customer(customer))

    # when
    services.set_assistance_consent(
        customer=customer, allowed=False, actor=Actor.staff(clerk), reason="Asked by phone"
    )

    # then
    assert records(customer) == [
        (ASSISTANCE, True, "storefront", "account", None, "customer", "ada@example.com"),
        (ASSISTANCE, False, "back_office", "back_office", None, "staff", "clerk"),
    ]


def test_an_integration_changing_the_assistance_consent_is_recorded_as_api(customer):
    # given
    token, _secret = make_integration_token("Helpdesk")

    # when
    services.set_assistance_consent(
        customer=customer, allowed=True, actor=Actor.integration(token), reason="Ticket 42"
    )

    # then
    assert records(customer) == [(ASSISTANCE, True, "api", "api", None, "integration", "Helpdesk")]


def test_a_refused_consent_change_records_nothing(customer, clerk):
    # when
    with pytest.raises(InvalidInput) as refused:
        services.set_assistance_consent(customer=customer, allowed=True, actor=Actor.staff(clerk))

    # then
    assert (refused.value.code, refused.value.field) == ("required", "assistance_reason")
    assert records(customer) == []


def test_other_account_changes_record_no_consent(customer):
    # when
    services.update_customer(customer=customer, actor=SYSTEM, firstname="Augusta")

    # then
    assert records(customer) == []


# --- The service itself -------------------------------------------------------------------------


def test_the_same_state_again_adds_no_record(customer, view_a):
    # given
    first = record_consent(
        customer=customer, kind=NEWSLETTER, granted=True, channel="import", method="import",
        store_view=view_a, actor=SYSTEM,
    )  # fmt: skip

    # when
    again = record_consent(
        customer=customer, kind=NEWSLETTER, granted=True, channel="api", method="api",
        store_view=view_a, actor=SYSTEM,
    )  # fmt: skip

    # then
    assert first is not None
    assert again is None
    assert ConsentRecord.objects.count() == 1


def test_a_withdrawal_without_earlier_records_is_kept(customer):
    # given: an account from before consent records existed
    # when
    record = record_consent(
        customer=customer, kind=ASSISTANCE, granted=False, channel="back_office",
        method="back_office", actor=SYSTEM,
    )  # fmt: skip

    # then
    assert record is not None
    assert records(customer) == [
        (ASSISTANCE, False, "back_office", "back_office", None, "system", "Patron")
    ]


def test_an_unknown_kind_is_refused(customer):
    # when
    with pytest.raises(InvalidInput) as refused:
        record_consent(
            customer=customer, kind="cookies", granted=True, channel="api", method="api",
            actor=SYSTEM,
        )  # fmt: skip

    # then
    assert refused.value.problems[0].field == "kind"
    assert ConsentRecord.objects.count() == 0


def test_history_is_newest_first(customer, view_a):
    # given
    actor = Actor.customer(customer)
    subscribe(customer, view_a, actor, ConsentSource.ACCOUNT)
    services.unsubscribe_newsletter(customer=customer, actor=actor, source=ConsentSource.ACCOUNT)
    ConsentRecord.objects.filter(granted=True).update(at=timezone.now() - dt.timedelta(minutes=5))

    # when
    history = consent_history(customer)

    # then
    assert [record.granted for record in history] == [False, True]


# --- The customer page --------------------------------------------------------------------------


class _Table(HTMLParser):
    """The text of each cell of each row of the table with ``id``."""

    def __init__(self, table_id: str):
        super().__init__()
        self.table_id, self.rows, self._inside, self._cell = table_id, [], False, None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id") == self.table_id:
            self._inside = True
        elif self._inside and tag == "tr":
            self.rows.append([])
        elif self._inside and tag in ("td", "th"):
            self._cell = []
        elif self._cell is not None and tag == "div":
            self._cell.append(" | ")

    def handle_endtag(self, tag):
        if tag == "table":
            self._inside = False
        elif tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(re.sub(r"\s+", " ", "".join(self._cell)).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def consent_table(response) -> list[list[str]]:
    parser = _Table("consent-history")
    parser.feed(response.content.decode())
    return parser.rows


def page_url(customer, section: str = "consent") -> str:
    return f"/admin/customers/customer/{customer.pk}/change/?section={section}"


def section_codes(response) -> list[str]:
    return [section.code for section in response.context["sections"]]


def test_the_customer_page_shows_each_consent_change(client, customer, view_a_fr):
    # given
    staff = make_staff_user("root", superuser=True)
    subscribe(customer, view_a_fr, Actor.customer(customer), ConsentSource.API)
    services.set_assistance_consent(
        customer=customer, allowed=True, actor=Actor.staff(staff), reason="Asked by phone"
    )
    client.force_login(staff)

    # when
    response = client.get(page_url(customer))

    # then
    assert response.status_code == 200
    rows = consent_table(response)
    assert rows[0] == HEADER
    assert [row[1:] for row in rows[1:]] == [
        [
            "Remote shopping assistance",
            "Given",
            "Back office",
            "Back office",
            "root (Staff member)",
        ],
        ["Newsletter", "Given", "API | Français", "API", "ada@example.com (Customer)"],
    ]


def test_a_staff_members_newsletter_change_on_the_page_appears_in_the_section(
    client, customer, view_a
):
    # given
    client.force_login(make_staff_user("root", superuser=True))

    # when
    client.post(page_url(customer, "newsletter"), {"store_views": [view_a.pk]})
    response = client.get(page_url(customer))

    # then
    assert [row[1:] for row in consent_table(response)[1:]] == [
        [
            "Newsletter",
            "Given",
            "Back office | Default Store View",
            "Back office",
            "root (Staff member)",
        ]
    ]


def test_a_customer_without_consent_changes_shows_an_empty_history(client, customer):
    # given
    client.force_login(make_staff_user("root", superuser=True))

    # when
    response = client.get(page_url(customer))

    # then
    assert consent_table(response) == []
    assert "No consent has been given or withdrawn yet." in response.content.decode()


@pytest.mark.parametrize(
    ("permissions", "shown"),
    [([], False), (["privacy.view_consentrecord"], True)],
    ids=["without_permission_case", "with_permission_case"],
)
def test_the_section_needs_the_view_consent_permission(client, customer, permissions, shown):
    # given
    user = make_staff_user(
        "clerk2", permissions=["customers.view_customer", "customers.change_customer", *permissions]
    )
    client.force_login(user)

    # when
    response = client.get(page_url(customer, "account"))

    # then
    assert ("consent" in section_codes(response)) is shown
