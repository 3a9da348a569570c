"""Custom attribute values (spec b §4–5, checks 12-16): the one validation every path uses,
exercised through the customer and address services (the hypothesis properties call
``clean_values``, the function those services call, so no row is written per example)."""

import base64
import re
import string
from io import BytesIO

import pytest
from django.db import transaction
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.provisional import urls
from PIL import Image

from patron.core.actors import SYSTEM
from patron.core.errors import InvalidInput
from patron.customers import attributes, services
from patron.customers.models import AttributeForm, Customer
from patron.customers.tests.factories import make_address, make_customer

LETTERS = string.ascii_letters
DIGITS = string.digits


def define(code: str, input_type: str = "text", *, entity: str = "customer", **props):
    props.setdefault("label", code.replace("_", " ").title())
    return attributes.create_attribute(
        entity=entity, code=code, input_type=input_type, actor=SYSTEM, **props
    )


def save(customer: Customer, **values) -> Customer:
    services.update_customer(customer=customer, custom_attributes=values, actor=SYSTEM)
    customer.refresh_from_db()
    return customer


def refused(customer: Customer, **values) -> InvalidInput:
    before = Customer.objects.get(pk=customer.pk).custom_attributes
    with pytest.raises(InvalidInput) as error:
        services.update_customer(customer=customer, custom_attributes=values, actor=SYSTEM)
    assert Customer.objects.get(pk=customer.pk).custom_attributes == before
    return error.value


def codes_of(error: InvalidInput) -> list[tuple[str, str]]:
    return [(p.code, p.field) for p in error.problems]


def cleaned(**values) -> dict:
    """The values as the services would store them, for a new owner (no customer written)."""
    return attributes.clean_values("customer", values)


def refused_value(**values) -> InvalidInput:
    with pytest.raises(InvalidInput) as error:
        attributes.clean_values("customer", values)
    return error.value


def upload(name: str, content: bytes) -> dict[str, str]:
    return {"name": name, "content_base64": base64.b64encode(content).decode()}


def png(width: int, height: int) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def inside(prefix: str, middle: str, suffix: str) -> str:
    return prefix + middle + suffix


# --- Input types --------------------------------------------------------------------------------


def test_text_is_stored_stripped(customer):
    # given
    define("nickname")

    # when
    customer = save(customer, nickname="  Ada  ")

    # then
    assert customer.custom_attributes == {"nickname": "Ada"}


def test_text_refuses_structures(customer):
    # given
    define("nickname")

    # when
    error = refused(customer, nickname={"a": 1})

    # then
    assert codes_of(error) == [("invalid_type", "custom_attributes.nickname")]


def test_text_area_is_sanitized(customer):
    # given
    define("biography", "textarea")

    # when
    customer = save(
        customer, biography='<p onclick="x()">Hi <script>alert(1)</script><b>you</b></p>'
    )

    # then
    assert customer.custom_attributes == {"biography": "<p>Hi <b>you</b></p>"}


def test_multiple_line_is_a_list_of_lines(customer):
    # given
    define("delivery", "multiline", multiline_count=3)

    # when
    customer = save(customer, delivery="Gate 4\r\n Back door \n\n")

    # then
    assert customer.custom_attributes == {"delivery": ["Gate 4", "Back door"]}


@pytest.mark.parametrize(("lines", "accepted"), [(3, True), (4, False)], ids=["3_case", "4_case"])
def test_multiple_line_takes_at_most_its_lines_count(customer, lines, accepted):
    # given
    define("delivery", "multiline", multiline_count=3)
    value = [f"line {n}" for n in range(lines)]

    # when / then
    if accepted:
        assert save(customer, delivery=value).custom_attributes == {"delivery": value}
    else:
        error = refused(customer, delivery=value)
        assert codes_of(error) == [("too_many_lines", "custom_attributes.delivery")]


@pytest.mark.parametrize(
    ("count", "accepted"), [(1, False), (2, True), (20, True), (21, False)], ids=lambda v: str(v)
)
def test_lines_count_is_between_2_and_20(db, count, accepted):
    # when / then
    if accepted:
        assert define("delivery", "multiline", multiline_count=count).multiline_count == count
    else:
        with pytest.raises(InvalidInput) as error:
            define("delivery", "multiline", multiline_count=count)
        assert (error.value.code, error.value.field) == ("invalid_lines_count", "multiline_count")


