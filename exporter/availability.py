"""When a person can study: weekly time windows, blackout days and public holidays."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache

from exporter.errors import Origin
from exporter.model import QUARTER

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DEFAULT_AVAILABILITY = "mon-thu 19:00-21:00; sat 09:00-11:00"
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class Window:
    """A weekly study window in local wall time; minutes from midnight, end may be 1440."""

    weekday: int
    start: int
    end: int

    @property
    def minutes(self) -> int:
        return self.end - self.start

    def label(self) -> str:
        return f"{WEEKDAYS[self.weekday]} {clock(self.start)}-{clock(self.end)}"


@dataclass(frozen=True)
class WeeklyAvailability:
    windows: tuple[Window, ...]

    @property
    def hours_per_week(self) -> float:
        return sum(window.minutes for window in self.windows) / 60

    @property
    def days(self) -> tuple[int, ...]:
        return tuple(sorted({window.weekday for window in self.windows}))

    def on(self, weekday: int) -> tuple[Window, ...]:
        return tuple(window for window in self.windows if window.weekday == weekday)

    def spec(self) -> str:
        """The canonical text form, as `--availability` takes it."""
        return "; ".join(window.label() for window in self.windows)


def clock(minutes: int) -> str:
    """`HH:MM` for minutes from midnight (1440 is `24:00`)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_clock(text: str, origin: Origin) -> int:
    found = _TIME.match(text.strip())
    if not found or int(found.group(1)) > 24 or int(found.group(2)) > 59:
        raise origin.fail(f"not a time of day (HH:MM): {text.strip()!r}")
    minutes = int(found.group(1)) * 60 + int(found.group(2))
    if minutes > 24 * 60:
        raise origin.fail(f"not a time of day (HH:MM): {text.strip()!r}")
    if minutes % QUARTER:
        raise origin.fail(f"times must be on the quarter hour (:00, :15, :30, :45), got {text!r}")
    return minutes


def parse_weekdays(text: str, origin: Origin) -> list[int]:
    """`mon,wed,sat`, `mon-fri` or full names, in any case."""
    days: list[int] = []
    for part in re.split(r"[,;\s]+", text.strip().lower()):
        if not part:
            continue
        first, dash, last = part.partition("-")
        start = _weekday(first, origin)
        end = _weekday(last, origin) if dash else start
        span = range(start, end + 1) if end >= start else [*range(start, 7), *range(0, end + 1)]
        days.extend(day for day in span if day not in days)
    if not days:
        raise origin.fail("no weekday given")
    return days


def _weekday(name: str, origin: Origin) -> int:
    for index, full in enumerate(WEEKDAY_NAMES):
        if len(name) >= 3 and full.lower().startswith(name):
            return index
    raise origin.fail(f"unknown weekday {name!r} (use mon, tue, wed, thu, fri, sat, sun)")


def parse_availability(text: str, origin: Origin) -> WeeklyAvailability:
    """Parse `mon 19:00-21:00; wed,fri 07:00-08:00 19:00-21:00; sat 09:00-13:00`."""
    windows: list[Window] = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        days_text, _, times_text = part.partition(" ")
        if not times_text.strip():
            raise origin.fail(f"{part!r} needs a weekday and a time window, e.g. 'mon 19:00-21:00'")
        days = parse_weekdays(days_text, origin)
        for span in times_text.replace(",", " ").split():
            start_text, dash, end_text = span.partition("-")
            if not dash:
                raise origin.fail(f"{span!r} is not a time window (HH:MM-HH:MM)")
            start, end = parse_clock(start_text, origin), parse_clock(end_text, origin)
            if end <= start:
                raise origin.fail(f"window {span!r} ends before it starts")
            windows.extend(Window(day, start, end) for day in days)
    return _checked(windows, origin)


def spread_availability(
    hours_per_week: float, days: list[int], session_start: int, origin: Origin
) -> WeeklyAvailability:
    """Spread weekly hours evenly, in quarter hours, over the given days from one start time."""
    quarters = round(hours_per_week * 60 / QUARTER)
    if quarters <= 0:
        raise origin.fail(f"must be more than 0 hours a week, got {hours_per_week:g}")
    base, extra = divmod(quarters, len(days))
    windows = []
    for index, day in enumerate(days):
        minutes = (base + (1 if index < extra else 0)) * QUARTER
        if minutes and session_start + minutes > 24 * 60:
            raise origin.fail(
                f"{minutes / 60:g} h a day from {clock(session_start)} runs past midnight; "
                "choose an earlier session start or more days"
            )
        if minutes:
            windows.append(Window(day, session_start, session_start + minutes))
    return _checked(windows, origin)


