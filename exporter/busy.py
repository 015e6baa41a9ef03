"""Reading the person's busy calendars: .ics files and http(s) URLs, expanded into busy intervals.

This is the load step for busy time (I/O lives here, never in the planner): `read_calendars`
reads every source (files through `inputs.read_input`, URLs with a time limit and a size cap),
keeps only the properties that say *when* and *whether* someone is busy (titles, descriptions,
locations, attendees and alarms are dropped before anything parses them: busy events are read,
never written), and an `Expansion` turns them into the intervals that block study time, as far as
the plan reaches. Events of the common shapes (plain events, daily and weekly meetings in a known
zone) are read and expanded by `exporter.busyfast`; the rest by icalendar and recurring-ical-events,
imported only for a calendar that has such events (single events parsed once the plan may reach their
day). Every problem names the calendar where the person gave it (a URL by its host only) and, where
it can, the line.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from exporter.busyfast import FastEvent, read_event, zone_named
from exporter.busytime import BusyRules, BusySource, BusyTime, Tentative, merged_intervals
from exporter.errors import InputError, Kind, Problem
from exporter.inputs import CALENDAR_LIMIT, KB, decode_text, limit_text, read_input

if TYPE_CHECKING:
    from urllib.request import OpenerDirector

FETCH_TIMEOUT = 20.0
"""Seconds a download of a busy calendar may take in all (a server that trickles is cut off too)."""
URL_LIMIT = CALENDAR_LIMIT
_CHUNK = 64 * KB
MAX_OCCURRENCES = 50_000
"""Occurrences of one calendar's events in the plan's range (a weekly meeting for ten years is 522)."""
_CHUNK_DAYS = timedelta(days=91)
_TOO_OFTEN = re.compile(r"FREQ=(SECONDLY|MINUTELY)", re.IGNORECASE)
_AGENT = "pathway-exporter (busy calendar)"

_KEPT = frozenset(
    {
        "UID",
        "DTSTART",
        "DTEND",
        "DURATION",
        "RRULE",
        "RDATE",
        "EXDATE",
        "EXRULE",
        "RECURRENCE-ID",
        "STATUS",
        "TRANSP",
        "X-MICROSOFT-CDO-BUSYSTATUS",
        "FREEBUSY",
        "SEQUENCE",
    }
)
"""The properties of an event or free/busy block that matter for busy time; everything else is dropped unread."""
_CALENDAR_KEPT = frozenset({"VERSION", "CALSCALE", "X-WR-TIMEZONE"})
_BUSY_COMPONENTS = frozenset({"VEVENT", "VFREEBUSY"})
_DROPPED_COMPONENTS = frozenset({"VALARM", "VTODO", "VJOURNAL", "VAVAILABILITY", "AVAILABLE", "VLOCATION"})
_FREE_STATUSES = frozenset({"FREE", "WORKINGELSEWHERE"})
_ZONED = ("DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE", "RDATE")


@dataclass(frozen=True)
class _Single:
    """A single event (no repetition, no override shares its UID), kept as text until the plan reaches its
    day: most events of a long export are single, and parsing them is most of the reading time."""

    day: str
    """Its start day as written (YYYYMMDD, in its own zone)."""
    line: int
    calendar: int
    """Which VCALENDAR of the file it belongs to."""
    text: str
    event: FastEvent | None = None
    """The event as `busyfast` reads it, when it is of a shape that module reads (then `text` is not parsed)."""


@dataclass(frozen=True)
class BusyCalendar:
    """One source read: the calendars icalendar parsed (the repeating events `busyfast` does not read,
    overrides and free/busy blocks, only the busy-relevant properties kept) and their recurring-ical-events
    queries, the line of each UID (for messages), the single events by day, the repeating events
    `busyfast` reads, and what each VCALENDAR begins with (its time zones), to parse single events in,
    with its X-WR-TIMEZONE ("" without one)."""

    source: BusySource
    calendars: tuple[Any, ...]
    lines: dict[str, int] = field(default_factory=dict, compare=False)
    queries: tuple[Any, ...] = field(default=(), compare=False, repr=False)
    singles: tuple[_Single, ...] = ()
    prefixes: tuple[str, ...] = ()
    series: tuple[FastEvent, ...] = ()
    zones: tuple[str, ...] = ()


@dataclass
class _Occurrence:
    """One occurrence as the expansion gives it: its times and the event (or override) it comes from.
    recurring-ical-events sets an occurrence's SEQUENCE on it like a property (kept in `properties`)."""

    start: date
    end: date
    event: Any
    properties: dict[str, Any] = field(default_factory=dict)

    def __setitem__(self, name: str, value: Any) -> None:
        self.properties[name] = value


