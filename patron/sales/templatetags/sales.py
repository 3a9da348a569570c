"""Filters for the commerce facts in templates: amounts in their currency and the reader's
language, order statuses by their labels."""

from django import template
from django.utils.translation import get_language

from patron.core.locales import format_money
from patron.sales.statuses import status_label

register = template.Library()


@register.filter
def money(amount, currency: str) -> str:
    """``{{ order.grand_total|money:order.currency }}``"""
    if amount is None:
        return ""
    return format_money(amount, currency, get_language())


@register.filter
def order_status(code: str) -> str:
    return status_label(code)
