"""Custom attributes in the back office (spec b §2, §4–6, acceptance check 25): the customer
page's Account Information and Addresses sections show every attribute with its default label,
save through the services, serve the stored files to staff only, and address templates print
an address attribute's readable value."""

import datetime as dt
import io
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from patron.core.actors import SYSTEM
from patron.customers import attributes
from patron.customers.models import Address, Customer
from patron.customers.tests.factories import make_address, make_customer
from patron.staff.models import StaffProfile
from patron.testing.fixtures import make_staff_user, make_store_view, set_config

CREATE, EDIT = "customer_account_create", "customer_account_edit"
ADDRESS_EDIT = "customer_address_edit"


# --- Helpers ------------------------------------------------------------------------------------


def make_attribute(code: str, input_type: str = "text", *, entity="customer", **props):
    props.setdefault("label", code.replace("_", " ").title())
    return attributes.create_attribute(
        entity=entity, code=code, input_type=input_type, actor=SYSTEM, **props
    )


def option_ids(attribute) -> list[int]:
    return [option.pk for option in attribute.options.all()]


def edit_url(customer, section: str) -> str:
    return f"/admin/customers/customer/{customer.pk}/change/?section={section}"


def file_url(customer, code: str) -> str:
    return f"/admin/customers/customer/{customer.pk}/attribute-file/{code}/"


def address_file_url(address, code: str) -> str:
    return (
        f"/admin/customers/customer/{address.customer_id}/address/{address.pk}"
        f"/attribute-file/{code}/"
    )


def account_data(customer: Customer, **overrides) -> dict:
    """Account Information as the form posts it, with the customer's current values."""
    return {
        "website": customer.website_id,
        "group": customer.group_id,
        "firstname": customer.firstname,
        "lastname": customer.lastname,
        "email": customer.email,
        "is_active": "on",
        "save_and_continue": "1",
        **overrides,
    }


def address_post(**overrides) -> dict:
    return {
        "operation": "save",
        "firstname": "Ada",
        "lastname": "Lovelace",
        "street_1": "12 Analytical Row",
        "city": "Boston",
        "country_id": "US",
        "region": "Massachusetts",
        "postcode": "02108",
        "telephone": "+1 617 555 0100",
        **overrides,
    }


def html(response) -> str:
    return response.content.decode()


def errors_of(response, name: str) -> list[str]:
    return [str(error) for error in response.context["form"][name].errors]


def fresh(owner):
    return type(owner).objects.get(pk=owner.pk)


def png(width: int = 2, height: int = 2, name: str = "photo.png") -> SimpleUploadedFile:
    """A tiny PNG made with Pillow."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 30, 200)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def attachment(name: str = "contract.txt", content: bytes = b"signed") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/plain")


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def give_file(owner, code: str, upload) -> dict:
    """Store ``upload`` as the owner's value of ``code`` through the one validation."""
    entity = "address" if isinstance(owner, Address) else "customer"
    owner.custom_attributes = attributes.clean_values(
        entity, {code: upload}, existing=owner.custom_attributes
    )
    owner.save(update_fields=["custom_attributes"])
    return owner.custom_attributes[code]


@pytest.fixture
def staff_client(client, superuser):
    client.force_login(superuser)
    return client


# --- Account Information ------------------------------------------------------------------------


def test_account_information_shows_every_attribute_in_sort_order_with_default_labels(
    staff_client, customer, view_a
):
    # given
    make_attribute("hidden", sort_order=3, show_on_storefront=False)
    make_attribute("checkout", sort_order=2, forms=["adminhtml_checkout"])
    make_attribute("no_form", sort_order=1, labels={str(view_a.pk): "Shop label"})
    make_attribute("on_address", entity="address")

    # when
    response = staff_client.get(edit_url(customer, "account"))

    # then
    form = response.context["form"]
    assert response.status_code == 200
    assert form.attribute_fields == ["attr_no_form", "attr_checkout", "attr_hidden"]
    assert [form[name].label for name in form.attribute_fields] == [
        "No Form", "Checkout", "Hidden",
    ]  # fmt: skip
    assert 'enctype="multipart/form-data"' not in html(response)