def read_calendars(
    rules: BusyRules, zone: str, first_day: date
) -> tuple[tuple[BusyCalendar, ...], tuple[Problem, ...]]:
    """Every busy source read and parsed (times in an unknown zone read in `zone`; single events that ended
    before `first_day` left out), with the warnings that do not stop the plan; InputError with every
    problem of every source at once."""
    calendars: list[BusyCalendar] = []
    problems: list[Problem] = []
    warnings: list[Problem] = []
    for source in rules.sources:
        try:
            calendar, found = _read_one(source, zone, first_day)
        except InputError as err:
            problems += err.problems
            continue
        calendars.append(calendar)
        warnings += found
    if problems:
        raise InputError(problems)
    return tuple(calendars), tuple(warnings)


def _read_one(source: BusySource, zone: str, first_day: date) -> tuple[BusyCalendar, list[Problem]]:
    if source.redacted:
        message = (
            "the plan was made with this calendar, whose secret address is never stored: "
            "give every busy calendar again with --busy"
        )
        raise InputError(source.origin.problem(f"{source.label}: {message}", Kind.MISSING))
    data = _download(source) if source.is_url else _read_file(source)
    try:
        text = decode_text(data, Path(source.label), "calendar")
    except InputError as err:
        raise InputError(_moved(source, err)) from None
    return _parse(source, text, ZoneInfo(zone), first_day)


def _moved(source: BusySource, err: InputError) -> list[Problem]:
    """Problems of reading a source, told at the place the person named it."""
    return [source.origin.problem(f"{source.label}: {problem.message}", problem.kind) for problem in err.problems]


def _read_file(source: BusySource) -> bytes:
    try:
        return read_input(Path(source.text), "calendar", CALENDAR_LIMIT)
    except InputError as err:
        raise InputError(_moved(source, err)) from None


def _opener() -> OpenerDirector:
    """http and https only (a redirect elsewhere fails), no proxies or files from the machine's settings."""
    from urllib.request import (
        HTTPDefaultErrorHandler,
        HTTPErrorProcessor,
        HTTPHandler,
        HTTPRedirectHandler,
        HTTPSHandler,
        OpenerDirector,
    )

    opener = OpenerDirector()
    for handler in (HTTPHandler, HTTPSHandler, HTTPRedirectHandler, HTTPDefaultErrorHandler, HTTPErrorProcessor):
        opener.add_handler(handler())
    return opener


def _download(source: BusySource) -> bytes:
    """The calendar at the URL, within FETCH_TIMEOUT seconds in all and URL_LIMIT bytes; a Problem that
    names the host only otherwise (the path and query are secrets). The network modules are imported
    here: most calendars are files."""
    import http.client
    import socket
    from urllib.error import HTTPError, URLError
    from urllib.request import Request

    request = Request(source.address, headers={"User-Agent": _AGENT, "Accept": "text/calendar, */*;q=0.5"})
    deadline = time.monotonic() + FETCH_TIMEOUT
    timed_out = f"no answer within {FETCH_TIMEOUT:g} seconds"
    too_large = f"larger than the {limit_text(URL_LIMIT)} limit for a calendar"
    try:
        with _opener().open(request, timeout=FETCH_TIMEOUT / 2) as response:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > URL_LIMIT:
                raise InputError(source.problem(too_large))
            chunks: list[bytes] = []
            size = 0
            while chunk := response.read1(_CHUNK):
                size += len(chunk)
                if size > URL_LIMIT:
                    raise InputError(source.problem(too_large))
                if time.monotonic() > deadline:
                    raise InputError(source.problem(timed_out))
                chunks.append(chunk)
    except HTTPError as err:
        raise InputError(source.problem(f"the server answered {err.code} {_plain(err.reason)}")) from None
    except URLError as err:
        if isinstance(err.reason, TimeoutError | socket.timeout):
            raise InputError(source.problem(timed_out)) from None
        raise InputError(source.problem(f"cannot reach the server ({_reason(err.reason)})")) from None
    except TimeoutError:
        raise InputError(source.problem(timed_out)) from None
    except (OSError, ValueError, http.client.HTTPException) as err:
        raise InputError(source.problem(f"cannot download ({type(err).__name__})")) from None
    return b"".join(chunks)


