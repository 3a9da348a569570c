"""Generate a realistic customer base for benchmarks, fast.

``--scale 1.0`` is 1,000,000 customers with about 1,600,000 addresses (1 to 3 each), spread over
the demo's websites and countries (US, DE, FR, JP, BR) with names, streets, cities, postcodes and
phone numbers from ``patron.customers.demo_names``. Every customer gets the same precomputed
password hash (hashing a million passwords would take hours and measures nothing).

How it loads:

* PostgreSQL: ``COPY`` (psycopg's ``cursor.copy``) into ``customers_customer`` and
  ``customers_address``, one set-based ``UPDATE`` for the default billing (first) and shipping
  (last) addresses, then one ``INSERT … SELECT`` that builds the grid rows in SQL with the same
  values as ``patron.customers.grid.build_row``. From ``BULK_THRESHOLD`` new customers on, the
  secondary indexes of the three tables are dropped first and rebuilt from their own definitions
  at the end (one index build is much faster than a million index inserts, above all for the
  trigram GIN indexes). Everything runs in one transaction, then ``VACUUM (ANALYZE)``.
* SQLite: ``executemany`` in batches, the same ``UPDATE`` for the defaults, and grid rows built
  by ``build_row`` itself (SQLite's ``lower()`` folds ASCII only, so SQL could not match it).

Either way a sample of the new grid rows is compared with ``build_row`` and a difference stops
the run before it commits. Free disk space is checked first.

With ``--facts`` (the default on the command line; ``generate(..., facts=True)`` from code) the
commerce facts of the new customers follow in a second transaction: a catalogue, orders with
items, refunds, carts, wish lists and product views, loaded the same way (``bench/facts.py``).

    PATRON_MODE=test PATRON_DATABASE_URL=postgres://… .venv/bin/python -m bench.generate --scale 1
"""

import argparse
import datetime as dt
import functools
import json
import os
import random
import shutil
import sys
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from patron.customers.demo_names import COUNTRIES

FULL_SCALE_CUSTOMERS = 1_000_000
DEFAULT_SCALE = 0.01
CHUNK = 25_000
BULK_THRESHOLD = 50_000
SAMPLE = 300
PASSWORD = "Bench-password-1"
YEARS = 6

# Disk use per customer, measured after loads (tables, indexes, TOAST; PostgreSQL includes the
# dead row versions the defaults UPDATE leaves until VACUUM reuses them), plus headroom for
# index builds, WAL and sort files. See docs/performance.md.
BYTES_PER_CUSTOMER = {"postgresql": 3_000, "sqlite": 1_700}
HEADROOM = 1.5
FIXED_RESERVE = 512 * 1024 * 1024

COUNTRY_WEIGHTS = {"US": 40, "DE": 20, "FR": 15, "JP": 10, "BR": 15}
# General, Wholesale, Retailer and the demo's VIP group (looked up by code).
GROUP_WEIGHTS = {"General": 70, "Wholesale": 15, "Retailer": 10, "VIP": 5}
ADDRESS_COUNT_WEIGHTS = {1: 55, 2: 30, 3: 15}  # 1.6 addresses per customer on average

# What demo_names.py does not have. Email domains use the reserved .example TLD so that no
# message can reach a real mailbox.
EXTRAS: dict[str, dict[str, Any]] = {
    "US": {
        "domains": ["gmail.example", "yahoo.example", "outlook.example", "icloud.example"],
        "second_line": "Apt {n}",
        "companies": ["{last} LLC", "{last} & Sons", "{last} Inc."],
        "taxvat": "{d2}-{d7}",
        "vat": "",
    },
    "DE": {
        "domains": ["web.example", "gmx.example", "t-online.example", "gmail.example"],
        "second_line": "{n}. OG",
        "companies": ["{last} GmbH", "{last} & Partner", "{last} KG"],
        "taxvat": "DE{d9}",
        "vat": "DE{d9}",
    },
    "FR": {
        "domains": ["orange.example", "free.example", "laposte.example", "gmail.example"],
        "second_line": "Bâtiment {n}",
        "companies": ["{last} SARL", "{last} et Fils", "Établissements {last}"],
        "taxvat": "FR{d2}{d9}",
        "vat": "FR{d2}{d9}",
    },
    "JP": {
        "domains": ["docomo.example", "yahoo.example", "gmail.example"],
        "second_line": "{n}号室",
        "companies": ["株式会社{last}", "{last}商事", "{last}工業"],
        "taxvat": "T{d2}{d9}{d2}",
        "vat": "",
    },
    "BR": {
        "domains": ["uol.example", "bol.example", "gmail.example"],
        "second_line": "Apto {n}",
        "companies": ["{last} Ltda.", "{last} & Filhos", "Comércio {last}"],
        "taxvat": "{d3}.{d3}.{d3}-{d2}",
        "vat": "",
    },
}

