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
import shutil
import signal
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from exporter import pipeline
from exporter.atomic import atomic_stream, write_atomically
from exporter.context import RunContext
from exporter.controls import CONTROL
from exporter.errors import InputError, Kind, Origin, Problem, render_problem
from exporter.model import Pathway
from exporter.roster import RosterRow, folder_names, read_roster
from exporter.settings import SETTING_NAMES, Raw, layer, merged
from exporter.writers import REGISTRY

if TYPE_CHECKING:
    from exporter.pdfjoin import Part
    from exporter.theme import Theme
    from exporter.writers.pdf_booklet import IndexEntry

SUMMARY = "summary.csv"
COMBINED = "all-plans.pdf"
PARTS = ".all-plans-parts"
"""A folder in the output folder for the combined PDF's pieces while it is made; removed after."""


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
    booklet: bool = False
    """Also render the row's personal part of the booklet (into PARTS, for all-plans.pdf)."""


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
    title: str | None = None,
    booklet: bool = False,
) -> BatchReport:
    """Every participant of the roster through the pipeline; a report of each row.

    all-plans.pdf starts with a cover (`title`, the date, the theme's organisation) and an index of
    each participant's pages, with a bookmark per participant; with `booklet` what is the same for
    everyone is printed once after the index and each participant's part holds only their own.
    """
    combining = combined_pdf and "pdf" in choice.formats
    if booklet and not combining:
        message = "prints into all-plans.pdf: give it without --no-combined-pdf and with pdf in --formats"
        raise InputError(Problem("--booklet", message, kind=Kind.CONFLICT))
    roster = read_roster(roster_path)
    if not roster.rows:
        raise InputError(Problem(str(roster_path), "the roster has no participants", kind=Kind.MISSING))
    pipeline.prepare_folder(out_dir)
    folders = folder_names([row.name for row in roster.rows])
    work = [
        RowJob(row, folder, str(roster_path), out_dir, choice, tuple(defaults), pathway, context, booklet)
        for row, folder in zip(roster.rows, folders, strict=True)
    ]
    try:
        done = _run_all(work, jobs, progress)
        interrupted = any(result is None for result in done)
        results = [
            result or RowResult(job.row.number, job.row.name, job.folder, RowStatus.NOT_STARTED)
            for job, result in zip(work, done, strict=True)
        ]
        combined, pages = None, {}
        if combining and not interrupted and any(r.ok for r in results):
            pathways = {} if not booklet else _shared_pathways(work, results)
            front = _front_context(context, defaults)
            combined, pages = _combine_pdfs(out_dir, results, choice, front, title, pathways)
    finally:
        shutil.rmtree(out_dir / PARTS, ignore_errors=True)
    summary = write_atomically(out_dir / SUMMARY, _summary_csv(results, str(roster_path), pages))
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
        choice = choice.with_handout(row.values.get("handout"), Origin("handout", job.roster, row.number))
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
        if job.booklet:
            _write_personal_part(planned, job, choice)
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


def _summary_csv(results: list[RowResult], roster: str, pages: dict[int, range]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["row", "name", "folder", "planned_finish", "status", "error", "pages"])
    for r in results:
        error = "; ".join(summary_text(problem, roster) for problem in r.problems)
        page_range = f"{pages[r.row].start}-{pages[r.row].stop - 1}" if r.row in pages else ""
        row = [r.row, _cell(r.name), r.folder if r.ok else "", r.finish, str(r.status), _cell(error), page_range]
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8-sig")


def _cell(text: str) -> str:
    """Keep spreadsheet programs from reading roster text as a formula when they open the CSV."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _write_personal_part(planned, job: RowJob, choice: pipeline.OutputChoice) -> None:
    """The row's plan without what the booklet prints once for everyone, for all-plans.pdf."""
    options = dataclasses.replace(choice.options, personal_only=True)
    files = pipeline.render(planned, job.context, dataclasses.replace(choice, formats=("pdf",), options=options))
    folder = job.out_dir / PARTS / "plans"
    folder.mkdir(parents=True, exist_ok=True)
    write_atomically(folder / f"{job.folder}.pdf", next(iter(files.values())))