TYPE_CASES = [
    pytest.param({"input_type": "text"}, lambda a: {"attr_x": "Gold"}, lambda a: "Gold", id="text"),
    pytest.param(
        {"input_type": "textarea"},
        lambda a: {"attr_x": "<p>Hi <script>x</script></p>"},
        lambda a: "<p>Hi </p>",
        id="textarea",
    ),
    pytest.param(
        {"input_type": "multiline", "multiline_count": 2},
        lambda a: {"attr_x_0": "Line one", "attr_x_1": "Line two"},
        lambda a: ["Line one", "Line two"],
        id="multiline",
    ),
    pytest.param(
        {"input_type": "date"},
        lambda a: {"attr_x": "2025-02-03"},
        lambda a: "2025-02-03",
        id="date",
    ),
    pytest.param(
        {"input_type": "boolean"}, lambda a: {"attr_x": "0"}, lambda a: False, id="boolean"
    ),
    pytest.param(
        {"input_type": "select", "options": [{"label": "Red"}, {"label": "Blue"}]},
        lambda a: {"attr_x": str(option_ids(a)[0])},
        lambda a: option_ids(a)[0],
        id="select",
    ),
    pytest.param(
        {"input_type": "multiselect", "options": [{"label": "Red"}, {"label": "Blue"}]},
        lambda a: {"attr_x": [str(option_ids(a)[1])]},
        lambda a: [option_ids(a)[1]],
        id="multiselect",
    ),
]

RENDERED = {
    "text": r'<input type="text" name="attr_x"',
    "textarea": r'<textarea name="attr_x"',
    "multiline": r'<input type="text" name="attr_x_0"[^>]*><input type="text" name="attr_x_1"',
    "date": r'<input type="date" name="attr_x"',
    "boolean": r'<select name="attr_x"[^>]*>\s*<option value="" selected>—</option>\s*'
    r'<option value="1">Yes</option>\s*<option value="0">No</option>',
    "select": r'<select name="attr_x"[^>]*>\s*<option value="" selected>—</option>\s*'
    r'<option value="\d+">Red</option>\s*<option value="\d+">Blue</option>',
    "multiselect": r'<input type="checkbox" name="attr_x" value="\d+"[^>]*>\s*Red',
}


@pytest.mark.parametrize(("props", "data", "expected"), TYPE_CASES)
def test_each_input_type_is_rendered_and_saved(
    staff_client, customer, props, data, expected, request
):
    # given
    attribute = make_attribute("x", label="Extra", **props)
    kind = request.node.callspec.id

    # when
    page = staff_client.get(edit_url(customer, "account"))
    response = staff_client.post(
        edit_url(customer, "account"), account_data(customer, **data(attribute))
    )

    # then
    assert re.search(RENDERED[kind], html(page)), html(page)
    assert response.status_code == 302, response.context and response.context["form"].errors
    assert fresh(customer).custom_attributes == {"x": expected(attribute)}


def test_the_service_problems_show_on_the_attribute_field(staff_client, customer):
    # given
    make_attribute("member_no", validation="numeric")
    make_attribute("nickname", max_length=3)

    # when
    response = staff_client.post(
        edit_url(customer, "account"),
        account_data(customer, firstname="Augusta", attr_member_no="12a", attr_nickname="Lovelace"),
    )

    # then
    assert response.status_code == 400
    assert errors_of(response, "attr_member_no") == ["Use only digits (0-9)."]
    assert errors_of(response, "attr_nickname") == ["Enter at most 3 characters."]
    customer = fresh(customer)
    assert (customer.firstname, customer.custom_attributes) == ("Ada", {})


