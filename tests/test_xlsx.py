import dataclasses
import io
import zipfile
from datetime import UTC, date, datetime

import openpyxl
import pytest
from conftest import CONTEXT, make_plan, render_one
from openpyxl.utils import get_column_letter
from realclients import libreoffice_recalculate

from exporter.labels import ENGLISH, Labels
from exporter.model import Pathway, Phase, Resource, Task, TaskStatus
from exporter.theme import Theme
from exporter.tracker import TASK_COLUMNS, TaskColumn, index, letter, span
from exporter.writers import WriterOptions, xlsx

SHEETS = ["Dashboard", "Tasks", "Timeline", "Weekly log", "Skills", "Actions", "Resources", "Plan settings"]
INPUTS = "Plan inputs"  # very hidden, behind the sheets people read
NASTY = ['=HYPERLINK("http://x.test","open")', "+1-555-0100", "@SUM(A1)", "-2+3", "#N/A", "Tab\there\x07bell"]
STATUS, FINISH = letter(TaskColumn.STATUS), letter(TaskColumn.FINISH)
LAST_COLUMN = get_column_letter(len(TASK_COLUMNS))
DONE_TASKS = (2, 3, 6)  # rows of tasks 1.1 (20 h), 1.2 (20 h), 2.1 (30 h)


@pytest.fixture(scope="module")
def tracker(tmp_path_factory, builtin_plan):
    path = tmp_path_factory.mktemp("xlsx") / "tracker.xlsx"
    path.write_bytes(render_one("xlsx", builtin_plan))
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


def context_with(**entries):
    """The test context with some of the English catalogue's words replaced."""
    return dataclasses.replace(CONTEXT, labels=Labels(ENGLISH.language, {**ENGLISH.entries, **entries}))


def tick(source, target, status):
    """Save a copy of the tracker with the tasks of DONE_TASKS set to `status`."""
    book = openpyxl.load_workbook(source)
    tasks = book.worksheets[1]
    for row in DONE_TASKS:
        tasks.cell(row, index(TaskColumn.STATUS)).value = status
    book.save(target)


def test_the_writer_names_its_one_file(builtin_plan):
    assert xlsx.file_names(WriterOptions()) == ("tracker.xlsx",)
    assert list(xlsx.render(builtin_plan, CONTEXT, Theme(), WriterOptions())) == ["tracker.xlsx"]


def test_sheets_table_dropdown_and_freeze(tracker, builtin_plan):
    book = openpyxl.load_workbook(tracker)
    assert book.sheetnames == [*SHEETS, INPUTS]
    assert [sheet.sheet_state for sheet in book] == ["visible"] * len(SHEETS) + ["veryHidden"]
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
        "Hours counted",
        "Notes",
        "Key",
    ]
    assert [c.value for c in tasks[1]] == [ENGLISH(f"tasks.{column.name}") for column in TASK_COLUMNS]
    assert "TaskList" in tasks.tables and tasks.tables["TaskList"].ref == f"A1:{LAST_COLUMN}21"
    assert tasks.tables["TaskList"].tableStyleInfo.showRowStripes
    validations = tasks.data_validations.dataValidation
    status = next(v for v in validations if v.type == "list")
    assert status.formula1 == '"Not started,In progress,Done,Skipped"' and f"{STATUS}2:{STATUS}21" in str(status.sqref)
    assert tasks.freeze_panes == "D2"
    rules = [rule.formula[0] for cf in tasks.conditional_formatting for rule in cf.rules]
    assert f'${STATUS}2="Done"' in rules and any("TODAY()" in r and f"${FINISH}2" in r for r in rules)
    timeline_rules = [r.formula[0] for cf in book["Timeline"].conditional_formatting for r in cf.rules]
    assert any("TODAY()" in r for r in timeline_rules) and any('$B3="Phase"' in r for r in timeline_rules)
    assert len(book["Dashboard"]._charts) == 1 and len(book["Weekly log"]._charts) == 1
    assert book.properties.title.startswith(builtin_plan.pathway.title)
    assert book["Tasks"].print_title_rows == "$1:$1"
    assert book["Tasks"].page_setup.fitToHeight == 0


