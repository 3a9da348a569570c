"""Customer and address attributes as segment condition types (spec b §4 "Use in Customer
Segment"): the attributes flagged ``used_in_segments``, system ones included, each with the
operators its input type allows and the values it can be compared with.

This module only offers the attributes; :mod:`patron.segments.conditions` registers the
condition types that use them and compiles them to SQL. File and image attributes are never
offered (spec c §4.2).
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

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
GTE = Operator("gte", _("equals or greater than"))
GT = Operator("gt", _("greater than"))
LTE = Operator("lte", _("equals or less than"))
LT = Operator("lt", _("less than"))

# The kind of value a condition compares, and the operators each kind offers (spec c §4.1).
OPERATORS = {
    "text": (IS, IS_NOT, CONTAINS, DOES_NOT_CONTAIN),
    "number": (IS, IS_NOT, GTE, GT, LTE, LT),
    "date": (IS, GTE, LTE),
    "select": (IS, IS_NOT),
    "multiselect": (IS, IS_NOT, CONTAINS, DOES_NOT_CONTAIN),
    "boolean": (IS, IS_NOT),
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
            .exclude(input_type__in=attributes.FILE_TYPES)
            .prefetch_related("options")
            .order_by("sort_order", "code")
        )
        return [describe(a) for a in flagged]

    def attribute(self, code: str) -> AttributeCondition | None:
        """The offered attribute ``code``, or None when it is not offered."""
        return next((a for a in self.attributes() if a.code == code), None)
