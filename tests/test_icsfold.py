"""The calendar's own content lines and folding give exactly the bytes icalendar gives, and `parse` reads
what icalendar reads."""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import replace
from datetime import timedelta

import pytest
from conftest import CONTEXT, make_plan, render_format
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar, Event
from icalendar.parser import Contentline

from exporter.labels import catalogue
from exporter.view import PlanView
from exporter.writers import CalendarContent, WriterOptions, ics, icslines
from exporter.writers.icsfold import fold, fold_joined
from exporter.writers.icslines import Component, parse, serialise, text

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


_NAMES = st.lists(st.sampled_from([*list("Zoë Ø\\;,:\"^'é€😀 abc"), "\\N", "\\n"]), max_size=40).map("".join)
_ZONES = st.sampled_from(
    ["UTC", "Etc/UTC", "GMT", "America/New_York", "Australia/Lord_Howe", "Etc/GMT+5", "Asia/Kolkata"]
)


@settings(max_examples=12, deadline=None)
@given(
    name=_NAMES,
    zone=_ZONES,
    language=st.sampled_from(["en", "de", "pt-BR"]),
    reminder=st.sampled_from([None, 0, 15, 90, 1500]),
    content=st.sampled_from(list(CalendarContent)),
)
def test_calendars_are_the_bytes_icalendar_writes(name, zone, language, reminder, content):
    """icalendar reads each calendar the content-line writer makes and writes back exactly the same bytes:
    the same property order, parameters, escapes, values and folds as the library's own writer."""
    plan = make_plan(name=name.strip() or "Ana", timezone=zone, lang=language, availability="mon 19:00-21:00")
    context = replace(CONTEXT, labels=catalogue(plan.language))
    options = WriterOptions(calendar=content, reminder=reminder)
    data = render_format("ics", plan, options=options, context=context)["plan.ics"]
    assert Calendar.from_ical(data).to_ical() == data


def test_a_regenerated_calendar_is_the_bytes_icalendar_writes():
    """Stamped, changed, revived and cancelled events (read back by `parse`) are written as icalendar writes them."""
    first = render_format("ics", make_plan(name="Ana", availability="mon 19:00-20:00; thu 19:00-20:00"))["plan.ics"]
    moved = make_plan(name="Ana", availability="sat 09:00-13:00")
    later = replace(CONTEXT, build_time=CONTEXT.build_time + timedelta(days=3))
    second = render_format("ics", moved, options=WriterOptions(previous_calendars={"plan.ics": first}), context=later)
    data = second["plan.ics"]
    assert b"STATUS:CANCELLED" in data and b"SEQUENCE:1" in data
    assert Calendar.from_ical(data).to_ical() == data


def test_a_tab_in_the_pathways_text_keeps_the_calendar_regenerated_in_place():
    """Text may hold tabs (the writer keeps them); the calendar it replaces is still read back."""
    from exporter.loader import load_pathway

    builtin = load_pathway()
    tabbed = replace(builtin, phases=(replace(builtin.phases[0], title="Tab\there"), *builtin.phases[1:]))
    first = render_format("ics", make_plan(tabbed, name="Ana", availability="mon 19:00-20:00; thu 19:00-20:00"))
    moved = make_plan(tabbed, name="Ana", availability="sat 09:00-13:00")
    options = WriterOptions(previous_calendars={"plan.ics": first["plan.ics"]})
    data = render_format("ics", moved, options=options)["plan.ics"]
    assert b"Tab\there" in first["plan.ics"] and b"STATUS:CANCELLED" in data and b"SEQUENCE:1" in data


_PARAMETER_TEXT = st.text(alphabet="ab;:,é- ", max_size=12)  # what a parameter of ours may hold, and more
_LINE_TEXT = st.lists(st.sampled_from([*list('ab;:,"=é😀 \\^'), "\\n"]), max_size=90).map("".join)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_LINE_TEXT, _PARAMETER_TEXT), min_size=1, max_size=6))
def test_parse_reads_the_lines_icalendar_reads(properties):
    """`parse` reads a calendar icalendar wrote (quoted parameters, escapes, folds inside multi-byte
    characters) into the lines icalendar's own parser gives, and `serialise` writes it back unchanged."""
    calendar = Calendar()
    calendar.add("PRODID", "x")
    event = Event()
    for value, parameter in properties:
        parameter = parameter.strip()  # icalendar reads a parameter's edge spaces away
        event.add("X-TEXT", value, parameters={"X-P": parameter} if parameter else None)
    calendar.add_component(event)
    data = calendar.to_ical()
    ours = parse(data)
    assert ours is not None
    assert list(ours.lines()) == [line for line in Calendar.from_ical(data).content_lines() if line]
    assert serialise(ours) == data


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"BEGIN:VCALENDAR\r\nPRODID:x\r\n",
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VCALENDAR\r\n",
        b"BEGIN:VCALENDAR\r\nno colon here\r\nEND:VCALENDAR\r\n",
        b"BEGIN:VCALENDAR\r\nX-A:\x01\r\nEND:VCALENDAR\r\n",
        b"BEGIN:VCALENDAR\r\nX-A:\xff\r\nEND:VCALENDAR\r\n",
        b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
    ],
)
def test_parse_refuses_what_is_not_one_calendar(data):
    assert parse(data) is None


