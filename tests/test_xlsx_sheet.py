"""The tracker's sheets are written without openpyxl's `WorksheetWriter` (exporter/writers/xlsx_sheet.py):
byte for byte what it writes, with the same relationships and effects, over generated sheet settings and
for every sheet of tracker workbooks, each setting's element kept per process from one sheet to the next."""

from __future__ import annotations

import copy
import io

from conftest import CONTEXT, make_plan
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import DataBarRule, FormulaRule
from openpyxl.styles import Border, Font, PatternFill, Side
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo
from openpyxl.xml.functions import tostring
from test_tracker_carry import carried
from test_xlsx_package import with_column_dimensions

from exporter.theme import Theme
from exporter.writers import REGISTRY, WriterOptions, output_context, xlsx
from exporter.writers.xlsx_kept import SHARED
from exporter.writers.xlsx_sheet import SheetColumn, settled, sheet_xml

TEXT = st.one_of(
    st.sampled_from(["", "Done", "a & b", "<x>", '"q"', "P&L &P", "100%", "Ünïcödé ✓", "&[Page] of &[Pages]"]),
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x2FF), max_size=10),
)
CELL = st.builds("{}{}".format, st.sampled_from(["A", "B", "C", "H", "AA"]), st.integers(1, 40))
COLOUR = st.sampled_from(["1F3A5F", "D9EAD3", "FF0000"])
RULE = st.one_of(
    st.builds(
        lambda formula, colour, stop, bold: FormulaRule(
            formula=[formula], fill=PatternFill("solid", fgColor=colour), font=Font(bold=bold), stopIfTrue=stop
        ),
        st.sampled_from(['$A2="Done"', "AND($B3<TODAY(),C$2>=1)"]),
        COLOUR,
        st.sampled_from([None, True]),
        st.booleans(),
    ),
    st.builds(
        lambda colour: FormulaRule(formula=["TODAY()>A$1"], border=Border(left=Side(style="medium", color=colour))),
        COLOUR,
    ),
    st.builds(
        lambda colour: DataBarRule(start_type="num", start_value=0, end_type="num", end_value=1, color=colour), COLOUR
    ),
)
VALIDATION = st.builds(
    lambda kind, title, prompt, blank: DataValidation(
        type=kind,
        formula1={"list": '"Yes,No"', "decimal": "0", "date": "DATE(2000,1,1)"}[kind],
        allow_blank=blank,
        showInputMessage=bool(prompt),
        promptTitle=title[:32] or None,
        prompt=prompt or None,
    ),
    st.sampled_from(["list", "decimal", "date"]),
    TEXT,
    TEXT,
    st.booleans(),
)
SPEC = st.fixed_dictionaries(
    {
        "freeze": st.one_of(st.none(), CELL),
        "widths": st.dictionaries(st.integers(1, 30), st.sampled_from([0, 3.2, 8, 12.5, 44, 90]), max_size=6),
        "hidden": st.lists(st.integers(1, 30), max_size=2),
        "rules": st.lists(st.tuples(st.sampled_from(["A2:E9", "G3:CH27", "B2"]), RULE), max_size=4),
        "validations": st.lists(st.tuples(VALIDATION, st.sampled_from(["C2:C9", "D2:D81", "F2"])), max_size=3),
        "landscape": st.sampled_from([None, True, False]),
        "paper": st.sampled_from([None, 1, 9]),
        "fit": st.booleans(),
        "tab": st.one_of(st.none(), COLOUR),
        "footer": st.one_of(st.none(), TEXT),
        "header_size": st.sampled_from([None, 8, 12]),
        "state": st.sampled_from(["visible", "hidden", "veryHidden"]),
        "cells": st.lists(st.tuples(CELL, TEXT, st.booleans()), max_size=4),
        "table": st.booleans(),
        "chart": st.booleans(),
    }
)


