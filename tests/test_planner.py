import itertools
import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from conftest import make_plan, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exporter.availability import Blackout, ClosedDays, WeeklyAvailability, Window, parse_availability
from exporter.context import RunContext
from exporter.errors import InputError, Origin
from exporter.model import Action, Horizon, Pathway, Phase, Priority, Skill, Task
from exporter.plan import WindowChange
from exporter.planner import plan, scaled_availability
from exporter.settings import PlanRequest


def test_builtin_plan_shape(builtin_plan):
    p = builtin_plan
    assert [ph.hours for ph in p.phases] == [80, 120, 80, 120, 80]
    assert p.total_hours == 480 and p.hours_per_week == 10
    assert p.start == date(2027, 1, 4)
    assert p.sessions[0].start.isoformat() == "2027-01-04T19:00:00-05:00"
    assert sum(s.hours for s in p.sessions) == 480
    assert [t.id for t in p.tasks][:5] == ["1.1", "1.2", "1.3", "1.4", "2.1"]
    assert p.finish == p.sessions[-1].start.date() == p.phases[-1].finish
    kinds = [m.kind for m in p.milestones]
    assert kinds.count("phase-start") == 5 and kinds.count("phase-finish") == 5
    assert kinds.count("skill-target") == 5 and kinds.count("action-checkpoint") == 3
    assert kinds.count("programme-finish") == 1
    dues = {a.horizon: a.due for a in p.actions}
    assert dues == {"this-week": date(2027, 1, 11), "this-month": date(2027, 2, 3), "next-90-days": date(2027, 4, 4)}
    skills = {s.name: s.target for s in p.skills}
    assert skills["Security Clearance Process"] is None
    assert skills["AI/ML Fundamentals"] == p.phases[1].finish
    assert skills["Stakeholder Management"] == date(2027, 1, 4) + timedelta(weeks=6)
    assert sum(w.hours for w in p.weeks) == 480


def test_a_session_ending_at_midnight_finishes_on_its_own_day():
    p = make_plan(availability="sun 22:00-24:00")
    assert p.sessions[0].end.isoformat() == "2027-01-11T00:00:00-05:00"
    assert p.tasks[0].start == date(2027, 1, 10) and p.finish == p.sessions[-1].start.date()
    assert p.finish.weekday() == 6


def test_pace_scales_unlinked_skills():
    slow = make_plan(hours_per_week="5", days="mon,wed")
    target = {s.name: s.target for s in slow.skills}["Stakeholder Management"]
    assert target == date(2027, 1, 4) + timedelta(weeks=12)


def test_session_after_spring_change_keeps_local_time():
    p = make_plan(timezone="America/New_York", availability="mon 19:00-21:00")
    before = next(s for s in p.sessions if s.start.date() == date(2027, 3, 8))
    after = next(s for s in p.sessions if s.start.date() == date(2027, 3, 15))
    assert before.start.isoformat() == "2027-03-08T19:00:00-05:00"
    assert after.start.isoformat() == "2027-03-15T19:00:00-04:00"
    assert after.end.isoformat() == "2027-03-15T21:00:00-04:00"
    assert after.hours == 2


def test_public_holidays_and_blackouts_have_no_sessions():
    p = make_plan(holidays="US", blackout=["2027-07-01..2027-07-14"])
    days = {s.start.date() for s in p.sessions}
    assert date(2027, 1, 18) not in days  # Martin Luther King Jr. Day, a Monday
    assert date(2027, 1, 11) in days
    assert not any(date(2027, 7, 1) <= d <= date(2027, 7, 14) for d in days)
    plain = make_plan()
    assert p.finish > plain.finish


def test_explicit_task_hours_share_the_rest():
    pathway = Pathway("x", "X", "A", "B", 10, phases=(Phase(1, "P", 2, (Task("a", 5), Task("b"), Task("c"))),))
    p = make_plan(pathway)
    assert [t.hours for t in p.tasks] == [5, 7.5, 7.5]


OWN_WINDOWS = "sun 09:00-12:00; tue 19:00-21:00; thu 19:00-21:00"


def _step_of(plan) -> int:
    own = parse_availability(OWN_WINDOWS, Origin("availability"))
    return next(n for n in range(1, 2000) if scaled_availability(own, n) == plan.availability)


@pytest.mark.parametrize("deadline", ["2027-09-30", "2028-06-30"])
def test_finish_by_keeps_the_persons_windows_and_finds_the_least_time(deadline):
    p = make_plan(finish_by=deadline, availability=OWN_WINDOWS)
    assert p.finish <= date.fromisoformat(deadline)
    own = parse_availability(OWN_WINDOWS, Origin("availability"))
    for window in p.availability.windows:
        assert any(o.weekday == window.weekday and window.start <= o.start < window.end for o in own.windows)
    step = _step_of(p)
    if step > 1:
        shorter = make_plan(availability=scaled_availability(own, step - 1).spec())
        assert shorter.finish > date.fromisoformat(deadline)


