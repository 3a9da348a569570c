"""Custom attributes API: definitions for storefronts and staff, staff changes with their
confirmations, and attribute values in the customer, address and shopper operations."""

import base64
import json

import pytest
from django.db import IntegrityError

from patron.core.actors import SYSTEM
from patron.core.errors import InvalidInput
from patron.customers import attributes, services
from patron.customers.models import AttributeForm, Customer, CustomerAttribute
from patron.customers.tests.factories import address_data, make_address, make_customer
from patron.staff.models import StaffAction
from patron.testing.fixtures import bearer, make_integration_token, make_store_view

ATTRIBUTE_PERMISSIONS = [
    "customers.view_customerattribute",
    "customers.add_customerattribute",
    "customers.change_customerattribute",
    "customers.delete_customerattribute",
]
CUSTOMER_PERMISSIONS = [
    "customers.view_customer",
    "customers.change_customer",
    "customers.view_address",
    "customers.add_address",
    "customers.change_address",
]


def send(client, method, url, secret=None, payload=None, store=None):
    kwargs = bearer(secret) if secret else {}
    if store is not None:
        kwargs["HTTP_X_PATRON_STORE"] = store
    if payload is not None:
        kwargs.update(data=json.dumps(payload), content_type="application/json")
    return getattr(client, method)(url, **kwargs)


def define(code: str, input_type: str = "text", *, entity: str = "customer", **props):
    props.setdefault("label", code.replace("_", " ").title())
    return attributes.create_attribute(
        entity=entity, code=code, input_type=input_type, actor=SYSTEM, **props
    )


def upload(name: str, content: bytes) -> dict[str, str]:
    return {"name": name, "content_base64": base64.b64encode(content).decode()}


@pytest.fixture
def staff(db):
    _token, secret = make_integration_token(
        "Attributes", permissions=ATTRIBUTE_PERMISSIONS + CUSTOMER_PERMISSIONS
    )
    return secret


@pytest.fixture
def shopper(customer):
    return services.issue_customer_token(customer=customer)


@pytest.fixture
def view_fr(website_a):
    return make_store_view(website_a, "french", "fr", name="Français")


@pytest.fixture
def tier(view_fr):
    """A storefront dropdown with a French label and French option labels."""
    return define(
        "loyalty_tier", "select", is_required=False, sort_order=20, in_grid=True,
        used_in_segments=True, forms=[AttributeForm.REGISTRATION, AttributeForm.ACCOUNT_EDIT],
        labels={str(view_fr.pk): "Niveau"},
        options=[
            {"label": "Silver", "labels": {str(view_fr.pk): "Argent"}},
            {"label": "Gold", "labels": {str(view_fr.pk): "Or"}},
        ],
    )  # fmt: skip


@pytest.fixture
def internal_note(db):
    """An attribute staff keep to themselves."""
    return define(
        "internal_note", show_on_storefront=False, sort_order=10, forms=[AttributeForm.ACCOUNT_EDIT]
    )


def codes(response) -> list[str]:
    return [item["code"] for item in response.json()]


def custom_codes(response) -> list[str]:
    return [item["code"] for item in response.json() if not item["is_system"]]


# --- Definitions for storefronts ----------------------------------------------------------------


def test_storefront_sees_storefront_attributes_labelled_for_its_store_view(
    client, tier, internal_note, view_fr
):
    # when
    response = send(client, "get", "/api/v1/attributes/customer", store="french")

    # then
    assert response.status_code == 200
    assert custom_codes(response) == ["loyalty_tier"]
    item = next(i for i in response.json() if i["code"] == "loyalty_tier")
    silver, gold = tier.options.order_by("sort_order")
    assert item == {
        "entity": "customer",
        "code": "loyalty_tier",
        "label": "Niveau",
        "input_type": "select",
        "is_system": False,
        "is_required": False,
        "default_value": None,
        "validation": "",
        "min_length": None,
        "max_length": None,
        "multiline_count": 2,
        "date_min": None,
        "date_max": None,
        "max_file_size": None,
        "file_extensions": [],
        "image_max_width": None,
        "image_max_height": None,
        "input_filter": "",
        "forms": ["customer_account_create", "customer_account_edit"],
        "sort_order": 20,
        "options": [
            {"id": silver.pk, "label": "Argent", "sort_order": 0, "labels": None},
            {"id": gold.pk, "label": "Or", "sort_order": 1, "labels": None},
        ],
        "labels": None,
        "show_on_storefront": None,
        "in_grid": None,
        "filterable_in_grid": None,
        "grid_filter_condition": None,
        "searchable_in_grid": None,
        "used_in_segments": None,
    }


