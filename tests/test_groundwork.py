"""The seams later work builds on: explicit time, structured problems, task keys, one pipeline, one catalogue."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from conftest import BUILTIN_FILE, CONTEXT, ROOT, make_plan, run

from exporter.errors import InputError, Kind
from exporter.labels import ENGLISH
from exporter.loader import load_pathway_file, parse_pathway
from exporter.tracker import TaskColumn, letter
from exporter.view import PlanView
from exporter.writers import REGISTRY

PACKAGE = ROOT / "exporter"
_CLOCK_OR_ENVIRONMENT = re.compile(
    r"date\.today\(|datetime\.now\(|datetime\.utcnow\(|time\.time\(|os\.environ|getenv\(|/etc/localtime"
    r"|[\"']SOURCE_DATE_EPOCH[\"']"
)


def test_nothing_below_the_command_line_reads_the_clock_or_the_environment():
    readers = [
        path.relative_to(ROOT).as_posix()
        for path in PACKAGE.rglob("*.py")
        if _CLOCK_OR_ENVIRONMENT.search(path.read_text(encoding="utf-8"))
    ]
    assert readers == ["exporter/environment.py"]
    importers = [
        path.relative_to(ROOT).as_posix()
        for path in PACKAGE.rglob("*.py")
        if "exporter.environment" in path.read_text(encoding="utf-8")
    ]
    assert importers == ["exporter/cli.py"]


def test_outputs_follow_the_context_not_the_machine(monkeypatch):
    from exporter.writers.plan_json import render

    plan = make_plan(name="Ana")
    first = render(plan, CONTEXT, None, None)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1900000000")
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    assert render(plan, CONTEXT, None, None) == first


OVER_HOURS = """id = "over"
title = "Over"
from_role = "A"
to_role = "B"
hours_per_week = 5

