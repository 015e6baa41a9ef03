import dataclasses
import io
import re
import signal
import time
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from conftest import CONTEXT, make_plan, render_format, render_one
from pypdf import PdfReader
from realclients import pdf_tool

from exporter.context import fixed_context
from exporter.labels import ENGLISH, Labels
from exporter.loader import load_pathway
from exporter.model import Pathway, Phase, RealityCheck, Resource, Task
from exporter.theme import Theme
from exporter.writers import REGISTRY, WriterOptions
from exporter.writers.pdf import _fit, register_fonts

NAMES = "Zoë Łukasz Ødegård Ωμέγα Жанна"
ESCAPE_CASE = "Tooling & Authoring <Hands-on>"


@pytest.fixture(scope="module")
def plan_pdf(tmp_path_factory):
    plan = make_plan(name=NAMES)
    path = tmp_path_factory.mktemp("pdf") / "plan.pdf"
    path.write_bytes(render_one("pdf", plan))
    return plan, path


def _text(data: bytes, tmp_path, name: str = "plan.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    assert "No syntax or stream encoding errors found" in pdf_tool("qpdf", "--check", str(path))
    return pdf_tool("pdftotext", "-raw", str(path), "-")


def test_one_file_named_plan_pdf(builtin_plan):
    assert REGISTRY["pdf"].file_names(WriterOptions()) == ("plan.pdf",)
    files = render_format("pdf", builtin_plan)
    assert list(files) == ["plan.pdf"] and files["plan.pdf"].startswith(b"%PDF-")


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
    assert "/Lang (en)" in path.read_bytes().decode("latin-1")


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
        # British English abbreviations (CLDR's en_GB): `Sept` for September
        assert f"{ENGLISH.short_date(task.start)} to {ENGLISH.short_date(task.finish)}" in flat
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


def test_dates_and_milestones_come_from_the_context_and_the_view(plan_pdf):
    plan, path = plan_pdf
    flat = " ".join(pdf_tool("pdftotext", "-raw", str(path), "-").split())
    assert f"Generated {ENGLISH.short_date(CONTEXT.build_time.date())}" in flat
    assert "Checkpoint: actions for the next 90 days (3)" in flat
    assert "Pathway complete: Backend Developer -> AI Government Specialist" in flat
    assert "Skill target: AI Ethics and Bias Mitigation" in flat
    assert f"{ENGLISH.short_date(plan.start)} to {ENGLISH.short_date(plan.finish)}" in flat
    assert "Mon 19:00-21:00" not in flat and "Monday 19:00-21:00" in flat
    stamp = f"D:{CONTEXT.build_time:%Y%m%d%H%M%S}+00'00'"
    assert f"/CreationDate ({stamp})" in path.read_bytes().decode("latin-1")


def _shouted(labels: Labels) -> Labels:
    """A pseudo-language: every word of the catalogue in capitals, its placeholders left as they are;
    dates, times and numbers in German (its locale is de_DE), through the catalogue's date patterns."""

    def shout(template: str) -> str:
        return "".join(part if part.startswith("{") else part.upper() for part in re.split(r"(\{[^}]*\})", template))

    entries = {
        key: value if key.startswith("date.") else shout(value) if isinstance(value, str) else [shout(v) for v in value]
        for key, value in labels.entries.items()
    }
    return Labels("x-shout", entries, "de_DE")


def test_every_word_comes_from_the_catalogue(tmp_path):
    context = dataclasses.replace(CONTEXT, labels=_shouted(CONTEXT.labels))
    plan = make_plan(name="Ann", blackout=["2027-02-01"], holidays="US")
    data = render_one("pdf", plan, context=context)
    flat = " ".join(_text(data, tmp_path).split())
    for english in (
        "Personal action plan",
        "Weekly study",
        "the guide's own pace",
        "At a glance",
        "Calendar weeks",
        "Checkpoint",
        "Skill target",
        "Start now",
        "This week",
        "Time zone",
        "No study on",
        "Monday",
        "Page 2 of",
        "4 Jan 2027",
        "How to learn it",
        "Reality check",
        "Notes",
    ):
        assert english not in flat, english
    for shouted in (
        "PERSONAL ACTION PLAN",
        "THE GUIDE'S OWN PACE",
        "AT A GLANCE",
        "CHECKPOINT: ACTIONS FOR THE NEXT 90 DAYS (3)",
        "THIS WEEK",
        "TIME ZONE America/New_York",
        "NO STUDY ON: 1 Feb. 2027",
        "NO STUDY ON PUBLIC HOLIDAYS OF US.",
        "Montag",  # the locale's weekday, month and date forms
        "PAGE 2 OF",
        "4 Jan. 2027",
        "Montag 4 Januar 2027",
        "(1,00X THE GUIDE'S 10 H",  # the locale's numbers
        "CRITICAL",  # a priority: the guide's own text says "critical" too
        "HOW TO LEARN IT",
    ):
        assert shouted in flat, shouted
    raw = data.decode("latin-1")
    assert "/Lang (x-shout)" in raw and "CAREER PLAN" in raw


def test_timeline_words_come_from_the_catalogue(tmp_path):
    context = dataclasses.replace(CONTEXT, labels=_shouted(CONTEXT.labels))
    data = render_one("pdf", make_plan(), context=context)
    path = tmp_path / "plan.pdf"
    path.write_bytes(data)
    page = " ".join(pdf_tool("pdftotext", "-f", "2", "-l", "2", "-raw", str(path), "-").split())
    assert "Feb. 27" in page and "Feb 27" not in page  # month labels of the axis, in the locale's words
    assert "◆ MILESTONE" in page and "START" in page


def test_paper_sizes(tmp_path):
    plan = make_plan()
    path = tmp_path / "a4.pdf"
    path.write_bytes(render_one("pdf", plan, theme=Theme(paper="a4")))
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
    data = render_one("pdf", make_plan(pathway, name="<b>Ann</b> & Co"))
    flat = " ".join(_text(data, tmp_path, "esc.pdf").split())
    assert ESCAPE_CASE in flat
    assert "<font color='red'>x</font> &amp;" in flat
    assert "<b>Ann</b> & Co" in flat
    assert 'https://example.test/?a=1&b="2"' in flat


def test_control_characters_are_dropped(tmp_path):
    dirty = "Ctl\x00\x07Title\x0b\x1b\x7f\x85\x9fEnd"
    pathway = Pathway(
        "ctl",
        dirty,
        "A\x01",
        "B\x1f",
        5,
        subtitle=dirty,
        phases=(Phase(1, "Phase" + dirty, 2, (Task("Task" + dirty),), (Resource("Res" + dirty, "https://a.test/"),)),),
        reality_check=RealityCheck(intro="Intro" + dirty),
        notes=("Note" + dirty,),
    )
    data = render_one("pdf", make_plan(pathway, name="Ann"))
    text = _text(data, tmp_path)
    for control in "\x00\x07\x0b\x1b\x7f\x85\x9f":
        assert control not in text, repr(control)
    flat = " ".join(text.split())
    for clean in ("CtlTitleEnd", "PhaseCtlTitleEnd", "TaskCtlTitleEnd", "• ResCtlTitleEnd", "IntroCtlTitleEnd"):
        assert clean in flat, clean
    assert "NoteCtl" not in flat  # a pathway's notes are for its author: the handout leaves them out
    assert "CtlTitleEnd | Ann" in flat  # the page header, drawn on the canvas
    assert re.search(r"Title:\s+CtlTitleEnd: action plan for Ann", pdf_tool("pdfinfo", str(tmp_path / "plan.pdf")))


def test_links_are_clickable(plan_pdf):
    _, path = plan_pdf
    raw = path.read_bytes()
    assert b"/URI" in raw and b"https://ai.gov" in raw


def _fill_colours_of(data: bytes, needle: str) -> list[tuple[int, ...]]:
    """The fill colour (0-255 RGB) each run of text holding `needle` is drawn in."""
    found: list[tuple[int, ...]] = []
    for page in PdfReader(io.BytesIO(data)).pages:
        state: dict = {"fill": None, "saved": []}

        def before(operator, operands, cm, tm, state=state):
            if operator == b"rg":
                state["fill"] = tuple(round(float(value) * 255) for value in operands)
            elif operator == b"q":
                state["saved"].append(state["fill"])
            elif operator == b"Q" and state["saved"]:
                state["fill"] = state["saved"].pop()

        def text(content, cm, tm, font, size, state=state):
            if needle in content:
                found.append(state["fill"])

        page.extract_text(visitor_operand_before=before, visitor_text=text)
    return found


def test_links_are_drawn_in_the_theme_primary_colour():
    data = render_one("pdf", make_plan(), theme=Theme(primary="#7A1F5C"))
    assert _fill_colours_of(data, "• Coursera - AI for Everyone") == [(0x7A, 0x1F, 0x5C)]
    links = [
        annotation.get_object()["/A"]["/URI"]
        for page in PdfReader(io.BytesIO(data)).pages
        for annotation in page.get("/Annots") or []
    ]
    assert "https://www.coursera.org/learn/ai-for-everyone" in links
    assert all((0x1F, 0x3A, 0x5F) not in _fill_colours_of(data, word) for word in ("Coursera", "Website"))


@contextmanager
def _deadline(seconds: int):
    """Fail, rather than hang, when the block runs longer than `seconds`."""

    def expire(signum, frame):
        raise TimeoutError(f"took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("length", [10_000, 50_000])
def test_a_long_unbroken_title_renders_quickly(tmp_path, length):
    title = "Ω" + "x" * (length - 2) + "Z"
    pathway = dataclasses.replace(load_pathway(), title=title)
    plan = make_plan(pathway, name="Ann")
    started = time.monotonic()
    with _deadline(20):
        data = render_one("pdf", plan)
    assert time.monotonic() - started < 20
    text = _text(data, tmp_path)
    assert "Ωxxxx" in text and "At a glance" in text
    assert re.search(r"Title:\s+Ωx+Z: action plan for Ann", pdf_tool("pdfinfo", str(tmp_path / "plan.pdf")))


def test_fit_keeps_the_longest_start_that_fits():
    regular, _ = register_fonts()
    width = 200.0
    for text in ("short", "W" * 5000, "A mixture of words and ΩΩΩ " * 40):
        fitted = _fit(text, regular, 8, width)
        if fitted == text:
            continue
        kept = fitted.removesuffix("…")
        assert fitted.endswith("…") and text.startswith(kept)
        assert _width(fitted, regular) <= width < _width(text[: len(kept) + 1] + "…", regular)
    assert _fit("short", regular, 8, width) == "short"


def _width(text: str, font: str) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, font, 8)


def test_same_context_same_bytes_whatever_the_environment(monkeypatch):
    plan = make_plan(name=NAMES)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    unset = render_one("pdf", plan)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    assert render_one("pdf", plan) == unset
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1")
    assert render_one("pdf", plan) == unset
    later = fixed_context(datetime(2027, 6, 1, 8, 30, tzinfo=UTC), CONTEXT.default_zone)
    other = render_one("pdf", plan, context=later)
    assert other != unset and b"D:20270601083000+00'00'" in other


def test_long_task_titles_split_across_pages(tmp_path):
    tasks = tuple(Task(f"Task {i} " + "with a long description " * 30) for i in range(60))
    pathway = Pathway("long", "Long", "A", "B", 10, phases=(Phase(1, "Long phase", 30, tasks),))
    path = tmp_path / "long.pdf"
    path.write_bytes(render_one("pdf", make_plan(pathway)))
    assert "No syntax or stream encoding errors found" in pdf_tool("qpdf", "--check", str(path))
    text = pdf_tool("pdftotext", str(path), "-")
    assert text.count("Planned") >= 3  # the task table's header repeats on each page it spans