def test_hidden_key_column_holds_every_task_key(tracker, builtin_plan):
    tasks = openpyxl.load_workbook(tracker)["Tasks"]
    key = letter(TaskColumn.KEY)
    assert key == LAST_COLUMN and index(TaskColumn.KEY) == tasks.max_column
    assert tasks.column_dimensions[key].hidden
    keys = [tasks.cell(row, index(TaskColumn.KEY)).value for row in range(2, 2 + len(builtin_plan.tasks))]
    assert keys == [task.key for task in builtin_plan.tasks] and all(keys)
    hidden = [c.name for c in TASK_COLUMNS if c.hidden]
    assert hidden == [TaskColumn.COUNTED, TaskColumn.KEY]
    assert all(tasks.column_dimensions[letter(name)].hidden for name in hidden)
    visible = [c for c in TASK_COLUMNS if not c.hidden]
    assert not any(tasks.column_dimensions[letter(c.name)].hidden for c in visible)


def test_dates_are_dates_and_hours_are_numbers(tracker, builtin_plan):
    tasks = openpyxl.load_workbook(tracker)["Tasks"]
    start, finish, hours = index(TaskColumn.START), index(TaskColumn.FINISH), index(TaskColumn.HOURS)
    for row, task in enumerate(builtin_plan.tasks, start=2):
        assert tasks.cell(row, start).is_date and tasks.cell(row, start).value.date() == task.start
        assert tasks.cell(row, finish).value.date() == task.finish
        assert tasks.cell(row, hours).value == task.hours and tasks.cell(row, hours).data_type == "n"
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
    assert book["Dashboard"]["B17"].value == (builtin_plan.finish - CONTEXT.today).days
    assert book["Timeline"]["D3"].value == datetime(2027, 1, 4)
    assert book["Weekly log"].cell(len(builtin_plan.weeks) + 1, 4).value == 480


def test_build_time_and_today_come_from_the_context(builtin_plan):
    later = dataclasses.replace(CONTEXT, today=date(2027, 6, 1), build_time=datetime(2027, 6, 1, 8, 30, tzinfo=UTC))
    data = render_one("xlsx", builtin_plan, context=later)
    book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    assert book["Dashboard"]["B17"].value == (builtin_plan.finish - date(2027, 6, 1)).days
    settings = {row[0].value: row[1].value for row in book["Plan settings"].iter_rows(min_row=2)}
    assert settings["Generated"] == "1 Jun 2027 08:30 UTC"
    assert book.properties.created == book.properties.modified == datetime(2027, 6, 1, 8, 30)
    assert {info.date_time for info in zipfile.ZipFile(io.BytesIO(data)).infolist()} == {(2027, 6, 1, 8, 30, 0)}


def test_libreoffice_recalculates_progress(tracker, tmp_path):
    ticked = tmp_path / "ticked.xlsx"
    tick(tracker, ticked, "Done")
    fresh_copy, ticked_copy = libreoffice_recalculate([tracker, ticked], tmp_path)
    fresh = openpyxl.load_workbook(fresh_copy, data_only=True)
    assert cell_of(fresh, "OverallProgress").value == 0
    assert cell_of(fresh, "PlannedHours").value == 480
    recalculated = openpyxl.load_workbook(ticked_copy, data_only=True)
    assert cell_of(recalculated, "OverallProgress").value == pytest.approx(70 / 480)
    dashboard = recalculated["Dashboard"]
    assert dashboard["B16"].value == "3 of 20"
    assert dashboard["G30"].value == pytest.approx(0.5)
    assert dashboard["C12"].value.startswith("███░")


def test_another_word_for_done_still_counts(builtin_plan, tmp_path):
    done = 'Fertig "ok"'
    context = context_with(**{"status.done": done})
    source, ticked = tmp_path / "fertig.xlsx", tmp_path / "fertig-ticked.xlsx"
    source.write_bytes(render_one("xlsx", builtin_plan, context=context))
    book = openpyxl.load_workbook(source)
    rules = [rule.formula[0] for cf in book["Tasks"].conditional_formatting for rule in cf.rules]
    assert f'${STATUS}2="Fertig ""ok"""' in rules
    assert '"Fertig ""ok"""' in book["Tasks"].cell(2, index(TaskColumn.COUNTED)).value
    assert book["Dashboard"]["B14"].value == f"=SUM({span(TaskColumn.COUNTED, 2, 21, 'Tasks')})"
    status = next(v for v in book["Tasks"].data_validations.dataValidation if v.type == "list")
    assert "!" in status.formula1  # a quote in a choice: the list is kept on a hidden sheet
    assert book[book.sheetnames[-1]].sheet_state == "hidden" and book.sheetnames[:-1] == [*SHEETS, INPUTS]
    tick(source, ticked, done)
    (recalculated_copy,) = libreoffice_recalculate([ticked], tmp_path)
    recalculated = openpyxl.load_workbook(recalculated_copy, data_only=True)
    assert cell_of(recalculated, "OverallProgress").value == pytest.approx(70 / 480)
    assert recalculated["Dashboard"]["B14"].value == 70
    assert recalculated["Dashboard"]["B16"].value == "3 of 20"
    assert recalculated["Dashboard"]["G30"].value == pytest.approx(0.5)
    choices = [c.value for c in recalculated[recalculated.sheetnames[-1]]["A"]]
    assert choices == [ENGLISH.term(s) if s is not TaskStatus.DONE else done for s in TaskStatus]


