"""The calendar: milestones as all-day events, study sessions as timed events in the person's zone.

UIDs come from the pathway, the participant and the item's stable key (a session's task key
and its number within that task, a milestone's key), so a regenerated calendar updates the
events it had even when tasks were inserted elsewhere.

A regenerated calendar is compared with the file it replaces (`WriterOptions.previous_calendars`,
file name -> bytes), event by event (by UID):

- no previous calendar, or a UID not in it: SEQUENCE 0, no LAST-MODIFIED;
- the same content as before (every property but DTSTAMP, SEQUENCE and LAST-MODIFIED, with its
  VALARM): the previous SEQUENCE and LAST-MODIFIED (if it had one) are kept;
- changed content: previous SEQUENCE + 1 and LAST-MODIFIED = the build time. An item whose event
  was cancelled and that is in the plan again gets a new UID (from the old UID and the cancelled
  event's SEQUENCE, so it is the same on the next regeneration): Google never imports a UID whose
  event was removed, and a UID once cancelled is never given other content;
- in the previous calendar but no longer in the plan: written again with its previous content
  and STATUS:CANCELLED, SEQUENCE + 1 and LAST-MODIFIED = the build time. One that was already
  cancelled is written as it was (same SEQUENCE and LAST-MODIFIED) while its end (DTEND, else
  DTSTART) lies less than 180 days before the build time; after that it is left out. Until an
  event's time has passed its cancellation stays in the file, so a client that refreshes rarely
  still gets it.

A calendar made with `--new-calendar` (`WriterOptions.new_calendar`) is a new edition: it carries
nothing of the previous file, its UIDs also come from the edition (the build time, kept in
X-PATHWAY-EXPORTER-EDITION) and its name says from when it is, so it can be imported as a
separate calendar (Outlook desktop duplicates events on re-import; Google refuses UIDs deleted
by hand). Later calendars regenerated over it keep its edition, so they update it in place.

DTSTAMP is the build time for every event. Cancelled events follow the plan's events in the
order of the previous file, with the previous file's VTIMEZONE for any zone the plan no longer
uses. A previous calendar that does not parse (a value icalendar cannot read included), or whose
PRODID is not pathway-exporter's (of any version), counts as none. The same plan, previous calendar and context give the same bytes, and
a calendar regenerated from itself with nothing changed is byte for byte the same.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Component, Event, vDuration, vText

from exporter import __version__
from exporter.context import RunContext
from exporter.controls import CONTROL
from exporter.plan import Milestone, Plan, PlannedTask, Session
from exporter.theme import Theme
from exporter.view import PlanView
from exporter.writers import CalendarContent, WriterOptions
from exporter.writers.common import safe_url
from exporter.writers.icsfold import serialise
from exporter.writers.vtimezone import vtimezone

_PRODID_PREFIX = "-//pathway-exporter//pathway-exporter "
PRODID = f"{_PRODID_PREFIX}{__version__}//EN"
MAX_DESCRIPTION = 7000  # Google cuts descriptions near 8,000 characters
REFRESH = timedelta(hours=12)  # how often a subscribed client should fetch the calendar again
CANCELLED_KEPT = timedelta(days=180)  # an already-cancelled event stays until it ended this long ago
_STAMPS = ("UID", "DTSTAMP", "SEQUENCE", "LAST-MODIFIED", "STATUS")  # written by _stamped, in this order
_NOT_CONTENT = ("DTSTAMP", "SEQUENCE", "LAST-MODIFIED")
EDITION = "X-PATHWAY-EXPORTER-EDITION"
"""The calendar's edition: the UTC time `--new-calendar` made it (absent before the first one)."""
EDITION_FORMAT = "%Y%m%dT%H%M%SZ"
_EDITION_TEXT = re.compile(r"\d{8}T\d{6}Z")
_NAME = re.compile(r"[;:]")  # ends a content line's property name


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
    kinds = _split_kinds(options.calendar) if options.ics_split else (options.calendar,)
    names = file_names(options)
    previous = options.previous_calendars
    return {
        name: serialise(
            calendar_component(view, context, kind, options.reminder, previous.get(name), options.new_calendar)
        )
        for name, kind in zip(names, kinds, strict=True)
    }


