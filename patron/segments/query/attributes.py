"""The forms of attribute conditions: customer and address attributes flagged "Use in Customer
Segment", the fixed attributes of order addresses, and product attributes used for promo rules.
Which attributes exist, and their types, is read from the database (:mod:`.vocabulary`)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patron.segments import conditions as c
from patron.segments import operators as ops
from patron.segments.query.base import DocRow, Form, Ref, code_list, comparison
from patron.segments.query.values import (
    SYMBOLS,
    Bool,
    Date,
    Number,
    Options,
    Text,
    TextList,
    ValueKind,
    show_choice,
)


def attribute_kind(attribute) -> ValueKind:
    """The value kind of a customer or address attribute (an ``AttributeCondition``)."""
    kind = attribute.value_type
    if kind == "number":
        return Number()
    if kind == "date":
        return Date()
    if kind == "text":
        return Text()
    choices = tuple((option.value, option.label) for option in attribute.options)
    return Options(choices, upper=kind == "select" and attribute.code == "country_id")


def fallback_value(value) -> str:
    """A value whose attribute is no longer offered, printed by its type."""
    if isinstance(value, list):
        return TextList().show(value)
    return show_choice(value)


class AttributeForm(Form):
    """``<prefix>.<code> <op> <value>``: the attributes of an entity, offered from the database.
    Inside a container the prefix may be left out (``city contains "Berl"``) and is printed only
    when the code would read as another name of the scope or as a keyword."""

    prefix = ""
    bare = False
    aliases: dict[str, str] = {}
    unknown_message = gettext_lazy('there is no attribute "%(code)s"')

    def offered(self, vocab) -> dict:
        raise NotImplementedError

    def lookup(self, vocab, code: str):
        offered = self.offered(vocab)
        if code in offered:
            return code, offered[code]
        alias = self.aliases.get(code)
        if alias in offered:
            return alias, offered[alias]
        return None, None

    def resolve(self, vocab, scope, parts):
        if len(parts) == 2 and parts[0] == self.prefix:
            code = parts[1]
        elif len(parts) == 1 and self.bare:
            code = parts[0]
        else:
            return None
        code, detail = self.lookup(vocab, code)
        if detail is None:
            return None
        return Ref(self, self.printed_name(code), {"attribute": code}, detail)

    def unknown(self, vocab, scope, parts):
        if len(parts) == 2 and parts[0] == self.prefix:
            return str(self.unknown_message) % {"code": parts[1]}
        return None

    def printed_name(self, code: str) -> str:
        from patron.segments.query.forms import reserved

        if self.bare and code not in reserved(self.scope_of_bare()):
            return code
        return f"{self.prefix}.{code}"

    def scope_of_bare(self) -> str:
        return next(iter(self.scopes))

    def names(self):
        return [f"{self.prefix}.<code>"] + (["<code>"] if self.bare else [])

    def operators_of(self, detail) -> tuple[str, ...]:
        return tuple(operator.code for operator in detail.operators)

    def kind_of(self, detail, operator) -> ValueKind:
        return attribute_kind(detail)

    def parse(self, p, ref, start):
        node = {"type": self.code, "attribute": ref.params["attribute"]}
        p.mark(node, start, attribute=start)
        return comparison(
            p,
            node,
            start,
            ref.name,
            self.operators_of(ref.detail),
            lambda operator: self.kind_of(ref.detail, operator),
        )

    def text(self, node, pr):
        code = node["attribute"]
        # Printed by the attribute's own code, never through an alias.
        detail = self.offered(pr.vocab).get(code)
        name = self.printed_name(code)
        operator = SYMBOLS.get(node["operator"], node["operator"])
        if detail is None:
            return f"{name} {operator} {fallback_value(node['value'])}"
        return f"{name} {operator} {self.kind_of(detail, node['operator']).show(node['value'])}"


class CustomerAttributeForm(AttributeForm):
    code = "customer_attribute"
    condition = c.CustomerAttributeCondition
    prefix = "customer"
    unknown_message = gettext_lazy(
        'there is no customer attribute "%(code)s" used in customer segments'
    )

    def offered(self, vocab):
        return vocab.customer_attributes

    def doc(self):
        return [
            DocRow(
                "`customer.<code> <op> <value>`",
                _("by the attribute's type (see Operators)"),
                _("by the attribute's type (see Values)"),
            )
        ]


class AddressAttributeForm(AttributeForm):
    code = "address_attribute"
    condition = c.AddressAttributeCondition
    prefix = "address"
    bare = True
    aliases = {"country": "country_id"}
    unknown_message = gettext_lazy(
        'there is no address attribute "%(code)s" used in customer segments'
    )

    def offered(self, vocab):
        return vocab.address_attributes

    def doc(self):
        return [
            DocRow(
                "`<code> <op> <value>`, `address.<code> <op> <value>`",
                _("by the attribute's type (see Operators)"),
                _("by the attribute's type (see Values); `country` stands for `country_id`"),
            )
        ]


class OrderAddressAttributeForm(AttributeForm):
    """The fixed attributes of order addresses; Country is a select of country codes."""

    code = "order_address_attribute"
    condition = c.OrderAddressAttributeCondition
    prefix = "order_address"
    bare = True
    aliases = {"country": "country_id"}
    unknown_message = gettext_lazy('there is no order address attribute "%(code)s"')

    def offered(self, vocab):
        return c.ORDER_ADDRESS_ATTRIBUTES

    def printed_name(self, code):
        return code

    def operators_of(self, detail):
        return ops.SELECT if detail[1] == "select" else ops.TEXT

    def kind_of(self, detail, operator):
        if detail[1] == "select":
            return _CountryKind()
        return Text()

    def names(self):
        return list(c.ORDER_ADDRESS_ATTRIBUTES)

    def text(self, node, pr):
        detail = c.ORDER_ADDRESS_ATTRIBUTES.get(node["attribute"])
        operator = SYMBOLS[node["operator"]]
        if detail is None:
            return f"{node['attribute']} {operator} {fallback_value(node['value'])}"
        kind = self.kind_of(detail, node["operator"])
        return f"{node['attribute']} {operator} {kind.show(node['value'])}"

    def doc(self):
        rows = []
        for code, (_label, kind) in c.ORDER_ADDRESS_ATTRIBUTES.items():
            if kind == "select":
                values = _('a country code in double quotes, such as "DE"; `country` stands for '
                           "`country_id`")  # fmt: skip
                rows.append(DocRow(f"`{code} <op> <value>`", code_list(ops.SELECT), values))
            else:
                rows.append(
                    DocRow(f"`{code} <op> <value>`", code_list(ops.TEXT), Text().describe())
                )
        return rows


class _CountryKind(Options):
    """Countries, read from the vocabulary when a query is parsed."""

    def __init__(self) -> None:
        super().__init__((), upper=True)

    def parse(self, p, subject):
        self.choices = tuple(p.vocab.countries)
        return super().parse(p, subject)


class ProductAttributeForm(AttributeForm):
    code = "product_attribute"
    condition = c.ProductAttributeCondition
    prefix = "product"
    bare = True
    unknown_message = gettext_lazy(
        'there is no product attribute "%(code)s" used for promo rule conditions'
    )

    def offered(self, vocab):
        return vocab.product_attributes

    def operators_of(self, detail):
        return c.PRODUCT_OPERATORS[detail[1]]

    def kind_of(self, detail, operator):
        kind = detail[1]
        if operator in ("is_one_of", "is_not_one_of"):
            return TextList()
        if kind == "number":
            return Number()
        if kind == "date":
            return Date()
        if kind == "boolean":
            return Bool()
        return Text()

    def doc(self):
        rows = [
            DocRow(
                f"`{code} <op> <value>`",
                code_list(c.PRODUCT_OPERATORS[kind]),
                _product_values(kind),
            )
            for code, (_label, kind) in c.BUILT_IN_PRODUCT_ATTRIBUTES.items()
        ]
        rows.append(
            DocRow(
                "`<code> <op> <value>`, `product.<code> <op> <value>`",
                _("by the attribute's type (see Operators)"),
                _("by the attribute's type (see Values)"),
            )
        )
        return rows


def _product_values(kind: str) -> str:
    if kind == "category":
        return _("a category code in double quotes, or a list of them after `in` / `not in`")
    return Text().describe()