def _sheet(spec: dict) -> Workbook:
    """A workbook whose first sheet has the generated settings, made the same way each time."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.sheet_state = spec["state"]
    if spec["freeze"]:
        sheet.freeze_panes = spec["freeze"]
    for column, width in spec["widths"].items():
        sheet.column_dimensions[_letter(column)].width = width
    for column in spec["hidden"]:
        sheet.column_dimensions[_letter(column)].hidden = True
    for cells, rule in spec["rules"]:
        sheet.conditional_formatting.add(cells, rule)
    for validation, cells in spec["validations"]:
        validation.add(cells)
        sheet.add_data_validation(validation)
    if spec["landscape"] is not None:
        sheet.page_setup.orientation = "landscape" if spec["landscape"] else "portrait"
    sheet.page_setup.paperSize = spec["paper"]
    if spec["fit"]:
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.sheet_properties.tabColor = spec["tab"]
    if spec["footer"] is not None:
        sheet.oddFooter.left.text = spec["footer"]
        sheet.oddFooter.left.size = spec["header_size"]
        sheet.oddHeader.center.text = "&[Page]"
    for cell, text, link in spec["cells"]:
        sheet[cell] = text
        if link:
            sheet[cell].hyperlink = "https://example.org/?q=" + text
    if spec["table"]:
        columns = [TableColumn(id=1, name="One"), TableColumn(id=2, name="Two")]
        table = Table(displayName="Things", ref="A1:B5", tableColumns=columns)
        table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        sheet.add_table(table)
    if spec["chart"]:
        chart = BarChart()
        chart.add_data(Reference(sheet, min_col=2, min_row=1, max_row=5), titles_from_data=True)
        sheet.add_chart(chart, "E2")
    return workbook


def _letter(column: int) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[column - 1] if column <= 26 else "A" + "ABCD"[column - 27]


def _openpyxl_sheet(sheet) -> tuple[bytes, bytes, list]:
    writer = WorksheetWriter(sheet, out=io.BytesIO())
    writer.write()
    return writer.out.getvalue(), _rels(writer._rels), _effects(sheet)


def _ours(sheet, columns=None) -> tuple[bytes, bytes, list]:
    written = sheet_xml(sheet, columns)
    assert written is not None
    xml, rels = written
    return xml, _rels(rels), _effects(sheet)


def _rels(rels) -> bytes:
    return tostring(rels.to_tree()) if rels else b""


def _effects(sheet) -> list:
    """What writing a sheet leaves on it and its workbook."""
    rules = [(rule.priority, rule.dxfId) for formatting in sheet.conditional_formatting for rule in formatting.rules]
    links = [(link.ref, link.id) for link in sheet._hyperlinks]
    tables = [table._rel_id for table in sheet.tables.values()]
    return [
        rules,
        links,
        tables,
        len(sheet.parent._differential_styles.dxf),
        sheet.column_dimensions.max_outline,
        sheet._comments,
    ]


@settings(max_examples=150, deadline=None)
@given(SPEC)
def test_generated_sheets_are_worksheet_writers(spec):
    """Each example twice: the second time every element comes from what the first kept. The columns also
    given as `SheetColumn`s rather than column dimensions."""
    for _ in range(2):
        assert _ours(_sheet(spec).active) == _openpyxl_sheet(_sheet(spec).active)
    columns = {}
    for number, width in spec["widths"].items():
        columns.setdefault(number, SheetColumn()).width = width
    for number in spec["hidden"]:
        columns.setdefault(number, SheetColumn()).hidden = True
    given = _sheet({**spec, "widths": {}, "hidden": []}).active
    assert _ours(given, columns) == _openpyxl_sheet(_sheet(spec).active)


@settings(max_examples=80, deadline=None)
@given(SPEC)
def test_settled_settings_are_written_as_before(spec):
    """Settings noted as settled (as `xlsx_kept`'s shared ones are) are written from what is kept for the objects
    themselves: the same bytes, for their sheet and for another sheet sharing them."""
    expected = _openpyxl_sheet(_sheet(spec).active)
    sheet = _sheet(spec).active
    for name in SHARED:
        settled(getattr(sheet, name))
    assert _ours(sheet) == expected
    again = _sheet(spec).active
    for name in SHARED:
        setattr(again, name, getattr(sheet, name))
    assert _ours(again) == expected


def _with_styles(workbook: Workbook, colours: list[str]) -> Workbook:
    """The workbook with a differential style of each colour's fill registered, as a rule of an earlier sheet does."""
    for colour in colours:
        workbook._differential_styles.add(DifferentialStyle(fill=PatternFill("solid", fgColor=colour)))
    return workbook


@settings(max_examples=60, deadline=None)
@given(SPEC, st.lists(COLOUR, min_size=1, max_size=2))
def test_settled_conditional_formats_follow_their_rules_ids(spec, colours):
    """Conditional formats noted as settled and shared by sheets of several workbooks, some with other differential
    styles registered first (so the rules get other ids, and again the first ones), are written as openpyxl writes
    sheets with their own formats."""
    shared = _sheet(spec).active.conditional_formatting
    for formatting in shared:
        settled(formatting)
    for before in ([], colours, colours, [], colours):
        ours = _with_styles(_sheet(spec), before).active
        ours.conditional_formatting = shared
        theirs = _with_styles(_sheet(copy.deepcopy(spec)), before).active
        assert _ours(ours) == _openpyxl_sheet(theirs)


def test_tracker_sheets_are_worksheet_writers(builtin_plan):
    """Every sheet of trackers of several plans, themes and languages, and of a replanned tracker with
    recorded progress, one after another in one process. openpyxl is given the tracker's own columns as
    column dimensions, so this proves the sheet writer; that the columns are the tracker's as before is
    the golden outputs' check (tests/test_golden.py)."""
    plans = [
        builtin_plan,
        make_plan(builtin_plan.pathway, name="Ada & <Bob>", hours_per_week=4),
        make_plan(builtin_plan.pathway, hours_per_week=15, lang="de"),
        make_plan(builtin_plan.pathway, name="Ana Lima", lang="pt-BR"),
        carried(make_plan(builtin_plan.pathway, name="Ana Lima"), CONTEXT.today),
    ]
    for plan in plans:
        context = output_context(plan, CONTEXT, REGISTRY["xlsx"])
        for theme in (Theme(), Theme(primary="#336699", paper="a4")):
            ours, _ = xlsx.built(plan, context, theme, WriterOptions())
            theirs, _ = xlsx.built(plan, context, theme, WriterOptions())
            with_column_dimensions(theirs)
            for mine, other in zip(ours.workbook.worksheets, theirs.workbook.worksheets, strict=True):
                assert _ours(mine, ours.columns.get(mine.title)) == _openpyxl_sheet(other), mine.title


def test_a_sheet_with_comments_is_left_to_openpyxl():
    from openpyxl.comments import Comment

    workbook = Workbook()
    workbook.active["A1"] = "x"
    workbook.active["A1"].comment = Comment("note", "me")
    assert sheet_xml(workbook.active) is None
