"""Themes: colours, fonts, logo and paper for the writers, from a TOML file a facilitator copies."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from pathlib import Path

from exporter.controls import ANY_CONTROL
from exporter.errors import InputError, Kind
from exporter.inputs import THEME_LIMIT
from exporter.tomlfile import read_toml_file

_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
PAPERS = ("letter", "a4")
MAX_LOGO_PIXELS = 25_000_000  # 5000 x 5000: plenty for print, and bounded in memory
MAX_ORGANISATION = 200


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
    """The default theme, or the theme file's; every problem of the file is reported at once."""
    if not path:
        return Theme()
    document = read_toml_file(Path(path), "theme", THEME_LIMIT)
    known = {f.name for f in fields(Theme)}
    problems = []
    values: dict[str, str] = {}
    for key, value in document.data.items():
        if key not in known:
            hint = ", ".join(sorted(known))
            problems.append(document.problem(key, f"unknown theme key (known: {hint})", Kind.UNKNOWN))
        elif not isinstance(value, str):
            problems.append(document.problem(key, f"must be text, got {str(value)[:40]!r}", Kind.TYPE))
        elif ANY_CONTROL.search(value):
            problems.append(document.problem(key, "must not hold control characters"))
        else:
            values[key] = value
    theme = replace(Theme(), **values)
    base = Path(path).resolve().parent
    for key in ("font", "font_bold", "logo"):
        value = getattr(theme, key)
        if value:
            resolved = (base / value).resolve()
            if not resolved.is_file():
                problems.append(document.problem(key, f"no such file: {value}", Kind.UNREADABLE))
                continue
            theme = replace(theme, **{key: str(resolved)})
            problem = _logo_problem(resolved) if key == "logo" else _font_problem(resolved)
            if problem:
                problems.append(document.problem(key, problem))
    for key in ("primary", "accent", "muted", "light"):
        if key in values and not _COLOUR.match(values[key]):
            problems.append(document.problem(key, f"must be a colour like #1F3A5F, got {values[key][:40]!r}"))
    if len(theme.organisation) > MAX_ORGANISATION:
        problems.append(document.problem("organisation", f"at most {MAX_ORGANISATION} characters", Kind.LIMIT))
    paper = paper_size(theme.paper)
    if paper is None:
        problems.append(document.problem("paper", paper_problem(theme.paper)))
    if problems:
        raise InputError(problems)
    return replace(theme, paper=paper)


def paper_size(value: str) -> str | None:
    """`letter` or `a4` for the value in any case, else None."""
    paper = value.strip().lower()
    return paper if paper in PAPERS else None


def paper_problem(value: str) -> str:
    """What is wrong with a paper size that `paper_size` refused."""
    return f"must be letter or a4, got {value[:40]!r}"


def _logo_problem(path: Path) -> str | None:
    """Why the file cannot be a logo (not PNG/JPEG/GIF, damaged, too many pixels), or None."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            if image.format not in ("PNG", "JPEG", "GIF"):
                return "must be a PNG, JPEG or GIF image"
            width, height = image.size
            if width * height > MAX_LOGO_PIXELS:
                return f"is {width}x{height} pixels; at most {MAX_LOGO_PIXELS // 1_000_000} million pixels"
            image.load()
    except Image.DecompressionBombError:
        return f"has more than {MAX_LOGO_PIXELS // 1_000_000} million pixels"
    except UnidentifiedImageError:
        return "must be a PNG, JPEG or GIF image"
    except (OSError, ValueError, SyntaxError) as err:
        return f"is a damaged image ({str(err)[:80]})"
    return None


def _font_problem(path: Path) -> str | None:
    """Why the file cannot be embedded as a font (ReportLab embeds TrueType .ttf only), or None."""
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    try:
        TTFont("ThemeFontProbe", str(path))
    except (TTFError, OSError, ValueError, KeyError, IndexError, AssertionError, TypeError) as err:
        detail = str(err).splitlines()[0][:80] if str(err) else type(err).__name__
        return f"must be a TrueType (.ttf) font ReportLab can embed ({detail})"
    return None
