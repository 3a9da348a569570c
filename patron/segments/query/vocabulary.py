"""What an installation lets a query name: the attributes flagged for segments, the product
attributes flagged for promo rules, the order statuses and the countries. Read through the
condition classes themselves (what their builder offers), once per parse or print."""

from functools import cached_property
from typing import Any

from patron.segments.conditions import segment_condition


class Vocabulary:
    """The names and values of one installation, loaded on first use."""

    @cached_property
    def customer_attributes(self) -> dict[str, Any]:
        """code -> ``patron.customers.attribute_conditions.AttributeCondition``"""
        return segment_condition("customer_attribute").offered()

    @cached_property
    def address_attributes(self) -> dict[str, Any]:
        return segment_condition("address_attribute").offered()

    @cached_property
    def product_attributes(self) -> dict[str, tuple[Any, str, tuple]]:
        """code -> (label, kind, choices)"""
        return segment_condition("product_attribute").offered()

    @cached_property
    def statuses(self) -> tuple[tuple[str, Any], ...]:
        """The Order Status values: ``any`` and every configured status, with labels."""
        return _value_choices("order_status", {})

    @cached_property
    def countries(self) -> tuple[tuple[str, Any], ...]:
        """The countries an order address can be compared with (ISO 3166-1 alpha-2)."""
        return _value_choices("order_address_attribute", {"attribute": "country_id"})


def _value_choices(code: str, params: dict) -> tuple:
    fields = segment_condition(code).fields(apply_to="both", params=params)
    return next(field.choices for field in fields if field.name == "value")
