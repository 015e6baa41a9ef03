"""The tracker's package is written with openpyxl's writer into memory (`xlsx_package.workbook_parts`):
the parts are byte for byte those `ExcelWriter` writes into a zip for the same workbook. The zip archive is
written by hand (`xlsx_package._zip`): byte for byte what zipfile writes for the same parts."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pytest
from conftest import CONTEXT, make_plan
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.drawing.spreadsheet_drawing import OneCellAnchor
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.styles.stylesheet import write_stylesheet
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter
from openpyxl.xml.functions import tostring

from exporter.theme import Theme
from exporter.writers import WriterOptions, xlsx
from exporter.writers.xlsx_kept import KeptWorkbook, add_sheet
from exporter.writers.xlsx_package import DEFLATE_LEVEL, _stylesheet, _zip, workbook_parts


def zip_parts(data: bytes) -> dict[str, bytes]:
    """The parts of a zip package, by name."""
    source = zipfile.ZipFile(io.BytesIO(data))
    return {name: source.read(name) for name in source.namelist()}


def _excel_writer_parts(workbook: Workbook) -> dict[str, bytes]:
    buffer = io.BytesIO()
    ExcelWriter(workbook, zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED)).save()
    return zip_parts(buffer.getvalue())


@pytest.mark.parametrize(
    "settings", [{}, {"name": "Ada"}, {"name": "=2+2", "hours_per_week": 4}, {"hours_per_week": 15}]
)
def test_tracker_parts_are_excel_writers(builtin_plan, settings):
    """Also with the stylesheet and the charts made before, for another plan or the same one. openpyxl is given
    the tracker's own columns as column dimensions; the columns themselves are the golden outputs' check."""
    plan = make_plan(builtin_plan.pathway, **settings) if settings else builtin_plan
    for theme in (Theme(), Theme(primary="#336699", paper="a4")):
        for _ in range(2):
            book, _ = xlsx.built(plan, CONTEXT, theme, WriterOptions())
            ours = workbook_parts(book.workbook, book.chart_keys, book.columns)
            book, _ = xlsx.built(plan, CONTEXT, theme, WriterOptions())
            assert ours == _excel_writer_parts(with_column_dimensions(book))


def with_column_dimensions(book: xlsx._Book) -> Workbook:
    """The tracker's workbook with its columns (`_Book.columns`) as openpyxl's column dimensions."""
    for title, columns in book.columns.items():
        for number, column in columns.items():
            dimension = book.workbook[title].column_dimensions[get_column_letter(number)]
            dimension.width, dimension.hidden = column.width, column.hidden
    return book.workbook


def test_a_new_set_of_styles_gets_its_own_stylesheet():
    def styled(font: Font) -> Workbook:
        workbook = Workbook()
        workbook.properties.created = workbook.properties.modified = datetime(2027, 1, 1)  # not the clock's
        workbook.active["A1"].font = font
        workbook.active["A2"].fill = PatternFill("solid", fgColor="1F3A5F")
        return workbook

    styles = []
    for font in (Font(bold=True), Font(bold=True, color="FF0000"), Font(bold=True)):
        parts = workbook_parts(styled(font))
        assert parts == _excel_writer_parts(styled(font))
        styles.append(parts["xl/styles.xml"])
    assert styles[0] != styles[1] and styles[0] == styles[2]


STYLE_POOL = [Font(bold=True), Font(bold=True), Font(italic=True), PatternFill("solid", fgColor="1F3A5F")]
STYLE_POOL += [
    PatternFill("solid", fgColor="1F3A5F"),
    PatternFill("solid", fgColor="D9EAD3"),
    Alignment(wrap_text=True),
]
RULE_STYLES = [DifferentialStyle(font=Font(bold=True)), DifferentialStyle(fill=PatternFill("solid", fgColor="FF0000"))]
POOLED = st.sampled_from(range(len(STYLE_POOL)))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(POOLED, max_size=4), min_size=1, max_size=3), st.lists(st.sampled_from([0, 1]), max_size=2))
def test_stylesheets_kept_by_their_objects_are_openpyxls(cells, rules):
    """Workbooks whose cells take styles from a few objects (some equal to others) and whose rules register a few
    differential styles: each one's stylesheet, made once per process for its style objects, is openpyxl's."""
    for indexes in cells:
        workbook = KeptWorkbook()  # whose Normal style's objects are the same in every one, as in the tracker's
        sheet = add_sheet(workbook, "Styled")
        for row, index in enumerate(indexes, start=1):
            style = STYLE_POOL[index]
            name = {Font: "font", PatternFill: "fill", Alignment: "alignment"}[type(style)]
            setattr(sheet.cell(row, 1), name, style)
        for rule in rules:
            workbook._differential_styles.add(RULE_STYLES[rule])
        assert _stylesheet(workbook) == tostring(write_stylesheet(workbook))


def _columns_workbook() -> Workbook:
    workbook = Workbook()
    workbook.properties.created = workbook.properties.modified = datetime(2027, 1, 1)  # not the clock's
    sheet = workbook.active
    sheet.column_dimensions["B"].width = 5.5
    sheet.column_dimensions["C"].hidden = True
    sheet.column_dimensions.group("D", "F", outline_level=2, hidden=True)
    sheet.column_dimensions["H"].font = Font(italic=True)  # a column with a style
    sheet.column_dimensions["J"].bestFit = True
    sheet.column_dimensions["K"]  # only made: not written
    workbook.create_sheet("none")
    return workbook


def test_columns_are_excel_writers():
    assert workbook_parts(_columns_workbook()) == _excel_writer_parts(_columns_workbook())


CHARTS = st.lists(
    st.tuples(
        st.sampled_from([BarChart, LineChart]),
        st.one_of(st.builds("{}{}".format, st.sampled_from(["A", "B", "G", "AB"]), st.integers(1, 40)), st.none()),
        st.sampled_from([15, 16, 7.5, 22]),
        st.sampled_from([7.5, 10, 5.2]),
    ),
    max_size=3,
)


def _charted(sheets: list[list[tuple]]) -> Workbook:
    """A workbook with a sheet of charts (kind, anchor: a cell or None for an anchor object, width, height) each."""
    workbook = Workbook()
    workbook.properties.created = workbook.properties.modified = datetime(2027, 1, 1)  # not the clock's
    for number, charts in enumerate(sheets):
        sheet = workbook.create_sheet(f"S{number}")
        sheet.append([1, 2, 3])
        for kind, anchor, width, height in charts:
            chart = kind()
            chart.add_data(Reference(sheet, min_col=1, max_col=3, min_row=1), titles_from_data=True)
            chart.width, chart.height = width, height
            if anchor is None:
                anchor = OneCellAnchor()
                anchor._from.col, anchor._from.row = 2, 3
            sheet.add_chart(chart, anchor)
    return workbook


@settings(max_examples=25, deadline=None)
@given(st.lists(CHARTS, max_size=3))
def test_drawings_are_excel_writers(sheets):
    """Drawings of charts at generated cells and sizes (some anchored by an object), written twice, so the second
    workbook's drawings are those kept from the first."""
    for _ in range(2):
        assert workbook_parts(_charted(sheets)) == _excel_writer_parts(_charted(sheets))


