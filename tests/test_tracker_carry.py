"""A replanned plan's tracker carries over what the person recorded: task statuses, done dates, actual
hours and notes, the Weekly log's actual hours, self-ratings and action marks; its cached figures are
those of that state (LibreOffice computes the same), and reading it back gives what was recorded."""

import dataclasses
import io
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest
from conftest import CONTEXT, make_plan, render_one
from realclients import libreoffice_recalculate

from exporter.context import fixed_context
from exporter.labels import ENGLISH
from exporter.model import TaskStatus
from exporter.plan import Replanning
from exporter.progress import read_progress
from exporter.recorded import OtherRow, Progress, TaskProgress
from exporter.status import status
from exporter.tracker import FIRST_ROW, TaskColumn, index, left_over

DONE = TaskStatus.DONE
DASHBOARD_FIGURES = range(12, 17)  # overall progress, planned hours, hours done, actual hours logged, tasks done
PHASE_ROWS_FROM = 30
STANDING_FIGURES = range(20, 27)  # planned to date, ahead (hours, days), left, pace, finish at pace, needed


def carried(plan, today: date):
    """The plan replanned from a tracker in which the person recorded some of everything.

    Tasks 0, 1 and 4 are done, 2 in progress, 3 has a blank status but a note, 5 is skipped; a task key
    and a week that the new plan lacks are recorded too, and must be left out."""
    tasks = plan.tasks
    statuses = {0: DONE, 1: DONE, 2: TaskStatus.IN_PROGRESS, 3: None, 4: DONE, 5: TaskStatus.SKIPPED}
    recorded_tasks = {
        tasks[n].key: TaskProgress(
            key=tasks[n].key,
            status=status,
            done_on=plan.start + timedelta(days=3 * n + 1) if status is DONE else None,
            actual_hours=[6.5, 11.25, 2.0, None, 8.0, None][n],
            notes=["went well", "", "=not a formula", "blank status, a note", "", "not needed"][n],
            row=FIRST_ROW + n,
        )
        for n, status in statuses.items()
    }
    recorded_tasks["a-task-since-removed"] = TaskProgress("a-task-since-removed", DONE, None, 3.0, "gone", 40)
    weeks = plan.weeks
    weekly = {weeks[0].start: 9.5, weeks[1].start: 12.0, weeks[3].start: 7.25, date(2020, 1, 6): 99.0}
    progress = Progress(
        tasks=recorded_tasks,
        other_rows=(OtherRow(30, "", ("my own task", "Done", None, 2.0, None)),),
        weekly_actuals=weekly,
        skill_ratings={plan.skills[0].name: "4 - Confident", plan.skills[2].name: "my own words", "Gone skill": "x"},
        actions_done={plan.actions[0].title: True, plan.actions[1].title: False, "Gone action": True},
    )
    replanning = Replanning(
        as_of=today,
        previous_finish=plan.finish - timedelta(days=21),
        recorded=progress,
        hours_done=37.75,
        hours_left=plan.total_hours - 37.75,
    )
    return dataclasses.replace(plan, replanning=replanning)


def expected_figures(plan, today: date) -> dict[str, object]:
    """The Dashboard's figures and the Weekly log's cumulative actual, worked out by hand from `carried`."""
    tasks = plan.tasks
    counted = {0: tasks[0].hours, 1: tasks[1].hours, 2: min(2.0, tasks[2].hours), 4: tasks[4].hours, 5: tasks[5].hours}
    done_hours = sum(counted.values())  # done and skipped in full, in progress up to its actual hours
    logged = [plan.replanning.recorded.weekly_actuals.get(week.start) for week in plan.weeks]
    running, cumulative = 0.0, []
    for week, hours in zip(plan.weeks, logged, strict=True):
        running += hours or 0
        cumulative.append("#N/A" if week.start > today else running)
    return {
        "overall": done_hours / plan.total_hours,
        "planned": plan.total_hours,
        "done": done_hours,
        "actual": 9.5 + 12.0 + 7.25,
        "tasks-done": f"3 of {len(tasks)}",
        "phase-done": {
            phase.number: sum(hours for n, hours in counted.items() if tasks[n].phase == phase.number)
            for phase in plan.phases
        },
        "cumulative": cumulative,
    }


@pytest.fixture(scope="module")
def replanned():
    plan = carried(make_plan(name="Ana Lima"), CONTEXT.today)
    return plan, render_one("xlsx", plan)


def load(content: bytes, data_only: bool = False):
    return openpyxl.load_workbook(io.BytesIO(content), data_only=data_only)


