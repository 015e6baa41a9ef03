import io
from datetime import date, datetime

import openpyxl
import pytest
from conftest import make_plan
from realclients import libreoffice_recalculate

from exporter.model import Pathway, Phase, Resource, Task
from exporter.theme import Theme
from exporter.writers.xlsx import render_xlsx

SHEETS = ["Dashboard", "Tasks", "Timeline", "Weekly log", "Skills", "Actions", "Resources", "Plan settings"]
NASTY = ['=HYPERLINK("http://x.test","open")', "+1-555-0100", "@SUM(A1)", "-2+3", "#N/A", "Tab\there\x07bell"]


@pytest.fixture(scope="module")
def tracker(tmp_path_factory, builtin_plan):
    path = tmp_path_factory.mktemp("xlsx") / "tracker.xlsx"
    path.write_bytes(render_xlsx(builtin_plan, Theme()))
    return path


@pytest.fixture(scope="module")
def nasty_plan():
    tasks = tuple(Task(text) for text in NASTY)
    pathway = Pathway(
        "nasty",
        "=cmd|' /C calc'!A0",
        "@from",
        "+to",
        10,
        phases=(Phase(1, "=1+1", 2, tasks, (Resource("=evil", "javascript:alert(1)"),)),),
    )
    return make_plan(pathway, name="=2+2")


def cell_of(workbook, name):
    sheet, ref = next(iter(workbook.defined_names[name].destinations))
    return workbook[sheet][ref.replace("$", "")]


def test_sheets_table_dropdown_and_freeze(tracker, builtin_plan):
    book = openpyxl.load_workbook(tracker)
    assert book.sheetnames == SHEETS
    tasks = book["Tasks"]
    assert [c.value for c in tasks[1]] == [
        "ID",
        "Phase",
        "Task",
        "Planned start",
        "Planned finish",
        "Planned hours",
        "Status",
        "Done on",
        "Actual hours",
        "Notes",
    ]
    assert "TaskList" in tasks.tables and tasks.tables["TaskList"].ref == "A1:J21"
    assert tasks.tables["TaskList"].tableStyleInfo.showRowStripes
    validations = tasks.data_validations.dataValidation
    status = next(v for v in validations if v.type == "list")
    assert status.formula1 == '"Not started,In progress,Done,Skipped"' and "G2:G21" in str(status.sqref)
    assert tasks.freeze_panes == "D2"
    rules = [rule.formula[0] for cf in tasks.conditional_formatting for rule in cf.rules]
    assert '$G2="Done"' in rules and any("TODAY()" in r and "$E2" in r for r in rules)
    timeline_rules = [r.formula[0] for cf in book["Timeline"].conditional_formatting for r in cf.rules]
    assert any("TODAY()" in r for r in timeline_rules) and any('$B3="Phase"' in r for r in timeline_rules)
    assert len(book["Dashboard"]._charts) == 1 and len(book["Weekly log"]._charts) == 1
    assert book.properties.title.startswith(builtin_plan.pathway.title)
    assert book["Tasks"].print_title_rows == "$1:$1"
    assert book["Tasks"].page_setup.fitToHeight == 0


def test_dates_are_dates_and_hours_are_numbers(tracker, builtin_plan):
    tasks = openpyxl.load_workbook(tracker)["Tasks"]
    for row, task in enumerate(builtin_plan.tasks, start=2):
        assert tasks.cell(row, 4).is_date and tasks.cell(row, 4).value.date() == task.start
        assert tasks.cell(row, 5).value.date() == task.finish
        assert tasks.cell(row, 6).value == task.hours and tasks.cell(row, 6).data_type == "n"
    weekly = openpyxl.load_workbook(tracker)["Weekly log"]
    assert weekly["A2"].is_date and weekly["B2"].value == builtin_plan.weeks[0].hours