def _zipfile_package(parts: dict[str, bytes], stamp: datetime) -> bytes:
    """The package as zipfile writes it: [Content_Types].xml first, each entry deflated at the tracker's level and
    stamped."""
    when = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second // 2 * 2)
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as package:
        for name in ["[Content_Types].xml", *sorted(name for name in parts if name != "[Content_Types].xml")]:
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            package.writestr(info, parts[name], compresslevel=DEFLATE_LEVEL)
    return output.getvalue()


PART_NAMES = st.one_of(
    st.sampled_from(["xl/workbook.xml", "xl/worksheets/sheet1.xml", "docProps/app.xml", "xl/théme/ü.xml", "a"]),
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x2FF, exclude_characters="\\"), min_size=1, max_size=12),
)
PART_DATA = st.one_of(
    st.binary(max_size=300),
    st.builds(lambda text, times: (text * times).encode(), st.text(max_size=40), st.integers(0, 2000)),
    st.sampled_from([b"", b'<?xml version="1.0"?><a/>', bytes(range(256)) * 40]),
    st.integers(1, 3000).map(  # where the deflate level shows
        lambda rows: "".join(f'<c r="A{row}"><v>{row * 7919 % 10007}</v></c>' for row in range(rows)).encode()
    ),
)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(PART_NAMES, PART_DATA, max_size=8).map(lambda parts: {"[Content_Types].xml": b"<Types/>", **parts}),
    st.datetimes(datetime(1970, 1, 1), datetime(2107, 12, 31)),
)
def test_the_package_is_zipfiles(parts, stamp):
    """Twice: the second time every part's deflated bytes are the ones kept from the first."""
    expected = _zipfile_package(parts, stamp)
    assert _zip(parts, stamp) == expected
    assert _zip(parts, stamp) == expected
    assert zip_parts(expected) == parts


@pytest.mark.parametrize("name", ["a\0b", "xl\\sheet.xml"])
def test_a_name_zipfile_would_change_is_refused(name):
    with pytest.raises(ValueError, match="NUL or a backslash"):
        _zip({"[Content_Types].xml": b"", name: b"x"}, datetime(2027, 1, 1))
