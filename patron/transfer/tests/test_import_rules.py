"""The importer's rules through ``import_file``: behaviours, Magento's conventions, Check Data,
allowed errors, batches that are all-or-nothing and resuming after a crash."""

import csv
import datetime as dt
from decimal import Decimal

import pytest

from patron.core.actors import SYSTEM
from patron.credit.models import StoreCreditHistory
from patron.credit.services import balance_of
from patron.customers import attributes
from patron.customers.models import Address, Customer, Gender
from patron.customers.services import check_customer_password
from patron.customers.tests.factories import make_address, make_customer
from patron.transfer import layouts
from patron.transfer.imports import customers as customer_batches
from patron.transfer.models import Import, ImportProblem, ImportState, PendingPassword
from patron.transfer.services import hash_pending_passwords, import_file, resume_import

HASH = "145d12bfff8a6a279eb61e277e3d727c0ba95acc1131237f1594ddbb7687a564:l1"  # 123123q


@pytest.fixture
def write(tmp_path):
    """Write rows (dicts) as a CSV file with the given header; return its path."""

    def writer(header, rows, name="file.csv"):
        path = tmp_path / name
        with path.open("w", newline="", encoding="utf-8") as out:
            table = csv.DictWriter(out, header)
            table.writeheader()
            table.writerows(rows)
        return path

    return writer


MAIN = ["email", "_website", "_store", "firstname", "lastname", "gender", "group_id", "dob"]
COMPOSITE = [*MAIN, "_address_firstname", "_address_lastname", "_address_street",
             "_address_city", "_address_country_id", "_address_postcode", "_address_region",
             "_address_telephone", "_address_default_billing_", "_address_default_shipping_"]  # fmt: skip


def person(email, **cells):
    return {"email": email, "_website": "base", "firstname": "Ann", "lastname": "Lee", **cells}


def test_empty_cell_keeps_the_value_and_the_empty_marker_clears_it(website_a, write):
    # given
    customer = make_customer("ann@example.com", middlename="Q.", taxvat="DE123")
    path = write(["email", "_website", "firstname", "middlename", "taxvat"], [
        {"email": "ann@example.com", "_website": "base", "firstname": "Anna", "middlename": "",
         "taxvat": layouts.EMPTY_VALUE},
    ])  # fmt: skip

    # when
    result = import_file(path, entity=layouts.CUSTOMER)

    # then
    assert result.counts.customers_updated == 1
    customer.refresh_from_db()
    assert (customer.firstname, customer.middlename, customer.taxvat) == ("Anna", "Q.", "")


def test_gender_and_group_are_read_by_label_or_id(website_a, write):
    # given
    path = write(MAIN, [
        person("a@example.com", gender="female", group_id="General"),
        person("b@example.com", gender="1", group_id="2"),
    ])  # fmt: skip

    # when
    import_file(path, entity=layouts.CUSTOMER)

    # then
    a, b = Customer.objects.get(email="a@example.com"), Customer.objects.get(email="b@example.com")
    assert (a.gender, a.group_id) == (Gender.FEMALE, 1)
    assert (b.gender, b.group_id) == (Gender.MALE, 2)


def test_iso_and_magento_dates_are_both_read(website_a, write):
    # given
    path = write([*MAIN, "created_at"], [
        person("a@example.com", dob="1990-02-28", created_at="2020-01-02T03:04:05+00:00"),
        person("b@example.com", dob="2/28/1990", created_at="01/02/2020 03:04"),
    ])  # fmt: skip

    # when
    import_file(path, entity=layouts.CUSTOMER)

    # then
    for email in ("a@example.com", "b@example.com"):
        customer = Customer.objects.get(email=email)
        assert customer.dob == dt.date(1990, 2, 28)
        assert customer.created_at.replace(second=0) == dt.datetime(2020, 1, 2, 3, 4, tzinfo=dt.UTC)