def _checked(windows: list[Window], origin: Origin) -> WeeklyAvailability:
    if not windows:
        raise origin.fail("no availability: give at least one time window")
    windows.sort(key=lambda window: (window.weekday, window.start))
    for before, after in itertools.pairwise(windows):
        if before.weekday == after.weekday and after.start < before.end:
            raise origin.fail(f"windows {before.label()} and {after.label()} overlap")
    return WeeklyAvailability(tuple(windows))


@dataclass(frozen=True)
class Blackout:
    """Days with no study, both ends inclusive."""

    first: date
    last: date

    def label(self) -> str:
        return self.first.isoformat() if self.first == self.last else f"{self.first}..{self.last}"


EARLIEST_DATE = date(1901, 1, 1)
LATEST_DATE = date(9980, 12, 31)  # a ten-year plan, its calendar and its tracker still fit before 9999


def parse_date(text: str, origin: Origin) -> date:
    """A `YYYY-MM-DD` date the outputs can hold (1901 to 9980); anything else fails at its origin."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise origin.fail(f"not a date (YYYY-MM-DD): {text.strip()[:40]!r}") from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise origin.fail(f"must be between {EARLIEST_DATE} and {LATEST_DATE}, got {day}")
    return day


def parse_blackout(text: str, origin: Origin) -> Blackout:
    first_text, dots, last_text = text.strip().partition("..")
    first = parse_date(first_text, origin)
    last = parse_date(last_text, origin) if dots else first
    if last < first:
        raise origin.fail(f"blackout {text.strip()!r} ends before it starts")
    return Blackout(first, last)


@dataclass(frozen=True)
class ClosedDays:
    """Blackouts plus the public holidays of one place (`US`, `US-CA`, `DE-BY`)."""

    blackouts: tuple[Blackout, ...] = ()
    holidays: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "_holidays", _holiday_calendar(self.holidays) if self.holidays else None)

    def reason(self, day: date) -> str | None:
        for blackout in self.blackouts:
            if blackout.first <= day <= blackout.last:
                return "blackout"
        calendar = self._holidays  # type: ignore[attr-defined]
        if calendar is not None and day in calendar:
            return calendar.get(day)
        return None


def _holiday_calendar(code: str):
    """The public holidays of a place whose code `parse_holidays` has checked."""
    import holidays

    country, _, subdivision = code.partition("-")
    return holidays.country_holidays(country, subdiv=subdivision or None, categories=("public",))


FALLBACK_HOLIDAY_LANGUAGES = ("en_US", "en_GB")
"""Holiday names in English where the package has none in the person's language."""


def holiday_names(code: str, first: date, last: date, languages: tuple[str, ...]) -> tuple[tuple[date, str], ...]:
    """The public holidays of a place (`DE-BE`) from `first` to `last`, in date order, each named in the
    first of `languages` the holidays package has for that place, else in English, else in the place's
    own language."""
    return tuple(
        (day, name)
        for year in range(first.year, last.year + 1)
        for day, name in _named_holidays(code, year, languages)
        if first <= day <= last
    )


@cache
def _named_holidays(code: str, year: int, languages: tuple[str, ...]) -> tuple[tuple[date, str], ...]:
    import holidays

    country, _, subdivision = code.partition("-")
    known = holidays.country_holidays(country, subdiv=subdivision or None, categories=("public",)).supported_languages
    language = next((wanted for wanted in (*languages, *FALLBACK_HOLIDAY_LANGUAGES) if wanted in known), None)
    calendar = holidays.country_holidays(
        country, subdiv=subdivision or None, categories=("public",), years=year, language=language
    )
    return tuple(sorted(calendar.items()))


def parse_holidays(code: str, origin: Origin) -> str:
    """Check a holiday place code (`US`, `US-CA`) against the package's list, so a typo is reported early."""
    import holidays

    place = code.strip().upper()
    country, _, subdivision = place.partition("-")
    supported = holidays.list_supported_countries()
    if country not in supported:
        raise origin.fail(f"unknown holiday country {country!r} (use an ISO code like US, DE)")
    if subdivision and subdivision not in supported[country]:
        raise origin.fail(f"unknown subdivision {subdivision!r} of {country} ({', '.join(supported[country])})")
    return place


def blackouts_from(texts: Iterable[str], origin: Origin) -> tuple[Blackout, ...]:
    return tuple(parse_blackout(text, origin) for text in texts if text.strip())
