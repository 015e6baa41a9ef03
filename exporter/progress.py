"""Reading a tracker back: the progress a person recorded in tracker.xlsx, as they left it.

The workbook may have been re-saved by Excel, LibreOffice, Google Sheets or Numbers, so nothing
is found by a fixed address. Sheets are found by their catalogue names (in any order), header
rows by the catalogue's header labels anywhere in a sheet's first HEADER_ROWS rows (in any
letter case, surrounding spaces ignored), and columns by those headers, so columns moved,
widened or hidden and rows sorted or filtered read the same. Tasks are matched by the hidden
Key column, never by their row.

A tracker may be in any language of the catalogue: every name, header, status and Done mark is
matched against the words of every language and read as its key (`tasks`, `status`, `done`),
so a German tracker, or one whose statuses a person typed in English, reads the same. Dates
typed as text are read in the tracker's own language (its plan inputs say which), or English.

Values are read as spreadsheet programs store them: a date may be a date cell, an Excel serial
number (in the workbook's 1900 or 1904 date system) or text in an unambiguous form; hours may
be a number or numeric text with a decimal point or comma. Anything that cannot be read is a
`Problem` located by file, row and `Sheet!Column`; every problem is collected and raised at once.

The reading is bounded: the file through `read_input` (TRACKER_LIMIT), the zip's declared
unpacked size before openpyxl opens it (TRACKER_UNPACKED_LIMIT), and the rows read per sheet
(MAX_ROWS). openpyxl reads the values the program saved (`data_only`), streaming (`read_only`).
"""

from __future__ import annotations

import io
import math
import re
import warnings
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import Enum
from pathlib import Path
from typing import Any

from exporter.errors import InputError, Kind, Problem
from exporter.inputs import MB, check_unpacked, read_input
from exporter.labels import DEFAULT_LANGUAGE, ENGLISH, Labels, catalogue, language_tag, languages
from exporter.model import TaskStatus
from exporter.recorded import OtherRow, Progress, TaskProgress
from exporter.roster import LAST_SPREADSHEET_ROW
from exporter.tracker import OTHER_COLUMNS, InputKey, TaskColumn, read_inputs, read_replanned, read_sessions
from exporter.writers.xlsx import _sheet_title

TRACKER_LIMIT = 50 * MB
"""The tracker file as stored."""
TRACKER_UNPACKED_LIMIT = 200 * MB
"""All the members of the tracker's zip together, unpacked, as the archive declares them."""
HEADER_ROWS = 10
"""A sheet's header row is looked for in its first rows only."""
MAX_ROWS = 20_000
"""Rows that are not blank, per sheet read."""
MAX_COLUMNS = 128
"""Columns read per row (the tracker has 11; a person may add some); headers further right are not found."""
MAX_HOURS = 10_000.0
"""The most actual hours one task may have."""
MAX_WEEK_HOURS = 168.0
"""The hours in a week: the most a week's actual hours may be."""
EARLIEST = date(2000, 1, 1)
"""The tracker's own validation accepts dates from here on (a small number in a date column is a slip)."""
LAST_SERIAL = 2_958_465
"""Excel's last date, 31 Dec 9999, as a 1900-system serial number."""
MAX_PROBLEMS = 50

_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_UNREADABLE = (KeyError, OSError, ValueError, SyntaxError, EOFError, zlib.error, IndexError, TypeError)
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_HOURS_TEXT = re.compile(r"([+-]?)(\d+(?:[.,]\d*)?|[.,]\d+)")
_DATE_SEPARATORS = re.compile(r"[\s,]+|-(?=[^\d])|(?<=[^\d])-")


