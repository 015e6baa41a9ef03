"""Reading a tracker back: as exported, as a person fills it in, re-saved by LibreOffice, rearranged."""

import dataclasses
import io
import warnings
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from conftest import run
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from realclients import libreoffice_recalculate

from exporter import progress as progress_module
from exporter.errors import InputError, Kind
from exporter.inputs import KB
from exporter.labels import ENGLISH
from exporter.model import TaskStatus
from exporter.progress import Progress, TaskProgress, read_progress
from exporter.recorded import OtherRow
from exporter.tracker import FIRST_ROW, TASK_COLUMNS, TaskColumn, index, read_inputs, read_sessions

HEADERS = [ENGLISH(f"tasks.{column.name}") for column in TASK_COLUMNS]
WINDOWS_EPOCH = date(1899, 12, 30)
MAC_EPOCH = date(1904, 1, 1)
OWN_TASK_NOTE = "my own task, no key"
RATING = "3 - Practising"

# What the person records on the first rows of tasks: status, done on, actual hours, notes; and what it reads as.
RECORDED = [
    ("done", date(2027, 1, 15), 18.5, "went well"),
    ("IN PROGRESS", (date(2027, 2, 15) - WINDOWS_EPOCH).days, "2,5", None),  # a serial number in a General cell
    ("Done", "Fri 5 Mar 2027", 3, 42),
    ("sKiPpEd", "2027-03-08", None, "  spaced out  "),
    ("in progress", "9 Mar 2027", "4", None),
    ("", "Mar 10, 2027", None, None),
    ("Not started", "Thursday 11 March 2027", None, None),
    ("DONE", datetime(2027, 3, 12, 18, 30), ".5", None),
]
EXPECTED = [
    (TaskStatus.DONE, date(2027, 1, 15), 18.5, "went well"),
    (TaskStatus.IN_PROGRESS, date(2027, 2, 15), 2.5, ""),
    (TaskStatus.DONE, date(2027, 3, 5), 3.0, "42"),
    (TaskStatus.SKIPPED, date(2027, 3, 8), None, "spaced out"),
    (TaskStatus.IN_PROGRESS, date(2027, 3, 9), 4.0, ""),
    (None, date(2027, 3, 10), None, ""),
    (TaskStatus.NOT_STARTED, date(2027, 3, 11), None, ""),
    (TaskStatus.DONE, date(2027, 3, 12), 0.5, ""),
]
WEEKLY = {2: 9.5, 3: "11", 4: "7,5"}  # Weekly log row -> actual hours as typed
WEEKLY_EXPECTED = {date(2027, 1, 4): 9.5, date(2027, 1, 11): 11.0, date(2027, 1, 18): 7.5}


# ---- Building and editing trackers ---------------------------------------------------------


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("export")
    result = run("export", "--start", "2027-01-04", "--timezone", "UTC", "-o", folder, "--formats", "xlsx")
    assert result.exit_code == 0, result.output
    return folder / "tracker.xlsx"


def record_progress(source: Path, target: Path) -> Path:
    """The exported tracker as a person fills it in, saved by openpyxl."""
    book = openpyxl.load_workbook(source)
    tasks = book["Tasks"]
    for offset, (status, done_on, actual, notes) in enumerate(RECORDED):
        row = FIRST_ROW + offset
        tasks.cell(row, index(TaskColumn.STATUS), status)
        done = tasks.cell(row, index(TaskColumn.DONE_ON), done_on)
        if isinstance(done_on, int):
            done.number_format = "General"
        tasks.cell(row, index(TaskColumn.ACTUAL), actual)
        tasks.cell(row, index(TaskColumn.NOTES), notes)
    tasks.cell(tasks.max_row + 1, index(TaskColumn.NOTES), OWN_TASK_NOTE)
    for row, hours in WEEKLY.items():
        book["Weekly log"].cell(row, 3, hours)
    book["Skills"]["F2"] = RATING
    book["Actions"]["D2"] = "Yes"
    book["Actions"]["D3"] = "YES"
    book.save(target)
    return target


