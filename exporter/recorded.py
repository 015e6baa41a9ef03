"""What a person recorded in their tracker, as values: statuses, dates, hours, notes, marks.

Read by `exporter.progress` from a tracker; carried by a replanned Plan into the new tracker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from exporter.model import TaskStatus


@dataclass(frozen=True)
class TaskProgress:
    """One task's row of the Tasks sheet, as the person left it.

    `key` is the task's stable key (the hidden Key column). `status` is None when the Status cell
    is blank; `done_on` and `actual_hours` are None when their cells are blank; `notes` is the
    Notes cell as text without surrounding spaces ("" when blank). `row` is the row the task is
    on now, as the spreadsheet numbers it (rows may have been sorted since the export).
    """

    key: str
    status: TaskStatus | None
    done_on: date | None
    actual_hours: float | None
    notes: str
    row: int


@dataclass(frozen=True)
class Progress:
    """Everything a person records in the tracker.

    - `tasks`: each keyed row of the Tasks sheet, by key (keys are unique).
    - `unmatched_rows`: rows of the Tasks sheet below the header with some content but no key
      (a task the person added, a total), in row order; they are not errors.
    - `weekly_actuals`: the Weekly log's weeks that have actual hours, week start -> hours.
    - `skill_ratings`: the Skills sheet's skills that have a self-rating, skill name -> rating
      text as written (any text; the dropdown offers the catalogue's `skills.ratings`).
    - `actions_done`: every action of the Actions sheet, title -> done (`actions.yes`); a blank
      mark is not done. An action whose title is on several rows is done if any of them is.
    A sheet the workbook lacks (other than Tasks) gives an empty dict.
    """

    tasks: dict[str, TaskProgress]
    unmatched_rows: tuple[int, ...]
    weekly_actuals: dict[date, float]
    skill_ratings: dict[str, str]
    actions_done: dict[str, bool]
    inputs: dict[str, str] = field(default_factory=dict)
    """The plan's inputs from the hidden inputs sheet (`tracker.INPUT_KEYS`); empty for a tracker without one."""
    schedule: tuple[tuple[str, str, str, tuple[str, ...]], ...] = ()
    """The sessions the tracker was made with, as (key, ISO start, ISO end, task keys); empty for an older one."""
    last_replan: tuple[str, str] | None = None
    """(as-of, finish before) of the replan that made the tracker, as ISO dates; None if it was exported."""


NOTHING_RECORDED = Progress(tasks={}, unmatched_rows=(), weekly_actuals={}, skill_ratings={}, actions_done={})
"""A tracker as it leaves an export: nothing recorded yet."""
