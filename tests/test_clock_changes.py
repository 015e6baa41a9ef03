"""Sessions on the nights the clocks change hold the time that really passes inside their windows.

Spring forward: the wall clock skips a stretch (the gap), so a window ending in the gap ends when the clock
jumps, one starting in the gap starts when the clock resumes, and one wholly inside it holds nothing.
Fall back: the wall clock shows a stretch twice (the overlap), and a window holds every instant whose wall
time lies inside it: from the first occurrence of its start to the last occurrence of its end, leaving out
the instants in between whose clock reads outside it.
"""

import functools
import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from conftest import make_plan, render_one
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exporter.availability import WEEKDAYS, Window, clock
from exporter.loader import parse_pathway

MINUTE = timedelta(minutes=1)
QUARTER = timedelta(minutes=15)
TICK = timedelta(microseconds=1)


def pathway(quarters: int, tasks: tuple[str, ...] = ("Study",)):
    """One phase of one week holding tasks of these titles, of the given effort in all."""
    listed = "".join(f'[[phases.tasks]]\ntitle = "{title}"\n' for title in tasks)
    return parse_pathway(
        f"""
id = "clock-change"
title = "Clock change"
from_role = "A"
to_role = "B"
hours_per_week = {quarters / 4}

[[phases]]
number = 1
title = "Only"
weeks = 1
{listed}""",
        "test",
    )


def night(timezone: str, day: str, availability: str, hours: float = 20) -> list[tuple[str, str, float]]:
    """(start, end, hours) of the sessions starting on the day, for a plan that starts that day."""
    plan = make_plan(pathway(round(hours * 4)), start=day, timezone=timezone, availability=availability)
    assert sum(session.hours for session in plan.sessions) == hours
    on_day = date.fromisoformat(day)
    return [(s.start.isoformat(), s.end.isoformat(), s.hours) for s in plan.sessions if s.start.date() == on_day]


# ---- pinned nights ------------------------------------------------------------------------


def test_new_york_window_ending_in_the_gap_ends_when_the_clock_jumps():
    # 14 March 2027: 02:00 EST becomes 03:00 EDT; 00:00-02:45 holds only 00:00-02:00 EST.
    assert night("America/New_York", "2027-03-14", "sun 00:00-02:45") == [
        ("2027-03-14T00:00:00-05:00", "2027-03-14T03:00:00-04:00", 2.0)
    ]
    later = make_plan(pathway(80), start="2027-03-21", timezone="America/New_York", availability="sun 00:00-02:45")
    assert later.sessions[0].hours == 2.75  # an ordinary night keeps the whole window


def test_new_york_window_starting_in_the_gap_starts_when_the_clock_resumes():
    assert night("America/New_York", "2027-03-14", "sun 02:30-03:30") == [
        ("2027-03-14T03:00:00-04:00", "2027-03-14T03:30:00-04:00", 0.5)
    ]


def test_new_york_window_across_the_fall_back_holds_the_repeated_hour_twice():
    # 7 November 2027: 02:00 EDT becomes 01:00 EST.
    assert night("America/New_York", "2027-11-07", "sun 00:00-03:00") == [
        ("2027-11-07T00:00:00-04:00", "2027-11-07T03:00:00-05:00", 4.0)
    ]


def test_a_session_ending_in_the_repeated_hour_is_credited_its_elapsed_time():
    assert night("America/New_York", "2027-11-07", "sun 00:00-03:00", hours=1.75) == [
        ("2027-11-07T00:00:00-04:00", "2027-11-07T01:45:00-04:00", 1.75)
    ]
    assert night("America/New_York", "2027-11-07", "sun 00:00-03:00", hours=2.5) == [
        ("2027-11-07T00:00:00-04:00", "2027-11-07T01:30:00-05:00", 2.5)
    ]


def test_windows_ending_and_starting_in_the_repeated_hour_take_turns():
    # 00:30-01:30 holds 00:30-01:30 EDT and 01:00-01:30 EST; 01:30-02:30 holds the half hours in between.
    assert night("America/New_York", "2027-11-07", "sun 00:30-01:30 01:30-02:30") == [
        ("2027-11-07T00:30:00-04:00", "2027-11-07T01:30:00-04:00", 1.0),
        ("2027-11-07T01:30:00-04:00", "2027-11-07T01:00:00-05:00", 0.5),
        ("2027-11-07T01:00:00-05:00", "2027-11-07T01:30:00-05:00", 0.5),
        ("2027-11-07T01:30:00-05:00", "2027-11-07T02:30:00-05:00", 1.0),
    ]


