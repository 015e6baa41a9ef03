"""VTIMEZONE components generated from the IANA zone, in the form calendar programs read best.

Outlook, Google and Apple write a zone as one STANDARD and one DAYLIGHT component, each with a
yearly RRULE; some readers (Outlook desktop, dateutil's tzical under vobject) misread the RDATE
lists that icalendar's own generator writes. So: find the zone's transitions in the years the
plan covers, and if every year follows the same rule, write that rule; otherwise write each
transition as its own component.

The component is written as content lines (`icslines`), in the form and order icalendar writes
the same component: tests/test_icslines.py builds every zone's parts with icalendar's own components
and compares the bytes (the transitions themselves are this module's).
"""

from __future__ import annotations

import calendar as monthdays
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from exporter.writers.icslines import Component, content_line, text

_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class _Transition:
    local: datetime  # wall time of the change, in the offset before it (naive)
    offset_from: timedelta
    offset_to: timedelta
    name: str
    daylight: bool

    def rule(self) -> tuple:
        """What makes this transition recur: month, weekday, which one in the month, time, offsets."""
        local = self.local
        last = local.day + 7 > monthdays.monthrange(local.year, local.month)[1]
        week = -1 if last else (local.day - 1) // 7 + 1
        return (
            local.month,
            local.weekday(),
            week,
            local.time(),
            self.offset_from,
            self.offset_to,
            self.name,
            self.daylight,
        )


@dataclass(frozen=True)
class ZonePart:
    """One STANDARD or DAYLIGHT part of a VTIMEZONE: from `start` (local wall time) the zone's offset is
    `offset_to` (it was `offset_from`) and its name `name`; `rule` is the yearly RRULE's BYMONTH and BYDAY
    when every year repeats the change, else None (the part is that one change)."""

    daylight: bool
    start: datetime
    offset_from: timedelta
    offset_to: timedelta
    name: str
    rule: tuple[int, str] | None = None

    def component(self) -> Component:
        """The part as content lines, in the order icalendar writes them (by name)."""
        lines = [
            content_line("DTSTART", f"{self.start:%Y%m%dT%H%M%S}"),
            content_line("TZOFFSETFROM", utc_offset(self.offset_from)),
            content_line("TZOFFSETTO", utc_offset(self.offset_to)),
        ]
        if self.name:
            lines.append(content_line("TZNAME", text(self.name)))
        if self.rule:
            month, day = self.rule
            lines.append(content_line("RRULE", f"FREQ=YEARLY;BYDAY={day};BYMONTH={month}"))
        return Component("DAYLIGHT" if self.daylight else "STANDARD", tuple(lines)).canonical()


def vtimezone(zone_name: str, first_year: int, last_year: int) -> Component:
    """The zone's VTIMEZONE for a calendar whose times fall in those years (see the module's text)."""
    parts = tuple(part.component() for part in zone_parts(zone_name, first_year, last_year))
    return Component("VTIMEZONE", (content_line("TZID", text(zone_name)),), parts)


def zone_parts(zone_name: str, first_year: int, last_year: int) -> tuple[ZonePart, ...]:
    """The STANDARD and DAYLIGHT parts (standard first) that describe the zone in those years: one part with
    a yearly rule for each kind of change that every year repeats alike, or one part per change; a zone
    with no change is one standard part from 1970."""
    zone = ZoneInfo(zone_name)
    transitions = [t for year in range(first_year, last_year + 1) for t in _transitions(zone, year)]
    if not transitions:
        moment = datetime(first_year, 1, 1, 12, tzinfo=zone)
        offset = moment.utcoffset()
        return (ZonePart(False, datetime(1970, 1, 1), offset, offset, moment.tzname() or ""),)
    parts: list[ZonePart] = []
    for daylight in (False, True):
        own = [t for t in transitions if t.daylight == daylight]
        if len({t.rule() for t in own}) == 1:
            first = own[0]
            month, weekday, week, *_ = first.rule()
            rule = (month, f"{week}{_DAYS[weekday]}")
            parts.append(ZonePart(daylight, first.local, first.offset_from, first.offset_to, first.name, rule))
        else:
            parts += [ZonePart(daylight, t.local, t.offset_from, t.offset_to, t.name) for t in own]
    return tuple(parts)


def utc_offset(offset: timedelta) -> str:
    """A UTC-OFFSET value as icalendar writes it: `+0100`, `-0330`, seconds only when there are some
    (`+001932`), a sign always (Google refuses `0000`)."""
    sign = "-" if offset < timedelta(0) else "+"
    seconds = int(abs(offset).total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02}{minutes:02}{seconds:02}" if seconds else f"{sign}{hours:02}{minutes:02}"


def _transitions(zone: ZoneInfo, year: int) -> list[_Transition]:
    """Every change of UTC offset in the year, found day by day and then to the minute."""
    found = []
    moment = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    step = timedelta(days=1)
    while moment < end:
        after = moment + step
        before_offset = moment.astimezone(zone).utcoffset()
        if after.astimezone(zone).utcoffset() != before_offset:
            low, high = moment, after
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == before_offset:
                    low = middle
                else:
                    high = middle
            changed = high.replace(second=0, microsecond=0).astimezone(zone)
            found.append(
                _Transition(
                    local=(high + before_offset).replace(tzinfo=None, second=0, microsecond=0),
                    offset_from=before_offset,
                    offset_to=changed.utcoffset(),
                    name=changed.tzname() or "",
                    daylight=bool(changed.dst()),
                )
            )
        moment = after
    return found