def expected_progress(exported: Path) -> Progress:
    """What reading the filled-in tracker must give, from the exported file's own rows."""
    book = openpyxl.load_workbook(exported)
    tasks_sheet = book["Tasks"]
    keys = [tasks_sheet.cell(row, index(TaskColumn.KEY)).value for row in range(FIRST_ROW, tasks_sheet.max_row + 1)]
    titles = [tasks_sheet.cell(row, index(TaskColumn.TITLE)).value for row in range(FIRST_ROW, tasks_sheet.max_row + 1)]
    tasks = {
        key: TaskProgress(key, TaskStatus.NOT_STARTED, None, None, "", row, title)
        for row, (key, title) in enumerate(zip(keys, titles, strict=True), start=FIRST_ROW)
    }
    for key, (status, done_on, actual, notes) in zip(keys, EXPECTED, strict=False):
        tasks[key] = dataclasses.replace(tasks[key], status=status, done_on=done_on, actual_hours=actual, notes=notes)
    titles = [row[1] for row in book["Actions"].iter_rows(min_row=2, values_only=True) if row[1]]
    skill = book["Skills"]["A2"].value
    return Progress(
        tasks=tasks,
        other_rows=(OtherRow(FIRST_ROW + len(keys), "", (None, None, None, None, OWN_TASK_NOTE)),),
        weekly_actuals=WEEKLY_EXPECTED,
        skill_ratings={skill: RATING},
        actions_done={title: number < 2 for number, title in enumerate(titles)},
        inputs=read_inputs((row[0], row[1]) for row in book[ENGLISH("sheet.inputs")].iter_rows(values_only=True)),
        schedule=read_sessions(book[ENGLISH("sheet.inputs")].iter_rows(values_only=True)),
    )