CUSTOMER_COLUMNS = (
    "id", "website_id", "group_id", "created_in_id", "prefix", "firstname", "middlename",
    "lastname", "suffix", "email", "dob", "taxvat", "gender", "is_active",
    "disable_auto_group_change", "allow_remote_assistance", "password", "password_changed_at",
    "confirmed_at", "confirmation_required", "confirmation_key_digest", "pending_email",
    "pending_email_key_digest", "pending_email_with_password", "session_version", "failures_num",
    "lock_expires_at", "custom_attributes", "created_at", "updated_at",
)  # fmt: skip
ADDRESS_COLUMNS = (
    "id", "customer_id", "prefix", "firstname", "middlename", "lastname", "suffix", "company",
    "street", "city", "country_id", "region", "region_code", "postcode", "telephone", "fax",
    "vat_id", "vat_request_id", "custom_attributes", "created_at", "updated_at",
)  # fmt: skip
GRID_COLUMNS = (
    "customer_id", "website_id", "group_id", "created_in_id", "name", "email", "telephone",
    "postcode", "country_id", "region", "city", "street", "company", "fax", "vat_id",
    "billing_firstname", "billing_lastname", "billing_full", "shipping_full", "dob", "taxvat",
    "gender", "is_active", "confirmed", "lock_expires_at", "created_at", "search_text",
    "custom_attributes",
)  # fmt: skip

# The grid row of each customer in [first, last], built in SQL exactly as grid.build_row does:
# " ".join of the non-empty parts, street lines joined by ", ", lower-cased search words, and the
# custom attribute values: the customer's, then the billing address's as "billing_<code>"
# (grid.grid_attribute_values). The generated customers have no custom attribute values, so
# no attribute's words join the search text.
_STREET = (
    "(SELECT string_agg(line, ', ' ORDER BY n) "
    "FROM jsonb_array_elements_text({a}.street) WITH ORDINALITY AS lines(line, n))"
)
_ONE_LINE = (
    "concat_ws(', ', nullif({s}.street, ''), nullif({a}.city, ''), nullif({a}.region, ''), "
    "nullif({a}.postcode, ''), nullif({a}.country_id, ''))"
)
FILL_GRID_SQL = f"""
INSERT INTO customers_customergridrow ({", ".join(GRID_COLUMNS)})
SELECT c.id, c.website_id, c.group_id, c.created_in_id,
       concat_ws(' ', nullif(c.firstname, ''), nullif(c.lastname, '')),
       c.email,
       coalesce(b.telephone, ''), coalesce(b.postcode, ''), coalesce(b.country_id, ''),
       coalesce(b.region, ''), coalesce(b.city, ''), coalesce(bs.street, ''),
       coalesce(b.company, ''), coalesce(b.fax, ''), coalesce(b.vat_id, ''),
       coalesce(b.firstname, ''), coalesce(b.lastname, ''),
       CASE WHEN b.id IS NULL THEN '' ELSE {_ONE_LINE.format(s="bs", a="b")} END,
       CASE WHEN s.id IS NULL THEN '' ELSE {_ONE_LINE.format(s="ss", a="s")} END,
       c.dob, c.taxvat, c.gender, c.is_active,
       NOT c.confirmation_required OR c.confirmed_at IS NOT NULL,
       c.lock_expires_at, c.created_at,
       lower(concat_ws(' ', nullif(c.firstname, ''), nullif(c.lastname, ''),
                       nullif(c.email, ''), nullif(c.taxvat, ''), nullif(c.number, ''),
                       nullif(b.telephone, ''), nullif(b.postcode, ''), nullif(b.city, ''),
                       nullif(b.region, ''), nullif(bs.street, ''), nullif(b.company, ''),
                       nullif(b.vat_id, ''))),
       c.custom_attributes || coalesce(
           (SELECT jsonb_object_agg('billing_' || e.key, e.value)
            FROM jsonb_each(b.custom_attributes) AS e), '{{}}'::jsonb)
FROM customers_customer c
LEFT JOIN customers_address b ON b.id = c.default_billing_id
LEFT JOIN LATERAL {_STREET.format(a="b")} AS bs(street) ON true
LEFT JOIN customers_address s ON s.id = c.default_shipping_id
LEFT JOIN LATERAL {_STREET.format(a="s")} AS ss(street) ON true
WHERE c.id BETWEEN %s AND %s
"""

