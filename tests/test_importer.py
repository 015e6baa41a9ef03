import tomllib

from conftest import BUILTIN_FILE, FIXTURES, run, run_process
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exporter.errors import InputError
from exporter.importer import import_guide_text, split_resources

HAND_ADDED = {"url", "phases_links"}


def _without_hand_added(data):
    data = {k: v for k, v in data.items() if k != "notes"}
    for skill in data.get("skills", []):
        skill.pop("phases", None)
    for phase in data.get("phases", []):
        for resource in phase.get("resources", []):
            resource.pop("url", None)
        for task in phase.get("tasks", []):
            assert task.pop("key"), "every task has a key"
    return data


def test_seed_guide_reproduces_the_builtin_pathway(tmp_path):
    out = tmp_path / "imported.toml"
    result = run_process("import", FIXTURES / "seed-guide.txt", "-o", out)
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr
    imported = _without_hand_added(tomllib.loads(out.read_text(encoding="utf-8")))
    builtin = _without_hand_added(tomllib.loads(BUILTIN_FILE.read_text(encoding="utf-8")))
    assert imported.keys() == builtin.keys()
    for key in builtin:
        if isinstance(builtin[key], list):
            assert len(imported[key]) == len(builtin[key]), key
            for got, expected in zip(imported[key], builtin[key], strict=True):
                assert got == expected, key
        else:
            assert imported[key] == builtin[key], key
    assert run("validate", out).exit_code == 0
    assert run("plan", out, "--start", "2027-01-04", "--timezone", "UTC").exit_code == 0


def test_resources_run_together_are_split():
    assert split_resources("Coursera - AI for EveryoneBook: 'The Government Cloud'Website: ai.gov") == [
        "Coursera - AI for Everyone",
        "Book: 'The Government Cloud'",
        "Website: ai.gov",
    ]
    assert split_resources("USAJobs.govGovernmentJobs.comLinkedIn - GovTech Groups") == [
        "USAJobs.gov",
        "GovernmentJobs.com",
        "LinkedIn - GovTech Groups",
    ]
    assert split_resources("Udemy - Government ContractingNIST SP 800-53GovTech Network Meetups") == [
        "Udemy - Government Contracting",
        "NIST SP 800-53",
        "GovTech Network Meetups",
    ]


MARKDOWN_GUIDE = """\
# Career Pathway
## From Teacher to Instructional Designer: A 9-Month Guide

**Difficulty:** Easy
**Timeline:** 6-9 months

## Overview
Teachers design learning every day.

## Your Transferable Skills
### Lesson Planning
You already sequence learning.

## Skills You'll Need to Learn
### Authoring Tools
Critical 2 months
Build modules in a free tool.
### Networking
Nice to have · Ongoing
Meet designers.

## Your Learning Roadmap
### Phase 1: Foundations
3 months
**Tasks**
* Take a course on learning design
* Rework a lesson as a module
**Resources**
- Coursera - Learning Design
- https://example.org/guide

### Phase 2: Portfolio
6 weeks
Tasks
+ Publish two modules
Resources
DataCamp - Storytelling

### Phase 3: Job search
2 weeks
Tasks
1. Apply to five roles

## Reality Check
### What You'll Love
- Designing at scale
### Biggest Challenges
- Working with experts

## Start Your Journey Now
### This Week
- List three lessons
### Next 90 Days
- Apply to roles

## Frequently Asked Questions
Do I need a degree?
No.

A portfolio matters more.
Is it well paid?
It depends.
"""


