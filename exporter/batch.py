"""Workshop batch mode: a roster in, every participant's files out, plus one print-ready PDF.

Rows are planned and rendered in worker processes (ReportLab is not thread-safe); results come
back in roster order, so `--jobs 1` and `--jobs N` write the same files. A bad row is reported
and skipped; it never stops the others.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from exporter.atomic import atomic_stream, write_atomically
from exporter.errors import InputError, Problem
from exporter.export import ExportOptions, prepare_folder, render
from exporter.loader import load_pathway
from exporter.planner import plan
from exporter.roster import RosterRow, folder_names, read_roster
from exporter.settings import SETTING_NAMES, Raw, build_request, layer, merged

SUMMARY = "summary.csv"
COMBINED = "all-plans.pdf"


@dataclass(frozen=True)
class RowJob:
    row: RosterRow
    folder: str
    roster: str
    out_dir: Path
    options: ExportOptions
    defaults: tuple[Raw, ...]
    pathway: str | None


@dataclass(frozen=True)
class RowResult:
    row: int
    name: str
    folder: str
    finish: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass(frozen=True)
class BatchReport:
    total: int
    results: tuple[RowResult, ...]
    summary: Path
    combined: Path | None
    warnings: tuple[str, ...] = ()

    @property
    def succeeded(self) -> int:
        return sum(result.ok for result in self.results)

    @property
    def failures(self) -> list[str]:
        return [f"row {r.row} ({r.name or 'no name'}): {r.error}" for r in self.results if not r.ok]


def run_batch(
    roster_path: Path,
    out_dir: Path,
    options: ExportOptions,
    defaults: list[Raw],
    pathway: str | None,
    jobs: int | None = None,
    combined_pdf: bool = True,
    progress: Callable[[int, int, str], None] | None = None,
) -> BatchReport:
    roster = read_roster(roster_path)
    if not roster.rows:
        raise InputError(Problem(str(roster_path), "the roster has no participants"))
    prepare_folder(out_dir)
    folders = folder_names([row.name for row in roster.rows])
    work = [
        RowJob(row, folder, str(roster_path), out_dir, options, tuple(defaults), pathway)
        for row, folder in zip(roster.rows, folders, strict=True)
    ]
    results = []
    for done, result in enumerate(_run_all(work, jobs or os.cpu_count() or 1), start=1):
        results.append(result)
        if progress:
            progress(done, len(work), result.name)
    summary = write_atomically(out_dir / SUMMARY, _summary_csv(results))
    combined = None
    if combined_pdf and "pdf" in options.formats and any(r.ok for r in results):
        combined = _combine_pdfs(out_dir, [r for r in results if r.ok])
    warnings = tuple(f"{roster_path}: column '{name}' is not used" for name in roster.ignored_columns)
    return BatchReport(len(work), tuple(results), summary, combined, warnings)


def _run_all(work: list[RowJob], jobs: int):
    if jobs <= 1 or len(work) <= 1:
        yield from map(export_row, work)
        return
    with ProcessPoolExecutor(max_workers=min(jobs, len(work))) as pool:
        yield from pool.map(export_row, work, chunksize=max(1, min(8, len(work) // (jobs * 4))))


def export_row(job: RowJob) -> RowResult:
    """One participant, start to finish; every failure becomes the row's error, never an exception."""
    row = job.row
    try:
        if not row.name.strip():
            raise InputError(Problem(f"{job.roster}: row {row.number}: name", "is required"))
        values = {name: value for name, value in row.values.items() if name in SETTING_NAMES}
        row_layer = layer(values, lambda name: f"{job.roster}: row {row.number}: {name}")
        raw = merged(row_layer, *job.defaults)
        request = replace(build_request(raw), identity=job.folder)
        pathway = _pathway(_pathway_ref(row, job))
        planned = plan(pathway, request)
        options = job.options.with_paper(row.values.get("paper"), f"{job.roster}: row {row.number}", "paper")
        files = render(planned, options)
        target = job.out_dir / job.folder
        if target.resolve().parent != job.out_dir.resolve():
            raise InputError(Problem(job.roster, f"row {row.number}: unsafe folder name {job.folder!r}"))
        for name, data in files.items():
            write_atomically(target / name, data)
        return RowResult(row.number, row.name, job.folder, planned.finish.isoformat())
    except InputError as err:
        return RowResult(row.number, row.name, job.folder, error="; ".join(_short(p) for p in err.problems))
    except Exception as err:  # a bug must not stop the rest of the room
        return RowResult(row.number, row.name, job.folder, error=f"internal error: {type(err).__name__}: {err}")


@cache
def _pathway(ref: str | None):
    """Rows mostly share a pathway: each worker reads a pathway file once."""
    return load_pathway(ref)


def _short(problem: Problem) -> str:
    """The problem without the roster/row prefix, which the summary gives in its own columns."""
    text = str(problem)
    return text.split(": ", 2)[-1] if ": row " in text else text


def _pathway_ref(row: RosterRow, job: RowJob) -> str | None:
    ref = row.values.get("pathway") or job.pathway
    if ref and ref.endswith(".toml") and not Path(ref).is_absolute():
        beside_roster = Path(job.roster).parent / ref
        if beside_roster.exists():
            return str(beside_roster)
    return ref


def _summary_csv(results: list[RowResult]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["row", "name", "folder", "planned_finish", "status", "error"])
    for r in results:
        writer.writerow(
            [r.row, _cell(r.name), r.folder if r.ok else "", r.finish, "ok" if r.ok else "error", _cell(r.error)]
        )
    return buffer.getvalue().encode("utf-8-sig")


def _cell(text: str) -> str:
    """Keep spreadsheet programs from reading roster text as a formula when they open the CSV."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _combine_pdfs(out_dir: Path, results: list[RowResult]) -> Path:
    """Every plan in roster order, each starting on an odd page so duplex printing keeps them apart."""
    from exporter.pdfjoin import join_pdfs

    target = out_dir / COMBINED
    with atomic_stream(target) as handle:
        join_pdfs((out_dir / result.folder / "plan.pdf" for result in results), handle, "All plans")
    return target
