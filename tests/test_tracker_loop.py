"""The tracker's own feedback loop, read back by LibreOffice: actual hours from one place, a burn-up
that stops at today, done tasks marked on the Timeline, columns wide enough for their dates, long
texts that wrap, and the plan's inputs carried inside the workbook.

LibreOffice's TODAY() is the real date, so the plans that test it start a few weeks before it.
"""

import dataclasses
import hashlib
import io
import json
import math
import subprocess
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest
from conftest import CONTEXT, make_plan, render_format, render_one
from PIL import Image
from realclients import libreoffice_recalculate, pdf_tool

from exporter.context import fixed_context
from exporter.labels import ENGLISH
from exporter.loader import pathway_to_dict
from exporter.model import TaskStatus
from exporter.theme import Theme
from exporter.tracker import (
    DATE_FORMAT,
    INPUT_KEYS,
    SESSION_END_COLUMN,
    SESSION_ROW,
    TASK_COLUMNS,
    TaskColumn,
    format_chars,
    format_width,
    index,
    letter,
    pathway_sha256,
    read_inputs,
    read_sessions,
)
from exporter.writers import WriterOptions
from exporter.writers.xlsx import DONE_BAR, LINE_HEIGHT, WEEK_FORMAT, WEEK_LABEL_SIZE

DONE = ENGLISH.term(TaskStatus.DONE)
LOGGED = (9.5, 12, 0, 7.25)  # hours logged in the plan's first four weeks, all before today
TASK_NOTE = 40  # hours noted on a task: a note, never counted


def now_context():
    """The context of a run made today, as LibreOffice's TODAY() sees it."""
    return fixed_context(datetime.now(UTC))


@pytest.fixture(scope="module")
def running_plan():
    """A plan that started about six weeks before today, so today falls inside it."""
    context = now_context()
    start = context.today - timedelta(days=context.today.weekday() + 42)
    return make_plan(context=context, name="Ana Lima", start=start.isoformat()), context


def weekly_log(book):
    return book["Weekly log"]


def week_rows(plan):
    return range(2, len(plan.weeks) + 2)


def log_hours(source, target):
    """Save a copy with LOGGED hours in the Weekly log and a note of TASK_NOTE hours on the first task."""
    book = openpyxl.load_workbook(source)
    for row, hours in enumerate(LOGGED, start=2):
        weekly_log(book).cell(row, 3).value = hours
    book["Tasks"].cell(2, index(TaskColumn.ACTUAL)).value = TASK_NOTE
    book.save(target)


def mark_done(source, target, rows=(2,)):
    book = openpyxl.load_workbook(source)
    for row in rows:
        book["Tasks"].cell(row, index(TaskColumn.STATUS)).value = DONE
    book.save(target)


def actual_hours_figure(book):
    """The Dashboard's actual hours: the value beside its label."""
    dashboard = book["Dashboard"]
    label = ENGLISH("dashboard.actual-hours", sheet="Weekly log")
    return next(dashboard.cell(row, 2) for row in range(1, 40) if dashboard.cell(row, 1).value == label).value


