"""What a person recorded in their tracker, as values: statuses, dates, hours, notes, marks.

Read by `exporter.progress` from a tracker; carried by a replanned Plan into the new tracker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from exporter.labels import DEFAULT_LANGUAGE
from exporter.model import TaskStatus


@dataclass(frozen=True)
class TaskProgress:
    """One task's row of the Tasks sheet, as the person left it.

    `key` is the task's stable key (the hidden Key column). `status` is None when the Status cell
    is blank; `done_on` and `actual_hours` are None when their cells are blank; `notes` is the
    Notes cell as text without surrounding spaces ("" when blank). `row` is the row the task is
    on now, as the spreadsheet numbers it (rows may have been sorted since the export); `title`
    the Task cell as text.
    """

    key: str
    status: TaskStatus | None
    done_on: date | None
    actual_hours: float | None
    notes: str
    row: int
    title: str = ""


@dataclass(frozen=True)
class OtherRow:
    """A row of the tracker that matches no task of the plan, kept as the person left it.

    A row the person added to the Tasks sheet (no key), the row of a task the pathway no longer
    has (its key), or a row already kept on the sheet of such rows by an earlier replan
    (`earlier`). `row` is the Tasks row it was first found on; `values` are its cells of
    `tracker.OTHER_COLUMNS` (task, status, done on, actual hours, notes) as values (text, numbers,
    dates), None where blank.
    """

    row: int
    key: str
    values: tuple[Any, ...]
    earlier: bool = False


@dataclass(frozen=True)
class Progress:
    """Everything a person records in the tracker.

    - `tasks`: each keyed row of the Tasks sheet, by key (keys are unique).
    - `other_rows`: rows of the Tasks sheet below the header with some content but no key (a task
      the person added, a total), in row order, then the rows an earlier replan kept on the sheet
      of rows that match no task; they are not errors.
    - `weekly_actuals`: the Weekly log's weeks that have actual hours, week start -> hours.
    - `skill_ratings`: the Skills sheet's skills that have a self-rating, skill name -> rating
      text as written (any text; the dropdown offers the catalogue's `skills.ratings`).
    - `actions_done`: every action of the Actions sheet, title -> done (`actions.yes`); a blank
      mark is not done. An action whose title is on several rows is done if any of them is.
    A sheet the workbook lacks (other than Tasks) gives an empty dict.
    """

    tasks: dict[str, TaskProgress]
    other_rows: tuple[OtherRow, ...]
    weekly_actuals: dict[date, float]
    skill_ratings: dict[str, str]
    actions_done: dict[str, bool]
    inputs: dict[str, str] = field(default_factory=dict)
    """The plan's inputs from the hidden inputs sheet (`tracker.INPUT_KEYS`); empty for a tracker without one."""
    schedule: tuple[tuple[str, str, str, tuple[str, ...]], ...] = ()
    """The sessions the tracker was made with, as (key, ISO start, ISO end, task keys); empty for an older one."""
    last_replan: tuple[str, str] | None = None
    """(as-of, finish before) of the replan that made the tracker, as ISO dates; None if it was exported."""
    language: str = DEFAULT_LANGUAGE
    """The language the tracker is written in (its sheets' names and headers)."""


NOTHING_RECORDED = Progress(tasks={}, other_rows=(), weekly_actuals={}, skill_ratings={}, actions_done={})
"""A tracker as it leaves an export: nothing recorded yet."""
