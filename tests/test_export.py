import io
import os
import re
from pathlib import Path

import icalendar
import openpyxl
from conftest import run, run_process
from realclients import pdf_tool

BASE = ["--start", "2027-01-04", "--timezone", "America/New_York"]


def test_export_writes_three_files(tmp_path):
    out = tmp_path / "new" / "folder"
    result = run("export", *BASE, "--name", "Zoë", "-o", out)
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["plan.ics", "plan.pdf", "tracker.xlsx"]
    assert all(f"wrote {out / name}" in result.output for name in ("plan.ics", "plan.pdf", "tracker.xlsx"))
    assert openpyxl.load_workbook(out / "tracker.xlsx")["Dashboard"]["B4"].value == "Zoë"
    assert "Pages:" in pdf_tool("pdfinfo", str(out / "plan.pdf"))
    assert icalendar.Calendar.from_ical((out / "plan.ics").read_bytes())["METHOD"] == "PUBLISH"


def test_export_as_a_subprocess_on_the_default_pathway(tmp_path):
    result = run_process("export", "-o", tmp_path, "--timezone", "UTC")
    assert result.returncode == 0, result.stderr
    assert {p.name for p in tmp_path.iterdir()} == {"plan.ics", "plan.pdf", "tracker.xlsx"}


def test_existing_tracker_survives_without_force(tmp_path):
    assert run("export", *BASE, "-o", tmp_path).exit_code == 0
    tracker = tmp_path / "tracker.xlsx"
    book = openpyxl.load_workbook(tracker)
    book["Tasks"]["G2"] = "Done"
    book.save(tracker)
    result = run("export", *BASE, "--availability", "sat 09:00-17:00", "-o", tmp_path)
    assert result.exit_code == 0
    assert f"kept {tracker}" in result.output
    assert openpyxl.load_workbook(tracker)["Tasks"]["G2"].value == "Done"
    result = run("export", *BASE, "-o", tmp_path, "--force")
    (backup_path,) = tmp_path.glob("tracker.backup-*.xlsx")
    assert result.exit_code == 0 and f"your earlier tracker is kept as {backup_path}" in result.output
    backup = io.BytesIO(backup_path.read_bytes())
    assert openpyxl.load_workbook(backup)["Tasks"]["G2"].value == "Done"
    assert openpyxl.load_workbook(tracker)["Tasks"]["G2"].value == "Not started"


def test_formats_split_and_reminders(tmp_path):
    result = run("export", *BASE, "-o", tmp_path, "--formats", "ics", "--ics-split", "--reminder", "30")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["milestones.ics", "sessions.ics"]
    sessions = icalendar.Calendar.from_ical((tmp_path / "sessions.ics").read_bytes())
    assert {str(a["TRIGGER"].to_ical().decode()) for a in sessions.walk("VALARM")} == {"-PT30M"}
    milestones = icalendar.Calendar.from_ical((tmp_path / "milestones.ics").read_bytes())
    assert not milestones.walk("VALARM") and all("TZID" not in e["DTSTART"].params for e in milestones.walk("VEVENT"))
    assert run("export", *BASE, "-o", tmp_path / "x", "--formats", "ics", "--no-reminders").exit_code == 0
    assert b"VALARM" not in (tmp_path / "x" / "plan.ics").read_bytes()


def test_bad_input_writes_nothing(tmp_path):
    out = tmp_path / "out"
    result = run("export", *BASE, "--formats", "xlsx,doc", "-o", out)
    assert result.exit_code == 2 and "--formats" in result.stderr and not out.exists()
    result = run("export", *BASE, "--timezone", "Nowhere/Here", "-o", out)
    assert result.exit_code == 1 and not out.exists()
    theme = tmp_path / "theme.toml"
    theme.write_text('primary = "blue"\nfont = "missing.ttf"\n')
    result = run("export", *BASE, "--theme", theme, "-o", out)
    assert (
        result.exit_code == 1 and "primary: must be a colour" in result.stderr and "font: no such file" in result.stderr
    )
    assert not out.exists()


def test_no_half_written_file_when_writing_fails(tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert run("export", *BASE, "-o", out, "--formats", "ics").exit_code == 0
    before = (out / "plan.ics").read_bytes()

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    result = run("export", *BASE, "--name", "Other", "-o", out, "--formats", "ics")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert (out / "plan.ics").read_bytes() == before
    assert [p.name for p in out.iterdir()] == ["plan.ics"]


def test_theme_template_works(tmp_path):
    theme = Path(__file__).parent.parent / "templates" / "theme.toml"
    result = run("export", *BASE, "--theme", theme, "--paper", "a4", "-o", tmp_path, "--formats", "pdf")
    assert result.exit_code == 0, result.stderr
    assert "(A4)" in pdf_tool("pdfinfo", str(tmp_path / "plan.pdf"))


def test_profile_drives_export(tmp_path):
    profile = tmp_path / "me.toml"
    profile.write_text('name = "Ana"\nstart = "2027-01-04"\ntimezone = "UTC"\npaper = "a4"\nreminder = 5\n')
    result = run("export", "--profile", profile, "-o", tmp_path / "o", "--formats", "pdf,ics")
    assert result.exit_code == 0, result.stderr
    assert "(A4)" in pdf_tool("pdfinfo", str(tmp_path / "o" / "plan.pdf"))
    assert b"TRIGGER:-PT5M" in (tmp_path / "o" / "plan.ics").read_bytes()


def test_debug_flag_and_no_traceback(tmp_path):
    result = run_process("export", "-o", tmp_path / "f", "--start", "2027-02-30")
    assert result.returncode == 1 and "Traceback" not in result.stderr and "--start: not a date" in result.stderr
    result = run_process("plan", "--availability", "mon 25:00-26:00")
    assert result.returncode == 1 and "not a time of day" in result.stderr
    result = run_process("plan", "--bogus")
    assert result.returncode == 2


def test_very_long_calendar_is_flagged_for_google(tmp_path):
    result = run("export", *BASE, "--availability", "mon-sun 09:00-09:15", "-o", tmp_path, "--formats", "ics")
    assert result.exit_code == 0
    assert re.search(r"plan\.ics holds \d{4} events: Google Calendar imports about 1000 at most", result.stderr)


def test_unwritable_folder_is_one_clear_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run("export", *BASE, "-o", blocker, "--formats", "ics")
    assert result.exit_code == 1 and "output folder is a file" in result.stderr
