"""Custom attributes on the shopper pages (spec b §4–5, acceptance checks 13–16 and 19):
registration, Account Information, the address form and My Account, each input type rendered
and submitted, labels per store view, and the files only their owner downloads."""

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from patron.accounts.tests.factories import CREATE_URL, make_shopper, registration_data
from patron.core.actors import SYSTEM
from patron.customers import attributes
from patron.customers.models import Address, Customer
from patron.customers.tests.factories import make_address
from patron.dashboard.tests.factories import (
    ACCOUNT_URL,
    EDIT_URL,
    LOGIN_URL,
    NEW_ADDRESS_URL,
    PASSWORD,
    address_form,
    edit_address_url,
    field_named,
    form_elements,
    texts,
)
from patron.testing.fixtures import make_store_view, set_config

CREATE, EDIT = "customer_account_create", "customer_account_edit"
ADDRESS_EDIT, ADDRESS_REGISTRATION = "customer_address_edit", "customer_register_address"
FILE_URL = "/customer/account/attribute-file/{code}/"


# --- Helpers ------------------------------------------------------------------------------------


def make_attribute(code: str, input_type: str = "text", *, entity="customer", **props):
    props.setdefault("label", code.replace("_", " ").title())
    props.setdefault("forms", [CREATE, EDIT] if entity == "customer" else [ADDRESS_EDIT])
    return attributes.create_attribute(
        entity=entity, code=code, input_type=input_type, actor=SYSTEM, **props
    )


def option_ids(attribute) -> list[int]:
    return [option.pk for option in attribute.options.all()]


def account_form(**overrides):
    return {"firstname": "Ada", "lastname": "Lovelace", **overrides}


def fresh(owner):
    return type(owner).objects.get(pk=owner.pk)


def html(response) -> str:
    return response.content.decode()


def without_tokens(page: str) -> str:
    """The page without its CSRF tokens, random text that may spell any short word."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)


def errors_of(response, name: str) -> list[str]:
    """The error messages Django shows for field ``name`` (the list before its input)."""
    field = response.context["form"][name]
    return [str(error) for error in field.errors]


def label_of(response, name: str) -> str:
    return response.context["form"][name].label


def png(width: int = 2, height: int = 2, name: str = "photo.png") -> SimpleUploadedFile:
    """A tiny PNG made with Pillow."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def attachment(name: str = "notes.txt", content: bytes = b"hello") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/plain")


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def colours():
    return make_attribute(
        "colours", "multiselect", label="Colours",
        options=[{"label": "Red"}, {"label": "Green"}, {"label": "Blue"}],
    )  # fmt: skip


# --- Each input type on Account Information ----------------------------------------------------


TYPE_CASES = [
    pytest.param({"input_type": "text"}, lambda a: {"attr_x": "Gold"}, lambda a: "Gold", id="text"),
    pytest.param(
        {"input_type": "textarea"},
        lambda a: {"attr_x": "Two\nlines"},
        lambda a: "Two\nlines",
        id="textarea",
    ),
    pytest.param(
        {"input_type": "multiline", "multiline_count": 3},
        lambda a: {"attr_x_0": "Gate 4", "attr_x_1": "Ring twice", "attr_x_2": ""},
        lambda a: ["Gate 4", "Ring twice"],
        id="multiline",
    ),
    pytest.param(
        {"input_type": "date", "date_min": dt.date(2020, 1, 1), "date_max": dt.date(2030, 12, 31)},
        lambda a: {"attr_x": "2024-05-06"},
        lambda a: "2024-05-06",
        id="date",
    ),
    pytest.param(
        {"input_type": "boolean"}, lambda a: {"attr_x": "1"}, lambda a: True, id="boolean"
    ),
    pytest.param(
        {"input_type": "select", "options": [{"label": "Red"}, {"label": "Blue"}]},
        lambda a: {"attr_x": str(option_ids(a)[1])},
        lambda a: option_ids(a)[1],
        id="select",
    ),
    pytest.param(
        {"input_type": "multiselect", "options": [{"label": "Red"}, {"label": "Blue"}]},
        lambda a: {"attr_x": [str(i) for i in option_ids(a)]},
        lambda a: option_ids(a),
        id="multiselect",
    ),
]


