"""Guides written in different styles import item by item; each makes a pathway that validates and exports."""

import tomllib

import pytest
from conftest import FIXTURES, make_plan, render_format, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from realclients import pdf_tool

from exporter.errors import InputError
from exporter.importer import import_guide_file, import_guide_text
from exporter.loader import load_pathway_file

GUIDES = FIXTURES / "guides"


def _phases(data):
    return [(p["title"], p["weeks"], [t["title"] for t in p["tasks"]]) for p in data["phases"]]


def _resources(data):
    return [(p["number"], r["title"], r.get("url")) for p in data["phases"] for r in p["resources"]]


def _skills(data):
    return [(s["name"], s["priority"], "ongoing" if s.get("ongoing") else s["weeks"]) for s in data.get("skills", [])]


def _actions(data):
    return [(a["horizon"], a["title"]) for a in data.get("actions", [])]


def _faq(data):
    return [item["question"] for item in data.get("faq", [])]


def _imported(name):
    return import_guide_file(GUIDES / name if name != "seed-guide.txt" else FIXTURES / name)


def test_seed_plain_text():
    data = _imported("seed-guide.txt").data
    assert [(title, weeks, len(tasks)) for title, weeks, tasks in _phases(data)] == [
        ("Foundation: AI and Government 101", 8, 4),
        ("Deepen AI/ML Skills with Public Sector Focus", 12, 4),
        ("Master Government Processes and Compliance", 8, 4),
        ("Build Portfolio and Gain Practical Experience", 12, 4),
        ("Job Search and Transition", 8, 4),
    ]
    assert (1, "Website: ai.gov", "https://ai.gov") in _resources(data)
    assert _skills(data)[2:5] == [
        ("AI/ML Fundamentals", "critical", 12),
        ("Government Procurement and Compliance", "critical", 8),
        ("Security Clearance Process", "nice-to-have", "ongoing"),
    ]
    assert [name for name, _ in _actions(data)] == ["this-week"] * 3 + ["this-month"] * 3 + ["next-90-days"] * 3
    assert _faq(data) == [""]
    check = data["reality_check"]
    assert check["intro"].startswith("Before making this transition")
    assert [len(check[name]) for name in ("love", "miss", "challenges")] == [4, 4, 4]
    assert data["closing"].startswith("Ready to Start Your Transition?\n\nTake the next step")
    assert len(data["transferable_skills"]) == 5


def test_markdown_blog_post():
    result = _imported("blog-post.md")
    data = result.data
    assert data["title"] == "From Teacher to UX Designer" and data["overview"].startswith("Teachers already spend")
    assert _phases(data) == [
        (
            "Foundations",
            6,
            [
                "Take the Google UX Design Certificate courses 1-3",
                "Read The Design of Everyday Things by Don Norman",
                "Redesign one worksheet you use in class as a paper prototype",
            ],
        ),
        (
            "Research and prototyping",
            8.7,
            [
                "Interview five colleagues about a tool they hate",
                "Build a clickable prototype in Figma",
                "Run three usability tests on it",
            ],
        ),
        (
            "Portfolio",
            4,
            [
                "Write two case studies, one of them from your classroom",
                "Publish them on a simple site, for example https://www.notion.so",
                "Ask a working designer for feedback",
            ],
        ),
        ("Job search", 4, ["Apply to ten roles a week", "Practise the portfolio presentation"]),
    ]
    assert _resources(data) == [
        (
            1,
            "Google UX Design Certificate",
            "https://www.coursera.org/professional-certificates/google-ux-design",
        ),
        (2, "Nielsen Norman Group articles", "https://www.nngroup.com/articles/"),
        (2, "https://lawsofux.com", "https://lawsofux.com"),
        (3, "https://www.notion.so", "https://www.notion.so"),
    ]
    assert _skills(data) == [
        ("Figma", "critical", 6),
        ("User research", "critical", 6),
        ("Visual design basics", "nice-to-have", 3),
        ("HTML and CSS", "nice-to-have", 4),
    ]
    assert data["skills"][0]["how"] == (
        "Learn auto layout, components and prototyping with the free Figma Learn (https://help.figma.com/hc/en-us) tutorials."
    )
    assert [s["name"] for s in data["transferable_skills"]] == ["Empathy", "Explaining complex ideas", "Iteration"]
    assert _actions(data) == [
        ("this-week", "Sign up for Figma"),
        ("this-week", "Bookmark this guide"),
        ("this-week", "Start course 1 of the certificate"),
        ("next-90-days", "Finish the first case study"),
    ]
    assert _faq(data) == ["Do I need a design degree?", "How long does the switch take?"]
    assert data["reality_check"] == {
        "intro": "Switching is hard work, and the first year can feel like starting over.",
        "love": ["Solving a problem for thousands of people instead of thirty", "Working with curious colleagues"],
        "miss": ["Summer holidays", "The kids"],
        "challenges": ["Defending design decisions to stakeholders"],
    }
    assert data["closing"] == "You already design learning. Now design products. Good luck!"
    assert data["notes"] == ["Posted March 2026 - 8 min read"]
    guesses = "\n".join(result.guesses)
    assert "blog-post.md:20: skill 'User research' takes '4-6 weeks'; the upper end, 6 weeks" in guesses
    assert "blog-post.md:22: skill 'HTML and CSS' names no duration; 4 weeks assumed" in guesses
    assert "blog-post.md:42: phase 3 takes '3-4 weeks', a range; the upper end, 4 weeks" in guesses


