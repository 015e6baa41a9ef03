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
uses. A previous calendar that does not read as content lines (`icslines.parse`), has an event
whose dates do not read, or whose PRODID is not pathway-exporter's (of any version), counts as
none. The same plan, previous calendar and context give the same bytes, and a calendar
regenerated from itself with nothing changed is byte for byte the same.

The calendar is written as content lines (`icslines`), not through icalendar's component model,
which took most of an export's time; the bytes are the ones icalendar writes (tests/test_icsfold.py).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from exporter import __version__
from exporter.context import RunContext
from exporter.controls import CONTROL
from exporter.kept import Kept
from exporter.labels import Labels
from exporter.model import Resource
from exporter.plan import Plan, PlannedTask, Session
from exporter.steady import steady_days
from exporter.theme import Theme
from exporter.view import PlanView
from exporter.writers import CalendarContent, WriterOptions
from exporter.writers.common import safe_url
from exporter.writers.icsfold import LIMIT, fold, fold_joined
from exporter.writers.icslines import (
    Component,
    ContentLine,
    content_line,
    date_time,
    date_value,
    duration,
    moment_of,
    parse,
    serialise,
    text,
    wall_time,
)
from exporter.writers.vtimezone import vtimezone

_PRODID_PREFIX = "-//pathway-exporter//pathway-exporter "
PRODID = f"{_PRODID_PREFIX}{__version__}//EN"
MAX_DESCRIPTION = 7000  # Google cuts descriptions near 8,000 characters
REFRESH = timedelta(hours=12)  # how often a subscribed client should fetch the calendar again
CANCELLED_KEPT = timedelta(days=180)  # an already-cancelled event stays until it ended this long ago
_STAMPS = ("UID", "DTSTAMP", "SEQUENCE", "LAST-MODIFIED", "STATUS")  # written by _stamped
_NOT_CONTENT = ("DTSTAMP", "SEQUENCE", "LAST-MODIFIED")
EDITION = "X-PATHWAY-EXPORTER-EDITION"
"""The calendar's edition: the UTC time `--new-calendar` made it (absent before the first one)."""
EDITION_FORMAT = "%Y%m%dT%H%M%SZ"
_EDITION_TEXT = re.compile(r"\d{8}T\d{6}Z")


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
        name: calendar_file(view, context, kind, options.reminder, previous.get(name), options.new_calendar)
        for name, kind in zip(names, kinds, strict=True)
    }


def calendar_file(
    view: PlanView,
    context: RunContext,
    content: CalendarContent,
    reminder: int | None,
    previous: bytes | None = None,
    new_calendar: bool = False,
) -> bytes:
    """The bytes of the plan's VCALENDAR with the events `content` asks for.

    `previous` is the calendar file this one replaces (see the module's docstring), or None.
    `new_calendar` starts a new edition (see `edition`): nothing of `previous` is carried.
    Without a previous event the calendar is written straight as text (`_fresh`), and so is one whose
    previous text differs only in its DTSTAMP lines (a batch or export run again on the same settings);
    otherwise that text is read back as content lines and each event stamped against the previous one
    (`_merged`).
    """
    if new_calendar:
        return _fresh(view, context, content, reminder, _edition_of(context.build_time))
    guessed = _edition_in(previous) if previous else ""
    fresh = _fresh(view, context, content, reminder, guessed)
    if not previous or _same_but_stamps(fresh, previous, _stamp_line(context.build_time).encode()):
        return fresh  # nothing to replace, or the same events (SEQUENCE 0): stamping them changes nothing
    before = _previous(previous)
    if before.edition != guessed:
        fresh = _fresh(view, context, content, reminder, before.edition)
    if not before.events:
        return fresh
    calendar = parse(fresh)
    if calendar is None:
        raise AssertionError("the calendar writer wrote a calendar that does not read back")
    return serialise(_merged(calendar, before, view.plan, context.build_time))


_EDITION_LINE = re.compile(rb"\n" + EDITION.encode() + rb":(\d{8}T\d{6}Z)\r(?:\n|\Z)")
_STAMP_VALUE = re.compile(rb"\r\nDTSTAMP:([^\r\n]*)\r\n")


def _edition_in(calendar: bytes) -> str:
    """The value of the first edition line after a line break in a calendar's text ("" without one): a guess
    that `_previous` confirms. A search for a literal line start, not a regular expression tried at every
    position: this runs over every previous calendar."""
    found = _EDITION_LINE.search(calendar)
    return found.group(1).decode() if found else ""


