"""Career guides (plain text as published, Markdown, or a saved web page) -> pathway TOML.

`guide_reader` turns the file into lines with their Markdown structure; this module finds the
sections by what their headings mean (a roadmap may be called "Your plan" or "Steps"), reads
each section's items and makes the pathway. The published plain-text layout keeps working with
its quirks (`Critical12 weeks`, phase numbers on a line of their own, resources run together).

Nothing is dropped in silence: text that has no place in the pathway goes to its `notes` with
a warning naming its line, and every value that was guessed (a duration, a priority, a horizon)
is listed with its line in the import report.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from exporter.errors import InputError, Problem
from exporter.guide_reader import BOLD_LEVEL, GuideLine, Link, ListKind, decode_guide, looks_like_html, read_guide
from exporter.inputs import GUIDE_LIMIT, read_input
from exporter.loader import parse_pathway, pathway_to_dict
from exporter.model import HORIZONS, Horizon
from exporter.tomlwriter import dumps

WEEKS_PER_MONTH = 4.35
DEFAULT_PHASE_WEEKS = 4
DEFAULT_SKILL_WEEKS = 4
DEFAULT_PRIORITY = "important"
EXAMPLE_GUIDE = "templates/guide.example.md"
MAX_PHASE_NUMBER = 999_999_999
"""Larger numbers (a stray phone number in a guide) are kept as phases, then renumbered."""
PLAIN_HEADING_LENGTH = 70


class Section(StrEnum):
    HEADER = "header"
    OVERVIEW = "overview"
    TRANSFERABLE = "transferable"
    SKILLS = "skills"
    ROADMAP = "roadmap"
    REALITY = "reality"
    ACTIONS = "actions"
    FAQ = "faq"
    CLOSING = "closing"
    UNKNOWN = "unknown"


EXACT_TITLES = {
    "overview": Section.OVERVIEW,
    "your transferable skills": Section.TRANSFERABLE,
    "transferable skills": Section.TRANSFERABLE,
    "skills you'll need to learn": Section.SKILLS,
    "skills you will need to learn": Section.SKILLS,
    "skills to learn": Section.SKILLS,
    "your learning roadmap": Section.ROADMAP,
    "learning roadmap": Section.ROADMAP,
    "roadmap": Section.ROADMAP,
    "reality check": Section.REALITY,
    "start your journey now": Section.ACTIONS,
    "your action plan": Section.ACTIONS,
    "action plan": Section.ACTIONS,
    "frequently asked questions": Section.FAQ,
    "faq": Section.FAQ,
    "faqs": Section.FAQ,
}
"""The published layout's headings: a plain line with one of these is a heading wherever it stands."""

MEANINGS: tuple[tuple[Section, re.Pattern], ...] = tuple(
    (section, re.compile(pattern))
    for section, pattern in (
        (
            Section.CLOSING,
            r"^(?:final|closing|parting|last) (?:words?|thoughts?|notes?)|^conclusions?\b|^wrapping up|^in (?:summary|closing|conclusion)"
            r"|^ready to (?:start|begin|make|take|get|go)|you(?:'ve| have) got this|^good luck|^the bottom line"
            r"|^(?:key )?takeaways?$|^one (?:last|final) thing|^you can do (?:this|it)|^summing up",
        ),
        (Section.FAQ, r"\bfaqs?\b|frequently asked|\bquestions\b|^q ?& ?a$"),
        (
            Section.REALITY,
            r"reality check|honest (?:truth|look|assessment|take)|the truth about|\bpros (?:and|&) cons\b|the good,? the bad"
            r"|what you(?:'ll| will| might| may) (?:love|miss|find hard|struggle with|give up)|^(?:the )?downsides"
            r"|is (?:it|this) (?:right|worth it) for you|before you (?:jump|leap|switch|commit)|trade-?offs"
            r"|^(?:biggest |the )?challenges\b|what to expect",
        ),
        (
            Section.ACTIONS,
            r"action (?:items?|plan|steps)|next steps|get(?:ting)? started|^start (?:your journey|now|today|here)"
            r"|(?:first|immediate) steps|what to do (?:now|next|first|today)|^(?:this|next) (?:week|month)\b|^today\b"
            r"|next \d+ days|30[/ -]60[/ -]90|\b(?:30|60|90)[- ]days?\b|quick wins|to-?do list|take action",
        ),
        (
            Section.TRANSFERABLE,
            r"transferable|what you (?:already )?bring|skills you already have|you already have|what carries over"
            r"|your (?:advantages?|strengths|head start|superpowers|edge)|why .{1,60} (?:make|makes|are|is) (?:great|good|excellent|strong|natural|ideal)"
            r"|head start|strengths you",
        ),
        (
            Section.SKILLS,
            r"skills? (?:you'll|you will|you) need|skills? to (?:learn|build|develop|acquire|gain|master)|^what to learn"
            r"|what you(?:'ll| will)? need to learn|skills? gaps?|gaps? to (?:close|fill)|^new skills|skills you(?:'re| are) missing"
            r"|^(?:key|core|required|essential) skills|skills? needed|^learn these|^skills$",
        ),
        (
            Section.ROADMAP,
            r"road ?map|learning (?:path|plan)|study plan|^your (?:plan|path)\b|^the (?:plan|path)\b|step[- ]by[- ]step|^(?:the )?steps$"
            r"|^(?:the )?phases$|^how to (?:get there|make the (?:switch|transition|move|change))|^(?:your )?timeline$|^the journey$",
        ),
        (
            Section.OVERVIEW,
            r"^overview\b|^introduction\b|^intro$|^about (?:this|the) (?:guide|role|career|transition|path|job)"
            r"|^the big picture|^(?:at a glance|summary)$|^why (?:make )?(?:the|this) (?:switch|change|move)",
        ),
    )
)