def test_berlin_spring_forward():
    # 28 March 2027: 02:00 CET becomes 03:00 CEST.
    assert night("Europe/Berlin", "2027-03-28", "sun 01:00-02:30") == [
        ("2027-03-28T01:00:00+01:00", "2027-03-28T03:00:00+02:00", 1.0)
    ]
    assert night("Europe/Berlin", "2027-03-28", "sun 02:30-04:00") == [
        ("2027-03-28T03:00:00+02:00", "2027-03-28T04:00:00+02:00", 1.0)
    ]


def test_berlin_fall_back():
    # 31 October 2027: 03:00 CEST becomes 02:00 CET.
    assert night("Europe/Berlin", "2027-10-31", "sun 02:30-04:00") == [
        ("2027-10-31T02:30:00+02:00", "2027-10-31T02:00:00+01:00", 0.5),
        ("2027-10-31T02:30:00+01:00", "2027-10-31T04:00:00+01:00", 1.5),
    ]
    assert night("Europe/Berlin", "2027-10-31", "sun 01:00-03:00") == [
        ("2027-10-31T01:00:00+02:00", "2027-10-31T03:00:00+01:00", 3.0)
    ]


@pytest.mark.parametrize(
    ("timezone", "day", "availability", "next_session"),
    [
        ("America/New_York", "2027-03-14", "sun 02:00-03:00", "2027-03-21T02:00:00-04:00"),
        ("Europe/Berlin", "2027-03-28", "sun 02:00-02:45", "2027-04-04T02:00:00+02:00"),
        ("Australia/Lord_Howe", "2027-10-03", "sun 02:00-02:30", "2027-10-10T02:00:00+11:00"),
    ],
)
def test_a_window_wholly_inside_the_gap_holds_nothing_that_night(timezone, day, availability, next_session):
    assert night(timezone, day, availability) == []
    plan = make_plan(pathway(80), start=day, timezone=timezone, availability=availability)
    assert plan.sessions[0].start.isoformat() == next_session


def test_lord_howe_half_hour_spring_forward():
    # 3 October 2027: 02:00 (+10:30) becomes 02:30 (+11:00).
    assert night("Australia/Lord_Howe", "2027-10-03", "sun 01:00-02:15") == [
        ("2027-10-03T01:00:00+10:30", "2027-10-03T02:30:00+11:00", 1.0)
    ]
    assert night("Australia/Lord_Howe", "2027-10-03", "sun 02:15-03:00") == [
        ("2027-10-03T02:30:00+11:00", "2027-10-03T03:00:00+11:00", 0.5)
    ]


def test_lord_howe_half_hour_fall_back():
    # 4 April 2027: 02:00 (+11:00) becomes 01:30 (+10:30).
    assert night("Australia/Lord_Howe", "2027-04-04", "sun 01:00-02:00") == [
        ("2027-04-04T01:00:00+11:00", "2027-04-04T02:00:00+10:30", 1.5)
    ]
    assert night("Australia/Lord_Howe", "2027-04-04", "sun 01:45-03:00") == [
        ("2027-04-04T01:45:00+11:00", "2027-04-04T01:30:00+10:30", 0.25),
        ("2027-04-04T01:45:00+10:30", "2027-04-04T03:00:00+10:30", 1.25),
    ]


def test_santiago_changes_at_midnight():
    # 3 April 2027: Saturday 24:00 (-03) becomes 23:00 (-04); 4 September 2027: 24:00 (-04) becomes 01:00 (-03).
    assert night("America/Santiago", "2027-04-03", "sat 23:00-24:00") == [
        ("2027-04-03T23:00:00-03:00", "2027-04-04T00:00:00-04:00", 2.0)
    ]
    assert night("America/Santiago", "2027-09-04", "sat 23:00-24:00") == [
        ("2027-09-04T23:00:00-04:00", "2027-09-05T01:00:00-03:00", 1.0)
    ]
    assert night("America/Santiago", "2027-09-05", "sun 00:00-02:00") == [
        ("2027-09-05T01:00:00-03:00", "2027-09-05T02:00:00-03:00", 1.0)
    ]


# ---- property tests -------------------------------------------------------------------------

