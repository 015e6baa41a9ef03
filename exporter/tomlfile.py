"""One reader for every TOML input (pathways, profiles, themes): data, and the line of each key.

Syntax errors come back as one located Problem (`file:line`); values keep a map from field
paths (`phases[2].weeks`, indexes from 1) to the line that holds them.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exporter.errors import InputError, Kind, Problem

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")
_MAX_NESTING = 32


@dataclass(frozen=True)
class TomlDocument:
    """A parsed TOML input: its data, where it came from, and the line of each field path."""

    source: str
    data: dict[str, Any]
    lines: dict[str, int]

    def line(self, path: str) -> int | None:
        """The line of a field path, else of its nearest parent that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path.rpartition(".")[0] if "." in path else ""
        return None

    def problem(self, path: str, message: str, kind: Kind = Kind.VALUE) -> Problem:
        """A problem with one field, located at its line."""
        return Problem(self.source, message, line=self.line(path), field=path or None, kind=kind)


def parse_toml(text: str, source: str) -> TomlDocument:
    """Parse TOML text (a leading BOM is accepted); a syntax error is one Problem at its line."""
    text = text.removeprefix("\ufeff")
    depth = _nesting(text)
    if depth > _MAX_NESTING:
        raise InputError(Problem(source, f"values nested {depth} deep; at most {_MAX_NESTING} levels", kind=Kind.LIMIT))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        line = getattr(err, "lineno", None) or _line_from_message(str(err))
        message = getattr(err, "msg", None) or re.sub(r"\s*\(at line.*\)$", "", str(err))
        raise InputError(Problem(source, f"TOML syntax error: {message}", line=line, kind=Kind.SYNTAX)) from None
    except RecursionError:
        raise InputError(Problem(source, "values nested too deep", kind=Kind.LIMIT)) from None
    return TomlDocument(source, data, locate_keys(text))


def read_toml_file(path: Path, what: str, limit: int) -> TomlDocument:
    """Read and parse a TOML file of at most `limit` bytes; every failure is a Problem naming the file."""
    from exporter.inputs import decode_text, read_input

    return parse_toml(decode_text(read_input(path, what, limit), path, what), str(path))


def _nesting(text: str) -> int:
    """The deepest bracket nesting outside strings: tomllib recurses on it, so it is bounded first."""
    depth = deepest = 0
    quote = ""
    escaped = False
    for char in text:
        if quote:
            if escaped:
                escaped = False
            elif char == "\\" and quote == '"':
                escaped = True
            elif char == quote or char == "\n":
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth = max(0, depth - 1)
        elif char == "#":
            quote = "\n"
    return deepest


def _line_from_message(message: str) -> int | None:
    found = re.search(r"at line (\d+)", message)
    return int(found.group(1)) if found else None


def locate_keys(text: str) -> dict[str, int]:
    """Map field paths (`phases[2].weeks`, 1-based indexes) to the line that holds them.

    tomllib gives values without positions; this light scan of the same text follows
    table headers and keys, which is all a located error message needs.
    """
    lines: dict[str, int] = {}
    counters: dict[str, int] = {}
    prefix = ""
    in_multiline: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        if in_multiline:
            if raw.count(in_multiline) % 2 == 1:
                in_multiline = None
            continue
        header = _HEADER.match(raw)
        if header:
            parts = [part.strip().strip("\"'") for part in header.group(2).split(".")]
            if header.group(1) == "[[":
                parent = _indexed_prefix(parts[:-1], counters)
                key = f"{parent}.{parts[-1]}" if parent else parts[-1]
                counters[key] = counters.get(key, 0) + 1
                prefix = f"{key}[{counters[key]}]"
            else:
                prefix = _indexed_prefix(parts, counters)
            lines.setdefault(prefix, number)
            continue
        key = _KEY.match(raw)
        if key:
            path = f"{prefix}.{key.group(1)}" if prefix else key.group(1)
            lines.setdefault(path, number)
            rest = raw[key.end() :]
            for quote in ('"""', "'''"):
                if rest.count(quote) % 2 == 1:
                    in_multiline = quote
    return lines


def _indexed_prefix(parts: list[str], counters: dict[str, int]) -> str:
    path = ""
    for part in parts:
        path = f"{path}.{part}" if path else part
        if path in counters:
            path = f"{path}[{counters[path]}]"
    return path
