"""The one password policy (SPEC decision; spec a §12, acceptance checks 13 and 14): minimum
length, required character classes, no leading or trailing spaces, on every path that sets a
password."""

import string

import pytest
from django.contrib.auth.hashers import check_password
from django.core import mail
from hypothesis import given
from hypothesis import strategies as st

from patron.accounts import services
from patron.accounts.models import PasswordResetRequest
from patron.accounts.passwords import check_new_password, password_problems, strength
from patron.accounts.tests.factories import (
    CREATE_URL,
    PASSWORD,
    RESET_URL,
    link_in_email,
    registration_data,
)
from patron.core.actors import SYSTEM
from patron.core.errors import InvalidInput
from patron.customers.models import Customer
from patron.mail.models import OutboxMessage
from patron.testing.fixtures import set_config

CLASSES = "customer/password/required_character_classes_number"
MINIMUM = "customer/password/minimum_password_length"
TOO_SIMPLE_3 = (
    "Use at least 3 of these kinds of characters: lowercase letters, uppercase letters, "
    "digits, special characters."
)
TOO_SIMPLE_4 = TOO_SIMPLE_3.replace("at least 3", "at least 4")


def codes(password: str) -> list[str]:
    return [problem.code for problem in password_problems(password)]


# --- The policy itself --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("abcdefgh", ["password_too_simple"]),
        ("Abcdefgh", ["password_too_simple"]),
        ("Abcdefg1", []),
        ("Abcdef1", ["password_too_short"]),
        ("", ["password_too_short", "password_too_simple"]),
    ],
    ids=["lowercase_only_case", "two_classes_case", "three_classes_case", "seven_chars_case",
         "empty_case"],
)  # fmt: skip
def test_default_policy_asks_for_eight_characters_of_three_classes(db, password, expected):
    # given: the defaults, minimum length 8 and 3 classes (check 13)

    # when
    found = codes(password)

    # then
    assert found == expected


@pytest.mark.parametrize(
    ("password", "expected"),
    [("Abcdefg1", ["password_too_simple"]), ("Abcdef1!", [])],
    ids=["three_classes_case", "four_classes_case"],
)
def test_four_required_classes_refuse_a_password_with_three(db, password, expected):
    # given (check 14)
    set_config({CLASSES: 4})

    # when
    found = codes(password)

    # then
    assert found == expected


def test_every_problem_is_reported_at_once_with_its_field_and_params(db):
    # given
    set_config({MINIMUM: 10})

    # when
    with pytest.raises(InvalidInput) as error:
        check_new_password(" abc", "other")

    # then
    assert error.value.code == "invalid"
    assert [problem.as_dict() for problem in error.value.problems] == [
        {
            "code": "password_too_short",
            "message": "Use at least 10 characters.",
            "field": "password",
            "params": {"minimum": 10},
        },
        {
            "code": "password_too_simple",
            "message": TOO_SIMPLE_3,
            "field": "password",
            "params": {"classes": 3},
        },
        {
            "code": "password_spaces",
            "message": "The password cannot begin or end with a space.",
            "field": "password",
        },
        {
            "code": "password_mismatch",
            "message": "Please enter the same password twice.",
            "field": "password_confirmation",
        },
    ]


@pytest.mark.parametrize(
    "password",
    [" Abcdefg1", "Abcdefg1 ", "\tAbcdefg1", "Abcdefg1\n", "\u00a0Abcdefg1", "\u3000Abcdefg1"],
    ids=["leading_space_case", "trailing_space_case", "leading_tab_case", "trailing_newline_case",
         "leading_no_break_space_case", "leading_ideographic_space_case"],
)  # fmt: skip
def test_leading_or_trailing_spaces_are_refused(db, password):
    # when
    found = codes(password)

    # then
    assert found == ["password_spaces"]


def test_spaces_inside_the_password_are_allowed(db):
    # when
    found = codes("Abc defg 1")

    # then
    assert found == []


# An oracle written from the rule's text, independently of patron.accounts.passwords: the four
# classes are a-z, A-Z, 0-9 and every other character (Magento's definition, shared with the
# strength meter), length counts characters, and no whitespace may open or close the password.
def expected_codes(password: str, *, minimum: int, classes: int) -> list[str]:
    kinds = set()
    for char in password:
        if char in string.ascii_lowercase:
            kinds.add("lower")
        elif char in string.ascii_uppercase:
            kinds.add("upper")
        elif char in string.digits:
            kinds.add("digit")
        else:
            kinds.add("special")
    found = []
    if len(password) < minimum:
        found.append("password_too_short")
    if len(kinds) < classes:
        found.append("password_too_simple")
    if password and (password[0].isspace() or password[-1].isspace()):
        found.append("password_spaces")
    return found


passwords = st.one_of(
    st.text(max_size=16),
    st.text(alphabet=string.printable, max_size=16),
    st.text(alphabet="aZ5!é中\u3000 ", max_size=12),
)


