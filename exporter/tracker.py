"""The tracker's layout and data, defined once: the Tasks sheet's columns (their order, formats
and letters) and the plan inputs the workbook carries on its hidden inputs sheet.

The workbook writer lays the sheets out from these definitions and builds its formulas from
them; a reader of a re-saved tracker (`replan DIR`, `status DIR`) finds its columns and the
plan's inputs here too.

**Actual hours have one source: the Weekly log.** The hours a person logs per week in the
Weekly log's Actual hours column are the figures the tracker counts: the Dashboard's "Actual
hours logged" is their sum, and the burn-up's cumulative actual line is their running total,
drawn up to the week that holds today (later weeks are `NA()`, a gap). The Tasks sheet's
Actual hours column says how much of a task is done while it is In progress: its hidden Hours
counted column (a formula per row) counts a Done or Skipped task's planned hours in full and an
In progress one's actual hours up to its planned hours, as `exporter.status` counts hours done.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import lru_cache

from openpyxl.utils import get_column_letter

from exporter.kept import Kept
from exporter.labels import Labels
from exporter.loader import pathway_to_dict
from exporter.model import Pathway
from exporter.plan import Plan
from exporter.recorded import OtherRow, Progress

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
    COUNTED = "counted"
    NOTES = "notes"
    KEY = "key"


@dataclass(frozen=True)
class Column:
    """One column: what it holds, its widest width, its number format, and whether people see it."""

    name: TaskColumn
    width: float
    number_format: str | None = None
    hidden: bool = False

    @property
    def minimum(self) -> float:
        """The narrowest width that shows every value: a date column is never narrower than its format
        needs, also while it is still empty (a date typed into a narrower one shows `###`)."""
        return format_width(self.number_format)


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
    Column(
        TaskColumn.COUNTED, 12, HOURS_FORMAT, hidden=True
    ),  # not last: LibreOffice prints trailing hidden numbers as ###
    Column(TaskColumn.NOTES, 40),
    Column(TaskColumn.KEY, 24, hidden=True),
)

OTHER_COLUMNS: tuple[TaskColumn, ...] = (
    TaskColumn.TITLE,
    TaskColumn.STATUS,
    TaskColumn.DONE_ON,
    TaskColumn.ACTUAL,
    TaskColumn.NOTES,
)
"""The Tasks columns a row that matches no task keeps (`recorded.OtherRow.values`), after its
first row and its key, on the sheet of such rows (`sheet.other` in the catalogue)."""


def left_over(progress: Progress, keys: AbstractSet[str], labels: Labels) -> tuple[OtherRow, ...]:
    """The rows of a tracker that match none of the plan's task `keys`: keyed rows of tasks the
    pathway no longer has (in row order), then the other rows the tracker already had
    (`Progress.other_rows`), each once."""
    gone = sorted((entry for key, entry in progress.tasks.items() if key not in keys), key=lambda entry: entry.row)
    removed = tuple(
        OtherRow(
            entry.row,
            entry.key,
            (
                entry.title or None,
                labels.term(entry.status) if entry.status else None,
                entry.done_on,
                entry.actual_hours,
                entry.notes or None,
            ),
        )
        for entry in gone
    )
    return removed + progress.other_rows


# The widest text of each date part in English (`Wednesday`, `September`); other characters count one each.
_DATE_PARTS = {"dddd": 9, "ddd": 3, "dd": 2, "d": 2, "mmmm": 9, "mmm": 3, "mm": 2, "m": 2, "yyyy": 4, "yy": 2}
_DATE_TOKEN = re.compile(r"d{1,4}|m{1,4}|y{4}|y{2}|\\.|.")
_LOCALE_CODE = re.compile(r"\[\$-[0-9A-Fa-f]+\]")
"""A locale code in front of a date format (`[$-407]`): it shows no characters."""
DATE_PADDING = 3
"""Room beyond the characters: the cell's margins, wide letters (`W`, `M`) and a table's filter button."""


@lru_cache(maxsize=256)
def format_chars(number_format: str | None) -> int:
    """The characters of the longest value a date format shows (`ddd d mmm yyyy`: 15, for
    `Wed 29 Sep 2027`); 0 for a format without date parts. Cached: a workbook asks for a few
    formats thousands of times."""
    if not number_format:
        return 0
    tokens = _DATE_TOKEN.findall(_LOCALE_CODE.sub("", number_format))
    if not any(token in _DATE_PARTS for token in tokens):
        return 0
    return sum(_DATE_PARTS.get(token, 1) for token in tokens if token != '"')


def format_width(number_format: str | None) -> float:
    """The column width (in characters) a date format needs so that no date shows as `###`; 0 for
    other formats."""
    chars = format_chars(number_format)
    return chars + DATE_PADDING if chars else 0


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


# ---- The plan's inputs, carried inside the tracker ------------------------------------------

INPUTS_FORMAT_VERSION = "1"


class InputKey(StrEnum):
    """A row of the hidden inputs sheet: its machine key (column A, never translated) names the value
    in column B. Every value is plain text; an absent value is empty text."""

    FORMAT_VERSION = "format_version"
    PATHWAY_ID = "pathway_id"
    PATHWAY_SHA256 = "pathway_sha256"
    PARTICIPANT = "participant"
    IDENTITY = "identity"
    START = "start"
    TIMEZONE = "timezone"
    AVAILABILITY = "availability"
    BLACKOUTS = "blackouts"
    HOLIDAYS = "holidays"
    FINISH_BY = "finish_by"
    PAPER = "paper"
    REMINDER = "reminder"
    BUILD_TIME = "build_time"
    LANGUAGE = "language"
    BUSY = "busy"
    BUSY_TENTATIVE = "busy_tentative"
    BUSY_ALL_DAY = "busy_all_day"
    BUSY_BUFFER = "busy_buffer"
    MIN_SESSION = "min_session"


OPTIONAL_INPUTS: tuple[str, ...] = (InputKey.LANGUAGE,)
"""Keys a tracker of an earlier release lacks; read as empty text (the default) when absent."""


BUSY_INPUTS: tuple[str, ...] = tuple(
    str(key)
    for key in (
        InputKey.BUSY,
        InputKey.BUSY_TENTATIVE,
        InputKey.BUSY_ALL_DAY,
        InputKey.BUSY_BUFFER,
        InputKey.MIN_SESSION,
    )
)
"""The busy calendars' settings: written only for a plan made around busy calendars, after the others
(so a tracker without them, also one from before they existed, reads them as empty)."""
INPUT_KEYS: tuple[str, ...] = tuple(str(key) for key in InputKey if key not in BUSY_INPUTS)
"""The inputs sheet's keys that every tracker has, in the order they are written; a reader takes its
values by these names (and by `BUSY_INPUTS`)."""
BUSY_SEPARATOR = "\n"

BLACKOUT_SEPARATOR = ";"


_DIGESTS: Kept[tuple[Pathway, str]] = Kept(4)
"""Pathways' digests by the pathway's identity, each with its pathway (so the identity is not reused while kept):
a batch's rows share a few pathway objects, which are frozen all the way down."""