def rendered_controls(response) -> list[tuple]:
    """(tag, type, name) of every control of the attribute ``x``, in page order."""
    controls = [
        (e["tag"], e.get("type", ""), e.get("name", e.get("select", "")))
        for e in form_elements(response)
        if (e.get("name") or e.get("select") or "").startswith("attr_x")
    ]
    controls += [
        ("textarea", "", name) for name in re.findall(r'<textarea name="(attr_x)"', html(response))
    ]
    return controls


EXPECTED_CONTROLS = {
    "text": [("input", "text", "attr_x")],
    "textarea": [("textarea", "", "attr_x")],
    "multiline": [("input", "text", f"attr_x_{n}") for n in range(3)],
    "date": [("input", "date", "attr_x")],
    "boolean": [("select", "", "attr_x"), *[("option", "", "attr_x")] * 3],
    "select": [("select", "", "attr_x"), *[("option", "", "attr_x")] * 3],
    "multiselect": [("input", "checkbox", "attr_x")] * 2,
}


@pytest.mark.parametrize(("props", "data", "expected"), TYPE_CASES)
def test_each_input_type_is_rendered_and_saved_on_account_information(
    shopper_client, shopper, props, data, expected, request
):
    # given
    attribute = make_attribute("x", label="Extra", **props)
    kind = request.node.callspec.id

    # when
    page = shopper_client.get(EDIT_URL)
    response = shopper_client.post(EDIT_URL, account_form(**data(attribute)))

    # then
    assert page.status_code == 200
    assert rendered_controls(page) == EXPECTED_CONTROLS[kind]
    assert label_of(page, "attr_x") == "Extra"
    assert response.status_code == 302, response.context["form"].errors
    assert fresh(shopper).custom_attributes == {"x": expected(attribute)}


def test_the_date_input_carries_its_bounds_and_says_them(shopper_client):
    # given
    make_attribute("visit", "date", date_min=dt.date(2020, 1, 1), date_max=dt.date(2030, 12, 31))

    # when
    response = shopper_client.get(EDIT_URL)

    # then
    date = field_named(response, "attr_visit")
    assert (date["type"], date["min"], date["max"]) == ("date", "2020-01-01", "2030-12-31")
    assert response.context["form"]["attr_visit"].help_text == "From 01/01/2020 to 12/31/2030."


def test_a_date_outside_the_bounds_is_refused(shopper_client, shopper):
    # given
    make_attribute("visit", "date", date_min=dt.date(2020, 1, 1))

    # when
    response = shopper_client.post(EDIT_URL, account_form(attr_visit="2019-12-31"))

    # then
    assert response.status_code == 400
    assert errors_of(response, "attr_visit") == ["Enter a date on or after 2020-01-01."]
    assert fresh(shopper).custom_attributes == {}


def test_stored_values_are_shown_and_kept_by_a_save(shopper_client, shopper, colours):
    # given
    make_attribute("vip", "boolean")
    make_attribute("lines", "multiline", multiline_count=2)
    red, _green, blue = option_ids(colours)
    attributes_before = {"colours": [red, blue], "vip": False, "lines": ["A", "B"]}
    shopper.custom_attributes = attributes_before
    shopper.save(update_fields=["custom_attributes"])

    # when
    page = shopper_client.get(EDIT_URL)
    checked = [
        e["value"]
        for e in form_elements(page)
        if e.get("name") == "attr_colours" and "checked" in e
    ]
    selected = [
        e["value"]
        for e in form_elements(page, "option")
        if e["select"] == "attr_vip" and "selected" in e
    ]
    lines = [field_named(page, f"attr_lines_{n}")["value"] for n in (0, 1)]
    response = shopper_client.post(
        EDIT_URL,
        account_form(
            attr_colours=checked, attr_vip=selected[0], attr_lines_0="A", attr_lines_1="B"
        ),
    )

    # then
    assert checked == [str(red), str(blue)]
    assert selected == ["0"]
    assert lines == ["A", "B"]
    assert response.status_code == 302
    assert fresh(shopper).custom_attributes == attributes_before


