"""The Excel tracker: a live workbook of the plan that the person ticks off.

Progress figures are formulas over the Tasks sheet, so they move when a status changes.
openpyxl saves formulas without results, which phone previews and `data_only` readers show
as blanks; `finish_workbook` therefore writes each formula's value for the state in which the
file leaves here (no task done yet) into the saved XML. It also moves strings into a shared
strings table (some previewers show inline strings blank) and stamps the zip with the build
time, so the same inputs give the same bytes.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.formatting.rule import DataBarRule, FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from exporter import __version__
from exporter.clock import generated_at
from exporter.model import HORIZON_TITLES
from exporter.plan import Plan
from exporter.theme import Theme
from exporter.writers.common import safe_url
from exporter.writers.xlsx_package import finish_workbook

STATUSES = ("Not started", "In progress", "Done", "Skipped")
RATINGS = ("1 - New to me", "2 - Learning", "3 - Practising", "4 - Confident", "5 - Can teach it")
DATE_FORMAT = "ddd d mmm yyyy"
HOURS_FORMAT = "0.##"
PERCENT_FORMAT = "0%"
BAR_LENGTH = 20


@dataclass(frozen=True)
class Formula:
    """A formula and the value it has when the file is written (for viewers that do not calculate)."""

    text: str
    value: Any


class _Book:
    """The workbook being built, with the cached values of its formula cells."""

    def __init__(self, plan: Plan, theme: Theme):
        self.plan = plan
        self.theme = theme
        self.workbook = Workbook()
        self.cached: dict[str, dict[str, Any]] = {}
        self.header_fill = PatternFill("solid", fgColor=theme.hex("primary"))
        self.header_font = Font(bold=True, color="FFFFFF")
        self.today = generated_at().date()

    def sheet(self, title: str) -> Worksheet:
        if len(self.workbook.worksheets) == 1 and self.workbook.active.title == "Sheet":
            sheet = self.workbook.active
            sheet.title = title
        else:
            sheet = self.workbook.create_sheet(title)
        self.cached[title] = {}
        return sheet

    def put(self, sheet: Worksheet, row: int, column: int, value: Any, number_format: str | None = None):
        cell = sheet.cell(row=row, column=column)
        if isinstance(value, Formula):
            cell.value = "=" + value.text
            self.cached[sheet.title][cell.coordinate] = value.value
        elif isinstance(value, str):
            put_text(cell, value)
        else:
            cell.value = value
        if number_format:
            cell.number_format = number_format
        elif isinstance(value, date | datetime) or (isinstance(value, Formula) and isinstance(value.value, date)):
            cell.number_format = DATE_FORMAT
        return cell

    def header(self, sheet: Worksheet, row: int, titles: list[str], column: int = 1) -> None:
        for offset, title in enumerate(titles):
            cell = self.put(sheet, row, column + offset, title)
            cell.fill = self.header_fill
            cell.font = self.header_font
            cell.alignment = Alignment(vertical="center", wrap_text=True)

    def rows(self, sheet: Worksheet, first_row: int, rows: list[list[Any]], formats: dict[int, str] | None = None):
        for row_offset, values in enumerate(rows):
            for column, value in enumerate(values, start=1):
                self.put(sheet, first_row + row_offset, column, value, (formats or {}).get(column))


def _done_fill() -> PatternFill:
    return PatternFill("solid", fgColor="D9EAD3")


def _done_font() -> Font:
    """Done rows are struck through as well as green, so the mark survives a greyscale print."""
    return Font(color="38761D", strike=True)


def put_text(cell, text: str) -> None:
    """Store text as text: never a formula, never an error value, whatever it starts with."""
    clean = ILLEGAL_CHARACTERS_RE.sub(" ", text)[:32767]
    cell.value = clean
    cell.data_type = "s"
    if clean[:1] in ("=", "+", "-", "@"):
        cell.quotePrefix = True


def render_xlsx(plan: Plan, theme: Theme) -> bytes:
    book = _Book(plan, theme)
    task_rows = _tasks_sheet(book)
    _dashboard(book, task_rows)
    _timeline(book, task_rows)
    _weekly_log(book)
    _skills(book)
    _actions(book)
    _resources(book)
    _settings(book)
    _properties(book)
    buffer = io.BytesIO()
    book.workbook.save(buffer)
    return finish_workbook(buffer.getvalue(), book.cached, generated_at())


# ---- Tasks ------------------------------------------------------------------------------


def _tasks_sheet(book: _Book) -> tuple[int, int]:
    """Returns the first and last row of task data."""
    plan = book.plan
    sheet = book.sheet("Tasks")
    titles = [
        "ID",
        "Phase",
        "Task",
        "Planned start",
        "Planned finish",
        "Planned hours",
        "Status",
        "Done on",
        "Actual hours",
        "Notes",
    ]
    book.header(sheet, 1, titles)
    rows = [
        [task.id, task.phase, task.title, task.start, task.finish, task.hours, "Not started", None, None, None]
        for task in plan.tasks
    ]
    book.rows(sheet, 2, rows, {6: HOURS_FORMAT, 8: DATE_FORMAT, 9: HOURS_FORMAT})
    last = len(rows) + 1
    table = Table(displayName="TaskList", ref=f"A1:J{last}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    sheet.add_table(table)
    status = DataValidation(
        type="list",
        formula1=f'"{",".join(STATUSES)}"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Status",
        error="Choose a status from the list.",
    )
    status.add(f"G2:G{last}")
    sheet.add_data_validation(status)
    done_date = DataValidation(type="date", operator="greaterThan", formula1="DATE(2000,1,1)", allow_blank=True)
    done_date.add(f"H2:H{last}")
    sheet.add_data_validation(done_date)
    block = f"A2:J{last}"
    sheet.conditional_formatting.add(
        block,
        FormulaRule(formula=['$G2="Done"'], fill=_done_fill(), font=_done_font(), stopIfTrue=True),
    )
    sheet.conditional_formatting.add(
        block,
        FormulaRule(
            formula=['AND($E2<TODAY(),$G2<>"Done",$G2<>"Skipped")'],
            fill=PatternFill("solid", fgColor="F4CCCC"),
            font=Font(color="990000", bold=True),
        ),
    )
    sheet.freeze_panes = "D2"
    _columns(sheet, [6, 8, 60, 18, 18, 15, 13, 18, 14, 40])
    _print_setup(sheet, book, landscape=True)
    return 2, last


# ---- Dashboard --------------------------------------------------------------------------


def _dashboard(book: _Book, task_rows: tuple[int, int]) -> None:
    plan = book.plan
    sheet = book.sheet("Dashboard")
    book.workbook.move_sheet(sheet, offset=-1)
    book.workbook.active = 0
    first, last = task_rows
    hours = f"Tasks!$F${first}:$F${last}"
    status = f"Tasks!$G${first}:$G${last}"
    actual = f"Tasks!$I${first}:$I${last}"
    total = plan.total_hours

    title = book.put(sheet, 1, 1, plan.pathway.title)
    title.font = Font(size=16, bold=True, color=book.theme.hex("primary"))
    who = f"Personal tracker for {plan.participant}" if plan.participant else "Personal tracker"
    book.put(sheet, 2, 1, who).font = Font(italic=True, color=book.theme.hex("muted"))
    facts = [
        ("Participant", plan.participant or ""),
        ("Pathway", f"{plan.pathway.from_role} -> {plan.pathway.to_role}"),
        ("Start", plan.start),
        ("Planned finish", plan.finish),
        ("Weekly hours", plan.hours_per_week),
        ("Pace (against the guide's weekly hours)", plan.pace),
    ]
    for offset, (label, value) in enumerate(facts):
        book.put(sheet, 4 + offset, 1, label).font = Font(bold=True)
        book.put(sheet, 4 + offset, 2, value, "0.00x" if label.startswith("Pace") else None)

    row = 11
    book.put(sheet, row, 1, "Progress").font = Font(size=13, bold=True, color=book.theme.hex("primary"))
    figures = [
        (
            "Overall progress (share of planned hours done)",
            Formula(f'IFERROR(SUMIFS({hours},{status},"Done")/SUM({hours}),0)', 0),
            PERCENT_FORMAT,
        ),
        ("Planned hours", Formula(f"SUM({hours})", total), HOURS_FORMAT),
        ("Hours done (planned hours of tasks done)", Formula(f'SUMIFS({hours},{status},"Done")', 0), HOURS_FORMAT),
        ("Actual hours logged", Formula(f"SUM({actual})", 0), HOURS_FORMAT),
        ("Tasks done", Formula(f'COUNTIF({status},"Done")&" of "&COUNTA({status})', f"0 of {len(plan.tasks)}"), None),
        ("Days left to the planned finish", Formula("MAX(0,B7-TODAY())", max(0, (plan.finish - book.today).days)), "0"),
    ]
    for offset, (label, formula, number_format) in enumerate(figures):
        book.put(sheet, row + 1 + offset, 1, label)
        book.put(sheet, row + 1 + offset, 2, formula, number_format)
    progress_cell = f"$B${row + 1}"
    book.put(sheet, row + 1, 3, Formula(_bar(progress_cell), _bar_value(0)))
    book.workbook.defined_names["OverallProgress"] = DefinedName(
        "OverallProgress", attr_text=f"Dashboard!{progress_cell}"
    )
    book.workbook.defined_names["PlannedHours"] = DefinedName("PlannedHours", attr_text=f"Dashboard!$B${row + 2}")

    row = 19
    book.put(sheet, row, 1, "Progress per phase").font = Font(size=13, bold=True, color=book.theme.hex("primary"))
    book.header(sheet, row + 1, ["Phase", "Title", "Start", "Finish", "Planned hours", "Hours done", "Progress", "Bar"])
    phases = f"Tasks!$B${first}:$B${last}"
    for offset, phase in enumerate(plan.phases):
        r = row + 2 + offset
        done = Formula(f'SUMIFS({hours},{phases},A{r},{status},"Done")', 0)
        share = Formula(f"IFERROR(F{r}/E{r},0)", 0)
        values = [
            phase.number,
            phase.title,
            phase.start,
            phase.finish,
            phase.hours,
            done,
            share,
            Formula(_bar(f"G{r}"), _bar_value(0)),
        ]
        for column, value in enumerate(values, start=1):
            book.put(sheet, r, column, value, {5: HOURS_FORMAT, 6: HOURS_FORMAT, 7: PERCENT_FORMAT}.get(column))
    end = row + 1 + len(plan.phases)
    sheet.conditional_formatting.add(
        f"G{row + 2}:G{end}",
        DataBarRule(start_type="num", start_value=0, end_type="num", end_value=1, color=book.theme.hex("primary")),
    )
    chart = BarChart()
    chart.type = "bar"
    chart.title = "Progress per phase"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.y_axis.numFmt = "0%"
    chart.y_axis.majorGridlines = None
    chart.legend = None
    chart.add_data(Reference(sheet, min_col=7, min_row=row + 1, max_row=end), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=row + 2, max_row=end))
    chart.height = max(5, 1.2 * len(plan.phases) + 2)
    chart.width = 16
    sheet.add_chart(chart, f"B{end + 2}")
    _columns(sheet, [44, 44, 22, 18, 14, 12, 10, BAR_LENGTH + 4])
    _print_setup(sheet, book, landscape=True)


def _bar(cell: str) -> str:
    return f'REPT("█",ROUND({cell}*{BAR_LENGTH},0))&REPT("░",{BAR_LENGTH}-ROUND({cell}*{BAR_LENGTH},0))'


def _bar_value(share: float) -> str:
    filled = round(share * BAR_LENGTH)
    return "█" * filled + "░" * (BAR_LENGTH - filled)


# ---- Timeline (Gantt) -------------------------------------------------------------------


def _timeline(book: _Book, task_rows: tuple[int, int]) -> None:
    plan = book.plan
    sheet = book.sheet("Timeline")
    weeks = plan.weeks
    first_week_column = 6
    book.put(sheet, 1, 1, f"Timeline by week: {plan.pathway.title}").font = Font(bold=True, size=13)
    book.header(sheet, 2, ["ID", "Level", "Item", "Start", "Finish"])
    for index, week in enumerate(weeks):
        cell = book.put(sheet, 2, first_week_column + index, week.start, "d mmm")
        cell.fill = book.header_fill
        cell.font = Font(bold=True, color="FFFFFF", size=8)
        cell.alignment = Alignment(text_rotation=90, horizontal="center")
        sheet.column_dimensions[get_column_letter(first_week_column + index)].width = 3.2
    row = 3
    task_row = {task.id: task_rows[0] + index for index, task in enumerate(plan.tasks)}
    for phase in plan.phases:
        own = [task_row[task.id] for task in plan.tasks_of(phase.number)]
        book.rows(
            sheet,
            row,
            [
                [
                    f"Phase {phase.number}",
                    "Phase",
                    phase.title,
                    Formula(f"MIN(Tasks!D{own[0]}:D{own[-1]})", phase.start),
                    Formula(f"MAX(Tasks!E{own[0]}:E{own[-1]})", phase.finish),
                ]
            ],
        )
        for column in range(1, 6):
            sheet.cell(row=row, column=column).font = Font(bold=True)
        row += 1
        for task in plan.tasks_of(phase.number):
            source = task_row[task.id]
            book.rows(
                sheet,
                row,
                [
                    [
                        task.id,
                        "Task",
                        task.title,
                        Formula(f"Tasks!D{source}", task.start),
                        Formula(f"Tasks!E{source}", task.finish),
                    ]
                ],
            )
            row += 1
    last_row = row - 1
    last_column = get_column_letter(first_week_column + len(weeks) - 1)
    first_column = get_column_letter(first_week_column)
    grid = f"{first_column}3:{last_column}{last_row}"
    overlap = f"AND({first_column}$2<=$E3,{first_column}$2+6>=$D3)"
    sheet.conditional_formatting.add(
        grid,
        FormulaRule(
            formula=[f'AND($B3="Phase",{overlap})'], fill=PatternFill("solid", fgColor=book.theme.hex("primary"))
        ),
    )
    sheet.conditional_formatting.add(
        grid,
        FormulaRule(
            formula=[f'AND($B3="Task",{overlap})'], fill=PatternFill("darkGrid", fgColor="8FA9C4", bgColor="C9D6E3")
        ),
    )
    now = f"AND(TODAY()>={first_column}$2,TODAY()<{first_column}$2+7)"
    accent = Side(style="medium", color=book.theme.hex("accent"))
    sheet.conditional_formatting.add(
        f"{first_column}2:{last_column}{last_row}", FormulaRule(formula=[now], border=Border(left=accent, right=accent))
    )
    sheet.freeze_panes = sheet.cell(row=3, column=first_week_column)
    _columns(sheet, [8, 7, 48, 18, 18])
    _print_setup(sheet, book, landscape=True, title_rows="2:2")


# ---- Weekly log, skills, actions, resources, settings --------------------------------------


def _weekly_log(book: _Book) -> None:
    plan = book.plan
    sheet = book.sheet("Weekly log")
    book.header(sheet, 1, ["Week starting", "Planned hours", "Actual hours", "Cumulative planned", "Cumulative actual"])
    cumulative = 0.0
    for index, week in enumerate(plan.weeks):
        r = index + 2
        cumulative += week.hours
        book.rows(
            sheet,
            r,
            [[week.start, week.hours, None, Formula(f"SUM($B$2:B{r})", cumulative), Formula(f"SUM($C$2:C{r})", 0)]],
            {2: HOURS_FORMAT, 3: HOURS_FORMAT, 4: HOURS_FORMAT, 5: HOURS_FORMAT},
        )
    last = len(plan.weeks) + 1
    hours_check = DataValidation(type="decimal", operator="between", formula1="0", formula2="168", allow_blank=True)
    hours_check.add(f"C2:C{last}")
    sheet.add_data_validation(hours_check)
    chart = LineChart()
    chart.title = "Burn-up: cumulative hours"
    chart.y_axis.title = "Hours"
    chart.x_axis.number_format = "d mmm"
    chart.add_data(Reference(sheet, min_col=4, max_col=5, min_row=1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
    chart.width = 22
    chart.height = 10
    sheet.add_chart(chart, "G2")
    sheet.freeze_panes = "A2"
    _columns(sheet, [16, 14, 14, 18, 18])
    _print_setup(sheet, book)


def _skills(book: _Book) -> None:
    plan = book.plan
    sheet = book.sheet("Skills")
    book.header(sheet, 1, ["Skill", "Priority", "Weeks", "Target date", "How to learn it", "Self-rating"])
    rows = [
        [
            skill.name,
            skill.priority,
            "ongoing" if skill.weeks is None else skill.weeks,
            skill.target or "ongoing",
            source.how,
            None,
        ]
        for skill, source in zip(plan.skills, plan.pathway.skills, strict=True)
    ]
    book.rows(sheet, 2, rows)
    last = len(rows) + 1
    rating = DataValidation(type="list", formula1=f'"{",".join(RATINGS)}"', allow_blank=True)
    rating.add(f"F2:F{max(last, 2)}")
    sheet.add_data_validation(rating)
    row = last + 2
    book.put(sheet, row, 1, "Transferable skills you already have").font = Font(bold=True, size=12)
    book.header(sheet, row + 1, ["Skill", "Why it transfers"])
    book.rows(sheet, row + 2, [[s.name, s.description] for s in plan.pathway.transferable_skills])
    for r in range(2, row + 2 + len(plan.pathway.transferable_skills)):
        sheet.cell(row=r, column=5).alignment = Alignment(wrap_text=True, vertical="top")
        sheet.cell(row=r, column=2).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    _columns(sheet, [40, 60, 9, 16, 70, 18])
    _print_setup(sheet, book, landscape=True)


def _actions(book: _Book) -> None:
    plan = book.plan
    sheet = book.sheet("Actions")
    book.header(sheet, 1, ["When", "Action", "Due", "Done", "Done on"])
    rows = [[HORIZON_TITLES[a.horizon], a.title, a.due, "No", None] for a in plan.actions]
    book.rows(sheet, 2, rows, {5: DATE_FORMAT})
    last = max(len(rows) + 1, 2)
    done = DataValidation(type="list", formula1='"Yes,No"', allow_blank=True)
    done.add(f"D2:D{last}")
    sheet.add_data_validation(done)
    sheet.conditional_formatting.add(
        f"A2:E{last}",
        FormulaRule(formula=['$D2="Yes"'], fill=_done_fill(), font=_done_font()),
    )
    sheet.freeze_panes = "A2"
    _columns(sheet, [14, 80, 16, 8, 16])
    _print_setup(sheet, book)


def _resources(book: _Book) -> None:
    plan = book.plan
    sheet = book.sheet("Resources")
    book.header(sheet, 1, ["Phase", "Resource", "Link"])
    row = 2
    for phase in plan.pathway.phases:
        for resource in phase.resources:
            book.put(sheet, row, 1, phase.number)
            book.put(sheet, row, 2, resource.title)
            url = safe_url(resource.url)
            if url:
                cell = book.put(sheet, row, 3, url)
                cell.hyperlink = url
                cell.style = "Hyperlink"
            elif resource.url:
                book.put(sheet, row, 3, resource.url)
            row += 1
    sheet.freeze_panes = "A2"
    _columns(sheet, [8, 50, 60])
    _print_setup(sheet, book)


def _settings(book: _Book) -> None:
    plan = book.plan
    sheet = book.sheet("Plan settings")
    book.header(sheet, 1, ["Setting", "Value"])
    rows: list[list[Any]] = [
        ["Participant", plan.participant or "(not given)"],
        ["Pathway", plan.pathway.title],
        ["Pathway id", plan.pathway.id],
        ["Start", plan.start],
        ["Time zone", plan.timezone],
        ["Weekly availability", plan.availability.spec()],
        ["Weekly hours", plan.hours_per_week],
        ["Guide's weekly hours", plan.pathway.hours_per_week],
        ["Pace", round(plan.pace, 3)],
        ["Blackout days", ", ".join(b.label() for b in plan.blackouts) or "none"],
        ["Public holidays of", plan.holidays or "none"],
        ["Finish by (requested)", plan.finish_by or "not requested"],
        ["Planned finish", plan.finish],
        ["Total effort (hours)", plan.total_hours],
        ["Study sessions", len(plan.sessions)],
        ["Generated", generated_at().strftime("%Y-%m-%d %H:%M UTC")],
        ["Generated by", f"pathway-exporter {__version__}"],
        [
            "How the dates came about",
            "Each phase's effort is its weeks x the guide's weekly hours; tasks share their phase's effort. "
            "The effort fills the weekly availability in time order in quarter hours, skipping blackout days "
            "and public holidays.",
        ],
    ]
    book.rows(sheet, 2, rows)
    sheet.cell(row=len(rows) + 1, column=2).alignment = Alignment(wrap_text=True, vertical="top")
    _columns(sheet, [26, 90])
    _print_setup(sheet, book)


def _properties(book: _Book) -> None:
    plan = book.plan
    properties = book.workbook.properties
    properties.title = f"{plan.pathway.title} - tracker" + (f" for {plan.participant}" if plan.participant else "")
    properties.creator = book.theme.organisation or plan.participant or "pathway-exporter"
    properties.subject = f"{plan.pathway.from_role} to {plan.pathway.to_role}"
    properties.created = properties.modified = generated_at().replace(tzinfo=None)
    properties.lastModifiedBy = "pathway-exporter"


def _columns(sheet: Worksheet, widths: list[float]) -> None:
    """Size each column to its longest text, up to the given width (longer text wraps or is cut off)."""
    longest: dict[int, int] = {}
    for row in sheet.iter_rows(min_row=1, max_col=len(widths)):
        for cell in row:
            if cell.value is not None:
                longest[cell.column] = max(longest.get(cell.column, 0), _display_length(cell))
    for index, width in enumerate(widths, start=1):
        fitted = max(8, min(width, longest.get(index, 0) + 2)) if index in longest else width
        sheet.column_dimensions[get_column_letter(index)].width = fitted


def _display_length(cell) -> int:
    if isinstance(cell.value, date | datetime) or cell.number_format == DATE_FORMAT:
        return 18  # "Wed 29 Sep 2027" in DATE_FORMAT, bold, with room for the filter button
    if cell.data_type == "f":
        return 10
    return len(str(cell.value))


def _print_setup(sheet: Worksheet, book: _Book, landscape: bool = False, title_rows: str = "1:1") -> None:
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4 if book.theme.paper == "a4" else sheet.PAPERSIZE_LETTER
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if sheet.title != "Dashboard":
        sheet.print_title_rows = title_rows
    who = f" - {book.plan.participant}" if book.plan.participant else ""
    sheet.oddFooter.left.text = _header_text(f"{book.plan.pathway.title}{who}")
    sheet.oddFooter.left.size = 8
    sheet.oddFooter.right.text = "Page &P of &N"
    sheet.oddFooter.right.size = 8


def _header_text(text: str) -> str:
    """Header and footer text is a tiny markup of its own where `&` starts a code."""
    return re.sub(r"[\x00-\x1f]", " ", text).replace("&", "&&")[:200]