SET_DEFAULTS_POSTGRESQL = """
UPDATE customers_customer c
SET default_billing_id = a.first_id, default_shipping_id = a.last_id
FROM (SELECT customer_id, min(id) AS first_id, max(id) AS last_id
      FROM customers_address WHERE customer_id BETWEEN %s AND %s GROUP BY customer_id) a
WHERE c.id = a.customer_id
"""
SET_DEFAULTS_SQLITE = """
UPDATE customers_customer
SET default_billing_id = (SELECT min(a.id) FROM customers_address a
                          WHERE a.customer_id = customers_customer.id),
    default_shipping_id = (SELECT max(a.id) FROM customers_address a
                           WHERE a.customer_id = customers_customer.id)
WHERE id BETWEEN %s AND %s
"""
BULK_TABLES = ("customers_customer", "customers_address", "customers_customergridrow")


class NotEnoughDiskSpace(Exception):
    """The database's disk has less free space than the load needs."""


@dataclass
class GenerateResult:
    """What ``generate`` loaded: row counts, the new customer id range and seconds per phase
    (the facts' phases included); ``facts`` holds the rows added per sales table (empty without
    facts), with the products and categories created."""

    vendor: str
    scale: float
    customers: int
    addresses: int
    first_id: int
    last_id: int
    seconds: dict[str, float] = field(default_factory=dict)
    facts: dict[str, int] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


@dataclass
class _Context:
    views: dict[str, Any]  # country -> store view
    groups: list[int]
    group_weights: list[int]
    password: str
    start: dt.datetime
    end: dt.datetime
    span_seconds: float


