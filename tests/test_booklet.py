"""The workshop's printed matter: all-plans.pdf with a cover, an index and bookmarks; the booklet;
the short handout; every script printed, and a warning where a character cannot be."""

import csv
import os
import re
import time
import unicodedata
from dataclasses import replace
from io import BytesIO

import pytest
from conftest import CONTEXT, make_plan, render_one, run, run_process
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from realclients import pdf_tool
from reportlab.pdfbase import pdfmetrics

from exporter.environment import installed_fonts
from exporter.fontfiles import find_fonts
from exporter.theme import Theme
from exporter.writers import Handout, WriterOptions
from exporter.writers.pdf import printing_problems
from exporter.writers.pdf_fonts import script_fonts

SCRIPTS = {
    "Chinese": "Wei Zhang 张伟",
    "Japanese": "山田太郎",
    "Korean": "김민준",
    "Arabic": "محمد علي",
    "Hebrew": "דוד לוי",
    "Devanagari": "अनीता शर्मा",
    "Thai": "สมชาย ใจดี",
    "Latin": "Zoë Ødegård",
}
RIGHT_TO_LEFT = {"Arabic": ("محمد", "علي"), "Hebrew": ("דוד", "לוי")}
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u200e\u200f"))
SHARED_HEADINGS = ("About this transition", "What you already bring", "How to learn each skill", "Reality check")


def _env():
    return {**os.environ, "SOURCE_DATE_EPOCH": "1790000000"}