@settings(max_examples=12, deadline=None)
@given(
    name=_NAMES,
    zone=_ZONES,
    language=st.sampled_from(["en", "de", "pt-BR"]),
    reminder=st.sampled_from([None, 0, 15, 90, 1500]),
    content=st.sampled_from(list(CalendarContent)),
    new_calendar=st.booleans(),
)
def test_a_calendar_written_as_text_is_its_events_stamped(name, zone, language, reminder, content, new_calendar):
    """A calendar that replaces no event is written straight as folded text (`ics._fresh`); a regenerated one
    stamps each event as a component (`ics._stamped`, in `Component.canonical` order). Both ways give the same
    bytes: the text's events read back and stamped as new are written unchanged."""
    plan = make_plan(name=name.strip() or "Ana", timezone=zone, lang=language, availability="mon 19:00-21:00")
    context = replace(CONTEXT, labels=catalogue(plan.language))
    options = WriterOptions(calendar=content, reminder=reminder, new_calendar=new_calendar)
    data = render_format("ics", plan, options=options, context=context)["plan.ics"]
    calendar = parse(data)
    assert calendar is not None
    parts = tuple(
        ics._stamped(part, context.build_time, 0) if part.name == "VEVENT" else part for part in calendar.components
    )
    for part in parts:
        assert part.components == tuple(alarm.canonical() for alarm in part.components)
    assert serialise(Component(calendar.name, calendar.properties, parts)) == data
    assert calendar == calendar.canonical()


@settings(max_examples=10, deadline=None)
@given(
    name=_NAMES, zone=_ZONES, content=st.sampled_from(list(CalendarContent)), edition=st.booleans(), moved=st.booleans()
)
def test_a_calendar_run_again_is_what_stamping_gives(name, zone, content, edition, moved):
    """A calendar written again over one that differs only in its DTSTAMP lines is written straight as text
    (`ics.calendar_file`'s shortcut): the same bytes as stamping each event against the previous calendar;
    over one whose sessions moved, the stamping itself."""
    plan = make_plan(name=name.strip() or "Ana", timezone=zone, availability="mon 19:00-21:00")
    view = PlanView(plan, CONTEXT.labels)
    earlier = replace(CONTEXT, build_time=CONTEXT.build_time - timedelta(days=3))
    first = make_plan(name=name.strip() or "Ana", timezone=zone, availability="tue 18:00-21:00") if moved else plan
    previous = ics.calendar_file(PlanView(first, CONTEXT.labels), earlier, content, 15, new_calendar=edition)
    again = ics.calendar_file(view, CONTEXT, content, 15, previous)
    before = ics._previous(previous)
    assert before.events and (before.edition != "") == edition
    stamped = serialise(
        ics._merged(parse(ics._fresh(view, CONTEXT, content, 15, before.edition)), before, plan, CONTEXT.build_time)
    )
    assert again == stamped and again != previous


_DTSTAMP_LINE = re.compile(rb"^DTSTAMP:[^\r\n]*\r\n", re.M)


@functools.cache
def _short_calendar() -> bytes:
    plan = make_plan(name="Ana", availability="mon 19:00-20:00")
    return render_format("ics", plan)["plan.ics"]


_OLD, _NEW = b"20260101T000000Z", b"20260104T000000Z"
_INSERTED = st.lists(
    st.sampled_from([b"DTSTAMP:", b"X-A-DTSTAMP:", _OLD, _NEW, b"\r\n", b"\n", b"\r", b"x", b" "]), max_size=8
).map(b"".join)


