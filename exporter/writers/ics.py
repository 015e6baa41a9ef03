"""The calendar: milestones as all-day events, study sessions as timed events in the person's zone.

UIDs come from the pathway, the participant and the item (session number, milestone key), so a
regenerated calendar updates the events it had. SEQUENCE counts minutes of the build time, so
it rises with every regeneration yet is fixed by SOURCE_DATE_EPOCH.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from icalendar import Alarm, Calendar, Event, vText

from exporter import __version__
from exporter.clock import generated_at
from exporter.plan import Milestone, Plan, PlannedTask, Session
from exporter.theme import Theme
from exporter.writers.common import safe_url
from exporter.writers.vtimezone import vtimezone

PRODID = f"-//pathway-exporter//pathway-exporter {__version__}//EN"
CALENDARS = ("all", "milestones", "sessions")
MAX_DESCRIPTION = 7000  # Google cuts descriptions near 8,000 characters
_SEQUENCE_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


def render_ics(plan: Plan, theme: Theme, calendar: str = "all", reminder: int | None = 15) -> bytes:
    stamp = generated_at()
    sequence = max(0, int((stamp - _SEQUENCE_EPOCH).total_seconds() // 60))
    cal = Calendar()
    cal.add("PRODID", PRODID)
    cal.add("VERSION", "2.0")
    cal.add("CALSCALE", "GREGORIAN")
    cal.add("METHOD", "PUBLISH")
    cal.add("X-WR-CALNAME", vText(_calendar_name(plan, calendar)))
    cal.add("X-WR-TIMEZONE", vText(plan.timezone))
    cal.add("X-WR-CALDESC", vText(f"{plan.pathway.from_role} to {plan.pathway.to_role}: {plan.start} to {plan.finish}"))
    if calendar in ("all", "sessions") and plan.sessions:
        first_year = plan.sessions[0].start.year - 1
        cal.add_component(vtimezone(plan.timezone, first_year, plan.sessions[-1].end.year + 1))
    if calendar in ("all", "milestones"):
        for milestone in plan.milestones:
            cal.add_component(_milestone_event(plan, milestone, stamp, sequence))
    if calendar in ("all", "sessions"):
        for number, session in enumerate(plan.sessions, start=1):
            cal.add_component(_session_event(plan, number, session, stamp, sequence, reminder))
    return cal.to_ical()


def _calendar_name(plan: Plan, calendar: str) -> str:
    name = plan.pathway.title + (f" - {plan.participant}" if plan.participant else "")
    return name + {"all": "", "milestones": " (milestones)", "sessions": " (study sessions)"}[calendar]


def uid(plan: Plan, item: str) -> str:
    digest = hashlib.sha256(f"{plan.pathway.id}\x1f{plan.identity}\x1f{item}".encode()).hexdigest()
    return f"{digest[:32]}@pathway-exporter"


def _stamped(event: Event, plan: Plan, item: str, stamp: datetime, sequence: int) -> Event:
    event.add("UID", uid(plan, item))
    event.add("DTSTAMP", stamp)
    event.add("SEQUENCE", sequence)
    return event


def _milestone_event(plan: Plan, milestone: Milestone, stamp: datetime, sequence: int) -> Event:
    event = _stamped(Event(), plan, f"milestone/{milestone.key}", stamp, sequence)
    event.add("SUMMARY", milestone.title)
    event.add("DTSTART", milestone.date)
    event.add("DTEND", milestone.date + timedelta(days=1))
    event.add("TRANSP", "TRANSPARENT")
    event.add("X-MICROSOFT-CDO-BUSYSTATUS", "FREE")
    event.add("CATEGORIES", ["Milestone", plan.pathway.to_role])
    event.add("DESCRIPTION", _clip(f"{milestone.title}\n\n{plan.pathway.title}\nPlanned finish: {plan.finish}"))
    return event


def _session_event(
    plan: Plan, number: int, session: Session, stamp: datetime, sequence: int, reminder: int | None
) -> Event:
    tasks = [plan.task(task_id) for task_id in session.task_ids]
    event = _stamped(Event(), plan, f"session/{number}", stamp, sequence)
    titles = " + ".join(f"{task.id} {task.title}" for task in tasks)
    event.add("SUMMARY", f"Study: {titles}")
    event.add("DTSTART", session.start)
    event.add("DTEND", session.end)
    event.add("DESCRIPTION", _clip(_session_description(plan, number, session, tasks)))
    phases = sorted({task.phase for task in tasks})
    event.add("CATEGORIES", ["Study session", *(f"Phase {n}" for n in phases)])
    if reminder is not None:
        alarm = Alarm()
        alarm.add("ACTION", "DISPLAY")
        alarm.add("DESCRIPTION", f"Study session: {tasks[0].title}")
        alarm.add("TRIGGER", timedelta(minutes=-reminder))
        event.add_component(alarm)
    return event


def _session_description(plan: Plan, number: int, session: Session, tasks: list[PlannedTask]) -> str:
    lines = [f"Study session {number} of {len(plan.sessions)} ({session.hours:g} h)", ""]
    for task in tasks:
        phase = plan.phase_source(task.phase)
        lines += [
            f"Task {task.id}: {task.title}",
            f"Phase {phase.number}: {phase.title}",
            f"Planned {task.start} to {task.finish}, {task.hours:g} h",
            "",
        ]
    resources = [r for phase in dict.fromkeys(task.phase for task in tasks) for r in plan.resources_of(phase)]
    if resources:
        lines.append("Resources:")
        for resource in dict.fromkeys(resources):
            url = safe_url(resource.url)
            lines.append(f"- {resource.title}" + (f": {url}" if url else ""))
    return "\n".join(lines).strip()


def _clip(text: str) -> str:
    return text if len(text) <= MAX_DESCRIPTION else text[: MAX_DESCRIPTION - 1] + "…"
