"""load -> plan -> render -> write: the one pipeline every command composes the same way.

The command line parses options and builds the run's context; this module turns settings
into a plan, a plan into file contents (through the writer registry) and contents into
files (through one write policy). It prints nothing: it returns what happened.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from exporter.atomic import Outcome, Written, write_file_set
from exporter.availability import parse_date
from exporter.context import RunContext
from exporter.errors import InputError, Kind, Origin, Problem
from exporter.loader import load_pathway
from exporter.model import Pathway
from exporter.plan import Plan
from exporter.planner import MAX_DAYS, busy_use, plan
from exporter.recorded import Progress
from exporter.settings import PlanRequest, Raw, build_request, layer, merged, read_choice
from exporter.theme import Theme, load_theme, paper_problem, paper_size
from exporter.writers import (
    DEFAULT_FORMATS,
    DEFAULT_REMINDER,
    MAX_REMINDER,
    REGISTRY,
    CalendarContent,
    Handout,
    WriterOptions,
    output_context,
)

if TYPE_CHECKING:
    from exporter.forked import Ahead

TRACKER = "tracker.xlsx"
GOOGLE_EVENT_LIMIT = 1000  # Google Calendar's import is reported to stop near this many events


@dataclass(frozen=True)
class OutputChoice:
    """Which formats to write, with which theme and writer options."""

    formats: tuple[str, ...] = DEFAULT_FORMATS
    theme: Theme = field(default_factory=Theme)
    options: WriterOptions = field(default_factory=WriterOptions)

    def with_paper(self, paper: str | None, origin: Origin) -> OutputChoice:
        """The choice with another paper size, when one is given (checked, named by its origin)."""
        if not paper:
            return self
        size = paper_size(paper)
        if size is None:
            raise origin.fail(paper_problem(paper))
        return replace(self, theme=replace(self.theme, paper=size))

    def with_handout(self, handout: str | None, origin: Origin) -> OutputChoice:
        """The choice with another handout (`full` or `short`, any case), when one is given."""
        if not handout:
            return self
        return replace(self, options=replace(self.options, handout=read_choice(handout, origin, Handout)))


def output_choice(
    formats: tuple[str, ...],
    calendar: CalendarContent,
    ics_split: bool,
    no_reminders: bool,
    reminder: int | None,
    paper: str | None,
    theme: str | None,
    profile: Raw,
    new_calendar: bool = False,
    handout: str | None = None,
) -> OutputChoice:
    """Output settings: the command line first, then the profile, then the defaults; all problems at once."""
    problems: list[Problem] = []
    reminder_value, reminder_origin = (
        (reminder, Origin("reminder"))
        if reminder is not None
        else profile.get("reminder", (DEFAULT_REMINDER, Origin("reminder")))
    )
    if not 0 <= reminder_value <= MAX_REMINDER:
        problems.append(reminder_origin.problem(f"must be 0 to {MAX_REMINDER} minutes, got {reminder_value}"))
    theme_path = theme
    if not theme_path and "theme" in profile:
        theme_path = beside_profile(*profile["theme"])
    loaded = Theme()
    try:
        loaded = load_theme(theme_path)
    except InputError as err:
        problems += err.problems
    options = WriterOptions(calendar, ics_split, None if no_reminders else reminder_value, new_calendar=new_calendar)
    choice = OutputChoice(formats, loaded, options)
    paper_value, paper_origin = (paper, Origin("paper")) if paper else profile.get("paper", (None, Origin("paper")))
    try:
        choice = choice.with_paper(paper_value, paper_origin)
    except InputError as err:
        problems += err.problems
    handout_value, handout_origin = (
        (handout, Origin("handout")) if handout else profile.get("handout", (None, Origin("handout")))
    )
    try:
        choice = choice.with_handout(handout_value, handout_origin)
    except InputError as err:
        problems += err.problems
    if problems:
        raise InputError(problems)
    return choice


def beside_profile(value: str, origin: Origin) -> str:
    """A file named in a profile is found beside the profile (an absolute path or a built-in id as it is)."""
    if origin.file is None or Path(value).is_absolute() or not value.endswith(".toml"):
        return value
    return str(Path(origin.file).parent / value)


def profile_pathway(layers: list[Raw]) -> str | None:
    """The pathway a profile names, found beside the profile."""
    return next((beside_profile(*raw["pathway"]) for raw in layers if "pathway" in raw), None)


def pathway_for(ref: str | None, layers: list[Raw]) -> Pathway:
    """The pathway named on the command line, else by a profile (`pathway = ...`), else the built-in one."""
    return load_pathway(ref or profile_pathway(layers))


def build_plan(pathway: Pathway, layers: list[Raw], context: RunContext, identity: str | None = None) -> Plan:
    """The plan for the person the settings layers describe (first layer wins), around their busy calendars."""
    request = build_request(merged(*layers), context)
    request = replace(request, identity=identity) if identity else request
    return planned_around_busy(request, lambda busy_request: plan(pathway, busy_request), request.start)


def planned_around_busy(request: PlanRequest, make: Callable[[PlanRequest], Plan], first_day: date) -> Plan:
    """The plan `make` gives for the request with its busy calendars read and expanded from `first_day`.

    The calendars are read once (all problems at once); their occurrences are expanded (and their single
    events parsed) only as far as the plan reaches: first a week past the finish of a plan without busy
    time (or the `finish_by`), then, while the plan runs past what was expanded, on past its new finish. A plan that ends before
    the end of what was expanded is exact: busy time after its end cannot change it. The plan carries
    the warnings (an unknown time zone; a calendar with no busy time between `first_day` and the finish).
    """
    if not request.busy.sources:
        return make(request)
    from exporter.busy import Expansion, read_calendars

    calendars, warnings = read_calendars(request.busy, request.timezone, first_day)
    limit = first_day + timedelta(days=MAX_DAYS + 1)
    until = min(limit, max(make(request).finish + timedelta(days=7), request.finish_by or first_day))
    expansion = Expansion(calendars, request.busy, request.timezone, first_day)
    while True:
        busy_request = replace(request, busy_time=expansion.to(until))
        planned = make(busy_request)
        if planned.finish < until or until >= limit:
            break
        until = min(limit, _reach(first_day, planned.finish))
    quiet = expansion.without_busy_time(planned.finish)
    warnings = (*warnings, *expansion.warnings)
    warnings += tuple(
        calendar.source.problem(f"no busy time between {first_day} and {planned.finish} (the plan's range)")
        for calendar in quiet
    )
    use = busy_use(busy_request, planned.availability, planned.finish)
    return replace(planned, busy=replace(use, warnings=tuple(dict.fromkeys(warnings))))


def _reach(first_day: date, finish: date) -> date:
    """How far to expand busy calendars for a plan that ran past them to `finish`: an eighth more, and two weeks."""
    return finish + (finish - first_day) / 8 + timedelta(days=14)


@dataclass(frozen=True)
class Rendered:
    """Every chosen format's files (name -> content) and what the person should know about them
    (characters the PDF cannot print)."""

    files: dict[str, bytes]
    warnings: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class Renderers:
    """Processes forked ahead (`renderers`) to render these formats but the first."""

    formats: tuple[str, ...]
    ahead: Ahead


@contextmanager
def renderers(context: RunContext, formats: Sequence[str]) -> Iterator[Renderers | None]:
    """Processes forked now to render every format but the first, side by side with this one, once the
    plan is made (`render`); each imports its writer while this process reads the inputs and plans
    (exporter.forked). None where the context has one process, there is one format, or this process
    cannot fork now."""
    from exporter.forked import Ahead, can_fork

    if context.processes <= 1 or len(formats) <= 1 or not can_fork():
        yield None
        return
    with Ahead([(REGISTRY[name].load, partial(_render_payload, name)) for name in formats[1:]]) as ahead:
        yield Renderers(tuple(formats), ahead)


def render(planned: Plan, context: RunContext, choice: OutputChoice, forked: Renderers | None = None) -> Rendered:
    """Every chosen format's files and warnings, each in the plan's language (the command line's text in
    English); nothing is written here. `forked` (from `renderers`, for exactly these formats) renders all
    formats but the first in its processes while this one renders the first; without it, where the
    context has more than one process, they are forked here. The bytes are the same either way."""
    if forked is None and context.processes > 1 and len(choice.formats) > 1:
        with renderers(context, choice.formats) as made:
            if made is not None:
                return render(planned, context, choice, made)
    payload = (planned, context, choice)
    if forked is None:
        parts = [_render_payload(name, payload) for name in choice.formats]
    elif forked.formats != tuple(choice.formats):
        raise ValueError(f"processes forked for {forked.formats} cannot render {tuple(choice.formats)}")
    else:
        parts = forked.ahead.run(payload, partial(_render_payload, choice.formats[0]))
    files = {name: content for part in parts for name, content in part.files.items()}
    return Rendered(files, tuple(problem for part in parts for problem in part.warnings))


def _render_payload(name: str, payload: tuple[Plan, RunContext, OutputChoice]) -> Rendered:
    """One format's files and warnings, in the process that renders it."""
    planned, context, choice = payload
    writer = REGISTRY[name]
    local = output_context(planned, context, writer)
    files = writer.render(planned, local, choice.theme, choice.options)
    return Rendered(files, writer.warnings(planned, local, choice.theme))


