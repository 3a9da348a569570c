"""Back office: the customer page's Store Credit section (spec b §9, checks 27, 29, 30) over HTTP:
the balance on each website, the Balance History grid, Update Balance through
``services.update_balance``, its permissions, and the balances at the foot of Customer View."""

import datetime as dt
import re
from decimal import Decimal
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.core import mail

from patron.core.actors import SYSTEM, Actor
from patron.credit import services
from patron.credit.models import StoreCreditBalance, StoreCreditHistory, StoreCreditLot
from patron.customers.tests.factories import make_customer, share_accounts
from patron.mail.models import OutboxMessage
from patron.scopes import services as scope_services
from patron.staff.models import StaffProfile
from patron.testing.fixtures import make_staff_user, make_store_view, set_config

VIEW = "credit.view_storecreditbalance"
UPDATE = "credit.add_storecredithistory"
HISTORY_HEADER = [
    "Date", "Website", "Action", "Balance Change", "Balance", "Customer notified?",
    "More information",
]  # fmt: skip


@pytest.fixture
def website_b(db):
    from patron.testing.fixtures import make_website

    return make_website("second", name="Second Website", base_currency="EUR", sort_order=5)


@pytest.fixture
def view_b(website_b):
    return make_store_view(website_b, "second_en", "en", name="Second English", is_default=True)


@pytest.fixture
def customer(view_a):
    return make_customer("ada@example.com", store_view=view_a)


@pytest.fixture
def staff_client(client, db):
    client.force_login(make_staff_user("root", superuser=True))
    return client


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the block's on-commit work (mail delivery) as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def login_staff(client, *permissions: str, username: str = "clerk"):
    user = make_staff_user(username, permissions=["customers.view_customer", *permissions])
    client.force_login(user)
    return user


def section_url(customer, section: str = "store_credit") -> str:
    return f"/admin/customers/customer/{customer.pk}/change/?section={section}"


def section_codes(response) -> list[str]:
    return [section.code for section in response.context["sections"]]


def credit(customer, website, delta, comment="", **fields):
    actor = fields.pop("actor", SYSTEM)
    return services.update_balance(
        customer=customer, website=website, delta=Decimal(delta), actor=actor, comment=comment,
        **fields,
    )  # fmt: skip


def update_form(**overrides) -> dict:
    return {"delta": "50", "comment": "Goodwill", **overrides}


