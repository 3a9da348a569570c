"""Product attributes: ``save_product_attribute`` and PUT /api/v1/product-attributes/{code},
GET /api/v1/product-attributes, and ``save_product`` accepting only values of defined
attributes that fit their type."""

import json
from decimal import Decimal

import pytest

from patron.core.actors import SYSTEM
from patron.core.errors import InvalidInput
from patron.sales import services
from patron.sales.models import Product, ProductAttribute
from patron.testing.fixtures import bearer, make_integration_token

ATTRIBUTE_PERMISSIONS = ["sales.add_productattribute", "sales.view_productattribute"]


@pytest.fixture
def secret(db):
    _token, plain = make_integration_token(
        "Catalogue", permissions=[*ATTRIBUTE_PERMISSIONS, "sales.add_product"]
    )
    return plain


@pytest.fixture
def attributes(db):
    """One attribute of each type."""
    for code, kind, options in (
        ("material", "text", ()),
        ("capacity_ml", "number", ()),
        ("dishwasher_safe", "boolean", ()),
        ("size", "select", ("S", "M", "L")),
        ("colors", "multiselect", ("red", "blue", "white")),
        ("launched_on", "date", ()),
    ):
        define(code, kind, options=options)


def define(code, kind="text", *, label=None, options=(), **fields):
    return services.save_product_attribute(
        code=code, label=label or code.title(), type=kind, options=options, actor=SYSTEM, **fields
    )


def save_mug(attributes, **fields):
    return services.save_product(
        sku="MUG", name="Mug", price=Decimal("8.50"), attributes=attributes, actor=SYSTEM, **fields
    )


def put_attribute(client, code, data, secret):
    headers = bearer(secret) if secret else {}
    return client.put(
        f"/api/v1/product-attributes/{code}",
        data=json.dumps(data),
        content_type="application/json",
        **headers,
    )


def get_attributes(client, secret, query=""):
    headers = bearer(secret) if secret else {}
    return client.get(f"/api/v1/product-attributes{query}", **headers)


def attribute_row(code):
    attribute = ProductAttribute.objects.get(code=code)
    return (attribute.label, attribute.type, attribute.options, attribute.use_for_promo_rules)


# --- Defining attributes ------------------------------------------------------------------------


def test_an_attribute_is_defined_by_code_with_stripped_options(db):
    # when
    attribute = define(
        "size", "select", label=" Size ", options=[" S", "M ", "L"], use_for_promo_rules=True
    )

    # then
    assert attribute.pk == ProductAttribute.objects.get().pk
    assert attribute_row("size") == ("Size", "select", ["S", "M", "L"], True)


def test_defining_the_same_code_again_changes_the_attribute(db):
    # given
    define("size", "select", options=["S", "M"])

    # when
    define("size", "select", label="Cup size", options=["S", "M", "XL"])

    # then
    assert ProductAttribute.objects.count() == 1
    assert attribute_row("size") == ("Cup size", "select", ["S", "M", "XL"], False)


def test_options_of_a_type_without_choices_are_dropped(db):
    # when
    define("material", "text", options=["clay"])

    # then
    assert attribute_row("material") == ("Material", "text", [], False)


@pytest.mark.parametrize(
    "code",
    ["Color", "1size", "shoe-size", "_size", "size ml", "", "a" * 61],
    ids=[
        "upper_case_case",
        "starts_with_digit_case",
        "dash_case",
        "starts_with_underscore_case",
        "space_case",
        "empty_case",
        "too_long_case",
    ],
)
def test_a_code_breaking_the_rules_is_refused(db, code):
    # when
    with pytest.raises(InvalidInput) as error:
        define(code, label="Label")

    # then
    assert (error.value.code, error.value.field) == ("invalid_code", "code")
    assert not ProductAttribute.objects.exists()


@pytest.mark.parametrize("code", ["a", "size_2", "a" * 60], ids=["one", "digits", "sixty"])
def test_a_code_within_the_rules_is_accepted(db, code):
    # when
    define(code)

    # then
    assert list(ProductAttribute.objects.values_list("code", flat=True)) == [code]