def test_finish_by_says_how_the_windows_changed():
    far = make_plan(finish_by="2029-12-31", availability=OWN_WINDOWS)
    near = make_plan(finish_by="2027-09-30", availability=OWN_WINDOWS)
    assert far.window_change is WindowChange.SHORTENED and near.window_change is WindowChange.LENGTHENED
    output = run("plan", "--start", "2027-01-04", "--finish-by", "2027-09-30", "--availability", OWN_WINDOWS).output
    assert "adding study time outside your own windows" in output


def test_finish_by_impossible_says_what_is_needed():
    result = run("plan", "--start", "2027-01-04", "--finish-by", "2027-03-01", "--days", "sat", "--timezone", "UTC")
    assert result.exit_code == 1 and "--finish-by" in result.stderr and "more days" in result.stderr


def test_finish_by_from_a_profile_is_named_by_the_profile(tmp_path):
    profile = tmp_path / "me.toml"
    profile.write_text('timezone = "UTC"\nstart = "2027-01-04"\nfinish_by = "2027-03-01"\ndays = "sat"\n')
    result = run("plan", "--profile", profile)
    assert result.exit_code == 1
    assert f"{profile}:3: finish_by: no schedule finishes by 2027-03-01" in result.stderr
    assert "--finish-by" not in result.stderr


@pytest.mark.parametrize("option", [["--days", "tue,thu"], ["--session-start", "08:00"]])
def test_spread_options_without_hours_are_an_error(option):
    result = run("plan", "--start", "2027-01-04", *option)
    assert result.exit_code == 1 and result.stderr.startswith(f"error: {option[0]}: applies to --hours-per-week")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--availability", "mon 19:00-19:00"], "ends before it starts"),
        (["--availability", "mon 19:00-21:00; mon 20:00-22:00"], "overlap"),
        (["--availability", "funday 19:00-21:00"], "unknown weekday"),
        (["--availability", ";"], "no availability"),
        (["--timezone", "Nowhere/Atlantis"], "unknown time zone"),
        (["--holidays", "XX"], "unknown holiday country"),
        (["--holidays", "US-ZZ"], "unknown subdivision"),
        (["--start", "4 Jan 2027"], "--start: not a date"),
        (["--blackout", "2027-05-01..2027-04-01"], "ends before it starts"),
        (["--blackout", "2027-01-01..2037-12-31"], "past 10 years"),
        (["--hours-per-week", "ten"], "not a number of hours"),
    ],
)
def test_bad_plan_input_is_one_clear_line(args, message):
    result = run("plan", "--start", "2027-01-04", *args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_plan_json_document():
    result = run("plan", "--start", "2027-01-04", "--timezone", "America/New_York", "--name", "Zoë", "--json")
    data = json.loads(result.output)
    assert set(data) >= {
        "pathway",
        "participant",
        "timezone",
        "start",
        "finish",
        "hours_per_week",
        "total_hours",
        "phases",
        "tasks",
        "sessions",
        "skills",
        "actions",
        "milestones",
    }
    assert data["participant"] == "Zoë" and data["total_hours"] == 480
    assert data["sessions"][0] == {
        "key": "ai-for-everyone/1",
        "task_keys": ["ai-for-everyone"],
        "start": "2027-01-04T19:00:00-05:00",
        "end": "2027-01-04T21:00:00-05:00",
        "hours": 2.0,
        "tasks": ["1.1"],
    }
    assert data["phases"][0]["hours"] == 80


def test_profile_file_and_cli_override(tmp_path):
    profile = tmp_path / "me.toml"
    profile.write_text(
        'name = "Ana"\nstart = 2027-02-01\ntimezone = "Europe/Berlin"\nblackouts = ["2027-02-02"]\n'
        'availability = "tue 18:00-20:00"\n'
    )
    data = json.loads(run("plan", "--profile", profile, "--json").output)
    assert data["participant"] == "Ana" and data["start"] == "2027-02-01" and data["timezone"] == "Europe/Berlin"
    assert data["sessions"][0]["start"] == "2027-02-09T18:00:00+01:00"
    data = json.loads(run("plan", "--profile", profile, "--name", "Bea", "--json").output)
    assert data["participant"] == "Bea"
    profile.write_text('colour = "red"\n')
    result = run("plan", "--profile", profile)
    assert result.exit_code == 1 and "colour: unknown setting" in result.stderr


# ---- property tests -------------------------------------------------------------------

ZONES = ["UTC", "America/New_York", "Europe/London", "Australia/Sydney", "Asia/Kolkata"]


@st.composite
def pathways(draw):
    phases = []
    for number in range(1, draw(st.integers(1, 4)) + 1):
        tasks = tuple(
            Task(f"t{number}.{i}", draw(st.one_of(st.none(), st.sampled_from([0.25, 0.5, 1]))))
            for i in range(draw(st.integers(1, 4)))
        )
        phases.append(Phase(number, f"Phase {number}", draw(st.sampled_from([2, 3.5, 5])), tasks))
    skills = (Skill("s", Priority.CRITICAL, 2), Skill("o", Priority.IMPORTANT, None))
    actions = (Action(Horizon.THIS_WEEK, "a"),)
    return Pathway(
        "p", "P", "A", "B", draw(st.sampled_from([3, 5, 8])), phases=tuple(phases), skills=skills, actions=actions
    )


@st.composite
def availabilities(draw):
    windows = []
    for weekday in draw(st.sets(st.integers(0, 6), min_size=1, max_size=4)):
        start = draw(st.integers(0, 80)) * 15
        length = draw(st.integers(1, 16)) * 15
        windows.append(Window(weekday, start, min(start + length, 1440)))
    return WeeklyAvailability(tuple(sorted(windows, key=lambda w: (w.weekday, w.start))))


@st.composite
def requests(draw, availability=None):
    start = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 800)))
    blackouts = ()
    if draw(st.booleans()):
        first = start + timedelta(days=draw(st.integers(0, 60)))
        blackouts = (Blackout(first, first + timedelta(days=draw(st.integers(0, 20)))),)
    return PlanRequest(
        start=start,
        availability=availability or draw(availabilities()),
        timezone=draw(st.sampled_from(ZONES)),
        closed=ClosedDays(blackouts, draw(st.sampled_from([None, "US", "GB"]))),
    )


PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(pathway=pathways(), request=requests())
def test_plan_invariants(pathway, request):
    try:
        result = plan(pathway, request)
    except InputError as err:  # a tiny availability against a long pathway: refused, cleanly
        assert "past 10 years" in str(err)
        return
    zone = ZoneInfo(request.timezone)
    sessions = result.sessions
    for before, after in itertools.pairwise(sessions):  # as instants: in the repeated hour wall clocks repeat
        assert before.end.astimezone(UTC) <= after.start.astimezone(UTC)
    for session in sessions:
        local_start, local_end = session.start.astimezone(zone), session.end.astimezone(zone)
        assert request.closed.reason(local_start.date()) is None
        windows = request.availability.on(local_start.weekday())
        minute = local_start.hour * 60 + local_start.minute
        assert any(w.start <= minute < w.end for w in windows)
        assert session.hours > 0 and session.hours * 4 == int(session.hours * 4)
        assert local_end.date() == local_start.date() or (local_end.hour, local_end.minute) == (0, 0)
    total = sum(ph.weeks * pathway.hours_per_week for ph in pathway.phases)
    assert sum(s.hours for s in sessions) == pytest.approx(total)
    assert result.total_hours == pytest.approx(total)
    for before, after in zip(result.tasks, result.tasks[1:], strict=False):
        assert after.start >= before.finish
    assert plan(pathway, request) == result


@PROPERTY
@given(pathway=pathways(), data=st.data(), hours=st.integers(1, 20), extra=st.integers(1, 12))
def test_more_weekly_hours_never_finish_later(pathway, data, hours, extra):
    from exporter.availability import spread_availability

    days = [0, 2, 5]
    less = data.draw(requests(spread_availability(hours, days, 6 * 60, Origin("hours_per_week"))))
    more = PlanRequest(
        less.start,
        spread_availability(hours + extra, days, 6 * 60, Origin("hours_per_week")),
        less.timezone,
        less.closed,
    )
    try:
        slower = plan(pathway, less)
    except InputError as err:
        assert "past 10 years" in str(err)
        return
    assert plan(pathway, more).finish <= slower.finish


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2027, 1, 4), date(2027, 1, 4)),
        (date(2027, 1, 5), date(2027, 1, 11)),
        (date(2027, 1, 10), date(2027, 1, 11)),
    ],
)
def test_default_start_is_the_next_monday(today, expected):
    from exporter.settings import build_request

    context = RunContext(today=today, build_time=datetime(2027, 1, 1, tzinfo=UTC))
    assert build_request({"timezone": ("UTC", Origin("timezone"))}, context).start == expected


def test_plan_text_shows_the_sessions_still_ahead(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1801000000")  # 2027-01-27: three weeks into the plan
    output = run("plan", "--start", "2027-01-04", "--timezone", "UTC").output
    section = output.split("Next sessions", 1)[1]
    assert "still ahead" in section
    assert "2027-01-04" not in section.split("Milestones")[0]
    assert "Wed 2027-01-27 19:00-21:00" in section


def test_one_bad_setting_is_reported_once():
    result = run("plan", "--days", "xyz", "--hours-per-week", "5")
    assert result.exit_code == 1
    assert result.stderr.count("unknown weekday 'xyz'") == 1
