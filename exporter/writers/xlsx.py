"""The Excel tracker: a live workbook of the plan that the person ticks off.

Progress figures are formulas over the Tasks sheet, so they move when a status changes.
The sheets' cells are kept here as values and styles (`_Book.put`), not as openpyxl cells, and
`finish_workbook` writes them into the sheets openpyxl saved (see `xlsx_package`): each formula
with its value for the state in which the file leaves here (no task done yet), which phone
previews and `data_only` readers show, and text in a shared strings table (some previewers show
inline strings blank). The zip carries the build time, so the same inputs give the same bytes.

Every word comes from the label catalogue, and the formulas are built from the same labels
(quoted as formula strings, sheet names quoted where needed), so a translation never breaks
a formula. The Tasks sheet is laid out from `exporter.tracker`, and every reference to it
takes its letters from there.

Actual hours have one source, the Weekly log (see `exporter.tracker`): the Dashboard sums its
Actual hours column and the burn-up draws their running total up to the week holding today.

The plan's inputs travel inside the workbook, on a very hidden sheet of machine keys and text
values (`exporter.tracker.INPUT_KEYS`), so a later run can read them back without options.

A replanned plan (`plan.replanning`) carries what the person recorded into the new tracker: each
task's status, done date, actual hours and notes (by task key), the Weekly log's actual hours (by
week start), the skills' self-ratings (by name) and the actions' Done marks (by title); the
cached formula values are those of that state. Without `replanning` the file leaves here with no
task done and nothing logged.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from datetime import UTC, date
from functools import lru_cache, partial
from itertools import zip_longest
from operator import is_not
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart._chart import ChartBase
from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.formatting.rule import DataBarRule, FormulaRule, Rule
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation, DataValidationList
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import TableColumn, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from exporter import __version__
from exporter.context import RunContext
from exporter.controls import ANY_CONTROL
from exporter.kept import Kept
from exporter.model import TaskStatus
from exporter.plan import Plan, PlannedPhase, PlannedTask, Week
from exporter.recorded import NOTHING_RECORDED, Progress, TaskProgress
from exporter.status import PACE_WEEKS, counted_hours, status
from exporter.theme import Theme
from exporter.tracker import (
    DATE_FORMAT,
    FIRST_ROW,
    HOURS_FORMAT,
    OTHER_COLUMNS,
    SESSION_END_COLUMN,
    SESSION_HOURS_COLUMN,
    TASK_COLUMNS,
    InputKey,
    TaskColumn,
    format_chars,
    format_width,
    index,
    input_values,
    left_over,
    letter,
    replanned_rows,
    session_rows,
    span,
)
from exporter.view import PlanView
from exporter.writers import WriterOptions
from exporter.writers.common import safe_url
from exporter.writers.xlsx_kept import FIRST_SHEET, KeptTable, KeptWorkbook, add_sheet, print_setup
from exporter.writers.xlsx_package import (
    NOT_AVAILABLE,
    Formula,
    SheetColumn,
    SheetData,
    finish_workbook,
    rows_sheet_data,
    sorted_sheet_data,
    workbook_parts,
)
from exporter.writers.xlsx_sheet import settled

FILE_NAME = "tracker.xlsx"
PERCENT_FORMAT = "0%"
PACE_FORMAT = "0.00x"
SIGNED_HOURS_FORMAT = "+0.##;-0.##;0"
SIGNED_DAYS_FORMAT = "+0.0;-0.0;0"
BAR_LENGTH = 20
MAX_SHEET_TITLE = 31
MAX_CELL_TEXT = 32767  # Excel's limit on a cell's text
MAX_INLINE_LIST = 255  # Excel's limit on a dropdown's list written into the rule itself
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\\*?:/\[\]\x00-\x1f\x7f-\x9f]")
_PLAIN_SHEET_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LOOKS_LIKE_REFERENCE = re.compile(r"[A-Za-z]{1,3}\d+|[RrCc]\d*|[Rr]\d*[Cc]\d*|true|false", re.I)
WEEK_FORMAT = "d mmm"
WEEK_LABEL_SIZE = 8
LINE_HEIGHT = 15.0  # points per line of 11-point text
CHARS_PER_WIDTH = 1.1  # characters of running text per unit of column width, erring towards a spare line


def file_names(options: WriterOptions) -> tuple[str, ...]:
    return (FILE_NAME,)


def render(plan: Plan, context: RunContext, theme: Theme, options: WriterOptions) -> dict[str, bytes]:
    """The tracker workbook of the plan."""
    book, cells = built(plan, context, theme, options)
    parts = workbook_parts(book.workbook, book.chart_keys, book.columns, book.links_in_cell_order())
    return {FILE_NAME: finish_workbook(parts, book.build_time, cells)}


def built(plan: Plan, context: RunContext, theme: Theme, options: WriterOptions) -> tuple[_Book, dict[str, SheetData]]:
    """The tracker's workbook before it is saved, with the cells of the sheets written as XML (their styles
    registered in the workbook, which the save writes)."""
    book = _Book(plan, context, theme)
    task_rows = _tasks_sheet(book)
    _other_rows(book)
    _timeline(book, task_rows)
    logged = _weekly_log(book)
    sessions = _inputs(book, context, options)
    _dashboard(book, task_rows, logged, sessions)  # made after the sheets it sums, then moved to the front
    _skills(book)
    _actions(book)
    _resources(book)
    _settings(book)
    _properties(book)
    book.hidden_last()
    return book, book.sheet_data()


_Style = tuple[str | None, Font | None, PatternFill | None, Alignment | None]
"""A cell's style as openpyxl's cells take it: number format (as written, `_Book.number_format`), font, fill and
alignment, each None when not set."""
_PLAIN: _Style = (None, None, None, None)
_LINK: _Style = tuple([None] * 4)  # type: ignore[assignment]
"""The style of a link's cell: openpyxl's Hyperlink style alone (a style of its own, told by its identity)."""
LINK_STYLE = "Hyperlink"
_COLUMN_BITS = 15
"""A cell of a sheet written as XML is kept by one number, its row shifted past its column (Excel's columns run
to 16,384), so its position is no object of its own; the numbers sort as (row, column) do."""
_COLUMN_MASK = (1 << _COLUMN_BITS) - 1


class _Book:
    """The workbook being built. Most sheets keep their cells here (values and styles by position, written
    as XML when the package is finished)."""

    def __init__(self, plan: Plan, context: RunContext, theme: Theme):
        self.plan = plan
        self.theme = theme
        self.labels = context.labels
        self.view = PlanView(plan, context.labels)
        self.today = context.today
        self.build_time = context.build_time.astimezone(UTC)
        self.workbook = KeptWorkbook()
        self._lists: Worksheet | None = None
        self.links: dict[str, dict[int, Hyperlink]] = {}
        """The links of the sheets made with hyperlinks, by sheet title, then position (`_COLUMN_BITS`): a
        cell's last link, as an openpyxl cell keeps it."""
        self.cells: dict[str, dict[int, Any]] = {}
        """The values of the cells of the sheets written as XML, by sheet title, then position (`_COLUMN_BITS`):
        text as a cell holds it, a number, a date, a `Formula` or None (a cell with no value)."""
        self.styles: dict[str, dict[int, _Style]] = {}
        """The styles of the cells given one, as `cells` holds them; cells with equal parts share one."""
        self._styles: dict[tuple[str | None, int, int, int], _Style] = {(None, id(None), id(None), id(None)): _PLAIN}
        """Every style a cell has here, by its number format and the identity of its other parts (held by it)."""
        self._formats: dict[str, _Style] = {}
        """The styles of a number format alone, by the format asked for (`_format`)."""
        self.chart_keys: dict[int, tuple] = {}
        """The key of each chart's XML (`_add_chart`), by the chart's id."""
        self.plain_rows: dict[str, list[tuple[Any, ...]]] = {}
        """The rows of the sheets filled by `rows_of_values`, by sheet title: values as cells hold them."""
        self.heights: dict[str, dict[int, float]] = {}
        """The heights of rows given one, by sheet title, then row (sheets written as XML)."""
        self.header_fill = _solid_fill(theme.hex("primary"))
        self.header_font = _font(bold=True, color="FFFFFF")
        self.tasks_ref = ""
        """The Tasks sheet's name as formulas write it, once the sheet exists."""
        self.recorded: Progress | None = plan.replanning.recorded if plan.replanning else None
        """What the person recorded in the tracker this plan was made again from, carried into this one."""
        self.lengths: dict[str, dict[int, float]] = {}
        """Per sheet and column: the widest value put there, in characters (see `_columns`)."""
        self.date_widths: dict[str, dict[int, float]] = {}
        """Per sheet and column: the widest date format of a cell put there, filled in or not."""
        self.columns: dict[str, dict[int, SheetColumn]] = {}
        """The columns given a width or hidden, by sheet title, then number (see `column`)."""
        self._number_formats: dict[str, str] = {}
        """The number formats as cells take them (`number_format`), by the format asked for."""

    def recorded_task(self, task: PlannedTask) -> TaskProgress | None:
        return self.recorded.tasks.get(task.key) if self.recorded else None

    def status(self, task: PlannedTask) -> TaskStatus:
        """The task's status as the file leaves here: as recorded, or Not started (also for a blank one)."""
        recorded = self.recorded_task(task)
        return recorded.status if recorded and recorded.status else TaskStatus.NOT_STARTED

    def counted(self, task: PlannedTask) -> float:
        """The task's hours counted as done: planned hours when Done or Skipped, actual hours up to
        the planned ones when In progress, else 0 (as the Hours counted formula and `status` count)."""
        return counted_hours(task.hours, self.recorded_task(task))

    def hours_done(self, tasks: tuple[PlannedTask, ...]) -> float:
        """The hours counted as done of those tasks, summed in row order as SUM does (0 if none)."""
        return sum(self.counted(task) for task in tasks)

    def week_actual(self, week: Week) -> float | None:
        """The actual hours recorded for this week of the log, if any: those logged for a week starting on
        one of its days (a tracker in a language whose weeks start on another day is carried over too)."""
        if not self.recorded:
            return None
        logged = [hours for day, hours in self.recorded.weekly_actuals.items() if 0 <= (day - week.start).days < 7]
        return sum(logged) if logged else None

    def sheet(self, key: str, hyperlinks: bool = False) -> Worksheet:
        """A new sheet titled by the catalogue's `sheet.<key>`, made safe and unique for Excel. Its cells
        are kept here and written as XML. A sheet with `hyperlinks` (`put_link`) has its cells' styles
        registered in the workbook's style table as openpyxl registered them when its cells were openpyxl's
        (the table's order is part of the file's bytes): each part as it is set, the cells' styles after
        every other sheet's (`sheet_data`)."""
        title = _sheet_title(self.labels(f"sheet.{key}"), self.workbook.sheetnames or [FIRST_SHEET])
        sheet = add_sheet(self.workbook, title)
        self.cells[title] = {}
        self.styles[title] = {}
        self.heights[title] = {}
        if hyperlinks:
            self.links[title] = {}
        self.lengths[title] = {}
        self.date_widths[title] = {}
        return sheet

    def _cells_of(self, title: str) -> dict[int, Any]:
        """The values of the sheet's cells (`cells`); ValueError for a sheet filled by rows of values."""
        cells = self.cells[title]
        if title in self.plain_rows:
            raise ValueError("a sheet filled by rows of values has no other cells")
        return cells

    def put(
        self,
        sheet: Worksheet,
        row: int,
        column: int,
        value: Any,
        number_format: str | None = None,
        font: Font | None = None,
        fill: PatternFill | None = None,
        alignment: Alignment | None = None,
    ) -> None:
        """Set a cell: a Formula (with its cached value), text as text, a number or a date; a date, or a
        formula whose value is one, gets the date format unless `number_format` says otherwise.
        Empty text is an empty cell. The style's parts given replace the cell's (`restyle`)."""
        kind = type(value)
        if kind is str:
            value = clean_text(value) or None
        elif not number_format and kind is not int and kind is not float and _dated(value):
            number_format = DATE_FORMAT
        title = sheet.title
        cells = self._cells_of(title)
        key = row << _COLUMN_BITS | column
        cells[key] = value
        styled = font is not None or fill is not None or alignment is not None
        written = self.number_format(number_format) if number_format else None
        if styled:
            self._restyle(title, key, written, font, fill, alignment)
        elif number_format:
            self._format(title, key, number_format)
        if title in self.links and (number_format or styled):
            _set_style(WriteOnlyCell(sheet), written, font, fill, alignment)  # registers the parts now
        if number_format or type(value) is not str:
            self.measure(title, column, value, number_format)
        else:  # most cells: text, measured by its length (`measure`)
            lengths = self.lengths[title]
            if len(value) > lengths.get(column, 0):
                lengths[column] = len(value)

    def put_link(self, sheet: Worksheet, row: int, column: int, url: str) -> None:
        """Set a cell of a sheet made with hyperlinks to the address, a link to it in openpyxl's Hyperlink
        style (registered in the workbook now, as setting it on a cell does)."""
        self.put(sheet, row, column, url)
        key = row << _COLUMN_BITS | column
        self.links[sheet.title][key] = Hyperlink(ref=f"{get_column_letter(column)}{row}", target=url)
        WriteOnlyCell(sheet).style = LINK_STYLE
        self.styles[sheet.title][key] = _LINK

    def links_in_cell_order(self) -> dict[str, list[Hyperlink]]:
        """The links of the sheets made with hyperlinks, by sheet title, in cell order (row, then column), as
        openpyxl writes its cells' links."""
        return {title: [links[key] for key in sorted(links)] for title, links in self.links.items()}

    def value(self, sheet: Worksheet, row: int, column: int) -> Any:
        """The value of a cell (None for a cell not set)."""
        return self._cells_of(sheet.title).get(row << _COLUMN_BITS | column)

    def restyle(
        self,
        sheet: Worksheet,
        row: int,
        column: int,
        font: Font | None = None,
        fill: PatternFill | None = None,
        alignment: Alignment | None = None,
    ) -> None:
        """Give a cell (made empty when new) these parts of a style, keeping the parts not given."""
        cells = self._cells_of(sheet.title)
        key = row << _COLUMN_BITS | column
        cells.setdefault(key, None)
        self._restyle(sheet.title, key, None, font, fill, alignment)
        if sheet.title in self.links:
            _set_style(WriteOnlyCell(sheet), None, font, fill, alignment)  # registers the parts now (`sheet`)

    def _format(self, title: str, key: int, number_format: str) -> None:
        """Give a cell the number format (as asked for, `number_format`), keeping the rest of its style."""
        styles = self.styles[title]
        old = styles.get(key)
        if old is None:  # most: a new cell, whose style is the format's alone
            style = self._formats.get(number_format)
            if style is None:
                style = self._formats[number_format] = self._style(self.number_format(number_format), None, None, None)
            styles[key] = style
        else:
            self._restyle(title, key, self.number_format(number_format), None, None, None)

    def _restyle(
        self,
        title: str,
        key: int,
        number_format: str | None,
        font: Font | None,
        fill: PatternFill | None,
        alignment: Alignment | None,
    ) -> None:
        styles = self.styles[title]
        old = styles.get(key, _PLAIN)
        if old is _LINK:
            raise ValueError("a link's cell keeps openpyxl's Hyperlink style alone")
        styles[key] = self._style(
            number_format or old[0],
            old[1] if font is None else font,
            old[2] if fill is None else fill,
            old[3] if alignment is None else alignment,
        )

    def _style(
        self, number_format: str | None, font: Font | None, fill: PatternFill | None, alignment: Alignment | None
    ) -> _Style:
        """The one style of the book with these parts (by the identity of the font, fill and alignment)."""
        return self._styles.setdefault(
            (number_format, id(font), id(fill), id(alignment)), (number_format, font, fill, alignment)
        )

    def column(self, sheet: Worksheet, number: int) -> SheetColumn:
        """The column of the sheet (from 1), made when new with openpyxl's default width; the package
        writes the columns' widths and hidden marks (`workbook_parts`)."""
        columns = self.columns.setdefault(sheet.title, {})
        column = columns.get(number)
        if column is None:
            column = columns[number] = SheetColumn()
        return column

    def row_height(self, sheet: Worksheet, row: int, height: float) -> None:
        """Give a row of a sheet written as XML its height in points (not one filled by rows of values)."""
        if sheet.title in self.plain_rows:
            raise ValueError("a sheet filled by rows of values has no row heights")
        self.heights[sheet.title][row] = height

    def measure(self, title: str, column: int, value: Any, number_format: str | None) -> None:
        """Note the width a value put into a column of the sheet needs, as `_columns` sizes columns:
        a date format's width (also of an empty cell: a date typed in later must fit), 10 for a
        formula's result, else the length of the value as text."""
        if not number_format and type(value) is str:  # most cells: their length only
            lengths = self.lengths[title]
            lengths[column] = max(lengths.get(column, 0), len(value))
            return
        needed = format_width(number_format) if number_format else 0
        if needed:
            dates = self.date_widths[title]
            dates[column] = max(dates.get(column, 0), needed)
        if value is None:
            return
        if needed or isinstance(value, date):  # a date-time is a date too
            length = needed or format_width(DATE_FORMAT)  # with room for bold text and a filter button
        elif isinstance(value, Formula):
            length = 10
        else:
            length = len(str(value))
        lengths = self.lengths[title]
        lengths[column] = max(lengths.get(column, 0), length)

    def rows_of_values(self, sheet: Worksheet, rows: list[tuple[Any, ...]]) -> None:
        """Fill a sheet with no other cells with rows of text, numbers and date-times from cell A1, as `put`
        sets them, measured per column rather than per cell (the plan inputs are thousands of cells)."""
        title = sheet.title
        if self.cells[title] or title in self.plain_rows:
            raise ValueError("rows of values fill a sheet of their own")
        held = _held_rows(rows)
        self.plain_rows[title] = held
        for column, values in enumerate(zip_longest(*held), start=1):
            present = list(filter(_IS_VALUE, values))
            if not present:
                continue
            if set(map(type, present)) == _TEXT:  # most columns: the longest text stands for them all
                self.measure(title, column, max(present, key=len), None)
                continue
            dates = [value for value in present if isinstance(value, date)]
            others = [value for value in present if not isinstance(value, date)]
            if dates:  # every date needs the same width, and so does the column
                self.measure(title, column, dates[0], DATE_FORMAT)
            if others:  # the longest stands for them all
                self.measure(title, column, max(others, key=lambda value: len(str(value))), None)

    def sheet_data(self) -> dict[str, SheetData]:
        """The cells of the sheets written as XML, with their styles registered in the workbook's style
        table, sheet by sheet and cell by cell (row, then column), as openpyxl registers them on saving."""
        styles: dict[tuple[int, bool], int] = {}  # by the identity of the book's styles (`_style`), and quoted
        written = {}
        sheets = self.workbook.worksheets
        for sheet in [*(s for s in sheets if s.title not in self.links), *(s for s in sheets if s.title in self.links)]:
            title = sheet.title
            cells = self.cells[title]
            plain = self.plain_rows.get(title)
            if plain is None:
                styled = self._styled(sheet, cells, self.styles[title], styles)
                written[title] = sorted_sheet_data(styled, self.heights[title])
            else:
                written[title] = rows_sheet_data(plain, self._plain_style(sheet, styles))
        return written

    @staticmethod
    def _styled(
        sheet: Worksheet, cells: dict[int, Any], cell_styles: dict[int, _Style], styles: dict[tuple[int, bool], int]
    ) -> Iterator[tuple[int, int, Any, int]]:
        """The sheet's cells in (row, column) order with their values and style ids, each style registered
        as the cells come (`styles`: the ids by the identity of the book's style and whether the text is quoted)."""
        for key in sorted(cells):
            value = cells[key]
            style = cell_styles.get(key, _PLAIN)
            found = (id(style), type(value) is str and value[:1] in QUOTED)
            number = styles.get(found)
            if number is None:
                named = LINK_STYLE if style is _LINK else None
                number = styles[found] = style_id(sheet, *style, found[1], named)
            yield key >> _COLUMN_BITS, key & _COLUMN_MASK, value, number

    def _plain_style(self, sheet: Worksheet, styles: dict[tuple[int, bool], int]) -> Callable[[Any], int]:
        """The style id of a value of a sheet of rows of values (`rows_of_values`), registered as `_styled`
        registers it when first asked for: no font, fill or alignment, a date in the date format."""
        date_style = self._style(self.number_format(DATE_FORMAT), None, None, None)
        found: dict[tuple[bool, bool], int] = {}  # the ids by (a date, quoted), from `styles`

        def style(value: Any) -> int:
            held = type(value)
            if held is str:
                kind = (False, value[:1] in QUOTED)
            else:
                kind = (held is not float and held is not int and isinstance(value, date), False)
            known = found.get(kind)
            if known is None:
                cell_style = date_style if kind[0] else _PLAIN
                key = (id(cell_style), kind[1])
                known = styles.get(key)
                if known is None:
                    known = styles[key] = style_id(sheet, *cell_style, kind[1])
                found[kind] = known
            return known

        return style

    def number_format(self, number_format: str) -> str:
        """A date format with the language's locale code in front (`[$-407]ddd d mmm yyyy`), so Excel and
        LibreOffice write month and weekday names in the tracker's language; other formats as they are."""
        written = self._number_formats.get(number_format)
        if written is None:
            prefix = self.labels("format.date-locale") if format_chars(number_format) else ""
            written = self._number_formats[number_format] = prefix + number_format
        return written

    def header(self, sheet: Worksheet, row: int, titles: list[str], column: int = 1) -> None:
        fill, font, alignment = self.header_fill, self.header_font, _alignment(vertical="center", wrap_text=True)
        for offset, title in enumerate(titles):
            self.put(sheet, row, column + offset, title, font=font, fill=fill, alignment=alignment)

    def rows(self, sheet: Worksheet, first_row: int, rows: list[list[Any]], formats: dict[int, str] | None = None):
        """`put` each value of the rows from `first_row` and column 1, with the number format `formats` gives its
        column; text, numbers and formulas whose value is no date in a column without one (most cells) are set
        here as `put` sets them."""
        put, formats, title = self.put, formats or {}, sheet.title
        cells, lengths = self._cells_of(title), self.lengths[title]
        for number, values in enumerate(rows, start=first_row):
            row = number << _COLUMN_BITS
            for column, value in enumerate(values, start=1):
                kind = type(value)
                if column in formats:
                    put(sheet, number, column, value, formats.get(column))
                    continue
                if kind is str:
                    value = clean_text(value)
                    length = len(value)
                    cells[row | column] = value or None
                elif kind is int or kind is float:
                    length = len(str(value))
                    cells[row | column] = value
                elif kind is Formula and not isinstance(value.value, date):
                    length = 10  # as `measure` counts a formula's result
                    cells[row | column] = value
                else:
                    put(sheet, number, column, value)
                    continue
                if length > lengths.get(column, 0):
                    lengths[column] = length

    def choices(self, values: tuple[str, ...]) -> str:
        """A dropdown's list: written into the rule, or, when a value holds a comma or a quote or
        the list is too long for the rule, kept on a hidden sheet the rule refers to."""
        inline = ",".join(values)
        if not any("," in value or '"' in value for value in values) and len(inline) <= MAX_INLINE_LIST:
            return f'"{inline}"'
        if self._lists is None:
            self._lists = self.sheet("lists")
            self._lists.sheet_state = "hidden"
        column = max((key & _COLUMN_MASK for key in self.cells[self._lists.title]), default=0) + 1
        for row, value in enumerate(values, start=1):
            self.put(self._lists, row, column, value)
        column_letter = get_column_letter(column)
        return f"{sheet_ref(self._lists.title)}!${column_letter}$1:${column_letter}${len(values)}"

    def hidden_last(self) -> None:
        """Move the hidden sheets (the plan inputs, then the dropdown lists, if any) behind the sheets people read."""
        for sheet in self.workbook.worksheets:
            if sheet.sheet_state == "veryHidden":
                self._last(sheet)
        if self._lists is not None:
            self._last(self._lists)

    def _last(self, sheet: Worksheet) -> None:
        sheets = self.workbook.worksheets
        self.workbook.move_sheet(sheet, offset=len(sheets) - 1 - sheets.index(sheet))


