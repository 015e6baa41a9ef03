"""The plan inputs' session rows, made without `datetime.replace` for the local end."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from exporter.plan import Session
from exporter.tracker import SESSION_END_COLUMN, session_rows

ZONES = st.sampled_from([ZoneInfo(name) for name in ("Europe/Berlin", "America/New_York", "Australia/Lord_Howe")])
MOMENTS = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2040, 12, 31), timezones=ZONES)


@settings(max_examples=300, deadline=None)
@given(MOMENTS, st.integers(0, 1), st.integers(1, 600))
def test_session_end_is_its_wall_time(start, fold, minutes):
    """The local end is `end.replace(tzinfo=None)`: same fields and fold (an hour repeated at a DST change
    keeps which of the two it is), and no zone; the other columns as the session gives them."""
    end = (start + timedelta(minutes=minutes)).replace(fold=fold)
    session = Session(start, end, ("a", "b"), "a/1")
    (row,) = session_rows(SimpleNamespace(sessions=[session]))
    local = row[SESSION_END_COLUMN - 1]
    expected = end.replace(tzinfo=None)
    assert (local, local.fold, local.tzinfo) == (expected, expected.fold, None)
    assert row == ("session", "a/1", start.isoformat(), end.isoformat(), "a b", expected, session.hours)
