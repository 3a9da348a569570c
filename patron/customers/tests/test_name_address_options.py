"""Name and Address Options (spec a §11, checks 24-29): one validation for every path."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patron.core.actors import SYSTEM
from patron.core.errors import InvalidInput
from patron.customers import services
from patron.customers.models import Address, Customer
from patron.customers.tests.factories import make_address, make_customer
from patron.customers.validation import form_rules
from patron.scopes import services as scope_services
from patron.scopes.models import ConfigValue, Scope
from patron.testing.fixtures import set_config

STREET_LINES = "customer/address/street_lines"
CUSTOMER_VALUES = {
    "prefix": ("Dr.", "Name Prefix"),
    "suffix": ("Jr.", "Name Suffix"),
    "dob": (dt.date(1990, 5, 17), "Date of Birth"),
    "taxvat": ("GB123456789", "Tax/VAT Number"),
    "gender": (2, "Gender"),
}
ADDRESS_VALUES = {
    # Already in the international format the country rules normalize numbers to.
    "telephone": ("+1 617-555-0100", "Phone Number"),
    "company": ("Analytical Engines Ltd", "Company"),
    "fax": ("+1 617 555 0199", "Fax"),
    "prefix": ("Dr.", "Name Prefix"),
    "suffix": ("Jr.", "Name Suffix"),
}
EMPTY = {"dob": None, "gender": None}


def show(field: str, mode: str, **scope) -> None:
    set_config({f"customer/address/{field}_show": mode}, **scope)


def empty_value(field: str):
    return EMPTY.get(field, "")


# --- Customer fields ----------------------------------------------------------------------------


@pytest.mark.parametrize("field", CUSTOMER_VALUES)
@pytest.mark.parametrize("mode", ["", "opt"], ids=["hidden_case", "optional_case"])
def test_hidden_or_optional_customer_field_may_be_left_empty(view_a, field, mode):
    # given
    show(field, mode)

    # when
    customer = make_customer(store_view=view_a, **{field: empty_value(field)})

    # then
    customer.refresh_from_db()
    assert getattr(customer, field) == empty_value(field)
    rule = form_rules(view_a.store.website).rule(field)
    assert (rule.visible, rule.required) == (mode == "opt", False)


@pytest.mark.parametrize("field", CUSTOMER_VALUES)
@pytest.mark.parametrize(
    "mode", ["", "opt", "req"], ids=["hidden_case", "optional_case", "required_case"]
)
def test_customer_field_value_is_kept_in_every_mode(view_a, field, mode):
    # given
    show(field, mode)
    value, _label = CUSTOMER_VALUES[field]

    # when
    customer = make_customer(store_view=view_a, **{field: value})

    # then
    customer.refresh_from_db()
    assert getattr(customer, field) == value


@pytest.mark.parametrize("field", CUSTOMER_VALUES)
def test_required_customer_field_left_empty_is_refused_naming_the_field(view_a, field):
    # given
    show(field, "req")
    _value, label = CUSTOMER_VALUES[field]

    # when
    with pytest.raises(InvalidInput) as error:
        make_customer(store_view=view_a, **{field: empty_value(field)})

    # then
    assert (error.value.code, error.value.field) == ("required", field)
    assert error.value.message == f"{label} is a required field."
    assert Customer.objects.count() == 0


def test_required_field_cannot_be_cleared_by_an_update(customer):
    # given
    show("taxvat", "req")

    # when
    with pytest.raises(InvalidInput) as error:
        services.update_customer(customer=customer, firstname="Augusta", actor=SYSTEM)

    # then
    assert (error.value.code, error.value.field) == ("required", "taxvat")
    customer.refresh_from_db()
    assert customer.firstname == "Ada"


def test_every_missing_required_field_is_reported_at_once(view_a):
    # given
    set_config({"customer/address/dob_show": "req", "customer/address/gender_show": "req"})

    # when
    with pytest.raises(InvalidInput) as error:
        make_customer(store_view=view_a)

    # then
    assert error.value.code == "invalid"
    assert error.value.message == "2 values are not valid."
    assert [(p.code, p.field) for p in error.value.problems] == [
        ("required", "dob"),
        ("required", "gender"),
    ]


def test_options_of_one_website_do_not_apply_to_another(view_a, view_b, website_b):
    # given
    show("dob", "req", website=website_b)

    # when
    on_a = make_customer("ada@example.com", store_view=view_a)
    with pytest.raises(InvalidInput) as error:
        make_customer("ada@example.com", store_view=view_b)

    # then
    assert on_a.dob is None
    assert (error.value.code, error.value.field) == ("required", "dob")
    assert list(Customer.objects.values_list("website__code", flat=True)) == ["base"]


# --- Prefix and suffix dropdowns ----------------------------------------------------------------


@pytest.mark.parametrize("field", ["prefix", "suffix"])
def test_required_dropdown_refuses_its_blank_first_option(view_a, field):
    # given
    set_config(
        {
            f"customer/address/{field}_show": "req",
            f"customer/address/{field}_options": ";Mr.;Ms.;Dr.",
        }
    )

    # when
    with pytest.raises(InvalidInput) as error:
        make_customer(store_view=view_a, **{field: ""})

    # then
    assert (error.value.code, error.value.field) == ("required", field)
    assert form_rules(view_a.store.website).rule(field).options == ("", "Mr.", "Ms.", "Dr.")
    assert Customer.objects.count() == 0


@pytest.mark.parametrize("field", ["prefix", "suffix"])
def test_required_dropdown_accepts_a_listed_option(view_a, field):
    # given
    set_config(
        {
            f"customer/address/{field}_show": "req",
            f"customer/address/{field}_options": ";Mr.;Ms.;Dr.",
        }
    )

    # when
    customer = make_customer(store_view=view_a, **{field: "Mr."})

    # then
    customer.refresh_from_db()
    assert getattr(customer, field) == "Mr."


@pytest.mark.parametrize("field", ["prefix", "suffix"])
def test_dropdown_refuses_a_value_not_listed(view_a, field):
    # given
    set_config(
        {
            f"customer/address/{field}_show": "opt",
            f"customer/address/{field}_options": ";Mr.;Ms.;Dr.",
        }
    )

    # when
    with pytest.raises(InvalidInput) as error:
        make_customer(store_view=view_a, **{field: "Sir"})

    # then
    assert (error.value.code, error.value.field) == ("invalid_choice", field)
    label = CUSTOMER_VALUES[field][1]
    assert error.value.message == f"{label} must be one of: Mr., Ms., Dr.."
    assert Customer.objects.count() == 0


def test_optional_prefix_without_options_is_free_text(view_a):
    # given
    show("prefix", "opt")

    # when
    empty = make_customer("a@example.com", store_view=view_a, prefix="")
    free = make_customer("b@example.com", store_view=view_a, prefix="Sir")

    # then
    assert form_rules(view_a.store.website).prefix.options == ()
    assert sorted(Customer.objects.values_list("email", "prefix")) == [
        ("a@example.com", ""),
        ("b@example.com", "Sir"),
    ]
    assert (empty.prefix, free.prefix) == ("", "Sir")


def test_dropdown_applies_to_address_names_too(customer):
    # given
    set_config(
        {"customer/address/prefix_show": "opt", "customer/address/prefix_options": "Mr.;Ms."}
    )

    # when
    with pytest.raises(InvalidInput) as error:
        make_address(customer, prefix="Sir")
    address = make_address(customer, prefix="Ms.")

    # then
    assert (error.value.code, error.value.field) == ("invalid_choice", "prefix")
    assert list(Address.objects.values_list("pk", "prefix")) == [(address.pk, "Ms.")]


def test_middle_name_is_hidden_by_default_and_optional_when_shown(customer, website_a):
    # given
    hidden = form_rules(website_a).middlename
    set_config({"customer/address/middlename_show": True})

    # when
    shown = form_rules(website_a).middlename
    services.update_customer(customer=customer, middlename="Augusta", actor=SYSTEM)
    services.update_customer(customer=customer, middlename="", actor=SYSTEM)

    # then
    assert (hidden.visible, hidden.required) == (False, False)
    assert (shown.visible, shown.required) == (True, False)
    customer.refresh_from_db()
    assert customer.middlename == ""


def test_middle_name_sent_while_hidden_is_kept(view_a):
    # when
    customer = make_customer(store_view=view_a, middlename="Augusta")

    # then
    customer.refresh_from_db()
    assert customer.middlename == "Augusta"


# --- Address fields -----------------------------------------------------------------------------


@pytest.mark.parametrize("field", ADDRESS_VALUES)
@pytest.mark.parametrize("mode", ["", "opt"], ids=["hidden_case", "optional_case"])
def test_hidden_or_optional_address_field_may_be_left_empty(customer, field, mode):
    # given
    show(field, mode)

    # when
    address = make_address(customer, **{field: ""})

    # then
    address.refresh_from_db()
    assert getattr(address, field) == ""


@pytest.mark.parametrize("field", ADDRESS_VALUES)
def test_required_address_field_left_empty_is_refused_naming_the_field(customer, field):
    # given
    show(field, "req")
    _value, label = ADDRESS_VALUES[field]

    # when
    with pytest.raises(InvalidInput) as error:
        make_address(customer, **{field: " "})

    # then
    assert (error.value.code, error.value.field) == ("required", field)
    assert error.value.message == f"{label} is a required field."
    assert Address.objects.count() == 0


@pytest.mark.parametrize("field", ADDRESS_VALUES)
@pytest.mark.parametrize(
    "mode", ["", "opt", "req"], ids=["hidden_case", "optional_case", "required_case"]
)
def test_address_field_value_is_kept_in_every_mode(customer, field, mode):
    # given
    show(field, mode)
    value, _label = ADDRESS_VALUES[field]

    # when
    address = make_address(customer, **{field: value})

    # then
    address.refresh_from_db()
    assert getattr(address, field) == value


def test_telephone_is_required_by_default_and_company_optional(customer, website_a):
    # given
    rules = form_rules(website_a)

    # when
    with pytest.raises(InvalidInput) as error:
        make_address(customer, telephone="")

    # then
    assert (error.value.code, error.value.field) == ("required", "telephone")
    assert [(r.name, r.show) for r in (rules.telephone, rules.company, rules.fax)] == [
        ("telephone", "req"),
        ("company", "opt"),
        ("fax", ""),
    ]
    assert rules.street_lines == 2


# --- Street lines -------------------------------------------------------------------------------


@pytest.mark.parametrize("configured", [1, 2, 3, 4])
def test_street_takes_up_to_the_configured_number_of_lines(customer, configured):
    # given
    set_config({STREET_LINES: configured})
    lines = [f"Line {n}" for n in range(1, configured + 2)]

    # when
    accepted = make_address(customer, street=lines[:configured])
    with pytest.raises(InvalidInput) as error:
        make_address(customer, street=lines)

    # then
    assert accepted.street == lines[:configured]
    assert (error.value.code, error.value.field) == ("too_many_street_lines", "street")
    assert error.value.message == (
        f"Street Address takes at most {configured} {'line' if configured == 1 else 'lines'}; "
        f"{configured + 1} were given."
    )
    assert list(Address.objects.values_list("pk", flat=True)) == [accepted.pk]


def test_three_lines_are_refused_when_two_are_configured(customer):
    # given
    set_config({STREET_LINES: 2})

    # when
    with pytest.raises(InvalidInput) as error:
        make_address(customer, street=["1 Main St", "Apt 2", "Floor 3"])

    # then
    assert (error.value.code, error.value.field) == ("too_many_street_lines", "street")
    assert Address.objects.count() == 0


@given(configured=st.integers(min_value=1, max_value=4), given_lines=st.integers(1, 6))
def test_street_line_rule_over_random_counts(customer, configured, given_lines):
    # given
    set_config({STREET_LINES: configured})
    before = Address.objects.count()
    street = [f"Line {n}" for n in range(1, given_lines + 1)]

    # when
    try:
        address = make_address(customer, street=street)
        outcome = ("saved", address.street)
    except InvalidInput as error:
        outcome = (error.code, error.field)

    # then
    if given_lines <= configured:
        assert outcome == ("saved", street)
        assert Address.objects.count() == before + 1
    else:
        assert outcome == ("too_many_street_lines", "street")
        assert Address.objects.count() == before


def test_empty_street_is_refused(customer):
    # when
    with pytest.raises(InvalidInput) as error:
        make_address(customer, street=["", ""])

    # then
    assert (error.value.code, error.value.field) == ("required", "street")


@pytest.mark.parametrize(
    ("value", "code"), [(0, "min_value"), (5, "max_value")], ids=["zero_case", "five_case"]
)
def test_street_lines_outside_one_to_four_cannot_be_configured(website_a, value, code):
    # when
    with pytest.raises(InvalidInput) as error:
        scope_services.save_config(
            scope=Scope.WEBSITE, scope_id=website_a.pk, values={STREET_LINES: value}, actor=SYSTEM
        )

    # then
    assert (error.value.code, error.value.field) == (code, STREET_LINES)
    assert not ConfigValue.objects.filter(path=STREET_LINES).exists()
    assert form_rules(website_a).street_lines == 2


def test_name_and_address_options_cannot_be_set_for_a_store_view(view_a):
    # when
    with pytest.raises(InvalidInput) as error:
        scope_services.save_config(
            scope=Scope.STORE_VIEW,
            scope_id=view_a.pk,
            values={"customer/address/dob_show": "req"},
            actor=SYSTEM,
        )

    # then
    assert (error.value.code, error.value.field) == (
        "scope_not_allowed",
        "customer/address/dob_show",
    )
    assert not ConfigValue.objects.filter(path="customer/address/dob_show").exists()
