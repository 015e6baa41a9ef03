"""The plan: one immutable schedule that every writer renders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import cached_property

from exporter.availability import Blackout, WeeklyAvailability
from exporter.busytime import BusyRules
from exporter.errors import Problem
from exporter.model import Horizon, Pathway, Phase, Priority, Resource
from exporter.recorded import Progress


@dataclass(frozen=True)
class PlannedPhase:
    number: int
    title: str
    start: date
    finish: date
    hours: float


@dataclass(frozen=True)
class PlannedTask:
    """A task with its dates; `key` is its stable identity, `id` the number people see (`2.3`)."""

    key: str
    id: str
    phase: int
    title: str
    start: date
    finish: date
    hours: float


@dataclass(frozen=True)
class Session:
    """A used stretch of one availability window, in the person's local zone.

    `key` identifies the session across regenerations: the key of the task it starts with
    and its number among the sessions that start with that task (`write-a-memo/2`), so a
    task inserted elsewhere in the pathway leaves it alone.
    """

    start: datetime
    end: datetime
    task_keys: tuple[str, ...]
    key: str

    @classmethod
    def timed(cls, start: datetime, end: datetime, task_keys: tuple[str, ...], key: str, hours: float) -> Session:
        """The session, its `hours` given by a maker that knows them: exactly what `hours` works out (the
        planner's sessions of whole quarter hours on whole minutes)."""
        session = cls(start, end, task_keys, key)
        session.__dict__["hours"] = hours  # where `hours` keeps what it works out
        return session

    @cached_property
    def hours(self) -> float:
        """Elapsed hours (timestamps, so a session across a DST change counts what really passes); worked out
        once per session (the plan, the calendar, the tracker and the PDF each read it)."""
        return (self.end.timestamp() - self.start.timestamp()) / 3600


@dataclass(frozen=True)
class PlannedSkill:
    name: str
    priority: Priority
    weeks: float | None
    target: date | None
    how: str = ""


@dataclass(frozen=True)
class PlannedAction:
    horizon: Horizon
    title: str
    due: date


class MilestoneKind(StrEnum):
    PHASE_START = "phase-start"
    PHASE_FINISH = "phase-finish"
    SKILL_TARGET = "skill-target"
    ACTION_CHECKPOINT = "action-checkpoint"
    PROGRAMME_FINISH = "programme-finish"


@dataclass(frozen=True)
class Milestone:
    """A dated point of the plan: its kind and the parameters its title is written from.

    `key` is its stable identity within the plan (`phase-2-finish`), used for calendar UIDs;
    `phase` and `title` name the phase, `skill` the skill, `horizon` and `count` the actions.
    """

    date: date
    kind: MilestoneKind
    key: str
    phase: int | None = None
    title: str = ""
    skill: str = ""
    horizon: Horizon | None = None
    count: int = 0


class WindowChange(StrEnum):
    """How `--finish-by` changed the person's study windows to finish in time."""

    LENGTHENED = "lengthened"
    """Study time was added outside the person's own windows."""
    SHORTENED = "shortened"


@dataclass(frozen=True)
class Replanning:
    """How a replanned plan came about.

    `as_of` splits the past (sessions before that day, kept as they were) from the future
    (the work left, scheduled from that day); `recorded` is what the person entered in the
    tracker, carried into the new one; `previous_finish` the finish before; `hours_done` and
    `hours_left` the effort done and still to do; `rolled_forward` the keys of tasks whose past
    sessions counted for nothing (not Done, no actual hours), so their hours moved to the future.
    """

    as_of: date
    previous_finish: date
    recorded: Progress
    hours_done: float
    hours_left: float
    rolled_forward: tuple[str, ...] = ()


@dataclass(frozen=True)
class Week:
    """A week of the plan from its first day (the first day of the week where the plan's language is spoken)."""

    start: date
    hours: float


@dataclass(frozen=True)
class BusyUse:
    """What the person's busy calendars did to the plan: the rules they were read with, the hours of
    the person's windows they took up to the plan's finish (busy time, its buffer, and the slivers
    too short to use), those hours by week (weeks with none left out, in time order), and the
    warnings reading them gave (an unknown time zone, a calendar with nothing in the plan's range)."""

    rules: BusyRules
    hours_taken: float
    weeks: tuple[Week, ...]
    warnings: tuple[Problem, ...] = ()

    def busiest(self, count: int = 3) -> tuple[Week, ...]:
        """The `count` weeks it took most from (the earlier first on a tie), in time order."""
        top = sorted(self.weeks, key=lambda week: (-week.hours, week.start))[:count]
        return tuple(sorted(top, key=lambda week: week.start))


@dataclass(frozen=True)
class Holiday:
    """A public holiday that took a study day, named in the plan's language where the holidays package can."""

    date: date
    name: str


@dataclass(frozen=True)
class Plan:
    pathway: Pathway
    participant: str | None
    timezone: str
    start: date
    finish: date
    availability: WeeklyAvailability
    blackouts: tuple[Blackout, ...]
    holidays: str | None
    finish_by: date | None
    phases: tuple[PlannedPhase, ...]
    tasks: tuple[PlannedTask, ...]
    sessions: tuple[Session, ...]
    skills: tuple[PlannedSkill, ...]
    actions: tuple[PlannedAction, ...]
    milestones: tuple[Milestone, ...]
    weeks: tuple[Week, ...]
    identity: str = ""
    """Stable identity of the participant (their name, or a roster's unique folder name)."""
    window_change: WindowChange | None = None
    """How `finish_by` changed the person's windows, when it did."""
    replanning: Replanning | None = None
    """Set when the plan was made again from a tracker's progress (`replan`)."""
    busy: BusyUse | None = None
    """Set when the plan was made around the person's busy calendars (`--busy`)."""
    language: str = "en"
    """The catalogue's tag of the language the plan's outputs speak (`de`, `pt-BR`)."""
    week_start: int = 0
    """The first day of the week in that language's locale (0 = Monday, 6 = Sunday): `weeks` start on it."""
    holidays_off: tuple[Holiday, ...] = ()
    """The public holidays between start and finish that fell on a day with study windows."""

    @property
    def weekdays(self) -> tuple[int, ...]:
        """The days of the week in the order the plan's locale counts them (0 = Monday)."""
        return tuple((self.week_start + offset) % 7 for offset in range(7))

    @property
    def hours_per_week(self) -> float:
        return self.availability.hours_per_week

    @property
    def total_hours(self) -> float:
        return sum(phase.hours for phase in self.phases)

    @property
    def pace(self) -> float:
        """The person's weekly hours against the hours the pathway's nominal weeks assume."""
        return self.hours_per_week / self.pathway.hours_per_week

    def tasks_of(self, phase_number: int) -> tuple[PlannedTask, ...]:
        return tuple(task for task in self.tasks if task.phase == phase_number)

    def phase_source(self, phase_number: int) -> Phase:
        return self.pathway.phase(phase_number)

    def resources_of(self, phase_number: int) -> tuple[Resource, ...]:
        return self.pathway.phase(phase_number).resources

    def task(self, key: str) -> PlannedTask:
        """The planned task with this key."""
        return self._tasks_by_key[key]

    @cached_property
    def _tasks_by_key(self) -> dict[str, PlannedTask]:
        return {task.key: task for task in self.tasks}