@dataclass(frozen=True)
class Report:
    """One written (or kept) file and what the person should know about it."""

    written: Written
    event_count: int = 0

    @property
    def over_google_limit(self) -> bool:
        return self.event_count > GOOGLE_EVENT_LIMIT


def write(folder: Path, files: dict[str, bytes], context: RunContext, force: bool, keep_tracker: bool = True):
    """Write the files into the folder with one policy: all or nothing, the person's tracker never lost.

    An existing tracker.xlsx is kept unless `force` (then the old one gets a backup name of its own);
    with `keep_tracker` False (a facilitator's batch copies) it is simply replaced.
    """
    prepare_folder(folder)
    protected = frozenset({TRACKER}) if keep_tracker else frozenset()
    written = write_file_set(folder, files, protected=protected, force=force, stamp=context.build_time)
    return tuple(Report(item, _events(files.get(item.path.name, b""), item)) for item in written)


def _events(data: bytes, item: Written) -> int:
    return data.count(b"BEGIN:VEVENT") if item.path.suffix == ".ics" and item.outcome is not Outcome.KEPT else 0


def prepare_folder(folder: Path) -> None:
    """The output folder exists and can be written into, else a Problem naming it."""
    if folder.exists() and not folder.is_dir():
        raise InputError(Problem(str(folder), "output folder is a file", kind=Kind.WRITE))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(
            Problem(str(folder), f"cannot create output folder: {err.strerror}", kind=Kind.WRITE)
        ) from None