def messages_of(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


class _Table(HTMLParser):
    """The text of each cell of each row of the table with ``id``, header row included."""

    def __init__(self, table_id: str):
        super().__init__()
        self.table_id, self.rows, self._depth, self._cell = table_id, [], 0, None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and (self._depth or dict(attrs).get("id") == self.table_id):
            self._depth += 1
        elif self._depth and tag == "tr":
            self.rows.append([])
        elif self._depth and tag in ("td", "th"):
            self._cell = []
        elif self._cell is not None and tag == "div":
            self._cell.append(" | ")

    def handle_endtag(self, tag):
        if tag == "table" and self._depth:
            self._depth -= 1
        elif tag in ("td", "th") and self._cell is not None:
            text = " ".join("".join(self._cell).split()).strip(" |")
            self.rows[-1].append(re.sub(r"(\s*\|\s*)+", " | ", text))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def table(response, table_id: str) -> list[list[str]]:
    parser = _Table(table_id)
    parser.feed(response.content.decode())
    return parser.rows


def history_rows(response) -> list[list[str]]:
    rows = table(response, "store-credit-history")
    assert not rows or rows[0] == HISTORY_HEADER
    return [row[1:] for row in rows[1:]]  # without the date


def balances(customer) -> dict[str, Decimal]:
    return {b.website.code: b.amount for b in StoreCreditBalance.objects.filter(customer=customer)}


# --- The section and its switch -----------------------------------------------------------------


def test_the_section_follows_the_commerce_sections_and_shows_each_websites_balance(
    staff_client, customer, website_a, website_b
):
    # given: accounts shared by all websites, credit on the first website only
    share_accounts("global")
    credit(customer, website_a, "50")

    # when
    response = staff_client.get(section_url(customer))

    # then: in the website's base currency, zero where nothing was credited
    assert response.status_code == 200
    codes = section_codes(response)
    assert codes.index("store_credit") == codes.index("reviews") + 1
    assert re.search(r"<section aria-label=\"Store Credit\">\s*<h2>Store Credit</h2>",
                     response.content.decode())  # fmt: skip
    assert table(response, "store-credit-balances") == [
        ["Website", "Balance"],
        ["Main Website", "$50.00"],
        ["Second Website", "€0.00"],
    ]


def test_with_store_credit_disabled_the_section_and_its_form_are_gone(
    staff_client, customer, website_a
):
    # given
    credit(customer, website_a, "10")
    set_config({services.ENABLED: False})

    # when
    page = staff_client.get(section_url(customer, "customer_view"))
    section = staff_client.get(section_url(customer))
    posted = staff_client.post(section_url(customer), update_form())

    # then: check 27
    assert "store_credit" not in section_codes(page)
    assert "Store Credit" not in page.content.decode()
    assert section.status_code == 404
    assert posted.status_code == 404
    assert balances(customer) == {"base": Decimal("10")}


def test_the_section_needs_the_view_permission(client, customer):
    # given
    login_staff(client)
    without = client.get(section_url(customer, "customer_view"))
    opened_without = client.get(section_url(customer))
    login_staff(client, VIEW, username="viewer")

    # when
    response = client.get(section_url(customer))

    # then: the balance and history, without the form
    assert "store_credit" not in section_codes(without)
    assert opened_without.status_code == 404
    assert response.status_code == 200
    assert table(response, "store-credit-balances")[1] == ["Main Website", "$0.00"]
    assert 'id="update-balance-form"' not in response.content.decode()


def test_updating_needs_the_update_permission(client, customer):
    # given
    login_staff(client, VIEW)

    # when
    response = client.post(section_url(customer), update_form())

    # then
    assert response.status_code == 403
    assert balances(customer) == {}


def test_staff_with_the_update_permission_get_the_form(client, customer):
    # given
    login_staff(client, VIEW, UPDATE)

    # when
    response = client.get(section_url(customer))

    # then: no Website field with a single website; the customer's store view preselected
    form = response.context["form"]
    assert list(form.fields) == ["delta", "comment", "notify", "notify_from", "expires_at"]
    assert form.fields["notify_from"].initial == customer.created_in_id
    assert 'id="update-balance-form"' in response.content.decode()


# --- Update Balance -----------------------------------------------------------------------------


def test_an_update_changes_the_chosen_websites_balance_only_with_one_updated_row(
    client, customer, website_a, website_b, view_b
):
    # given: shared accounts, a balance of 0 on website A and 30 on website B
    share_accounts("global")
    credit(customer, website_a, "10")
    credit(customer, website_a, "-10")
    credit(customer, website_b, "30")
    clerk = login_staff(client, VIEW, UPDATE)
    rows_before = StoreCreditHistory.objects.count()

    # when: check 29
    response = client.post(
        section_url(customer), update_form(website=website_a.pk, comment="Apology for the delay")
    )

    # then
    assert response.status_code == 302
    assert response["Location"] == section_url(customer)
    assert messages_of(response) == [("success", "You updated the store credit balance.")]
    assert balances(customer) == {"base": Decimal("50"), "second": Decimal("30")}
    assert StoreCreditHistory.objects.count() == rows_before + 1
    entry = StoreCreditHistory.objects.first()
    assert (entry.balance.website, entry.action, entry.delta, entry.balance_after) == (
        website_a, "updated", Decimal("50"), Decimal("50"),
    )  # fmt: skip
    assert entry.comment == "Apology for the delay"
    assert entry.actor == Actor.staff(clerk)


def test_the_first_update_of_a_website_records_created(staff_client, customer):
    # when
    staff_client.post(section_url(customer), update_form(delta="12.5"))

    # then: Magento's action for a new balance
    entry = StoreCreditHistory.objects.get()
    assert (entry.action, entry.delta, entry.balance_after) == (
        "created", Decimal("12.5"), Decimal("12.5"),
    )  # fmt: skip


def test_a_negative_amount_takes_from_the_balance(staff_client, customer, website_a):
    # given
    credit(customer, website_a, "40")

    # when
    response = staff_client.post(section_url(customer), update_form(delta="-15.25"))

    # then
    assert response.status_code == 302
    assert balances(customer) == {"base": Decimal("24.75")}


def test_going_below_zero_is_refused_with_the_balance_next_to_the_field(
    staff_client, customer, website_a
):
    # given
    credit(customer, website_a, "20")

    # when
    response = staff_client.post(section_url(customer), update_form(delta="-30"))

    # then: nothing changed, the form comes back with what was typed
    message = "The store credit balance is $20.00; it cannot go below zero."
    assert response.status_code == 400
    assert response.context["form"].errors == {"delta": [message]}
    row = re.search(
        r'<div class="form-row errors">(?:(?!</div>).)*?name="delta"', response.content.decode(),
        re.S,
    )  # fmt: skip
    assert row is not None and message in row.group(0)
    assert 'value="-30"' in response.content.decode()
    assert balances(customer) == {"base": Decimal("20")}
    assert StoreCreditHistory.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"delta": "0"}, "delta", "Enter an amount other than zero."),
        ({"delta": ""}, "delta", "This field is required."),
        ({"delta": "ten"}, "delta", "Enter a number."),
        ({"notify": "on", "notify_from": ""}, "notify_from",
         "Choose the store view to send the email notification from."),
        ({"delta": "-5", "expires_at": "2099-01-01"}, "expires_at",
         "Only an added amount can expire, and only in the future."),
        ({"expires_at": "2001-01-01"}, "expires_at",
         "Only an added amount can expire, and only in the future."),
    ],
    ids=["zero", "missing", "not_a_number", "notify_without_store_view", "negative_expiring",
         "expired"],
)  # fmt: skip
def test_an_invalid_update_changes_nothing_and_names_its_field(
    staff_client, customer, data, field, message
):
    # when
    response = staff_client.post(section_url(customer), update_form(**data))

    # then
    assert response.status_code == 400
    assert response.context["form"].errors == {field: [message]}
    assert StoreCreditHistory.objects.count() == 0
    assert mail.outbox == []


