"""Career guides (plain text as published, or Markdown with the same headings) -> pathway TOML.

The published format has quirks this parser takes as they are: priority and duration run
together (`Critical12 weeks`), phase numbers on a line of their own, a phase's resources run
together on one line, bullets as `•`, `-` or `*`. Text that has no place in the pathway is
reported as a warning with its line number and kept in `notes`, never dropped in silence.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exporter.errors import InputError, Problem
from exporter.inputs import GUIDE_LIMIT, read_input
from exporter.loader import parse_pathway, pathway_to_dict
from exporter.tomlwriter import dumps

WEEKS_PER_MONTH = 4.35
SECTIONS = {
    "overview": ("overview",),
    "transferable": ("your transferable skills", "transferable skills"),
    "skills": ("skills you'll need to learn", "skills you will need to learn", "skills to learn"),
    "roadmap": ("your learning roadmap", "learning roadmap", "roadmap"),
    "reality": ("reality check",),
    "actions": ("start your journey now", "your action plan", "action plan"),
    "faq": ("frequently asked questions", "faq", "faqs"),
}
FACTS = {"difficulty": "difficulty", "timeline": "timeline", "salary change": "salary_change", "demand": "demand"}
REALITY_LISTS = {"what you'll love": "love", "what you might miss": "miss", "biggest challenges": "challenges"}
HORIZON_HEADINGS = {
    "this week": "this-week",
    "this month": "this-month",
    "next 90 days": "next-90-days",
    "next three months": "next-90-days",
    "next 3 months": "next-90-days",
}
PRIORITY = re.compile(r"^(critical|important|nice[\s-]*to[\s-]*have)[\s|·:,-]*(.*)$", re.I)
DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)\s*(weeks?|wks?|months?)|(ongoing))$", re.I)
PHASE_LINE = re.compile(r"^(?:phase\s*)?(\d+)(?:\s*[.:)\-–—]\s*(.+)|\s*)$", re.I)
PHASE_LIKE = re.compile(r"^phase\s*\d+\b", re.I)
MAX_PHASE_NUMBER = 999_999_999
"""Larger numbers (a stray phone number in a guide) are kept as phases, then renumbered."""
BULLET = re.compile(r"^\s*(?:[•●◦▪‣*+-]|\d+[.)])\s+")
DOMAIN = re.compile(r"\b((?:https?://)?(?:[a-z0-9-]+\.)+(?:gov|com|org|net|edu|io|ai|co|uk|dev)(?:/\S*)?)", re.I)
_INTRO_HINTS = ("great news", "here's what", "here is what", "follow this", "don't wait", "do not wait")


@dataclass(frozen=True)
class ImportResult:
    toml: str
    warnings: tuple[str, ...]
    data: dict[str, Any]


@dataclass
class _Line:
    number: int
    text: str
    bullet: bool


@dataclass
class _Guide:
    source: str
    data: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def unplaced(self, line: _Line, why: str) -> None:
        self.warnings.append(f"{self.source}:{line.number}: {why}: {_clip(line.text)}")
        self.data.setdefault("notes", []).append(line.text)


def import_guide_file(path: Path, hours_per_week: float = 10) -> ImportResult:
    raw = read_input(path, "guide", GUIDE_LIMIT)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    return import_guide_text(text, str(path), hours_per_week)


def import_guide_text(text: str, source: str = "guide", hours_per_week: float = 10) -> ImportResult:
    guide = _Guide(source)
    lines = _lines(text)
    sections = _split_sections(lines)
    _header(guide, sections.pop("header", []))
    for name, parse in _SECTION_PARSERS.items():
        if name in sections:
            parse(guide, sections[name])
    for line in sections.get("unknown", []):
        guide.unplaced(line, "text outside any known section")
    _require_guide(guide)
    try:
        data = _ordered(guide.data, hours_per_week)
        toml = dumps(data, header=f"Imported from {Path(source).name} by pathway-export import.")
        parse_pathway(toml, source)
    except InputError as err:
        raise InputError([_in_guide(problem, guide.data, lines, source) for problem in err.problems]) from None
    return ImportResult(toml, tuple(guide.warnings), data)


def _in_guide(problem: Problem, data: dict[str, Any], lines: list[_Line], source: str) -> Problem:
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


def _lines(text: str) -> list[_Line]:
    result = []
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        clean = _clean(raw) if raw.strip() else ""
        if clean:
            result.append(_Line(number, BULLET.sub("", clean).strip(), bool(BULLET.match(clean))))
    return result


def _clean(raw: str) -> str:
    text = unicodedata.normalize("NFC", raw).replace("\u00a0", " ").replace("\t", " ")
    text = "".join(ch for ch in text if ch == " " or unicodedata.category(ch)[0] != "C")
    text = re.sub(r"^\s*#{1,6}\s+", "", text)
    text = re.sub(r"^\s*>\s?", "", text)
    text = re.sub(r"\*\*(.+?)\*\*|__(.+?)__", lambda m: m.group(1) or m.group(2), text)
    return text.strip()


def _key(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").lower().strip().rstrip(":").strip()
    return re.sub(r"\s+", " ", text)


def _split_sections(lines: list[_Line]) -> dict[str, list[_Line]]:
    sections: dict[str, list[_Line]] = {"header": []}
    current = "header"
    for line in lines:
        key = _key(line.text)
        found = next((name for name, titles in SECTIONS.items() if key in titles and not line.bullet), None)
        if found:
            current = found
            sections.setdefault(found, [])
            continue
        if current == "faq" and re.match(r"^ready to (start|begin|make|take)\b", key):
            current = "closing"
            sections.setdefault("closing", [])
        sections[current].append(line)
    return sections


def _header(guide: _Guide, lines: list[_Line]) -> None:
    data = guide.data
    pending_fact: str | None = None
    role_lines: list[str] = []
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
        title = re.match(r"^from\s+(.+?)\s+to\s+(.+?)(?:\s*[:–—|]\s*(.+))?$", line.text, re.I)
        if title and "title" not in data:
            data["from_role"], data["to_role"] = title.group(1).strip(), title.group(2).strip()
            data["title"] = f"From {data['from_role']} to {data['to_role']}"
            if title.group(3):
                data["subtitle"] = title.group(3).strip()
            continue
        if "title" not in data and len(role_lines) < 2 and len(line.text) <= 60 and not line.text.endswith("."):
            role_lines.append(line.text)
            continue
        guide.unplaced(line, "text in the guide's header that is not a known fact")
    if "title" not in data and len(role_lines) == 2:
        data["from_role"], data["to_role"] = role_lines
        data["title"] = f"From {role_lines[0]} to {role_lines[1]}"


def _overview(guide: _Guide, lines: list[_Line]) -> None:
    guide.data["overview"] = "\n\n".join(line.text for line in lines)


def _is_name(line: _Line) -> bool:
    return not line.bullet and len(line.text) <= 80 and not re.search(r"[.!?:]$", line.text)


def _is_intro(line: _Line) -> bool:
    return _key(line.text).startswith(_INTRO_HINTS)


def _transferable(guide: _Guide, lines: list[_Line]) -> None:
    skills: list[dict[str, str]] = []
    for line in lines:
        if _is_name(line):
            skills.append({"name": line.text, "description": ""})
        elif skills:
            skills[-1]["description"] = _join(skills[-1]["description"], line.text)
        elif not _is_intro(line):
            guide.unplaced(line, "text before the first transferable skill")
    guide.data["transferable_skills"] = skills


def _skills(guide: _Guide, lines: list[_Line]) -> None:
    skills: list[dict[str, Any]] = []
    name_line: _Line | None = None
    for line in lines:
        priority = PRIORITY.match(line.text) if not line.bullet else None
        duration = DURATION.match(priority.group(2).strip()) if priority else None
        if priority and duration and name_line is not None:
            skill: dict[str, Any] = {"name": name_line.text, "priority": _priority(priority.group(1))}
            weeks = _weeks(duration)
            if weeks is None:
                skill["ongoing"] = True
            else:
                skill["weeks"] = weeks
            skill["how"] = ""
            skills.append(skill)
            name_line = None
            continue
        if name_line is not None:
            _place_skill_text(guide, skills, name_line)
        if _is_name(line):
            name_line = line
        else:
            _place_skill_text(guide, skills, line)
    if name_line is not None:
        _place_skill_text(guide, skills, name_line)
    guide.data["skills"] = skills


def _place_skill_text(guide: _Guide, skills: list[dict[str, Any]], line: _Line) -> None:
    if skills:
        skills[-1]["how"] = _join(skills[-1]["how"], line.text)
    elif not _is_intro(line):
        guide.unplaced(line, "text before the first skill to learn")


def _priority(text: str) -> str:
    text = re.sub(r"[\s-]+", "-", text.lower())
    return "nice-to-have" if text.startswith("nice") else text


def _weeks(match: re.Match) -> float | None:
    if match.group(3):
        return None
    amount = float(match.group(1))
    weeks = amount * WEEKS_PER_MONTH if match.group(2).lower().startswith("month") else amount
    return round(weeks, 2) if not float(weeks).is_integer() else int(weeks)


def _roadmap(guide: _Guide, lines: list[_Line]) -> None:
    phases: list[dict[str, Any]] = []
    mode = ""
    expect_title = False
    for line in lines:
        key = _key(line.text)
        heading = PHASE_LINE.match(line.text) if not line.bullet else None
        if heading:  # `3: Title`, `Phase 3 - Title`, or `3` / `Phase 3` with the title on the next line
            phases.append(
                {
                    "number": _phase_number(heading.group(1)),
                    "title": (heading.group(2) or "").strip(),
                    "tasks": [],
                    "resources": [],
                }
            )
            expect_title, mode = not heading.group(2), ""
            continue
        if not phases:
            if not _is_intro(line):
                guide.unplaced(line, "text before the first phase of the roadmap")
            continue
        phase = phases[-1]
        if expect_title:
            phase["title"], expect_title = line.text, False
            continue
        if not line.bullet and PHASE_LIKE.match(line.text):
            guide.warnings.append(
                f"{guide.source}:{line.number}: looks like a phase heading but is not 'Phase N: title'; "
                f"kept in the phase above: {_clip(line.text)}"
            )
        duration = DURATION.match(line.text.strip())
        if duration and "weeks" not in phase and not line.bullet:
            phase["weeks"] = _weeks(duration) or 4
            continue
        if key in ("tasks", "resources"):
            mode = key
            continue
        if mode == "tasks" or (line.bullet and mode != "resources"):
            phase["tasks"].append({"title": line.text})
        elif mode == "resources":
            phase["resources"].extend(_resource(title) for title in split_resources(line.text))
        else:
            phase["description"] = _join(phase.get("description", ""), line.text)
    if any(phase["number"] is None for phase in phases):
        guide.warnings.append(f"{guide.source}: a phase number is too large; phases were renumbered 1 to {len(phases)}")
        for index, phase in enumerate(phases, start=1):
            phase["number"] = index
    for phase in phases:
        if "weeks" not in phase:
            guide.warnings.append(f"{guide.source}: phase {phase['number']} names no duration; 4 weeks assumed")
            phase["weeks"] = 4
    guide.data["phases"] = phases


def _phase_number(digits: str) -> int | None:
    """The phase's number as the guide gives it; None when too large to be one (the phases are then renumbered)."""
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= len(str(MAX_PHASE_NUMBER)) and int(digits) <= MAX_PHASE_NUMBER else None


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