def test_store_view_without_its_own_label_gets_the_default_label(client, tier):
    # when
    response = send(client, "get", "/api/v1/attributes/customer/loyalty_tier", store="default")

    # then
    body = response.json()
    assert (body["label"], [o["label"] for o in body["options"]]) == (
        "Loyalty Tier",
        ["Silver", "Gold"],
    )


def test_shopper_token_gets_the_storefront_view(client, shopper, tier, internal_note):
    # when
    response = send(client, "get", "/api/v1/attributes/customer", shopper, store="default")

    # then
    assert response.status_code == 200
    assert custom_codes(response) == ["loyalty_tier"]


def test_storefront_must_name_its_store_view(client, tier):
    # when
    response = send(client, "get", "/api/v1/attributes/customer")

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (
        "store_required",
        "X-Patron-Store",
    )


def test_form_keeps_the_attributes_of_one_form(client, tier, internal_note):
    # given
    define("referrer", forms=[AttributeForm.REGISTRATION], sort_order=30)

    # when
    create = send(
        client, "get", "/api/v1/attributes/customer?form=customer_account_create", store="default"
    )
    edit = send(
        client, "get", "/api/v1/attributes/customer?form=customer_account_edit", store="default"
    )

    # then: check 19, and the hidden internal note stays hidden on the edit form
    assert codes(create) == ["loyalty_tier", "referrer"]
    assert codes(edit) == ["loyalty_tier"]


def test_system_attributes_are_listed_with_their_fixed_properties(client, db):
    # when
    response = send(client, "get", "/api/v1/attributes/address", store="default")

    # then
    telephone = next(i for i in response.json() if i["code"] == "telephone")
    assert (telephone["is_system"], telephone["is_required"], telephone["label"]) == (
        True,
        True,
        "Phone number",
    )


def test_hidden_attribute_is_not_found_by_storefronts(client, internal_note):
    # when
    response = send(client, "get", "/api/v1/attributes/customer/internal_note", store="default")

    # then
    assert response.status_code == 404
    assert response.json()["code"] == "attribute_not_found"


def test_unknown_entity_is_refused(client, staff):
    # when
    response = send(client, "get", "/api/v1/attributes/order", staff)

    # then
    assert response.status_code == 422


# --- Definitions for staff ----------------------------------------------------------------------


def test_staff_see_every_attribute_property_and_label(client, staff, tier, internal_note, view_fr):
    # when
    response = send(client, "get", "/api/v1/attributes/customer", staff)

    # then
    assert response.status_code == 200
    assert custom_codes(response) == ["internal_note", "loyalty_tier"]
    item = next(i for i in response.json() if i["code"] == "loyalty_tier")
    assert item["label"] == "Loyalty Tier"
    assert item["labels"] == {"french": "Niveau"}
    assert [o["labels"] for o in item["options"]] == [{"french": "Argent"}, {"french": "Or"}]
    assert {k: item[k] for k in ("show_on_storefront", "in_grid", "used_in_segments")} == {
        "show_on_storefront": True,
        "in_grid": True,
        "used_in_segments": True,
    }


def test_staff_session_gets_the_staff_view(client, superuser, internal_note):
    # given
    client.force_login(superuser)

    # when
    response = send(client, "get", "/api/v1/attributes/customer/internal_note")

    # then
    assert (response.status_code, response.json()["show_on_storefront"]) == (200, False)


def test_staff_may_name_a_store_view_for_the_labels(client, staff, tier, view_fr):
    # when
    response = send(
        client, "get", "/api/v1/attributes/customer/loyalty_tier", staff, store="french"
    )

    # then
    assert (response.json()["label"], response.json()["labels"]) == ("Niveau", {"french": "Niveau"})


