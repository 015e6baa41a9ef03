"""The tracker's package is written with openpyxl's writer into memory (`xlsx_package.workbook_parts`):
the parts are byte for byte those `ExcelWriter` writes into a zip for the same workbook."""

from __future__ import annotations

import io
import zipfile

import pytest
from conftest import CONTEXT, make_plan
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.writer.excel import ExcelWriter

from exporter.theme import Theme
from exporter.writers import WriterOptions, xlsx
from exporter.writers.xlsx_package import workbook_parts, zip_parts


def _excel_writer_parts(workbook: Workbook) -> dict[str, bytes]:
    buffer = io.BytesIO()
    ExcelWriter(workbook, zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED)).save()
    return zip_parts(buffer.getvalue())


def _tracker_workbook(plan, theme: Theme) -> Workbook:
    book, _ = xlsx.built(plan, CONTEXT, theme, WriterOptions())
    return book.workbook


@pytest.mark.parametrize("name", [None, "Ada", "=2+2"])
def test_tracker_parts_are_excel_writers(builtin_plan, name):
    plan = builtin_plan if name is None else make_plan(builtin_plan.pathway, name=name)
    for theme in (Theme(), Theme(primary="#336699", paper="a4")):
        for _ in range(2):  # the second time with the stylesheet made before
            ours = workbook_parts(_tracker_workbook(plan, theme))
            assert ours == _excel_writer_parts(_tracker_workbook(plan, theme))


def test_a_new_set_of_styles_gets_its_own_stylesheet():
    styles = []
    for font in (Font(bold=True), Font(bold=True, color="FF0000"), Font(bold=True)):
        workbook = Workbook()
        workbook.active["A1"].font = font
        workbook.active["A2"].fill = PatternFill("solid", fgColor="1F3A5F")
        parts = workbook_parts(workbook)
        workbook = Workbook()
        workbook.active["A1"].font = font
        workbook.active["A2"].fill = PatternFill("solid", fgColor="1F3A5F")
        assert parts == _excel_writer_parts(workbook)
        styles.append(parts["xl/styles.xml"])
    assert styles[0] != styles[1] and styles[0] == styles[2]
