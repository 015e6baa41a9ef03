"""Rosters: one participant a row, from CSV or .xlsx, and a safe, unique folder for each."""

from __future__ import annotations

import csv
import difflib
import io
import re
import unicodedata
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from exporter.errors import InputError, Kind, Problem
from exporter.inputs import MB, ROSTER_LIMIT, check_unpacked, read_input
from exporter.settings import SETTING_NAMES

COLUMNS = (*SETTING_NAMES, "pathway", "paper", "handout", "email")
MAX_ROWS = 5000
"""Participant rows (below the header; blank rows are not counted)."""
MAX_COLUMNS = 64
"""Columns the header may name."""
MAX_CELL_CHARS = 10_000
LAST_SPREADSHEET_ROW = 1_048_576
LAST_SPREADSHEET_COLUMN = 16_384
XLSX_UNPACKED_LIMIT = 100 * MB
"""All the members of an .xlsx roster together, unpacked (the file itself is limited by ROSTER_LIMIT)."""
MAX_FORMULA_PROBLEMS = 20
ALIASES = {
    "name": ("participant", "participant name", "full name"),
    "start": ("start date", "start day", "starting", "begin", "first day"),
    "availability": ("availability windows", "weekly availability", "windows", "study times", "study windows"),
    "hours_per_week": ("hours", "weekly hours", "hours a week", "hours weekly", "hrs per week", "study hours"),
    "days": ("study days", "weekdays"),
    "session_start": ("session time", "start time", "session starts"),
    "timezone": ("time zone", "tz", "zone", "iana zone", "iana time zone"),
    "blackout": ("blackouts", "blackout dates", "blackout days"),
    "holidays": ("public holidays", "holiday", "holiday country"),
    "finish_by": ("finish date", "target date", "deadline", "finish"),
    "pathway": ("roadmap", "pathway file"),
    "paper": ("paper size",),
    "email": ("e mail", "email address", "mail", "e mail address"),
    "lang": ("language",),
}
"""What people type for each column; matched as `header_key` reads them (case, spacing and punctuation
do not count; a note in brackets, like `Timezone (IANA)`, is left out)."""
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def header_key(text: str) -> str:
    """A header cell as the roster compares it: case-folded, with letters and digits only, and a note in
    brackets left out (`Timezone (IANA)` and `time-zone` are both `timezone`)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    unbracketed = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", text)
    key = re.sub(r"[\W_]+", "", unbracketed)
    return key or re.sub(r"[\W_]+", "", text)


_KNOWN = {header_key(alias): name for name, aliases in ALIASES.items() for alias in aliases} | {
    header_key(name): name for name in COLUMNS
}


def known_column(header: str) -> str | None:
    """The roster column a header names (`Time zone` -> `timezone`), or None."""
    return _KNOWN.get(header_key(header))


@dataclass(frozen=True)
class Column:
    """A header cell: its letter, the text as typed and the known column it names (None: unknown)."""

    letter: str
    header: str
    name: str | None

    def closest(self) -> str:
        """The known column whose name or alias is nearest the header as typed."""
        key = header_key(self.header)
        best = max(_KNOWN, key=lambda known: (difflib.SequenceMatcher(None, key, known).ratio(), known))
        return _KNOWN[best]


@dataclass(frozen=True)
class RosterRow:
    number: int
    """The row as the facilitator's spreadsheet numbers it (the header is row 1)."""
    values: dict[str, str]

    @property
    def name(self) -> str:
        return self.values.get("name", "")


@dataclass(frozen=True)
class Roster:
    path: Path
    rows: tuple[RosterRow, ...]
    columns: tuple[Column, ...] = ()

    @property
    def unknown_columns(self) -> tuple[Column, ...]:
        """The columns the roster does not know: named ones, and ones with no header that hold data."""
        return tuple(column for column in self.columns if column.name is None)

    def has(self, name: str) -> bool:
        """Whether a column of the header names this known column."""
        return any(column.name == name for column in self.columns)

    def unknown_column_problems(self) -> list[Problem]:
        """One problem per unknown column, naming the closest known one (or, for a column with no
        header that holds data, saying so)."""
        return [
            Problem(
                str(self.path),
                f"column {column.letter} {column.header.strip()!r} is not a column the roster knows "
                f"(the closest is '{column.closest()}'); rename it, or give --ignore-unknown-columns to leave it out"
                if column.header.strip()
                else f"column {column.letter} has no header but holds data; name it in row 1, "
                "or give --ignore-unknown-columns to leave it out",
                row=1,
                kind=Kind.UNKNOWN,
            )
            for column in self.unknown_columns
        ]