def test_a_required_attribute_is_required_in_the_back_office_whatever_its_forms(
    staff_client, customer
):
    # given
    make_attribute("member_no", is_required=True, forms=[])

    # when
    response = staff_client.post(edit_url(customer, "account"), account_data(customer))

    # then
    assert response.status_code == 400
    assert errors_of(response, "attr_member_no") == ["This field is required."]


def test_staff_without_change_permission_see_the_values_read_only(client, customer):
    # given
    make_attribute("nickname")
    customer.custom_attributes = {"nickname": "Ada"}
    customer.save(update_fields=["custom_attributes"])
    client.force_login(make_staff_user("viewer", permissions=["customers.view_customer"]))

    # when
    response = client.get(edit_url(customer, "account"))

    # then
    field = response.context["form"]["attr_nickname"]
    assert (field.value(), field.field.disabled) == ("Ada", True)


def test_a_file_is_uploaded_shown_as_a_link_and_removed(staff_client, customer, customer_files):
    # given
    make_attribute("contract", "file", file_extensions="txt,pdf")
    url = edit_url(customer, "account")

    # when
    page = staff_client.get(url)
    uploaded = staff_client.post(url, account_data(customer, attr_contract=attachment()))
    stored = fresh(customer).custom_attributes["contract"]
    shown = staff_client.get(url)
    removed = staff_client.post(url, account_data(customer, **{"attr_contract-clear": "on"}))

    # then
    assert 'enctype="multipart/form-data"' in html(page)
    assert re.search(r'<input type="file" name="attr_contract" accept="\.txt,\.pdf"', html(page))
    assert uploaded.status_code == 302
    assert (stored["name"], stored["size"]) == ("contract.txt", 6)
    assert f'<a href="{file_url(customer, "contract")}">contract.txt</a>' in html(shown)
    assert 'name="attr_contract-clear"' in html(shown)
    assert removed.status_code == 302
    assert fresh(customer).custom_attributes == {}


def test_files_live_in_the_private_storage_only(staff_client, customer, customer_files):
    # given
    make_attribute("contract", "file")

    # when
    staff_client.post(
        edit_url(customer, "account"), account_data(customer, attr_contract=attachment())
    )

    # then
    stored = fresh(customer).custom_attributes["contract"]
    assert (customer_files / stored["path"]).read_bytes() == b"signed"
    public_roots = [settings.STATIC_ROOT, settings.MEDIA_ROOT]
    assert all(
        not str(customer_files / stored["path"]).startswith(str(root)) for root in public_roots
    )
    assert staff_client.get(f"{settings.MEDIA_URL}{stored['path']}").status_code == 404


# --- File downloads -----------------------------------------------------------------------------


def test_staff_download_a_file_as_an_attachment(staff_client, customer, customer_files):
    # given
    make_attribute("contract", "file")
    give_file(customer, "contract", attachment("contract.txt", b"<script>x</script>"))

    # when
    response = staff_client.get(file_url(customer, "contract"))

    # then
    assert response.status_code == 200
    assert body_of(response) == b"<script>x</script>"
    assert response["Content-Disposition"] == 'attachment; filename="contract.txt"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))


def test_staff_see_an_image_inline(staff_client, customer, customer_files):
    # given
    make_attribute("portrait", "image", image_max_width=10, image_max_height=10)
    give_file(customer, "portrait", png(3, 3))

    # when
    response = staff_client.get(file_url(customer, "portrait"))

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="photo.png"'
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("permissions", "status"),
    [
        pytest.param(None, 302, id="anonymous"),
        pytest.param([], 403, id="staff_without_permission"),
        pytest.param(["customers.view_customer"], 200, id="staff_with_permission"),
    ],
)
def test_only_staff_who_may_view_customers_download(
    client, customer, customer_files, permissions, status
):
    # given
    make_attribute("contract", "file")
    give_file(customer, "contract", attachment())
    if permissions is not None:
        client.force_login(make_staff_user("clerk", permissions=permissions))

    # when
    response = client.get(file_url(customer, "contract"))

    # then
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/admin/login/")