def read_progress(path: Path) -> Progress:
    """The progress recorded in the tracker at `path`, in whichever language of the catalogue it was made.

    Raises InputError with one Problem per thing wrong, each with `source = str(path)`, the
    spreadsheet `row` and `field = "Sheet!Column"` where it has a place, and its Kind:
    - UNREADABLE: not a workbook, a corrupt one, a password-protected one (an encrypted OLE
      container), an old .xls or an OpenDocument file.
    - LIMIT: the file or its unpacked contents too large, or too many rows.
    - MISSING: not a tracker (no Tasks sheet, no Key column), or a sheet without a column it needs.
    - DUPLICATE: a key, a header or a week given twice; CONFLICT: one skill rated twice differently.
    - VALUE: a cell that cannot be read (status, date, hours, Done mark); the message says what
      the cell may hold.
    At most MAX_PROBLEMS problems are listed, then how many more there are.
    """
    source = str(path)
    data = read_input(path, "tracker", TRACKER_LIMIT)
    _check_container(source, data)
    tables = _load_tables(source, data)
    return _Reader(source, tables).progress()


# ---- The container ----------------------------------------------------------------------


def _check_container(source: str, data: bytes) -> None:
    """Refuse what openpyxl should never open: not a zip, an OLE container, a zip bomb."""
    from zipfile import BadZipFile, ZipFile

    def refuse(message: str, kind: Kind = Kind.UNREADABLE) -> InputError:
        return InputError(Problem(source, message, kind=kind))

    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTION_STREAM in data:
            raise refuse("the workbook is password-protected; remove the password and save it again")
        raise refuse("an Excel 97-2003 (.xls) workbook, not a tracker; save it as an .xlsx workbook")
    try:
        with ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            mimetype = archive.read("mimetype")[:100] if "mimetype" in archive.namelist() else b""
    except (BadZipFile, OSError, ValueError, EOFError, zlib.error, NotImplementedError) as err:
        raise refuse(f"not a readable .xlsx workbook ({type(err).__name__})") from None
    if mimetype.startswith(_ODS_MIMETYPE):
        raise refuse("an OpenDocument spreadsheet (.ods), not a tracker; save it as an .xlsx workbook")
    check_unpacked(source, members, TRACKER_UNPACKED_LIMIT, "tracker", "tracker")


Row = tuple[int, tuple[Any, ...]]
"""A row that is not blank: its number as the spreadsheet numbers it, and its cells' values."""


@dataclass(frozen=True)
class _Table:
    """A sheet's title as the file spells it and its rows that are not blank."""

    title: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class _Tables:
    """The sheets read, by catalogue key (`tasks`, `weekly-log`...), and the workbook's date system."""

    sheets: dict[str, _Table]
    epoch: datetime
    language: str = DEFAULT_LANGUAGE
    """The language whose words the tracker's Tasks sheet title is in."""


_SHEETS = ("tasks", "weekly-log", "skills", "actions", "inputs", "other")


def _catalogues() -> tuple[Labels, ...]:
    """Every language's catalogue, English first."""
    return tuple(catalogue(language) for language in sorted(languages(), key=lambda tag: tag != DEFAULT_LANGUAGE))


def _words(key: str) -> dict[str, str]:
    """The folded word of `key` in every language -> the language it belongs to (the first one that has it)."""
    words: dict[str, str] = {}
    for labels in _catalogues():
        words.setdefault(_fold(labels(key)), labels.language)
    return words


def _load_tables(source: str, data: bytes) -> _Tables:
    """Every sheet this module reads, as rows of values; anything openpyxl cannot parse is UNREADABLE.

    Only the parsing happens here, so that a mistake in reading the values is never taken for
    a broken file. openpyxl's warnings about parts it does not keep (LibreOffice's extensions of
    conditional formatting, for one) say nothing about the values and are silenced.
    """
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl(\.|$)")
        book = None
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheets = {}
            language = DEFAULT_LANGUAGE
            for key in _SHEETS:
                sheet, found_in = _find_sheet(book, f"sheet.{key}")
                if sheet is not None:
                    sheets[key] = _Table(sheet.title, tuple(_rows(source, sheet)))
                    language = found_in if key == "tasks" else language
            epoch = book.epoch
        except (*_UNREADABLE, InvalidFileException) as err:
            raise InputError(
                Problem(source, f"not a readable .xlsx workbook ({type(err).__name__})", kind=Kind.UNREADABLE)
            ) from None
        finally:
            if book is not None:
                book.close()
    return _Tables(sheets, epoch, language)


