"""What every document shows, read once from the plan: the words and dates the writers share.

A PlanView is read-only: it formats through the label catalogue and computes no dates of its
own, so each writer stays a small function of the plan, the context, the theme and its options.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from exporter.labels import Labels
from exporter.model import Horizon, Phase, Resource
from exporter.plan import Milestone, MilestoneKind, Plan, PlannedAction, PlannedPhase, PlannedTask

HEADLINE_KINDS = (MilestoneKind.SKILL_TARGET, MilestoneKind.ACTION_CHECKPOINT, MilestoneKind.PROGRAMME_FINISH)


@dataclass(frozen=True)
class PhaseView:
    """One phase as the documents show it: its dates and hours, its source and its tasks."""

    planned: PlannedPhase
    source: Phase
    tasks: tuple[PlannedTask, ...]

    @property
    def resources(self) -> tuple[Resource, ...]:
        return self.source.resources


@dataclass(frozen=True)
class PlanView:
    """The plan with the words of one catalogue: titles, labels and formatted dates."""

    plan: Plan
    labels: Labels

    def milestone_title(self, milestone: Milestone) -> str:
        """The milestone's title, written from its kind and parameters."""
        labels, pathway = self.labels, self.plan.pathway
        match milestone.kind:
            case MilestoneKind.PHASE_START | MilestoneKind.PHASE_FINISH:
                return labels(f"milestone.{milestone.kind}", number=milestone.phase, title=milestone.title)
            case MilestoneKind.SKILL_TARGET:
                return labels("milestone.skill-target", name=milestone.skill)
            case MilestoneKind.ACTION_CHECKPOINT:
                return labels(f"milestone.checkpoint-{milestone.horizon}", count=milestone.count)
            case _:
                return labels("milestone.programme-finish", from_role=pathway.from_role, to_role=pathway.to_role)

    @property
    def headline_milestones(self) -> tuple[Milestone, ...]:
        """The milestones worth a line of their own in a summary: skills, checkpoints and the finish."""
        return tuple(m for m in self.plan.milestones if m.kind in HEADLINE_KINDS)

    @property
    def phases(self) -> tuple[PhaseView, ...]:
        return tuple(
            PhaseView(phase, self.plan.phase_source(phase.number), self.plan.tasks_of(phase.number))
            for phase in self.plan.phases
        )

    def actions_of(self, horizon: Horizon) -> tuple[PlannedAction, ...]:
        return tuple(action for action in self.plan.actions if action.horizon == horizon)

    @property
    def roles(self) -> str:
        """`Backend Developer -> AI Government Specialist`."""
        pathway = self.plan.pathway
        return self.labels("word.roles", from_role=pathway.from_role, to_role=pathway.to_role)

    @property
    def roles_to(self) -> str:
        """`Backend Developer to AI Government Specialist`."""
        pathway = self.plan.pathway
        return self.labels("word.roles-to", from_role=pathway.from_role, to_role=pathway.to_role)

    def long_date(self, day: date) -> str:
        return self.labels.long_date(day)

    def short_date(self, day: date | None) -> str:
        return self.labels.short_date(day)

    def weeks(self, weeks: float | None) -> str:
        """`6 weeks`, or `ongoing` for an ongoing skill."""
        return self.labels("word.ongoing") if weeks is None else self.labels("word.weeks", weeks=weeks)

    def number(self, value: float) -> str:
        """A number of hours or weeks in the language's digits and separators (`12.5`, `12,5`)."""
        return self.labels.number(value)

    @property
    def blackouts(self) -> str:
        """The blackout days as date ranges of the language: `1–7 Feb 2027, 24 Dec 2027`."""
        return self.labels("word.list-joiner").join(
            self.labels.date_range(blackout.first, blackout.last) for blackout in self.plan.blackouts
        )

    @property
    def availability(self) -> str:
        """The weekly windows in the language, from the first day of its week: `Mon 19:00–21:00; Sat 09:00–11:00`."""
        labels, availability = self.labels, self.plan.availability
        days = [
            labels(
                "word.day-windows",
                day=labels.weekday_short(weekday),
                windows=labels("word.list-joiner").join(self.window(w.start, w.end) for w in availability.on(weekday)),
            )
            for weekday in self.plan.weekdays
            if availability.on(weekday)
        ]
        return labels("word.days-joiner").join(days)

    def window(self, start: int, end: int) -> str:
        """A study window, minutes after midnight to minutes after midnight: `19:00–21:00`."""
        return self.labels("word.window", start=self.labels.clock(start), end=self.labels.clock(end))

    @property
    def holidays_off(self) -> str:
        """The public holidays that took a study day: `1 Jan 2027 New Year's Day, 18 Jan 2027 ...`."""
        return self.labels("word.list-joiner").join(
            self.labels("word.holiday", date=self.short_date(holiday.date), name=holiday.name)
            for holiday in self.plan.holidays_off
        )