def calendar_component(
    view: PlanView,
    context: RunContext,
    content: CalendarContent,
    reminder: int | None,
    previous: bytes | None = None,
    new_calendar: bool = False,
) -> Calendar:
    """The VCALENDAR of the plan with the events `content` asks for, before it is serialised.

    `previous` is the calendar file this one replaces (see the module's docstring), or None.
    `new_calendar` starts a new edition (see `edition`): nothing of `previous` is carried.
    """
    plan, labels = view.plan, view.labels
    stamp = context.build_time
    before = _Previous({}, {}, "") if new_calendar else _previous(previous)
    edition = _edition_of(stamp) if new_calendar else before.edition
    cal = Calendar()
    cal.add("PRODID", PRODID)
    cal.add("VERSION", "2.0")
    cal.add("CALSCALE", "GREGORIAN")
    cal.add("METHOD", "PUBLISH")
    language = _language(view)
    cal.add("X-WR-CALNAME", vText(_text(_calendar_name(view, content, edition))), parameters=language)
    cal.add("X-WR-TIMEZONE", vText(plan.timezone))
    description = labels(
        "calendar.description",
        from_role=plan.pathway.from_role,
        to_role=plan.pathway.to_role,
        start=view.short_date(plan.start),
        finish=view.short_date(plan.finish),
    )
    cal.add("X-WR-CALDESC", vText(_text(description)), parameters=language)
    cal.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    if edition:
        cal.add(EDITION, edition)
    milestones = content in (CalendarContent.ALL, CalendarContent.MILESTONES)
    sessions = content in (CalendarContent.ALL, CalendarContent.SESSIONS)
    events: list[Event] = []
    if milestones:
        events += [_milestone_event(view, milestone, edition) for milestone in plan.milestones]
    if sessions:
        events += [
            _session_event(view, number, session, reminder, edition) for number, session in enumerate(plan.sessions, 1)
        ]
    events = [_revived(event, before.events.get(str(event["UID"]))) for event in events]
    past = _past_cutoff(plan)
    written = [_updated(event, before.events.get(str(event["UID"])), stamp, past) for event in events]
    planned = {str(event["UID"]) for event in events}
    gone = [
        _cancelled(event, stamp)
        for uid_, event in before.events.items()
        if uid_ not in planned and _still_kept(event, stamp)
    ]
    zones = [vtimezone(plan.timezone, plan.sessions[0].start.year - 1, plan.sessions[-1].end.year + 1)]
    zones = zones if sessions and plan.sessions else []
    used = {str(zone["TZID"]) for zone in zones}
    for tzid in sorted({tzid for event in gone for tzid in _tzids(event)} - used):
        if tzid in before.zones:
            zones.append(before.zones[tzid])
    for component in (*zones, *written, *gone):
        cal.add_component(component)
    return cal


@dataclass(frozen=True)
class _Previous:
    events: dict[str, Event]
    """UID -> the event as the previous calendar had it (the first one of that UID)."""
    zones: dict[str, Component]
    edition: str
    """The previous calendar's edition (see `edition`), "" for the first."""


def _previous(data: bytes | None) -> _Previous:
    """The events and zones of the calendar this one replaces; none if it is absent, unreadable or not ours."""
    empty = _Previous({}, {}, "")
    if not data:
        return empty
    try:
        calendar = Calendar.from_ical(data)
        if calendar.name != "VCALENDAR" or not str(calendar.get("PRODID", "")).startswith(_PRODID_PREFIX):
            return empty
        if any(component.errors for component in calendar.walk()):
            return empty  # icalendar reads broken values leniently; a file with any is not one we wrote
        events: dict[str, Event] = {}
        for event in calendar.walk("VEVENT"):
            if "UID" in event:
                events.setdefault(str(event["UID"]), event)
        zones = {str(zone["TZID"]): zone for zone in calendar.walk("VTIMEZONE") if "TZID" in zone}
        for event in events.values():
            _content(event)  # every event we carry must serialise again
        for zone in zones.values():
            zone.to_ical()
    except Exception:  # any fault in a file we did not make here means "no previous calendar"
        return empty
    edition = str(calendar.get(EDITION, ""))
    return _Previous(events, zones, edition if _EDITION_TEXT.fullmatch(edition) else "")


def _revived(event: Event, before: Event | None) -> Event:
    """An item that comes back after its event was cancelled gets a new UID (from the old one and the
    cancelled event's SEQUENCE, so regenerating gives it again): Google never imports a UID whose event
    was removed, and a UID once cancelled is never given other content."""
    if before is None or not _is_cancelled(before):
        return event
    seed = f"{event['UID']}\x1f{_sequence(before)}"
    event["UID"] = f"{hashlib.sha256(seed.encode()).hexdigest()[:32]}@pathway-exporter"
    return event