def test_step_sections_with_durations_in_headings():
    data = _imported("steps-in-headings.md").data
    assert data["title"] == "From Accountant to Data Analyst" and data["timeline"] == "6-8 months"
    assert [(title, weeks, len(tasks)) for title, weeks, tasks in _phases(data)] == [
        ("SQL foundations", 8, 3),
        ("Python for analysis", 13.05, 2),
        ("Portfolio and applications", 6, 2),
    ]
    assert _resources(data) == [(2, "Kaggle Learn", None), (2, "Python for Data Analysis (book)", None)]
    assert _skills(data) == [
        ("SQL", "critical", 8),
        ("Python with pandas", "important", 13.05),
        ("Tableau", "nice-to-have", "ongoing"),
    ]
    assert data["skills"][0]["how"] == "Start with SQLBolt (https://sqlbolt.com) and then the Mode SQL tutorial."
    assert [s["name"] for s in data["transferable_skills"]] == ["Excel modelling", "Attention to detail"]
    assert _actions(data) == [
        ("this-week", "Install a SQL client"),
        ("this-month", "Finish the first ten SQLBolt lessons"),
        ("next-90-days", "Publish your first analysis"),
    ]
    assert data["faq"] == [
        {"question": "Do I need a statistics degree?", "answer": "No. Solid SQL and a portfolio open more doors."},
        {"question": "Is Excel enough?", "answer": "Not on its own."},
    ]
    assert data["reality_check"] == {
        "intro": "Starting salaries can be lower than a senior accountant's.",
        "love": ["You will work on more varied questions"],
        "challenges": ["Your first year is a junior year again"],
    }
    assert data["closing"] == "Numbers were always your craft; now they tell stories."


def test_month_ranges_in_plain_text():
    result = _imported("month-ranges.txt")
    data = result.data
    assert _phases(data) == [
        (
            "Certification",
            8.7,
            ["Study for the CAPM exam with the PMI study guide", "Take the exam"],
        ),
        ("Practice", 13.05, ["Volunteer to run a project for a local charity", "Keep a project journal"]),
        ("Job search", 4.35, ["Rewrite your CV around projects", "Apply to ten roles a week"]),
    ]
    assert _resources(data) == [
        (1, "PMI.org", "https://pmi.org"),
        (1, "CAPM exam content outline", None),
        (2, "Coursera - Google Project Management Certificate", None),
        (2, "https://www.scrum.org/resources", "https://www.scrum.org/resources"),
    ]
    assert _skills(data) == [
        ("Agile and Scrum", "critical", 4),
        ("Project tools", "important", 2),
        ("Stakeholder communication", "important", "ongoing"),
    ]
    assert data["skills"][0]["how"] == "Learn the ceremonies and roles; sit the Scrum Master exam."
    assert result.guesses == (
        "tests/fixtures/guides/month-ranges.txt:23: skill 'Stakeholder communication' names no priority; important assumed".replace(
            "tests/fixtures/guides", str(GUIDES)
        ),
    )
    assert [s["name"] for s in data["transferable_skills"]] == ["Team leadership", "Budgeting"]
    assert _actions(data) == [
        ("this-week", "Download the CAPM handbook"),
        ("this-month", "Book the exam date"),
        ("next-90-days", "Pass the CAPM"),
    ]
    assert _faq(data) == ["Do I need a PMP?"]
    assert data["reality_check"] == {
        "love": ["Seeing a project land"],
        "miss": ["The buzz of the shop floor"],
        "challenges": ["Leading people who do not report to you"],
    }
    assert data["closing"] == "Ready to start your new career?\n\nYour store was a project every single day."
    assert result.warnings == ()