def rearrange(source: Path, target: Path) -> Path:
    """The tracker with its Tasks rows sorted in reverse, Notes moved to the front, two title rows above
    the header, a column hidden and widened, a row hidden (as a filter does) and the Tasks sheet last."""
    book = openpyxl.load_workbook(source)
    sheet = book["Tasks"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    notes = index(TaskColumn.NOTES) - 1
    rows = [[row[notes], *row[:notes], *row[notes + 1 :]] for row in rows]
    rows = [rows[0], *reversed(rows[1:])]
    del sheet.tables["TaskList"]  # its header no longer matches; a person would have re-sorted through it
    sheet.delete_rows(1, sheet.max_row)
    sheet.cell(1, 1, "My tracker")
    sheet.cell(2, 1, "sorted newest first")
    for number, values in enumerate(rows, start=3):
        for column, value in enumerate(values, start=1):
            sheet.cell(number, column, value)
    sheet.column_dimensions["J"].hidden = True  # Actual hours, now
    sheet.column_dimensions["A"].width = 80
    sheet.row_dimensions[6].hidden = True
    book.move_sheet(sheet, offset=len(book.worksheets) - 1 - book.worksheets.index(sheet))
    book.save(target)
    return target


@pytest.fixture(scope="module")
def trackers(tmp_path_factory, exported):
    """The filled-in tracker, the same rearranged, and LibreOffice's re-saved copy of each."""
    folder = tmp_path_factory.mktemp("trackers")
    edited = record_progress(exported, folder / "edited.xlsx")
    rearranged = rearrange(edited, folder / "rearranged.xlsx")
    edited_copy, rearranged_copy = libreoffice_recalculate([edited, rearranged], folder)
    return {"edited": edited, "rearranged": rearranged, "edited_lo": edited_copy, "rearranged_lo": rearranged_copy}


def small_tracker(path: Path, rows: list[list], header_row: int = 1, headers=None, epoch=None, title="Tasks") -> Path:
    """A workbook with only a Tasks sheet: the header on `header_row`, then `rows` of cells by column."""
    book = openpyxl.Workbook()
    if epoch is not None:
        book.epoch = epoch
    sheet = book.active
    sheet.title = title
    for column, header in enumerate(HEADERS if headers is None else headers, start=1):
        sheet.cell(header_row, column, header)
    for number, values in enumerate(rows, start=header_row + 1):
        for column, value in enumerate(values, start=1):
            sheet.cell(number, column, value)
    book.save(path)
    return path


def task(key, status=None, done_on=None, actual=None, notes=None) -> list:
    """A Tasks row's cells in the exported column order."""
    cells = [None] * len(TASK_COLUMNS)
    for column, value in (
        (TaskColumn.KEY, key),
        (TaskColumn.STATUS, status),
        (TaskColumn.DONE_ON, done_on),
        (TaskColumn.ACTUAL, actual),
        (TaskColumn.NOTES, notes),
    ):
        cells[index(column) - 1] = value
    return cells


def problems(path: Path):
    with pytest.raises(InputError) as caught:
        read_progress(path)
    return caught.value.problems


def without_rows(progress: Progress) -> dict:
    return {key: dataclasses.replace(value, row=0) for key, value in progress.tasks.items()}


# ---- Reading what a person recorded ----------------------------------------------------------


def test_a_fresh_export_reads_as_nothing_done(exported):
    progress = read_progress(exported)
    assert len(progress.tasks) > len(RECORDED)
    assert {value.status for value in progress.tasks.values()} == {TaskStatus.NOT_STARTED}
    assert all(value.done_on is None and value.actual_hours is None for value in progress.tasks.values())
    assert progress.other_rows == ()
    assert progress.weekly_actuals == {} and progress.skill_ratings == {}
    assert progress.actions_done and not any(progress.actions_done.values())


def test_what_the_person_recorded_is_read(trackers, exported):
    assert read_progress(trackers["edited"]) == expected_progress(exported)


def test_libreoffice_resaved_reads_the_same(trackers):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # openpyxl's warnings about LibreOffice's extensions stay inside
        assert read_progress(trackers["edited_lo"]) == read_progress(trackers["edited"])


def test_sorted_moved_and_hidden_reads_the_same(trackers):
    edited = read_progress(trackers["edited"])
    rearranged = read_progress(trackers["rearranged"])
    assert without_rows(rearranged) == without_rows(edited)
    last = edited.other_rows[0].row  # the last row; sorted in reverse it comes first, under the header on row 3
    assert {key: value.row for key, value in rearranged.tasks.items()} == {
        key: 4 + last - value.row for key, value in edited.tasks.items()
    }
    assert [row.row for row in rearranged.other_rows] == [4]
    assert dataclasses.replace(rearranged, tasks=edited.tasks, other_rows=edited.other_rows) == edited
    assert read_progress(trackers["rearranged_lo"]) == rearranged


# ---- Values as spreadsheet programs store them -------------------------------------------------


@pytest.mark.parametrize(
    ("written", "day"),
    [
        (date(2027, 3, 5), date(2027, 3, 5)),
        (datetime(2027, 3, 5, 23, 59), date(2027, 3, 5)),
        ((date(2027, 3, 5) - WINDOWS_EPOCH).days, date(2027, 3, 5)),
        ((date(2027, 3, 5) - WINDOWS_EPOCH).days + 0.75, date(2027, 3, 5)),
        ("2027-03-05", date(2027, 3, 5)),
        ("2027-03-05 00:00:00", date(2027, 3, 5)),
        ("5 Mar 2027", date(2027, 3, 5)),
        (" 5 march 2027 ", date(2027, 3, 5)),
        ("5-Mar-2027", date(2027, 3, 5)),
        ("Mar 5, 2027", date(2027, 3, 5)),
        ("March 5 2027", date(2027, 3, 5)),
        ("Fri 5 Mar 2027", date(2027, 3, 5)),
        ("friday, March 5, 2027", date(2027, 3, 5)),
        ("", None),
        (None, None),
    ],
)
def test_done_on_forms(tmp_path, written, day):
    path = small_tracker(tmp_path / "t.xlsx", [task("k", done_on=written)])
    assert read_progress(path).tasks["k"].done_on == day


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("soon", "'soon' is not a date; write it like 2027-03-05, 5 Mar 2027 or Fri 5 Mar 2027"),
        ("5/3/2027", "'5/3/2027' is not a date"),
        ("03/05/2027", "'03/05/2027' is not a date"),
        ("5 Mar 27", "'5 Mar 27' is not a date"),
        ("Thu 5 Mar 2027", "'Thu 5 Mar 2027': 5 Mar 2027 is a Friday"),
        ("31 Feb 2027", "'31 Feb 2027' is not a day of the calendar"),
        ("1999-12-31", "1999-12-31 is before 2000"),
        (3, "1900-01-03 is before 2000"),
        (-5, "-5 is not a date"),
        (True, "'TRUE' is not a date"),
    ],
)
def test_done_on_that_is_not_a_date(tmp_path, written, reason):
    path = small_tracker(tmp_path / "t.xlsx", [task("k", done_on=written)])
    (problem,) = problems(path)
    assert (problem.row, problem.field, problem.kind) == (2, "Tasks!Done on", Kind.VALUE)
    assert problem.message.startswith(reason)


