"""The calendar: milestones as all-day events, study sessions as timed events in the person's zone.

UIDs come from the pathway, the participant and the item's stable key (a session's task key
and its number within that task, a milestone's key), so a regenerated calendar updates the
events it had even when tasks were inserted elsewhere. SEQUENCE counts minutes of the build
time, so it rises with every regeneration yet is fixed by a fixed build time.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

from icalendar import Alarm, Calendar, Event, vText

from exporter import __version__
from exporter.context import RunContext
from exporter.plan import Milestone, Plan, PlannedTask, Session
from exporter.theme import Theme
from exporter.view import PlanView
from exporter.writers import CalendarContent, WriterOptions
from exporter.writers.common import safe_url
from exporter.writers.icsfold import serialise
from exporter.writers.vtimezone import vtimezone

PRODID = f"-//pathway-exporter//pathway-exporter {__version__}//EN"
MAX_DESCRIPTION = 7000  # Google cuts descriptions near 8,000 characters
_SEQUENCE_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # RFC 5545 TEXT holds none of them


def file_names(options: WriterOptions) -> tuple[str, ...]:
    """plan.ics, or one file per kind of event with --ics-split (only the kinds asked for)."""
    if options.ics_split:
        return tuple(f"{kind}.ics" for kind in _split_kinds(options.calendar))
    return ("plan.ics",)


def _split_kinds(calendar: CalendarContent) -> tuple[CalendarContent, ...]:
    if calendar is CalendarContent.ALL:
        return (CalendarContent.MILESTONES, CalendarContent.SESSIONS)
    return (calendar,)


def render(plan: Plan, context: RunContext, theme: Theme, options: WriterOptions) -> dict[str, bytes]:
    """The calendar file(s) of the plan; the theme plays no part in a calendar."""
    view = PlanView(plan, context.labels)
    if options.ics_split:
        return {
            f"{kind}.ics": _calendar(view, context, kind, options.reminder) for kind in _split_kinds(options.calendar)
        }
    return {"plan.ics": _calendar(view, context, options.calendar, options.reminder)}


def _calendar(view: PlanView, context: RunContext, content: CalendarContent, reminder: int | None) -> bytes:
    return serialise(calendar_component(view, context, content, reminder))


def calendar_component(view: PlanView, context: RunContext, content: CalendarContent, reminder: int | None) -> Calendar:
    """The VCALENDAR of the plan with the events `content` asks for, before it is serialised."""
    plan, labels = view.plan, view.labels
    stamp = context.build_time
    sequence = max(0, int((stamp - _SEQUENCE_EPOCH).total_seconds() // 60))
    cal = Calendar()
    cal.add("PRODID", PRODID)
    cal.add("VERSION", "2.0")
    cal.add("CALSCALE", "GREGORIAN")
    cal.add("METHOD", "PUBLISH")
    cal.add("X-WR-CALNAME", vText(_text(_calendar_name(view, content))))
    cal.add("X-WR-TIMEZONE", vText(plan.timezone))
    description = labels(
        "calendar.description",
        from_role=plan.pathway.from_role,
        to_role=plan.pathway.to_role,
        start=plan.start,
        finish=plan.finish,
    )
    cal.add("X-WR-CALDESC", vText(_text(description)))
    milestones = content in (CalendarContent.ALL, CalendarContent.MILESTONES)
    sessions = content in (CalendarContent.ALL, CalendarContent.SESSIONS)
    if sessions and plan.sessions:
        cal.add_component(vtimezone(plan.timezone, plan.sessions[0].start.year - 1, plan.sessions[-1].end.year + 1))
    if milestones:
        for milestone in plan.milestones:
            cal.add_component(_milestone_event(view, milestone, stamp, sequence))
    if sessions:
        for number, session in enumerate(plan.sessions, start=1):
            cal.add_component(_session_event(view, number, session, stamp, sequence, reminder))
    return cal


def _calendar_name(view: PlanView, content: CalendarContent) -> str:
    plan, labels = view.plan, view.labels
    title = plan.pathway.title
    if plan.participant:
        title = labels("calendar.name-for", name=title, participant=plan.participant)
    return labels(f"calendar.name-{content}", title=title)


def uid(plan: Plan, item: str) -> str:
    """The event's UID: from the pathway, the participant's identity and the item's stable key."""
    digest = hashlib.sha256(f"{plan.pathway.id}\x1f{plan.identity}\x1f{item}".encode()).hexdigest()
    return f"{digest[:32]}@pathway-exporter"


