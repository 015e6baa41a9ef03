"""Readable terminal text: a pathway's every section (`show`) and a plan (`plan`, plan.txt)."""

from __future__ import annotations

import textwrap
from datetime import datetime

from exporter.context import RunContext
from exporter.labels import Labels
from exporter.model import Horizon, Pathway
from exporter.plan import Plan
from exporter.status import PACE_WEEKS
from exporter.theme import Theme
from exporter.view import PlanView
from exporter.writers import WriterOptions

_WIDTH = 88
UPCOMING = 10


def file_names(options: WriterOptions) -> tuple[str, ...]:
    """Always plan.txt."""
    return ("plan.txt",)


def render(plan: Plan, context: RunContext, theme: Theme, options: WriterOptions) -> dict[str, bytes]:
    """plan.txt: the plan as the `plan` command prints it."""
    return {"plan.txt": (plan_summary(plan, context) + "\n").encode("utf-8")}


def _wrap(text: str, indent: str = "  ") -> str:
    paragraphs = [p.strip() for p in text.strip().split("\n\n") if p.strip()]
    return "\n\n".join(
        textwrap.fill(" ".join(p.split()), _WIDTH, initial_indent=indent, subsequent_indent=indent) for p in paragraphs
    )


def _weeks(labels: Labels, weeks: float | None) -> str:
    return labels("word.ongoing") if weeks is None else labels("word.weeks", weeks=weeks)


def pathway_summary(pathway: Pathway, labels: Labels) -> str:
    """Every section of a pathway as readable text, in the catalogue's words."""
    out = [pathway.title, "=" * len(pathway.title)]
    if pathway.subtitle:
        out.append(pathway.subtitle)
    out.append(labels("terminal.roles-id", from_role=pathway.from_role, to_role=pathway.to_role, id=pathway.id))
    facts = [
        (labels("terminal.difficulty"), pathway.difficulty),
        (labels("terminal.timeline"), pathway.timeline),
        (labels("terminal.salary"), pathway.salary_change),
        (labels("terminal.demand"), pathway.demand),
        (
            labels("terminal.nominal"),
            labels("terminal.nominal-value", weeks=pathway.nominal_weeks, hours=pathway.hours_per_week),
        ),
    ]
    out += [f"{label}: {value}" for label, value in facts if value]
    if pathway.overview:
        out += ["", labels("terminal.overview"), _wrap(pathway.overview)]
    out += ["", labels("terminal.transferable", count=len(pathway.transferable_skills))]
    for skill in pathway.transferable_skills:
        out += [f"- {skill.name}", _wrap(skill.description, "    ")] if skill.description else [f"- {skill.name}"]
    out += ["", labels("terminal.skills", count=len(pathway.skills))]
    for skill in pathway.skills:
        priority = labels.term(skill.priority)
        out.append(labels("terminal.skill", name=skill.name, priority=priority, weeks=_weeks(labels, skill.weeks)))
        if skill.how:
            out.append(_wrap(skill.how, "    "))
    out += ["", labels("terminal.roadmap", count=len(pathway.phases), weeks=pathway.nominal_weeks)]
    for phase in pathway.phases:
        out.append(labels("terminal.phase", number=phase.number, title=phase.title, weeks=phase.weeks))
        for task in phase.tasks:
            key = "terminal.task-hours" if task.hours else "terminal.task"
            out.append(labels(key, title=task.title, hours=task.hours))
        for res in phase.resources:
            out.append(
                labels("terminal.resource-url" if res.url else "terminal.resource", title=res.title, url=res.url)
            )
    check = pathway.reality_check
    out += ["", labels("terminal.reality")]
    if check.intro:
        out.append(_wrap(check.intro, ""))
    for key, items in (("love", check.love), ("miss", check.miss), ("challenges", check.challenges)):
        out.append(labels(f"terminal.{key}"))
        out += [f"  - {item}" for item in items]
    out += ["", labels("terminal.start-now")]
    for horizon in Horizon:
        out.append(labels("terminal.horizon", horizon=labels.term(horizon)))
        out += [labels("terminal.action", title=action.title) for action in pathway.actions_for(horizon)]
    if pathway.faq:
        out += ["", labels("terminal.faq")]
        for item in pathway.faq:
            if item.question:
                out.append(labels("terminal.question", question=item.question))
            out.append(_wrap(item.answer))
    if pathway.closing:
        out += ["", _wrap(pathway.closing, "")]
    for note in pathway.notes:
        out += ["", labels("terminal.note", note=note)]
    return "\n".join(out)


def _when(labels: Labels, moment: datetime) -> str:
    return f"{labels.weekday_short(moment.weekday())} {moment:%Y-%m-%d %H:%M}"


