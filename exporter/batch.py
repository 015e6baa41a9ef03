"""Workshop batch mode: a roster in, every participant's files out, plus one print-ready PDF.

Rows go through the same pipeline as `export`, in worker processes (ReportLab is not
thread-safe); results come back in roster order, so `--jobs 1` and `--jobs N` write the same
files. A bad row is reported and skipped; it never stops the others. Ctrl-C stops the
workers and still writes the summary, with the rows not started marked as such.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import signal
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

from exporter import pipeline
from exporter.atomic import atomic_stream, write_atomically
from exporter.context import RunContext
from exporter.errors import InputError, Kind, Origin, Problem, render_problem
from exporter.roster import RosterRow, folder_names, read_roster
from exporter.settings import SETTING_NAMES, Raw, layer
from exporter.writers import REGISTRY

SUMMARY = "summary.csv"
COMBINED = "all-plans.pdf"


class RowStatus(StrEnum):
    OK = "ok"
    ERROR = "error"
    NOT_STARTED = "not started"


@dataclass(frozen=True)
class RowJob:
    row: RosterRow
    folder: str
    roster: str
    out_dir: Path
    choice: pipeline.OutputChoice
    defaults: tuple[Raw, ...]
    pathway: str | None
    context: RunContext


@dataclass(frozen=True)
class RowResult:
    row: int
    name: str
    folder: str
    status: RowStatus
    finish: str = ""
    problems: tuple[Problem, ...] = ()
    events: int = 0
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
    ignored_columns: tuple[str, ...] = ()

    @property
    def succeeded(self) -> int:
        return sum(result.ok for result in self.results)

    @property
    def failed(self) -> tuple[RowResult, ...]:
        return tuple(result for result in self.results if result.status is RowStatus.ERROR)

    @property
    def not_started(self) -> int:
        return sum(result.status is RowStatus.NOT_STARTED for result in self.results)


class BatchInterrupted(Exception):
    """Ctrl-C during a batch: the report says which rows were done and which were not started."""

    def __init__(self, report: BatchReport):
        super().__init__(report)
        self.report = report


def run_batch(
    roster_path: Path,
    out_dir: Path,
    choice: pipeline.OutputChoice,
    defaults: list[Raw],
    pathway: str | None,
    context: RunContext,
    jobs: int = 1,
    combined_pdf: bool = True,
    progress: Callable[[int, int, str], None] | None = None,
) -> BatchReport:
    """Every participant of the roster through the pipeline; a report of each row."""
    roster = read_roster(roster_path)
    if not roster.rows:
        raise InputError(Problem(str(roster_path), "the roster has no participants", kind=Kind.MISSING))
    pipeline.prepare_folder(out_dir)
    folders = folder_names([row.name for row in roster.rows])
    work = [
        RowJob(row, folder, str(roster_path), out_dir, choice, tuple(defaults), pathway, context)
        for row, folder in zip(roster.rows, folders, strict=True)
    ]
    done = _run_all(work, jobs, progress)
    interrupted = any(result is None for result in done)
    results = [
        result or RowResult(job.row.number, job.row.name, job.folder, RowStatus.NOT_STARTED)
        for job, result in zip(work, done, strict=True)
    ]
    summary = write_atomically(out_dir / SUMMARY, _summary_csv(results, str(roster_path)))
    combined = None
    if combined_pdf and not interrupted and "pdf" in choice.formats and any(r.ok for r in results):
        (plan_pdf,) = REGISTRY["pdf"].file_names(choice.options)
        ok = [out_dir / r.folder / plan_pdf for r in results if r.ok]
        combined = _combine_pdfs(out_dir / COMBINED, ok, context.labels("pdf.all-plans"))
    report = BatchReport(str(roster_path), len(work), tuple(results), summary, combined, roster.ignored_columns)
    if interrupted:
        raise BatchInterrupted(report)
    return report


def _run_all(work: list[RowJob], jobs: int, progress: Callable[[int, int, str], None] | None) -> list[RowResult | None]:
    """Each row's result in roster order; None for the rows that Ctrl-C kept from finishing."""
    results: list[RowResult | None] = [None] * len(work)

    def finished(index: int, result: RowResult) -> None:
        results[index] = result
        if progress:
            progress(sum(r is not None for r in results), len(work), result.name)

    if jobs <= 1 or len(work) <= 1:
        try:
            for index, job in enumerate(work):
                finished(index, export_row(job))
        except KeyboardInterrupt:
            pass
        return results
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(work)), initializer=_ignore_interrupts)
    futures: list[Future] = [pool.submit(export_row, job) for job in work]
    try:
        for index, future in enumerate(futures):
            finished(index, future.result())
    except KeyboardInterrupt:
        pool.shutdown(wait=True, cancel_futures=True)
        for index, future in enumerate(futures):
            if results[index] is None and future.done() and not future.cancelled() and future.exception() is None:
                results[index] = future.result()
    finally:
        pool.shutdown(wait=True)
    return results


