"""The forms of the conditions written with fixed names: flags, amounts, cart figures, address
and order facts, and the date and status filters of order aggregates and product lists."""

from django.utils.translation import gettext as _

from patron.segments import conditions as c
from patron.segments import operators as ops
from patron.segments.query.base import Comparison, DocRow, Flag, Form, code_list
from patron.segments.query.values import SYMBOLS, DateRange, Days, Enum


class DefaultAddressExistsForm(Flag):
    code = "customer_default_address"
    condition = c.DefaultAddressExists
    fields = {
        "has_default_billing_address": {"address": "billing"},
        "has_default_shipping_address": {"address": "shipping"},
    }


class NewsletterForm(Flag):
    code = "newsletter"
    condition = c.NewsletterCondition
    fields = {"newsletter_subscribed": {}}


class HasRegionForm(Flag):
    code = "address_has_region"
    condition = c.AddressHasRegion
    fields = {"has_region": {}}


class StoreCreditForm(Comparison):
    code = "store_credit"
    condition = c.StoreCreditCondition
    fields = {"store_credit": {}}


class CartTotalForm(Comparison):
    code = "cart_total"
    condition = c.CartTotalCondition
    fields = {f"cart.{field}": {"field": field} for field, _label in c.CART_AMOUNTS}


class CartLineItemsForm(Comparison):
    code = "cart_line_items"
    condition = c.CartLineItemsCondition
    fields = {"cart.line_items": {}}


class CartQtyForm(Comparison):
    code = "cart_qty"
    condition = c.CartQtyCondition
    fields = {"cart.qty": {}}


class DefaultAddressForm(Comparison):
    code = "default_address"
    condition = c.DefaultAddressCondition
    fields = {"default": {}}
    operators = ops.SELECT
    kind = Enum(c.ADDRESS_KINDS)


class OrderAddressTypeForm(Comparison):
    code = "order_address_type"
    condition = c.OrderAddressTypeCondition
    fields = {"type": {}}
    operators = ops.SELECT
    kind = Enum(c.ADDRESS_KINDS)


class OrderStatusForm(Comparison):
    """``status: complete`` (is) or ``status != canceled`` (is not); ``status = complete`` is
    read too."""

    code = "order_status"
    condition = c.OrderStatusCondition
    fields = {"status": {}}
    operators = ops.SELECT
    qualifiers = {"status": "is"}

    def value_kind(self, vocab):
        return Enum(vocab.statuses)

    def parse_qualifier(self, p, key, start):
        node = {"type": self.code, "operator": "is"}
        value_at = p.tok
        node["value"] = self.value_kind(p.vocab).parse(p, f"{key}:")
        p.mark(node, start, operator=start, value=value_at)
        return node

    def text(self, node, pr):
        value = self.value_kind(pr.vocab).show(node["value"])
        if node["operator"] == "is":
            return f"status: {value}"
        return f"status {SYMBOLS[node['operator']]} {value}"

    def doc(self):
        values = _("`any` or the code of an order status of the setting sales/order_statuses/list")
        return [
            DocRow("`status: <status>`", _("(is)"), values),
            DocRow("`status != <status>`", "`!=`", values),
        ]


class UpToDateForm(Comparison):
    """The age of the order or item in days: ``within: 90d`` (at most 90 days old), ``older:
    30d`` (more than 30 days old), ``age >= 7d`` and the other comparisons."""

    code = "up_to_date"
    condition = c.UpToDateCondition
    fields = {"age": {}}
    kind = Days()
    qualifiers = {"within": "lte", "older": "gt"}

    def parse_qualifier(self, p, key, start):
        node = {"type": self.code, "operator": self.qualifiers[key]}
        value_at = p.tok
        node["value"] = self.kind.parse(p, f"{key}:")
        p.mark(node, start, operator=start, value=value_at)
        return node

    def text(self, node, pr):
        value = self.kind.show(node["value"])
        for key, operator in self.qualifiers.items():
            if node["operator"] == operator:
                return f"{key}: {value}"
        return f"age {SYMBOLS[node['operator']]} {value}"

    def doc(self):
        days = self.kind.describe()
        return [
            DocRow("`within: <days>`", _("(age `<=`)"), days),
            DocRow("`older: <days>`", _("(age `>`)"), days),
            DocRow("`age <op> <days>`", code_list(ops.NUMBER), days),
        ]


class DateRangeForm(Form):
    """``between: 2024-01-01..2024-03-31`` and ``not between: ...``."""

    code = "date_range"
    condition = c.DateRangeCondition
    qualifiers = {"between": "is", "not between": "is_not"}
    kind = DateRange()

    def names(self):
        return ["between:", "not between:"]

    def parse_qualifier(self, p, key, start):
        node = {"type": self.code, "operator": self.qualifiers[key]}
        value_at = p.tok
        node["value"] = self.kind.parse(p, f"{key}:")
        p.mark(node, start, operator=start, value=value_at)
        return node

    def text(self, node, pr):
        key = "between" if node["operator"] == "is" else "not between"
        return f"{key}: {self.kind.show(node['value'])}"

    def doc(self):
        values = self.kind.describe()
        return [
            DocRow("`between: <first>..<last>`", _("(is)"), values),
            DocRow("`not between: <first>..<last>`", _("(is not)"), values),
        ]
