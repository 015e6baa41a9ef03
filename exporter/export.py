"""One person's export: render the requested formats from one plan, then write them safely."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from exporter.atomic import write_atomically
from exporter.errors import InputError, Problem
from exporter.plan import Plan
from exporter.theme import Theme, load_theme, paper_size

FORMATS = ("xlsx", "ics", "pdf")
TRACKER = "tracker.xlsx"
DEFAULT_REMINDER = 15


@dataclass(frozen=True)
class ExportOptions:
    formats: tuple[str, ...] = FORMATS
    theme: Theme = field(default_factory=Theme)
    calendar: str = "all"
    ics_split: bool = False
    reminder: int | None = DEFAULT_REMINDER
    """Minutes before each session; None for no reminders."""

    @classmethod
    def from_cli(
        cls, formats: str, paper: str | None, theme: str | None, calendar: str, ics_split: bool, reminder: object
    ) -> ExportOptions:
        chosen = tuple(dict.fromkeys(part.strip().lower() for part in formats.split(",") if part.strip()))
        unknown = [name for name in chosen if name not in FORMATS]
        if unknown or not chosen:
            raise InputError(Problem("--formats", f"must be any of {', '.join(FORMATS)}, got {formats!r}"))
        if reminder is not None and (isinstance(reminder, bool) or not isinstance(reminder, int) or reminder < 0):
            raise InputError(Problem("reminder", f"must be a whole number of minutes, got {reminder!r}"))
        return cls(chosen, load_theme(theme), calendar, ics_split, reminder).with_paper(paper, "paper")

    def with_paper(self, paper: str | None, source: str, field: str | None = None) -> ExportOptions:
        """The options with another paper size, when one is given (checked, named by its source)."""
        return replace(self, theme=replace(self.theme, paper=paper_size(paper, source, field))) if paper else self


def render(plan: Plan, options: ExportOptions) -> dict[str, bytes]:
    """File name -> content for every requested format; nothing is written here."""
    files: dict[str, bytes] = {}
    for name in options.formats:
        files.update(_RENDERERS[name](plan, options))
    return files


def _xlsx(plan: Plan, options: ExportOptions) -> dict[str, bytes]:
    from exporter.writers.xlsx import render_xlsx

    return {TRACKER: render_xlsx(plan, options.theme)}


def _ics(plan: Plan, options: ExportOptions) -> dict[str, bytes]:
    from exporter.writers.ics import render_ics

    if options.ics_split:
        return {
            f"{kind}.ics": render_ics(plan, options.theme, calendar=kind, reminder=options.reminder)
            for kind in ("milestones", "sessions")
        }
    return {"plan.ics": render_ics(plan, options.theme, calendar=options.calendar, reminder=options.reminder)}


def _pdf(plan: Plan, options: ExportOptions) -> dict[str, bytes]:
    from exporter.writers.pdf import render_pdf

    return {"plan.pdf": render_pdf(plan, options.theme)}


_RENDERERS: dict[str, Callable[[Plan, ExportOptions], dict[str, bytes]]] = {"xlsx": _xlsx, "ics": _ics, "pdf": _pdf}


@dataclass(frozen=True)
class Written:
    path: Path
    note: str = ""
    verb: str = "wrote"

    def __str__(self) -> str:
        return f"{self.verb} {self.path}{f' ({self.note})' if self.note else ''}"


def prepare_folder(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise InputError(Problem(str(folder), "output folder is a file"))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(Problem(str(folder), f"cannot create output folder: {err.strerror}")) from None
    if not os.access(folder, os.W_OK):
        raise InputError(Problem(str(folder), "output folder is not writable"))


GOOGLE_EVENT_LIMIT = 1000  # Google Calendar's import is reported to stop near this many events


def export_plan(plan: Plan, folder: Path, options: ExportOptions, force: bool = False) -> list[Written]:
    """Render first, then write each file atomically; an existing tracker is kept unless forced."""
    files = render(plan, options)
    prepare_folder(folder)
    written = []
    for name, data in files.items():
        target = folder / name
        try:
            written.append(_write(target, data, force))
        except OSError as err:
            raise InputError(Problem(str(target), f"cannot write: {err.strerror or err}")) from None
    return written


def _write(target: Path, data: bytes, force: bool) -> Written:
    if target.name == TRACKER and target.exists():
        if not force:
            return Written(target, "it holds your progress; --force replaces it", verb="kept")
        os.replace(target, target.with_name(f"{TRACKER}.bak"))
        return Written(write_atomically(target, data), f"old one kept as {TRACKER}.bak")
    return Written(write_atomically(target, data), _calendar_note(target, data))


def _calendar_note(target: Path, data: bytes) -> str:
    if target.suffix != ".ics":
        return ""
    events = data.count(b"BEGIN:VEVENT")
    if events > GOOGLE_EVENT_LIMIT:
        return (
            f"{events} events: Google Calendar imports about {GOOGLE_EVENT_LIMIT} at most; fewer, longer sessions help"
        )
    return ""