def test_checklists_everywhere():
    result = _imported("checklists.md")
    data = result.data
    assert [(title, weeks, len(tasks)) for title, weeks, tasks in _phases(data)] == [
        ("Data basics", 4, 3),
        ("Standards", 6, 2),
        ("Capstone", 6, 2),
    ]
    assert _phases(data)[1][2] == [
        "Read the FHIR overview at https://hl7.org/fhir/overview.html",
        "Build a tiny FHIR client with a public test server",
    ]
    assert [(number, url) for number, _, url in _resources(data)] == [
        (1, "https://www.khanacademy.org/computing/computer-programming/sql"),
        (2, "https://hl7.org/fhir/overview.html"),
    ]
    assert _skills(data) == [
        ("Health data standards (HL7, FHIR)", "critical", 6),
        ("SQL", "important", 4),
        ("Project management", "nice-to-have", 4),
    ]
    assert [s["name"] for s in data["transferable_skills"]] == ["Clinical workflows", "Charting"]
    assert [horizon for horizon, _ in _actions(data)] == ["this-week"] * 2 + ["this-month"] * 2 + ["next-90-days"] * 2
    assert _actions(data)[0] == ("this-week", "Tell your manager you are interested in informatics")
    assert any("the 6 actions name no time; spread by position" in guess for guess in result.guesses)
    assert _faq(data) == ["Will I lose my nursing registration?"]
    assert data["reality_check"] == {
        "intro": "Informatics roles are fewer than nursing roles and often need a hospital referral."
    }
    assert data["closing"] == "Your clinical eye is what informatics teams lack."


def test_saved_html_page():
    result = _imported("saved-page.html")
    data = result.data
    assert (data["title"], data["subtitle"], data["difficulty"]) == (
        "From Chef to Food Scientist",
        "A Career Change Guide",
        "Hard",
    )
    assert data["overview"].endswith("A food scientist does the same in a lab & a pilot plant.")
    assert _phases(data) == [
        (
            "Science foundations",
            12,
            ["Complete an introductory food chemistry course", "Read On Food and Cooking by Harold McGee"],
        ),
        ("Lab practice", 8, ["Volunteer in a university food lab", "Document three product experiments"]),
    ]
    assert _resources(data) == [(1, "Institute of Food Technologists", "https://www.ift.org")]
    assert _skills(data) == [("Food chemistry", "critical", 12), ("Statistics for experiments", "important", 8)]
    assert "edX food science courses (https://www.edx.org/learn/food-science)" in data["skills"][0]["how"]
    assert [s["name"] for s in data["transferable_skills"]] == ["Palate", "Working under pressure"]
    assert _actions(data) == [
        ("this-week", "Email a food science department about lab volunteering"),
        ("this-month", "Enrol in the food chemistry course"),
    ]
    assert _faq(data) == ["Do I need a degree?"]
    assert data["reality_check"] == {
        "love": ["Your recipes reach supermarket shelves"],
        "challenges": ["Going back to study chemistry"],
    }
    assert data["closing"] == "Your kitchen was a lab all along."  # the site's footer is not the guide's
    assert "notes" not in data and result.warnings == ()
    assert "Not a heading" not in result.toml and "Home" not in result.toml  # script and menu are left out


