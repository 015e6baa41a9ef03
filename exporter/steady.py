"""The days on which a zone's clock runs steadily: what the planner and the calendar look up rather than
asking the zone, for every study window and every session time, whether its clock changes there.

A wall time whose two folds have different UTC offsets lies in a clock change's gap or repeated stretch;
on a steady day no wall time does, and the whole day (midnight to the next midnight, both included) has
one UTC offset, so wall time there is elapsed time.
"""

from __future__ import annotations

from datetime import MAXYEAR, date, datetime, time, tzinfo

from exporter.kept import Kept

_MIDNIGHTS = (time(0, fold=0), time(0, fold=1))
_STEADY: Kept[frozenset[date]] = Kept(64)


def steady_days(zone: tzinfo, year: int) -> frozenset[date]:
    """The days of `year` at whose midnight and next midnight `zone` has one UTC offset whatever the fold.

    On such a day every wall time reads once, with that offset: a clock change touching the day would move the
    offset between its midnights, or make a midnight's folds differ, unless the zone changed its clock twice
    within about a day (no zone of the zone database comes within four days; tests/test_steady.py checks the
    zones at every change). Made once per process for each zone (the object) and year."""
    key = (zone, year)
    found = _STEADY.get(key)
    if found is None:
        found = _STEADY.keep(key, _steady_days_of(zone, year))
    return found


def _steady_days_of(zone: tzinfo, year: int) -> frozenset[date]:
    if year >= MAXYEAR:  # the last day's next midnight is not a datetime: no day counts as steady
        return frozenset()
    first = date(year, 1, 1).toordinal()
    days = [date.fromordinal(ordinal) for ordinal in range(first, date(year + 1, 1, 1).toordinal() + 1)]
    offsets = [
        (datetime.combine(day, _MIDNIGHTS[0], zone).utcoffset(), datetime.combine(day, _MIDNIGHTS[1], zone).utcoffset())
        for day in days
    ]
    return frozenset(
        day
        for day, (early, late), (next_early, next_late) in zip(days, offsets, offsets[1:], strict=False)
        if early == late == next_early == next_late
    )
