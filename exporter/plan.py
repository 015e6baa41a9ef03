"""The plan: one immutable schedule that every writer renders, and its JSON form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from exporter.availability import Blackout, WeeklyAvailability
from exporter.model import Pathway, Phase, Resource


@dataclass(frozen=True)
class PlannedPhase:
    number: int
    title: str
    start: date
    finish: date
    hours: float


@dataclass(frozen=True)
class PlannedTask:
    id: str
    phase: int
    title: str
    start: date
    finish: date
    hours: float


@dataclass(frozen=True)
class Session:
    """A used stretch of one availability window, in the person's local zone."""

    start: datetime
    end: datetime
    task_ids: tuple[str, ...]

    @property
    def hours(self) -> float:
        """Elapsed hours (timestamps, so a session across a DST change counts what really passes)."""
        return (self.end.timestamp() - self.start.timestamp()) / 3600

    @property
    def phase(self) -> int:
        return int(self.task_ids[0].split(".")[0])


@dataclass(frozen=True)
class PlannedSkill:
    name: str
    priority: str
    weeks: float | None
    target: date | None


@dataclass(frozen=True)
class PlannedAction:
    horizon: str
    title: str
    due: date


@dataclass(frozen=True)
class Milestone:
    date: date
    kind: str
    title: str
    key: str
    """Stable identity within the plan (e.g. `phase-2-finish`), used for calendar UIDs."""


@dataclass(frozen=True)
class Week:
    start: date
    hours: float


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

    def task(self, task_id: str) -> PlannedTask:
        return next(task for task in self.tasks if task.id == task_id)

    def to_json(self) -> dict[str, Any]:
        return {
            "pathway": {"id": self.pathway.id, "title": self.pathway.title},
            "participant": self.participant,
            "timezone": self.timezone,
            "start": self.start.isoformat(),
            "finish": self.finish.isoformat(),
            "hours_per_week": round(self.hours_per_week, 2),
            "pace": round(self.pace, 3),
            "total_hours": round(self.total_hours, 2),
            "availability": self.availability.spec(),
            "blackouts": [blackout.label() for blackout in self.blackouts],
            "holidays": self.holidays,
            "finish_by": self.finish_by.isoformat() if self.finish_by else None,
            "phases": [
                {
                    "number": p.number,
                    "title": p.title,
                    "start": p.start.isoformat(),
                    "finish": p.finish.isoformat(),
                    "hours": p.hours,
                }
                for p in self.phases
            ],
            "tasks": [
                {
                    "id": t.id,
                    "phase": t.phase,
                    "title": t.title,
                    "start": t.start.isoformat(),
                    "finish": t.finish.isoformat(),
                    "hours": t.hours,
                }
                for t in self.tasks
            ],
            "sessions": [
                {
                    "start": s.start.isoformat(),
                    "end": s.end.isoformat(),
                    "hours": s.hours,
                    "tasks": list(s.task_ids),
                }
                for s in self.sessions
            ],
            "skills": [
                {
                    "name": s.name,
                    "priority": s.priority,
                    "weeks": s.weeks,
                    "target": s.target.isoformat() if s.target else None,
                }
                for s in self.skills
            ],
            "actions": [{"horizon": a.horizon, "title": a.title, "due": a.due.isoformat()} for a in self.actions],
            "milestones": [{"date": m.date.isoformat(), "kind": m.kind, "title": m.title} for m in self.milestones],
            "weeks": [{"start": w.start.isoformat(), "hours": w.hours} for w in self.weeks],
        }
