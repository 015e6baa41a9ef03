import json
import tomllib

import pytest
from conftest import BUILTIN_FILE, ROOT, run, run_process

from exporter.errors import InputError
from exporter.loader import load_pathway, parse_pathway

GOOD = """
id = "a-to-b"
title = "From A to B"
from_role = "A"
to_role = "B"
hours_per_week = 5

[[phases]]
number = 1
title = "One"
weeks = 2
[[phases.tasks]]
title = "Do the thing"
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(InputError) as caught:
        parse_pathway(text, "x.toml")
    return [str(p) for p in caught.value.problems]


def test_builtin_pathway_holds_every_item_of_the_guide():
    pathway = load_pathway()
    assert pathway.title == "From Backend Developer to AI Government Specialist"
    assert (pathway.difficulty, pathway.timeline, pathway.salary_change) == ("Moderate", "12-18 months", "+10% to +30%")
    assert pathway.demand.startswith("Growing demand as federal")
    assert pathway.overview.count("\n\n") == 2
    assert [s.name for s in pathway.transferable_skills] == [
        "API Development",
        "Cloud Platforms (AWS/GCP)",
        "SQL and Data Management",
        "System Architecture",
        "DevOps and CI/CD",
    ]
    assert all(s.description for s in pathway.transferable_skills)
    assert [(s.priority, s.weeks) for s in pathway.skills] == [
        ("important", 6),
        ("important", 10),
        ("critical", 12),
        ("critical", 8),
        ("nice-to-have", None),
        ("nice-to-have", 4),
    ]
    assert all(s.how for s in pathway.skills)
    assert [p.weeks for p in pathway.phases] == [8, 12, 8, 12, 8]
    assert all(len(p.tasks) == 4 and len(p.resources) == 3 for p in pathway.phases)
    check = pathway.reality_check
    assert (len(check.love), len(check.miss), len(check.challenges)) == (4, 4, 4)
    assert [len(pathway.actions_for(h)) for h in ("this-week", "this-month", "next-90-days")] == [3, 3, 3]
    assert len(pathway.faq) == 1 and pathway.faq[0].answer.startswith("You can expect a 10-30% increase")
    assert pathway.closing.startswith("Ready to Start Your Transition?")
    assert pathway.phases[0].resources[0].url.startswith("https://www.coursera.org/")


def test_every_line_of_the_seed_guide_is_in_the_builtin_pathway():
    seed = (ROOT / "tests" / "fixtures" / "seed-guide.txt").read_text(encoding="utf-8")
    dumped = json.dumps(json.loads(run("show", "--json").output), ensure_ascii=False)
    skipped = {
        "Career Pathway1 views",
        "Tasks",
        "Resources",
        "Reality Check",
        "What You'll Love",
        "What You Might Miss",
        "Biggest Challenges",
        "Start Your Journey Now",
        "This Week",
        "This Month",
        "Next 90 Days",
        "Frequently Asked Questions",
        "Your Transferable Skills",
        "Skills You'll Need to Learn",
        "Your Learning Roadmap",
        "Difficulty",
        "Timeline",
        "Salary Change",
        "Demand",
        "Overview",
        "Great news! You already have valuable skills that will give you a head start in this transition.",
        "Here's what you'll need to learn, prioritized by importance for your transition.",
        "Follow this step-by-step roadmap to successfully make your career transition.",
        "Don't wait. Here's your action plan starting today.",
        "Ai Government Specialist",
    }
    for raw in seed.splitlines():
        line = raw.strip().lstrip("•").strip()
        if not line or line in skipped or line.isdigit() or line.endswith("weeks") or line.endswith("Ongoing"):
            continue
        if ": Your 12-Month" in line:
            continue
        if "Coursera - AI for Everyone" in line or line.startswith(
            ("Coursera - Machine", "Udemy - ", "GitHub - ", "USAJobs.govGov")
        ):
            continue
        assert line in dumped, line


def test_show_json_counts():
    data = json.loads(run("show", "--json").output)
    assert len(data["transferable_skills"]) == 5
    assert len(data["skills"]) == 6
    assert [len(p["tasks"]) for p in data["phases"]] == [4] * 5
    assert len(data["actions"]) == 9
    assert data["skills"][4]["ongoing"] is True
    assert tomllib.loads(BUILTIN_FILE.read_text())["id"] == data["id"]


def test_list_and_show_text():
    listed = run("list").output
    assert "backend-developer-to-ai-government-specialist" in listed and "5 phases" in listed and "48 weeks" in listed
    shown = run("show").output
    for heading in (
        "Transferable skills (5)",
        "Skills to learn (6)",
        "Roadmap (5 phases, 48 weeks)",
        "Reality check",
        "This week:",
        "Next 90 days:",
        "Frequently asked questions",
        "GovTech Network Meetups",
    ):
        assert heading in shown


def test_good_file_loads_with_defaults():
    pathway = parse_pathway(GOOD, "x.toml")
    assert pathway.phases[0].tasks[0].title == "Do the thing"
    assert pathway.skills == () and pathway.faq == ()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda t: t.replace("weeks = 2", 'weeks = "eight"'),
            "x.toml:11: phases[1].weeks: must be a positive number, got 'eight'",
        ),
        (lambda t: t.replace('title = "From A to B"\n', ""), "x.toml: title: is required"),
        (
            lambda t: t.replace("weeks = 2", "weeks = -3"),
            "x.toml:11: phases[1].weeks: must be a positive number, got -3",
        ),
        (
            lambda t: t.replace("hours_per_week = 5", "hours_per_week = true"),
            "x.toml:6: hours_per_week: must be a positive number",
        ),
        (
            lambda t: t + '[[skills]]\nname = "S"\npriority = "urgent"\nweeks = 2\n',
            "x.toml:16: skills[1].priority: must be one of",
        ),
        (
            lambda t: t + '[[skills]]\nname = "S"\npriority = "critical"\nweeks = 2\nphases = [7]\n',
            "skills[1].phases: links to phase 7",
        ),
        (
            lambda t: t + '[[actions]]\nhorizon = "someday"\ntitle = "x"\n',
            "actions[1].horizon: must be one of this-week",
        ),
        (lambda t: t.replace('id = "a-to-b"', 'id = "A to B"'), "x.toml:2: id: must be a slug"),
    ],
)
def test_bad_fields_are_located(change, expected):
    assert any(expected in line for line in problems_of(change(GOOD))), problems_of(change(GOOD))


def test_duplicate_phase_numbers_and_all_problems_at_once():
    text = GOOD.replace("weeks = 2", 'weeks = "eight"') + '\n[[phases]]\nnumber = 1\ntitle = "Again"\nweeks = 1\n'
    found = problems_of(text.replace('title = "From A to B"\n', ""))
    assert any("phases[2].number: phase number 1 is used twice" in p for p in found)
    assert any("phases[2].tasks: a phase needs at least one task" in p for p in found)
    assert any("title: is required" in p for p in found)
    assert any("phases[1].weeks" in p for p in found)


def test_syntax_error_has_line():
    found = problems_of(GOOD.replace("weeks = 2", "weeks = = 2"))
    assert found[0].startswith("x.toml:11: TOML syntax error")


def test_validate_command(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD.replace("weeks = 2", 'weeks = "eight"') + "[[phases]]\nnumber = 1\ntitle = 'x'\nweeks = -1\n")
    syntax = tmp_path / "syntax.toml"
    syntax.write_text("id = \n")
    result = run_process("validate", BUILTIN_FILE, bad, syntax)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert any("bad.toml:11: phases[1].weeks" in line for line in lines)
    assert any("bad.toml:15: phases[2].number: phase number 1 is used twice" in line for line in lines)
    assert any("bad.toml:17: phases[2].weeks: must be a positive number, got -1" in line for line in lines)
    assert any("syntax.toml:1: TOML syntax error" in line for line in lines)
    good = run_process(
        "validate", *sorted((ROOT / "pathways").glob("*.toml")), ROOT / "templates" / "pathway.example.toml"
    )
    assert good.returncode == 0, good.stderr


def test_unknown_pathway_and_not_utf8(tmp_path):
    result = run("show", "no-such-pathway")
    assert result.exit_code == 1 and "no such pathway file or built-in pathway" in result.stderr
    binary = tmp_path / "p.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    result = run("validate", binary)
    assert result.exit_code == 1 and "not UTF-8" in result.stderr


def test_version_and_module_entry():
    assert run_process("--version").stdout.startswith("pathway-export, version")
