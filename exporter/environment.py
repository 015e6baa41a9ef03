"""The one place that reads the clock and the machine's settings; only the command line calls it."""

from __future__ import annotations

import contextlib
import os
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from exporter.context import RunContext, fixed_context
from exporter.fontfiles import FoundFont, find_fonts

FONT_DIRECTORIES = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".local/share/fonts",
    Path.home() / ".fonts",
    Path("/Library/Fonts"),
)


def context_from_environment() -> RunContext:
    """Today, the build time (SOURCE_DATE_EPOCH when set, else now), the machine's time zone, fonts and the
    processes a person's files may be rendered in."""
    context = fixed_context(build_time(), system_timezone())
    return replace(context, fonts=installed_fonts(), processes=render_processes())


def render_processes() -> int:
    """The cores this process may use. Whether it can fork to use them is decided where it would
    (`pipeline.renderers`, `forked.can_fork`), so no command pays for that check at start-up."""
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else range(os.cpu_count() or 1)
    return max(1, len(cores))


def installed_fonts() -> tuple[FoundFont, ...]:
    """The fonts this machine has for the scripts DejaVu Sans lacks (see exporter.fontfiles)."""
    return find_fonts(FONT_DIRECTORIES)


def build_time() -> datetime:
    """SOURCE_DATE_EPOCH when it holds a usable number of seconds, else the current time, in UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit() and int(epoch) < 253402300799:  # up to 9999-12-31T23:59:59Z
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.now(tz=UTC).replace(microsecond=0)


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
        candidates.append(Path("/etc/timezone").read_text()[:200].strip())
    for zone in candidates:
        if zone:
            try:
                ZoneInfo(zone)
                return zone
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return "UTC"