def _ignore_interrupts() -> None:
    """Workers leave Ctrl-C to the main process, which stops handing out rows and lets them finish."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def export_row(job: RowJob) -> RowResult:
    """One participant, start to finish; every failure becomes the row's problems, never an exception."""
    row = job.row
    try:
        if not row.name.strip():
            raise InputError(Origin("name", job.roster, row.number).problem("is required", Kind.MISSING))
        values = {name: value for name, value in row.values.items() if name in SETTING_NAMES}
        row_layer = layer(values, lambda name: Origin(name, job.roster, row.number))
        choice = job.choice.with_paper(row.values.get("paper"), Origin("paper", job.roster, row.number))
        target = job.out_dir / job.folder
        if target.resolve().parent != job.out_dir.resolve():
            raise InputError(Problem(job.roster, f"unsafe folder name {job.folder!r}", row=row.number))
        planned, reports = pipeline.export(
            _pathway(_pathway_ref(row, job)),
            [row_layer, *job.defaults],
            job.context,
            choice,
            target,
            force=True,
            identity=job.folder,
            keep_tracker=False,
        )
        events = max((report.event_count for report in reports), default=0)
        warnings = tuple(
            dataclasses.replace(problem, source=job.roster, row=row.number)
            for problem in pipeline.output_warnings(planned, job.context, choice)
        )
        finish = planned.finish.isoformat()
        return RowResult(row.number, row.name, job.folder, RowStatus.OK, finish, events=events, warnings=warnings)
    except InputError as err:
        problems = tuple(problem.at_row(job.roster, row.number) for problem in err.problems)
        return RowResult(row.number, row.name, job.folder, RowStatus.ERROR, problems=problems)
    except Exception as err:  # a bug must not stop the rest of the room
        internal = Problem(job.roster, f"internal error: {type(err).__name__}: {err}", row=row.number)
        return RowResult(row.number, row.name, job.folder, RowStatus.ERROR, problems=(internal,))


@cache
def _pathway(ref: str | None):
    """Rows mostly share a pathway: each worker reads a pathway file once."""
    return pipeline.pathway_for(ref, [])


def _pathway_ref(row: RosterRow, job: RowJob) -> str | None:
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


def _summary_csv(results: list[RowResult], roster: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["row", "name", "folder", "planned_finish", "status", "error"])
    for r in results:
        error = "; ".join(summary_text(problem, roster) for problem in r.problems)
        writer.writerow([r.row, _cell(r.name), r.folder if r.ok else "", r.finish, str(r.status), _cell(error)])
    return buffer.getvalue().encode("utf-8-sig")


def _cell(text: str) -> str:
    """Keep spreadsheet programs from reading roster text as a formula when they open the CSV."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _combine_pdfs(target: Path, plans: list[Path], title: str) -> Path:
    """Every plan in roster order, each starting on an odd page so duplex printing keeps them apart."""
    from exporter.pdfjoin import join_pdfs

    with atomic_stream(target) as handle:
        join_pdfs(iter(plans), handle, title)
    return target
