"""The label catalogue: every word a person reads in an output comes from here.

A catalogue is one folder per language under `exporter/locales/` (one TOML file per output,
sections inside); keys are `section.name` (`sheet.tasks`, `milestone.phase-start`). Writers
ask for a key and its placeholders, never write words of their own, and build formulas from
the same labels, so a translation can never break a formula.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from enum import Enum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Labels:
    """A language's catalogue: `labels(key, **placeholders)` gives the text a person reads."""

    language: str
    entries: dict[str, Any]

    def __call__(self, key: str, **placeholders: Any) -> str:
        """The text of `key` with its placeholders filled; KeyError for a key the catalogue lacks."""
        template = self.entries[key]
        return template.format_map(placeholders) if placeholders else template

    def items(self, key: str) -> tuple[str, ...]:
        """A list entry (weekday names, rating scale) as a tuple."""
        return tuple(self.entries[key])

    def term(self, value: Enum) -> str:
        """The word for a closed-vocabulary value: a status, priority or horizon (`status.done`)."""
        return self(f"{_section(value)}.{value.value}")

    def weekday(self, index: int) -> str:
        return self.entries["date.weekdays"][index]

    def long_date(self, day: date) -> str:
        """`Monday 4 January 2027` in English."""
        return self("date.long", **self._date_parts(day))

    def short_date(self, day: date | None) -> str:
        """`4 Jan 2027` in English; `ongoing` for no date."""
        return self("date.short", **self._date_parts(day)) if day else self("word.ongoing")

    def axis_date(self, day: date) -> str:
        """A month on a timeline axis: `Jan 27`."""
        return self("date.axis", **self._date_parts(day))

    def _date_parts(self, day: date) -> dict[str, Any]:
        return {
            "weekday": self.entries["date.weekdays"][day.weekday()],
            "weekday_short": self.entries["date.weekdays_short"][day.weekday()],
            "day": day.day,
            "month": self.entries["date.months"][day.month - 1],
            "month_short": self.entries["date.months_short"][day.month - 1],
            "year": day.year,
            "year2": f"{day.year % 100:02d}",
        }


_SECTIONS = {"TaskStatus": "status", "Priority": "priority", "Horizon": "horizon"}


def _section(value: Enum) -> str:
    return _SECTIONS[type(value).__name__]


def _locales() -> Path:
    return Path(str(resources.files("exporter.locales")))


@cache
def catalogue(language: str = "en") -> Labels:
    """The catalogue of one language, read once per process from its folder of TOML files."""
    folder = _locales() / language
    entries: dict[str, Any] = {}
    for path in sorted(folder.glob("*.toml")):
        _flatten(tomllib.loads(path.read_text(encoding="utf-8")), "", entries)
    return Labels(entries.pop("language", language), entries)


def _flatten(table: dict[str, Any], prefix: str, into: dict[str, Any]) -> None:
    for key, value in table.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            _flatten(value, path, into)
        else:
            into[path] = value


ENGLISH = catalogue("en")
