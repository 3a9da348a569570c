"""The importer's set-based writes (``patron.transfer.imports.sql``): keys drawn before the
insert are the table's own, never handed out twice, and rows inserted and updated through them
read back as the ORM wrote them."""

import datetime as dt

import pytest
from django.db import transaction

from patron.customers.models import Address, Customer
from patron.customers.tests.factories import make_address, make_customer
from patron.transfer.imports.sql import (
    assign_keys,
    draw_keys,
    insert_rows,
    new_instance,
    update_rows,
)


def test_drawn_keys_are_never_handed_out_again(website_a):
    # given a stored customer and keys drawn for three more
    first = make_customer("first@example.com")
    drawn = draw_keys(Customer, 3)

    # when another customer is saved the ordinary way
    later = make_customer("later@example.com")

    # then the drawn keys follow the stored one, and the ordinary insert comes after them
    assert drawn == [first.pk + 1, first.pk + 2, first.pk + 3]
    assert later.pk > drawn[-1]


def test_keys_are_drawn_for_a_table_that_never_held_a_row(website_a):
    # given no address was ever stored
    assert not Address.objects.exists()

    # when keys are drawn twice
    first, second = draw_keys(Address, 2), draw_keys(Address, 2)

    # then they are distinct and ascending
    assert first + second == sorted(set(first + second))


@pytest.mark.django_db(transaction=True)
def test_records_carry_their_keys_into_one_insert(website_a):
    # given a new customer pointing at its new default address before either is stored
    customer = new_instance(
        Customer, website_id=website_a.pk, email="ann@example.com", firstname="Ann",
        lastname="Lee", group_id=1,
    )  # fmt: skip
    address = new_instance(
        Address, firstname="Ann", lastname="Lee", street=["1 Main St"], city="Leeds",
        country_id="GB", postcode="LS1 1AA", telephone="0113 496 0000",
    )  # fmt: skip
    with transaction.atomic():
        assign_keys(Customer, [customer])
        assign_keys(Address, [address])
        address.customer_id = customer.pk
        customer.default_billing_id = address.pk

        # when both are inserted, the customer first (foreign keys are checked at commit)
        insert_rows(Customer, [customer], keys_given=True)
        insert_rows(Address, [address], keys_given=True)

    # then they read back linked, with the address's values as given
    stored = Customer.objects.get(pk=customer.pk)
    assert stored.default_billing.pk == address.pk
    assert stored.default_billing.street == ["1 Main St"]
    assert stored.default_billing.customer_id == customer.pk


def test_update_rows_sets_each_row_to_its_own_values(website_a):
    # given two stored addresses
    customer = make_customer("ann@example.com")
    first, second = make_address(customer, city="Leeds"), make_address(customer, city="York")
    moment = dt.datetime(2020, 5, 17, 8, 30, tzinfo=dt.UTC)

    # when each gets its own city, street (JSON) and update time
    update_rows(
        Address,
        ["city", "street", "updated_at"],
        [(first.pk, "Bath", ["2 High St"], moment), (second.pk, "Hull", [], moment)],
    )

    # then each reads back with its own values
    found = {a.pk: (a.city, a.street, a.updated_at) for a in Address.objects.all()}
    assert found == {first.pk: ("Bath", ["2 High St"], moment), second.pk: ("Hull", [], moment)}