def test_markdown_guide_with_months_and_odd_bullets():
    result = import_guide_text(MARKDOWN_GUIDE.replace("\n", "\r\n"), "teacher.md")
    data = tomllib.loads(result.toml)
    assert data["id"] == "teacher-to-instructional-designer"
    assert data["subtitle"] == "A 9-Month Guide" and data["difficulty"] == "Easy"
    assert [p["weeks"] for p in data["phases"]] == [13.05, 6, 2]
    assert [len(p["tasks"]) for p in data["phases"]] == [2, 1, 1]
    assert data["phases"][0]["resources"][1] == {
        "title": "https://example.org/guide",
        "url": "https://example.org/guide",
    }
    assert data["skills"][0] == {
        "name": "Authoring Tools",
        "priority": "critical",
        "weeks": 8.7,
        "how": "Build modules in a free tool.",
    }
    assert data["skills"][1]["ongoing"] is True and data["skills"][1]["priority"] == "nice-to-have"
    assert data["reality_check"] == {"love": ["Designing at scale"], "challenges": ["Working with experts"]}
    assert [a["horizon"] for a in data["actions"]] == ["this-week", "next-90-days"]
    assert data["faq"] == [
        {"question": "Do I need a degree?", "answer": "No.\n\nA portfolio matters more."},
        {"question": "Is it well paid?", "answer": "It depends."},
    ]
    assert result.warnings == ()


def test_many_phases_and_missing_sections():
    phases = "\n".join(
        f"{n}\n\nStep {n}\n\n1 week\nTasks\n  • Do thing {n}.1\n  • Do thing {n}.2\n" for n in range(1, 10)
    )
    guide = f"From Nurse to Health Data Analyst\n\nYour Learning Roadmap\n\n{phases}"
    data = tomllib.loads(import_guide_text(guide, "nurse.txt", hours_per_week=6).toml)
    assert len(data["phases"]) == 9 and data["hours_per_week"] == 6
    assert "skills" not in data or data["skills"] == []
    assert "reality_check" not in data


def test_unplaceable_text_is_warned_with_its_line_and_kept():
    guide = (
        "From A Role to B Role\nSomething odd here in the header.\n\nYour Learning Roadmap\n"
        "1\nStart\n2 weeks\nTasks\n• Read\nReality Check\nWhat You'll Love\n• Impact\nStray sentence two.\n"
    )
    result = import_guide_text(guide, "odd.txt")
    assert any(w.startswith("odd.txt:2: ") and "Something odd" in w for w in result.warnings)
    assert any(w.startswith("odd.txt:13: ") and "Stray sentence two." in w for w in result.warnings)
    assert "Something odd here in the header." in tomllib.loads(result.toml)["notes"]


def test_not_a_guide_exits_1(tmp_path):
    path = tmp_path / "letter.txt"
    path.write_text("Dear Sir,\nthank you for your letter.\n")
    result = run_process("import", path)
    assert result.returncode == 1 and "does not look like a career pathway guide" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_import_prints_toml_without_output_option():
    result = run("import", FIXTURES / "seed-guide.txt", "--hours-per-week", "8")
    assert result.exit_code == 0
    assert tomllib.loads(result.stdout)["hours_per_week"] == 8


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=2000))
def test_fuzz_never_raises_anything_but_input_error(text):
    try:
        result = import_guide_text(text, "fuzz.txt")
    except InputError:
        return
    tomllib.loads(result.toml)


GUIDE_LINES = st.sampled_from(
    [
        "From A to B",
        "Your Learning Roadmap",
        "1",
        "Phase 2: X",
        "3 weeks",
        "2 months",
        "Tasks",
        "Resources",
        "• task",
        "- task",
        "Critical4 weeks",
        "Nice to haveOngoing",
        "Reality Check",
        "What You'll Love",
        "This Week",
        "Frequently Asked Questions",
        "Why?",
        "Answer.",
        "Overview",
        "Difficulty",
        "Hard",
        "",
        "Skills You'll Need to Learn",
        "Your Transferable Skills",
        "Name",
        "AlphaBeta.govGamma'Delta",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(GUIDE_LINES, max_size=60), st.sampled_from(["\n", "\r\n"]))
def test_fuzz_guide_shaped_text(lines, newline):
    try:
        result = import_guide_text(newline.join(lines), "shaped.txt")
    except InputError:
        return
    tomllib.loads(result.toml)
