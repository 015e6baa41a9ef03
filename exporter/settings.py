"""A person's plan inputs, from command-line options, a profile file or a roster row.

Each raw value carries its Origin (the option, the profile's file and line, or the roster's
file and row), so every problem names the input the user has to fix.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from exporter.availability import (
    DEFAULT_AVAILABILITY,
    Blackout,
    ClosedDays,
    WeeklyAvailability,
    blackouts_from,
    parse_availability,
    parse_clock,
    parse_date,
    parse_holidays,
    parse_weekdays,
    spread_availability,
)
from exporter.busytime import (
    DEFAULT_MIN_SESSION,
    MAX_BUFFER,
    MAX_MIN_SESSION,
    MAX_SOURCES,
    NO_BUSY_RULES,
    NO_BUSY_TIME,
    URL_SCHEMES,
    BusyRules,
    BusySource,
    BusyTime,
    Tentative,
)
from exporter.context import RunContext
from exporter.controls import ANY_CONTROL
from exporter.errors import InputError, Kind, Origin, Problem
from exporter.inputs import PROFILE_LIMIT
from exporter.labels import DEFAULT_LANGUAGE, language_tag, languages
from exporter.tomlfile import read_toml_file

SETTING_NAMES = (
    "name",
    "start",
    "availability",
    "hours_per_week",
    "days",
    "session_start",
    "timezone",
    "blackout",
    "holidays",
    "finish_by",
    "busy",
    "busy_tentative",
    "busy_all_day",
    "busy_buffer",
    "min_session",
    "lang",
)
DEFAULT_SESSION_START = "19:00"
DEFAULT_SPREAD_DAYS = "mon,wed,sat"
MAX_NAME = 200

FINISH_BY = Origin("finish_by")
Raw = dict[str, tuple[Any, Origin]]
"""Setting name -> (value, where the value came from)."""

_TEXT = (str,)
_DATE = (str, date)
_TEXTS = (str, list)
_PROFILE_TYPES: dict[str, tuple[type, ...]] = {
    "name": _TEXT,
    "start": _DATE,
    "availability": _TEXTS,
    "hours_per_week": (int, float, str),
    "days": _TEXTS,
    "session_start": _TEXT,
    "timezone": _TEXT,
    "blackout": (str, date, list),
    "holidays": _TEXT,
    "finish_by": _DATE,
    "busy": _TEXTS,
    "busy_tentative": _TEXT,
    "busy_all_day": (bool, str),
    "busy_buffer": (int, str),
    "min_session": (int, str),
    "lang": _TEXT,
    "pathway": _TEXT,
    "paper": _TEXT,
    "handout": _TEXT,
    "theme": _TEXT,
    "reminder": (int,),
}
_TYPE_NAMES = {
    str: "text",
    date: "a date",
    list: "a list",
    int: "a whole number",
    float: "a number",
    bool: "true or false",
}


@dataclass(frozen=True)
class PlanRequest:
    """Everything the planner needs about the person, validated.

    With `finish_by`, `availability` holds the person's own windows, which the planner
    lengthens or shortens around their own times; `finish_by_origin` names where the date
    came from, for a message when no schedule can make it.
    """

    start: date
    availability: WeeklyAvailability
    timezone: str
    closed: ClosedDays
    participant: str | None = None
    finish_by: date | None = None
    finish_by_origin: Origin = FINISH_BY
    identity: str | None = None
    """Who the plan is for, as calendar UIDs see it; defaults to the participant's name."""
    busy: BusyRules = NO_BUSY_RULES
    """The person's busy calendars and how they block study time (read by the pipeline, not here)."""
    busy_time: BusyTime = NO_BUSY_TIME
    """The busy intervals those calendars hold, as the pipeline read them: data the planner cuts windows with."""
    language: str = DEFAULT_LANGUAGE
    """The catalogue's tag of the language the outputs speak (`de`, `pt-BR`)."""

    @property
    def blackouts(self) -> tuple[Blackout, ...]:
        return self.closed.blackouts


def layer(values: dict[str, Any], origin_for: Callable[[str], Origin]) -> Raw:
    """Tag each non-empty value with where it came from; `origin_for(name)` makes the Origin."""
    return {name: (value, origin_for(name)) for name, value in values.items() if not _empty(value)}


