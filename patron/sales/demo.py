"""Demo data: a small catalogue, two years of orders for the demo customers, and some open
carts of customers and visitors. Bulk-created (the services' checks hold by construction), and
idempotent: a second run adds nothing."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from patron.core.registries import DemoStep, demo_steps

CATEGORIES = [  # code, name, parent code: a small tree
    ("home", "Home & Garden", None),
    ("kitchen", "Kitchen", "home"),
    ("garden", "Garden", "home"),
    ("books", "Books", None),
    ("toys", "Toys", None),
    ("apparel", "Apparel", None),
]
ATTRIBUTES = [  # code, label, type, options, use for promo rule conditions
    ("color", "Color", "select", ["black", "blue", "green", "natural", "red"], True),
    ("eco_friendly", "Eco Friendly", "boolean", [], True),
    ("material", "Material", "text", [], False),
]
MATERIAL_BY_CATEGORY = {
    "kitchen": "stoneware", "garden": "rubber", "books": "paper", "toys": "wood",
    "apparel": "linen",
}  # fmt: skip
PRODUCTS = [
    ("MUG-01", "Stoneware Mug", "12.50", "kitchen"),
    ("PAN-02", "Cast Iron Pan", "49.00", "kitchen"),
    ("KNF-03", "Chef's Knife", "89.00", "kitchen"),
    ("TEA-04", "Tea Sampler", "18.90", "kitchen"),
    ("HOS-05", "Garden Hose 20 m", "34.00", "garden"),
    ("SEE-06", "Herb Seeds Set", "7.50", "garden"),
    ("GLV-07", "Garden Gloves", "14.00", "garden"),
    ("BOK-08", "Field Guide to Birds", "24.00", "books"),
    ("BOK-09", "Bread Baking Handbook", "31.00", "books"),
    ("BOK-10", "Atlas of Rivers", "45.00", "books"),
    ("TOY-11", "Wooden Train Set", "59.00", "toys"),
    ("TOY-12", "Puzzle 1000 Pieces", "19.00", "toys"),
    ("TSH-13", "Linen Shirt", "65.00", "apparel"),
    ("SCF-14", "Wool Scarf", "39.00", "apparel"),
    ("SOC-15", "Hiking Socks", "16.00", "apparel"),
]
STATUSES = ["complete"] * 7 + ["processing", "pending", "canceled", "closed"]
CURRENCY_BY_COUNTRY = {"US": "USD", "DE": "EUR", "FR": "EUR", "JP": "JPY", "BR": "BRL"}
ORDERING_CUSTOMERS = 600


def _ensure_catalogue(rng=None) -> str:
    from patron.sales.models import Category, Product, ProductAttribute

    categories: dict[str, Category] = {}
    for code, name, parent in CATEGORIES:
        categories[code] = Category.objects.get_or_create(
            code=code, defaults={"name": name, "parent": categories.get(parent)}
        )[0]
    for code, label, kind, options, promo in ATTRIBUTES:
        ProductAttribute.objects.get_or_create(
            code=code,
            defaults={"label": label, "type": kind, "options": options,
                      "use_for_promo_rules": promo},
        )  # fmt: skip
    colors = ATTRIBUTES[0][3]
    created = 0
    for index, (sku, name, price, category) in enumerate(PRODUCTS):
        attributes = {
            "color": colors[index % len(colors)],
            "eco_friendly": category in ("garden", "books"),
            "material": MATERIAL_BY_CATEGORY[category],
        }
        product, new = Product.objects.get_or_create(
            sku=sku,
            defaults={"name": name, "price": Decimal(price), "attribute_set": "Default",
                      "attributes": attributes},
        )  # fmt: skip
        if new:
            product.categories.set([categories[category]])
            created += 1
    return f"{created} products created"


def _address_snapshot(customer) -> dict:
    address = customer.default_billing
    if address is None:
        return {}
    return {
        "firstname": address.firstname, "lastname": address.lastname, "street": address.street,
        "city": address.city, "postcode": address.postcode, "country_id": address.country_id,
    }  # fmt: skip


def _ensure_orders(rng) -> str:
    from patron.customers.models import Customer
    from patron.sales.models import Order, OrderItem, Product

    if Order.objects.filter(number__startswith="DEMO-").exists():
        return "demo orders present"
    products = list(Product.objects.all())
    customers = (
        Customer.objects.filter(email__endswith="@demo.patron.test")
        .select_related("created_in", "default_billing")
        .order_by("pk")[:ORDERING_CUSTOMERS]
    )
    now = timezone.now()
    orders, lines, number = [], [], 0
    for customer in customers:
        if customer.created_in is None:
            continue
        address = _address_snapshot(customer)
        currency = CURRENCY_BY_COUNTRY.get(address.get("country_id"), "USD")
        for _order in range(rng.choice([0, 1, 1, 2, 3, 5])):
            number += 1
            picked = rng.sample(products, rng.randint(1, 3))
            items = [(p, rng.randint(1, 3)) for p in picked]
            subtotal = sum((p.price * qty for p, qty in items), Decimal(0))
            shipping = Decimal("4.90") if subtotal < 50 else Decimal(0)
            order = Order(
                website_id=customer.website_id, store_view=customer.created_in,
                number=f"DEMO-{number:06d}", customer=customer, customer_email=customer.email,
                customer_name=customer.name, status=rng.choice(STATUSES), currency=currency,
                subtotal=subtotal, tax=(subtotal * Decimal("0.19")).quantize(Decimal("0.01")),
                shipping=shipping, grand_total=subtotal + shipping,
                total_qty=Decimal(sum(qty for _p, qty in items)),
                billing_address=address, shipping_address=address,
                placed_at=now - dt.timedelta(days=rng.randint(0, 730), minutes=rng.randint(0, 1439)),
            )  # fmt: skip
            orders.append(order)
            lines.append(items)
    Order.objects.bulk_create(orders, batch_size=500)
    OrderItem.objects.bulk_create(
        [
            OrderItem(
                order=order,
                sku=p.sku,
                product=p,
                name=p.name,
                qty=qty,
                price=p.price,
                row_total=p.price * qty,
            )
            for order, items in zip(orders, lines, strict=True)
            for p, qty in items
        ],
        batch_size=1000,
    )
    return f"{len(orders)} orders created"


def _ensure_carts(rng) -> str:
    from patron.customers.models import Customer
    from patron.sales.models import Cart, CartItem, Product

    if Cart.objects.exists():
        return "carts present"
    products = list(Product.objects.all())
    customers = list(
        Customer.objects.filter(email__endswith="@demo.patron.test")
        .exclude(created_in=None)
        .select_related("created_in")
        .order_by("?")[:40]
    )
    carts, contents = [], []
    for index, customer in enumerate(customers):
        owner = {"customer": customer} if index % 4 else {"visitor_id": f"demo-visitor-{index}"}
        items = [(p, rng.randint(1, 2)) for p in rng.sample(products, rng.randint(1, 3))]
        total = sum((p.price * qty for p, qty in items), Decimal(0))
        carts.append(
            Cart(
                website_id=customer.website_id,
                store_view=customer.created_in,
                currency="USD",
                subtotal=total,
                grand_total=total,
                **owner,
            )
        )
        contents.append(items)
    Cart.objects.bulk_create(carts)
    CartItem.objects.bulk_create(
        [
            CartItem(cart=cart, sku=p.sku, product=p, name=p.name, qty=qty, price=p.price)
            for cart, items in zip(carts, contents, strict=True)
            for p, qty in items
        ]
    )
    return f"{len(carts)} carts created"


def _ensure_other_facts(rng) -> str:
    """Refunds of closed orders, wish lists, reviews and product views of demo shoppers."""
    from patron.customers.models import Customer
    from patron.sales.models import (
        Order,
        Product,
        ProductView,
        Refund,
        RefundItem,
        Review,
        ReviewStatus,
        WishlistItem,
    )  # fmt: skip

    if Refund.objects.exists() or ProductView.objects.exists():
        return "other facts present"
    now = timezone.now()
    refunds, refund_items = [], []
    for order in Order.objects.filter(status="closed").prefetch_related("items"):
        item = order.items.all()[0]
        refunds.append(
            Refund(order=order, number=f"CM-{order.number}", currency=order.currency,
                   grand_total=item.row_total, to_store_credit=item.row_total if rng.random() < 0.3 else 0,
                   refunded_at=order.placed_at + dt.timedelta(days=rng.randint(3, 20)))
        )  # fmt: skip
        refund_items.append((item.sku, item.qty, item.row_total))
    Refund.objects.bulk_create(refunds)
    RefundItem.objects.bulk_create(
        [
            RefundItem(refund=refund, sku=sku, qty=qty, row_total=total)
            for refund, (sku, qty, total) in zip(refunds, refund_items, strict=True)
        ]
    )
    products = list(Product.objects.all())
    shoppers = list(
        Customer.objects.filter(email__endswith="@demo.patron.test")
        .exclude(created_in=None)
        .select_related("created_in")
        .order_by("pk")[:300]
    )
    wishes, reviews, views = [], [], []
    for index, customer in enumerate(shoppers):
        if index % 3 == 0:
            for product in rng.sample(products, rng.randint(1, 4)):
                wishes.append(WishlistItem(customer=customer, product=product,
                                           added_at=now - dt.timedelta(days=rng.randint(0, 200))))  # fmt: skip
        if index % 5 == 0:
            product = rng.choice(products)
            reviews.append(
                Review(website_id=customer.website_id, store_view=customer.created_in,
                       external_id=f"DEMO-R{index}", product=product, customer=customer,
                       nickname=customer.firstname, title=rng.choice(["Great", "Good value", "As described", "Could be better"]),
                       rating=rng.randint(2, 5), status=rng.choice(list(ReviewStatus.values)),
                       written_at=now - dt.timedelta(days=rng.randint(0, 365)))
            )  # fmt: skip
        for step in range(rng.randint(0, 6)):
            views.append(
                ProductView(website_id=customer.website_id, external_id=f"DEMO-V{index}-{step}",
                            product=rng.choice(products), customer=customer,
                            viewed_at=now - dt.timedelta(minutes=rng.randint(0, 60 * 24 * 90)))
            )  # fmt: skip
    WishlistItem.objects.bulk_create(wishes, ignore_conflicts=True)
    Review.objects.bulk_create(reviews)
    ProductView.objects.bulk_create(views, batch_size=1000)
    return (
        f"{len(refunds)} refunds, {len(wishes)} wish list items, {len(reviews)} reviews, "
        f"{len(views)} product views created"
    )


def register_steps() -> None:
    for order, (code, label, run) in enumerate(
        [
            ("catalogue", "Products and categories", _ensure_catalogue),
            ("orders", "Orders of demo customers", _ensure_orders),
            ("carts", "Open carts", _ensure_carts),
            ("other", "Refunds, wish lists, reviews, product views", _ensure_other_facts),
        ],
        start=1,
    ):
        demo_steps.register(DemoStep(code=f"sales.{code}", label=label, order=100 + order, run=run))