def test_date_is_stored_as_iso(customer):
    # given
    define("anniversary", "date")

    # when
    customer = save(customer, anniversary=" 2024-02-29 ")

    # then
    assert customer.custom_attributes == {"anniversary": "2024-02-29"}


@pytest.mark.parametrize("value", ["29/02/2024", "2023-02-29", "tomorrow", "2024-13-01"])
def test_date_refuses_what_is_not_a_date(customer, value):
    # given
    define("anniversary", "date")

    # when
    error = refused(customer, anniversary=value)

    # then
    assert codes_of(error) == [("invalid_date", "custom_attributes.anniversary")]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("2019-12-31", "date_too_early"),
        ("2020-01-01", None),
        ("2020-12-31", None),
        ("2021-01-01", "date_too_late"),
    ],
)
def test_date_stays_within_its_minimal_and_maximum_values(customer, value, code):
    # given
    define("anniversary", "date", date_min="2020-01-01", date_max="2020-12-31")

    # when / then
    if code is None:
        assert save(customer, anniversary=value).custom_attributes == {"anniversary": value}
    else:
        assert codes_of(refused(customer, anniversary=value)) == [
            (code, "custom_attributes.anniversary")
        ]


@pytest.mark.parametrize(
    ("value", "stored"),
    [(True, True), ("yes", True), ("1", True), (False, False), ("no", False), (0, False)],
)
def test_yes_no_is_a_boolean(customer, value, stored):
    # given
    define("vip", "boolean")

    # when
    customer = save(customer, vip=value)

    # then
    assert customer.custom_attributes == {"vip": stored}


def test_yes_no_refuses_other_answers(customer):
    # given
    define("vip", "boolean")

    # when
    error = refused(customer, vip="maybe")

    # then
    assert codes_of(error) == [("invalid_boolean", "custom_attributes.vip")]


def test_dropdown_stores_its_option_id(customer):
    # given
    tier = define("tier", "select", options=[{"label": "Silver"}, {"label": "Gold"}])
    gold = tier.options.get(label="Gold")

    # when
    customer = save(customer, tier=str(gold.pk))

    # then
    assert customer.custom_attributes == {"tier": gold.pk}


def test_dropdown_refuses_an_option_of_another_attribute(customer):
    # given
    define("tier", "select", options=[{"label": "Silver"}])
    other = define("colour", "select", options=[{"label": "Red"}]).options.get()

    # when
    error = refused(customer, tier=other.pk)

    # then
    assert codes_of(error) == [("invalid_option", "custom_attributes.tier")]


def test_multiple_select_stores_sorted_option_ids_once(customer):
    # given
    hobbies = define(
        "hobbies", "multiselect", options=[{"label": "Chess"}, {"label": "Go"}, {"label": "Tea"}]
    )
    chess, go, tea = (o.pk for o in hobbies.options.order_by("sort_order"))

    # when
    customer = save(customer, hobbies=[tea, chess, tea])

    # then
    assert customer.custom_attributes == {"hobbies": [chess, tea]}
    assert save(customer, hobbies=f"{go},{chess}").custom_attributes == {"hobbies": [chess, go]}


def test_multiple_select_refuses_unknown_ids(customer):
    # given
    define("hobbies", "multiselect", options=[{"label": "Chess"}])

    # when
    error = refused(customer, hobbies=[999_999])

    # then
    assert codes_of(error) == [("invalid_option", "custom_attributes.hobbies")]


def test_empty_multiple_select_clears_the_value(customer):
    # given
    hobbies = define("hobbies", "multiselect", options=[{"label": "Chess"}])
    customer = save(customer, hobbies=[hobbies.options.get().pk])

    # when
    customer = save(customer, hobbies=[])

    # then
    assert customer.custom_attributes == {}


