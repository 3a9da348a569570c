"""The customers grid: its index rows kept by the services in the same transaction, rebuild,
search, filters, sort, the capped count, the grid API and the CSV / Excel XML export."""

import csv
import datetime as dt
import functools
import io
import re
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from patron.accounts import services as account_services
from patron.core.actors import SYSTEM
from patron.core.errors import Conflict, InvalidInput, NotAuthenticated
from patron.core.models import Job, JobState
from patron.customers import grid, services
from patron.customers.models import Customer, CustomerGridRow, CustomerGroup
from patron.customers.tests.factories import make_address, make_customer
from patron.testing.fixtures import bearer, make_integration_token, make_staff_user, set_config

GRID_URL = "/api/v1/customers/grid"
EXPORT_URL = "/api/v1/customers/grid/export"
LOCKOUT_FAILURES = "customer/password/lockout_failures"
GENERAL, WHOLESALE, RETAILER = 1, 2, 3
PASSWORD = "Right-password-1"
SS = "urn:schemas-microsoft-com:office:spreadsheet"


def row_of(customer: Customer) -> CustomerGridRow:
    return CustomerGridRow.objects.get(pk=customer.pk)


def values_of(row: CustomerGridRow) -> dict:
    return {f.attname: getattr(row, f.attname) for f in CustomerGridRow._meta.concrete_fields}


def emails(rows) -> list[str]:
    return [row.email for row in rows]


def set_created_at(customer: Customer, moment: dt.datetime) -> None:
    """Back-date a sign-up (the field is auto_now_add) and rewrite the customer's grid row."""
    Customer.objects.filter(pk=customer.pk).update(created_at=moment)
    grid.refresh_rows([customer.pk])


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


@pytest.fixture
def lovelace(view_a):
    """Ada Lovelace with one (default billing and shipping) address in Boston."""
    customer = make_customer("ada@example.com", store_view=view_a, taxvat="DE123456789")
    make_address(customer, street=["12 Analytical Row", "Flat 3"], company="Engines Ltd")
    customer.refresh_from_db()
    return customer


@pytest.fixture
def hopper(view_a):
    """Grace Hopper, in Austin, in the Wholesale group."""
    customer = make_customer(
        "grace@example.com",
        store_view=view_a,
        firstname="Grace",
        lastname="Hopper",
        group=CustomerGroup.objects.get(pk=WHOLESALE),
    )
    make_address(
        customer,
        firstname="Grace",
        lastname="Hopper",
        street=["7 Compiler Street"],
        city="Austin",
        region="Texas",
        region_code="TX",
        postcode="73301",
        telephone="+1 512 555 0142",
    )
    customer.refresh_from_db()
    return customer


@pytest.fixture
def byron(view_b):
    """Ada Byron on the second website, without an address."""
    return make_customer("byron@example.org", store_view=view_b, firstname="Ada", lastname="Byron")


# --- The row follows every change, in the same transaction ------------------------------------


def test_creating_a_customer_writes_its_row(view_a):
    # when
    customer = make_customer("ada@example.com", store_view=view_a, gender=2)

    # then
    row = row_of(customer)
    assert values_of(row) == {
        "customer_id": customer.pk,
        "website_id": view_a.store.website_id,
        "group_id": GENERAL,
        "created_in_id": view_a.pk,
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "telephone": "",
        "postcode": "",
        "country_id": "",
        "region": "",
        "city": "",
        "street": "",
        "company": "",
        "fax": "",
        "vat_id": "",
        "billing_firstname": "",
        "billing_lastname": "",
        "billing_full": "",
        "shipping_full": "",
        "dob": None,
        "taxvat": "",
        "gender": 2,
        "is_active": True,
        "confirmed": True,
        "lock_expires_at": None,
        "created_at": customer.created_at,
        "search_text": "ada lovelace ada@example.com",
        "custom_attributes": {},
    }


def test_the_row_rolls_back_with_the_change_it_reflects(lovelace):
    # given
    before = values_of(row_of(lovelace))

    # when: the caller's transaction fails after the update
    with pytest.raises(RuntimeError), transaction.atomic():
        services.update_customer(customer=lovelace, actor=SYSTEM, lastname="King")
        assert row_of(lovelace).name == "Ada King"  # written at once, not after commit
        raise RuntimeError("the caller fails")

    # then
    assert values_of(row_of(lovelace)) == before
    assert Customer.objects.get(pk=lovelace.pk).lastname == "Lovelace"


def test_changing_name_and_email_rewrites_the_row(lovelace):
    # when
    services.update_customer(
        customer=lovelace, actor=SYSTEM, firstname="Augusta", email="Augusta@Example.com"
    )

    # then
    row = row_of(lovelace)
    assert (row.name, row.email) == ("Augusta Lovelace", "augusta@example.com")
    assert row.search_text == (
        "augusta lovelace augusta@example.com de123456789 +1 617-555-0100 02108 boston "
        "massachusetts 12 analytical row, flat 3 engines ltd"
    )