FACTS = {"difficulty": "difficulty", "timeline": "timeline", "salary change": "salary_change", "demand": "demand"}
REALITY_LISTS = (
    (
        "love",
        re.compile(r"\blove\b|\benjoy|^pros\b|\bupsides?\b|the good\b|\bbenefits\b|\brewards?\b|\bperks\b|best parts?"),
    ),
    ("miss", re.compile(r"\bmiss\b|give up|leave behind|trade-?offs?|\blose\b")),
    (
        "challenges",
        re.compile(r"challeng|\bhard\b|difficult|^cons\b|downsides?|the bad\b|obstacles|struggle|\btough|watch out"),
    ),
)
HORIZON_WORDS = (
    (
        Horizon.THIS_WEEK,
        re.compile(
            r"\b(?:today|tonight|tomorrow|right now|this week|next (?:7|seven) days|within (?:a|one) week|first week|week 1|day 1|days 1-7)\b"
        ),
    ),
    (
        Horizon.THIS_MONTH,
        re.compile(
            r"\b(?:this month|next (?:30|thirty) days|(?:first|within) (?:30|thirty) days|within (?:a|one) month|first month|month 1|next (?:few|two|2) weeks|weeks? 2-4)\b"
        ),
    ),
    (
        Horizon.NEXT_90_DAYS,
        re.compile(
            r"\b(?:(?:next|within|first) (?:60|90|sixty|ninety) days|(?:60|90)[- ]days?|next (?:3|three) months|this quarter|long[- ]term|months? [23]|later)\b"
        ),
    ),
)
PRIORITY_WORDS = (
    (
        "critical",
        r"critical|essential|must[\s-]*have|must[\s-]*learn|required|crucial|vital|top priority|high priority",
    ),
    ("nice-to-have", r"nice[\s-]*to[\s-]*have|optional|bonus|helpful|low priority|extra credit"),
    ("important", r"important|recommended|should[\s-]*have|medium priority|useful"),
)
PRIORITY_SEARCH = re.compile(r"\b(" + "|".join(f"(?:{words})" for _, words in PRIORITY_WORDS) + r")\b", re.I)
_NUMBER = r"(\d+(?:[.,]\d+)?)"
_UNIT = r"(weeks?|wks?|months?|mos?|days?)"
DURATION_SEARCH = re.compile(
    rf"(?:~|about|approx\.?|approximately|around|roughly|up to)?\s*{_NUMBER}(?:\s*(?:-|–|—|to)\s*{_NUMBER})?\s*\+?\s*{_UNIT}\b",
    re.I,
)
RANGE_SEARCH = re.compile(rf"\b{_UNIT}\s*(\d+)\s*(?:-|–|—|to|through|thru)\s*(\d+)\b", re.I)
DURATION_LABEL = r"(?:duration|time(?:frame| needed| required| commitment| to complete)?|length|estimated time|how long|effort|timeline)"
DURATION_LINE = re.compile(
    rf"^(?:{DURATION_LABEL}\s*[:\-–—]?\s*)?\(?\s*(?:~|about|approx\.?|approximately|around|roughly)?\s*{_NUMBER}"
    rf"(?:\s*(?:-|–|—|to)\s*{_NUMBER})?\s*\+?\s*{_UNIT}\s*(?:total|long|of (?:study|work|learning))?\s*\)?\.?$",
    re.I,
)
ONGOING = re.compile(r"\b(ongoing|continuous|continual|throughout)\b", re.I)
PHASE_KEYWORD = re.compile(r"^(?:phase|step|stage|part)\s*(\d+)\b\s*(.*)$", re.I)
PHASE_RANGE = re.compile(r"^(weeks?|months?|days?)\s*(\d+)(?:\s*(?:-|–|—|to|through|thru)\s*(\d+))?\b\s*(.*)$", re.I)
PHASE_NUMBER = re.compile(r"^(\d+)\b\s*(.*)$")
PHASE_LIKE = re.compile(r"^(?:phase|step|stage|part)\s*\d+\b", re.I)
SEPARATOR = re.compile(r"^\s*[.:)|\-–—]+\s*")
TASK_MODE = re.compile(
    r"^(?:(?:your |key )?tasks?|to-?dos?|what to do|action items?|actions|checklist|do this|activities|steps)$"
)
RESOURCE_MODE = re.compile(
    r"^(?:(?:recommended |learning |useful |key )?resources?|tools?(?: (?:and|&) resources)?|links|(?:further )?reading"
    r"|useful links|where to learn|courses?(?: (?:and|&) resources)?|materials|books?)$"
)
DESCRIPTION_MODE = re.compile(
    r"^(?:goals?|objectives?|outcomes?|focus|why(?: it matters)?|what you'll learn|overview)$"
)
DOMAIN = re.compile(r"\b((?:https?://)?(?:[a-z0-9-]+\.)+(?:gov|com|org|net|edu|io|ai|co|uk|dev)(?:/\S*)?)", re.I)
_INTRO_HINTS = ("great news", "here's what", "here is what", "follow this", "don't wait", "do not wait")
_QUESTION = re.compile(r"^(?:q(?:uestion)?\s*[:.)]\s*)(.+)$", re.I)
_ANSWER = re.compile(r"^(?:a(?:nswer)?\s*[:.)]\s*)(.+)$", re.I)


@dataclass(frozen=True)
class ImportReport:
    """What the import made of the guide: for the terminal and the `--report` file.

    `made` says what became what; `guesses` and `notes` are located lines (`guide.md:12: ...`):
    values the importer chose, and text kept in the pathway's notes.
    """

    source: str
    made: tuple[str, ...]
    guesses: tuple[str, ...]
    notes: tuple[str, ...]
    warnings: tuple[str, ...]

    def markdown(self) -> str:
        """The report as a Markdown document."""
        out = [f"# Import report: {Path(self.source).name}", "", "## What became what", ""]
        out += [
            f"- {_markdown_safe(line)}" if not line.startswith(" ") else f"  - {_markdown_safe(line.strip())}"
            for line in self.made
        ]
        out += ["", "## What was guessed", ""]
        out += [f"- {_markdown_safe(line)}" for line in self.guesses] or ["- nothing"]
        out += ["", "## What went to notes", "", "The pathway's `notes` (not printed in the PDF) hold this text:", ""]
        out += [f"- {_markdown_safe(line)}" for line in self.notes] or ["- nothing"]
        if self.warnings:
            out += ["", "## Warnings", ""]
            out += [f"- {_markdown_safe(line)}" for line in self.warnings]
        return "\n".join(out) + "\n"


@dataclass(frozen=True)
class ImportResult:
    toml: str
    warnings: tuple[str, ...]
    data: dict[str, Any]
    report: ImportReport
    guesses: tuple[str, ...] = ()


@dataclass
class _Guide:
    source: str
    data: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    guesses: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    placed_warnings: set[str] = field(default_factory=set)
    phase_lines: list[int] = field(default_factory=list)
    overview_from_intro: bool = False

    def at(self, line: GuideLine | int | None) -> str:
        number = line.number if isinstance(line, GuideLine) else line
        return f"{self.source}:{number}" if number else self.source

    def unplaced(self, line: GuideLine, why: str) -> None:
        """Text with no place in the pathway: kept in its notes, with a warning naming the line."""
        warning = f"{self.at(line)}: {why}: {_clip(line.text)}"
        self.warnings.append(warning)
        self.placed_warnings.add(warning)
        self.notes.append(f"{self.at(line)}: {_clip(line.text)} ({why})")
        self.data.setdefault("notes", []).append(prose(line))

    def guessed(self, line: GuideLine | int | None, what: str) -> None:
        self.guesses.append(f"{self.at(line)}: {what}")


@dataclass(frozen=True)
class _Block:
    section: Section
    level: int
    lines: tuple[GuideLine, ...]


def import_guide_file(path: Path, hours_per_week: float = 10) -> ImportResult:
    """Read a guide file (text, Markdown, or a saved .html page) and make a pathway of it.

    Text that is not UTF-8 is read as Windows-1252, with a warning. Raises InputError when the
    file cannot be read or is not a career guide.
    """
    raw = read_input(path, "guide", GUIDE_LIMIT)
    text, warning = decode_guide(raw)
    return import_guide_text(
        text,
        str(path),
        hours_per_week,
        html=looks_like_html(path.name, text),
        warnings=(f"{path}: {warning}",) if warning else (),
    )