def test_file_is_stored_privately_with_its_name_size_and_type(customer, customer_files):
    # given
    define("passport", "file", file_extensions="pdf")

    # when
    customer = save(customer, passport=upload("scan.pdf", b"%PDF-1.4 tiny"))

    # then
    value = customer.custom_attributes["passport"]
    assert value == {
        "path": "customer/passport/scan.pdf",
        "name": "scan.pdf",
        "size": 13,
        "content_type": "application/pdf",
    }
    assert (customer_files / value["path"]).read_bytes() == b"%PDF-1.4 tiny"


def test_file_sent_back_as_stored_is_kept(customer, customer_files):
    # given
    define("passport", "file")
    customer = save(customer, passport=upload("scan.pdf", b"one"))
    stored = customer.custom_attributes["passport"]

    # when
    customer = save(customer, passport=dict(stored))

    # then
    assert customer.custom_attributes["passport"] == stored
    assert sorted(p.name for p in (customer_files / "customer/passport").iterdir()) == ["scan.pdf"]


def test_file_path_of_another_file_is_refused(customer, customer_files):
    # given
    define("passport", "file")

    # when
    error = refused(customer, passport={"path": "customer/passport/someone-else.pdf"})

    # then
    assert codes_of(error) == [("invalid_file", "custom_attributes.passport")]


def test_file_content_must_be_base64(customer, customer_files):
    # given
    define("passport", "file")

    # when
    error = refused(customer, passport={"name": "a.pdf", "content_base64": "not base64!"})

    # then
    assert codes_of(error) == [("invalid_file", "custom_attributes.passport")]
    assert not customer_files.exists() or not any(customer_files.rglob("*.pdf"))


@pytest.mark.parametrize(
    ("name", "size", "code"),
    [
        ("scan.pdf", 10, None),
        ("SCAN.PDF", 10, None),
        ("scan.exe", 10, "invalid_extension"),
        ("scan", 10, "invalid_extension"),
        ("scan.pdf", 11, "file_too_large"),
    ],
    ids=["allowed_case", "upper_case", "extension_case", "no_extension_case", "size_case"],
)
def test_file_size_and_extension(customer, customer_files, name, size, code):
    # given
    define("passport", "file", file_extensions="pdf, .png", max_file_size=10)

    # when / then
    if code is None:
        stored = save(customer, passport=upload(name, b"x" * size)).custom_attributes["passport"]
        assert (stored["name"], stored["size"]) == (name, size)
    else:
        error = refused(customer, passport=upload(name, b"x" * size))
        assert codes_of(error) == [(code, "custom_attributes.passport")]


@pytest.mark.parametrize(
    ("width", "height", "code"),
    [(40, 30, None), (41, 30, "image_too_large"), (40, 31, "image_too_large")],
    ids=["fits_case", "too_wide_case", "too_high_case"],
)
def test_image_dimensions(customer, customer_files, width, height, code):
    # given
    define("avatar", "image", image_max_width=40, image_max_height=30)

    # when / then
    if code is None:
        stored = save(customer, avatar=upload("me.png", png(width, height))).custom_attributes
        assert stored["avatar"]["content_type"] == "image/png"
    else:
        error = refused(customer, avatar=upload("me.png", png(width, height)))
        assert codes_of(error) == [(code, "custom_attributes.avatar")]


def test_image_must_be_an_image(customer, customer_files):
    # given
    define("avatar", "image")

    # when
    error = refused(customer, avatar=upload("me.png", b"not a picture"))

    # then
    assert codes_of(error) == [("invalid_image", "custom_attributes.avatar")]


def test_image_takes_only_image_extensions_by_default(customer, customer_files):
    # given
    define("avatar", "image")

    # when
    error = refused(customer, avatar=upload("me.pdf", png(2, 2)))

    # then
    assert codes_of(error) == [("invalid_extension", "custom_attributes.avatar")]


# --- Replaced and removed files -----------------------------------------------------------------


def test_replaced_file_is_deleted_once_the_change_commits(
    customer, customer_files, django_capture_on_commit_callbacks
):
    # given
    define("passport", "file")
    old = (
        customer_files
        / save(customer, passport=upload("old.pdf", b"old")).custom_attributes["passport"]["path"]
    )

    # when
    with django_capture_on_commit_callbacks() as callbacks:
        customer = save(customer, passport=upload("new.pdf", b"new"))
        # then: not before the commit
        assert old.exists()
    for callback in callbacks:
        callback()

    # then
    assert not old.exists()
    assert (customer_files / customer.custom_attributes["passport"]["path"]).read_bytes() == b"new"


