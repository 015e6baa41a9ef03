"""Problems with the user's input as values with fields; only the edge turns them into text."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

UNPLACED = "plan"
"""The source of a problem with a plan as a whole rather than with one input."""


class Kind(StrEnum):
    """What sort of problem it is: tests and callers decide on this, never on the message."""

    SYNTAX = "syntax"
    MISSING = "missing"
    TYPE = "type"
    VALUE = "value"
    UNKNOWN = "unknown"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"
    UNREADABLE = "unreadable"
    LIMIT = "limit"
    INFEASIBLE = "infeasible"
    WRITE = "write"
    INTERNAL = "internal"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is (file or option, line or row, field), what kind, and why.

    `source` is a file path, a command-line option (`--start`) or a named input (`plan`);
    `row` is a roster row as the spreadsheet numbers it; `field` a setting or a field path.
    """

    source: str
    message: str
    line: int | None = None
    field: str | None = None
    row: int | None = None
    kind: Kind = Kind.VALUE

    def at_row(self, source: str, row: int) -> Problem:
        """The problem attached to a roster row when it is about the row's plan as a whole.

        Problems that already have a place (a row, a file line, a command-line option, another
        file) keep it; only unplaced ones (`plan`) take the row.
        """
        if self.row is not None or self.line is not None or self.source != UNPLACED:
            return self
        return replace(self, source=source, row=row)

    def __str__(self) -> str:
        return render_problem(self)


def render_problem(problem: Problem, with_source: bool = True) -> str:
    """`file:line: row N: field: message`, each part only where it is known."""
    parts = []
    if with_source:
        parts.append(problem.source if problem.line is None else f"{problem.source}:{problem.line}")
    if problem.row is not None:
        parts.append(f"row {problem.row}")
    if problem.field:
        parts.append(problem.field)
    return ": ".join([*parts, problem.message])


class InputError(Exception):
    """Bad input: carries every problem found, so the user can fix them all at once."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(dict.fromkeys(problems))
        super().__init__("\n".join(render_problem(problem) for problem in self.problems))

    def __reduce__(self):
        """Pickled as its problems (and notes), so it crosses to another process as itself."""
        return type(self), (tuple(self.problems),), self.__dict__


@dataclass(frozen=True)
class Origin:
    """Where a setting's value came from: the command line, a profile file or a roster row."""

    setting: str
    file: str | None = None
    row: int | None = None
    line: int | None = None

    @property
    def option(self) -> str:
        return f"--{self.setting.replace('_', '-')}"

    def problem(self, message: str, kind: Kind = Kind.VALUE) -> Problem:
        """A problem with this setting's value, located where the user wrote it."""
        if self.file is None:
            return Problem(self.option, message, kind=kind)
        return Problem(self.file, message, line=self.line, field=self.setting, row=self.row, kind=kind)

    def fail(self, message: str, kind: Kind = Kind.VALUE) -> InputError:
        """The InputError to raise for a bad value of this setting."""
        return InputError(self.problem(message, kind))

    def label(self) -> str:
        """How a message names this setting when it points the user at it (`--days`, `days`)."""
        return self.option if self.file is None else self.setting