_IS_VALUE = partial(is_not, None)
_TEXT = {str}


def _held_rows(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rows with their text as cells hold it (`clean_text`; empty text: None). Rows whose text needs no
    change are kept as they are: the check is one pass over all the text at once."""
    texts = [value for row in rows for value in row if isinstance(value, str)]
    plain = set(map(type, texts)) <= _TEXT and max(map(len, texts), default=0) <= MAX_CELL_TEXT
    if plain and not ILLEGAL_CHARACTERS_RE.search("\n".join(texts)):
        return [row if "" not in row else tuple(None if value == "" else value for value in row) for row in rows]
    return [tuple((clean_text(value) or None) if isinstance(value, str) else value for value in row) for row in rows]


def _dated(value: Any) -> bool:
    """A date (or date-time), or a formula whose value is one: a cell in the date format."""
    return isinstance(value, date) or (isinstance(value, Formula) and isinstance(value.value, date))


def _set_style(
    cell, number_format: str | None, font: Font | None, fill: PatternFill | None, alignment: Alignment | None
) -> None:
    """Give an openpyxl cell the style's parts that are given, in the order the workbook registers them."""
    if number_format:
        cell.number_format = number_format
    if fill is not None:
        cell.fill = fill
    if font is not None:
        cell.font = font
    if alignment is not None:
        cell.alignment = alignment


def style_id(sheet: Worksheet, number_format, font, fill, alignment, quoted: bool, named: str | None = None) -> int:
    """The workbook's id of a cell style (0: none), registered in its style table if new, through a cell
    that is not on the sheet (openpyxl's way for cells it does not hold). A `named` style replaces the rest,
    as setting it on a cell does."""
    probe = WriteOnlyCell(sheet)
    if named:
        probe.style = named
        return probe.style_id
    if number_format:
        probe.number_format = number_format
    for name, value in (("font", font), ("fill", fill), ("alignment", alignment)):
        if value is not None:
            setattr(probe, name, value)
    if quoted:
        probe.quotePrefix = True
    return probe.style_id if probe.has_style else 0


DONE_BAR = "38761D"  # a done task's bar on the Timeline: dark green, darker in greyscale than an open bar


def _done_fill() -> PatternFill:
    return PatternFill("solid", fgColor="D9EAD3")


def _done_font() -> Font:
    """Done rows are struck through as well as green, so the mark survives a greyscale print."""
    return Font(color="38761D", strike=True)


@lru_cache(maxsize=64)
def _font(**properties: Any) -> Font:
    """A cell font, made once per process: cells share it (openpyxl keeps one of each font per workbook)."""
    return Font(**properties)


@lru_cache(maxsize=16)
def _solid_fill(colour: str) -> PatternFill:
    """A cell fill of one colour, made once per process (see `_font`)."""
    return PatternFill("solid", fgColor=colour)


@lru_cache(maxsize=16)
def _alignment(**properties: Any) -> Alignment:
    """A cell alignment, made once per process (see `_font`)."""
    return Alignment(**properties)


QUOTED = ("=", "+", "-", "@")
"""First characters that make a spreadsheet read typed text as a formula: stored text starting with
one carries a quote prefix, so a program that edits the cell keeps it text."""


@lru_cache(maxsize=4096)
def clean_text(text: str) -> str:
    """The text as a cell can hold it: control characters XML cannot carry become spaces, and it is
    cut at Excel's 32,767 characters. Cached: the pathway's own text recurs in every workbook."""
    return ILLEGAL_CHARACTERS_RE.sub(" ", text)[:MAX_CELL_TEXT]


def formula_text(text: str) -> str:
    """A formula's string literal of the text: `"Done"`, with any `"` inside doubled."""
    return '"' + text.replace('"', '""') + '"'


def sheet_ref(title: str) -> str:
    """The sheet's name as a formula refers to it: bare when it is a plain word, else quoted."""
    if _PLAIN_SHEET_NAME.fullmatch(title) and not _LOOKS_LIKE_REFERENCE.fullmatch(title):
        return title
    return quote_sheetname(title)


def _sheet_title(label: str, taken: list[str]) -> str:
    """The label as a sheet title Excel accepts: no `\\*?:/[]`, no control characters, not
    starting or ending with `'`, at most 31 characters and unique regardless of case."""
    title = " ".join(_SHEET_TITLE_FORBIDDEN.sub(" ", label).split())[:MAX_SHEET_TITLE].strip("' ") or "-"
    lower = {name.lower() for name in taken}
    number, unique = 1, title
    while unique.lower() in lower:
        number += 1
        unique = f"{title[: MAX_SHEET_TITLE - len(str(number))]}{number}"
    return unique


def _plain(text: str) -> str:
    """Text for the document properties: without control characters, which are not well-formed there."""
    return " ".join(ANY_CONTROL.sub(" ", text).split())


# ---- Tasks ------------------------------------------------------------------------------


def _task_value(book: _Book, task: PlannedTask, column: TaskColumn, row: int) -> Any:
    match column:
        case TaskColumn.ID:
            return task.id
        case TaskColumn.PHASE:
            return task.phase
        case TaskColumn.TITLE:
            return task.title
        case TaskColumn.START:
            return task.start
        case TaskColumn.FINISH:
            return task.finish
        case TaskColumn.HOURS:
            return task.hours
        case TaskColumn.STATUS:
            return book.labels.term(book.status(task))
        case TaskColumn.KEY:
            return task.key
        case TaskColumn.COUNTED:
            return Formula(_counted(book.labels, row), book.counted(task))
    recorded = book.recorded_task(task)  # filled in by the person: done on, actual hours, notes
    match column:
        case TaskColumn.DONE_ON:
            return recorded.done_on if recorded else None
        case TaskColumn.ACTUAL:
            return recorded.actual_hours if recorded else None
        case TaskColumn.NOTES:
            return recorded.notes if recorded else None
        case _:
            return None


def _counted(labels, row: int) -> str:
    """The Hours counted formula of a Tasks row: a Done or Skipped task's planned hours, an In
    progress one's actual hours up to its planned hours (text or a blank counts 0), else 0."""
    state, hours, actual = (
        f"{letter(column)}{row}" for column in (TaskColumn.STATUS, TaskColumn.HOURS, TaskColumn.ACTUAL)
    )
    done, skipped, started = (
        formula_text(labels.term(value)) for value in (TaskStatus.DONE, TaskStatus.SKIPPED, TaskStatus.IN_PROGRESS)
    )
    return f"IF(OR({state}={done},{state}={skipped}),{hours},IF({state}={started},MAX(0,MIN({hours},N({actual}))),0))"


def _cells(column: TaskColumn, first: int, last: int) -> str:
    """A relative range of one column of the Tasks sheet (`G2:G21`), for rules on that sheet."""
    return f"{letter(column)}{first}:{letter(column)}{last}"


def _tasks_sheet(book: _Book) -> tuple[int, int]:
    """Returns the first and last row of task data."""
    plan, labels = book.plan, book.labels
    sheet = book.sheet("tasks")
    book.tasks_ref = sheet_ref(sheet.title)
    titles = [labels(f"tasks.{column.name}") for column in TASK_COLUMNS]
    book.header(sheet, 1, titles)
    rows = [
        [_task_value(book, task, column.name, row) for column in TASK_COLUMNS]
        for row, task in enumerate(plan.tasks, start=FIRST_ROW)
    ]
    formats = {number: column.number_format for number, column in enumerate(TASK_COLUMNS, start=1)}
    book.rows(sheet, FIRST_ROW, rows, {number: fmt for number, fmt in formats.items() if fmt})
    first, last = FIRST_ROW, FIRST_ROW + len(rows) - 1
    last_letter = get_column_letter(len(TASK_COLUMNS))
    ref = f"A{first - 1}:{last_letter}{last}"
    sheet.add_table(_task_table(ref, tuple(clean_text(title) for title in titles)))
    _validate(
        sheet,
        _cells(TaskColumn.STATUS, first, last),
        type="list",
        formula1=book.choices(tuple(labels.term(value) for value in TaskStatus)),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=labels("tasks.status-error-title"),
        error=labels("tasks.status-error"),
    )
    _validate(
        sheet,
        _cells(TaskColumn.DONE_ON, first, last),
        type="date",
        operator="greaterThan",
        formula1="DATE(2000,1,1)",
        allow_blank=True,
    )
    _validate(
        sheet,
        _cells(TaskColumn.ACTUAL, first, last),
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showInputMessage=True,
        promptTitle=labels("tasks.actual-prompt-title")[:32],
        prompt=labels("tasks.actual-prompt", sheet=labels("sheet.weekly-log"))[:255],
    )
    block = f"A{first}:{last_letter}{last}"
    state = f"${letter(TaskColumn.STATUS)}{first}"
    done = formula_text(labels.term(TaskStatus.DONE))
    skipped = formula_text(labels.term(TaskStatus.SKIPPED))
    late = f"AND(${letter(TaskColumn.FINISH)}{first}<TODAY(),{state}<>{done},{state}<>{skipped})"
    _formatting(
        sheet,
        ("tasks", block, state, done, late),
        lambda: [
            (block, FormulaRule(formula=[f"{state}={done}"], fill=_done_fill(), font=_done_font(), stopIfTrue=True)),
            (
                block,
                FormulaRule(
                    formula=[late], fill=PatternFill("solid", fgColor="F4CCCC"), font=Font(color="990000", bold=True)
                ),
            ),
        ],
    )
    sheet.freeze_panes = f"{get_column_letter(index(TaskColumn.TITLE) + 1)}{first}"
    _columns(book, sheet, [column.width for column in TASK_COLUMNS], [column.minimum for column in TASK_COLUMNS])
    for column in TASK_COLUMNS:
        if column.hidden:
            book.column(sheet, index(column.name)).hidden = True
    _print_setup(sheet, book, landscape=True)
    return first, last


_TABLES: Kept[KeptTable] = Kept(16)


def _task_table(ref: str, names: tuple[str, ...]) -> KeptTable:
    """The Tasks sheet's table over `ref` with these column names, made once per process for them."""
    table = _TABLES.get((ref, names))
    if table is None:
        columns = [TableColumn(id=number, name=name) for number, name in enumerate(names, start=1)]
        table = KeptTable(displayName="TaskList", ref=ref, tableColumns=columns, autoFilter=AutoFilter(ref=ref))
        table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        _TABLES.keep((ref, names), table)
    return table


# ---- Dashboard --------------------------------------------------------------------------


def _dashboard(book: _Book, task_rows: tuple[int, int], log: _Ranges, sessions: _Ranges) -> None:
    """`log` holds the Weekly log's week starts and actual hours (the one source of actual hours);
    `sessions` the plan's session ends and hours on the inputs sheet (the hours planned up to today)."""
    plan, labels, view = book.plan, book.labels, book.view
    sheet = book.sheet("dashboard")
    book.workbook.move_sheet(sheet, offset=-book.workbook.worksheets.index(sheet))
    book.workbook.active = 0
    first, last = task_rows
    tasks = book.tasks_ref
    hours = span(TaskColumn.HOURS, first, last, tasks)
    counted = span(TaskColumn.COUNTED, first, last, tasks)
    states = span(TaskColumn.STATUS, first, last, tasks)
    phases = span(TaskColumn.PHASE, first, last, tasks)
    done = formula_text(labels.term(TaskStatus.DONE))
    total = plan.total_hours
    hours_done = book.hours_done(plan.tasks)
    overall = hours_done / total if total and hours_done else 0
    tasks_done = sum(1 for task in plan.tasks if book.status(task) is TaskStatus.DONE)
    logged_hours = sum(book.week_actual(week) or 0 for week in plan.weeks)

    book.put(sheet, 1, 1, plan.pathway.title, font=_font(size=16, bold=True, color=book.theme.hex("primary")))
    who = labels("dashboard.tracker-for", name=plan.participant) if plan.participant else labels("dashboard.tracker")
    book.put(sheet, 2, 1, who, font=_font(italic=True, color=book.theme.hex("muted")))
    facts_row = 4
    facts: list[tuple[str, Any, str | None]] = [
        ("participant", plan.participant or "", None),
        ("pathway", view.roles, None),
        ("start", plan.start, None),
        ("finish", plan.finish, None),
        ("weekly-hours", plan.hours_per_week, None),
        ("pace", plan.pace, PACE_FORMAT),
    ]
    keys = [key for key, _, _ in facts]
    cells = {key: f"$B${facts_row + keys.index(key)}" for key in ("finish", "weekly-hours")}
    for offset, (key, value, number_format) in enumerate(facts):
        book.put(sheet, facts_row + offset, 1, labels(f"dashboard.{key}"), font=_font(bold=True))
        book.put(sheet, facts_row + offset, 2, value, number_format)

    row = 11
    joiner = labels("dashboard.tasks-done-joiner")
    figures = [
        (
            labels("dashboard.overall"),
            Formula(f"IFERROR(SUM({counted})/SUM({hours}),0)", overall),
            PERCENT_FORMAT,
        ),
        (labels("dashboard.planned-hours"), Formula(f"SUM({hours})", total), HOURS_FORMAT),
        (labels("dashboard.hours-done"), Formula(f"SUM({counted})", hours_done), HOURS_FORMAT),
        (labels("dashboard.actual-hours", sheet=log.title), Formula(f"SUM({log.second})", logged_hours), HOURS_FORMAT),
        (
            labels("dashboard.tasks-done"),
            Formula(
                f"COUNTIF({states},{done})&{formula_text(joiner)}&COUNTA({states})",
                f"{tasks_done}{joiner}{len(plan.tasks)}",
            ),
            None,
        ),
        (
            labels("dashboard.days-left"),
            Formula(f"MAX(0,{cells['finish']}-TODAY())", max(0, (plan.finish - book.today).days)),
            "0",
        ),
    ]
    _figures(book, sheet, row, labels("dashboard.progress"), figures)
    progress_cell = f"$B${row + 1}"
    book.put(sheet, row + 1, 3, Formula(_bar(progress_cell), _bar_value(overall)))
    dashboard = sheet_ref(sheet.title)
    book.workbook.defined_names["OverallProgress"] = DefinedName(
        "OverallProgress", attr_text=f"{dashboard}!{progress_cell}"
    )
    book.workbook.defined_names["PlannedHours"] = DefinedName("PlannedHours", attr_text=f"{dashboard}!$B${row + 2}")

    cells["planned"], cells["done"] = f"$B${row + 2}", f"$B${row + 3}"
    row += len(figures) + 2
    standing = _standing(book, row, cells, log, sessions)
    _figures(book, sheet, row, labels("dashboard.standing"), standing)

    row += len(standing) + 2
    per_phase = labels("dashboard.per-phase")
    book.put(sheet, row, 1, per_phase, font=_font(size=13, bold=True, color=book.theme.hex("primary")))
    book.header(
        sheet,
        row + 1,
        [
            labels(f"dashboard.{key}")
            for key in ("phase", "title", "phase-start", "phase-finish", "phase-hours", "phase-done", "phase-progress")
        ]
        + [labels("dashboard.bar")],
    )
    for offset, phase in enumerate(plan.phases):
        r = row + 2 + offset
        phase_done = book.hours_done(plan.tasks_of(phase.number))
        share = phase_done / phase.hours if phase.hours and phase_done else 0
        values = [
            phase.number,
            phase.title,
            phase.start,
            phase.finish,
            phase.hours,
            Formula(f"SUMIFS({counted},{phases},A{r})", phase_done),
            Formula(f"IFERROR(F{r}/E{r},0)", share),
            Formula(_bar(f"G{r}"), _bar_value(share)),
        ]
        for column, value in enumerate(values, start=1):
            book.put(sheet, r, column, value, {5: HOURS_FORMAT, 6: HOURS_FORMAT, 7: PERCENT_FORMAT}.get(column))
    end = row + 1 + len(plan.phases)
    bars, primary = f"G{row + 2}:G{end}", book.theme.hex("primary")
    _formatting(
        sheet,
        ("dashboard", bars, primary),
        lambda: [(bars, DataBarRule(start_type="num", start_value=0, end_type="num", end_value=1, color=primary))],
    )
    _add_chart(book, sheet, f"B{end + 2}", _phase_chart, per_phase, row, end, len(plan.phases))
    _columns(book, sheet, [44, 44, 22, 18, 14, 12, 10, BAR_LENGTH + 4])
    _print_setup(sheet, book, landscape=True, title_rows=None)


def _phase_chart(sheet: Worksheet, title: str, row: int, end: int, phases: int) -> BarChart:
    """The Dashboard's progress per phase: a bar per phase of the progress column, heading on `row`."""
    chart = BarChart()
    chart.type = "bar"
    chart.title = title
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.y_axis.numFmt = "0%"
    chart.y_axis.majorGridlines = None
    chart.legend = None
    chart.add_data(Reference(sheet, min_col=7, min_row=row + 1, max_row=end), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=row + 2, max_row=end))
    chart.height = max(5, 1.2 * phases + 2)
    chart.width = 16
    return chart