def tracker_status(folder: Path, pathway_ref: str | None, as_of: str | None, context: RunContext):
    """Where the person stands: the tracker in `folder` read back, its plan made again from the inputs
    it carries, measured on `as_of` (YYYY-MM-DD; default today in the plan's zone). Writes nothing.
    Returns the plan, the standing and the notices (`tracker_notices`)."""
    from exporter.status import status

    tracker = read_tracker(folder, pathway_ref, context)
    planned = plan_from_tracker(tracker, context)
    notices = tracker_notices(tracker, planned)
    return planned, status(planned, tracker.progress, as_of_day(as_of, planned.timezone, context)), notices


@dataclass(frozen=True)
class TrackerRead:
    """A tracker read back: its path, what the person recorded, the pathway as it is now, the
    settings it carries as a layer, and whether the pathway changed since the tracker was made
    (tasks are then matched by their keys)."""

    path: Path
    progress: Progress
    pathway: Pathway
    settings: Raw
    changed: bool


def read_tracker(folder: Path, pathway_ref: str | None, context: RunContext) -> TrackerRead:
    """The tracker in `folder` read back, with its pathway (`--pathway`, else the built-in one of the id it
    carries) and settings."""
    from exporter.progress import read_progress

    path = folder / TRACKER
    if not path.is_file():
        raise InputError(Problem(str(folder), f"no {TRACKER} here: export a plan first", kind=Kind.MISSING))
    progress = read_progress(path)
    pathway, raw, changed = tracker_inputs(path, progress.inputs, pathway_ref)
    return TrackerRead(path, progress, pathway, raw, changed)


