"""The calendar's own line folding gives exactly the bytes icalendar's folding gives."""

from __future__ import annotations

from conftest import CONTEXT, make_plan
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar.parser import Contentline

from exporter.labels import ENGLISH
from exporter.view import PlanView
from exporter.writers import CalendarContent
from exporter.writers.ics import calendar_component
from exporter.writers.icsfold import fold, serialise

_TRICKY = st.sampled_from([*list('\\^;,:"abcXYZ 09é€😀\t'), "\\n", "\\,", "\\;", "^n", "^^"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_TRICKY, st.text(min_size=1, max_size=8)), max_size=80).map("".join))
def test_fold_is_the_library_fold(text):
    line = ("DESCRIPTION:" + text).replace("\n", " ").replace("\r", " ")
    assert fold(line).encode("utf-8") == Contentline(line).to_ical()


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=60, max_value=240), st.sampled_from(["\\", "^", "a", "é"]))
def test_escapes_at_every_fold_position(length, char):
    for position in range(60, length):
        line = "SUMMARY:" + "x" * position + char + "y" * (length - position)
        assert fold(line).encode("utf-8") == Contentline(line).to_ical()


def test_whole_calendars_are_the_library_bytes():
    plan = make_plan(name="Zoë " * 30)
    view = PlanView(plan, ENGLISH)
    for content in CalendarContent:
        calendar = calendar_component(view, CONTEXT, content, 15)
        assert serialise(calendar) == calendar.to_ical()
