"""Rosters: limits checked before the roster is read (file size, unpacked size) and while (rows, columns, cells)."""

import io
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import run, run_measured

from exporter.errors import InputError
from exporter.inputs import ZIP_MAX_RATIO
from exporter.roster import (
    LAST_SPREADSHEET_ROW,
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_ROWS,
    column_letter,
    read_roster,
)

FORMULA_MESSAGE = "a formula with no saved value; open and save the roster in a spreadsheet program, or type the value"


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        read_roster(path)
    return [str(problem) for problem in caught.value.problems]


def small_workbook(*rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewrite_sheet(workbook: bytes, target: Path, sheet=None, padding: int = 0, compresslevel: int = 1) -> Path:
    """The workbook with its sheet XML replaced (`sheet(xml) -> xml`), or padded with `padding` bytes of
    zeros in an XML comment: valid XML that deflate packs about 1000 to 1. Streams; takes a fraction of a second."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info.filename, data)
                continue
            if sheet:
                data = sheet(data.decode()).encode()
            head, _, tail = data.rpartition(b"</worksheet>")
            with out.open(info.filename, "w", force_zip64=True) as member:
                member.write(head + b"<!--")
                chunk = b"0" * (1 << 20)
                for _ in range(padding // len(chunk)):
                    member.write(chunk)
                member.write(b"0" * (padding % len(chunk)) + b"--></worksheet>" + tail)
    return target


def test_a_zip_bomb_roster_fails_fast_with_bounded_memory(tmp_path):
    started = time.monotonic()
    bomb = rewrite_sheet(small_workbook(["name"], ["Ana"]), tmp_path / "room.xlsx", padding=101 * 1024 * 1024)
    assert time.monotonic() - started < 10
    members = zipfile.ZipFile(bomb).infolist()
    assert sum(m.file_size for m in members) > 100 * 1024 * 1024 and bomb.stat().st_size < 1024 * 1024
    out = tmp_path / "out"
    result, seconds, peak_mb = run_measured("batch", bomb, "-o", out, "--jobs", "1")
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: {bomb}: unpacks to more than the 100 MB limit for a roster workbook"
    assert seconds < 30
    if peak_mb is not None:
        assert peak_mb < 120, f"{peak_mb:.0f} MB"  # openpyxl reading it takes over 300 MB and ten minutes
    assert not out.exists()


def test_a_member_compressed_beyond_any_real_roster_is_refused(tmp_path):
    packed = rewrite_sheet(small_workbook(["name"], ["Ana"]), tmp_path / "room.xlsx", padding=20 * 1024 * 1024)
    assert problems_of(packed) == [
        f"{packed}: xl/worksheets/sheet1.xml is compressed more than {ZIP_MAX_RATIO} to 1, beyond any real "
        "roster; open and save it again in a spreadsheet program"
    ]


def test_a_roster_file_over_20_mb_is_refused_unread(tmp_path):
    for name in ("room.csv", "room.xlsx"):
        path = tmp_path / name
        with open(path, "wb") as handle:
            handle.truncate(21 * 1024 * 1024)
        assert problems_of(path) == [f"{path}: larger than the 20 MB limit for a roster"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_roster_is_refused_at_once(tmp_path):
    fifo = tmp_path / "room.csv"
    os.mkfifo(fifo)
    result = subprocess.run(
        [sys.executable, "-m", "exporter", "batch", str(fifo), "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: {fifo}: not a regular file (a named pipe)"


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    path.write_text("\n".join(",".join(row) for row in [header, *rows]) + "\n", encoding="utf-8")
    return path


def test_rows_up_to_the_limit(tmp_path):
    rows = [[f"P{i}", "2027-01-04"] for i in range(MAX_ROWS)]
    path = write_csv(tmp_path / "room.csv", ["name", "start"], rows)
    assert len(read_roster(path).rows) == MAX_ROWS
    path = write_csv(tmp_path / "room.csv", ["name", "start"], [*rows, ["One more", ""]])
    assert problems_of(path) == [
        f"{path}: row {MAX_ROWS + 2}: more than the {MAX_ROWS} rows a roster may have; split the roster"
    ]


def test_blank_rows_are_not_counted_but_keep_the_numbering(tmp_path):
    path = tmp_path / "room.csv"
    path.write_text("name,start\n" + ",\n" * 6000 + "Ana,2027-01-04\n" + ",\n" * 100, encoding="utf-8")
    (row,) = read_roster(path).rows
    assert row.number == 6002 and row.name == "Ana"


def test_columns_up_to_the_limit(tmp_path):
    header = ["name", *(f"extra {i}" for i in range(MAX_COLUMNS - 1))]
    path = write_csv(tmp_path / "room.csv", [*header, "", ""], [["Ana", *[""] * 70]])
    assert read_roster(path).rows[0].name == "Ana"
    path = write_csv(tmp_path / "room.csv", [*header, "one too many"], [["Ana"]])
    assert problems_of(path) == [
        f"{path}: row 1: more than the {MAX_COLUMNS} columns a roster may have (column BM is used); "
        "remove the columns the roster does not need"
    ]


def test_an_xlsx_header_beyond_the_column_limit(tmp_path):
    book = openpyxl.Workbook()
    book.active["A1"] = "name"
    book.active["ZZ1"] = "notes"
    book.active["A2"] = "Ana"
    path = tmp_path / "room.xlsx"
    book.save(path)
    assert problems_of(path) == [
        f"{path}: row 1: more than the {MAX_COLUMNS} columns a roster may have (column ZZ is used); "
        "remove the columns the roster does not need"
    ]


def test_a_cell_over_the_limit_is_located_by_row_and_column(tmp_path):
    long = "x" * (MAX_CELL_CHARS + 1)
    path = write_csv(tmp_path / "room.csv", ["name", "Time zone"], [["Ana", "UTC"], ["Bo", long]])
    assert problems_of(path) == [
        f"{path}: row 3: timezone: longer than the {MAX_CELL_CHARS}-character limit for a cell"
    ]
    path = tmp_path / "room.xlsx"
    path.write_bytes(small_workbook(["name", "notes"], ["Ana", "x" * MAX_CELL_CHARS], ["Bo", long]))
    assert problems_of(path) == [f"{path}: row 3: notes: longer than the {MAX_CELL_CHARS}-character limit for a cell"]


def test_a_csv_field_beyond_the_csv_module_limit(tmp_path):
    path = tmp_path / "room.csv"
    path.write_text('name,notes\nAna,"' + "x" * 200_000 + '"\n', encoding="utf-8")
    assert problems_of(path) == [f"{path}: row 2: longer than the {MAX_CELL_CHARS}-character limit for a cell"]


def test_an_xlsx_row_past_the_last_spreadsheet_row(tmp_path):
    def far_row(xml: str) -> str:
        row = LAST_SPREADSHEET_ROW + 1
        return xml.replace(
            "</sheetData>", f'<row r="{row}"><c r="A{row}" t="inlineStr"><is><t>Zed</t></is></c></row></sheetData>'
        )

    path = rewrite_sheet(small_workbook(["name"], ["Ana"]), tmp_path / "room.xlsx", sheet=far_row)
    started = time.monotonic()
    assert problems_of(path) == [
        f"{path}: row {LAST_SPREADSHEET_ROW + 1}: past row {LAST_SPREADSHEET_ROW}, the last a spreadsheet has"
    ]
    assert time.monotonic() - started < 30


def test_column_letters():
    assert [column_letter(n) for n in (1, 26, 27, 64, 702, 16384)] == ["A", "Z", "AA", "BL", "ZZ", "XFD"]


def formula_roster(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Name", "Start", "Notes"])
    sheet.append(["Ana", "2027-01-04", "=1+1"])  # a formula in a column the program does not read
    sheet.append(["Bo", "=DATE(2027,1,4)", None])  # openpyxl saves formulas with no value
    book.save(path)
    return path


def test_a_formula_with_no_saved_value_is_not_an_empty_cell(tmp_path):
    path = formula_roster(tmp_path / "room.xlsx")
    assert problems_of(path) == [f"{path}: row 3: start: column B: {FORMULA_MESSAGE}"]
    out = tmp_path / "out"
    result = run("batch", path, "-o", out, "--jobs", "1", "--formats", "ics", "--timezone", "UTC")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: {path}: row 3: start: column B: {FORMULA_MESSAGE}"
    assert not out.exists()


def test_a_formula_with_a_saved_value_is_read(tmp_path):
    def saved(xml: str) -> str:
        assert "<f>DATE(2027,1,4)</f><v />" in xml
        return xml.replace(
            '<c r="B3"><f>DATE(2027,1,4)</f><v />', '<c r="B3" t="str"><f>DATE(2027,1,4)</f><v>2027-01-04</v>'
        )

    source = formula_roster(tmp_path / "made.xlsx").read_bytes()
    path = rewrite_sheet(source, tmp_path / "room.xlsx", sheet=saved)
    rows = read_roster(path).rows
    assert [row.values for row in rows] == [
        {"name": "Ana", "start": "2027-01-04"},
        {"name": "Bo", "start": "2027-01-04"},
    ]
