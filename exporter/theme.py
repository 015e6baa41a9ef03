"""Themes: colours, fonts, logo and paper for the writers, from a TOML file a facilitator copies."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

from exporter.errors import InputError, Problem

_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
PAPERS = ("letter", "a4")


@dataclass(frozen=True)
class Theme:
    name: str = "Default"
    paper: str = "letter"
    primary: str = "#1F3A5F"
    accent: str = "#C8553D"
    muted: str = "#5B6770"
    light: str = "#E8EEF4"
    font: str = ""
    font_bold: str = ""
    logo: str = ""
    organisation: str = ""

    def hex(self, name: str) -> str:
        """A colour without its `#`, as openpyxl wants it."""
        return getattr(self, name).lstrip("#").upper()


def load_theme(path: str | None) -> Theme:
    if not path:
        return Theme()
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as err:
        raise InputError(Problem(path, f"cannot read theme: {err.strerror}")) from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise InputError(Problem(path, f"not a valid TOML theme: {err}")) from None
    known = {f.name for f in fields(Theme)}
    problems = [
        Problem(path, f"unknown theme key (known: {', '.join(sorted(known))})", field=k) for k in data if k not in known
    ]
    for key, value in data.items():
        if key in known and not isinstance(value, str):
            problems.append(Problem(path, f"must be text, got {value!r}", field=key))
    if problems:
        raise InputError(problems)
    theme = replace(Theme(), **data)
    base = Path(path).resolve().parent
    for key in ("font", "font_bold", "logo"):
        value = getattr(theme, key)
        if value:
            resolved = (base / value).resolve()
            if not resolved.is_file():
                problems.append(Problem(path, f"no such file: {value}", field=key))
            theme = replace(theme, **{key: str(resolved)})
    if theme.logo and Path(theme.logo).is_file() and not _is_image(Path(theme.logo)):
        problems.append(Problem(path, "must be a PNG, JPEG or GIF image", field="logo"))
    for key in ("primary", "accent", "muted", "light"):
        if not _COLOUR.match(getattr(theme, key)):
            problems.append(Problem(path, f"must be a colour like #1F3A5F, got {getattr(theme, key)!r}", field=key))
    try:
        theme = replace(theme, paper=paper_size(theme.paper, path, field="paper"))
    except InputError as err:
        problems.extend(err.problems)
    if problems:
        raise InputError(problems)
    return theme


def paper_size(value: str, source: str, field: str | None = None) -> str:
    """`letter` or `a4`, in any case; anything else is bad input named by its source."""
    paper = value.strip().lower()
    if paper not in PAPERS:
        raise InputError(Problem(source, f"must be letter or a4, got {value!r}", field=field))
    return paper


def _is_image(path: Path) -> bool:
    with open(path, "rb") as handle:
        head = handle.read(8)
    return head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a"))