def test_the_website_field_appears_with_several_websites_and_a_store_view_of_another_is_refused(
    staff_client, customer, website_a, website_b, view_b
):
    # given
    share_accounts("global")

    # when
    page = staff_client.get(section_url(customer))
    response = staff_client.post(
        section_url(customer),
        update_form(website=website_a.pk, notify="on", notify_from=view_b.pk),
    )

    # then
    form = page.context["form"]
    assert list(form.fields["website"].queryset) == [website_a, website_b]
    assert form.fields["website"].initial == website_a.pk
    assert [label for _value, label in form.fields["notify_from"].choices][1:] == [
        "Main Website / Default Store View", "Second Website / Second English",
    ]  # fmt: skip
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "notify_from": ["Send the email from a store view of the same website."]
    }
    assert balances(customer) == {}


def test_without_shared_accounts_only_the_customers_website_can_be_credited(
    staff_client, customer, website_b, view_b
):
    # when
    page = staff_client.get(section_url(customer))
    response = staff_client.post(
        section_url(customer), update_form(website=website_b.pk, notify="on", notify_from=view_b.pk)
    )

    # then: a website sent anyway is ignored, and the other website's store view refused
    assert "website" not in page.context["form"].fields
    assert table(page, "store-credit-balances")[1:] == [["Main Website", "$0.00"]]
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "notify_from": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert balances(customer) == {}


def test_notifying_sends_one_email_with_the_store_views_sender_and_template(
    staff_client, customer, view_a, committed
):
    # given: a second store view of the same website with its own sender and template
    french = make_store_view(view_a.store.website, "fr", "fr", store=view_a.store, name="Français")
    set_config(
        {services.EMAIL_IDENTITY: "support",
         services.EMAIL_TEMPLATE: "customer_create_account_email_template"},
        store_view=french,
    )  # fmt: skip

    # when: check 30
    with committed():
        response = staff_client.post(
            section_url(customer), update_form(notify="on", notify_from=french.pk)
        )

    # then
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ada@example.com"]
    assert mail.outbox[0].from_email == "Customer Support <support@example.com>"
    outbox = OutboxMessage.objects.get()
    assert (outbox.template_code, outbox.store_view, outbox.language) == (
        "customer_create_account_email_template", french, "fr",
    )  # fmt: skip
    assert StoreCreditHistory.objects.get().notified is True


def test_without_notify_no_email_is_sent_even_with_a_store_view_chosen(
    staff_client, customer, view_a, committed
):
    # when: check 30, unticked
    with committed():
        response = staff_client.post(section_url(customer), update_form(notify_from=view_a.pk))

    # then
    assert response.status_code == 302
    assert mail.outbox == []
    assert OutboxMessage.objects.count() == 0
    assert StoreCreditHistory.objects.get().notified is False


