"""A person's plan inputs, from command-line options, a profile file or a roster row.

Each raw value carries a label saying where it came from (`--start`, `me.toml: start`,
`roster.csv: row 4: timezone`), so every problem names the input the user has to fix.
"""

from __future__ import annotations

import contextlib
import os
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
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
from exporter.errors import InputError, Problem

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
)
OUTPUT_SETTING_NAMES = ("pathway", "paper", "theme", "reminder")
DEFAULT_SESSION_START = "19:00"
DEFAULT_SPREAD_DAYS = "mon,wed,sat"

Raw = dict[str, tuple[Any, str]]
"""Setting name -> (value, label of where the value came from)."""


@dataclass(frozen=True)
class PlanRequest:
    """Everything the planner needs about the person, validated."""

    start: date
    availability: WeeklyAvailability
    timezone: str
    closed: ClosedDays
    participant: str | None = None
    finish_by: date | None = None
    spread_days: tuple[int, ...] = ()
    session_start: int = 19 * 60
    identity: str | None = None
    """Who the plan is for, as calendar UIDs see it; defaults to the participant's name."""

    @property
    def blackouts(self) -> tuple[Blackout, ...]:
        return self.closed.blackouts


def layer(values: dict[str, Any], label_for) -> Raw:
    """Tag each non-empty value with where it came from; `label_for(name)` makes the label."""
    return {name: (value, label_for(name)) for name, value in values.items() if not _empty(value)}


def merged(*layers: Raw) -> Raw:
    """The first layer that has a setting wins (e.g. command line, then profile)."""
    result: Raw = {}
    for raw in reversed(layers):
        result.update(raw)
    return result


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == () or value == []


def read_profile(path: str) -> Raw:
    """A profile TOML: the plan options by their snake_case names."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as err:
        raise InputError(Problem(path, f"cannot read profile: {err.strerror}")) from None
    except UnicodeDecodeError:
        raise InputError(Problem(path, "profile is not UTF-8 text")) from None
    except tomllib.TOMLDecodeError as err:
        raise InputError(Problem(path, f"TOML syntax error: {err}")) from None
    known = (*SETTING_NAMES, *OUTPUT_SETTING_NAMES, "blackouts")
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise InputError(
            [Problem(path, f"unknown setting (known: {', '.join(known)})", field=name) for name in unknown]
        )
    if "blackouts" in data:
        data.setdefault("blackout", data.pop("blackouts"))
    return layer(data, lambda name: f"{path}: {name}")


def build_request(raw: Raw, today: date | None = None) -> PlanRequest:
    """Validate every setting, collecting all problems before failing."""
    problems: list[Problem] = []
    parsed: dict[str, Any] = {}
    for name, parse in _PARSERS.items():
        try:
            parsed[name] = parse(raw, today or date.today())
        except InputError as err:
            problems.extend(err.problems)
    if problems:
        raise InputError(list(dict.fromkeys(problems)))  # one setting can trouble two parsers
    return PlanRequest(
        start=parsed["start"],
        availability=parsed["availability"],
        timezone=parsed["timezone"],
        closed=ClosedDays(parsed["blackout"], parsed["holidays"]),
        participant=parsed["name"],
        finish_by=parsed["finish_by"],
        spread_days=parsed["spread"][0] if raw.get("days") else parsed["availability"].days,
        session_start=parsed["spread"][1],
    )


def _text(raw: Raw, name: str) -> tuple[str | None, str]:
    value, label = raw.get(name, (None, f"--{name.replace('_', '-')}"))
    if value is None:
        return None, label
    if isinstance(value, list | tuple):
        return "; ".join(str(item) for item in value), label
    if isinstance(value, date):
        return value.isoformat(), label
    return str(value).strip(), label


def _start(raw: Raw, today: date) -> date:
    text, label = _text(raw, "start")
    return parse_date(text, label) if text else today + timedelta(days=-today.weekday() % 7)


def _finish_by(raw: Raw, today: date) -> date | None:
    text, label = _text(raw, "finish_by")
    return parse_date(text, label) if text else None


def _name(raw: Raw, today: date) -> str | None:
    text, label = _text(raw, "name")
    if text and any(ord(char) < 32 for char in text):
        raise InputError(Problem(label, "a name cannot hold control characters"))
    return text or None


def _spread(raw: Raw, today: date) -> tuple[tuple[int, ...], int]:
    days_text, days_label = _text(raw, "days")
    start_text, start_label = _text(raw, "session_start")
    days = tuple(parse_weekdays(days_text or DEFAULT_SPREAD_DAYS, days_label))
    return days, parse_clock(start_text or DEFAULT_SESSION_START, start_label)


def _availability(raw: Raw, today: date) -> WeeklyAvailability:
    text, label = _text(raw, "availability")
    hours_text, hours_label = _text(raw, "hours_per_week")
    if text and hours_text:
        raise InputError(Problem(label, f"give either availability windows or {hours_label}, not both"))
    if text:
        return parse_availability(text, label)
    if hours_text:
        hours = _hours(hours_text, hours_label)
        days, session_start = _spread(raw, today)
        return spread_availability(hours, list(days), session_start, hours_label)
    return parse_availability(DEFAULT_AVAILABILITY, "default availability")


def _hours(text: str, label: str) -> float:
    try:
        hours = float(text)
    except ValueError:
        raise InputError(Problem(label, f"not a number of hours: {text!r}")) from None
    if not 0 < hours <= 168:
        raise InputError(Problem(label, f"must be more than 0 and at most 168 hours a week, got {text}"))
    return hours


def _timezone(raw: Raw, today: date) -> str:
    text, label = _text(raw, "timezone")
    zone = text or system_timezone()
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(Problem(label, f"unknown time zone {zone!r} (use an IANA name like Europe/Berlin)")) from None
    return zone


def _blackouts(raw: Raw, today: date) -> tuple[Blackout, ...]:
    value, label = raw.get("blackout", ((), "--blackout"))
    items = [value] if isinstance(value, str | date) else list(value)
    texts = [part for item in items for part in str(item).replace(",", ";").split(";")]
    return blackouts_from(texts, label)


def _holidays(raw: Raw, today: date) -> str | None:
    text, label = _text(raw, "holidays")
    return parse_holidays(text, label) if text else None


_PARSERS = {
    "start": _start,
    "finish_by": _finish_by,
    "name": _name,
    "spread": _spread,
    "availability": _availability,
    "timezone": _timezone,
    "blackout": _blackouts,
    "holidays": _holidays,
}


def system_timezone() -> str:
    """The machine's IANA zone where it can be found (TZ, /etc/localtime, /etc/timezone), else UTC."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text().strip())
    for zone in candidates:
        if zone:
            try:
                ZoneInfo(zone)
                return zone
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return "UTC"
