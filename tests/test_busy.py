"""Busy calendars: one small .ics per case, expanded into the intervals that block study time, and the plan
made around them (windows split, buffers, the minimum session, --finish-by, what `plan` reports)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from conftest import CONTEXT, FIXTURES, make_plan, run

from exporter import busy
from exporter.busy import Expansion, read_calendars
from exporter.busytime import BusyRules, BusySource, Tentative
from exporter.errors import InputError, Origin
from exporter.loader import load_pathway
from exporter.pipeline import build_plan
from exporter.settings import layer

BUSY = FIXTURES / "busy"
BERLIN = "Europe/Berlin"
FIRST = date(2027, 3, 1)


def intervals(name: str, zone: str = BERLIN, until: date = date(2027, 4, 15), **rules):
    """The blocking intervals of a fixture from FIRST to `until` (merged, as the planner gets them), as
    local `MM-DD HH:MM-HH:MM` (or with the end's day when it differs), and the warnings reading it gave."""
    chosen = BusyRules(sources=(BusySource(str(BUSY / name)),), **rules)
    calendars, warnings = read_calendars(chosen, zone, FIRST)
    expansion = Expansion(calendars, chosen, zone, FIRST)
    local = ZoneInfo(zone)
    begin = datetime(FIRST.year, FIRST.month, FIRST.day, tzinfo=local)
    end = datetime(until.year, until.month, until.day, tzinfo=local)
    found = [(start, finish) for start, finish in expansion.to(until).intervals if begin <= start < end]
    return [_span(start.astimezone(local), finish.astimezone(local)) for start, finish in found], (
        *warnings,
        *expansion.warnings,
    )


def _span(start: datetime, end: datetime) -> str:
    last = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%m-%d %H:%M}"
    return f"{start:%m-%d %H:%M}-{last}"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("weekly-exdate.ics", ["03-01 18:00-19:00", "03-15 18:00-19:00", "03-22 18:00-19:00"]),
        ("override-across-midnight.ics", ["03-02 20:00-21:00", "03-09 23:30-03-10 00:30", "03-16 20:00-21:00"]),
        ("cancelled-override.ics", ["03-03 19:00-20:00", "03-17 19:00-20:00"]),
        ("rdate.ics", ["03-04 18:00-19:30", "03-11 18:00-19:30", "03-20 10:00-11:30"]),
        (
            "this-and-future.ics",
            ["03-01 12:00-13:00", "03-08 12:00-13:00", "03-15 14:00-15:00", "03-22 14:00-15:00"],
        ),
        # New York moves its clocks on 14 March, Berlin on 28 March: for two weeks the call is an hour earlier.
        (
            "us-eu-clock-change.ics",
            ["03-08 18:00-19:00", "03-15 17:00-18:00", "03-22 17:00-18:00", "03-29 18:00-19:00"],
        ),
        ("windows-tzid-vtimezone.ics", ["03-01 18:00-19:00"]),
        ("windows-tzid-bare.ics", ["03-01 18:00-19:00"]),  # Eastern Standard Time: 12:00 in New York
        ("floating-x-wr-timezone.ics", ["03-01 18:00-19:00"]),  # floating, read in the calendar's New York
        ("floating.ics", ["03-01 18:00-19:00"]),  # floating, read in the person's zone
        ("all-day-trip.ics", []),
        ("transparent-holiday.ics", []),
        ("outlook-statuses.ics", ["03-02 18:00-19:00", "03-03 18:00-19:00", "03-05 00:00-03-06 00:00"]),
        ("override-without-master.ics", ["03-02 18:00-19:00"]),
        ("duration.ics", ["03-01 18:00-18:45"]),
        ("free-busy.ics", ["03-01 18:00-19:00", "03-02 18:00-19:00", "03-03 18:00-19:00", "03-04 18:00-18:30"]),
    ],
)
def test_each_case_expands_to_the_time_it_blocks(name, expected):
    found, warnings = intervals(name)
    assert found == expected
    assert warnings == ()


def test_all_day_events_block_only_when_asked_and_never_when_transparent():
    assert intervals("all-day-trip.ics", all_day=True)[0] == ["03-03 00:00-03-06 00:00"]
    assert intervals("transparent-holiday.ics", all_day=True)[0] == []


def test_tentative_time_is_free_when_asked():
    assert intervals("outlook-statuses.ics", tentative=Tentative.FREE)[0] == ["03-05 00:00-03-06 00:00"]
    assert intervals("free-busy.ics", tentative=Tentative.FREE)[0] == [
        "03-01 18:00-19:00",
        "03-03 18:00-19:00",
        "03-04 18:00-18:30",
    ]


