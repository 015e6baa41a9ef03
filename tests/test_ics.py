import dataclasses
import functools
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import vobject
from conftest import CONTEXT, make_plan, render_format, render_one
from hypothesis import given, settings
from hypothesis import strategies as st
from realclients import khal_events

from exporter.context import fixed_context
from exporter.labels import ENGLISH
from exporter.loader import parse_pathway
from exporter.model import Pathway, Phase, Resource, Task
from exporter.view import PlanView
from exporter.writers import CalendarContent, WriterOptions


def render_ics(plan, context=CONTEXT, calendar="all", reminder=15) -> bytes:
    options = WriterOptions(CalendarContent(calendar), reminder=reminder)
    return render_one("ics", plan, context=context, options=options)


def title(plan, milestone) -> str:
    return PlanView(plan, ENGLISH).milestone_title(milestone)


ZONE = "America/New_York"
AWKWARD = 'Commas, semicolons; back\\slash and a\nnew line "quoted" – Zoë Ωμέγα Жанна'


@pytest.fixture(scope="module")
def dst_plan():
    return make_plan(name="Łukasz", timezone=ZONE, availability="mon 19:00-21:00; sat 09:00-13:00")


@pytest.fixture(scope="module")
def ics_text(dst_plan):
    return render_ics(dst_plan).decode("utf-8")


def vevents(text):
    return vobject.readOne(text).vevent_list


def test_event_count_and_local_times_with_vobject(dst_plan, ics_text):
    events = vevents(ics_text)
    assert len(events) == len(dst_plan.sessions) + len(dst_plan.milestones)
    zone = ZoneInfo(ZONE)
    timed = sorted((e for e in events if isinstance(e.dtstart.value, datetime)), key=lambda e: e.dtstart.value)
    assert len(timed) == len(dst_plan.sessions)
    for event, session in zip(timed, dst_plan.sessions, strict=True):
        start = event.dtstart.value.astimezone(zone)
        end = event.dtend.value.astimezone(zone)
        assert start == session.start and end == session.end
        assert start.strftime("%H:%M") == session.start.strftime("%H:%M")
    after_change = [s for s in dst_plan.sessions if s.start.date() == date(2027, 3, 15)]
    assert after_change and after_change[0].start.utcoffset() == timedelta(hours=-4)
    by_start = {e.dtstart.value.astimezone(zone): e for e in timed}
    assert after_change[0].start in by_start


def test_all_day_milestones_land_on_their_dates(dst_plan, ics_text):
    events = [e for e in vevents(ics_text) if not isinstance(e.dtstart.value, datetime)]
    assert sorted((e.dtstart.value, e.summary.value) for e in events) == sorted(
        (m.date, title(dst_plan, m)) for m in dst_plan.milestones
    )
    for event in events:
        assert event.dtend.value == event.dtstart.value + timedelta(days=1)
        assert event.transp.value == "TRANSPARENT"
    assert "X-MICROSOFT-CDO-BUSYSTATUS:FREE" in ics_text


def test_recurring_ical_events_reads_the_same(dst_plan, ics_text):
    calendar = icalendar.Calendar.from_ical(ics_text)
    found = recurring_ical_events.of(calendar).between(date(2027, 1, 1), date(2029, 1, 1))
    assert len(found) == len(dst_plan.sessions) + len(dst_plan.milestones)
    march = [e for e in found if isinstance(e["DTSTART"].dt, datetime) and e["DTSTART"].dt.date() == date(2027, 3, 15)]
    assert march[0]["DTSTART"].dt.strftime("%H:%M %z") == "19:00 -0400"


def test_khal_imports_and_lists_every_event(dst_plan, tmp_path):
    path = tmp_path / "plan.ics"
    path.write_text(render_ics(dst_plan).decode(), newline="")
    lines = khal_events(path, tmp_path, ZONE)
    assert len(lines) == len(dst_plan.sessions) + len(dst_plan.milestones)
    for session in dst_plan.sessions:
        expected = f"{session.start:%Y-%m-%d %H:%M} {session.end:%Y-%m-%d %H:%M} Study: "
        assert any(line.startswith(expected) for line in lines), expected
    assert any(line.startswith("2027-03-15 19:00 2027-03-15 21:00 Study:") for line in lines)
    for milestone in dst_plan.milestones:
        assert f"{milestone.date} {milestone.date} {title(dst_plan, milestone)}" in lines