def test_tasks_sheet_carries_each_tasks_status_done_on_actual_and_notes(replanned):
    plan, content = replanned
    sheet = load(content)["Tasks"]
    recorded = plan.replanning.recorded.tasks
    for row, task in enumerate(plan.tasks, start=FIRST_ROW):
        assert sheet.cell(row, index(TaskColumn.KEY)).value == task.key
        mine = recorded.get(task.key)
        status = sheet.cell(row, index(TaskColumn.STATUS)).value
        assert status == ENGLISH.term(mine.status if mine and mine.status else TaskStatus.NOT_STARTED)
        done_on = sheet.cell(row, index(TaskColumn.DONE_ON))
        assert (done_on.value.date() if done_on.value else None) == (mine.done_on if mine else None)
        assert done_on.is_date
        assert sheet.cell(row, index(TaskColumn.ACTUAL)).value == (mine.actual_hours if mine else None)
        assert (sheet.cell(row, index(TaskColumn.NOTES)).value or "") == (mine.notes if mine else "")
    assert sheet.cell(FIRST_ROW + 3, index(TaskColumn.STATUS)).value == "Not started"  # recorded blank
    assert sheet.cell(FIRST_ROW + 2, index(TaskColumn.NOTES)).data_type == "s"  # text, never a formula
    keys = [sheet.cell(row, index(TaskColumn.KEY)).value for row in range(FIRST_ROW, sheet.max_row + 1)]
    assert "a-task-since-removed" not in keys
    assert sheet.max_row == FIRST_ROW + len(plan.tasks) - 1


def test_weekly_log_skills_and_actions_carry_their_entries(replanned):
    plan, content = replanned
    book = load(content)
    log = book["Weekly log"]
    weekly = plan.replanning.recorded.weekly_actuals
    assert [log.cell(row, 3).value for row in range(2, len(plan.weeks) + 2)] == [
        weekly.get(week.start) for week in plan.weeks
    ]
    assert log.max_row == len(plan.weeks) + 1  # the recorded week outside the plan adds no row
    skills = book["Skills"]
    ratings = {skills.cell(row, 1).value: skills.cell(row, 6).value for row in range(2, len(plan.skills) + 2)}
    assert ratings == {skill.name: plan.replanning.recorded.skill_ratings.get(skill.name) for skill in plan.skills}
    actions = book["Actions"]
    marks = [actions.cell(row, 4).value for row in range(2, len(plan.actions) + 2)]
    assert marks == ["Yes"] + ["No"] * (len(plan.actions) - 1)


def test_cached_figures_are_those_of_the_carried_state(replanned):
    plan, content = replanned
    book = load(content, data_only=True)
    expected = expected_figures(plan, CONTEXT.today)
    dashboard = book["Dashboard"]
    overall, planned, done, actual, tasks_done = (dashboard.cell(row, 2).value for row in DASHBOARD_FIGURES)
    assert overall == pytest.approx(expected["overall"])
    assert planned == pytest.approx(expected["planned"])
    assert done == pytest.approx(expected["done"])
    assert actual == pytest.approx(expected["actual"])
    assert tasks_done == expected["tasks-done"]
    filled = round(expected["overall"] * 20)
    assert dashboard["C12"].value == "█" * filled + "░" * (20 - filled)
    for offset, phase in enumerate(plan.phases):
        row = PHASE_ROWS_FROM + offset
        assert dashboard.cell(row, 6).value == pytest.approx(expected["phase-done"][phase.number])
        assert dashboard.cell(row, 7).value == pytest.approx(expected["phase-done"][phase.number] / phase.hours)
    log = book["Weekly log"]
    assert [log.cell(row, 5).value for row in range(2, len(plan.weeks) + 2)] == expected["cumulative"]
    timeline = book["Timeline"]
    shown = {timeline.cell(row, 1).value: timeline.cell(row, 6).value for row in range(3, timeline.max_row + 1)}
    assert shown[plan.tasks[0].id] == "Done" and shown[plan.tasks[2].id] == "In progress"


def test_cached_cumulative_actual_counts_the_carried_weeks_up_to_today():
    plan = make_plan(name="Ana Lima")
    today = plan.weeks[5].start
    plan = carried(plan, today)
    book = load(render_one("xlsx", plan, context=fixed_context(datetime(2027, 2, 8, 12, tzinfo=UTC))), data_only=True)
    log = book["Weekly log"]
    assert [log.cell(row, 5).value for row in range(2, 9)] == [9.5, 21.5, 21.5, 28.75, 28.75, 28.75, "#N/A"]


def test_settings_say_when_and_how_it_was_replanned(replanned):
    plan, content = replanned
    sheet = load(content)["Plan settings"]
    rows = {sheet.cell(row, 1).value: sheet.cell(row, 2) for row in range(2, sheet.max_row + 1)}
    replanning = plan.replanning
    assert rows["Replanned on"].value.date() == replanning.as_of
    assert rows["Finish before replanning"].value.date() == replanning.previous_finish
    assert rows["Hours done"].value == pytest.approx(replanning.hours_done)
    assert rows["Hours left"].value == pytest.approx(replanning.hours_left)
    assert rows["Replanned on"].is_date and rows["Finish before replanning"].is_date
    labels = [sheet.cell(row, 1).value for row in range(2, sheet.max_row + 1)]
    assert labels[-1] == "How the dates came about"