def test_check_data_reports_row_column_and_reason_and_writes_nothing(website_a, write):
    # given
    path = write(MAIN, [
        person("good@example.com"),
        person("not-an-email"),
        person("good@example.com"),
        {**person("x@example.com"), "_website": "nowhere"},
        person("y@example.com", gender="robot", group_id="0"),
    ])  # fmt: skip

    # when
    result = import_file(path, entity=layouts.CUSTOMER, check_only=True)

    # then
    assert [(p.row, p.column, p.code) for p in result.problems] == [
        (2, "email", "invalid_email"),
        (3, "email", "duplicate_row"),
        (4, "_website", "unknown_website"),
        (5, "gender", "invalid_gender"),
        (5, "group_id", "guest_group"),
    ]
    assert (result.counts.customers_added, result.counts.errors) == (1, 5)
    assert not Customer.objects.exists()
    run = Import.objects.get(pk=result.import_id)
    assert run.problems.count() == 5


def test_too_many_errors_stop_the_import_before_it_writes(website_a, write):
    # given
    path = write(MAIN, [person("ok@example.com"), person("bad"), person("worse")])

    # when
    result = import_file(path, entity=layouts.CUSTOMER, allowed_errors=1)

    # then
    assert result.stopped is True
    assert not Customer.objects.exists()
    assert Import.objects.get(pk=result.import_id).state == ImportState.CHECKED


def test_rows_with_problems_are_skipped_when_errors_are_allowed(website_a, write):
    # given
    path = write(MAIN, [person("ok@example.com"), person("bad")])

    # when
    result = import_file(path, entity=layouts.CUSTOMER, allowed_errors=1)

    # then
    assert result.ok and result.counts.errors == 1
    assert list(Customer.objects.values_list("email", flat=True)) == ["ok@example.com"]


def test_region_id_of_another_country_is_refused(website_a, write):
    # given: 4 is Arizona
    customer = make_customer("ann@example.com")
    path = write(["_website", "_email", "firstname", "lastname", "street", "city", "country_id",
                  "postcode", "region_id", "telephone"], [
        {"_website": "base", "_email": "ann@example.com", "firstname": "Ann", "lastname": "Lee",
         "street": "1 Rue", "city": "Paris", "country_id": "FR", "postcode": "75001",
         "region_id": "4", "telephone": "+33 1 42 68 53 00"},
    ])  # fmt: skip

    # when
    result = import_file(path, entity=layouts.CUSTOMER_ADDRESS, allowed_errors=0)

    # then
    assert [(p.row, p.column, p.code) for p in result.problems] == [
        (1, "region_id", "region_not_in_country")
    ]
    assert not customer.addresses.exists()


def test_region_by_code_is_matched_to_the_country_list(website_a, write):
    # given
    path = write(COMPOSITE, [
        {**person("ann@example.com"), "_address_firstname": "Ann", "_address_lastname": "Lee",
         "_address_street": "1 Main St", "_address_city": "Austin", "_address_country_id": "US",
         "_address_postcode": "73301", "_address_region": "tx",
         "_address_telephone": "512-555-0100"},
    ])  # fmt: skip

    # when
    import_file(path, entity=layouts.CUSTOMER_COMPOSITE)

    # then
    address = Address.objects.get()
    assert (address.region, address.region_code) == ("Texas", "TX")


def test_replace_clears_what_the_row_leaves_empty_and_the_stored_addresses(website_a, write):
    # given
    customer = make_customer("ann@example.com", middlename="Q.")
    make_address(customer, city="Old Town")
    path = write([*COMPOSITE, "middlename"], [
        {**person("ann@example.com", middlename=""), "_address_firstname": "Ann",
         "_address_lastname": "Lee", "_address_street": "1 Main St", "_address_city": "Austin",
         "_address_country_id": "US", "_address_postcode": "73301", "_address_region": "TX",
         "_address_telephone": "512-555-0100", "_address_default_billing_": "1"},
    ])  # fmt: skip

    # when
    result = import_file(path, entity=layouts.CUSTOMER_COMPOSITE, behavior=layouts.REPLACE)

    # then
    assert result.ok and result.counts.errors == 0, result.problems
    customer.refresh_from_db()
    assert customer.middlename == ""
    assert list(customer.addresses.values_list("city", flat=True)) == ["Austin"]
    assert customer.default_billing.city == "Austin"