def test_a_refused_update_leaves_the_row_unchanged(lovelace, hopper):
    # given
    before = values_of(row_of(lovelace))

    # when
    with pytest.raises(InvalidInput) as invalid:
        services.update_customer(customer=lovelace, actor=SYSTEM, email="not-an-email")
    with pytest.raises(Conflict) as taken:
        services.update_customer(customer=lovelace, actor=SYSTEM, email="grace@example.com")

    # then
    assert invalid.value.code == "invalid_email"
    assert taken.value.code == "email_taken"
    assert values_of(row_of(lovelace)) == before


def test_changing_the_group_rewrites_the_row(lovelace):
    # when
    services.change_group(
        customer=lovelace, group=CustomerGroup.objects.get(pk=RETAILER), actor=SYSTEM
    )

    # then
    assert row_of(lovelace).group_id == RETAILER


def test_the_first_address_fills_the_billing_and_shipping_columns(lovelace):
    # given: the fixture added the first address

    # then
    row = row_of(lovelace)
    assert (
        row.telephone,
        row.postcode,
        row.country_id,
        row.region,
        row.city,
        row.street,
        row.company,
        row.billing_firstname,
        row.billing_lastname,
    ) == (
        "+1 617-555-0100",
        "02108",
        "US",
        "Massachusetts",
        "Boston",
        "12 Analytical Row, Flat 3",
        "Engines Ltd",
        "Ada",
        "Lovelace",
    )
    assert row.billing_full == "12 Analytical Row, Flat 3, Boston, Massachusetts, 02108, US"
    assert row.shipping_full == row.billing_full


def test_updating_the_default_billing_address_rewrites_the_row(lovelace):
    # when
    services.update_address(
        address=lovelace.default_billing,
        actor=SYSTEM,
        street=["1 Bernoulli Way"],
        city="Austin",
        region="Texas",
        region_code="TX",
        postcode="73301",
        telephone="+1 512 555 0199",
    )

    # then
    row = row_of(lovelace)
    assert (row.telephone, row.postcode, row.country_id, row.region, row.billing_full) == (
        "+1 512-555-0199",
        "73301",
        "US",
        "Texas",
        "1 Bernoulli Way, Austin, Texas, 73301, US",
    )


def test_changing_the_default_billing_address_switches_the_columns(lovelace):
    # given
    berlin = make_address(
        lovelace,
        street=["Hauptstraße 5"],
        city="Berlin",
        country_id="DE",
        region="Berlin",
        region_code="BER",
        postcode="10115",
        telephone="+49 30 1234567",
    )
    assert row_of(lovelace).country_id == "US"  # a second address is not a default

    # when
    services.set_default_address(address=berlin, actor=SYSTEM, billing=True)

    # then
    row = row_of(lovelace)
    assert (row.telephone, row.postcode, row.country_id, row.region, row.billing_full) == (
        "+49 30 1234567",
        "10115",
        "DE",
        "Berlin",
        "Hauptstraße 5, Berlin, Berlin, 10115, DE",
    )
    assert row.shipping_full == "12 Analytical Row, Flat 3, Boston, Massachusetts, 02108, US"


def test_changing_an_address_that_is_no_default_leaves_the_row(lovelace):
    # given
    other = make_address(lovelace, city="Cambridge", postcode="02139")
    before = values_of(row_of(lovelace))

    # when
    services.update_address(address=other, actor=SYSTEM, city="Salem")
    services.delete_address(address=other, actor=SYSTEM)

    # then
    assert values_of(row_of(lovelace)) == before


def test_deleting_the_last_address_clears_the_address_columns(lovelace):
    # when
    services.delete_address(address=lovelace.default_billing, actor=SYSTEM)

    # then
    row = row_of(lovelace)
    assert (row.telephone, row.postcode, row.country_id, row.region, row.street) == ("",) * 5
    assert (row.billing_full, row.shipping_full) == ("", "")
    assert row.search_text == "ada lovelace ada@example.com de123456789"


def test_lockout_locks_the_row_and_unlocking_clears_it(view_a):
    # given
    set_config({LOCKOUT_FAILURES: 2})
    customer = make_customer("ada@example.com", store_view=view_a, password=PASSWORD)

    # when
    for _attempt in range(2):
        with pytest.raises(NotAuthenticated):
            account_services.authenticate(
                store_view=view_a, email="ada@example.com", password="Wrong-1"
            )

    # then
    locked_until = Customer.objects.get(pk=customer.pk).lock_expires_at
    assert locked_until is not None
    assert row_of(customer).lock_expires_at == locked_until
    assert emails(grid.search_grid(filters={"lock": "Locked"})) == ["ada@example.com"]

    # when
    account_services.unlock_customer(customer=customer, actor=SYSTEM)

    # then
    assert row_of(customer).lock_expires_at is None
    assert emails(grid.search_grid(filters={"lock": "Locked"})) == []


