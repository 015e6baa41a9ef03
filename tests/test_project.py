"""The project's own promises: the README's commands, the schema, the templates, the layout."""

import json
import re
import tomllib

import jsonschema
import pytest
from conftest import BUILTIN_FILE, ROOT, make_plan, render_one, run
from realclients import pdf_tool

from exporter.model import Pathway, Phase, Task
from exporter.theme import Theme, load_theme


def quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```\n(.+?)\n```", section)


def test_readme_has_two_quick_start_commands_and_ci_runs_the_second():
    first, second = quick_start_commands()
    assert "pip install ." in first and "pathway-export export" in first
    assert "pip install" in second and "[test]" in second and second.rstrip().endswith("pytest")
    assert second in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", [BUILTIN_FILE, ROOT / "templates" / "pathway.example.toml"])
def test_json_schema_accepts_the_shipped_pathways(path):
    schema = json.loads((ROOT / "templates" / "pathway.schema.json").read_text())
    jsonschema.validate(tomllib.loads(path.read_text(encoding="utf-8")), schema)


def test_json_schema_rejects_what_the_loader_rejects():
    schema = json.loads((ROOT / "templates" / "pathway.schema.json").read_text())
    data = tomllib.loads(BUILTIN_FILE.read_text(encoding="utf-8"))
    data["phases"][1]["weeks"] = "eight"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_theme_template_is_the_default_theme():
    assert load_theme(str(ROOT / "templates" / "theme.toml")) == Theme()


def test_plan_command_does_not_import_the_writers_libraries():
    import subprocess
    import sys

    code = (
        "import sys; from exporter.cli import main\n"
        "try:\n    main(['plan', '--json', '--start', '2027-01-04', '--timezone', 'UTC'])\n"
        "except SystemExit:\n    pass\n"
        "heavy = [m for m in ('openpyxl', 'reportlab', 'icalendar', 'pypdf') if m in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in result.stderr


def test_many_phases_fit_the_timeline_page(tmp_path):
    phases = tuple(Phase(n, f"Phase number {n}", 2, (Task(f"Task {n}"),)) for n in range(1, 61))
    path = tmp_path / "many.pdf"
    path.write_bytes(render_one("pdf", make_plan(Pathway("many", "Many", "A", "B", 5, phases=phases))))
    assert "No syntax or stream encoding errors found" in pdf_tool("qpdf", "--check", str(path))


def test_help_lists_every_command():
    output = run("--help").output
    for command in ("list", "show", "validate", "plan", "export", "batch", "import"):
        assert re.search(rf"^\s+{command}\s", output, re.M), command
