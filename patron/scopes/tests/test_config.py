import pytest
from django.core.exceptions import ValidationError

from patron.scopes.config import get_config, get_field, inherited_value
from patron.scopes.models import ConfigValue, Scope
from patron.testing.fixtures import set_config

STORE_NAME = "general/store_information/name"  # settable at every scope, registered default ""
STREET_LINES = "customer/address/street_lines"  # website and default only, registered default 2
MIN_PASSWORD = "customer/password/minimum_password_length"  # default scope only, default 8


def test_registered_default_applies_when_nothing_is_stored(view_a, website_a):
    # given nothing stored

    # when / then
    assert get_config(STORE_NAME) == ""
    assert get_config(STORE_NAME, website=website_a) == ""
    assert get_config(STORE_NAME, store_view=view_a) == ""
    assert get_config(STREET_LINES, store_view=view_a) == 2


def test_default_scope_value_beats_registered_default(view_a):
    # given
    set_config({STORE_NAME: "Default Name"})

    # when
    value = get_config(STORE_NAME, store_view=view_a)

    # then
    assert value == "Default Name"


def test_website_value_beats_default_scope_value(view_a, website_b, view_b_de):
    # given
    set_config({STORE_NAME: "Default Name"})
    set_config({STORE_NAME: "Second Name"}, website=website_b)

    # when / then
    assert get_config(STORE_NAME, website=website_b) == "Second Name"
    assert get_config(STORE_NAME, store_view=view_b_de) == "Second Name"
    assert get_config(STORE_NAME, store_view=view_a) == "Default Name"
    assert get_config(STORE_NAME) == "Default Name"


def test_store_view_value_beats_website_value(website_b, view_b_de, view_b_fr):
    # given
    set_config({STORE_NAME: "Default Name"})
    set_config({STORE_NAME: "Second Name"}, website=website_b)
    set_config({STORE_NAME: "Zweiter Laden"}, store_view=view_b_de)

    # when / then
    assert get_config(STORE_NAME, store_view=view_b_de) == "Zweiter Laden"
    assert get_config(STORE_NAME, store_view=view_b_fr) == "Second Name"
    assert get_config(STORE_NAME, website=website_b) == "Second Name"


def test_store_view_without_own_value_gets_its_websites_value(website_b, view_b_de):
    # given
    set_config({STREET_LINES: 3}, website=website_b)

    # when
    value = get_config(STREET_LINES, store_view=view_b_de)

    # then
    assert value == 3


def test_store_view_id_is_accepted_instead_of_the_object(website_b, view_b_de):
    # given
    set_config({STORE_NAME: "Second Name"}, website=website_b)

    # when
    value = get_config(STORE_NAME, store_view=view_b_de.pk)

    # then
    assert value == "Second Name"


def test_global_only_setting_ignores_a_stray_website_row(website_b, view_b_de):
    # given a row no service would write (e.g. left by an import), and a default-scope value
    ConfigValue.objects.create(
        path=MIN_PASSWORD, scope=Scope.WEBSITE, scope_id=website_b.pk, value=20
    )
    ConfigValue.objects.create(
        path=MIN_PASSWORD, scope=Scope.STORE_VIEW, scope_id=view_b_de.pk, value=30
    )
    set_config({MIN_PASSWORD: 12})

    # when / then
    assert get_config(MIN_PASSWORD, website=website_b) == 12
    assert get_config(MIN_PASSWORD, store_view=view_b_de) == 12


def test_website_only_setting_ignores_a_stray_store_view_row(website_b, view_b_de):
    # given
    ConfigValue.objects.create(
        path=STREET_LINES, scope=Scope.STORE_VIEW, scope_id=view_b_de.pk, value=4
    )
    set_config({STREET_LINES: 3}, website=website_b)

    # when
    value = get_config(STREET_LINES, store_view=view_b_de)

    # then
    assert value == 3


def test_unknown_path_raises_key_error(db):
    # when / then
    with pytest.raises(KeyError, match="nope/nope/nope"):
        get_config("nope/nope/nope")


def test_inherited_value_is_the_parents_value(website_b, view_b_de):
    # given
    set_config({STORE_NAME: "Default Name"})
    set_config({STORE_NAME: "Second Name"}, website=website_b)
    set_config({STORE_NAME: "Zweiter Laden"}, store_view=view_b_de)

    # when / then
    assert (
        inherited_value(STORE_NAME, scope=Scope.STORE_VIEW, scope_id=view_b_de.pk) == "Second Name"
    )
    assert inherited_value(STORE_NAME, scope=Scope.WEBSITE, scope_id=website_b.pk) == "Default Name"
    assert inherited_value(STORE_NAME, scope=Scope.DEFAULT, scope_id=0) == ""


