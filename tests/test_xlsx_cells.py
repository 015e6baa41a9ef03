"""The tracker writes its cells as XML itself (exporter/writers/xlsx_package.py): byte for byte what
openpyxl writes for the same cells, values, styles and row heights, once the package is finished."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, date, datetime

import pytest
from conftest import CONTEXT, make_plan
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.hyperlink import Hyperlink
from test_xlsx_package import zip_parts

from exporter.theme import Theme
from exporter.writers.xlsx import QUOTED, _Book, _held_rows, clean_text, style_id
from exporter.writers.xlsx_package import (
    Formula,
    _serial,
    finish_workbook,
    rows_sheet_data,
    sorted_sheet_data,
    workbook_parts,
)

STAMP = datetime(2027, 1, 1, tzinfo=UTC)
DATE_FORMATS = ("ddd d mmm yyyy", "[$-407]d mmm")
FORMATS = (None, "0.##", "+0.##;-0.##;0", "0%", *DATE_FORMATS)
FONTS = (None, Font(bold=True), Font(italic=True, color="5B6770"), Font(bold=True, color="FFFFFF", size=8))
FILLS = (None, PatternFill("solid", fgColor="1F3A5F"))
ALIGNMENTS = (None, Alignment(wrap_text=True, vertical="top"), Alignment(text_rotation=90, horizontal="center"))
_TRICKY_TEXT = st.sampled_from(["=SUM(A1)", "+1", "-", "@x", " lead", "trail ", "a & <b> > c", '"q"', "\t", "\r\n"])
TEXT = st.one_of(_TRICKY_TEXT, st.text(max_size=12), st.text(st.characters(max_codepoint=0x2FF), max_size=6))
NUMBER = st.one_of(
    st.integers(min_value=-(10**17), max_value=10**17),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
)
DAY = st.dates(min_value=date(1900, 3, 1), max_value=date(2200, 12, 31))
MOMENT = st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2200, 12, 31))
VALUE = st.one_of(
    st.none(), TEXT, NUMBER, DAY, MOMENT, st.builds(Formula, st.sampled_from(["SUM(A1:B2)", 'A1&"<x>"']), NUMBER)
)
STYLE = st.tuples(st.sampled_from(FORMATS), st.sampled_from(FONTS), st.sampled_from(FILLS), st.sampled_from(ALIGNMENTS))
CELLS = st.dictionaries(st.tuples(st.integers(1, 9), st.integers(1, 30)), st.tuples(VALUE, STYLE), max_size=40)
HEIGHTS = st.dictionaries(st.integers(1, 12), st.sampled_from([15.0, 30.0, 45.0, 48, 12.75]), max_size=4)


def put_text(cell, text: str) -> None:
    """Text in an openpyxl cell as the tracker stores it: never a formula, never an error value, whatever
    it starts with (`clean_text`, a quote prefix for `QUOTED`)."""
    clean = clean_text(text)
    cell.value = clean
    cell.data_type = "s"
    if clean[:1] in QUOTED:
        cell.quotePrefix = True


def _as_held(value, style):
    """The value and style as the tracker's `put` keeps them: text cleaned (empty text: no value), and a
    date or date-time always in a date format."""
    number_format, font, fill, alignment = style
    if isinstance(value, str):
        value = clean_text(value) or None
    if isinstance(value, date) and number_format not in DATE_FORMATS:
        number_format = DATE_FORMATS[0]
    return value, (number_format, font, fill, alignment)


def _finished_sheet(data: bytes) -> tuple[bytes, bytes, bytes]:
    package = zipfile.ZipFile(io.BytesIO(data))
    strings = package.read("xl/sharedStrings.xml") if "xl/sharedStrings.xml" in package.namelist() else b""
    return package.read("xl/worksheets/sheet1.xml"), strings, package.read("xl/styles.xml")


def _openpyxl_package(cells, heights) -> bytes:
    """The cells as openpyxl's own cells (styles set in cell order), finished with strings shared."""
    workbook = Workbook()
    sheet = workbook.active
    for (row, column), (value, (number_format, font, fill, alignment)) in sorted(cells.items()):
        cell = sheet.cell(row=row, column=column)
        if number_format:
            cell.number_format = number_format  # before a date value, which would get openpyxl's own format
        if isinstance(value, str):
            put_text(cell, value)
        elif isinstance(value, Formula):
            cell.value = "=" + value.text
        else:
            cell.value = value
        for name, style in (("font", font), ("fill", fill), ("alignment", alignment)):
            if style is not None:
                setattr(cell, name, style)
    for row, height in heights.items():
        sheet.row_dimensions[row].height = height
    buffer = io.BytesIO()
    workbook.save(buffer)
    return finish_workbook(zip_parts(buffer.getvalue()), STAMP, {})


