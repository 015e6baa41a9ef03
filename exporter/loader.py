"""Pathway TOML files -> the model, with every problem located by file, line and field.

Loading is the validation pass: every rule a pathway must meet is checked here, so
`validate` rejects exactly what `plan` would.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from exporter.controls import CONTROL
from exporter.errors import InputError, Kind, Problem
from exporter.inputs import PATHWAY_LIMIT, decode_text, read_input
from exporter.model import (
    Action,
    EffortShortfall,
    FaqItem,
    Horizon,
    Pathway,
    Phase,
    Priority,
    RealityCheck,
    Resource,
    Skill,
    Task,
    TransferableSkill,
    task_quarters,
    title_key,
    unique_key,
)
from exporter.tomlfile import TomlDocument, parse_toml

DEFAULT_PATHWAY = "backend-developer-to-ai-government-specialist"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SHORT_TEXT = 500  # titles, names, roles
MAX_LONG_TEXT = 20_000  # overview, descriptions, answers
MAX_ITEMS = 2_000  # phases, tasks of a phase, skills...
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")
_LONG_FIELDS = {"overview", "closing", "description", "how", "answer", "intro", "demand"}

KNOWN_KEYS: dict[str, tuple[str, ...]] = {
    "": (
        "id",
        "title",
        "subtitle",
        "language",
        "from_role",
        "to_role",
        "hours_per_week",
        "difficulty",
        "timeline",
        "salary_change",
        "demand",
        "overview",
        "closing",
        "notes",
        "transferable_skills",
        "skills",
        "phases",
        "reality_check",
        "actions",
        "faq",
    ),
    "transferable_skills": ("name", "description"),
    "skills": ("name", "priority", "weeks", "ongoing", "how", "phases"),
    "phases": ("number", "title", "weeks", "description", "tasks", "resources"),
    "tasks": ("title", "hours", "key"),
    "resources": ("title", "url"),
    "reality_check": ("intro", "love", "miss", "challenges"),
    "actions": ("horizon", "title"),
    "faq": ("question", "answer"),
}


def builtin_dir():
    """The folder of built-in pathways: the installed package's, or `pathways/` of a source checkout."""
    try:
        return resources.files("exporter.builtin_pathways")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "pathways"


def builtin_ids() -> list[str]:
    """The ids of the built-in pathways, sorted."""
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
        raise InputError(
            Problem(ref, f"no such pathway file or built-in pathway (built-in: {known})", kind=Kind.UNREADABLE)
        )
    return load_pathway_file(path)


def load_pathway_file(path: Path) -> Pathway:
    """Read, parse and validate one pathway file; every problem is located by file, line and field."""
    text = decode_text(read_input(path, "pathway", PATHWAY_LIMIT), path, "pathway")
    return parse_pathway(text, str(path))


def parse_pathway(text: str, source: str) -> Pathway:
    """Parse and validate pathway TOML text; InputError lists every problem found."""
    document = parse_toml(text, source)
    reader = _Reader(document)
    pathway = reader.pathway(document.data)
    if reader.problems:
        raise InputError(reader.problems)
    return pathway