def test_an_expiry_date_makes_the_credit_expire_at_the_end_of_that_day_on_the_website(
    staff_client, customer, website_a
):
    # given
    scope_services.save_website(website=website_a, time_zone="Asia/Tokyo")
    scope_services.invalidate_caches()

    # when
    response = staff_client.post(section_url(customer), update_form(expires_at="2099-03-31"))

    # then
    assert response.status_code == 302
    lot = StoreCreditLot.objects.get()
    assert lot.expires_at == dt.datetime(2099, 4, 1, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert lot.remaining == Decimal("50")


# --- Balance History ----------------------------------------------------------------------------


def test_the_history_shows_each_change_with_its_details(staff_client, customer, website_a, view_a):
    # given
    clerk = make_staff_user("grace", permissions=[VIEW])
    credit(customer, website_a, "50", "Welcome", actor=Actor.staff(clerk), notify_from=view_a)
    services.spend(customer=customer, website=website_a, amount=Decimal("12.5"),
                   order_number="100001", actor=SYSTEM)  # fmt: skip
    services.refund(customer=customer, website=website_a, amount=Decimal("2.5"),
                    refund_number="100001/CM-1", actor=SYSTEM)  # fmt: skip

    # when
    response = staff_client.get(section_url(customer))

    # then: newest first
    assert history_rows(response) == [
        ["Main Website", "Refunded", "+$2.50", "$40.00", "No",
         "Credit memo #100001/CM-1 | By System Patron"],
        ["Main Website", "Used", "-$12.50", "$37.50", "No", "Order #100001 | By System Patron"],
        ["Main Website", "Created", "+$50.00", "$50.00", "Yes",
         "Welcome | By staff member grace"],
    ]  # fmt: skip
    dates = [row[0] for row in table(response, "store-credit-history")[1:]]
    assert all(dates), dates


def test_the_history_lists_every_website_in_its_currency(
    staff_client, customer, website_a, website_b
):
    # given
    share_accounts("global")
    credit(customer, website_a, "5")
    credit(customer, website_b, "7")

    # when
    response = staff_client.get(section_url(customer))

    # then
    assert [row[:4] for row in history_rows(response)] == [
        ["Second Website", "Created", "+€7.00", "€7.00"],
        ["Main Website", "Created", "+$5.00", "$5.00"],
    ]


def test_the_history_is_paginated(staff_client, customer, website_a):
    # given: 25 changes
    for number in range(1, 26):
        credit(customer, website_a, "1", f"Change {number}")

    # when
    first = staff_client.get(section_url(customer))
    second = staff_client.get(section_url(customer) + "&page=2")
    beyond = staff_client.get(section_url(customer) + "&page=99")

    # then
    assert len(history_rows(first)) == 20
    assert history_rows(first)[0][5].startswith("Change 25")
    assert [row[5].split(" |")[0] for row in history_rows(second)] == [
        f"Change {number}" for number in range(5, 0, -1)
    ]
    assert 'href="?section=store_credit&amp;page=2" rel="next"' in first.content.decode()
    assert "Page 2 of 2" in second.content.decode()
    assert history_rows(beyond) == history_rows(second)


def test_an_empty_history_says_so(staff_client, customer):
    # when
    response = staff_client.get(section_url(customer))

    # then
    assert table(response, "store-credit-history") == []
    assert "The balance has not changed yet." in response.content.decode()


def test_staff_limited_to_a_website_see_and_change_only_its_balance(
    client, customer, website_a, website_b, view_b
):
    # given: shared accounts, credit on both websites, a clerk of website A only
    share_accounts("global")
    credit(customer, website_a, "5")
    credit(customer, website_b, "7")
    clerk = login_staff(client, VIEW, UPDATE)
    StaffProfile.objects.create(user=clerk).websites.set([website_a])

    # when
    page = client.get(section_url(customer))
    response = client.post(section_url(customer), update_form(website=website_b.pk, delta="1"))

    # then: website B's balance and history are neither shown nor changed
    assert table(page, "store-credit-balances")[1:] == [["Main Website", "$5.00"]]
    assert [row[0] for row in history_rows(page)] == ["Main Website"]
    assert "website" not in page.context["form"].fields
    assert response.status_code == 302
    assert balances(customer) == {"base": Decimal("6"), "second": Decimal("7")}


# --- Customer View ------------------------------------------------------------------------------


def test_customer_view_ends_with_the_store_credit_balance(
    staff_client, customer, website_a, website_b
):
    # given
    share_accounts("global")
    credit(customer, website_b, "7.5")

    # when
    response = staff_client.get(section_url(customer, "customer_view"))

    # then
    html = response.content.decode()
    assert html.index("Default Billing Address") < html.index("<h2>Store Credit Balance</h2>")
    block = re.search(r'<dl class="patron-summary" id="customer-view-store-credit">(.*?)</dl>',
                      html, re.S).group(1)  # fmt: skip
    assert re.findall(r"<d[td]>([^<]*)</d[td]>", block) == [
        "Main Website", "$0.00", "Second Website", "€7.50",
    ]  # fmt: skip


@pytest.mark.parametrize("switch", ["permission", "disabled"])
def test_customer_view_has_no_balance_without_permission_or_when_disabled(client, customer, switch):
    # given
    if switch == "permission":
        login_staff(client)
    else:
        login_staff(client, VIEW)
        set_config({services.ENABLED: False})

    # when
    response = client.get(section_url(customer, "customer_view"))

    # then
    assert response.status_code == 200
    assert "Store Credit Balance" not in response.content.decode()


# --- Known bugs ---------------------------------------------------------------------------------


def test_the_configuration_has_one_store_credit_switch(db):
    from patron.scopes.config import all_fields

    # when
    switches = [f.path for f in all_fields() if str(f.label) == "Enable Store Credit Functionality"]

    # then
    assert switches == [services.ENABLED]
