"""The label catalogue: every word a person reads in an output comes from here.

A catalogue is one folder per language under `exporter/locales/` (one TOML file per output,
sections inside); keys are `section.name` (`sheet.tasks`, `milestone.phase-start`). Writers
ask for a key and its placeholders, never write words of their own, and build formulas from
the same labels, so a translation can never break a formula.

A language's `common.toml` names its Babel locale (`locale = "de_DE"`): dates, times, numbers
and the first day of the week follow that locale's CLDR data (`date.long`, `date.short` and
`date.axis` are CLDR date patterns the translator chooses). Numbers placed with `{hours:g}` or
`{pace:.2f}` are written in the locale's digits and separators (`1.234,5`). `terminal.toml`
holds the command line's words and exists in English only: the command line speaks English.
Babel is imported when a date or number is first formatted, so commands that format none do
not pay for it.
"""

from __future__ import annotations

import re
import string
import tomllib
from dataclasses import dataclass, field
from datetime import date, time
from enum import Enum
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

DEFAULT_LANGUAGE = "en"
COMMAND_LINE_FILE = "terminal.toml"
"""The command line's words: English only, never part of another language's catalogue."""
_FIXED = re.compile(r"\.(\d)f")
FORMATTED_KEPT = 4096
"""Formatted dates and numbers kept per process: a plan formats the same few hundred again and again."""


class _LocaleFormatter(string.Formatter):
    """`str.format` with numbers in the locale's digits and separators for the `g` and `.Nf` specs."""

    def __init__(self, locale: str):
        self.locale = locale

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            if format_spec == "g":
                return format_number(value, self.locale)
            fixed = _FIXED.fullmatch(format_spec)
            if fixed:
                return format_number(value, self.locale, decimals=int(fixed[1]))
        return super().format_field(value, format_spec)


@lru_cache(maxsize=FORMATTED_KEPT)
def format_number(value: float, locale: str, decimals: int | None = None) -> str:
    """`1,234.5` (en), `1.234,5` (de): up to three decimals, or exactly `decimals` of them."""
    from babel.numbers import format_decimal

    pattern = "#,##0.###" if decimals is None else "#,##0." + "0" * decimals if decimals else "#,##0"
    return format_decimal(value, format=pattern, locale=locale)