def test_calendar_header_and_vtimezone(ics_text):
    calendar = icalendar.Calendar.from_ical(ics_text)
    assert calendar["METHOD"] == "PUBLISH" and calendar["VERSION"] == "2.0"
    assert calendar["CALSCALE"] == "GREGORIAN" and calendar["PRODID"].startswith("-//pathway-exporter")
    assert "Łukasz" in calendar["X-WR-CALNAME"] and calendar["X-WR-TIMEZONE"] == ZONE
    zones = calendar.walk("VTIMEZONE")
    assert [z["TZID"] for z in zones] == [ZONE]
    parts = {c.name: c for c in zones[0].subcomponents}
    assert set(parts) == {"STANDARD", "DAYLIGHT"}
    assert parts["DAYLIGHT"]["RRULE"]["BYDAY"] == ["2SU"] and "RDATE" not in parts["DAYLIGHT"]
    tzids = {e["DTSTART"].params.get("TZID") for e in calendar.walk("VEVENT") if "TZID" in e["DTSTART"].params}
    assert tzids == {ZONE}


def test_rfc5545_lines(ics_text):
    raw = render_ics(make_plan(name="Zoë " * 40))
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))


def test_uids_stable_across_exports_and_unique_across_participants():
    def uids_and_sequence(name, epoch):
        context = fixed_context(datetime.fromtimestamp(epoch, UTC))
        calendar = icalendar.Calendar.from_ical(render_ics(make_plan(name=name), context))
        events = calendar.walk("VEVENT")
        return [str(e["UID"]) for e in events], {int(e["SEQUENCE"]) for e in events}

    first, sequence_one = uids_and_sequence("Ana", 1790000000)
    again, sequence_two = uids_and_sequence("Ana", 1790086400)
    other, _ = uids_and_sequence("Bea", 1790000000)
    assert first == again
    assert len(set(first)) == len(first)
    assert not set(first) & set(other)
    assert sequence_one == sequence_two == {0}  # without a previous calendar (test_calendar_updates.py)


def test_same_inputs_same_bytes(monkeypatch):
    plan = make_plan(name="Ana")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    assert render_ics(plan) == render_ics(plan)


def test_awkward_text_survives_a_round_trip():
    pathway = Pathway(
        "awkward",
        AWKWARD,
        "A",
        "B",
        4,
        phases=(Phase(1, AWKWARD, 1, (Task(AWKWARD),), (Resource(AWKWARD, "https://example.test/a,b;c"),)),),
    )
    name = AWKWARD.replace("\n", " ")
    text = render_ics(make_plan(pathway, name=name)).decode()
    events = vevents(text)
    session = next(e for e in events if isinstance(e.dtstart.value, datetime))
    assert session.summary.value == f"Study: 1.1 {AWKWARD}"
    assert f"Task 1.1: {AWKWARD}" in session.description.value
    assert "https://example.test/a,b;c" in session.description.value
    assert vobject.readOne(text).contents["x-wr-calname"][0].value.endswith(name)
    parsed = icalendar.Calendar.from_ical(text)
    assert any(str(e["SUMMARY"]).endswith(AWKWARD) for e in parsed.walk("VEVENT"))


def test_reminder_options():
    plan = make_plan(name="Ana")

    def triggers(**options):
        calendar = icalendar.Calendar.from_ical(render_ics(plan, **options))
        return [alarm["TRIGGER"].dt for alarm in calendar.walk("VALARM")]

    assert set(triggers()) == {timedelta(minutes=-15)} and len(triggers()) == len(plan.sessions)
    assert set(triggers(reminder=45)) == {timedelta(minutes=-45)}
    assert triggers(reminder=None) == []