def test_serial_numbers_in_a_1904_workbook(tmp_path):
    day = date(2027, 3, 5)
    rows = [task("serial", done_on=(day - MAC_EPOCH).days), task("cell", done_on=day)]
    path = small_tracker(tmp_path / "mac.xlsx", rows, epoch=CALENDAR_MAC_1904)
    assert openpyxl.load_workbook(path).epoch == CALENDAR_MAC_1904
    tasks = read_progress(path).tasks
    assert tasks["serial"].done_on == tasks["cell"].done_on == day


@pytest.mark.parametrize(
    ("written", "hours"),
    [(2, 2.0), (2.25, 2.25), ("2.5", 2.5), ("2,5", 2.5), (" 10000 ", 10000.0), (",5", 0.5), ("0", 0.0), ("", None)],
)
def test_actual_hours_forms(tmp_path, written, hours):
    path = small_tracker(tmp_path / "t.xlsx", [task("k", actual=written)])
    assert read_progress(path).tasks["k"].actual_hours == hours


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("-3", "-3: hours cannot be negative"),
        (-0.5, "-0.5: hours cannot be negative"),
        (10000.5, "10000.5 is more than 10000 hours"),
        ("many", "'many' is not a number of hours"),
        ("2 h", "'2 h' is not a number of hours"),
        ("1e3", "'1e3' is not a number of hours"),
        ("1,5,0", "'1,5,0' is not a number of hours"),
        (datetime(2027, 1, 1), "'2027-01-01' is not a number of hours"),
    ],
)
def test_actual_hours_that_are_not_hours(tmp_path, written, reason):
    path = small_tracker(tmp_path / "t.xlsx", [task("k", actual=written)])
    (problem,) = problems(path)
    assert (problem.row, problem.field, problem.kind, problem.message) == (2, "Tasks!Actual hours", Kind.VALUE, reason)


def test_statuses_in_any_letter_case_and_blank(tmp_path):
    rows = [
        task(f"k{n}", status=word) for n, word in enumerate(["not STARTED", " In Progress ", "done", "SKIPPED", ""])
    ]
    tasks = read_progress(small_tracker(tmp_path / "t.xlsx", rows)).tasks
    assert [tasks[f"k{n}"].status for n in range(5)] == [*TaskStatus, None]


