"""The writers and their registry: each turns one plan into the contents of its files.

A writer is a module with `render(plan, context, theme, options) -> {file name: bytes}` and
`file_names(options) -> tuple[str, ...]`. Its words are those of `context.labels`: the pipeline
hands a localised writer a context with the catalogue of the plan's language (`output_context`). It computes no dates and reads no clock: the plan,
the run's context and the theme hold everything it shows. To add a format, write the module
and add one Writer line to REGISTRY; `--formats`, its help, `list --formats` and batch follow.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import import_module

from exporter.context import RunContext
from exporter.errors import Problem
from exporter.plan import Plan
from exporter.theme import Theme

DEFAULT_REMINDER = 15
MAX_REMINDER = 40320  # four weeks, in minutes


class CalendarContent(StrEnum):
    """Which events a calendar holds."""

    ALL = "all"
    MILESTONES = "milestones"
    SESSIONS = "sessions"


class Handout(StrEnum):
    """How much the printed plan holds: everything, or what a participant needs on paper."""

    FULL = "full"
    SHORT = "short"


@dataclass(frozen=True)
class WriterOptions:
    """Choices about the outputs that are not part of the plan or the theme."""

    calendar: CalendarContent = CalendarContent.ALL
    ics_split: bool = False
    reminder: int | None = DEFAULT_REMINDER
    """Minutes before each session; None for no reminders."""
    new_calendar: bool = False
    """The calendar starts a new edition: new UIDs and name, nothing carried from previous calendars."""
    handout: Handout = Handout.FULL
    """The short handout: title, at a glance, your week, start now and the dated tasks of each phase."""
    personal_only: bool = False
    """The PDF leaves out what is the same for everyone (about, what you bring, how to learn each skill,
    the reality check, the FAQ): a workshop booklet prints that once (exporter/writers/pdf_booklet.py)."""
    previous_calendars: Mapping[str, bytes] = field(default_factory=dict, hash=False)
    """The calendar files this export replaces: file name (as `file_names` gives it, e.g. plan.ics,
    or milestones.ics and sessions.ics with --ics-split) -> the bytes of that file as it is now.
    The caller reads them from the output folder; a name left out (no such file) means none.
    The calendar writer keeps each unchanged event's SEQUENCE, raises a changed one's and writes
    events the plan no longer has as cancelled (see exporter/writers/ics.py). Other writers ignore it."""


@dataclass(frozen=True)
class Writer:
    """A format: its name and the module that renders it (imported when used); `format.<name>` describes it."""

    format: str
    module: str
    default: bool = True
    """Written by `export` and `batch` unless --formats says otherwise."""
    localised: bool = True
    """Speaks the plan's language (`plan.language`); False for the command line's text, which stays English."""
    problems: str = ""
    """The module's function (plan, context, theme) -> Problems saying what the person should know about
    the files (the PDF's `printing_problems`); none when empty."""

    def render(self, plan: Plan, context: RunContext, theme: Theme, options: WriterOptions) -> dict[str, bytes]:
        """File name -> content of this format's files for the plan."""
        return import_module(self.module).render(plan, context, theme, options)

    def warnings(self, plan: Plan, context: RunContext, theme: Theme) -> tuple[Problem, ...]:
        """What the person should know about this format's files for the plan (`problems`: the PDF's
        characters no font prints), or nothing."""
        if not self.problems:
            return ()
        return getattr(import_module(self.module), self.problems)(plan, context, theme)

    def load(self) -> None:
        """Import the module that renders this format (and the libraries it uses) now rather than at the
        first render: a batch does it before its worker processes start, so they start with it."""
        import_module(self.module)

    def file_names(self, options: WriterOptions) -> tuple[str, ...]:
        """The names of the files this format writes with these options."""
        return import_module(self.module).file_names(options)


REGISTRY: dict[str, Writer] = {
    writer.format: writer
    for writer in (
        Writer("xlsx", "exporter.writers.xlsx"),
        Writer("ics", "exporter.writers.ics"),
        Writer("pdf", "exporter.writers.pdf", problems="printing_problems"),
        Writer("json", "exporter.writers.plan_json", default=False),
        Writer("txt", "exporter.writers.text", default=False, localised=False),
    )
}
DEFAULT_FORMATS = tuple(name for name, writer in REGISTRY.items() if writer.default)


def output_context(plan: Plan, context: RunContext, writer: Writer) -> RunContext:
    """The context a writer renders the plan with: the catalogue of the plan's language for a
    localised writer, the run's own (English) catalogue for the command line's text."""
    from dataclasses import replace

    from exporter.labels import catalogue

    if not writer.localised or context.labels.language == plan.language:
        return context
    return replace(context, labels=catalogue(plan.language))


def formats_help() -> str:
    """The help text of `--formats`, from the registry."""
    return "Any of " + ", ".join(REGISTRY) + f" (default {','.join(DEFAULT_FORMATS)})."
