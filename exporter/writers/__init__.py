"""The writers and their registry: each turns one plan into the contents of its files.

A writer is a module with `render(plan, context, theme, options) -> {file name: bytes}` and
`file_names(options) -> tuple[str, ...]`. It computes no dates and reads no clock: the plan,
the run's context and the theme hold everything it shows. To add a format, write the module
and add one Writer line to REGISTRY; `--formats`, its help, `list --formats` and batch follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from importlib import import_module

from exporter.context import RunContext
from exporter.plan import Plan
from exporter.theme import Theme

DEFAULT_REMINDER = 15


class CalendarContent(StrEnum):
    """Which events a calendar holds."""

    ALL = "all"
    MILESTONES = "milestones"
    SESSIONS = "sessions"


@dataclass(frozen=True)
class WriterOptions:
    """Choices about the outputs that are not part of the plan or the theme."""

    calendar: CalendarContent = CalendarContent.ALL
    ics_split: bool = False
    reminder: int | None = DEFAULT_REMINDER
    """Minutes before each session; None for no reminders."""


@dataclass(frozen=True)
class Writer:
    """A format: its name, what it is, and the module that renders it (imported when used)."""

    format: str
    description: str
    module: str
    default: bool = True
    """Written by `export` and `batch` unless --formats says otherwise."""

    def render(self, plan: Plan, context: RunContext, theme: Theme, options: WriterOptions) -> dict[str, bytes]:
        """File name -> content of this format's files for the plan."""
        return import_module(self.module).render(plan, context, theme, options)

    def file_names(self, options: WriterOptions) -> tuple[str, ...]:
        """The names of the files this format writes with these options."""
        return import_module(self.module).file_names(options)


REGISTRY: dict[str, Writer] = {
    writer.format: writer
    for writer in (
        Writer("xlsx", "tracker.xlsx: the Excel tracker", "exporter.writers.xlsx"),
        Writer("ics", "plan.ics: milestones and study sessions for a calendar", "exporter.writers.ics"),
        Writer("pdf", "plan.pdf: the printable action plan", "exporter.writers.pdf"),
        Writer("json", "plan.json: the plan as JSON", "exporter.writers.plan_json", default=False),
        Writer("txt", "plan.txt: the plan as readable text", "exporter.writers.text", default=False),
    )
}
DEFAULT_FORMATS = tuple(name for name, writer in REGISTRY.items() if writer.default)


def formats_help() -> str:
    """The help text of `--formats`, from the registry."""
    return "Any of " + ", ".join(REGISTRY) + f" (default {','.join(DEFAULT_FORMATS)})."
