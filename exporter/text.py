"""Readable terminal summaries of a pathway and of a plan."""

from __future__ import annotations

import textwrap
from datetime import datetime

from exporter.clock import generated_at
from exporter.model import HORIZON_TITLES, HORIZONS, Pathway
from exporter.plan import Plan

_WIDTH = 88


def _wrap(text: str, indent: str = "  ") -> str:
    paragraphs = [p.strip() for p in text.strip().split("\n\n") if p.strip()]
    return "\n\n".join(
        textwrap.fill(" ".join(p.split()), _WIDTH, initial_indent=indent, subsequent_indent=indent) for p in paragraphs
    )


def weeks_label(weeks: float | None) -> str:
    return "ongoing" if weeks is None else f"{weeks:g} weeks"


def pathway_summary(pathway: Pathway) -> str:
    out = [pathway.title, "=" * len(pathway.title)]
    if pathway.subtitle:
        out.append(pathway.subtitle)
    out.append(f"{pathway.from_role} -> {pathway.to_role}   (id: {pathway.id})")
    facts = [
        ("Difficulty", pathway.difficulty),
        ("Timeline", pathway.timeline),
        ("Salary change", pathway.salary_change),
        ("Demand", pathway.demand),
        ("Nominal plan", f"{pathway.nominal_weeks:g} weeks at {pathway.hours_per_week:g} h a week"),
    ]
    out += [f"{label}: {value}" for label, value in facts if value]
    if pathway.overview:
        out += ["", "Overview", _wrap(pathway.overview)]
    out += ["", f"Transferable skills ({len(pathway.transferable_skills)})"]
    for skill in pathway.transferable_skills:
        out += [f"- {skill.name}", _wrap(skill.description, "    ")] if skill.description else [f"- {skill.name}"]
    out += ["", f"Skills to learn ({len(pathway.skills)})"]
    for skill in pathway.skills:
        out.append(f"- {skill.name} [{skill.priority}, {weeks_label(skill.weeks)}]")
        if skill.how:
            out.append(_wrap(skill.how, "    "))
    out += ["", f"Roadmap ({len(pathway.phases)} phases, {pathway.nominal_weeks:g} weeks)"]
    for phase in pathway.phases:
        out.append(f"Phase {phase.number}: {phase.title} ({phase.weeks:g} weeks)")
        out += [f"  [ ] {task.title}" + (f" ({task.hours:g} h)" if task.hours else "") for task in phase.tasks]
        out += [f"  * {res.title}" + (f" <{res.url}>" if res.url else "") for res in phase.resources]
    check = pathway.reality_check
    out += ["", "Reality check"]
    for label, items in (
        ("What you'll love", check.love),
        ("What you might miss", check.miss),
        ("Biggest challenges", check.challenges),
    ):
        out.append(f"{label}:")
        out += [f"  - {item}" for item in items]
    out += ["", "Start your journey now"]
    for horizon in HORIZONS:
        out.append(f"{HORIZON_TITLES[horizon]}:")
        out += [f"  [ ] {action.title}" for action in pathway.actions_for(horizon)]
    if pathway.faq:
        out += ["", "Frequently asked questions"]
        for item in pathway.faq:
            if item.question:
                out.append(f"Q: {item.question}")
            out.append(_wrap(item.answer))
    if pathway.closing:
        out += ["", _wrap(pathway.closing, "")]
    for note in pathway.notes:
        out += ["", f"Note: {note}"]
    return "\n".join(out)


def _when(moment: datetime) -> str:
    return moment.strftime("%a %Y-%m-%d %H:%M")


def plan_summary(plan: Plan, upcoming: int = 10) -> str:
    who = f" for {plan.participant}" if plan.participant else ""
    out = [
        f"{plan.pathway.title}{who}",
        f"{plan.start} -> {plan.finish}   {plan.total_hours:g} h at {plan.hours_per_week:g} h a week "
        f"(pace {plan.pace:.2f}x the guide's {plan.pathway.hours_per_week:g} h), time zone {plan.timezone}",
        f"Availability: {plan.availability.spec()}",
    ]
    if plan.blackouts:
        out.append("Blackouts: " + ", ".join(b.label() for b in plan.blackouts))
    if plan.holidays:
        out.append(f"Public holidays: {plan.holidays}")
    out += ["", "Phases"]
    for phase in plan.phases:
        out.append(f"  {phase.number}. {phase.title}: {phase.start} -> {phase.finish} ({phase.hours:g} h)")
        for task in plan.tasks_of(phase.number):
            out.append(f"     {task.id:>5}  {task.start} -> {task.finish}  {task.hours:>6g} h  {task.title}")
    now = generated_at()
    ahead = [session for session in plan.sessions if session.end > now]
    out += ["", f"Next sessions ({len(ahead)} of {len(plan.sessions)} still ahead)"]
    for session in (ahead or plan.sessions)[:upcoming]:
        out.append(
            f"  {_when(session.start)}-{session.end:%H:%M}  {session.hours:g} h  tasks {', '.join(session.task_ids)}"
        )
    out += ["", "Milestones"]
    out += [f"  {m.date}  {m.title}" for m in plan.milestones]
    return "\n".join(out)