def test_an_unknown_type_is_refused(db):
    # when
    with pytest.raises(InvalidInput) as error:
        define("size", "color")

    # then
    assert (error.value.code, error.value.field) == ("invalid_type", "type")
    assert not ProductAttribute.objects.exists()


@pytest.mark.parametrize("kind", ["select", "multiselect"])
def test_a_choice_attribute_without_options_is_refused(db, kind):
    # when
    with pytest.raises(InvalidInput) as error:
        define("size", kind, options=[])

    # then
    assert (error.value.code, error.value.field) == ("required", "options")
    assert not ProductAttribute.objects.exists()


def test_options_that_are_the_same_once_stripped_are_refused(db):
    # when
    with pytest.raises(InvalidInput) as error:
        define("size", "select", options=["S", "S "])

    # then
    assert (error.value.code, error.value.field) == ("duplicate", "options")


def test_every_problem_of_a_definition_is_reported_together(db):
    # when
    with pytest.raises(InvalidInput) as error:
        define("Size", "color")

    # then
    assert error.value.code == "invalid"
    assert sorted((p.code, p.field) for p in error.value.problems) == [
        ("invalid_code", "code"),
        ("invalid_type", "type"),
    ]


def test_a_label_of_spaces_is_refused(db):
    # when
    with pytest.raises(InvalidInput) as error:
        define("size", label="   ")

    # then
    assert error.value.field == "label"
    assert not ProductAttribute.objects.exists()


# --- Changing an attribute that products use ----------------------------------------------------


def test_the_type_cannot_change_while_products_hold_values(attributes):
    # given
    save_mug({"material": "clay"})

    # when
    with pytest.raises(InvalidInput) as error:
        define("material", "select", options=["clay", "glass"])

    # then
    assert (error.value.code, error.value.field) == ("attribute_in_use", "type")
    assert attribute_row("material") == ("Material", "text", [], False)


def test_the_type_can_change_while_no_product_holds_a_value(attributes):
    # given: a product with a value of another attribute only
    save_mug({"capacity_ml": 300})

    # when
    define("material", "select", options=["clay", "glass"])

    # then
    assert attribute_row("material") == ("Material", "select", ["clay", "glass"], False)


@pytest.mark.parametrize(
    ("code", "value"),
    [("size", "M"), ("colors", ["red", "blue"])],
    ids=["select_case", "multiselect_case"],
)
def test_an_option_in_use_cannot_be_removed(attributes, code, value):
    # given
    options_before = ProductAttribute.objects.get(code=code).options
    save_mug({code: value})
    used = value if isinstance(value, str) else value[1]
    kind = ProductAttribute.objects.get(code=code).type

    # when
    with pytest.raises(InvalidInput) as error:
        define(code, kind, options=[o for o in options_before if o != used])

    # then
    assert (error.value.code, error.value.field) == ("option_in_use", "options")
    assert used in str(error.value.message)
    assert ProductAttribute.objects.get(code=code).options == options_before


def test_every_option_in_use_is_named(attributes):
    # given
    save_mug({"colors": ["red", "blue"]})

    # when
    with pytest.raises(InvalidInput) as error:
        define("colors", "multiselect", options=["white"])

    # then
    assert error.value.code == "invalid"
    assert [(p.code, p.params, p.message) for p in error.value.problems] == [
        ("option_in_use", {}, "Option blue is used by products and cannot be removed."),
        ("option_in_use", {}, "Option red is used by products and cannot be removed."),
    ]


def test_an_unused_option_can_be_removed_and_options_added(attributes):
    # given
    save_mug({"size": "M"})

    # when
    define("size", "select", options=["M", "L", "XL"])

    # then
    assert ProductAttribute.objects.get(code="size").options == ["M", "L", "XL"]


def test_an_option_of_digits_in_use_cannot_be_removed(db):
    # given: shoe sizes, stored as the strings the shop defined
    define("shoe_size", "select", options=["38", "40"])
    save_mug({"shoe_size": "40"})

    # when
    with pytest.raises(InvalidInput) as error:
        define("shoe_size", "select", options=["38"])

    # then
    assert error.value.code == "option_in_use"
    assert ProductAttribute.objects.get(code="shoe_size").options == ["38", "40"]


