"""The customers grid benchmark: five searches the back office makes, each alone and combined
with a keyword, timed three ways side by side:

* selector: ``search_grid`` + one page slice + ``capped_count``, as the API handler runs them;
* HTTP: ``GET /api/v1/customers/grid`` through Django's test client with an integration token
  (authentication, rate limiting, ninja and serialization included; no network, and the test
  client keeps the database connection open between requests);
* SQL: the same page and capped count written by hand and run on a raw cursor.

Each is run ``--runs`` times after ``--warmup`` untimed runs; p50 and p95 (nearest rank) are
printed in a table. Load data first with ``bench.generate``:

    PATRON_MODE=test PATRON_DATABASE_URL=postgres://… .venv/bin/python -m bench.generate --scale 1
    PATRON_MODE=test PATRON_DATABASE_URL=postgres://… .venv/bin/python -m bench.grid --explain
"""

import argparse
import datetime as dt
import json
import math
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.generate import setup_django

PAGE_SIZE = 20
GOALS_MS = {"selector": 50.0, "http": 120.0}
SQL_ORDER = {
    "id": "customer_id",
    "name": "name, customer_id",
    "created_at": "created_at, customer_id",
}


@dataclass
class GridQuery:
    """One grid search: filters and sort as the API takes them, and the keyword that the
    combined variant adds."""

    label: str
    keyword: str
    filters: dict[str, Any] = field(default_factory=dict)
    sort: str = "id"
    page: int = 1


@dataclass
class Timing:
    runs: list[float]

    def percentile(self, p: float) -> float:
        ordered = sorted(self.runs)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]

    @property
    def p50(self) -> float:
        return statistics.median(self.runs)

    @property
    def p95(self) -> float:
        return self.percentile(95)


@dataclass
class Result:
    query: str
    keyword: str
    count: int
    capped: bool
    rows: int
    timings: dict[str, Timing]


def queries() -> list[GridQuery]:
    """Return the benchmark's searches, with dates and ids taken from the loaded data."""
    from django.db.models import Max

    from patron.customers.models import CustomerGridRow, CustomerGroup

    newest = CustomerGridRow.objects.aggregate(newest=Max("created_at"))["newest"]
    if newest is None:
        raise SystemExit("The grid is empty: load data first with python -m bench.generate.")
    month_end = newest.date() - dt.timedelta(days=365)
    wholesale = CustomerGroup.objects.get(code="Wholesale").pk
    return [
        GridQuery("last name contains 'chmid'", "berlin", {"name": "chmid"}),
        GridQuery("email contains 'jonas.web'", "hauptstr", {"email": "jonas.web"}),
        GridQuery(
            "group Wholesale + country FR, by name",
            "lyon",
            {"group": wholesale, "country": "FR"},
            sort="name",
        ),
        GridQuery("by Customer Since, page 5,000", "gmail", sort="created_at", page=5000),
        GridQuery(
            "Customer Since in one month",
            "smith",
            {
                "created_at__from": (month_end - dt.timedelta(days=30)).isoformat(),
                "created_at__to": month_end.isoformat(),
            },
        ),
    ]


def _timed(action: Callable[[], Any], runs: int, warmup: int) -> tuple[Timing, Any]:
    for _n in range(warmup):
        action()
    seconds = []
    outcome = None
    for _n in range(runs):
        started = time.perf_counter()
        outcome = action()
        seconds.append((time.perf_counter() - started) * 1000)
    return Timing(seconds), outcome


def run_selector(query: GridQuery, keyword: str) -> tuple[int, bool, int]:
    """Run the search as the API does; return (count, capped, rows on the page)."""
    from patron.customers.grid import capped_count, search_grid

    rows = search_grid(keyword=keyword, filters=query.filters, sort=query.sort)
    offset = (query.page - 1) * PAGE_SIZE
    items = list(rows[offset : offset + PAGE_SIZE])
    count, capped = capped_count(rows)
    return count, capped, len(items)