def test_staff_without_the_view_permission_are_refused(client, tier):
    # given
    _token, secret = make_integration_token("Customers", permissions=CUSTOMER_PERMISSIONS)

    # when
    response = send(client, "get", "/api/v1/attributes/customer", secret)

    # then
    assert response.status_code == 403
    assert response.json()["params"] == {"permission": "customers.view_customerattribute"}


NEW_ATTRIBUTE = {
    "code": "shoe_size",
    "label": "Shoe Size",
    "input_type": "select",
    "is_required": True,
    "forms": ["customer_account_edit"],
    "sort_order": 40,
    "in_grid": True,
    "filterable_in_grid": False,
    "used_in_segments": True,
    "labels": {"french": "Pointure"},
    "options": [{"label": "38", "labels": {"french": "38 EU"}}, {"label": "39"}],
}


def test_staff_create_an_attribute(client, staff, view_fr):
    # when
    response = send(client, "post", "/api/v1/attributes/customer", staff, NEW_ATTRIBUTE)

    # then
    assert response.status_code == 201
    body = response.json()
    stored = CustomerAttribute.objects.get(entity="customer", code="shoe_size")
    assert (stored.label, stored.input_type, stored.is_required, stored.labels) == (
        "Shoe Size",
        "select",
        True,
        {str(view_fr.pk): "Pointure"},
    )
    assert [(o.label, o.labels) for o in stored.options.all()] == [
        ("38", {str(view_fr.pk): "38 EU"}),
        ("39", {}),
    ]
    assert body["labels"] == {"french": "Pointure"}
    assert [o["id"] for o in body["options"]] == [o.pk for o in stored.options.all()]


@pytest.mark.parametrize("code", ["1abc", "Abc", "ab c", "ab-c"])
def test_invalid_codes_are_refused(client, staff, code):
    # when: check 11
    response = send(
        client, "post", "/api/v1/attributes/customer", staff,
        {"code": code, "label": "X", "input_type": "text"},
    )  # fmt: skip

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("invalid_code", "code")
    assert not CustomerAttribute.objects.filter(code=code).exists()


def test_address_code_longer_than_21_characters_is_refused(client, staff):
    # when: check 21
    too_long = send(
        client, "post", "/api/v1/attributes/address", staff,
        {"code": "a" * 22, "label": "X", "input_type": "text"},
    )  # fmt: skip
    fits = send(
        client, "post", "/api/v1/attributes/address", staff,
        {"code": "a" * 21, "label": "X", "input_type": "text"},
    )  # fmt: skip

    # then
    assert (too_long.status_code, too_long.json()["code"]) == (400, "code_too_long")
    assert fits.status_code == 201


def test_labels_of_unknown_store_views_are_refused(client, staff):
    # when
    response = send(
        client, "post", "/api/v1/attributes/customer", staff,
        {"code": "my_attr2", "label": "Mine", "input_type": "text", "labels": {"atlantis": "?"}},
    )  # fmt: skip

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (
        "unknown_store",
        "labels.atlantis",
    )
    assert not CustomerAttribute.objects.filter(code="my_attr2").exists()


def test_every_problem_of_a_new_attribute_is_reported(client, staff):
    # when
    response = send(
        client, "post", "/api/v1/attributes/customer", staff,
        {"code": "my_attr2", "label": " ", "input_type": "date", "validation": "email",
         "forms": ["customer_address_edit"]},
    )  # fmt: skip

    # then
    assert response.status_code == 400
    assert sorted((e["code"], e["field"]) for e in response.json()["errors"]) == [
        ("invalid_form", "forms"),
        ("invalid_validation", "validation"),
        ("required", "label"),
    ]
    assert not CustomerAttribute.objects.filter(code="my_attr2").exists()


@pytest.mark.parametrize(
    "payload",
    [{"min_length": -1}, {"input_filter": "bogus"}, {"label": "x" * 256}],
    ids=["negative_case", "unknown_filter_case", "long_label_case"],
)
def test_values_the_table_cannot_hold_are_refused_before_the_service(client, staff, payload):
    # when
    response = send(
        client, "post", "/api/v1/attributes/customer", staff,
        {"code": "nickname", "label": "Nickname", "input_type": "text", **payload},
    )  # fmt: skip

    # then
    assert response.status_code == 422
    assert not CustomerAttribute.objects.filter(code="nickname").exists()