def command_line(values: dict[str, Any]) -> Raw:
    """The settings given as command-line options (`--start`), by their snake_case names."""
    return layer({name: values.get(name) for name in SETTING_NAMES}, Origin)


_WINDOWS = frozenset({"availability"})
_SPREAD = frozenset({"hours_per_week", "days", "session_start"})


def merged(*layers: Raw) -> Raw:
    """The first layer that has a setting wins (e.g. command line, then profile).

    The weekly schedule is one choice: once a layer gives availability windows, lower layers'
    hours, days and session start are not used, and the other way round.
    """
    result: Raw = {}
    excluded: frozenset[str] = frozenset()
    for raw in layers:
        for name, item in raw.items():
            if name not in excluded:
                result.setdefault(name, item)
        if not excluded and raw.keys() & _WINDOWS:
            excluded = _SPREAD
        elif not excluded and raw.keys() & _SPREAD:
            excluded = _WINDOWS
    return result


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == () or value == []


def read_profile(path: str) -> Raw:
    """A profile TOML: the plan options by their snake_case names; every problem of the file at once."""
    document = read_toml_file(Path(path), "profile", PROFILE_LIMIT)
    data = dict(document.data)
    written_as = {}
    if "blackouts" in data and "blackout" not in data:
        data["blackout"] = data.pop("blackouts")
        written_as["blackout"] = "blackouts"
    problems = []
    for name, value in data.items():
        expected = _PROFILE_TYPES.get(name)
        if expected is None:
            known = ", ".join(_PROFILE_TYPES)
            problems.append(document.problem(name, f"unknown setting (known: {known})", Kind.UNKNOWN))
        elif (isinstance(value, bool) and bool not in expected) or not isinstance(value, expected):
            wanted = " or ".join(dict.fromkeys(_TYPE_NAMES[kind] for kind in expected))
            problems.append(document.problem(name, f"must be {wanted}, got {_kind_of(value)}", Kind.TYPE))
        elif isinstance(value, list) and not all(isinstance(item, str | date) for item in value):
            problems.append(document.problem(name, "must be a list of text", Kind.TYPE))
    if problems:
        raise InputError(problems)

    def origin(name: str) -> Origin:
        key = written_as.get(name, name)
        return Origin(key, file=path, line=document.line(key))

    return layer(data, origin)


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    return f"{_TYPE_NAMES.get(type(value), type(value).__name__)} ({repr(value)[:40]})"


def build_request(raw: Raw, context: RunContext) -> PlanRequest:
    """Validate every setting against the run's context, collecting all problems before failing."""
    problems: list[Problem] = []
    parsed: dict[str, Any] = {}
    for name, parse in _PARSERS.items():
        try:
            parsed[name] = parse(raw, context)
        except InputError as err:
            problems.extend(err.problems)
    if not problems and parsed["finish_by"] is not None and parsed["finish_by"] <= parsed["start"]:
        origin = raw["finish_by"][1]
        problems.append(origin.problem(f"must be after the start ({parsed['start']}), got {parsed['finish_by']}"))
    if problems:
        raise InputError(problems)  # one setting troubling two parsers is reported once
    return PlanRequest(
        start=parsed["start"],
        availability=parsed["availability"],
        timezone=parsed["timezone"],
        closed=ClosedDays(parsed["blackout"], parsed["holidays"]),
        participant=parsed["name"],
        finish_by=parsed["finish_by"],
        finish_by_origin=raw["finish_by"][1] if "finish_by" in raw else FINISH_BY,
        busy=parsed["busy"],
        language=parsed["lang"],
    )


def _text(raw: Raw, name: str) -> tuple[str | None, Origin]:
    value, origin = raw.get(name, (None, Origin(name)))
    if value is None:
        return None, origin
    if isinstance(value, list | tuple):
        return "; ".join(str(item) for item in value), origin
    if isinstance(value, date):
        return value.isoformat(), origin
    return str(value).strip(), origin


def _start(raw: Raw, context: RunContext) -> date:
    text, origin = _text(raw, "start")
    today = context.today
    return parse_date(text, origin) if text else today + timedelta(days=-today.weekday() % 7)


