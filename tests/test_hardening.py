"""Bad input of every kind: one located line, exit 1 (2 for usage), nothing written, nothing hung."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
import zlib
from pathlib import Path

import openpyxl
import pytest
from conftest import BUILTIN_FILE, ROOT, run

from exporter.errors import InputError, Kind
from exporter.tomlfile import parse_toml

BASE = ["--start", "2027-01-04", "--timezone", "UTC"]


def _png(width: int, height: int) -> bytes:
    """A valid PNG header and a truncated body: enough for readers to see its size."""
    import struct

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 16))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--start", "9999-12-27"], "error: --start: must be between 1901-01-01 and 9980-12-31, got 9999-12-27"),
        (["--start", "0001-01-01"], "error: --start: must be between 1901-01-01 and 9980-12-31, got 0001-01-01"),
        (["--finish-by", "9999-01-01"], "error: --finish-by: must be between"),
        (["--blackout", "0001-01-01"], "error: --blackout: must be between"),
        (["--name", "Bell\x07"], "error: --name: a name cannot hold control characters"),
        (["-o", ""], "error: --output: must name a folder"),
    ],
)
def test_bad_values_are_one_line_naming_their_option(tmp_path, args, expected):
    os.chdir(tmp_path)
    result = run("export", *BASE, *args, "--formats", "ics")
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(expected) and result.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_usage_errors_exit_2():
    assert run("export", *BASE, "--formats", "xlsx,doc").exit_code == 2
    assert run("export", *BASE, "--calendar", "some").exit_code == 2
    assert run("plan", "--bogus").exit_code == 2


def test_a_profile_reports_every_problem_with_its_line(tmp_path):
    profile = tmp_path / "me.toml"
    profile.write_text('pathway = 42\nholidays = true\ntimezone = "Mars/Base"\nstart = "soon"\nreminder = -5\n')
    result = run("export", "--profile", profile, "-o", tmp_path / "out")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert f"error: {profile}:1: pathway: must be text, got a whole number (42)" in lines
    assert f"error: {profile}:2: holidays: must be text, got true/false (true)" in lines
    profile.write_text('timezone = "Mars/Base"\nstart = "soon"\nholidays = "XX"\n')
    lines = run("plan", "--profile", profile).stderr.splitlines()
    assert [line.split(": ")[2] for line in lines] == ["start", "timezone", "holidays"]
    assert all(line.startswith(f"error: {profile}:") for line in lines)


@pytest.mark.parametrize(
    ("theme", "files", "message"),
    [
        ('logo = "logo.png"\n', {"logo.png": _png(100, 50)}, "logo: is a damaged image"),
        ('logo = "logo.png"\n', {"logo.png": _png(20000, 20000)}, "logo: has more than 25 million pixels"),
        ('logo = "logo.png"\n', {"logo.png": b"not an image"}, "logo: must be a PNG, JPEG or GIF image"),
        ('font = "font.otf"\n', {"font.otf": b"OTTO" + b"\x00" * 200}, "font: must be a TrueType (.ttf) font"),
        ('font = "font.ttf"\n', {"font.ttf": b"just some text\n"}, "font: must be a TrueType (.ttf) font"),
        ('organisation = "A\\u001bB"\n', {}, "organisation: must not hold control characters"),
    ],
)
def test_theme_files_are_checked_where_the_theme_names_them(tmp_path, theme, files, message):
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    path = tmp_path / "theme.toml"
    path.write_text(theme)
    result = run("export", *BASE, "--theme", path, "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {path}:1: {message}") and result.stderr.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_theme_colours_are_all_reported(tmp_path):
    path = tmp_path / "theme.toml"
    path.write_text('primary = "blue"\naccent = "#12"\nmuted = "#5B6770"\nlight = "x"\n')
    lines = run("export", *BASE, "--theme", path, "-o", tmp_path / "out").stderr.splitlines()
    assert [line.split(": ")[1] for line in lines] == [f"{path}:1", f"{path}:2", f"{path}:4"]


def test_deeply_nested_toml_is_a_located_limit():
    with pytest.raises(InputError) as caught:
        parse_toml("x = " + "[" * 5000 + "]" * 5000 + "\n", "deep.toml")
    assert caught.value.problems[0].kind is Kind.LIMIT


def test_pathway_text_is_checked_where_it_is_written(tmp_path):
    text = BUILTIN_FILE.read_text(encoding="utf-8").replace(
        'title = "From Backend Developer to AI Government Specialist"', 'title = "From\\u0000 Backend\\u001b[2J"'
    )
    path = tmp_path / "p.toml"
    path.write_text(text)
    result = run("validate", path)
    assert result.exit_code == 1 and f"{path}:4: title: must not hold control characters" in result.stderr
    long = BUILTIN_FILE.read_text(encoding="utf-8").replace(
        'title = "From Backend Developer to AI Government Specialist"', f'title = "{"x" * 10_000}"'
    )
    path.write_text(long)
    result = run("validate", path)
    assert result.exit_code == 1 and "title: is 10000 characters long; at most 500" in result.stderr


def test_terminal_never_receives_control_characters_from_data(tmp_path):
    roster = tmp_path / "room.csv"
    roster.write_text("name,timezone\n\x1b]0;pwned\x07Ana\x1b[2J,Mars/Base\nBea,UTC\n", encoding="utf-8", newline="")
    command = [sys.executable, "-m", "exporter", "batch", str(roster), *BASE, "--formats", "json"]
    for mode in (["-o", str(tmp_path / "out")], ["--dry-run"]):
        result = subprocess.run([*command, *mode], capture_output=True, text=True, timeout=120)
        assert result.returncode == 1
        assert "\x1b" not in result.stderr + result.stdout and "\x07" not in result.stderr + result.stdout
    assert "\\x1b]0;pwned\\x07Ana" in result.stdout  # the dry run's table names the row the batch refused


def test_ctrl_c_in_a_batch_writes_the_summary_and_exits_130(tmp_path):
    roster = tmp_path / "room.csv"
    rows = "".join(f"Person {n},UTC\n" for n in range(60))
    roster.write_text("name,timezone\n" + rows, encoding="utf-8")
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "exporter", "batch", str(roster), "-o", str(out), *BASE, "--jobs", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not any(out.glob("*/plan.pdf")):
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    summary = (out / "summary.csv").read_text(encoding="utf-8-sig").splitlines()
    statuses = [line["status"] for line in csv.DictReader(summary)]
    assert len(statuses) == 60 and "ok" in statuses and "not started" in statuses
    assert "not started" in stderr and "Traceback" not in stderr


def test_import_does_not_create_folders(tmp_path):
    result = run("import", ROOT / "tests" / "fixtures" / "seed-guide.txt", "-o", tmp_path / "no" / "dir" / "x.toml")
    assert result.exit_code == 1 and "is not an existing folder; create it first" in result.stderr
    assert not (tmp_path / "no").exists()


def test_a_tracker_with_progress_survives_a_full_disk(tmp_path, monkeypatch):
    assert run("export", *BASE, "-o", tmp_path).exit_code == 0
    tracker = tmp_path / "tracker.xlsx"
    book = openpyxl.load_workbook(tracker)
    book["Tasks"]["G2"] = "Done"
    book.save(tracker)
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    real_write = os.write

    def full(descriptor, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    result = run("export", *BASE, "--availability", "sat 09:00-12:00", "-o", tmp_path, "--force")
    monkeypatch.setattr(os, "write", real_write)
    assert result.exit_code == 1 and "No space left on device" in result.stderr
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before
    assert Path(tracker).exists()


def test_a_guide_that_makes_a_bad_pathway_is_located_in_the_guide(tmp_path):
    from exporter.importer import import_guide_text

    lines = (ROOT / "tests" / "fixtures" / "seed-guide.txt").read_text(encoding="utf-8").splitlines()
    number = next(n for n, line in enumerate(lines, start=1) if "Complete 'AI for Everyone'" in line)
    lines[number - 1] = lines[number - 1].replace("Complete", "Complete " + "very " * 120)
    with pytest.raises(InputError) as caught:
        import_guide_text("\n".join(lines), "guide.txt")
    (problem,) = caught.value.problems
    assert (problem.source, problem.line, problem.kind) == ("guide.txt", number, Kind.LIMIT)
    assert problem.field == "phases[1].tasks[1].title"


def test_guide_splitting_is_linear_in_the_line_length():
    from exporter.importer import split_resources

    started = time.perf_counter()
    split_resources("aB" * 100_000)
    small = time.perf_counter() - started
    started = time.perf_counter()
    split_resources("aB" * 400_000)
    assert time.perf_counter() - started < max(1.0, 12 * small)