def test_email_confirmation_moves_the_row_from_pending_to_confirmed(
    view_a, django_capture_on_commit_callbacks
):
    # given
    customer = make_customer("ada@example.com", store_view=view_a, confirmation_required=True)
    assert row_of(customer).confirmed is False
    with django_capture_on_commit_callbacks(execute=True):
        account_services.send_confirmation_email(customer=customer, store_view=view_a)
    key = re.search(r"key=([\w-]+)", mail.outbox[-1].body).group(1)

    # when
    account_services.confirm_email(customer_id=customer.pk, key=key)

    # then
    assert row_of(customer).confirmed is True


# --- Rebuild ------------------------------------------------------------------------------------


def test_rebuild_recreates_missing_rows_rewrites_stale_ones_and_removes_orphans(
    lovelace, hopper, byron
):
    # given
    expected = {row.pk: values_of(row) for row in CustomerGridRow.objects.all()}
    CustomerGridRow.objects.filter(pk=lovelace.pk).delete()
    CustomerGridRow.objects.filter(pk=hopper.pk).update(name="stale", search_text="")
    orphan = CustomerGridRow(**{**expected[byron.pk], "customer_id": byron.pk + 1000})
    orphan.save()
    seen = []

    # when
    written = grid.rebuild(batch_size=2, progress=seen.append)

    # then
    assert written == 3
    assert seen == [2, 3]
    assert {row.pk: values_of(row) for row in CustomerGridRow.objects.all()} == expected


def test_rebuild_command_rebuilds_and_records_the_job(lovelace, byron):
    # given
    CustomerGridRow.objects.all().delete()
    out = io.StringIO()

    # when
    call_command("rebuild_customer_grid", "--batch-size", "1", stdout=out)

    # then
    assert CustomerGridRow.objects.count() == 2
    assert out.getvalue().endswith("\nRebuilt 2 rows.\n")
    job = Job.objects.get(kind="customers.rebuild_grid")
    assert (job.state, job.done, job.total, job.result) == (JobState.SUCCEEDED, 2, 2, {"rows": 2})


# --- Keyword search -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "keyword",
    [
        "LOVELACE",  # name
        "ada@exa",  # email
        "617-555",  # phone of the default billing address
        "02108",  # ZIP
        "de12345",  # customer tax/VAT number
        "analytical",  # street
    ],
)
def test_keyword_searches_name_email_phone_zip_taxvat_and_street(keyword, lovelace, hopper, byron):
    # when
    rows = grid.search_grid(keyword=keyword)

    # then
    assert emails(rows) == ["ada@example.com"]


def test_keyword_words_must_all_match_in_any_case(lovelace, hopper, byron):
    # when
    both = grid.search_grid(keyword="ADA  Example")
    boston_ada = grid.search_grid(keyword="ada BOSTON")
    nobody = grid.search_grid(keyword="ada austin")

    # then
    assert emails(both) == ["ada@example.com", "byron@example.org"]
    assert emails(boston_ada) == ["ada@example.com"]
    assert emails(nobody) == []


# --- Filters ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"name": "OVEL"}, ["ada@example.com"]),
        ({"email": "example.org"}, ["byron@example.org"]),
        ({"telephone": "512-555"}, ["grace@example.com"]),
        ({"postcode": "733"}, ["grace@example.com"]),
        ({"region": "mass"}, ["ada@example.com"]),
        ({"street": "compiler"}, ["grace@example.com"]),
        ({"taxvat": "123"}, ["ada@example.com"]),
        ({"company": "engines"}, ["ada@example.com"]),
    ],
)
def test_text_filters_match_part_of_the_value(filters, expected, lovelace, hopper, byron):
    # when
    rows = grid.search_grid(filters=filters)

    # then
    assert emails(rows) == expected


def test_select_filters_match_exactly(lovelace, hopper, byron, website_b, view_b):
    # when
    by_group = grid.search_grid(filters={"group": str(WHOLESALE)})
    by_country = grid.search_grid(filters={"country": "US"})
    by_website = grid.search_grid(filters={"website": str(website_b.pk)})
    by_view = grid.search_grid(filters={"created_in": str(view_b.pk)})
    blank_ignored = grid.search_grid(filters={"group": "", "country": None})

    # then
    assert emails(by_group) == ["grace@example.com"]
    assert emails(by_country) == ["ada@example.com", "grace@example.com"]
    assert emails(by_website) == ["byron@example.org"]
    assert emails(by_view) == ["byron@example.org"]
    assert len(blank_ignored) == 3