def test_floating_times_follow_the_persons_zone():
    assert intervals("floating.ics", zone="America/New_York")[0] == ["03-01 18:00-19:00"]
    assert intervals("floating-x-wr-timezone.ics", zone="America/New_York")[0] == ["03-01 12:00-13:00"]


@pytest.mark.parametrize("header", ["X-WR-TIMEZONE;VALUE=TEXT:America/New_York", "x-wr-timezone:America/New_York"])
def test_floating_times_follow_the_calendars_zone_however_it_is_written(tmp_path, header):
    text = (BUSY / "floating-x-wr-timezone.ics").read_text(encoding="utf-8")
    (tmp_path / "cal.ics").write_text(text.replace("X-WR-TIMEZONE:America/New_York", header), encoding="utf-8")
    assert intervals(str(tmp_path / "cal.ics"))[0] == ["03-01 18:00-19:00"]


def test_an_unknown_zone_is_a_warning_naming_it_and_its_times_are_read_in_the_persons_zone():
    found, warnings = intervals("unknown-tzid.ics", zone="America/New_York")
    assert found == ["03-01 18:00-19:00"]
    (warning,) = warnings
    assert "unknown time zone 'Olympus Mons Time'" in warning.message and "America/New_York" in warning.message


def test_an_endless_rule_is_expanded_as_far_as_asked():
    found, _ = intervals("endless.ics", until=date(2027, 3, 11))
    assert found == [f"03-{day:02d} 18:00-18:30" for day in range(1, 11)]


def test_a_timed_event_with_no_end_is_a_problem_at_its_line():
    with pytest.raises(InputError) as caught:
        intervals("no-end.ics")
    (problem,) = caught.value.problems
    assert problem.source == "--busy"
    assert problem.message == f"{BUSY / 'no-end.ics'}:4: an event has no end (DTEND or DURATION), " + (
        "so how long it keeps you busy is unknown"
    )


# ---- The plan around busy time -------------------------------------------------------------------


def _sessions(planned, day: date) -> list[str]:
    return [f"{s.start:%H:%M}-{s.end:%H:%M}" for s in planned.sessions if s.start.date() == day]


def test_a_window_is_split_around_a_meeting(tmp_path):
    result = run(
        "plan",
        "--json",
        *("--start", "2027-03-01", "--timezone", BERLIN, "--availability", "mon 17:00-21:00"),
        *("--busy", BUSY / "weekly-exdate.ics"),
    )
    assert result.exit_code == 0, result.stderr
    sessions = json.loads(result.stdout)["sessions"]
    by_day: dict[str, list[str]] = {}
    for session in sessions:
        by_day.setdefault(session["start"][:10], []).append(f"{session['start'][11:16]}-{session['end'][11:16]}")
    assert by_day["2027-03-01"] == ["17:00-18:00", "19:00-21:00"]
    assert by_day["2027-03-08"] == ["17:00-21:00"]  # the excluded date leaves the window whole
    assert by_day["2027-03-15"] == ["17:00-18:00", "19:00-21:00"]


def busy_plan(**settings):
    """A plan of the built-in pathway made around busy calendars, as `plan` makes it (calendars read)."""
    settings = {"start": "2027-03-01", "timezone": BERLIN, **settings}
    return build_plan(load_pathway(), [layer(settings, Origin)], CONTEXT)


@pytest.mark.parametrize(
    ("buffer", "minimum", "expected"),
    [
        ("0", "30", ["17:00-18:00", "19:00-21:00"]),
        ("15", "30", ["17:00-17:45", "19:15-21:00"]),
        ("45", "30", ["19:45-21:00"]),  # 17:00-17:15 is a sliver
        ("45", "15", ["17:00-17:15", "19:45-21:00"]),
        ("0", "90", ["19:00-21:00"]),
    ],
)
def test_buffer_and_minimum_session(buffer, minimum, expected):
    planned = busy_plan(
        availability="mon 17:00-21:00",
        busy=[str(BUSY / "weekly-exdate.ics")],
        busy_buffer=buffer,
        min_session=minimum,
    )
    assert _sessions(planned, date(2027, 3, 1)) == expected
    assert _sessions(planned, date(2027, 3, 8)) == ["17:00-21:00"]