@settings(max_examples=300, deadline=None)
@given(
    stamps=st.lists(st.sampled_from([_OLD, _NEW, b"", b"x\ny"]), min_size=1, max_size=4),
    inserted=st.tuples(_INSERTED, _INSERTED),
    place=st.tuples(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=10**6)),
)
def test_the_same_calendar_but_for_stamps_is_what_dropping_them_tells(stamps, inserted, place):
    """`ics._same_but_stamps` (the shortcut's test) says two calendars are the same only when they are the same
    without their DTSTAMP lines, and says so for a calendar written again at another time."""
    base = _DTSTAMP_LINE.sub(b"DTSTAMP:\x00\r\n", _short_calendar())
    lines = base.split(b"\r\n")

    def with_line(extra: bytes, at: int) -> bytes:
        at %= len(lines)
        return b"\r\n".join([*lines[:at], extra, *lines[at:]])

    fresh = with_line(inserted[0], place[0]).replace(b"\x00", _NEW)
    values = itertools.cycle(stamps)
    previous = re.sub(rb"\x00", lambda _: next(values), with_line(inserted[1], place[1]))
    if ics._same_but_stamps(fresh, previous, b"DTSTAMP:" + _NEW):
        assert _DTSTAMP_LINE.sub(b"", fresh) == _DTSTAMP_LINE.sub(b"", previous)
    written_again = base.replace(b"\x00", _OLD)
    assert ics._same_but_stamps(base.replace(b"\x00", _NEW), written_again, b"DTSTAMP:" + _NEW)


_TAIL = st.lists(st.sampled_from([*list("ab ;,\\^é"), "\\n", "\\,", "x" * 60]), max_size=40).map("".join)
_TAILS_FOLDED: dict[str, dict[int, str]] = {}


@settings(max_examples=400, deadline=None)
@given(
    head=st.lists(st.sampled_from([*list("ab\\^é"), "\\n", "DESCRIPTION;LANGUAGE=en:", "h" * 30]), max_size=20).map(
        "".join
    ),
    tail=st.sampled_from(["", "x" * 80, "\\" * 90, "y\\n" * 50, "é" * 10 + "z" * 70]) | _TAIL,
)
def test_a_line_folded_from_a_kept_tail_is_the_line_folded(head, tail):
    """`fold_joined` keeps the fold of a tail from each place a line's first part may end; the line is what
    `fold` gives for the whole, whatever the heads the same tail followed before."""
    folded = _TAILS_FOLDED.setdefault(tail, {})
    assert fold_joined(head, tail, folded) == fold(head + tail)


_DESCRIPTION_TEXT = st.lists(
    st.sampled_from([*list("ab N\\;,\t\n\r\x0b\x85\u2003é😀"), "\\N", "\r\n", "x" * 40]), max_size=30
).map("".join)


@settings(max_examples=400, deadline=None)
@given(heading=_DESCRIPTION_TEXT, body=_DESCRIPTION_TEXT, repeat=st.sampled_from([1, 2, 180, 400]))
def test_a_description_joined_from_its_parts_is_the_description(heading, body, repeat):
    """A session's DESCRIPTION line made from its heading and the rest escaped and folded apart (`ics._Heading`,
    `ics._DescriptionTail`) is the line of the whole description stripped, clipped, cleaned and escaped."""
    body *= repeat  # up to and past MAX_DESCRIPTION
    prefix = "DESCRIPTION;LANGUAGE=en:"
    whole = fold(prefix + text(ics._clip(ics._text((heading + body).strip()))))
    tail = ics._DescriptionTail.of(body)
    assert ics._description_line(prefix, ics._Heading.of(heading), tail) == whole
    assert ics._description_line(prefix, ics._Heading.of(heading), tail) == whole  # its folds kept


@settings(max_examples=100, deadline=None)
@given(item=st.text(max_size=20), edition=st.sampled_from(["", "20270101T120000Z"]), name=_NAMES)
def test_uids_of_one_calendar_are_each_items_uid(item, edition, name):
    """`ics._Uids` hashes the seed's common start once per calendar: the UIDs `ics.uid` gives."""
    plan = _uid_plan(name.strip() or "Ana")
    assert ics._Uids(plan, edition)(item) == ics.uid(plan, item, edition)


@functools.cache
def _uid_plan(name: str):
    return make_plan(name=name, availability="mon 19:00-20:00")


_LINE_PIECES = st.sampled_from([*list("AZaz09-;:=\"', \t"), "LANGUAGE", "TZID=", "é", "\\n"])


