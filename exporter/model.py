"""The pathway: a career-transition roadmap as frozen dataclasses.

Every section of a career guide has a home here, so that no item of a guide is lost
on the way from the document to the plan and its three outputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PRIORITIES = ("critical", "important", "nice-to-have")
HORIZONS = ("this-week", "this-month", "next-90-days")
HORIZON_TITLES = {
    "this-week": "This week",
    "this-month": "This month",
    "next-90-days": "Next 90 days",
}
HORIZON_DAYS = {"this-week": 7, "this-month": 30, "next-90-days": 90}


@dataclass(frozen=True)
class TransferableSkill:
    name: str
    description: str = ""


@dataclass(frozen=True)
class Skill:
    """A skill to learn; `weeks` is None when the skill is ongoing."""

    name: str
    priority: str
    weeks: float | None
    how: str = ""
    phases: tuple[int, ...] = ()

    @property
    def ongoing(self) -> bool:
        return self.weeks is None


@dataclass(frozen=True)
class Resource:
    title: str
    url: str | None = None


@dataclass(frozen=True)
class Task:
    title: str
    hours: float | None = None


@dataclass(frozen=True)
class Phase:
    number: int
    title: str
    weeks: float
    tasks: tuple[Task, ...] = ()
    resources: tuple[Resource, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class RealityCheck:
    love: tuple[str, ...] = ()
    miss: tuple[str, ...] = ()
    challenges: tuple[str, ...] = ()
    intro: str = ""


@dataclass(frozen=True)
class Action:
    horizon: str
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
    transferable_skills: tuple[TransferableSkill, ...] = ()
    skills: tuple[Skill, ...] = ()
    phases: tuple[Phase, ...] = ()
    reality_check: RealityCheck = field(default_factory=RealityCheck)
    actions: tuple[Action, ...] = ()
    faq: tuple[FaqItem, ...] = ()
    closing: str = ""
    notes: tuple[str, ...] = ()

    @property
    def nominal_weeks(self) -> float:
        return sum(phase.weeks for phase in self.phases)

    def phase(self, number: int) -> Phase:
        return next(phase for phase in self.phases if phase.number == number)

    def actions_for(self, horizon: str) -> tuple[Action, ...]:
        return tuple(action for action in self.actions if action.horizon == horizon)