def import_guide_text(
    text: str, source: str = "guide", hours_per_week: float = 10, html: bool = False, warnings: tuple[str, ...] = ()
) -> ImportResult:
    """Make a pathway of a guide's text; `html` when it is a web page. Raises InputError when it is not a guide."""
    guide = _Guide(source, warnings=list(warnings))
    lines = list(read_guide(text, html=html).lines)
    blocks = _split_sections(lines)
    sections: dict[Section, list[GuideLine]] = {}
    for block in blocks:
        sections.setdefault(block.section, []).extend(block.lines)
    _header(guide, sections.pop(Section.HEADER, []), has_overview=Section.OVERVIEW in sections)
    for section, parse in _SECTION_PARSERS.items():
        if section in sections:
            parse(guide, sections[section])
    for line in sections.get(Section.UNKNOWN, []):
        guide.unplaced(line, "text under a heading the importer does not know")
    _require_guide(guide)
    try:
        data = _ordered(guide.data, hours_per_week)
        toml = dumps(data, header=f"Imported from {Path(source).name} by pathway-export import.")
        parse_pathway(toml, source)
    except InputError as err:
        raise InputError([_in_guide(problem, guide.data, lines, source) for problem in err.problems]) from None
    others = tuple(warning for warning in guide.warnings if warning not in guide.placed_warnings)
    report = ImportReport(source, _made(guide, data), tuple(guide.guesses), tuple(guide.notes), others)
    return ImportResult(toml, tuple(guide.warnings), data, report, tuple(guide.guesses))


def _in_guide(problem: Problem, data: dict[str, Any], lines: list[GuideLine], source: str) -> Problem:
    """A problem of the pathway made from the guide, located at the guide's line that gave the value."""
    value = _value_at(data, problem.field or "")
    needle = " ".join(value.split())[:60] if isinstance(value, str) else ""
    line = next((entry.number for entry in lines if needle and needle in entry.text), None)
    message = f"the guide does not make a valid pathway: {problem.message}"
    return Problem(source, message, line=line, field=problem.field, kind=problem.kind)


def _value_at(data: Any, path: str) -> Any:
    """The value at a field path (`phases[2].tasks[1].title`); a table stands for its title or name."""
    for part in path.split(".") if path else []:
        name, _, index = part.partition("[")
        data = data.get(name) if isinstance(data, dict) else None
        if index and isinstance(data, list):
            position = int(index.rstrip("]")) - 1
            data = data[position] if 0 <= position < len(data) else None
    if isinstance(data, dict):
        return data.get("title") or data.get("name")
    return data


# ---- sections ---------------------------------------------------------------------------------