def _scope_data() -> _Context:
    """Make sure the demo's websites, store views and VIP group exist; return what rows need."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from patron.customers import demo
    from patron.customers.models import CustomerGroup
    from patron.scopes.models import StoreView

    demo._ensure_scopes()
    demo._ensure_groups()
    views = {}
    for view in StoreView.objects.select_related("store__website").order_by("pk"):
        views.setdefault(demo._view_country(view), view)
    by_code = dict(CustomerGroup.objects.values_list("code", "pk"))
    groups = [by_code[code] for code in GROUP_WEIGHTS if code in by_code]
    weights = [GROUP_WEIGHTS[code] for code in GROUP_WEIGHTS if code in by_code]
    end = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    start = end - dt.timedelta(days=365 * YEARS)
    return _Context(
        views=views,
        groups=groups,
        group_weights=weights,
        password=make_password(PASSWORD),
        start=start,
        end=end,
        span_seconds=(end - start).total_seconds(),
    )


@functools.cache
def _email_local(first: str, last: str) -> str:
    parts = []
    for name in (first, last):
        folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        parts.append("".join(ch for ch in folded.lower() if ch.isalnum()))
    return ".".join(part for part in parts if part) or "user"


def _table(weights: dict[Any, int]) -> list[Any]:
    """Return a list in which each key appears ``weight`` times, for fast weighted picks."""
    return [key for key, weight in weights.items() for _n in range(weight)]


def _pick(rng: random.Random, items: list[Any] | tuple[Any, ...]) -> Any:
    # rng.choice and rng.choices cost several times more; this runs ~10 times per row.
    return items[int(rng.random() * len(items))]


def _digits(rng: random.Random, count: int) -> str:
    return f"{int(rng.random() * 10**count):0{count}d}"


def _fill(pattern: str, rng: random.Random) -> str:
    """Replace each {dN} in ``pattern`` by N random digits."""
    for size in (2, 3, 7, 9):
        token = f"{{d{size}}}"
        while token in pattern:
            pattern = pattern.replace(token, _digits(rng, size), 1)
    return pattern


@functools.cache
def _postcode_format(pattern: str) -> tuple[str, int]:
    # As the demo does: every 9 of the city's pattern is a random digit.
    return pattern.replace("{", "{{").replace("}", "}}").replace("9", "{}"), pattern.count("9")


def _address(rng: random.Random, country: str, first: str, last: str) -> tuple:
    """Return (firstname, lastname, company, street lines, city, country, region, region code,
    postcode, telephone, fax, VAT number) of a random address in ``country``."""
    names, extra = COUNTRIES[country], EXTRAS[country]
    city, region, region_code, postcode_pattern = _pick(rng, names["cities"])
    street = [
        names["street_format"].format(
            street=_pick(rng, names["streets"]), number=1 + int(rng.random() * 240)
        )
    ]
    if rng.random() < 0.12:
        street.append(extra["second_line"].format(n=1 + int(rng.random() * 40)))
    postcode_format, size = _postcode_format(postcode_pattern)
    postcode = postcode_format.format(*_digits(rng, size)) if size else postcode_pattern
    company = vat_id = fax = ""
    if rng.random() < 0.08:
        company = _pick(rng, extra["companies"]).format(last=last)
        if extra["vat"] and rng.random() < 0.6:
            vat_id = _fill(extra["vat"], rng)
        if rng.random() < 0.3:
            fax = names["phone_prefix"] + _digits(rng, names["phone_digits"])
    telephone = names["phone_prefix"] + _digits(rng, names["phone_digits"])
    return (
        first, last, company, street, city, country, region, region_code, postcode, telephone,
        fax, vat_id,
    )  # fmt: skip


@dataclass
class _Chunk:
    customers: list[tuple]
    addresses: list[tuple]


def _chunks(
    rng: random.Random,
    context: _Context,
    total: int,
    first_id: int,
    first_address_id: int,
) -> Iterator[_Chunk]:
    """Yield customer and address rows in CUSTOMER_COLUMNS / ADDRESS_COLUMNS order, as Python
    values (JSON columns as their text), each customer's addresses in id order."""
    countries = _table(COUNTRY_WEIGHTS)
    groups = _table(dict(zip(context.groups, context.group_weights, strict=True)))
    address_counts = _table(ADDRESS_COUNT_WEIGHTS)
    views = {country: context.views.get(country) or context.views["US"] for country in COUNTRIES}
    empty_json = "{}"
    born_from = dt.date(1950, 1, 1)
    locked_until = context.end + dt.timedelta(days=1)
    address_id = first_address_id
    customers: list[tuple] = []
    addresses: list[tuple] = []
    for index in range(total):
        customer_id = first_id + index
        country = _pick(rng, countries)
        names, extra = COUNTRIES[country], EXTRAS[country]
        view = views[country]
        female = rng.random() < 0.5
        first = _pick(rng, names["female"] if female else names["male"])
        last = _pick(rng, names["last"])
        email = f"{_email_local(first, last)}.{customer_id:x}@{_pick(rng, extra['domains'])}"
        # Ids follow sign-up time, as they do in a real shop (with a little jitter).
        created = context.start + dt.timedelta(
            seconds=context.span_seconds * (index + rng.random()) / total
        )
        dob = (
            born_from + dt.timedelta(days=int(rng.random() * 365 * 55))
            if rng.random() < 0.6
            else None
        )
        confirmation_required = rng.random() < 0.1
        confirmed_at = created if confirmation_required and rng.random() < 0.7 else None
        customers.append(
            (
                customer_id, view.store.website_id, _pick(rng, groups), view.pk,
                "", first, "", last, "", email, dob,
                _fill(extra["taxvat"], rng) if rng.random() < 0.05 else "",
                2 if female else (1 if rng.random() < 0.95 else 3),
                rng.random() > 0.02, False, rng.random() < 0.1, context.password, created,
                confirmed_at, confirmation_required, "", "", "", False, 0, 0,
                # A few accounts locked after failed sign-ins, until the day after the newest
                # sign-up.
                locked_until if rng.random() < 0.001 else None,
                empty_json, created, created,
            )
        )  # fmt: skip
        for _n in range(_pick(rng, address_counts)):
            (a_first, a_last, company, street, city, a_country, region, region_code, postcode,
             telephone, fax, vat_id) = _address(rng, country, first, last)  # fmt: skip
            addresses.append(
                (
                    address_id, customer_id, "", a_first, "", a_last, "", company, json.dumps(street),
                    city, a_country, region, region_code, postcode, telephone, fax, vat_id, "",
                    empty_json, created, created,
                )
            )  # fmt: skip
            address_id += 1
        if len(customers) >= CHUNK:
            yield _Chunk(customers, addresses)
            customers, addresses = [], []
    if customers:
        yield _Chunk(customers, addresses)