def test_delete_removes_the_named_customers_and_reports_unknown_ones(website_a, write):
    # given
    make_customer("ann@example.com")
    make_customer("bob@example.com")
    path = write(["email", "_website"], [
        {"email": "ann@example.com", "_website": "base"},
        {"email": "nobody@example.com", "_website": "base"},
    ])  # fmt: skip

    # when
    result = import_file(path, entity=layouts.CUSTOMER, behavior=layouts.DELETE)

    # then
    assert result.counts.customers_deleted == 1
    assert [(p.row, p.code) for p in result.problems] == [(2, "customer_not_found")]
    assert list(Customer.objects.values_list("email", flat=True)) == ["bob@example.com"]


def test_plain_password_is_hashed_by_the_follow_up_task(website_a, write):
    # given
    path = write([*MAIN, "password"], [person("ann@example.com", password="Secret-pass-123")])

    # when
    import_file(path, entity=layouts.CUSTOMER)
    customer = Customer.objects.get()
    waiting = customer.password
    hashed = hash_pending_passwords()

    # then
    customer.refresh_from_db()
    assert (waiting, hashed) == ("", 1)
    assert check_customer_password(customer, "Secret-pass-123") is True
    assert not PendingPassword.objects.exists()


def test_weak_plain_password_is_a_row_error(website_a, write):
    # given
    path = write([*MAIN, "password"], [person("ann@example.com", password="short")])

    # when
    result = import_file(path, entity=layouts.CUSTOMER, check_only=True)

    # then
    assert {p.column for p in result.problems} == {"password"}


def test_custom_attribute_columns_go_through_the_attribute_service(website_a, write):
    # given
    attributes.create_attribute(
        entity="customer", code="loyalty", label="Loyalty", input_type="text", actor=SYSTEM,
        validation="numeric",
    )  # fmt: skip
    path = write([*MAIN, "loyalty"], [
        person("a@example.com", loyalty="42"), person("b@example.com", loyalty="abc"),
    ])  # fmt: skip

    # when
    result = import_file(path, entity=layouts.CUSTOMER, allowed_errors=1)

    # then
    assert [(p.row, p.column) for p in result.problems] == [(2, "loyalty")]
    assert Customer.objects.get(email="a@example.com").custom_attributes == {"loyalty": "42"}


def test_option_columns_take_labels_whatever_their_case_and_ids(website_a, write):
    # given a dropdown and a multiple select
    colour = attributes.create_attribute(
        entity="customer", code="colour", label="Colour", input_type="select", actor=SYSTEM,
        options=[{"label": "Red"}, {"label": "Blue, dark"}],
    )  # fmt: skip
    hobbies = attributes.create_attribute(
        entity="customer", code="hobbies", label="Hobbies", input_type="multiselect",
        actor=SYSTEM, options=[{"label": "Chess"}, {"label": "Go"}, {"label": "Tennis"}],
    )  # fmt: skip
    red, dark_blue = (colour.options.get(label=label).pk for label in ("Red", "Blue, dark"))
    chess, go, tennis = (hobbies.options.get(label=label).pk for label in ("Chess", "Go", "Tennis"))
    path = write([*MAIN, "colour", "hobbies"], [
        person("a@example.com", colour="red", hobbies="Chess,go"),
        person("b@example.com", colour="Blue, dark", hobbies=f"{tennis}, Chess"),
        person("c@example.com", colour=str(red), hobbies=""),
        person("d@example.com", colour="Green", hobbies="Chess,Golf"),
    ])  # fmt: skip

    # when
    result = import_file(path, entity=layouts.CUSTOMER, allowed_errors=10)

    # then labels (any case, commas inside a label too) and ids are stored as option ids
    values = {c.email: c.custom_attributes for c in Customer.objects.all()}
    assert values == {
        "a@example.com": {"colour": red, "hobbies": sorted([chess, go])},
        "b@example.com": {"colour": dark_blue, "hobbies": sorted([chess, tennis])},
        "c@example.com": {"colour": red},
    }
    # and an unknown option is refused by name, in its row and column
    problems = sorted((p.row, p.column, p.message) for p in result.problems)
    assert [(row, column) for row, column, _ in problems] == [(4, "colour"), (4, "hobbies")]
    assert "Green" in problems[0][2] and "Golf" in problems[1][2]