def _find_sheet(book, key: str):
    """The worksheet titled with `key`'s label in any language (as the writer makes a title of it), in any
    letter case, and that language; (None, the default) if none."""
    wanted: dict[str, str] = {}
    for labels in _catalogues():
        label = labels(key)
        for title in (label, _sheet_title(label, [])):
            wanted.setdefault(_fold(title), labels.language)
    for name in book.sheetnames:
        sheet = book[name]
        if _fold(name) in wanted and hasattr(sheet, "iter_rows"):  # a chart sheet of the same name has no cells
            return sheet, wanted[_fold(name)]
    return None, DEFAULT_LANGUAGE


def _rows(source: str, sheet) -> Iterable[Row]:
    """The sheet's rows that are not blank, numbered; at most MAX_ROWS of them."""
    sheet.reset_dimensions()  # the size the file declares may be wrong, or huge; only real rows count
    count = 0
    for number, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
        if values.count(None) == len(values) or all(_blank(value) for value in values):
            continue  # quickly: a sheet may declare a million blank rows in a few bytes
        if number > LAST_SPREADSHEET_ROW:
            raise InputError(
                Problem(
                    source,
                    f"past row {LAST_SPREADSHEET_ROW}, the last a spreadsheet has",
                    field=sheet.title,
                    row=number,
                    kind=Kind.LIMIT,
                )
            )
        count += 1
        if count > MAX_ROWS:
            raise InputError(
                Problem(
                    source,
                    f"more than the {MAX_ROWS} rows a tracker's sheet may have",
                    field=sheet.title,
                    row=number,
                    kind=Kind.LIMIT,
                )
            )
        yield number, values


# ---- The values -------------------------------------------------------------------------


class _Unreadable(Exception):
    """A cell's value cannot be read; the message says why, the caller says where."""


def _kept(columns: _Columns, values: tuple[Any, ...]) -> tuple[Any, ...]:
    """A row's cells of `OTHER_COLUMNS` as they are (text stripped), None where blank."""
    cells = (columns.cell(values, column) for column in OTHER_COLUMNS)
    return tuple(None if _blank(value) else value.strip() if isinstance(value, str) else value for value in cells)


