"""The hand-written reading of common busy events (`exporter.busyfast`) against icalendar and
recurring-ical-events: over generated calendars both give the same busy time, the same warnings and the
same problems; a long export of plain events and weekly meetings is read without importing either library."""

from __future__ import annotations

import runpy
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import FIXTURES
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from exporter.busy import Expansion, read_calendars
from exporter.busyfast import read_event, zone_named
from exporter.busytime import BusyRules, BusySource, Tentative
from exporter.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
FIRST = date(2027, 3, 1)
LIBRARY = ";X-LIBRARY=1"
"""A parameter the fast path does not read and icalendar ignores: the same event, read by the libraries."""
ZONES = ["America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kolkata", "UTC", "Z"]
"""Clocks change on 14 March (New York), 28 March (Berlin) and 4 April (Lord Howe, by half an hour)."""
DAYS = [date(2027, 3, 14), date(2027, 3, 28), date(2027, 4, 4), date(2027, 2, 27), date(2027, 3, 1)]
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def _time(moment: datetime, zone: str) -> str:
    """A DATE-TIME property's parameters and value: `;TZID=zone:...` or `:...Z`."""
    if zone == "Z":
        return f":{moment:%Y%m%dT%H%M%S}Z"
    return f";TZID={zone}:{moment:%Y%m%dT%H%M%S}"


@st.composite
def events(draw, number: int) -> list[str]:
    """One event's lines: timed (in a zone, or UTC) or all day, an end as DTEND (maybe in another zone) or
    DURATION, maybe a daily or weekly RRULE with INTERVAL, COUNT, UNTIL or BYDAY, EXDATEs on its own
    occurrences (in its zone, another, UTC, or as days) or elsewhere, and what says whether it blocks."""
    all_day = draw(st.booleans())
    zone = draw(st.sampled_from(ZONES))
    day = draw(st.sampled_from(DAYS)) + timedelta(days=draw(st.integers(-40, 40)) * draw(st.sampled_from([0, 1])))
    start = datetime.combine(day, datetime.min.time()) + timedelta(minutes=15 * draw(st.integers(0, 95)))
    minutes = draw(st.sampled_from([15, 30, 45, 60, 90, 150, 24 * 60, 26 * 60, 0, -60]))
    lines = ["BEGIN:VEVENT", f"UID:event-{number}@test"]
    if all_day:
        days = draw(st.integers(0, 4))
        lines.append(f"DTSTART;VALUE=DATE:{day:%Y%m%d}")
        if draw(st.booleans()):
            lines.append(f"DTEND;VALUE=DATE:{day + timedelta(days=days):%Y%m%d}")
        else:
            lines.append(f"DURATION:P{days}D")
    else:
        lines.append("DTSTART" + _time(start, zone))
        end_zone = draw(st.sampled_from([zone, zone, *ZONES]))
        if end_zone == "duration":
            lines.append(f"DURATION:PT{minutes}M")
        elif draw(st.booleans()):
            lines.append(f"DURATION:PT{max(minutes, 0)}M" if minutes % 60 else f"DURATION:PT{minutes // 60}H")
        else:
            lines.append("DTEND" + _time(start + timedelta(minutes=minutes), end_zone))
    frequency = draw(st.sampled_from([None, "DAILY", "WEEKLY", "WEEKLY"]))
    if frequency:
        step = draw(st.integers(1, 3))
        rule = f"RRULE:FREQ={frequency}"
        rule += f";INTERVAL={step}" if step > 1 or draw(st.booleans()) else ""
        limit = draw(st.sampled_from(["", "count", "until", "until"]))
        if limit == "count":
            rule += f";COUNT={draw(st.integers(1, 12))}"
        elif limit == "until":
            last = start + timedelta(days=draw(st.integers(-2, 60)), minutes=15 * draw(st.integers(-8, 8)))
            rule += f";UNTIL={last:%Y%m%d}" if all_day else f";UNTIL={last:%Y%m%dT%H%M%S}Z"
        if frequency == "WEEKLY" and step == 1 and draw(st.booleans()):
            rule += ";BYDAY=" + ",".join(draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=3, unique=True)))
        if draw(st.booleans()):
            rule += ";WKST=SU"
        lines.append(rule)
        for _ in range(draw(st.integers(0, 3))):
            skipped = start + timedelta(days=draw(st.integers(0, 30)) * (1 if frequency == "DAILY" else 7))
            skipped += timedelta(minutes=draw(st.sampled_from([0, 0, 0, 60, -30])))
            if all_day:
                lines.append(f"EXDATE;VALUE=DATE:{skipped:%Y%m%d}")
            else:
                other = draw(st.sampled_from([zone, *ZONES]))
                moment = skipped.replace(tzinfo=ZoneInfo("UTC" if zone == "Z" else zone))
                local = moment.astimezone(ZoneInfo("UTC" if other == "Z" else other)).replace(tzinfo=None)
                lines.append("EXDATE" + _time(draw(st.sampled_from([local, skipped])), other))
    lines += draw(
        st.sampled_from(
            [
                [],
                [],
                ["STATUS:CANCELLED"],
                ["STATUS:TENTATIVE"],
                ["TRANSP:TRANSPARENT"],
                ["X-MICROSOFT-CDO-BUSYSTATUS:OOF"],
                ["X-MICROSOFT-CDO-BUSYSTATUS:FREE"],
                ["STATUS:CONFIRMED", "TRANSP:OPAQUE", "SEQUENCE:2"],
            ]
        )
    )
    lines += ["SUMMARY:Private meeting", "END:VEVENT"]
    return lines


