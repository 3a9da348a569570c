"""Malformed CSV (broken quoting, wrong encodings, BOM, huge fields, missing columns) gives
row-numbered problems and never a partial batch."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patron.customers.models import Customer
from patron.transfer import layouts
from patron.transfer.services import import_file

HEADER = b"email,_website,firstname,lastname\r\n"


def good_row(number: int) -> bytes:
    return f"c{number}@example.com,base,Ann,Lee\r\n".encode()


BREAKAGES = {
    "unclosed_quote": b'x@example.com,base,"Ann,Lee\r\n',
    "latin1": "\u00e9@example.com,base,Ren\u00e9,Lee\r\n".encode("latin-1"),
    "too_few_cells": b"x@example.com,base\r\n",
    "too_many_cells": b"x@example.com,base,Ann,Lee,extra\r\n",
    "huge_field": b"x@example.com,base," + b"A" * 200_000 + b",Lee\r\n",
}


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    before=st.integers(min_value=0, max_value=5),
    after=st.integers(min_value=0, max_value=3),
    breakage=st.sampled_from(sorted(BREAKAGES)),
    bom=st.booleans(),
)
def test_a_broken_row_is_reported_by_number_and_no_batch_is_half_written(
    website_a, tmp_path, before, after, breakage, bom
):
    # given: good rows, one broken row, more good rows; batches of two rows
    Customer.objects.all().delete()
    content = (b"\xef\xbb\xbf" if bom else b"") + HEADER
    content += b"".join(good_row(n) for n in range(before))
    content += BREAKAGES[breakage]
    content += b"".join(good_row(100 + n) for n in range(after))
    path = tmp_path / "broken.csv"
    path.write_bytes(content)

    # when
    result = import_file(path, entity=layouts.CUSTOMER, batch_size=2, allowed_errors=0)

    # then: the broken row is named, the check stopped the import before any write
    assert result.problems, breakage
    assert result.problems[0].row == before + 1
    assert result.ok is False
    assert Customer.objects.count() == 0


@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300))
def test_arbitrary_bytes_never_crash_the_check(website_a, tmp_path, data):
    # given
    path = tmp_path / "noise.csv"
    path.write_bytes(HEADER + data)

    # when
    result = import_file(path, entity=layouts.CUSTOMER, check_only=True)

    # then: every problem has a row number within the file and a reason
    lines = (HEADER + data).count(b"\n") + 1
    assert all(0 <= p.row <= lines and p.message for p in result.problems)


def test_missing_required_column_is_a_header_problem(website_a, tmp_path):
    # given
    path = tmp_path / "no-website.csv"
    path.write_bytes(b"email,firstname,lastname\r\nx@example.com,Ann,Lee\r\n")

    # when
    result = import_file(path, entity=layouts.CUSTOMER)

    # then
    assert (result.file_problem.row, result.file_problem.code) == (0, "missing_column")
    assert result.file_problem.column == "_website"
    assert not Customer.objects.exists()


def test_a_bom_is_dropped_from_the_first_column_name(website_a, tmp_path):
    # given
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + HEADER + good_row(1))

    # when
    result = import_file(path, entity=layouts.CUSTOMER)

    # then
    assert result.ok and result.counts.customers_added == 1