def test_staff_of_another_website_get_404(client, customer, website_b, customer_files):
    # given
    make_attribute("contract", "file")
    give_file(customer, "contract", attachment())
    clerk = make_staff_user("clerk", permissions=["customers.view_customer"])
    StaffProfile.objects.create(user=clerk).websites.set([website_b])
    client.force_login(clerk)

    # when
    response = client.get(file_url(customer, "contract"))

    # then
    assert response.status_code == 404


@pytest.mark.parametrize(
    "code", [pytest.param("contract", id="no_file"), pytest.param("nickname", id="not_a_file")]
)
def test_no_file_or_no_file_attribute_is_404(staff_client, customer, customer_files, code):
    # given
    make_attribute("contract", "file")
    make_attribute("nickname")
    customer.custom_attributes = {"nickname": "Ada"}
    customer.save(update_fields=["custom_attributes"])

    # when
    response = staff_client.get(file_url(customer, code))

    # then
    assert response.status_code == 404


# --- Addresses ----------------------------------------------------------------------------------


def test_the_address_form_shows_every_address_attribute_and_saves_them(
    staff_client, customer, view_a
):
    # given
    make_attribute("gate", entity="address", forms=[], labels={str(view_a.pk): "Tor"})
    floor = make_attribute(
        "floor", "select", entity="address", forms=[ADDRESS_EDIT], default_value=None,
        options=[{"label": "Ground"}, {"label": "First"}],
    )  # fmt: skip
    url = edit_url(customer, "addresses")

    # when
    page = staff_client.get(f"{url}&address=new")
    response = staff_client.post(
        url, address_post(attr_gate="B12", attr_floor=option_ids(floor)[1])
    )

    # then
    form = page.context["form"]
    assert form.attribute_fields == ["attr_floor", "attr_gate"]
    assert form["attr_gate"].label == "Gate"
    assert response.status_code == 302
    address = customer.addresses.get()
    assert address.custom_attributes == {"gate": "B12", "floor": option_ids(floor)[1]}


def test_an_address_edit_shows_and_changes_the_stored_values(staff_client, customer):
    # given
    make_attribute("gate", entity="address")
    address = make_address(customer, custom_attributes={"gate": "B12"})
    url = edit_url(customer, "addresses")

    # when
    page = staff_client.get(f"{url}&address={address.pk}")
    changed = staff_client.post(url, address_post(address_id=address.pk, attr_gate="C7"))
    after_change = fresh(address).custom_attributes
    cleared = staff_client.post(url, address_post(address_id=address.pk, attr_gate=""))

    # then
    assert page.context["form"]["attr_gate"].value() == "B12"
    assert (changed.status_code, cleared.status_code) == (302, 302)
    assert after_change == {"gate": "C7"}
    assert fresh(address).custom_attributes == {}


def test_address_problems_show_on_the_attribute_field(staff_client, customer):
    # given
    make_attribute("gate", entity="address", validation="alpha")

    # when
    response = staff_client.post(edit_url(customer, "addresses"), address_post(attr_gate="B12"))

    # then
    assert response.status_code == 400
    assert errors_of(response, "attr_gate") == ["Use only letters (a-z, A-Z)."]
    assert not customer.addresses.exists()


def test_staff_download_an_address_file(staff_client, customer, customer_files):
    # given
    make_attribute("proof", "file", entity="address")
    url = edit_url(customer, "addresses")
    staff_client.post(url, address_post(attr_proof=attachment("proof.txt", b"utility bill")))
    address = customer.addresses.get()

    # when
    page = staff_client.get(f"{url}&address={address.pk}")
    response = staff_client.get(address_file_url(address, "proof"))

    # then
    assert f'<a href="{address_file_url(address, "proof")}">proof.txt</a>' in html(page)
    assert response.status_code == 200
    assert body_of(response) == b"utility bill"
    assert response["Content-Disposition"] == 'attachment; filename="proof.txt"'


