"""Rosters: one participant a row, from CSV or .xlsx, and a safe, unique folder for each."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from exporter.errors import InputError, Problem
from exporter.settings import SETTING_NAMES

COLUMNS = (*SETTING_NAMES, "pathway", "paper")
ALIASES = {
    "participant": "name",
    "full_name": "name",
    "start_date": "start",
    "time_zone": "timezone",
    "tz": "timezone",
    "hours": "hours_per_week",
    "weekly_hours": "hours_per_week",
    "blackouts": "blackout",
    "public_holidays": "holidays",
    "paper_size": "paper",
}
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


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
    ignored_columns: tuple[str, ...] = ()


def read_roster(path: Path) -> Roster:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InputError(Problem(str(path), "no such roster file"))
    if suffix == ".csv":
        table = _csv_rows(path)
    elif suffix in (".xlsx", ".xlsm"):
        table = _xlsx_rows(path)
    else:
        raise InputError(Problem(str(path), "a roster must be a .csv or .xlsx file"))
    if not table:
        raise InputError(Problem(str(path), "the roster is empty"))
    header = [_column_name(cell) for cell in table[0]]
    if "name" not in header:
        raise InputError(Problem(str(path), "the roster has no 'name' column (row 1 must name the columns)"))
    known = [(index, name) for index, name in enumerate(header) if name in COLUMNS]
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        values = {name: cells[index].strip() for index, name in known if index < len(cells) and cells[index].strip()}
        if values:
            rows.append(RosterRow(number, values))
    ignored = tuple(name for name in header if name and name not in COLUMNS)
    return Roster(path, tuple(rows), ignored)


def _column_name(cell: str) -> str:
    name = re.sub(r"[\s\-/]+", "_", cell.strip().lower())
    return ALIASES.get(name, name)


def _csv_rows(path: Path) -> list[list[str]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(
            Problem(str(path), f"not UTF-8 text (byte {err.start}); save the roster as 'CSV UTF-8'")
        ) from None
    if "\x00" in text:
        raise InputError(Problem(str(path), "not a CSV text file"))
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count) if first_line else ","
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _xlsx_rows(path: Path) -> list[list[str]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError) as err:
        raise InputError(Problem(str(path), f"not a readable .xlsx workbook ({type(err).__name__})")) from None
    try:
        sheet = workbook.worksheets[0]
        return [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


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


def folder_names(names: list[str]) -> list[str]:
    """A folder name for each participant: a slug of the name, unique, never a path or a device name."""
    used: set[str] = set()
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
    text = re.sub(r"[^\w]+", "-", text, flags=re.UNICODE).replace("_", "-")
    text = re.sub(r"-{2,}", "-", text).strip("-")[:60].strip("-")
    if not text:
        return "participant"
    if text.split("-")[0] in _WINDOWS_RESERVED:
        text = f"participant-{text}"
    return text


def _latin(char: str) -> bool:
    """Latin letters with diacritics fold to their base letter (Zoë -> zoe); other scripts stay as they are."""
    return "LATIN" in unicodedata.name(char, "")