def pathway_sha256(pathway: Pathway) -> str:
    """The SHA-256 (hex) of a pathway's content: `loader.pathway_to_dict(pathway)` as JSON with sorted
    keys, no spaces, UTF-8, so a reader can tell whether the pathway changed since the export. Worked out
    once per process for a pathway object (`_DIGESTS`)."""
    kept = _DIGESTS.get(id(pathway))
    if kept is not None and kept[0] is pathway:
        return kept[1]
    text = json.dumps(pathway_to_dict(pathway), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return _DIGESTS.keep(id(pathway), (pathway, hashlib.sha256(text.encode("utf-8")).hexdigest()))[1]


def input_values(plan: Plan, paper: str, reminder: int | None, build_time: datetime) -> dict[str, str]:
    """The text of every inputs row, keyed by `INPUT_KEYS` in their order (then `BUSY_INPUTS` for a plan
    made around busy calendars): what a later `replan` or `status` needs to make the same plan again
    without options. `paper` is the theme's, `reminder` the minutes before each session (None: no
    reminders), `build_time` the run's."""
    values = {
        InputKey.FORMAT_VERSION: INPUTS_FORMAT_VERSION,
        InputKey.PATHWAY_ID: plan.pathway.id,
        InputKey.PATHWAY_SHA256: pathway_sha256(plan.pathway),
        InputKey.PARTICIPANT: plan.participant or "",
        InputKey.IDENTITY: plan.identity,
        InputKey.START: plan.start.isoformat(),
        InputKey.TIMEZONE: plan.timezone,
        InputKey.AVAILABILITY: plan.availability.spec(),
        InputKey.BLACKOUTS: BLACKOUT_SEPARATOR.join(blackout.label() for blackout in plan.blackouts),
        InputKey.HOLIDAYS: plan.holidays or "",
        InputKey.FINISH_BY: plan.finish_by.isoformat() if plan.finish_by else "",
        InputKey.PAPER: paper,
        InputKey.REMINDER: "" if reminder is None else str(reminder),
        InputKey.BUILD_TIME: build_time.isoformat(),
        InputKey.LANGUAGE: plan.language,
        **busy_values(plan),
    }
    return {str(key): values[key] for key in InputKey if key in values}


def busy_values(plan: Plan) -> dict[InputKey, str]:
    """The busy settings as inputs rows; none for a plan made without busy calendars. A file is stored
    as the absolute path it was read from; a URL by its host only (`https://host/…`): its path and
    query are secrets, so a replan asks for it again."""
    if plan.busy is None:
        return {}
    rules = plan.busy.rules
    sources = [source.label for source in rules.sources]
    return {
        InputKey.BUSY: BUSY_SEPARATOR.join(sources),
        InputKey.BUSY_TENTATIVE: str(rules.tentative),
        InputKey.BUSY_ALL_DAY: "yes" if rules.all_day else "no",
        InputKey.BUSY_BUFFER: str(rules.buffer),
        InputKey.MIN_SESSION: str(rules.min_session),
    }


def read_inputs(rows: Iterable[tuple[object, object]]) -> dict[str, str]:
    """The inputs of a tracker from its inputs sheet's (column A, column B) rows: every key of
    `INPUT_KEYS` and `BUSY_INPUTS` with its text (empty when the cell is, or a busy key's row is
    absent), rows with other keys ignored. Raises
    ValueError naming what is missing, or when the sheet is of a later format version."""
    found: dict[str, str] = {}
    for key, value in rows:
        if isinstance(key, str) and key in (*INPUT_KEYS, *BUSY_INPUTS) and key not in found:
            found[key] = "" if value is None else str(value)
    for key in OPTIONAL_INPUTS:
        found.setdefault(key, "")
    missing = [key for key in INPUT_KEYS if key not in found]
    if missing:
        raise ValueError(f"the tracker's plan inputs lack {', '.join(missing)}")
    if found[InputKey.FORMAT_VERSION] != INPUTS_FORMAT_VERSION:
        raise ValueError(f"the tracker's plan inputs are of format {found[InputKey.FORMAT_VERSION]!r}")
    return {key: found.get(key, "") for key in (*INPUT_KEYS, *BUSY_INPUTS)}


SESSION_ROW = "session"
"""Column A of the inputs sheet's rows that hold the plan's sessions (after the key/value rows)."""


REPLANNED_ROW = "replanned"
"""Column A of the inputs sheet's row that says when the plan was last replanned and the finish before."""


def replanned_rows(plan: Plan) -> list[tuple[str, str, str]]:
    """`replanned`, the as-of day and the finish before, for a replanned plan; nothing otherwise."""
    if plan.replanning is None:
        return []
    return [(REPLANNED_ROW, plan.replanning.as_of.isoformat(), plan.replanning.previous_finish.isoformat())]


def read_replanned(rows: Iterable[tuple[object, ...]]) -> tuple[str, str] | None:
    """The (as-of, finish before) of the last replan an inputs sheet records, as text; None if none."""
    for values in rows:
        if values and values[0] == REPLANNED_ROW and len(values) >= 3 and values[1] and values[2]:
            return str(values[1]), str(values[2])
    return None


def session_rows(plan: Plan) -> list[tuple[str, str, str, str, str, datetime, float]]:
    """The plan's sessions as inputs-sheet rows: `session`, key, start and end (ISO with offset), task
    keys, then the end as a local date-time value and the hours, which the Dashboard's formulas sum.

    They let a later `status` or `replan` know the schedule the tracker was made with, also after
    a replan (whose past sessions no plain re-planning from the inputs would give back)."""
    combine = datetime.combine  # the local end: its date and wall time (`replace(tzinfo=None)`, a fifth of the time)
    return [
        (
            SESSION_ROW,
            s.key,
            s.start.isoformat(),
            s.end.isoformat(),
            " ".join(s.task_keys),
            combine(s.end.date(), s.end.time()),
            s.hours,
        )
        for s in plan.sessions
    ]


SESSION_END_COLUMN = 6
"""The inputs sheet's column of a session's local end (a date-time value), after the text columns."""
SESSION_HOURS_COLUMN = 7


def read_sessions(rows: Iterable[tuple[object, ...]]) -> tuple[tuple[str, str, str, tuple[str, ...]], ...]:
    """The session rows of an inputs sheet as (key, start, end, task keys) text; ValueError for a broken row."""
    found = []
    for values in rows:
        if not values or values[0] != SESSION_ROW:
            continue
        cells = [("" if value is None else str(value)) for value in (*values[1:5], "", "", "", "")][:4]
        key, start, end, tasks = cells
        if not (key and start and end and tasks.strip()):
            raise ValueError("a session row of the plan inputs is incomplete")
        found.append((key, start, end, tuple(tasks.split())))
    return tuple(found)