def _reason(reason: object) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return _plain(reason)


def _plain(text: object) -> str:
    """A server's or the system's words, short and on one line (never the address asked for)."""
    return " ".join(str(text).split())[:80]


# ---- Parsing: only what says when someone is busy --------------------------------------------


@dataclass
class _Part:
    """One VCALENDAR of a file as it is read: its own lines (BEGIN, the calendar properties kept, its time
    zones), the lines kept of its other components (free/busy blocks), and its events' kept lines."""

    head: list[str]
    others: list[str] = field(default_factory=list)
    events: list[tuple[int, list[str]]] = field(default_factory=list)
    free_busy: bool = False


@dataclass(frozen=True)
class _Stripped:
    """A file sorted out: the text icalendar has to read (None when nothing needs it), the line of each UID,
    the single events (by day), the repeating events read here, and each VCALENDAR's time zones and
    X-WR-TIMEZONE."""

    text: str | None
    lines: dict[str, int]
    singles: tuple[_Single, ...]
    series: tuple[FastEvent, ...]
    prefixes: tuple[str, ...]
    zones: tuple[str, ...]


def _name(line: str) -> str:
    """A content line's name, in capitals: what comes before its first ':' or ';'."""
    return line.partition(":")[0].partition(";")[0].upper()


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number of its first physical line, unfolded content line) of an iCalendar text."""
    current, first = None, 0
    for number, physical in enumerate(text.splitlines(), start=1):
        if physical[:1] in (" ", "\t") and current is not None:
            current += physical[1:]
            continue
        if current is not None:
            yield first, current
        current, first = physical, number
    if current is not None:
        yield first, current


def _stripped(source: BusySource, text: str, first_day: date) -> _Stripped:
    """The calendar with only busy-relevant properties (and time zones, whole), sorted out: single events
    that ended well before `first_day` (`_long_past`) left out, the other single events set apart
    (`_Single`, read here when `busyfast` reads them), repeating events of the shapes `busyfast` reads
    expanded here, everything else left to icalendar and recurring-ical-events; a Problem if it is not an
    iCalendar file or its components do not nest."""
    parts, lines = _parts(source, text)
    cutoff = (first_day - timedelta(days=2)).strftime("%Y%m%d")
    events = [[_Event(line, event, index) for line, event in part.events] for index, part in enumerate(parts)]
    overridden = {event.uid for found in events for event in found if "RECURRENCE-ID" in event.names}
    singles: list[_Single] = []
    series: list[FastEvent] = []
    library: list[str] = []
    needed = False
    zones: list[str] = []
    for part, found in zip(parts, events, strict=True):
        named, zone, readable = _calendar_zone(part.head)
        zones.append(named)
        needed |= part.free_busy or not readable
        left = [event for event in found if not event.long_past(cutoff)]
        singles += [single for event in left if (single := event.single(overridden)) is not None]
        left = [event for event in left if event.repeats or event.uid in overridden or not event.day]
        shared = _shared_uids(left)
        kept = part.head + part.others
        for event in left:
            fast = read_event(event.lines, zone) if readable and event.uid not in shared | overridden else None
            if fast is not None and fast.repetition is not None:
                series.append(fast)
            else:
                kept += event.lines
                needed = True
        library.append("\r\n".join(kept) + "\r\nEND:VCALENDAR\r\n")
    return _Stripped(
        "".join(library) if needed else None,
        lines,
        tuple(sorted(singles, key=lambda single: single.day)),
        tuple(series),
        tuple("\r\n".join(part.head) + "\r\n" for part in parts),
        tuple(zones),
    )


_REPEATING = frozenset({"RRULE", "RDATE", "EXRULE", "RECURRENCE-ID"})


class _Event:
    """An event's kept lines (its BEGIN and END first and last) with each line's name read once, and what
    sorting it out needs: its UID, whether it repeats or overrides, its start day as written."""

    def __init__(self, line: int, lines: list[str], calendar: int):
        self.line, self.lines, self.calendar = line, lines, calendar
        self.names = [_name(content) for content in lines]
        self.repeats = not _REPEATING.isdisjoint(self.names)
        self.uid = self._value("UID").strip() if "UID" in self.names else None
        day = self._value("DTSTART").rpartition(":")[2].strip()[:8] if "DTSTART" in self.names else ""
        self.day = day if len(day) == 8 and day.isdigit() else ""

    def _value(self, name: str) -> str:
        """The text after the first colon of the first line of that name."""
        return self.lines[self.names.index(name)].partition(":")[2]

    def single(self, overridden: set[str | None]) -> _Single | None:
        """The event as a `_Single` (its UID left out), or None when it repeats, overrides or is overridden."""
        if self.repeats or self.uid in overridden or not self.day:
            return None
        event = read_event(self.lines, None)
        if event is not None:
            return _Single(self.day, self.line, self.calendar, "", event)
        body = [content for content, name in zip(self.lines, self.names, strict=True) if name != "UID"]
        return _Single(self.day, self.line, self.calendar, "\r\n".join(body) + "\r\n")

    def long_past(self, cutoff: str) -> bool:
        """Whether its kept lines say it is a single event (no repetition, no override, no DURATION) whose
        start and end days (YYYYMMDD, in any zone) come before `cutoff`: it cannot touch the plan."""
        if self.repeats or "DURATION" in self.names:
            return False
        days = [
            content.rpartition(":")[2].strip()[:8]
            for content, name in zip(self.lines[1:-1], self.names[1:-1], strict=True)
            if name in ("DTSTART", "DTEND")
        ]
        return bool(days) and all(day.isdigit() and len(day) == 8 and day < cutoff for day in days)


def _parts(source: BusySource, text: str) -> tuple[list[_Part], dict[str, int]]:
    """Each VCALENDAR of the text with only the busy-relevant properties kept, and the line of each busy
    component's UID; a Problem if it is not an iCalendar file or its components do not nest. (Most lines
    are the text of events and their alarms, dropped unread: they take the shortest way through.)"""
    parts: list[_Part] = []
    lines: dict[str, int] = {}
    stack: list[str] = []
    component: list[str] = []
    component_line = hidden = 0
    for number, line in _logical_lines(text):
        name = _name(line)
        if name != "BEGIN" and name != "END":
            if hidden or not stack or (not name and not line.strip()):
                if not stack and line.strip() and not parts:
                    raise InputError(source.problem(_NOT_A_CALENDAR))
                continue
            inside = stack[1] if len(stack) > 1 else ""
            if inside in _BUSY_COMPONENTS and len(stack) == 2 and name in _KEPT:
                if name in ("RRULE", "EXRULE") and _TOO_OFTEN.search(line):
                    raise InputError(source.problem("an event repeats every second or minute", number))
                if name == "UID":
                    lines.setdefault(line[len(name) :].partition(":")[2].strip(), component_line)
                component.append(line)
            elif inside == "VTIMEZONE":
                component.append(line)
            elif not inside and name in _CALENDAR_KEPT:
                parts[-1].head.append(line)
            continue
        value = line[len(name) + 1 :].strip().upper()
        if not stack and not (name == "BEGIN" and value == "VCALENDAR"):
            if parts:
                continue  # text after the last END:VCALENDAR
            raise InputError(source.problem(_NOT_A_CALENDAR))
        dropped = hidden > 0 or value in _DROPPED_COMPONENTS
        if name == "BEGIN":
            stack.append(value)
            hidden += value in _DROPPED_COMPONENTS
            if len(stack) == 1:
                parts.append(_Part([line]))
                continue
            if len(stack) == 2:
                component, component_line = [], number
            if not dropped:
                component.append(line)
            continue
        if stack[-1] != value:
            raise InputError(source.problem(f"END:{value} where END:{stack[-1]} was due", number))
        if not dropped and len(stack) > 1:
            component.append(line)
        hidden -= stack.pop() in _DROPPED_COMPONENTS
        if len(stack) == 1:
            _file(parts[-1], value, component, component_line)
    if stack:
        raise InputError(source.problem(f"BEGIN:{stack[-1]} is never ended (the file is cut short?)"))
    return parts, lines


_NOT_A_CALENDAR = "not an iCalendar file (it does not begin with BEGIN:VCALENDAR)"


def _file(part: _Part, name: str, lines: list[str], line: int) -> None:
    """A component of a VCALENDAR, read to its end, put where it belongs."""
    if name == "VEVENT":
        part.events.append((line, lines))
    elif name == "VTIMEZONE":
        part.head += lines
    elif name not in _DROPPED_COMPONENTS:
        part.others += lines
        part.free_busy |= name == "VFREEBUSY"


def _calendar_zone(head: list[str]) -> tuple[str, ZoneInfo | None, bool]:
    """A VCALENDAR's X-WR-TIMEZONE: its name ("" without one), its zone, and whether this module reads it as
    x-wr-timezone does (one plain property naming a zone the database knows; otherwise icalendar and
    recurring-ical-events read the calendar, and say what is wrong with it)."""
    named = [line for line in head if _name(line) == "X-WR-TIMEZONE"]
    if not named:
        return "", None, True
    head_name, _, value = named[0].partition(":")
    zone = zone_named(value, strict=False) if head_name == "X-WR-TIMEZONE" and "\\" not in value else None
    if len(named) > 1 or zone is None:
        return value.strip(), None, False  # floating single events are still read in the zone it names
    return value, zone, True


def _shared_uids(events: list[_Event]) -> set[str | None]:
    """The UIDs that more than one of the events has (recurring-ical-events makes one series of them)."""
    seen: set[str | None] = set()
    shared: set[str | None] = set()
    for event in events:
        if event.uid is not None and event.uid in seen:
            shared.add(event.uid)
        seen.add(event.uid)
    return shared


def _parse(source: BusySource, text: str, zone: ZoneInfo, first_day: date) -> tuple[BusyCalendar, list[Problem]]:
    stripped = _stripped(source, text, first_day)
    calendars, queries, unknown = (), (), set()
    if stripped.text is not None:
        calendars, queries, unknown = _library_parse(source, stripped.text, zone)
    warnings = [_unknown_zone(source, name, zone) for name in sorted(unknown)]
    busy = BusyCalendar(
        source,
        calendars,
        stripped.lines,
        queries,
        stripped.singles,
        stripped.prefixes,
        stripped.series,
        stripped.zones,
    )
    return busy, warnings


def _library_parse(source: BusySource, text: str, zone: ZoneInfo) -> tuple[tuple, tuple, set[str]]:
    """The calendars of the text as icalendar reads them, their recurring-ical-events queries, and the
    names of the time zones nobody knows (their times read in `zone`)."""
    import icalendar
    import recurring_ical_events

    try:
        calendars = tuple(icalendar.Calendar.from_ical(text, multiple=True))
    except (ValueError, KeyError, IndexError, TypeError, OverflowError) as err:
        raise InputError(source.problem(f"not a readable calendar ({type(err).__name__})")) from None
    unknown: set[str] = set()
    for calendar in calendars:
        for event in calendar.walk("VEVENT"):
            unknown |= _read_in_zone(event, zone)
    try:
        queries = tuple(recurring_ical_events.of(calendar, components=[_events()]) for calendar in calendars)
    except (ValueError, KeyError, IndexError, TypeError, OverflowError) as err:
        raise InputError(source.problem(f"its events cannot be expanded ({type(err).__name__})")) from None
    return calendars, queries, unknown


def _unknown_zone(source: BusySource, name: str, zone: ZoneInfo) -> Problem:
    return source.problem(f"unknown time zone {name[:60]!r}: its times are read in your zone, {zone.key}")


@cache
def _events():
    """recurring-ical-events' event adapter, giving each occurrence as its times and its source event
    (`_Occurrence`) instead of a copy of the event: the copy is most of the expansion's time."""
    from recurring_ical_events import EventAdapter

    class BusyEvents(EventAdapter):
        def __init__(self, component):
            super().__init__(component)
            self.event = component

        def as_component(self, start=None, stop=None, keep_recurrence_attributes=True):
            return _Occurrence(self.start if start is None else start, self.end if stop is None else stop, self.event)

    return BusyEvents