_CHARTS: Kept[ChartBase] = Kept(16)
"""Charts a process keeps, by `_add_chart`'s key: a batch's workbooks share a few (one a chart, pathway and language)."""


def _add_chart(book: _Book, sheet: Worksheet, anchor: str, make: Callable[..., ChartBase], *inputs: Hashable) -> None:
    """Put the chart `make(sheet, *inputs)` on the sheet at `anchor`. `make` shapes the chart from the sheet's
    title and the inputs alone, so they are the key of its XML (`workbook_parts`), and the chart is made once
    per process for them (a chart keeps no reference to its sheet; saving sets its number in the workbook and
    its anchor afresh, so one object serves each workbook in turn, at most once in each)."""
    key = (make.__qualname__, sheet.title, *inputs)
    chart = _CHARTS.get(key)
    if chart is None:
        chart = _CHARTS.keep(key, make(sheet, *inputs))
    sheet.add_chart(chart, anchor)
    book.chart_keys[id(chart)] = key


_VALIDATIONS: Kept[DataValidation] = Kept(64)
_FORMATTINGS: Kept[ConditionalFormattingList] = Kept(32)
_DIFFERENTIAL_STYLES: Kept[DifferentialStyle] = Kept(32)
"""The rules' differential styles, one of each, by value (`_shared_style`)."""


