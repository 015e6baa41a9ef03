"""Busy events of the commonest shapes, read and expanded without icalendar and recurring-ical-events.

A calendar export is mostly single events and meetings that repeat daily or weekly, at times in a
zone the zone database knows. Reading those with icalendar and expanding them with
recurring-ical-events costs more than making the plan (importing the two libraries alone takes
about 120 ms), so `read_event` reads an event of exactly those shapes itself and
`FastEvent.between` expands it the way recurring-ical-events does: dateutil's steps on the wall
clock, an EXDATE matched by its UTC or its local time, the span asked for widened by the event's
length, the calendar's X-WR-TIMEZONE applied to UTC times as x-wr-timezone does. Every other
event gets None and goes to the libraries: RDATE, EXRULE, RECURRENCE-ID, other repetitions
(monthly, yearly, BYSETPOS, ...), floating times, a zone only a VTIMEZONE or Windows knows, a
parameter or a value this module does not read, an event with no end or one that does not end
after it starts. `tests/test_busy_fast.py` checks over generated calendars that both paths give
the same busy time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

_ASCII_DIGITS = re.compile(r"[0-9]+\Z")
_DATE_TIME = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})T([0-9]{2})([0-9]{2})([0-9]{2})(Z?)\Z")
_ZONE_ID = re.compile(r"[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+)+\Z|UTC\Z")
_DURATION = re.compile(r"P(?:([0-9]+)W)?(?:([0-9]+)D)?(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+)S)?)?\Z")
_WEEKDAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
_STATUSES = frozenset({"STATUS", "TRANSP", "X-MICROSOFT-CDO-BUSYSTATUS"})
_READ = frozenset({"DTSTART", "DTEND", "DURATION", "RRULE", "EXDATE", "UID", "SEQUENCE"}) | _STATUSES
_MAX_INTERVAL = 1000
_MARGIN_DAYS = 2
LONGEST_REPEATING = timedelta(days=366)
"""A repeating event longer than this (an end in the year 9999, say) is left to the libraries."""
"""Whole days an occurrence skipped without a comparison stays before the span (zones differ by < 27 h)."""

Moment = date | datetime


@lru_cache(maxsize=64)
def zone_named(name: str, strict: bool = True) -> ZoneInfo | None:
    """The zone database's zone of that name, or None. `strict`: only an Area/Location name or UTC (the names
    icalendar takes from the zone database even when the calendar defines a VTIMEZONE of the same name).
    Cached, so one name is one ZoneInfo object, as it is for icalendar (times in one zone compare on the
    wall clock, in two zones as instants)."""
    if strict and not _ZONE_ID.match(name):
        return None
    try:
        return ZoneInfo(name)
    except (ValueError, OSError, KeyError):
        return None


@dataclass(frozen=True)
class Repetition:
    """A daily or weekly RRULE: occurrences `step` days apart (or, with `weekdays`, every day of those
    weekdays), at most `count` of them, none after `until`."""

    step: int
    weekdays: frozenset[int] | None = None
    count: int | None = None
    until: Moment | None = None


@dataclass(frozen=True)
class FastEvent:
    """An event of a shape this module reads: its start and end (dates, or aware date-times), whether and
    how it repeats, the recurrence ids its EXDATEs exclude (naive: UTC and wall-clock times, midnight for
    a day), and the properties that say whether it blocks."""

    start: Moment
    end: Moment
    repetition: Repetition | None = None
    excluded: frozenset[datetime] = frozenset()
    statuses: tuple[tuple[str, str], ...] = ()

    def get(self, name: str, default: str = "") -> str:
        """The value of STATUS, TRANSP or X-MICROSOFT-CDO-BUSYSTATUS as written, like icalendar's `get`."""
        return dict(self.statuses).get(name, default)

    def between(self, span_start: datetime, span_stop: datetime) -> list[tuple[Moment, Moment]]:
        """The (start, end) of every occurrence of a repeating event in [span_start, span_stop) (aware), as
        recurring-ical-events' `between` gives them: dates for an all-day event, aware date-times otherwise."""
        all_day = not isinstance(self.start, datetime)
        first = _naive(self.start) if all_day else self.start
        duration = (_naive(self.end) if all_day else self.end) - first
        low, high = span_start - duration, span_stop
        if all_day:
            low, high = low.replace(tzinfo=None), high.replace(tzinfo=None)
        found = []
        for start in self._starts(first, low, high):
            if self.excluded and not self.excluded.isdisjoint(_recurrence_ids(start)):
                continue
            end = start + duration
            if all_day:
                start, end = start.date(), end.date()
            if _in_span(span_start, span_stop, start, end):
                found.append((start, end))
        return found

    def _starts(self, first: datetime, low: datetime, high: datetime) -> list[datetime]:
        """The starts of the rule's occurrences from `low` to `high` (both included), and the event's own
        start (recurring-ical-events adds it unless it comes after UNTIL), each once."""
        rule = self.repetition
        until = (
            _naive(rule.until) if isinstance(rule.until, date) and not isinstance(rule.until, datetime) else rule.until
        )
        starts = [] if until is not None and first > until else [first]
        step = timedelta(days=rule.step)
        index = 0
        if rule.count is None:  # a rule without COUNT starts near `low`: what comes before is left out anyway
            index = max(0, ((_wall_day(low, first) - first.date()).days - _MARGIN_DAYS) // rule.step)
        made = 0
        while rule.count is None or made < rule.count:
            try:
                start = first + index * step
            except OverflowError:
                break
            index += 1
            if rule.weekdays is not None and start.weekday() not in rule.weekdays:
                continue
            made += 1
            if start > high or (until is not None and start > until):
                break
            if start >= low and start != first:
                starts.append(start)
        return [start for start in starts if low <= start <= high]


def _naive(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def _wall_day(moment: datetime, like: datetime) -> date:
    """The day of `moment` on the wall clock of `like`'s zone (naive stays naive)."""
    if moment.tzinfo is None or like.tzinfo is None:
        return moment.date()
    return moment.astimezone(like.tzinfo).date()


def _recurrence_ids(moment: datetime) -> tuple[datetime, ...]:
    """recurring-ical-events' ids of a start: its UTC time and its wall-clock time, both naive."""
    if moment.tzinfo is None:
        return (moment,)
    return (moment.astimezone(ZoneInfo("UTC")).replace(tzinfo=None), moment.replace(tzinfo=None))


def _in_span(span_start: datetime, span_stop: datetime, start: Moment, end: Moment) -> bool:
    """recurring-ical-events' test of an occurrence against a span: a day is midnight in the span's zone."""
    if not isinstance(start, datetime):
        start = _naive(start).replace(tzinfo=span_start.tzinfo)
        end = _naive(end).replace(tzinfo=span_start.tzinfo)
    if span_start == span_stop:
        return start <= span_start < end
    return start < span_stop and span_start < end


def read_event(lines: list[str], calendar_zone: ZoneInfo | None) -> FastEvent | None:
    """The event whose content lines (its BEGIN and END first and last, only the busy-relevant properties)
    are given, or None unless every line is of a shape read here. `calendar_zone`: the calendar's
    X-WR-TIMEZONE, to which a repeating event's UTC times move as x-wr-timezone moves them."""
    found: dict[str, tuple[list[str], str]] = {}
    exdates: list[tuple[list[str], str]] = []
    for line in lines[1:-1]:
        head, colon, value = line.partition(":")
        if not colon or '"' in head:
            return None
        name, *params = head.split(";")
        if name not in _READ:
            return None
        if name == "EXDATE":
            exdates.append((params, value))
        elif name in found:
            return None
        else:
            found[name] = (params, value)
    return _event(found, exdates, calendar_zone)


def _event(found: dict, exdates: list, calendar_zone: ZoneInfo | None) -> FastEvent | None:
    if "DTSTART" not in found or ("DTEND" in found) == ("DURATION" in found):
        return None
    start = _moment(*found["DTSTART"])
    length = _end(start, found)
    statuses = _statuses(found)
    if start is None or length is None or statuses is None:
        return None
    if "RRULE" not in found:
        end = _ending(start, length)
        return FastEvent(start, end, statuses=statuses) if end is not None and not exdates else None
    params, value = found["RRULE"]
    repetition = None if params else _repetition(value, start)
    excluded = _excluded(exdates, start)
    if repetition is None or excluded is None:
        return None
    if calendar_zone is not None:  # x-wr-timezone moves the times before a DURATION is added
        start, length = _moved(start, calendar_zone), _moved(length, calendar_zone)
        excluded = [_moved(moment, calendar_zone) for moment in excluded]
    end = _ending(start, length)
    if end is None or _as_datetime(end) - _as_datetime(start) > LONGEST_REPEATING:
        return None  # the libraries expand it, or say why they cannot
    ids = frozenset(key for moment in excluded for key in _recurrence_ids(_as_datetime(moment)))
    return FastEvent(start, end, repetition, ids, statuses)


def _statuses(found: dict) -> tuple[tuple[str, str], ...] | None:
    """STATUS, TRANSP and X-MICROSOFT-CDO-BUSYSTATUS as written, if plain text without parameters."""
    statuses = []
    for name in _STATUSES.intersection(found):
        params, value = found[name]
        if params or "\\" in value:
            return None
        statuses.append((name, value))
    return tuple(sorted(statuses))


def _ending(start: Moment, end: Moment | timedelta) -> Moment | None:
    """The end (DTEND, or the start plus the DURATION), if the event ends after it starts."""
    try:
        moment = start + end if isinstance(end, timedelta) else end
    except OverflowError:
        return None
    return moment if _before(start, moment) else None


def _as_datetime(moment: Moment) -> datetime:
    return moment if isinstance(moment, datetime) else _naive(moment)


def _moved(moment: Moment | timedelta, zone: ZoneInfo) -> Moment | timedelta:
    """x-wr-timezone's change: a date-time whose zone calls itself UTC, in the calendar's zone (anything
    else as it is)."""
    if isinstance(moment, datetime) and (moment.tzname() or "").upper() == "UTC":
        return moment.astimezone(zone)
    return moment


def _moment(params: list[str], value: str) -> Moment | None:
    """A DATE (no TZID) or a DATE-TIME in UTC or in a zone the database knows, as icalendar reads it."""
    zone_id = kind = None
    for param in params:
        key, equals, text = param.partition("=")
        if key == "TZID" and equals and zone_id is None:
            zone_id = text
        elif key == "VALUE" and text in ("DATE", "DATE-TIME") and kind is None:
            kind = text
        else:
            return None
    try:
        if len(value) == 8 and zone_id is None and kind != "DATE-TIME" and _ASCII_DIGITS.match(value):
            return date(int(value[:4]), int(value[4:6]), int(value[6:]))
        match = _DATE_TIME.match(value) if kind != "DATE" else None
        if match is None or (match[7] == "Z") == (zone_id is not None):
            return None
        zone = zone_named("UTC" if zone_id is None else zone_id)
        year, month, day, hour, minute, second = map(int, match.groups()[:6])
        return None if zone is None else datetime(year, month, day, hour, minute, second, tzinfo=zone)
    except ValueError:
        return None


def _end(start: Moment | None, found: dict) -> Moment | timedelta | None:
    """DTEND (of the start's kind), or a DURATION that is positive (whole days for an all-day event)."""
    if start is None:
        return None
    if "DTEND" in found:
        end = _moment(*found["DTEND"])
        return end if isinstance(end, datetime) == isinstance(start, datetime) else None
    params, value = found["DURATION"]
    match = _DURATION.match(value)
    if params or not match:
        return None
    weeks, days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    try:
        length = timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
    except OverflowError:
        return None
    if length <= timedelta(0) or (length.seconds and not isinstance(start, datetime)):
        return None
    return length


def _before(start: Moment, end: Moment) -> bool:
    """Whether the event ends after it starts, on the wall clock and as instants."""
    if isinstance(start, datetime):
        return start < end and start.timestamp() < end.timestamp()
    return start < end


def _repetition(value: str, start: Moment) -> Repetition | None:
    """FREQ=DAILY or WEEKLY with INTERVAL and COUNT or UNTIL (in UTC, or a date for an all-day event), and
    for a weekly rule every week, BYDAY of plain weekdays (WKST then changes nothing)."""
    parts: dict[str, str] = {}
    for part in value.split(";"):
        key, equals, text = part.partition("=")
        if not equals or key in parts:
            return None
        parts[key] = text
    if not parts.keys() <= {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "WKST"} or parts.get("FREQ") not in (
        "DAILY",
        "WEEKLY",
    ):
        return None
    if "COUNT" in parts and "UNTIL" in parts:
        return None
    interval = _positive(parts.get("INTERVAL", "1"))
    count = _positive(parts["COUNT"]) if "COUNT" in parts else None
    if interval is None or interval > _MAX_INTERVAL or ("COUNT" in parts and count is None):
        return None
    if "WKST" in parts and parts["WKST"] not in _WEEKDAYS:
        return None
    until = _until(parts["UNTIL"], start) if "UNTIL" in parts else None
    if "UNTIL" in parts and until is None:
        return None
    weekly = parts["FREQ"] == "WEEKLY"
    if "BYDAY" not in parts:
        return Repetition(interval * 7 if weekly else interval, None, count, until)
    days = parts["BYDAY"].split(",")
    if not weekly or interval != 1 or not all(day in _WEEKDAYS for day in days):
        return None
    return Repetition(1, frozenset(_WEEKDAYS[day] for day in days), count, until)


def _positive(text: str) -> int | None:
    return int(text) if _ASCII_DIGITS.match(text) and int(text) > 0 else None


def _until(text: str, start: Moment) -> Moment | None:
    """UNTIL as recurring-ical-events reads it: a date for an all-day event, a UTC date-time otherwise."""
    if isinstance(start, datetime):
        return _moment([], text) if text.endswith("Z") and len(text) == 16 else None
    return _moment([], text) if len(text) == 8 else None


def _excluded(exdates: list, start: Moment) -> list[Moment] | None:
    """The EXDATE values, each of the same kind (date or date-time) as the start; None otherwise."""
    excluded = []
    for params, value in exdates:
        for text in value.split(","):
            moment = _moment(params, text)
            if moment is None or isinstance(moment, datetime) != isinstance(start, datetime):
                return None
            excluded.append(moment)
    return excluded