def _database_path(connection) -> str | None:
    """Return a local directory on the database's file system, or None when it is unknown."""
    if connection.vendor == "sqlite":
        name = str(connection.settings_dict["NAME"])
        if name == ":memory:" or name.startswith("file:"):
            return None
        return os.path.dirname(os.path.abspath(name))
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW data_directory")
            path = cursor.fetchone()[0]
    except Exception:  # not a superuser: the setting is hidden
        return None
    return path if os.path.isdir(path) else None


def check_disk_space(connection, customers: int, facts: bool = False) -> tuple[int, int | None]:
    """Return (bytes needed, bytes free); raise ``NotEnoughDiskSpace`` when they do not fit.
    ``facts``: the customers' commerce facts (bench/facts.py) are loaded too."""
    from bench import facts as sales

    per_customer = BYTES_PER_CUSTOMER[connection.vendor]
    if facts:
        per_customer += sales.BYTES_PER_CUSTOMER[connection.vendor]
    needed = int(customers * per_customer * HEADROOM) + FIXED_RESERVE
    path = _database_path(connection)
    if path is None:
        return needed, None
    free = shutil.disk_usage(path).free
    if free < needed:
        what = f"{customers:,} customers" + (" and their commerce facts" if facts else "")
        raise NotEnoughDiskSpace(
            f"Not enough disk space for {what}: about {needed / 2**30:.1f} GiB "
            f"needed, {free / 2**30:.1f} GiB free under {path}. Choose a smaller --scale or free "
            "some space."
        )
    return needed, free


def _next_ids(cursor) -> tuple[int, int]:
    cursor.execute("SELECT coalesce(max(id), 0) FROM customers_customer")
    customer = cursor.fetchone()[0] + 1
    cursor.execute("SELECT coalesce(max(id), 0) FROM customers_address")
    address = cursor.fetchone()[0] + 1
    return customer, address