def to_pdf(workbooks, out, work):
    """Print each workbook to PDF with LibreOffice, as a person would to look at it."""
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{work / 'lo-profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *map(str, workbooks),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )


def rules(sheet):
    return [(str(cf.sqref), rule) for cf in sheet.conditional_formatting for rule in cf.rules]


# ---- 1. Actual hours: the Weekly log is the one source ---------------------------------------


def test_dashboard_sums_the_weekly_log_not_the_task_notes(builtin_plan):
    book = openpyxl.load_workbook(io.BytesIO(render_one("xlsx", builtin_plan)))
    last = len(builtin_plan.weeks) + 1
    assert actual_hours_figure(book) == f"=SUM('Weekly log'!$C$2:$C${last})"  # never the Tasks sheet's notes
    chart = weekly_log(book)._charts[0]
    assert [s.val.numRef.f for s in chart.series] == [f"'Weekly log'!$D$2:$D${last}", f"'Weekly log'!$E$2:$E${last}"]
    prompt = next(v for v in book["Tasks"].data_validations.dataValidation if letter(TaskColumn.ACTUAL) in str(v.sqref))
    assert prompt.showInputMessage and "Weekly log" in prompt.prompt


def test_libreoffice_shows_the_weekly_log_sum_and_a_burn_up_that_stops_at_today(running_plan, tmp_path):
    plan, context = running_plan
    source, logged = tmp_path / "tracker.xlsx", tmp_path / "logged.xlsx"
    source.write_bytes(render_one("xlsx", plan, context=context))
    log_hours(source, logged)
    (copy,) = libreoffice_recalculate([logged], tmp_path)
    book = openpyxl.load_workbook(copy, data_only=True)
    log = weekly_log(book)
    figure = actual_hours_figure(book)
    logged_sum = sum(log.cell(row, 3).value or 0 for row in week_rows(plan))
    assert figure == pytest.approx(logged_sum) == pytest.approx(sum(LOGGED))
    today = date.today()
    running = 0.0
    past = future = 0
    for row, week in zip(week_rows(plan), plan.weeks, strict=True):
        running += log.cell(row, 3).value or 0
        cumulative = log.cell(row, 5)
        if week.start > today:
            assert cumulative.value == "#N/A" and cumulative.data_type == "e", (row, week)
            future += 1
        else:
            assert cumulative.value == pytest.approx(running), (row, week)
            past += 1
    assert past >= 6 and future >= 30


def test_cached_cumulative_actual_follows_the_runs_today(builtin_plan):
    """Viewers that do not calculate see the same gap after today; today is the context's, never the clock's."""
    later = dataclasses.replace(CONTEXT, today=date(2027, 2, 10))
    book = openpyxl.load_workbook(io.BytesIO(render_one("xlsx", builtin_plan, context=later)), data_only=True)
    log = weekly_log(book)
    for row, week in zip(week_rows(builtin_plan), builtin_plan.weeks, strict=True):
        expected = "#N/A" if week.start > date(2027, 2, 10) else 0
        assert log.cell(row, 5).value == expected, (row, week)
    assert [log.cell(row, 5).value for row in range(2, 8)] == [0, 0, 0, 0, 0, 0]  # weeks of 4 Jan .. 8 Feb
    assert log.cell(8, 5).value == "#N/A"  # the week of 15 Feb starts after 10 Feb
    formulas = openpyxl.load_workbook(io.BytesIO(render_one("xlsx", builtin_plan, context=later)))
    assert weekly_log(formulas)["E2"].value == "=IF($A2>TODAY(),NA(),SUM($C$2:C2))"


# ---- 2. Done tasks on the Timeline -----------------------------------------------------------


def test_timeline_reads_each_tasks_status_and_marks_done_bars(builtin_plan):
    book = openpyxl.load_workbook(io.BytesIO(render_one("xlsx", builtin_plan)))
    timeline = book["Timeline"]
    assert timeline["F2"].value == ENGLISH("timeline.status")
    status = letter(TaskColumn.STATUS)
    assert timeline["F4"].value == f'=Tasks!{status}2&""'  # task 1.1 is row 2 of the Tasks sheet
    assert timeline["F3"].value is None  # a phase row has no status
    done_rules = [(ref, rule) for ref, rule in rules(timeline) if f'$F3="{DONE}"' in rule.formula[0]]
    assert len(done_rules) == 2
    (text_ref, text_rule), (bar_ref, bar_rule) = sorted(done_rules, key=lambda item: item[1].priority)
    assert text_ref.startswith("A3:F") and text_rule.dxf.font.strike
    assert bar_ref.startswith("G3:") and bar_rule.stopIfTrue
    assert bar_rule.dxf.fill.fgColor.rgb.endswith(DONE_BAR) and bar_rule.dxf.fill.patternType == "solid"
    open_rule = next(
        rule for _, rule in rules(timeline) if rule.dxf.fill is not None and rule.dxf.fill.patternType == "darkGrid"
    )
    assert bar_rule.priority < open_rule.priority  # the done style wins over the open task's hatching
    cached = openpyxl.load_workbook(io.BytesIO(render_one("xlsx", builtin_plan)), data_only=True)["Timeline"]
    assert cached["F4"].value == ENGLISH.term(TaskStatus.NOT_STARTED)


def _timeline_page_pixels(pdf, tmp_path, colour: str) -> int:
    """How many pixels of the Timeline's page, rendered at 50 dpi, have exactly this colour."""
    pages = int(
        next(line.split()[-1] for line in pdf_tool("pdfinfo", str(pdf)).splitlines() if line.startswith("Pages:"))
    )
    number = next(
        page
        for page in range(1, pages + 1)
        if "Timeline by week" in pdf_tool("pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-")
    )
    stem = tmp_path / f"{pdf.stem}-timeline"
    pdf_tool("pdftoppm", "-png", "-r", "50", "-f", str(number), "-l", str(number), "-singlefile", str(pdf), str(stem))
    target = tuple(int(colour[i : i + 2], 16) for i in (0, 2, 4))
    image = Image.open(f"{stem}.png").convert("RGB")
    return dict((colour, count) for count, colour in image.getcolors(1 << 24)).get(target, 0)


def test_libreoffice_keeps_the_done_rule_and_draws_done_bars(builtin_plan, tmp_path):
    source, done = tmp_path / "open.xlsx", tmp_path / "done.xlsx"
    source.write_bytes(render_one("xlsx", builtin_plan))
    mark_done(source, done, rows=(2, 3))
    open_copy, done_copy = libreoffice_recalculate([source, done], tmp_path)
    recalculated = openpyxl.load_workbook(done_copy, data_only=True)["Timeline"]
    assert recalculated["F4"].value == DONE and recalculated["F5"].value == DONE
    assert recalculated["F6"].value == ENGLISH.term(TaskStatus.NOT_STARTED)
    kept = openpyxl.load_workbook(done_copy)["Timeline"]
    assert any(f'$F3="{DONE}"' in rule.formula[0] for _, rule in rules(kept) if rule.formula)
    to_pdf([open_copy, done_copy], tmp_path / "pdf", tmp_path)
    open_pixels = _timeline_page_pixels(tmp_path / "pdf" / "open.pdf", tmp_path, DONE_BAR)
    done_pixels = _timeline_page_pixels(tmp_path / "pdf" / "done.pdf", tmp_path, DONE_BAR)
    assert open_pixels < 20 < 200 < done_pixels, (open_pixels, done_pixels)


# ---- 3. Widths and heights -------------------------------------------------------------------


def test_date_columns_are_wide_enough_for_their_format(builtin_plan):
    assert format_chars(DATE_FORMAT) == len("Wed 29 Sep 2027")
    book = openpyxl.load_workbook(io.BytesIO(render_one("xlsx", builtin_plan)))
    tasks = book["Tasks"]
    for name in (TaskColumn.START, TaskColumn.FINISH, TaskColumn.DONE_ON):
        assert tasks.column_dimensions[letter(name)].width >= format_width(DATE_FORMAT), name
    for column in TASK_COLUMNS:
        assert tasks.column_dimensions[letter(column.name)].width >= column.minimum, column
    checked = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                needed = format_width(cell.number_format)
                if needed and not cell.alignment.textRotation:
                    width = sheet.column_dimensions[cell.column_letter].width
                    assert width >= needed, (sheet.title, cell.coordinate, cell.number_format, width)
                    checked += 1
    assert checked > 100


def test_libreoffice_shows_typed_done_dates_in_full(builtin_plan, tmp_path):
    source, typed = tmp_path / "tracker.xlsx", tmp_path / "typed.xlsx"
    source.write_bytes(render_one("xlsx", builtin_plan))
    book = openpyxl.load_workbook(source)
    for row in range(2, 8):
        cell = book["Tasks"].cell(row, index(TaskColumn.DONE_ON))
        cell.value = datetime(2027, 9, 29)  # Wed 29 Sep 2027: a wide weekday, a two-digit day
    book.save(typed)
    to_pdf([typed], tmp_path, tmp_path)
    text = pdf_tool("pdftotext", "-layout", str(tmp_path / "typed.pdf"), "-")
    assert "###" not in text
    assert text.count("Wed 29 Sep 2027") == 6


def test_timeline_header_is_tall_enough_for_the_week_labels(builtin_plan):
    timeline = openpyxl.load_workbook(io.BytesIO(render_one("xlsx", builtin_plan)))["Timeline"]
    label = timeline["G2"]
    assert label.number_format == WEEK_FORMAT and label.alignment.textRotation == 90
    # "28 Feb" on end: six characters of about 0.6 em each, plus the cell's margins
    assert timeline.row_dimensions[2].height >= format_chars(WEEK_FORMAT) * WEEK_LABEL_SIZE * 0.6 + 6


def test_skills_texts_wrap_in_rows_tall_enough(builtin_plan):
    skills = openpyxl.load_workbook(io.BytesIO(render_one("xlsx", builtin_plan)))["Skills"]
    long_texts = 0
    for row in skills.iter_rows(min_row=2):
        for cell in row:
            if not isinstance(cell.value, str) or cell.column not in (1, 2, 5):
                continue
            width = skills.column_dimensions[cell.column_letter].width
            if len(cell.value) <= width:
                continue
            long_texts += 1
            assert cell.alignment.wrap_text, cell.coordinate
            # at least one line for every 1.2 widths of text (a generous 1.2 characters per unit of width)
            lines = math.ceil(len(cell.value) / (width * 1.2))
            height = skills.row_dimensions[cell.row].height
            assert height is not None and height >= lines * LINE_HEIGHT, (cell.coordinate, height, lines)
    assert long_texts >= 10


# ---- 4. The plan's inputs travel inside the tracker -------------------------------------------


def _inputs(book):
    sheet = book[ENGLISH("sheet.inputs")]
    rows = sheet.iter_rows()
    return sheet, {row[0].value: row[1].value for row in rows if row[0].value not in (None, SESSION_ROW)}


def test_inputs_sheet_holds_every_key_with_the_plans_values():
    context = dataclasses.replace(CONTEXT, build_time=datetime(2027, 1, 1, 9, 30, tzinfo=UTC))
    plan = make_plan(
        context=context,
        name="Zoë Ødegård",
        blackout=["2027-02-01..2027-02-07", "2027-03-15"],
        holidays="US",
        availability="mon 19:00-21:00; sat 09:00-13:00",
    )
    (data,) = render_format(
        "xlsx", plan, theme=Theme(paper="a4"), options=WriterOptions(reminder=30), context=context
    ).values()
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet, values = _inputs(book)
    assert sheet.sheet_state == "veryHidden"
    assert tuple(values) == INPUT_KEYS
    sessions = read_sessions(sheet.iter_rows(values_only=True))
    assert [key for key, *_ in sessions] == [session.key for session in plan.sessions]
    text = [cell for row in sheet.iter_rows(max_col=SESSION_END_COLUMN - 1) for cell in row if cell.value is not None]
    assert all(cell.data_type == "s" for cell in text)
    figures = [row[SESSION_END_COLUMN - 1 :] for row in sheet.iter_rows() if row[0].value == "session"]
    assert [(end.value, hours.value) for end, hours in figures] == [
        (session.end.replace(tzinfo=None), session.hours) for session in plan.sessions
    ]
    content = json.dumps(pathway_to_dict(plan.pathway), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert values == {
        "format_version": "1",
        "pathway_id": plan.pathway.id,
        "pathway_sha256": hashlib.sha256(content.encode("utf-8")).hexdigest(),
        "participant": "Zoë Ødegård",
        "identity": "Zoë Ødegård",
        "start": "2027-01-04",
        "timezone": "America/New_York",
        "availability": "mon 19:00-21:00; sat 09:00-13:00",
        "blackouts": "2027-02-01..2027-02-07;2027-03-15",
        "holidays": "US",
        "finish_by": None,  # empty: not requested
        "paper": "a4",
        "reminder": "30",
        "build_time": "2027-01-01T09:30:00+00:00",
        "language": "en",
    }
    assert read_inputs((row[0].value, row[1].value) for row in sheet.iter_rows())["finish_by"] == ""
    properties = {prop.name: prop.value for prop in book.custom_doc_props.props}
    assert properties == {"pathway_id": values["pathway_id"], "pathway_sha256": values["pathway_sha256"]}


def test_inputs_without_reminders_and_with_a_finish_by():
    plan = make_plan(finish_by="2027-12-31")
    (data,) = render_format("xlsx", plan, options=WriterOptions(reminder=None)).values()
    inputs = read_inputs(_inputs(openpyxl.load_workbook(io.BytesIO(data)))[1].items())
    assert inputs["finish_by"] == "2027-12-31" and inputs["reminder"] == ""
    assert inputs["participant"] == "" and inputs["paper"] == "letter"
    assert inputs["availability"] == plan.availability.spec()


def test_read_inputs_names_what_is_missing_and_refuses_later_formats():
    with pytest.raises(ValueError, match="pathway_sha256"):
        read_inputs([("format_version", "1"), ("pathway_id", "x")])
    later = [(key, "2" if key == "format_version" else "") for key in INPUT_KEYS]
    with pytest.raises(ValueError, match="format '2'"):
        read_inputs(later)


def test_inputs_survive_a_libreoffice_save(builtin_plan, tmp_path):
    source = tmp_path / "tracker.xlsx"
    source.write_bytes(render_one("xlsx", builtin_plan))
    expected = _inputs(openpyxl.load_workbook(source))[1]
    (copy,) = libreoffice_recalculate([source], tmp_path)
    book = openpyxl.load_workbook(copy)
    sheet, values = _inputs(book)
    assert sheet.sheet_state in ("hidden", "veryHidden")
    assert values == expected
    assert read_inputs(values.items())["start"] == builtin_plan.start.isoformat()
    assert next(ws.title for ws in book.worksheets if ws.sheet_state == "visible") == "Dashboard"


def test_a_pathways_digest_is_its_contents_also_when_kept(builtin_plan):
    """The digest a process keeps for a pathway object is the one worked out afresh, for the pathway and for
    copies of it that differ in one field, asked for in turn and again."""
    pathway = builtin_plan.pathway
    variants = [
        pathway,
        dataclasses.replace(pathway, title=pathway.title + "!"),
        dataclasses.replace(pathway, phases=()),
    ]

    def fresh(value) -> str:
        text = json.dumps(pathway_to_dict(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    expected = [fresh(variant) for variant in variants]
    assert len(set(expected)) == len(variants)
    for _ in range(2):
        assert [pathway_sha256(variant) for variant in variants] == expected
