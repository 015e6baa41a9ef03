"""Workshop batch mode: a roster in, every participant's files out, plus one print-ready PDF.

First every row is checked, before any work (`prepare_batch`): unknown columns stop the batch,
each row's settings are validated, and the settings a blank cell leaves to a default are noted,
so the facilitator hears of all of it before anything is written. A dry run then plans every row
and writes nothing (`dry_run`); a real run exports them (`run_batch`).

Rows go through the same pipeline as `export`, in worker processes (ReportLab is not
thread-safe); each row is reported as it finishes, and the files are written in roster order,
so `--jobs 1` and `--jobs N` write the same files. A bad row is reported and skipped; it never
stops the others. Ctrl-C stops the workers and still writes the summary, with the rows not
started marked as such.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import io
import os
import shutil
import signal
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import astuple, dataclass, fields, replace
from datetime import date
from enum import StrEnum
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from exporter import pipeline
from exporter.atomic import put_in_place, write_atomically
from exporter.context import RunContext
from exporter.controls import CONTROL
from exporter.drafts import check_address, draft
from exporter.errors import InputError, Kind, Origin, Problem, render_problem
from exporter.labels import catalogue, language_tag
from exporter.model import Pathway
from exporter.plan import Plan
from exporter.roster import COLUMNS, Column, RosterRow, folder_names, read_roster
from exporter.settings import SETTING_NAMES, PlanRequest, Raw, build_request, layer, merged
from exporter.theme import paper_problem, paper_size
from exporter.writers import REGISTRY

if TYPE_CHECKING:
    from exporter.pdfjoin import Joiner, Part
    from exporter.theme import Theme

SUMMARY = "summary.csv"
COMBINED = "all-plans.pdf"
PARTS = ".all-plans-parts"
"""A folder in the output folder for the combined PDF's pieces while it is made; removed after."""
DRAFTS = "emails"
"""The folder of e-mail drafts inside the output folder (no participant's folder takes this name)."""
REQUIRABLE = tuple(name for name in COLUMNS if name != "name")
"""What `--require` may name; `availability` is given by an availability or an hours_per_week cell."""


class RowStatus(StrEnum):
    OK = "ok"
    ERROR = "error"
    NOT_STARTED = "not started"


@dataclass(frozen=True)
class BatchRules:
    """How strictly the roster is taken: settings every row must give, unknown columns, e-mail drafts."""

    require: tuple[str, ...] = ()
    ignore_unknown_columns: bool = False
    emails: bool = False


@dataclass(frozen=True)
class Fallback:
    """A setting a row leaves blank: the value it gets, and the option or profile that gives it
    (`origin`), or None for the built-in default."""

    setting: str
    value: str
    origin: Origin | None = None