# --- Acceptance checks 13-16 and 19 -------------------------------------------------------------


def test_numeric_only_refuses_12a_on_the_registration_form(client, view):
    # given
    make_attribute("member_no", validation="numeric", label="Member Number")

    # when
    response = client.post(CREATE_URL, registration_data(attr_member_no="12a"))

    # then
    assert response.status_code == 400
    assert errors_of(response, "attr_member_no") == ["Use only digits (0-9)."]
    assert not Customer.objects.filter(email="ada@example.com").exists()


def test_numeric_only_accepts_123_on_the_registration_form(client, view):
    # given
    make_attribute("member_no", validation="numeric", label="Member Number")

    # when
    response = client.post(CREATE_URL, registration_data(attr_member_no="123"))

    # then
    assert response.status_code == 302
    customer = Customer.objects.get(email="ada@example.com")
    assert customer.custom_attributes == {"member_no": "123"}


def test_a_required_attribute_left_empty_blocks_account_edit(shopper_client, shopper):
    # given
    make_attribute("member_no", is_required=True, label="Member Number")

    # when
    response = shopper_client.post(EDIT_URL, account_form(firstname="Augusta", attr_member_no=""))

    # then
    assert response.status_code == 400
    assert errors_of(response, "attr_member_no") == ["This field is required."]
    assert field_named(response, "attr_member_no")["required"] == ""
    shopper = fresh(shopper)
    assert (shopper.firstname, shopper.custom_attributes) == ("Ada", {})


@pytest.mark.parametrize(
    ("input_filter", "typed", "stored"),
    [
        pytest.param("striptags", "<b>x</b>", "x", id="strip_tags"),
        pytest.param("escapehtml", "<b>x</b>", "&lt;b&gt;x&lt;/b&gt;", id="escape_html"),
    ],
)
def test_input_filters_change_the_stored_text(shopper_client, shopper, input_filter, typed, stored):
    # given
    make_attribute("nickname", input_filter=input_filter)

    # when
    response = shopper_client.post(EDIT_URL, account_form(attr_nickname=typed))
    shown = field_named(shopper_client.get(EDIT_URL), "attr_nickname")["value"]
    shopper_client.post(EDIT_URL, account_form(attr_nickname=shown))

    # then
    assert response.status_code == 302
    assert fresh(shopper).custom_attributes == {"nickname": stored}
    assert shown == ("x" if input_filter == "striptags" else typed)


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        pytest.param("ab", "Enter at least 3 characters.", id="too_short"),
        pytest.param("abcdef", "Enter at most 5 characters.", id="too_long"),
    ],
)
def test_text_length_limits_refuse_shorter_and_longer_values(shopper_client, shopper, typed, error):
    # given
    make_attribute("code_name", min_length=3, max_length=5)

    # when
    response = shopper_client.post(EDIT_URL, account_form(attr_code_name=typed))

    # then
    assert response.status_code == 400
    assert errors_of(response, "attr_code_name") == [error]
    assert response.context["form"]["attr_code_name"].help_text == "Between 3 and 5 characters."
    assert fresh(shopper).custom_attributes == {}


def test_text_within_the_length_limits_is_saved(shopper_client, shopper):
    # given
    make_attribute("code_name", min_length=3, max_length=5)

    # when
    response = shopper_client.post(EDIT_URL, account_form(attr_code_name="abcd"))

    # then
    assert response.status_code == 302
    assert fresh(shopper).custom_attributes == {"code_name": "abcd"}


def test_an_attribute_only_in_account_edit_is_not_on_the_registration_form(client, shopper):
    # given
    make_attribute("edit_only", forms=[EDIT])
    make_attribute("create_only", forms=[CREATE])
    make_attribute("hidden", forms=[CREATE, EDIT], show_on_storefront=False)
    make_attribute("checkout_only", forms=["adminhtml_checkout"])

    # when
    registration = client.get(CREATE_URL)
    client.post(LOGIN_URL, {"email": shopper.email, "password": PASSWORD})
    information = client.get(EDIT_URL)

    # then
    assert [n for n in registration.context["form"].fields if n.startswith("attr_")] == [
        "attr_create_only"
    ]
    assert information.context["form"].attribute_fields == ["attr_edit_only"]
    assert field_named(registration, "attr_edit_only") is None
    assert field_named(information, "attr_edit_only") is not None