def _same_but_stamps(fresh: bytes, previous: bytes, stamp: bytes) -> bool:
    """Whether `previous` is `fresh`, whose every DTSTAMP line is `stamp`, but for the value of its DTSTAMP
    lines: then both are the same text without their DTSTAMP lines. The previous calendar's first DTSTAMP value put in
    each DTSTAMP line that holds it (whole lines between CRLFs, values without line breaks, so no other line
    changes) must give `fresh`; False for a previous calendar with other DTSTAMP values too, which only
    sends it the slower way. Two byte searches and a compare, not two regular expressions over both texts."""
    if previous == fresh:
        return True
    found = _STAMP_VALUE.search(previous)
    if found is None:
        return False
    return previous.replace(found.group(), b"\r\n" + stamp + b"\r\n") == fresh


def _fresh(view: PlanView, context: RunContext, content: CalendarContent, reminder: int | None, edition: str) -> bytes:
    """The calendar as written when it replaces no event: every event new (SEQUENCE 0, no LAST-MODIFIED),
    folded text made from parts that each calendar makes once (`_SessionEvents`)."""
    plan = view.plan
    stamp = _stamp_line(context.build_time)
    blocks = ["BEGIN:VCALENDAR", *(fold(line.text) for line in _header(view, content, edition).properties)]
    milestones = content in (CalendarContent.ALL, CalendarContent.MILESTONES)
    sessions = content in (CalendarContent.ALL, CalendarContent.SESSIONS)
    if sessions and plan.sessions:
        blocks.append(_zone_text(plan.timezone, plan.sessions[0].start.year - 1, plan.sessions[-1].end.year + 1))
    if milestones:
        blocks += _milestone_events(view, edition, stamp)
    if sessions:
        events = _SessionEvents(view, reminder, edition, stamp)
        blocks += [events.event(number, session) for number, session in enumerate(plan.sessions, 1)]
    blocks.append("END:VCALENDAR\r\n")
    return "\r\n".join(blocks).encode("utf-8")


def _merged(fresh: Component, before: _Previous, plan: Plan, stamp: datetime) -> Component:
    """The fresh calendar with each event stamped against the previous calendar's event of its UID (revived,
    unchanged or changed) and the previous events the plan no longer has cancelled (see the module's docstring)."""
    zones = [part for part in fresh.components if part.name == "VTIMEZONE"]
    events = [_revived(part, before.events.get(_uid_of(part))) for part in fresh.components if part.name == "VEVENT"]
    keyed = [(_uid_of(event), event) for event in events]
    past = _past_cutoff(plan)
    written = [_updated(event, before.events.get(uid_), stamp, past) for uid_, event in keyed]
    planned = {uid_ for uid_, _ in keyed}
    gone = [
        _cancelled(event, stamp)
        for uid_, event in before.events.items()
        if uid_ not in planned and _still_kept(event, stamp)
    ]
    used = {zone.value("TZID") for zone in zones}
    for tzid in sorted({tzid for event in gone for tzid in _tzids(event)} - used):
        if tzid in before.zones:
            zones.append(before.zones[tzid])
    return Component("VCALENDAR", fresh.properties, (*zones, *written, *gone))


def _header(view: PlanView, content: CalendarContent, edition: str) -> Component:
    """The calendar's own properties: who made it, its name and description, its zone, how often to refresh."""
    plan, labels = view.plan, view.labels
    language = _language(view.labels)
    description = labels(
        "calendar.description",
        from_role=plan.pathway.from_role,
        to_role=plan.pathway.to_role,
        start=view.short_date(plan.start),
        finish=view.short_date(plan.finish),
    )
    lines = [
        content_line("PRODID", text(PRODID)),
        content_line("VERSION", "2.0"),
        content_line("CALSCALE", "GREGORIAN"),
        content_line("METHOD", "PUBLISH"),
        content_line("X-WR-CALNAME", text(_text(_calendar_name(view, content, edition))), language),
        content_line("X-WR-TIMEZONE", text(plan.timezone)),
        content_line("X-WR-CALDESC", text(_text(description)), language),
        content_line("REFRESH-INTERVAL", duration(REFRESH), {"VALUE": "DURATION"}),
        content_line("X-PUBLISHED-TTL", duration(REFRESH)),
    ]
    if edition:
        lines.append(content_line(EDITION, text(edition)))
    return Component("VCALENDAR", tuple(lines)).canonical()