def test_cleared_file_is_deleted_once_the_change_commits(
    customer, customer_files, django_capture_on_commit_callbacks
):
    # given
    define("passport", "file")
    old = (
        customer_files
        / save(customer, passport=upload("old.pdf", b"old")).custom_attributes["passport"]["path"]
    )

    # when
    with django_capture_on_commit_callbacks(execute=True):
        customer = save(customer, passport=None)

    # then
    assert customer.custom_attributes == {}
    assert not old.exists()


def test_rolled_back_change_keeps_the_old_file(
    customer, customer_files, django_capture_on_commit_callbacks
):
    # given
    define("passport", "file")
    stored = save(customer, passport=upload("old.pdf", b"old")).custom_attributes["passport"]

    # when
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        save(customer, passport=upload("new.pdf", b"new"))
        raise RuntimeError("the request failed after the service")

    # then
    assert callbacks == []
    customer.refresh_from_db()
    assert customer.custom_attributes["passport"] == stored
    assert (customer_files / stored["path"]).read_bytes() == b"old"


def test_refused_change_leaves_no_file_behind(customer, customer_files):
    # given
    define("passport", "file")
    define("nickname", max_length=3)

    # when
    refused(customer, passport=upload("new.pdf", b"new"), nickname="too long")

    # then
    assert list(customer_files.rglob("*.pdf")) == []


def test_file_named_dot_dot_gets_a_safe_name(customer, customer_files):
    # given
    define("passport", "file")

    # when
    customer = save(customer, passport=upload("..", b"x"))

    # then
    assert customer.custom_attributes["passport"]["path"].startswith("customer/passport/")


# --- Input validation (hypothesis, on clean_values itself: no customer row per example) -----------

# A value that breaks a character rule: allowed text around one character the rule refuses
# (kept inside, since surrounding spaces are stripped before the check).
ALNUM = st.text(LETTERS + DIGITS, min_size=1, max_size=12)


def _outside(allowed: str):
    return st.characters(
        blacklist_characters=allowed, blacklist_categories=("Cs",), min_codepoint=1
    )


@given(value=st.text(LETTERS + DIGITS, min_size=1, max_size=40))
def test_alphanumeric_accepts_letters_and_digits(db, value):
    define_once("code_a", validation="alphanumeric")
    assert cleaned(code_a=value)["code_a"] == value


@given(value=st.builds(inside, ALNUM, _outside(LETTERS + DIGITS), ALNUM))
def test_alphanumeric_refuses_anything_else(db, value):
    define_once("code_a", validation="alphanumeric")
    assert codes_of(refused_value(code_a=value)) == [
        ("invalid_characters", "custom_attributes.code_a")
    ]


@given(value=st.text(LETTERS + DIGITS + " ", min_size=1, max_size=40))
def test_alphanumeric_with_spaces_accepts_spaces_inside(db, value):
    assume(value.strip())
    define_once("street_name", validation="alphanumeric_with_spaces")
    stored = cleaned(street_name=value)["street_name"]
    assert stored == value.strip()


@given(value=st.builds(inside, ALNUM, _outside(LETTERS + DIGITS + " "), ALNUM))
def test_alphanumeric_with_spaces_refuses_anything_else(db, value):
    define_once("street_name", validation="alphanumeric_with_spaces")
    assert codes_of(refused_value(street_name=value)) == [
        ("invalid_characters", "custom_attributes.street_name")
    ]


@given(value=st.text(DIGITS, min_size=1, max_size=40))
def test_numeric_accepts_digits(db, value):
    define_once("badge", validation="numeric")
    assert cleaned(badge=value)["badge"] == value


@given(
    value=st.builds(
        inside, st.text(DIGITS, min_size=1), _outside(DIGITS), st.text(DIGITS, min_size=1)
    )
)
def test_numeric_refuses_anything_else(db, value):
    define_once("badge", validation="numeric")
    assert codes_of(refused_value(badge=value)) == [
        ("invalid_characters", "custom_attributes.badge")
    ]