def test_date_range_bounds_cover_whole_days(view_a):
    # given
    moments = {
        "before@example.com": at("2026-03-09T23:59:59"),
        "first@example.com": at("2026-03-10T00:00:00"),
        "last@example.com": at("2026-03-11T23:59:59.999999"),
        "after@example.com": at("2026-03-12T00:00:00"),
    }
    for email, moment in moments.items():
        set_created_at(make_customer(email, store_view=view_a), moment)

    # when
    rows = grid.search_grid(
        filters={"created_at__from": "2026-03-10", "created_at__to": "2026-03-11"}
    )
    newest_first = grid.search_grid(
        filters={"created_at__from": "2026-03-10", "created_at__to": "2026-03-11"},
        descending=True,
    )
    only_from = grid.search_grid(filters={"created_at__from": "2026-03-12"})

    # then
    assert emails(rows) == ["first@example.com", "last@example.com"]
    assert emails(newest_first) == ["last@example.com", "first@example.com"]
    assert emails(only_from) == ["after@example.com"]


def test_date_range_days_follow_the_active_time_zone(view_a):
    # given: 23:30 UTC on the 9th is already the 10th in Berlin
    set_created_at(make_customer("ada@example.com", store_view=view_a), at("2026-03-09T23:30:00"))

    # when
    with timezone.override("Europe/Berlin"):
        berlin = grid.search_grid(filters={"created_at__from": "2026-03-10"})
    utc = grid.search_grid(filters={"created_at__from": "2026-03-10"})

    # then
    assert emails(berlin) == ["ada@example.com"]
    assert emails(utc) == []


def test_date_of_birth_range_includes_both_bounds(view_a):
    # given
    for email, dob in [
        ("a@example.com", dt.date(1990, 1, 1)),
        ("b@example.com", dt.date(1990, 12, 31)),
        ("c@example.com", dt.date(1991, 1, 1)),
        ("d@example.com", None),
    ]:
        make_customer(email, store_view=view_a, dob=dob)

    # when
    rows = grid.search_grid(filters={"dob__from": "1990-01-01", "dob__to": "1990-12-31"})

    # then
    assert emails(rows) == ["a@example.com", "b@example.com"]


def test_id_range_includes_both_bounds(lovelace, hopper, byron):
    # when
    rows = grid.search_grid(filters={"id__from": str(hopper.pk), "id__to": str(byron.pk)})
    from_only = grid.search_grid(filters={"id__from": str(byron.pk)})

    # then
    assert emails(rows) == ["grace@example.com", "byron@example.org"]
    assert emails(from_only) == ["byron@example.org"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Locked", ["grace@example.com"]),
        ("locked", ["grace@example.com"]),
        ("1", ["grace@example.com"]),
        ("Unlocked", ["ada@example.com", "byron@example.org"]),
        ("0", ["ada@example.com", "byron@example.org"]),
    ],
)
def test_lock_filter_separates_locked_from_unlocked_accounts(
    value, expected, lovelace, hopper, byron
):
    # given: Grace is locked; Ada's lock has expired; Byron was never locked
    now = timezone.now()
    Customer.objects.filter(pk=hopper.pk).update(lock_expires_at=now + dt.timedelta(minutes=9))
    Customer.objects.filter(pk=lovelace.pk).update(lock_expires_at=now - dt.timedelta(minutes=1))
    grid.refresh_rows([hopper.pk, lovelace.pk])

    # when
    rows = grid.search_grid(filters={"lock": value})

    # then
    assert emails(rows) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Active", ["ada@example.com", "byron@example.org"]),
        ("1", ["ada@example.com", "byron@example.org"]),
        ("Inactive", ["grace@example.com"]),
        ("0", ["grace@example.com"]),
    ],
)
def test_status_filter_separates_active_from_inactive_accounts(
    value, expected, lovelace, hopper, byron
):
    # given
    services.update_customer(customer=hopper, actor=SYSTEM, is_active=False)

    # when
    rows = grid.search_grid(filters={"status": value})

    # then
    assert emails(rows) == expected


def test_confirmed_filter_separates_confirmed_from_pending_accounts(view_a):
    # given
    make_customer("pending@example.com", store_view=view_a, confirmation_required=True)
    make_customer("done@example.com", store_view=view_a)

    # when
    yes = grid.search_grid(filters={"confirmed": "Yes"})
    no = grid.search_grid(filters={"confirmed": "No"})

    # then
    assert emails(yes) == ["done@example.com"]
    assert emails(no) == ["pending@example.com"]


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"nickname": "x"}, "nickname"),
        ({"created_at": "2026-03-10"}, "created_at"),
        ({"id__between": "1"}, "id__between"),
        ({"group__from": "1"}, "group__from"),
        ({"name__exact": "Ada"}, "name__exact"),
    ],
)
def test_unknown_filters_are_refused(filters, field, lovelace):
    # when
    with pytest.raises(InvalidInput) as error:
        grid.search_grid(filters=filters)

    # then
    assert (error.value.code, error.value.field) == ("unknown_filter", field)