@lru_cache(maxsize=16)
def _zone_text(zone_name: str, first_year: int, last_year: int) -> str:
    """The zone's VTIMEZONE (see `vtimezone`) for those years as folded lines; made once per process."""
    return "\r\n".join(fold(line) for line in vtimezone(zone_name, first_year, last_year).lines())


@dataclass(frozen=True)
class _Previous:
    events: dict[str, Component]
    """UID -> the event as the previous calendar had it (the first one of that UID)."""
    zones: dict[str, Component]
    edition: str
    """The previous calendar's edition (see `edition`), "" for the first."""


def _previous(data: bytes | None) -> _Previous:
    """The events and zones of the calendar this one replaces; none if it is absent, unreadable or not ours."""
    empty = _Previous({}, {}, "")
    calendar = parse(data) if data else None
    if calendar is None or calendar.name != "VCALENDAR":
        return empty
    try:
        if not calendar.value("PRODID").startswith(_PRODID_PREFIX):
            return empty
        events: dict[str, Component] = {}
        zones: dict[str, Component] = {}
        for component in calendar.components:
            if component.name == "VEVENT" and component.value("UID"):
                _end(component)  # every event we carry must have dates we can read
                events.setdefault(component.value("UID"), component)
            elif component.name == "VTIMEZONE" and component.value("TZID"):
                zones[component.value("TZID")] = component
        edition = calendar.value(EDITION)
    except ValueError:  # a line we did not write: the file is not a calendar we made
        return empty
    return _Previous(events, zones, edition if _EDITION_TEXT.fullmatch(edition) else "")


def _uid_of(event: Component) -> str:
    return event.value("UID")


def _revived(event: Component, before: Component | None) -> Component:
    """An item that comes back after its event was cancelled gets a new UID (from the old one and the
    cancelled event's SEQUENCE, so regenerating gives it again): Google never imports a UID whose event
    was removed, and a UID once cancelled is never given other content."""
    if before is None or not _is_cancelled(before):
        return event
    seed = f"{_uid_of(event)}\x1f{_sequence(before)}"
    revived = f"{hashlib.sha256(seed.encode()).hexdigest()[:32]}@pathway-exporter"
    return event.without("UID").with_lines(content_line("UID", text(revived)))


def _past_cutoff(plan: Plan) -> datetime | None:
    """The start of a replan's as-of day in the plan's zone: events that ended before it are history."""
    if plan.replanning is None:
        return None
    return datetime.combine(plan.replanning.as_of, time(0), tzinfo=ZoneInfo(plan.timezone))


def _end(event: Component) -> date | datetime | None:
    """When the event ends (DTEND, else DTSTART), or None if it has neither; ValueError if unreadable."""
    found = event.get("DTEND") or event.get("DTSTART")
    return None if found is None else moment_of(found)


def _ended_before(event: Component, cutoff: datetime) -> bool:
    moment = _end(event)
    if isinstance(moment, datetime):
        return moment <= cutoff
    return isinstance(moment, date) and moment <= cutoff.date()


def _updated(event: Component, before: Component | None, stamp: datetime, past: datetime | None = None) -> Component:
    """The plan's event with its SEQUENCE and LAST-MODIFIED from the previous calendar's one.

    After a replan, an event that ended before the as-of day is history: it is written exactly as
    the previous calendar had it (same content, SEQUENCE and LAST-MODIFIED), whatever its
    description would say now (a new planned finish, say)."""
    if before is None:
        return _stamped(event, stamp, 0)
    if past is not None and _ended_before(before, past):
        return _stamped(before, stamp, _sequence(before), before.line("LAST-MODIFIED"))
    if _content(before) == _content(event):
        return _stamped(event, stamp, _sequence(before), before.line("LAST-MODIFIED"))
    return _stamped(event, stamp, _sequence(before) + 1, stamp)


def _cancelled(before: Component, stamp: datetime) -> Component:
    """An event the plan no longer has: its previous content, cancelled."""
    if _is_cancelled(before):
        return _stamped(before, stamp, _sequence(before), before.line("LAST-MODIFIED"), cancelled=True)
    return _stamped(before, stamp, _sequence(before) + 1, stamp, cancelled=True)