def test_windows_1252_crlf_text():
    result = _imported("windows-1252-crlf.txt")
    data = result.data
    assert result.warnings == (
        f"{GUIDES / 'windows-1252-crlf.txt'}: not UTF-8 text (byte 8); read as Windows-1252: "
        "check accented letters and dashes",
    )
    assert data["title"] == "From Café Manager to Data Analyst" and data["id"] == "cafe-manager-to-data-analyst"
    assert _phases(data) == [
        ("Spreadsheet skills", 4, ["Rebuild the café’s stock sheet with pivot tables", "Chart a year of sales"]),
        ("SQL and dashboards", 8, ["Learn SQL on SQLZoo", "Build a dashboard of the café’s sales"]),
    ]
    assert any("phase 2 takes '6–8 weeks', a range; the upper end, 8 weeks" in guess for guess in result.guesses)
    assert _resources(data) == [(1, "Excel Jet", "https://exceljet.net")]
    assert _skills(data) == [("Spreadsheets beyond SUM", "critical", 4)]
    assert [s["name"] for s in data["transferable_skills"]] == ["Stock control"]
    assert _actions(data) == [("this-week", "Export last year’s sales")]
    assert data["faq"] == [
        {"question": "Is maths a problem?", "answer": "No – arithmetic and curiosity go a long way."}
    ]
    assert data["reality_check"] == {
        "intro": "It’s a junior role at first, and “café hours” become office hours.",
        "love": ["Questions with answers in the data"],
    }
    assert data["closing"] == "Ready to begin?\n\nYour till was a database."


def test_no_faq_and_no_reality_check():
    data = _imported("no-faq-no-reality.md").data
    assert _phases(data) == [
        ("Learn the craft", 6, ["Read Content Design by Sarah Winters", "Rewrite three government service pages"]),
        ("Build a portfolio", 4, ["Write two case studies", "Get feedback from a content designer"]),
    ]
    assert _resources(data) == []
    assert _skills(data) == [("Content design principles", "critical", 4), ("Figma for writers", "nice-to-have", 2)]
    assert [s["name"] for s in data["transferable_skills"]] == ["Plain language", "Interviewing"]
    assert _actions(data) == [
        ("this-week", "Read the GOV.UK content design guide"),
        ("this-month", "Finish the first case study"),
        ("next-90-days", "Apply to five content design roles"),
    ]
    assert "faq" not in data or data["faq"] == []
    assert "reality_check" not in data
    assert data["closing"] == "Your byline becomes the user's success."


ALL_GUIDES = [path.name for path in sorted(GUIDES.iterdir())]


@pytest.mark.parametrize("name", ALL_GUIDES)
def test_every_guide_validates_and_exports(name, tmp_path):
    out = tmp_path / "pathway.toml"
    report = tmp_path / "report.md"
    result = run("import", GUIDES / name, "-o", out, "--report", report)
    assert result.exit_code == 0, result.stderr
    assert run("validate", out).exit_code == 0
    planned = make_plan(load_pathway_file(out))
    for fmt in ("xlsx", "pdf", "ics"):
        assert render_format(fmt, planned)
    text = report.read_text(encoding="utf-8")
    assert text.startswith(f"# Import report: {name}\n") and "## What was guessed" in text


def test_the_example_guide_in_templates_imports_cleanly():
    result = import_guide_file(FIXTURES.parent.parent / "templates" / "guide.example.md")
    assert result.warnings == ()
    assert len(result.data["phases"]) == 3 and len(result.data["actions"]) == 3


def test_import_then_export_prints_the_reality_check_intro_not_the_notes(tmp_path):
    out = tmp_path / "pathway.toml"
    assert run("import", GUIDES / "blog-post.md", "-o", out).exit_code == 0
    assert "Posted March 2026" in tomllib.loads(out.read_text(encoding="utf-8"))["notes"][0]
    folder = tmp_path / "plan"
    exported = run("export", out, "-o", folder, "--start", "2027-01-04", "--timezone", "UTC", "--formats", "pdf")
    assert exported.exit_code == 0, exported.stderr
    text = " ".join(pdf_tool("pdftotext", "-layout", str(folder / "plan.pdf"), "-").split())
    assert "Switching is hard work, and the first year can feel like starting over." in text
    assert "Defending design decisions to stakeholders" in text
    assert "Posted March 2026" not in text


def test_a_reality_check_with_only_an_intro_is_printed(tmp_path):
    out = tmp_path / "pathway.toml"
    assert run("import", GUIDES / "checklists.md", "-o", out).exit_code == 0
    folder = tmp_path / "plan"
    assert run("export", out, "-o", folder, "--start", "2027-01-04", "--formats", "pdf").exit_code == 0
    text = " ".join(pdf_tool("pdftotext", str(folder / "plan.pdf"), "-").split())
    assert "Reality check Informatics roles are fewer than nursing roles" in text