@st.composite
def calendars(draw) -> list[list[str]]:
    count = draw(st.integers(1, 4))
    return [draw(events(number)) for number in range(count)]


def _text(found: list[list[str]], calendar_zone: str | None, library: bool) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//tests//fast//EN"]
    if calendar_zone:
        lines.append(f"X-WR-TIMEZONE:{calendar_zone}")
    for lines_of_event in found:
        for line in lines_of_event:
            lines.append(line.replace("DTSTART", "DTSTART" + LIBRARY, 1) if library else line)
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def _busy_time(path: Path, rules: BusyRules, zone: str, until: date, middle: date | None = None):
    """What the module makes of the calendar at `path`: the calendars read, the busy time up to `until` (first
    up to `middle`, as a plan that grows asks for it), every interval found (a set: the libraries give an
    occurrence on a boundary of their quarters twice) and the warnings; or the problems."""
    try:
        calendars, warnings = read_calendars(rules, zone, FIRST)
        expansion = Expansion(calendars, rules, zone, FIRST)
        expansion.to(middle or until)
        busy = expansion.to(until)
    except InputError as err:
        return None, [problem.message for problem in err.problems]
    found = {interval for intervals in expansion.found for interval in intervals}
    return calendars, (busy.intervals, found, [*warnings, *expansion.warnings])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    found=calendars(),
    calendar_zone=st.sampled_from([None, None, "America/New_York", "Asia/Tokyo"]),
    zone=st.sampled_from(["Europe/Berlin", "America/New_York", "UTC", "Australia/Lord_Howe"]),
    all_day=st.booleans(),
    tentative=st.sampled_from(Tentative),
    until=st.integers(0, 90).map(lambda days: date(2027, 3, 5) + timedelta(days=days)),
    middle=st.integers(0, 90),
)
def test_the_fast_path_gives_exactly_what_the_libraries_give(
    tmp_path_factory, found, calendar_zone, zone, all_day, tentative, until, middle
):
    path = tmp_path_factory.mktemp("fast") / "calendar.ics"
    rules = BusyRules(sources=(BusySource(str(path)),), all_day=all_day, tentative=tentative)
    path.write_text(_text(found, calendar_zone, library=True), encoding="utf-8")
    middle = min(until, FIRST + timedelta(days=middle))
    library, expected = _busy_time(path, rules, zone, until, middle)
    path.write_text(_text(found, calendar_zone, library=False), encoding="utf-8")
    fast, got = _busy_time(path, rules, zone, until, middle)
    assert got == expected
    if library is not None:
        assert not library[0].series and not any(single.event for single in library[0].singles)
        read_here = len(fast[0].series) + sum(1 for single in fast[0].singles if single.event)
        event(f"events read by the fast path: {read_here} of {len(found)}")


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=events(0),
    calendar_zone=st.sampled_from([None, "America/New_York", "Asia/Tokyo"]),
    zone=st.sampled_from(["Europe/Berlin", "America/New_York", "UTC", "Australia/Lord_Howe"]),
    begin=st.integers(-60 * 24 * 4, 60 * 24 * 60),
    length=st.integers(0, 60 * 24 * 30),
)
def test_a_repeating_event_has_the_occurrences_recurring_ical_events_gives_in_any_span(
    lines, calendar_zone, zone, begin, length
):
    """Spans that begin and end at any minute, in the person's zone (the busy time is asked for by days)."""
    import icalendar
    import recurring_ical_events

    event(f"repeats: {any(line.startswith('RRULE') for line in lines)}")
    fast = read_event([line for line in lines if not line.startswith("SUMMARY")], zone_named(calendar_zone or ""))
    assume(fast is not None and fast.repetition is not None)
    calendar = icalendar.Calendar.from_ical(_text([lines], calendar_zone, library=False))
    span_start = datetime(2027, 3, 1, tzinfo=ZoneInfo(zone)) + timedelta(minutes=begin)
    span_stop = span_start + timedelta(minutes=length)
    expected = {
        (occurrence["DTSTART"].dt, occurrence["DTEND"].dt)
        for occurrence in recurring_ical_events.of(calendar).between(span_start, span_stop)
    }
    assert set(fast.between(span_start, span_stop)) == expected