def _stamped(
    body: Component,
    stamp: datetime,
    sequence: int,
    modified: datetime | ContentLine | None = None,
    *,
    cancelled: bool = False,
) -> Component:
    """The event with this DTSTAMP, SEQUENCE and LAST-MODIFIED (a time, or the previous event's line kept as
    it was), cancelled if asked, in the order every event is written (see `Component.canonical`)."""
    stamps = [
        body.line("UID") or content_line("UID", ""),
        content_line("DTSTAMP", _utc(stamp)),
        content_line("SEQUENCE", str(sequence)),
    ]
    if isinstance(modified, datetime):
        stamps.append(content_line("LAST-MODIFIED", _utc(modified)))
    elif modified is not None:
        stamps.append(modified)
    status = content_line("STATUS", "CANCELLED") if cancelled else body.line("STATUS")
    if status is not None:
        stamps.append(status)
    kept = tuple(line for line in body.properties if line.name not in _STAMPS)
    return Component(body.name, kept + tuple(stamps), body.components).canonical()


def _utc(moment: datetime) -> str:
    return date_time(moment.astimezone(UTC))[0]


def _content(event: Component) -> list[str]:
    """The event's content lines (unfolded), its VALARMs included, without DTSTAMP, SEQUENCE and LAST-MODIFIED."""
    canonical = event.canonical()
    kept = Component(canonical.name, tuple(line for line in canonical.properties if line.name not in _NOT_CONTENT))
    return [*kept.lines(), *(line for part in canonical.components for line in part.lines())]


def _sequence(event: Component) -> int:
    try:
        return max(0, int(event.value("SEQUENCE", "0")))
    except ValueError:
        return 0


def _is_cancelled(event: Component) -> bool:
    return event.value("STATUS").upper() == "CANCELLED"


def _still_kept(event: Component, stamp: datetime) -> bool:
    """False for an event cancelled before whose end lies more than CANCELLED_KEPT before the build time."""
    if not _is_cancelled(event):
        return True
    moment = _end(event)
    if isinstance(moment, datetime):
        return moment >= stamp - CANCELLED_KEPT
    if isinstance(moment, date):
        return datetime(moment.year, moment.month, moment.day, tzinfo=UTC) >= stamp - CANCELLED_KEPT
    return False


def _tzids(event: Component) -> set[str]:
    """The zones an event's times name (TZID parameters)."""
    found = set()
    for name in ("DTSTART", "DTEND"):
        value = event.get(name)
        if value is not None and "TZID" in value.parameters:
            found.add(value.parameters["TZID"])
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


class _Uids:
    """`uid(plan, item, edition)` for many items of one calendar: the hash of the part of the seed before the
    item is taken once, and copied for each item."""

    def __init__(self, plan: Plan, edition: str):
        self._before = hashlib.sha256(f"{plan.pathway.id}\x1f{plan.identity}\x1f".encode())
        self._after = f"\x1f{edition}".encode() if edition else b""

    def __call__(self, item: str) -> str:
        """The UID of `item` (see `uid`)."""
        digest = self._before.copy()
        digest.update(item.encode())
        digest.update(self._after)
        return f"{digest.hexdigest()[:32]}@pathway-exporter"


def _stamp_line(stamp: datetime) -> str:
    """The DTSTAMP line every event of the calendar has."""
    return f"DTSTAMP:{_utc(stamp)}"


def _line(name: str, value: str, parameters: dict[str, str] | None = None) -> str:
    """A content line, folded."""
    return fold(content_line(name, value, parameters).text)


def _milestone_events(view: PlanView, edition: str, stamp: str) -> list[str]:
    """Each milestone's event, new (SEQUENCE 0), as folded text: the properties in `Component.canonical`'s
    order for a VEVENT. Lines no fold can break are written as they are: the dates (DTSTART and DTEND with
    VALUE=DATE) and the UID (hex digits and a domain, as `_Uids` gives it)."""
    plan, labels = view.plan, view.labels
    language = _language(view.labels)
    finish = view.short_date(plan.finish)
    categories = (labels("calendar.milestone-category"), _text(plan.pathway.to_role))
    tail = "\r\n".join(
        (
            "SEQUENCE:0",
            _line("CATEGORIES", ",".join(map(text, categories)), language),
        )
    )
    summary, description = (content_line(name, "", language).text for name in ("SUMMARY", "DESCRIPTION"))
    uids = _Uids(plan, edition)
    events = []
    for milestone in plan.milestones:
        title = view.milestone_title(milestone)
        about = labels("calendar.milestone-description", title=title, pathway=plan.pathway.title, finish=finish)
        day = milestone.date
        events.append(
            f"BEGIN:VEVENT\r\n{_summary_line(summary, title)}\r\n"
            f"{_DTSTART_DATE}{date_value(day)}\r\n{_DTEND_DATE}{date_value(day + _ONE_DAY)}\r\n"
            f"{stamp}\r\nUID:{uids(f'milestone/{milestone.key}')}\r\n{tail}\r\n"
            f"{fold(description + text(_clip(_text(about))))}\r\n"
            "TRANSP:TRANSPARENT\r\nX-MICROSOFT-CDO-BUSYSTATUS:FREE\r\nEND:VEVENT"
        )
    return events