def test_everything_of_the_pathway_is_in_the_workbook(tracker, builtin_plan):
    book = openpyxl.load_workbook(tracker)
    text = "\n".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None)
    pathway = builtin_plan.pathway
    for phase in pathway.phases:
        assert phase.title in text
        for task in phase.tasks:
            assert task.title in text
        for resource in phase.resources:
            assert resource.title in text
            if resource.url:
                assert resource.url in text
    for item in [*pathway.skills, *pathway.transferable_skills]:
        assert item.name in text
    for action in pathway.actions:
        assert action.title in text
    links = [c.hyperlink.target for row in book["Resources"].iter_rows() for c in row if c.hyperlink]
    assert "https://ai.gov" in links and len(links) == 14


def test_cached_values_for_viewers_that_do_not_calculate(tracker, builtin_plan):
    book = openpyxl.load_workbook(tracker, data_only=True)
    assert cell_of(book, "OverallProgress").value == 0
    assert cell_of(book, "PlannedHours").value == 480
    assert book["Dashboard"]["B16"].value == "0 of 20"
    assert book["Timeline"]["D3"].value == datetime(2027, 1, 4)
    assert book["Weekly log"].cell(len(builtin_plan.weeks) + 1, 4).value == 480


def test_libreoffice_recalculates_progress(tracker, tmp_path):
    ticked = tmp_path / "ticked.xlsx"
    book = openpyxl.load_workbook(tracker)
    for row in (2, 3, 6):  # tasks 1.1 (20 h), 1.2 (20 h), 2.1 (30 h)
        book["Tasks"].cell(row, 7).value = "Done"
    book.save(ticked)
    fresh_copy, ticked_copy = libreoffice_recalculate([tracker, ticked], tmp_path)
    fresh = openpyxl.load_workbook(fresh_copy, data_only=True)
    assert cell_of(fresh, "OverallProgress").value == 0
    assert cell_of(fresh, "PlannedHours").value == 480
    recalculated = openpyxl.load_workbook(ticked_copy, data_only=True)
    assert cell_of(recalculated, "OverallProgress").value == pytest.approx(70 / 480)
    dashboard = recalculated["Dashboard"]
    assert dashboard["B16"].value == "3 of 20"
    assert dashboard["G21"].value == pytest.approx(0.5)
    assert dashboard["C12"].value.startswith("███░")


def test_text_is_never_a_formula(nasty_plan, tmp_path):
    path = tmp_path / "nasty.xlsx"
    path.write_bytes(render_xlsx(nasty_plan, Theme()))
    book = openpyxl.load_workbook(path)
    tasks = book["Tasks"]
    titles = [tasks.cell(row, 3) for row in range(2, 2 + len(NASTY))]
    assert [c.value for c in titles[:5]] == NASTY[:5]
    assert titles[5].value == "Tab\there bell"
    assert all(c.data_type == "s" for c in titles)
    assert book["Dashboard"]["A1"].value == "=cmd|' /C calc'!A0" and book["Dashboard"]["A1"].data_type == "s"
    assert book["Resources"]["C2"].hyperlink is None
    (copy,) = libreoffice_recalculate([path], tmp_path)
    computed = openpyxl.load_workbook(copy, data_only=True)
    assert [computed["Tasks"].cell(row, 3).value for row in range(2, 7)] == NASTY[:5]
    assert computed["Dashboard"]["B4"].value == "=2+2"


def test_same_inputs_same_bytes(builtin_plan, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    assert render_xlsx(builtin_plan, Theme()) == render_xlsx(builtin_plan, Theme())


def test_large_plan_writes(tmp_path):
    phases = tuple(Phase(n, f"Phase {n}", 5, tuple(Task(f"Task {n}.{i}") for i in range(20))) for n in range(1, 51))
    plan = make_plan(Pathway("big", "Big", "A", "B", 5, phases=phases), hours_per_week="5", days="mon,thu")
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(plan, Theme())))
    assert book["Tasks"].max_row == 1001
    assert book["Timeline"].max_column > 250
    assert plan.finish > date(2031, 1, 1)