def test_calendar_selection():
    plan = make_plan()
    milestones = vevents(render_ics(plan, calendar="milestones").decode())
    sessions = vevents(render_ics(plan, calendar="sessions").decode())
    assert len(milestones) == len(plan.milestones) and len(sessions) == len(plan.sessions)
    assert "VTIMEZONE" not in render_ics(plan, calendar="milestones").decode()


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata", "Australia/Sydney", "Europe/Berlin"])
def test_other_zones_read_right(zone):
    plan = make_plan(timezone=zone, availability="tue 07:00-08:30")
    events = [e for e in vevents(render_ics(plan, calendar="sessions").decode())]
    local = sorted(e.dtstart.value.astimezone(ZoneInfo(zone)) for e in events)
    assert local == [s.start for s in plan.sessions]
    assert {t.strftime("%H:%M") for t in local} == {"07:00"}


def test_split_honours_the_calendar_choice():
    plan = make_plan()
    options = WriterOptions(CalendarContent.SESSIONS, ics_split=True)
    assert list(render_format("ics", plan, options=options)) == ["sessions.ics"]
    both = WriterOptions(CalendarContent.ALL, ics_split=True)
    assert list(render_format("ics", plan, options=both)) == ["milestones.ics", "sessions.ics"]


SMALL = """
id = "small"
title = "Small"
from_role = "A"
to_role = "B"
hours_per_week = 4
{extra}
[[phases]]
number = 9
title = "Main"
weeks = 2
[[phases.tasks]]
key = "read"
title = "Read"
[[phases.tasks]]
key = "write"
title = "Write"
"""
WARM_UP = """
[[phases]]
number = 1
title = "Warm-up"
weeks = 1
[[phases.tasks]]
key = "warm-up"
title = "Warm up"
"""


def _session_uids(pathway_text: str):
    plan = make_plan(parse_pathway(pathway_text, "small.toml"), name="Ana", availability="mon 19:00-21:00")
    calendar = icalendar.Calendar.from_ical(render_ics(plan, calendar="sessions"))
    return {str(e["UID"]): e["DTSTART"].dt for e in calendar.walk("VEVENT")}


def test_session_uids_follow_task_keys_not_positions():
    before = _session_uids(SMALL.format(extra=""))
    after = _session_uids(SMALL.format(extra=WARM_UP))
    assert set(before) < set(after), "a phase inserted before keeps every later session's identity"
    assert all(after[uid] > before[uid] for uid in before), "the same events, moved later"