_SUMMARIES: Kept[str] = Kept(512)


def _summary_line(prefix: str, title: str) -> str:
    """A milestone's SUMMARY line (`prefix`: its name and parameters) for its title, folded. A milestone's title
    comes from the pathway and the labels alone, so every plan of a pathway has the same ones: each process
    makes each line once."""
    key = (prefix, title)
    return _SUMMARIES.get(key) or _SUMMARIES.keep(key, fold(prefix + text(_text(title))))


_DATE = {"VALUE": "DATE"}
_DTSTART_DATE, _DTEND_DATE = (content_line(name, "", _DATE).text for name in ("DTSTART", "DTEND"))
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class _SharedParts:
    """What sessions of the same tasks share in every plan of a pathway, as folded lines (see `_shared_parts`)."""

    summary: str
    categories: str
    closing: str
    """The VALARM (with a reminder) and the event's END line."""

    @classmethod
    def of(cls, labels: Labels, reminder: int | None, tasks: list[PlannedTask]) -> _SharedParts:
        """The parts of a session of these tasks, with this reminder (minutes before; None: no alarm)."""
        language = _language(labels)
        titles = labels("calendar.session-joiner").join(
            labels("calendar.session-task", id=task.id, title=task.title) for task in tasks
        )
        phases = sorted({task.phase for task in tasks})
        categories = [
            labels("calendar.session-category"),
            *(labels("calendar.phase-category", number=n) for n in phases),
        ]
        closing = ["END:VEVENT"]
        if reminder is not None:
            alarm = text(_text(labels("calendar.reminder", title=tasks[0].title)))
            closing[:0] = (
                "BEGIN:VALARM",
                "ACTION:DISPLAY",
                _line("DESCRIPTION", alarm, language),
                _line("TRIGGER", duration(timedelta(minutes=-reminder))),
                "END:VALARM",
            )
        return cls(
            summary=_line("SUMMARY", text(_text(labels("calendar.session-summary", titles=titles))), language),
            categories=_line("CATEGORIES", ",".join(map(text, categories)), language),
            closing="\r\n".join(closing),
        )


@dataclass(frozen=True)
class _SessionParts:
    """What a calendar's sessions of the same tasks share (see `_SessionEvents`)."""

    shared: _SharedParts
    tail: _DescriptionTail
    """The description after its heading (see `_Descriptions.body`)."""


@dataclass(frozen=True)
class _DescriptionTail:
    """What follows a session's heading in its description: as made (`body`), and as its DESCRIPTION line ends
    with it: trailing white space stripped (`length` characters), without control characters and escaped
    (`escaped`, "" when only white space is left); `folded` keeps the fold of that text from each place the
    line's first part may end (see `fold_joined`)."""

    body: str
    length: int
    escaped: str
    folded: dict[int, str]

    @classmethod
    def of(cls, body: str) -> _DescriptionTail:
        """The tail of a description whose heading is followed by `body`."""
        stripped = body.rstrip()
        return cls(body, len(stripped), text(_text(stripped)), {})


@dataclass(frozen=True)
class _Heading:
    """A session description's heading (`calendar.session-heading`): its text, that text escaped as the
    DESCRIPTION line holds it, and whether the rest of the description may follow it escaped on its own."""

    text: str
    escaped: str
    joins: bool

    @classmethod
    def of(cls, heading: str) -> _Heading:
        """The heading `heading`: it joins the rest when it starts with no white space and ends with no backslash."""
        joins = heading[:1] != "" and not heading[0].isspace() and not heading.endswith("\\")
        return cls(heading, text(_text(heading)), joins)


_HEADINGS: Kept[_Heading] = Kept(4096)