ZONES = ["America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "America/Santiago", "Pacific/Chatham"]


@functools.cache
def changes(timezone: str, year: int) -> tuple[datetime, ...]:
    """The instants (UTC) at which the zone's clocks change during the year."""
    zone = ZoneInfo(timezone)
    found = []
    moment, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    while moment < end:
        offset = moment.astimezone(zone).utcoffset()
        if (moment + timedelta(hours=1)).astimezone(zone).utcoffset() != offset:
            change = moment
            while change.astimezone(zone).utcoffset() == offset:
                change += MINUTE
            found.append(change)
        moment += timedelta(hours=1)
    return tuple(found)


def wall(moment: datetime, day: date, zone: ZoneInfo) -> float:
    """The moment's wall-clock reading in minutes from the day's midnight (24:00 is 1440)."""
    local = moment.astimezone(zone)
    return (
        (local.date() - day).days * 1440 + local.hour * 60 + local.minute + local.second / 60 + local.microsecond / 6e7
    )


@st.composite
def clock_change_nights(draw):
    """A zone, one of its clock changes, windows around it on the days it touches, and an effort."""
    timezone = draw(st.sampled_from(ZONES))
    change = draw(st.sampled_from(changes(timezone, draw(st.integers(2026, 2030)))))
    zone = ZoneInfo(timezone)
    before, after = (change - TICK).astimezone(zone), change.astimezone(zone)
    centres: dict[date, list[int]] = {}
    centres.setdefault(before.date(), []).append(before.hour * 60 + before.minute + 1)
    centres.setdefault(after.date(), []).append(after.hour * 60 + after.minute)
    windows: list[Window] = []
    for day, near in centres.items():
        low, high = max(0, min(near) - 180) // 15, min(1440, max(near) + 180) // 15
        cuts = sorted(draw(st.sets(st.integers(low, high), min_size=2, max_size=5)))
        keep = [draw(st.booleans()) for _ in cuts[1:]]
        pairs = [pair for pair, kept in zip(itertools.pairwise(cuts), keep, strict=True) if kept] or [cuts[:2]]
        windows.extend(Window(day.weekday(), first * 15, last * 15) for first, last in pairs)
    return timezone, min(centres), sorted(centres), windows, draw(st.integers(1, 160))


def availability_text(windows: list[Window]) -> str:
    days = sorted({window.weekday for window in windows})
    return "; ".join(
        WEEKDAYS[day] + " " + " ".join(f"{clock(w.start)}-{clock(w.end)}" for w in windows if w.weekday == day)
        for day in days
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=clock_change_nights())
def test_sessions_hold_exactly_the_time_whose_wall_clock_is_in_a_window(case):
    timezone, start, days, windows, quarters = case
    zone = ZoneInfo(timezone)
    plan = make_plan(
        pathway(quarters), start=start.isoformat(), timezone=timezone, availability=availability_text(windows)
    )
    sessions = plan.sessions

    assert sum(session.hours for session in sessions) == quarters / 4
    for before, after in itertools.pairwise(sessions):
        assert before.end.astimezone(UTC) <= after.start.astimezone(UTC)
    for session in sessions:
        begin, end = session.start.astimezone(UTC), session.end.astimezone(UTC)
        assert session.hours == (end - begin).total_seconds() / 3600
        assert session.hours > 0 and (end - begin) % QUARTER == timedelta(0)
        day = session.start.date()
        at_start = wall(begin, day, zone)
        window = next(w for w in windows if w.weekday == day.weekday() and w.start <= at_start < w.end)
        # Its end reads inside the window too, unless the clock changes right then (the gap's or overlap's edge).
        clock_changes_at_end = (end - TICK).astimezone(zone).utcoffset() != end.astimezone(zone).utcoffset()
        assert window.start < wall(end, day, zone) <= window.end or clock_changes_at_end
        # Every instant of it reads inside the window: the clocks change only on quarter hours.
        for index in range((end - begin) // QUARTER):
            first = begin + index * QUARTER
            assert window.start <= wall(first, day, zone) and wall(first + QUARTER - TICK, day, zone) < window.end

    # On the clock-change night the plan takes, in time order, the instants whose wall clock is in a window.
    first_midnight = datetime.combine(days[0], datetime.min.time(), tzinfo=UTC)
    readable = [
        moment
        for moment in (first_midnight - timedelta(days=1) + index * MINUTE for index in range(4 * 1440))
        if (local := moment.astimezone(zone)).date() in days
        and any(w.weekday == local.weekday() and w.start <= wall(moment, local.date(), zone) < w.end for w in windows)
    ]
    taken = [
        session.start.astimezone(UTC) + index * MINUTE
        for session in sessions
        if session.start.date() in days
        for index in range(round(session.hours * 60))
    ]
    assert taken == readable[: quarters * 15]


def test_calendar_keeps_sessions_in_the_repeated_hour_apart():
    """Sessions on a fall-back night are written so every reader puts them where the plan does."""
    plan = make_plan(
        pathway(4 * 3),
        start="2027-11-01",
        availability="sun 00:30-01:30",
        timezone="America/New_York",
    )
    calendar = icalendar.Calendar.from_ical(render_one("ics", plan))
    events = [e for e in calendar.walk("VEVENT") if isinstance(e["DTSTART"].dt, datetime)]
    read = sorted((e["DTSTART"].dt.timestamp(), e["DTEND"].dt.timestamp()) for e in events)
    assert read == sorted((s.start.timestamp(), s.end.timestamp()) for s in plan.sessions)
    assert all(start < end for start, end in read)
