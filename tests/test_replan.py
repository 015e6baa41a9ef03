"""`replan`: the past frozen, the work left scheduled from --as-of, the person's entries carried over."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import openpyxl
from conftest import CONTEXT, make_plan, run
from hypothesis import given, settings
from hypothesis import strategies as st
from realclients import libreoffice_recalculate

from exporter.errors import Origin
from exporter.model import TaskStatus
from exporter.planner import replan
from exporter.progress import read_progress
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
        assert before.end.timestamp() <= after.start.timestamp(), "sessions never overlap (as instants)"
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


def _edited_export(folder):
    import openpyxl
    from conftest import run

    args = ["--start", "2026-10-05", "--timezone", "Europe/Berlin", "--name", "Ana"]
    assert run("export", *args, "-o", folder).exit_code == 0
    path = folder / "tracker.xlsx"
    book = openpyxl.load_workbook(path)
    tasks = book["Tasks"]
    tasks["G2"], tasks["H2"] = "Done", "2026-10-20"
    tasks["G3"] = "done"
    tasks["G4"], tasks["I4"], tasks["J4"] = "In progress", 5, "going well"
    for row in range(2, 9):
        book["Weekly log"][f"C{row}"] = 8
    book.save(path)
    return path


def test_the_whole_story_with_libreoffice_in_between(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    folder = tmp_path / "plan"
    path = _edited_export(folder)
    (saved,) = libreoffice_recalculate([path], tmp_path / "lo")
    saved.replace(path)
    recorded = read_progress(path)
    edited_bytes = path.read_bytes()
    result = run("replan", folder, "--as-of", "2026-11-25")
    assert result.exit_code == 0, result.stderr
    assert "Done: 2 of 20 tasks, 45 h; left: 435 h" in result.output
    assert "Finish: 2027-09-04 -> 2027-09-25" in result.output
    (backup,) = folder.glob("tracker.backup-*.xlsx")
    assert backup.read_bytes() == edited_bytes, "the person's tracker is kept as it was"
    again = read_progress(path)
    assert {k: (v.status, v.done_on, v.actual_hours, v.notes) for k, v in again.tasks.items() if v.status} == {
        k: (v.status or TaskStatus.NOT_STARTED, v.done_on, v.actual_hours, v.notes)
        for k, v in recorded.tasks.items()
        if v.status
    }
    assert again.weekly_actuals == recorded.weekly_actuals
    (after_lo,) = libreoffice_recalculate([path], tmp_path / "lo2")
    dashboard = openpyxl.load_workbook(after_lo, data_only=True)["Dashboard"]
    assert dashboard["B15"].value == 56, "the Weekly log's actual hours, recalculated by LibreOffice"
    status = run("status", folder, "--as-of", "2026-11-25", "--json").output
    assert '"hours_done": 45.0' in status and '"hours_planned_to_date": 74.0' in status
    first = {name: (folder / name).read_bytes() for name in ("plan.ics", "plan.pdf")}
    assert run("replan", folder, "--as-of", "2026-11-25").exit_code == 0
    assert {name: (folder / name).read_bytes() for name in first} == first, "replanning again changes nothing"
    assert len(list(folder.glob("tracker.backup-*.xlsx"))) == 2


def test_a_changed_pathway_is_matched_by_key_and_rows_matching_nothing_are_kept(tmp_path):
    """A task renamed (new key) and a row of the person's own: reported, kept on a sheet of their own."""
    from conftest import BUILTIN_FILE

    path = _edited_export(tmp_path)
    book = openpyxl.load_workbook(path)
    book["Tasks"]["C22"], book["Tasks"]["K22"] = "My own extra task", "mine"
    book.save(path)
    changed = tmp_path / "changed.toml"
    text = BUILTIN_FILE.read_text(encoding="utf-8")
    changed.write_text(text.replace('key = "explore-aws-govcloud"', 'key = "explore-aws-govcloud-again"'))
    result = run("replan", tmp_path, "--pathway", changed, "--as-of", "2026-11-25")
    assert result.exit_code == 0, result.stderr
    warnings = result.stderr.splitlines()
    assert any("changed since this tracker was made (1 task(s) new, 1 no longer in it)" in w for w in warnings)
    assert any("row 5: Tasks: matches no task of the plan (task key 'explore-aws-govcloud')" in w for w in warnings)
    assert any("row 22: Tasks: matches no task of the plan (no task key)" in w for w in warnings)
    progress = read_progress(path)
    assert "explore-aws-govcloud-again" in progress.tasks and "explore-aws-govcloud" not in progress.tasks
    assert progress.tasks["ai-for-everyone"].status is TaskStatus.DONE
    assert [(row.row, row.key, row.values[0], row.values[-1], row.earlier) for row in progress.other_rows] == [
        (5, "explore-aws-govcloud", "Set up a free AWS account and explore GovCloud documentation", None, True),
        (22, "", "My own extra task", "mine", True),
    ]
    again = run("replan", tmp_path, "--pathway", changed, "--as-of", "2026-11-25")
    assert again.exit_code == 0 and "warning" not in again.stderr.lower(), again.stderr
    assert read_progress(path).other_rows == progress.other_rows