def _read_in_zone(event, zone: ZoneInfo) -> set[str]:
    """Times whose TZID neither the calendar nor the zone database knows become times in `zone`
    (icalendar leaves them floating); the unknown zone names."""
    unknown: set[str] = set()
    for name in _ZONED:
        values = event.get(name)
        for prop in values if isinstance(values, list) else [values]:
            if prop is None or "TZID" not in prop.params:
                continue
            for item in getattr(prop, "dts", [prop]):
                moment = item.dt
                if isinstance(moment, datetime) and moment.tzinfo is None:
                    item.dt = moment.replace(tzinfo=zone)
                    unknown.add(str(prop.params["TZID"]))
    return unknown


# ---- Expanding: the intervals that block ------------------------------------------------------


class Expansion:
    """The busy time of some calendars, expanded from the day before `first_day` as far as asked, each
    stretch of time (and each single event) only once. `warnings` gathers the unknown time zones of the
    single events it parses."""

    def __init__(self, calendars: tuple[BusyCalendar, ...], rules: BusyRules, zone: str, first_day: date):
        self.calendars, self.rules, self.zone = calendars, rules, ZoneInfo(zone)
        self.begin = self.end = datetime.combine(first_day - timedelta(days=1), datetime.min.time(), self.zone)
        self.found: list[list[tuple[datetime, datetime]]] = [[] for _ in calendars]
        self.parsed = [0] * len(calendars)
        self.warnings: list[Problem] = []

    def to(self, until: date) -> BusyTime:
        """The busy time known up to two days past `until` (local midnight): a time zone is never more than
        26 hours from another, so a single event is parsed once the plan may reach its day."""
        end = datetime.combine(until + timedelta(days=2), datetime.min.time(), self.zone)
        if end > self.end:
            for index, calendar in enumerate(self.calendars):
                self.found[index] += _repeating_intervals(calendar, self.rules, self.zone.key, self.end, end)
                self.found[index] += self._singles(index, end.date().strftime("%Y%m%d"))
            self.end = end
        every = [interval for intervals in self.found for interval in intervals]
        merged = merged_intervals(every, self.rules.buffer)
        return BusyTime(merged, until=end.astimezone(UTC), min_session=self.rules.min_session)

    def without_busy_time(self, finish: date) -> list[BusyCalendar]:
        """The calendars with no busy time from the first day to `finish`."""
        last = datetime.combine(finish + timedelta(days=1), datetime.min.time(), self.zone)
        return [
            calendar
            for calendar, intervals in zip(self.calendars, self.found, strict=True)
            if not any(start < last and end > self.begin for start, end in intervals)
        ]

    def _singles(self, index: int, before: str) -> list[tuple[datetime, datetime]]:
        """The blocking intervals of the calendar's single events not parsed yet whose day comes before
        `before` (YYYYMMDD)."""
        calendar = self.calendars[index]
        first = self.parsed[index]
        last = first
        while last < len(calendar.singles) and calendar.singles[last].day < before:
            last += 1
        self.parsed[index] = last
        intervals: list[tuple[datetime, datetime]] = []
        endless: list[Problem] = []
        for single in calendar.singles[first:last]:
            if single.event is not None:
                intervals += self._read_interval(calendar, single.calendar, single.event)
        for number, prefix in enumerate(calendar.prefixes):
            group = [
                single for single in calendar.singles[first:last] if single.calendar == number and single.event is None
            ]
            if group:
                intervals += self._parsed(calendar, number, prefix, group, endless)
        if endless:
            raise InputError(endless)
        return intervals

    def _parsed(self, calendar: BusyCalendar, number: int, prefix: str, group: list[_Single], endless: list) -> list:
        import icalendar

        text = prefix + "".join(single.text for single in group) + "END:VCALENDAR\r\n"
        try:
            parsed = icalendar.Calendar.from_ical(text)
        except (ValueError, KeyError, IndexError, TypeError, OverflowError) as err:
            raise InputError(calendar.source.problem(f"not a readable calendar ({type(err).__name__})")) from None
        events = [component for component in parsed.subcomponents if component.name == "VEVENT"]
        if len(events) != len(group):
            raise InputError(calendar.source.problem("not a readable calendar (an event inside an event)"))
        floating = _floating_zone(calendar.zones[number], self.zone)
        intervals = []
        for single, event in zip(group, events, strict=True):
            try:
                intervals += self._interval(calendar, single, event, floating, endless)
            except ValueError:  # icalendar reads a broken date-time when it is asked for it
                raise InputError(
                    calendar.source.problem("an event's start or end cannot be read", single.line)
                ) from None
        return intervals

    def _read_interval(self, calendar: BusyCalendar, number: int, event: FastEvent) -> list:
        """The busy interval of a single event `busyfast` read: none when it does not block."""
        if not _blocks(event, event.start, self.rules):
            return []
        floating = _floating_zone(calendar.zones[number], self.zone)
        return [(_instant(event.start, floating), _instant(event.end, floating))]

    def _interval(self, calendar: BusyCalendar, single: _Single, event, floating, endless: list) -> list:
        """The busy interval of one single event: none when it does not block, or has no end (then
        `endless` gets its problem)."""
        for name in sorted(_read_in_zone(event, self.zone)):
            warning = _unknown_zone(calendar.source, name, self.zone)
            if warning not in self.warnings:
                self.warnings.append(warning)
        start = event.start
        if not _blocks(event, start, self.rules):
            return []
        if "DTEND" not in event and "DURATION" not in event:
            if isinstance(start, datetime):
                endless.append(calendar.source.problem(_NO_END, single.line))
                return []
            end = start + timedelta(days=1)
        else:
            end = event.end
        return [(_instant(start, floating), _instant(end, floating))]


