"""The tracker's Tasks sheet, defined once: its columns, their order, formats and letters.

The workbook writer lays the sheet out from this definition and builds its formulas from
it; a reader of a re-saved tracker finds its columns here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from openpyxl.utils import get_column_letter

DATE_FORMAT = "ddd d mmm yyyy"
HOURS_FORMAT = "0.##"
FIRST_ROW = 2  # row 1 holds the headers


class TaskColumn(StrEnum):
    """A column of the Tasks sheet; its label is `tasks.<value>` in the catalogue."""

    ID = "id"
    PHASE = "phase"
    TITLE = "title"
    START = "start"
    FINISH = "finish"
    HOURS = "hours"
    STATUS = "status"
    DONE_ON = "done-on"
    ACTUAL = "actual"
    NOTES = "notes"
    KEY = "key"


@dataclass(frozen=True)
class Column:
    """One column: what it holds, its widest width, its number format, and whether people see it."""

    name: TaskColumn
    width: float
    number_format: str | None = None
    hidden: bool = False


TASK_COLUMNS: tuple[Column, ...] = (
    Column(TaskColumn.ID, 6),
    Column(TaskColumn.PHASE, 8),
    Column(TaskColumn.TITLE, 60),
    Column(TaskColumn.START, 18, DATE_FORMAT),
    Column(TaskColumn.FINISH, 18, DATE_FORMAT),
    Column(TaskColumn.HOURS, 15, HOURS_FORMAT),
    Column(TaskColumn.STATUS, 13),
    Column(TaskColumn.DONE_ON, 18, DATE_FORMAT),
    Column(TaskColumn.ACTUAL, 14, HOURS_FORMAT),
    Column(TaskColumn.NOTES, 40),
    Column(TaskColumn.KEY, 24, hidden=True),
)


def index(name: TaskColumn) -> int:
    """The column's number, from 1."""
    return next(position for position, column in enumerate(TASK_COLUMNS, start=1) if column.name == name)


def letter(name: TaskColumn) -> str:
    """The column's letter (`G` for the status)."""
    return get_column_letter(index(name))


def span(name: TaskColumn, first: int, last: int, sheet: str | None = None) -> str:
    """An absolute range of one column (`Tasks!$G$2:$G$40`), for formulas."""
    column = letter(name)
    prefix = f"{sheet}!" if sheet else ""
    return f"{prefix}${column}${first}:${column}${last}"