_LINE_NAME = st.sampled_from(["", "A", "DTSTART", "x-Y", "é", "A B"])
_PARAMETERS = st.lists(
    st.tuples(_LINE_NAME, st.sampled_from(["=", "", "=="]), st.text(alphabet='"a;:, é', max_size=5)).map(
        lambda parts: ";" + "".join(parts)
    ),
    max_size=2,
).map("".join)
_LINES = st.one_of(
    st.lists(_LINE_PIECES, max_size=14).map("".join),
    st.tuples(_LINE_NAME, _PARAMETERS, st.sampled_from([":", "", ";"]), st.text(alphabet='a:;"', max_size=3)).map(
        "".join
    ),
)


@settings(max_examples=500, deadline=None)
@given(_LINES)
def test_a_line_split_the_quick_way_is_the_line_split(line):
    """`icslines._split_line` takes a line with no parameter or one unquoted one apart in one match: what
    `split` gives, or the same ValueError."""
    try:
        expected = icslines.split(line)
    except ValueError:
        with pytest.raises(ValueError):
            icslines._split_line(line)
    else:
        assert icslines._split_line(line) == expected


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["\r\n", "\n", "\r", " ", "\t", "a", "\r\n ", "\r\n\t", "\n\n "]), max_size=20))
def test_a_text_unfolded_the_quick_way_is_the_text_unfolded(pieces):
    """`icslines._unfolded` takes folds out with a plain replace where the text allows: what the regular
    expression gives."""
    text_ = "".join(pieces)
    assert icslines._unfolded(text_) == icslines._UNFOLD.sub("", text_)


def test_parts_kept_for_other_plans_give_each_calendar_its_own_bytes():
    """A session's summary, categories and alarm are kept per process for the labels, reminder and tasks they
    are made from (`ics._shared_parts`), its resource lines for the labels and resources (`ics._resource_lines`),
    its tasks' first lines for the labels, tasks and phases (`ics._task_heading`) and a milestone's summary for its
    title and language (`ics._summary_line`): calendars of other languages, reminders, task and phase titles and
    resources made in any order are the bytes each gives made alone."""
    from exporter.loader import load_pathway
    from exporter.model import Resource

    builtin = load_pathway()
    first = builtin.phases[0]
    retitled = replace(
        builtin,
        phases=(replace(first, tasks=(replace(first.tasks[0], title="Other"), *first.tasks[1:])), *builtin.phases[1:]),
    )
    rephased = replace(builtin, phases=(replace(first, title="Another phase"), *builtin.phases[1:]))
    linked, unlinked = (
        replace(builtin, phases=(replace(first, resources=(Resource("Other", url),)), *builtin.phases[1:]))
        for url in ("https://example.org/other", "ftp://example.org/other")
    )
    cases = [
        (pathway, language, reminder)
        for pathway in (builtin, retitled, rephased, linked, unlinked)
        for language in ("en", "de")
        for reminder in (None, 15, 90)
    ]

    def calendar(pathway, language, reminder) -> bytes:
        plan = make_plan(pathway, name="Ana", lang=language, availability="mon 19:00-21:00")
        context = replace(CONTEXT, labels=catalogue(plan.language))
        return render_format("ics", plan, options=WriterOptions(reminder=reminder), context=context)["plan.ics"]

    alone = []
    for case in cases:
        ics._SHARED.clear()
        ics._RESOURCES.clear()
        ics._TASK_HEADINGS.clear()
        ics._SUMMARIES.clear()
        alone.append(calendar(*case))
    assert len(set(alone)) == len(cases)
    assert [calendar(*case) for case in cases] == alone
    assert [calendar(*case) for case in reversed(cases)] == alone[::-1]


_ESCAPED = st.lists(
    st.one_of(st.sampled_from([*list("\\;,\r\n\tNn é€😀"), "\\N", "\r\n", "\\\\"]), st.text(max_size=4)), max_size=40
).map("".join)


@settings(max_examples=400, deadline=None)
@given(_ESCAPED)
def test_text_escapes_as_the_library_escapes(value):
    """`text` leaves out the replacements with nothing to replace: the same text as icalendar's seven."""
    from icalendar import vText

    assert text(value) == vText(value).to_ical().decode("utf-8")


_CONTROLLED = st.lists(
    st.one_of(
        st.sampled_from([*"\x00\x07\x0b\x0c\r\x1b\x1f\x7f\x80\x9f\t\n \xa0\xad\u2028\u200b", "ab", "é", "😀"]),
        st.text(max_size=4),
    ),
    max_size=30,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(_CONTROLLED)
def test_calendar_text_loses_exactly_the_control_characters(value):
    """`_text` returns printable text as it is: the text the control characters' expression gives."""
    from exporter.controls import CONTROL

    assert ics._text(value) == CONTROL.sub(" ", value)
