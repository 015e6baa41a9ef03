"""Reading input files safely: regular files only, bounded in size (placeholder until merged)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from exporter.errors import InputError, Kind, Problem

MB = 1024 * 1024
PATHWAY_LIMIT = 2 * MB
PROFILE_LIMIT = 256 * 1024
THEME_LIMIT = 256 * 1024
GUIDE_LIMIT = 5 * MB
ROSTER_LIMIT = 20 * MB
BUSY_LIMIT = 20 * MB


def read_input(path: Path, what: str, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; anything else is a Problem naming the file."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as err:
        raise InputError(Problem(str(path), f"cannot read: {err.strerror}", kind=Kind.UNREADABLE)) from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise InputError(Problem(str(path), f"not a regular file (a {what} must be one)", kind=Kind.UNREADABLE))
        data = handle.read(limit + 1) if info.st_size <= limit else b"x" * (limit + 1)
    if len(data) > limit:
        raise InputError(Problem(str(path), f"larger than the {limit / MB:g} MB limit for a {what}", kind=Kind.LIMIT))
    return data


def decode_text(data: bytes, path: Path, what: str) -> str:
    """UTF-8 text without a leading BOM; anything else is a Problem naming the byte."""
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as err:
        raise InputError(
            Problem(str(path), f"{what} is not UTF-8 text ({err.reason} at byte {err.start})", kind=Kind.UNREADABLE)
        ) from None