def _own_package(cells, heights) -> bytes:
    """The same cells as the tracker writes them: values and style ids handed to `sorted_sheet_data`."""
    workbook = Workbook()
    sheet = workbook.active
    values = {}
    for position, (value, style) in sorted(cells.items()):
        quoted = isinstance(value, str) and value[:1] in QUOTED
        values[position] = (value, style_id(sheet, *style, quoted))
    cells = [(row, column, value, style) for (row, column), (value, style) in sorted(values.items())]
    written = {sheet.title: sorted_sheet_data(cells, heights)}
    return finish_workbook(workbook_parts(workbook), STAMP, written)


def _with_results(xml: bytes, cells) -> bytes:
    """openpyxl's sheet with each formula's cached number written in, as the tracker writes it."""

    def result(match: re.Match) -> bytes:
        letters, row = re.fullmatch(rb"([A-Z]+)(\d+)", match.group(1)).groups()
        column = sum((ord(char) - 64) * 26**power for power, char in enumerate(reversed(letters.decode())))
        value = cells[(int(row), column)][0].value
        number = f"{value:.15g}" if isinstance(value, float) else str(value)
        return match.group(0).replace(b"<v />", b"<v>" + number.encode() + b"</v>")

    return re.sub(rb'<c r="([A-Z]+\d+)"(?: s="\d+")?><f>.*?</f><v /></c>', result, xml)


@settings(max_examples=300, deadline=None)
@given(CELLS, HEIGHTS)
def test_cells_are_openpyxls_bytes(cells, heights):
    held = {position: _as_held(value, style) for position, (value, style) in cells.items()}
    expected_sheet, expected_strings, expected_styles = _finished_sheet(_openpyxl_package(held, heights))
    sheet, strings, styles = _finished_sheet(_own_package(held, heights))
    assert sheet == _with_results(expected_sheet, held)
    assert strings == expected_strings
    assert styles == expected_styles


def test_an_empty_sheet_is_openpyxls_empty_sheet():
    assert _finished_sheet(_own_package({}, {})) == _finished_sheet(_openpyxl_package({}, {}))


ROWS = st.lists(st.lists(st.one_of(st.none(), TEXT, NUMBER, DAY, MOMENT), max_size=7), max_size=12)


@settings(max_examples=300, deadline=None)
@given(ROWS)
def test_rows_of_values_are_their_cells(rows):
    """`rows_sheet_data` is `sorted_sheet_data` of the same cells from A1, the style asked once for each type of
    value (and first character of text), in cell order (a style for a value that is a date or quoted text, no
    style for the rest, as the plan inputs have them)."""
    held = [[clean_text(value) or None if isinstance(value, str) else value for value in row] for row in rows]
    asked, expected_asked = [], []

    def style(value, asked=asked) -> int:
        asked.append(value)
        return 1 if isinstance(value, date) else 2 if isinstance(value, str) and value[:1] in QUOTED else 0

    cells = [
        (number, column, value, style(value, expected_asked))
        for number, row in enumerate(held, start=1)
        for column, value in enumerate(row, start=1)
    ]
    firsts: dict = {}  # the first value of each kind, in cell order
    for value in expected_asked:
        firsts.setdefault(value[:1] if type(value) is str else type(value), value)
    assert rows_sheet_data(held, style) == sorted_sheet_data(cells, {})
    assert [(type(value), value) for value in asked] == [(type(value), value) for value in firsts.values()]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), TEXT, NUMBER, MOMENT), st.one_of(TEXT, DAY)), max_size=8))
