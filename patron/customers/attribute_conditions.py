"""Customer and address attributes as segment condition types (spec b §4 "Use in Customer
Segment"): the attributes flagged ``used_in_segments``, system ones included, each with the
operators its input type allows and the values it can be compared with.

This module only offers the attributes; the segments engine (issue 9) chooses the parameter
shape of a condition and compiles it to SQL. Until then :meth:`AttributeConditions.compile`
raises ``NotImplementedError``.
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from patron.core.registries import ConditionType, condition_types
from patron.customers import attributes
from patron.customers.models import AttributeEntity, CustomerAttribute, InputType, InputValidation


@dataclass(frozen=True)
class Operator:
    """How a condition compares an attribute's value; ``arity`` is how many values it takes
    (0: none, 1: one, 2: a range, None: a list)."""

    code: str
    label: Any
    arity: int | None = 1


IS = Operator("is", _("is"))
IS_NOT = Operator("is_not", _("is not"))
CONTAINS = Operator("contains", _("contains"))
DOES_NOT_CONTAIN = Operator("does_not_contain", _("does not contain"))
EQUALS = Operator("equals", _("equals"))
LESS_THAN = Operator("less_than", _("is less than"))
GREATER_THAN = Operator("greater_than", _("is greater than"))
BEFORE = Operator("before", _("is before"))
AFTER = Operator("after", _("is after"))
BETWEEN = Operator("between", _("is between"), arity=2)
IS_ONE_OF = Operator("is_one_of", _("is one of"), arity=None)
IS_NOT_ONE_OF = Operator("is_not_one_of", _("is not one of"), arity=None)
IS_SET = Operator("is_set", _("is present"), arity=0)
IS_NOT_SET = Operator("is_not_set", _("is empty"), arity=0)

# The kind of value a condition compares, and the operators each kind offers.
OPERATORS = {
    "text": (IS, IS_NOT, CONTAINS, DOES_NOT_CONTAIN),
    "number": (EQUALS, LESS_THAN, GREATER_THAN, BETWEEN),
    "date": (EQUALS, BEFORE, AFTER, BETWEEN),
    "select": (IS, IS_NOT, IS_ONE_OF),
    "multiselect": (CONTAINS, DOES_NOT_CONTAIN, IS_ONE_OF, IS_NOT_ONE_OF),
    "boolean": (IS,),
    "file": (IS_SET, IS_NOT_SET),
}


@dataclass(frozen=True)
class ValueOption:
    """A value a condition can pick (an option id, a group id, True/False, ...)."""

    value: Any
    label: str


@dataclass(frozen=True)
class AttributeCondition:
    """One attribute offered to the segment condition editor."""

    code: str
    label: str
    input_type: str
    value_type: str
    operators: tuple[Operator, ...]
    options: tuple[ValueOption, ...]
    is_system: bool


def value_type(attribute: CustomerAttribute) -> str:
    """The kind of value an attribute holds, as conditions compare it."""
    if attribute.input_type == InputType.TEXT and attribute.validation == InputValidation.NUMERIC:
        return "number"
    if attribute.input_type in attributes.TEXT_TYPES:
        return "text"
    if attribute.input_type in attributes.FILE_TYPES:
        return "file"
    return str(attribute.input_type)


def _system_options(attribute: CustomerAttribute) -> tuple[ValueOption, ...]:
    """The values of the system attributes that are lists in the model (group, website, ...)."""
    from patron.customers.models import CustomerGroup, Gender
    from patron.scopes.models import StoreView, Website

    code = attribute.code
    if attribute.entity == AttributeEntity.ADDRESS and code == "country_id":
        import pycountry

        countries = sorted(pycountry.countries, key=lambda c: c.name)
        return tuple(ValueOption(c.alpha_2, c.name) for c in countries)
    if code == "group_id":
        rows = CustomerGroup.objects.order_by("pk").values_list("pk", "code")
    elif code == "website_id":
        rows = Website.objects.order_by("sort_order", "pk").values_list("pk", "name")
    elif code == "created_in":
        rows = StoreView.objects.order_by("sort_order", "pk").values_list("pk", "name")
    elif code == "gender":
        rows = Gender.choices
    else:
        return ()
    return tuple(ValueOption(value, str(label)) for value, label in rows)


def _options(attribute: CustomerAttribute, kind: str) -> tuple[ValueOption, ...]:
    if kind == "boolean":
        return (ValueOption(True, str(_("Yes"))), ValueOption(False, str(_("No"))))
    if kind not in ("select", "multiselect"):
        return ()
    if attribute.is_system:
        return _system_options(attribute)
    return tuple(ValueOption(o.pk, o.label) for o in attribute.options.all())


def describe(attribute: CustomerAttribute) -> AttributeCondition:
    """The condition the segments engine offers for ``attribute``."""
    kind = value_type(attribute)
    return AttributeCondition(
        code=attribute.code,
        label=attributes.attribute_label(attribute),
        input_type=attribute.input_type,
        value_type=kind,
        operators=OPERATORS[kind],
        options=_options(attribute, kind),
        is_system=attribute.is_system,
    )


class AttributeConditions:
    """The condition type of one entity's attributes: "Customer attribute" or "Address
    attribute" (an address condition looks at the customer's addresses)."""

    def __init__(self, entity: str) -> None:
        self.entity = entity

    def attributes(self) -> list[AttributeCondition]:
        """The attributes flagged "Use in Customer Segment", in sort order, read now (a change
        of the flag shows at once)."""
        flagged = (
            CustomerAttribute.objects.filter(entity=self.entity, used_in_segments=True)
            .prefetch_related("options")
            .order_by("sort_order", "code")
        )
        return [describe(a) for a in flagged]

    def attribute(self, code: str) -> AttributeCondition | None:
        """The offered attribute ``code``, or None when it is not offered."""
        return next((a for a in self.attributes() if a.code == code), None)

    def compile(self, params: dict[str, Any]):
        """Not yet: compiling a condition to SQL belongs to the segments engine (issue 9)."""
        raise NotImplementedError("Attribute conditions are compiled by the segments engine.")


def register_condition_types() -> None:
    """Offer customer and address attributes to the segments engine (from ``ready()``)."""
    condition_types.register(
        ConditionType(
            code="customer_attribute",
            label=_("Customer attribute"),
            order=100,
            engine="segment",
            implementation=AttributeConditions(AttributeEntity.CUSTOMER),
            applies_to=frozenset({"registered"}),
        )
    )
    condition_types.register(
        ConditionType(
            code="address_attribute",
            label=_("Address attribute"),
            order=110,
            engine="segment",
            implementation=AttributeConditions(AttributeEntity.ADDRESS),
            applies_to=frozenset({"registered"}),
        )
    )
