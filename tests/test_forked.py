"""A person's files rendered side by side in forked processes are the files rendered one after another,
and whatever goes wrong in a child comes back as it happened, with no child left behind."""

from __future__ import annotations

import os
import signal
import time
from dataclasses import replace
from functools import partial

import pytest
from conftest import CONTEXT, make_plan

from exporter import pipeline
from exporter.errors import InputError, Problem
from exporter.forked import Ahead, can_fork

pytestmark = pytest.mark.skipif(not can_fork(), reason="this system cannot fork")


def _no_children_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def _value(number: int, payload: str = "") -> dict:
    return {"number": number, "pid": os.getpid(), "payload": payload, "prepared": _PREPARED}


_PREPARED: list[int] = []


def _prepare() -> None:
    _PREPARED.append(os.getpid())


def run_forked(calls: list) -> list:
    """The calls run with Ahead: the first here, the others in children forked first and prepared."""
    with Ahead([(_prepare, call) for call in calls[1:]]) as ahead:
        return ahead.run("payload", calls[0])


def _bad_input(payload=None) -> None:
    raise InputError([Problem("profile.toml", "hours_per_week must be a number", line=3, field="hours_per_week")])


class _Unsendable(Exception):
    def __init__(self, handle, message: str):
        super().__init__(message)
        self.handle = handle


def _unpicklable(payload=None) -> None:
    raise _Unsendable(lambda: None, "a lambda cannot be pickled")


def _dies(payload=None) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def test_results_come_back_in_order_from_other_processes():
    results = run_forked([partial(_value, number) for number in range(4)])
    assert [result["number"] for result in results] == [0, 1, 2, 3]
    assert {result["payload"] for result in results} == {"payload"}
    assert results[0]["pid"] == os.getpid() and results[0]["prepared"] == []
    assert all(result["prepared"] == [result["pid"]] for result in results[1:])  # each child prepared itself
    assert len({result["pid"] for result in results}) == 4
    assert _no_children_left()


def test_a_large_payload_reaches_children_still_preparing():
    """A payload far larger than a pipe holds is fed while the children prepare (slowly) and this process works."""
    big = "x" * 5_000_000
    with Ahead([(partial(time.sleep, 0.3), len), (partial(time.sleep, 0.1), len)]) as ahead:
        assert ahead.run(big, len) == [5_000_000] * 3
    assert _no_children_left()


def test_children_never_run_are_stopped():
    with Ahead([(partial(time.sleep, 30), len), (partial(time.sleep, 30), len)]):
        pass
    assert _no_children_left()


def test_an_input_error_in_a_child_comes_back_as_itself():
    with pytest.raises(InputError) as raised:
        run_forked([partial(_value, 1), _bad_input])
    (problem,) = raised.value.problems
    assert (problem.source, problem.line, problem.field) == ("profile.toml", 3, "hours_per_week")
    assert any("_bad_input" in note for note in raised.value.__notes__)  # the child's traceback
    assert _no_children_left()


def test_an_exception_that_cannot_be_sent_comes_back_named():
    with pytest.raises(RuntimeError, match="_Unsendable: a lambda cannot be pickled"):
        run_forked([partial(_value, 1), _unpicklable])
    assert _no_children_left()


def test_a_child_that_dies_is_an_error_not_a_hang():
    with pytest.raises(RuntimeError, match="signal 9"):
        run_forked([partial(_value, 1), _dies])
    assert _no_children_left()


def _interrupted(payload=None) -> None:
    os.kill(os.getpid(), signal.SIGINT)


def test_ctrl_c_in_a_child_interrupts_the_command():
    with pytest.raises(KeyboardInterrupt):
        run_forked([partial(_value, 1), _interrupted, partial(_value, 3)])
    assert _no_children_left()


def _interrupt_here(payload=None) -> None:
    raise KeyboardInterrupt


@pytest.mark.parametrize("failing", [_bad_input, _interrupt_here])
def test_a_failure_here_stops_the_children_at_once(failing):
    """A failure in this process's share (an error, or Ctrl-C) stops children that would work for long."""
    began = time.monotonic()
    with pytest.raises((InputError, KeyboardInterrupt)), Ahead([(_prepare, partial(_sleep_then, 30))] * 2) as ahead:
        ahead.run("payload", failing)
    assert time.monotonic() - began < 10
    assert _no_children_left()


def test_a_failing_child_stops_the_children_after_it():
    began = time.monotonic()
    with pytest.raises(InputError):
        run_forked([partial(_value, 1), _bad_input, partial(_sleep_then, 30)])
    assert time.monotonic() - began < 10
    assert _no_children_left()


def _sleep_then(seconds: float, payload=None) -> str:
    time.sleep(seconds)
    return "slept"


def test_children_run_once():
    with Ahead([(_prepare, len)]) as ahead:
        assert ahead.run("ab", len) == [2, 2]
        with pytest.raises(RuntimeError, match="already been run"):
            ahead.run("ab", len)
    assert _no_children_left()


def test_renderers_forked_for_other_formats_are_refused():
    plan = make_plan()
    two = replace(CONTEXT, processes=2)
    with pipeline.renderers(two, ("xlsx", "ics")) as forked, pytest.raises(ValueError, match="cannot render"):
        pipeline.render(plan, two, pipeline.OutputChoice(formats=("xlsx", "pdf")), forked)
    assert _no_children_left()


def test_files_rendered_side_by_side_are_the_files_rendered_in_turn():
    """The three formats of a plan with a name the PDF cannot print: same bytes, same warnings, whether the
    children are forked when the plan is made or before."""
    plan = make_plan(name="Ana 张伟 ꦲꦤ", timezone="Europe/Berlin")
    choice = pipeline.OutputChoice()
    in_turn = pipeline.render(plan, CONTEXT, choice)
    two = replace(CONTEXT, processes=2)
    with pipeline.renderers(two, choice.formats) as forked:
        ahead_of_time = pipeline.render(plan, two, choice, forked)
    assert set(in_turn.files) == {"tracker.xlsx", "plan.ics", "plan.pdf"}
    assert pipeline.render(plan, two, choice) == ahead_of_time == in_turn
    assert in_turn.warnings
    assert _no_children_left()


def test_an_export_stopped_by_bad_input_leaves_no_child(tmp_path):
    """Children forked ahead of a plan that is never made are stopped; nothing is written."""
    from exporter.errors import Origin
    from exporter.settings import layer

    bad = layer({"hours_per_week": "many"}, lambda name: Origin(name))
    with pytest.raises(InputError):
        pipeline.export(make_plan().pathway, [bad], replace(CONTEXT, processes=2), pipeline.OutputChoice(), tmp_path)
    assert _no_children_left() and not any(tmp_path.iterdir())