def plan_summary(plan: Plan, context: RunContext, upcoming: int = UPCOMING) -> str:
    """The plan as readable text: dates, phases and tasks, the sessions still ahead of the build time."""
    view = PlanView(plan, context.labels)
    labels = context.labels
    title_key = "terminal.plan-title-for" if plan.participant else "terminal.plan-title"
    out = [
        labels(title_key, title=plan.pathway.title, name=plan.participant),
        labels(
            "terminal.plan-dates",
            start=plan.start,
            finish=plan.finish,
            hours=plan.total_hours,
            weekly=plan.hours_per_week,
            pace=plan.pace,
            guide=plan.pathway.hours_per_week,
            zone=plan.timezone,
        ),
        labels("terminal.availability", spec=plan.availability.spec()),
    ]
    if plan.window_change:
        out.append(window_change_line(plan, labels))
    if plan.blackouts:
        out.append(labels("terminal.blackouts", days=view.blackouts))
    if plan.holidays:
        out.append(labels("terminal.holidays", place=plan.holidays))
    if plan.busy is not None:
        out += busy_lines(plan, labels)
    out += ["", labels("terminal.phases")]
    for phase in plan.phases:
        out.append(
            labels(
                "terminal.plan-phase",
                number=phase.number,
                title=phase.title,
                start=phase.start,
                finish=phase.finish,
                hours=phase.hours,
            )
        )
        for task in plan.tasks_of(phase.number):
            out.append(
                labels(
                    "terminal.plan-task",
                    id=task.id,
                    start=task.start,
                    finish=task.finish,
                    hours=task.hours,
                    title=task.title,
                )
            )
    ahead = [session for session in plan.sessions if session.end > context.build_time]
    out += ["", labels("terminal.next-sessions", ahead=len(ahead), total=len(plan.sessions))]
    for session in (ahead or list(plan.sessions))[:upcoming]:
        tasks = ", ".join(plan.task(key).id for key in session.task_keys)
        out.append(
            labels(
                "terminal.session",
                start=_when(labels, session.start),
                end=f"{session.end:%H:%M}",
                hours=session.hours,
                tasks=tasks,
            )
        )
    out += ["", labels("terminal.milestones")]
    out += [labels("terminal.milestone", date=m.date, title=view.milestone_title(m)) for m in plan.milestones]
    return "\n".join(out)


def busy_lines(plan: Plan, labels: Labels) -> list[str]:
    """Which busy calendars the plan was made around (URLs by host only), and how many hours of the
    person's windows they took, with the weeks they took most from."""
    busy = plan.busy
    out = [labels("terminal.busy", sources=", ".join(source.label for source in busy.rules.sources))]
    if not busy.hours_taken:
        return [*out, labels("terminal.busy-taken-none")]
    weeks = ", ".join(labels("terminal.busy-week", start=week.start, hours=week.hours) for week in busy.busiest())
    return [*out, labels("terminal.busy-taken", hours=busy.hours_taken, weeks=weeks)]


def window_change_line(plan: Plan, labels: Labels) -> str:
    """One line saying how --finish-by changed the person's windows."""
    return labels(
        f"terminal.finish-by-{plan.window_change}",
        date=plan.finish_by,
        hours=plan.hours_per_week,
        spec=plan.availability.spec(),
    )


def status_summary(plan: Plan, standing, labels: Labels) -> str:
    """Where the person stands (an `exporter.status.Status`) as readable text."""
    title = plan.pathway.title
    heading = "standing.heading-for" if plan.participant else "standing.heading"
    out = [labels(heading, title=title, name=plan.participant, date=standing.as_of)]
    out.append(
        labels(
            "standing.done",
            hours=standing.hours_done,
            planned=standing.hours_planned,
            tasks=standing.tasks_done,
            total=standing.tasks,
        )
    )
    out.append(labels("standing.planned", hours=standing.hours_planned_to_date))
    if standing.hours_ahead > 0:
        out.append(labels("standing.ahead", hours=standing.hours_ahead, days=abs(standing.days_ahead)))
    elif standing.hours_ahead < 0:
        out.append(labels("standing.behind", hours=-standing.hours_ahead, days=abs(standing.days_ahead)))
    else:
        out.append(labels("standing.on-plan"))
    if standing.observed_pace is None:
        out.append(labels("standing.no-pace"))
    else:
        out.append(labels("standing.pace", hours=standing.observed_pace, weeks=PACE_WEEKS))
    out.append(labels("standing.finish", date=standing.finish_planned))
    if standing.finish_at_pace:
        out.append(labels("standing.finish-at-pace", date=standing.finish_at_pace))
    if standing.hours_left == 0:
        out.append(labels("standing.finished"))
    elif standing.hours_per_week_needed is not None:
        out.append(labels("standing.needed", hours=standing.hours_per_week_needed))
    return "\n".join(out)