def test_service_refuses_a_negative_length(db):
    # when / then
    with pytest.raises(InvalidInput):
        try:
            define("nickname", min_length=-1)
        except IntegrityError:
            pytest.fail("IntegrityError")


def test_service_refuses_an_unknown_input_filter(db):
    # when / then
    with pytest.raises(InvalidInput):
        define("nickname", input_filter="bogus")


def test_staff_change_an_attribute_keeping_options_by_id(client, staff, tier, view_fr):
    # given
    silver, gold = tier.options.order_by("sort_order")

    # when
    response = send(
        client, "patch", "/api/v1/attributes/customer/loyalty_tier", staff,
        {"label": "Tier", "is_required": True, "labels": {},
         "options": [{"id": gold.pk, "label": "Gold"}, {"id": silver.pk, "label": "Silver 2"},
                     {"label": "Platinum"}]},
    )  # fmt: skip

    # then
    assert response.status_code == 200
    tier.refresh_from_db()
    assert (tier.label, tier.is_required, tier.labels) == ("Tier", True, {})
    assert [(o.pk, o.label) for o in tier.options.order_by("sort_order")][:2] == [
        (gold.pk, "Gold"),
        (silver.pk, "Silver 2"),
    ]
    assert [o["label"] for o in response.json()["options"]] == ["Gold", "Silver 2", "Platinum"]


def test_removing_options_in_use_asks_for_confirmation(client, staff, tier, view_a):
    # given
    silver, gold = tier.options.order_by("sort_order")
    holders = [
        make_customer(f"c{n}@example.com", store_view=view_a, custom_attributes={"loyalty_tier": v})
        for n, v in enumerate([silver.pk, silver.pk, gold.pk])
    ]
    payload = {"options": [{"id": gold.pk, "label": "Gold"}]}
    url = "/api/v1/attributes/customer/loyalty_tier"

    # when
    asked = send(client, "patch", url, staff, payload)

    # then
    assert asked.status_code == 409
    assert (asked.json()["code"], asked.json()["params"]) == ("values_would_be_lost", {"count": 2})
    assert tier.options.count() == 2

    # when
    confirmed = send(client, "patch", f"{url}?confirm=true", staff, payload)

    # then
    assert confirmed.status_code == 200
    assert [o.pk for o in tier.options.all()] == [gold.pk]
    assert [Customer.objects.get(pk=c.pk).custom_attributes for c in holders] == [
        {},
        {},
        {"loyalty_tier": gold.pk},
    ]


def test_removing_an_unused_option_needs_no_confirmation(client, staff, tier):
    # given
    silver = tier.options.order_by("sort_order").first()

    # when
    response = send(
        client, "patch", "/api/v1/attributes/customer/loyalty_tier", staff,
        {"options": [{"id": silver.pk, "label": "Silver"}]},
    )  # fmt: skip

    # then
    assert response.status_code == 200
    assert [o.pk for o in tier.options.all()] == [silver.pk]


def test_system_attribute_changes_only_its_segment_flag(client, staff):
    # when
    flagged = send(
        client, "patch", "/api/v1/attributes/customer/dob", staff, {"used_in_segments": True}
    )
    relabelled = send(client, "patch", "/api/v1/attributes/customer/dob", staff, {"label": "Born"})

    # then
    assert (flagged.status_code, flagged.json()["used_in_segments"]) == (200, True)
    assert (relabelled.status_code, relabelled.json()["code"]) == (400, "system_attribute")
    dob = CustomerAttribute.objects.get(entity="customer", code="dob")
    assert (dob.used_in_segments, dob.label) == (True, "Date of Birth")


