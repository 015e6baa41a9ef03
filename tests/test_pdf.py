import re

import pytest
from conftest import make_plan
from realclients import pdf_tool

from exporter.model import Pathway, Phase, Resource, Task
from exporter.theme import Theme
from exporter.writers.pdf import render_pdf

NAMES = "Zoë Łukasz Ødegård Ωμέγα Жанна"
ESCAPE_CASE = "Tooling & Authoring <Hands-on>"


@pytest.fixture(scope="module")
def plan_pdf(tmp_path_factory):
    plan = make_plan(name=NAMES)
    path = tmp_path_factory.mktemp("pdf") / "plan.pdf"
    path.write_bytes(render_pdf(plan, Theme()))
    return plan, path


def test_structure_fonts_and_metadata(plan_pdf):
    plan, path = plan_pdf
    assert "No syntax or stream encoding errors found" in pdf_tool("qpdf", "--check", str(path))
    fonts = pdf_tool("pdffonts", str(path)).splitlines()[2:]
    assert fonts and all(re.search(r"\byes\s+yes\s+yes\b", line) for line in fonts), fonts
    assert not any("Helvetica" in line or "Times" in line for line in fonts)
    info = pdf_tool("pdfinfo", str(path))
    assert "612 x 792 pts (letter)" in info
    assert f"Title:           {plan.pathway.title}: action plan for {NAMES}" in info
    assert re.search(r"Subject:\s+Backend Developer to AI Government Specialist", info)
    assert re.search(r"Author:\s+" + NAMES, info)
    assert "/Lang" in path.read_bytes().decode("latin-1")


def test_text_a_reader_can_search(plan_pdf):
    plan, path = plan_pdf
    text = pdf_tool("pdftotext", "-raw", str(path), "-")
    flat = " ".join(text.split())
    assert NAMES in flat
    for phase in plan.phases:
        assert phase.title in flat
        assert f"{phase.start:%A} {phase.start.day} {phase.start:%B %Y}" in flat
    for task in plan.tasks:
        assert task.title in flat, task.title
        assert f"{task.start.day} {task.start:%b %Y} to {task.finish.day} {task.finish:%b %Y}" in flat
    for heading in (
        "At a glance",
        "Start now",
        "Your week",
        "Skills to learn",
        "Reality check",
        "Frequently asked questions",
        "Notes",
        "This week",
        "Next 90 days",
    ):
        assert heading in flat
    for skill in plan.pathway.skills:
        assert skill.name.split()[0] in flat
    assert re.search(r"Page 2 of \d+", flat)
    pages = int(re.search(r"Pages:\s+(\d+)", pdf_tool("pdfinfo", str(path))).group(1))
    assert f"Page {pages} of {pages}" in flat
    assert "Page 1 of" not in flat
    assert "☐" in text


def test_paper_sizes(tmp_path):
    plan = make_plan()
    path = tmp_path / "a4.pdf"
    path.write_bytes(render_pdf(plan, Theme(paper="a4")))
    assert "595.276 x 841.89 pts (A4)" in pdf_tool("pdfinfo", str(path))


def test_markup_in_data_prints_literally(tmp_path):
    text = f"{ESCAPE_CASE} <font color='red'>x</font> &amp;"
    pathway = Pathway(
        "esc",
        ESCAPE_CASE,
        "A & B",
        "<C>",
        5,
        phases=(Phase(1, ESCAPE_CASE, 2, (Task(text),), (Resource(ESCAPE_CASE, 'https://example.test/?a=1&b="2"'),)),),
    )
    path = tmp_path / "esc.pdf"
    path.write_bytes(render_pdf(make_plan(pathway, name="<b>Ann</b> & Co"), Theme()))
    flat = " ".join(pdf_tool("pdftotext", "-raw", str(path), "-").split())
    assert ESCAPE_CASE in flat
    assert "<font color='red'>x</font> &amp;" in flat
    assert "<b>Ann</b> & Co" in flat
    assert 'https://example.test/?a=1&b="2"' in flat


def test_links_are_clickable(plan_pdf):
    _, path = plan_pdf
    raw = path.read_bytes()
    assert b"/URI" in raw and b"https://ai.gov" in raw


def test_same_inputs_same_bytes(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    plan = make_plan(name=NAMES)
    assert render_pdf(plan, Theme()) == render_pdf(plan, Theme())


def test_long_task_titles_split_across_pages(tmp_path):
    tasks = tuple(Task(f"Task {i} " + "with a long description " * 30) for i in range(60))
    pathway = Pathway("long", "Long", "A", "B", 10, phases=(Phase(1, "Long phase", 30, tasks),))
    path = tmp_path / "long.pdf"
    path.write_bytes(render_pdf(make_plan(pathway), Theme()))
    assert "No syntax or stream encoding errors found" in pdf_tool("qpdf", "--check", str(path))
    text = pdf_tool("pdftotext", str(path), "-")
    assert text.count("Planned") >= 3  # the task table's header repeats on each page it spans