def _heading(labels: Labels, number: int, hours: float) -> _Heading:
    """The heading of the `number`th session, of `hours` hours; the same template, locale, number and hours
    give the same heading, so each process makes each heading once (a room's plans number their sessions
    alike)."""
    key = (labels.entries["calendar.session-heading"], labels.locale, number, type(hours), hours)
    found = _HEADINGS.get(key)
    if found is None:
        found = _HEADINGS.keep(key, _Heading.of(labels("calendar.session-heading", number=number, hours=hours)))
    return found


class _SessionEvents:
    """A calendar's study-session events, new (SEQUENCE 0), as folded text. What a session's tasks give
    (summary, categories, most of the description, the reminder) is made once per calendar and set of
    tasks; a session adds its times, UID and the heading of its description. The properties are in
    `Component.canonical`'s order for a VEVENT and a VALARM."""

    def __init__(self, view: PlanView, reminder: int | None, edition: str, stamp: str):
        self.view = view
        self.reminder = reminder
        self.edition = edition
        self.stamp = stamp
        self.language = _language(view.labels)
        self._description = content_line("DESCRIPTION", "", self.language).text
        self._descriptions = _Descriptions(view)
        self._parts: dict[tuple[str, ...], _SessionParts] = {}
        self._times: dict[tuple[str, tzinfo | None], tuple[str, str, bool]] = {}
        self._walls = _WallTimes.of(view.plan)
        self._clocks: dict[time, str] = {}
        self._uids = _Uids(view.plan, edition)

    def event(self, number: int, session: Session) -> str:
        """The event of the plan's `number`th session (from 1)."""
        parts = self._parts.get(session.task_keys) or self._parts_of(session.task_keys)
        shared = parts.shared
        times = self._time_lines(session.start, session.end)
        uid_ = self._uids(f"session/{session.key}")  # hex digits and a domain: nothing to escape or fold
        description = _description_line(
            self._description, _heading(self.view.labels, number, session.hours), parts.tail
        )
        return (
            f"BEGIN:VEVENT\r\n{shared.summary}\r\n{times}\r\n{self.stamp}\r\nUID:{uid_}\r\n"
            f"SEQUENCE:0\r\n{shared.categories}\r\n{description}\r\n{shared.closing}"
        )

    def _time_lines(self, start: datetime, end: datetime) -> str:
        """A session's DTSTART and DTEND lines, folded (see `_time_line`). Times in the plan's zone on steady days
        (see `_WallTimes`) are written as their wall times straight away: `_moment` keeps them, and the line is
        short ASCII, which the fold leaves as it is."""
        walls = self._walls
        if walls is not None and start.tzinfo is walls.zone and end.tzinfo is walls.zone:
            first, last = walls.days.get(start.date()), walls.days.get(end.date())
            if first is not None and last is not None:
                clocks = self._clocks
                begin = clocks.get(start.time()) or self._clock(start)
                finish = clocks.get(end.time()) or self._clock(end)
                return f"{walls.start}{first}T{begin}{walls.suffix}\r\n{walls.end}{last}T{finish}{walls.suffix}"
        return f"{self._time_line('DTSTART', start)}\r\n{self._time_line('DTEND', end)}"

    def _clock(self, moment: datetime) -> str:
        """The time of day of a DATE-TIME value (`wall_time`'s part after the T), kept for the calendar."""
        written = self._clocks[moment.time()] = wall_time(moment)[9:]
        return written

    def _time_line(self, name: str, moment: datetime) -> str:
        """A DTSTART or DTEND line, folded (see `_moment`): `date_time`'s value and parameters, its zone's
        part of the line made once per calendar for each zone."""
        moment = _moment(moment)
        key = (name, moment.tzinfo)
        found = self._times.get(key)
        if found is None:
            value, parameters = date_time(moment)
            prefix = content_line(name, "", parameters).text
            found = self._times[key] = (prefix, "Z" if value.endswith("Z") else "", prefix.isascii())
        prefix, suffix, ascii_ = found
        line = prefix + wall_time(moment) + suffix  # the wall time is ASCII: a short ASCII line has no fold
        return line if ascii_ and len(line) < LIMIT else fold(line)

    def _parts_of(self, task_keys: tuple[str, ...]) -> _SessionParts:
        tasks = [self.view.plan.task(key) for key in task_keys]
        shared = _shared_parts(self.view.labels, self.reminder, tasks)
        parts = _SessionParts(shared, _DescriptionTail.of(self._descriptions.body(tasks)))
        self._parts[task_keys] = parts
        return parts