@pytest.fixture(scope="module")
def roster(tmp_path_factory):
    path = tmp_path_factory.mktemp("room") / "room.csv"
    rows = [f"{name},2027-01-04,UTC" for name in SCRIPTS.values()]
    rows.insert(3, "Bad Zone,2027-01-04,Mars/Olympus")
    path.write_text("name,start,timezone\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def batches(roster, tmp_path_factory):
    base = tmp_path_factory.mktemp("batches")
    made = {}
    for kind, extra in (("plain", []), ("booklet", ["--booklet"])):
        out = base / kind
        result = run_process("batch", roster, "-o", out, "--jobs", 2, "--title", "Spring workshop", *extra, env=_env())
        assert result.returncode == 1 and "Mars/Olympus" in result.stderr, result.stderr
        made[kind] = out
    return made


def _summary(out):
    return list(csv.DictReader((out / "summary.csv").read_text(encoding="utf-8-sig").splitlines()))


def _pages(text: str) -> tuple[int, int]:
    first, last = text.split("-")
    return int(first), int(last)


def _visible(text: str) -> str:
    """pdftotext's text as a reader compares it: presentation forms folded, bidi marks dropped."""
    return unicodedata.normalize("NFKC", text).translate(BIDI_CONTROLS)


@pytest.mark.parametrize("kind", ["plain", "booklet"])
def test_summary_pages_match_the_outline_and_the_index(batches, kind):
    out = batches[kind]
    combined = out / "all-plans.pdf"
    reader = PdfReader(combined)
    outline = {item.title: reader.get_destination_page_number(item) + 1 for item in reader.outline}
    rows = [row for row in _summary(out) if row["status"] == "ok"]
    assert len(rows) == len(SCRIPTS)
    assert [row["pages"] for row in _summary(out) if row["status"] != "ok"] == [""]
    cover_and_index = _visible(pdf_tool("pdftotext", "-f", "1", "-l", "2", str(combined), "-"))
    assert "Spring workshop" in cover_and_index and "Contents" in cover_and_index
    previous_last = 2
    for row in rows:
        first, last = _pages(row["pages"])
        assert outline[row["name"]] == first
        assert first % 2 == 1 and first > previous_last
        assert f"{first}–{last}" in cover_and_index
        own = pdf_tool("pdftotext", "-f", str(first), "-l", str(first), str(combined), "-")
        assert "Personal action plan" in own
        if last < len(reader.pages):
            after = pdf_tool("pdftotext", "-f", str(last + 1), "-l", str(last + 1), str(combined), "-")
            assert "Personal action plan" in after or not after.strip()  # the next plan, or a blank back page
        previous_last = last
    assert len(reader.pages) in (previous_last, previous_last + 1)


def test_the_booklet_prints_the_shared_part_once(batches):
    booklet = pdf_tool("pdftotext", str(batches["booklet"] / "all-plans.pdf"), "-")
    plain = pdf_tool("pdftotext", str(batches["plain"] / "all-plans.pdf"), "-")
    for heading in SHARED_HEADINGS:
        assert booklet.count(heading) == 1, heading
    assert plain.count("About this transition") == len(SCRIPTS)
    assert booklet.count("Personal action plan") == len(SCRIPTS)
    assert "Phase 5" in booklet and booklet.count("Skills to learn") == len(SCRIPTS)
    reader = PdfReader(batches["booklet"] / "all-plans.pdf")
    titles = [item.title for item in reader.outline]
    assert titles[0] == "Contents" and titles[1].startswith("For everyone: ")
    assert len(reader.pages) < len(PdfReader(batches["plain"] / "all-plans.pdf").pages)


@pytest.mark.parametrize("kind", ["plain", "booklet"])
def test_every_script_is_printed_and_every_font_embedded(batches, kind):
    combined = batches[kind] / "all-plans.pdf"
    assert "No syntax or stream encoding errors found" in pdf_tool("qpdf", "--check", str(combined))
    fonts = pdf_tool("pdffonts", str(combined)).splitlines()[2:]
    assert fonts and all(re.search(r"\byes\s+yes\s+yes\b", line) for line in fonts), fonts
    names = {line.split()[0].split("+")[-1] for line in fonts}
    assert {"WenQuanYiMicroHei-0", "NotoSansArabic-Regular", "NotoSansHebrew-Regular"} <= names
    assert {"NotoSansDevanagari-Regular", "NotoSansThai-Regular"} <= names
    text = _visible(pdf_tool("pdftotext", str(combined), "-"))
    for word in ("张伟", "山田太郎", "김민준", "अनीता", "สมชาย", "ใจดี"):
        assert word in text, word
    for words in RIGHT_TO_LEFT.values():
        for word in words:  # poppler gives right-to-left text in logical or in visual order
            assert word in text or word[::-1] in text, word


def test_right_to_left_names_read_right_to_left(batches):
    """On the index page (paragraphs) and in each plan's running header (drawn on the canvas), a
    right-to-left name's first word stands to the right of its second."""
    out = batches["booklet"]
    combined = out / "all-plans.pdf"
    rows = {row["name"]: _pages(row["pages"]) for row in _summary(out) if row["status"] == "ok"}
    for script, (first_word, second_word) in RIGHT_TO_LEFT.items():
        name = SCRIPTS[script]
        for page in (2, rows[name][0] + 1):
            boxes = pdf_tool("pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(combined), "-")
            found = {
                _visible(word): float(x) for x, word in re.findall(r'<word xMin="([\d.]+)"[^>]*>([^<]+)</word>', boxes)
            }
            x = {w: found.get(w, found.get(w[::-1])) for w in (first_word, second_word)}
            assert None not in x.values(), (script, page, sorted(found))
            assert x[first_word] > x[second_word], (script, page, x)


def test_the_pdf_text_is_the_name_as_written():
    """Another reader: pypdf's text of the title page holds every name's letters, shaped or not.

    Except the repha of शर्मा: the र drawn as a mark above the next letter is one glyph for two
    characters, and ReportLab's ToUnicode maps such a glyph to no text (a known gap; it prints right)."""
    context = replace(CONTEXT, fonts=installed_fonts())
    for name in SCRIPTS.values():
        data = render_one("pdf", make_plan(name=name, context=context), context=context)
        text = _visible(PdfReader(BytesIO(data)).pages[0].extract_text())
        for word in name.split():
            letters = [c for c in word.replace("र्", "") if unicodedata.category(c)[0] == "L"]
            assert all(c in text for c in letters), (name, word, text[:300])


def test_short_handout_is_at_most_four_pages(tmp_path):
    plan = make_plan(name="Zoë Ødegård")
    for paper in ("letter", "a4"):
        options = WriterOptions(handout=Handout.SHORT)
        path = tmp_path / f"{paper}.pdf"
        path.write_bytes(render_one("pdf", plan, theme=Theme(paper=paper), options=options))
        assert int(re.search(r"Pages:\s+(\d+)", pdf_tool("pdfinfo", str(path))).group(1)) <= 4
        text = " ".join(pdf_tool("pdftotext", "-raw", str(path), "-").split())
        for heading in ("At a glance", "Start now", "Your week", "Zoë Ødegård"):
            assert heading in text
        for task in plan.tasks:
            assert task.title in text and CONTEXT.labels.short_date(task.start) in text
        for heading in (*SHARED_HEADINGS, "Frequently asked questions", "Notes"):
            assert heading not in text


def test_handout_from_the_command_line_a_profile_and_a_roster(tmp_path):
    profile = tmp_path / "me.toml"
    profile.write_text('handout = "short"\n', encoding="utf-8")
    result = run_process("export", "-o", tmp_path / "me", "--profile", profile, "--formats", "pdf", env=_env())
    assert result.returncode == 0, result.stderr
    assert int(re.search(r"Pages:\s+(\d+)", pdf_tool("pdfinfo", str(tmp_path / "me" / "plan.pdf"))).group(1)) <= 4
    roster = tmp_path / "room.csv"
    roster.write_text("name,handout\nAda,short\nBen,\nCy,tiny\n", encoding="utf-8")
    result = run_process("batch", roster, "-o", tmp_path / "room", "--formats", "pdf", "--jobs", 1, env=_env())
    assert "room.csv: row 4: handout: must be full or short, got 'tiny'" in result.stderr
    pages = {row["name"]: row["pages"] for row in _summary(tmp_path / "room")}
    assert pages["Cy"] == ""
    ada, ben = _pages(pages["Ada"]), _pages(pages["Ben"])
    assert ada[1] - ada[0] + 1 <= 4 < ben[1] - ben[0] + 1


def test_a_character_no_font_has_is_a_warning_naming_it_and_the_fix(tmp_path):
    roster = tmp_path / "room.csv"
    roster.write_text("name\nአበበ ቢቂላ\nWei Zhang 张伟\n", encoding="utf-8")
    result = run_process("batch", roster, "-o", tmp_path / "room", "--formats", "pdf", "--jobs", 1, env=_env())
    assert result.returncode == 0, result.stderr
    assert re.search(r"warning: .*room\.csv: row 2: name: cannot print 'አበቢቂላ' \(U\+12A0 .*theme", result.stderr)
    assert "row 3" not in result.stderr
    no_fonts = printing_problems(make_plan(name="Wei Zhang 张伟 สมชาย"), CONTEXT, Theme())
    (problem,) = no_fonts
    assert problem.field == "name" and "'张伟สมชาย'" in problem.message
    assert "fonts-noto-core and fonts-wqy-microhei" in problem.message
    assert printing_problems(make_plan(name="Zoë Ødegård Жанна"), CONTEXT, Theme()) == ()


def test_fonts_are_found_by_file_name_in_font_folders(tmp_path):
    (tmp_path / "a" / "deep").mkdir(parents=True)
    (tmp_path / "a" / "deep" / "NotoSansThai-Regular.ttf").write_bytes(b"")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "NotoSansThai-Regular.ttf").write_bytes(b"")
    (tmp_path / "b" / "wqy-microhei.ttc").write_bytes(b"")
    found = find_fonts([tmp_path / "a", tmp_path / "b", tmp_path / "missing"])
    assert [(f.script, f.regular == f.bold) for f in found] == [("Chinese, Japanese and Korean", True), ("Thai", True)]
    assert found[1].regular == str(tmp_path / "a" / "deep" / "NotoSansThai-Regular.ttf")
    assert {f.script for f in installed_fonts()} >= {"Arabic", "Hebrew", "Devanagari", "Thai"}


SAMPLES = "".join(SCRIPTS.values()) + "  \u00a0-.,()ᚠአ\t"


@settings(deadline=None)  # the first example loads the fonts
@given(st.text(alphabet=SAMPLES, max_size=60))
def test_runs_keep_the_text_and_draw_each_character_in_a_font_that_has_it(text):
    scripts = _scripts()
    runs = scripts.runs(text, scripts.regular)
    assert "".join(piece.text for piece in runs).replace("\u00a0", " ") == text.replace("\u00a0", " ")
    missing = scripts.unprintable(text)
    for piece in runs:
        covered = frozenset(pdfmetrics.getFont(piece.font).face.charToGlyph)
        assert all(ord(c) in covered or c.isspace() or c in missing for c in piece.text), piece
        assert not piece.right_to_left or " " not in piece.text  # kept whole: no line break inside


def test_runs_take_linear_time_in_the_text():
    scripts = _scripts()
    text = "张伟 " + " " * 200_000 + "محمد"
    started = time.monotonic()
    assert len(scripts.runs(text, scripts.regular)) == 3
    assert time.monotonic() - started < 5


def _scripts():
    from exporter.writers.pdf import register_fonts

    regular, bold = register_fonts()
    return script_fonts(regular, bold, installed_fonts())


def test_a_theme_font_prints_the_scripts_it_has_itself(tmp_path):
    from importlib import resources

    context = replace(CONTEXT, fonts=installed_fonts())
    theme = Theme(font=str(resources.files("exporter.fonts") / "DejaVuSans.ttf"))
    path = tmp_path / "plan.pdf"
    path.write_bytes(render_one("pdf", make_plan(name="محمد 张伟", context=context), theme=theme, context=context))
    fonts = pdf_tool("pdffonts", str(path))
    assert "WenQuanYi" in fonts and "NotoSansArabic" not in fonts  # DejaVu has Arabic letters, not Chinese
    assert printing_problems(make_plan(name="محمد 张伟"), context, theme) == ()


def test_a_booklet_needs_the_combined_pdf(tmp_path):
    roster = tmp_path / "room.csv"
    roster.write_text("name\nAda\n", encoding="utf-8")
    for extra in (["--no-combined-pdf"], ["--formats", "xlsx"]):
        result = run("batch", roster, "-o", tmp_path / "out", "--booklet", *extra)
        assert result.exit_code == 1
        assert "--booklet: prints into all-plans.pdf" in result.stderr
        assert not (tmp_path / "out").exists()
