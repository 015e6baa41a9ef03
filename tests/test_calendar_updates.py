"""A regenerated calendar against the one it replaces: SEQUENCE, LAST-MODIFIED and cancellations."""

import subprocess
from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
import recurring_ical_events
from conftest import CONTEXT, FIXTURES, make_plan, render_format
from realclients import khal_events

from exporter.context import fixed_context
from exporter.loader import load_pathway
from exporter.writers import CalendarContent, WriterOptions
from exporter.writers.ics import PRODID

ZONE = "America/New_York"
STAMP = "20270101T120000Z"  # CONTEXT's build time


def ics(plan, previous: bytes | None = None, context=CONTEXT, **options) -> bytes:
    files = render_format(
        "ics",
        plan,
        options=WriterOptions(previous_calendars={"plan.ics": previous} if previous else {}, **options),
        context=context,
    )
    return files["plan.ics"]


def events(data: bytes) -> dict[str, icalendar.Event]:
    found = {str(e["UID"]): e for e in icalendar.Calendar.from_ical(data).walk("VEVENT")}
    assert len(found) == len(icalendar.Calendar.from_ical(data).walk("VEVENT")), "a UID written twice"
    return found


def sequence(event) -> int:
    return int(event["SEQUENCE"])


def cancelled(event) -> bool:
    return str(event.get("STATUS", "")) == "CANCELLED"


def modified(event) -> str | None:
    return event["LAST-MODIFIED"].to_ical().decode() if "LAST-MODIFIED" in event else None


@pytest.fixture(scope="module")
def weekly():
    """Two-hour Monday sessions: many of them."""
    return make_plan(name="Ana", availability="mon 19:00-21:00")


@pytest.fixture(scope="module")
def moved():
    """The same sessions an hour earlier."""
    return make_plan(name="Ana", availability="mon 18:00-20:00")


@pytest.fixture(scope="module")
def fewer():
    """More hours a week, so fewer (longer) sessions: the last sessions of each task are gone."""
    return make_plan(name="Ana", availability="mon 19:00-21:00; sat 09:00-13:00")


def test_first_calendar_starts_at_zero_and_says_how_to_refresh(weekly):
    data = ics(weekly)
    assert {sequence(e) for e in events(data).values()} == {0}
    assert not any("LAST-MODIFIED" in e or "STATUS" in e for e in events(data).values())
    lines = data.decode().split("\r\n")
    assert "METHOD:PUBLISH" in lines
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT12H" in lines and "X-PUBLISHED-TTL:PT12H" in lines
    assert all(e["DTSTAMP"].to_ical().decode() == STAMP for e in events(data).values())


def test_unchanged_regeneration_is_byte_for_byte_the_same(weekly):
    first = ics(weekly)
    assert ics(weekly, first) == first
    later = fixed_context(datetime(2027, 2, 1, 8, 0, tzinfo=UTC), ZONE)
    again = ics(weekly, first, context=later)
    assert {uid: sequence(e) for uid, e in events(again).items()} == {uid: 0 for uid in events(first)}
    assert not any("LAST-MODIFIED" in e for e in events(again).values())
    assert ics(weekly, again, context=later) == again


@pytest.mark.parametrize(
    "plan",
    [
        lambda: make_plan(load_pathway(str(FIXTURES / "tricky.toml")), name="Zoë Ødegård"),
        lambda: make_plan(name="Ana", availability="sun 01:15-01:45; sat 09:00-10:00"),  # fall-back: UTC
    ],
    ids=["awkward-text", "fall-back-nights"],
)
def test_reading_our_own_file_back_changes_nothing(plan):
    planned = plan()
    first = ics(planned)
    assert ics(planned, first) == first


def test_moved_sessions_rise_by_one_with_last_modified(weekly, moved):
    first = ics(weekly)
    later = fixed_context(datetime(2027, 1, 2, 9, 30, tzinfo=UTC), ZONE)
    second = ics(moved, first, context=later)
    before, after = events(first), events(second)
    assert before.keys() == after.keys()
    for uid, event in after.items():
        if isinstance(event["DTSTART"].dt, datetime):  # a session: an hour earlier now
            assert event["DTSTART"].dt == before[uid]["DTSTART"].dt - timedelta(hours=1)
            assert sequence(event) == 1 and modified(event) == "20270102T093000Z"
        else:  # a milestone: the same dates, untouched
            assert sequence(event) == 0 and modified(event) is None
    # Unchanged after that: the raised SEQUENCE and its LAST-MODIFIED stay, even at a later build time.
    third = ics(moved, second, context=CONTEXT)
    assert {uid: (sequence(e), modified(e)) for uid, e in events(third).items()} == {
        uid: (sequence(e), modified(e)) for uid, e in events(second).items()
    }
    assert ics(moved, third) == third


