"""The customers grid benchmark: five searches the back office makes, each alone and combined
with a keyword, timed four ways side by side:

* selector: ``search_grid`` + ``capped_count`` + ``page_of``, exactly as the API handler
  ``customer_grid`` runs them;
* HTTP: ``GET /api/v1/customers/grid`` through Django's test client with an integration token
  (authentication, rate limiting, ninja and serialization included; no network, and the test
  client keeps the database connection open between requests);
* page: the back-office grid page ``GET /admin/customers/customer/`` through the test client
  as a force-logged-in superuser (session, admin context, filter options, the template);
* SQL: the page and the capped count written by hand, naively, for the current schema, and run
  on a raw cursor.

Each is run ``--runs`` times after ``--warmup`` untimed runs; p50 and p95 (nearest rank) are
printed in a table. All four must find the same count and the same page of ids. Load data first
with ``bench.generate``:

    PATRON_MODE=test PATRON_DATABASE_URL=postgres://… .venv/bin/python -m bench.generate --scale 1
    PATRON_MODE=test PATRON_DATABASE_URL=postgres://… .venv/bin/python -m bench.grid --explain
"""

import argparse
import datetime as dt
import json
import math
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.generate import setup_django

PAGE_SIZE = 20
# The goals of the issue. The back-office page has none of its own; it is shown beside them.
GOALS_MS = {"selector": 50.0, "http": 120.0}
KINDS = ("selector", "http", "page", "sql")
SQL_ORDER = {
    "id": "customer_id",
    "name": "name, customer_id",
    "created_at": "created_at, customer_id",
}
# Filters of the back-office page are query parameters prefixed with f_.
PAGE_FILTER_PREFIX = "f_"


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


@dataclass(frozen=True)
class Found:
    """What one way of running a search found: the capped count and the page's ids."""

    count: int
    capped: bool
    ids: tuple[int, ...]


@dataclass
class Result:
    query: GridQuery
    keyword: str
    found: Found
    timings: dict[str, Timing]

    @property
    def label(self) -> str:
        return self.query.label


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


def run_selector(query: GridQuery, keyword: str) -> Found:
    """Run the search as ``api.customer_grid`` does: the rows, the capped count, one page."""
    from patron.customers.grid import capped_count, page_of, search_grid

    rows = search_grid(website_ids=None, keyword=keyword, filters=query.filters, sort=query.sort)
    count, capped = capped_count(rows)
    items = page_of(rows, query.page, PAGE_SIZE)
    return Found(count, capped, tuple(row.customer_id for row in items))


def hand_sql(query: GridQuery, keyword: str) -> list[tuple[str, list[Any]]]:
    """Return the page and the capped count of ``query`` as one would write them by hand for
    the current schema, knowing its indexes but none of the planner's traps: one plain
    ``SELECT … ORDER BY … LIMIT … OFFSET``, and the count over a ``LIMIT cap + 1`` subquery."""
    from django.utils import timezone
    from django.utils.dateparse import parse_date

    from patron.customers.grid import COUNT_CAP

    where, params = [], []
    for key, value in query.filters.items():
        if key == "name":
            # Names are mixed case: the expression of the customers_grid_name_trgm index.
            where.append("UPPER(name) LIKE UPPER(%s)")
            params.append(f"%{value}%")
        elif key == "email":
            # Emails are stored lower-case (customers_grid_email_lower_trgm).
            where.append("email LIKE %s")
            params.append(f"%{value.lower()}%")
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
        # search_text is stored lower-case (customers_grid_search_lower_trgm).
        where.append("search_text LIKE %s")
        params.append(f"%{word}%")
    condition = f"WHERE {' AND '.join(where)}" if where else ""
    page = (
        f"SELECT * FROM customers_customergridrow {condition} ORDER BY {SQL_ORDER[query.sort]} "
        f"LIMIT {PAGE_SIZE} OFFSET {(query.page - 1) * PAGE_SIZE}"
    )
    count = (
        f"SELECT count(*) FROM (SELECT 1 FROM customers_customergridrow {condition} "
        f"LIMIT {COUNT_CAP + 1}) AS capped"
    )
    return [(page, params), (count, params)]


def run_sql(statements: list[tuple[str, list[Any]]]) -> Found:
    """Run the page and count statements on a raw cursor."""
    from django.db import connection

    from patron.customers.grid import COUNT_CAP

    with connection.cursor() as cursor:
        cursor.execute(*statements[0])
        ids = tuple(row[0] for row in cursor.fetchall())
        cursor.execute(*statements[1])
        count = cursor.fetchone()[0]
    return Found(min(count, COUNT_CAP), count > COUNT_CAP, ids)


