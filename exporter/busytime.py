"""The person's busy time as data: which calendars, which events block, and the stretches they take.

Reading and expanding the calendars is `exporter.busy`'s work (files, URLs); this module is
pure: the rules a request carries and the busy intervals the planner cuts windows with.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from urllib.parse import urlsplit

from exporter.errors import Kind, Origin, Problem

DEFAULT_MIN_SESSION = 30
"""Minutes: a piece of a window left by busy time is used only when at least this long."""
MAX_MIN_SESSION = 8 * 60
MAX_BUFFER = 4 * 60
MAX_SOURCES = 20
URL_SCHEMES = ("http", "https", "webcal")
"""webcal:// is how calendar apps hand out a subscription; it is fetched over https."""
HIDDEN = "…"
"""Stands for a URL's path and query, which are secrets (a calendar's private address)."""
FOREVER = datetime.max.replace(tzinfo=UTC)


class Tentative(StrEnum):
    """Whether tentative events (`STATUS:TENTATIVE`, Outlook's tentative) block study time."""

    BUSY = "busy"
    FREE = "free"


@dataclass(frozen=True)
class BusySource:
    """One busy calendar as the person named it: a file path or an http(s) URL.

    `text` is what they wrote (or, for a file named in a profile or roster, the path found beside
    that file); `origin` where they wrote it. A URL's path and query are never shown: `label` is its
    scheme and host only. A source read back from a tracker may be such a label (`redacted`): its
    secret address was never stored, so it has to be given again.
    """

    text: str
    origin: Origin = field(default_factory=lambda: Origin("busy"))

    @property
    def is_url(self) -> bool:
        return urlsplit(self.text).scheme.lower() in URL_SCHEMES

    @property
    def address(self) -> str:
        """The URL to fetch: a webcal:// subscription address over https."""
        scheme, _, rest = self.text.partition("://")
        return f"https://{rest}" if scheme.lower() == "webcal" else self.text

    @property
    def label(self) -> str:
        """How outputs and messages name the source: the file as given, or `https://host/…`."""
        if not self.is_url:
            return self.text
        parts = urlsplit(self.text)
        host = parts.hostname or ""
        port = f":{parts.port}" if _port(parts) else ""
        return f"{parts.scheme.lower()}://{host}{port}/{HIDDEN}"

    @property
    def redacted(self) -> bool:
        """A URL whose secret part was left out when it was stored (read back from a tracker)."""
        return self.is_url and self.text == self.label

    def problem(self, message: str, line: int | None = None, kind: Kind = Kind.VALUE) -> Problem:
        """A problem with this calendar, located where the person named it and, when known, at its line."""
        where = self.label if line is None else f"{self.label}:{line}"
        return self.origin.problem(f"{where}: {message}", kind)


def _port(parts) -> int | None:
    try:
        return parts.port
    except ValueError:
        return None


@dataclass(frozen=True)
class BusyRules:
    """Which calendars block study time and how (`--busy`, `--busy-tentative`, `--busy-all-day`,
    `--busy-buffer`, `--min-session`); `buffer` and `min_session` are minutes."""

    sources: tuple[BusySource, ...] = ()
    tentative: Tentative = Tentative.BUSY
    all_day: bool = False
    buffer: int = 0
    min_session: int = DEFAULT_MIN_SESSION


@dataclass(frozen=True)
class BusyTime:
    """Busy intervals (aware UTC, sorted, merged, the buffer already around each) known up to `until`.

    After `until` nothing is known, so the planner treats the time as free: the pipeline makes
    sure the plan ends before it. `min_session` (minutes) drops the slivers a cut leaves.
    """

    intervals: tuple[tuple[datetime, datetime], ...] = ()
    until: datetime = FOREVER
    min_session: int = DEFAULT_MIN_SESSION
    _ends: tuple[datetime, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_ends", tuple(end for _, end in self.intervals))

    def free(self, start: datetime, minutes: int, step: int) -> tuple[list[tuple[datetime, int]], int]:
        """The usable pieces of the stretch from `start` (UTC) lasting `minutes`, and the minutes busy time took.

        Pieces are whole `step`s from the stretch's start (a piece begins at the first step boundary
        after a busy interval ends and ends at the last one before the next begins). A piece shorter
        than `min_session` is dropped unless it is the whole stretch (nothing cut it). Each piece is
        (start, length in steps); the minutes taken count the dropped slivers too.
        """
        end = start + timedelta(minutes=minutes)
        index = bisect_right(self._ends, start)
        if index == len(self.intervals) or self.intervals[index][0] >= end:
            return [(start, minutes // step)], 0
        pieces: list[tuple[datetime, int]] = []
        cursor = start
        while index < len(self.intervals) and self.intervals[index][0] < end:
            busy_start, busy_end = self.intervals[index]
            self._piece(pieces, start, cursor, min(busy_start, end), step)
            cursor = max(cursor, busy_end)
            index += 1
        if cursor < end:
            self._piece(pieces, start, cursor, end, step)
        used = sum(length for _, length in pieces) * step
        return pieces, minutes - used

    def _piece(self, pieces: list, origin: datetime, first: datetime, last: datetime, step: int) -> None:
        begin = -(-_minutes(first - origin) // step)  # round up to a step boundary
        finish = _minutes(last - origin) // step
        if finish > begin and (finish - begin) * step >= self.min_session:
            pieces.append((origin + timedelta(minutes=begin * step), finish - begin))


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)


def merged_intervals(intervals: list[tuple[datetime, datetime]], buffer: int) -> tuple[tuple[datetime, datetime], ...]:
    """The intervals (aware) widened by `buffer` minutes on each side, in UTC, sorted and merged."""
    pad = timedelta(minutes=buffer)
    widened = sorted((start.astimezone(UTC) - pad, end.astimezone(UTC) + pad) for start, end in intervals)
    result: list[tuple[datetime, datetime]] = []
    for start, end in widened:
        if end <= start:
            continue
        if result and start <= result[-1][1]:
            if end > result[-1][1]:
                result[-1] = (result[-1][0], end)
        else:
            result.append((start, end))
    return tuple(result)


NO_BUSY_RULES = BusyRules()
NO_BUSY_TIME = BusyTime()