def _fold(text: str) -> str:
    """Text compared as people read it: letter case and runs of spaces do not matter."""
    return " ".join(text.split()).casefold()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    """A cell as text without surrounding spaces: numbers as a spreadsheet shows them, dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _read_date(value: Any, labels: Labels = ENGLISH, epoch: datetime | None = None) -> date | None:
    """A date cell's value as a date; None when blank.

    Accepted: a date or datetime cell (the time of day is dropped); an Excel serial number in
    the workbook's date system (`epoch`: openpyxl's `workbook.epoch`, 1900 by default, or 1904),
    its fraction (a time of day) dropped; or text in one of these forms, month and weekday names
    in the tracker's language or English (Babel's names, wide or abbreviated) in any letter case:
    - `2027-03-05` (ISO; a time after it, `2027-03-05 00:00:00`, is dropped),
    - `5 Mar 2027`, `5 March 2027`, `5-Mar-2027`,
    - `Mar 5, 2027`, `March 5 2027`,
    - any of the last two after a weekday, `Fri 5 Mar 2027` or `Friday, March 5, 2027`, the
      tracker's own format; the weekday must be the date's.
    Dates before EARLIEST are refused; so are all-number forms like `5/3/2027`, which readers
    in different countries take for different days.
    Raises _Unreadable with the reason.
    """
    from openpyxl.utils.datetime import CALENDAR_WINDOWS_1900, from_excel

    if _blank(value):
        return None
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif _number(value):
        if not math.isfinite(value) or not 1 <= value <= LAST_SERIAL:
            raise _Unreadable(f"{_text(value)} is not a date")
        try:
            day = from_excel(math.floor(value), epoch or CALENDAR_WINDOWS_1900).date()
        except (OverflowError, ValueError):
            raise _Unreadable(f"{_text(value)} is not a date") from None
    elif isinstance(value, str):
        day = _date_text(value.strip(), labels)
    elif isinstance(value, time | timedelta):
        raise _Unreadable(f"{_text(value)} is a time, not a date")
    else:
        raise _Unreadable(f"{_text(value)!r} is not a date")
    if day < EARLIEST:
        raise _Unreadable(f"{day.isoformat()} is before {EARLIEST.year}, earlier than any tracker's dates")
    return day


def _date_text(text: str, labels: Labels) -> date:
    """A date written as text in one of the forms `_read_date` lists."""
    example = date(2027, 3, 5)
    short = labels.short_date(example)
    unreadable = _Unreadable(
        f"{text!r} is not a date; write it like {example.isoformat()}, {short} "
        f"or {labels.weekday_short(example.weekday())} {short}"
    )
    iso = _ISO_DATE.fullmatch(text)
    if iso:
        return _day(int(iso[1]), int(iso[2]), int(iso[3]), text)
    months = _names(labels.month_names(), ENGLISH.month_names())
    weekdays = _names(labels.weekday_names(), ENGLISH.weekday_names())
    words = [_word(word) for word in _DATE_SEPARATORS.split(text) if _word(word) not in _FILLERS]
    weekday = weekdays.get(words[0]) if words else None
    if weekday is not None:
        words = words[1:]
    if len(words) != 3 or not (words[2].isdigit() and len(words[2]) == 4):
        raise unreadable
    first, second = words[0], words[1]
    if first in months and second.isdigit():
        month, day_number = months[first], second
    elif second in months and first.isdigit():
        month, day_number = months[second], first
    else:
        raise unreadable
    day = _day(int(words[2]), month, int(day_number), text)
    if weekday is not None and day.weekday() != weekday:
        raise _Unreadable(f"{text!r}: {labels.short_date(day)} is a {labels.weekday(day.weekday())}")
    return day


_FILLERS = frozenset({"", "de", "del"})
"""Words between a date's parts in some languages (`4 de enero de 2027`)."""


def _word(text: str) -> str:
    """A date's word as compared: folded, without the full stop of an abbreviation or ordinal (`Jan.`, `4.`)."""
    return _fold(text).rstrip(".")


def _names(own: dict[str, int], fallback: dict[str, int]) -> dict[str, int]:
    """Month or weekday names of the tracker's language, then English ones it does not use, compared as
    `_word` compares them; each English month's first three letters (`Sep`) too."""
    names = {_word(name): number for name, number in own.items()}
    for name, number in fallback.items():
        names.setdefault(_word(name), number)
        names.setdefault(_word(name)[:3], number)
    return names