def _key(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").lower().strip()
    text = re.sub(r"^[^\w(]+", "", text)  # a leading emoji or dash: `🚀 Next steps`
    return re.sub(r"\s+", " ", text.rstrip(":!?.").strip())


def _headingish(line: GuideLine) -> bool:
    """A line that may be a heading: a Markdown heading, a bold line, or a short plain line."""
    if line.heading:
        return True
    return not line.listed and len(line.text) <= PLAIN_HEADING_LENGTH and not line.text.endswith((".", ","))


def section_meaning(line: GuideLine) -> Section | None:
    """The section a heading line opens, by what it says; None for any other line."""
    if not _headingish(line):
        return None
    key = _key(line.text)
    if key in EXACT_TITLES and not line.listed:
        return EXACT_TITLES[key]
    if not line.heading and not line.blank_after:
        return None
    for section, pattern in MEANINGS:
        if pattern.search(key):
            return section
    return None


def _level(line: GuideLine) -> int:
    return line.level if line.heading else BOLD_LEVEL + 1


_IN_SECTION_HEADINGS = {Section.ACTIONS, Section.REALITY}
"""Sections whose own sub-headings (`This week`, `What you'll love`) are items of the section."""


def _split_sections(lines: list[GuideLine]) -> list[_Block]:
    """The guide cut at its section headings; a heading's section keeps sub-headings deeper than itself."""
    blocks: list[_Block] = []
    current, level, body = Section.HEADER, 0, []
    for index, line in enumerate(lines):
        found = section_meaning(line)
        deeper = current not in (Section.HEADER, Section.UNKNOWN) and level and _level(line) > level
        if current is Section.ROADMAP and (deeper or _phase_heading_here(line, lines, index)):
            found = None
        elif found is Section.CLOSING and current is Section.FAQ and not line.heading:
            pass  # `Ready to start?` ends the FAQ of the published layout
        elif found is not None and deeper and found is not current:
            found = None
        elif found is None and current in (Section.OVERVIEW, Section.HEADER) and _implicit_roadmap(line):
            found = Section.ROADMAP
        if found is None and _leaves_section(line, current, level):
            found = Section.UNKNOWN
        if found is None:
            body.append(line)
            continue
        blocks.append(_Block(current, level, tuple(body)))
        current, level, body = found, _level(line), []
        if found in _IN_SECTION_HEADINGS or found is Section.UNKNOWN or _implicit_roadmap(line):
            body.append(line)
        elif found is Section.CLOSING and not line.heading and line.text.endswith("?"):
            body.append(line)  # `Ready to start your transition?`: the closing words' first line
    blocks.append(_Block(current, level, tuple(body)))
    return blocks


def _leaves_section(line: GuideLine, current: Section, level: int) -> bool:
    """A heading the importer does not know, as high as the section's own: the section ends there."""
    if not line.heading or line.level >= BOLD_LEVEL or current in (Section.HEADER, Section.UNKNOWN):
        return False
    return bool(level) and line.level <= level


def _implicit_roadmap(line: GuideLine) -> bool:
    """A `Phase 1: ...`, `Step 1 - ...` or `Weeks 1-4: ...` heading with no roadmap heading above it."""
    if not (line.heading or (_headingish(line) and line.blank_after)):
        return False
    keyword = PHASE_KEYWORD.match(line.text)
    ranged = PHASE_RANGE.match(line.text)
    if keyword:
        return bool(_title_rest(keyword.group(2), line.heading) is not None)
    return bool(ranged and ranged.group(3) and _title_rest(ranged.group(4), line.heading) is not None)


def _phase_heading_here(line: GuideLine, lines: list[GuideLine], index: int) -> bool:
    return _phase_head(line, lines[index + 1] if index + 1 < len(lines) else None, None) is not None


# ---- header -----------------------------------------------------------------------------------

_TITLE = re.compile(
    r"^(?:.*?\b)?from\s+(?:an?\s+|the\s+)?(.+?)\s+(?:to|into|→|->)\s+(?:an?\s+|the\s+)?(.+?)(?:\s*[:–—|(]\s*(.+?)\)?)?$",
    re.I,
)
_ARROW_TITLE = re.compile(r"^(.{2,60}?)\s*(?:→|->|⇒|=>)\s*(.{2,60}?)(?:\s*[:–—|]\s*(.+))?$")


def _header(guide: _Guide, lines: list[GuideLine], has_overview: bool) -> None:
    data = guide.data
    pending_fact: str | None = None
    role_lines: list[str] = []
    intro: list[GuideLine] = []
    for line in lines:
        key = _key(line.text)
        if re.match(r"^career pathway", key):
            continue
        fact, _, value = key.partition(":")
        if fact in FACTS and value.strip():
            data[FACTS[fact]] = line.text.split(":", 1)[1].strip()
            continue
        if key in FACTS:
            pending_fact = FACTS[key]
            continue
        if pending_fact:
            data[pending_fact] = line.text
            pending_fact = None
            continue
        if "title" not in data and _title(data, line):
            continue
        if "title" not in data and len(role_lines) < 2 and _is_role(line):
            role_lines.append(line.text)
            continue
        if not has_overview and _is_prose(line):
            intro.append(line)
            continue
        guide.unplaced(line, "text in the guide's header that is not a known fact")
    if "title" not in data and len(role_lines) == 2:
        data["from_role"], data["to_role"] = role_lines
        data["title"] = f"From {role_lines[0]} to {role_lines[1]}"
    if intro:
        data["overview"] = "\n\n".join(prose(line) for line in intro)
        guide.overview_from_intro = True
        guide.guessed(
            intro[0], f"the overview is the introduction before the first section ({_count(len(intro), 'paragraph')})"
        )


def _title(data: dict[str, Any], line: GuideLine) -> bool:
    """Reads a `From <role> to <role>: subtitle` title (or `<role> → <role>`) into data."""
    found = _TITLE.match(line.text) or _ARROW_TITLE.match(line.text)
    if not found or not found.group(1).strip() or not found.group(2).strip():
        return False
    data["from_role"], data["to_role"] = found.group(1).strip(), found.group(2).strip(" .")
    data["title"] = f"From {data['from_role']} to {data['to_role']}"
    if found.group(3):
        data["subtitle"] = found.group(3).strip()
    return True


def _is_role(line: GuideLine) -> bool:
    return len(line.text) <= 60 and not line.text.endswith(".") and not line.heading and not line.listed


def _is_prose(line: GuideLine) -> bool:
    """A paragraph of running text (an introduction), not a byline or a date."""
    return not line.heading and not line.listed and len(line.text.split()) >= 10 and line.text.endswith((".", "!", "?"))


# ---- items of a section -----------------------------------------------------------------------


def prose(line: GuideLine) -> str:
    """A line as running text: a link keeps its address after its title."""
    return _with_urls(line.text, line.links)


def _with_urls(text: str, links: tuple[Link, ...]) -> str:
    for link in links:
        if link.title != link.url and link.url not in text:
            text = text.replace(link.title, f"{link.title} ({link.url})", 1)
    return text


def _is_intro(line: GuideLine) -> bool:
    return _key(line.text).startswith(_INTRO_HINTS)


def _is_name(line: GuideLine) -> bool:
    return not line.listed and len(line.text) <= 80 and not re.search(r"[.!?:]$", line.text)


def _named(line: GuideLine) -> tuple[str, str] | None:
    """A list item or line that names something: `**Name** rest`, `Name: rest` or `Name - rest`."""
    if line.lead and len(line.lead) <= 80:
        return line.lead, SEPARATOR.sub("", line.rest)
    colon = re.match(r"^([^:.!?]{2,60}?)\s*(?::|\s[-–—]\s)\s*(.+)$", line.text)
    if colon and len(colon.group(1).split()) <= 7:
        return colon.group(1).strip(), colon.group(2).strip()
    return None


def _transferable(guide: _Guide, lines: list[GuideLine]) -> None:
    skills: list[dict[str, str]] = []
    for line in lines:
        named = _named(line) if line.listed or line.lead else None
        if line.heading or (_is_name(line) and not line.lead):
            skills.append({"name": line.text.rstrip(":"), "description": ""})
        elif named:
            skills.append({"name": named[0], "description": named[1]})
        elif line.listed and len(line.text) <= 80:
            skills.append({"name": line.text, "description": ""})
        elif skills:
            skills[-1]["description"] = _join(skills[-1]["description"], prose(line))
        elif not _is_intro(line):
            guide.unplaced(line, "text before the first transferable skill")
    guide.data["transferable_skills"] = skills


# ---- skills to learn --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Duration:
    weeks: float | None  # None: ongoing
    text: str
    ranged: bool = False


def _duration(text: str) -> _Duration | None:
    """The first duration a text names (`6 weeks`, `3-4 months`: the upper end, `ongoing`)."""
    found = DURATION_SEARCH.search(text)
    if found:
        amount = _to_float(found.group(2) or found.group(1))
        unit = found.group(3).lower()
        return _Duration(_in_weeks(amount, unit), found.group(0).strip(), bool(found.group(2)))
    if ONGOING.search(text):
        return _Duration(None, "ongoing")
    return None


def _to_float(text: str) -> float:
    return float(text.replace(",", "."))


def _in_weeks(amount: float, unit: str) -> float:
    if unit.startswith("mo"):
        weeks = amount * WEEKS_PER_MONTH
    elif unit.startswith("d"):
        weeks = amount / 7
    else:
        weeks = amount
    weeks = max(round(weeks, 2), 0.25)
    return int(weeks) if float(weeks).is_integer() else weeks


def _priority_of(text: str) -> str | None:
    found = PRIORITY_SEARCH.search(text)
    if not found:
        return None
    word = found.group(1).lower()
    return next(name for name, words in PRIORITY_WORDS if re.fullmatch(words, word, re.I))


_ATTRIBUTE_LINE = re.compile(
    r"^(?:\W*(?:priority|level|importance)\s*[:\-–]?\s*)?(?P<priority>"
    + "|".join(f"(?:{words})" for _, words in PRIORITY_WORDS)
    + r")?[\s|·•:,;/()\-–—]*(?:(?:time|duration|timeline|effort|time to learn|how long)\s*[:\-–]?\s*)?(?P<rest>.*)$",
    re.I,
)


def _attributes(text: str) -> tuple[str | None, _Duration | None] | None:
    """`Critical12 weeks`, `Priority: critical · Time: 6 weeks`, `Nice to have · Ongoing`: a line of attributes only."""
    found = _ATTRIBUTE_LINE.match(text.strip())
    if not found:
        return None
    rest = found.group("rest").strip(" .,;:)(")
    duration = _duration(rest) if rest else None
    if rest and not (duration and (DURATION_LINE.match(rest) or re.fullmatch(r"(?i)ongoing|continuous", rest))):
        return None
    priority = _priority_of(found.group("priority") or "")
    if priority is None and duration is None:
        return None
    return priority, duration


_META_BREAK = re.compile(r"(?<=[.:;,])\s+|\s[-–—|·•]\s")


def _split_meta(rest: str) -> tuple[str | None, _Duration | None, str]:
    """`(critical, about 6 weeks): Learn auto layout` -> priority, duration and the text that stays."""
    rest = SEPARATOR.sub("", rest.strip())
    paren = re.match(r"^\(([^)]{1,80})\)\s*[:.\-–—]?\s*(.*)$", rest)
    if paren:
        meta, how = paren.group(1), paren.group(2)
    else:
        meta, how = _leading_attributes(rest)
    priority, duration = _priority_of(meta), _duration(meta)
    if priority is None and duration is None:
        return None, None, rest
    return priority, duration, how.strip()


def _leading_attributes(text: str) -> tuple[str, str]:
    """`critical - 4 weeks - Learn X` -> (`critical - 4 weeks`, `Learn X`): the attribute segments a text starts with."""
    start = 0
    for _ in range(4):
        found = _META_BREAK.search(text, start)
        end = found.start() if found else len(text)
        if _attributes(text[start:end]) is None:
            break
        start = found.end() if found else len(text)
        if not found:
            break
    return text[:start], text[start:]


def _skills(guide: _Guide, lines: list[GuideLine]) -> None:
    skills: list[dict[str, Any]] = []
    origins: list[GuideLine] = []
    pending: GuideLine | None = None  # a name line waiting for its attribute line (the published layout)

    def start(name: str, line: GuideLine, priority: str | None, duration: _Duration | None, how: str = "") -> None:
        skill: dict[str, Any] = {"name": name, "priority": priority, "how": how}
        if duration is not None:
            _set_duration(guide, skill, duration, line)
        skills.append(skill)
        origins.append(line)

    def add_how(line: GuideLine) -> None:
        if skills:
            skills[-1]["how"] = _join(skills[-1]["how"], prose(line))
        elif not _is_intro(line):
            guide.unplaced(line, "text before the first skill to learn")

    for line in lines:
        attributes = _attributes(line.text) if not line.listed and not line.heading else None
        if pending is not None and not line.listed and not line.heading:
            priority, duration, how = (*attributes, "") if attributes else _split_meta(line.text)
            if priority or duration:
                start(pending.text, pending, priority, duration, _with_urls(how, line.links))
                pending = None
                continue
        if attributes and skills and _attributes_missing(skills[-1]):
            _apply_attributes(guide, skills[-1], attributes, line)
            continue
        if pending is not None:
            add_how(pending)
            pending = None
        if line.heading:
            priority, duration, _ = _split_meta(_after_name(line.text))
            start(_name_only(line.text), line, priority, duration)
        elif (named := _named(line)) and (line.listed or line.lead or _split_meta(named[1])[:2] != (None, None)):
            priority, duration, how = _split_meta(named[1])
            start(named[0], line, priority, duration, _with_urls(how, line.links))
        elif line.listed and (meta := _split_meta(_after_name(line.text)))[:2] != (None, None):
            start(_name_only(line.text), line, meta[0], meta[1], _with_urls(meta[2], line.links))
        elif line.listed and len(line.text) <= 60 and not line.text.endswith("."):
            start(line.text, line, None, None)
        elif _is_name(line) and not line.listed:
            pending = line
        else:
            add_how(line)
    if pending is not None:
        add_how(pending)
    for skill, line in zip(skills, origins, strict=True):
        if "priority" not in skill or skill["priority"] is None:
            skill["priority"] = DEFAULT_PRIORITY
            guide.guessed(line, f"skill {skill['name']!r} names no priority; {DEFAULT_PRIORITY} assumed")
        if "weeks" not in skill and not skill.get("ongoing"):
            skill["weeks"] = DEFAULT_SKILL_WEEKS
            guide.guessed(line, f"skill {skill['name']!r} names no duration; {DEFAULT_SKILL_WEEKS} weeks assumed")
    guide.data["skills"] = skills


def _attributes_missing(skill: dict[str, Any]) -> bool:
    return skill.get("priority") is None or ("weeks" not in skill and not skill.get("ongoing"))


def _apply_attributes(
    guide: _Guide, skill: dict[str, Any], attributes: tuple[str | None, _Duration | None], line: GuideLine
) -> None:
    priority, duration = attributes
    if priority and skill.get("priority") is None:
        skill["priority"] = priority
    if duration and "weeks" not in skill and not skill.get("ongoing"):
        _set_duration(guide, skill, duration, line)


def _set_duration(guide: _Guide, skill: dict[str, Any], duration: _Duration, line: GuideLine) -> None:
    if duration.weeks is None:
        skill["ongoing"] = True
        return
    skill["weeks"] = duration.weeks
    if duration.ranged:
        guide.guessed(line, f"skill {skill['name']!r} takes {duration.text!r}; the upper end, {duration.weeks:g} weeks")


def _after_name(text: str) -> str:
    paren = re.search(r"\(([^)]{1,80})\)", text)
    if paren:
        return paren.group(0) + " " + text[paren.end() :]
    parts = re.split(r"\s[-–—|]\s|:\s", text, maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


def _name_only(text: str) -> str:
    paren = re.search(r"\s*\(([^)]{1,80})\)", text)
    if paren and (_priority_of(paren.group(1)) or _duration(paren.group(1))):
        return text[: paren.start()].strip(" :-–—") or text
    parts = re.split(r"\s[-–—|]\s|:\s", text, maxsplit=1)
    if len(parts) > 1 and (_priority_of(parts[1][:60]) or _duration(parts[1][:60])):
        return parts[0].strip() or text
    return text.rstrip(":").strip()


# ---- the roadmap ------------------------------------------------------------------------------


class _Style(StrEnum):
    KEYWORD = "keyword"  # Phase 1, Step 2, Weeks 1-4, or a Markdown heading
    NUMBERED = "numbered"  # a `1.` list item that is not indented


@dataclass(frozen=True)
class _PhaseHead:
    number: int | None
    title: str
    duration: _Duration | None
    needs_title: bool
    style: _Style
    ordinal: bool = False  # numbered by position (a week or month range)


def _title_rest(rest: str, strong: bool) -> str | None:
    """What follows `Phase 3`: its title after a separator; words without one only in a real heading."""
    rest = rest.strip()
    if not rest:
        return ""
    if SEPARATOR.match(rest) or rest.startswith("("):
        return SEPARATOR.sub("", rest)
    return rest if strong else None


def _phase_head(line: GuideLine, following: GuideLine | None, phases: list[dict[str, Any]] | None) -> _PhaseHead | None:
    """A phase heading: `Phase 3: Title`, `Step 2 - Title (6 weeks)`, `Weeks 5-8: Title`, `3` or `3. Title`."""
    count = len(phases) if phases is not None else 0
    style = phases[-1]["_style"] if phases else None
    strong = line.heading
    text = line.text
    if line.listed and line.kind is not ListKind.NUMBERED:
        return None
    if DURATION_LINE.match(text):
        return None
    if line.kind is ListKind.NUMBERED:
        if line.indent or style is _Style.KEYWORD or line.ordinal != count + 1 or phases is None:
            return None
        if len(text) > 100 or text.endswith(".") or _tight_list_continues(line, following):
            return None
        title, duration = _title_and_duration(text)
        return _PhaseHead(line.ordinal, title, duration, False, _Style.NUMBERED)
    keyword = PHASE_KEYWORD.match(text)
    if keyword:
        rest = _title_rest(keyword.group(2), strong)
        if rest is None:
            return None
        title, duration = _title_and_duration(rest)
        return _PhaseHead(_phase_number(keyword.group(1)), title, duration, not rest and not strong, _Style.KEYWORD)
    ranged = PHASE_RANGE.match(text)
    if ranged:
        rest = _title_rest(ranged.group(4), strong)
        if rest is None:
            return None
        first, last = int(ranged.group(2)), int(ranged.group(3) or ranged.group(2))
        title, duration = _title_and_duration(rest)
        if duration is None and last >= first:
            duration = _Duration(_in_weeks(last - first + 1, ranged.group(1).lower()), ranged.group(0))
        return _PhaseHead(count + 1, title, duration, False, _Style.KEYWORD, ordinal=True)
    number = PHASE_NUMBER.match(text)
    if number and (strong or not line.listed):
        rest = _title_rest(number.group(2), strong)
        if rest is None:
            return None
        title, duration = _title_and_duration(rest)
        return _PhaseHead(_phase_number(number.group(1)), title, duration, not rest and not strong, _Style.KEYWORD)
    return None


def _tight_list_continues(line: GuideLine, following: GuideLine | None) -> bool:
    """A `1.` item followed at once by `2.`: a numbered list (of tasks), not a phase heading."""
    return (
        following is not None
        and not line.blank_after
        and following.kind is ListKind.NUMBERED
        and following.indent == line.indent
        and following.ordinal == (line.ordinal or 0) + 1
    )


def _title_and_duration(text: str) -> tuple[str, _Duration | None]:
    """A phase title and the duration written in it: `Foundations (6 weeks)`, `Portfolio - 2 months`."""
    ranged = RANGE_SEARCH.search(text)
    if ranged:
        first, last = int(ranged.group(2)), int(ranged.group(3))
        if last >= first:
            duration = _Duration(_in_weeks(last - first + 1, ranged.group(1).lower()), ranged.group(0))
            return _without(text, ranged), duration
    found = DURATION_SEARCH.search(text)
    if not found:
        return text.strip(), None
    return _without(text, found), _duration(found.group(0))


def _without(text: str, found: re.Match) -> str:
    """The text with a matched duration cut out, with its brackets and the separator before it."""
    before, after = text[: found.start()], text[found.end() :]
    if before.rstrip().endswith("(") and after.lstrip().startswith(")"):
        before, after = before.rstrip()[:-1], after.lstrip()[1:]
    before = re.sub(r"[\s:|,\-–—]*(?:about|approx\.?|approximately|around|roughly|~)?\s*$", "", before)
    after = re.sub(r"^\s*[:|,\-–—)]*\s*", " ", after) if after.strip() else ""
    title = (before + after).strip(" :|,-–—")
    return re.sub(r"\(\s*\)", "", title).strip()


def _phase_number(digits: str) -> int | None:
    """The phase's number as the guide gives it; None when too large to be one (the phases are then renumbered)."""
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= len(str(MAX_PHASE_NUMBER)) and int(digits) <= MAX_PHASE_NUMBER else None


def _roadmap(guide: _Guide, lines: list[GuideLine]) -> None:
    phases: list[dict[str, Any]] = []
    mode = ""
    expect_title = False
    for index, line in enumerate(lines):
        if expect_title and not line.listed and not DURATION_LINE.match(line.text):
            phases[-1]["title"], phases[-1]["_duration"] = _title_and_duration(line.text)
            expect_title = False
            continue
        expect_title = False
        head = _phase_head(line, lines[index + 1] if index + 1 < len(lines) else None, phases)
        if head is not None:
            phases.append(_new_phase(head, line))
            guide.phase_lines.append(line.number)
            expect_title, mode = head.needs_title, ""
            continue
        if not phases:
            if not _is_intro(line):
                guide.unplaced(line, "text before the first phase of the roadmap")
            continue
        mode = _phase_line(guide, phases[-1], line, mode)
    _finish_phases(guide, phases)
    guide.data["phases"] = phases


def _new_phase(head: _PhaseHead, line: GuideLine) -> dict[str, Any]:
    return {
        "number": head.number,
        "title": head.title,
        "tasks": [],
        "resources": [],
        "_duration": head.duration,
        "_style": head.style,
        "_line": line,
    }


def _phase_line(guide: _Guide, phase: dict[str, Any], line: GuideLine, mode: str) -> str:
    """One line inside a phase; returns the mode for the lines after it (tasks, resources or text)."""
    key = _key(line.text)
    label, _, inline = line.text.partition(":")
    for name, pattern in (("tasks", TASK_MODE), ("resources", RESOURCE_MODE), ("description", DESCRIPTION_MODE)):
        if pattern.match(key) and ((not line.listed and _headingish(line)) or line.lead):
            return name
        if inline.strip() and len(label) <= 40 and pattern.match(_key(label)):
            _phase_inline(guide, phase, name, line, inline)
            return mode
    if not line.listed and PHASE_LIKE.match(line.text):
        guide.warnings.append(
            f"{guide.at(line)}: looks like a phase heading but is not 'Phase N: title'; "
            f"kept in the phase above: {_clip(line.text)}"
        )
    duration_line = DURATION_LINE.match(line.text) if not line.listed else None
    if duration_line and phase["_duration"] is None:
        phase["_duration"] = _duration(line.text)
        phase["_duration_line"] = line
        return mode
    added = _add_links(phase, line)
    only_link = len(line.links) == 1 and line.text.strip() == line.links[0].title
    if mode == "resources" and not line.listed:
        phase["resources"].extend(_resource(title) for title in split_resources(line.text) if not line.links)
    elif mode == "resources" or (only_link and line.kind is not ListKind.CHECKBOX):
        if not line.links:
            phase["resources"].append(_resource(line.text))
        elif len(added) == 1 and len(line.links) == 1 and len(line.text) <= 120:
            added[0]["title"] = _resource_title(line, line.links[0])
    elif mode == "tasks" or line.listed:
        phase["tasks"].append({"title": line.text})
    else:
        phase["description"] = _join(phase.get("description", ""), line.text)
    return mode


def _phase_inline(guide: _Guide, phase: dict[str, Any], mode: str, line: GuideLine, inline: str) -> None:
    """`Resources: A; B` or `Goal: ...` on one line."""
    if mode == "resources":
        if line.links:
            _add_links(phase, line)
        else:
            pieces = [piece.strip() for piece in re.split(r"[;|•]|,\s(?=[A-Z])", inline) if piece.strip()]
            phase["resources"].extend(_resource(piece) for piece in pieces)
    elif mode == "tasks":
        phase["tasks"].append({"title": inline.strip()})
        _add_links(phase, line)
    else:
        phase["description"] = _join(phase.get("description", ""), inline.strip())
        _add_links(phase, line)


def _add_links(phase: dict[str, Any], line: GuideLine) -> list[dict[str, str]]:
    """Every link of a line in a phase becomes a resource of the phase (once per address); returns the new ones."""
    known = {resource.get("url") for resource in phase["resources"]}
    added = []
    for link in line.links:
        if link.url in known or link.url.lower().startswith("mailto:"):
            continue
        known.add(link.url)
        added.append({"title": link.title, "url": link.url})
    phase["resources"].extend(added)
    return added


def _resource_title(line: GuideLine, link: Link) -> str:
    """A resource line's title: all its words (`Figma Learn - free tutorials`), a bare address left out."""
    if link.title == link.url:
        return line.text.replace(link.title, "").strip(" :-–—|()") or link.url
    return line.text


def _finish_phases(guide: _Guide, phases: list[dict[str, Any]]) -> None:
    if any(phase["number"] is None for phase in phases):
        guide.warnings.append(f"{guide.source}: a phase number is too large; phases were renumbered 1 to {len(phases)}")
        for index, phase in enumerate(phases, start=1):
            phase["number"] = index
    for phase in phases:
        duration: _Duration | None = phase.pop("_duration")
        line = phase.pop("_duration_line", None) or phase["_line"]
        if duration is None or duration.weeks is None:
            phase["weeks"] = DEFAULT_PHASE_WEEKS
            guide.guessed(
                phase["_line"], f"phase {phase['number']} names no duration; {DEFAULT_PHASE_WEEKS} weeks assumed"
            )
        else:
            phase["weeks"] = duration.weeks
            if duration.ranged:
                guide.guessed(
                    line,
                    f"phase {phase['number']} takes {duration.text!r}, a range; the upper end, {duration.weeks:g} weeks",
                )
        phase.pop("_style")
        phase.pop("_line")


_AFTER_DOMAIN = re.compile(r"\.(gov|com|org|net|edu|io|ai|co|uk|dev)$", re.I)


def split_resources(text: str) -> list[str]:
    """Split resources the published format runs together: `Coursera - AI for EveryoneBook: '...'`."""
    cuts = [0]
    last_space = -1
    for index in range(1, len(text)):
        if text[index - 1] == " ":
            last_space = index - 1
        if _resource_boundary(text, index, cuts[-1], last_space):
            cuts.append(index)
    pieces = [text[a:b].strip() for a, b in zip(cuts, [*cuts[1:], len(text)], strict=True)]
    return [piece for piece in pieces if piece]


def _resource_boundary(text: str, index: int, piece_start: int, last_space: int) -> bool:
    """Whether a new resource starts at `index`; looks at a few characters only, so splitting is linear."""
    before, char = text[index - 1], text[index]
    if not char.isupper() or not (before.islower() or before.isdigit() or before in "'’\")]"):
        return False
    if before in "'’\")]":
        return index >= 2 and not text[index - 2].isspace()  # a closing quote: `Cloud'Website`, not `Book: 'The`
    if before.isdigit():
        return True
    if index + 1 < len(text) and text[index + 1].isupper():
        return True  # an acronym starts: `DatasetsAWS Lambda`
    if _AFTER_DOMAIN.search(text, max(piece_start, index - 4), index):
        return True  # after a domain: `USAJobs.govGovernmentJobs.com`
    word_start = max(last_space + 1, piece_start)
    return word_start > piece_start and index - word_start >= 4  # `Machine LearningData.gov`, not `GovTech`


def _resource(title: str) -> dict[str, str]:
    resource = {"title": title}
    found = DOMAIN.search(title)
    if found:
        url = found.group(1).rstrip(".,;")
        resource["url"] = url if url.lower().startswith("http") else f"https://{url.lower()}"
    return resource


# ---- reality check, actions, FAQ, closing -----------------------------------------------------


def _reality_list(line: GuideLine) -> str | None:
    if line.listed or not _headingish(line):
        return None
    key = _key(line.text)
    if line.lead and line.rest:
        return None
    return next((name for name, pattern in REALITY_LISTS if pattern.search(key)), None)


def _reality(guide: _Guide, lines: list[GuideLine]) -> None:
    check: dict[str, Any] = {}
    current: str | None = None
    intro: list[str] = []
    for line in lines:
        if section_meaning(line) is Section.REALITY and not _reality_list(line):
            continue  # the section's own heading
        listed = _reality_list(line)
        if listed:
            current = listed
            check.setdefault(current, [])
        elif current and (line.listed or not any(other.listed for other in lines)):
            check[current].append(prose(line))
        elif line.listed:
            current = "challenges"
            check.setdefault(current, []).append(prose(line))
            guide.guessed(line, "a list in the reality check with no heading; taken as its challenges")
        elif current is None:
            intro.append(prose(line))
        else:
            guide.unplaced(line, "text in the reality check outside its lists")
    if intro:
        check["intro"] = " ".join(intro)
    guide.data["reality_check"] = check


def _horizon_heading(line: GuideLine) -> Horizon | None:
    if line.listed or not _headingish(line) or (line.lead and line.rest):
        return None
    key = _key(line.text)
    if len(key) > 40:
        return None
    return _horizon_words(key)


def _horizon_words(text: str) -> Horizon | None:
    key = text.lower()
    return next((horizon for horizon, pattern in HORIZON_WORDS if pattern.search(key)), None)


def _actions(guide: _Guide, lines: list[GuideLine]) -> None:
    actions: list[dict[str, Any]] = []
    heading: Horizon | None = None
    labelled = False
    for line in lines:
        horizon = _horizon_heading(line)
        if horizon is not None:
            heading, labelled = horizon, True
            continue
        if section_meaning(line) is Section.ACTIONS:
            continue  # the section's own heading
        if not line.listed and heading is None:
            if not _is_intro(line):
                guide.unplaced(line, "text in the action plan before its first list")
            continue
        title, words = _action_title(line)
        horizon = heading or words
        labelled = labelled or words is not None
        actions.append({"horizon": horizon, "title": title, "_line": line})
    if actions and not labelled:
        for index, action in enumerate(actions):
            action["horizon"] = HORIZONS[min(2, index * 3 // len(actions))]
        guide.guessed(
            actions[0]["_line"],
            f"the {len(actions)} actions name no time; spread by position over this week, this month and the next 90 days",
        )
    current = Horizon.THIS_WEEK
    for action in actions:
        if action["horizon"] is None:
            action["horizon"] = current
            guide.guessed(action["_line"], f"action {_clip(action['title'])!r} names no time; {current} assumed")
        current = action["horizon"]
        action["horizon"] = str(action["horizon"])
        action.pop("_line")
    guide.data["actions"] = actions


def _action_title(line: GuideLine) -> tuple[str, Horizon | None]:
    """An action's title without a leading `Today:` label, and the horizon its words name."""
    label = re.match(r"^([^:]{2,40}):\s*(.+)$", line.text)
    if label and _horizon_words(label.group(1)):
        return _capitalised(label.group(2).strip()), _horizon_words(label.group(1))
    if line.lead and _horizon_words(line.lead) and line.rest:
        return _capitalised(SEPARATOR.sub("", line.rest)), _horizon_words(line.lead)
    return prose(line), _horizon_words(line.text)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _faq(guide: _Guide, lines: list[GuideLine]) -> None:
    items: list[dict[str, Any]] = []
    for line in lines:
        if section_meaning(line) is Section.FAQ and not line.text.endswith("?"):
            continue
        question = _QUESTION.match(line.text)
        answer = _ANSWER.match(line.text)
        if line.lead and line.lead.endswith("?") and line.rest:
            items.append({"question": line.lead, "answer": line.rest, "_line": line})
        elif question or (line.text.endswith("?") and len(line.text) <= 200):
            items.append({"question": question.group(1) if question else line.text, "answer": "", "_line": line})
        elif items:
            items[-1]["answer"] = _join(items[-1]["answer"], answer.group(1) if answer else prose(line), "\n\n")
        else:
            items.append({"question": "", "answer": prose(line), "_line": line})
    for item in items:
        line = item.pop("_line")
        if not item["answer"]:
            guide.warnings.append(f"{guide.at(line)}: FAQ question without an answer: {_clip(item['question'])}")
            item["answer"] = "(no answer given)"
    guide.data["faq"] = items


def _overview(guide: _Guide, lines: list[GuideLine]) -> None:
    guide.data["overview"] = "\n\n".join(prose(line) for line in lines)


def _closing(guide: _Guide, lines: list[GuideLine]) -> None:
    guide.data["closing"] = "\n\n".join(prose(line) for line in lines)


_SECTION_PARSERS: dict[Section, Callable[[_Guide, list[GuideLine]], None]] = {
    Section.OVERVIEW: _overview,
    Section.TRANSFERABLE: _transferable,
    Section.SKILLS: _skills,
    Section.ROADMAP: _roadmap,
    Section.REALITY: _reality,
    Section.ACTIONS: _actions,
    Section.FAQ: _faq,
    Section.CLOSING: _closing,
}


# ---- the pathway ------------------------------------------------------------------------------


def _require_guide(guide: _Guide) -> None:
    data = guide.data
    missing = []
    if "title" not in data:
        missing.append("'From <role> to <role>' title (a heading such as '# From Teacher to UX Designer')")
    phases = data.get("phases", [])
    if not phases or not any(phase["tasks"] for phase in phases):
        missing.append(
            "roadmap: phases with their tasks. A phase heading may look like 'Phase 1: Foundations', "
            "'Step 2 - Portfolio (6 weeks)', '## 3. Job search', 'Weeks 1-4: Basics' or 'Months 3-6: Projects', "
            "with a bulleted or checkbox list of tasks under it"
        )
    if missing:
        message = "this does not look like a career pathway guide: no " + "; and no ".join(missing)
        raise InputError(Problem(guide.source, f"{message}; see {EXAMPLE_GUIDE} for a guide the importer reads"))
    for phase, line in zip(phases, guide.phase_lines, strict=True):
        if not phase["tasks"]:
            guide.warnings.append(f"{guide.at(line)}: phase {phase['number']} has no tasks; one was added to review")
            phase["tasks"].append({"title": f"Work through phase {phase['number']}: {phase['title'] or 'untitled'}"})
        if not phase["title"]:
            phase["title"] = f"Phase {phase['number']}"
    numbers = [phase["number"] for phase in phases]
    if len(set(numbers)) != len(numbers):
        guide.warnings.append(f"{guide.source}: phase numbers repeat; they were renumbered 1 to {len(phases)}")
        for index, phase in enumerate(phases, start=1):
            phase["number"] = index


def _ordered(data: dict[str, Any], hours_per_week: float) -> dict[str, Any]:
    """The document in the order of the pathway format, through the loader's own dict form."""
    pathway_id = _slug(f"{data['from_role']} to {data['to_role']}")
    draft = {"id": pathway_id, "hours_per_week": hours_per_week, **data}
    for skill in draft.get("skills", []):
        skill.setdefault("how", "")
    loaded = parse_pathway(dumps(draft), "imported guide")
    return pathway_to_dict(loaded)


def _made(guide: _Guide, data: dict[str, Any]) -> tuple[str, ...]:
    """What became what, for the import report."""
    phases = data.get("phases", [])
    resources = [resource for phase in phases for resource in phase["resources"]]
    linked = sum(1 for resource in resources if "url" in resource)
    weeks = sum(phase["weeks"] for phase in phases)
    made = [f"pathway {data['id']!r}: {data['title']}"]
    facts = [name for name in ("subtitle", "difficulty", "timeline", "salary_change", "demand") if name in data]
    if facts:
        made.append("header facts: " + ", ".join(facts))
    if "overview" in data:
        source = "from the introduction" if guide.overview_from_intro else "from its section"
        made.append(f"overview: {_count(len(data['overview'].split(chr(10) * 2)), 'paragraph')} ({source})")
    made.append(f"{len(phases)} phases, {weeks:g} weeks, {sum(len(p['tasks']) for p in phases)} tasks:")
    for phase, line in zip(phases, guide.phase_lines, strict=False):
        made.append(
            f"  phase {phase['number']} {phase['title']!r} (line {line}): {phase['weeks']:g} weeks, "
            f"{_count(len(phase['tasks']), 'task')}, {_count(len(phase['resources']), 'resource')}"
        )
    made.append(f"{len(resources)} resources, {linked} with a url")
    made.append(f"{len(data.get('transferable_skills', []))} transferable skills")
    skills = data.get("skills", [])
    made.append(f"{len(skills)} skills to learn" + (":" if skills else ""))
    for skill in skills:
        span = "ongoing" if skill.get("ongoing") else f"{skill['weeks']:g} weeks"
        made.append(f"  {skill['name']}: {skill['priority']}, {span}")
    actions = data.get("actions", [])
    counts = ", ".join(f"{sum(1 for a in actions if a['horizon'] == h)} {h}" for h in HORIZONS)
    made.append(f"{len(actions)} actions ({counts})")
    made.append(f"{len(data.get('faq', []))} FAQ entries")
    check = data.get("reality_check", {})
    parts = [f"{len(check.get(name, []))} {name}" for name in ("love", "miss", "challenges")]
    made.append("reality check: " + ("an intro, " if check.get("intro") else "no intro, ") + ", ".join(parts))
    made.append("closing words: " + ("yes" if data.get("closing") else "none"))
    made.append(f"{_count(len(data.get('notes', [])), 'note')} (text that could not be placed)")
    return tuple(made)


def _count(number: int, word: str) -> str:
    return f"{number} {word}" if number == 1 else f"{number} {word}s"


def _slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-") or "imported-pathway"


def _join(first: str, second: str, separator: str = " ") -> str:
    return f"{first}{separator}{second}" if first else second


def _clip(text: str) -> str:
    return text if len(text) <= 70 else text[:67] + "..."


def _markdown_safe(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)
