"""The tracker's package is written with openpyxl's writer into memory (`xlsx_package.workbook_parts`):
the parts are byte for byte those `ExcelWriter` writes into a zip for the same workbook."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pytest
from conftest import CONTEXT, make_plan
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from exporter.theme import Theme
from exporter.writers import WriterOptions, xlsx
from exporter.writers.xlsx_package import workbook_parts


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
