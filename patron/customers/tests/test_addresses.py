"""Customer addresses: every system attribute, defaults, timeline and events."""

import pytest

from patron.core.actors import SYSTEM, Actor
from patron.core.errors import Conflict, InvalidInput
from patron.customers import attributes, services
from patron.customers.history import TimelineKind
from patron.customers.models import Address
from patron.customers.tests.factories import make_address
from patron.testing.fixtures import set_config


def defaults_of(customer):
    customer.refresh_from_db()
    return customer.default_billing_id, customer.default_shipping_id


def test_address_keeps_every_system_attribute(customer):
    # given
    set_config(
        {
            "customer/address/prefix_show": "opt",
            "customer/address/suffix_show": "opt",
            "customer/address/fax_show": "opt",
            "customer/address/street_lines": 4,
        }
    )

    attributes.create_attribute(
        entity="address",
        code="delivery_notes",
        label="Delivery Notes",
        input_type="text",
        actor=SYSTEM,
    )

    # when
    address = services.add_address(
        customer=customer,
        actor=SYSTEM,
        prefix="Dr.",
        firstname="Ada",
        middlename="Augusta",
        lastname="Lovelace",
        suffix="PhD",
        company=" Analytical Engines Ltd ",
        street=["12 Analytical Row", "Suite 4", "Floor 2", "Back door", "", ""],
        city="London",
        country_id="gb",
        region="Greater London",
        region_code="LND",
        postcode="SW1A 1AA",
        telephone="+44 20 7946 0000",
        fax="+44 20 7946 0001",
        vat_id="GB123456789",
        custom_attributes={"delivery_notes": "Ring twice"},
    )

    # then
    stored = Address.objects.get(pk=address.pk)
    assert {name: getattr(stored, name) for name in services.ADDRESS_FIELDS} == {
        "prefix": "Dr.",
        "firstname": "Ada",
        "middlename": "Augusta",
        "lastname": "Lovelace",
        "suffix": "PhD",
        "company": "Analytical Engines Ltd",
        "street": ["12 Analytical Row", "Suite 4", "Floor 2", "Back door"],
        "city": "London",
        "country_id": "GB",
        "region": "Greater London",
        "region_code": "LND",
        "postcode": "SW1A 1AA",
        "telephone": "+44 20 7946 0000",
        "fax": "+44 20 7946 0001",
        "vat_id": "GB123456789",
        "custom_attributes": {"delivery_notes": "Ring twice"},
    }
    assert str(stored) == "Ada Lovelace, 12 Analytical Row, London, GB"


def test_street_given_as_text_is_split_into_lines(customer):
    # when
    address = make_address(customer, street="1 Main St\n  Apt 2  \n")

    # then
    address.refresh_from_db()
    assert address.street == ["1 Main St", "Apt 2"]


def test_first_address_becomes_both_defaults(customer, django_capture_on_commit_callbacks, emitted):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        address = make_address(customer)

    # then
    assert defaults_of(customer) == (address.pk, address.pk)
    assert list(customer.timeline.order_by("pk").values_list("kind", "params"))[1:] == [
        (TimelineKind.ADDRESS_ADDED, {"address_id": address.pk}),
        (
            TimelineKind.DEFAULT_ADDRESS_CHANGED,
            {"billing": address.pk, "shipping": address.pk},
        ),
    ]
    assert emitted == [
        (
            "addressSaved",
            {"customer_id": customer.pk, "address_id": address.pk, "actor": SYSTEM.as_fields()},
        )
    ]


def test_later_address_becomes_a_default_only_when_asked(customer):
    # given
    first = make_address(customer)

    # when
    second = make_address(customer, street=["2 Second St"])
    third = make_address(customer, street=["3 Third St"], default_shipping=True)

    # then
    assert defaults_of(customer) == (first.pk, third.pk)
    assert second.pk not in defaults_of(customer)


def test_unknown_country_is_refused(customer):
    # when
    with pytest.raises(InvalidInput) as error:
        make_address(customer, country_id="XX")

    # then
    assert (error.value.code, error.value.field) == ("unknown_country", "country_id")
    assert Address.objects.count() == 0