def _reality(guide: _Guide, lines: list[_Line]) -> None:
    check: dict[str, Any] = {}
    current: str | None = None
    for line in lines:
        key = _key(line.text)
        if key in REALITY_LISTS and not line.bullet:
            current = REALITY_LISTS[key]
            check.setdefault(current, [])
        elif current:
            check[current].append(line.text)
        elif "intro" not in check:
            check["intro"] = line.text
        else:
            guide.unplaced(line, "text in the reality check outside its lists")
    guide.data["reality_check"] = check


def _actions(guide: _Guide, lines: list[_Line]) -> None:
    actions: list[dict[str, str]] = []
    horizon: str | None = None
    for line in lines:
        key = _key(line.text)
        if key in HORIZON_HEADINGS and not line.bullet:
            horizon = HORIZON_HEADINGS[key]
        elif horizon:
            actions.append({"horizon": horizon, "title": line.text})
        elif not _is_intro(line):
            guide.unplaced(line, "text in the action plan before 'This Week'")
    guide.data["actions"] = actions


def _faq(guide: _Guide, lines: list[_Line]) -> None:
    items: list[dict[str, str]] = []
    for line in lines:
        if line.text.endswith("?") and len(line.text) <= 200:
            items.append({"question": line.text, "answer": ""})
        elif items:
            items[-1]["answer"] = _join(items[-1]["answer"], line.text, "\n\n")
        else:
            items.append({"question": "", "answer": line.text})
    for item in items:
        if not item["answer"]:
            guide.warnings.append(f"{guide.source}: FAQ question without an answer: {_clip(item['question'])}")
            item["answer"] = "(no answer given)"
    guide.data["faq"] = items