def api_url(query: GridQuery, keyword: str) -> str:
    from urllib.parse import urlencode

    params = {**query.filters, "sort": query.sort, "page": query.page, "page_size": PAGE_SIZE}
    if keyword:
        params["keyword"] = keyword
    return "/api/v1/customers/grid?" + urlencode(params)


def page_url(query: GridQuery, keyword: str) -> str:
    """The back-office grid page showing the same search (its filters are ``f_<filter>``)."""
    from urllib.parse import urlencode

    from django.urls import reverse

    params = {f"{PAGE_FILTER_PREFIX}{key}": value for key, value in query.filters.items()}
    params |= {
        "sort": query.sort,
        "direction": "asc",
        "page_size": PAGE_SIZE,
        "page": query.page,
    }
    if keyword:
        params["keyword"] = keyword
    return f"{reverse('admin:customers_customer_changelist')}?{urlencode(params)}"


def read_api(response) -> Found:
    body = json.loads(response.content)
    ids = tuple(item.get("id", item.get("customer_id")) for item in body["items"])
    return Found(body["count"], body["count_is_capped"], ids)


COUNT_PARAGRAPH = re.compile(r'<p class="patron-count"[^>]*>(.*?)</p>', re.S)
ROW_ID = re.compile(r'<tr id="row-(\d+)"')


def read_page(response) -> Found:
    """Read the count and the row ids from the rendered grid page."""
    html = response.content.decode()
    paragraph = COUNT_PARAGRAPH.search(html)
    if paragraph is None:
        raise RuntimeError("The grid page has no patron-count paragraph; update bench.grid.")
    text = " ".join(paragraph.group(1).split())
    number = re.search(r"\d[\d,.\u00a0\u202f ]*", text)
    if number is None:
        raise RuntimeError(f"No count in the grid page's count paragraph: {text!r}")
    count = int(re.sub(r"\D", "", number.group(0)))
    capped = "more than" in text.lower()
    return Found(count, capped, tuple(int(i) for i in ROW_ID.findall(html)))