def _validate(sheet: Worksheet, cells: str, **settings: str | bool) -> None:
    """Validate the cells as openpyxl's `DataValidation(**settings)` does, the validation made once per process
    for the cells and settings and shared by the workbooks that have it (openpyxl's writers only read it). The
    sheet's validations are set only here: a list kept per process for its validations (`_validations`)."""
    key = (cells, *((name, type(value), value) for name, value in sorted(settings.items())))
    validation = _VALIDATIONS.get(key)
    if validation is None:
        validation = DataValidation(**settings)
        validation.add(cells)
        _VALIDATIONS.keep(key, validation)
    sheet.data_validations = _validations((*sheet.data_validations.dataValidation, validation))


class SharedValidations(DataValidationList):
    """A sheet's list of validations shared by the workbooks of a process (`_validations`): openpyxl's writers
    only read it, and adding to it (`Worksheet.add_data_validation`) raises rather than reaching every later
    workbook's sheet."""

    __attrs__ = DataValidationList.__attrs__  # what openpyxl writes of the list (its metaclass finds none here)
    __elements__ = DataValidationList.__elements__
    __nested__ = DataValidationList.__nested__

    def append(self, dv):
        """Refused: the list is shared (TypeError); `_validate` gives a sheet a new list instead."""
        raise TypeError("a kept list of data validations is shared by workbooks; validate cells with _validate")