_DAY_VALUES: Kept[dict[date, str]] = Kept(64)


@dataclass(frozen=True)
class _WallTimes:
    """What a calendar's session times in the plan's zone share on steady days (`exporter.steady`: every wall
    time there reads once, so `_moment` keeps it): the zone, those days' DATE values (`date_value`) by day, and
    the DTSTART and DTEND lines' parts before and after the wall time (`date_time`'s parameters and Z)."""

    zone: tzinfo
    days: dict[date, str]
    start: str
    end: str
    suffix: str

    @classmethod
    def of(cls, plan: Plan) -> _WallTimes | None:
        """The parts for the plan's sessions, or None where they cannot be used: no session, a zone neither of
        the zone database nor fixed, or a line the fold would break (a zone's name too long)."""
        if not plan.sessions:
            return None
        sample = plan.sessions[0].start
        zone = sample.tzinfo
        if not isinstance(zone, ZoneInfo | timezone):
            return None
        value, parameters = date_time(sample)
        start, end = (content_line(name, "", parameters).text for name in ("DTSTART", "DTEND"))
        suffix = "Z" if value.endswith("Z") else ""
        if not start.isascii() or len(start) + len(wall_time(sample)) + len(suffix) >= LIMIT:
            return None
        days: dict[date, str] = {}
        for year in range(sample.year, plan.sessions[-1].end.year + 1):
            days.update(_steady_day_values(zone, year))
        return cls(zone, days, start, end, suffix)


def _steady_day_values(zone: tzinfo, year: int) -> dict[date, str]:
    """The zone's steady days of the year (`steady_days`), each with its DATE value; made once per process for
    each zone and year."""
    key = (zone, year)
    found = _DAY_VALUES.get(key)
    if found is None:
        found = _DAY_VALUES.keep(key, {day: date_value(day) for day in steady_days(zone, year)})
    return found


_SHARED_LABELS = (
    "calendar.session-joiner",
    "calendar.session-task",
    "calendar.session-category",
    "calendar.phase-category",
    "calendar.reminder",
    "calendar.session-summary",
)
"""The labels a session's shared parts are made from (see `_shared_parts`)."""
_SHARED: Kept[_SharedParts] = Kept(1024)


def _shared_parts(labels: Labels, reminder: int | None, tasks: list[PlannedTask]) -> _SharedParts:
    """The summary, categories and closing of a session of these tasks. They are made from the tasks' numbers,
    titles and phases, the reminder and the labels (their templates, language and locale) alone, so every plan
    of a pathway has the same ones: each process makes them once for all those inputs."""
    key = (
        labels.language,
        labels.locale,
        tuple(labels.entries[name] for name in _SHARED_LABELS),
        reminder,
        tuple((task.id, task.title, task.phase) for task in tasks),
    )
    return _SHARED.get(key) or _SHARED.keep(key, _SharedParts.of(labels, reminder, tasks))


def _description_line(prefix: str, heading: _Heading, tail: _DescriptionTail) -> str:
    """A session's DESCRIPTION line (`prefix` is its name and parameters), folded: the text of
    `(heading + body).strip()`, clipped, without control characters and escaped. When the heading starts with
    no white space and ends with no backslash (so no escape spans the two), the body holds more than white
    space and the whole fits MAX_DESCRIPTION, that is the heading's text followed by the body's, each made once."""
    if tail.escaped and heading.joins and len(heading.text) + tail.length <= MAX_DESCRIPTION:
        return fold_joined(prefix + heading.escaped, tail.escaped, tail.folded)
    return fold(prefix + text(_clip(_text((heading.text + tail.body).strip()))))


class _Descriptions:
    """What repeats from one session's description to the next, made once per calendar: a task's lines
    (a task spans several sessions) and the resources of the phases a session works on."""

    def __init__(self, view: PlanView):
        self.view = view
        self._tasks: dict[str, tuple[str, ...]] = {}
        self._resources: dict[tuple[int, ...], tuple[str, ...]] = {}
        self._phase_titles = {phase.number: phase.title for phase in view.plan.pathway.phases}

    def body(self, tasks: list[PlannedTask]) -> str:
        """What follows a session's heading (its number and hours) in its description: each task with its
        phase and dates, the phases' resources. The description is `(heading + body).strip()`."""
        lines = [""]
        for task in tasks:
            lines += self._task_lines(task)
        lines += self._resource_lines(tuple(dict.fromkeys(task.phase for task in tasks)))
        return "\n" + "\n".join(lines)

    def _task_lines(self, task: PlannedTask) -> tuple[str, ...]:
        if task.key not in self._tasks:
            view, labels = self.view, self.view.labels
            self._tasks[task.key] = (
                *_task_heading(labels, task, self._phase_titles[task.phase]),
                labels(
                    "calendar.planned-line",
                    start=view.short_date(task.start),
                    finish=view.short_date(task.finish),
                    hours=task.hours,
                ),
                "",
            )
        return self._tasks[task.key]

    def _resource_lines(self, phases: tuple[int, ...]) -> tuple[str, ...]:
        if phases not in self._resources:
            self._resources[phases] = _resource_lines(self.view, phases)
        return self._resources[phases]