def test_a_plan_made_afresh_has_no_replanning_rows():
    sheet = load(render_one("xlsx", make_plan()))["Plan settings"]
    labels = {sheet.cell(row, 1).value for row in range(2, sheet.max_row + 1)}
    assert not labels & {"Replanned on", "Finish before replanning", "Hours done", "Hours left"}


def test_reading_the_new_tracker_back_gives_what_was_recorded(replanned, tmp_path):
    plan, content = replanned
    path = tmp_path / "tracker.xlsx"
    path.write_bytes(content)
    progress = read_progress(path)
    recorded = plan.replanning.recorded
    kept = left_over(plan.replanning.recorded, {t.key for t in plan.tasks}, ENGLISH)
    assert [row.key for row in kept] == ["a-task-since-removed", ""]
    assert progress.other_rows == tuple(dataclasses.replace(row, earlier=True) for row in kept)
    assert set(progress.tasks) == {task.key for task in plan.tasks}
    for task in plan.tasks:
        read, mine = progress.tasks[task.key], recorded.tasks.get(task.key)
        expected_status = mine.status if mine and mine.status else TaskStatus.NOT_STARTED
        assert (read.status, read.done_on, read.actual_hours, read.notes) == (
            expected_status,
            mine.done_on if mine else None,
            mine.actual_hours if mine else None,
            mine.notes if mine else "",
        )
    weeks = {week.start for week in plan.weeks}
    assert progress.weekly_actuals == {week: hours for week, hours in recorded.weekly_actuals.items() if week in weeks}
    skills = {skill.name for skill in plan.skills}
    assert progress.skill_ratings == {name: r for name, r in recorded.skill_ratings.items() if name in skills}
    assert progress.actions_done == {a.title: recorded.actions_done.get(a.title, False) for a in plan.actions}


def test_libreoffice_computes_the_cached_figures(tmp_path):
    """LibreOffice's TODAY() is the real date, so the plan started weeks before it and the run's today is now."""
    context = fixed_context(datetime.now(UTC))
    start = context.today - timedelta(days=context.today.weekday() + 42)
    plan = carried(make_plan(context=context, name="Ana Lima", start=start.isoformat()), context.today)
    content = render_one("xlsx", plan, context=context)
    source = tmp_path / "tracker.xlsx"
    source.write_bytes(content)
    (copy,) = libreoffice_recalculate([source], tmp_path)
    cached, computed = load(content, data_only=True), openpyxl.load_workbook(copy, data_only=True)

    def figures(book):
        dashboard, log = book["Dashboard"], book["Weekly log"]
        phase_rows = range(PHASE_ROWS_FROM, PHASE_ROWS_FROM + len(plan.phases))
        return {
            "dashboard": [dashboard.cell(row, 2).value for row in DASHBOARD_FIGURES],
            "bar": dashboard["C12"].value,
            "phases": [dashboard.cell(row, column).value for row in phase_rows for column in (6, 7)],
            "cumulative": [log.cell(row, 5).value for row in range(2, len(plan.weeks) + 2)],
            "timeline": [book["Timeline"].cell(row, 6).value for row in range(3, book["Timeline"].max_row + 1)],
        }

    mine, theirs = figures(cached), figures(computed)
    standing = status(plan, plan.replanning.recorded, context.today)
    live = [computed["Dashboard"].cell(row, 2).value for row in STANDING_FIGURES]
    assert live[5].date() == standing.finish_at_pace
    assert live[:5] + live[6:] == pytest.approx(
        [
            standing.hours_planned_to_date,
            standing.hours_ahead,
            standing.days_ahead,
            standing.hours_left,
            standing.observed_pace,
            standing.hours_per_week_needed,
        ],
        abs=0.01,
    )
    assert [cached["Dashboard"].cell(row, 2).value for row in STANDING_FIGURES[:4]] == pytest.approx(
        [computed["Dashboard"].cell(row, 2).value for row in STANDING_FIGURES[:4]], abs=0.01
    )
    expected = expected_figures(plan, context.today)
    assert mine["dashboard"][2] == pytest.approx(expected["done"]) and mine["dashboard"][2] > 0
    assert mine["dashboard"][3] == pytest.approx(expected["actual"])
    assert any(isinstance(value, float) and value > 0 for value in mine["cumulative"])
    assert mine["dashboard"][:4] == pytest.approx(theirs["dashboard"][:4])
    assert mine["dashboard"][4] == theirs["dashboard"][4]
    assert mine["bar"] == theirs["bar"]
    assert mine["phases"] == pytest.approx(theirs["phases"])
    assert mine["timeline"] == theirs["timeline"]
    # LibreOffice writes a #N/A result as the text "#N/A", as we do
    assert [v if isinstance(v, str) else pytest.approx(v) for v in mine["cumulative"]] == theirs["cumulative"]
