"""Streaming writers for exports: CSV and Excel XML (SpreadsheetML 2003).

Both take a header and an iterable of rows and yield encoded chunks, so an export of a million
rows never holds more than one chunk in memory and can feed a ``StreamingHttpResponse`` or a
file. CSV is written raw (Magento-layout files must import back unchanged); Excel XML
neutralizes values a spreadsheet would run as formulas.
"""

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

CHUNK_ROWS = 500

# XML 1.0 forbids most control characters even when escaped; drop them rather than write a
# file Excel refuses to open.
_INVALID_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Cells starting with these are treated as formulas (or DDE) by spreadsheet programs.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "|")
_CELL_ENTITIES = {"\r": "&#13;"}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    return str(value)


def csv_chunks(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    encoding: str = "utf-8",
    byte_order_mark: bool = False,
) -> Iterator[bytes]:
    """Yield a CSV file (RFC 4180 quoting, ``\\r\\n`` line ends) in encoded chunks.

    ``byte_order_mark`` adds a UTF-8 BOM so that Excel recognises the encoding; Magento-layout
    files leave it off. Characters the encoding cannot represent raise ``UnicodeEncodeError``
    rather than being replaced silently.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    prefix = "\ufeff" if byte_order_mark and encoding.lower().replace("-", "") == "utf8" else ""
    writer.writerow([_text(name) for name in header])
    for count, row in enumerate(rows, start=1):
        writer.writerow([_text(value) for value in row])
        if count % CHUNK_ROWS == 0:
            yield (prefix + buffer.getvalue()).encode(encoding)
            prefix = ""
            buffer.seek(0)
            buffer.truncate()
    yield (prefix + buffer.getvalue()).encode(encoding)


def neutralize_formula(text: str) -> str:
    """Return ``text`` so that a spreadsheet shows it as text instead of evaluating it."""
    if text.startswith(_FORMULA_PREFIXES):
        return "'" + text
    return text


def _xml_cell(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        kind, text = "String", _text(value)
    elif isinstance(value, (int, float, Decimal)):
        kind, text = "Number", str(value)
    elif isinstance(value, (dt.date, dt.datetime)):
        kind, text = "String", _text(value)
    else:
        # Dropped before neutralizing, so "\x00=cmd|..." cannot turn into a formula afterwards.
        kind, text = "String", neutralize_formula(_INVALID_XML_CHARS.sub("", str(value)))
    text = _INVALID_XML_CHARS.sub("", text)
    # A literal carriage return would be read back as a line feed (XML end-of-line handling).
    return f'<Cell><Data ss:Type="{kind}">{escape(text, _CELL_ENTITIES)}</Data></Cell>'


def _xml_row(values: Sequence[Any]) -> str:
    return "<Row>" + "".join(_xml_cell(value) for value in values) + "</Row>\n"


def excel_xml_chunks(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet_name: str = "Sheet1"
) -> Iterator[bytes]:
    """Yield an Excel 2003 XML workbook (one worksheet) in UTF-8 chunks."""
    safe_sheet = escape(_INVALID_XML_CHARS.sub("", sheet_name)[:31], {'"': "&quot;"}) or "Sheet1"
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<?mso-application progid="Excel.Sheet"?>\n'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        'xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:x="urn:schemas-microsoft-com:office:excel" '
        'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet" '
        'xmlns:html="http://www.w3.org/TR/REC-html40">\n'
        f'<Worksheet ss:Name="{safe_sheet}">\n<Table>\n'
    )
    parts = [head, _xml_row([_text(name) for name in header])]
    for count, row in enumerate(rows, start=1):
        parts.append(_xml_row(row))
        if count % CHUNK_ROWS == 0:
            yield "".join(parts).encode("utf-8")
            parts = []
    parts.append("</Table>\n</Worksheet>\n</Workbook>\n")
    yield "".join(parts).encode("utf-8")


EXPORT_FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xml": ("application/vnd.ms-excel", "xml"),
}