_VALIDATION_LISTS: Kept[SharedValidations] = Kept(32)


def _validations(validations: tuple[DataValidation, ...]) -> SharedValidations:
    """A sheet's list of these validations, as `add_data_validation` makes it on a new sheet, kept per process by
    their identities (the list holds them, so none is reused while it is kept) and settled (`xlsx_sheet.settled`):
    openpyxl's writers only read it, and the sheet writer knows its element by the object."""
    key = tuple(map(id, validations))
    kept = _VALIDATION_LISTS.get(key)
    if kept is None:
        kept = _VALIDATION_LISTS.keep(key, SharedValidations(dataValidation=list(validations)))
        settled(kept)
    return kept


def _formatting(sheet: Worksheet, key: Hashable, rules: Callable[[], list[tuple[str, Rule]]]) -> None:
    """Give the sheet the conditional formats `rules()` lists (cells, rule), in that order, made once per process
    for `key` (every value they are made from) and shared by the sheets that have them: openpyxl's writers
    only set each rule's differential style id, the same for every workbook as it registers them in order; the
    sheet writer knows each format's element by the object (`xlsx_sheet.settled`) while that id stays)."""
    formatting = _FORMATTINGS.get(key)
    if formatting is None:
        formatting = ConditionalFormattingList()
        for cells, rule in rules():
            if rule.dxf is not None:
                rule.dxf = _shared_style(rule.dxf)
            formatting.add(cells, rule)
        _FORMATTINGS.keep(key, formatting)
        for each in formatting:
            settled(each)
    sheet.conditional_formatting = formatting