def test_a_changed_reminder_is_a_change(weekly):
    first = ics(weekly)
    second = ics(weekly, first, reminder=30)
    sessions = [e for e in events(second).values() if isinstance(e["DTSTART"].dt, datetime)]
    assert sessions and {sequence(e) for e in sessions} == {1}


def test_sessions_no_longer_planned_are_cancelled(weekly, fewer):
    first = ics(weekly)
    second = ics(fewer, first)
    before, after = events(first), events(second)
    planned = {str(e["UID"]) for e in events(ics(fewer)).values()}
    gone = before.keys() - planned
    assert gone and after.keys() == before.keys() | planned
    for uid in gone:
        event = after[uid]
        assert cancelled(event) and sequence(event) == sequence(before[uid]) + 1
        assert modified(event) == STAMP
        # its previous content, unchanged
        assert event["DTSTART"].dt == before[uid]["DTSTART"].dt and event["SUMMARY"] == before[uid]["SUMMARY"]
    assert not any(cancelled(after[uid]) for uid in planned)
    # Cancelled events follow the plan's ones; regenerating again changes nothing.
    assert ics(fewer, second) == second


def test_already_cancelled_events_keep_their_sequence_then_go_after_the_grace_period(weekly, fewer):
    second = ics(fewer, ics(weekly))
    gone = {uid for uid, e in events(second).items() if cancelled(e)}
    later = fixed_context(datetime(2030, 6, 1, tzinfo=UTC), ZONE)
    third = events(ics(fewer, second, context=later))
    for uid in gone & third.keys():
        assert cancelled(third[uid]) and sequence(third[uid]) == 1 and modified(third[uid]) == STAMP
    # Kept while their end is less than 180 days before the build time.
    cutoff = datetime(2030, 6, 1, tzinfo=UTC) - timedelta(days=180)
    before = events(second)
    ends = {uid: before[uid]["DTEND"].dt for uid in gone}
    assert {uid for uid, end in ends.items() if end >= cutoff} == gone & third.keys()
    assert any(end < cutoff for end in ends.values())
    much_later = fixed_context(datetime(2033, 1, 1, tzinfo=UTC), ZONE)
    assert not any(cancelled(e) for e in events(ics(fewer, second, context=much_later)).values())


def test_a_cancelled_session_that_comes_back_gets_a_new_uid(weekly, fewer):
    second = ics(fewer, ics(weekly))
    third = ics(weekly, second)
    back = events(third)
    was_cancelled = {uid for uid, e in events(second).items() if cancelled(e)}
    assert was_cancelled
    for uid in was_cancelled:
        assert cancelled(back[uid]) and sequence(back[uid]) == sequence(events(second)[uid]), "stays cancelled"
    revived = back.keys() - events(second).keys()
    assert len(revived) == len(was_cancelled) and not any(cancelled(back[uid]) for uid in revived)
    assert {sequence(back[uid]) for uid in revived} == {0}
    assert ics(weekly, third) == third, "the new UIDs are given again on the next regeneration"


def test_split_files_are_compared_with_their_own_previous_file(weekly, moved):
    options = {"calendar": CalendarContent.ALL, "ics_split": True}
    first = render_format("ics", weekly, options=WriterOptions(**options))
    second = render_format("ics", moved, options=WriterOptions(previous_calendars=first, **options))
    assert {sequence(e) for e in events(second["milestones.ics"]).values()} == {0}
    assert {sequence(e) for e in events(second["sessions.ics"]).values()} == {1}
    assert not any(cancelled(e) for data in second.values() for e in events(data).values())


def test_cancelled_sessions_keep_their_zone_when_the_plan_moves_to_another(weekly):
    berlin = make_plan(name="Ana", timezone="Europe/Berlin", availability="mon 19:00-21:00; sat 09:00-13:00")
    data = ics(berlin, ics(weekly))
    calendar = icalendar.Calendar.from_ical(data)
    assert sorted(str(z["TZID"]) for z in calendar.walk("VTIMEZONE")) == [ZONE, "Europe/Berlin"]
    gone = [e for e in calendar.walk("VEVENT") if cancelled(e)]
    assert gone and {e["DTSTART"].params["TZID"] for e in gone if "TZID" in e["DTSTART"].params} == {ZONE}
    assert ics(berlin, data) == data


@pytest.mark.parametrize(
    "previous",
    [
        b"",
        b"not a calendar at all \xff\xfe",
        b"BEGIN:VCALENDAR\r\nPRODID:-//pathway-exporter//pathway-exporter 0.1.0//EN\r\nBEGIN:VEVENT\r\nUID:x",
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Someone else//EN\r\nBEGIN:VEVENT\r\nUID:a@b\r\n"
        b"DTSTART:20270105T100000Z\r\nSUMMARY:Theirs\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        b"BEGIN:VCALENDAR\r\nPRODID:-//pathway-exporter//pathway-exporter 0.1.0//EN\r\nBEGIN:VEVENT\r\n"
        b"UID:a@b\r\nSEQUENCE:many\r\nDTSTART:not a date\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        b"BEGIN:VEVENT\r\nUID:a@b\r\nEND:VEVENT\r\n",
    ],
)
def test_a_previous_calendar_that_is_not_ours_or_broken_counts_as_none(weekly, previous):
    assert ics(weekly, previous) == ics(weekly)