def test_attributes_follow_their_sort_order(shopper_client):
    # given
    make_attribute("third", sort_order=30)
    make_attribute("first", sort_order=10)
    make_attribute("second", sort_order=20)

    # when
    response = shopper_client.get(EDIT_URL)

    # then
    names = [
        e["name"] for e in form_elements(response, "input") if e.get("name", "").startswith("attr_")
    ]
    assert names == ["attr_first", "attr_second", "attr_third"]


def test_defaults_prefill_the_registration_form(client, view):
    # given
    make_attribute("source", default_value="Friend")

    # when
    response = client.get(CREATE_URL)

    # then
    assert field_named(response, "attr_source")["value"] == "Friend"


# --- Labels per store view ----------------------------------------------------------------------


def test_labels_and_option_labels_follow_the_store_view(client, view, shopper):
    # given
    german = make_store_view(view.store.website, "de", "de", name="Deutsch")
    tier = make_attribute(
        "tier", "select", label="Tier", labels={str(german.pk): "Stufe"},
        options=[{"label": "Gold", "labels": {str(german.pk): "Golden"}}, {"label": "Silver"}],
    )  # fmt: skip

    # when
    registration = client.get(f"/de{CREATE_URL}")
    client.post(LOGIN_URL, {"email": shopper.email, "password": PASSWORD})
    english = client.get(EDIT_URL)
    deutsch = client.get(f"/de{EDIT_URL}")

    # then
    gold, silver = option_ids(tier)
    assert label_of(english, "attr_tier") == "Tier"
    assert label_of(deutsch, "attr_tier") == "Stufe"
    assert label_of(registration, "attr_tier") == "Stufe"
    assert list(english.context["form"].fields["attr_tier"].choices) == [
        ("", "—"), (str(gold), "Gold"), (str(silver), "Silver"),
    ]  # fmt: skip
    assert list(deutsch.context["form"].fields["attr_tier"].choices) == [
        ("", "—"), (str(gold), "Golden"), (str(silver), "Silver"),
    ]  # fmt: skip


def test_my_account_shows_the_storefront_values_read_only(client, view, shopper, colours):
    # given
    german = make_store_view(view.store.website, "de", "de", name="Deutsch")
    make_attribute("nickname", label="Nickname", labels={str(german.pk): "Spitzname"})
    make_attribute("staff_note", label="Staff note", show_on_storefront=False)
    red, _green, blue = option_ids(colours)
    shopper.custom_attributes = {"nickname": "Ada", "staff_note": "VIP", "colours": [red, blue]}
    shopper.save(update_fields=["custom_attributes"])
    client.post(LOGIN_URL, {"email": shopper.email, "password": PASSWORD})

    # when
    english = client.get(ACCOUNT_URL)
    deutsch = client.get(f"/de{ACCOUNT_URL}")

    # then
    assert texts(english, "dt") == ["Colours", "Nickname"]
    assert texts(english, "dd") == ["Red, Blue", "Ada"]
    assert texts(deutsch, "dt") == ["Colours", "Spitzname"]
    assert "VIP" not in without_tokens(html(english))


# --- The address form --------------------------------------------------------------------------


def test_the_address_form_renders_and_saves_address_attributes(shopper_client, shopper):
    # given
    gate = make_attribute("gate", entity="address", label="Gate code", sort_order=2)
    floor = make_attribute(
        "floor", "select", entity="address", label="Floor", sort_order=1,
        options=[{"label": "Ground"}, {"label": "First"}],
    )  # fmt: skip
    make_attribute("signup_only", entity="address", forms=[ADDRESS_REGISTRATION])
    _ground, first = option_ids(floor)

    # when
    page = shopper_client.get(NEW_ADDRESS_URL)
    response = shopper_client.post(
        NEW_ADDRESS_URL, address_form(attr_gate="B12", attr_floor=str(first))
    )
    address = Address.objects.get(customer=shopper)
    edit = shopper_client.get(edit_address_url(address))

    # then
    assert page.context["form"].attribute_fields == ["attr_floor", "attr_gate"]
    assert label_of(page, "attr_gate") == gate.label
    assert response.status_code == 302
    assert address.custom_attributes == {"gate": "B12", "floor": first}
    assert field_named(edit, "attr_gate")["value"] == "B12"
    assert [
        e["value"]
        for e in form_elements(edit, "option")
        if e["select"] == "attr_floor" and "selected" in e
    ] == [str(first)]