# --- Product values -----------------------------------------------------------------------------


def test_a_value_of_an_undefined_attribute_is_refused_and_nothing_is_written(attributes):
    # when
    with pytest.raises(InvalidInput) as error:
        save_mug({"glaze": "matte"})

    # then
    assert (error.value.code, error.value.field) == ("unknown_attribute", "attributes.glaze")
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    ("code", "value"),
    [
        ("material", "clay"),
        ("material", ""),
        ("capacity_ml", 300),
        ("capacity_ml", 0.25),
        ("dishwasher_safe", True),
        ("dishwasher_safe", False),
        ("size", "M"),
        ("colors", ["red", "white"]),
        ("colors", []),
        ("launched_on", "2025-01-31"),
    ],
)
def test_a_value_that_fits_its_type_is_stored(attributes, code, value):
    # when
    save_mug({code: value})

    # then
    assert Product.objects.get(sku="MUG").attributes == {code: value}


@pytest.mark.parametrize(
    ("code", "value"),
    [
        ("material", 42),
        ("material", ["clay"]),
        ("capacity_ml", "300"),
        ("capacity_ml", True),
        ("dishwasher_safe", "yes"),
        ("dishwasher_safe", 1),
        ("size", "XL"),
        ("size", "m"),
        ("size", ["M"]),
        ("colors", "red"),
        ("colors", ["red", "pink"]),
        ("launched_on", "2025-02-30"),
        ("launched_on", "next week"),
        ("launched_on", 20250131),
    ],
)
def test_a_value_of_the_wrong_type_is_refused_naming_the_attribute(attributes, code, value):
    # when
    with pytest.raises(InvalidInput) as error:
        save_mug({code: value})

    # then
    assert (error.value.code, error.value.field) == (
        "invalid_attribute_value",
        f"attributes.{code}",
    )
    assert not Product.objects.exists()


def test_the_message_names_the_value_label_and_type(attributes):
    # when
    with pytest.raises(InvalidInput) as error:
        save_mug({"size": "XL"})

    # then
    assert str(error.value.message) == "XL is not a valid value of Size (Dropdown)."


def test_every_attribute_problem_is_reported_together(attributes):
    # when
    with pytest.raises(InvalidInput) as error:
        save_mug({"glaze": "matte", "size": "XL", "material": "clay"})

    # then
    assert error.value.code == "invalid"
    assert sorted((p.code, p.field) for p in error.value.problems) == [
        ("invalid_attribute_value", "attributes.size"),
        ("unknown_attribute", "attributes.glaze"),
    ]


def test_a_refused_value_leaves_the_product_as_it_was(attributes):
    # given
    save_mug({"size": "M"})

    # when
    with pytest.raises(InvalidInput):
        services.save_product(
            sku="MUG", name="Renamed", price=Decimal(1), attributes={"size": "XL"}, actor=SYSTEM
        )

    # then
    product = Product.objects.get()
    assert (product.name, product.price, product.attributes) == (
        "Mug",
        Decimal("8.50"),
        {"size": "M"},
    )


@pytest.mark.parametrize("value", [float("nan"), float("inf")], ids=["nan", "infinity"])
def test_a_number_that_is_not_finite_is_refused(attributes, value):
    # when
    with pytest.raises(InvalidInput) as error:
        save_mug({"capacity_ml": value})

    # then
    assert error.value.code == "invalid_attribute_value"
    assert not Product.objects.exists()


# --- API ----------------------------------------------------------------------------------------


def test_put_defines_an_attribute_and_answers_it(client, secret):
    # when
    response = put_attribute(
        client,
        "colors",
        {"label": "Colors", "type": "multiselect", "options": ["red", "blue"]},
        secret,
    )

    # then
    assert response.status_code == 200
    assert response.json() == {
        "code": "colors",
        "label": "Colors",
        "type": "multiselect",
        "options": ["red", "blue"],
        "use_for_promo_rules": False,
    }
    assert attribute_row("colors") == ("Colors", "multiselect", ["red", "blue"], False)