def _finish_by(raw: Raw, context: RunContext) -> date | None:
    text, origin = _text(raw, "finish_by")
    return parse_date(text, origin) if text else None


def _name(raw: Raw, context: RunContext) -> str | None:
    text, origin = _text(raw, "name")
    if text and any(ord(char) < 32 or 0x7F <= ord(char) < 0xA0 for char in text):
        raise origin.fail("a name cannot hold control characters")
    if text and len(text) > MAX_NAME:
        raise origin.fail(f"is {len(text)} characters long; at most {MAX_NAME}", Kind.LIMIT)
    return text or None


def _availability(raw: Raw, context: RunContext) -> WeeklyAvailability:
    text, origin = _text(raw, "availability")
    hours_text, hours_origin = _text(raw, "hours_per_week")
    days_text, days_origin = _text(raw, "days")
    start_text, start_origin = _text(raw, "session_start")
    finish_by = "finish_by" in raw
    if text and hours_text:
        raise origin.fail(f"give either availability windows or {hours_origin.label()}, not both", Kind.CONFLICT)
    for given, given_origin in ((days_text, days_origin), (start_text, start_origin)):
        if given and (text or not (hours_text or finish_by)):
            raise given_origin.fail(
                f"applies to {hours_origin.label()} or {Origin('finish_by', given_origin.file).label()} "
                "without availability windows; give the windows with their own days and times instead",
                Kind.CONFLICT,
            )
    if text:
        return parse_availability(text, origin)
    if hours_text or (finish_by and days_text):
        days = parse_weekdays(days_text or DEFAULT_SPREAD_DAYS, days_origin)
        session_start = parse_clock(start_text or DEFAULT_SESSION_START, start_origin)
        hours = _hours(hours_text, hours_origin) if hours_text else 0.25 * len(days)
        return spread_availability(hours, days, session_start, hours_origin if hours_text else days_origin)
    return parse_availability(DEFAULT_AVAILABILITY, Origin("availability"))


def _hours(text: str, origin: Origin) -> float:
    try:
        hours = float(text)
    except ValueError:
        raise origin.fail(f"not a number of hours: {text[:40]!r}", Kind.TYPE) from None
    if not 0 < hours <= 168:
        raise origin.fail(f"must be more than 0 and at most 168 hours a week, got {text}")
    return hours


def _timezone(raw: Raw, context: RunContext) -> str:
    text, origin = _text(raw, "timezone")
    zone = text or context.default_zone
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise origin.fail(f"unknown time zone {zone[:60]!r} (use an IANA name like Europe/Berlin)") from None
    return zone


def _blackouts(raw: Raw, context: RunContext) -> tuple[Blackout, ...]:
    value, origin = raw.get("blackout", ((), Origin("blackout")))
    items = [value] if isinstance(value, str | date) else list(value)
    texts = [part for item in items for part in str(item).replace(",", ";").split(";")]
    return blackouts_from(texts, origin)


def _holidays(raw: Raw, context: RunContext) -> str | None:
    text, origin = _text(raw, "holidays")
    return parse_holidays(text, origin) if text else None


def _busy(raw: Raw, context: RunContext) -> BusyRules:
    """The busy calendars and their rules; every problem of them at once."""
    problems: list[Problem] = []
    sources: tuple[BusySource, ...] = ()
    values: dict[str, Any] = {}
    try:
        sources = _busy_sources(raw)
    except InputError as err:
        problems += err.problems
    readers = {
        "busy_tentative": lambda text, origin: read_choice(text, origin, Tentative),
        "busy_all_day": _yes_no,
        "busy_buffer": lambda text, origin: _minutes(text, origin, MAX_BUFFER),
        "min_session": lambda text, origin: _minutes(text, origin, MAX_MIN_SESSION),
    }
    for name, read in readers.items():
        text, origin = _text(raw, name)
        if text:
            try:
                values[name] = read(text, origin)
            except InputError as err:
                problems += err.problems
    if problems:
        raise InputError(problems)
    return BusyRules(
        sources=sources,
        tentative=values.get("busy_tentative", Tentative.BUSY),
        all_day=values.get("busy_all_day", False),
        buffer=values.get("busy_buffer", 0),
        min_session=values.get("min_session", DEFAULT_MIN_SESSION),
    )