def test_report_on_stderr_and_in_a_file(tmp_path):
    report = tmp_path / "report.md"
    result = run("import", GUIDES / "blog-post.md", "-o", tmp_path / "p.toml", "--report", report)
    assert "phase 1 'Foundations' (line 26): 6 weeks, 3 tasks, 1 resource" in result.stderr
    assert "guessed: " in result.stderr and "blog-post.md:22: skill 'HTML and CSS' names no duration" in result.stderr
    text = report.read_text(encoding="utf-8")
    what_became, guessed, notes = (
        text.split("## What was guessed")[0],
        *text.split("## What was guessed")[1].split("## What went to notes"),
    )
    assert "- 4 phases, 22.7 weeks, 11 tasks:" in what_became and "- 4 actions (3 this-week" in what_became
    assert "blog-post.md:42: phase 3 takes '3-4 weeks', a range; the upper end, 4 weeks" in guessed
    assert "blog-post.md:7: Posted March 2026 - 8 min read" in notes


def test_report_into_a_missing_folder_writes_nothing(tmp_path):
    result = run("import", GUIDES / "blog-post.md", "-o", tmp_path / "p.toml", "--report", tmp_path / "no" / "r.md")
    assert result.exit_code == 1 and "is not an existing folder" in result.stderr
    assert not (tmp_path / "p.toml").exists()


def test_no_roadmap_says_what_a_phase_heading_looks_like():
    with pytest.raises(InputError) as raised:
        import_guide_text("# From A to B\n\n## Roadmap\n\nWe will get there.\n", "plain.md")
    message = raised.value.problems[0].message
    assert "'Phase 1: Foundations'" in message and "'Weeks 1-4: Basics'" in message
    assert "templates/guide.example.md" in message


def test_a_single_unlabelled_action_list_is_spread_by_position():
    guide = "# From A to B\n\n## Step 1: Go (2 weeks)\n\n- Do it\n\n## Next steps\n\n" + "".join(
        f"- Action {n}\n" for n in range(1, 8)
    )
    result = import_guide_text(guide, "spread.md")
    assert [a["horizon"] for a in result.data["actions"]] == ["this-week"] * 3 + ["this-month"] * 2 + [
        "next-90-days"
    ] * 2
    assert any("spread by position" in guess for guess in result.guesses)


HTML_PIECES = st.sampled_from(
    [
        "<h1>From A to B</h1>",
        "<h2>Roadmap</h2>",
        "<h3>Step 1: X (2 weeks)</h3>",
        "<ul>",
        "</ul>",
        "<li>",
        "</li>",
        "<ol><li>Task</li></ol>",
        "<a href='https://x.test'>link</a>",
        "<a href='javascript:alert(1)'>",
        "<strong>Bold</strong>",
        "<input type=checkbox checked>",
        "<script>x<y</script>",
        "<nav>",
        "<p>",
        "</p>",
        "<br>",
        "&amp;",
        "&#0;",
        "<h2>FAQ</h2>",
        "Why?",
        "text",
        "\n",
        "<!--",
        "-->",
    ]
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(HTML_PIECES, max_size=60))
def test_fuzz_html_pages_give_only_clean_errors(pieces):
    try:
        result = import_guide_text("".join(pieces), "page.html", html=True)
    except InputError:
        return
    tomllib.loads(result.toml)


MARKDOWN_LINES = st.sampled_from(
    [
        "# From A to B",
        "## Your plan",
        "### Step 1: X (3-4 weeks)",
        "**Phase 2 - Y**",
        "Weeks 1-4: Z",
        "Months 3–6",
        "1. Numbered",
        "2) Other",
        "- [ ] box",
        "- [x] **Bold**: rest",
        "☐ square",
        "[t](https://a.test) and <https://b.test> and https://c.test/x",
        "Resources: A; B",
        "- **Figma** (critical, about 6 weeks): how",
        "Priority: optional · Time: 2 months",
        "## Next steps",
        "### Today",
        "## The honest truth",
        "### Pros",
        "===",
        "---",
        "```",
        "<!-- c -->",
        "",
        "   indented continuation of text",
        "## Final thoughts",
        "## Common questions",
        "**Q: Why?**",
        "A: Because.",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(MARKDOWN_LINES, max_size=60), st.sampled_from(["\n", "\r\n"]))
def test_fuzz_markdown_shaped_guides_give_only_clean_errors(lines, newline):
    try:
        result = import_guide_text(newline.join(lines), "shaped.md")
    except InputError:
        return
    tomllib.loads(result.toml)