_NO_END = "an event has no end (DTEND or DURATION), so how long it keeps you busy is unknown"


def _floating_zone(named: str, zone: ZoneInfo) -> ZoneInfo:
    """The zone floating times are read in: the calendar's X-WR-TIMEZONE (`named`) when it names a known
    zone, else the person's."""
    return zone_named(named.strip(), strict=False) or zone if named.strip() else zone


def _repeating_intervals(
    calendar: BusyCalendar, rules: BusyRules, zone: str, first: datetime, until: datetime
) -> list[tuple[datetime, datetime]]:
    """The blocking occurrences of one calendar's repeating events and overrides, and its free/busy periods,
    that overlap [first, until) (aware datetimes), as aware (start, end) pairs without the buffer.
    InputError for a timed event in that range with no end, once per event, at its line."""
    local = ZoneInfo(zone)
    intervals: list[tuple[datetime, datetime]] = []
    endless: dict[str, Problem] = {}
    for query in calendar.queries:
        for occurrence in _occurrences(calendar.source, query, first, until):
            event, start, end = occurrence.event, occurrence.start, occurrence.end
            if not _blocks(event, start, rules):
                continue
            if isinstance(start, datetime) and "DTEND" not in event and "DURATION" not in event:
                uid = str(event.get("UID", ""))
                endless.setdefault(uid, calendar.source.problem(_NO_END, calendar.lines.get(uid)))
                continue
            intervals.append((_instant(start, local), _instant(end, local)))
    if endless:
        raise InputError(list(endless.values()))
    for start, end in _fast_occurrences(calendar, rules, first, until):
        intervals.append((_instant(start, local), _instant(end, local)))
    for parsed in calendar.calendars:
        intervals += _free_busy(parsed, rules, first, until)
    return intervals