def _day(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise _Unreadable(f"{text!r} is not a day of the calendar") from None


def _read_hours(value: Any, most: float = MAX_HOURS) -> float | None:
    """Hours as a number; None when blank.

    Accepted: a number, or text of digits with one decimal point or comma (`2.5`, `2,5`, `.5`).
    Refused: a negative number, more than `most`, anything else (a date, `TRUE`, `2 h`, `1e3`).
    Raises _Unreadable with the reason.
    """
    if _blank(value):
        return None
    if _number(value):
        hours = float(value)
        if not math.isfinite(hours):
            raise _Unreadable(f"{_text(value)} is not a number of hours")
    elif isinstance(value, str) and (match := _HOURS_TEXT.fullmatch(value.strip())):
        hours = float(match[2].replace(",", ".")) * (-1 if match[1] == "-" else 1)
    else:
        raise _Unreadable(f"{_text(value)!r} is not a number of hours")
    if hours < 0:
        raise _Unreadable(f"{_text(value)}: hours cannot be negative")
    if hours > most:
        raise _Unreadable(f"{_text(value)} is more than {most:g} hours")
    return hours + 0.0  # -0.0 and 0 read alike


def _choice(value: Any, words: dict[str, Enum | bool], what: str, allowed: list[str]):
    """The value whose catalogue word the cell holds, in any letter case; None when blank."""
    if _blank(value):
        return None
    if isinstance(value, str) and _fold(value) in words:
        return words[_fold(value)]
    listed = ", ".join(allowed[:-1]) + f" or {allowed[-1]}" if len(allowed) > 1 else allowed[0]
    raise _Unreadable(f"{_text(value)!r} is not {what}; choose {listed}")


# ---- The sheets -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Columns:
    """Where a sheet's header row is and which column (from 0) holds each wanted header."""

    header_row: int
    index: dict[Any, int]

    def cell(self, values: tuple[Any, ...], name: Any) -> Any:
        column = self.index.get(name)
        return values[column] if column is not None and column < len(values) else None


def _language(tables: _Tables) -> str:
    """The tracker's language: as its plan inputs record it, else that of its Tasks sheet's title."""
    table = tables.sheets.get("inputs")
    for _, values in table.rows if table else ():
        if values and values[0] == InputKey.LANGUAGE and len(values) > 1 and isinstance(values[1], str):
            return language_tag(values[1]) or tables.language
    return tables.language


class _Reader:
    """The sheets' values turned into a Progress; every problem is collected, then raised at once."""

    def __init__(self, source: str, tables: _Tables):
        self.source = source
        self.tables = tables
        self.labels = catalogue(_language(tables))
        """The tracker's own language: its words name columns in messages; its month names read dates."""
        self.problems: list[Problem] = []

    def progress(self) -> Progress:
        tasks, added = self.tasks()
        inputs, schedule = self.inputs()
        table = self.tables.sheets.get("inputs")
        last_replan = read_replanned(values for _, values in table.rows) if table else None
        progress = Progress(
            tasks,
            added + self.other(),
            self.weekly_log(),
            self.skills(),
            self.actions(),
            inputs,
            schedule,
            last_replan,
            self.labels.language,
        )
        if self.problems:
            problems = self.problems
            if len(problems) > MAX_PROBLEMS:
                more = len(problems) - MAX_PROBLEMS
                problems = [*problems[:MAX_PROBLEMS], Problem(self.source, f"and {more} more problem(s)")]
            raise InputError(problems)
        return progress

    def inputs(self) -> tuple[dict[str, str], tuple[tuple[str, str, str, tuple[str, ...]], ...]]:
        """The plan's inputs and sessions, when the tracker carries them."""
        table = self.tables.sheets.get("inputs")
        if table is None:
            return {}, ()
        try:
            pairs = ((values[0], values[1] if len(values) > 1 else None) for _, values in table.rows)
            return read_inputs(pairs), read_sessions(values for _, values in table.rows)
        except ValueError as err:
            self.problem(table, None, str(err), kind=Kind.MISSING)
            return {}, ()

    def problem(self, table: _Table, header: str | None, message: str, row: int | None = None, kind=Kind.VALUE):
        field = f"{table.title}!{header}" if header else table.title
        self.problems.append(Problem(self.source, message, field=field, row=row, kind=kind))

    def columns(
        self, table: _Table, keys: dict[Any, str], required: Iterable[Any], not_ours: bool = False
    ) -> _Columns | None:
        """The header row (the one of the first HEADER_ROWS rows that names most of `keys`) and its columns;
        `keys` maps each wanted column to its header's catalogue key, found in any language.

        A header named twice in that row is a DUPLICATE problem; a required one missing, MISSING
        (and, with `not_ours`, a sign that the workbook is not a tracker at all). None after a problem.
        """
        wanted = {name: self.labels(key) for name, key in keys.items()}
        labels = {word: name for name, key in keys.items() for word in _words(key)}
        best: tuple[int, dict[Any, list[int]]] | None = None
        for number, values in table.rows:
            if number > HEADER_ROWS:
                break
            found: dict[Any, list[int]] = {}
            for column, value in enumerate(values):
                if isinstance(value, str) and _fold(value) in labels:
                    found.setdefault(labels[_fold(value)], []).append(column)
            if found and (best is None or len(found) > len(best[1])):
                best = number, found
        header_row, found = best or (0, {})
        missing = [name for name in required if name not in found]
        for name in missing:
            if not_ours:
                message = f"not a tracker made by pathway-export: no {wanted[name]} column"
            else:
                message = f"no {wanted[name]} column in the first {HEADER_ROWS} rows of the {table.title} sheet"
            self.problem(table, wanted[name], message, kind=Kind.MISSING)
        for name, columns in found.items():
            if len(columns) > 1:
                self.problem(
                    table,
                    wanted[name],
                    f"{len(columns)} columns are headed {wanted[name]}; keep one",
                    row=header_row,
                    kind=Kind.DUPLICATE,
                )
        if missing or any(len(columns) > 1 for columns in found.values()):
            return None
        return _Columns(header_row, {name: columns[0] for name, columns in found.items()})

    def below(self, table: _Table, columns: _Columns) -> Iterable[Row]:
        return ((number, values) for number, values in table.rows if number > columns.header_row)

    def read(self, table: _Table, header: str, row: int, reader, *args):
        """`reader(*args)`, or None with a VALUE problem at the cell when it cannot be read."""
        try:
            return reader(*args)
        except _Unreadable as err:
            self.problem(table, header, str(err), row=row)
            return None

    def tasks(self) -> tuple[dict[str, TaskProgress], tuple[OtherRow, ...]]:
        table = self.tables.sheets.get("tasks")
        if table is None:
            title = self.labels("sheet.tasks")
            self.problems.append(
                Problem(self.source, f"not a tracker made by pathway-export: no {title} sheet", kind=Kind.MISSING)
            )
            return {}, ()
        keys = {column: f"tasks.{column.value}" for column in TaskColumn}
        wanted = {column: self.labels(key) for column, key in keys.items()}
        columns = self.columns(table, keys, [TaskColumn.KEY], not_ours=True)
        if columns is None:
            return {}, ()
        statuses: dict[str, Enum | bool] = {
            word: status for status in TaskStatus for word in _words(f"status.{status.value}")
        }
        allowed = [self.labels.term(status) for status in TaskStatus]
        epoch = self.tables.epoch
        tasks: dict[str, TaskProgress] = {}
        added: list[OtherRow] = []
        for number, values in self.below(table, columns):
            key = _text(columns.cell(values, TaskColumn.KEY))
            if not key:
                added.append(OtherRow(number, "", _kept(columns, values)))
                continue
            if key in tasks:
                self.problem(
                    table,
                    wanted[TaskColumn.KEY],
                    f"key {key!r} is also on row {tasks[key].row}; a task has one row",
                    row=number,
                    kind=Kind.DUPLICATE,
                )
                continue

            def read(column: TaskColumn, reader, *args, number=number, values=values):
                return self.read(table, wanted[column], number, reader, columns.cell(values, column), *args)

            tasks[key] = TaskProgress(
                key=key,
                status=read(TaskColumn.STATUS, _choice, statuses, "a status", allowed),
                done_on=read(TaskColumn.DONE_ON, _read_date, self.labels, epoch),
                actual_hours=read(TaskColumn.ACTUAL, _read_hours),
                notes=_text(columns.cell(values, TaskColumn.NOTES)),
                row=number,
                title=_text(columns.cell(values, TaskColumn.TITLE)),
            )
        return tasks, tuple(added)

    def other(self) -> tuple[OtherRow, ...]:
        """The rows an earlier replan kept on the sheet of rows that match no task, as they are there."""
        table = self.tables.sheets.get("other")
        if table is None:
            return ()
        keys: dict[Any, str] = {"row": "other.row", TaskColumn.KEY: "tasks.key"}
        keys |= {column: f"tasks.{column.value}" for column in OTHER_COLUMNS}
        columns = self.columns(table, keys, [TaskColumn.TITLE])
        if columns is None:
            return ()
        kept = []
        for number, values in self.below(table, columns):
            first = columns.cell(values, "row")
            row = int(first) if _number(first) and 0 < first <= LAST_SPREADSHEET_ROW else number
            key = _text(columns.cell(values, TaskColumn.KEY))
            kept.append(OtherRow(row, key, _kept(columns, values), earlier=True))
        return tuple(kept)

    def weekly_log(self) -> dict[date, float]:
        table = self.tables.sheets.get("weekly-log")
        if table is None:
            return {}
        keys = {"week": "log.week", "actual": "log.actual"}
        wanted = {name: self.labels(key) for name, key in keys.items()}
        columns = self.columns(table, keys, keys)
        if columns is None:
            return {}
        weeks: dict[date, float] = {}
        rows: dict[date, int] = {}
        for number, values in self.below(table, columns):
            hours = self.read(
                table, wanted["actual"], number, _read_hours, columns.cell(values, "actual"), MAX_WEEK_HOURS
            )
            if hours is None:
                continue
            week = self.read(
                table, wanted["week"], number, _read_date, columns.cell(values, "week"), self.labels, self.tables.epoch
            )
            if week is None:
                if _blank(columns.cell(values, "week")):
                    self.problem(table, wanted["week"], "actual hours with no week", row=number, kind=Kind.MISSING)
                continue
            if week in weeks:
                self.problem(
                    table,
                    wanted["week"],
                    f"the week of {self.labels.short_date(week)} is also on row {rows[week]}",
                    row=number,
                    kind=Kind.DUPLICATE,
                )
                continue
            weeks[week], rows[week] = hours, number
        return weeks

    def skills(self) -> dict[str, str]:
        table = self.tables.sheets.get("skills")
        if table is None:
            return {}
        keys = {"skill": "skills.skill", "rating": "skills.rating"}
        wanted = {name: self.labels(key) for name, key in keys.items()}
        columns = self.columns(table, keys, keys)
        if columns is None:
            return {}
        ratings: dict[str, str] = {}
        rows: dict[str, int] = {}
        for number, values in self.below(table, columns):
            skill, rating = _text(columns.cell(values, "skill")), _text(columns.cell(values, "rating"))
            if not skill or not rating:
                continue  # an unrated skill, or a row of the transferable skills below
            if skill in ratings and ratings[skill] != rating:
                self.problem(
                    table,
                    wanted["rating"],
                    f"{skill!r} is rated {ratings[skill]!r} on row {rows[skill]}; a skill has one self-rating",
                    row=number,
                    kind=Kind.CONFLICT,
                )
                continue
            ratings[skill], rows[skill] = rating, rows.get(skill, number)
        return ratings

    def actions(self) -> dict[str, bool]:
        table = self.tables.sheets.get("actions")
        if table is None:
            return {}
        keys = {"action": "actions.action", "done": "actions.done"}
        wanted = {name: self.labels(key) for name, key in keys.items()}
        columns = self.columns(table, keys, keys)
        if columns is None:
            return {}
        yes, no = self.labels("actions.yes"), self.labels("actions.no")
        marks: dict[str, Enum | bool] = {
            **{word: False for word in _words("actions.no")},
            **{word: True for word in _words("actions.yes")},
        }
        done: dict[str, bool] = {}
        for number, values in self.below(table, columns):
            title = _text(columns.cell(values, "action"))
            if not title:
                continue
            mark = columns.cell(values, "done")
            if isinstance(mark, bool):  # a checkbox, as Google Sheets and Numbers make one
                value = mark
            else:
                value = bool(self.read(table, wanted["done"], number, _choice, mark, marks, "a Done mark", [yes, no]))
            done[title] = done.get(title, False) or value
        return done