@pytest.mark.parametrize(
    ("filters", "code", "field"),
    [
        ({"id__from": "abc"}, "invalid_value", "id__from"),
        ({"group": "wholesale"}, "invalid_value", "group"),
        ({"website": "1.5"}, "invalid_value", "website"),
        ({"gender": "f"}, "invalid_value", "gender"),
        ({"dob__to": "10/12/1815"}, "invalid_value", "dob__to"),
        ({"created_at__from": "2026-02-30"}, "invalid_date", "created_at__from"),
        ({"created_at__to": "yesterday"}, "invalid_date", "created_at__to"),
    ],
)
def test_filter_values_of_the_wrong_type_are_refused(filters, code, field, lovelace):
    # when
    with pytest.raises(InvalidInput) as error:
        list(grid.search_grid(filters=filters))

    # then
    assert (error.value.code, error.value.field) == (code, field)


def test_unknown_sort_column_is_refused(lovelace):
    # when
    with pytest.raises(InvalidInput) as error:
        grid.search_grid(sort="password")

    # then
    assert (error.value.code, error.value.field) == ("unknown_column", "sort")


# --- Sort ---------------------------------------------------------------------------------------

# Four customers whose default columns sort differently; ties break by id (creation order).
SORT_DATA = [
    {
        "email": "carol@example.com", "firstname": "Carol", "lastname": "Young", "group": RETAILER,
        "view": "a", "phone": "+1 617 555 0103", "zip": "02108", "country": "US",
        "region": ("Massachusetts", "MA"), "created": "2024-05-01T10:00:00", "confirm": False,
        "dob": dt.date(1980, 1, 1), "taxvat": "T3", "gender": 2,
    },
    {
        "email": "alice@example.com", "firstname": "Alice", "lastname": "Zed", "group": GENERAL,
        "view": "b", "phone": "+1 512 555 0101", "zip": "73301", "country": "US",
        "region": ("Texas", "TX"), "created": "2023-01-01T10:00:00", "confirm": True,
        "dob": dt.date(1995, 6, 1), "taxvat": "T1", "gender": 1,
    },
    {
        "email": "bob@example.com", "firstname": "Bob", "lastname": "Xu", "group": WHOLESALE,
        "view": "a", "phone": "+1 206 555 0102", "zip": "98101", "country": "US",
        "region": ("Washington", "WA"), "created": "2025-09-01T10:00:00", "confirm": False,
        "dob": dt.date(1970, 3, 3), "taxvat": "T2", "gender": 1,
    },
    {
        "email": "dave@example.com", "firstname": "Dave", "lastname": "Abel", "group": GENERAL,
        "view": "b", "phone": "+49 30 1234567", "zip": "10115", "country": "DE",
        "region": ("Berlin", "BER"), "created": "2022-02-02T10:00:00", "confirm": True,
        "dob": dt.date(2001, 1, 1), "taxvat": "T4", "gender": 3,
    },
]  # fmt: skip
ORDERS = {
    "id": ["carol", "alice", "bob", "dave"],
    "name": ["alice", "bob", "carol", "dave"],
    "email": ["alice", "bob", "carol", "dave"],
    "group": ["alice", "dave", "bob", "carol"],
    "telephone": ["bob", "alice", "carol", "dave"],  # "+1 206…" < "+1 512…" < … < "+49…"
    "postcode": ["carol", "dave", "alice", "bob"],
    "country": ["dave", "carol", "alice", "bob"],
    "region": ["dave", "carol", "alice", "bob"],
    "created_at": ["dave", "alice", "carol", "bob"],
    "website": ["carol", "bob", "alice", "dave"],
    "confirmed": ["carol", "bob", "alice", "dave"],
    "created_in": ["carol", "bob", "alice", "dave"],
    "dob": ["bob", "carol", "alice", "dave"],
    "taxvat": ["alice", "bob", "carol", "dave"],
    "gender": ["alice", "bob", "carol", "dave"],
}


@pytest.fixture
def sortable(view_a, view_b):
    for data in SORT_DATA:
        customer = make_customer(
            data["email"],
            store_view=view_a if data["view"] == "a" else view_b,
            firstname=data["firstname"],
            lastname=data["lastname"],
            group=CustomerGroup.objects.get(pk=data["group"]),
            confirmation_required=not data["confirm"],
            dob=data["dob"],
            taxvat=data["taxvat"],
            gender=data["gender"],
        )
        make_address(
            customer,
            firstname=data["firstname"],
            lastname=data["lastname"],
            country_id=data["country"],
            region=data["region"][0],
            region_code=data["region"][1],
            postcode=data["zip"],
            telephone=data["phone"],
        )
        set_created_at(customer, at(data["created"]))


