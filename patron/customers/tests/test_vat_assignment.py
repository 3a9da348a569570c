"""VAT-based automatic group assignment (spec a §16.2): the address services move a customer to
the Domestic, Intra-Union, Invalid or Validation Error group by the VAT number of the address
taxes are based on. VIES is the outside world, so its checker is a fake here."""

from types import SimpleNamespace

import pytest
from django.utils import timezone

from patron.core.actors import SYSTEM
from patron.customers import services, vat
from patron.customers.history import TimelineKind
from patron.customers.models import Address, TaxClass
from patron.customers.tests.factories import make_address, make_customer
from patron.testing.fixtures import set_config

AUTO_ASSIGN = "customer/create_account/auto_group_assign"
BASED_ON = "customer/create_account/tax_calculation_address_type"
ONLINE_CHECK = "customer/create_account/viv_online_check"
GENERAL, WHOLESALE, RETAILER = 1, 2, 3

VALID_DE = "DE136695976"
VALID_FR = "FR40303265045"
INVALID_DE = "DE136695977"  # last digit breaks the checksum


def german(**overrides):
    return {
        "country_id": "DE",
        "city": "Berlin",
        "region": "",
        "region_code": "",
        "postcode": "10115",
        "telephone": "+49 30 901820",
        **overrides,
    }


def french(**overrides):
    return {
        "country_id": "FR",
        "city": "Paris",
        "region": "",
        "region_code": "",
        "postcode": "75001",
        "telephone": "+33 1 42 68 53 00",
        **overrides,
    }


def group_of(customer):
    customer.refresh_from_db()
    return customer.group.code


def vat_fields(address):
    address.refresh_from_db()
    return address.vat_is_valid, address.vat_request_success


def group_changes(customer):
    return list(
        customer.timeline.filter(kind=TimelineKind.GROUP_CHANGED)
        .order_by("pk")
        .values_list("params", flat=True)
    )


class FakeVies:
    """Stands in for the VIES service: answers ``valid`` or raises ``ViesUnavailable``."""

    def __init__(self, answer):
        self.answer = answer
        self.calls = []

    def __call__(self, country_prefix, number):
        self.calls.append((country_prefix, number))
        if self.answer == "unavailable":
            raise vat.ViesUnavailable("connection refused")
        return self.answer


@pytest.fixture
def vat_groups(db):
    """Turn automatic assignment on at the default scope for a German store, with a group per
    outcome: Wholesale (domestic), Retailer (intra-union), "VAT invalid" and "VAT error"."""
    retail = TaxClass.objects.get(kind="customer", name="Retail Customer")
    invalid = services.create_group(code="VAT invalid", tax_class=retail, actor=SYSTEM)
    error = services.create_group(code="VAT error", tax_class=retail, actor=SYSTEM)
    set_config(
        {
            AUTO_ASSIGN: True,
            "general/store_information/country_id": "DE",
            "customer/create_account/viv_domestic_group": WHOLESALE,
            "customer/create_account/viv_intra_union_group": RETAILER,
            "customer/create_account/viv_invalid_group": invalid.pk,
            "customer/create_account/viv_error_group": error.pk,
        }
    )
    return SimpleNamespace(invalid=invalid, error=error)


# --- Offline check (format and checksum) --------------------------------------------------------


def test_valid_german_number_in_germany_moves_to_the_domestic_group(
    vat_groups, customer, django_capture_on_commit_callbacks, emitted
):
    # given
    before = timezone.now()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        address = make_address(customer, **german(vat_id=VALID_DE))

    # then
    assert group_of(customer) == "Wholesale"
    address.refresh_from_db()
    assert (address.vat_is_valid, address.vat_request_success) == (True, True)
    assert before <= address.vat_request_date <= timezone.now()
    assert group_changes(customer) == [
        {"old": "General", "new": "Wholesale", "reason": "vat_domestic"}
    ]
    assert [payload for name, payload in emitted if name == "groupChanged"] == [
        {
            "customer_id": customer.pk,
            "group_id": WHOLESALE,
            "reason": "vat_domestic",
            "actor": SYSTEM.as_fields(),
        }
    ]