def test_address_problems_show_on_the_attribute_field(shopper_client, shopper):
    # given
    make_attribute("gate", entity="address", validation="alphanumeric")

    # when
    response = shopper_client.post(NEW_ADDRESS_URL, address_form(attr_gate="B-12"))

    # then
    assert response.status_code == 400
    assert errors_of(response, "attr_gate") == ["Use only letters (a-z, A-Z) and digits (0-9)."]
    assert not Address.objects.filter(customer=shopper).exists()


def test_the_address_book_prints_an_attribute_through_the_address_template(
    shopper_client, shopper, view
):
    # given
    floor = make_attribute(
        "floor", "select", entity="address",
        options=[{"label": "Ground", "labels": {str(view.pk): "Ground floor"}}],
    )  # fmt: skip
    template = "{{var city}}{{depend floor}}, {{var floor}}{{/depend}}"
    set_config({"customer/address_templates/html": template}, store_view=view)
    make_address(shopper, default_billing=True, custom_attributes={"floor": option_ids(floor)[0]})
    make_address(shopper, city="Salem")

    # when
    response = shopper_client.get("/customer/address/")

    # then
    # The first address is both defaults; the second is an additional entry.
    assert texts(response, "address") == ["Boston, Ground floor", "Boston, Ground floor", "Salem"]


# --- Files --------------------------------------------------------------------------------------


def test_forms_with_a_file_attribute_send_multipart(shopper_client):
    # given
    before = shopper_client.get(EDIT_URL)
    make_attribute("passport", "file", file_extensions="pdf")

    # when
    after = shopper_client.get(EDIT_URL)

    # then
    assert 'enctype="multipart/form-data"' not in html(before)
    assert 'enctype="multipart/form-data"' in html(after)
    assert field_named(after, "attr_passport")["accept"] == ".pdf"


def test_a_file_is_uploaded_linked_and_downloaded_by_its_owner(
    shopper_client, shopper, customer_files
):
    # given
    make_attribute("notes", "file", file_extensions="txt", max_file_size=100)

    # when
    response = shopper_client.post(
        EDIT_URL, account_form(attr_notes=attachment("notes.txt", b"hello"))
    )
    page = shopper_client.get(EDIT_URL)
    account = shopper_client.get(ACCOUNT_URL)
    download = shopper_client.get(FILE_URL.format(code="notes"))

    # then
    assert response.status_code == 302
    stored = fresh(shopper).custom_attributes["notes"]
    assert (stored["name"], stored["size"]) == ("notes.txt", 5)
    assert (customer_files / stored["path"]).read_bytes() == b"hello"
    assert f'href="{FILE_URL.format(code="notes")}"' in html(page)
    assert f'<a href="{FILE_URL.format(code="notes")}">notes.txt</a>' in html(account)
    assert download.status_code == 200
    assert body_of(download) == b"hello"
    assert download["Content-Disposition"] == 'attachment; filename="notes.txt"'
    assert download["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("upload", "error"),
    [
        pytest.param(
            lambda: attachment("notes.txt", b"x" * 101),
            "The file must be at most 100 bytes.",
            id="too_large",
        ),
        pytest.param(
            lambda: attachment("notes.exe", b"hello"), "Upload a file of type txt.", id="extension"
        ),
    ],
)
def test_files_breaking_the_rules_are_refused(
    shopper_client, shopper, customer_files, upload, error
):
    # given
    make_attribute("notes", "file", file_extensions="txt", max_file_size=100)

    # when
    response = shopper_client.post(EDIT_URL, account_form(attr_notes=upload()))

    # then
    assert response.status_code == 400
    assert errors_of(response, "attr_notes") == [error]
    assert fresh(shopper).custom_attributes == {}
    assert not customer_files.exists() or not any(customer_files.rglob("*.*"))