def as_of_day(as_of: str | None, zone: str, context: RunContext) -> date:
    """The `--as-of` date, else today in the plan's zone."""
    if as_of:
        return parse_date(as_of, Origin("as_of"))
    return context.build_time.astimezone(ZoneInfo(zone)).date()


def plan_from_tracker(tracker: TrackerRead, context: RunContext) -> Plan:
    """The plan a tracker was made with, from its pathway and settings (windows as they were resolved,
    so a `--finish-by` is not searched again) and the sessions it carries (so a replanned past stays
    as it was). When the pathway changed since, sessions keep only the tasks it still has."""
    from exporter.plan import Session
    from exporter.planner import with_sessions
    from exporter.tracker import InputKey

    progress, path = tracker.progress, tracker.path
    identity = progress.inputs[InputKey.IDENTITY] or None
    request = build_request(tracker.settings, context)
    request = replace(request, identity=identity) if identity else request
    if not progress.schedule:
        return plan(tracker.pathway, request)
    zone = ZoneInfo(request.timezone)
    known = tracker.pathway.task_keys()
    sessions = []
    for key, start, end, tasks in progress.schedule:
        try:
            begin, finish = datetime.fromisoformat(start), datetime.fromisoformat(end)
        except ValueError:
            begin = finish = None
        kept = tuple(task for task in tasks if task in known) if tracker.changed else tasks
        if begin is None or finish is None or begin.tzinfo is None or not set(kept) <= known:
            message = f"the plan inputs hold a session that does not fit the pathway ({key})"
            raise InputError(Problem(str(path), message, kind=Kind.CONFLICT))
        if kept:
            sessions.append(Session(begin.astimezone(zone), finish.astimezone(zone), kept, key))
    return with_sessions(tracker.pathway, request, tuple(sorted(sessions, key=lambda s: s.start.timestamp())))


def tracker_inputs(path: Path, inputs: dict[str, str], pathway_ref: str | None) -> tuple[Pathway, Raw, bool]:
    """The pathway a tracker was made from, its settings as a layer, and whether the pathway's content
    changed since (its hash differs from the one the tracker carries). A pathway of another id is refused."""
    from exporter.tracker import BUSY_INPUTS, InputKey, pathway_sha256

    if not inputs:
        message = "carries no plan inputs (made by an older version): export again with --force to add them"
        raise InputError(Problem(str(path), message, kind=Kind.MISSING))
    made_from = inputs[InputKey.PATHWAY_ID]
    pathway = load_pathway(pathway_ref or made_from)
    if pathway.id != made_from:
        message = f"was made from pathway {made_from!r}, not {pathway.id!r}"
        raise InputError(Problem(str(path), message, kind=Kind.CONFLICT))
    values = {
        "name": inputs[InputKey.PARTICIPANT],
        "start": inputs[InputKey.START],
        "timezone": inputs[InputKey.TIMEZONE],
        "availability": inputs[InputKey.AVAILABILITY],
        "blackout": inputs[InputKey.BLACKOUTS],
        "holidays": inputs[InputKey.HOLIDAYS],
        **{str(key): inputs.get(key, "") for key in BUSY_INPUTS},
        "lang": inputs[InputKey.LANGUAGE],
    }
    changed = pathway_sha256(pathway) != inputs[InputKey.PATHWAY_SHA256]
    return pathway, layer(values, lambda name: Origin(name, file=str(path))), changed


