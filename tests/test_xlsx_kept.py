"""The tracker's objects made once per process (exporter/writers/xlsx_kept.py and the charts, validations and
conditional formats of exporter/writers/xlsx.py): sheets whose settings are shared or kept write as openpyxl's own sheets with the
same settings made in place, and nothing a process keeps changes from one workbook to the next."""

from __future__ import annotations

import io

import pytest
from conftest import CONTEXT, make_plan
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.stylesheet import write_stylesheet
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.functions import tostring

from exporter.theme import Theme
from exporter.writers import REGISTRY, WriterOptions, output_context, xlsx, xlsx_kept, xlsx_package, xlsx_sheet
from exporter.writers.xlsx_kept import (
    FIRST_SHEET,
    SHARED,
    STYLE_TABLES,
    KeptSheet,
    KeptTable,
    KeptWorkbook,
    add_sheet,
    freeze,
    print_setup,
)

CELL = st.one_of(st.none(), st.builds("{}{}".format, st.sampled_from(["A", "B", "C", "D", "AA"]), st.integers(1, 5)))
TEXT = st.sampled_from(["", "Plan & Ada", "Page &P of &N", "Ünïcödé"])


def _written(sheet: Worksheet) -> bytes:
    writer = WorksheetWriter(sheet, out=io.BytesIO())
    writer.write()
    return writer.out.getvalue()


def _settings(sheet: Worksheet) -> list[bytes]:
    """Each shared setting of the sheet as XML (an empty one as b"")."""
    return [tostring(getattr(sheet, name).to_tree()) if getattr(sheet, name) else b"" for name in SHARED]


def test_a_kept_sheet_has_what_a_new_worksheet_has():
    workbook = Workbook()
    ours, theirs = KeptSheet(workbook, "Mine"), Worksheet(workbook, "Mine")
    assert vars(ours).keys() == vars(theirs).keys()
    assert _settings(ours) == _settings(theirs)
    assert _written(ours) == _written(theirs)
    assert add_sheet(workbook, "Added") is workbook.worksheets[-1]
    other = KeptSheet(workbook, "Other")
    ours.add_data_validation(DataValidation(type="list", formula1='"a,b"'))
    ours.sheet_format.outlineLevelCol = 2
    for name in ("data_validations", "sheet_format"):  # copies of a new sheet's: their own, not shared
        assert type(getattr(other, name)) is type(getattr(theirs, name))
        assert vars(getattr(other, name)) == vars(getattr(theirs, name))
        assert getattr(other, name) is not getattr(ours, name)


def _styles(workbook: Workbook) -> tuple:
    """Everything of the workbook's style tables that a style id or the stylesheet is made from."""
    tables = tuple((list(getattr(workbook, name)), getattr(workbook, name)._dict) for name in STYLE_TABLES)
    named = [
        (vars(style) | {"_wb": style._wb is workbook, "_style": list(style._style)}) for style in workbook._named_styles
    ]
    return tables, named, tostring(write_stylesheet(workbook))


def _register(workbook: Workbook, sheet: Worksheet, parts: list[tuple[str, object]]) -> list[int]:
    """The style id of a cell with each part (name, value), registered in turn."""
    ids = []
    for name, value in parts:
        cell = WriteOnlyCell(sheet)
        setattr(cell, name, value)
        ids.append(cell.style_id)
    return ids


KEPT_PARTS = [("font", Font(bold=True)), ("font", Font(bold=True)), ("font", Font(italic=True)), ("font", Font())]
KEPT_PARTS += [("fill", PatternFill("solid", fgColor="00FF00")), ("fill", PatternFill("solid", fgColor="00FF00"))]
KEPT_PARTS += [("alignment", Alignment(wrap_text=True)), ("alignment", Alignment()), ("alignment", Alignment())]
"""Style parts that workbooks share, some equal to others, as the tracker's are shared."""
PARTS = st.lists(
    st.one_of(
        st.sampled_from(KEPT_PARTS),
        st.tuples(st.just("font"), st.builds(Font, bold=st.booleans(), color=st.sampled_from([None, "FF0000"]))),
        st.tuples(
            st.just("fill"), st.builds(PatternFill, st.just("solid"), fgColor=st.sampled_from(["00FF00", "0000FF"]))
        ),
        st.tuples(st.just("alignment"), st.builds(Alignment, wrap_text=st.booleans())),
        st.tuples(st.just("number_format"), st.sampled_from(["0.00", "0.##", "d mmm"])),
        st.tuples(st.just("style"), st.sampled_from(["Hyperlink", "Normal", "Good"])),
    ),
    max_size=8,
)


@settings(deadline=None, max_examples=60)
@given(PARTS)
def test_a_kept_workbook_has_what_a_new_workbook_has(parts):
    """A kept workbook's attributes and style tables are a new workbook's (but for its first sheet), it registers
    styles as that workbook does, and the tables it starts from stay as they were for the next one."""
    ours, theirs = KeptWorkbook(), Workbook()
    assert vars(ours).keys() == vars(theirs).keys()
    assert (ours.sheetnames, theirs.sheetnames) == ([], [FIRST_SHEET])
    assert _styles(ours) == _styles(theirs)
    registered = _register(ours, add_sheet(ours, "Mine"), parts), _styles(ours)  # before openpyxl's built-in
    assert registered == (_register(theirs, theirs.active, parts), _styles(theirs))  # styles are bound to theirs
    assert _styles(KeptWorkbook()) == _styles(Workbook())