@dataclass(frozen=True)
class PreparedRow:
    """A roster row checked before any work: its settings layers (the row's first), the defaults it
    falls back to, its e-mail address (with --emails), and the problems that keep it from running."""

    row: RosterRow
    folder: str
    layers: tuple[Raw, ...]
    fallbacks: tuple[Fallback, ...] = ()
    email: str | None = None
    problems: tuple[Problem, ...] = ()

    @property
    def ready(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class PreparedBatch:
    """Every row of a roster checked, and what the facilitator must hear before the work starts."""

    roster: str
    rows: tuple[PreparedRow, ...]
    pathway: str | None
    rules: BatchRules
    ignored_columns: tuple[Column, ...] = ()

    @property
    def ready(self) -> tuple[PreparedRow, ...]:
        return tuple(row for row in self.rows if row.ready)


@dataclass(frozen=True)
class RowSettings:
    """What a participant's plan was made with, as the plan says it."""

    start: date
    finish: date
    timezone: str
    hours_per_week: float
    busy_hours: float | None = None
    """Hours of the participant's windows their busy calendars took; None without busy calendars."""

    @classmethod
    def of(cls, planned: Plan) -> RowSettings:
        """The settings as the row's plan has them."""
        busy = planned.busy.hours_taken if planned.busy is not None else None
        return cls(planned.start, planned.finish, planned.timezone, planned.hours_per_week, busy)


@dataclass(frozen=True)
class RowJob:
    """One row's work for a worker process: plan it (a dry run)."""

    prepared: PreparedRow
    roster: str
    pathway: str | None
    context: RunContext


@dataclass(frozen=True)
class ExportJob(RowJob):
    """One row's work for a worker process: export it into its folder of `out_dir`."""

    out_dir: Path
    choice: pipeline.OutputChoice
    booklet: bool = False
    """Also render the row's personal part of the booklet (into PARTS, for all-plans.pdf)."""


@dataclass(frozen=True)
class RowResult:
    row: int
    name: str
    folder: str
    status: RowStatus
    settings: RowSettings | None = None
    fallbacks: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
    events: int = 0
    draft: str = ""
    """The e-mail draft's path inside the output folder, when one was written."""
    warnings: tuple[Problem, ...] = ()
    """What the row's files lack (characters its PDF cannot print); the row is still done."""

    @property
    def ok(self) -> bool:
        return self.status is RowStatus.OK


@dataclass(frozen=True)
class BatchReport:
    roster: str
    total: int
    results: tuple[RowResult, ...]
    summary: Path
    combined: Path | None

    @property
    def succeeded(self) -> int:
        return sum(result.ok for result in self.results)

    @property
    def failed(self) -> tuple[RowResult, ...]:
        return tuple(result for result in self.results if result.status is RowStatus.ERROR)

    @property
    def not_started(self) -> int:
        return sum(result.status is RowStatus.NOT_STARTED for result in self.results)

    @property
    def drafts(self) -> int:
        return sum(bool(result.draft) for result in self.results)


class BatchInterrupted(Exception):
    """Ctrl-C during a batch: the report says which rows were done and which were not started."""

    def __init__(self, report: BatchReport):
        super().__init__(report)
        self.report = report


RowCallback = Callable[[RowResult, int, int], None]
"""Called as each row finishes (in the order rows finish): its result, rows done, rows in all."""


def prepare_batch(
    roster_path: Path, defaults: list[Raw], pathway: str | None, context: RunContext, rules: BatchRules
) -> PreparedBatch:
    """Read the roster and check every row before any work: unknown columns stop the batch (unless
    `rules.ignore_unknown_columns`), and each row gets its settings, its fallbacks and its problems."""
    roster = read_roster(roster_path)
    source = str(roster_path)
    if not roster.rows:
        raise InputError(Problem(source, "the roster has no participants", kind=Kind.MISSING))
    if roster.unknown_columns and not rules.ignore_unknown_columns:
        raise InputError(roster.unknown_column_problems())
    missing = [name for name in rules.require if not any(roster.has(each) for each in _columns_giving(name))]
    if missing:
        problems = [Problem(source, f"--require {name}: the roster has no '{name}' column", row=1) for name in missing]
        raise InputError(problems)
    if rules.emails and not roster.has("email"):
        raise InputError(Problem(source, "--emails needs an 'email' column in the roster", row=1, kind=Kind.MISSING))
    folders = folder_names([row.name for row in roster.rows], reserved={DRAFTS})
    rows = tuple(
        _prepare_row(row, folder, source, defaults, context, rules)
        for row, folder in zip(roster.rows, folders, strict=True)
    )
    return PreparedBatch(source, rows, pathway, rules, roster.unknown_columns)


def _prepare_row(
    row: RosterRow, folder: str, roster: str, defaults: list[Raw], context: RunContext, rules: BatchRules
) -> PreparedRow:
    def origin(name: str) -> Origin:
        return Origin(name, roster, row.number)

    row_layer = layer({name: value for name, value in row.values.items() if name in SETTING_NAMES}, origin)
    layers = (row_layer, *defaults)
    problems: list[Problem] = []
    if not row.name.strip():
        problems.append(origin("name").problem("is required", Kind.MISSING))
    for name in rules.require:
        if not _gives(row, name):
            problems.append(
                origin(name).problem(f"is blank, and --require {name} needs every row to give it", Kind.MISSING)
            )
    email = row.values.get("email") if rules.emails else None
    if email:
        try:
            check_address(email, origin("email"))
        except InputError as err:
            problems += err.problems
    paper = row.values.get("paper")
    if paper and paper_size(paper) is None:
        problems.append(origin("paper").problem(paper_problem(paper)))
    try:
        pipeline.OutputChoice().with_handout(row.values.get("handout"), origin("handout"))
    except InputError as err:
        problems += err.problems
    raw = merged(*layers)
    fallbacks: tuple[Fallback, ...] = ()
    try:
        fallbacks = _fallbacks(row_layer, raw, build_request(raw, context))
    except InputError as err:
        problems += [problem.at_row(roster, row.number) for problem in err.problems]
    if problems:
        return PreparedRow(row, folder, layers, problems=tuple(dict.fromkeys(problems)))
    return PreparedRow(row, folder, layers, fallbacks, email)


def _columns_giving(name: str) -> tuple[str, ...]:
    """The columns that give a setting: the weekly schedule is windows or weekly hours."""
    return ("availability", "hours_per_week") if name == "availability" else (name,)


def _gives(row: RosterRow, name: str) -> bool:
    """Whether the row's own cells give a setting."""
    return any(row.values.get(each) for each in _columns_giving(name))


def _fallbacks(row_layer: Raw, raw: Raw, request: PlanRequest) -> tuple[Fallback, ...]:
    """The settings a row may leave blank (start, timezone, availability or hours per week) that it
    does leave blank, with the value each gets and where it comes from."""
    found = []
    if "start" not in row_layer:
        found.append(Fallback("start", request.start.isoformat(), _origin_of(raw, "start")))
    if "timezone" not in row_layer:
        found.append(Fallback("timezone", request.timezone, _origin_of(raw, "timezone")))
    if not row_layer.keys() & {"availability", "hours_per_week"}:
        origin = _origin_of(raw, "availability") or _origin_of(raw, "hours_per_week")
        found.append(Fallback("availability", request.availability.spec(), origin))
    return tuple(found)


def _origin_of(raw: Raw, name: str) -> Origin | None:
    return raw[name][1] if name in raw else None


def dry_run(
    prepared: PreparedBatch, context: RunContext, jobs: int = 1, on_row: RowCallback | None = None
) -> tuple[RowResult, ...]:
    """Plan every ready row (in worker processes) and write nothing: each row's settings or problems."""
    work = [RowJob(row, prepared.roster, prepared.pathway, context) for row in prepared.ready]
    done = _run_all(plan_row, work, jobs, on_row)
    return _in_roster_order(prepared, done)


def run_batch(
    prepared: PreparedBatch,
    out_dir: Path,
    choice: pipeline.OutputChoice,
    context: RunContext,
    jobs: int = 1,
    combined_pdf: bool = True,
    on_row: RowCallback | None = None,
    title: str | None = None,
    booklet: bool = False,
) -> BatchReport:
    """Every ready row of the checked roster through the pipeline; a report of each row (the rows the
    check refused are errors). Rows are reported through `on_row` as they finish; files are in roster order.

    all-plans.pdf starts with a cover (`title`, the date, the theme's organisation) and an index of
    each participant's pages, with a bookmark per participant; with `booklet` what is the same for
    everyone is printed once after the index and each participant's part holds only their own.
    """
    combining = combined_pdf and "pdf" in choice.formats
    if booklet and not combining:
        message = "prints into all-plans.pdf: give it without --no-combined-pdf and with pdf in --formats"
        raise InputError(Problem("--booklet", message, kind=Kind.CONFLICT))
    pipeline.prepare_folder(out_dir)
    rows = replace(context, processes=1)  # a batch spreads its rows over --jobs; each row's files are rendered in turn
    work = [ExportJob(row, prepared.roster, prepared.pathway, rows, out_dir, choice, booklet) for row in prepared.ready]
    if jobs > 1:
        for name in choice.formats:
            REGISTRY[name].load()  # once, here: forked worker processes start with them imported
        if "pdf" in choice.formats:
            _load_pdf_fonts(choice, rows)
    try:
        with _joined_plans(out_dir, prepared, choice, booklet) if combining else contextlib.nullcontext() as joined:
            done = _run_all(export_row, work, jobs, _also_joining(joined, on_row))
            if joined and isinstance(joined.failure, Exception):
                raise joined.failure  # once every row is done, as when the plans were joined after them
            interrupted = any(result is None for result in done) or bool(joined and joined.failure)
            results = _in_roster_order(prepared, done)
            combined, pages = None, {}
            if joined and not interrupted and joined.plans:
                pathways = _shared_pathways(prepared, results) if booklet else {}
                front = _front_context(context, prepared)
                combined, pages = _combine_pdfs(out_dir, joined, choice, front, title, pathways)
    finally:
        shutil.rmtree(out_dir / PARTS, ignore_errors=True)
    summary = write_atomically(out_dir / SUMMARY, summary_csv(summary_rows(results, prepared.roster, pages)))
    report = BatchReport(prepared.roster, len(results), results, summary, combined)
    if interrupted:
        raise BatchInterrupted(report)
    return report


def _load_pdf_fonts(choice: pipeline.OutputChoice, context: RunContext) -> None:
    """Parse the PDF's fonts and load the date formats once, before the worker processes start: forked ones
    start with them, and all-plans.pdf's cover uses them after the rows."""
    from exporter.writers.pdf import document_styles

    document_styles(choice.theme, context.fonts)
    context.labels.long_date(context.today)


def _in_roster_order(prepared: PreparedBatch, done: list[RowResult | None]) -> tuple[RowResult, ...]:
    """A result for every row: the check's errors, the work's results, and `not started` for the rest."""
    finished = iter(done)
    results = []
    for item in prepared.rows:
        fallbacks = tuple(fallback.setting for fallback in item.fallbacks)
        if not item.ready:
            result = RowResult(item.row.number, item.row.name, item.folder, RowStatus.ERROR, problems=item.problems)
        else:
            result = next(finished) or RowResult(item.row.number, item.row.name, item.folder, RowStatus.NOT_STARTED)
        results.append(replace(result, fallbacks=fallbacks))
    return tuple(results)


def _run_all(work_on: Callable, work: list, jobs: int, on_row: RowCallback | None) -> list[RowResult | None]:
    """Each row's result in roster order, reported as rows finish; None for the rows Ctrl-C kept from finishing."""
    results: list[RowResult | None] = [None] * len(work)
    done = 0

    def finished(index: int, result: RowResult) -> None:
        nonlocal done
        results[index] = result
        done += 1
        if on_row:
            on_row(result, done, len(work))

    work_on = partial(_collecting_now_and_then, work_on)
    with _collector_for_rows():
        if jobs <= 1 or len(work) <= 1:
            try:
                for index, job in enumerate(work):
                    finished(index, work_on(job))
            except KeyboardInterrupt:
                pass
        else:
            _run_in_pool(work_on, work, jobs, finished, results)
    return results


ROW_COLLECTION_THRESHOLDS = (20_000, 10, 10)
"""The collector's thresholds while rows are rendered (Python's default is 700, 10, 10). A row makes tens of
thousands of objects that live until its files are written (workbook cells, PDF flowables); at 700 new
objects the collector walks them again and again, and about a tenth of a row's time went into that."""


FULL_COLLECTION_EVERY = 20
"""Rows a process renders between full collections: with the youngest generation collected rarely, cycles
that outlive two collections reach the oldest generation, which Python collects ever more rarely as it
grows; without these a worker's memory crept up row after row (64 MiB to 76 over 250 rows; with them
it stays at 67). Each costs about as much as a row; every 10 rows it cost a few per cent of the time."""


class _RowsRendered:
    """This process's count of rendered rows, and whether it may freeze what its first row left alive."""

    def __init__(self) -> None:
        self.count = 0
        self.may_freeze = False

    def start(self, may_freeze: bool) -> None:
        """Count from 0 again; `may_freeze` when this batch owns the process's frozen objects."""
        self.count, self.may_freeze = 0, may_freeze


_ROWS_RENDERED = _RowsRendered()


def _collecting_now_and_then(work_on: Callable[[RowJob], RowResult], job: RowJob) -> RowResult:
    """`work_on(job)`, then: after the process's first row, when it may, a full collection and a freeze of
    what is left (the writers' modules, fonts and kept parts, loaded by the first row, so later full
    collections do not walk them: they were about a third of each one's time); and a full collection
    each `FULL_COLLECTION_EVERY` rows."""
    result = work_on(job)
    rendered = _ROWS_RENDERED
    rendered.count += 1
    if rendered.count == 1 and rendered.may_freeze:
        gc.collect()
        gc.freeze()
    elif rendered.count % FULL_COLLECTION_EVERY == 0:
        gc.collect()
    return result


@contextlib.contextmanager
def _collector_for_rows() -> Iterator[None]:
    """Python's cyclic garbage collector set for rendering rows, and restored afterwards: what exists now
    (modules, fonts, the pathway; for worker processes, what they inherit when they fork) set aside from its
    walks (Python's gc.freeze advice: nor do forked workers copy the pages it lies on), and a collection of
    the youngest objects after `ROW_COLLECTION_THRESHOLDS` new ones rather than 700 (worker processes set
    them again as they start, `_start_worker`, in case they were not forked). What the first row leaves alive
    is frozen too (`_collecting_now_and_then`). Nothing is frozen or unfrozen when something already is."""
    thresholds, freezing = gc.get_threshold(), gc.get_freeze_count() == 0  # what a caller froze stays its own
    if freezing:
        gc.freeze()
    _ROWS_RENDERED.start(may_freeze=freezing)
    gc.set_threshold(*ROW_COLLECTION_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        if freezing:
            gc.unfreeze()


def _run_in_pool(
    work_on: Callable, work: list, jobs: int, finished: Callable[[int, RowResult], None], results: list
) -> None:
    """Each job in worker processes, `finished` called as each ends; on Ctrl-C the rows not started are
    cancelled and those done are still reported (their entries of `results` filled)."""
    workers = min(jobs, len(work))
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_start_worker_with, initargs=(work_on, work))
    futures: dict[Future, int] = {pool.submit(_work_on_row, index): index for index in range(len(work))}
    try:
        for future in as_completed(futures):
            finished(futures[future], future.result())
    except KeyboardInterrupt:
        pool.shutdown(wait=True, cancel_futures=True)
        for future, index in futures.items():
            if results[index] is None and future.done() and not future.cancelled() and future.exception() is None:
                finished(index, future.result())
    finally:
        pool.shutdown(wait=True)


class _WorkerRows:
    """A worker process's work, given once as it starts: what to do with a row and every row's job."""

    def __init__(self) -> None:
        self.work_on: Callable[[RowJob], RowResult] | None = None
        self.work: list = []


_WORKER_ROWS = _WorkerRows()


def _start_worker_with(work_on: Callable[[RowJob], RowResult], work: list) -> None:
    """A worker started (`_start_worker`) with the batch's work: a forked worker inherits it, another is sent
    it once, so each row is then sent as its index (`_work_on_row`) rather than as its job, which carries
    the run's context (the label catalogue: about 20 kB to pickle, send and read again for every row)."""
    _start_worker()
    _WORKER_ROWS.work_on, _WORKER_ROWS.work = work_on, work


def _work_on_row(index: int) -> RowResult:
    """The row at `index` of the work this worker was started with (`_start_worker_with`), done."""
    rows = _WORKER_ROWS
    if rows.work_on is None:
        raise RuntimeError("a worker without the batch's work")
    return rows.work_on(rows.work[index])


def _start_worker() -> None:
    """Workers leave Ctrl-C to the main process, which stops handing out rows and lets them finish, and
    render rows with the collector's settings for rows (`_collector_for_rows`, `_collecting_now_and_then`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _ROWS_RENDERED.start(may_freeze=True)  # a worker's objects are its own
    gc.set_threshold(*ROW_COLLECTION_THRESHOLDS)


def plan_row(job: RowJob) -> RowResult:
    """One participant planned, nothing written (a dry run); every failure becomes the row's problems."""
    return _guarded(job, _plan_row)


def export_row(job: ExportJob) -> RowResult:
    """One participant, start to finish; every failure becomes the row's problems, never an exception."""
    return _guarded(job, _export_row)


def _guarded(job: RowJob, work_on: Callable) -> RowResult:
    item = job.prepared
    try:
        return work_on(job)
    except InputError as err:
        problems = tuple(problem.at_row(job.roster, item.row.number) for problem in err.problems)
        return RowResult(item.row.number, item.row.name, item.folder, RowStatus.ERROR, problems=problems)
    except Exception as err:  # a bug must not stop the rest of the room
        internal = Problem(job.roster, f"internal error: {type(err).__name__}: {err}", row=item.row.number)
        return RowResult(item.row.number, item.row.name, item.folder, RowStatus.ERROR, problems=(internal,))


def _plan_row(job: RowJob) -> RowResult:
    item = job.prepared
    planned = pipeline.build_plan(_pathway(_pathway_ref(item.row, job)), list(item.layers), job.context, item.folder)
    warnings = _busy_warnings(planned, job.roster, item.row.number)
    return RowResult(
        item.row.number, item.row.name, item.folder, RowStatus.OK, RowSettings.of(planned), warnings=warnings
    )


def _export_row(job: ExportJob) -> RowResult:
    item, row, out_dir = job.prepared, job.prepared.row, job.out_dir
    choice = job.choice.with_paper(row.values.get("paper"), Origin("paper", job.roster, row.number))
    choice = choice.with_handout(row.values.get("handout"), Origin("handout", job.roster, row.number))
    target = out_dir / item.folder
    if target.resolve().parent != out_dir.resolve():
        raise InputError(Problem(job.roster, f"unsafe folder name {item.folder!r}", row=row.number))
    exported = pipeline.export(
        _pathway(_pathway_ref(row, job)),
        list(item.layers),
        job.context,
        choice,
        target,
        force=True,
        identity=item.folder,
        keep_tracker=False,
    )
    planned, reports = exported.plan, exported.written
    events = max((report.event_count for report in reports), default=0)
    draft = _write_draft(job, planned, [report.written.path for report in reports]) if item.email else ""
    if job.booklet:
        _write_personal_part(planned, job, choice)
    warnings = tuple(replace(problem, source=job.roster, row=row.number) for problem in exported.warnings)
    warnings = _busy_warnings(planned, job.roster, row.number) + warnings
    settings = RowSettings.of(planned)
    return RowResult(
        row.number, row.name, item.folder, RowStatus.OK, settings, events=events, draft=draft, warnings=warnings
    )


def _busy_warnings(planned: Plan, roster: str, row: int) -> tuple[Problem, ...]:
    """What reading the row's busy calendars warned about, placed at the row (each names its calendar)."""
    if planned.busy is None:
        return ()
    return tuple(
        Problem(roster, render_problem(problem), field="busy", row=row, kind=problem.kind)
        for problem in planned.busy.warnings
    )


def _write_draft(job: ExportJob, planned: Plan, files: list[Path]) -> str:
    """The row's e-mail draft in the plan's language, its files attached as written, in DRAFTS; its path
    inside the output folder."""
    name = f"{job.prepared.folder}.eml"
    folder = job.out_dir / DRAFTS
    try:
        attached = {path.name: path.read_bytes() for path in files}
        labels = catalogue(planned.language)
        message = draft(planned, job.prepared.email or "", attached, labels, job.choice.theme.organisation)
        folder.mkdir(exist_ok=True)
        write_atomically(folder / name, message)
    except OSError as err:
        problem = Problem(str(folder / name), f"cannot write the e-mail draft: {err.strerror or err}", kind=Kind.WRITE)
        raise InputError(problem) from None
    return f"{DRAFTS}/{name}"


@cache
def _pathway(ref: str | None):
    """Rows mostly share a pathway: each worker reads a pathway file once."""
    return pipeline.pathway_for(ref, [])


def _pathway_ref(row: RosterRow, job: RowJob | PreparedBatch) -> str | None:
    ref = row.values.get("pathway") or job.pathway
    if ref and ref.endswith(".toml") and not Path(ref).is_absolute():
        beside_roster = Path(job.roster).parent / ref
        if beside_roster.exists():
            return str(beside_roster)
    return ref


def summary_text(problem: Problem, roster: str) -> str:
    """A problem as the summary's error column says it: the row is in its own column already."""
    if problem.source == roster and problem.row is not None:
        return render_problem(problem, with_source=False).removeprefix(f"row {problem.row}: ")
    return render_problem(problem)


@dataclass(frozen=True)
class SummaryRow:
    """One line of summary.csv: its fields are the columns, in order (add a field to add a column)."""

    row: int
    name: str
    folder: str
    status: str
    start: str
    planned_finish: str
    timezone: str
    weekly_hours: str
    busy_hours_taken: str
    """Hours of the participant's windows their busy calendars took; blank without busy calendars."""
    defaults_applied: str
    """The settings the row left blank (`timezone, start`): they came from an option,
    a profile or the built-in default."""
    email_draft: str
    error: str
    warnings: str
    """What the row's export warned about (busy calendars, characters the PDF cannot print)."""
    pages: str
    """The row's pages in all-plans.pdf (`7-14`); blank when it has none."""

    @classmethod
    def of(cls, result: RowResult, roster: str, pages: range | None = None) -> SummaryRow:
        """The summary line of one row's result."""
        settings = result.settings if result.ok else None
        return cls(
            row=result.row,
            name=result.name,
            folder=result.folder if result.ok else "",
            status=str(result.status),
            start=settings.start.isoformat() if settings else "",
            planned_finish=settings.finish.isoformat() if settings else "",
            timezone=settings.timezone if settings else "",
            weekly_hours=f"{settings.hours_per_week:g}" if settings else "",
            busy_hours_taken=f"{settings.busy_hours:g}" if settings and settings.busy_hours is not None else "",
            defaults_applied=", ".join(result.fallbacks),
            email_draft=result.draft,
            error="; ".join(summary_text(problem, roster) for problem in result.problems),
            warnings="; ".join(summary_text(problem, roster) for problem in result.warnings),
            pages=f"{pages.start}-{pages.stop - 1}" if pages else "",
        )


def summary_rows(
    results: tuple[RowResult, ...], roster: str, pages: dict[int, range] | None = None
) -> list[SummaryRow]:
    """summary.csv's lines, in roster order; `pages` by roster row, each row's pages in all-plans.pdf."""
    return [SummaryRow.of(result, roster, (pages or {}).get(result.row)) for result in results]


def summary_csv(rows: list[SummaryRow]) -> bytes:
    """summary.csv: a header of SummaryRow's field names, then one line a row (UTF-8 with a BOM, for Excel)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.name for column in fields(SummaryRow)])
    for line in rows:
        writer.writerow([_cell(value) if isinstance(value, str) else value for value in astuple(line)])
    return buffer.getvalue().encode("utf-8-sig")


def _cell(text: str) -> str:
    """Keep spreadsheet programs from reading roster text as a formula when they open the CSV."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _write_personal_part(planned: Plan, job: ExportJob, choice: pipeline.OutputChoice) -> None:
    """The row's plan without what the booklet prints once for everyone, for all-plans.pdf."""
    options = replace(choice.options, personal_only=True)
    rendered = pipeline.render(planned, job.context, replace(choice, formats=("pdf",), options=options))
    folder = job.out_dir / PARTS / "plans"
    folder.mkdir(parents=True, exist_ok=True)
    write_atomically(folder / f"{job.prepared.folder}.pdf", next(iter(rendered.files.values())))


def _front_context(context: RunContext, prepared: PreparedBatch) -> RunContext:
    """The context the cover, the index and the shared part speak in: the language the command line
    or the profile gives the room (a row's own language is its plan's)."""
    defaults = prepared.rows[0].layers[1:] if prepared.rows else ()
    value = merged(*defaults).get("lang")
    tag = language_tag(str(value[0])) if value else None
    return replace(context, labels=catalogue(tag)) if tag else context


def _shared_pathways(prepared: PreparedBatch, results: tuple[RowResult, ...]) -> dict[str, Pathway]:
    """The pathways of the rows done, by id, in roster order: each gets its shared part once."""
    pathways: dict[str, Pathway] = {}
    for item, result in zip(prepared.rows, results, strict=True):
        if result.ok:
            pathway = _pathway(_pathway_ref(item.row, prepared))
            pathways.setdefault(pathway.id, pathway)
    return pathways


class _JoinedPlans:
    """The plans of all-plans.pdf joined as their rows finish, in roster order, into a file of PARTS (so the
    last step of a batch is only its cover, index and shared parts); `plans`: each ok row's result, its
    part and its page count, in roster order."""

    def __init__(
        self,
        joiner: Joiner,
        prepared: PreparedBatch,
        part_of: Callable[[RowResult], Part],
        body: BinaryIO,
        path: Path,
    ) -> None:
        """Plans joined by `joiner` into `body`, the file open at `path`; `part_of` gives a finished row's plan."""
        self.joiner = joiner
        self.body, self.path = body, path
        self.plans: list[tuple[RowResult, Part, int]] = []
        self.failure: BaseException | None = None
        """What stopped the joining (an error, or Ctrl-C while a plan was copied): no plan is joined after it."""
        self._order = deque(item.row.number for item in prepared.ready)
        self._waiting: dict[int, RowResult] = {}
        self._part_of = part_of
        self._written_out = 0

    def finished(self, result: RowResult) -> None:
        """Note a row as finished, and join the plans of every finished row no earlier row waits for. An error
        while joining is kept in `failure` for after the rows (the rows go on); Ctrl-C is kept and raised."""
        self._waiting[result.row] = result
        while self.failure is None and self._order and self._order[0] in self._waiting:
            done = self._waiting.pop(self._order.popleft())
            if done.ok:
                part = self._part_of(done)
                try:
                    pages = self.joiner.add(part)
                except Exception as err:
                    self.failure = err
                except BaseException as err:
                    self.failure = err
                    raise
                else:
                    self.plans.append((done, part, pages))
                    self._write_out_now_and_then()

    def _write_out_now_and_then(self) -> None:
        """The joined plans sent to the disk each `WRITE_OUT_EVERY` bytes, while the rows go on, so that
        putting all-plans.pdf in place after the rows (which syncs it) waits for its last part only. A sync
        that fails here is not a failure of the join: putting the file in place syncs it again, and reports
        what fails then."""
        written = self.body.tell()
        if written - self._written_out >= WRITE_OUT_EVERY:
            self._written_out = written
            with contextlib.suppress(OSError):
                self.body.flush()
                os.fsync(self.body.fileno())


WRITE_OUT_EVERY = 4 << 20
"""Bytes of joined plans between syncs of all-plans.pdf's file while rows run (about 60 plans)."""


@contextlib.contextmanager
def _joined_plans(
    out_dir: Path, prepared: PreparedBatch, choice: pipeline.OutputChoice, booklet: bool
) -> Iterator[_JoinedPlans]:
    """Plans joined as rows finish (`_JoinedPlans`): each row's plan.pdf, or with `booklet` its personal part."""
    from exporter.pdfjoin import Joiner, Part

    parts_dir = out_dir / PARTS
    parts_dir.mkdir(exist_ok=True)
    (plan_pdf,) = REGISTRY["pdf"].file_names(choice.options)

    def part_of(result: RowResult) -> Part:
        path = parts_dir / "plans" / f"{result.folder}.pdf" if booklet else out_dir / result.folder / plan_pdf
        return Part(path, CONTROL.sub("", result.name))

    path = parts_dir / "plans-joined.pdf"
    with open(path, "wb") as body:
        yield _JoinedPlans(Joiner(body), prepared, part_of, body, path)


def _also_joining(joined: _JoinedPlans | None, on_row: RowCallback | None) -> RowCallback | None:
    """`on_row`, with each finished row's plan joined first (`joined`, when all-plans.pdf is made)."""
    if joined is None:
        return on_row

    def finished(result: RowResult, done: int, total: int) -> None:
        joined.finished(result)
        if on_row:
            on_row(result, done, total)

    return finished


def _combine_pdfs(
    out_dir: Path,
    joined: _JoinedPlans,
    choice: pipeline.OutputChoice,
    context: RunContext,
    title: str | None,
    pathways: dict[str, Pathway],
) -> tuple[Path, dict[int, range]]:
    """all-plans.pdf: the cover and index, the booklet's shared parts (one per pathway) and every plan
    `joined` in roster order, each starting on an odd page so duplex printing keeps them apart; a bookmark
    for each. Returns the file and each row's pages in it."""
    from exporter.pdfjoin import Part
    from exporter.writers.pdf_booklet import render_shared

    labels = context.labels
    heading = CONTROL.sub("", title or labels("pdf.all-plans"))
    parts_dir = out_dir / PARTS
    shared = []
    for number, pathway in enumerate(pathways.values(), start=1):
        path = write_atomically(parts_dir / f"shared-{number}.pdf", render_shared(pathway, context, choice.theme))
        shared.append(Part(path, labels("pdf.shared-part", title=pathway.title)))
    plans = [part for _, part, _ in joined.plans]
    counts = [count for _, _, count in joined.plans]
    cover = _cover(heading, shared, plans, counts, context, choice.theme)
    cover_path = write_atomically(parts_dir / "cover.pdf", cover)
    ranges = joined.joiner.finish(heading, [Part(cover_path, labels("pdf.index")), *shared])
    target = put_in_place(joined.body, joined.path, out_dir / COMBINED)
    return target, {r.row: pages for (r, _, _), pages in zip(joined.plans, ranges[1 + len(shared) :], strict=True)}


def _cover(
    heading: str, shared: list[Part], plans: list[Part], plan_counts: list[int], context: RunContext, theme: Theme
) -> bytes:
    """The cover and index of the shared parts and the plans (of `plan_counts` pages), its page numbers
    counted after the cover's own pages (`page_ranges`, as `Joiner.finish` places the parts). The first
    guess of the cover's length is what its layout takes at least (`cover_pages_at_least`, with the page
    numbers of the shortest cover, which are never larger than the right ones), so it is mostly right
    and rendered once. The guessed length only grows, and larger page numbers never make the index
    shorter, so it settles in a few renderings on the length that guessing from two pages settles on. A
    guess found too high (the cover came out shorter) is dropped and the cover settled from two pages; if
    that did not settle either, it is a fault in this program and is raised, never an index with wrong
    numbers."""
    from exporter.pdfjoin import page_count, page_ranges
    from exporter.writers.pdf_booklet import IndexEntry, cover_pages_at_least, render_cover

    parts = (*shared, *plans)
    counts = [*(page_count(part.path) for part in shared), *plan_counts]

    def index(cover_pages: int) -> tuple[list[range], tuple[IndexEntry, ...], tuple[IndexEntry, ...]]:
        ranges = page_ranges([cover_pages, *counts])[1:]
        entries = [
            IndexEntry(part.bookmark, pages.start, pages.stop - 1) for part, pages in zip(parts, ranges, strict=True)
        ]
        return ranges, tuple(entries[len(shared) :]), tuple(entries[: len(shared)])

    least = cover_pages_at_least(*index(2)[1:], context, theme)
    for first in dict.fromkeys((max(2, least), 2)):  # the cover and at least one page of index
        cover_pages = first
        for _ in range(len(parts) + 2):
            ranges, plan_entries, shared_entries = index(cover_pages)
            cover = render_cover(heading, plan_entries, shared_entries, context, theme)
            rendered = page_count(cover)
            if page_ranges([rendered, *counts])[1:] == ranges:
                return cover  # every part lands where the index says
            if rendered < cover_pages:
                break  # a guess too high (then settled from two pages, as without it), or a fault
            cover_pages = rendered
    raise RuntimeError(f"the index of {COMBINED} does not settle on a number of pages ({cover_pages})")