def tracker_notices(tracker: TrackerRead, planned: Plan) -> tuple[Problem, ...]:
    """What the person should know about reading this tracker: that the pathway changed since it was made
    (tasks added, tasks gone), and each row of the Tasks sheet that matches no task of `planned` (a
    replan keeps those rows on a sheet of their own). Not errors: the run goes on."""
    from exporter.labels import catalogue
    from exporter.tracker import left_over

    source = str(tracker.path)
    notices = []
    keys = tracker.pathway.task_keys()
    if tracker.changed:
        recorded = {key for _, _, _, tasks in tracker.progress.schedule for key in tasks} | set(tracker.progress.tasks)
        added, gone = len(keys - recorded), len(recorded - keys)
        message = (
            f"pathway {tracker.pathway.id!r} changed since this tracker was made ({added} task(s) new, "
            f"{gone} no longer in it): tasks are matched by their keys"
        )
        notices.append(Problem(source, message, kind=Kind.CONFLICT))
    sheet = catalogue(tracker.progress.language)("sheet.tasks")  # as the person's tracker names it
    labels = catalogue(planned.language)  # the new tracker's words (`replan --lang` may change them)
    kept_on = labels("sheet.other")
    for row in left_over(tracker.progress, keys, labels):
        if row.earlier:
            continue
        what = f"task key {row.key!r}" if row.key else "no task key"
        message = f"matches no task of the plan ({what}); a replan keeps it on the sheet {kept_on!r}"
        notices.append(Problem(source, message, field=sheet, row=row.row, kind=Kind.UNKNOWN))
    return tuple(notices)


@dataclass(frozen=True)
class SessionChanges:
    """How a replan changed the calendar's sessions, by their stable keys."""

    kept: int
    moved: int
    added: int
    cancelled: int


def session_changes(before: tuple[tuple[str, str, str, tuple[str, ...]], ...], after: Plan) -> SessionChanges:
    """Sessions kept (same key and times), moved (same key, new times), added and cancelled, between the
    schedule a tracker carries (`Progress.schedule`: key, ISO start, ISO end, task keys) and a plan."""
    old = {key: (datetime.fromisoformat(start), datetime.fromisoformat(end)) for key, start, end, _ in before}
    new = {session.key: (session.start, session.end) for session in after.sessions}
    kept = sum(1 for key, times in new.items() if old.get(key) == times)
    moved = sum(1 for key, times in new.items() if key in old and old[key] != times)
    return SessionChanges(kept, moved, len(new.keys() - old.keys()), len(old.keys() - new.keys()))


@dataclass(frozen=True)
class Replanned:
    """What `replan_folder` did: the new plan, the files written, the notices about the tracker
    (`tracker_notices`), how the calendar's sessions changed and the files' warnings."""

    plan: Plan
    written: tuple[Report, ...]
    notices: tuple[Problem, ...]
    changes: SessionChanges
    warnings: tuple[Problem, ...] = ()
    """What the person should know about the files written (characters the PDF cannot print)."""


def replan_folder(
    folder: Path,
    pathway_ref: str | None,
    as_of: str | None,
    overrides: Raw,
    output: dict,
    context: RunContext,
) -> Replanned:
    """Read the tracker in `folder`, plan the work left from `as_of` (default today in the plan's zone)
    with the settings it carries (`overrides` from the command line win), and write the three files
    again: the tracker with everything the person entered carried over (the old one kept under a
    backup name), the calendar updated in place, the PDF."""
    with renderers(context, output["formats"]) as forked:
        return _replan_folder(folder, pathway_ref, as_of, overrides, output, context, forked)


