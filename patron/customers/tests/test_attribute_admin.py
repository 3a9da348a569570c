"""Back office: Stores > Attributes > Customer and Customer Address over HTTP (lists, the
attribute page with its panels, labels per store view, options, system attributes, the
confirmations before data is removed, permissions and the staff action log)."""

import re

import pytest
from django.contrib.messages import get_messages
from django.forms import CheckboxInput

from patron.core.actors import SYSTEM
from patron.customers import attributes
from patron.customers.models import (
    AttributeEntity,
    AttributeForm,
    Customer,
    CustomerAttribute,
    InputType,
    InputValidation,
)
from patron.customers.tests.factories import make_address, make_customer
from patron.staff.models import StaffAction, StaffActionKind
from patron.testing.fixtures import make_staff_user, make_store_view

pytestmark = pytest.mark.django_db

LISTS = {
    AttributeEntity.CUSTOMER: "/admin/customers/customerattribute/",
    AttributeEntity.ADDRESS: "/admin/customers/addressattribute/",
}
CUSTOMER_LIST = LISTS[AttributeEntity.CUSTOMER]
ADDRESS_LIST = LISTS[AttributeEntity.ADDRESS]
PAGE_HEADINGS = (
    "Properties", "Manage Labels/Options", "Attribute Properties", "Data Entry Properties",
    "Customers Grid and Segment Properties", "Storefront Properties", "Manage Titles",
    "Manage Options (Values of Your Attribute)",
)  # fmt: skip
ALL_PERMISSIONS = [
    f"customers.{action}_customerattribute" for action in ("view", "add", "change", "delete")
]


def add_url(entity=AttributeEntity.CUSTOMER) -> str:
    return f"{LISTS[entity]}add/"


def change_url(attribute) -> str:
    return f"{LISTS[attribute.entity]}{attribute.pk}/change/"


def delete_url(attribute) -> str:
    return f"{LISTS[attribute.entity]}{attribute.pk}/delete/"