def _shared_style(style: DifferentialStyle) -> DifferentialStyle:
    """The process's one differential style equal to this one: the rules of formats made for other cells share
    them, so the stylesheet of a workbook's differential styles is known by their identity (`xlsx_package`)."""
    kept = _DIFFERENTIAL_STYLES.get(style)
    return _DIFFERENTIAL_STYLES.keep(style, style) if kept is None else kept


def _side_borders(colour: str) -> Border:
    """A medium border of the colour on the left and the right."""
    side = Side(style="medium", color=colour)
    return Border(left=side, right=side)


def _figures(book: _Book, sheet: Worksheet, row: int, heading: str, figures: list[tuple[str, Any, str | None]]):
    """A block of the Dashboard: a heading on `row`, then one (label, value, number format) per row."""
    book.put(sheet, row, 1, heading, font=_font(size=13, bold=True, color=book.theme.hex("primary")))
    for offset, (label, value, number_format) in enumerate(figures, start=1):
        book.put(sheet, row + offset, 1, label)
        book.put(sheet, row + offset, 2, value, number_format)


def _standing(book: _Book, row: int, cells: dict[str, str], log: _Ranges, sessions: _Ranges) -> list:
    """Where the person stands today, for the block whose heading is on `row`: live formulas that
    give what `pathway-export status` prints (`exporter.status`). `cells` are the Dashboard's finish,
    weekly hours, planned hours and hours done cells. The cached values are the figures on the run's today."""
    labels = book.labels
    standing = status(book.plan, book.recorded or NOTHING_RECORDED, book.today)
    done, weekly, finish, planned = (cells[key] for key in ("done", "weekly-hours", "finish", "planned"))
    to_date, ahead, left, pace = (f"$B${row + offset}" for offset in (1, 2, 4, 5))
    recent = f'{log.first},">="&(TODAY()-{7 * PACE_WEEKS}),{log.first},"<"&TODAY()'
    days_to_finish = f"({finish}-TODAY())"
    return [
        (
            labels("dashboard.planned-to-date"),
            Formula(f'SUMIFS({sessions.second},{sessions.first},"<="&TODAY())', standing.hours_planned_to_date),
            HOURS_FORMAT,
        ),
        (labels("dashboard.ahead"), Formula(f"{done}-{to_date}", standing.hours_ahead), SIGNED_HOURS_FORMAT),
        (
            labels("dashboard.ahead-days"),
            Formula(f"IFERROR({ahead}/{weekly}*7,0)", standing.days_ahead),
            SIGNED_DAYS_FORMAT,
        ),
        (labels("dashboard.hours-left"), Formula(f"MAX(0,{planned}-{done})", standing.hours_left), HOURS_FORMAT),
        (
            labels("dashboard.observed-pace", weeks=PACE_WEEKS),
            Formula(
                f'IF(COUNTIFS({recent},{log.second},"<>")=0,"",SUMIFS({log.second},{recent})/{PACE_WEEKS})',
                _blank(standing.observed_pace),
            ),
            HOURS_FORMAT,
        ),
        (
            labels("dashboard.finish-at-pace"),
            Formula(f'IF(N({pace})>0,TODAY()+ROUNDUP({left}/{pace}*7,0),"")', _blank(standing.finish_at_pace)),
            DATE_FORMAT,
        ),
        (
            labels("dashboard.needed"),
            Formula(f'IF({days_to_finish}>0,{left}/({days_to_finish}/7),"")', _blank(standing.hours_per_week_needed)),
            HOURS_FORMAT,
        ),
    ]


def _blank(value: Any) -> Any:
    """A figure's cached value: "" (what the formula shows) where there is none."""
    return "" if value is None else value


def _bar(cell: str) -> str:
    return f'REPT("█",ROUND({cell}*{BAR_LENGTH},0))&REPT("░",{BAR_LENGTH}-ROUND({cell}*{BAR_LENGTH},0))'


def _bar_value(share: float) -> str:
    filled = round(share * BAR_LENGTH)
    return "█" * filled + "░" * (BAR_LENGTH - filled)


# ---- Timeline (Gantt) -------------------------------------------------------------------


def _timeline(book: _Book, task_rows: tuple[int, int]) -> None:
    plan, labels = book.plan, book.labels
    sheet = book.sheet("timeline")
    weeks = plan.weeks
    keys = ("id", "level", "item", "start", "finish", "status")
    first_week_column = len(keys) + 1
    tasks = book.tasks_ref
    start, finish, status = letter(TaskColumn.START), letter(TaskColumn.FINISH), letter(TaskColumn.STATUS)
    level_phase, level_task = labels("timeline.level-phase"), labels("timeline.level-task")
    done = formula_text(labels.term(TaskStatus.DONE))
    book.put(sheet, 1, 1, labels("timeline.title", title=plan.pathway.title), font=_font(bold=True, size=13))
    book.header(sheet, 2, [labels(f"timeline.{key}") for key in keys])
    week_font = _font(bold=True, color="FFFFFF", size=WEEK_LABEL_SIZE)
    standing = _alignment(text_rotation=90, horizontal="center", vertical="bottom")
    for number, week in enumerate(weeks):
        book.put(sheet, 2, first_week_column + number, week.start, WEEK_FORMAT, week_font, book.header_fill, standing)
        book.column(sheet, first_week_column + number).width = 3.2
    # The week labels stand on end: the header row is as tall as the longest of them (`28 Feb`).
    book.row_height(sheet, 2, math.ceil(format_chars(WEEK_FORMAT) * WEEK_LABEL_SIZE * 0.75 + 12))
    row = 3
    placed = list(enumerate(plan.tasks, start=task_rows[0]))  # each task with its row on the Tasks sheet
    for phase in plan.phases:
        own = [(source, task) for source, task in placed if task.phase == phase.number]
        phase_start, phase_finish = _phase_dates(phase, [source for source, _ in own], tasks)
        book.rows(
            sheet,
            row,
            [
                [
                    labels("word.phase", number=phase.number),
                    level_phase,
                    phase.title,
                    phase_start,
                    phase_finish,
                ]
            ],
        )
        for column in range(1, 6):
            book.restyle(sheet, row, column, font=_font(bold=True))
        row += 1
        for source, task in own:
            book.rows(
                sheet,
                row,
                [
                    [
                        task.id,
                        level_task,
                        task.title,
                        Formula(f"{tasks}!{start}{source}", task.start),
                        Formula(f"{tasks}!{finish}{source}", task.finish),
                        Formula(f'{tasks}!{status}{source}&""', labels.term(book.status(task))),
                    ]
                ],
            )
            row += 1
    last_row = row - 1
    last_column = get_column_letter(first_week_column + len(weeks) - 1)
    first_column = get_column_letter(first_week_column)
    grid = f"{first_column}3:{last_column}{last_row}"
    overlap = f"AND({first_column}$2<=$E3,{first_column}$2+6>=$D3)"
    status_column = get_column_letter(keys.index("status") + 1)  # the task's status, read from its Tasks row
    task_done = f"AND($B3={formula_text(level_task)},${status_column}3={done})"
    rows = f"A3:{get_column_letter(len(keys))}{last_row}"
    phase_bar = f"AND($B3={formula_text(level_phase)},{overlap})"
    task_bar = f"AND($B3={formula_text(level_task)},{overlap})"
    weeks_shown = f"{first_column}2:{last_column}{last_row}"
    now = f"AND(TODAY()>={first_column}$2,TODAY()<{first_column}$2+7)"
    primary, accent = book.theme.hex("primary"), book.theme.hex("accent")
    _formatting(
        sheet,
        ("timeline", rows, task_done, grid, phase_bar, overlap, task_bar, weeks_shown, now, primary, accent),
        lambda: [
            (rows, FormulaRule(formula=[task_done], fill=_done_fill(), font=_done_font())),
            (grid, FormulaRule(formula=[phase_bar], fill=PatternFill("solid", fgColor=primary))),
            (
                grid,
                FormulaRule(
                    # a done task's bar: solid green, against the open tasks' hatched blue, so it differs in greyscale
                    formula=[f"AND({task_done},{overlap})"],
                    fill=PatternFill("solid", fgColor=DONE_BAR, bgColor=DONE_BAR),
                    stopIfTrue=True,
                ),
            ),
            (grid, FormulaRule(formula=[task_bar], fill=PatternFill("darkGrid", fgColor="8FA9C4", bgColor="C9D6E3"))),
            (weeks_shown, FormulaRule(formula=[now], border=_side_borders(accent))),
        ],
    )
    sheet.freeze_panes = f"{get_column_letter(first_week_column)}3"
    _columns(book, sheet, [8, 7, 48, 18, 18, 13])
    _print_setup(sheet, book, landscape=True, title_rows="2:2")