def test_sort_covers_every_default_column():
    # then
    assert set(ORDERS) == {column.code for column in grid.COLUMNS if column.default}


@pytest.mark.parametrize("column", list(ORDERS))
def test_sort_by_each_default_column_in_both_directions(column, sortable):
    # when
    ascending = grid.search_grid(sort=column)
    descending = grid.search_grid(sort=column, descending=True)

    # then
    expected = [f"{name}@example.com" for name in ORDERS[column]]
    assert emails(ascending) == expected
    assert emails(descending) == expected[::-1]


def test_ties_are_broken_by_id_in_the_sort_direction(view_a):
    # given
    first, second, third = (
        make_customer(f"{n}@example.com", store_view=view_a, lastname="Same", firstname="Ann")
        for n in ("one", "two", "three")
    )

    # when
    ascending = grid.search_grid(sort="name")
    descending = grid.search_grid(sort="name", descending=True)

    # then
    assert [row.pk for row in ascending] == [first.pk, second.pk, third.pk]
    assert [row.pk for row in descending] == [third.pk, second.pk, first.pk]


# --- Scope and count ----------------------------------------------------------------------------


def test_website_scope_hides_other_websites(lovelace, hopper, byron, website_a, website_b):
    # when
    only_a = grid.search_grid(website_ids=[website_a.pk])
    only_b = grid.search_grid(website_ids=[website_b.pk], keyword="ada")
    none = grid.search_grid(website_ids=[])

    # then
    assert emails(only_a) == ["ada@example.com", "grace@example.com"]
    assert emails(only_b) == ["byron@example.org"]
    assert emails(none) == []


@pytest.mark.parametrize(("cap", "expected"), [(1, (1, True)), (2, (2, True)), (3, (3, False))])
def test_capped_count_stops_at_the_cap(cap, expected, lovelace, hopper, byron):
    # when
    counted = grid.capped_count(grid.search_grid(sort="name"), cap=cap)

    # then
    assert counted == expected


# --- API: GET /api/v1/customers/grid ------------------------------------------------------------


@pytest.fixture
def viewer(db):
    _token, secret = make_integration_token("Viewer", permissions=["customers.view_customer"])
    return bearer(secret)


@pytest.mark.parametrize("page_size", [20, 30, 50, 100, 200])
def test_grid_accepts_the_offered_page_sizes(page_size, client, viewer, lovelace):
    # when
    response = client.get(GRID_URL, {"page_size": page_size}, **viewer)

    # then
    assert response.status_code == 200
    assert response.json()["page_size"] == page_size


@pytest.mark.parametrize("page_size", [0, 10, 25, 201, 1000])
def test_grid_refuses_other_page_sizes(page_size, client, viewer, lovelace):
    # when
    response = client.get(GRID_URL, {"page_size": page_size}, **viewer)

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (
        "invalid_page_size",
        "page_size",
    )


def test_grid_pages_through_the_rows(client, viewer, view_a):
    # given
    customers = [make_customer(f"c{n:02d}@example.com", store_view=view_a) for n in range(21)]

    # when
    first = client.get(GRID_URL, {"page_size": 20}, **viewer).json()
    second = client.get(GRID_URL, {"page_size": 20, "page": 2}, **viewer).json()
    beyond = client.get(GRID_URL, {"page_size": 20, "page": 3}, **viewer).json()

    # then
    assert [item["id"] for item in first["items"]] == [c.pk for c in customers[:20]]
    assert [item["id"] for item in second["items"]] == [customers[20].pk]
    assert beyond["items"] == []
    assert {(page["count"], page["count_is_capped"]) for page in (first, second, beyond)} == {
        (21, False)
    }


def test_grid_says_when_the_count_is_capped(client, viewer, lovelace, hopper, byron, monkeypatch):
    # given
    monkeypatch.setattr(grid, "capped_count", functools.partial(grid.capped_count, cap=2))

    # when
    body = client.get(GRID_URL, **viewer).json()

    # then
    assert (body["count"], body["count_is_capped"], len(body["items"])) == (2, True, 3)