@pytest.mark.parametrize(
    ("minimum", "classes"),
    [(8, 3), (1, 4), (12, 1), (6, 2)],
    ids=["defaults_case", "four_classes_case", "long_one_class_case", "short_two_classes_case"],
)
def test_policy_agrees_with_the_rule_for_any_string(db, minimum, classes):
    # given
    set_config({MINIMUM: minimum, CLASSES: classes})

    @given(password=passwords)
    def check(password):
        # when
        found = codes(password)

        # then
        assert found == expected_codes(password, minimum=minimum, classes=classes)

    check()


@pytest.mark.parametrize(
    ("password", "expected"),
    [("", "weak"), ("abcdefgh", "weak"), ("Abcdefg1", "medium"), ("Abcdef1!", "strong"),
     ("Abcdef1!Abcdef1!", "very_strong")],
    ids=["empty_case", "one_class_case", "three_classes_case", "four_classes_case", "long_case"],
)  # fmt: skip
def test_strength_levels_match_the_meter(password, expected):
    # when
    level = strength(password)

    # then
    assert level == expected


# --- Every path that sets a password ------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "problem"),
    [("abcdefgh", TOO_SIMPLE_3), ("Abcdefgh", TOO_SIMPLE_3)],
    ids=["lowercase_only_case", "two_classes_case"],
)
def test_registration_refuses_a_password_below_the_policy(client, view_a, password, problem):
    # given (check 13)
    data = registration_data(password=password, password_confirmation=password)

    # when
    response = client.post(CREATE_URL, data)

    # then
    assert response.status_code == 400
    assert response.context["form"].errors == {"password": [problem]}
    assert Customer.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


def test_registration_accepts_three_classes_by_default(client, view_a):
    # given (check 13)
    data = registration_data(password="Abcdefg1", password_confirmation="Abcdefg1")

    # when
    response = client.post(CREATE_URL, data)

    # then
    assert response.status_code == 302
    customer = Customer.objects.get()
    assert check_password("Abcdefg1", customer.password) is True


def test_registration_with_four_required_classes(client, view_a):
    # given (check 14)
    set_config({CLASSES: 4})

    # when
    refused = client.post(
        CREATE_URL, registration_data(password="Abcdefg1", password_confirmation="Abcdefg1")
    )

    # then
    assert refused.status_code == 400
    assert refused.context["form"].errors == {"password": [TOO_SIMPLE_4]}
    assert Customer.objects.count() == 0

    # when
    accepted = client.post(
        CREATE_URL, registration_data(password="Abcdef1!", password_confirmation="Abcdef1!")
    )

    # then
    assert accepted.status_code == 302
    assert check_password("Abcdef1!", Customer.objects.get().password) is True


def test_registration_refuses_a_different_confirmation(client, view_a):
    # when
    response = client.post(CREATE_URL, registration_data(password_confirmation="Secret-password-2"))

    # then
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "password_confirmation": ["Please enter the same password twice."]
    }
    assert Customer.objects.count() == 0


def test_reset_with_four_required_classes(client, shopper, view_a, committed):
    # given (check 14)
    set_config({CLASSES: 4})
    with committed():
        services.request_password_reset(email=shopper.email, store_view=view_a)
    link = link_in_email(mail.outbox[-1], RESET_URL)

    # when
    refused = client.post(link, {"password": "Abcdefg1", "password_confirmation": "Abcdefg1"})

    # then
    assert refused.status_code == 400
    assert refused.context["form"].errors == {"password": [TOO_SIMPLE_4]}
    shopper.refresh_from_db()
    assert check_password(PASSWORD, shopper.password) is True
    assert PasswordResetRequest.objects.get().used_at is None

    # when
    accepted = client.post(link, {"password": "Abcdef1!", "password_confirmation": "Abcdef1!"})

    # then
    assert accepted.status_code == 302
    shopper.refresh_from_db()
    assert check_password("Abcdef1!", shopper.password) is True


def test_password_change_with_four_required_classes(shopper):
    # given (check 14)
    set_config({CLASSES: 4})
    before = shopper.password

    # when
    with pytest.raises(InvalidInput) as error:
        services.set_password(customer=shopper, password="Abcdefg1", actor=SYSTEM)

    # then
    assert error.value.code == "password_too_simple"
    shopper.refresh_from_db()
    assert shopper.password == before

    # when
    services.set_password(customer=shopper, password="Abcdef1!", actor=SYSTEM)

    # then
    shopper.refresh_from_db()
    assert check_password("Abcdef1!", shopper.password) is True


def test_password_change_refuses_leading_spaces(shopper):
    # given
    before = shopper.password

    # when
    with pytest.raises(InvalidInput) as error:
        services.set_password(customer=shopper, password=" Abcdefg1", actor=SYSTEM)

    # then
    assert error.value.code == "password_spaces"
    shopper.refresh_from_db()
    assert shopper.password == before