def test_header_found_anywhere_in_the_first_ten_rows_and_rows_without_a_key(tmp_path):
    rows = [task("a", status="Done"), [None] * len(TASK_COLUMNS), task(None, notes="a task of my own"), task(" b ")]
    progress = read_progress(
        small_tracker(tmp_path / "t.xlsx", rows, header_row=10, headers=[h.upper() for h in HEADERS])
    )
    assert {key: value.row for key, value in progress.tasks.items()} == {"a": 11, "b": 14}
    assert progress.other_rows == (OtherRow(13, "", (None, None, None, None, "a task of my own")),)
    assert progress.weekly_actuals == progress.skill_ratings == progress.actions_done == {}


def test_a_header_below_the_tenth_row_is_not_found(tmp_path):
    (problem,) = problems(small_tracker(tmp_path / "t.xlsx", [task("a")], header_row=11))
    assert (problem.message, problem.field, problem.kind) == (
        "not a tracker made by pathway-export: no Key column",
        "Tasks!Key",
        Kind.MISSING,
    )


def test_a_key_twice_is_a_located_problem(tmp_path):
    (problem,) = problems(small_tracker(tmp_path / "t.xlsx", [task("a"), task("b"), task("a")]))
    assert (problem.row, problem.kind, problem.message) == (
        4,
        Kind.DUPLICATE,
        "key 'a' is also on row 2; a task has one row",
    )


def test_the_tasks_sheet_is_found_in_any_letter_case(tmp_path):
    path = small_tracker(tmp_path / "t.xlsx", [task("a", status="Done")], title="TASKS")
    assert read_progress(path).tasks["a"].status is TaskStatus.DONE


def test_action_checkboxes_and_unknown_marks(tmp_path, exported):
    book = openpyxl.load_workbook(exported)
    actions = book["Actions"]
    actions["D2"], actions["D3"], actions["D4"] = True, False, "Maybe"
    book.save(tmp_path / "t.xlsx")
    (problem,) = problems(tmp_path / "t.xlsx")
    assert (problem.row, problem.field, problem.kind, problem.message) == (
        4,
        "Actions!Done",
        Kind.VALUE,
        "'Maybe' is not a Done mark; choose Yes or No",
    )
    actions["D4"] = "no"
    book.save(tmp_path / "t.xlsx")
    done = read_progress(tmp_path / "t.xlsx").actions_done
    assert list(done.values())[:3] == [True, False, False]


def test_weekly_hours_beyond_a_week(tmp_path, exported):
    book = openpyxl.load_workbook(exported)
    book["Weekly log"]["C3"] = 170
    book.save(tmp_path / "t.xlsx")
    (problem,) = problems(tmp_path / "t.xlsx")
    assert (problem.row, problem.field, problem.kind) == (3, "Weekly log!Actual hours", Kind.VALUE)


# ---- Bad input: one located problem each --------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "written", "kind", "message"),
    [
        (
            TaskColumn.DONE_ON,
            "soon",
            Kind.VALUE,
            "'soon' is not a date; write it like 2027-03-05, 5 Mar 2027 or Fri 5 Mar 2027",
        ),
        (TaskColumn.ACTUAL, "-3", Kind.VALUE, "-3: hours cannot be negative"),
        (
            TaskColumn.STATUS,
            "Finito",
            Kind.VALUE,
            "'Finito' is not a status; choose Not started, In progress, Done or Skipped",
        ),
    ],
)
def test_a_bad_cell_in_the_exported_tracker(tmp_path, exported, column, written, kind, message):
    book = openpyxl.load_workbook(exported)
    book["Tasks"].cell(5, index(column), written)
    path = tmp_path / "tracker.xlsx"
    book.save(path)
    (problem,) = problems(path)
    header = ENGLISH(f"tasks.{column.value}")
    assert (problem.source, problem.row, problem.field, problem.kind, problem.message) == (
        str(path),
        5,
        f"Tasks!{header}",
        kind,
        message,
    )
    assert str(problem) == f"{path}: row 5: Tasks!{header}: {message}"