def read_roster(path: Path) -> Roster:
    """The roster's participants and its columns; its size is checked before it is read, its shape while
    it is read. Two columns that name the same setting are a problem; unknown columns are listed."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise InputError(Problem(str(path), "no such roster file"))
    if suffix == ".csv":
        table = _csv_rows(path)
    elif suffix in (".xlsx", ".xlsm"):
        table = _xlsx_rows(path)
    else:
        raise InputError(Problem(str(path), "a roster must be a .csv or .xlsx file"))
    if not table:
        raise InputError(Problem(str(path), "the roster is empty"))
    header = table[0][1]
    filled = {index for _, cells in table[1:] for index, cell in enumerate(cells) if cell.strip()}
    columns = tuple(
        Column(column_letter(index + 1), cell, known_column(cell))
        for index, cell in enumerate([*header, *[""] * (max(filled, default=0) + 1 - len(header))])
        if cell.strip() or index in filled
    )
    if not any(column.name == "name" for column in columns):
        raise InputError(Problem(str(path), "the roster has no 'name' column (row 1 must name the columns)"))
    _check_duplicates(path, columns)
    known = [(index, name) for index, cell in enumerate(table[0][1]) if (name := known_column(cell))]
    rows = []
    for number, cells in table[1:]:
        values = {name: cells[index].strip() for index, name in known if index < len(cells) and cells[index].strip()}
        if values:
            rows.append(RosterRow(number, values))
    return Roster(path, tuple(rows), columns)


def _check_duplicates(path: Path, columns: tuple[Column, ...]) -> None:
    """Two columns naming one setting leave the roster ambiguous: a problem, whatever the options."""
    by_name: dict[str, list[Column]] = {}
    for column in columns:
        if column.name:
            by_name.setdefault(column.name, []).append(column)
    problems = [
        Problem(
            str(path),
            "columns " + " and ".join(f"{c.letter} {c.header.strip()!r}" for c in same) + f" both mean '{name}'; "
            "keep one",
            row=1,
            field=name,
            kind=Kind.DUPLICATE,
        )
        for name, same in by_name.items()
        if len(same) > 1
    ]
    if problems:
        raise InputError(problems)


def _column_name(cell: str) -> str:
    """The known column a header cell names, else the cell as typed (for naming it in a problem)."""
    return known_column(cell) or cell.strip()


def _limited(path: Path, rows: Iterable[list[str]]) -> list[tuple[int, list[str]]]:
    """The rows numbered as a spreadsheet numbers them: row 1 (the header) always, then the rows that are not blank.

    Reading stops at the first row past a limit: MAX_ROWS participant rows, MAX_COLUMNS named
    columns, MAX_CELL_CHARS characters a cell, LAST_SPREADSHEET_ROW. Cells right of the last
    column the header may name are not kept (they have no name, so nothing reads them).
    """
    source = str(path)
    table: list[tuple[int, list[str]]] = []
    names: list[str] = []
    participants = 0
    for number, cells in enumerate(rows, start=1):
        if number > LAST_SPREADSHEET_ROW:
            raise InputError(
                Problem(
                    source, f"past row {LAST_SPREADSHEET_ROW}, the last a spreadsheet has", row=number, kind=Kind.LIMIT
                )
            )
        if number == 1:
            _check_header_width(path, cells)
            names = [_column_name(cell) or column_letter(index) for index, cell in enumerate(cells, start=1)]
        cells = cells[:MAX_COLUMNS]
        for index, cell in enumerate(cells):
            if len(cell) > MAX_CELL_CHARS:
                column = names[index] if number > 1 and index < len(names) else column_letter(index + 1)
                raise InputError(
                    Problem(
                        source,
                        f"longer than the {MAX_CELL_CHARS}-character limit for a cell",
                        field=column,
                        row=number,
                        kind=Kind.LIMIT,
                    )
                )
        if number > 1:
            if not any(cell.strip() for cell in cells):
                continue
            participants += 1
            if participants > MAX_ROWS:
                raise InputError(
                    Problem(
                        source,
                        f"more than the {MAX_ROWS} rows a roster may have; split the roster",
                        row=number,
                        kind=Kind.LIMIT,
                    )
                )
        table.append((number, cells))
    return table


def _check_header_width(path: Path, header: list[str]) -> None:
    """The header names at most MAX_COLUMNS columns (blank cells right of the last name do not count)."""
    width = len(header)
    while width > MAX_COLUMNS and not header[width - 1].strip():
        width -= 1
    if width > MAX_COLUMNS:
        raise InputError(
            Problem(
                str(path),
                f"more than the {MAX_COLUMNS} columns a roster may have (column "
                f"{column_letter(width)} is used); remove the columns the roster does not need",
                row=1,
                kind=Kind.LIMIT,
            )
        )


def column_letter(number: int) -> str:
    """A spreadsheet's name for column `number` (from 1): A, Z, AA, XFD."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _csv_rows(path: Path) -> list[tuple[int, list[str]]]:
    raw = read_input(path, "roster", ROSTER_LIMIT)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(
            Problem(str(path), f"not UTF-8 text (byte {err.start}); save the roster as 'CSV UTF-8'")
        ) from None
    del raw
    if "\x00" in text:
        raise InputError(Problem(str(path), "not a CSV text file"))
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count) if first_line else ","
    return _limited(path, _csv_records(path, csv.reader(io.StringIO(text), delimiter=delimiter)))


