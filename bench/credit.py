"""The store credit benchmark: operations per second of staff balance updates, spends at order
placement and refunds to store credit, through ``patron.credit.services`` as the API handlers
call them, on the database that PATRON_DATABASE_URL names (migrated first).

Each operation kind runs ``--ops`` times from ``--threads`` threads, each thread on its own
database connection, in two layouts: every thread on one customer's balance (the writers queue
on that balance's row lock: one very busy customer) and each thread on its own customer. A
thread times every call; the table shows throughput over the wall time and the p50 / p95 of a
call. The ledger of every balance touched is checked afterwards (balance = sum of the history =
sum of the lots), and the benchmark's customers are deleted.

    PATRON_MODE=test PATRON_DATABASE_URL=postgres://… .venv/bin/python -m patron migrate
    PATRON_MODE=test PATRON_DATABASE_URL=postgres://… .venv/bin/python -m bench.credit --threads 8
"""

import argparse
import math
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from bench.generate import setup_django

KINDS = ("update", "spend", "refund")
LAYOUTS = ("one balance", "own balances")
ONE = Decimal("1.00")


@dataclass
class Run:
    kind: str
    layout: str
    threads: int
    ops: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.ops / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        """Nearest-rank percentile of the call times, in milliseconds."""
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(share * len(ordered)) - 1)] * 1000


def _operation(kind: str, run_id: str) -> Callable[..., None]:
    from patron.core.actors import SYSTEM
    from patron.credit import services

    def update(customer, website, index):
        # Alternate +1 / -1 so that the balance stays put and both lot paths run.
        delta = ONE if index % 2 == 0 else -ONE
        services.update_balance(customer=customer, website=website, delta=delta, actor=SYSTEM)

    def spend(customer, website, index):
        services.spend(
            customer=customer, website=website, amount=ONE, order_number=f"{run_id}-{index}",
            actor=SYSTEM,
        )  # fmt: skip

    def refund(customer, website, index):
        services.refund(
            customer=customer, website=website, amount=ONE, refund_number=f"{run_id}-{index}/1",
            actor=SYSTEM,
        )  # fmt: skip

    return {"update": update, "spend": spend, "refund": refund}[kind]


def _timed(run: Run, customers: list, website, operation) -> None:
    """Run ``run.ops`` calls of ``operation`` from ``run.threads`` threads started together."""
    from django.db import connection

    barrier = threading.Barrier(run.threads + 1)
    lock = threading.Lock()
    errors: list[BaseException] = []

    def worker(number: int) -> None:
        customer = customers[number % len(customers)]
        mine: list[float] = []
        try:
            connection.ensure_connection()
            barrier.wait()
            for index in range(number, run.ops, run.threads):
                started = time.perf_counter()
                operation(customer, website, index)
                mine.append(time.perf_counter() - started)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()
            with lock:
                run.latencies.extend(mine)

    workers = [threading.Thread(target=worker, args=(n,)) for n in range(run.threads)]
    for thread in workers:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in workers:
        thread.join()
    run.seconds = time.perf_counter() - started
    if errors:
        raise errors[0]


def _customers(count: int, run_id: str, start: Decimal) -> list:
    from patron.core.actors import SYSTEM
    from patron.credit import services
    from patron.customers.services import create_customer
    from patron.scopes.selectors import default_store_view

    view = default_store_view()
    made = []
    for number in range(count):
        customer = create_customer(
            website=view.store.website, store_view=view, email=f"{run_id}-{number}@bench.invalid",
            firstname="Bench", lastname=f"Credit {number}", actor=SYSTEM,
        )  # fmt: skip
        services.update_balance(
            customer=customer, website=view.store.website, delta=start, actor=SYSTEM
        )
        made.append(customer)
    return made


def check_ledger(customers: list) -> None:
    """Raise ``AssertionError`` unless each balance equals its history and its lots."""
    from django.db.models import Sum

    from patron.credit.models import StoreCreditBalance

    for balance in StoreCreditBalance.objects.filter(customer__in=customers):
        history = balance.history.aggregate(total=Sum("delta"))["total"]
        lots = balance.lots.aggregate(total=Sum("remaining"))["total"]
        assert balance.amount == history == lots, (balance.pk, balance.amount, history, lots)
        assert not balance.history.filter(balance_after__lt=0).exists()


def benchmark(ops: int, threads: int, *, out: Callable[[str], None] = print) -> list[Run]:
    """Run every kind in both layouts; return the runs."""
    from patron.customers.models import Customer
    from patron.scopes.selectors import default_store_view

    run_id = f"bench-{uuid.uuid4().hex[:8]}"
    website = default_store_view().store.website
    # Enough for every spend of a run from one balance, whatever the layout.
    customers = _customers(threads + 1, run_id, Decimal(ops * 2))
    shared, own = customers[:1], customers[1:]
    runs = []
    try:
        for kind in KINDS:
            for layout in LAYOUTS:
                run = Run(kind, layout, threads, ops)
                operation = _operation(kind, f"{run_id}-{layout[:3]}")
                _timed(run, shared if layout == LAYOUTS[0] else own, website, operation)
                out(_line(run))
                runs.append(run)
        check_ledger(customers)
        out("ledger checked: every balance = the sum of its history = the sum of its lots")
    finally:
        Customer.objects.filter(email__startswith=run_id).delete()
    return runs


HEADER = f"{'operation':<9} {'layout':<13} {'threads':>7} {'ops':>6} {'s':>7} {'ops/s':>8} " + (
    f"{'p50 ms':>8} {'p95 ms':>8}"
)


def _line(run: Run) -> str:
    return (
        f"{run.kind:<9} {run.layout:<13} {run.threads:>7} {run.ops:>6} {run.seconds:>7.2f} "
        f"{run.per_second:>8.1f} {run.percentile(0.5):>8.2f} {run.percentile(0.95):>8.2f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ops", type=int, default=1000, help="calls per operation and layout")
    parser.add_argument("--threads", type=int, default=1, help="threads, one connection each")
    args = parser.parse_args(argv)
    if args.ops < 1 or args.threads < 1:
        parser.error("--ops and --threads must be at least 1")
    setup_django()
    from django.conf import settings
    from django.db import connection

    if settings.MODE == "production":
        raise SystemExit("Refusing to write benchmark customers in production mode.")
    version = ".".join(str(part) for part in connection.get_database_version())
    print(f"{connection.vendor} {version}; {args.threads} threads, {args.ops} calls each")
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(HEADER)
    benchmark(args.ops, args.threads)
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