def _closing(guide: _Guide, lines: list[_Line]) -> None:
    guide.data["closing"] = "\n\n".join(line.text for line in lines)


_SECTION_PARSERS = {
    "overview": _overview,
    "transferable": _transferable,
    "skills": _skills,
    "roadmap": _roadmap,
    "reality": _reality,
    "actions": _actions,
    "faq": _faq,
    "closing": _closing,
}


def _require_guide(guide: _Guide) -> None:
    data = guide.data
    missing = []
    if "title" not in data:
        missing.append("a 'From <role> to <role>' title")
    phases = data.get("phases", [])
    if not phases or not any(phase["tasks"] for phase in phases):
        missing.append("a 'Your Learning Roadmap' section with numbered phases and their tasks")
    if missing:
        raise InputError(
            Problem(guide.source, "this does not look like a career pathway guide: no " + " and no ".join(missing))
        )
    for phase in phases:
        if not phase["tasks"]:
            guide.warnings.append(f"{guide.source}: phase {phase['number']} has no tasks; one was added to review")
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


def _slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-") or "imported-pathway"


def _join(first: str, second: str, separator: str = " ") -> str:
    return f"{first}{separator}{second}" if first else second


def _clip(text: str) -> str:
    return text if len(text) <= 70 else text[:67] + "..."