def test_translated_sheet_names_and_words_keep_the_formulas_working(builtin_plan, tmp_path):
    context = context_with(
        **{
            "sheet.tasks": "Tâches d'été: [liste]",
            "sheet.dashboard": "Tableau de bord",
            "dashboard.tasks-done-joiner": ' "sur" ',
            "skills.ratings": ["1, nouveau", "2", "3", "4", "5"],
        }
    )
    source, ticked = tmp_path / "fr.xlsx", tmp_path / "fr-ticked.xlsx"
    source.write_bytes(render_one("xlsx", builtin_plan, context=context))
    book = openpyxl.load_workbook(source)
    assert book.sheetnames[:2] == ["Tableau de bord", "Tâches d'été liste"]
    assert span(TaskColumn.HOURS, 2, 21, "'Tâches d''été liste'") in book["Tableau de bord"]["B13"].value
    tick(source, ticked, "Done")
    (recalculated_copy,) = libreoffice_recalculate([ticked], tmp_path)
    recalculated = openpyxl.load_workbook(recalculated_copy, data_only=True)
    assert cell_of(recalculated, "OverallProgress").value == pytest.approx(70 / 480)
    dashboard = recalculated["Tableau de bord"]
    assert dashboard["B16"].value == '3 "sur" 20'
    assert recalculated["Timeline"]["D3"].value == datetime(2027, 1, 4)


def test_text_is_never_a_formula(nasty_plan, tmp_path):
    path = tmp_path / "nasty.xlsx"
    path.write_bytes(render_one("xlsx", nasty_plan))
    book = openpyxl.load_workbook(path)
    tasks = book["Tasks"]
    title = index(TaskColumn.TITLE)
    titles = [tasks.cell(row, title) for row in range(2, 2 + len(NASTY))]
    assert [c.value for c in titles[:5]] == NASTY[:5]
    assert titles[5].value == "Tab\there bell"
    assert all(c.data_type == "s" for c in titles)
    assert book["Dashboard"]["A1"].value == "=cmd|' /C calc'!A0" and book["Dashboard"]["A1"].data_type == "s"
    assert book["Resources"]["C2"].hyperlink is None
    (copy,) = libreoffice_recalculate([path], tmp_path)
    computed = openpyxl.load_workbook(copy, data_only=True)
    assert [computed["Tasks"].cell(row, title).value for row in range(2, 7)] == NASTY[:5]
    assert computed["Dashboard"]["B4"].value == "=2+2"


def test_control_characters_in_the_title_leave_the_properties_well_formed():
    pathway = Pathway(
        "bell", "Title\x00\x07\x1b end\x85", "From\x1b", "To\x7f", 10, phases=(Phase(1, "P", 2, (Task("t"),)),)
    )
    data = render_one("xlsx", make_plan(pathway, name="Ana"), theme=Theme(organisation="Org\x00\x1b"))
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.properties.title == "Title end - tracker for Ana"
    assert book.properties.subject == "From to To"
    assert book.properties.creator == "Org"
    assert book["Dashboard"]["A1"].value.startswith("Title")


def test_same_inputs_same_bytes(builtin_plan):
    assert render_one("xlsx", builtin_plan) == render_one("xlsx", builtin_plan)


def test_large_plan_writes(tmp_path):
    phases = tuple(Phase(n, f"Phase {n}", 5, tuple(Task(f"Task {n}.{i}") for i in range(20))) for n in range(1, 51))
    plan = make_plan(Pathway("big", "Big", "A", "B", 5, phases=phases), hours_per_week="5", days="mon,thu")
    book = openpyxl.load_workbook(io.BytesIO(render_one("xlsx", plan)))
    assert book["Tasks"].max_row == 1001
    assert book["Timeline"].max_column > 250
    assert plan.finish > date(2031, 1, 1)
