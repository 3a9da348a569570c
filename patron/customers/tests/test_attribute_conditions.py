"""Customer and address attributes offered to the segments engine (spec b §4, check 20)."""

import pytest

from patron.core.actors import SYSTEM
from patron.core.registries import condition_types
from patron.customers import attributes
from patron.customers.attribute_conditions import AttributeConditions, ValueOption
from patron.customers.models import CustomerAttribute, CustomerGroup, Gender


def define(code: str, input_type: str = "text", *, entity: str = "customer", **props):
    props.setdefault("label", code.replace("_", " ").title())
    return attributes.create_attribute(
        entity=entity, code=code, input_type=input_type, actor=SYSTEM, **props
    )


def offered(entity: str = "customer") -> dict:
    return {a.code: a for a in AttributeConditions(entity).attributes()}


def operator_codes(condition) -> list[str]:
    return [o.code for o in condition.operators]


def test_both_condition_types_are_registered_for_segments():
    # when
    registered = {c.code: c for c in condition_types if c.engine == "segment"}

    # then
    assert {"customer_attribute", "address_attribute"} <= set(registered)
    assert registered["customer_attribute"].applies_to == frozenset({"registered"})
    assert registered["address_attribute"].implementation.entity == "address"


def test_attribute_not_used_in_segments_is_not_offered(db):
    # given: check 20
    define("loyalty_id", used_in_segments=False)
    define("shoe_size", used_in_segments=True)

    # when
    codes = set(offered())

    # then
    assert "shoe_size" in codes
    assert "loyalty_id" not in codes


def test_turning_the_flag_off_withdraws_the_attribute_at_once(db):
    # given
    shoe = define("shoe_size", used_in_segments=True)

    # when
    attributes.update_attribute(attribute=shoe, used_in_segments=False, actor=SYSTEM)

    # then
    assert "shoe_size" not in offered()


def test_the_guides_system_attributes_are_offered_by_default(db):
    # given: a fresh installation (spec c §4.2 "Default flagged attributes")

    # when
    customer = sorted(code for code, c in offered().items() if c.is_system)
    address = sorted(code for code, c in offered("address").items() if c.is_system)

    # then
    assert customer == ["created_at", "dob", "email", "firstname", "gender", "group_id",
                        "lastname"]  # fmt: skip
    assert address == ["city", "company", "country_id", "firstname", "lastname", "postcode",
                       "region", "street", "telephone"]  # fmt: skip


def test_only_flagged_system_attributes_are_offered(db):
    # given
    dob = CustomerAttribute.objects.get(entity="customer", code="dob")
    attributes.update_attribute(attribute=dob, used_in_segments=False, actor=SYSTEM)

    # when
    conditions = offered()

    # then
    assert "dob" not in conditions
    assert (conditions["created_at"].value_type, operator_codes(conditions["created_at"])) == (
        "date",
        ["is", "gte", "lte"],
    )


@pytest.mark.parametrize(
    ("input_type", "props", "value_type", "operators"),
    [
        ("text", {}, "text", ["is", "is_not", "contains", "does_not_contain"]),
        ("textarea", {}, "text", ["is", "is_not", "contains", "does_not_contain"]),
        ("multiline", {"multiline_count": 2}, "text", ["is", "is_not", "contains",
                                                   "does_not_contain"]),
        ("text", {"validation": "numeric"}, "number", ["is", "is_not", "gte", "gt", "lte", "lt"]),
        ("date", {}, "date", ["is", "gte", "lte"]),
        ("boolean", {}, "boolean", ["is", "is_not"]),
        ("select", {"options": [{"label": "S"}]}, "select", ["is", "is_not"]),
        ("multiselect", {"options": [{"label": "S"}]}, "multiselect",
         ["is", "is_not", "contains", "does_not_contain"]),
    ],
    ids=["text", "textarea", "multiline", "numeric", "date", "boolean", "select", "multiselect"],
)  # fmt: skip
def test_operators_follow_the_input_type(db, input_type, props, value_type, operators):
    # given
    define("probe", input_type, used_in_segments=True, **props)

    # when
    condition = offered()["probe"]

    # then
    assert (condition.input_type, condition.value_type, operator_codes(condition)) == (
        input_type,
        value_type,
        operators,
    )


def test_choices_offer_their_values(db):
    # given
    tier = define(
        "tier", "select", used_in_segments=True, options=[{"label": "Silver"}, {"label": "Gold"}]
    )
    define("vip", "boolean", used_in_segments=True)
    # when
    conditions = offered()

    # then
    assert conditions["tier"].options == tuple(
        ValueOption(o.pk, o.label) for o in tier.options.all()
    )
    assert conditions["vip"].options == (ValueOption(True, "Yes"), ValueOption(False, "No"))
    assert conditions["gender"].options == tuple(
        ValueOption(value, str(label)) for value, label in Gender.choices
    )
    assert [o.value for o in conditions["group_id"].options] == list(
        CustomerGroup.objects.order_by("pk").values_list("pk", flat=True)
    )
    assert conditions["tier"].label == "Tier"


def test_address_attributes_are_offered_apart(db):
    # given
    define("gate_code", entity="address", used_in_segments=True)
    define("shoe_size", used_in_segments=True)

    # when
    conditions = offered("address")

    # then
    assert "gate_code" in conditions and "shoe_size" not in conditions
    assert ValueOption("FR", "France") in conditions["country_id"].options


def test_file_attributes_are_never_offered(db):
    # given: spec c §4.2 "Attributes of input type file or image are never offered"
    define("passport", "file", used_in_segments=True)
    define("portrait", "image", used_in_segments=True)

    # when
    codes = set(offered())

    # then
    assert not {"passport", "portrait"} & codes