@settings(deadline=None)
@given(CELL, st.sampled_from(["portrait", "landscape"]), st.sampled_from(["1", "9"]), TEXT, TEXT)
def test_kept_settings_write_as_openpyxls_made_in_place(top_left, orientation, paper, left, right):
    """Views, page setup and footer, kept once and given again, against openpyxl's set on the sheet."""
    workbook = Workbook()
    for _ in range(2):
        ours = KeptSheet(workbook, "Mine")
        ours.freeze_panes = top_left
        print_setup(ours, orientation, paper, left, right)
        theirs = Worksheet(workbook, "Mine")
        theirs.freeze_panes = top_left
        theirs.page_setup.orientation, theirs.page_setup.paperSize = orientation, paper
        theirs.page_setup.fitToWidth, theirs.page_setup.fitToHeight = 1, 0
        theirs.sheet_properties.pageSetUpPr.fitToPage = True
        theirs.oddFooter.left.text, theirs.oddFooter.left.size = left, 8
        theirs.oddFooter.right.text, theirs.oddFooter.right.size = right, 8
        assert (ours.freeze_panes, _written(ours)) == (theirs.freeze_panes, _written(theirs))
    freeze(ours, None)
    assert ours.views.to_tree() is not None and ours.freeze_panes is None


class _Archive(dict):
    def writestr(self, name: str, data: bytes) -> None:
        self[name] = data


NAMES = st.lists(st.sampled_from(["ID", "Task", "a & b", "<x>", "Ünï"]), min_size=1, max_size=4, unique=True)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 3), min_size=1, max_size=4), st.integers(2, 40), NAMES, st.booleans())
def test_a_kept_table_writes_as_a_table(numbers, last, names, styled):
    """A kept table, given one number after another by the package, writes the part a table made alike writes."""

    def made(kind: type) -> Table:
        ref = f"A1:{'ABCD'[len(names) - 1]}{last}"
        columns = [TableColumn(id=number, name=name) for number, name in enumerate(names, start=1)]
        table = kind(displayName="TaskList", ref=ref, tableColumns=columns, autoFilter=AutoFilter(ref=ref))
        if styled:
            table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        return table

    ours = made(KeptTable)
    for number in numbers:
        theirs = made(Table)
        ours.id = theirs.id = number
        written, expected = _Archive(), _Archive()
        ours._write(written)
        theirs._write(expected)
        assert written == expected


KEPT = (
    xlsx._CHARTS,
    xlsx._VALIDATIONS,
    xlsx._VALIDATION_LISTS,
    xlsx._FORMATTINGS,
    xlsx._TABLES,
    xlsx._DIFFERENTIAL_STYLES,
    xlsx_kept._VIEWS,
    xlsx_kept._PAGES,
    xlsx_kept._FOOTERS,
    xlsx_package._CHARTS,
    xlsx_package._DRAWINGS,
    xlsx_package._STYLESHEETS,
    xlsx_package._TREES,
    xlsx_package._DEFLATED,
    xlsx_sheet._ELEMENTS,
)


def _tracker(plan, theme: Theme) -> bytes:
    context = output_context(plan, CONTEXT, REGISTRY["xlsx"])
    return xlsx.render(plan, context, theme, WriterOptions())[xlsx.FILE_NAME]


def test_what_a_process_keeps_stays_as_made(builtin_plan):
    """Trackers of several plans, themes and languages, rendered after others and after every kept object
    was forgotten, are the same; the settings kept sheets share still write as a new sheet's."""
    plans = [
        builtin_plan,
        make_plan(builtin_plan.pathway, name="Ada & <Bob>", hours_per_week=4),
        make_plan(builtin_plan.pathway, hours_per_week=15, lang="de"),
    ]
    themes = (Theme(), Theme(accent="#AA5500"), Theme(primary="#336699", paper="a4"))
    warm = [_tracker(plan, theme) for plan in plans for theme in themes]
    xlsx_kept._DEFAULTS.clear()
    cold = []
    for plan in plans:
        for theme in themes:
            for kept in KEPT:
                kept.clear()
            cold.append(_tracker(plan, theme))
    assert warm == cold
    assert _settings(KeptSheet(Workbook(), "Mine")) == _settings(Worksheet(Workbook(), "Mine"))


def test_a_shared_list_of_validations_refuses_another(builtin_plan):
    """A sheet's kept list of validations is shared by every tracker of the process: adding to it through
    openpyxl's API raises rather than reaching later trackers, whose validations stay their own."""
    _tracker(builtin_plan, Theme())
    shared = next(iter(xlsx._VALIDATION_LISTS._values.values()))
    before = list(shared.dataValidation)
    sheet = Worksheet(Workbook())
    sheet.data_validations = shared
    with pytest.raises(TypeError, match="shared"):
        sheet.add_data_validation(DataValidation(type="whole"))
    assert shared.dataValidation == before
