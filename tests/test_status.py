"""`status`: the tracker read back and measured against its own plan, figures checked by hand."""

from __future__ import annotations

import json

import openpyxl
import pytest
from conftest import BUILTIN_FILE, run
from realclients import libreoffice_recalculate

from exporter.labels import ENGLISH
from exporter.tracker import TaskColumn, letter

BASE = ["--start", "2026-10-05", "--timezone", "Europe/Berlin", "--name", "Ana", "--formats", "xlsx"]


def _tracker(folder, statuses: dict[int, str], actual: dict[int, float], weekly: dict[int, float]):
    assert run("export", *BASE, "-o", folder).exit_code == 0
    path = folder / "tracker.xlsx"
    book = openpyxl.load_workbook(path)
    tasks = book[ENGLISH("sheet.tasks")]
    for row, status in statuses.items():
        tasks[f"{letter(TaskColumn.STATUS)}{row}"] = status
    for row, hours in actual.items():
        tasks[f"{letter(TaskColumn.ACTUAL)}{row}"] = hours
    log = book[ENGLISH("sheet.weekly-log")]
    for row, hours in weekly.items():
        log[f"C{row}"] = hours
    book.save(path)
    return path


def _status(folder, *args):
    result = run("status", folder, "--json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.output)


def test_behind_plan_figures_by_hand(tmp_path):
    _tracker(tmp_path, {2: "done", 3: "Done", 4: "In progress"}, {4: 5}, {row: 8 for row in range(2, 9)})
    figures = _status(tmp_path, "--as-of", "2026-11-25")
    # 7 weeks of 10 h (5 Oct to 22 Nov) and Monday and Tuesday of the 8th: 74 h planned by now.
    assert figures["hours_planned_to_date"] == 74
    # Tasks 1.1 and 1.2 (20 h each) done, 5 h into task 1.3: 45 h done, 29 h (20.3 days at 10 h a week) behind.
    assert (figures["hours_done"], figures["hours_ahead"], figures["days_ahead"]) == (45, -29, -20.3)
    # The weekly log's last four weeks (16, 9 and 2 Nov with 8 h, 23 Nov empty): 6 h a week.
    assert figures["observed_pace"] == 6
    # 435 h left at 6 h a week: 508 days on; 435 h in the 283 days to 4 Sep 2027: 10.76 h a week.
    assert figures["finish_at_pace"] == "2028-04-16" and figures["hours_per_week_needed"] == 10.76
    text = run("status", tmp_path, "--as-of", "2026-11-25").output
    assert "Behind plan by 29 h (about 20.3 days)" in text and "Ana" in text


def test_ahead_of_plan(tmp_path):
    _tracker(tmp_path, {row: "Done" for row in range(2, 7)}, {}, {2: 12, 3: 12, 4: 12, 5: 12})
    figures = _status(tmp_path, "--as-of", "2026-11-02")
    # 4 weeks planned (40 h); phase 1 (80 h) and task 2.1 (30 h) done: 70 h ahead, 49 days.
    assert (figures["hours_planned_to_date"], figures["hours_done"]) == (40, 110)
    assert (figures["hours_ahead"], figures["days_ahead"]) == (70, 49)
    assert figures["observed_pace"] == 12
    assert "Ahead of plan by 70 h" in run("status", tmp_path, "--as-of", "2026-11-02").output


def test_status_reads_a_tracker_libreoffice_saved(tmp_path):
    path = _tracker(tmp_path, {2: "Done"}, {}, {2: 10})
    (saved,) = libreoffice_recalculate([path], tmp_path / "lo")
    saved.replace(path)
    figures = _status(tmp_path, "--as-of", "2026-10-12")
    assert (figures["hours_done"], figures["hours_planned_to_date"]) == (20, 10)


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("missing", "no tracker.xlsx here: export a plan first"),
        ("changed", "was made from pathway 'backend-developer-to-ai-government-specialist', not 'another-pathway'"),
        ("bad-date", "--as-of: not a date"),
    ],
)
def test_status_problems_are_one_line(tmp_path, setup, message):
    args = []
    if setup != "missing":
        _tracker(tmp_path, {}, {}, {})
    if setup == "changed":
        changed = tmp_path / "changed.toml"
        text = BUILTIN_FILE.read_text(encoding="utf-8")
        changed.write_text(
            text.replace('id = "backend-developer-to-ai-government-specialist"', 'id = "another-pathway"', 1)
        )
        args = ["--pathway", changed]
    if setup == "bad-date":
        args = ["--as-of", "soon"]
    result = run("status", tmp_path, *args)
    assert result.exit_code == 1 and message in result.stderr and result.stderr.count("\n") == 1
