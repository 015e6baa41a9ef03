"""Property tests: for random busy calendars, the plan keeps clear of busy time and its buffer, stays inside
the person's windows, leaves no slivers, and schedules every hour."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from conftest import CONTEXT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exporter.busytime import BusyRules, BusySource, BusyTime, merged_intervals
from exporter.errors import Origin
from exporter.model import Pathway, Phase, Task
from exporter.planner import plan
from exporter.settings import build_request, layer

START = date(2027, 1, 4)
PATHWAY = Pathway(
    "small",
    "Small",
    "A",
    "B",
    4,
    phases=(Phase(1, "One", 3, (Task("First", key="first"), Task("Second", key="second"))),),
)
AVAILABILITIES = (
    "mon 19:00-19:15; wed 18:00-21:00; sat 09:00-13:00",
    "mon-fri 18:00-20:30",
    "tue 07:00-08:00 19:00-22:00; sun 10:00-12:00",
    "mon-sun 00:00-24:00",
)

busy_events = st.lists(st.tuples(st.integers(0, 90), st.integers(0, 24 * 60 - 1), st.integers(1, 6 * 60)), max_size=40)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    events=busy_events,
    availability=st.sampled_from(AVAILABILITIES),
    zone=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York"]),
    buffer=st.integers(0, 90),
    minimum=st.integers(0, 120),
)
def test_sessions_keep_clear_of_busy_time_stay_in_windows_and_keep_every_hour(
    events, availability, zone, buffer, minimum
):
    local = ZoneInfo(zone)
    busy = [
        (start, start + timedelta(minutes=length))
        for day, minute, length in events
        for start in [datetime(2027, 1, 4, tzinfo=local) + timedelta(days=day, minutes=minute)]
    ]
    request = build_request(
        layer({"start": START.isoformat(), "timezone": zone, "availability": availability}, Origin), CONTEXT
    )
    rules = BusyRules(sources=(BusySource("calendar.ics"),), buffer=buffer, min_session=minimum)
    request = replace(request, busy=rules, busy_time=BusyTime(merged_intervals(busy, buffer), min_session=minimum))
    planned = plan(PATHWAY, request)
    pad = timedelta(minutes=buffer)
    for session in planned.sessions:
        for start, end in busy:
            first, last = (start - pad).timestamp(), (end + pad).timestamp()  # instants: wall clocks repeat
            assert not (session.start.timestamp() < last and session.end.timestamp() > first), (session, start, end)
    windows = request.availability
    for index, session in enumerate(planned.sessions):
        begin = session.start.hour * 60 + session.start.minute
        finish = session.end.hour * 60 + session.end.minute + 1440 * (session.end.date() - session.start.date()).days
        holding = [w for w in windows.on(session.start.weekday()) if w.start <= begin and finish <= w.end]
        assert holding, session
        last = index == len(planned.sessions) - 1
        assert finish - begin >= minimum or last or holding[0].minutes < minimum, session
    assert round(sum(session.hours for session in planned.sessions), 6) == planned.total_hours == 12