def test_grid_filters_searches_and_sorts(client, viewer, lovelace, hopper, byron):
    # when
    body = client.get(
        GRID_URL, {"keyword": "example", "country": "US", "sort": "name", "direction": "desc"},
        **viewer,
    ).json()  # fmt: skip

    # then
    assert [item["email"] for item in body["items"]] == ["grace@example.com", "ada@example.com"]
    assert body["items"][0] | {"created_at": None} == {
        "id": hopper.pk, "name": "Grace Hopper", "email": "grace@example.com",
        "group_id": WHOLESALE, "website_id": hopper.website_id,
        "created_in_id": hopper.created_in_id, "telephone": "+1 512-555-0142",
        "postcode": "73301", "country_id": "US", "region": "Texas", "city": "Austin",
        "street": "7 Compiler Street", "company": "", "fax": "", "vat_id": "",
        "billing_firstname": "Grace", "billing_lastname": "Hopper",
        "billing_full": "7 Compiler Street, Austin, Texas, 73301, US",
        "shipping_full": "7 Compiler Street, Austin, Texas, 73301, US", "dob": None,
        "taxvat": "", "gender": None, "is_active": True, "confirmed": True,
        "lock_expires_at": None, "created_at": None,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"sort": "password"}, "unknown_column"),
        ({"nickname": "x"}, "unknown_filter"),
        ({"id__from": "abc"}, "invalid_value"),
    ],
)
def test_grid_refuses_unknown_columns_and_bad_values(query, code, client, viewer, lovelace):
    # when
    response = client.get(GRID_URL, query, **viewer)

    # then
    assert response.status_code == 400
    assert response.json()["code"] == code


def test_grid_of_a_website_scoped_token_shows_only_its_website(client, website_b, lovelace, byron):
    # given
    _token, secret = make_integration_token(
        "B only", permissions=["customers.view_customer"], websites=[website_b]
    )

    # when
    body = client.get(GRID_URL, **bearer(secret)).json()

    # then
    assert [item["email"] for item in body["items"]] == ["byron@example.org"]
    assert body["count"] == 1


# --- Export -------------------------------------------------------------------------------------

HEADER = [
    "ID", "Name", "Email", "Group", "Phone", "ZIP", "Country", "State/Province",
    "Customer Since", "Web Site", "Confirmed Email", "Account Created In", "Date of Birth",
    "Tax VAT Number", "Gender", "Company", "Street Address", "City", "Fax", "Billing Firstname",
    "Billing Lastname", "Billing Address", "Shipping Address", "VAT Number", "Account Lock",
    "Status",
]  # fmt: skip


@pytest.fixture
def exporter(db):
    _token, secret = make_integration_token(
        "Exporter", permissions=["customers.view_customer", "customers.export_customers"]
    )
    return bearer(secret)


@pytest.fixture
def wholesale_trio(view_a):
    """Three customers, two of them (Grace and Linus) in the Wholesale group."""
    wholesale = CustomerGroup.objects.get(pk=WHOLESALE)
    return [
        make_customer("ada@example.com", store_view=view_a),
        make_customer("grace@example.com", store_view=view_a, firstname="Grace", group=wholesale),
        make_customer("linus@example.com", store_view=view_a, firstname="Linus", group=wholesale),
    ]


def read_csv(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:])))


def read_xml(response) -> list[list[str]]:
    root = ET.fromstring(b"".join(response.streaming_content))  # noqa: S314 - our own export
    return [
        [data.text or "" for data in row.iter(f"{{{SS}}}Data")] for row in root.iter(f"{{{SS}}}Row")
    ]


def test_export_without_selection_gives_the_filtered_rows(client, exporter, wholesale_trio):
    # when (check 33)
    response = client.get(EXPORT_URL, {"group": WHOLESALE, "format": "csv"}, **exporter)

    # then
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="customers.csv"'
    rows = read_csv(response)
    assert rows[0] == HEADER
    assert [(row[0], row[2], row[3]) for row in rows[1:]] == [
        (str(wholesale_trio[1].pk), "grace@example.com", "Wholesale"),
        (str(wholesale_trio[2].pk), "linus@example.com", "Wholesale"),
    ]


def test_export_with_ids_gives_exactly_those_rows(client, exporter, wholesale_trio):
    # given
    ada, _grace, linus = wholesale_trio

    # when (check 33)
    response = client.get(EXPORT_URL, {"ids": f"{linus.pk},{ada.pk}"}, **exporter)

    # then
    assert [row[2] for row in read_csv(response)[1:]] == ["ada@example.com", "linus@example.com"]


def test_excel_xml_export_gives_the_same_rows_as_csv(client, exporter, wholesale_trio):
    # when (check 33)
    as_csv = read_csv(client.get(EXPORT_URL, {"group": WHOLESALE}, **exporter))
    response = client.get(EXPORT_URL, {"group": WHOLESALE, "format": "xml"}, **exporter)

    # then
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="customers.xml"'
    assert read_xml(response) == as_csv