def test_plan_says_how_many_hours_the_calendar_took_and_in_which_weeks(tmp_path):
    args = ("--start", "2027-03-01", "--timezone", BERLIN, "--availability", "mon-fri 17:00-21:00")
    result = run("plan", *args, "--busy", BUSY / "outlook-statuses.ics", "--busy", BUSY / "weekly-exdate.ics")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert f"Busy calendars: {BUSY / 'outlook-statuses.ics'}, {BUSY / 'weekly-exdate.ics'}" in lines
    # Week of 1 March: Monday's meeting 1 h, tentative Tuesday and Wednesday 1 h each, the out-of-office
    # Friday's whole window 4 h; then 1 h on 15 and on 22 March.
    assert (
        "Your calendars took 9 h of your windows by the finish; most in the weeks of "
        "2027-03-01 (7 h), 2027-03-15 (1 h), 2027-03-22 (1 h)"
    ) in lines
    data = json.loads(run("plan", *args, "--busy", BUSY / "weekly-exdate.ics", "--json").stdout)
    assert data["busy"]["hours_taken"] == 3 and data["busy"]["min_session_minutes"] == 30
    assert [week["start"] for week in data["busy"]["weeks"]] == ["2027-03-01", "2027-03-15", "2027-03-22"]


def test_a_plan_without_busy_calendars_says_nothing_of_them():
    result = run("plan", "--start", "2027-03-01", "--timezone", BERLIN, "--json")
    assert "busy" not in json.loads(result.stdout)
    assert "Busy calendars" not in run("plan", "--start", "2027-03-01", "--timezone", BERLIN).stdout


def test_finish_by_counts_busy_time():
    base = ("plan", "--json", "--start", "2027-03-01", "--timezone", BERLIN, "--availability", "mon-fri 19:00-20:00")
    finish_by = ("--finish-by", "2028-06-30")
    without = json.loads(run(*base, *finish_by).stdout)
    result = run(*base, *finish_by, "--busy", BUSY / "endless.ics", "--busy-buffer", "60")
    assert result.exit_code == 0, result.stderr
    with_busy = json.loads(result.stdout)
    assert with_busy["finish"] <= "2028-06-30"
    assert with_busy["hours_per_week"] > without["hours_per_week"]
    for session in with_busy["sessions"]:
        start = datetime.fromisoformat(session["start"])
        busy_from = start.replace(hour=17, minute=0)  # 18:00-18:30 every day, an hour around it
        assert not (start < busy_from + timedelta(hours=2.5) and datetime.fromisoformat(session["end"]) > busy_from)


def test_a_calendar_with_nothing_in_the_plans_range_is_a_warning():
    result = run("plan", "--start", "2030-01-07", "--timezone", BERLIN, "--busy", BUSY / "duration.ics")
    assert result.exit_code == 0
    assert f"warning: --busy: {BUSY / 'duration.ics'}: no busy time between 2030-01-07 and " in result.stderr


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("not-a-calendar.ics", "not an iCalendar file (it does not begin with BEGIN:VCALENDAR)"),
        ("latin-1.ics", "not UTF-8 text (byte 121); save the calendar as UTF-8"),
        ("cut-short.ics", "BEGIN:VEVENT is never ended (the file is cut short?)"),
        ("no-end.ics", "4: an event has no end (DTEND or DURATION), so how long it keeps you busy is unknown"),
        ("missing.ics", "cannot read: No such file or directory"),
        ("broken-start.ics", "4: an event's start or end cannot be read"),
    ],
)
def test_bad_calendars_are_one_clear_line_and_nothing_is_written(tmp_path, name, message):
    source = BUSY / name
    result = run("export", "--start", "2027-03-01", "--timezone", BERLIN, "--busy", source, "-o", tmp_path / "out")
    assert result.exit_code == 1
    separator = "" if message[0].isdigit() else " "
    assert result.stderr == f"error: --busy: {source}:{separator}{message}\n"
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize(
    "times",
    ["DTSTART:20270301T100000Z\r\nDTEND:99991231T000000Z", "DTSTART;VALUE=DATE:20270301\r\nDTEND;VALUE=DATE:99991231"],
)
def test_a_repeating_event_that_ends_in_the_year_9999_is_one_line(tmp_path, times):
    calendar = tmp_path / "far.ics"
    calendar.write_bytes(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20270101T000000Z\r\n"
        + times.encode()
        + b"\r\nRRULE:FREQ=DAILY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    result = run("plan", "--start", "2027-03-01", "--timezone", BERLIN, "--busy", calendar, "--busy-all-day")
    assert result.exit_code == 1
    assert result.stderr == f"error: --busy: {calendar}: an event's repetition cannot be expanded (OverflowError)\n"


def test_bad_busy_settings_name_where_they_came_from(tmp_path):
    profile = tmp_path / "me.toml"
    profile.write_text('busy = ["ftp://example.org/cal.ics"]\nbusy_all_day = "maybe"\nmin_session = 900\n')
    result = run("plan", "--profile", profile)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: {profile}:1: busy: only http, https and webcal addresses are read, got a 'ftp' address",
        f"error: {profile}:2: busy_all_day: must be yes or no, got 'maybe'",
        f"error: {profile}:3: min_session: must be a whole number of minutes from 0 to 480, got '900'",
    ]
    for text in ("ten", "²", "١٠"):  # digits that are not 0-9 are not minutes either
        result = run("plan", "--busy-buffer", text)
        assert result.stderr == f"error: --busy-buffer: must be a whole number of minutes from 0 to 240, got {text!r}\n"
    assert run("plan", "--busy-tentative", "maybe").exit_code == 2


