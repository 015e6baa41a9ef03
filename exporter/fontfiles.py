"""The fonts for scripts the shipped DejaVu Sans lacks: which files, from which package, found where.

DejaVu Sans (shipped in exporter/fonts) prints Latin, Greek and Cyrillic. Chinese, Japanese and
Korean, Arabic, Hebrew, Devanagari and Thai need fonts of their own. They are not shipped (the
CJK font alone is 5 MB): they are the TrueType files of two Debian packages, looked up by file
name in the usual font folders. A fixed list of file names, not whatever fontconfig would pick,
so the same inputs give the same PDF on every machine that has the packages, and a machine that
lacks one can be told exactly which package to install.

This module only names and finds files; the edge (environment.py) calls `find_fonts` once per run
and the run's context carries the result to the PDF writer.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path


@dataclass(frozen=True)
class ScriptFont:
    """A script the shipped font lacks, the Unicode ranges it covers and where its font comes from."""

    script: str
    ranges: tuple[tuple[int, int], ...]
    package: str
    regular: str
    bold: str = ""
    subfont: int = 0
    """The face to use in a TrueType collection (.ttc)."""
    right_to_left: bool = False
    shaped: bool = False
    """Letters change form with their neighbours (joining, vowel signs): the text must be shaped."""

    def covers(self, code: int) -> bool:
        """Whether the code point belongs to this script's ranges."""
        return any(low <= code <= high for low, high in self.ranges)


SCRIPT_FONTS = (
    ScriptFont(
        "Chinese, Japanese and Korean",
        (
            (0x1100, 0x11FF),
            (0x2E80, 0x2FDF),
            (0x3000, 0x9FFF),
            (0xA960, 0xA97F),
            (0xAC00, 0xD7FF),
            (0xF900, 0xFAFF),
            (0xFE30, 0xFE4F),
            (0xFF00, 0xFFEF),
            (0x20000, 0x2FA1F),
        ),
        "fonts-wqy-microhei",
        "wqy-microhei.ttc",
    ),
    ScriptFont(
        "Arabic",
        ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)),
        "fonts-noto-core",
        "NotoSansArabic-Regular.ttf",
        "NotoSansArabic-Bold.ttf",
        right_to_left=True,
        shaped=True,
    ),
    ScriptFont(
        "Hebrew",
        ((0x0590, 0x05FF), (0xFB1D, 0xFB4F)),
        "fonts-noto-core",
        "NotoSansHebrew-Regular.ttf",
        "NotoSansHebrew-Bold.ttf",
        right_to_left=True,
        shaped=True,
    ),
    ScriptFont(
        "Devanagari",
        ((0x0900, 0x097F), (0xA8E0, 0xA8FF)),
        "fonts-noto-core",
        "NotoSansDevanagari-Regular.ttf",
        "NotoSansDevanagari-Bold.ttf",
        shaped=True,
    ),
    ScriptFont("Thai", ((0x0E00, 0x0E7F),), "fonts-noto-core", "NotoSansThai-Regular.ttf", "NotoSansThai-Bold.ttf"),
)


@dataclass(frozen=True)
class FoundFont:
    """A script's font files on this machine (bold is the regular file where no bold one is installed)."""

    script: str
    regular: str
    bold: str


@cache
def script_of(character: str) -> ScriptFont | None:
    """The script of the table a character belongs to, or None."""
    code = ord(character)
    return next((entry for entry in SCRIPT_FONTS if entry.covers(code)), None)


def find_fonts(directories: Iterable[Path]) -> tuple[FoundFont, ...]:
    """The table's fonts found in the folders (searched in order, recursively; the first file of a name wins)."""
    wanted = {name for entry in SCRIPT_FONTS for name in (entry.regular, entry.bold) if name}
    found: dict[str, str] = {}
    for directory in directories:
        for folder, subfolders, files in os.walk(directory):
            subfolders.sort()
            for name in sorted(wanted.intersection(files) - found.keys()):
                found[name] = str(Path(folder) / name)
    return tuple(
        FoundFont(entry.script, found[entry.regular], found.get(entry.bold, found[entry.regular]))
        for entry in SCRIPT_FONTS
        if entry.regular in found
    )