def hand_sql(
    query: GridQuery, keyword: str, *, proposed: bool = False
) -> list[tuple[str, list[Any]]]:
    """Return the page and the capped count of ``query`` as SQL written by hand; with
    ``proposed``, as it would run with PROPOSED_INDEXES (see ``measure_proposals``)."""
    from django.utils import timezone
    from django.utils.dateparse import parse_date

    from patron.customers.grid import COUNT_CAP

    where, params = [], []
    for key, value in query.filters.items():
        if key == "email" and proposed:
            # Emails are stored lower-case (a check constraint on Customer).
            where.append("email LIKE %s")
            params.append(f"%{value.lower()}%")
        elif key in ("name", "email"):
            where.append(f"UPPER({key}) LIKE %s")
            params.append(f"%{value.upper()}%")
        elif key == "group":
            where.append("group_id = %s")
            params.append(value)
        elif key == "country":
            where.append("country_id = %s")
            params.append(value)
        elif key == "created_at__from":
            where.append("created_at >= %s")
            params.append(timezone.make_aware(dt.datetime.combine(parse_date(value), dt.time())))
        elif key == "created_at__to":
            where.append("created_at < %s")
            day = parse_date(value) + dt.timedelta(days=1)
            params.append(timezone.make_aware(dt.datetime.combine(day, dt.time())))
        else:
            raise ValueError(key)
    for word in keyword.lower().split():
        if proposed:
            # search_text is stored lower-case: no UPPER() to compute on every row.
            where.append("search_text LIKE %s")
            params.append(f"%{word}%")
        else:
            where.append("UPPER(search_text) LIKE %s")
            params.append(f"%{word.upper()}%")
    condition = f"WHERE {' AND '.join(where)}" if where else ""
    order = SQL_ORDER[query.sort]
    window = f"LIMIT {PAGE_SIZE} OFFSET {(query.page - 1) * PAGE_SIZE}"
    if not proposed:
        page = f"SELECT * FROM customers_customergridrow {condition} ORDER BY {order} {window}"
    else:
        inner = order
        if query.sort == "id" and any(key.startswith("created_at__") for key in query.filters):
            inner = "customer_id + 0"  # as search_grid does for a Customer Since range
        # Deferred join: find the page's ids (from an index alone where one covers them),
        # then read only those rows.
        page = (
            "SELECT * FROM customers_customergridrow WHERE customer_id IN "
            f"(SELECT customer_id FROM customers_customergridrow {condition} "
            f"ORDER BY {inner} {window}) ORDER BY {order}"
        )
    count = (
        f"SELECT count(*) FROM (SELECT 1 FROM customers_customergridrow {condition} "
        f"LIMIT {COUNT_CAP + 1}) AS capped"
    )
    return [(page, params), (count, params)]


# What docs/performance.md proposes as a migration, applied by measure_proposals inside a
# transaction that is rolled back: the database is left as it was.
PROPOSED_INDEXES = [
    "CREATE INDEX customers_grid_search_lower_trgm ON customers_customergridrow "
    "USING gin (search_text gin_trgm_ops)",
    "CREATE INDEX customers_grid_email_lower_trgm ON customers_customergridrow "
    "USING gin (email gin_trgm_ops)",
    "CREATE INDEX customers_grid_created_id_idx ON customers_customergridrow "
    "(created_at, customer_id)",
]
REPLACED_INDEXES = [
    "customers_grid_search_trgm",
    "customers_grid_email_trgm",
    "customers_customergridrow_created_at_123632d3",
]


def measure_proposals(
    *, runs: int, warmup: int, out: Callable[[str], None] = print
) -> list[tuple[GridQuery, str, Timing]]:
    """Create PROPOSED_INDEXES (dropping REPLACED_INDEXES), time the proposed SQL of every
    query, and roll everything back. PostgreSQL only."""
    from django.db import connection, transaction

    results = []
    variants = [(query, keyword) for query in queries() for keyword in ("", query.keyword)]
    expected = [run_sql(hand_sql(query, keyword)) for query, keyword in variants]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for name in REPLACED_INDEXES:
                cursor.execute("SELECT pg_relation_size(%s::regclass)", [name])
                out(f"  drop {name} ({cursor.fetchone()[0] / 2**20:.0f} MiB)")
                cursor.execute(f"DROP INDEX {name}")
            for statement in PROPOSED_INDEXES:
                started = time.perf_counter()
                cursor.execute(statement)
                name = statement.split()[2]
                cursor.execute("SELECT pg_relation_size(%s::regclass)", [name])
                size = cursor.fetchone()[0] / 2**20
                out(f"  {statement} -- {time.perf_counter() - started:.1f} s, {size:.0f} MiB")
            cursor.execute("ANALYZE customers_customergridrow")
        out("| query | keyword | proposed SQL p50 / p95 ms |\n|---|---|---|")
        for (query, keyword), same in zip(variants, expected, strict=True):
            statements = hand_sql(query, keyword, proposed=True)
            timing, found = _timed(lambda s=statements: run_sql(s), runs, warmup)
            if found != same:
                raise RuntimeError(f"{query.label} {keyword}: the proposed SQL finds other rows")
            results.append((query, keyword, timing))
            out(f"| {query.label} | {keyword or '–'} | {_cell(timing)} |")
        transaction.set_rollback(True)
    return results


def run_sql(statements: list[tuple[str, list[Any]]]) -> tuple[list[int], int]:
    """Run the page and count statements; return the page's ids and the capped count."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(*statements[0])
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(*statements[1])
        count = cursor.fetchone()[0]
    return ids, count


def grid_url(query: GridQuery, keyword: str) -> str:
    from urllib.parse import urlencode

    params = {**query.filters, "sort": query.sort, "page": query.page, "page_size": PAGE_SIZE}
    if keyword:
        params["keyword"] = keyword
    return "/api/v1/customers/grid?" + urlencode(params)


def explain(query: GridQuery, keyword: str, out: Callable[[str], None]) -> None:
    """Print EXPLAIN ANALYZE of the statements the selector runs (PostgreSQL)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        run_selector(query, keyword)
    for executed in captured.captured_queries:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + executed["sql"])
            plan = "\n".join(f"    {line}" for (line,) in cursor.fetchall())
        out(f"  {executed['sql'][:160]}…\n{plan}")