def test_an_image_over_the_dimensions_is_refused(shopper_client, shopper, customer_files):
    # given
    make_attribute("photo", "image", image_max_width=4, image_max_height=4)

    # when
    response = shopper_client.post(EDIT_URL, account_form(attr_photo=png(5, 2)))

    # then
    assert response.status_code == 400
    assert errors_of(response, "attr_photo") == ["The image must be at most 4 × 4 pixels."]
    assert fresh(shopper).custom_attributes == {}


def test_an_image_is_saved_and_shown_inline(shopper_client, shopper, customer_files):
    # given
    make_attribute("photo", "image", image_max_width=4, image_max_height=4)

    # when
    response = shopper_client.post(EDIT_URL, account_form(attr_photo=png(4, 3)))
    download = shopper_client.get(FILE_URL.format(code="photo"))

    # then
    assert response.status_code == 302
    assert fresh(shopper).custom_attributes["photo"]["content_type"] == "image/png"
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert download["Content-Disposition"] == 'inline; filename="photo.png"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert body_of(download).startswith(b"\x89PNG")


def test_a_saved_file_stays_unless_removed(shopper_client, shopper, customer_files):
    # given
    make_attribute("notes", "file")
    shopper_client.post(EDIT_URL, account_form(attr_notes=attachment()))
    path = fresh(shopper).custom_attributes["notes"]["path"]

    # when
    kept = shopper_client.post(EDIT_URL, account_form(firstname="Augusta"))
    after_keep = fresh(shopper).custom_attributes
    removed = shopper_client.post(EDIT_URL, account_form(**{"attr_notes-clear": "on"}))

    # then
    assert (kept.status_code, removed.status_code) == (302, 302)
    assert after_keep["notes"]["path"] == path
    assert fresh(shopper).custom_attributes == {}


def test_another_shopper_or_a_visitor_cannot_download_the_file(
    client, shopper, view, customer_files
):
    # given
    make_attribute("notes", "file")
    shopper.custom_attributes = attributes.clean_values("customer", {"notes": attachment()})
    shopper.save(update_fields=["custom_attributes"])
    other = make_shopper("grace@example.com", store_view=view, password=PASSWORD)

    # when
    anonymous = client.get(FILE_URL.format(code="notes"))
    client.post(LOGIN_URL, {"email": other.email, "password": PASSWORD})
    as_other = client.get(FILE_URL.format(code="notes"))

    # then
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(LOGIN_URL)
    assert as_other.status_code == 404


def test_the_owner_cannot_download_a_file_hidden_from_the_storefront(
    shopper_client, shopper, customer_files
):
    # given
    make_attribute("scan", "file", show_on_storefront=False)
    shopper.custom_attributes = attributes.clean_values("customer", {"scan": attachment()})
    shopper.save(update_fields=["custom_attributes"])

    # when
    hidden = shopper_client.get(FILE_URL.format(code="scan"))
    unknown = shopper_client.get(FILE_URL.format(code="nothing"))

    # then
    assert (hidden.status_code, unknown.status_code) == (404, 404)


def test_an_address_file_is_downloaded_only_by_the_address_owner(
    client, shopper, view, customer_files
):
    # given
    make_attribute("proof", "file", entity="address")
    client.post(LOGIN_URL, {"email": shopper.email, "password": PASSWORD})
    client.post(NEW_ADDRESS_URL, address_form(attr_proof=attachment("proof.txt", b"mine")))
    address = Address.objects.get(customer=shopper)
    url = f"/customer/address/{address.pk}/attribute-file/proof/"
    other = make_shopper("grace@example.com", store_view=view, password=PASSWORD)

    # when
    edit = client.get(edit_address_url(address))
    own = client.get(url)
    client.post("/customer/account/logout/")
    client.post(LOGIN_URL, {"email": other.email, "password": PASSWORD})
    as_other = client.get(url)

    # then
    assert f'href="{url}"' in html(edit)
    assert own.status_code == 200
    assert body_of(own) == b"mine"
    assert as_other.status_code == 404