def test_a_long_export_of_plain_events_and_weekly_meetings_is_read_without_the_libraries(tmp_path):
    benchmark = runpy.run_path(str(ROOT / "benchmarks" / "run.py"))
    calendar = tmp_path / "busy.ics"
    benchmark["write_busy_calendar"](calendar)
    script = (
        "import sys; from datetime import date; from exporter.busy import Expansion, read_calendars;"
        "from exporter.busytime import BusyRules, BusySource;"
        f"rules = BusyRules(sources=(BusySource({str(calendar)!r}),));"
        "calendars, warnings = read_calendars(rules, 'America/New_York', date(2027, 1, 4));"
        "busy = Expansion(calendars, rules, 'America/New_York', date(2027, 1, 4)).to(date(2028, 12, 31));"
        "print(len(busy.intervals), warnings, 'icalendar' in sys.modules, 'recurring_ical_events' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    count, warnings, icalendar, recurring = result.stdout.split()
    assert int(count) > 1500 and warnings == "()" and icalendar == recurring == "False"


@pytest.mark.parametrize(
    ("lines", "fast"),
    [
        (["DTSTART;TZID=Europe/Berlin:20270301T180000", "DTEND;TZID=Europe/Berlin:20270301T190000"], True),
        (["DTSTART:20270301T170000Z", "DURATION:PT1H", "RRULE:FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20270401T000000Z"], True),
        (["DTSTART;VALUE=DATE:20270301", "DTEND;VALUE=DATE:20270303", "RRULE:FREQ=DAILY;COUNT=3"], True),
        (["DTSTART:20270301T180000", "DTEND:20270301T190000"], False),  # floating
        (["DTSTART;TZID=W. Europe Standard Time:20270301T180000", "DURATION:PT1H"], False),  # Windows
        (["DTSTART;TZID=Europe/Berlin:20270301T180000", "DURATION:PT1H", "RDATE:20270310T170000Z"], False),
        (["DTSTART;TZID=Europe/Berlin:20270301T180000", "DURATION:PT1H", "RRULE:FREQ=MONTHLY"], False),
        (["DTSTART;TZID=Europe/Berlin:20270301T180000", "DURATION:PT1H", "RRULE:FREQ=WEEKLY;UNTIL=20270401"], False),
        (["DTSTART;TZID=Europe/Berlin:20270301T180000", "DTEND;TZID=Europe/Berlin:20270301T180000"], False),
        (["DTSTART;TZID=Europe/Berlin:20270301T180000"], False),  # no end
        (["DTSTART;VALUE=DATE:20270301", "DTEND;TZID=Europe/Berlin:20270301T180000"], False),
    ],
)
def test_only_the_shapes_it_reads_take_the_fast_path(lines, fast):
    assert (read_event(["BEGIN:VEVENT", *lines, "END:VEVENT"], None) is not None) is fast


def test_every_fixture_reads_the_same_either_way(tmp_path):
    """The fixtures of tests/test_busy.py, read as they are and with every event sent to the libraries."""
    for fixture in sorted((FIXTURES / "busy").glob("*.ics")):
        text = fixture.read_bytes().decode("utf-8", errors="replace")
        rules = BusyRules(sources=(BusySource(str(tmp_path / fixture.name)),), all_day=True)
        (tmp_path / fixture.name).write_text(text, encoding="utf-8")
        _, got = _busy_time(tmp_path / fixture.name, rules, "Europe/Berlin", date(2027, 4, 15))
        (tmp_path / fixture.name).write_text(text.replace("DTSTART", "DTSTART" + LIBRARY), encoding="utf-8")
        _, expected = _busy_time(tmp_path / fixture.name, rules, "Europe/Berlin", date(2027, 4, 15))
        assert got == expected, fixture.name


def test_a_repeating_event_with_sequence_and_its_moved_instance_are_expanded_by_the_libraries(tmp_path):
    """Google and Outlook write SEQUENCE on every event; recurring-ical-events sets it on each occurrence."""
    calendar = tmp_path / "google.ics"
    event = "BEGIN:VEVENT\r\nUID:sync@test\r\nSEQUENCE:{}\r\n{}DTEND;TZID=Europe/Berlin:{}\r\n{}END:VEVENT\r\n"
    master = event.format(
        0, "DTSTART;TZID=Europe/Berlin:20270301T180000\r\n", "20270301T190000", "RRULE:FREQ=WEEKLY;COUNT=3\r\n"
    )
    moved = event.format(
        1,
        "RECURRENCE-ID;TZID=Europe/Berlin:20270308T180000\r\nDTSTART;TZID=Europe/Berlin:20270308T193000\r\n",
        "20270308T203000",
        "",
    )
    calendar.write_text(f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{master}{moved}END:VCALENDAR\r\n", encoding="utf-8")
    rules = BusyRules(sources=(BusySource(str(calendar)),))
    calendars, warnings = read_calendars(rules, "Europe/Berlin", FIRST)
    busy = Expansion(calendars, rules, "Europe/Berlin", FIRST).to(date(2027, 3, 31))
    local = ZoneInfo("Europe/Berlin")
    found = [f"{start.astimezone(local):%m-%d %H:%M}-{end.astimezone(local):%H:%M}" for start, end in busy.intervals]
    assert found == ["03-01 18:00-19:00", "03-08 19:30-20:30", "03-15 18:00-19:00"]
    assert calendars[0].queries and not calendars[0].series and warnings == ()