def benchmark(
    *,
    runs: int = 30,
    warmup: int = 3,
    http: bool = True,
    show_plans: bool = False,
    out: Callable[[str], None] = print,
) -> list[Result]:
    """Time every query and variant; return the results (and print plans when asked)."""
    from django.db import connection
    from django.test import Client

    from patron.core.actors import SYSTEM
    from patron.staff.models import IntegrationToken
    from patron.staff.services import create_integration_token

    client = Client()
    token, secret = create_integration_token(
        name="grid benchmark",
        permissions=["customers.view_customer"],
        rate_limit_per_minute=10_000_000,
        actor=SYSTEM,
    )
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    results = []
    try:
        for query in queries():
            for keyword in ("", query.keyword):
                timings = {}
                timings["selector"], (count, capped, rows) = _timed(
                    lambda q=query, k=keyword: run_selector(q, k), runs, warmup
                )
                if http:
                    url = grid_url(query, keyword)

                    def call(url=url):
                        response = client.get(url, **headers)
                        if response.status_code != 200:
                            raise RuntimeError(f"{url}: {response.status_code} {response.content}")
                        return response

                    timings["http"], response = _timed(call, runs, warmup)
                    body = json.loads(response.content)
                    if (body["count"], len(body["items"])) != (count, rows):
                        raise RuntimeError(f"{url}: HTTP and selector disagree")
                statements = hand_sql(query, keyword)
                timings["sql"], (sql_ids, _count) = _timed(
                    lambda s=statements: run_sql(s), runs, warmup
                )
                if len(sql_ids) != rows:
                    raise RuntimeError(f"{query.label}: hand SQL found {len(sql_ids)} rows")
                result = Result(query.label, keyword, count, capped, rows, timings)
                results.append(result)
                out(_line(result))
                if show_plans and connection.vendor == "postgresql":
                    explain(query, keyword, out)
    finally:
        IntegrationToken.objects.filter(pk=token.pk).delete()
    return results


def _cell(timing: Timing | None) -> str:
    return "–" if timing is None else f"{timing.p50:.1f} / {timing.p95:.1f}"


def _line(result: Result) -> str:
    count = f"{result.count:,}{'+' if result.capped else ''}"
    return (
        f"| {result.query} | {result.keyword or '–'} | {count} | "
        f"{_cell(result.timings.get('selector'))} | {_cell(result.timings.get('http'))} | "
        f"{_cell(result.timings.get('sql'))} | {_verdict(result)} |"
    )


def _verdict(result: Result) -> str:
    misses = [
        name
        for name, goal in GOALS_MS.items()
        if name in result.timings and result.timings[name].p95 > goal
    ]
    return "miss: " + ", ".join(misses) if misses else "ok"


HEADER = (
    "| query | keyword | matches | selector p50 / p95 ms | HTTP p50 / p95 ms "
    "| hand SQL p50 / p95 ms | goal |\n|---|---|---|---|---|---|---|"
)


def describe_database() -> str:
    """Return the database vendor, version and row counts in one line."""
    from django.db import connection

    from patron.customers.models import Address, Customer

    version = ".".join(str(part) for part in connection.get_database_version())
    return (
        f"{connection.vendor} {version}: {Customer.objects.count():,} customers, "
        f"{Address.objects.count():,} addresses"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP measurements")
    parser.add_argument(
        "--explain", action="store_true", help="print EXPLAIN ANALYZE of each selector query"
    )
    parser.add_argument(
        "--proposals",
        action="store_true",
        help="also time the SQL of the proposed indexes (PostgreSQL; built, then rolled back)",
    )
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    setup_django()
    print(describe_database())
    print(f"{args.runs} runs after {args.warmup} warm-up runs; page size {PAGE_SIZE}")
    print(HEADER)
    results = benchmark(
        runs=args.runs, warmup=args.warmup, http=not args.no_http, show_plans=args.explain
    )
    if args.explain:
        print("\n" + HEADER)
        for result in results:
            print(_line(result))
    if args.proposals:
        print("\nProposed indexes (rolled back afterwards):")
        measure_proposals(runs=args.runs, warmup=args.warmup)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(
                [
                    {
                        "query": r.query,
                        "keyword": r.keyword,
                        "count": r.count,
                        "capped": r.capped,
                        "rows": r.rows,
                        **{
                            f"{name}_{p}": round(getattr(t, p), 2)
                            for name, t in r.timings.items()
                            for p in ("p50", "p95")
                        },
                    }
                    for r in results
                ],
                handle,
                indent=2,
            )
    return 0 if all(_verdict(r) == "ok" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