def _fast_occurrences(calendar: BusyCalendar, rules: BusyRules, first: datetime, until: datetime) -> Iterator:
    """The blocking occurrences of the repeating events `busyfast` read that overlap [first, until), as
    (start, end) pairs; a Problem once there are more than MAX_OCCURRENCES."""
    count = 0
    for event in calendar.series:
        found = event.between(first, until)
        count += len(found)
        if count > MAX_OCCURRENCES:
            message = f"more than {MAX_OCCURRENCES:,} events in the plan's range; export a shorter stretch of time"
            raise InputError(calendar.source.problem(message, kind=Kind.LIMIT))
        if found and _blocks(event, found[0][0], rules):
            yield from found


def _occurrences(source: BusySource, query, first: datetime, until: datetime) -> Iterator[_Occurrence]:
    """The occurrences between `first` and `until`. The first quarter of a year is expanded alone; when the
    rest, at that density, could exceed MAX_OCCURRENCES, it goes on a quarter at a time, so a calendar with
    more than that is refused before it fills the memory."""
    count = 0
    begin = first
    while begin < until:
        end = min(until, begin + _CHUNK_DAYS)
        if begin > first and (count + 1) * 2 * (until - first) / (begin - first) < MAX_OCCURRENCES:
            end = until  # at the density so far the rest stays well within the limit
        try:
            found = query.between(begin, end)
        except (ValueError, KeyError, IndexError, TypeError, OverflowError) as err:
            message = f"an event's repetition cannot be expanded ({type(err).__name__})"
            raise InputError(source.problem(message)) from None
        count += len(found)
        if count > MAX_OCCURRENCES:
            message = f"more than {MAX_OCCURRENCES:,} events in the plan's range; export a shorter stretch of time"
            raise InputError(source.problem(message, kind=Kind.LIMIT))
        yield from found
        begin = end


