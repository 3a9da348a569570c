"""The forms of the conditions with children: Customer Address, Order Address, Product List,
Product History and the three order aggregates, written as functions."""

from patron.segments import conditions as c
from patron.segments import operators as ops
from patron.segments.query.base import Container, DocRow, code_list, comparison
from patron.segments.query.values import SYMBOLS, Number


class CustomerAddressForm(Container):
    code = "customer_address"
    condition = c.CustomerAddressCondition
    fields = {"address.any": {}}


class OrderAddressForm(Container):
    code = "order_address"
    condition = c.OrderAddressCondition
    fields = {"order_address.any": {}}


class ProductListForm(Container):
    code = "product_list"
    condition = c.ProductListCondition
    fields = {
        "products.in_cart": {"operator": "found", "source": "cart"},
        "products.not_in_cart": {"operator": "not_found", "source": "cart"},
        "products.in_wishlist": {"operator": "found", "source": "wishlist"},
        "products.not_in_wishlist": {"operator": "not_found", "source": "wishlist"},
    }


class ProductHistoryForm(Container):
    code = "product_history"
    condition = c.ProductHistoryCondition
    fields = {
        "products.viewed": {"operator": "was", "source": "viewed"},
        "products.not_viewed": {"operator": "was_not", "source": "viewed"},
        "products.ordered": {"operator": "was", "source": "ordered"},
        "products.not_ordered": {"operator": "was_not", "source": "ordered"},
    }


class AggregateForm(Container):
    """``<name>(<order conditions>) <op> <number>``: Total or Average of an order aggregate."""

    def parse(self, p, ref, start):
        node = {"type": self.code, **ref.params}
        aggregator, children, match_at = p.body(self.child_scope, ref.name)
        comparison(p, node, start, f"{ref.name}(...)", ops.NUMBER, lambda _op: Number())
        node["aggregator"] = aggregator
        node["conditions"] = children
        p.mark(node, start, aggregator=match_at or start, function=start)
        return node

    def text(self, node, pr):
        body = pr.body(node)
        return f"{self.name_of(node)}({body}) {SYMBOLS[node['operator']]} {node['value']}"

    def doc(self):
        return [
            DocRow(f"`{name}(<conditions>) <op> <number>`", code_list(ops.NUMBER), "")
            for name in self.fields
        ]


class SalesAmountForm(AggregateForm):
    code = "sales_amount"
    condition = c.SalesAmountCondition
    fields = {"sales.total": {"function": "total"}, "sales.average": {"function": "average"}}


class NumberOfOrdersForm(AggregateForm):
    code = "number_of_orders"
    condition = c.NumberOfOrdersCondition
    fields = {
        "orders.count": {"function": "total"},
        "orders.average_count": {"function": "average"},
    }


class PurchasedQtyForm(AggregateForm):
    code = "purchased_qty"
    condition = c.PurchasedQuantityCondition
    fields = {
        "purchased_qty.total": {"function": "total"},
        "purchased_qty.average": {"function": "average"},
    }
