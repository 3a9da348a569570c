"""Magento's own test files (../shared/data/magento-import/) import as they are, with the
results Magento's integration tests expect: customers on the mapped websites, Magento dates,
genders, hashes that verify with 123123q, addresses and their updates, default flags."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.management.color import no_style
from django.db import connection

from patron.customers.models import Address, Customer, Gender
from patron.customers.services import check_customer_password
from patron.customers.tests.factories import make_address, make_customer
from patron.transfer import layouts
from patron.transfer.services import import_file

DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "magento-import"
ADMIN_TO_BASE = {"admin": "base"}

pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason="Magento's test files are not here")


def _import(name: str, entity: str, **options):
    return import_file(DATA / name, entity=entity, website_map=ADMIN_TO_BASE, **options)


def test_customers_main_file_adds_every_customer_with_magento_values(website_a):
    # when
    result = _import("customers_to_import.csv", layouts.CUSTOMER)

    # then
    assert result.ok and result.counts.errors == 0
    assert result.counts.customers_added == 6
    emails = set(Customer.objects.filter(website=website_a).values_list("email", flat=True))
    assert emails == {
        "anthonyanealy@magento.com", "loribbanks@magento.com", "charlestalston@teleworm.us",
        "customer@example.com", "julie.worrell@example.com", "david.lamar@example.com",
    }  # fmt: skip
    anthony = Customer.objects.get(email="anthonyanealy@magento.com")
    assert anthony.created_at == dt.datetime(2012, 5, 6, 15, 53, tzinfo=dt.UTC)
    assert anthony.dob == dt.date(2010, 5, 6)
    assert (anthony.firstname, anthony.lastname, anthony.middlename) == ("Anthony", "Nealy", "A.")
    assert anthony.gender == Gender.MALE
    assert anthony.group_id == 1
    assert Customer.objects.get(email="loribbanks@magento.com").gender == Gender.FEMALE
    assert Customer.objects.get(email="david.lamar@example.com").gender is None


def test_imported_magento_hashes_verify_with_the_password_and_upgrade(website_a):
    # given
    _import("customers_to_import.csv", layouts.CUSTOMER)

    # when / then
    for customer in Customer.objects.all():
        assert customer.password.startswith("magento$")
        assert check_customer_password(customer, "123123q") is True
        assert check_customer_password(customer, "wrong password") is False
    upgraded = Customer.objects.get(email="customer@example.com")
    # the preferred hasher of the settings in force (Argon2id in production)
    assert not upgraded.password.startswith("magento$")
    assert check_customer_password(upgraded, "123123q") is True


def test_admin_website_without_a_mapping_is_a_row_error(website_a):
    # when
    result = import_file(DATA / "customers_to_import.csv", entity=layouts.CUSTOMER, check_only=True)

    # then
    assert [(p.row, p.column, p.code) for p in result.problems] == [
        (2, "_website", "unknown_website")
    ]
    assert result.counts.customers_added == 5


def test_composite_file_adds_customers_with_continuation_addresses_and_defaults(website_a):
    # given: Betsy exists (Magento's fixture), on the admin website mapped to base
    betsy = make_customer("betsyparker@example.com", firstname="Betsy", lastname="Parker")

    # when
    result = _import("customer_composite_update.csv", layouts.CUSTOMER_COMPOSITE)

    # then
    assert result.ok and result.counts.errors == 0, result.problems
    assert (result.counts.customers_added, result.counts.customers_updated) == (3, 1)
    assert result.counts.addresses_added == 4
    anthony = Customer.objects.get(email="anthonyanealy@magento.com")
    cities = list(anthony.addresses.order_by("pk").values_list("city", flat=True))
    assert cities == ["Fayetteville", "Irvine"]
    first = anthony.addresses.order_by("pk").first()
    assert (anthony.default_billing_id, anthony.default_shipping_id) == (first.pk, first.pk)
    assert first.region == "Arkansas" and first.region_code == "AR"
    betsy.refresh_from_db()
    assert (betsy.firstname, betsy.lastname) == ("NotBetsy", "NotParker")
    assert list(betsy.addresses.values_list("city", flat=True)) == ["Philadelphia"]
    assert betsy.default_billing.city == "Philadelphia"
    kelly = Customer.objects.get(email="kellynilson@magento.com")
    assert kelly.addresses.count() == 0
    assert check_customer_password(kelly, "123123q") is True


def test_composite_file_imported_twice_changes_nothing_the_second_time(website_a):
    # given
    _import("customer_composite_update.csv", layouts.CUSTOMER_COMPOSITE)
    before = sorted(Address.objects.values_list("customer__email", "city", "postcode"))

    # when
    again = _import("customer_composite_update.csv", layouts.CUSTOMER_COMPOSITE)

    # then
    assert (again.counts.customers_added, again.counts.addresses_added) == (0, 0)
    assert (again.counts.customers_updated, again.counts.addresses_updated) == (0, 0)
    assert sorted(Address.objects.values_list("customer__email", "city", "postcode")) == before


def test_address_file_updates_by_entity_id_and_adds_the_row_without_one(website_a):
    # given: Betsy and her addresses as Magento's fixture has them (ids taken from the file)
    betsy = make_customer("betsyparker@example.com", firstname="Betsy", lastname="Parker")
    first = make_address(betsy, city="Philadelphia", country_id="US", region="Pennsylvania",
                         postcode="19107", street=["1079 Rocky Road"], telephone="215-629-9720")  # fmt: skip
    third = make_address(betsy, city="Phoenix", country_id="US", region="Arizona",
                         postcode="85034", street=["4225 Martha Street"], telephone="928-707-1577")  # fmt: skip
    _renumber({first.pk: 1, third.pk: 3}, betsy)

    # when
    result = _import("address_import_update.csv", layouts.CUSTOMER_ADDRESS)

    # then
    assert result.ok and result.counts.errors == 0, result.problems
    assert (result.counts.addresses_updated, result.counts.addresses_added) == (2, 1)
    betsy.refresh_from_db()
    one, three = Address.objects.get(pk=1), Address.objects.get(pk=3)
    assert (one.firstname, one.lastname, one.city) == ("Katy", "Parker", "Philadelphia")
    assert (three.firstname, three.lastname, three.region) == ("Brad", "Brown", "Arizona")
    assert betsy.default_shipping_id == 1
    assert betsy.default_billing_id == 3
    new = betsy.addresses.exclude(pk__in=[1, 3]).get()
    assert (new.city, new.region, new.region_code, new.firstname) == (
        "Tallahassee",
        "Florida",
        "FL",
        "William",
    )


def _renumber(ids: dict[int, int], customer: Customer) -> None:
    """Give addresses the ids Magento's fixture has (and keep the id sequence ahead)."""
    Customer.objects.filter(pk=customer.pk).update(default_billing=None, default_shipping=None)
    for old, new in ids.items():
        Address.objects.filter(pk=old).update(id=-new)
    for new in ids.values():
        Address.objects.filter(pk=-new).update(id=new)
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [Address]):
            cursor.execute(statement)


def test_uk_address_with_quoted_commas_and_a_spaced_phone_imports(website_a):
    # given
    betsy = make_customer("betsyparker@example.com", firstname="Betsy", lastname="Parker")

    # when
    result = _import("import_uk_address.csv", layouts.CUSTOMER_ADDRESS)

    # then
    assert result.ok and result.counts.errors == 0, result.problems
    address = betsy.addresses.get()
    assert address.street == ["Moorfields, Vernon St"]
    assert (address.city, address.postcode, address.country_id) == ("Liverpool", "L2 2AY", "GB")
    assert address.telephone == "+44 345 050 7080"