def test_an_earlier_versions_calendar_keeps_its_sequences(weekly):
    """Version 0.1 wrote SEQUENCE as minutes since 2020; an unchanged event keeps it, so it never falls."""
    old = ics(weekly).replace(b"SEQUENCE:0\r\n", b"SEQUENCE:3682080\r\n")
    old = old.replace(PRODID.encode(), b"-//pathway-exporter//pathway-exporter 0.0.9//EN")
    assert {sequence(e) for e in events(ics(weekly, old)).values()} == {3682080}


def test_icalendar_and_recurring_ical_events_read_the_new_file(weekly, fewer):
    data = ics(fewer, ics(weekly))
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["REFRESH-INTERVAL"].to_ical().decode()) == "PT12H"
    found = recurring_ical_events.of(calendar).between(date(2027, 1, 1), date(2035, 1, 1))
    assert len(found) == len(calendar.walk("VEVENT"))
    live = [e for e in found if not cancelled(e) and isinstance(e["DTSTART"].dt, datetime)]
    assert len(live) == len(fewer.sessions)


def test_khal_replaces_events_and_keeps_cancelled_ones_marked(weekly, fewer, tmp_path):
    """khal 0.10: importing the new file over the old replaces each event by UID (no duplicates).

    khal does not hide STATUS:CANCELLED events: it still lists them, with {status} giving CANCELLED.
    """
    old, new = tmp_path / "old.ics", tmp_path / "new.ics"
    old.write_bytes(ics(weekly))
    new.write_bytes(ics(fewer, old.read_bytes()))
    first = khal_events(old, tmp_path, ZONE, days=6000)
    assert len(first) == len(weekly.sessions) + len(weekly.milestones)
    listed = khal_events(new, tmp_path, ZONE, days=6000)
    assert len(listed) == len(set(listed)) == len(events(new.read_bytes()))
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    config = str(tmp_path / "khal.conf")  # written by khal_events
    command = ["khal", "-c", config, "list", "--format", "{status}|{title}", "--day-format", "", "2020-01-01", "6000d"]
    out = subprocess.run(
        command,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    ).stdout.splitlines()
    marked = [line for line in out if line.startswith("CANCELLED")]
    gone = [e for e in events(new.read_bytes()).values() if cancelled(e)]
    assert gone and len(marked) == len(gone)
    assert len(out) - len(marked) == len(fewer.sessions) + len(fewer.milestones)


def test_a_new_calendar_shares_no_uid_and_later_ones_update_it_in_place(weekly, fewer):
    """--new-calendar: new UIDs and a dated name, nothing carried; a regeneration over it keeps its edition."""
    first = ics(weekly)
    later = fixed_context(datetime(2027, 2, 1, 9, 0, tzinfo=UTC), ZONE)
    fresh = ics(fewer, first, context=later, new_calendar=True)
    calendar = icalendar.Calendar.from_ical(fresh)
    assert str(calendar["X-PATHWAY-EXPORTER-EDITION"]) == "20270201T090000Z"
    assert str(calendar["X-WR-CALNAME"]).endswith("(from 1 Feb 2027)")
    assert not events(fresh).keys() & events(first).keys()
    assert not any(cancelled(e) for e in events(fresh).values())
    assert {sequence(e) for e in events(fresh).values()} == {0}
    again = ics(fewer, fresh, context=fixed_context(datetime(2027, 3, 1, 9, 0, tzinfo=UTC), ZONE))
    assert events(again).keys() == events(fresh).keys()
    assert str(icalendar.Calendar.from_ical(again)["X-WR-CALNAME"]) == str(calendar["X-WR-CALNAME"])
    assert again == ics(fewer, again, context=fixed_context(datetime(2027, 3, 1, 9, 0, tzinfo=UTC), ZONE))


def test_new_calendar_from_the_command_line(tmp_path):
    """`export --new-calendar` over a folder: the calendar is new; a replan afterwards keeps it."""
    from conftest import run

    folder = tmp_path / "plan"
    assert run("export", "--start", "2027-01-04", "--output", str(folder)).exit_code == 0
    old = events((folder / "plan.ics").read_bytes())
    result = run("export", "--start", "2027-01-04", "--output", str(folder), "--force", "--new-calendar")
    assert result.exit_code == 0, result.output
    new = events((folder / "plan.ics").read_bytes())
    assert not old.keys() & new.keys()
    result = run("replan", str(folder), "--as-of", "2027-02-01")
    assert result.exit_code == 0, result.output
    assert set(events((folder / "plan.ics").read_bytes())) >= {u for u, e in new.items() if e.get("DTSTART")}