@dataclass
class _Reader:
    """Reads the TOML tables into the model, collecting every problem instead of stopping."""

    document: TomlDocument
    problems: list[Problem] = field(default_factory=list)

    def fail(self, path: str, message: str, kind: Kind = Kind.VALUE) -> None:
        self.problems.append(self.document.problem(path, message, kind))

    def line(self, path: str) -> int | None:
        return self.document.line(path)

    def known(self, table: dict, kind: str, prefix: str) -> None:
        """Unknown keys are errors, with the closest known key as a hint."""
        allowed = KNOWN_KEYS[kind]
        for key in table:
            if key not in allowed:
                path = f"{prefix}.{key}" if prefix else key
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"; did you mean '{close[0]}'?" if close else f" (known: {', '.join(allowed)})"
                self.fail(path, f"unknown key{hint}", Kind.UNKNOWN)

    def text(self, table: dict, key: str, prefix: str, required: bool = False) -> str:
        path = f"{prefix}.{key}" if prefix else key
        value = table.get(key)
        if value is None:
            if required:
                self.fail(path, "is required", Kind.MISSING)
            return ""
        if not isinstance(value, str):
            self.fail(path, f"must be text, got {_show(value)}", Kind.TYPE)
            return ""
        return self.checked_text(path, value, key, required)

    def checked_text(self, path: str, value: str, key: str, required: bool = False) -> str:
        if required and not value.strip():
            self.fail(path, "must not be empty", Kind.MISSING)
        if CONTROL.search(value):
            self.fail(path, "must not hold control characters (only line breaks and tabs)")
            return CONTROL.sub(" ", value)
        limit = MAX_LONG_TEXT if key in _LONG_FIELDS else MAX_SHORT_TEXT
        if len(value) > limit:
            self.fail(path, f"is {len(value)} characters long; at most {limit}", Kind.LIMIT)
            return value[:limit]
        return value

    def number(self, table: dict, key: str, prefix: str, required: bool = False) -> float | None:
        path = f"{prefix}.{key}" if prefix else key
        value = table.get(key)
        if value is None:
            if required:
                self.fail(path, "is required", Kind.MISSING)
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(path, f"must be a positive number, got {_show(value)}", Kind.TYPE)
            return None
        if value <= 0 or value != value:
            self.fail(path, f"must be a positive number, got {_show(value)}")
            return None
        if value > 10_000:
            self.fail(path, f"must be at most 10000, got {_show(value)}", Kind.LIMIT)
            return None
        return float(value)

    def language(self, data: dict) -> str:
        """The optional language the pathway is written in: a BCP 47 tag (`en`, `de`, `pt-BR`)."""
        text = self.text(data, "language", "")
        if text and not _LANGUAGE_TAG.fullmatch(text):
            self.fail("language", f"must be a language tag like en, de or pt-BR, got {_show(text)}")
            return ""
        return text

    def texts(self, table: dict, key: str, prefix: str) -> tuple[str, ...]:
        path = f"{prefix}.{key}" if prefix else key
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.fail(path, f"must be a list of text, got {_show(value)}", Kind.TYPE)
            return ()
        return tuple(self.checked_text(path, item, "description") for item in value[:MAX_ITEMS])

    def tables(self, table: dict, key: str, prefix: str = "") -> list[tuple[str, dict]]:
        path = f"{prefix}.{key}" if prefix else key
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.fail(path, f"must be an array of tables ([[{path}]]), got {_show(value)}", Kind.TYPE)
            return []
        if len(value) > MAX_ITEMS:
            self.fail(path, f"has {len(value)} entries; at most {MAX_ITEMS}", Kind.LIMIT)
            value = value[:MAX_ITEMS]
        items = [(f"{path}[{index}]", item) for index, item in enumerate(value, start=1)]
        for item_path, item in items:
            self.known(item, key, item_path)
        return items

    def pathway(self, data: dict) -> Pathway:
        self.known(data, "", "")
        pathway_id = self.text(data, "id", "", required=True)
        if pathway_id and not SLUG.match(pathway_id):
            self.fail(
                "id",
                f"must be a slug (lowercase letters, digits and single hyphens), got {_show(pathway_id)}",
            )
        hours_per_week = self.number(data, "hours_per_week", "", required=True)
        phases = tuple(self.phase(path, item) for path, item in self.tables(data, "phases"))
        self.check_phase_numbers(phases)
        if not phases:
            self.fail("phases", "a pathway needs at least one phase", Kind.MISSING)
        phases = self.with_task_keys(phases)
        if hours_per_week:
            self.check_efforts(phases, hours_per_week)
        numbers = {phase.number for phase in phases}
        return Pathway(
            id=pathway_id,
            title=self.text(data, "title", "", required=True),
            from_role=self.text(data, "from_role", "", required=True),
            to_role=self.text(data, "to_role", "", required=True),
            hours_per_week=hours_per_week or 10.0,
            difficulty=self.text(data, "difficulty", ""),
            timeline=self.text(data, "timeline", ""),
            salary_change=self.text(data, "salary_change", ""),
            demand=self.text(data, "demand", ""),
            overview=self.text(data, "overview", ""),
            subtitle=self.text(data, "subtitle", ""),
            language=self.language(data),
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
            source=self.document.source,
        )

    def phase(self, path: str, item: dict) -> Phase:
        number = item.get("number")
        if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= MAX_ITEMS:
            self.fail(f"{path}.number", f"must be a whole number from 1 to {MAX_ITEMS}, got {_show(number)}")
            number = 0
        weeks = self.number(item, "weeks", path, required=True) or 0.0
        tasks = tuple(self.task(task_path, task) for task_path, task in self.tables(item, "tasks", path))
        if not tasks:
            self.fail(f"{path}.tasks", "a phase needs at least one task", Kind.MISSING)
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
            line=self.line(path),
        )

    def task(self, path: str, item: dict) -> Task:
        key = self.text(item, "key", path)
        if key and not SLUG.match(key):
            self.fail(f"{path}.key", f"must be a slug (lowercase letters, digits and single hyphens), got {_show(key)}")
            key = ""
        return Task(self.text(item, "title", path, True), self.number(item, "hours", path), key, self.line(path))

    def with_task_keys(self, phases: tuple[Phase, ...]) -> tuple[Phase, ...]:
        """Every task gets a key: its own, else one made from its title; a key given twice is an error."""
        given: dict[str, str] = {}
        for phase_index, phase in enumerate(phases, start=1):
            for task_index, task in enumerate(phase.tasks, start=1):
                if not task.key:
                    continue
                path = f"phases[{phase_index}].tasks[{task_index}].key"
                if task.key in given:
                    self.fail(path, f"key {task.key!r} is already used by {given[task.key]}", Kind.DUPLICATE)
                given.setdefault(task.key, path.removesuffix(".key"))
        used = set(given)
        keyed = []
        for phase in phases:
            tasks = []
            for task in phase.tasks:
                key = task.key or unique_key(title_key(task.title), used)
                used.add(key)
                tasks.append(Task(task.title, task.hours, key, task.line))
            keyed.append(
                Phase(
                    phase.number, phase.title, phase.weeks, tuple(tasks), phase.resources, phase.description, phase.line
                )
            )
        return tuple(keyed)

    def check_efforts(self, phases: tuple[Phase, ...], hours_per_week: float) -> None:
        """A phase's tasks' own hours must fit in the phase's weeks x the guide's weekly hours."""
        for index, phase in enumerate(phases, start=1):
            try:
                task_quarters(phase, hours_per_week)
            except EffortShortfall as short:
                verdict = "exceed the phase's" if short.exceeds else "leave no time for its other tasks in the phase's"
                self.fail(
                    f"phases[{index}].tasks",
                    f"the tasks' hours ({short.given_hours:g} h) {verdict} {short.nominal_hours:g} h "
                    f"({phase.weeks:g} weeks x {hours_per_week:g} h a week)",
                    Kind.CONFLICT,
                )

    def check_phase_numbers(self, phases: tuple[Phase, ...]) -> None:
        seen: set[int] = set()
        for index, phase in enumerate(phases, start=1):
            if phase.number and phase.number in seen:
                self.fail(f"phases[{index}].number", f"phase number {phase.number} is used twice", Kind.DUPLICATE)
            seen.add(phase.number)

    def skill(self, path: str, item: dict, phase_numbers: set[int]) -> Skill:
        priority_text = self.text(item, "priority", path, required=True).strip().lower().replace(" ", "-")
        priority = Priority.IMPORTANT
        if priority_text:
            try:
                priority = Priority(priority_text)
            except ValueError:
                choices = ", ".join(Priority)
                self.fail(f"{path}.priority", f"must be one of {choices}, got {_show(priority_text)}")
        ongoing = item.get("ongoing", False)
        if not isinstance(ongoing, bool):
            self.fail(f"{path}.ongoing", f"must be true or false, got {_show(ongoing)}", Kind.TYPE)
            ongoing = False
        weeks = self.number(item, "weeks", path, required=not ongoing)
        if ongoing and weeks is not None:
            self.fail(f"{path}.weeks", "an ongoing skill has no weeks", Kind.CONFLICT)
        links = item.get("phases", [])
        if not isinstance(links, list) or not all(isinstance(n, int) and not isinstance(n, bool) for n in links):
            self.fail(f"{path}.phases", f"must be a list of phase numbers, got {_show(links)}", Kind.TYPE)
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
            line=self.line(path),
        )

    def reality_check(self, data: dict) -> RealityCheck:
        table = data.get("reality_check", {})
        if not isinstance(table, dict):
            self.fail("reality_check", f"must be a table, got {_show(table)}", Kind.TYPE)
            return RealityCheck()
        self.known(table, "reality_check", "reality_check")
        return RealityCheck(
            love=self.texts(table, "love", "reality_check"),
            miss=self.texts(table, "miss", "reality_check"),
            challenges=self.texts(table, "challenges", "reality_check"),
            intro=self.text(table, "intro", "reality_check"),
        )

    def action(self, path: str, item: dict) -> Action:
        horizon_text = self.text(item, "horizon", path, required=True)
        horizon = Horizon.THIS_WEEK
        if horizon_text:
            try:
                horizon = Horizon(horizon_text)
            except ValueError:
                self.fail(f"{path}.horizon", f"must be one of {', '.join(Horizon)}, got {_show(horizon_text)}")
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
        "language": pathway.language,
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
        "actions": [{"horizon": str(a.horizon), "title": a.title} for a in pathway.actions],
        "faq": [{"question": f.question, "answer": f.answer} for f in pathway.faq],
    }
    return _compact(data, keep=("faq", "actions", "phases", "skills", "transferable_skills"))


def _skill_dict(skill: Skill) -> dict[str, Any]:
    data: dict[str, Any] = {"name": skill.name, "priority": str(skill.priority)}
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
            "tasks": [_compact({"key": t.key, "title": t.title, "hours": t.hours}) for t in phase.tasks],
            "resources": [_compact({"title": r.title, "url": r.url}) for r in phase.resources],
        },
        keep=("tasks", "resources"),
    )


def _compact(data: dict[str, Any], keep: tuple[str, ...] = ()) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k in keep or v not in ("", None, [], {})}