[[phases]]
number = 1
title = "Only"
weeks = 2
[[phases.tasks]]
title = "Too long"
hours = 11
"""


def test_validate_rejects_what_plan_would_at_file_and_line(tmp_path):
    path = tmp_path / "over.toml"
    path.write_text(OVER_HOURS)
    with pytest.raises(InputError) as caught:
        load_pathway_file(path)
    (problem,) = caught.value.problems
    assert (problem.source, problem.line, problem.field, problem.kind) == (
        str(path),
        7,
        "phases[1].tasks",
        Kind.CONFLICT,
    )
    result = run("validate", path)
    assert result.exit_code == 1 and result.stderr.startswith(f"error: {path}:7: phases[1].tasks: ")
    assert run("plan", path).exit_code == 1


def test_validate_reports_success_on_stdout():
    result = run("validate", BUILTIN_FILE)
    assert result.exit_code == 0 and result.stdout == "1 pathway file(s) valid\n" and result.stderr == ""


@pytest.mark.parametrize(
    ("text", "field", "kind", "hint"),
    [
        (
            "[[phases]]\nnumber = 1\n[[phases.tasks]]\ntitle = 'x'\nhour = 3\n",
            "phases[1].tasks[1].hour",
            Kind.UNKNOWN,
            "'hours'",
        ),
        ("titel = 'x'\n", "titel", Kind.UNKNOWN, "'title'"),
        ('[[phases]]\nnumber = 1\ntitle = "bell \\u0007"\n', "phases[1].title", Kind.VALUE, "control"),
    ],
)
def test_pathway_problems_carry_kind_and_field(text, field, kind, hint):
    with pytest.raises(InputError) as caught:
        parse_pathway(text, "p.toml")
    found = [p for p in caught.value.problems if p.field == field]
    assert found and found[0].kind is kind and hint in found[0].message and found[0].line is not None


def test_a_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + BUILTIN_FILE.read_bytes())
    assert load_pathway_file(path).id == "backend-developer-to-ai-government-specialist"


def test_task_keys_are_stable_and_unique():
    pathway = load_pathway_file(BUILTIN_FILE)
    keys = [task.key for phase in pathway.phases for task in phase.tasks]
    assert len(set(keys)) == len(keys) == 20 and keys[0] == "ai-for-everyone"
    duplicate = OVER_HOURS.replace("hours = 11\n", 'key = "same"\n[[phases.tasks]]\nkey = "same"\ntitle = "Two"\n')
    with pytest.raises(InputError) as caught:
        parse_pathway(duplicate, "dup.toml")
    assert [p.kind for p in caught.value.problems] == [Kind.DUPLICATE]


def test_keys_reach_the_plan_json_and_the_tracker(tmp_path):
    result = run("export", "--start", "2027-01-04", "--timezone", "UTC", "-o", tmp_path, "--formats", "xlsx,json")
    assert result.exit_code == 0, result.stderr
    data = (tmp_path / "plan.json").read_text(encoding="utf-8")
    assert '"key": "ai-for-everyone"' in data
    sheet = openpyxl.load_workbook(tmp_path / "tracker.xlsx")[ENGLISH("sheet.tasks")]
    column = letter(TaskColumn.KEY)
    assert sheet[f"{column}2"].value == "ai-for-everyone" and sheet.column_dimensions[column].hidden


def test_milestone_titles_come_from_the_catalogue():
    plan = make_plan()
    titles = [PlanView(plan, ENGLISH).milestone_title(m) for m in plan.milestones]
    assert any(re.fullmatch(r"Checkpoint: actions for the next 90 days \(\d+\)", title) for title in titles)
    assert not any("days's" in title for title in titles)


def test_formats_come_from_the_registry():
    listed = run("list", "--formats").output.splitlines()
    assert [line.split("\t")[0] for line in listed] == list(REGISTRY)
    assert all(name in run("export", "--help").output for name in REGISTRY)


def test_profile_and_roster_problems_name_their_source(tmp_path):
    profile = tmp_path / "me.toml"
    profile.write_text('timezone = "UTC"\nfinish_by = "soon"\nholidays = true\nhours_per_week = "x"\n')
    result = run("plan", "--profile", profile)
    assert result.exit_code == 1
    assert f"error: {profile}:3: holidays: must be text, got true/false (true)" in result.stderr
    profile.write_text('finish_by = "soon"\n')
    result = run("plan", "--profile", profile)
    assert f"error: {profile}:1: finish_by: not a date (YYYY-MM-DD): 'soon'" in result.stderr


def test_a_roster_name_with_a_colon_does_not_leak_into_the_summary(tmp_path):
    roster = tmp_path / "Team A: Spring.csv"
    roster.write_text("name,timezone,finish_by\nAna,Mars/Base,\nBea,UTC,2027-01-10\n", encoding="utf-8")
    result = run("batch", roster, "-o", tmp_path / "out", "--start", "2027-01-04", "--formats", "json")
    assert result.exit_code == 1
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out" / "summary.csv").read_text(encoding="utf-8-sig"))))
    assert rows[0]["error"].startswith("timezone: unknown time zone 'Mars/Base'")
    assert rows[1]["error"].startswith("finish_by: no schedule finishes by 2027-01-10")
    assert f"{roster}: row 3: finish_by: no schedule" in result.stderr


def test_batch_has_no_name_option():
    assert "--name" not in run("batch", "--help").output


def test_two_forced_exports_keep_both_earlier_trackers(tmp_path):
    base = ["export", "--start", "2027-01-04", "--timezone", "UTC", "-o", tmp_path, "--formats", "xlsx"]
    assert run(*base).exit_code == 0
    tracker = tmp_path / "tracker.xlsx"
    contents = []
    for mark in ("first", "second"):
        book = openpyxl.load_workbook(tracker)
        book[ENGLISH("sheet.tasks")][f"{letter(TaskColumn.NOTES)}2"] = mark
        book.save(tracker)
        contents.append(mark)
        result = run(*base, "--force")
        assert result.exit_code == 0 and "your earlier tracker is kept as" in result.output
    backups = sorted(tmp_path.glob("tracker.backup-*.xlsx"))
    notes = {openpyxl.load_workbook(b)[ENGLISH("sheet.tasks")][f"{letter(TaskColumn.NOTES)}2"].value for b in backups}
    assert len(backups) == 2 and notes == set(contents)


def test_the_source_tree_runs_after_a_non_editable_install(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    dependencies = next(p for p in map(Path, sys.path) if p.name == "site-packages" and (p / "openpyxl").exists())
    Path(site, "deps.pth").write_text(str(dependencies) + "\n")
    build = tmp_path / "build"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(build),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    Path(site, "installed.pth").write_text(str(build) + "\n")
    listed = subprocess.run([str(python), "-m", "exporter", "list"], cwd=ROOT, capture_output=True, text=True)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.startswith("backend-developer-to-ai-government-specialist\t")
    benchmark = subprocess.run(
        [str(python), "-c", "import exporter.loader as l; print(l.builtin_ids())"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert "backend-developer" in benchmark.stdout, benchmark.stderr


def test_the_weekly_schedule_is_one_choice_across_layers(tmp_path):
    profile = tmp_path / "me.toml"
    profile.write_text('timezone = "UTC"\nstart = "2027-01-04"\nhours_per_week = 6\ndays = ["mon", "wed"]\n')
    result = run("plan", "--profile", profile, "--json")
    assert result.exit_code == 0, result.stderr
    assert '"availability": "mon 19:00-22:00; wed 19:00-22:00"' in result.output
    result = run("plan", "--profile", profile, "--availability", "sat 09:00-13:00", "--json")
    assert result.exit_code == 0, result.stderr
    assert '"availability": "sat 09:00-13:00"' in result.output
    roster = tmp_path / "room.csv"
    roster.write_text("name,availability\nAna,sun 10:00-12:00\nBea,\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run("batch", roster, "-o", out, "--hours-per-week", "6", *["--start", "2027-01-04"], "--formats", "json")
    assert result.exit_code == 0, result.stderr
    assert '"availability": "sun 10:00-12:00"' in (out / "ana" / "plan.json").read_text(encoding="utf-8")
    assert '"hours_per_week": 6.0' in (out / "bea" / "plan.json").read_text(encoding="utf-8")


def test_files_a_profile_names_are_found_beside_it(tmp_path, monkeypatch):
    folder = tmp_path / "settings"
    folder.mkdir()
    (folder / "theme.toml").write_text('paper = "a4"\n')
    (folder / "mine.toml").write_text(BUILTIN_FILE.read_text(encoding="utf-8").replace('id = "backend', 'id = "my'))
    profile = folder / "me.toml"
    profile.write_text('theme = "theme.toml"\npathway = "mine.toml"\ntimezone = "UTC"\nstart = "2027-01-04"\n')
    monkeypatch.chdir(tmp_path)
    result = run("export", "--profile", profile, "-o", tmp_path / "out", "--formats", "json")
    assert result.exit_code == 0, result.stderr
    assert '"id": "my-developer-to-ai-government-specialist"' in (tmp_path / "out" / "plan.json").read_text()


def test_finish_by_must_come_after_the_start():
    result = run("plan", "--start", "2027-01-04", "--finish-by", "2027-01-04")
    assert result.exit_code == 1
    assert result.stderr == "error: --finish-by: must be after the start (2027-01-04), got 2027-01-04\n"


def test_a_profile_alias_is_named_as_written(tmp_path):
    profile = tmp_path / "me.toml"
    profile.write_text('timezone = "UTC"\nblackouts = ["2027-13-01"]\n')
    assert f"error: {profile}:2: blackouts: not a date" in run("plan", "--profile", profile).stderr


def test_skill_milestones_keep_their_identity_when_a_skill_is_inserted():
    pathway = load_pathway_file(BUILTIN_FILE)
    keys = {m.key for m in make_plan(pathway).milestones if m.kind == "skill-target"}
    text = BUILTIN_FILE.read_text(encoding="utf-8").replace(
        "[[skills]]", '[[skills]]\nname = "Inserted"\npriority = "critical"\nweeks = 2\n\n[[skills]]', 1
    )
    inserted = parse_pathway(text, "inserted.toml")
    after = {m.key for m in make_plan(inserted).milestones if m.kind == "skill-target"}
    assert keys < after