def _csv_records(path: Path, reader) -> Iterator[list[str]]:
    number = 0
    try:
        for number, row in enumerate(reader, start=1):  # noqa: B007 (read after the loop on an error)
            yield row
    except csv.Error as err:
        row = number + 1
        if "field larger than field limit" in str(err):
            message = f"longer than the {MAX_CELL_CHARS}-character limit for a cell"
        else:
            message = f"not readable as CSV ({err})"
        raise InputError(Problem(str(path), message, row=row)) from None


def _xlsx_rows(path: Path) -> list[tuple[int, list[str]]]:
    """The first sheet's rows; the archive is checked before openpyxl unpacks any of it.

    The sheet is read with its formulas, so that a formula cell is never taken for an empty one;
    when there are formulas, the values the spreadsheet program saved for them are read in a
    second pass (which stops at the last formula's row). A formula with no saved value in the
    header or in a column the roster uses is a Problem.
    """
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    data = read_input(path, "roster", ROSTER_LIMIT)
    _check_archive(path, data)
    unreadable = (BadZipFile, KeyError, OSError, ValueError, SyntaxError, EOFError, zlib.error, IndexError)
    books = []

    def first_sheet(data_only: bool):
        books.append(load_workbook(io.BytesIO(data), read_only=True, data_only=data_only))
        sheet = books[-1].worksheets[0]
        sheet.reset_dimensions()  # the size the file declares may be wrong, or huge; only real rows count
        return sheet

    try:
        sheet = first_sheet(data_only=False)
        first_row = next(sheet.iter_rows(max_row=1, max_col=LAST_SPREADSHEET_COLUMN, values_only=True), ())
        _check_header_width(path, [_cell_text(value) for value in first_row])
        formulas: dict[int, list[int]] = {}
        table = _limited(path, _xlsx_cells(sheet, formulas))
        unsaved = _saved_values(first_sheet(data_only=True), table, formulas) if formulas else []
    except unreadable as err:
        raise InputError(Problem(str(path), f"not a readable .xlsx workbook ({type(err).__name__})")) from None
    finally:
        for book in books:
            book.close()
    problems = _formula_problems(path, table, unsaved)
    if problems:
        raise InputError(problems)
    return table