def _phase_dates(phase: PlannedPhase, rows: list[int], tasks: str) -> tuple[Any, Any]:
    """A phase's start and finish on the Timeline: formulas over its tasks' rows of the Tasks sheet."""
    if not rows:
        return phase.start, phase.finish
    start, finish = letter(TaskColumn.START), letter(TaskColumn.FINISH)
    return (
        Formula(f"MIN({tasks}!{start}{rows[0]}:{start}{rows[-1]})", phase.start),
        Formula(f"MAX({tasks}!{finish}{rows[0]}:{finish}{rows[-1]})", phase.finish),
    )


# ---- Weekly log, skills, actions, resources, settings --------------------------------------


def _weekly_log(book: _Book) -> _Ranges:
    """The weekly log, the one place actual hours are counted from. Returns its title and the ranges of
    its week starts and Actual hours as formulas on other sheets refer to them.

    The cumulative actual of a week that starts after today is `NA()`, so the burn-up's actual line
    stops at today instead of running flat to the end of the plan; its cached values follow the run's
    `today`."""
    plan, labels = book.plan, book.labels
    sheet = book.sheet("weekly-log")
    book.header(
        sheet,
        1,
        [labels(f"log.{key}") for key in ("week", "planned", "actual", "cumulative-planned", "cumulative-actual")],
    )
    cumulative = 0.0
    cumulative_actual: float = 0
    for number, week in enumerate(plan.weeks):
        r = number + 2
        cumulative += week.hours
        logged = book.week_actual(week)
        if logged is not None:
            cumulative_actual += logged
        actual = Formula(
            f"IF($A{r}>TODAY(),NA(),SUM($C$2:C{r}))", NOT_AVAILABLE if week.start > book.today else cumulative_actual
        )
        book.rows(
            sheet,
            r,
            [[week.start, week.hours, logged, Formula(f"SUM($B$2:B{r})", cumulative), actual]],
            {2: HOURS_FORMAT, 3: HOURS_FORMAT, 4: HOURS_FORMAT, 5: HOURS_FORMAT},
        )
    last = len(plan.weeks) + 1
    _validate(
        sheet,
        f"C2:C{last}",
        type="decimal",
        operator="between",
        formula1="0",
        formula2="168",
        allow_blank=True,
        showInputMessage=True,
        promptTitle=labels("log.actual-prompt-title")[:32],
        prompt=labels("log.actual-prompt")[:255],
    )
    _add_chart(
        book, sheet, "G2", _log_chart, labels("log.chart"), labels("log.axis"), book.number_format(WEEK_FORMAT), last
    )
    sheet.freeze_panes = "A2"
    _columns(book, sheet, [16, 14, 14, 18, 18])
    _print_setup(sheet, book)
    ref, end = sheet_ref(sheet.title), max(last, 2)
    return _Ranges(sheet.title, f"{ref}!$A$2:$A${end}", f"{ref}!$C$2:$C${end}")