def test_unknown_column_stops_the_file_at_the_header(website_a, write):
    # given
    path = write([*MAIN, "shoe_size"], [person("a@example.com", shoe_size="42")])

    # when
    result = import_file(path, entity=layouts.CUSTOMER, check_only=True)

    # then
    assert (result.file_problem.row, result.file_problem.code) == (0, "unknown_column")
    assert result.file_problem.column == "shoe_size"


def test_finances_set_each_balance_through_the_ledger(website_a, write, settings):
    # given
    from patron.testing.fixtures import set_config

    set_config({"customer/store_credit/enabled": True})
    customer = make_customer("ann@example.com")
    path = write(layouts.FINANCE_COLUMNS, [
        {"_email": "ann@example.com", "_website": "base", "_finance_website": "base",
         "store_credit": "25.50", "reward_points": ""},
    ])  # fmt: skip

    # when
    result = import_file(path, entity=layouts.CUSTOMER_FINANCE)
    again = import_file(path, entity=layouts.CUSTOMER_FINANCE)

    # then
    assert (result.counts.balances_changed, again.counts.balances_changed) == (1, 0)
    assert balance_of(customer, website_a) == Decimal("25.50")
    assert StoreCreditHistory.objects.filter(balance__customer=customer).count() == 1


def test_a_failing_batch_rolls_back_whole_and_the_import_resumes_after_the_last_batch(
    website_a, write, monkeypatch
):
    # given: three batches of two; the second crashes after writing its customers
    rows = [person(f"c{i}@example.com") for i in range(6)]
    path = write(MAIN, rows)
    real = customer_batches.write_customers
    calls = {"n": 0}

    def crashing(context, plans):
        calls["n"] += 1
        real(context, plans)
        if calls["n"] == 2:
            raise RuntimeError("worker killed")

    monkeypatch.setattr(customer_batches, "write_customers", crashing)

    # when
    with pytest.raises(RuntimeError):
        import_file(path, entity=layouts.CUSTOMER, batch_size=2)

    # then: only the first batch is there, and the run knows it
    assert sorted(Customer.objects.values_list("email", flat=True)) == ["c0@example.com",
                                                                       "c1@example.com"]  # fmt: skip
    run = Import.objects.get()
    assert (run.batches_done, run.state) == (1, ImportState.FAILED)

    # when: resumed without the crash
    monkeypatch.setattr(customer_batches, "write_customers", real)
    result = resume_import(run=run, actor=SYSTEM)

    # then: every customer once
    assert result.ok
    assert Customer.objects.count() == 6
    run.refresh_from_db()
    assert (run.state, run.batches_done, run.counts["customers_added"]) == (
        ImportState.IMPORTED,
        3,
        6,
    )
    assert not ImportProblem.objects.exists()


def test_phone_numbers_of_later_batches_are_normalized_and_checked(website_a, write):
    # given: three one-customer batches; from the second on, numbers are worked out ahead of
    # their batch in a second process (imports/prefetch.py)
    address = {"_address_firstname": "Ann", "_address_lastname": "Lee",
               "_address_street": "1 Main St", "_address_city": "Austin",
               "_address_country_id": "US", "_address_postcode": "73301",
               "_address_region": "Texas"}  # fmt: skip
    path = write(COMPOSITE, [
        person("a@example.com", **address, _address_telephone="512-555-0100"),
        person("b@example.com", **address, _address_telephone="512 555 0101"),
        person("c@example.com", **address, _address_telephone="12"),
    ])  # fmt: skip

    # when
    result = import_file(path, entity=layouts.CUSTOMER_COMPOSITE, batch_size=1, allowed_errors=5)

    # then: the second batch's number is stored in international format, the third's refused
    phones = dict(Address.objects.values_list("customer__email", "telephone"))
    assert phones == {"a@example.com": "+1 512-555-0100", "b@example.com": "+1 512-555-0101"}
    assert [(p.row, p.column, p.code) for p in result.problems] == [
        (3, "_address_telephone", "invalid_telephone")
    ]