@pytest.mark.parametrize(
    ("payload", "code", "field"),
    [
        ({"input_type": "text"}, "input_type_fixed", "input_type"),
        ({"is_required": None}, "null", "is_required"),
        ({"options": [{"id": 999_999, "label": "Ghost"}]}, "unknown_option", "options[0].id"),
    ],
    ids=["input_type_case", "null_case", "unknown_option_case"],
)
def test_refused_changes_change_nothing(client, staff, tier, payload, code, field):
    # when
    response = send(client, "patch", "/api/v1/attributes/customer/loyalty_tier", staff, payload)

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    tier.refresh_from_db()
    assert (tier.input_type, tier.is_required, tier.options.count()) == ("select", False, 2)


def test_deleting_an_attribute_with_values_asks_for_confirmation(client, staff, tier, view_a):
    # given
    silver = tier.options.first()
    holder = make_customer(store_view=view_a, custom_attributes={"loyalty_tier": silver.pk})
    url = "/api/v1/attributes/customer/loyalty_tier"

    # when
    asked = send(client, "delete", url, staff)

    # then
    assert asked.status_code == 409
    assert (asked.json()["code"], asked.json()["params"]) == ("values_would_be_lost", {"count": 1})
    assert CustomerAttribute.objects.filter(code="loyalty_tier").exists()

    # when
    confirmed = send(client, "delete", f"{url}?confirm=true", staff)

    # then
    assert (confirmed.status_code, confirmed.json()) == (200, {"values_removed": 1})
    assert not CustomerAttribute.objects.filter(code="loyalty_tier").exists()
    holder.refresh_from_db()
    assert holder.custom_attributes == {}


def test_deleting_an_unused_attribute_needs_no_confirmation(client, staff, internal_note):
    # when
    response = send(client, "delete", "/api/v1/attributes/customer/internal_note", staff)

    # then
    assert (response.status_code, response.json()) == (200, {"values_removed": 0})


def test_system_attribute_cannot_be_deleted(client, staff):
    # when
    response = send(client, "delete", "/api/v1/attributes/address/telephone?confirm=true", staff)

    # then
    assert (response.status_code, response.json()["code"]) == (400, "system_attribute")
    assert CustomerAttribute.objects.filter(entity="address", code="telephone").exists()


def test_changes_are_recorded_in_the_staff_action_log(client, staff, tier, view_a):
    # given
    silver, gold = tier.options.order_by("sort_order")
    make_customer(store_view=view_a, custom_attributes={"loyalty_tier": silver.pk})
    url = "/api/v1/attributes/customer"

    # when
    send(client, "post", url, staff, {"code": "shoe", "label": "Shoe", "input_type": "text"})
    send(client, "patch", f"{url}/loyalty_tier?confirm=true", staff, {
        "label": "Tier", "options": [{"id": gold.pk, "label": "Gold"}],
    })  # fmt: skip
    send(client, "patch", f"{url}/loyalty_tier", staff, {"label": "Tier"})
    send(client, "delete", f"{url}/shoe", staff)

    # then: the unchanged second PATCH records nothing
    entries = StaffAction.objects.filter(action="configuration").order_by("pk")
    assert [(e.actor_kind, e.details["change"], e.details["code"], e.count) for e in entries] == [
        ("integration", "created", "shoe", None),
        ("integration", "changed", "loyalty_tier", 1),
        ("integration", "deleted", "shoe", 0),
    ]
    assert entries[1].details["changed"] == ["label", "options"]
    assert entries[1].details["options_removed"] == [silver.pk]


WRITES = [
    ("post", "/api/v1/attributes/customer", {"code": "shoe", "label": "S", "input_type": "text"},
     "customers.add_customerattribute", 201),
    ("patch", "/api/v1/attributes/customer/internal_note", {"label": "Note"},
     "customers.change_customerattribute", 200),
    ("delete", "/api/v1/attributes/customer/internal_note", None,
     "customers.delete_customerattribute", 200),
]  # fmt: skip


@pytest.mark.parametrize(("method", "url", "payload", "permission", "status"), WRITES)
@pytest.mark.parametrize("caller", ["anonymous", "shopper", "without", "with"])
def test_who_may_change_definitions(
    client, internal_note, shopper, method, url, payload, permission, status, caller
):
    # given
    secret = {"anonymous": None, "shopper": shopper}.get(caller)
    if caller in ("without", "with"):
        granted = [p for p in ATTRIBUTE_PERMISSIONS if p != permission]
        _token, secret = make_integration_token(
            caller, permissions=granted + ([permission] if caller == "with" else [])
        )

    # when
    response = send(client, method, url, secret, payload, store="default")

    # then
    expected = {"anonymous": 401, "shopper": 401, "without": 403, "with": status}[caller]
    assert response.status_code == expected
    if caller != "with":
        assert CustomerAttribute.objects.filter(code="internal_note", label="Internal Note")
        assert not CustomerAttribute.objects.filter(code="shoe").exists()


