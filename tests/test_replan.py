"""`replan`: the past frozen, the work left scheduled from --as-of, the person's entries carried over."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from conftest import CONTEXT, make_plan
from hypothesis import given, settings
from hypothesis import strategies as st

from exporter.errors import Origin
from exporter.model import TaskStatus
from exporter.planner import replan
from exporter.recorded import Progress, TaskProgress
from exporter.settings import build_request, layer

PREVIOUS = make_plan(start="2027-01-04", timezone="Europe/Berlin")
KEYS = [task.key for task in PREVIOUS.tasks]
EFFORT = {task.key: task.hours for task in PREVIOUS.tasks}


def _request(availability: str):
    values = {"start": "2027-01-04", "timezone": "Europe/Berlin", "availability": availability}
    return build_request(layer(values, Origin), CONTEXT)


_STATES = st.sampled_from([None, TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS, TaskStatus.DONE, TaskStatus.SKIPPED])


@settings(max_examples=60, deadline=None)
@given(
    states=st.lists(st.tuples(_STATES, st.integers(min_value=0, max_value=40)), min_size=len(KEYS), max_size=len(KEYS)),
    days=st.integers(min_value=0, max_value=300),
    availability=st.sampled_from(["mon-thu 19:00-21:00; sat 09:00-11:00", "sat 09:00-17:00", "tue,thu 06:00-07:30"]),
)
def test_replanning_keeps_the_past_and_schedules_exactly_the_work_left(states, days, availability):
    as_of = date(2027, 1, 4) + timedelta(days=days)
    tasks = {
        key: TaskProgress(key, status, None, float(hours) if hours else None, "", row)
        for row, (key, (status, hours)) in enumerate(zip(KEYS, states, strict=True), start=2)
    }
    recorded = Progress(tasks, (), {}, {}, {})
    request = _request(availability)
    planned = replan(PREVIOUS.pathway, request, PREVIOUS, recorded, as_of)
    cutoff = datetime.combine(as_of, time(0), tzinfo=ZoneInfo("Europe/Berlin"))
    past = [s for s in PREVIOUS.sessions if s.start < cutoff]
    assert list(planned.sessions[: len(past)]) == past, "past sessions are the same sessions"
    future = planned.sessions[len(past) :]
    assert all(s.start >= cutoff for s in future), "nothing new is scheduled before --as-of"
    for before, after in zip(planned.sessions, planned.sessions[1:], strict=False):
        assert before.end <= after.start, "sessions never overlap"
    windows = request.availability
    for session in future:
        local = session.start.astimezone(ZoneInfo("Europe/Berlin"))
        minutes = local.hour * 60 + local.minute
        assert any(w.start <= minutes < w.end for w in windows.on(local.weekday())), "inside a window"
    left = 0.0
    for key, (status, hours) in zip(KEYS, states, strict=True):
        if status in (TaskStatus.DONE, TaskStatus.SKIPPED):
            continue
        if status is TaskStatus.IN_PROGRESS and hours:
            left += max(0.25, EFFORT[key] - hours)
        else:
            left += EFFORT[key]
    assert abs(sum(s.hours for s in future) - left) < 1e-9, "future hours are the work left"
    assert planned.replanning.hours_left == left
    assert len({s.key for s in planned.sessions}) == len(planned.sessions), "session keys stay unique"
    assert {t.key for t in planned.tasks} == set(KEYS), "every task keeps a row"
