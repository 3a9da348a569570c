"""Telephone numbers worked out one batch ahead, in a second process.

Parsing, checking and formatting a number with phonenumbers is the largest single cost of an
address row (about a tenth of a millisecond, more than the rest of the address's checks). It
depends only on the number and its country, so while the import checks and writes one batch, a
worker process normalizes the numbers of the next; the batch then reads the answers from
``context.telephones`` instead of computing them. A number whose country comes from the stored
address, not the row, is simply computed in place, so the answers never change, only where
they are computed.

The worker is started from the second batch on (a one-batch file gains nothing from it) and
only on a machine with more than one processor. It is forked, touches no database and exits
with the import.
"""

import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager

from patron.customers.address_rules import normalize_telephone
from patron.transfer import layouts
from patron.transfer.imports.context import Context
from patron.transfer.imports.reading import Batch

Pairs = list[tuple[str, str]]
Answers = dict[tuple[str, str], str | None]

# The columns holding an address's number and country, per entity.
COLUMNS = {
    layouts.CUSTOMER_COMPOSITE: (
        layouts.ADDRESS_PREFIX + "telephone",
        layouts.ADDRESS_PREFIX + "country_id",
    ),
    layouts.CUSTOMER_ADDRESS: ("telephone", "country_id"),
}


def normalize_all(pairs: Pairs) -> Answers:
    return {(number, country): normalize_telephone(number, country) for number, country in pairs}


def batch_pairs(batch: Batch, telephone: str, country: str) -> Pairs:
    """The distinct (number, country) pairs of the batch's rows, as the address check will
    look them up (both stripped, the country in upper case)."""
    pairs = set()
    for row in batch.rows:
        cells = row.cells
        number = cells.get(telephone, "").strip()
        code = cells.get(country, "").strip().upper()
        if number and code and number != layouts.EMPTY_VALUE:
            pairs.add((number, code))
    return sorted(pairs)


def _wanted() -> bool:
    return (os.cpu_count() or 1) > 1 and "fork" in multiprocessing.get_all_start_methods()


@contextmanager
def telephones_ahead(context: Context, batches: Iterable[Batch]) -> Iterator[Iterator[Batch]]:
    """Yield the batches in order, each with its numbers' answers in ``context.telephones``
    (worked out in a worker process while the batch before it was processed)."""
    columns = COLUMNS.get(context.entity)
    if columns is None or not _wanted():
        yield iter(batches)
        return
    pool: ProcessPoolExecutor | None = None

    def start() -> ProcessPoolExecutor:
        nonlocal pool
        if pool is None:
            pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
        return pool

    def ahead() -> Iterator[Batch]:
        pending: tuple[Batch, Future | None] | None = None
        for batch in batches:
            if pending is None:
                # The first batch is checked at once; its numbers are computed in place.
                pending = (batch, None)
                continue
            future = start().submit(normalize_all, batch_pairs(batch, *columns))
            yield _with_answers(context, *pending)
            pending = (batch, future)
        if pending is not None:
            yield _with_answers(context, *pending)

    try:
        yield ahead()
    finally:
        context.telephones = {}
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _with_answers(context: Context, batch: Batch, future: Future | None) -> Batch:
    context.telephones = future.result() if future is not None else {}
    return batch
