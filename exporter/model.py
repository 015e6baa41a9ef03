"""The pathway: a career-transition roadmap as frozen dataclasses.

Every section of a career guide has a home here, so that no item of a guide is lost
on the way from the document to the plan and its three outputs.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum


class Priority(StrEnum):
    CRITICAL = "critical"
    IMPORTANT = "important"
    NICE_TO_HAVE = "nice-to-have"


class Horizon(StrEnum):
    """When an action of the guide's action plan is due, counted from the plan's start."""

    THIS_WEEK = "this-week"
    THIS_MONTH = "this-month"
    NEXT_90_DAYS = "next-90-days"

    @property
    def days(self) -> int:
        return {"this-week": 7, "this-month": 30, "next-90-days": 90}[self.value]


HORIZONS = tuple(Horizon)


@dataclass(frozen=True)
class TransferableSkill:
    name: str
    description: str = ""


@dataclass(frozen=True)
class Skill:
    """A skill to learn; `weeks` is None when the skill is ongoing."""

    name: str
    priority: Priority
    weeks: float | None
    how: str = ""
    phases: tuple[int, ...] = ()
    line: int | None = field(default=None, compare=False)

    @property
    def ongoing(self) -> bool:
        return self.weeks is None


@dataclass(frozen=True)
class Resource:
    title: str
    url: str | None = None


@dataclass(frozen=True)
class Task:
    """A task of a phase; `key` is its stable identity (a slug, unique in the pathway)."""

    title: str
    hours: float | None = None
    key: str = ""
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Phase:
    number: int
    title: str
    weeks: float
    tasks: tuple[Task, ...] = ()
    resources: tuple[Resource, ...] = ()
    description: str = ""
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class RealityCheck:
    love: tuple[str, ...] = ()
    miss: tuple[str, ...] = ()
    challenges: tuple[str, ...] = ()
    intro: str = ""


@dataclass(frozen=True)
class Action:
    horizon: Horizon
    title: str


@dataclass(frozen=True)
class FaqItem:
    question: str
    answer: str


@dataclass(frozen=True)
class Pathway:
    id: str
    title: str
    from_role: str
    to_role: str
    hours_per_week: float
    difficulty: str = ""
    timeline: str = ""
    salary_change: str = ""
    demand: str = ""
    overview: str = ""
    subtitle: str = ""
    language: str = ""
    """The language the pathway's own text is written in (a BCP 47 tag), when it says; the outputs keep
    that text as written, whatever language their labels are in."""
    transferable_skills: tuple[TransferableSkill, ...] = ()
    skills: tuple[Skill, ...] = ()
    phases: tuple[Phase, ...] = ()
    reality_check: RealityCheck = field(default_factory=RealityCheck)
    actions: tuple[Action, ...] = ()
    faq: tuple[FaqItem, ...] = ()
    closing: str = ""
    notes: tuple[str, ...] = ()
    source: str = field(default="", compare=False)
    """Where the pathway was read from (a file path or `ID (built-in)`), for located messages."""

    @property
    def nominal_weeks(self) -> float:
        return sum(phase.weeks for phase in self.phases)

    def phase(self, number: int) -> Phase:
        return next(phase for phase in self.phases if phase.number == number)

    def task_keys(self) -> frozenset[str]:
        """The stable keys of every task of every phase."""
        return frozenset(task.key for phase in self.phases for task in phase.tasks)

    def actions_for(self, horizon: Horizon) -> tuple[Action, ...]:
        return tuple(action for action in self.actions if action.horizon == horizon)


QUARTER = 15  # minutes: the planner's granularity, and the unit of every effort


class EffortShortfall(ValueError):
    """A phase whose tasks' own hours do not fit in the phase's nominal effort.

    `exceeds` is True when the given hours exceed the phase, False when they leave no time
    for its other tasks.
    """

    def __init__(self, given_hours: float, nominal_hours: float, exceeds: bool):
        super().__init__(given_hours, nominal_hours, exceeds)
        self.given_hours, self.nominal_hours, self.exceeds = given_hours, nominal_hours, exceeds


def task_quarters(phase: Phase, hours_per_week: float) -> tuple[int, ...]:
    """Each task's effort in quarter hours: its own hours, else an equal share of what is left of its phase.

    A phase always carries weeks x hours_per_week; when every task has hours that add up to
    less, the rest is shared over them. Raises EffortShortfall when the tasks' hours do not fit.
    """
    phase_total = round(phase.weeks * hours_per_week * 60 / QUARTER)
    explicit = [max(1, round(task.hours * 60 / QUARTER)) if task.hours else None for task in phase.tasks]
    given = sum(q for q in explicit if q is not None)
    open_count = explicit.count(None)
    left = phase_total - given
    if left < 0 or (open_count and left < open_count):
        raise EffortShortfall(given * QUARTER / 60, phase_total * QUARTER / 60, left < 0)
    if open_count:
        shares = iter(_share(left, open_count))
        return tuple(q if q is not None else next(shares) for q in explicit)
    if not explicit:
        return ()
    return tuple(q + extra for q, extra in zip(explicit, _share(left, len(explicit)), strict=True))  # type: ignore[operator]


def _share(quarters: int, count: int) -> list[int]:
    base, extra = divmod(quarters, count)
    return [base + (1 if index < extra else 0) for index in range(count)]


class TaskStatus(StrEnum):
    """Where a task stands, as the person marks it in the tracker."""

    NOT_STARTED = "not-started"
    IN_PROGRESS = "in-progress"
    DONE = "done"
    SKIPPED = "skipped"


def title_key(title: str) -> str:
    """The key a task without one gets: a slug of its title's first words (at most 40 characters)."""
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    words = [word for word in re.split(r"[^a-z0-9]+", folded.lower()) if word]
    key = ""
    for word in words:
        if key and len(key) + 1 + len(word) > 40:
            break
        key = f"{key}-{word}" if key else word[:40]
    return key or "task"


def unique_key(key: str, used: set[str]) -> str:
    """`key`, or `key-2`, `key-3`... the first not in `used`."""
    candidate, counter = key, 2
    while candidate in used:
        candidate = f"{key}-{counter}"
        counter += 1
    return candidate