def test_numeric_refuses_12a_and_accepts_123(customer):
    # given: check 13
    define("badge", validation="numeric")

    # when / then
    assert codes_of(refused(customer, badge="12a")) == [
        ("invalid_characters", "custom_attributes.badge")
    ]
    assert save(customer, badge="123").custom_attributes == {"badge": "123"}


@given(value=st.text(LETTERS, min_size=1, max_size=40))
def test_alpha_accepts_letters(db, value):
    define_once("initials", validation="alpha")
    assert cleaned(initials=value)["initials"] == value


@given(
    value=st.builds(
        inside, st.text(LETTERS, min_size=1), _outside(LETTERS), st.text(LETTERS, min_size=1)
    )
)
def test_alpha_refuses_anything_else(db, value):
    define_once("initials", validation="alpha")
    assert codes_of(refused_value(initials=value)) == [
        ("invalid_characters", "custom_attributes.initials")
    ]


@given(value=urls().filter(lambda url: len(url) <= 2000))
def test_url_accepts_web_addresses(db, value):
    define_once("homepage", validation="url")
    assert cleaned(homepage=value)["homepage"] == value


@given(value=st.text(LETTERS + DIGITS + "./-_ ", min_size=1, max_size=40))
def test_url_refuses_text_without_a_scheme(db, value):
    assume(value.strip())
    define_once("homepage", validation="url")
    assert codes_of(refused_value(homepage=value)) == [
        ("invalid_url", "custom_attributes.homepage")
    ]


@given(value=st.emails())
def test_email_accepts_addresses(db, value):
    define_once("work_email", validation="email")
    assert cleaned(work_email=value)["work_email"] == value


@given(value=st.text(LETTERS + DIGITS + ".-_", min_size=1, max_size=40))
def test_email_refuses_text_without_an_at(db, value):
    define_once("work_email", validation="email")
    assert codes_of(refused_value(work_email=value)) == [
        ("invalid_email", "custom_attributes.work_email")
    ]


@given(value=st.text(LETTERS, min_size=0, max_size=10))
def test_length_only_bounds_the_length(db, value):
    define_once("nickname", validation="length", min_length=3, max_length=5)
    if not value:
        assert "nickname" not in cleaned(nickname=value)
    elif len(value) < 3:
        assert codes_of(refused_value(nickname=value)) == [
            ("too_short", "custom_attributes.nickname")
        ]
    elif len(value) > 5:
        assert codes_of(refused_value(nickname=value)) == [
            ("too_long", "custom_attributes.nickname")
        ]
    else:
        assert cleaned(nickname=value)["nickname"] == value


def test_text_length_3_to_5_refuses_ab_and_abcdef(customer):
    # given: check 16
    define("nickname", min_length=3, max_length=5)

    # when / then
    assert codes_of(refused(customer, nickname="ab")) == [
        ("too_short", "custom_attributes.nickname")
    ]
    assert codes_of(refused(customer, nickname="abcdef")) == [
        ("too_long", "custom_attributes.nickname")
    ]
    assert save(customer, nickname="abc").custom_attributes == {"nickname": "abc"}


def test_multiple_line_checks_each_line(customer):
    # given
    define("delivery", "multiline", validation="numeric", multiline_count=2)

    # when
    error = refused(customer, delivery=["12", "4b"])

    # then
    assert codes_of(error) == [("invalid_characters", "custom_attributes.delivery")]


def define_once(code: str, **props):
    """Define an attribute the first time a hypothesis example needs it (examples share the
    test's database transaction)."""
    if not attributes.CustomerAttribute.objects.filter(entity="customer", code=code).exists():
        define(code, **props)


@pytest.mark.parametrize(
    "props",
    [{"validation": "url"}, {"validation": "email"}, {"min_length": 2}],
    ids=["url_case", "email_case", "min_length_case"],
)
def test_blank_text_clears_the_value(customer, props):
    # given
    define("contact", **props)

    # when
    customer = save(customer, contact="   ")

    # then
    assert customer.custom_attributes == {}