def test_a_notice_names_the_sheet_as_the_persons_tracker_names_it(tmp_path):
    """A German tracker replanned into English: the row is on the German Tasks sheet, and it goes to the
    English tracker's sheet of rows that match no task."""
    from exporter.labels import catalogue

    assert run("export", "-o", tmp_path, "--start", "2026-10-05", "--timezone", "UTC", "--lang", "de").exit_code == 0
    path = tmp_path / "tracker.xlsx"
    german = catalogue("de")
    book = openpyxl.load_workbook(path)
    book[german("sheet.tasks")]["C22"] = "Meine eigene Aufgabe"
    book.save(path)
    result = run("replan", tmp_path, "--as-of", "2026-11-25", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert (
        f"row 22: {german('sheet.tasks')}: matches no task of the plan (no task key); a replan keeps it on the "
        "sheet 'Not in the plan'" in result.stderr
    ), result.stderr


def test_replan_refuses_what_it_cannot_do(tmp_path):
    _edited_export(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    for args, message in (
        (["--start", "2027-01-01"], "--start: a replan keeps the plan's start"),
        (["--as-of", "2026-01-01"], "--as-of: is before the plan's start (2026-10-05)"),
        (["--profile", "x.toml"], "--profile: a replan takes its settings from the tracker"),
    ):
        result = run("replan", tmp_path, *args)
        assert result.exit_code == 1 and message in result.stderr, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_the_replanned_pdf_says_when_and_how_far(tmp_path):
    from realclients import pdf_tool

    _edited_export(tmp_path)
    assert run("replan", tmp_path, "--as-of", "2026-11-25").exit_code == 0
    text = pdf_tool("pdftotext", "-l", "1", str(tmp_path / "plan.pdf"), "-")
    assert "Replanned on" in text and "Wednesday 25 November 2026" in text
    assert "Finish before" in text and "Saturday 4 September 2027" in text
    assert "45 hours done, 435 hours left" in text


def test_the_calendar_follows_the_replan_in_place(tmp_path, monkeypatch):
    import icalendar
    import recurring_ical_events
    from realclients import khal_events

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    folder = tmp_path / "plan"
    _edited_export(folder)
    old = tmp_path / "old.ics"
    old.write_bytes((folder / "plan.ics").read_bytes())
    assert run("replan", folder, "--as-of", "2026-11-25", "--availability", "sat 09:00-15:00").exit_code == 0
    new = folder / "plan.ics"
    before = icalendar.Calendar.from_ical(old.read_bytes())
    after = icalendar.Calendar.from_ical(new.read_bytes())
    old_events = {str(e["UID"]): e for e in before.walk("VEVENT")}
    new_events = {str(e["UID"]): e for e in after.walk("VEVENT")}
    assert set(old_events) <= set(new_events), "every event the person has keeps its identity"
    cutoff = datetime(2026, 11, 25, tzinfo=ZoneInfo("Europe/Berlin"))
    for uid, event in old_events.items():
        start = event["DTSTART"].dt
        if isinstance(start, datetime) and start < cutoff:
            assert new_events[uid].to_ical() == event.to_ical(), "a past session is the same event"
    cancelled = [e for e in new_events.values() if str(e.get("STATUS", "")) == "CANCELLED"]
    assert cancelled and all(int(e["SEQUENCE"]) == int(old_events[str(e["UID"])]["SEQUENCE"]) + 1 for e in cancelled)
    first = khal_events(old, tmp_path, "Europe/Berlin", days=6000)
    listed = khal_events(new, tmp_path, "Europe/Berlin", days=6000)
    assert len(first) == len(old_events) and len(listed) == len(new_events), "no duplicate after the re-import"
    occurring = recurring_ical_events.of(after).between(date(2026, 1, 1), date(2030, 1, 1))
    sessions = [
        e for e in occurring if isinstance(e["DTSTART"].dt, datetime) and str(e.get("STATUS", "")) != "CANCELLED"
    ]
    assert len(sessions) == len(new_events) - len(cancelled) - sum(
        1 for e in new_events.values() if not isinstance(e["DTSTART"].dt, datetime)
    ), "recurring-ical-events reads every session the new plan has"
