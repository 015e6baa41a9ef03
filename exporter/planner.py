"""Schedule a pathway's effort into a person's study windows: pathway + request -> Plan.

Effort is counted in quarter hours throughout, so hours add up exactly and the same
inputs always give the same plan.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from exporter.availability import QUARTER, WeeklyAvailability, spread_availability
from exporter.errors import InputError, Problem
from exporter.model import HORIZON_DAYS, HORIZON_TITLES, HORIZONS, Pathway
from exporter.plan import (
    Milestone,
    Plan,
    PlannedAction,
    PlannedPhase,
    PlannedSkill,
    PlannedTask,
    Session,
    Week,
)
from exporter.settings import PlanRequest

MAX_DAYS = 3653  # ten years: a plan longer than that is a sign of a mistake in the inputs
MAX_FINISH_BY_HOURS = 60  # the most weekly study hours --finish-by will suggest
_STEP = timedelta(minutes=QUARTER)


@dataclass(frozen=True)
class _TaskEffort:
    id: str
    phase: int
    title: str
    quarters: int


def plan(pathway: Pathway, request: PlanRequest) -> Plan:
    if request.finish_by is not None:
        return plan_to_finish_by(pathway, request)
    return _plan(pathway, request, request.availability)


def task_efforts(pathway: Pathway) -> list[_TaskEffort]:
    """Each task's effort: its own hours, else an equal share of what is left of its phase."""
    efforts: list[_TaskEffort] = []
    for phase in sorted(pathway.phases, key=lambda p: p.number):
        phase_quarters = round(phase.weeks * pathway.hours_per_week * 60 / QUARTER)
        explicit = [max(1, round(task.hours * 60 / QUARTER)) if task.hours else None for task in phase.tasks]
        given = sum(q for q in explicit if q is not None)
        open_count = explicit.count(None)
        left = phase_quarters - given
        if left < 0 or (open_count and left < open_count):
            nominal = f"{phase_quarters * QUARTER / 60:g} h ({phase.weeks:g} weeks x {pathway.hours_per_week:g} h)"
            verdict = "exceed the phase's" if left < 0 else "leave no time for its other tasks in the phase's"
            raise InputError(
                Problem(
                    pathway.id,
                    f"phase {phase.number}: its tasks' hours ({given * QUARTER / 60:g} h) {verdict} {nominal}",
                    field="tasks.hours",
                )
            )
        if open_count:
            shares = iter(_share(left, open_count))
            quarters = [q if q is not None else next(shares) for q in explicit]
        else:
            quarters = [q + extra for q, extra in zip(explicit, _share(left, len(explicit)), strict=True)]
        for index, (task, task_quarters) in enumerate(zip(phase.tasks, quarters, strict=True), start=1):
            efforts.append(_TaskEffort(f"{phase.number}.{index}", phase.number, task.title, task_quarters))
    return efforts


def _share(quarters: int, count: int) -> list[int]:
    base, extra = divmod(quarters, count)
    return [base + (1 if index < extra else 0) for index in range(count)]


def _plan(pathway: Pathway, request: PlanRequest, availability: WeeklyAvailability) -> Plan:
    efforts = task_efforts(pathway)
    sessions = _fill(efforts, request, availability)
    tasks = _planned_tasks(efforts, sessions)
    phases = _planned_phases(pathway, tasks, efforts)
    finish = sessions[-1].start.date() if sessions else request.start  # a session may end at midnight
    actions = tuple(
        PlannedAction(a.horizon, a.title, request.start + timedelta(days=HORIZON_DAYS[a.horizon]))
        for a in sorted(pathway.actions, key=lambda a: HORIZONS.index(a.horizon))
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
    )


def _open_windows(request: PlanRequest, availability: WeeklyAvailability) -> Iterator[tuple[datetime, int]]:
    """(start in UTC, length in quarters) of every open stretch of time, in time order, never overlapping.

    A window's stretches are the instants whose wall clock reads a time inside it (`_window_spans`), so on
    the night the clocks change a window may hold less time than its label says, more, or two stretches.
    """
    zone = ZoneInfo(request.timezone)
    by_day = [availability.on(weekday) for weekday in range(7)]
    done = datetime.min.replace(tzinfo=UTC)
    for offset in range(MAX_DAYS + 1):
        day = request.start + timedelta(days=offset)
        windows = by_day[day.weekday()]
        if not windows or request.closed.reason(day):
            continue
        # A repeated hour can interleave two windows' stretches, hence the sort. A stretch before one already
        # given could only come from a wall date stepping back over midnight (no zone has done that since 2010).
        spans = sorted(span for window in windows for span in _window_spans(day, window.start, window.end, zone))
        for start, quarters in spans:
            if start >= done:
                done = start + quarters * _STEP
                yield start, quarters


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
    last = _local(day, end, zone).replace(fold=1)
    if len({moment.replace(fold=fold).utcoffset() for moment in (first, last) for fold in (0, 1)}) == 1:
        quarters = int((last - first) / _STEP)  # one UTC offset throughout: wall time is elapsed time
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


def _local(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    if minutes >= 24 * 60:
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone)