def test_a_profile_and_a_roster_name_calendars_beside_themselves(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "work.ics").write_bytes((BUSY / "weekly-exdate.ics").read_bytes())
    (folder / "class.ics").write_bytes((BUSY / "cancelled-override.ics").read_bytes())
    profile = folder / "me.toml"
    profile.write_text(
        'start = 2027-03-01\ntimezone = "Europe/Berlin"\nbusy = ["work.ics"]\nbusy_all_day = true\nbusy_buffer = 15\n'
    )
    data = json.loads(run("plan", "--profile", profile, "--json").stdout)
    assert data["busy"]["calendars"] == [str(folder / "work.ics")]
    assert data["busy"]["all_day"] is True and data["busy"]["buffer_minutes"] == 15
    roster = folder / "room.csv"
    roster.write_text("name,busy,min_session\nAna,work.ics; class.ics,60\nBea,,\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run("batch", roster, "-o", out, "--start", "2027-03-01", "--timezone", BERLIN, "--formats", "json")
    assert result.exit_code == 0, result.stderr
    ana = json.loads((out / "ana" / "plan.json").read_text(encoding="utf-8"))
    assert ana["busy"]["calendars"] == [str(folder / "work.ics"), str(folder / "class.ics")]
    assert ana["busy"]["min_session_minutes"] == 60
    assert "busy" not in json.loads((out / "bea" / "plan.json").read_text(encoding="utf-8"))
    roster.write_text("name,busy\nAna,nowhere.ics\n", encoding="utf-8")
    result = run("batch", roster, "-o", tmp_path / "out2", "--start", "2027-03-01", "--formats", "json")
    assert result.exit_code == 1
    assert f"{roster}: row 2: busy: {folder / 'nowhere.ics'}: cannot read: No such file or directory" in result.stderr


def test_a_batch_row_says_what_its_busy_calendars_did(tmp_path):
    """Each row's warnings name the row and the calendar; summary.csv has the hours the calendars took."""
    roster = tmp_path / "room.csv"
    roster.write_text(
        f"name,busy,start,availability\nAna,{BUSY / 'weekly-exdate.ics'},2027-03-01,mon 17:00-21:00\n"
        f"Bea,{BUSY / 'duration.ics'},2030-01-07,\nCai,,,\n"
    )
    out = tmp_path / "out"
    result = run("batch", roster, "-o", out, "--start", "2030-01-07", "--timezone", BERLIN, "--formats", "json")
    assert result.exit_code == 0, result.stderr
    assert f"{roster}: row 3: busy: {BUSY / 'duration.ics'}: no busy time between 2030-01-07 and " in result.stderr
    summary = {line["name"]: line for line in csv.DictReader(io.StringIO((out / "summary.csv").read_text("utf-8-sig")))}
    assert float(summary["Ana"]["busy_hours_taken"]) > 0 and summary["Ana"]["warnings"] == ""
    assert summary["Bea"]["busy_hours_taken"] == "0" and "duration.ics: no busy time" in summary["Bea"]["warnings"]
    assert summary["Cai"]["busy_hours_taken"] == "" and summary["Cai"]["warnings"] == ""


def test_the_printed_plan_says_how_much_the_calendars_took(tmp_path):
    from realclients import pdf_tool

    week = ("--availability", "mon 17:00-21:00", "--start", "2027-03-01", "--timezone", BERLIN)
    args = ("export", "--formats", "pdf,json", *week, "--busy", BUSY / "weekly-exdate.ics", "-o", tmp_path)
    assert run(*args).exit_code == 0
    taken = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))["busy"]["hours_taken"]
    text = " ".join(pdf_tool("pdftotext", "-l", "1", str(tmp_path / "plan.pdf"), "-").split())
    assert taken > 0 and f"Around your calendars {taken:g} hours of your windows were busy" in text
    assert run("export", "--formats", "pdf", *week, "-o", tmp_path / "free").exit_code == 0
    assert "Around your calendars" not in pdf_tool("pdftotext", "-l", "1", str(tmp_path / "free" / "plan.pdf"), "-")