def test_text_refuses_nul_characters(customer):
    # given
    define("nickname")

    # when
    error = refused(customer, nickname="Ada\x00Lovelace")

    # then
    assert codes_of(error) == [("invalid_characters", "custom_attributes.nickname")]


# --- Input/output filters -----------------------------------------------------------------------


def test_strip_html_tags_stores_the_text(customer):
    # given: check 15
    define("motto", input_filter="striptags")

    # when
    customer = save(customer, motto="<b>x</b>")

    # then
    assert customer.custom_attributes == {"motto": "x"}


def test_escape_html_entities_stores_entities(customer):
    # given: check 15
    define("motto", input_filter="escapehtml")

    # when
    customer = save(customer, motto="<b>Fish & Chips</b>")

    # then
    assert customer.custom_attributes == {"motto": "&lt;b&gt;Fish &amp; Chips&lt;/b&gt;"}


def test_escape_html_entities_converts_typographic_characters(customer):
    # given
    define("motto", input_filter="escapehtml")

    # when
    customer = save(customer, motto="“Patron” © ™")

    # then
    assert customer.custom_attributes == {"motto": "&ldquo;Patron&rdquo; &copy; &trade;"}


def test_escaped_value_saved_again_is_unchanged(customer):
    # given
    define("motto", input_filter="escapehtml")
    stored = save(customer, motto="Fish & Chips").custom_attributes["motto"]

    # when
    customer = save(customer, motto=stored)

    # then
    assert customer.custom_attributes == {"motto": "Fish &amp; Chips"}


TAG = re.compile(r"<[a-zA-Z/!][^<>]*>")


@given(
    value=st.lists(
        st.sampled_from(["<b>", "</b>", "<a href='x'>", "</a>", "<!-- c -->", "<br/>", "x", " "])
        | st.text(LETTERS + "<>&/ ", max_size=5),
        max_size=12,
    ).map("".join)
)
def test_stripped_value_contains_no_tags(db, value):
    define_once("motto", input_filter="striptags")
    stored = cleaned(motto=value).get("motto", "")
    assert TAG.search(stored) is None


# --- Required values, forms and defaults --------------------------------------------------------


def test_required_value_is_needed_on_creation(view_a):
    # given
    define("loyalty_id", is_required=True)

    # when
    with pytest.raises(InvalidInput) as error:
        make_customer(store_view=view_a)

    # then
    assert codes_of(error.value) == [("required", "custom_attributes.loyalty_id")]
    assert Customer.objects.count() == 0


def test_required_value_left_out_of_an_update_is_not_asked(customer):
    # given: the customer existed before the attribute
    define("loyalty_id", is_required=True)

    # when
    services.update_customer(customer=customer, firstname="Augusta", actor=SYSTEM)
    services.update_customer(customer=customer, custom_attributes={}, actor=SYSTEM)

    # then
    customer.refresh_from_db()
    assert (customer.firstname, customer.custom_attributes) == ("Augusta", {})


def test_required_value_cleared_on_update_is_refused(customer):
    # given: check 14
    define("loyalty_id", is_required=True)
    customer = save(customer, loyalty_id="L-1")

    # when
    error = refused(customer, loyalty_id="")

    # then
    assert codes_of(error) == [("required", "custom_attributes.loyalty_id")]


def test_required_value_applies_only_to_the_forms_it_is_in(view_a):
    # given: required, on the Account Edit form only
    define("loyalty_id", is_required=True, forms=[AttributeForm.ACCOUNT_EDIT])

    # when: registration does not show it
    customer = make_customer(store_view=view_a, attribute_form=AttributeForm.REGISTRATION)

    # then
    assert customer.custom_attributes == {}
    with pytest.raises(InvalidInput) as error:
        services.update_customer(
            customer=customer, custom_attributes={"loyalty_id": ""}, actor=SYSTEM,
            attribute_form=AttributeForm.ACCOUNT_EDIT,
        )  # fmt: skip
    assert codes_of(error.value) == [("required", "custom_attributes.loyalty_id")]


def test_required_attribute_hidden_from_the_storefront_does_not_block_registration(view_a):
    # given
    define(
        "loyalty_id", is_required=True, show_on_storefront=False,
        forms=[AttributeForm.REGISTRATION],
    )  # fmt: skip

    # when
    customer = make_customer(store_view=view_a, attribute_form=AttributeForm.REGISTRATION)

    # then
    assert customer.custom_attributes == {}