def test_rows_of_values_hold_text_as_cells_do(rows):
    """The rows a sheet of rows of values keeps: each text as `clean_text` makes it (empty: None), checked for the
    whole sheet at once."""
    expected = [tuple(clean_text(value) or None if isinstance(value, str) else value for value in row) for row in rows]
    held = _held_rows(rows)
    assert [tuple(row) for row in held] == expected
    assert [[type(value) for value in row] for row in held] == [[type(value) for value in row] for row in expected]


LINKED = st.lists(st.tuples(TEXT, st.booleans()), min_size=1, max_size=8)


def _linked_packages(cells) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """Cells down column A as the tracker puts them (empty text: no value), some of them links to themselves in the
    Hyperlink style: as openpyxl's cells, and as XML cells with the links given to the sheet writer (styles
    registered in cell order)."""
    cells = [(text, link and bool(clean_text(text))) for text, link in cells]
    theirs = Workbook()
    for row, (text, link) in enumerate(cells, start=1):
        cell = theirs.active.cell(row=row, column=1)
        if clean_text(text):
            put_text(cell, text)
        if link:
            cell.hyperlink = "https://example.org/" + text
            cell.style = "Hyperlink"
    buffer = io.BytesIO()
    theirs.save(buffer)
    ours = Workbook()
    sheet, values, links = ours.active, [], []
    for row, (text, link) in enumerate(cells, start=1):
        held = clean_text(text) or None
        quoted = isinstance(held, str) and held[:1] in QUOTED
        values.append((row, 1, held, style_id(sheet, None, None, None, None, quoted, "Hyperlink" if link else None)))
        if link:
            links.append(Hyperlink(ref=f"A{row}", target="https://example.org/" + text))
    parts = workbook_parts(ours, links={sheet.title: links})
    written = finish_workbook(parts, STAMP, {sheet.title: sorted_sheet_data(values, {})})
    return zip_parts(finish_workbook(zip_parts(buffer.getvalue()), STAMP, {})), zip_parts(written)


@settings(max_examples=100, deadline=None)
@given(LINKED)
def test_links_given_to_the_sheet_are_openpyxls_cell_links(cells):
    """A sheet whose cells are XML and whose links are given to the package writer (the Resources sheet) is byte
    for byte openpyxl's sheet of the same cells with the links and the Hyperlink style on them."""
    theirs, ours = _linked_packages(cells)
    for name in ("xl/worksheets/sheet1.xml", "xl/worksheets/_rels/sheet1.xml.rels", "xl/styles.xml"):
        assert ours.get(name) == theirs.get(name), name
    assert ours.get("xl/sharedStrings.xml") == theirs.get("xl/sharedStrings.xml")


@settings(max_examples=500, deadline=None)
@given(st.one_of(MOMENT, st.datetimes(min_value=datetime(1899, 12, 30), max_value=datetime(1900, 3, 2))))
def test_a_date_times_serial_number_is_openpyxls(moment):
    """The serial number of a date-time, worked out without `to_excel`'s checks: its very value, also in the
    first days of 1900, which Excel counts from a day that did not exist."""
    assert repr(_serial(moment)) == repr(to_excel(moment))


def test_a_cells_links_are_written_last_one_kept_in_cell_order_and_their_style_is_not_restyled():
    """Links put out of cell order are handed to the sheet writer in cell order, a cell keeping its last
    link (as openpyxl's cells do); a link's cell refuses another style rather than losing the link's."""
    book = _Book(make_plan(), CONTEXT, Theme())
    sheet = book.sheet("resources", hyperlinks=True)
    book.put_link(sheet, 3, 1, "https://example.org/c")
    book.put_link(sheet, 1, 2, "https://example.org/b")
    book.put_link(sheet, 1, 1, "https://example.org/a")
    book.put_link(sheet, 3, 1, "https://example.org/c2")
    links = book.links_in_cell_order()[sheet.title]
    assert [(link.ref, link.target) for link in links] == [
        ("A1", "https://example.org/a"),
        ("B1", "https://example.org/b"),
        ("A3", "https://example.org/c2"),
    ]
    with pytest.raises(ValueError, match="Hyperlink style"):
        book.restyle(sheet, 1, 1, font=Font(bold=True))
    with pytest.raises(ValueError, match="Hyperlink style"):
        book.put(sheet, 1, 2, "https://example.org/b", number_format="0%")