@dataclass(frozen=True)
class Labels:
    """A language's catalogue: `labels(key, **placeholders)` gives the text a person reads.

    `language` is its tag (`de`, `pt-BR`), `locale` the Babel locale its dates and numbers follow.
    """

    language: str
    entries: dict[str, Any]
    locale: str = "en_GB"
    holiday_languages: tuple[str, ...] = field(default=())
    """The `holidays` package's languages to name public holidays in, best first."""
    first_weekday: int = 0
    """The first day of the locale's week (0 = Monday, 6 = Sunday), as CLDR has it: kept in the
    catalogue (`first-weekday`), so planning needs no locale data."""

    def __call__(self, key: str, **placeholders: Any) -> str:
        """The text of `key` with its placeholders filled; KeyError for a key the catalogue lacks."""
        template = self.entries[key]
        if not placeholders:
            return template
        plain, numbers = _compiled(template)
        if plain is None or not all(_is_number(placeholders.get(name)) for name, _ in numbers):
            return _formatter(self.locale).vformat(template, (), placeholders)
        if numbers:
            placeholders = placeholders | {
                name: format_number(placeholders[name], self.locale, decimals) for name, decimals in numbers
            }
        return plain.format_map(placeholders)

    def items(self, key: str) -> tuple[str, ...]:
        """A list entry (the rating scale) as a tuple."""
        return tuple(self.entries[key])

    def term(self, value: Enum) -> str:
        """The word for a closed-vocabulary value: a status, priority or horizon (`status.done`)."""
        return self(f"{_section(value)}.{value.value}")

    def weekday(self, index: int) -> str:
        """The weekday's name (0 = Monday), as the locale writes it on its own: `Montag`."""
        return _locale(self.locale).days["stand-alone"]["wide"][index]

    def weekday_short(self, index: int) -> str:
        """The weekday's abbreviation (0 = Monday), as the locale writes it in a date: `Mon`, `Mo.`."""
        return _locale(self.locale).days["format"]["abbreviated"][index]

    def long_date(self, day: date) -> str:
        """`Monday 4 January 2027` in English, `Montag, 4. Januar 2027` in German (`date.long`)."""
        return self._date(day, "date.long")

    def short_date(self, day: date | None) -> str:
        """`4 Jan 2027` in English, `4. Jan. 2027` in German (`date.short`); `ongoing` for no date."""
        return self._date(day, "date.short") if day else self("word.ongoing")

    def axis_date(self, day: date) -> str:
        """A month on a timeline axis: `Jan 27` (`date.axis`)."""
        return self._date(day, "date.axis")

    def date_range(self, first: date, last: date) -> str:
        """Days from `first` to `last` as the locale writes a range: `1–7 Feb 2027`, `1.–7. Feb. 2027`; one day
        as its short date."""
        if first == last:
            return self.short_date(first)
        from babel.dates import format_interval

        return format_interval(first, last, self.entries["date.range"], locale=self.locale)

    def time(self, moment: time) -> str:
        """A time of day as the locale writes it: `18:30`, or `6:30 PM` where the locale uses a 12-hour clock."""
        from babel.dates import format_time

        return format_time(moment, "short", locale=self.locale)

    def clock(self, minutes: int) -> str:
        """Minutes after midnight (0 to 1440) as a time of day; the end of the day is midnight."""
        return self.time(time((minutes // 60) % 24, minutes % 60))

    def number(self, value: float, decimals: int | None = None) -> str:
        """A number in the locale's digits and separators: `1,234.5`, `1.234,5`."""
        return format_number(value, self.locale, decimals)

    def month_names(self) -> dict[str, int]:
        """Every way the locale names a month (wide and abbreviated, in and out of a date), -> its number."""
        return _names(_locale(self.locale).months)

    def weekday_names(self) -> dict[str, int]:
        """Every way the locale names a weekday -> its number (0 = Monday)."""
        return _names(_locale(self.locale).days)

    def _date(self, day: date, key: str) -> str:
        return _format_date(day, self.entries[key], self.locale)


@lru_cache(maxsize=FORMATTED_KEPT)
def _format_date(day: date, pattern: str, locale: str) -> str:
    from babel.dates import format_date

    return format_date(day, pattern, locale=locale)


def _names(table: Any) -> dict[str, int]:
    """Babel's month (1-12) or day (0 = Monday) names, wide and abbreviated, in and out of a date."""
    return {
        name: number
        for context in ("format", "stand-alone")
        for width in ("wide", "abbreviated")
        for number, name in table[context][width].items()
    }


@cache
def _locale(tag: str):
    from babel import Locale

    return Locale.parse(tag)


@cache
def _compiled(template: str) -> tuple[str | None, tuple[tuple[str, int | None], ...]]:
    """The template for `str.format_map` with its locale numbers' specs taken out, and those numbers (name,
    decimals: None for `g`), so a number pre-formatted by `format_number` fills it as `_LocaleFormatter` would;
    None for a template `str.format` cannot fill so (a positional or dotted field, a nested spec)."""
    parts: list[str] = []
    numbers: list[tuple[str, int | None]] = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        parts.append(literal.replace("{", "{{").replace("}", "}}"))
        if name is None:
            continue
        if not name.isidentifier() or (spec and "{" in spec):
            return None, ()
        fixed = _FIXED.fullmatch(spec or "")
        if not conversion and (spec == "g" or fixed):
            numbers.append((name, int(fixed[1]) if fixed else None))
            parts.append(f"{{{name}}}")
        else:
            parts.append("{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}")
    return "".join(parts), tuple(numbers)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@cache
def _formatter(locale: str) -> _LocaleFormatter:
    return _LocaleFormatter(locale)


_SECTIONS = {"TaskStatus": "status", "Priority": "priority", "Horizon": "horizon"}


def _section(value: Enum) -> str:
    return _SECTIONS[type(value).__name__]


def _locales() -> Path:
    return Path(str(resources.files("exporter.locales")))


@cache
def languages() -> tuple[str, ...]:
    """The languages the catalogue has, as their tags (`de`, `en`, `pt-BR`): one folder each."""
    return tuple(sorted(path.name for path in _locales().iterdir() if (path / "common.toml").is_file()))


def language_tag(text: str) -> str | None:
    """The catalogue's tag for a language as a person may write it (`pt-br`, `pt_BR`), or None if it has none."""
    wanted = text.strip().replace("_", "-").casefold()
    return next((tag for tag in languages() if tag.casefold() == wanted), None)


@cache
def catalogue(language: str = DEFAULT_LANGUAGE) -> Labels:
    """The catalogue of one language, read once per process from its folder of TOML files.

    English also holds the command line's words (`terminal.toml`); other languages do not."""
    folder = _locales() / language
    entries: dict[str, Any] = {}
    for path in sorted(folder.glob("*.toml")):
        _flatten(tomllib.loads(path.read_text(encoding="utf-8")), "", entries)
    tag = entries.pop("language", language)
    locale = entries.pop("locale", "en_GB")
    holiday_languages = tuple(entries.pop("holidays", ()))
    return Labels(tag, entries, locale, holiday_languages, entries.pop("first-weekday", 0))


def _flatten(table: dict[str, Any], prefix: str, into: dict[str, Any]) -> None:
    for key, value in table.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            _flatten(value, path, into)
        else:
            into[path] = value


ENGLISH = catalogue(DEFAULT_LANGUAGE)
