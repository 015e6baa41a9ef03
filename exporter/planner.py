"""Schedule a pathway's effort into a person's study windows: pathway + request -> Plan.

Effort is counted in quarter hours throughout, so hours add up exactly and the same
inputs always give the same plan. The planner reads no clock: the request holds the start.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from exporter.availability import WeeklyAvailability, Window
from exporter.errors import UNPLACED, InputError, Kind, Problem
from exporter.model import QUARTER, Horizon, Pathway, task_quarters
from exporter.plan import (
    Milestone,
    MilestoneKind,
    Plan,
    PlannedAction,
    PlannedPhase,
    PlannedSkill,
    PlannedTask,
    Session,
    Week,
    WindowChange,
)
from exporter.settings import PlanRequest

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
    sessions = _fill(efforts, request, availability)
    tasks = _planned_tasks(efforts, sessions)
    phases = _planned_phases(pathway, tasks, efforts)
    finish = sessions[-1].start.date() if sessions else request.start  # a session may end at midnight
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
        weeks=_weeks(sessions, request.start, finish),
        identity=request.identity or request.participant or "",
        window_change=window_change,
    )


def _open_windows(request: PlanRequest, availability: WeeklyAvailability) -> Iterator[tuple[datetime, int]]:
    """(start in UTC, length in quarters) of every open window, in time order."""
    zone = ZoneInfo(request.timezone)
    by_day = [availability.on(weekday) for weekday in range(7)]
    for offset in range(MAX_DAYS + 1):
        day = request.start + timedelta(days=offset)
        windows = by_day[day.weekday()]
        if not windows or request.closed.reason(day):
            continue
        for window in windows:
            start = _local(day, window.start, zone).astimezone(UTC)
            end = _local(day, window.end, zone).astimezone(UTC)
            quarters = int((end - start) / _STEP)
            if quarters > 0:
                yield start, quarters


def _local(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    if minutes >= 24 * 60:
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone)


def _fill(efforts: list[_TaskEffort], request: PlanRequest, availability: WeeklyAvailability) -> tuple[Session, ...]:
    zone = ZoneInfo(request.timezone)
    sessions: list[Session] = []
    queue = [[effort.key, effort.quarters] for effort in efforts if effort.quarters > 0]
    position = 0
    ordinal: dict[str, int] = {}
    for start, quarters in _open_windows(request, availability):
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
        sessions.append(
            Session(
                start.astimezone(zone),
                (start + used * _STEP).astimezone(zone),
                tuple(served),
                f"{first}/{ordinal[first]}",
            )
        )
    if position < len(queue):
        left = sum(item[1] for item in queue[position:]) * QUARTER / 60
        raise _Unfinished(left, request.start + timedelta(days=MAX_DAYS))
    return tuple(sessions)


def _planned_tasks(efforts: list[_TaskEffort], sessions: tuple[Session, ...]) -> tuple[PlannedTask, ...]:
    first: dict[str, Session] = {}
    last: dict[str, Session] = {}
    for session in sessions:
        for key in session.task_keys:
            first.setdefault(key, session)
            last[key] = session
    tasks = []
    for effort in efforts:
        begin = first.get(effort.key)
        end = last.get(effort.key)
        if begin is None or end is None:
            continue
        tasks.append(
            PlannedTask(
                effort.key,
                effort.id,
                effort.phase,
                effort.title,
                begin.start.date(),
                end.start.date(),
                effort.quarters / 4,
            )
        )
    return tuple(tasks)


def _planned_phases(
    pathway: Pathway, tasks: tuple[PlannedTask, ...], efforts: list[_TaskEffort]
) -> tuple[PlannedPhase, ...]:
    phases = []
    for phase in sorted(pathway.phases, key=lambda p: p.number):
        own = [task for task in tasks if task.phase == phase.number]
        hours = sum(effort.quarters for effort in efforts if effort.phase == phase.number) / 4
        if own:
            phases.append(PlannedPhase(phase.number, phase.title, own[0].start, own[-1].finish, hours))
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
    for index, skill in enumerate(skills, start=1):
        if skill.target:
            items.append(Milestone(skill.target, MilestoneKind.SKILL_TARGET, f"skill-{index}", skill=skill.name))
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


def _weeks(sessions: tuple[Session, ...], start: date, finish: date) -> tuple[Week, ...]:
    first_monday = start - timedelta(days=start.weekday())
    count = (finish - first_monday).days // 7 + 1
    hours = [0.0] * count
    for session in sessions:
        hours[(session.start.date() - first_monday).days // 7] += session.hours
    return tuple(Week(first_monday + timedelta(weeks=index), hours[index]) for index in range(count))


def plan_to_finish_by(pathway: Pathway, request: PlanRequest) -> Plan:
    """The least study time, made by scaling the person's own windows, that finishes by the date.

    Each window keeps its start and is shortened or lengthened in proportion (in sixteenths,
    quarter hours at least); a lengthened window grows past its end up to the next window or
    midnight, then before its start. The plan says how its windows changed. At most
    MAX_FINISH_BY_HOURS a week is suggested; beyond that the request fails at its origin.
    """
    deadline = request.finish_by
    own = request.availability

    def attempt(steps: int) -> Plan | None:
        availability = scaled_availability(own, steps)
        if availability.hours_per_week > MAX_FINISH_BY_HOURS:
            return None
        change = _change(own, availability)
        try:
            return _plan(pathway, request, availability, change)
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
    return (
        f"no schedule finishes by {request.finish_by}: even your {len(own.days)} study day(s) a week lengthened to "
        f"{most:g} h a week (the most suggested is {MAX_FINISH_BY_HOURS} h) would not; "
        "choose a later date, more days or longer windows"
    )