def _past_cutoff(plan: Plan) -> datetime | None:
    """The start of a replan's as-of day in the plan's zone: events that ended before it are history."""
    if plan.replanning is None:
        return None
    return datetime.combine(plan.replanning.as_of, time(0), tzinfo=ZoneInfo(plan.timezone))


def _ended_before(event: Event, cutoff: datetime) -> bool:
    moment = getattr(event.get("DTEND") or event.get("DTSTART"), "dt", None)
    if isinstance(moment, datetime):
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)) <= cutoff
    return isinstance(moment, date) and moment <= cutoff.date()


def _updated(event: Event, before: Event | None, stamp: datetime, past: datetime | None = None) -> Event:
    """The plan's event with its SEQUENCE and LAST-MODIFIED from the previous calendar's one.

    After a replan, an event that ended before the as-of day is history: it is written exactly as
    the previous calendar had it (same content, SEQUENCE and LAST-MODIFIED), whatever its
    description would say now (a new planned finish, say)."""
    if before is None:
        return _stamped(event, stamp, 0)
    if past is not None and _ended_before(before, past):
        return _stamped(before, stamp, _sequence(before), before.get("LAST-MODIFIED"))
    if _content(before) == _content(event):
        return _stamped(event, stamp, _sequence(before), before.get("LAST-MODIFIED"))
    return _stamped(event, stamp, _sequence(before) + 1, stamp)


def _cancelled(before: Event, stamp: datetime) -> Event:
    """An event the plan no longer has: its previous content, cancelled."""
    if _is_cancelled(before):
        return _stamped(before, stamp, _sequence(before), before.get("LAST-MODIFIED"), cancelled=True)
    return _stamped(before, stamp, _sequence(before) + 1, stamp, cancelled=True)


def _stamped(body: Event, stamp: datetime, sequence: int, modified: object = None, *, cancelled: bool = False) -> Event:
    """The event in the order every event is written: UID, DTSTAMP, SEQUENCE, LAST-MODIFIED, the content."""
    event = Event()
    event["UID"] = body["UID"]
    event.add("DTSTAMP", stamp)
    event.add("SEQUENCE", sequence)
    if isinstance(modified, datetime):
        event.add("LAST-MODIFIED", modified.astimezone(UTC))
    elif modified is not None:
        event["LAST-MODIFIED"] = modified
    for name, value in body.items():
        if name not in _STAMPS:
            event[name] = value
    if cancelled:
        event.add("STATUS", "CANCELLED")
    elif "STATUS" in body:
        event["STATUS"] = body["STATUS"]
    for component in body.subcomponents:
        event.add_component(component)
    return event


def _content(event: Event) -> list[str]:
    """The event's content lines (unfolded), its VALARMs included, without DTSTAMP, SEQUENCE and LAST-MODIFIED."""
    return [line for line in event.content_lines() if _NAME.split(line, maxsplit=1)[0].upper() not in _NOT_CONTENT]


def _sequence(event: Event) -> int:
    try:
        return max(0, int(str(event.get("SEQUENCE", 0))))
    except ValueError:
        return 0


def _is_cancelled(event: Event) -> bool:
    return str(event.get("STATUS", "")).upper() == "CANCELLED"


def _still_kept(event: Event, stamp: datetime) -> bool:
    """False for an event cancelled before whose end lies more than CANCELLED_KEPT before the build time."""
    if not _is_cancelled(event):
        return True
    end = event.get("DTEND") or event.get("DTSTART")
    moment = getattr(end, "dt", None)
    if isinstance(moment, datetime):
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    elif isinstance(moment, date):
        moment = datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    else:
        return False
    return moment >= stamp - CANCELLED_KEPT


def _tzids(event: Event) -> set[str]:
    """The zones an event's times name (TZID parameters)."""
    found = set()
    for name in ("DTSTART", "DTEND"):
        value = event.get(name)
        if value is not None and "TZID" in getattr(value, "params", {}):
            found.add(str(value.params["TZID"]))
    return found


def _calendar_name(view: PlanView, content: CalendarContent, edition: str) -> str:
    plan, labels = view.plan, view.labels
    title = plan.pathway.title
    if plan.participant:
        title = labels("calendar.name-for", name=title, participant=plan.participant)
    name = labels(f"calendar.name-{content}", title=title)
    if not edition:
        return name
    made = datetime.strptime(edition, EDITION_FORMAT).replace(tzinfo=UTC).astimezone(ZoneInfo(plan.timezone))
    return labels("calendar.name-edition", name=name, date=labels.short_date(made.date()))