def test_valid_french_number_in_france_moves_to_the_intra_union_group(
    vat_groups, customer, django_capture_on_commit_callbacks, emitted
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        address = make_address(customer, **french(vat_id=VALID_FR))

    # then
    assert group_of(customer) == "Retailer"
    assert vat_fields(address) == (True, True)
    assert group_changes(customer) == [
        {"old": "General", "new": "Retailer", "reason": "vat_intra_union"}
    ]
    assert [payload["reason"] for name, payload in emitted if name == "groupChanged"] == [
        "vat_intra_union"
    ]


@pytest.mark.parametrize(
    "vat_id",
    [
        pytest.param("de 136 695 976", id="lower_case_with_spaces"),
        pytest.param("136695976", id="without_country_prefix"),
    ],
)
def test_german_number_written_loosely_is_still_valid(vat_groups, customer, vat_id):
    # when
    address = make_address(customer, **german(vat_id=vat_id))

    # then
    assert group_of(customer) == "Wholesale"
    assert vat_fields(address) == (True, True)


def test_german_number_with_a_wrong_checksum_moves_to_the_invalid_group(vat_groups, customer):
    # when
    address = make_address(customer, **german(vat_id=INVALID_DE))

    # then
    assert group_of(customer) == "VAT invalid"
    assert vat_fields(address) == (False, True)
    assert group_changes(customer) == [
        {"old": "General", "new": "VAT invalid", "reason": "vat_invalid"}
    ]


def test_greek_address_is_checked_with_the_el_prefix(vat_groups, customer):
    # when
    address = make_address(
        customer,
        country_id="GR",
        city="Athens",
        region="",
        region_code="",
        postcode="105 57",
        telephone="+30 21 0333 0000",
        vat_id="EL094259216",
    )

    # then
    assert group_of(customer) == "Retailer"
    assert vat_fields(address) == (True, True)


# --- When nothing changes -----------------------------------------------------------------------


def test_address_outside_the_eu_changes_nothing(
    vat_groups, customer, django_capture_on_commit_callbacks, emitted
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        address = make_address(customer, vat_id="US123456789")

    # then
    assert group_of(customer) == "General"
    address.refresh_from_db()
    assert (address.vat_is_valid, address.vat_request_success, address.vat_request_date) == (
        None,
        None,
        None,
    )
    assert group_changes(customer) == []
    assert [name for name, _payload in emitted] == ["addressSaved"]


def test_disabled_automatic_change_keeps_the_group_but_records_validity(vat_groups, view_a):
    # given
    customer = make_customer(
        "bob@example.com", store_view=view_a, firstname="Bob", disable_auto_group_change=True
    )

    # when
    address = make_address(customer, **german(vat_id=VALID_DE))

    # then
    assert group_of(customer) == "General"
    address.refresh_from_db()
    assert (address.vat_is_valid, address.vat_request_success) == (True, True)
    assert address.vat_request_date is not None
    assert group_changes(customer) == []


def test_assignment_switched_off_changes_nothing(vat_groups, customer):
    # given
    set_config({AUTO_ASSIGN: False})

    # when
    address = make_address(customer, **german(vat_id=INVALID_DE))

    # then
    assert group_of(customer) == "General"
    assert vat_fields(address) == (None, None)
    assert group_changes(customer) == []


def test_non_default_address_changes_nothing(vat_groups, customer):
    # given
    make_address(customer)

    # when
    address = make_address(customer, **german(vat_id=INVALID_DE))

    # then
    customer.refresh_from_db()
    assert address.pk not in (customer.default_billing_id, customer.default_shipping_id)
    assert group_of(customer) == "General"
    assert vat_fields(address) == (None, None)
    assert group_changes(customer) == []


def test_address_without_vat_number_changes_nothing(vat_groups, customer):
    # when
    address = make_address(customer, **german())

    # then
    assert group_of(customer) == "General"
    assert vat_fields(address) == (None, None)


def test_with_taxes_based_on_shipping_only_the_shipping_address_decides(vat_groups, customer):
    # given
    set_config({BASED_ON: "shipping"})
    make_address(customer)

    # when
    billing = make_address(customer, default_billing=True, **german(vat_id=INVALID_DE))
    group_after_billing = group_of(customer)
    shipping = make_address(customer, default_shipping=True, **french(vat_id=VALID_FR))

    # then
    customer.refresh_from_db()
    assert (customer.default_billing_id, customer.default_shipping_id) == (
        billing.pk,
        shipping.pk,
    )
    assert group_after_billing == "General"
    assert vat_fields(billing) == (None, None)
    assert group_of(customer) == "Retailer"
    assert vat_fields(shipping) == (True, True)
    assert group_changes(customer) == [
        {"old": "General", "new": "Retailer", "reason": "vat_intra_union"}
    ]


# --- Through the other address services --------------------------------------------------------


def test_update_of_the_vat_number_reassigns_the_group(vat_groups, customer):
    # given
    address = make_address(customer, **german(vat_id=VALID_DE))

    # when
    services.update_address(address=address, vat_id=INVALID_DE, actor=SYSTEM)

    # then
    assert group_of(customer) == "VAT invalid"
    assert vat_fields(address) == (False, True)
    assert [params["reason"] for params in group_changes(customer)] == [
        "vat_domestic",
        "vat_invalid",
    ]


def test_making_an_address_the_default_billing_one_assigns_the_group(vat_groups, customer):
    # given
    make_address(customer)
    address = make_address(customer, **french(vat_id=VALID_FR))

    # when
    services.set_default_address(address=address, billing=True, actor=SYSTEM)

    # then
    assert group_of(customer) == "Retailer"
    assert vat_fields(address) == (True, True)


# --- Online check (VIES) ------------------------------------------------------------------------


@pytest.fixture
def german_address_unchecked(vat_groups, customer):
    """A default German address saved while assignment was off, then online checking on."""
    set_config({AUTO_ASSIGN: False})
    address = make_address(customer, **german(vat_id=VALID_DE))
    set_config({AUTO_ASSIGN: True, ONLINE_CHECK: True})
    customer.refresh_from_db()
    return address


@pytest.mark.parametrize(
    ("answer", "outcome", "group", "fields"),
    [
        pytest.param(True, vat.DOMESTIC, "Wholesale", (True, True), id="registered_case"),
        pytest.param(False, vat.INVALID, "VAT invalid", (False, True), id="not_registered_case"),
        pytest.param("unavailable", vat.ERROR, "VAT error", (None, False), id="unreachable_case"),
    ],
)
def test_online_check_decides_the_group(
    german_address_unchecked,
    customer,
    django_capture_on_commit_callbacks,
    emitted,
    answer,
    outcome,
    group,
    fields,
):
    # given
    checker = FakeVies(answer)
    before = timezone.now()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        result = vat.assign_group_by_vat(
            customer=customer, address=german_address_unchecked, actor=SYSTEM, checker=checker
        )

    # then
    assert result == outcome
    assert checker.calls == [("DE", "136695976")]
    assert group_of(customer) == group
    german_address_unchecked.refresh_from_db()
    assert (
        german_address_unchecked.vat_is_valid,
        german_address_unchecked.vat_request_success,
    ) == fields
    assert before <= german_address_unchecked.vat_request_date <= timezone.now()
    assert group_changes(customer) == [{"old": "General", "new": group, "reason": f"vat_{outcome}"}]
    assert [payload["reason"] for name, payload in emitted if name == "groupChanged"] == [
        f"vat_{outcome}"
    ]


def test_online_check_is_asked_with_the_compact_number(vat_groups, customer):
    # given
    set_config({AUTO_ASSIGN: False})
    address = make_address(customer, **german(vat_id="de 136-695.976"))
    set_config({AUTO_ASSIGN: True, ONLINE_CHECK: True})
    customer.refresh_from_db()
    checker = FakeVies(True)

    # when
    result = vat.assign_group_by_vat(
        customer=customer, address=address, actor=SYSTEM, checker=checker
    )

    # then
    assert result == vat.DOMESTIC
    assert checker.calls == [("DE", "136695976")]
    assert group_of(customer) == "Wholesale"


def test_online_check_is_skipped_for_a_number_with_a_wrong_checksum(vat_groups, customer):
    # given
    set_config({AUTO_ASSIGN: False})
    address = make_address(customer, **german(vat_id=INVALID_DE))
    set_config({AUTO_ASSIGN: True, ONLINE_CHECK: True})
    customer.refresh_from_db()
    checker = FakeVies(True)

    # when
    result = vat.assign_group_by_vat(
        customer=customer, address=address, actor=SYSTEM, checker=checker
    )

    # then
    assert result == vat.INVALID
    assert checker.calls == []
    assert group_of(customer) == "VAT invalid"


def test_online_check_is_not_asked_when_it_is_off(vat_groups, customer):
    # given
    set_config({AUTO_ASSIGN: False})
    address = make_address(customer, **french(vat_id=VALID_FR))
    set_config({AUTO_ASSIGN: True})
    customer.refresh_from_db()
    checker = FakeVies(False)

    # when
    result = vat.assign_group_by_vat(
        customer=customer, address=address, actor=SYSTEM, checker=checker
    )

    # then
    assert result == vat.INTRA_UNION
    assert checker.calls == []
    assert group_of(customer) == "Retailer"
    assert Address.objects.get(pk=address.pk).vat_is_valid is True