def _secondary_indexes(cursor, tables=BULK_TABLES) -> list[tuple[str, str]]:
    """Return (name, definition) of the indexes of ``tables`` that back no constraint."""
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(i.oid)
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        WHERE t.relname = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        ORDER BY t.relname, i.relname
        """,
        [list(tables)],
    )
    return list(cursor.fetchall())


class _Clock:
    def __init__(self, out: Callable[[str], None]):
        self.seconds: dict[str, float] = {}
        self.out = out
        self.started = time.perf_counter()

    def lap(self, phase: str, detail: str = "", exclude: float = 0.0) -> None:
        """End ``phase`` (less ``exclude`` seconds spent on another phase) and print it."""
        now = time.perf_counter()
        self.seconds[phase] = self.seconds.get(phase, 0.0) + now - self.started - exclude
        self.started = now
        self.out(f"  {phase:<22} {self.seconds[phase]:8.1f} s  {detail}")


def _load_postgresql(connection, chunks, first_ids, last_id, clock, bulk: bool) -> int:
    first_id, first_address_id = first_ids
    addresses = 0
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        triggers_off = bulk and _foreign_key_triggers_off(cursor)
        indexes = _secondary_indexes(cursor) if bulk else []
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        clock.lap("drop indexes", f"{len(indexes)} indexes")
        raw = cursor.cursor
        customer_sql = f"COPY customers_customer ({', '.join(CUSTOMER_COLUMNS)}) FROM STDIN"
        address_sql = f"COPY customers_address ({', '.join(ADDRESS_COLUMNS)}) FROM STDIN"
        for chunk in chunks:
            with raw.copy(customer_sql) as copy:
                for row in chunk.customers:
                    copy.write_row(row)
            with raw.copy(address_sql) as copy:
                for row in chunk.addresses:
                    copy.write_row(row)
            addresses += len(chunk.addresses)
        clock.lap("copy customers+addr", f"{last_id - first_id + 1:,} + {addresses:,} rows")
        cursor.execute(SET_DEFAULTS_POSTGRESQL, [first_id, last_id])
        clock.lap("set defaults (UPDATE)", f"{cursor.rowcount:,} rows")
        cursor.execute(FILL_GRID_SQL, [first_id, last_id])
        clock.lap("fill grid (INSERT)", f"{cursor.rowcount:,} rows")
        if triggers_off:
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
            _check_customer_keys(connection, cursor, first_id, first_address_id)
            clock.lap("foreign-key checks", "set-based")
        else:
            # The deferred checks must run before an index can be built on the table.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            clock.lap("foreign-key checks", "per-row triggers")
        for _name, definition in indexes:
            cursor.execute(definition)
        clock.lap("rebuild indexes", f"{len(indexes)} indexes")
        _move_sequences(cursor, ("customers_customer", "customers_address"))
    return addresses


def _move_sequences(cursor, tables) -> None:
    """Ids were given explicitly: move the identity sequences of ``tables`` past them."""
    for table in tables:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT setval('{sequence}', greatest((SELECT max(id) FROM {table}), "
            f"(SELECT last_value FROM {sequence})))"
        )


def _foreign_key_triggers_off(cursor) -> bool:
    """Skip the per-row foreign-key triggers for this transaction when allowed (superuser only);
    return whether they are off. ``_check_foreign_keys`` then checks all rows in a few joins."""
    cursor.execute("SELECT current_setting('is_superuser') = 'on'")
    if not cursor.fetchone()[0]:
        return False
    cursor.execute("SET LOCAL session_replication_role = replica")
    return True


def _check_customer_keys(connection, cursor, first_id: int, first_address_id: int) -> None:
    from patron.customers.models import Address, Customer, CustomerGridRow

    checks = [
        (Customer, "id", first_id),
        (Address, "id", first_address_id),
        (CustomerGridRow, "customer_id", first_id),
    ]
    _check_foreign_keys(connection, cursor, checks)


def _check_foreign_keys(connection, cursor, checks) -> None:
    """Raise ``AssertionError`` when a new row points at a row that does not exist. ``checks``
    lists (model, key column, first new key): the rows from that key on are the new ones."""
    quote = connection.ops.quote_name
    broken = []
    for model, key, start in checks:
        for f in model._meta.concrete_fields:
            if not f.is_relation:
                continue
            target = f.target_field
            cursor.execute(
                f"SELECT count(*) FROM {quote(model._meta.db_table)} t "
                f"LEFT JOIN {quote(target.model._meta.db_table)} r "
                f"ON r.{quote(target.column)} = t.{quote(f.column)} "
                f"WHERE t.{quote(key)} >= %s AND t.{quote(f.column)} IS NOT NULL "
                f"AND r.{quote(target.column)} IS NULL",
                [start],
            )
            count = cursor.fetchone()[0]
            if count:
                broken.append(f"{model._meta.db_table}.{f.column}: {count} rows")
    if broken:
        raise AssertionError("Rows point at missing rows: " + ", ".join(broken))


def _load_sqlite(connection, chunks, first_id, last_id, clock) -> int:
    from patron.customers import grid

    prep = _prep_sqlite(connection)
    inserts = {
        table: f"INSERT INTO {table} ({', '.join(columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
        for table, columns in (
            ("customers_customer", CUSTOMER_COLUMNS),
            ("customers_address", ADDRESS_COLUMNS),
            ("customers_customergridrow", GRID_COLUMNS),
        )
    }
    addresses = grid_rows = 0
    building = 0.0
    with connection.cursor() as cursor:
        for chunk in chunks:
            cursor.executemany(
                inserts["customers_customer"], [[prep(v) for v in row] for row in chunk.customers]
            )
            cursor.executemany(
                inserts["customers_address"], [[prep(v) for v in row] for row in chunk.addresses]
            )
            addresses += len(chunk.addresses)
            # The grid rows come from build_row itself, fed with the same values (the default
            # billing address is the first, the shipping address the last, as the UPDATE below
            # sets); written chunk by chunk so memory stays flat.
            started = time.perf_counter()
            built = [grid.build_row(customer) for customer in _grid_sources(chunk)]
            rows = [[prep(getattr(row, column)) for column in GRID_COLUMNS] for row in built]
            cursor.executemany(inserts["customers_customergridrow"], rows)
            grid_rows += len(rows)
            building += time.perf_counter() - started
        clock.lap(
            "insert customers+addr",
            f"{last_id - first_id + 1:,} + {addresses:,} rows",
            exclude=building,
        )
        cursor.execute(SET_DEFAULTS_SQLITE, [first_id, last_id])
        clock.lap("set defaults (UPDATE)", f"{cursor.rowcount:,} rows")
        clock.seconds["fill grid (build_row)"] = building
        clock.lap("fill grid (build_row)", f"{grid_rows:,} rows")
    return addresses


def _grid_sources(chunk: _Chunk) -> Iterator[SimpleNamespace]:
    """Yield each customer of ``chunk`` with its default addresses, as objects that build_row
    reads like model instances."""
    by_customer: dict[int, list[SimpleNamespace]] = {}
    for row in chunk.addresses:
        values = dict(zip(ADDRESS_COLUMNS, row, strict=True))
        values["street"] = json.loads(values["street"])
        values["custom_attributes"] = json.loads(values["custom_attributes"])
        by_customer.setdefault(values["customer_id"], []).append(SimpleNamespace(**values))
    for row in chunk.customers:
        values = dict(zip(CUSTOMER_COLUMNS, row, strict=True))
        values["custom_attributes"] = json.loads(values["custom_attributes"])
        own = by_customer.get(values["id"], [])
        billing, shipping = (own[0], own[-1]) if own else (None, None)
        customer = SimpleNamespace(
            **values, pk=values["id"], number=None, default_billing=billing,
            default_shipping=shipping,
        )  # fmt: skip
        yield customer


def verify_sample(first_id: int, last_id: int, size: int = SAMPLE, seed: int = 0) -> int:
    """Compare the stored grid rows of up to ``size`` customers in [first_id, last_id] with
    ``grid.build_row``; raise ``AssertionError`` naming the differences. Return how many."""
    from patron.customers import grid
    from patron.customers.models import Customer, CustomerGridRow

    population = range(first_id, last_id + 1)
    ids = random.Random(seed).sample(population, min(size, len(population)))
    stored = CustomerGridRow.objects.in_bulk(ids)
    customers = Customer.objects.filter(pk__in=ids).select_related(
        "default_billing", "default_shipping"
    )
    fields = CustomerGridRow._meta.concrete_fields
    problems = []
    for customer in customers:
        expected = grid.build_row(customer)
        row = stored.get(customer.pk)
        if row is None:
            problems.append(f"customer {customer.pk}: no grid row")
            continue
        for f in fields:
            if getattr(row, f.attname) != getattr(expected, f.attname):
                problems.append(
                    f"customer {customer.pk} {f.attname}: stored {getattr(row, f.attname)!r}, "
                    f"build_row {getattr(expected, f.attname)!r}"
                )
    if len(stored) != len(ids) or problems:
        raise AssertionError(
            f"{len(problems)} grid values differ from build_row:\n" + "\n".join(problems[:20])
        )
    return len(ids)


def generate(
    scale: float = DEFAULT_SCALE,
    seed: int = 1,
    *,
    using: str = "default",
    out: Callable[[str], None] = print,
    check_disk: bool = True,
    facts: bool = False,
) -> GenerateResult:
    """Add ``scale`` × 1,000,000 customers (with addresses and grid rows) to the database
    ``using`` and return what was loaded with the time of each phase. ``facts``: then add their
    commerce facts (``bench.facts.load``, its own transaction). Raises ``NotEnoughDiskSpace``
    before writing anything when the disk is too small, and ``AssertionError`` (rolling back
    the transaction at hand) when sampled grid rows differ from ``build_row`` or sampled orders
    do not add up."""
    from django.conf import settings
    from django.db import connections, transaction

    connection = connections[using]
    total = max(1, round(scale * FULL_SCALE_CUSTOMERS))
    if getattr(settings, "PRODUCTION", False):
        raise SystemExit("Refusing to add benchmark customers to a production-mode database.")
    vendor = connection.vendor
    if vendor not in BYTES_PER_CUSTOMER:
        raise SystemExit(f"Unsupported database: {vendor}")
    if check_disk:
        needed, free = check_disk_space(connection, total, facts=facts)
        free_text = "unknown (remote server?)" if free is None else f"{free / 2**30:.1f} GiB"
        out(f"disk: about {needed / 2**30:.1f} GiB needed, {free_text} free")
    out(f"generating {total:,} customers on {vendor} (scale {scale}, seed {seed})")
    clock = _Clock(out)
    rng = random.Random(seed)
    bulk = vendor == "postgresql" and total >= BULK_THRESHOLD
    with transaction.atomic(using=using):
        context = _scope_data()
        with connection.cursor() as cursor:
            first_id, first_address_id = _next_ids(cursor)
        last_id = first_id + total - 1
        chunks = _chunks(rng, context, total, first_id, first_address_id)
        clock.lap("prepare", "websites, groups, one password hash")
        if vendor == "postgresql":
            addresses = _load_postgresql(
                connection, chunks, (first_id, first_address_id), last_id, clock, bulk
            )
        else:
            addresses = _load_sqlite(connection, chunks, first_id, last_id, clock)
        checked = verify_sample(first_id, last_id, seed=seed)
        clock.lap("verify sample", f"{checked} rows equal build_row")
    _analyze(connection)
    clock.lap("vacuum/analyze")
    result = GenerateResult(
        vendor=vendor,
        scale=scale,
        customers=total,
        addresses=addresses,
        first_id=first_id,
        last_id=last_id,
        seconds=clock.seconds,
    )
    out(
        f"loaded {result.customers:,} customers and {result.addresses:,} addresses "
        f"in {result.total_seconds:.1f} s"
    )
    if facts:
        _add_facts(result, clock, bulk=bulk, seed=seed, using=using, out=out)
    return result


def _add_facts(result: GenerateResult, clock: "_Clock", *, bulk, seed, using, out) -> None:
    from bench import facts as sales

    started = result.total_seconds
    result.facts = sales.load(
        first_id=result.first_id, last_id=result.last_id, scale=result.scale, seed=seed,
        clock=clock, bulk=bulk, using=using,
    )  # fmt: skip
    out(
        f"loaded {sales.summary(result.facts)} in {result.total_seconds - started:.1f} s "
        f"({result.total_seconds:.1f} s in all)"
    )


def _analyze(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute("ANALYZE")
            return
        for table in BULK_TABLES:
            cursor.execute(
                f"VACUUM (ANALYZE) {table}"
                if not connection.in_atomic_block
                else f"ANALYZE {table}"
            )


ZERO = dt.timedelta(0)


def _prep_sqlite(connection) -> Callable[[Any], Any]:
    ops = connection.ops

    def prep(value: Any) -> Any:
        if isinstance(value, (list, dict)):
            return json.dumps(value)
        if isinstance(value, dt.datetime):
            # What Django stores: naive UTC text (the values here are already UTC).
            return (
                str(value.replace(tzinfo=None))
                if value.utcoffset() == ZERO
                else ops.adapt_datetimefield_value(value)
            )
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    return prep


def table_sizes(using: str = "default", facts: bool = False) -> dict[str, int]:
    """Return the bytes used by the three tables (with indexes), and by the sales tables with
    ``facts``, on PostgreSQL, else {}."""
    from django.db import connections

    from bench import facts as sales

    connection = connections[using]
    if connection.vendor != "postgresql":
        return {}
    tables = (*BULK_TABLES, *sales.TABLES) if facts else BULK_TABLES
    with connection.cursor() as cursor:
        return {
            table: _one(cursor, "SELECT pg_total_relation_size(%s)", [table]) for table in tables
        }


def database_size(using: str = "default") -> int | None:
    """Return the bytes of the whole database (PostgreSQL) or of its file (SQLite)."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            return _one(cursor, "SELECT pg_database_size(current_database())", [])
    path = _database_path(connection)
    name = str(connection.settings_dict["NAME"])
    return os.path.getsize(name) if path and os.path.exists(name) else None