def _edition_of(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(EDITION_FORMAT)


def uid(plan: Plan, item: str, edition: str = "") -> str:
    """The event's UID: from the pathway, the participant's identity and the item's stable key, and
    the calendar's edition when it has one (so a new calendar shares no UID with earlier ones)."""
    seed = f"{plan.pathway.id}\x1f{plan.identity}\x1f{item}" + (f"\x1f{edition}" if edition else "")
    digest = hashlib.sha256(seed.encode()).hexdigest()
    return f"{digest[:32]}@pathway-exporter"


def _identified(plan: Plan, item: str, edition: str) -> Event:
    event = Event()
    event.add("UID", uid(plan, item, edition))
    return event


def _milestone_event(view: PlanView, milestone: Milestone, edition: str) -> Event:
    """The milestone's event without DTSTAMP and SEQUENCE (see `_stamped`)."""
    plan, labels = view.plan, view.labels
    title = view.milestone_title(milestone)
    event = _identified(plan, f"milestone/{milestone.key}", edition)
    event.add("SUMMARY", _text(title), parameters=_language(view))
    event.add("DTSTART", milestone.date)
    event.add("DTEND", milestone.date + timedelta(days=1))
    event.add("TRANSP", "TRANSPARENT")
    event.add("X-MICROSOFT-CDO-BUSYSTATUS", "FREE")
    categories = [labels("calendar.milestone-category"), _text(plan.pathway.to_role)]
    event.add("CATEGORIES", categories, parameters=_language(view))
    finish = view.short_date(plan.finish)
    description = labels("calendar.milestone-description", title=title, pathway=plan.pathway.title, finish=finish)
    event.add("DESCRIPTION", _clip(_text(description)), parameters=_language(view))
    return event


def _session_event(view: PlanView, number: int, session: Session, reminder: int | None, edition: str) -> Event:
    """The session's event without DTSTAMP and SEQUENCE (see `_stamped`)."""
    plan, labels = view.plan, view.labels
    tasks = [plan.task(key) for key in session.task_keys]
    event = _identified(plan, f"session/{session.key}", edition)
    titles = labels("calendar.session-joiner").join(
        labels("calendar.session-task", id=task.id, title=task.title) for task in tasks
    )
    event.add("SUMMARY", _text(labels("calendar.session-summary", titles=titles)), parameters=_language(view))
    event.add("DTSTART", _moment(session.start))
    event.add("DTEND", _moment(session.end))
    description = _session_description(view, number, session, tasks)
    event.add("DESCRIPTION", _clip(_text(description)), parameters=_language(view))
    phases = sorted({task.phase for task in tasks})
    categories = [labels("calendar.session-category"), *(labels("calendar.phase-category", number=n) for n in phases)]
    event.add("CATEGORIES", categories, parameters=_language(view))
    if reminder is not None:
        alarm = Alarm()
        alarm.add("ACTION", "DISPLAY")
        alarm.add("DESCRIPTION", _text(labels("calendar.reminder", title=tasks[0].title)), parameters=_language(view))
        alarm.add("TRIGGER", timedelta(minutes=-reminder))
        event.add_component(alarm)
    return event


def _session_description(view: PlanView, number: int, session: Session, tasks: list[PlannedTask]) -> str:
    plan, labels = view.plan, view.labels
    lines = [labels("calendar.session-heading", number=number, hours=session.hours), ""]
    for task in tasks:
        phase = plan.phase_source(task.phase)
        lines += [
            labels("calendar.task-line", id=task.id, title=task.title),
            labels("calendar.phase-line", number=phase.number, title=phase.title),
            labels(
                "calendar.planned-line",
                start=view.short_date(task.start),
                finish=view.short_date(task.finish),
                hours=task.hours,
            ),
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


def _language(view: PlanView) -> dict[str, str]:
    """The LANGUAGE parameter (RFC 5545 3.2.10) of a text property in the catalogue's language."""
    return {"LANGUAGE": view.labels.language}


def _moment(moment: datetime) -> datetime:
    """The local time with its zone, or UTC where the local time occurs twice (a fall-back night).

    A local time with TZID names the first of two occurrences; the second is only unambiguous in UTC.
    """
    if moment.replace(fold=0).utcoffset() != moment.replace(fold=1).utcoffset():
        return moment.astimezone(UTC)
    return moment


def _text(text: str) -> str:
    """Calendar text without control characters (line breaks and tabs stay)."""
    return CONTROL.sub(" ", text)


def _clip(text: str) -> str:
    return text if len(text) <= MAX_DESCRIPTION else text[: MAX_DESCRIPTION - 1] + "…"