Choice = TypeVar("Choice", bound=StrEnum)
"""A closed vocabulary read from text (`read_choice`)."""


def _busy_sources(raw: Raw) -> tuple[BusySource, ...]:
    """`--busy` (each one source), a profile's list, or text of sources separated by `;` (a roster cell,
    a profile's text, a tracker's stored list one a line). A file named in a profile or roster is found
    beside it; a file is kept as an absolute path (what the tracker stores)."""
    value, origin = raw.get("busy", ((), Origin("busy")))
    items = source_texts(value) if isinstance(value, str) else list(value)
    texts = list(dict.fromkeys(str(item).strip() for item in items if str(item).strip()))
    if len(texts) > MAX_SOURCES:
        raise origin.fail(f"{len(texts)} busy calendars; at most {MAX_SOURCES}", Kind.LIMIT)
    sources = []
    for text in texts:
        if ANY_CONTROL.search(text) or len(text) > 2000:
            raise origin.fail("a busy calendar must be a file path or an http(s) address on one line")
        scheme, colon, _rest = text.partition("://")
        if colon and scheme.lower() not in URL_SCHEMES and len(scheme) > 1:
            raise origin.fail(f"only http, https and webcal addresses are read, got a {scheme[:20]!r} address")
        source = BusySource(text, origin)
        if source.is_url and not urlsplit(text).hostname:
            raise origin.fail(f"{source.label}: an address needs a host")
        if not source.is_url:
            beside = Path(origin.file).parent / text if origin.file and not Path(text).is_absolute() else Path(text)
            source = BusySource(str(beside.absolute()), origin)  # so a replan finds it from any folder
        sources.append(source)
    return tuple(sources)


_CALENDAR_FILES = (".ics", ".ical", ".ifb", ".vcs", ".vfb")


def source_texts(text: str) -> list[str]:
    """Busy calendars written in one text, separated by `;` or line breaks. A `;` inside an address's
    query (`https://host/cal?a=1;b=2`) does not separate: a piece after an address with a query that
    reads `name=value` (no `/`, `\\` or calendar file ending) belongs to that address."""
    texts: list[str] = []
    for line in text.split("\n"):
        query = False
        for piece in line.split(";"):
            if query and _query_part(piece):
                texts[-1] += ";" + piece
                continue
            texts.append(piece)
            query = "://" in piece and "?" in piece
    return texts


def _query_part(piece: str) -> bool:
    text = piece.strip()
    return (
        "=" in text
        and not any(mark in text for mark in ("/", "\\", ":"))
        and not text.lower().endswith(_CALENDAR_FILES)
    )


def read_choice(text: str, origin: Origin, choices: type[Choice]) -> Choice:
    """The value of a closed vocabulary written as text (any case, spaces around); a located error
    naming the choices otherwise."""
    try:
        return choices(str(text).strip().lower())
    except ValueError:
        known = " or ".join(choice.value for choice in choices)
        raise origin.fail(f"must be {known}, got {str(text)[:40]!r}") from None


_YES = {"yes", "true", "1", "y", "x"}
_NO = {"no", "false", "0", "n"}


def _yes_no(text: str, origin: Origin) -> bool:
    word = text.strip().lower()
    if word in _YES | _NO:
        return word in _YES
    raise origin.fail(f"must be yes or no, got {text[:40]!r}")


def _minutes(text: str, origin: Origin, most: int) -> int:
    if not re.fullmatch(r"[0-9]{1,6}", text.strip()) or int(text) > most:
        raise origin.fail(f"must be a whole number of minutes from 0 to {most}, got {text[:40]!r}")
    return int(text)


def _language(raw: Raw, context: RunContext) -> str:
    text, origin = _text(raw, "lang")
    if not text:
        return DEFAULT_LANGUAGE
    tag = language_tag(text)
    if tag is None:
        raise origin.fail(f"unknown language {text[:40]!r} (known: {', '.join(languages())})")
    return tag


_PARSERS = {
    "start": _start,
    "finish_by": _finish_by,
    "name": _name,
    "availability": _availability,
    "timezone": _timezone,
    "blackout": _blackouts,
    "holidays": _holidays,
    "busy": _busy,
    "lang": _language,
}