def _fill(efforts: list[_TaskEffort], request: PlanRequest, availability: WeeklyAvailability) -> tuple[Session, ...]:
    zone = ZoneInfo(request.timezone)
    sessions: list[Session] = []
    queue = [[effort.id, effort.quarters] for effort in efforts if effort.quarters > 0]
    position = 0
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
        sessions.append(Session(start.astimezone(zone), (start + used * _STEP).astimezone(zone), tuple(served)))
    if position < len(queue):
        left = sum(item[1] for item in queue[position:]) * QUARTER / 60
        raise InputError(
            Problem(
                "plan",
                f"the plan would run past 10 years ({left:g} h still unscheduled after "
                f"{request.start + timedelta(days=MAX_DAYS)}): give more weekly hours or fewer blackout days",
            )
        )
    return tuple(sessions)


def _planned_tasks(efforts: list[_TaskEffort], sessions: tuple[Session, ...]) -> tuple[PlannedTask, ...]:
    first: dict[str, Session] = {}
    last: dict[str, Session] = {}
    for session in sessions:
        for task_id in session.task_ids:
            first.setdefault(task_id, session)
            last[task_id] = session
    tasks = []
    for effort in efforts:
        begin = first.get(effort.id)
        end = last.get(effort.id)
        if begin is None or end is None:
            continue
        tasks.append(
            PlannedTask(
                effort.id, effort.phase, effort.title, begin.start.date(), end.start.date(), effort.quarters / 4
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
        skills.append(PlannedSkill(skill.name, skill.priority, skill.weeks, target))
    return tuple(skills)


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
            Milestone(
                phase.start,
                "phase-start",
                f"Phase {phase.number} starts: {phase.title}",
                f"phase-{phase.number}-start",
            )
        )
        items.append(
            Milestone(
                phase.finish,
                "phase-finish",
                f"Phase {phase.number} complete: {phase.title}",
                f"phase-{phase.number}-finish",
            )
        )
    for index, skill in enumerate(skills, start=1):
        if skill.target:
            items.append(Milestone(skill.target, "skill-target", f"Skill target: {skill.name}", f"skill-{index}"))
    for horizon in HORIZONS:
        due = [action for action in actions if action.horizon == horizon]
        if due:
            items.append(
                Milestone(
                    due[0].due,
                    "action-checkpoint",
                    f"Checkpoint: {HORIZON_TITLES[horizon].lower()}'s actions ({len(due)})",
                    f"actions-{horizon}",
                )
            )
    items.append(
        Milestone(
            finish,
            "programme-finish",
            f"Pathway complete: {pathway.from_role} -> {pathway.to_role}",
            "finish",
        )
    )
    order = {
        kind: index
        for index, kind in enumerate(
            ("phase-finish", "skill-target", "action-checkpoint", "phase-start", "programme-finish")
        )
    }
    return tuple(sorted(items, key=lambda m: (m.date, order[m.kind])))


def _weeks(sessions: tuple[Session, ...], start: date, finish: date) -> tuple[Week, ...]:
    first_monday = start - timedelta(days=start.weekday())
    count = (finish - first_monday).days // 7 + 1
    hours = [0.0] * count
    for session in sessions:
        hours[(session.start.date() - first_monday).days // 7] += session.hours
    return tuple(Week(first_monday + timedelta(weeks=index), hours[index]) for index in range(count))


def plan_to_finish_by(pathway: Pathway, request: PlanRequest) -> Plan:
    """The least weekly hours on the request's days (quarter hours a day) that finish by the date."""
    deadline = request.finish_by
    days = list(request.spread_days)
    room = (24 * 60 - request.session_start) // QUARTER
    cap = min(room, (MAX_FINISH_BY_HOURS * 60 // QUARTER) // len(days))

    def attempt(quarters_a_day: int, session_start: int = request.session_start) -> Plan | None:
        hours = quarters_a_day * len(days) * QUARTER / 60
        try:
            return _plan(pathway, request, spread_availability(hours, days, session_start))
        except InputError:
            return None

    best = attempt(cap)
    if best is None or best.finish > deadline:
        raise InputError(Problem("--finish-by", _cannot_finish(attempt, request, days, cap)))
    low, high = 1, cap
    while low < high:
        middle = (low + high) // 2
        candidate = attempt(middle)
        if candidate is not None and candidate.finish <= deadline:
            high, best = middle, candidate
        else:
            low = middle + 1
    return best


def _cannot_finish(attempt, request: PlanRequest, days: list[int], cap: int) -> str:
    """Say why no schedule finishes in time, and what would."""
    cap_hours = cap * len(days) * QUARTER / 60
    message = f"no schedule on {len(days)} day(s) a week finishes by {request.finish_by} within {cap_hours:g} h a week"
    room = (24 * 60 - request.session_start) // QUARTER
    for quarters in range(cap + 1, 24 * 60 // QUARTER + 1):
        found = attempt(quarters, request.session_start if quarters <= room else 0)
        if found is not None and found.finish <= request.finish_by:
            needed = found.availability.hours_per_week
            if needed > MAX_FINISH_BY_HOURS:
                return f"{message}: it would need {needed:g} h a week, past the cap of {MAX_FINISH_BY_HOURS} h"
            return (
                f"{message}: it would need {needed:g} h a week, more than fits between "
                f"{request.session_start // 60:02d}:{request.session_start % 60:02d} and midnight; "
                "choose an earlier --session-start or more --days"
            )
    return f"{message}: even {len(days) * 24} h a week on those days would not; choose a later date or more --days"