def _replan_folder(
    folder: Path,
    pathway_ref: str | None,
    as_of: str | None,
    overrides: Raw,
    output: dict,
    context: RunContext,
    forked: Renderers | None,
) -> Replanned:
    from exporter.planner import replan
    from exporter.tracker import InputKey

    if "start" in overrides:
        message = "a replan keeps the plan's start; --as-of says from which day to plan again"
        raise InputError(overrides["start"][1].problem(message, Kind.CONFLICT))
    tracker = read_tracker(folder, pathway_ref, context)
    progress, pathway, path = tracker.progress, tracker.pathway, tracker.path
    identity = progress.inputs[InputKey.IDENTITY] or None
    previous = plan_from_tracker(tracker, context)
    request = build_request(merged(overrides, tracker.settings), context)
    request = replace(request, identity=identity) if identity else request
    day = as_of_day(as_of, request.timezone, context)
    if day < previous.start:
        raise InputError(Origin("as_of").problem(f"is before the plan's start ({previous.start})"))
    planned = planned_around_busy(request, lambda busy: replan(pathway, busy, previous, progress, day), day)
    if planned.sessions == previous.sessions and progress.last_replan:
        as_of_before, finish_before = progress.last_replan  # nothing changed: the plan says what it said
        before = replace(
            planned.replanning,
            as_of=date.fromisoformat(as_of_before),
            previous_finish=date.fromisoformat(finish_before),
        )
        planned = replace(planned, replanning=before)
    carried = {"paper": progress.inputs[InputKey.PAPER], "reminder": progress.inputs[InputKey.REMINDER]}
    reminder = int(carried["reminder"]) if carried["reminder"].isdigit() else None
    profile = layer({"paper": carried["paper"], "reminder": reminder}, lambda name: Origin(name, file=str(path)))
    choice = output_choice(profile=profile, **output)
    if not carried["reminder"] and output["reminder"] is None:
        choice = replace(choice, options=replace(choice.options, reminder=None))
    rendered = render(planned, context, with_previous_calendars(choice, folder), forked)
    notices = tracker_notices(tracker, planned)
    schedule = progress.schedule or tuple(
        (session.key, session.start.isoformat(), session.end.isoformat(), session.task_keys)
        for session in previous.sessions
    )
    written = write(folder, rendered.files, context, force=True)
    return Replanned(planned, written, notices, session_changes(schedule, planned), rendered.warnings)


@dataclass(frozen=True)
class Exported:
    """What `export` did: the plan, the files written and what the person should know about them."""

    plan: Plan
    written: tuple[Report, ...]
    warnings: tuple[Problem, ...] = ()
    """What the person should know about the files written (characters the PDF cannot print)."""


def export(
    pathway: Pathway,
    layers: list[Raw],
    context: RunContext,
    choice: OutputChoice,
    folder: Path,
    force: bool = False,
    identity: str | None = None,
    keep_tracker: bool = True,
) -> Exported:
    """Plan, render and write one person's files."""
    with renderers(context, choice.formats) as forked:
        planned = build_plan(pathway, layers, context, identity)
        rendered = render(planned, context, with_previous_calendars(choice, folder), forked)
    return Exported(planned, write(folder, rendered.files, context, force, keep_tracker), rendered.warnings)


def with_previous_calendars(choice: OutputChoice, folder: Path) -> OutputChoice:
    """The choice with the calendar files already in `folder`, so the new ones update them in place."""
    from exporter.inputs import CALENDAR_LIMIT, read_input

    if "ics" not in choice.formats or choice.options.new_calendar:
        return choice
    previous = {}
    for name in REGISTRY["ics"].file_names(choice.options):
        path = folder / name
        if path.is_file():
            try:
                previous[name] = read_input(path, "calendar", CALENDAR_LIMIT)
            except InputError:
                continue  # an unreadable old calendar is replaced as if it were not there
    return replace(choice, options=replace(choice.options, previous_calendars=previous))