def test_export_writes_labels_instead_of_ids(client, exporter, view_b):
    # given
    customer = make_customer(
        "ada@example.com",
        store_view=view_b,
        group=CustomerGroup.objects.get(pk=RETAILER),
        gender=2,
        confirmation_required=True,
        is_active=False,
        dob=dt.date(1815, 12, 10),
    )
    Customer.objects.filter(pk=customer.pk).update(
        lock_expires_at=timezone.now() + dt.timedelta(minutes=5)
    )
    grid.refresh_rows([customer.pk])
    created = row_of(customer).created_at

    # when
    rows = read_csv(client.get(EXPORT_URL, **exporter))

    # then
    assert dict(zip(HEADER, rows[1], strict=True)) == {
        "ID": str(customer.pk), "Name": "Ada Lovelace", "Email": "ada@example.com",
        "Group": "Retailer", "Phone": "", "ZIP": "", "Country": "", "State/Province": "",
        "Customer Since": created.isoformat(sep=" ", timespec="seconds"),
        "Web Site": "Second Website", "Confirmed Email": "No",
        "Account Created In": "Second English", "Date of Birth": "1815-12-10",
        "Tax VAT Number": "", "Gender": "Female", "Company": "", "Street Address": "",
        "City": "", "Fax": "", "Billing Firstname": "", "Billing Lastname": "",
        "Billing Address": "", "Shipping Address": "", "VAT Number": "",
        "Account Lock": "Locked", "Status": "Inactive",
    }  # fmt: skip


def customer_token(view_a) -> dict[str, str]:
    customer = make_customer("shopper@example.com", store_view=view_a, password=PASSWORD)
    return bearer(services.issue_customer_token(customer=customer))


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("shopper", 401),
        ("token without permission", 403),
        ("staff without permission", 403),
        ("token with permission", 200),
        ("staff with permission", 200),
    ],
)
def test_export_needs_the_export_permission(who, status, client, view_a, wholesale_trio):
    # given
    view = ["customers.view_customer"]
    export = [*view, "customers.export_customers"]
    headers = {}
    if who == "shopper":
        headers = customer_token(view_a)
    elif who.startswith("token"):
        perms = export if who.endswith("with permission") else view
        headers = bearer(make_integration_token("T", permissions=perms)[1])
    elif who.startswith("staff"):
        perms = export if who.endswith("with permission") else view
        client.force_login(make_staff_user("clerk", permissions=perms))

    # when
    response = client.get(EXPORT_URL, {"group": WHOLESALE}, **headers)

    # then
    assert response.status_code == status
    if status == 403:
        assert (response.json()["code"], response.json()["params"]) == (
            "permission_denied",
            {"permission": "customers.export_customers"},
        )
    if status == 200:
        assert [row[2] for row in read_csv(response)[1:]] == [
            "grace@example.com",
            "linus@example.com",
        ]


def test_export_of_a_website_scoped_token_covers_only_its_website(
    client, website_b, lovelace, byron
):
    # given
    _token, secret = make_integration_token(
        "B only",
        permissions=["customers.view_customer", "customers.export_customers"],
        websites=[website_b],
    )

    # when
    everything = read_csv(client.get(EXPORT_URL, **bearer(secret)))
    asked_for_a = read_csv(client.get(EXPORT_URL, {"ids": str(lovelace.pk)}, **bearer(secret)))

    # then
    assert [row[2] for row in everything[1:]] == ["byron@example.org"]
    assert asked_for_a[1:] == []


def test_export_refuses_an_unknown_format(client, exporter, lovelace):
    # when
    response = client.get(EXPORT_URL, {"format": "pdf"}, **exporter)

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("invalid_format", "format")


# --- The benchmark's data generator -------------------------------------------------------------


def test_generated_grid_rows_equal_build_row(db):
    # given
    from bench.generate import generate

    # when
    result = generate(0.00004, seed=3, out=lambda line: None, check_disk=False)

    # then
    customers = Customer.objects.filter(pk__gte=result.first_id).select_related(
        "default_billing", "default_shipping"
    )
    assert (result.customers, customers.count()) == (40, 40)
    assert result.addresses == sum(c.addresses.count() for c in customers)
    for customer in customers:
        assert values_of(row_of(customer)) == values_of(grid.build_row(customer))
    assert all(c.default_billing_id and c.default_shipping_id for c in customers)


def test_generator_refuses_to_start_without_the_disk_space(db, tmp_path, monkeypatch):
    # given: a database on a disk with 100 MiB free
    import bench.generate as generator

    monkeypatch.setattr(generator, "_database_path", lambda connection: str(tmp_path))
    monkeypatch.setattr(
        generator.shutil, "disk_usage", lambda path: SimpleNamespace(free=100 * 2**20)
    )
    before = Customer.objects.count()
    needed = {"postgresql": "4.7", "sqlite": "2.9"}[connection.vendor]

    # when
    with pytest.raises(generator.NotEnoughDiskSpace) as error:
        generator.generate(1.0, seed=3, out=lambda line: None)

    # then
    assert str(error.value) == (
        f"Not enough disk space for 1,000,000 customers: about {needed} GiB needed, 0.1 GiB "
        f"free under {tmp_path}. Choose a smaller --scale or free some space."
    )
    assert Customer.objects.count() == before