def test_website_limited_token_cannot_change_definitions(client, website_a, internal_note):
    # given
    _token, secret = make_integration_token(
        "Website A", permissions=ATTRIBUTE_PERMISSIONS, websites=[website_a]
    )

    # when
    response = send(client, "patch", "/api/v1/attributes/customer/internal_note", secret, {
        "label": "Note",
    })  # fmt: skip

    # then
    assert (response.status_code, response.json()["code"]) == (403, "website_scope")
    internal_note.refresh_from_db()
    assert internal_note.label == "Internal Note"


# --- Values in the staff customer and address operations ----------------------------------------


@pytest.fixture
def every_type(db):
    define("nickname")
    define("delivery", "multiline", multiline_count=3)
    define("anniversary", "date")
    define("vip", "boolean")
    define("hobbies", "multiselect", options=[{"label": "Chess"}, {"label": "Go"}])
    define("passport", "file", file_extensions="pdf")
    return attributes.custom_attributes("customer")


def test_staff_read_typed_values_and_files_without_their_path(
    client, staff, customer, tier, every_type, customer_files
):
    # given
    gold = tier.options.get(label="Gold")
    chess, go = CustomerAttribute.objects.get(code="hobbies").options.order_by("sort_order")
    services.update_customer(
        customer=customer, actor=SYSTEM,
        custom_attributes={
            "loyalty_tier": gold.pk, "nickname": "Ada", "delivery": "Gate 4\nBack door",
            "anniversary": "2024-02-29", "vip": "yes", "hobbies": [go.pk, chess.pk],
            "passport": upload("scan.pdf", b"%PDF tiny"),
        },
    )  # fmt: skip

    # when
    response = send(client, "get", f"/api/v1/customers/{customer.pk}", staff)

    # then
    assert response.status_code == 200
    assert response.json()["custom_attributes"] == {
        "loyalty_tier": gold.pk,
        "nickname": "Ada",
        "delivery": ["Gate 4", "Back door"],
        "anniversary": "2024-02-29",
        "vip": True,
        "hobbies": [chess.pk, go.pk],
        "passport": {
            "name": "scan.pdf",
            "size": 9,
            "content_type": "application/pdf",
            "url": f"/admin/customers/customer/{customer.pk}/attribute-file/passport/",
        },
    }


def test_staff_write_values_and_problems_name_the_attribute(
    client, staff, customer, every_type, customer_files
):
    # when
    refused = send(
        client, "patch", f"/api/v1/customers/{customer.pk}", staff,
        {"custom_attributes": {"anniversary": "soon", "vip": "maybe", "nope": 1}},
    )  # fmt: skip
    accepted = send(
        client, "patch", f"/api/v1/customers/{customer.pk}", staff,
        {"custom_attributes": {"anniversary": "2024-02-29", "passport": upload("a.pdf", b"1")}},
    )  # fmt: skip

    # then
    assert refused.status_code == 400
    assert sorted((e["code"], e["field"]) for e in refused.json()["errors"]) == [
        ("invalid_boolean", "custom_attributes.vip"),
        ("invalid_date", "custom_attributes.anniversary"),
        ("unknown_attribute", "custom_attributes.nope"),
    ]
    assert accepted.status_code == 200
    assert accepted.json()["custom_attributes"] == {
        "anniversary": "2024-02-29",
        "passport": {
            "name": "a.pdf",
            "size": 1,
            "content_type": "application/pdf",
            "url": f"/admin/customers/customer/{customer.pk}/attribute-file/passport/",
        },
    }