def test_control_characters_never_reach_the_calendar():
    pathway = Pathway(
        "ctl", "Bell\x07 and escape\x1b[2J", "A", "B", 4, phases=(Phase(1, "P\x00", 1, (Task("T\x1b", key="t"),)),)
    )
    raw = render_ics(make_plan(pathway, name="Ana"))
    assert not any(byte < 32 and byte not in (9, 10, 13) for byte in raw)


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31)),
    st.sampled_from(["America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "America/Santiago", "UTC"]),
    st.integers(0, 1),
    st.booleans(),
)
def test_a_moment_is_written_in_utc_exactly_where_its_other_fold_has_another_offset(moment, zone_name, fold, near):
    """`_moment` flips the fold without `datetime.replace`: the same decision as with it, at and away from changes."""
    from exporter.writers.ics import _moment

    zone = ZoneInfo(zone_name)
    if near:  # a quarter hour of a clock change's gap or repeated hour, where the other fold has another offset
        odd = _changing_quarters(zone, moment.year)
        if odd:
            moment = odd[(moment.day * 96 + moment.minute) % len(odd)] + timedelta(minutes=moment.minute % 15)
    moment = moment.replace(tzinfo=zone, fold=fold)
    expected = moment.astimezone(UTC) if moment.utcoffset() != moment.replace(fold=1 - fold).utcoffset() else moment
    written = _moment(moment)
    assert (written, written.tzinfo, written.fold) == (expected, expected.tzinfo, expected.fold)


@functools.cache
def _changing_quarters(zone: ZoneInfo, year: int) -> list[datetime]:
    """The wall times (naive, on quarter hours) of the year whose two folds have different offsets in `zone`."""
    found = []
    for day in range(366):
        midnight = datetime(year, 1, 1) + timedelta(days=day)
        if datetime.combine(midnight, midnight.time(), zone).utcoffset() == (
            datetime.combine(midnight + timedelta(days=1), midnight.time(), zone).utcoffset()
        ):
            continue
        for quarter in range(96):
            wall = midnight + timedelta(minutes=15 * quarter)
            if wall.replace(tzinfo=zone).utcoffset() != wall.replace(tzinfo=zone, fold=1).utcoffset():
                found.append(wall)
    return found


TIME_ZONES = ["America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "America/Santiago", "UTC", "Etc/GMT+5"]


@st.composite
def session_times(draw):
    """A zone (of the zone database, or fixed), and a session's start and end there: on quarter hours or not,
    either fold, at and away from clock changes, the end up to two days later or in another zone."""
    name = draw(st.sampled_from([*TIME_ZONES, "fixed"]))
    zone = timezone(timedelta(hours=5, minutes=30)) if name == "fixed" else ZoneInfo(name)
    moments = []
    for _ in range(2):
        wall = draw(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2029, 12, 31)))
        if draw(st.booleans()):
            wall = wall.replace(second=0, microsecond=0, minute=wall.minute // 15 * 15)
        if isinstance(zone, ZoneInfo) and draw(st.booleans()):
            odd = _changing_quarters(zone, wall.year)
            if odd:
                wall = odd[draw(st.integers(0, len(odd) - 1))] + timedelta(minutes=draw(st.integers(0, 14)))
        moments.append(wall.replace(tzinfo=zone, fold=draw(st.integers(0, 1))))
    start, end = sorted(moments, key=lambda moment: moment.replace(tzinfo=None))
    if draw(st.booleans()):
        end = start + timedelta(minutes=15 * draw(st.integers(1, 200)))
    if draw(st.integers(0, 9)) == 0:
        end = end.astimezone(ZoneInfo("Asia/Kolkata"))
    return start, end


@settings(max_examples=400, deadline=None)
@given(session_times(), st.sampled_from([True, False]))
def test_a_sessions_time_lines_are_the_lines_written_one_by_one(times, first):
    """`_time_lines` writes a steady day's times straight away: the lines `_time_line` writes for each."""
    from exporter.plan import Session
    from exporter.writers.ics import _SessionEvents

    start, end = times
    sample = make_plan(pathway_of_hours(4), start="2027-01-04")
    other = Session(start, end, sample.sessions[0].task_keys, "s/1")
    sessions = (other, *sample.sessions) if first else sample.sessions
    planned = dataclasses.replace(sample, timezone=str(start.tzinfo), sessions=sessions)
    events = _SessionEvents(PlanView(planned, ENGLISH), 15, "", "DTSTAMP:20270101T000000Z")
    expected = f"{events._time_line('DTSTART', start)}\r\n{events._time_line('DTEND', end)}"
    assert events._time_lines(start, end) == expected
    assert events._time_lines(start, end) == expected  # its time of day kept


def pathway_of_hours(hours: int) -> Pathway:
    return Pathway("p", "P", "A", "B", hours, phases=(Phase(1, "Only", 1, (Task("T", key="t"),)),))


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(TIME_ZONES),
    st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31)),
    st.sampled_from(["sun 00:00-03:00; wed 22:30-24:00", "sat 01:15-02:45 23:00-24:00", "mon 09:00-17:00"]),
)
def test_calendars_are_the_same_with_every_time_written_one_by_one(zone, start, availability):
    from exporter.writers import ics

    planned = make_plan(pathway_of_hours(12), start=start.isoformat(), timezone=zone, availability=availability)
    fast = render_ics(planned)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ics._WallTimes, "of", classmethod(lambda cls, plan: None))
        assert render_ics(planned) == fast
