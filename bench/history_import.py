"""History import throughput: how many orders a second ``patron import_facts`` records.

``python -m bench.history_import [--orders N] [--batch-size B]`` writes N orders (1-4 items,
a third of them for existing customers) as JSON Lines into a temporary file, imports them
through the same reader and services the command uses, then imports the file again (every
record "unchanged"), and prints both rates. Run against a database you can throw away.
"""

import argparse
import json
import random
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from bench.generate import setup_django


def _write_orders(path: Path, count: int, store_view: str, skus: list[str], emails: list[str]):
    rng = random.Random(8)
    with path.open("w", encoding="utf-8") as out:
        for number in range(count):
            items = [
                {"sku": rng.choice(skus), "qty": rng.randint(1, 3), "price": "9.90"}
                for _ in range(rng.randint(1, 4))
            ]
            subtotal = sum(Decimal("9.90") * item["qty"] for item in items)
            record = {
                "number": f"BENCH-{number:08d}", "store_view": store_view, "status": "complete",
                "customer_email": rng.choice(emails), "currency": "EUR",
                "subtotal": str(subtotal), "grand_total": str(subtotal),
                "placed_at": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T10:00:00Z",
                "items": items,
            }  # fmt: skip
            out.write(json.dumps(record) + "\n")


def _prepare() -> tuple[str, list[str], list[str]]:
    from patron.core.actors import SYSTEM
    from patron.customers.models import Customer
    from patron.sales import services
    from patron.scopes.models import StoreView

    store_view = StoreView.objects.order_by("pk").first()
    skus = [f"BENCH-SKU-{n}" for n in range(50)]
    for sku in skus:
        services.save_product(sku=sku, name=sku, price=Decimal("9.90"), actor=SYSTEM)
    emails = list(Customer.objects.values_list("email", flat=True)[:500])
    guests = [f"guest{n}@example.com" for n in range(1000)]
    return store_view.code, skus, emails + guests


def _timed_import(path: Path, batch_size: int):
    from patron.core.actors import SYSTEM
    from patron.sales import imports

    kind = imports.KINDS["orders"]
    started = time.perf_counter()
    report = imports.import_records(
        kind, imports.read_records(path, kind), actor=SYSTEM, batch_size=batch_size
    )
    return report, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args(argv)
    setup_django()
    from django.db import connection

    store_view, skus, emails = _prepare()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "orders.jsonl"
        _write_orders(path, args.orders, store_view, skus, emails)
        print(f"{connection.vendor}: {args.orders} orders, batches of {args.batch_size}")
        for label in ("first import", "same file again"):
            report, seconds = _timed_import(path, args.batch_size)
            rate = report.records / seconds if seconds else 0
            print(
                f"{label}: {seconds:.1f} s, {rate:.0f} orders/s, {dict(report.results)}, "
                f"{len(report.errors)} problems"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