def _statements(query: GridQuery, keyword: str) -> list[str]:
    """The SQL the selector runs for one search, as executed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        run_selector(query, keyword)
    return [executed["sql"] for executed in captured.captured_queries]


def explain(query: GridQuery, keyword: str, out: Callable[[str], None]) -> None:
    """Print EXPLAIN (ANALYZE, BUFFERS) of the statements the selector runs (PostgreSQL)."""
    from django.db import connection

    for sql in _statements(query, keyword):
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = "\n".join(f"    {line}" for (line,) in cursor.fetchall())
        out(f"  {sql}\n{plan}")


class Clients:
    """The test clients of the HTTP and page timings, with the token and the superuser they
    use; ``close`` removes both."""

    def __init__(self) -> None:
        import secrets

        from django.contrib.auth import get_user_model
        from django.test import Client

        from patron.core.actors import SYSTEM
        from patron.staff.services import create_integration_token

        self.api = Client()
        self.token, secret = create_integration_token(
            name="grid benchmark",
            permissions=["customers.view_customer"],
            rate_limit_per_minute=10_000_000,
            actor=SYSTEM,
        )
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
        name = f"grid-benchmark-{secrets.token_hex(4)}"
        self.user = get_user_model().objects.create_superuser(name, f"{name}@example.com", None)
        self.page = Client()
        self.page.force_login(self.user)

    def get_api(self, url: str):
        return self._ok(url, self.api.get(url, **self.headers))

    def get_page(self, url: str):
        return self._ok(url, self.page.get(url))

    @staticmethod
    def _ok(url: str, response):
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code} {response.content[:500]!r}")
        return response

    def close(self) -> None:
        from patron.staff.models import IntegrationToken

        self.page.logout()
        self.user.delete()
        IntegrationToken.objects.filter(pk=self.token.pk).delete()


def benchmark(
    *,
    runs: int = 30,
    warmup: int = 3,
    kinds: tuple[str, ...] = KINDS,
    only: str = "",
    out: Callable[[str], None] = print,
) -> list[Result]:
    """Time every query and variant the ways in ``kinds``; check that they agree."""
    clients = Clients()
    results = []
    try:
        for query in queries():
            if only.lower() not in query.label.lower():
                continue
            for keyword in ("", query.keyword):
                timings: dict[str, Timing] = {}
                timings["selector"], found = _timed(
                    lambda q=query, k=keyword: run_selector(q, k), runs, warmup
                )
                others: dict[str, Found] = {}
                if "http" in kinds:
                    url = api_url(query, keyword)
                    timings["http"], response = _timed(
                        lambda u=url: clients.get_api(u), runs, warmup
                    )
                    others["http"] = read_api(response)
                if "page" in kinds:
                    url = page_url(query, keyword)
                    timings["page"], response = _timed(
                        lambda u=url: clients.get_page(u), runs, warmup
                    )
                    others["page"] = read_page(response)
                if "sql" in kinds:
                    statements = hand_sql(query, keyword)
                    timings["sql"], others["sql"] = _timed(
                        lambda s=statements: run_sql(s), runs, warmup
                    )
                for kind, other in others.items():
                    if kind == "page" and _beyond_last_page(query, found):
                        # The back office shows the last page instead (small databases only).
                        other = Found(other.count, other.capped, found.ids)
                    if other != found:
                        raise RuntimeError(
                            f"{query.label} / {keyword or '-'}: {kind} found {other}, "
                            f"the selector {found}"
                        )
                result = Result(query, keyword, found, timings)
                results.append(result)
                out(_line(result))
    finally:
        clients.close()
    return results


def _beyond_last_page(query: GridQuery, found: Found) -> bool:
    return not found.capped and (query.page - 1) * PAGE_SIZE >= max(found.count, 1)


def _cell(timing: Timing | None) -> str:
    return "–" if timing is None else f"{timing.p50:.1f} / {timing.p95:.1f}"


def _line(result: Result) -> str:
    found = result.found
    count = f"{found.count:,}{'+' if found.capped else ''}"
    cells = " | ".join(_cell(result.timings.get(kind)) for kind in KINDS)
    return f"| {result.label} | {result.keyword or '–'} | {count} | {cells} | {_verdict(result)} |"


def _misses(result: Result) -> list[str]:
    return [
        name
        for name, goal in GOALS_MS.items()
        if name in result.timings and result.timings[name].p95 > goal
    ]


def _verdict(result: Result) -> str:
    misses = _misses(result)
    return "miss: " + ", ".join(misses) if misses else "ok"


HEADER = (
    "| query | keyword | matches | selector p50 / p95 ms | HTTP p50 / p95 ms "
    "| page p50 / p95 ms | hand SQL p50 / p95 ms | goal |\n|---|---|---|---|---|---|---|---|"
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


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _as_json(result: Result) -> dict[str, Any]:
    return {
        "query": result.label,
        "keyword": result.keyword,
        "count": result.found.count,
        "capped": result.found.capped,
        "rows": len(result.found.ids),
        "goal": _verdict(result),
        **{
            f"{kind}_{p}": round(getattr(timing, p), 2)
            for kind, timing in result.timings.items()
            for p in ("p50", "p95")
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--no-http", action="store_true", help="skip the API measurements")
    parser.add_argument("--no-page", action="store_true", help="skip the back-office page")
    parser.add_argument("--only", default="", help="only the queries whose label contains this")
    parser.add_argument(
        "--explain",
        action="store_true",
        help="then print EXPLAIN ANALYZE of the selector's SQL for each search missing a goal",
    )
    parser.add_argument(
        "--explain-all", action="store_true", help="the same for every search, met or missed"
    )
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    setup_django()
    from django.db import connection

    database = describe_database()
    print(database)
    print(f"{args.runs} runs after {args.warmup} warm-up runs; page size {PAGE_SIZE}")
    load_before, started = _load(), time.perf_counter()
    print(f"load average before: {load_before}")
    print(HEADER)
    kinds = tuple(
        kind
        for kind in KINDS
        if not (kind == "http" and args.no_http) and not (kind == "page" and args.no_page)
    )
    results = benchmark(runs=args.runs, warmup=args.warmup, kinds=kinds, only=args.only)
    seconds = time.perf_counter() - started
    load_after = _load()
    print(f"load average after: {load_after}; {seconds:.0f} s")
    if (args.explain or args.explain_all) and connection.vendor == "postgresql":
        for result in results:
            if args.explain_all or _misses(result):
                print(f"\n{_line(result)}")
                explain(result.query, result.keyword, print)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(
                {
                    "database": database,
                    "runs": args.runs,
                    "warmup": args.warmup,
                    "load_before": load_before,
                    "load_after": load_after,
                    "seconds": round(seconds, 1),
                    "results": [_as_json(result) for result in results],
                },
                handle,
                indent=2,
            )
    return 0 if all(not _misses(result) for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