def _front_context(context: RunContext, defaults: list[Raw]) -> RunContext:
    """The context the cover, the index and the shared part speak in: the language the command line
    or the profile gives the room (a row's own language is its plan's)."""
    from exporter.labels import catalogue, language_tag

    value = merged(*defaults).get("lang")
    tag = language_tag(str(value[0])) if value else None
    return dataclasses.replace(context, labels=catalogue(tag)) if tag else context


def _shared_pathways(work: list[RowJob], results: list[RowResult]) -> dict[str, Pathway]:
    """The pathways of the rows done, by id, in roster order: each gets its shared part once."""
    pathways: dict[str, Pathway] = {}
    for job, result in zip(work, results, strict=True):
        if result.ok:
            pathway = _pathway(_pathway_ref(job.row, job))
            pathways.setdefault(pathway.id, pathway)
    return pathways


def _combine_pdfs(
    out_dir: Path,
    results: list[RowResult],
    choice: pipeline.OutputChoice,
    context: RunContext,
    title: str | None,
    pathways: dict[str, Pathway],
) -> tuple[Path, dict[int, range]]:
    """all-plans.pdf: the cover and index, the booklet's shared parts (one per pathway) and every plan
    in roster order, each starting on an odd page so duplex printing keeps them apart; a bookmark for
    each. Returns the file and each row's pages in it."""
    from exporter.pdfjoin import Part, join_pdfs
    from exporter.writers.pdf_booklet import render_shared

    labels = context.labels
    heading = CONTROL.sub("", title or labels("pdf.all-plans"))
    parts_dir = out_dir / PARTS
    parts_dir.mkdir(exist_ok=True)
    ok = [r for r in results if r.ok]
    (plan_pdf,) = REGISTRY["pdf"].file_names(choice.options)
    plans = [
        Part(
            parts_dir / "plans" / f"{r.folder}.pdf" if pathways else out_dir / r.folder / plan_pdf,
            CONTROL.sub("", r.name),
        )
        for r in ok
    ]
    shared = []
    for number, pathway in enumerate(pathways.values(), start=1):
        path = write_atomically(parts_dir / f"shared-{number}.pdf", render_shared(pathway, context, choice.theme))
        shared.append(Part(path, labels("pdf.shared-part", title=pathway.title)))
    cover_path = write_atomically(parts_dir / "cover.pdf", _cover(heading, shared, plans, context, choice.theme))
    target = out_dir / COMBINED
    with atomic_stream(target) as handle:
        ranges = join_pdfs([Part(cover_path, labels("pdf.index")), *shared, *plans], handle, heading)
    return target, {r.row: pages for r, pages in zip(ok, ranges[1 + len(shared) :], strict=True)}


def _cover(heading: str, shared: list[Part], plans: list[Part], context: RunContext, theme: Theme) -> bytes:
    """The cover and index, its page numbers counted after the cover's own pages."""
    from exporter.writers.pdf_booklet import render_cover

    counts = [_page_count(part.path) for part in (*shared, *plans)]
    names = [part.bookmark for part in (*shared, *plans)]
    cover, cover_pages = b"", 2
    for _ in range(8):  # the index's length moves the numbers it prints, not its own length: this settles at once
        entries = _index(cover_pages, counts, names)
        cover = render_cover(heading, entries[len(shared) :], entries[: len(shared)], context, theme)
        if _page_count(cover) == cover_pages:
            break
        cover_pages = _page_count(cover)
    return cover


def _index(cover_pages: int, counts: list[int], names: list[str]) -> tuple[IndexEntry, ...]:
    """Each part's first and last page after a cover of `cover_pages`, every part starting on an odd page."""
    from exporter.writers.pdf_booklet import IndexEntry

    entries, used = [], cover_pages + cover_pages % 2
    for name, count in zip(names, counts, strict=True):
        entries.append(IndexEntry(name, used + 1, used + count))
        used += count + count % 2
    return tuple(entries)


def _page_count(source: Path | bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(source) if isinstance(source, bytes) else source).pages)
