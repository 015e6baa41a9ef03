"""Reading the user's input files safely: a regular file, of bounded size, that can never block.

Every file the user names (a pathway, a profile, a theme, a guide, a roster, a busy calendar)
is read through `read_input`, with the limit for its kind below, and text through `decode_text`.
Anything wrong becomes a `Problem` naming the file, never an exception or a hang.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from exporter.errors import InputError, Kind, Problem

KB = 1024
MB = 1024 * KB

PATHWAY_LIMIT = 2 * MB
PROFILE_LIMIT = 256 * KB
THEME_LIMIT = 256 * KB
GUIDE_LIMIT = 5 * MB
ROSTER_LIMIT = 20 * MB
"""The roster file as stored (a CSV, or an .xlsx before unpacking)."""
CALENDAR_LIMIT = 20 * MB  # a calendar file (the plan.ics an export replaces, a busy calendar)

_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO swapped in after the check opens at once instead of waiting
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
_CHUNK = 1 * MB
_BOM = b"\xef\xbb\xbf"


def read_input(path: Path, what: str, limit: int) -> bytes:
    """The whole content of the user's file `path`, a `what` ("guide", "roster"...) of at most `limit` bytes.

    The contract:
    - `path` must be a regular file once symlinks are resolved; a folder, a FIFO, a socket or a
      device (/dev/zero, even through a symlink) is refused: "not a regular file".
    - The size is checked with os.stat before anything is read, and again on the open file; the
      read itself stops after `limit + 1` bytes, so a file that grows meanwhile (or whose size
      the system does not know, as under /proc) is caught too: "larger than the N MB limit for a
      WHAT". Memory use is bounded by `limit`, never by the file.
    - The file is opened with O_NONBLOCK, so a FIFO swapped in between the check and the open can
      never make the program wait.
    - Any OSError (missing file, no permission...) becomes "cannot read: <reason>".
    Every refusal is an InputError holding one Problem whose source is `str(path)` as given.
    """
    source = str(path)
    try:
        _check(source, os.stat(path), what, limit)
        descriptor = os.open(path, _OPEN_FLAGS)
        try:
            _check(source, os.fstat(descriptor), what, limit)
            data = _read_at_most(descriptor, limit + 1)
        finally:
            os.close(descriptor)
    except OSError as err:
        raise InputError(Problem(source, f"cannot read: {err.strerror or err}")) from None
    if len(data) > limit:
        raise InputError(Problem(source, _too_large(what, limit)))
    return data


def decode_text(data: bytes, path: Path, what: str) -> str:
    """`data` read from `path` as UTF-8 text; a leading byte order mark is accepted and removed.

    Bytes that are not UTF-8 are a Problem naming the file and the byte offset (counted in the
    file, BOM included) of the first bad byte.
    """
    start = len(_BOM) if data.startswith(_BOM) else 0
    try:
        return str(memoryview(data)[start:], "utf-8")
    except UnicodeDecodeError as err:
        raise InputError(
            Problem(str(path), f"not UTF-8 text (byte {start + err.start}); save the {what} as UTF-8")
        ) from None


def limit_text(limit: int) -> str:
    """A size limit as people say it: 2 MB, 256 KB."""
    if limit >= MB and limit % MB == 0:
        return f"{limit // MB} MB"
    if limit >= KB and limit % KB == 0:
        return f"{limit // KB} KB"
    return f"{limit} bytes"


def _too_large(what: str, limit: int) -> str:
    return f"larger than the {limit_text(limit)} limit for a {what}"


def _check(source: str, info: os.stat_result, what: str, limit: int) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise InputError(Problem(source, f"not a regular file ({_kind(info.st_mode)})"))
    if info.st_size > limit:
        raise InputError(Problem(source, _too_large(what, limit)))


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a file"


def _read_at_most(descriptor: int, size: int) -> bytes:
    chunks = []
    left = size
    while left > 0:
        chunk = os.read(descriptor, min(left, _CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


ZIP_MAX_RATIO = 200
"""Spreadsheet XML packs 5 to 50 to 1; more, on a member over ZIP_RATIO_FLOOR, is a zip bomb."""
ZIP_RATIO_FLOOR = 1 * MB


def check_unpacked(source: str, members: list, limit: int, what: str, real: str) -> None:
    """Refuse a zip bomb before anything unpacks it, by the members' sizes as the archive declares them.

    Python's zipfile (which openpyxl reads through) never unpacks a member past its declared size
    and checks its CRC, so the declared sizes bound what reading the workbook can unpack. `what`
    names the file in the limit message (`roster workbook`), `real` in the ratio one (`roster`).
    """
    if sum(member.file_size for member in members) > limit:
        message = f"unpacks to more than the {limit_text(limit)} limit for a {what}"
        raise InputError(Problem(source, message, kind=Kind.LIMIT))
    for member in members:
        if member.file_size > ZIP_RATIO_FLOOR and member.file_size > ZIP_MAX_RATIO * max(member.compress_size, 1):
            message = (
                f"{member.filename} is compressed more than {ZIP_MAX_RATIO} to 1, beyond any real {real}; "
                "open and save it again in a spreadsheet program"
            )
            raise InputError(Problem(source, message, kind=Kind.LIMIT))