def test_default_value_fills_a_new_customer(view_a):
    # given
    tier = define("tier", "select", options=[{"label": "Silver"}, {"label": "Gold"}])
    silver = tier.options.get(label="Silver")
    attributes.update_attribute(attribute=tier, default_value=silver.pk, actor=SYSTEM)
    define("newsletter_topic", default_value="News")

    # when
    given = make_customer("given@example.com", store_view=view_a, custom_attributes={
        "newsletter_topic": "Offers",
    })  # fmt: skip
    defaulted = make_customer("default@example.com", store_view=view_a)

    # then
    assert given.custom_attributes == {"tier": silver.pk, "newsletter_topic": "Offers"}
    assert defaulted.custom_attributes == {"tier": silver.pk, "newsletter_topic": "News"}


def test_default_value_does_not_fill_existing_customers(customer):
    # given
    define("newsletter_topic", default_value="News")

    # when
    services.update_customer(customer=customer, custom_attributes={}, actor=SYSTEM)

    # then
    customer.refresh_from_db()
    assert customer.custom_attributes == {}


def test_default_value_must_be_valid(db):
    # when
    with pytest.raises(InvalidInput) as error:
        define("badge", validation="numeric", default_value="12a")

    # then
    assert (error.value.code, error.value.field) == ("invalid_default", "default_value")


# --- What is refused ----------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["nope", "firstname"], ids=["unknown_case", "system_case"])
def test_unknown_attribute_is_refused(customer, code):
    # when
    error = refused(customer, **{code: "x"})

    # then
    assert codes_of(error) == [("unknown_attribute", f"custom_attributes.{code}")]


def test_every_problem_is_reported_at_once(customer):
    # given
    define("badge", validation="numeric")
    define("anniversary", "date")

    # when
    error = refused(customer, badge="x", anniversary="soon", nope=1)

    # then
    assert error.code == "invalid"
    assert sorted(codes_of(error)) == [
        ("invalid_characters", "custom_attributes.badge"),
        ("invalid_date", "custom_attributes.anniversary"),
        ("unknown_attribute", "custom_attributes.nope"),
    ]


def test_values_merge_and_null_clears_one(customer):
    # given
    define("nickname")
    define("badge", validation="numeric")
    customer = save(customer, nickname="Ada", badge="7")

    # when
    customer = save(customer, badge=None)

    # then
    assert customer.custom_attributes == {"nickname": "Ada"}


# --- Addresses ----------------------------------------------------------------------------------


def test_address_values_use_the_same_validation(customer):
    # given
    define("gate_code", entity="address", validation="numeric", is_required=True)

    # when
    with pytest.raises(InvalidInput) as error:
        make_address(customer, custom_attributes={"gate_code": "4b"})
    address = make_address(customer, custom_attributes={"gate_code": " 4 "})

    # then
    assert codes_of(error.value) == [("invalid_characters", "custom_attributes.gate_code")]
    assert address.custom_attributes == {"gate_code": "4"}
    assert customer.addresses.count() == 1


def test_address_attribute_form_rules(customer):
    # given: required in the address book only
    define("gate_code", entity="address", is_required=True, forms=[AttributeForm.ADDRESS_EDIT])

    # when
    with pytest.raises(InvalidInput) as error:
        make_address(customer, attribute_form=AttributeForm.ADDRESS_EDIT)
    address = make_address(customer, attribute_form=AttributeForm.ADDRESS_REGISTRATION)

    # then
    assert codes_of(error.value) == [("required", "custom_attributes.gate_code")]
    assert address.custom_attributes == {}


def test_address_update_merges_values(customer):
    # given
    define("gate_code", entity="address")
    define("floor", entity="address", validation="numeric")
    address = make_address(customer, custom_attributes={"gate_code": "A"})

    # when
    address = services.update_address(
        address=address, custom_attributes={"floor": "3"}, actor=SYSTEM
    )

    # then
    address.refresh_from_db()
    assert address.custom_attributes == {"gate_code": "A", "floor": "3"}