def test_file_sent_back_as_read_keeps_the_stored_file(
    client, staff, customer, every_type, customer_files
):
    # given
    url = f"/api/v1/customers/{customer.pk}"
    read = send(
        client, "patch", url, staff, {"custom_attributes": {"passport": upload("a.pdf", b"1")}}
    ).json()["custom_attributes"]
    stored = Customer.objects.get(pk=customer.pk).custom_attributes["passport"]

    # when
    response = send(client, "patch", url, staff, {"custom_attributes": {**read, "nickname": "A"}})

    # then
    assert response.status_code == 200
    assert Customer.objects.get(pk=customer.pk).custom_attributes == {
        "passport": stored,
        "nickname": "A",
    }


def test_values_sent_back_as_read_stay_as_stored(client, staff, customer):
    # given: an escaped value, which escaping again would change
    define("motto", input_filter="escapehtml")
    url = f"/api/v1/customers/{customer.pk}"
    read = send(
        client, "patch", url, staff, {"custom_attributes": {"motto": "Fish & Chips"}}
    ).json()["custom_attributes"]

    # when
    response = send(client, "patch", url, staff, {"custom_attributes": read})

    # then
    assert response.json()["custom_attributes"] == {"motto": "Fish &amp; Chips"}
    assert Customer.objects.get(pk=customer.pk).custom_attributes == {"motto": "Fish &amp; Chips"}


def test_file_cannot_be_taken_from_another_path(client, staff, customer, every_type):
    # when
    response = send(
        client, "patch", f"/api/v1/customers/{customer.pk}", staff,
        {"custom_attributes": {"passport": {"path": "customer/passport/other.pdf", "name": "x"}}},
    )  # fmt: skip

    # then
    assert (response.status_code, response.json()["field"]) == (
        400,
        "custom_attributes.passport",
    )


def test_staff_address_values(client, staff, customer):
    # given
    define("gate_code", entity="address", validation="numeric")
    address = make_address(customer, custom_attributes={"gate_code": "4"})
    url = f"/api/v1/customers/{customer.pk}/addresses"

    # when
    refused = send(client, "patch", f"{url}/{address.pk}", staff, {
        "custom_attributes": {"gate_code": "4b"},
    })  # fmt: skip
    listed = send(client, "get", url, staff)

    # then
    assert (refused.status_code, refused.json()["field"]) == (400, "custom_attributes.gate_code")
    assert [a["custom_attributes"] for a in listed.json()] == [{"gate_code": "4"}]


# --- Values in the shopper's own operations -----------------------------------------------------


def test_shopper_sees_only_storefront_values(client, shopper, customer, tier, internal_note):
    # given
    gold = tier.options.get(label="Gold")
    services.update_customer(
        customer=customer, actor=SYSTEM,
        custom_attributes={"loyalty_tier": gold.pk, "internal_note": "late payer"},
    )  # fmt: skip

    # when
    response = send(client, "get", "/api/v1/me", shopper, store="default")

    # then
    assert response.json()["custom_attributes"] == {"loyalty_tier": gold.pk}


def test_shopper_files_link_to_the_account_pages(client, shopper, customer, customer_files):
    # given
    define("avatar", "image")
    define("gate_photo", "image", entity="address")
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    )
    services.update_customer(
        customer=customer, custom_attributes={"avatar": upload("me.png", png)}, actor=SYSTEM
    )
    address = make_address(customer, custom_attributes={"gate_photo": upload("gate.png", png)})

    # when
    me = send(client, "get", "/api/v1/me", shopper, store="default").json()
    addresses = send(client, "get", "/api/v1/me/addresses", shopper, store="default").json()

    # then
    assert me["custom_attributes"]["avatar"] == {
        "name": "me.png",
        "size": len(png),
        "content_type": "image/png",
        "url": "/customer/account/attribute-file/avatar/",
    }
    assert addresses[0]["custom_attributes"]["gate_photo"]["url"] == (
        f"/customer/address/{address.pk}/attribute-file/gate_photo/"
    )