def test_put_with_a_bad_code_answers_the_problem(client, secret):
    # when
    response = put_attribute(client, "Shoe-Size", {"label": "Shoe size"}, secret)

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("invalid_code", "code")
    assert not ProductAttribute.objects.exists()


def test_put_changing_the_type_of_a_used_attribute_answers_the_problem(client, secret, attributes):
    # given
    save_mug({"capacity_ml": 300})

    # when
    response = put_attribute(client, "capacity_ml", {"label": "Capacity", "type": "text"}, secret)

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("attribute_in_use", "type")
    assert attribute_row("capacity_ml") == ("Capacity_Ml", "number", [], False)


@pytest.mark.parametrize(
    ("data", "field"),
    [({"label": ""}, "label"), ({}, "label"), ({"label": "Size", "options": "S,M"}, "options")],
    ids=["label_empty_case", "label_missing_case", "options_not_a_list_case"],
)
def test_put_refuses_a_payload_the_schema_refuses(client, secret, data, field):
    # when
    response = put_attribute(client, "size", data, secret)

    # then
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not ProductAttribute.objects.exists()


def test_get_lists_every_attribute_by_code(client, secret, attributes):
    # when
    response = get_attributes(client, secret)

    # then
    assert response.status_code == 200
    assert [a["code"] for a in response.json()] == [
        "capacity_ml",
        "colors",
        "dishwasher_safe",
        "launched_on",
        "material",
        "size",
    ]
    assert response.json()[5] == {
        "code": "size",
        "label": "Size",
        "type": "select",
        "options": ["S", "M", "L"],
        "use_for_promo_rules": False,
    }


@pytest.mark.parametrize(
    ("query", "codes"),
    [("?promo_rules=true", ["colors", "size"]), ("?promo_rules=false", ["material"])],
    ids=["flagged_case", "not_flagged_case"],
)
def test_get_filters_by_the_promo_rules_flag(client, secret, query, codes):
    # given
    define("size", "select", options=["S"], use_for_promo_rules=True)
    define("colors", "multiselect", options=["red"], use_for_promo_rules=True)
    define("material")

    # when
    response = get_attributes(client, secret, query)

    # then
    assert response.status_code == 200
    assert [a["code"] for a in response.json()] == codes


def test_put_product_with_a_value_of_the_wrong_type_answers_the_field(client, secret, attributes):
    # when
    response = client.put(
        "/api/v1/products/MUG",
        data=json.dumps({"name": "Mug", "price": "8.50", "attributes": {"capacity_ml": "300"}}),
        content_type="application/json",
        **bearer(secret),
    )

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (
        "invalid_attribute_value",
        "attributes.capacity_ml",
    )
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    "granted",
    [[], ["sales.view_productattribute"], ["sales.add_product"]],
    ids=["nothing", "view_only", "add_product"],
)
def test_defining_an_attribute_needs_the_add_productattribute_permission(client, db, granted):
    # given
    _token, plain = make_integration_token("Other", permissions=granted)

    # when
    response = put_attribute(client, "size", {"label": "Size"}, plain)

    # then
    assert response.status_code == 403
    assert response.json()["params"] == {"permission": "sales.add_productattribute"}
    assert not ProductAttribute.objects.exists()


@pytest.mark.parametrize(
    "granted", [[], ["sales.add_productattribute"]], ids=["nothing", "add_only"]
)
def test_listing_attributes_needs_the_view_productattribute_permission(client, attributes, granted):
    # given
    _token, plain = make_integration_token("Other", permissions=granted)

    # when
    response = get_attributes(client, plain)

    # then
    assert response.status_code == 403
    assert response.json()["params"] == {"permission": "sales.view_productattribute"}


def test_an_anonymous_caller_is_not_authenticated(client, db):
    # when
    put = put_attribute(client, "size", {"label": "Size"}, None)
    get = get_attributes(client, None)

    # then
    assert (put.status_code, get.status_code) == (401, 401)
    assert not ProductAttribute.objects.exists()