def test_a_workbook_that_is_not_ours(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Budget"
    book.active.append(["Item", "Cost"])
    book.save(tmp_path / "budget.xlsx")
    (problem,) = problems(tmp_path / "budget.xlsx")
    assert (problem.message, problem.kind, problem.row) == (
        "not a tracker made by pathway-export: no Tasks sheet",
        Kind.MISSING,
        None,
    )


def test_a_tasks_sheet_without_a_key_column(tmp_path):
    path = small_tracker(tmp_path / "t.xlsx", [["1.1", "Read"]], headers=["ID", "Task", "Status"])
    (problem,) = problems(path)
    assert (problem.message, problem.field, problem.kind) == (
        "not a tracker made by pathway-export: no Key column",
        "Tasks!Key",
        Kind.MISSING,
    )


def test_a_corrupt_zip(tmp_path, exported):
    data = exported.read_bytes()
    path = tmp_path / "tracker.xlsx"
    path.write_bytes(data[: len(data) // 2])
    (problem,) = problems(path)
    assert (problem.message, problem.kind, problem.row) == (
        "not a readable .xlsx workbook (BadZipFile)",
        Kind.UNREADABLE,
        None,
    )


def test_a_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "tracker.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hello")
    (problem,) = problems(path)
    assert problem.kind == Kind.UNREADABLE and problem.message.startswith("not a readable .xlsx workbook")


def test_text_is_not_a_workbook(tmp_path):
    path = tmp_path / "tracker.xlsx"
    path.write_text("Key,Status\na,Done\n")
    (problem,) = problems(path)
    assert (problem.message, problem.kind) == ("not a readable .xlsx workbook (BadZipFile)", Kind.UNREADABLE)


def test_a_password_protected_workbook(tmp_path):
    """Excel saves a password-protected workbook as an OLE container holding EncryptionInfo and EncryptedPackage."""
    path = tmp_path / "tracker.xlsx"
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    path.write_bytes(header + "EncryptionInfo".encode("utf-16-le") + bytes(64) + "EncryptedPackage".encode("utf-16-le"))
    (problem,) = problems(path)
    assert (problem.message, problem.kind) == (
        "the workbook is password-protected; remove the password and save it again",
        Kind.UNREADABLE,
    )
    path.write_bytes(header + bytes(1024))
    (problem,) = problems(path)
    assert problem.kind == Kind.UNREADABLE and problem.message.startswith("an Excel 97-2003 (.xls) workbook")


def test_a_file_over_50_mb_is_refused_unread(tmp_path):
    path = tmp_path / "tracker.xlsx"
    with open(path, "wb") as handle:
        handle.truncate(51 * 1024 * 1024)
    (problem,) = problems(path)
    assert problem.message == "larger than the 50 MB limit for a tracker"


def test_the_unpacked_size_is_checked_before_openpyxl_opens_it(tmp_path, exported, monkeypatch):
    monkeypatch.setattr(progress_module, "TRACKER_UNPACKED_LIMIT", 64 * KB)
    (problem,) = problems(exported)
    assert (problem.message, problem.kind) == ("unpacks to more than the 64 KB limit for a tracker", Kind.LIMIT)


def test_a_member_packed_like_a_zip_bomb(tmp_path):
    path = tmp_path / "tracker.xlsx"
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for info in source.infolist():
            out.writestr(info.filename, source.read(info.filename))
        out.writestr("xl/padding.xml", bytes(8 * 1024 * 1024))
    (problem,) = problems(path)
    assert problem.kind == Kind.LIMIT and problem.message.startswith("xl/padding.xml is compressed more than")


def test_the_plan_inputs_travel_with_the_tracker(trackers):
    inputs = read_progress(trackers["edited_lo"]).inputs
    assert inputs["pathway_id"] == "backend-developer-to-ai-government-specialist" and inputs["start"]
