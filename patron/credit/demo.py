"""Demo data: store credit for some demo customers (the shopper's account among them), made
through the services so the history, lots and timeline are as real use leaves them, and spent
on some of their orders. Idempotent: customers that have a balance are skipped."""

from decimal import Decimal

from patron.core.registries import DemoStep, demo_steps

CUSTOMERS_WITH_CREDIT = 60
SHOPPER_EMAIL = "shopper@example.com"


def _ensure_store_credit(rng) -> str:
    from patron.core.actors import SYSTEM
    from patron.credit import services
    from patron.credit.models import StoreCreditBalance
    from patron.customers.models import Customer

    if StoreCreditBalance.objects.exists():
        return "store credit present"
    customers = list(
        Customer.objects.filter(email__endswith="@demo.patron.test")
        .select_related("website")
        .order_by("pk")[:CUSTOMERS_WITH_CREDIT]
    )
    customers += list(Customer.objects.filter(email=SHOPPER_EMAIL).select_related("website"))
    for customer in customers:
        amount = Decimal(rng.choice([10, 20, 25, 50, 75, 100]))
        services.update_balance(
            customer=customer, website=customer.website, delta=amount, actor=SYSTEM,
            comment="Welcome credit",
        )  # fmt: skip
        order = customer.orders.order_by("placed_at").first()
        if order is not None and rng.random() < 0.5:
            services.spend(
                customer=customer, website=customer.website, amount=min(amount, Decimal(10)),
                order_number=order.number, actor=SYSTEM,
            )  # fmt: skip
    return f"store credit for {len(customers)} customers"


def register_steps() -> None:
    demo_steps.register(
        DemoStep(code="credit.balances", label="Store credit", order=120, run=_ensure_store_credit)
    )