def _stamped(event: Event, plan: Plan, item: str, stamp: datetime, sequence: int) -> Event:
    event.add("UID", uid(plan, item))
    event.add("DTSTAMP", stamp)
    event.add("SEQUENCE", sequence)
    return event


def _milestone_event(view: PlanView, milestone: Milestone, stamp: datetime, sequence: int) -> Event:
    plan, labels = view.plan, view.labels
    title = view.milestone_title(milestone)
    event = _stamped(Event(), plan, f"milestone/{milestone.key}", stamp, sequence)
    event.add("SUMMARY", _text(title))
    event.add("DTSTART", milestone.date)
    event.add("DTEND", milestone.date + timedelta(days=1))
    event.add("TRANSP", "TRANSPARENT")
    event.add("X-MICROSOFT-CDO-BUSYSTATUS", "FREE")
    event.add("CATEGORIES", [labels("calendar.milestone-category"), _text(plan.pathway.to_role)])
    description = labels("calendar.milestone-description", title=title, pathway=plan.pathway.title, finish=plan.finish)
    event.add("DESCRIPTION", _clip(_text(description)))
    return event


def _session_event(
    view: PlanView, number: int, session: Session, stamp: datetime, sequence: int, reminder: int | None
) -> Event:
    plan, labels = view.plan, view.labels
    tasks = [plan.task(key) for key in session.task_keys]
    event = _stamped(Event(), plan, f"session/{session.key}", stamp, sequence)
    titles = labels("calendar.session-joiner").join(
        labels("calendar.session-task", id=task.id, title=task.title) for task in tasks
    )
    event.add("SUMMARY", _text(labels("calendar.session-summary", titles=titles)))
    event.add("DTSTART", _moment(session.start))
    event.add("DTEND", _moment(session.end))
    event.add("DESCRIPTION", _clip(_text(_session_description(view, number, session, tasks))))
    phases = sorted({task.phase for task in tasks})
    categories = [labels("calendar.session-category"), *(labels("calendar.phase-category", number=n) for n in phases)]
    event.add("CATEGORIES", categories)
    if reminder is not None:
        alarm = Alarm()
        alarm.add("ACTION", "DISPLAY")
        alarm.add("DESCRIPTION", _text(labels("calendar.reminder", title=tasks[0].title)))
        alarm.add("TRIGGER", timedelta(minutes=-reminder))
        event.add_component(alarm)
    return event


def _session_description(view: PlanView, number: int, session: Session, tasks: list[PlannedTask]) -> str:
    plan, labels = view.plan, view.labels
    lines = [labels("calendar.session-heading", number=number, total=len(plan.sessions), hours=session.hours), ""]
    for task in tasks:
        phase = plan.phase_source(task.phase)
        lines += [
            labels("calendar.task-line", id=task.id, title=task.title),
            labels("calendar.phase-line", number=phase.number, title=phase.title),
            labels("calendar.planned-line", start=task.start, finish=task.finish, hours=task.hours),
            "",
        ]
    resources = [r for phase in dict.fromkeys(task.phase for task in tasks) for r in plan.resources_of(phase)]
    if resources:
        lines.append(labels("calendar.resources"))
        for resource in dict.fromkeys(resources):
            url = safe_url(resource.url)
            if url:
                lines.append(labels("calendar.resource-link", title=resource.title, url=url))
            else:
                lines.append(labels("calendar.resource", title=resource.title))
    return "\n".join(lines).strip()


def _moment(moment: datetime) -> datetime:
    """The local time with its zone, or UTC where the local time occurs twice (a fall-back night).

    A local time with TZID names the first of two occurrences; the second is only unambiguous in UTC.
    """
    if moment.replace(fold=0).utcoffset() != moment.replace(fold=1).utcoffset():
        return moment.astimezone(UTC)
    return moment


def _text(text: str) -> str:
    """Calendar text without control characters (line breaks and tabs stay)."""
    return _CONTROL.sub(" ", text)


def _clip(text: str) -> str:
    return text if len(text) <= MAX_DESCRIPTION else text[: MAX_DESCRIPTION - 1] + "…"
