"""The run's context: today, the build time and the default time zone, made once at the edge.

Nothing below the command line reads the clock or the environment; it is handed this value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from exporter.fontfiles import FoundFont
from exporter.labels import ENGLISH, Labels


@dataclass(frozen=True)
class RunContext:
    """What a run knows about its moment and place.

    `build_time` is an aware UTC datetime stamped into every output (SOURCE_DATE_EPOCH when
    set, so builds reproduce); `today` is the day the plan is made on, in `default_zone`;
    `default_zone` is the IANA zone used when the person gives none; `labels` is the catalogue
    every word a person reads comes from; `fonts` the machine's fonts for scripts the shipped font
    lacks (CJK, Arabic, Hebrew, Devanagari, Thai), found once at the edge; `processes` the cores the run may
    use: above 1, `export` and `replan` render a person's formats side by side, a process each (1: in turn).
    """

    today: date
    build_time: datetime
    default_zone: str = "UTC"
    labels: Labels = field(default=ENGLISH)
    fonts: tuple[FoundFont, ...] = ()
    processes: int = 1

    def __post_init__(self) -> None:
        if self.build_time.tzinfo is None:
            raise ValueError("build_time must be timezone-aware")


def fixed_context(moment: datetime, zone: str = "UTC") -> RunContext:
    """A context for one moment (an aware datetime): today is its date in `zone`; for tests and batch workers."""
    from zoneinfo import ZoneInfo

    stamp = moment.astimezone(UTC).replace(microsecond=0)
    return RunContext(today=stamp.astimezone(ZoneInfo(zone)).date(), build_time=stamp, default_zone=zone)
