"""VTIMEZONE components generated from the IANA zone, in the form calendar programs read best.

Outlook, Google and Apple write a zone as one STANDARD and one DAYLIGHT component, each with a
yearly RRULE; some readers (Outlook desktop, dateutil's tzical under vobject) misread the RDATE
lists that icalendar's own generator writes. So: find the zone's transitions in the years the
plan covers, and if every year follows the same rule, write that rule; otherwise write each
transition as its own component.
"""

from __future__ import annotations

import calendar as monthdays
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

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


def vtimezone(zone_name: str, first_year: int, last_year: int) -> Timezone:
    zone = ZoneInfo(zone_name)
    component = Timezone()
    component.add("TZID", zone_name)
    transitions = [t for year in range(first_year, last_year + 1) for t in _transitions(zone, year)]
    if not transitions:
        moment = datetime(first_year, 1, 1, 12, tzinfo=zone)
        offset = moment.utcoffset()
        component.add_component(_part(False, datetime(1970, 1, 1), offset, offset, moment.tzname()))
        return component
    for daylight in (False, True):
        own = [t for t in transitions if t.daylight == daylight]
        if not own:
            continue
        if len({t.rule() for t in own}) == 1:
            first = own[0]
            month, weekday, week, *_ = first.rule()
            rrule = {"FREQ": "YEARLY", "BYMONTH": month, "BYDAY": f"{week}{_DAYS[weekday]}"}
            component.add_component(_part(daylight, first.local, first.offset_from, first.offset_to, first.name, rrule))
        else:
            for item in own:
                component.add_component(_part(daylight, item.local, item.offset_from, item.offset_to, item.name))
    return component


def _part(daylight, start, offset_from, offset_to, name, rrule=None):
    part = TimezoneDaylight() if daylight else TimezoneStandard()
    part.add("DTSTART", start)
    part.add("TZOFFSETFROM", offset_from)
    part.add("TZOFFSETTO", offset_to)
    if name:
        part.add("TZNAME", name)
    if rrule:
        part.add("RRULE", rrule)
    return part


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
