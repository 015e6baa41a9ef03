"""Where a person stands against their plan: hours done, ahead or behind, pace and the finish it leads to.

A function of the plan, the progress read back from the tracker and the day it is asked on;
it reads no clock and writes nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from exporter.model import TaskStatus
from exporter.plan import Plan
from exporter.recorded import Progress, TaskProgress

PACE_WEEKS = 4
"""The observed pace is the Weekly log's actual hours of the last four weeks, per week."""


@dataclass(frozen=True)
class Status:
    """The figures `status` prints; hours are hours, `days_ahead` is negative when behind."""

    as_of: date
    hours_planned: float
    hours_planned_to_date: float
    hours_done: float
    tasks_done: int
    tasks: int
    hours_ahead: float
    days_ahead: float
    observed_pace: float | None
    finish_planned: date
    finish_at_pace: date | None
    hours_per_week_needed: float | None

    @property
    def hours_left(self) -> float:
        return max(0.0, self.hours_planned - self.hours_done)


def counted_hours(hours: float, entry: TaskProgress | None) -> float:
    """A task's hours counted as done: its planned `hours` when Done or Skipped, its actual hours up to
    the planned ones when In progress, else 0 (the tracker's Hours counted formula says the same)."""
    state = entry.status if entry else None
    if state in (TaskStatus.DONE, TaskStatus.SKIPPED):
        return hours
    if state is TaskStatus.IN_PROGRESS and entry.actual_hours:
        return max(0.0, min(entry.actual_hours, hours))
    return 0.0


def status(plan: Plan, progress: Progress, as_of: date) -> Status:
    """The person's standing on `as_of` (sessions that end before that day's midnight count as planned)."""
    cutoff = datetime.combine(as_of, time(0), tzinfo=ZoneInfo(plan.timezone))
    planned_to_date = sum(session.hours for session in plan.sessions if session.end <= cutoff)
    entries = [progress.tasks.get(task.key) for task in plan.tasks]
    done = sum(counted_hours(task.hours, entry) for task, entry in zip(plan.tasks, entries, strict=True))
    tasks_done = sum(1 for entry in entries if entry and entry.status is TaskStatus.DONE)
    weekly = plan.hours_per_week or 1
    ahead = done - planned_to_date
    recent = [
        hours for week, hours in progress.weekly_actuals.items() if as_of - timedelta(weeks=PACE_WEEKS) <= week < as_of
    ]
    pace = sum(recent) / PACE_WEEKS if recent else None
    left = max(0.0, plan.total_hours - done)
    finish_at_pace = None
    if pace:
        finish_at_pace = as_of + timedelta(days=math.ceil(left / pace * 7))
    days_to_finish = (plan.finish - as_of).days
    needed = left / (days_to_finish / 7) if days_to_finish > 0 else None
    return Status(
        as_of=as_of,
        hours_planned=plan.total_hours,
        hours_planned_to_date=round(planned_to_date, 2),
        hours_done=round(done, 2),
        tasks_done=tasks_done,
        tasks=len(plan.tasks),
        hours_ahead=round(ahead, 2),
        days_ahead=round(ahead / weekly * 7, 1),
        observed_pace=round(pace, 2) if pace is not None else None,
        finish_planned=plan.finish,
        finish_at_pace=finish_at_pace,
        hours_per_week_needed=round(needed, 2) if needed is not None else None,
    )