@pytest.mark.parametrize(
    ("path", "raw", "expected"),
    [
        pytest.param("persistent/options/enabled", "yes", True, id="bool_yes_case"),
        pytest.param("persistent/options/enabled", "0", False, id="bool_zero_case"),
        pytest.param("persistent/options/enabled", True, True, id="bool_true_case"),
        pytest.param(STREET_LINES, " 3 ", 3, id="int_text_case"),
        pytest.param(STREET_LINES, 1, 1, id="street_lines_lowest_case"),
        pytest.param(STREET_LINES, 4, 4, id="street_lines_highest_case"),
        pytest.param("customer/captcha/mode", "always", "always", id="choice_case"),
        pytest.param(
            "customer/captcha/forms",
            "user_login, user_create,user_login",
            ["user_login", "user_create"],
            id="multichoice_text_case",
        ),
        pytest.param(
            "trans_email/ident_general/email", " a@example.com ", "a@example.com", id="email_case"
        ),
        pytest.param(
            "web/url/base_url",
            "https://shop.example.com/",
            "https://shop.example.com/",
            id="url_case",
        ),
        pytest.param("web/cookie/cookie_path", "/shop", "/shop", id="pattern_case"),
        pytest.param(
            "customer/online_customers/online_minutes_interval", "", None, id="optional_int_case"
        ),
    ],
)
def test_valid_raw_values_are_converted(path, raw, expected):
    # when
    value = get_field(path).clean(raw)

    # then
    assert value == expected


@pytest.mark.parametrize(
    ("path", "raw", "code"),
    [
        pytest.param("persistent/options/enabled", "maybe", "invalid_bool", id="bool_case"),
        pytest.param(STREET_LINES, "two", "invalid_int", id="int_case"),
        pytest.param(STREET_LINES, True, "invalid_int", id="bool_as_int_case"),
        pytest.param(STREET_LINES, 0, "min_value", id="street_lines_zero_case"),
        pytest.param(STREET_LINES, 5, "max_value", id="street_lines_five_case"),
        pytest.param(STREET_LINES, "", "required", id="required_int_case"),
        pytest.param("customer/captcha/mode", "sometimes", "invalid_choice", id="choice_case"),
        pytest.param(
            "customer/captcha/forms",
            ["user_login", "nope"],
            "invalid_choice",
            id="multichoice_case",
        ),
        pytest.param("trans_email/ident_general/email", "not-an-email", "invalid", id="email_case"),
        pytest.param("trans_email/ident_general/name", "  ", "required", id="required_text_case"),
        pytest.param(
            "web/url/base_url", "ftp://shop.example.com/", "invalid", id="url_scheme_case"
        ),
        pytest.param("web/cookie/cookie_path", "shop", "invalid_format", id="pattern_case"),
        pytest.param(
            "customer/address/prefix_options", "x" * 256, "max_length", id="max_length_case"
        ),
    ],
)
def test_invalid_raw_values_are_refused_with_a_code(path, raw, code):
    # when
    with pytest.raises(ValidationError) as error:
        get_field(path).clean(raw)

    # then
    assert error.value.code == code


# --- The snapshot inside a transaction -----------------------------------------------------------


def test_a_transaction_loads_the_configuration_once(db, django_assert_num_queries):
    from django.core.cache import cache
    from django.db import transaction

    from patron.scopes.config import SNAPSHOT_KEY, get_config

    cache.delete(SNAPSHOT_KEY)
    with transaction.atomic():
        get_config("customer/password/minimum_password_length")

        with django_assert_num_queries(0):
            get_config("customer/password/minimum_password_length")
            get_config("customer/password/required_character_classes_number")


def test_a_value_rolled_back_with_its_savepoint_is_not_read_again(db):
    from django.db import transaction

    from patron.core.actors import SYSTEM
    from patron.scopes.config import get_config
    from patron.scopes.services import save_config

    path = "customer/password/minimum_password_length"
    with transaction.atomic():
        before = get_config(path)
        try:
            with transaction.atomic():
                save_config(values={path: 12}, scope="default", scope_id=0, actor=SYSTEM)
                assert get_config(path) == 12
                raise RuntimeError("undo")
        except RuntimeError:
            pass

        assert get_config(path) == before