def _xlsx_cells(sheet, formulas: dict[int, list[int]]) -> Iterator[list[str]]:
    """Each row's cells as text, up to MAX_COLUMNS; the formula cells' columns noted in `formulas` by row."""
    for number, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
        if values.count(None) == len(values):
            yield []  # a blank row, quickly: a sheet may declare a million of them in a few bytes
            continue
        found = [index for index, value in enumerate(values) if _is_formula(value)]
        if found:
            formulas[number] = found
        yield [_cell_text(value) for value in values]


def _saved_values(sheet, table: list[tuple[int, list[str]]], formulas: dict[int, list[int]]) -> list[tuple[int, int]]:
    """Put the saved value of each formula cell into `table`; the cells (row, column index) that have none."""
    rows = dict(table)
    last = max(formulas)
    unsaved = []
    for number, values in enumerate(sheet.iter_rows(max_row=last, max_col=MAX_COLUMNS, values_only=True), start=1):
        if number in formulas and number in rows:
            for index in formulas[number]:
                if values[index] is None:
                    unsaved.append((number, index))
                rows[number][index] = _cell_text(values[index])
    return unsaved


def _formula_problems(path: Path, table: list[tuple[int, list[str]]], unsaved: list[tuple[int, int]]) -> list[Problem]:
    """The formulas with no saved value that matter: in the header, or in a column the roster uses."""
    names = [_column_name(cell) for cell in table[0][1]] if table and table[0][0] == 1 else []
    problems = [
        Problem(
            str(path),
            f"column {column_letter(index + 1)}: a formula with no saved value; "
            "open and save the roster in a spreadsheet program, or type the value",
            field=names[index] if number > 1 else None,
            row=number,
        )
        for number, index in unsaved
        if number == 1 or (index < len(names) and names[index] in COLUMNS)
    ]
    if len(problems) > MAX_FORMULA_PROBLEMS:
        more = len(problems) - MAX_FORMULA_PROBLEMS
        problems = [
            *problems[:MAX_FORMULA_PROBLEMS],
            Problem(str(path), f"and {more} more formula cell(s) with no saved value"),
        ]
    return problems


def _is_formula(value) -> bool:
    if isinstance(value, str):
        return value.startswith("=")
    return value is not None and type(value).__name__ in ("ArrayFormula", "DataTableFormula")


def _check_archive(path: Path, data: bytes) -> None:
    """Refuse what is not a zip, and a zip bomb before anything unpacks it (`inputs.check_unpacked`)."""
    from zipfile import BadZipFile, ZipFile

    try:
        with ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (BadZipFile, OSError, ValueError, EOFError) as err:
        raise InputError(Problem(str(path), f"not a readable .xlsx workbook ({type(err).__name__})")) from None
    check_unpacked(str(path), members, XLSX_UNPACKED_LIMIT, "roster workbook", "roster")


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def folder_names(names: list[str], reserved: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """A folder name for each participant: a slug of the name, unique, never a path, a device name or
    one of the `reserved` names."""
    used: set[str] = set(reserved)
    folders = []
    for name in names:
        base = slug(name)
        candidate, counter = base, 2
        while candidate in used:
            candidate = f"{base}-{counter}"
            counter += 1
        used.add(candidate)
        folders.append(candidate)
    return folders


def slug(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).lower()
    text = "".join(
        unicodedata.normalize("NFKD", char)[0] if char.isascii() is False and _latin(char) else char for char in text
    )
    text = "".join(char if char.isalnum() or unicodedata.category(char)[0] == "M" else "-" for char in text)
    text = re.sub(r"-{2,}", "-", text).strip("-")[:60].strip("-")
    if not text:
        return "participant"
    if text.split("-")[0] in _WINDOWS_RESERVED:
        text = f"participant-{text}"
    return text


def _latin(char: str) -> bool:
    """Latin letters with diacritics fold to their base letter (Zoë -> zoe); other scripts stay as they are."""
    return "LATIN" in unicodedata.name(char, "")