def _blocks(event, start: date, rules: BusyRules) -> bool:
    """Whether an occurrence blocks study time (see the README: cancelled, transparent, Outlook-free and,
    by default, all-day events do not; tentative ones do unless `--busy-tentative free`)."""
    status = str(event.get("STATUS", "")).upper()
    outlook = str(event.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).upper()
    if status == "CANCELLED" or str(event.get("TRANSP", "")).upper() == "TRANSPARENT" or outlook in _FREE_STATUSES:
        return False
    if (status == "TENTATIVE" or outlook == "TENTATIVE") and rules.tentative is Tentative.FREE:
        return False
    if not isinstance(start, datetime):
        return rules.all_day or outlook == "OOF"
    return True


def _instant(moment: date, zone: ZoneInfo) -> datetime:
    """An occurrence's start or end as an aware datetime: a day at its midnight in the person's zone, a
    floating time (no zone, no X-WR-TIMEZONE) in the person's zone."""
    if not isinstance(moment, datetime):
        return datetime(moment.year, moment.month, moment.day, tzinfo=zone)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def _free_busy(calendar, rules: BusyRules, first: datetime, until: datetime) -> list[tuple[datetime, datetime]]:
    """The busy periods of the calendar's VFREEBUSY blocks (FBTYPE BUSY, BUSY-UNAVAILABLE, and
    BUSY-TENTATIVE unless tentative time is free) that overlap [first, until)."""
    found = []
    for block in calendar.walk("VFREEBUSY"):
        values = block.get("FREEBUSY")
        for prop in values if isinstance(values, list) else [values] if values is not None else []:
            kind = str(prop.params.get("FBTYPE", "BUSY")).upper()
            if kind == "FREE" or (kind == "BUSY-TENTATIVE" and rules.tentative is Tentative.FREE):
                continue
            start, end = prop.dt
            end = start + end if isinstance(end, timedelta) else end
            if isinstance(start, datetime) and start.tzinfo is not None and start < until and end > first:
                found.append((start, end))
    return found