def html(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def field_errors(response, name: str) -> list[str]:
    return list(response.context["form"].errors.get(name, []))


def listed_codes(response) -> list[str]:
    return [attribute.code for attribute in response.context["cl"].result_list]


def new_attribute(**overrides) -> dict:
    """New Attribute as the page posts it: a Text Field with every other property blank."""
    data = {
        "label": "Loyalty Number",
        "code": "loyalty_number",
        "input_type": InputType.TEXT,
        "is_required": "0",
        "default_value_text": "",
        "default_value_textarea": "",
        "default_value_date": "",
        "default_value_yesno": "",
        "validation": "",
        "min_length": "",
        "max_length": "",
        "multiline_count": "2",
        "date_min": "",
        "date_max": "",
        "max_file_size": "",
        "file_extensions": "",
        "image_max_width": "",
        "image_max_height": "",
        "input_filter": "",
        "in_grid": "0",
        "filterable_in_grid": "0",
        "grid_filter_condition": "partial",
        "searchable_in_grid": "0",
        "used_in_segments": "0",
        "show_on_storefront": "1",
        "sort_order": "10",
        "options-TOTAL_FORMS": "0",
        "options-INITIAL_FORMS": "0",
        "options-MIN_NUM_FORMS": "0",
        "options-MAX_NUM_FORMS": "1000",
        "_save": "Save Attribute",
    }
    data.update(overrides)
    return data


def option_rows(*rows: dict, initial: int = 0) -> dict:
    """The options table's fields for ``rows`` (label, store_label_<id>, sort_order, ...)."""
    data = {
        "options-TOTAL_FORMS": str(len(rows)),
        "options-INITIAL_FORMS": str(initial),
        "options-MIN_NUM_FORMS": "0",
        "options-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"options-{index}-{name}": value for name, value in row.items()})
    return data


def posted_form(response) -> dict:
    """What a browser sends back from the page as it was rendered (disabled fields are not
    sent; an unticked box is absent)."""
    data: dict = {"_save": "Save Attribute"}
    forms = [response.context["form"]]
    options = response.context["options"]
    if options is not None:
        management = options.management_form
        data.update({bf.html_name: bf.value() for bf in management})
        forms.extend(options.forms)
    for form in forms:
        for bound in form:
            if bound.field.disabled:
                continue
            value = bound.value()
            if isinstance(bound.field.widget, CheckboxInput):
                if value:
                    data[bound.html_name] = "on"
            elif isinstance(value, list):
                data[bound.html_name] = [str(v) for v in value]
            else:
                data[bound.html_name] = "" if value is None else str(value)
    return data


def make_attribute(entity=AttributeEntity.CUSTOMER, code="loyalty_number", **props):
    props.setdefault("label", "Loyalty Number")
    props.setdefault("input_type", InputType.TEXT)
    return attributes.create_attribute(entity=entity, code=code, actor=SYSTEM, **props)


def make_colour(entity=AttributeEntity.CUSTOMER, input_type=InputType.SELECT):
    return make_attribute(
        entity,
        "colour",
        label="Colour",
        input_type=input_type,
        options=[{"label": "Red"}, {"label": "Green"}, {"label": "Blue"}],
    )


def option_ids(attribute) -> dict[str, int]:
    return {o.label: o.pk for o in attribute.options.all()}


def attribute_actions() -> list[StaffAction]:
    return list(StaffAction.objects.filter(action=StaffActionKind.CONFIGURATION).order_by("pk"))


@pytest.fixture
def staff_client(client, superuser):
    client.force_login(superuser)
    return client


def login_staff(client, *permissions: str, username: str = "clerk"):
    user = make_staff_user(username, permissions=permissions)
    client.force_login(user)
    return user


# --- Lists --------------------------------------------------------------------------------------


def test_customer_list_shows_customer_attributes_only(staff_client):
    # given
    make_attribute(code="loyalty_number")
    make_attribute(AttributeEntity.ADDRESS, code="building", label="Building")

    # when
    response = staff_client.get(CUSTOMER_LIST)

    # then
    assert response.status_code == 200
    codes = listed_codes(response)
    assert "loyalty_number" in codes
    assert "email" in codes
    assert "building" not in codes
    assert response.context["title"] == "Customer Attributes"


def test_address_list_shows_address_attributes_only(staff_client):
    # given
    make_attribute(code="loyalty_number")
    make_attribute(AttributeEntity.ADDRESS, code="building", label="Building")

    # when
    response = staff_client.get(ADDRESS_LIST)

    # then
    assert response.status_code == 200
    codes = listed_codes(response)
    assert {"building", "telephone", "street"} <= set(codes)
    assert "loyalty_number" not in codes
    assert "email" not in codes
    assert response.context["title"] == "Customer Address Attributes"


def test_list_has_the_columns_and_add_new_attribute(staff_client):
    # when
    response = staff_client.get(CUSTOMER_LIST)

    # then
    headers = [str(header["text"]) for header in response.context["result_headers"]]
    assert headers == [
        "Attribute Code", "Default Label", "Input Type", "Required", "System",
        "Visible on Storefront", "Sort Order", "In Grid", "Filterable in Grid",
        "Searchable in Grid", "Use in Customer Segment",
    ]  # fmt: skip
    assert f'href="{add_url()}"' in html(response)
    assert "Add New Attribute" in html(response)


def test_list_searches_by_code_or_label_and_filters(staff_client):
    # given
    make_attribute(code="loyalty_number", label="Loyalty Number")
    make_attribute(code="shoe_size", label="Shoe Size", used_in_segments=True)

    # when
    by_label = staff_client.get(CUSTOMER_LIST, {"q": "shoe"})
    by_code = staff_client.get(CUSTOMER_LIST, {"q": "loyalty_"})
    custom_only = staff_client.get(CUSTOMER_LIST, {"is_system__exact": "0"})
    in_segments = staff_client.get(
        CUSTOMER_LIST, {"is_system__exact": "0", "used_in_segments__exact": "1"}
    )

    # then
    assert listed_codes(by_label) == ["shoe_size"]
    assert listed_codes(by_code) == ["loyalty_number"]
    assert sorted(listed_codes(custom_only)) == ["loyalty_number", "shoe_size"]
    assert listed_codes(in_segments) == ["shoe_size"]


# --- Creating: Attribute Code and Data Entry Properties -----------------------------------------


@pytest.mark.parametrize("code", ["1abc", "Abc", "ab c", "ab-c"])
def test_a_code_that_breaks_the_rules_is_refused_next_to_its_field(staff_client, code):
    # when
    response = staff_client.post(add_url(), new_attribute(code=code))

    # then
    assert response.status_code == 400
    assert field_errors(response, "code") == [
        "The attribute code must start with a letter and use only lower-case letters (a-z), "
        "digits (0-9) and underscores (_)."
    ]
    assert 'id="id_code_error"' in html(response)
    assert not CustomerAttribute.objects.filter(is_system=False).exists()
    assert attribute_actions() == []


def test_code_my_attr2_is_accepted_and_the_creation_logged(staff_client, superuser):
    # when
    response = staff_client.post(add_url(), new_attribute(code="my_attr2", label=" My Attr "))

    # then
    assert response.status_code == 302
    assert response["Location"] == CUSTOMER_LIST
    attribute = CustomerAttribute.objects.get(code="my_attr2")
    assert (attribute.entity, attribute.label, attribute.input_type, attribute.sort_order) == (
        AttributeEntity.CUSTOMER, "My Attr", InputType.TEXT, 10,
    )  # fmt: skip
    assert messages_of(response) == [("success", "You saved the attribute.")]
    [action] = attribute_actions()
    assert (action.actor_id, action.target) == (superuser.pk, "Customer attribute my_attr2")
    assert action.details["change"] == "created"


def test_a_taken_code_is_refused(staff_client):
    # given
    make_attribute(code="loyalty_number")

    # when
    taken = staff_client.post(add_url(), new_attribute(code="loyalty_number"))
    model_field = staff_client.post(add_url(), new_attribute(code="email"))

    # then
    assert field_errors(taken, "code") == [
        "An attribute with the code loyalty_number already exists."
    ]
    assert field_errors(model_field, "code") == ["An attribute with the code email already exists."]


def test_a_customer_code_of_31_characters_is_refused_and_30_accepted(staff_client):
    # when
    too_long = staff_client.post(add_url(), new_attribute(code="a" * 31))
    longest = staff_client.post(add_url(), new_attribute(code="a" * 30))

    # then
    assert field_errors(too_long, "code") == ["The attribute code must be at most 30 characters."]
    assert longest.status_code == 302
    assert CustomerAttribute.objects.filter(code="a" * 30).exists()


def test_an_address_code_of_22_characters_is_refused_and_21_accepted(staff_client):
    # when
    too_long = staff_client.post(add_url(AttributeEntity.ADDRESS), new_attribute(code="b" * 22))
    longest = staff_client.post(add_url(AttributeEntity.ADDRESS), new_attribute(code="b" * 21))

    # then
    assert too_long.status_code == 400
    assert field_errors(too_long, "code") == ["The attribute code must be at most 21 characters."]
    assert longest.status_code == 302
    assert longest["Location"] == ADDRESS_LIST
    assert CustomerAttribute.objects.get(code="b" * 21).entity == AttributeEntity.ADDRESS


@pytest.mark.parametrize("lines", ["1", "21"])
def test_a_multiple_line_count_outside_2_to_20_is_refused(staff_client, lines):
    # when
    response = staff_client.post(
        add_url(), new_attribute(input_type=InputType.MULTILINE, multiline_count=lines)
    )

    # then
    assert response.status_code == 400
    assert field_errors(response, "multiline_count") == ["Lines count must be between 2 and 20."]
    assert not CustomerAttribute.objects.filter(code="loyalty_number").exists()


@pytest.mark.parametrize("lines", [2, 20])
def test_a_multiple_line_count_of_2_or_20_is_accepted(staff_client, lines):
    # when
    response = staff_client.post(
        add_url(), new_attribute(input_type=InputType.MULTILINE, multiline_count=str(lines))
    )

    # then
    assert response.status_code == 302
    assert CustomerAttribute.objects.get(code="loyalty_number").multiline_count == lines


def test_a_validation_the_input_type_does_not_offer_is_refused(staff_client):
    # when
    response = staff_client.post(
        add_url(),
        new_attribute(input_type=InputType.TEXTAREA, validation=InputValidation.NUMERIC),
    )

    # then
    assert response.status_code == 400
    assert field_errors(response, "validation") == [
        "Text Area does not offer this input validation."
    ]


def test_properties_of_other_input_types_are_ignored_on_creation(staff_client):
    # when
    response = staff_client.post(
        add_url(),
        new_attribute(
            input_type=InputType.DATE,
            min_length="3",
            default_value_text="ignored",
            default_value_date="2000-01-01",
            date_min="1900-01-01",
            date_max="2100-12-31",
        ),
    )

    # then
    assert response.status_code == 302
    attribute = CustomerAttribute.objects.get(code="loyalty_number")
    assert attribute.min_length is None
    assert attribute.default_value == "2000-01-01"
    assert (attribute.date_min.isoformat(), attribute.date_max.isoformat()) == (
        "1900-01-01", "2100-12-31",
    )  # fmt: skip


def test_a_default_value_that_breaks_the_validation_is_refused(staff_client):
    # when
    response = staff_client.post(
        add_url(),
        new_attribute(validation=InputValidation.NUMERIC, default_value_text="12a"),
    )

    # then
    assert response.status_code == 400
    assert field_errors(response, "default_value_text") == [
        "The default value is not valid: Use only digits (0-9)."
    ]
    assert not CustomerAttribute.objects.filter(code="loyalty_number").exists()


def test_every_property_is_saved(staff_client):
    # when
    response = staff_client.post(
        add_url(),
        new_attribute(
            is_required="1",
            default_value_text="ABC1",
            validation=InputValidation.ALPHANUMERIC,
            min_length="3",
            max_length="8",
            input_filter="striptags",
            in_grid="1",
            filterable_in_grid="1",
            grid_filter_condition="prefix",
            searchable_in_grid="1",
            used_in_segments="1",
            show_on_storefront="0",
            sort_order="55",
            forms=[AttributeForm.ACCOUNT_EDIT, AttributeForm.ADMIN_CHECKOUT],
        ),
    )

    # then
    assert response.status_code == 302
    attribute = CustomerAttribute.objects.get(code="loyalty_number")
    saved = {name: getattr(attribute, name) for name in (
        "is_required", "default_value", "validation", "min_length", "max_length", "input_filter",
        "in_grid", "filterable_in_grid", "grid_filter_condition", "searchable_in_grid",
        "used_in_segments", "show_on_storefront", "sort_order", "forms",
    )}  # fmt: skip
    assert saved == {
        "is_required": True, "default_value": "ABC1", "validation": "alphanumeric",
        "min_length": 3, "max_length": 8, "input_filter": "striptags", "in_grid": True,
        "filterable_in_grid": True, "grid_filter_condition": "prefix",
        "searchable_in_grid": True, "used_in_segments": True, "show_on_storefront": False,
        "sort_order": 55, "forms": ["customer_account_edit", "adminhtml_checkout"],
    }  # fmt: skip


def test_image_limits_are_saved(staff_client):
    # when
    response = staff_client.post(
        add_url(),
        new_attribute(
            code="portrait",
            input_type=InputType.IMAGE,
            max_file_size="200000",
            file_extensions="png, jpg",
            image_max_width="800",
            image_max_height="600",
        ),
    )

    # then
    assert response.status_code == 302
    attribute = CustomerAttribute.objects.get(code="portrait")
    limits = (
        attribute.max_file_size,
        attribute.file_extensions,
        attribute.image_max_width,
        attribute.image_max_height,
    )
    assert limits == (200000, "png, jpg", 800, 600)


def test_address_attributes_offer_only_the_address_forms(staff_client):
    # when
    page = staff_client.get(add_url(AttributeEntity.ADDRESS))
    refused = staff_client.post(
        add_url(AttributeEntity.ADDRESS),
        new_attribute(forms=[AttributeForm.REGISTRATION]),
    )

    # then
    choices = [value for value, _label in page.context["form"].fields["forms"].choices]
    assert choices == ["customer_register_address", "customer_address_edit"]
    assert refused.status_code == 400
    assert field_errors(refused, "forms")


def test_save_and_continue_edit_opens_the_attribute_page(staff_client):
    # when
    response = staff_client.post(add_url(), new_attribute(_save="", _continue="1"))

    # then
    attribute = CustomerAttribute.objects.get(code="loyalty_number")
    assert response.status_code == 302
    assert response["Location"] == change_url(attribute)


# --- The attribute page -------------------------------------------------------------------------


def test_new_attribute_page_has_both_panels_and_every_property(staff_client):
    # when
    response = staff_client.get(add_url())

    # then
    assert response.status_code == 200
    page = html(response)
    for heading in PAGE_HEADINGS:
        assert f">{heading}<" in page
    assert 'value="Save Attribute"' in page
    assert 'value="Save and Continue Edit"' in page
    assert "Delete Attribute" not in page
    assert 'data-input-types="multiline"' in page  # Lines Count, hidden by attributes.js
    assert "patron/attributes.js" in page


def test_the_edit_page_shows_only_the_input_types_properties(staff_client):
    # given
    textarea = make_attribute(input_type=InputType.TEXTAREA)
    date = make_attribute(code="anniversary", label="Anniversary", input_type=InputType.DATE)

    # when
    textarea_page = staff_client.get(change_url(textarea))
    date_page = staff_client.get(change_url(date))

    # then
    textarea_fields = set(textarea_page.context["form"].fields)
    assert {"min_length", "max_length", "input_filter", "default_value_textarea"} <= (
        textarea_fields
    )
    assert not {"code", "input_type", "multiline_count", "date_min", "max_file_size"} & (
        textarea_fields
    )
    validations = [v for v, _label in textarea_page.context["form"].fields["validation"].choices]
    assert validations == ["", "length"]
    date_fields = set(date_page.context["form"].fields)
    assert {"date_min", "date_max", "default_value_date"} <= date_fields
    assert not {"validation", "min_length", "input_filter"} & date_fields
    assert "loyalty_number" in html(textarea_page)  # the code, read-only
    assert date_page.context["options"] is None


def test_the_input_type_cannot_change_after_creation(staff_client):
    # given
    attribute = make_attribute()
    data = posted_form(staff_client.get(change_url(attribute)))

    # when
    response = staff_client.post(change_url(attribute), data | {"input_type": InputType.DATE})

    # then
    assert response.status_code == 302
    attribute.refresh_from_db()
    assert attribute.input_type == InputType.TEXT


def test_editing_saves_the_changes_and_logs_what_changed(staff_client, superuser):
    # given
    attribute = make_attribute(max_length=10)
    data = posted_form(staff_client.get(change_url(attribute)))

    # when
    response = staff_client.post(
        change_url(attribute), data | {"label": "Card Number", "max_length": "12"}
    )

    # then
    assert response.status_code == 302
    attribute.refresh_from_db()
    assert (attribute.label, attribute.max_length) == ("Card Number", 12)
    [action] = attribute_actions()
    assert action.details["change"] == "changed"
    assert action.details["changed"] == ["label", "max_length"]
    assert action.actor_id == superuser.pk


@pytest.mark.parametrize("kind", ["dropdown", "multiple_line"])
def test_saving_without_a_change_logs_nothing(staff_client, kind):
    # given
    if kind == "dropdown":
        attribute = make_colour()
    else:
        attribute = make_attribute(
            input_type=InputType.MULTILINE, multiline_count=3, default_value="a\nb"
        )
    data = posted_form(staff_client.get(change_url(attribute)))

    # when
    response = staff_client.post(change_url(attribute), data)

    # then
    assert response.status_code == 302
    assert attribute_actions() == []


def test_an_attribute_of_the_other_entity_is_not_found(staff_client):
    # given
    address_attribute = make_attribute(AttributeEntity.ADDRESS, code="building")

    # when
    response = staff_client.get(f"{CUSTOMER_LIST}{address_attribute.pk}/change/")

    # then
    assert response.status_code == 404


# --- Manage Labels/Options ----------------------------------------------------------------------


@pytest.fixture
def second_view(website_b):
    return make_store_view(website_b, "second_fr", "fr", name="Second French", is_default=True)


def test_labels_per_store_view_are_saved_and_grouped_by_website(staff_client, view_a, second_view):
    # when
    response = staff_client.post(
        add_url(),
        new_attribute(
            **{f"store_label_{view_a.pk}": "Loyalty No.", f"store_label_{second_view.pk}": ""}
        ),
    )
    attribute = CustomerAttribute.objects.get(code="loyalty_number")
    page = staff_client.get(change_url(attribute))

    # then
    assert response.status_code == 302
    assert attribute.labels == {str(view_a.pk): "Loyalty No."}
    groups = [
        (website.name, [bound.label for bound in fields])
        for website, fields in page.context["form"].label_groups()
    ]
    assert groups == [
        (view_a.store.website.name, [view_a.name]),
        ("Second Website", ["Second French"]),
    ]
    assert page.context["form"][f"store_label_{view_a.pk}"].value() == "Loyalty No."


def test_options_are_added_with_store_view_labels_and_a_default(staff_client, view_a):
    # when
    response = staff_client.post(
        add_url(),
        new_attribute(
            code="colour", label="Colour", input_type=InputType.SELECT,
            **option_rows(
                {"label": "Red", f"store_label_{view_a.pk}": "Rot", "sort_order": "2"},
                {"label": "Green", "sort_order": "1", "is_default": "on"},
                {"label": ""},
            ),
        ),
    )  # fmt: skip

    # then
    assert response.status_code == 302
    attribute = CustomerAttribute.objects.get(code="colour")
    options = [(o.label, o.labels, o.sort_order) for o in attribute.options.all()]
    assert options == [("Green", {}, 1), ("Red", {str(view_a.pk): "Rot"}, 2)]
    assert attribute.default_value == option_ids(attribute)["Green"]


def test_a_dropdown_needs_an_option(staff_client):
    # when
    response = staff_client.post(
        add_url(), new_attribute(code="colour", input_type=InputType.SELECT)
    )

    # then
    assert response.status_code == 400
    assert response.context["option_errors"] == ["Add at least one option."]
    assert not CustomerAttribute.objects.filter(code="colour").exists()


def test_a_dropdown_takes_one_default_and_a_multiple_select_several(staff_client):
    # given
    rows = option_rows({"label": "Red", "is_default": "on"}, {"label": "Blue", "is_default": "on"})

    # when
    dropdown = staff_client.post(
        add_url(), new_attribute(code="colour", input_type=InputType.SELECT, **rows)
    )
    multiple = staff_client.post(
        add_url(), new_attribute(code="colours", input_type=InputType.MULTISELECT, **rows)
    )

    # then
    assert dropdown.status_code == 400
    assert list(dropdown.context["options"].non_form_errors()) == [
        "A dropdown has one default option: tick Is Default on one row at most."
    ]
    attribute = CustomerAttribute.objects.get(code="colours")
    assert multiple.status_code == 302
    assert attribute.default_value == sorted(option_ids(attribute).values())


def test_an_option_without_an_admin_label_is_refused_on_its_row(staff_client, view_a):
    # when
    response = staff_client.post(
        add_url(),
        new_attribute(
            code="colour", input_type=InputType.SELECT,
            **option_rows({"label": "Red"}, {"label": "", f"store_label_{view_a.pk}": "Blau"}),
        ),
    )  # fmt: skip

    # then
    assert response.status_code == 400
    rows = response.context["options"].forms
    assert rows[1].errors["label"] == ["Enter the option's label."]
    assert not rows[0].errors


def test_options_are_renamed_and_added_on_the_attribute_page(staff_client, view_a):
    # given
    attribute = make_colour()
    ids = option_ids(attribute)
    page = staff_client.get(change_url(attribute))
    data = posted_form(page)
    rows = {form["id"].value(): form.prefix for form in page.context["options"].forms}

    # when
    response = staff_client.post(
        change_url(attribute),
        data | {
            f"{rows[ids['Red']]}-label": "Crimson",
            f"{rows[ids['Red']]}-store_label_{view_a.pk}": "Karminrot",
            f"{rows[None]}-label": "Yellow",
        },
    )  # fmt: skip

    # then
    assert response.status_code == 302
    options = {o.label: (o.pk, o.labels) for o in attribute.options.all()}
    assert options["Crimson"] == (ids["Red"], {str(view_a.pk): "Karminrot"})
    assert set(options) == {"Crimson", "Green", "Blue", "Yellow"}
    [action] = attribute_actions()
    assert action.details["changed"] == ["options"]


def test_removing_options_first_states_how_many_customers_hold_them(staff_client):
    # given
    attribute = make_colour()
    ids = option_ids(attribute)
    make_customer("ada@example.com", custom_attributes={"colour": ids["Red"]})
    make_customer("bob@example.com", custom_attributes={"colour": ids["Red"]})
    make_customer("cy@example.com", custom_attributes={"colour": ids["Green"]})
    make_customer("di@example.com", custom_attributes={"colour": ids["Blue"]})
    page = staff_client.get(change_url(attribute))
    rows = {form["id"].value(): form.prefix for form in page.context["options"].forms}
    data = posted_form(page) | {
        f"{rows[ids['Red']]}-DELETE": "on",
        f"{rows[ids['Green']]}-DELETE": "on",
        f"{rows[ids['Blue']]}-label": "Navy",
    }

    # when
    confirmation = staff_client.post(change_url(attribute), data)

    # then
    assert confirmation.status_code == 200
    assert confirmation.context["count"] == 3
    assert "3 customers hold one of these options and will lose it" in html(confirmation)
    assert confirmation.context["option_labels"] == ["Red", "Green"]
    assert set(option_ids(attribute)) == {"Red", "Green", "Blue"}
    assert Customer.objects.filter(custom_attributes__has_key="colour").count() == 4
    assert attribute_actions() == []

    # when
    confirmed = staff_client.post(change_url(attribute), dict(confirmation.context["fields"]) | {
        "_confirm_option_removal": confirmation.context["confirm_value"],
    })  # fmt: skip

    # then
    assert confirmed.status_code == 302
    assert set(option_ids(attribute)) == {"Navy"}
    holders = Customer.objects.filter(custom_attributes__has_key="colour")
    assert [c.email for c in holders] == ["di@example.com"]
    [action] = attribute_actions()
    assert action.count == 3
    assert action.details["options_removed"] == sorted([ids["Red"], ids["Green"]])


def test_removing_an_address_option_counts_addresses(staff_client, customer):
    # given
    attribute = make_colour(AttributeEntity.ADDRESS, InputType.MULTISELECT)
    ids = option_ids(attribute)
    make_address(customer, custom_attributes={"colour": [ids["Red"], ids["Blue"]]})
    page = staff_client.get(change_url(attribute))
    rows = {form["id"].value(): form.prefix for form in page.context["options"].forms}

    # when
    confirmation = staff_client.post(
        change_url(attribute), posted_form(page) | {f"{rows[ids['Red']]}-DELETE": "on"}
    )

    # then
    assert "1 address holds one of these options and will lose it" in html(confirmation)


def test_the_default_option_moves_and_goes_with_its_option(staff_client):
    # given
    attribute = make_colour()
    ids = option_ids(attribute)
    attributes.update_attribute(attribute=attribute, actor=SYSTEM, default_value=ids["Red"])
    page = staff_client.get(change_url(attribute))
    rows = {form["id"].value(): form.prefix for form in page.context["options"].forms}
    data = posted_form(page)
    data.pop(f"{rows[ids['Red']]}-is_default")

    # when
    moved = staff_client.post(
        change_url(attribute), data | {f"{rows[ids['Blue']]}-is_default": "on"}
    )
    page = staff_client.get(change_url(attribute))
    removal = posted_form(page) | {f"{rows[ids['Blue']]}-DELETE": "on"}
    confirmation = staff_client.post(change_url(attribute), removal)
    removed = staff_client.post(
        change_url(attribute),
        removal | {"_confirm_option_removal": confirmation.context["confirm_value"]},
    )

    # then
    assert moved.status_code == 302
    assert removed.status_code == 302
    attribute.refresh_from_db()
    assert attribute.default_value is None
    assert set(option_ids(attribute)) == {"Red", "Green"}
    assert [a.details["changed"] for a in attribute_actions()] == [
        ["default_value"],
        ["default_value", "options"],
    ]


def test_a_stale_confirmation_is_asked_again(staff_client):
    # given
    attribute = make_colour()
    ids = option_ids(attribute)
    page = staff_client.get(change_url(attribute))
    rows = {form["id"].value(): form.prefix for form in page.context["options"].forms}
    data = posted_form(page) | {f"{rows[ids['Red']]}-DELETE": "on"}

    # when
    response = staff_client.post(
        change_url(attribute), data | {"_confirm_option_removal": str(ids["Green"])}
    )

    # then
    assert response.status_code == 200
    assert response.context["confirm_value"] == str(ids["Red"])
    assert "Red" in option_ids(attribute)


# --- System attributes --------------------------------------------------------------------------


def system_attribute(code="email", entity=AttributeEntity.CUSTOMER):
    return CustomerAttribute.objects.get(entity=entity, code=code, is_system=True)


def test_a_system_attribute_shows_its_properties_read_only_but_the_segment_flag(staff_client):
    # given
    attribute = system_attribute("email")

    # when
    response = staff_client.get(change_url(attribute))

    # then
    assert response.status_code == 200
    form = response.context["form"]
    editable = [name for name, field in form.fields.items() if not field.disabled]
    assert editable == ["used_in_segments"]
    assert form["label"].value() == "Email"
    assert form["is_required"].value() == "1"
    assert "Delete Attribute" not in html(response)
    assert response.context["options"] is None


def test_a_system_attribute_changes_only_its_segment_flag(staff_client):
    # given
    attribute = system_attribute("telephone", AttributeEntity.ADDRESS)
    data = posted_form(staff_client.get(change_url(attribute)))

    # when
    response = staff_client.post(
        change_url(attribute),
        data | {"used_in_segments": "0", "label": "Mobile", "is_required": "0", "sort_order": "1"},
    )

    # then: the phone number is flagged by default (spec c §4.2), so the change unflags it
    assert response.status_code == 302
    attribute.refresh_from_db()
    assert attribute.used_in_segments is False
    assert (attribute.label, attribute.is_required, attribute.sort_order) == (
        "Phone Number", True, 120,
    )  # fmt: skip
    [action] = attribute_actions()
    assert action.details["changed"] == ["used_in_segments"]


def test_a_system_attribute_cannot_be_deleted(staff_client):
    # given
    attribute = system_attribute("email")

    # when
    page = staff_client.get(delete_url(attribute))
    attempt = staff_client.post(delete_url(attribute))

    # then
    assert (page.status_code, attempt.status_code) == (403, 403)
    assert CustomerAttribute.objects.filter(pk=attribute.pk).exists()


# --- Delete Attribute ---------------------------------------------------------------------------


def test_delete_attribute_states_how_many_customers_hold_a_value_first(staff_client, superuser):
    # given
    attribute = make_attribute()
    make_customer("ada@example.com", custom_attributes={"loyalty_number": "A1"})
    make_customer("bob@example.com", custom_attributes={"loyalty_number": "B2"})
    make_customer("cy@example.com")

    # when
    confirmation = staff_client.get(delete_url(attribute))

    # then
    assert confirmation.status_code == 200
    assert confirmation.context["count"] == 2
    assert "2 customers hold a value for this attribute." in html(confirmation)
    assert CustomerAttribute.objects.filter(pk=attribute.pk).exists()

    # when
    deleted = staff_client.post(delete_url(attribute))

    # then
    assert deleted.status_code == 302
    assert deleted["Location"] == CUSTOMER_LIST
    assert not CustomerAttribute.objects.filter(pk=attribute.pk).exists()
    assert not Customer.objects.filter(custom_attributes__has_key="loyalty_number").exists()
    assert messages_of(deleted) == [
        ("success", "You deleted the attribute and the values of 2 customers.")
    ]
    [action] = attribute_actions()
    assert (action.count, action.details["change"], action.actor_id) == (
        2, "deleted", superuser.pk,
    )  # fmt: skip


def test_delete_attribute_of_an_address_counts_addresses(staff_client, customer):
    # given
    attribute = make_attribute(AttributeEntity.ADDRESS, code="building", label="Building")
    make_address(customer, custom_attributes={"building": "B"})

    # when
    response = staff_client.get(delete_url(attribute))

    # then
    assert "1 address holds a value for this attribute." in html(response)


def test_the_attribute_page_links_to_delete_attribute(staff_client):
    # given
    attribute = make_attribute()

    # when
    response = staff_client.get(change_url(attribute))

    # then
    assert f'href="{delete_url(attribute)}"' in html(response)


# --- Permissions --------------------------------------------------------------------------------


def test_the_menu_shows_both_entries_only_with_a_permission(client):
    # given
    login_staff(client, "customers.view_customer", username="clerk")
    without = client.get("/admin/")
    login_staff(client, "customers.view_customerattribute", username="viewer")

    # when
    with_view = client.get("/admin/")

    # then
    assert CUSTOMER_LIST not in html(without)
    assert ADDRESS_LIST not in html(without)
    assert f'href="{CUSTOMER_LIST}"' in html(with_view)
    assert f'href="{ADDRESS_LIST}"' in html(with_view)
    assert "Customer address attributes" in html(with_view)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    # given
    attribute = make_attribute()

    # when
    responses = [
        client.get(CUSTOMER_LIST),
        client.get(add_url()),
        client.post(add_url(), new_attribute(code="sneaky")),
        client.get(change_url(attribute)),
        client.post(delete_url(attribute)),
    ]

    # then
    assert [r.status_code for r in responses] == [302] * 5
    assert all("/admin/login/" in r["Location"] for r in responses)
    assert CustomerAttribute.objects.filter(pk=attribute.pk).exists()
    assert not CustomerAttribute.objects.filter(code="sneaky").exists()


@pytest.mark.parametrize(
    ("actions", "opened"),
    [
        ([], []),
        (["view"], ["list", "change"]),
        (["add"], ["add"]),
        (["change"], ["list", "change"]),
        (["view", "delete"], ["list", "change", "delete"]),
    ],
)
def test_each_page_needs_its_permission(client, actions, opened):
    # given
    attribute = make_attribute()
    permissions = [f"customers.{action}_customerattribute" for action in actions]
    login_staff(client, "customers.view_customer", *permissions)

    # when
    answers = {
        "list": client.get(CUSTOMER_LIST).status_code,
        "add": client.get(add_url()).status_code,
        "change": client.get(change_url(attribute)).status_code,
        "delete": client.get(delete_url(attribute)).status_code,
    }

    # then
    assert answers == {page: 200 if page in opened else 403 for page in answers}


def test_view_permission_shows_the_page_read_only_and_refuses_a_save(client):
    # given
    attribute = make_attribute()
    login_staff(client, "customers.view_customerattribute")
    page = client.get(change_url(attribute))

    # when
    attempt = client.post(change_url(attribute), new_attribute(label="Changed"))

    # then
    assert all(field.disabled for field in page.context["form"].fields.values())
    assert "Save Attribute" not in html(page)
    assert "Delete Attribute" not in html(page)
    assert attempt.status_code == 403
    attribute.refresh_from_db()
    assert attribute.label == "Loyalty Number"
    assert attribute_actions() == []


def test_creating_needs_the_add_permission(client):
    # given
    login_staff(client, "customers.view_customerattribute", "customers.change_customerattribute")

    # when
    response = client.post(add_url(), new_attribute())

    # then
    assert response.status_code == 403
    assert not CustomerAttribute.objects.filter(code="loyalty_number").exists()


def test_deleting_needs_the_delete_permission(client):
    # given
    attribute = make_attribute()
    login_staff(client, "customers.view_customerattribute", "customers.change_customerattribute")

    # when
    response = client.post(delete_url(attribute))

    # then
    assert response.status_code == 403
    assert CustomerAttribute.objects.filter(pk=attribute.pk).exists()
    assert attribute_actions() == []


def test_staff_with_every_attribute_permission_manage_attributes(client):
    # given
    login_staff(client, "customers.view_customer", *ALL_PERMISSIONS)

    # when
    created = client.post(add_url(AttributeEntity.ADDRESS), new_attribute(code="building"))
    attribute = CustomerAttribute.objects.get(code="building")
    deleted = client.post(delete_url(attribute))

    # then
    assert (created.status_code, deleted.status_code) == (302, 302)
    assert [a.details["change"] for a in attribute_actions()] == ["created", "deleted"]


def test_the_page_works_without_javascript_hints_for_the_new_attribute(staff_client):
    # when
    response = staff_client.get(add_url())

    # then
    validations = response.context["form"].fields["input_type"].widget.attrs["data-validations"]
    assert '"textarea": ["", "length"]' in validations
    rows = re.findall(r'data-input-types="([^"]+)"', html(response))
    assert "date" in rows and "image" in rows