def test_an_address_file_needs_the_address_permission_and_the_right_customer(
    client, customer, customer_files
):
    # given
    make_attribute("proof", "file", entity="address")
    address = make_address(customer)
    give_file(address, "proof", attachment())
    other = make_customer("grace@example.com")
    wrong_owner = address_file_url(address, "proof").replace(
        f"/customer/{customer.pk}/", f"/customer/{other.pk}/"
    )
    client.force_login(make_staff_user("clerk", permissions=["customers.view_customer"]))
    without = client.get(address_file_url(address, "proof"))
    client.force_login(
        make_staff_user("holder", permissions=["customers.view_customer", "customers.view_address"])
    )

    # when
    allowed = client.get(address_file_url(address, "proof"))
    mismatched = client.get(wrong_owner)

    # then
    assert (without.status_code, allowed.status_code, mismatched.status_code) == (403, 200, 404)


# --- Address templates (acceptance check 25) ----------------------------------------------------


TEMPLATE = (
    "{{var lastname}}{{depend floor}}<br />Floor: {{var floor}}{{/depend}}"
    "{{depend access}}<br />Access: {{var access}}{{/depend}}"
    "{{depend lift}}<br />Lift: {{var lift}}{{/depend}}"
    "{{depend since}}<br />Since: {{var since}}{{/depend}}"
)


def test_the_admin_address_display_prints_readable_attribute_values(staff_client, customer, view_a):
    # given
    floor = make_attribute(
        "floor", "select", entity="address",
        options=[{"label": "Ground", "labels": {str(view_a.pk): "Ground floor"}}],
    )  # fmt: skip
    access = make_attribute(
        "access", "multiselect", entity="address",
        options=[{"label": "Ramp"}, {"label": "Stairs"}, {"label": "Door code"}],
    )  # fmt: skip
    make_attribute("lift", "boolean", entity="address")
    make_attribute("since", "date", entity="address")
    ramp, _stairs, door = option_ids(access)
    set_config({"customer/address_templates/html": TEMPLATE}, store_view=view_a)
    make_address(
        customer,
        custom_attributes={
            "floor": option_ids(floor)[0], "access": [ramp, door], "lift": False,
            "since": dt.date(2024, 5, 6),
        },
    )  # fmt: skip

    # when
    response = staff_client.get(edit_url(customer, "addresses"))

    # then
    assert "<address>Lovelace<br>Floor: Ground floor<br>Access: Ramp, Door code<br>Lift: No" in (
        html(response)
    )
    assert "<br>Since: 2024-05-06</address>" in html(response)


def test_depend_omits_its_content_when_the_attribute_is_empty(staff_client, customer, view_a):
    # given
    make_attribute("floor", "select", entity="address", options=[{"label": "Ground"}])
    set_config({"customer/address_templates/html": TEMPLATE}, store_view=view_a)
    make_address(customer)

    # when
    response = staff_client.get(edit_url(customer, "addresses"))

    # then
    assert "<address>Lovelace</address>" in html(response)
    assert "Floor:" not in html(response)


def test_option_labels_in_an_address_follow_the_store_view(customer, view_a, website_a):
    # given
    from patron.customers.address_format import render_address

    german = make_store_view(website_a, "de", "de", name="Deutsch")
    floor = make_attribute(
        "floor", "select", entity="address",
        options=[{"label": "Ground", "labels": {str(german.pk): "Erdgeschoss"}}],
    )  # fmt: skip
    set_config({"customer/address_templates/oneline": "{{var floor}}"})
    address = make_address(customer, custom_attributes={"floor": option_ids(floor)[0]})

    # when
    rendered = {
        view.code: render_address(address, "oneline", store_view=view) for view in (view_a, german)
    }
    by_id = render_address(address, "oneline", store_view=german.pk)

    # then
    assert rendered == {"default": "Ground", "de": "Erdgeschoss"}
    assert by_id == "Erdgeschoss"
