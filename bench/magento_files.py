"""Write Magento-layout customer files for benchmarks, with the customers of ``bench.generate``.

``write_composite(path, rows)`` writes a Customers and Addresses file (Magento's
``customer_composite`` layout, patron/transfer/layouts.py) of exactly ``rows`` rows: each
customer's first row carries the customer and their first address, continuation rows (empty
``email``) add their other addresses (1 to 3 per customer, 1.6 on average, so about
``rows / 1.6`` customers). Names, streets, cities, postcodes and phones come from the same
tables and helpers as ``bench.generate``; the websites and store views are the demo's (created
if missing). Every customer has the same Magento hash in ``password_hash`` (SHA-256,
version 1, of ``bench.generate.PASSWORD``) and ``password`` is empty, so the import hashes
nothing.

    python -m bench.magento_files --rows 1000000 /tmp/composite.csv
"""

import argparse
import csv
import datetime as dt
import hashlib
import random
import time
from pathlib import Path

from bench.generate import (
    ADDRESS_COUNT_WEIGHTS,
    COUNTRY_WEIGHTS,
    EXTRAS,
    PASSWORD,
    _address,
    _email_local,
    _pick,
    _scope_data,
    _table,
    setup_django,
)
from patron.customers.demo_names import COUNTRIES

SALT = "BenchSaltBenchSaltBenchSalt12345"
GENDERS = {1: "Male", 2: "Female", 3: "Not Specified"}


def magento_hash(password: str = PASSWORD, salt: str = SALT) -> str:
    """Magento 2's SHA-256 hash (version 1) of ``password``: ``hash:salt:1``."""
    return f"{hashlib.sha256((salt + password).encode()).hexdigest()}:{salt}:1"


def _tokyo(number: str) -> str:
    digits = number.removeprefix("+81 3 ")
    return f"+81 3 {'1' if digits[0] == '0' else digits[0]}{digits[1:]}"


def write_composite(path: Path, rows: int, *, seed: int = 15) -> tuple[int, int]:
    """Write the composite file; return (rows, customers) written. Needs Django set up."""
    from patron.transfer import layouts

    context = _scope_data()
    rng = random.Random(seed)
    header = list(layouts.COMPOSITE_COLUMNS)
    position = {column: index for index, column in enumerate(header)}
    countries = _table(COUNTRY_WEIGHTS)
    groups = _table(dict(zip(context.groups, context.group_weights, strict=True)))
    address_counts = _table(ADDRESS_COUNT_WEIGHTS)
    views = {country: context.views.get(country) or context.views["US"] for country in COUNTRIES}
    scope = {
        country: (view.store.website.code, view.code, view.name) for country, view in views.items()
    }
    hashed = magento_hash()
    born_from = dt.date(1950, 1, 1)
    customers = written = 0
    width = len(header)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        while written < rows:
            customers += 1
            country = _pick(rng, countries)
            names, extra = COUNTRIES[country], EXTRAS[country]
            female = rng.random() < 0.5
            first = _pick(rng, names["female"] if female else names["male"])
            last = _pick(rng, names["last"])
            website, store, store_name = scope[country]
            created = context.start + dt.timedelta(
                seconds=context.span_seconds * min(written, rows - 1) / rows
            )
            dob = born_from + dt.timedelta(days=int(rng.random() * 365 * 55))
            row = [""] * width
            row[position["email"]] = (
                f"{_email_local(first, last)}.{customers:x}@{_pick(rng, extra['domains'])}"
            )
            row[position["_website"]] = website
            row[position["_store"]] = store
            row[position["created_at"]] = created.strftime("%Y-%m-%d %H:%M:%S")
            row[position["created_in"]] = store_name
            row[position["disable_auto_group_change"]] = "0"
            row[position["dob"]] = dob.isoformat() if rng.random() < 0.6 else ""
            row[position["firstname"]] = first
            row[position["lastname"]] = last
            row[position["gender"]] = GENDERS[2 if female else (1 if rng.random() < 0.95 else 3)]
            row[position["group_id"]] = str(_pick(rng, groups))
            row[position["password_hash"]] = hashed
            count = min(_pick(rng, address_counts), rows - written)
            for number in range(count):
                if number:
                    row = [""] * width
                (a_first, a_last, company, street, city, a_country, region, _code, postcode,
                 telephone, fax, vat_id) = _address(rng, country, first, last)  # fmt: skip
                if country == "JP":
                    # Tokyo numbers cannot start with 0 after the area code (phonenumbers
                    # refuses the generator's "+81 3 0…", about 1 in 10 of them).
                    telephone = _tokyo(telephone)
                    fax = _tokyo(fax) if fax else ""
                for column, value in (
                    ("city", city), ("company", company), ("country_id", a_country),
                    ("fax", fax), ("firstname", a_first), ("lastname", a_last),
                    ("postcode", postcode), ("region", region), ("street", "\n".join(street)),
                    ("telephone", telephone), ("vat_id", vat_id),
                ):  # fmt: skip
                    row[position["_address_" + column]] = value
                row[position[layouts.DEFAULT_BILLING]] = "1" if number == 0 else "0"
                row[position[layouts.DEFAULT_SHIPPING]] = "1" if number == count - 1 else "0"
                writer.writerow(row)
                written += 1
    return written, customers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args(argv)
    setup_django()
    started = time.perf_counter()
    rows, customers = write_composite(args.path, args.rows, seed=args.seed)
    seconds = time.perf_counter() - started
    print(f"{rows} rows, {customers} customers, {args.path.stat().st_size} bytes, {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
