"""Schedule a pathway's effort into a person's study windows: pathway + request -> Plan.

Effort is counted in quarter hours throughout, so hours add up exactly and the same
inputs always give the same plan. The planner reads no clock: the request holds the start.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from exporter.availability import WeeklyAvailability, Window, holiday_names
from exporter.errors import UNPLACED, InputError, Kind, Problem
from exporter.labels import catalogue
from exporter.model import QUARTER, Horizon, Pathway, TaskStatus, task_quarters, title_key, unique_key
from exporter.plan import (
    BusyUse,
    Holiday,
    Milestone,
    MilestoneKind,
    Plan,
    PlannedAction,
    PlannedPhase,
    PlannedSkill,
    PlannedTask,
    Replanning,
    Session,
    Week,
    WindowChange,
)
from exporter.recorded import Progress
from exporter.settings import PlanRequest
from exporter.steady import steady_days

MAX_DAYS = 3653  # ten years: a plan longer than that is a sign of a mistake in the inputs
MAX_FINISH_BY_HOURS = 60  # the most weekly study hours --finish-by will suggest
SCALE_STEPS = 16  # --finish-by scales the person's windows in sixteenths
_STEP = timedelta(minutes=QUARTER)


class _Unfinished(Exception):
    """The effort does not fit in ten years of the availability."""

    def __init__(self, hours_left: float, until: date):
        super().__init__(hours_left, until)
        self.hours_left, self.until = hours_left, until


@dataclass(frozen=True)
class _TaskEffort:
    key: str
    id: str
    phase: int
    title: str
    quarters: int


def plan(pathway: Pathway, request: PlanRequest) -> Plan:
    """The plan of a validated pathway for a validated request; InputError when it cannot be made."""
    if request.finish_by is not None:
        return plan_to_finish_by(pathway, request)
    try:
        return _plan(pathway, request, request.availability)
    except _Unfinished as unfinished:
        raise InputError(
            Problem(
                UNPLACED,
                f"the plan would run past 10 years ({unfinished.hours_left:g} h still unscheduled after "
                f"{unfinished.until}): give more weekly hours or fewer blackout days",
                kind=Kind.INFEASIBLE,
            )
        ) from None


def task_efforts(pathway: Pathway) -> list[_TaskEffort]:
    """Each task's effort, in phase order (the loader has checked that every phase's hours fit)."""
    efforts: list[_TaskEffort] = []
    for phase in sorted(pathway.phases, key=lambda p: p.number):
        quarters = task_quarters(phase, pathway.hours_per_week)
        for index, (task, task_quarters_) in enumerate(zip(phase.tasks, quarters, strict=True), start=1):
            key = task.key or f"task-{phase.number}-{index}"  # a pathway made in code may carry no keys
            efforts.append(_TaskEffort(key, f"{phase.number}.{index}", phase.number, task.title, task_quarters_))
    return efforts


def _plan(
    pathway: Pathway,
    request: PlanRequest,
    availability: WeeklyAvailability,
    window_change: WindowChange | None = None,
) -> Plan:
    efforts = task_efforts(pathway)
    return _assemble(pathway, request, availability, efforts, _fill(efforts, request, availability), window_change)


def _assemble(
    pathway: Pathway,
    request: PlanRequest,
    availability: WeeklyAvailability,
    efforts: list[_TaskEffort],
    sessions: tuple[Session, ...],
    window_change: WindowChange | None = None,
    undated: dict[str, date] | None = None,
    replanning: Replanning | None = None,
) -> Plan:
    """The plan around its sessions: task and phase dates, skills, actions, milestones, weeks."""
    labels = catalogue(request.language)
    tasks = _planned_tasks(efforts, sessions, undated)
    phases = _planned_phases(pathway, tasks, efforts)
    last_day = max((task.finish for task in tasks), default=request.start)
    finish = sessions[-1].start.date() if sessions else last_day  # a session may end at midnight
    finish = max(finish, last_day)
    actions = tuple(
        PlannedAction(a.horizon, a.title, request.start + timedelta(days=a.horizon.days))
        for a in sorted(pathway.actions, key=lambda a: list(Horizon).index(a.horizon))
    )
    skills = _planned_skills(pathway, phases, request.start, availability.hours_per_week)
    return Plan(
        pathway=pathway,
        participant=request.participant,
        timezone=request.timezone,
        start=request.start,
        finish=finish,
        availability=availability,
        blackouts=request.blackouts,
        holidays=request.closed.holidays,
        finish_by=request.finish_by,
        phases=phases,
        tasks=tasks,
        sessions=sessions,
        skills=skills,
        actions=actions,
        milestones=_milestones(pathway, phases, skills, actions, finish),
        weeks=_weeks(sessions, request.start, finish, labels.first_weekday),
        identity=request.identity or request.participant or "",
        window_change=window_change,
        replanning=replanning,
        language=request.language,
        week_start=labels.first_weekday,
        holidays_off=_holidays_off(request, availability, finish, labels.holiday_languages),
    )


def _open_windows(
    request: PlanRequest, availability: WeeklyAvailability
) -> Iterator[tuple[datetime, int, datetime | None]]:
    """(start in UTC, length in quarters, start in the person's zone or None) of every open stretch of time,
    in time order, never overlapping.

    The person's windows (`_window_stretches`) with their busy time cut out (`BusyTime.free`): a window
    a meeting cuts gives the pieces before and after it, each used only when at least the minimum
    session long (their start in the zone is None).
    """
    busy = request.busy_time
    for start, quarters, local in _window_stretches(request, availability):
        if not busy.intervals or start >= busy.until:
            yield start, quarters, local
            continue
        pieces, _taken = busy.free(start, quarters * QUARTER, QUARTER)
        for piece, piece_quarters in pieces:
            yield piece, piece_quarters, None


def _window_stretches(
    request: PlanRequest, availability: WeeklyAvailability, until: date | None = None
) -> Iterator[tuple[datetime, int, datetime | None]]:
    """(start in UTC, length in quarters, start in the person's zone or None) of every stretch of the person's
    windows on open days (no blackout, no holiday) from the request's start (to `until`, included), in time
    order, never overlapping.

    A window's stretches are the instants whose wall clock reads a time inside it (`_window_spans`), so on
    the night the clocks change a window may hold less time than its label says, more, or two stretches.
    On a steady day (`steady_days`: no clock change touches it) a window is one stretch, the window as
    labelled, and its start in the zone comes with it (the wall time it reads); elsewhere that is None.
    """
    zone = ZoneInfo(request.timezone)
    by_day = [availability.on(weekday) for weekday in range(7)]
    done = datetime.min.replace(tzinfo=UTC)
    last = MAX_DAYS if until is None else min(MAX_DAYS, (until - request.start).days)
    first_ordinal, first_weekday = request.start.toordinal(), request.start.weekday()
    steady: frozenset[date] = frozenset()
    steady_year = None
    for offset in range(last + 1):
        windows = by_day[(first_weekday + offset) % 7]  # the day itself is made only when it has windows
        if not windows:
            continue
        day = date.fromordinal(first_ordinal + offset)
        if request.closed.reason(day):
            continue
        if day.year != steady_year:
            steady, steady_year = steady_days(zone, day.year), day.year
        if day in steady:
            spans = _steady_spans(day, windows, zone)
        elif len(windows) == 1:
            spans = [(*span, None) for span in _window_spans(day, windows[0].start, windows[0].end, zone)]
        else:
            # A repeated hour can interleave two windows' stretches, hence the sort. A stretch before one already
            # given could only come from a wall date stepping back over midnight (no zone has done since 2010).
            found = sorted(span for window in windows for span in _window_spans(day, window.start, window.end, zone))
            spans = [(*span, None) for span in found]
        for start, quarters, local in spans:
            if start >= done:
                done = start + quarters * _STEP
                yield start, quarters, local


def _steady_spans(
    day: date, windows: tuple[Window, ...], zone: ZoneInfo
) -> list[tuple[datetime, int, datetime | None]]:
    """The stretches of the day's windows on a steady day (see `steady_days`), as `_window_spans` gives them
    there (one UTC offset throughout: each window as labelled, an empty one left out), in time order, each with
    its start in the zone: the wall time it reads, which is what that UTC time reads there."""
    spans = []
    for window in windows:
        quarters = (window.end - window.start) // QUARTER
        if quarters > 0:
            local = _local(day, window.start, zone)
            spans.append((local.astimezone(UTC), quarters, local))
    if len(spans) > 1:
        spans.sort(key=lambda span: span[:2])
    return spans


def busy_use(request: PlanRequest, availability: WeeklyAvailability, finish: date) -> BusyUse:
    """The hours of the person's `availability` windows (on open days) the request's busy time took from
    its start to `finish`, by week: the busy time, its buffer and the slivers too short to use."""
    busy = request.busy_time
    first_day = _week_of(request.start, catalogue(request.language).first_weekday)
    zone = ZoneInfo(request.timezone)
    taken: dict[int, int] = {}
    for start, quarters, _local_start in _window_stretches(request, availability, finish):
        if not busy.intervals or start >= busy.until:
            continue
        _pieces, minutes = busy.free(start, quarters * QUARTER, QUARTER)
        if minutes:
            week = (start.astimezone(zone).date() - first_day).days // 7
            taken[week] = taken.get(week, 0) + minutes
    weeks = tuple(Week(first_day + timedelta(weeks=index), taken[index] / 60) for index in sorted(taken))
    return BusyUse(request.busy, sum(taken.values()) / 60, weeks)


def _window_spans(day: date, start: int, end: int, zone: ZoneInfo) -> list[tuple[datetime, int]]:
    """(start in UTC, length in quarters) of the stretches of time whose wall clock reads inside the day's
    window from `start` to `end` (minutes from midnight; `end` may be 1440).

    On almost every day that is one stretch, the window as labelled. On a clock-change night:

    - Spring forward (a gap: the wall clock never shows, say, 02:00-03:00): a window ending in the gap ends
      when the clock jumps; one starting in the gap starts when the clock resumes; one wholly inside the gap
      holds nothing that night.
    - Fall back (an overlap: the wall clock shows, say, 01:00-02:00 twice): the window starts at the first
      occurrence of its start time and ends at the last occurrence of its end time (fold 0 and fold 1), so
      a window spanning the change holds the repeated hour twice. When its start or end falls inside the
      repeated hour, the instants in between whose clock reads outside the window (the rest of the hour's
      first pass, or the start of its second) are left out, which splits the window in two stretches.

    So a stretch's hours are the time that really passes. Each stretch is cut to whole quarters (a few zones
    once changed clocks off the quarter hour: the odd minutes are dropped) and an empty one is left out.
    """
    first = _local(day, start, zone)
    last = _local(day, end, zone, fold=1)
    if (  # each end with the other fold made anew: datetime.replace is several times slower
        first.utcoffset()
        == last.utcoffset()
        == _local(day, start, zone, 1).utcoffset()
        == _local(day, end, zone).utcoffset()
    ):
        quarters = (end - start) // QUARTER  # one UTC offset throughout: wall time is elapsed time
        return [(first.astimezone(UTC), quarters)] if quarters > 0 else []
    # The clock changes at an end of the window or inside it: walk its instants minute by minute. The
    # stretches lie between the earliest reading of its start and the latest reading of its end.
    wall_first, wall_last = first.replace(tzinfo=None), last.replace(tzinfo=None)
    moment = min(first.replace(fold=fold).astimezone(UTC) for fold in (0, 1))
    until = max(last.replace(fold=fold).astimezone(UTC) for fold in (0, 1))
    spans: list[tuple[datetime, int]] = []
    begun: datetime | None = None
    while moment <= until:
        inside = moment < until and wall_first <= moment.astimezone(zone).replace(tzinfo=None) < wall_last
        if inside and begun is None:
            begun = moment
        elif not inside and begun is not None:
            quarters = int((moment - begun) / _STEP)
            if quarters > 0:
                spans.append((begun, quarters))
            begun = None
        moment += timedelta(minutes=1)
    return spans


def _local(day: date, minutes: int, zone: ZoneInfo, fold: int = 0) -> datetime:
    """The wall-clock time `minutes` after the day's midnight in `zone` (1440: the next midnight), with `fold`."""
    if minutes >= 24 * 60:
        return datetime.combine(day + timedelta(days=1), _clock(0, fold), tzinfo=zone)
    return datetime.combine(day, _clock(minutes, fold), tzinfo=zone)


@cache
def _clock(minutes: int, fold: int) -> time:
    """The time of day `minutes` after midnight (below 1440), with `fold`: one object per process for each."""
    return time(minutes // 60, minutes % 60, fold=fold)


def _fill(
    efforts: list[_TaskEffort],
    request: PlanRequest,
    availability: WeeklyAvailability,
    ordinal: dict[str, int] | None = None,
) -> tuple[Session, ...]:
    """Sessions for the efforts from the request's start; `ordinal` counts sessions each task already has."""
    zone = ZoneInfo(request.timezone)
    sessions: list[Session] = []
    queue = [[effort.key, effort.quarters] for effort in efforts if effort.quarters > 0]
    position = 0
    ordinal = dict(ordinal or {})
    for start, quarters, local in _open_windows(request, availability):
        if position == len(queue):
            break
        used, served = 0, []
        while used < quarters and position < len(queue):
            take = min(quarters - used, queue[position][1])
            used += take
            queue[position][1] -= take
            served.append(queue[position][0])
            if queue[position][1] == 0:
                position += 1
        first = served[0]
        ordinal[first] = ordinal.get(first, 0) + 1
        key = f"{first}/{ordinal[first]}"
        if local is None:
            end = start + used * _STEP
            sessions.append(Session(start.astimezone(zone), end.astimezone(zone), tuple(served), key))
        else:  # a whole window on a steady day: wall time is elapsed time, and whole minutes give exact hours
            sessions.append(Session.timed(local, local + used * _STEP, tuple(served), key, used / 4))
    if position < len(queue):
        left = sum(item[1] for item in queue[position:]) * QUARTER / 60
        raise _Unfinished(left, request.start + timedelta(days=MAX_DAYS))
    return tuple(sessions)


def _planned_tasks(
    efforts: list[_TaskEffort], sessions: tuple[Session, ...], undated: dict[str, date] | None = None
) -> tuple[PlannedTask, ...]:
    """Each task with the dates of its first and last session; a task with no session takes its
    date from `undated` (a task done without any session) or is left out."""
    first: dict[str, Session] = {}
    last: dict[str, Session] = {}
    for session in sessions:
        for key in session.task_keys:
            first.setdefault(key, session)
            last[key] = session
    tasks = []
    for effort in efforts:
        begin, end = first.get(effort.key), last.get(effort.key)
        if begin is not None and end is not None:
            start, finish = begin.start.date(), end.start.date()
        elif undated and effort.key in undated:
            start = finish = undated[effort.key]
        else:
            continue
        tasks.append(PlannedTask(effort.key, effort.id, effort.phase, effort.title, start, finish, effort.quarters / 4))
    return tuple(tasks)


def _planned_phases(
    pathway: Pathway, tasks: tuple[PlannedTask, ...], efforts: list[_TaskEffort]
) -> tuple[PlannedPhase, ...]:
    phases = []
    for phase in sorted(pathway.phases, key=lambda p: p.number):
        own = [task for task in tasks if task.phase == phase.number]
        hours = sum(effort.quarters for effort in efforts if effort.phase == phase.number) / 4
        if own:
            start, finish = min(t.start for t in own), max(t.finish for t in own)
            phases.append(PlannedPhase(phase.number, phase.title, start, finish, hours))
    return tuple(phases)


def _planned_skills(
    pathway: Pathway, phases: tuple[PlannedPhase, ...], start: date, weekly_hours: float
) -> tuple[PlannedSkill, ...]:
    finish_of = {phase.number: phase.finish for phase in phases}
    pace = weekly_hours / pathway.hours_per_week
    skills = []
    for skill in pathway.skills:
        if skill.ongoing:
            target = None
        elif skill.phases:
            target = max(finish_of[number] for number in skill.phases if number in finish_of)
        else:
            target = start + timedelta(days=round(skill.weeks * 7 / pace))
        skills.append(PlannedSkill(skill.name, skill.priority, skill.weeks, target, skill.how))
    return tuple(skills)


_MILESTONE_ORDER = {
    kind: index
    for index, kind in enumerate(
        (
            MilestoneKind.PHASE_FINISH,
            MilestoneKind.SKILL_TARGET,
            MilestoneKind.ACTION_CHECKPOINT,
            MilestoneKind.PHASE_START,
            MilestoneKind.PROGRAMME_FINISH,
        )
    )
}


def _milestones(
    pathway: Pathway,
    phases: tuple[PlannedPhase, ...],
    skills: tuple[PlannedSkill, ...],
    actions: tuple[PlannedAction, ...],
    finish: date,
) -> tuple[Milestone, ...]:
    items: list[Milestone] = []
    for phase in phases:
        items.append(
            Milestone(phase.start, MilestoneKind.PHASE_START, f"phase-{phase.number}-start", phase.number, phase.title)
        )
        items.append(
            Milestone(
                phase.finish, MilestoneKind.PHASE_FINISH, f"phase-{phase.number}-finish", phase.number, phase.title
            )
        )
    used: set[str] = set()
    for skill in skills:
        key = unique_key(f"skill-{title_key(skill.name)}", used)  # by name, so inserting a skill moves no other
        used.add(key)
        if skill.target:
            items.append(Milestone(skill.target, MilestoneKind.SKILL_TARGET, key, skill=skill.name))
    for horizon in Horizon:
        due = [action for action in actions if action.horizon == horizon]
        if due:
            items.append(
                Milestone(
                    due[0].due,
                    MilestoneKind.ACTION_CHECKPOINT,
                    f"actions-{horizon}",
                    horizon=horizon,
                    count=len(due),
                )
            )
    items.append(Milestone(finish, MilestoneKind.PROGRAMME_FINISH, "finish"))
    return tuple(sorted(items, key=lambda m: (m.date, _MILESTONE_ORDER[m.kind])))


def _weeks(sessions: tuple[Session, ...], start: date, finish: date, week_start: int) -> tuple[Week, ...]:
    """The planned hours of every week from the one holding the start, weeks starting on `week_start`."""
    first_day = _week_of(start, week_start)
    count = (finish - first_day).days // 7 + 1
    hours = [0.0] * count
    for session in sessions:
        hours[(session.start.date() - first_day).days // 7] += session.hours
    return tuple(Week(first_day + timedelta(weeks=index), hours[index]) for index in range(count))


def _week_of(day: date, week_start: int) -> date:
    """The first day of the week holding `day`, weeks starting on `week_start` (0 = Monday)."""
    return day - timedelta(days=(day.weekday() - week_start) % 7)


def _holidays_off(
    request: PlanRequest, availability: WeeklyAvailability, finish: date, languages: tuple[str, ...]
) -> tuple[Holiday, ...]:
    """The public holidays from start to finish on a weekday with study windows, named in the first
    of `languages` the holidays package has for the place (else its own default language)."""
    if not request.closed.holidays:
        return ()
    named = holiday_names(request.closed.holidays, request.start, finish, languages)
    return tuple(Holiday(day, name) for day, name in named if availability.on(day.weekday()))


def plan_to_finish_by(pathway: Pathway, request: PlanRequest) -> Plan:
    """The least study time, made by scaling the person's own windows, that finishes by the date.

    Each window keeps its start and is shortened or lengthened in proportion (in sixteenths,
    quarter hours at least); a lengthened window grows past its end up to the next window or
    midnight, then before its start. The plan says how its windows changed. At most
    MAX_FINISH_BY_HOURS a week is suggested; beyond that the request fails at its origin.
    """
    return _scaled_to_finish_by(request, lambda availability, change: _plan(pathway, request, availability, change))


def _scaled_to_finish_by(request: PlanRequest, make) -> Plan:
    """The plan `make(availability, change)` gives with the least scale of the request's windows that
    finishes by `request.finish_by` (a binary search over the scale)."""
    deadline = request.finish_by
    own = request.availability

    def attempt(steps: int) -> Plan | None:
        availability = scaled_availability(own, steps)
        if availability.hours_per_week > MAX_FINISH_BY_HOURS:
            return None
        try:
            return make(availability, _change(own, availability))
        except _Unfinished:
            return None

    high = _largest_step(own)
    best = attempt(high)
    if best is None or best.finish > deadline:
        raise InputError(request.finish_by_origin.problem(_cannot_finish(request, own, high), Kind.INFEASIBLE))
    low = 1
    while low < high:
        middle = (low + high) // 2
        candidate = attempt(middle)
        if candidate is not None and candidate.finish <= deadline:
            high, best = middle, candidate
        else:
            low = middle + 1
    return best


def _largest_step(own: WeeklyAvailability) -> int:
    """The largest scale (in sixteenths) whose weekly hours stay within the cap (or fill every study day)."""
    steps = 1
    while steps < SCALE_STEPS * 24 * 4 and scaled_availability(own, steps + 1).hours_per_week <= MAX_FINISH_BY_HOURS:
        steps += 1
    return steps


def _change(own: WeeklyAvailability, scaled: WeeklyAvailability) -> WindowChange | None:
    if scaled.windows == own.windows:
        return None
    return WindowChange.LENGTHENED if scaled.hours_per_week > own.hours_per_week else WindowChange.SHORTENED


def scaled_availability(own: WeeklyAvailability, steps: int) -> WeeklyAvailability:
    """The person's windows scaled by steps/16, each keeping its start (see plan_to_finish_by)."""
    windows: list[Window] = []
    for weekday in own.days:
        windows += _scaled_day(own.on(weekday), steps)
    return WeeklyAvailability(tuple(sorted(windows, key=lambda w: (w.weekday, w.start))))


def _scaled_day(day: tuple[Window, ...], steps: int) -> list[Window]:
    day = tuple(sorted(day, key=lambda w: w.start))
    result: list[Window] = []
    for index, window in enumerate(day):
        length = max(QUARTER, round(window.minutes * steps / SCALE_STEPS / QUARTER) * QUARTER)
        if length <= window.minutes:
            result.append(Window(window.weekday, window.start, window.start + length))
            continue
        ceiling = day[index + 1].start if index + 1 < len(day) else 24 * 60
        end = min(window.start + length, ceiling)
        floor = result[-1].end if result else 0
        start = max(floor, window.start - (length - (end - window.start)))
        result.append(Window(window.weekday, start, end))
    return result


def _cannot_finish(request: PlanRequest, own: WeeklyAvailability, steps: int) -> str:
    """Say why no schedule finishes in time, and what would help."""
    most = scaled_availability(own, steps).hours_per_week
    around = " around your busy calendars" if request.busy.sources else ""
    return (
        f"no schedule finishes by {request.finish_by}: even your {len(own.days)} study day(s) a week lengthened to "
        f"{most:g} h a week (the most suggested is {MAX_FINISH_BY_HOURS} h) would not{around}; "
        "choose a later date, more days or longer windows"
    )


def replan(pathway: Pathway, request: PlanRequest, previous: Plan, recorded: Progress, as_of: date) -> Plan:
    """The plan made again from what the person recorded: the past frozen, the work left scheduled from `as_of`.

    Sessions of `previous` that start before `as_of` (local midnight) keep their times and keys.
    Done and Skipped tasks need no more time; a task In progress needs its effort minus its
    actual hours (a quarter hour at least); any other task its whole effort (its past sessions
    count for nothing: its hours roll forward). The work left fills the request's windows (which
    may be new) from `as_of` in task order, each task's sessions numbered on from its past ones.
    With `finish_by`, the windows are scaled as for a new plan, over the future only.
    """
    efforts = task_efforts(pathway)
    cutoff = datetime.combine(as_of, time(0), tzinfo=ZoneInfo(request.timezone))
    past = tuple(session for session in previous.sessions if session.start < cutoff)
    left = [replace(effort, quarters=_quarters_left(effort, recorded)) for effort in efforts]
    ordinal: dict[str, int] = {}
    for session in past:
        ordinal[session.task_keys[0]] = ordinal.get(session.task_keys[0], 0) + 1
    future_request = replace(request, start=as_of)
    served_before = {key for session in past for key in session.task_keys}
    replanning = Replanning(
        as_of=as_of,
        previous_finish=previous.finish,
        recorded=recorded,
        hours_done=sum(e.quarters - q.quarters for e, q in zip(efforts, left, strict=True)) / 4,
        hours_left=sum(effort.quarters for effort in left) / 4,
        rolled_forward=tuple(
            e.key for e, q in zip(efforts, left, strict=True) if e.key in served_before and q.quarters == e.quarters
        ),
    )
    undated = {
        key: entry.done_on or as_of
        for key, entry in recorded.tasks.items()
        if entry.status in (TaskStatus.DONE, TaskStatus.SKIPPED)
    }

    def make(availability: WeeklyAvailability, change: WindowChange | None = None) -> Plan:
        future = _fill(left, future_request, availability, ordinal)
        return _assemble(pathway, request, availability, efforts, past + future, change, undated, replanning)

    if request.finish_by is not None:
        return _scaled_to_finish_by(request, lambda availability, change: make(availability, change))
    try:
        return make(request.availability)
    except _Unfinished as unfinished:
        raise InputError(
            Problem(
                UNPLACED,
                f"the replanned work would run past 10 years ({unfinished.hours_left:g} h still unscheduled): "
                "give more weekly hours or fewer blackout days",
                kind=Kind.INFEASIBLE,
            )
        ) from None


def _quarters_left(effort: _TaskEffort, recorded: Progress) -> int:
    entry = recorded.tasks.get(effort.key)
    status = entry.status if entry else None
    if status in (TaskStatus.DONE, TaskStatus.SKIPPED):
        return 0
    if status is TaskStatus.IN_PROGRESS and entry.actual_hours:
        return max(1, effort.quarters - round(entry.actual_hours * 60 / QUARTER))
    return effort.quarters


def with_sessions(pathway: Pathway, request: PlanRequest, sessions: tuple[Session, ...]) -> Plan:
    """The plan of these sessions (a schedule a tracker carries), with its dates, milestones and weeks."""
    return _assemble(pathway, request, request.availability, task_efforts(pathway), sessions)