def _one(cursor, sql: str, params: list[Any]) -> Any:
    cursor.execute(sql, params)
    return cursor.fetchone()[0]


def setup_django() -> None:
    """Start Django with Patron's settings (PATRON_MODE and PATRON_DATABASE_URL apply)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patron.settings")
    import django

    django.setup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scale",
        type=float,
        default=DEFAULT_SCALE,
        help="1.0 = 1,000,000 customers and about 1.6M addresses (default %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--facts",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also add the customers' commerce facts: orders, refunds, carts, wish lists, "
        "product views, and a catalogue if needed (default: on)",
    )
    args = parser.parse_args(argv)
    if args.scale <= 0:
        parser.error("--scale must be positive")
    setup_django()
    try:
        result = generate(args.scale, args.seed, facts=args.facts)
    except NotEnoughDiskSpace as error:
        print(error, file=sys.stderr)
        return 2
    _print_sizes(result, args.facts)
    return 0


def _print_sizes(result: GenerateResult, facts: bool) -> None:
    sizes = table_sizes(facts=facts)
    customers = max(result.customers, 1)
    if sizes:
        print(
            "on disk: "
            + ", ".join(f"{table} {size / 2**20:.0f} MiB" for table, size in sizes.items())
            + f" ({sum(sizes.values()) / customers:.0f} bytes per customer in total)"
        )
    size = database_size()
    if size is not None:
        print(f"database: {size / 2**20:.0f} MiB")


if __name__ == "__main__":
    sys.exit(main())