def _log_chart(sheet: Worksheet, title: str, axis: str, week_format: str, last: int) -> LineChart:
    """The Weekly log's burn-up: the cumulative planned and actual hours of rows 2 to `last`."""
    chart = LineChart()
    chart.title = title
    chart.y_axis.title = axis
    chart.x_axis.number_format = week_format
    chart.add_data(Reference(sheet, min_col=4, max_col=5, min_row=1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
    for series in chart.series:
        series.smooth = False  # straight segments: a smoothed running total could seem to dip
    chart.display_blanks = "gap"
    chart.width = 22
    chart.height = 10
    return chart


def _skills(book: _Book) -> None:
    plan, labels = book.plan, book.labels
    sheet = book.sheet("skills")
    book.header(
        sheet, 1, [labels(f"skills.{key}") for key in ("skill", "priority", "weeks", "target", "how", "rating")]
    )
    ongoing = labels("word.ongoing")
    rows = [
        [
            skill.name,
            labels.term(skill.priority),
            ongoing if skill.weeks is None else skill.weeks,
            skill.target or ongoing,
            skill.how,
            book.recorded.skill_ratings.get(skill.name) if book.recorded else None,
        ]
        for skill in plan.skills
    ]
    book.rows(sheet, 2, rows)
    last = len(rows) + 1
    ratings = book.choices(labels.items("skills.ratings"))
    _validate(sheet, f"F2:F{max(last, 2)}", type="list", formula1=ratings, allow_blank=True)
    row = last + 2
    book.put(sheet, row, 1, labels("skills.transferable"), font=_font(bold=True, size=12))
    book.header(sheet, row + 1, [labels("skills.transferable-skill"), labels("skills.transferable-why")])
    book.rows(sheet, row + 2, [[s.name, s.description] for s in plan.pathway.transferable_skills])
    sheet.freeze_panes = "A2"
    _columns(book, sheet, [40, 60, 9, 16, 70, 18])
    _wrap_rows(book, sheet, 2, last, (1, 2, 5), through=6)
    _wrap_rows(book, sheet, row + 2, row + 1 + len(plan.pathway.transferable_skills), (1, 2), through=2)
    _print_setup(sheet, book, landscape=True)


def _actions(book: _Book) -> None:
    plan, labels = book.plan, book.labels
    sheet = book.sheet("actions")
    yes, no = labels("actions.yes"), labels("actions.no")
    book.header(sheet, 1, [labels(f"actions.{key}") for key in ("when", "action", "due", "done", "done-on")])
    done = book.recorded.actions_done if book.recorded else {}
    rows = [[labels.term(a.horizon), a.title, a.due, yes if done.get(a.title) else no, None] for a in plan.actions]
    book.rows(sheet, 2, rows, {5: DATE_FORMAT})
    last = max(len(rows) + 1, 2)
    _validate(sheet, f"D2:D{last}", type="list", formula1=book.choices((yes, no)), allow_blank=True)
    marked, done_mark = f"A2:E{last}", f"$D2={formula_text(yes)}"
    _formatting(
        sheet,
        ("actions", marked, done_mark),
        lambda: [(marked, FormulaRule(formula=[done_mark], fill=_done_fill(), font=_done_font()))],
    )
    sheet.freeze_panes = "A2"
    _columns(book, sheet, [14, 80, 16, 8, 16])
    _print_setup(sheet, book)


def _other_rows(book: _Book) -> None:
    """The rows of the tracker this plan was made again from that match none of its tasks
    (`exporter.tracker.left_over`), kept as the person left them; no sheet when there are none."""
    if book.recorded is None:
        return
    rows = left_over(book.recorded, {task.key for task in book.plan.tasks}, book.labels)
    if not rows:
        return
    labels = book.labels
    sheet = book.sheet("other")
    book.put(sheet, 1, 1, labels("other.intro"), font=_font(italic=True, color=book.theme.hex("muted")))
    titles = [labels("other.row"), labels("tasks.key"), *(labels(f"tasks.{column.value}") for column in OTHER_COLUMNS)]
    book.header(sheet, 2, titles)
    formats = {3 + OTHER_COLUMNS.index(TaskColumn.DONE_ON): DATE_FORMAT}
    book.rows(sheet, 3, [[row.row, row.key, *row.values] for row in rows], formats)
    sheet.freeze_panes = "A3"
    _columns(book, sheet, [12, 24, 60, 13, 18, 14, 40])
    _print_setup(sheet, book, landscape=True, title_rows="2:2")


def _resources(book: _Book) -> None:
    plan, labels = book.plan, book.labels
    sheet = book.sheet("resources", hyperlinks=True)
    book.header(sheet, 1, [labels("resources.phase"), labels("resources.resource"), labels("resources.link")])
    row = 2
    for phase in plan.pathway.phases:
        for resource in phase.resources:
            book.put(sheet, row, 1, phase.number)
            book.put(sheet, row, 2, resource.title)
            url = safe_url(resource.url)
            if url:
                book.put_link(sheet, row, 3, url)
            elif resource.url:
                book.put(sheet, row, 3, resource.url)
            row += 1
    sheet.freeze_panes = "A2"
    _columns(book, sheet, [8, 50, 60])
    _print_setup(sheet, book)


def _settings(book: _Book) -> None:
    plan, labels = book.plan, book.labels
    sheet = book.sheet("settings")
    book.header(sheet, 1, [labels("settings.setting"), labels("settings.value")])
    none = labels("word.none")
    stamp = book.build_time
    values: list[tuple[str, Any]] = [
        ("participant", plan.participant or labels("settings.not-given")),
        ("pathway", plan.pathway.title),
        ("pathway-id", plan.pathway.id),
        ("start", plan.start),
        ("timezone", plan.timezone),
        ("availability", book.view.availability),
        ("weekly-hours", plan.hours_per_week),
        ("guide-hours", plan.pathway.hours_per_week),
        ("pace", round(plan.pace, 3)),
        ("blackouts", book.view.blackouts or none),
        ("holidays", plan.holidays or none),
        *_busy_values(plan),
        *([("holidays-off", book.view.holidays_off)] if plan.holidays_off else []),
        ("finish-by", plan.finish_by or labels("settings.not-requested")),
        ("finish", plan.finish),
        ("effort", plan.total_hours),
        *_replanning_values(book),
        ("sessions", len(plan.sessions)),
        (
            "generated",
            labels(
                "settings.generated-value",
                date=book.view.short_date(stamp.date()),
                time=labels.time(stamp.time()),
            ),
        ),
        (
            "generated-by",
            labels("settings.generated-by-value", program=labels("document.program"), version=__version__),
        ),
        ("how", labels("settings.how-text")),
    ]
    for row, (key, value) in enumerate(values, start=2):
        book.put(sheet, row, 1, labels(f"settings.{key}"))
        book.put(sheet, row, 2, value, HOURS_FORMAT if key in _HOURS_SETTINGS else None)
    _columns(book, sheet, [26, 90])
    _wrap_rows(book, sheet, len(values) + 1, len(values) + 1, (2,), through=2)
    _print_setup(sheet, book)


_HOURS_SETTINGS = ("replan-hours-done", "replan-hours-left", "busy-taken")


def _busy_values(plan: Plan) -> list[tuple[str, Any]]:
    """The busy calendars a plan was made around (an address by its host only) and the hours of the
    person's windows they took; none for a plan made without them."""
    if plan.busy is None:
        return []
    return [
        ("busy", "; ".join(source.label for source in plan.busy.rules.sources)),
        ("busy-taken", plan.busy.hours_taken),
    ]


def _replanning_values(book: _Book) -> list[tuple[str, Any]]:
    """The settings rows of a replanned plan: when and from what finish it was made again, and the
    hours done and left then; none for a plan made afresh."""
    replanning = book.plan.replanning
    if replanning is None:
        return []
    return [
        ("replanned-on", replanning.as_of),
        ("previous-finish", replanning.previous_finish),
        ("replan-hours-done", replanning.hours_done),
        ("replan-hours-left", replanning.hours_left),
    ]


@dataclass(frozen=True)
class _Ranges:
    """Two ranges of one sheet that formulas elsewhere refer to, with the sheet's title."""

    title: str
    first: str
    second: str


def _inputs(book: _Book, context: RunContext, options: WriterOptions) -> _Ranges:
    """The plan's inputs, for a later run that reads the tracker back (`exporter.tracker.INPUT_KEYS`):
    a very hidden sheet (people cannot unhide it by accident) of machine keys in column A and
    plain-text values in column B. The pathway's id and hash also go into the custom document properties.
    Returns the ranges of the session rows' local ends and hours, which the Dashboard sums."""
    values = input_values(book.plan, book.theme.paper, options.reminder, context.build_time)
    sheet = book.sheet("inputs")
    sheet.sheet_state = "veryHidden"
    rows = [*values.items(), *replanned_rows(book.plan), *session_rows(book.plan)]
    book.rows_of_values(sheet, rows)
    _columns(book, sheet, [24, 70, 26, 26, 70, 18, 8])
    for key in (InputKey.PATHWAY_ID, InputKey.PATHWAY_SHA256):
        book.workbook.custom_doc_props.append(StringProperty(name=str(key), value=values[key]))
    last = max(len(rows), 1)
    first = last - len(book.plan.sessions) + 1 if book.plan.sessions else last
    ref = sheet_ref(sheet.title)
    end, hours = (get_column_letter(column) for column in (SESSION_END_COLUMN, SESSION_HOURS_COLUMN))
    return _Ranges(sheet.title, f"{ref}!${end}${first}:${end}${last}", f"{ref}!${hours}${first}:${hours}${last}")


def _properties(book: _Book) -> None:
    plan, labels = book.plan, book.labels
    title = plan.pathway.title
    properties = book.workbook.properties
    if plan.participant:
        properties.title = _plain(labels("document.title-for", title=title, name=plan.participant))
    else:
        properties.title = _plain(labels("document.title", title=title))
    program = labels("document.program")
    properties.creator = _plain(book.theme.organisation or plan.participant or program)
    properties.subject = _plain(book.view.roles_to)
    properties.created = properties.modified = book.build_time.replace(tzinfo=None)
    properties.lastModifiedBy = _plain(program)


def _columns(book: _Book, sheet: Worksheet, widths: list[float], minimums: list[float] | None = None) -> None:
    """Size the first `len(widths)` columns to their longest value (`_Book.measure`, as each was put),
    up to the given width (longer text wraps or is cut off), and never narrower than the given minimum
    or than the dates the column holds or will hold need (each date cell's format, typed into yet or
    not: a date in a narrower column shows `###`). Columns after these are sized by their sheet."""
    longest, dates = book.lengths[sheet.title], book.date_widths[sheet.title]
    for number, width in enumerate(widths, start=1):
        fitted = max(8, min(width, longest[number] + 2)) if number in longest else width
        minimum = minimums[number - 1] if minimums else 0
        book.column(sheet, number).width = max(fitted, minimum, dates.get(number, 0))


def _wrap_rows(
    book: _Book, sheet: Worksheet, first_row: int, last_row: int, columns: tuple[int, ...], through: int
) -> None:
    """Wrap the text of these columns and make each row tall enough for its longest text, estimated
    from the text's length and the column's width: Excel and LibreOffice keep the height a file
    gives, so without it wrapped lines overprint the rows below. The row's cells up to column
    `through` align to the top, beside the first line of the wrapped text."""
    for row in range(first_row, last_row + 1):
        lines = 1
        for column in range(1, through + 1):
            if column not in columns:
                book.restyle(sheet, row, column, alignment=_alignment(vertical="top"))
                continue
            book.restyle(sheet, row, column, alignment=_alignment(wrap_text=True, vertical="top"))
            value = book.value(sheet, row, column)
            if not isinstance(value, str) or not value:
                continue
            width = book.column(sheet, column).width or 8.43
            lines = max(lines, _line_count(value, width))
        if lines > 1:
            book.row_height(sheet, row, lines * LINE_HEIGHT)


@lru_cache(maxsize=4096)
def _line_count(text: str, width: float) -> int:
    """The lines a text wraps to in a column of this width (in characters of the default font). Cached:
    the pathway's own text recurs in every workbook."""
    per_line = max(1, math.floor((width - 1) * CHARS_PER_WIDTH))
    return sum(max(1, len(textwrap.wrap(part, per_line))) for part in text.splitlines() or [""])


def _print_setup(sheet: Worksheet, book: _Book, landscape: bool = False, title_rows: str | None = "1:1") -> None:
    """Print the sheet fitted to a page's width, its `title_rows` on every page, with the plan's footer."""
    if title_rows:
        sheet.print_title_rows = title_rows
    plan, labels = book.plan, book.labels
    if plan.participant:
        footer = labels("document.footer-for", title=plan.pathway.title, name=plan.participant)
    else:
        footer = labels("document.footer", title=plan.pathway.title)
    print_setup(
        sheet,
        "landscape" if landscape else "portrait",
        sheet.PAPERSIZE_A4 if book.theme.paper == "a4" else sheet.PAPERSIZE_LETTER,
        _header_text(footer),
        ANY_CONTROL.sub(" ", labels("document.footer-page")),
    )


def _header_text(text: str) -> str:
    """Header and footer text is a tiny markup of its own where `&` starts a code."""
    return ANY_CONTROL.sub(" ", text).replace("&", "&&")[:200]
