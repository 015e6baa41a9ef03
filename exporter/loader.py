"""Pathway TOML files -> the model, with every problem located by file, line and field."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from exporter.errors import InputError, Problem
from exporter.model import (
    HORIZONS,
    PRIORITIES,
    Action,
    FaqItem,
    Pathway,
    Phase,
    RealityCheck,
    Resource,
    Skill,
    Task,
    TransferableSkill,
)

DEFAULT_PATHWAY = "backend-developer-to-ai-government-specialist"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")


def builtin_dir():
    return resources.files("exporter.builtin_pathways")


def builtin_ids() -> list[str]:
    return sorted(p.name[:-5] for p in builtin_dir().iterdir() if p.name.endswith(".toml"))


def load_pathway(ref: str | None = None) -> Pathway:
    """A built-in pathway id, or a path to a .toml file; the default pathway when None."""
    ref = ref or DEFAULT_PATHWAY
    if ref in builtin_ids():
        source = builtin_dir() / f"{ref}.toml"
        return parse_pathway(source.read_text(encoding="utf-8"), f"{ref} (built-in)")
    path = Path(ref)
    if not path.exists():
        known = ", ".join(builtin_ids())
        raise InputError(Problem(ref, f"no such pathway file or built-in pathway (built-in: {known})"))
    return load_pathway_file(path)


def load_pathway_file(path: Path) -> Pathway:
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(Problem(str(path), f"not UTF-8 text ({err.reason} at byte {err.start})")) from None
    except OSError as err:
        raise InputError(Problem(str(path), f"cannot read: {err.strerror}")) from None
    return parse_pathway(text, str(path))


def parse_pathway(text: str, source: str) -> Pathway:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        line = getattr(err, "lineno", None) or _line_from_message(str(err))
        message = getattr(err, "msg", None) or re.sub(r"\s*\(at line.*\)$", "", str(err))
        raise InputError(Problem(source, f"TOML syntax error: {message}", line=line)) from None
    reader = _Reader(source, _locate_keys(text))
    pathway = reader.pathway(data)
    if reader.problems:
        raise InputError(reader.problems)
    return pathway


def _line_from_message(message: str) -> int | None:
    found = re.search(r"at line (\d+)", message)
    return int(found.group(1)) if found else None


def _locate_keys(text: str) -> dict[str, int]:
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


@dataclass
class _Reader:
    """Reads the TOML tables into the model, collecting every problem instead of stopping."""

    source: str
    lines: dict[str, int]
    problems: list[Problem] = field(default_factory=list)

    def fail(self, path: str, message: str) -> None:
        self.problems.append(Problem(self.source, message, line=self._line(path), field=path))

    def _line(self, path: str) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path.rpartition(".")[0] if "." in path else ""
        return None

    def text(self, table: dict, key: str, prefix: str, required: bool = False) -> str:
        path = f"{prefix}.{key}" if prefix else key
        value = table.get(key)
        if value is None:
            if required:
                self.fail(path, "is required")
            return ""
        if not isinstance(value, str):
            self.fail(path, f"must be text, got {_show(value)}")
            return ""
        if required and not value.strip():
            self.fail(path, "must not be empty")
        return value

    def number(self, table: dict, key: str, prefix: str, required: bool = False) -> float | None:
        path = f"{prefix}.{key}" if prefix else key
        value = table.get(key)
        if value is None:
            if required:
                self.fail(path, "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0 or value != value:
            self.fail(path, f"must be a positive number, got {_show(value)}")
            return None
        if value > 10_000:
            self.fail(path, f"must be at most 10000, got {_show(value)}")
            return None
        return float(value)

    def texts(self, table: dict, key: str, prefix: str) -> tuple[str, ...]:
        path = f"{prefix}.{key}" if prefix else key
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.fail(path, f"must be a list of text, got {_show(value)}")
            return ()
        return tuple(value)

    def tables(self, table: dict, key: str, prefix: str = "") -> list[tuple[str, dict]]:
        path = f"{prefix}.{key}" if prefix else key
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.fail(path, f"must be an array of tables ([[{path}]]), got {_show(value)}")
            return []
        return [(f"{path}[{index}]", item) for index, item in enumerate(value, start=1)]

    def pathway(self, data: dict) -> Pathway:
        pathway_id = self.text(data, "id", "", required=True)
        if pathway_id and not SLUG.match(pathway_id):
            self.fail(
                "id",
                f"must be a slug (lowercase letters, digits and single hyphens), got {_show(pathway_id)}",
            )
        phases = tuple(self.phase(path, item) for path, item in self.tables(data, "phases"))
        self.check_phase_numbers(phases)
        if not phases:
            self.fail("phases", "a pathway needs at least one phase")
        numbers = {phase.number for phase in phases}
        return Pathway(
            id=pathway_id,
            title=self.text(data, "title", "", required=True),
            from_role=self.text(data, "from_role", "", required=True),
            to_role=self.text(data, "to_role", "", required=True),
            hours_per_week=self.number(data, "hours_per_week", "", required=True) or 10.0,
            difficulty=self.text(data, "difficulty", ""),
            timeline=self.text(data, "timeline", ""),
            salary_change=self.text(data, "salary_change", ""),
            demand=self.text(data, "demand", ""),
            overview=self.text(data, "overview", ""),
            subtitle=self.text(data, "subtitle", ""),
            transferable_skills=tuple(
                TransferableSkill(self.text(item, "name", path, True), self.text(item, "description", path))
                for path, item in self.tables(data, "transferable_skills")
            ),
            skills=tuple(self.skill(path, item, numbers) for path, item in self.tables(data, "skills")),
            phases=phases,
            reality_check=self.reality_check(data),
            actions=tuple(self.action(path, item) for path, item in self.tables(data, "actions")),
            faq=tuple(
                FaqItem(self.text(item, "question", path), self.text(item, "answer", path, True))
                for path, item in self.tables(data, "faq")
            ),
            closing=self.text(data, "closing", ""),
            notes=self.texts(data, "notes", ""),
        )

    def phase(self, path: str, item: dict) -> Phase:
        number = item.get("number")
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            self.fail(f"{path}.number", f"must be a whole number from 1, got {_show(number)}")
            number = 0
        weeks = self.number(item, "weeks", path, required=True) or 0.0
        tasks = tuple(
            Task(self.text(task, "title", task_path, True), self.number(task, "hours", task_path))
            for task_path, task in self.tables(item, "tasks", path)
        )
        if not tasks:
            self.fail(f"{path}.tasks", "a phase needs at least one task")
        resources_ = tuple(
            Resource(self.text(res, "title", res_path, True), self.text(res, "url", res_path) or None)
            for res_path, res in self.tables(item, "resources", path)
        )
        return Phase(
            number=number,
            title=self.text(item, "title", path, required=True),
            weeks=weeks,
            tasks=tasks,
            resources=resources_,
            description=self.text(item, "description", path),
        )

    def check_phase_numbers(self, phases: tuple[Phase, ...]) -> None:
        seen: set[int] = set()
        for index, phase in enumerate(phases, start=1):
            if phase.number and phase.number in seen:
                self.fail(f"phases[{index}].number", f"phase number {phase.number} is used twice")
            seen.add(phase.number)

    def skill(self, path: str, item: dict, phase_numbers: set[int]) -> Skill:
        priority = self.text(item, "priority", path, required=True).strip().lower().replace(" ", "-")
        if priority and priority not in PRIORITIES:
            self.fail(f"{path}.priority", f"must be one of {', '.join(PRIORITIES)}, got {_show(priority)}")
        ongoing = item.get("ongoing", False)
        if not isinstance(ongoing, bool):
            self.fail(f"{path}.ongoing", f"must be true or false, got {_show(ongoing)}")
            ongoing = False
        weeks = self.number(item, "weeks", path, required=not ongoing)
        if ongoing and weeks is not None:
            self.fail(f"{path}.weeks", "an ongoing skill has no weeks")
        links = item.get("phases", [])
        if not isinstance(links, list) or not all(isinstance(n, int) and not isinstance(n, bool) for n in links):
            self.fail(f"{path}.phases", f"must be a list of phase numbers, got {_show(links)}")
            links = []
        for number in links:
            if number not in phase_numbers:
                self.fail(f"{path}.phases", f"links to phase {number}, which does not exist")
        return Skill(
            name=self.text(item, "name", path, required=True),
            priority=priority,
            weeks=None if ongoing else weeks,
            how=self.text(item, "how", path),
            phases=tuple(links),
        )

    def reality_check(self, data: dict) -> RealityCheck:
        table = data.get("reality_check", {})
        if not isinstance(table, dict):
            self.fail("reality_check", f"must be a table, got {_show(table)}")
            return RealityCheck()
        return RealityCheck(
            love=self.texts(table, "love", "reality_check"),
            miss=self.texts(table, "miss", "reality_check"),
            challenges=self.texts(table, "challenges", "reality_check"),
            intro=self.text(table, "intro", "reality_check"),
        )

    def action(self, path: str, item: dict) -> Action:
        horizon = self.text(item, "horizon", path, required=True)
        if horizon and horizon not in HORIZONS:
            self.fail(f"{path}.horizon", f"must be one of {', '.join(HORIZONS)}, got {_show(horizon)}")
        return Action(horizon=horizon, title=self.text(item, "title", path, required=True))


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def pathway_to_dict(pathway: Pathway) -> dict[str, Any]:
    """The pathway with the keys of its TOML file, empty optional fields left out."""
    data: dict[str, Any] = {
        "id": pathway.id,
        "title": pathway.title,
        "subtitle": pathway.subtitle,
        "from_role": pathway.from_role,
        "to_role": pathway.to_role,
        "hours_per_week": pathway.hours_per_week,
        "difficulty": pathway.difficulty,
        "timeline": pathway.timeline,
        "salary_change": pathway.salary_change,
        "demand": pathway.demand,
        "overview": pathway.overview,
        "closing": pathway.closing,
        "notes": list(pathway.notes),
        "transferable_skills": [
            _compact({"name": s.name, "description": s.description}) for s in pathway.transferable_skills
        ],
        "skills": [_skill_dict(skill) for skill in pathway.skills],
        "phases": [_phase_dict(phase) for phase in pathway.phases],
        "reality_check": _compact(
            {
                "intro": pathway.reality_check.intro,
                "love": list(pathway.reality_check.love),
                "miss": list(pathway.reality_check.miss),
                "challenges": list(pathway.reality_check.challenges),
            }
        ),
        "actions": [{"horizon": a.horizon, "title": a.title} for a in pathway.actions],
        "faq": [{"question": f.question, "answer": f.answer} for f in pathway.faq],
    }
    return _compact(data, keep=("faq", "actions", "phases", "skills", "transferable_skills"))


def _skill_dict(skill: Skill) -> dict[str, Any]:
    data: dict[str, Any] = {"name": skill.name, "priority": skill.priority}
    if skill.ongoing:
        data["ongoing"] = True
    else:
        data["weeks"] = skill.weeks
    data["how"] = skill.how
    data["phases"] = list(skill.phases)
    return _compact(data)


def _phase_dict(phase: Phase) -> dict[str, Any]:
    return _compact(
        {
            "number": phase.number,
            "title": phase.title,
            "weeks": phase.weeks,
            "description": phase.description,
            "tasks": [_compact({"title": t.title, "hours": t.hours}) for t in phase.tasks],
            "resources": [_compact({"title": r.title, "url": r.url}) for r in phase.resources],
        },
        keep=("tasks", "resources"),
    )


def _compact(data: dict[str, Any], keep: tuple[str, ...] = ()) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k in keep or v not in ("", None, [], {})}