_TASK_LABELS = ("calendar.task-line", "calendar.phase-line")
"""The labels of a task's first two lines in a session's description (see `_task_heading`)."""
_TASK_HEADINGS: Kept[tuple[str, str]] = Kept(1024)


def _task_heading(labels: Labels, task: PlannedTask, phase_title: str) -> tuple[str, str]:
    """A task's first two lines in a session's description: the task and its phase. They are made from the task's
    number and title, its phase's number and title and the labels (templates, locale) alone, the same in every
    plan of a pathway: each process makes them once for all those inputs."""
    key = (
        labels.locale,
        tuple(labels.entries[name] for name in _TASK_LABELS),
        task.id,
        task.title,
        task.phase,
        phase_title,
    )
    found = _TASK_HEADINGS.get(key)
    if found is None:
        found = _TASK_HEADINGS.keep(
            key,
            (
                labels("calendar.task-line", id=task.id, title=task.title),
                labels("calendar.phase-line", number=task.phase, title=phase_title),
            ),
        )
    return found


_RESOURCE_LABELS = ("calendar.resources", "calendar.resource-link", "calendar.resource")
"""The labels a session's resource lines are made from (see `_resource_lines`)."""
_RESOURCES: Kept[tuple[str, ...]] = Kept(256)


def _resource_lines(view: PlanView, phases: tuple[int, ...]) -> tuple[str, ...]:
    """The resources of these phases for a session's description: a heading and one line each (none: nothing).
    They are made from the resources (frozen: their titles and addresses) and the labels (templates, locale) alone,
    the same in every plan of a pathway: each process makes them once for all those inputs."""
    plan, labels = view.plan, view.labels
    resources = tuple(dict.fromkeys(r for phase in phases for r in plan.resources_of(phase)))
    if not resources:
        return ()
    key = (labels.locale, tuple(labels.entries[name] for name in _RESOURCE_LABELS), resources)
    return _RESOURCES.get(key) or _RESOURCES.keep(key, _resource_lines_of(labels, resources))


def _resource_lines_of(labels: Labels, resources: tuple[Resource, ...]) -> tuple[str, ...]:
    lines = [labels("calendar.resources")]
    for resource in resources:
        url = safe_url(resource.url)
        if url:
            lines.append(labels("calendar.resource-link", title=resource.title, url=url))
        else:
            lines.append(labels("calendar.resource", title=resource.title))
    return tuple(lines)


def _language(labels: Labels) -> dict[str, str]:
    """The LANGUAGE parameter (RFC 5545 3.2.10) of a text property in the catalogue's language."""
    return {"LANGUAGE": labels.language}


def _moment(moment: datetime) -> datetime:
    """The local time with its zone, or UTC where the local time occurs twice (a fall-back night).

    A local time with TZID names the first of two occurrences; the second is only unambiguous in UTC.
    """
    other = datetime(  # `moment.replace(fold=...)`, made directly: replace is several times slower
        moment.year,
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
        moment.microsecond,
        moment.tzinfo,
        fold=1 - moment.fold,
    )
    if moment.utcoffset() != other.utcoffset():
        return moment.astimezone(UTC)
    return moment


def _text(text: str) -> str:
    """Calendar text without control characters (line breaks and tabs stay). Every control character is
    unprintable, so text that is printable but for its line breaks and tabs has none (two quick checks rather
    than the expression tried at every character)."""
    if text.isprintable() or text.replace("\n", " ").replace("\t", " ").isprintable():
        return text
    return CONTROL.sub(" ", text)


def _clip(text: str) -> str:
    return text if len(text) <= MAX_DESCRIPTION else text[: MAX_DESCRIPTION - 1] + "…"