def test_shopper_changes_storefront_values_only(client, shopper, customer, tier, internal_note):
    # given
    gold = tier.options.get(label="Gold")
    url = "/api/v1/me/custom-attributes"

    # when
    hidden = send(
        client, "patch", url, shopper, {"custom_attributes": {"internal_note": "VIP"}}, "default"
    )
    shown = send(
        client, "patch", url, shopper, {"custom_attributes": {"loyalty_tier": gold.pk}}, "default"
    )

    # then
    assert (hidden.status_code, hidden.json()["code"], hidden.json()["field"]) == (
        400,
        "unknown_attribute",
        "custom_attributes.internal_note",
    )
    assert (shown.status_code, shown.json()["custom_attributes"]) == (
        200,
        {"loyalty_tier": gold.pk},
    )
    customer.refresh_from_db()
    assert customer.custom_attributes == {"loyalty_tier": gold.pk}


def test_shopper_changes_follow_the_account_edit_form(client, shopper, customer):
    # given: required on Account Edit, and on registration only
    define("pet_name", is_required=True, forms=[AttributeForm.ACCOUNT_EDIT])
    define("referrer", is_required=True, forms=[AttributeForm.REGISTRATION])
    url = "/api/v1/me/custom-attributes"

    # when
    cleared = send(
        client, "patch", url, shopper, {"custom_attributes": {"pet_name": ""}}, "default"
    )
    other = send(client, "patch", url, shopper, {"custom_attributes": {"referrer": ""}}, "default")

    # then
    assert (cleared.status_code, cleared.json()["field"]) == (400, "custom_attributes.pet_name")
    assert other.status_code == 200


def test_shopper_address_values(client, shopper, customer):
    # given: a storefront attribute required in the address book, and a hidden one
    define("gate_code", entity="address", is_required=True, forms=[AttributeForm.ADDRESS_EDIT])
    define("courier_note", entity="address", show_on_storefront=False)

    # when
    missing = send(client, "post", "/api/v1/me/addresses", shopper, address_data(), "default")
    hidden = send(
        client, "post", "/api/v1/me/addresses", shopper,
        address_data(custom_attributes={"gate_code": "A", "courier_note": "x"}), "default",
    )  # fmt: skip
    added = send(
        client, "post", "/api/v1/me/addresses", shopper,
        address_data(custom_attributes={"gate_code": "A"}), "default",
    )  # fmt: skip

    # then
    assert (missing.status_code, missing.json()["field"]) == (400, "custom_attributes.gate_code")
    assert (hidden.status_code, hidden.json()["field"]) == (400, "custom_attributes.courier_note")
    assert (added.status_code, added.json()["custom_attributes"]) == (201, {"gate_code": "A"})
    address = customer.addresses.get()
    services.update_address(
        address=address, custom_attributes={"courier_note": "back door"}, actor=SYSTEM
    )
    listed = send(client, "get", "/api/v1/me/addresses", shopper, store="default")
    assert [a["custom_attributes"] for a in listed.json()] == [{"gate_code": "A"}]
    patched = send(
        client, "patch", f"/api/v1/me/addresses/{address.pk}", shopper,
        {"custom_attributes": {"gate_code": "B"}}, "default",
    )  # fmt: skip
    assert patched.json()["custom_attributes"] == {"gate_code": "B"}
    address.refresh_from_db()
    assert address.custom_attributes == {"gate_code": "B", "courier_note": "back door"}


# --- Shopper registration (patron/accounts/api.py, not changed here) ----------------------------

REGISTRATION = {
    "email": "grace@example.com",
    "password": "Patron-shopper-1",
    "firstname": "Grace",
    "lastname": "Hopper",
}


def test_registration_asks_only_what_the_registration_form_shows(client, view_a):
    # given
    define("pet_name", is_required=True, forms=[AttributeForm.ACCOUNT_EDIT])

    # when
    response = send(client, "post", "/api/v1/account/register", None, REGISTRATION, "default")

    # then
    assert response.status_code == 201, response.json()


def test_registration_takes_the_registration_form_values(client, view_a):
    # given
    define("referrer", forms=[AttributeForm.REGISTRATION])

    # when
    response = send(
        client, "post", "/api/v1/account/register", None,
        {**REGISTRATION, "custom_attributes": {"referrer": "a friend"}}, "default",
    )  # fmt: skip

    # then
    assert response.status_code == 201
    assert Customer.objects.get(email="grace@example.com").custom_attributes == {
        "referrer": "a friend"
    }