def test_missing_fields_are_reported_together(customer):
    # when
    with pytest.raises(InvalidInput) as error:
        make_address(customer, firstname="", city="", street=[], telephone="")

    # then
    assert [(p.code, p.field) for p in error.value.problems] == [
        ("required", "firstname"),
        ("required", "city"),
        ("required", "street"),
        ("required", "telephone"),
    ]


def test_update_checks_the_merged_address(customer):
    # given
    address = make_address(customer)
    clerk = Actor(kind="staff", id=7, label="clerk")

    # when
    services.update_address(address=address, city="Cambridge", actor=clerk)
    with pytest.raises(InvalidInput) as error:
        services.update_address(address=address, telephone="", actor=clerk)

    # then
    address.refresh_from_db()
    assert (address.city, address.telephone) == ("Cambridge", "+1 617-555-0100")
    assert (error.value.code, error.value.field) == ("required", "telephone")
    assert list(
        customer.timeline.filter(kind=TimelineKind.ADDRESS_UPDATED).values_list(
            "params", "actor_label"
        )
    ) == [({"address_id": address.pk}, "clerk")]


def test_update_without_changes_records_nothing(
    customer, django_capture_on_commit_callbacks, emitted
):
    # given
    address = make_address(customer)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.update_address(address=address, city="Boston", actor=SYSTEM)

    # then
    assert not customer.timeline.filter(kind=TimelineKind.ADDRESS_UPDATED).exists()
    assert emitted == []


def test_set_default_address_moves_the_defaults(customer):
    # given
    first = make_address(customer)
    second = make_address(customer, street=["2 Second St"])

    # when
    services.set_default_address(address=second, billing=True, actor=SYSTEM)

    # then
    assert defaults_of(customer) == (second.pk, first.pk)


def test_default_address_is_not_deleted_while_others_exist(
    customer, django_capture_on_commit_callbacks, emitted
):
    # given
    first = make_address(customer)
    second = make_address(customer, street=["2 Second St"])

    # when
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(Conflict) as error,
    ):
        services.delete_address(address=first, actor=SYSTEM)

    # then
    assert error.value.code == "default_address"
    assert list(Address.objects.values_list("pk", flat=True)) == [first.pk, second.pk]
    assert not customer.timeline.filter(kind=TimelineKind.ADDRESS_DELETED).exists()
    assert emitted == []


def test_other_and_last_addresses_can_be_deleted(
    customer, django_capture_on_commit_callbacks, emitted
):
    # given
    first = make_address(customer)
    second = make_address(customer, street=["2 Second St"])
    first_id, second_id = first.pk, second.pk

    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_address(address=second, actor=SYSTEM)
        services.delete_address(address=first, actor=SYSTEM)

    # then
    assert Address.objects.count() == 0
    assert defaults_of(customer) == (None, None)
    assert list(
        customer.timeline.filter(kind=TimelineKind.ADDRESS_DELETED)
        .order_by("pk")
        .values_list("params", flat=True)
    ) == [{"address_id": second_id}, {"address_id": first_id}]
    assert [name for name, _payload in emitted] == ["addressDeleted", "addressDeleted"]


def test_oversized_address_values_are_reported_by_field(customer):
    # given
    address = make_address(customer)

    # when
    with pytest.raises(InvalidInput) as added:
        make_address(customer, company="C" * 256)
    with pytest.raises(InvalidInput) as updated:
        services.update_address(address=address, fax="9" * 65, actor=SYSTEM)

    # then
    assert (added.value.code, added.value.field) == ("max_length", "company")
    assert (updated.value.code, updated.value.field) == ("max_length", "fax")
    address.refresh_from_db()
    assert (Address.objects.count(), address.fax) == (1, "")


def test_none_clears_optional_address_fields(customer):
    # given
    address = make_address(customer, company="Analytical Engines Ltd")

    # when
    services.update_address(address=address, company=None, actor=SYSTEM)

    # then
    address.refresh_from_db()
    assert address.company == ""
