import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patron.core.writers import CHUNK_ROWS, csv_chunks, excel_xml_chunks, neutralize_formula

SS = "{urn:schemas-microsoft-com:office:spreadsheet}"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "|")
XML_FORBIDDEN = {chr(c) for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)} | {"\ufffe", "\uffff"}

cell_text = st.text(max_size=30)
rows_of_text = st.lists(st.lists(cell_text, min_size=1, max_size=5), max_size=8)


def read_csv(data: bytes, encoding: str = "utf-8") -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding), newline="")))


def parse(data: bytes) -> ET.Element:
    return ET.fromstring(data)  # noqa: S314 - the writer's own output, not outside input


def read_cells(data: bytes) -> list[list[tuple[str, str]]]:
    """Return each row of the workbook as (type, text) pairs."""
    root = parse(data)
    table = root.find(f"{SS}Worksheet/{SS}Table")
    return [
        [(c.find(f"{SS}Data").get(f"{SS}Type"), c.find(f"{SS}Data").text or "") for c in row]
        for row in table.findall(f"{SS}Row")
    ]


def expected_excel_text(value: str) -> str:
    return neutralize_formula("".join(ch for ch in value if ch not in XML_FORBIDDEN))


# --- CSV ----------------------------------------------------------------------------------------


def test_csv_quotes_commas_quotes_and_newlines():
    # when
    data = b"".join(csv_chunks(["a", "b", "c", "d"], [["x,y", 'say "hi"', "one\ntwo", "plain"]]))

    # then
    assert data == b'a,b,c,d\r\n"x,y","say ""hi""","one\ntwo",plain\r\n'


def test_csv_writes_values_as_text():
    # when
    data = b"".join(
        csv_chunks(
            ["none", "yes", "no", "when", "day", "amount", "count"],
            [
                [
                    None,
                    True,
                    False,
                    dt.datetime(2024, 1, 2, 3, 4, 5, 678),
                    dt.date(2024, 1, 2),
                    Decimal("1.50"),
                    7,
                ]
            ],
        )
    )

    # then
    assert read_csv(data)[1] == ["", "1", "0", "2024-01-02 03:04:05", "2024-01-02", "1.50", "7"]


def test_utf8_with_byte_order_mark():
    # when
    chunks = list(
        csv_chunks(["name"], [[f"Zoë {i}"] for i in range(CHUNK_ROWS + 1)], byte_order_mark=True)
    )

    # then
    data = b"".join(chunks)
    assert data.startswith(b"\xef\xbb\xbfname\r\nZo\xc3\xab 0\r\n")
    assert data.count(b"\xef\xbb\xbf") == 1
    assert not chunks[1].startswith(b"\xef\xbb\xbf")


def test_utf8_without_byte_order_mark():
    # when
    data = b"".join(csv_chunks(["name"], [["Zoë"]]))

    # then
    assert data == b"name\r\nZo\xc3\xab\r\n"


def test_byte_order_mark_is_only_written_for_utf8():
    # when
    data = b"".join(csv_chunks(["name"], [["Müller €"]], encoding="cp1252", byte_order_mark=True))

    # then
    assert data == b"name\r\nM\xfcller \x80\r\n"


def test_cp1252_refuses_a_character_it_cannot_encode():
    # given
    chunks = csv_chunks(["name"], [["Müller"], ["Ωmega"]], encoding="cp1252")

    # when / then
    with pytest.raises(UnicodeEncodeError):
        b"".join(chunks)


def test_csv_chunks_equal_the_one_shot_output():
    # given
    rows = [[i, f"name, {i}", f'quote "{i}"', f"line\n{i}"] for i in range(2 * CHUNK_ROWS + 1)]
    expected = io.StringIO()
    csv.writer(expected, lineterminator="\r\n").writerows([["id", "name", "quote", "note"], *rows])

    # when
    chunks = list(csv_chunks(["id", "name", "quote", "note"], rows))

    # then
    assert len(chunks) == 3
    assert b"".join(chunks) == expected.getvalue().encode("utf-8")
    assert read_csv(chunks[2]) == [["1000", "name, 1000", 'quote "1000"', "line\n1000"]]