def test_the_planner_takes_busy_time_as_data_and_reads_no_calendar():
    """The settings name the calendars; only the pipeline reads them. A request whose busy time was never
    read plans as if the person were free."""
    week = "mon 17:00-21:00"
    named = make_plan(start="2027-03-01", timezone=BERLIN, availability=week, busy=[str(BUSY / "weekly-exdate.ics")])
    free = make_plan(start="2027-03-01", timezone=BERLIN, availability=week)
    assert named.sessions == free.sessions and named.busy is None
    assert busy_plan(availability=week, busy=[str(BUSY / "weekly-exdate.ics")]).sessions != free.sessions


def test_a_webcal_address_is_fetched_over_https_and_named_by_its_host():
    source = BusySource("webcal://p01-caldav.example.com/published/2/zx-secret?token=1")
    assert source.is_url and source.address == "https://p01-caldav.example.com/published/2/zx-secret?token=1"
    assert source.label == "webcal://p01-caldav.example.com/…"
    assert (
        BusySource("https://user:zx-secret@calendar.example.org:8443/x").label == "https://calendar.example.org:8443/…"
    )


def test_a_repetition_every_minute_or_too_many_events_is_refused(tmp_path, monkeypatch):
    minutely = tmp_path / "minutely.ics"
    minutely.write_text((BUSY / "endless.ics").read_text().replace("FREQ=DAILY", "FREQ=MINUTELY;INTERVAL=5"))
    result = run("plan", "--start", "2027-03-01", "--busy", minutely)
    assert result.stderr == f"error: --busy: {minutely}:9: an event repeats every second or minute\n"
    monkeypatch.setattr(busy, "MAX_OCCURRENCES", 40)
    result = run("plan", "--start", "2027-03-01", "--busy", BUSY / "endless.ics")
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: --busy: {BUSY / 'endless.ics'}: more than 40 events in the plan's range; "
        "export a shorter stretch of time\n"
    )


def test_a_finish_by_that_busy_time_makes_impossible_says_so():
    result = run(
        "plan",
        *("--start", "2027-03-01", "--timezone", BERLIN, "--availability", "mon-sun 18:00-18:30"),
        *("--finish-by", "2027-03-20", "--busy", BUSY / "endless.ics", "--busy-buffer", "240"),
    )
    assert result.exit_code == 1
    assert "would not around your busy calendars; choose a later date" in result.stderr


def test_single_events_far_ahead_still_block_as_the_plan_grows(tmp_path):
    """A plan that busy time pushes far past a plan without it: the calendar is expanded further as it
    grows, so events weeks ahead (and a trip that began before the start) still block."""
    from exporter.model import Pathway, Phase, Task

    events = ["BEGIN:VEVENT\r\nUID:trip@test\r\nDTSTART;VALUE=DATE:20270224\r\nDTEND;VALUE=DATE:20270306\r\nEND:VEVENT"]
    for week in range(12):
        for weekday in range(4):  # Monday to Thursday evenings taken; Fridays free
            day = FIRST + timedelta(weeks=week, days=weekday)
            events.append(
                f"BEGIN:VEVENT\r\nUID:evening-{week}-{weekday}@test\r\nSUMMARY:Evening\r\n"
                f"DTSTART;TZID=Europe/Berlin:{day:%Y%m%d}T183000\r\nDTEND;TZID=Europe/Berlin:{day:%Y%m%d}T213000\r\n"
                "END:VEVENT"
            )
    calendar = tmp_path / "evenings.ics"
    calendar.write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + "\r\n".join(events) + "\r\nEND:VCALENDAR\r\n")
    small = Pathway("small", "Small", "A", "B", 4, phases=(Phase(1, "One", 3, (Task("Only", key="only"),)),))
    settings = {"availability": "mon-fri 19:00-21:00", "busy": [str(calendar)], "busy_all_day": "yes"}
    planned = build_plan(small, [layer({"start": "2027-03-01", "timezone": BERLIN, **settings}, Origin)], CONTEXT)
    days = [session.start.date() for session in planned.sessions]
    assert all(day.weekday() == 4 for day in days) and days[0] == date(2027, 3, 12)  # the trip takes the 5th
    assert len(days) == 6 and sum(session.hours for session in planned.sessions) == 12
    assert planned.busy.hours_taken == 7 * 4 * 2 + 2  # seven weeks of four evenings, and the trip's Friday
