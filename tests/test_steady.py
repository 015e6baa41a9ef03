"""Steady days (exporter.steady): on each one every wall time reads once, with the offset of its midnight; and
what the planner makes of them is what it makes by asking the zone at every window."""

import contextlib
import zoneinfo
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from conftest import make_plan
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_clock_changes import MINUTE, changes, pathway  # a zone's clock changes; a one-phase pathway

from exporter import planner
from exporter.availability import WEEKDAYS, clock
from exporter.steady import steady_days

UNUSUAL = [
    ("America/New_York", 2027),
    ("Europe/Berlin", 2027),
    ("Europe/Dublin", 2027),  # negative DST in the zone database
    ("Australia/Lord_Howe", 2027),  # half-hour changes
    ("America/Santiago", 2027),  # changes at midnight
    ("America/Havana", 2027),  # changes at midnight
    ("Asia/Gaza", 2040),  # changes a week apart
    ("Africa/Casablanca", 2027),  # four changes a year
    ("Antarctica/Troll", 2027),  # two-hour changes
    ("America/Nuuk", 2023),  # a change of standard offset
    ("Pacific/Apia", 2011),  # a whole day skipped
    ("Pacific/Chatham", 2027),  # changes at quarter to three
    ("Africa/Freetown", 1939),  # the zone database's closest changes, four days apart
]


def reads_steadily(day: date, minutes: int, zone: ZoneInfo) -> bool:
    """Whether the wall time `minutes` after the day's midnight has its midnight's offset in either fold."""
    wall = datetime.combine(day, time(0), zone) + timedelta(minutes=minutes)
    midnight = datetime.combine(day, time(0), zone).utcoffset()
    return wall.utcoffset() == wall.replace(fold=1).utcoffset() == midnight


@pytest.mark.parametrize(("timezone", "year"), UNUSUAL)
def test_no_wall_time_of_a_steady_day_is_in_a_gap_or_read_twice(timezone, year):
    zone = ZoneInfo(timezone)
    assert changes(timezone, year), "the year has clock changes to test"
    days = {
        (change + shift).astimezone(zone).date() + timedelta(days=step)
        for change in changes(timezone, year)
        for shift in (-MINUTE, timedelta(0))
        for step in (-1, 0, 1)
    }
    for day in sorted(days):
        if day in steady_days(zone, day.year):
            assert all(reads_steadily(day, minutes, zone) for minutes in range(1441)), day
    before = {(change - MINUTE).astimezone(zone).date() for change in changes(timezone, year)}
    assert not before & steady_days(zone, year), "the day whose clock reads the minute before a change is not steady"
    assert len(steady_days(zone, year)) >= 365 - 4 * len(changes(timezone, year)) - 1


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(sorted(zoneinfo.available_timezones())),
    st.dates(min_value=date(1970, 1, 1), max_value=date(2060, 12, 31)),
    st.integers(0, 1440),
)
def test_steady_days_of_any_zone_read_steadily(timezone, day, minutes):
    zone = ZoneInfo(timezone)
    near = [change.astimezone(zone).date() for change in changes(timezone, day.year)]
    for candidate in [day, *near]:  # the day drawn, and the days of the year's changes
        if candidate in steady_days(zone, candidate.year):
            assert reads_steadily(candidate, minutes, zone), (candidate, minutes)


# ---- the planner on steady days and elsewhere -------------------------------------------------

TASKS = ("Study", "Practise")


@st.composite
def plans_near_changes(draw):
    """A zone, a start up to a few weeks before one of its changes, windows (some to midnight, some around
    the change on its weekday) and an effort."""
    timezone, year = draw(st.sampled_from(UNUSUAL[:10]))
    change = draw(st.sampled_from(changes(timezone, year)))
    before = (change - MINUTE).astimezone(ZoneInfo(timezone))
    start = before.date() - timedelta(days=draw(st.integers(0, 30)))
    near = (before.hour * 60 + before.minute) // 15
    days = []
    for weekday in sorted(draw(st.sets(st.integers(0, 6), min_size=1, max_size=4)) | {before.weekday()}):
        low, high = (max(0, near - 12), min(96, near + 12)) if weekday == before.weekday() else (0, 96)
        cuts = sorted(draw(st.sets(st.integers(low, high), min_size=2, max_size=4)))
        windows = " ".join(
            f"{clock(first * 15)}-{clock(last * 15)}" for first, last in zip(cuts[::2], cuts[1::2], strict=False)
        )
        days.append(f"{WEEKDAYS[weekday]} {windows}")
    return timezone, start, "; ".join(days), draw(st.integers(2, 400))


def sessions_of(planned):
    """Every session as fields: wall times, folds and zones, tasks, key, hours."""
    return [
        (
            session.start.replace(tzinfo=None),
            session.start.fold,
            session.start.tzinfo,
            session.end.replace(tzinfo=None),
            session.end.fold,
            session.end.tzinfo,
            session.task_keys,
            session.key,
            session.hours,
        )
        for session in planned.sessions
    ]


@contextlib.contextmanager
def no_steady_days():
    """A context in which the planner knows no steady day: it asks the zone at every window."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(planner, "steady_days", lambda zone, year: frozenset())
        yield


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=plans_near_changes())
def test_plans_are_the_same_with_the_zone_asked_at_every_window(case):
    timezone, start, availability, quarters = case
    made = make_plan(pathway(quarters, TASKS), start=start.isoformat(), timezone=timezone, availability=availability)
    with no_steady_days():
        asked = make_plan(
            pathway(quarters, TASKS), start=start.isoformat(), timezone=timezone, availability=availability
        )
    assert sessions_of(made) == sessions_of(asked)
    assert made == asked