@given(header=st.lists(cell_text, min_size=1, max_size=5), rows=rows_of_text)
def test_any_text_survives_a_csv_round_trip(header, rows):
    # when
    data = b"".join(csv_chunks(header, rows))

    # then
    assert read_csv(data) == [header, *rows]


# --- Excel XML ----------------------------------------------------------------------------------


def test_excel_xml_is_well_formed_and_typed():
    # when
    data = b"".join(
        excel_xml_chunks(
            ["id", "name", "amount", "ratio", "active", "none", "day"],
            [[1, "Ann & <Bob>", Decimal("12.50"), 0.25, True, None, dt.date(2024, 1, 2)]],
            sheet_name='Customers "all"',
        )
    )

    # then
    root = parse(data)
    assert root.find(f"{SS}Worksheet").get(f"{SS}Name") == 'Customers "all"'
    assert read_cells(data) == [
        [("String", "id"), ("String", "name"), ("String", "amount"), ("String", "ratio"),
         ("String", "active"), ("String", "none"), ("String", "day")],
        [("Number", "1"), ("String", "Ann & <Bob>"), ("Number", "12.50"), ("Number", "0.25"),
         ("String", "1"), ("String", ""), ("String", "2024-01-02")],
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        pytest.param("=SUM(A1:A2)", "'=SUM(A1:A2)", id="equals_case"),
        pytest.param("+1+1", "'+1+1", id="plus_case"),
        pytest.param("-2+3", "'-2+3", id="minus_case"),
        pytest.param("@cmd", "'@cmd", id="at_case"),
        pytest.param(
            "\x00=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0", id="hidden_behind_control_case"
        ),
        pytest.param("a=b", "a=b", id="inner_equals_case"),
    ],
)
def test_formula_like_text_is_neutralized(value, shown):
    # when
    data = b"".join(excel_xml_chunks(["value"], [[value]]))

    # then
    assert read_cells(data)[1] == [("String", shown)]


def test_negative_numbers_stay_numbers():
    # when
    data = b"".join(excel_xml_chunks(["value"], [[-5], [Decimal("-1.5")]]))

    # then
    assert read_cells(data)[1:] == [[("Number", "-5")], [("Number", "-1.5")]]


def test_control_characters_are_dropped():
    # when
    data = b"".join(excel_xml_chunks(["na\x07me"], [["a\x00b\x1fc\ufffe"]], sheet_name="S\x01heet"))

    # then
    assert read_cells(data) == [[("String", "name")], [("String", "abc")]]
    assert parse(data).find(f"{SS}Worksheet").get(f"{SS}Name") == "Sheet"


def test_excel_chunks_equal_the_one_shot_output():
    # given
    rows = [[i, f"name {i}"] for i in range(2 * CHUNK_ROWS + 1)]

    # when
    chunks = list(excel_xml_chunks(["id", "name"], rows))
    one_shot = list(excel_xml_chunks(["id", "name"], rows[: CHUNK_ROWS - 1]))

    # then
    assert len(chunks) == 3
    assert len(one_shot) == 1
    cells = read_cells(b"".join(chunks))
    assert len(cells) == 2 * CHUNK_ROWS + 2
    assert cells[-1] == [("Number", "1000"), ("String", "name 1000")]


@given(header=st.lists(cell_text, min_size=1, max_size=5), rows=rows_of_text)
def test_any_text_survives_an_excel_round_trip_after_neutralization(header, rows):
    # when
    data = b"".join(excel_xml_chunks(header, rows))

    # then
    cells = read_cells(data)
    assert cells == [[("String", expected_excel_text(v)) for v in row] for row in [header, *rows]]
    assert not any(text.startswith(FORMULA_STARTS) for row in cells for _kind, text in row)
