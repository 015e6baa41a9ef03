"""The PDF writer's own steps against the libraries' own: HarfBuzz shaping without discretionary
ligatures, paragraphs parsed ahead of time, caches that keep nothing of one plan in another's file,
and ReportLab's defaults left as they were for other code in the process."""

import subprocess
import sys
import textwrap
from dataclasses import replace
from importlib import resources
from pathlib import Path

import pytest
import uharfbuzz
from conftest import CONTEXT, WHOLE_PLANS, make_plan, render_one
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.ttfonts import TTFont, shapeFragWord
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from exporter.environment import installed_fonts
from exporter.theme import Theme
from exporter.writers import Handout, WriterOptions, pdf
from exporter.writers.pdf import document_styles, para
from exporter.writers.pdf_fonts import ShapingFont, without_feature

SHIPPED = resources.files("exporter.fonts")
SHAPED_SCRIPTS = ("Arabic", "Hebrew", "Devanagari")
MUHAMMAD = "محمد"
ALPHABET = "محمد علي الله لله صلى דוד לוי שָׁלוֹם अनीता शर्मा ffi fl Th Zoë <&>\n\u00a0—“”张伟"


def _font_files() -> list[str]:
    files = [str(SHIPPED / "DejaVuSans.ttf"), str(SHIPPED / "DejaVuSans-Bold.ttf")]
    for found in installed_fonts():
        if found.script in SHAPED_SCRIPTS:
            files += [found.regular, found.bold]
    return files


@pytest.fixture(scope="module")
def font_files():
    files = _font_files()
    assert len(files) == 2 + 2 * len(SHAPED_SCRIPTS), files  # fonts-noto-core is installed (.ci/run)
    return files


def _shape(data: bytes, text: str, features: dict) -> list[tuple]:
    """HarfBuzz's glyphs and positions for a text, as ReportLab sets up its buffer."""
    font = uharfbuzz.Font(uharfbuzz.Face(uharfbuzz.Blob(data)))
    buffer = uharfbuzz.Buffer()
    buffer.cluster_level = uharfbuzz.BufferClusterLevel.MONOTONE_CHARACTERS
    buffer.add_str(text)
    buffer.guess_segment_properties()
    uharfbuzz.shape(font, buffer, features)
    return [
        (info.codepoint, info.cluster, place.x_advance, place.y_advance, place.x_offset, place.y_offset)
        for info, place in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True)
    ]


REPORTLAB_FEATURES = shapeFragWord.__defaults__[0]


@settings(deadline=None, max_examples=60)
@given(st.text(alphabet=ALPHABET, min_size=1, max_size=40))
def test_a_face_without_dlig_shapes_as_harfbuzz_with_dlig_off(text):
    """ReportLab's features on the renamed face give, glyph for glyph and position for position, what
    HarfBuzz gives the original file with `dlig` switched off: the effect the writer wants."""
    for path in _font_files():
        data = Path(path).read_bytes()
        off = {**REPORTLAB_FEATURES, "dlig": False}
        assert _shape(without_feature(data, b"dlig"), text, REPORTLAB_FEATURES) == _shape(data, text, off), path


def test_renaming_a_feature_changes_only_its_tags(font_files):
    for path in font_files:
        data = Path(path).read_bytes()
        renamed = without_feature(data, b"dlig")
        changed = [index for index, (old, new) in enumerate(zip(data, renamed, strict=True)) if old != new]
        assert bool(changed) == ("Devanagari" not in path), path  # the others have a dlig feature
        assert all(data[at - 3 : at + 1] == b"dlig" and renamed[at - 3 : at + 1] == b"dlif" for at in changed), path
    thai = next(found.regular for found in installed_fonts() if found.script == "Thai")
    assert without_feature(Path(thai).read_bytes(), b"dlig") == Path(thai).read_bytes()  # it has none
    collection = next(found.regular for found in installed_fonts() if found.regular.endswith(".ttc"))
    assert without_feature(Path(collection).read_bytes(), b"dlig") == Path(collection).read_bytes()


def test_a_name_is_never_turned_into_an_honorific_ligature():
    """ReportLab on its own shapes محمد as one glyph, ﷴ (its default features turn `dlig` on); the
    writer's fonts give the name's four letters."""
    arabic = next(found.regular for found in installed_fonts() if found.script == "Arabic")
    assert len(_shape_with(TTFont("UnregisteredArabic", arabic), MUHAMMAD)) == 1
    assert len(_shape_with(ShapingFont("UnregisteredArabic", arabic), MUHAMMAD)) == len(MUHAMMAD)


def _shape_with(font: TTFont, text: str) -> list[int]:
    buffer = uharfbuzz.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    uharfbuzz.shape(font.hbFont(10), buffer, REPORTLAB_FEATURES)
    return [info.codepoint for info in buffer.glyph_infos]


def test_reportlab_defaults_stay_as_they_were():
    """Importing the writer and printing every script leave ReportLab's module-level defaults alone
    (in a fresh process, so nothing else has touched them)."""
    code = textwrap.dedent(
        """
        import copy
        from dataclasses import replace
        from datetime import UTC, datetime

        import reportlab.rl_config as rl_config
        from reportlab.pdfbase import ttfonts
        from reportlab.platypus import paragraph

        def defaults():
            simple = (bool, int, float, str, tuple, type(None))
            config = {key: value for key, value in vars(rl_config).items() if isinstance(value, simple)}
            functions = {
                name: copy.deepcopy(value.__defaults__)
                for module in (ttfonts, paragraph)
                for name, value in vars(module).items()
                if callable(value) and getattr(value, "__defaults__", None) and name not in OWN_MEMOS
            }
            return config, functions

        OWN_MEMOS = {"makeShapedFragWord"}  # ReportLab memoises classes in its default arguments itself

        before = defaults()
        from exporter.context import fixed_context
        from exporter.environment import installed_fonts
        from exporter.errors import Origin
        from exporter.loader import load_pathway
        from exporter.pipeline import OutputChoice, render
        from exporter.planner import plan
        from exporter.settings import build_request, layer

        context = replace(fixed_context(datetime(2027, 1, 1, tzinfo=UTC), "UTC"), fonts=installed_fonts())
        settings = {"start": "2027-01-04", "timezone": "UTC", "name": "محمد דוד अनीता 张伟"}
        planned = plan(load_pathway(), build_request(layer(settings, Origin), context))
        assert render(planned, context, OutputChoice(formats=("pdf",))).files
        assert defaults() == before, "a ReportLab default changed"
        print("unchanged")
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "unchanged", done.stderr


def _drawn(paragraphs: list[Paragraph], width: float = 180) -> bytes | str:
    """The PDF of the paragraphs broken at `width` and drawn whole and split, or the error ReportLab
    raises drawing them."""
    try:
        return _draw(paragraphs, width)
    except Exception as error:  # ReportLab's own failures must be the same for both
        return type(error).__name__


def _draw(paragraphs: list[Paragraph], width: float) -> bytes:
    canvas = Canvas(None, invariant=1)
    y = 800.0
    for paragraph in paragraphs:
        _, height = paragraph.wrap(width, 800)
        for part in paragraph.split(width, height / 2 + 1) or [paragraph]:
            part.wrap(width, 800)
            part.drawOn(canvas, 40, y)
            y -= 20
    canvas.showPage()
    return canvas.getpdfdata()


@settings(deadline=None, max_examples=40)
@given(st.text(alphabet=ALPHABET, max_size=80), st.sampled_from(["body", "cell_bold", "h1", "small"]))
def test_paragraphs_parsed_ahead_draw_as_reportlab_draws_them(text, style_name):
    """`para` parses each text once and hands ReportLab the fragments; drawn (twice, split and whole)
    they give the bytes of paragraphs ReportLab parses itself from the same markup."""
    styles = document_styles(Theme(), installed_fonts())
    style = getattr(styles, style_name)
    ours = [para(text, style), para(text, style), para(text, style, link="https://example.org/x?a=1&b=2")]
    theirs = [Paragraph(made.text, made.style) for made in ours]
    assert _drawn(ours) == _drawn(theirs)


def test_nothing_of_one_plan_is_left_in_another():
    """What the writer keeps between plans is keyed by what it depends on: a plan renders to the same
    bytes after other people's plans (other names, scripts, languages, themes) as in a fresh process."""
    context = replace(CONTEXT, fonts=installed_fonts())
    first = make_plan(name="Ada Lovelace", context=context)
    alone = _fresh_process_bytes()
    before = render_one("pdf", first, context=context)
    for name, lang, theme in (("محمد علي", "de", Theme(paper="a4")), ("张伟", "fr", Theme(organisation="Org"))):
        other = make_plan(name=name, lang=lang, context=context)
        render_one("pdf", other, context=context, theme=theme, options=WriterOptions(handout=Handout.SHORT))
    assert render_one("pdf", first, context=context) == before == alone


def _fresh_process_bytes() -> bytes:
    code = textwrap.dedent(
        """
        import sys
        from dataclasses import replace
        sys.path.insert(0, "tests")
        from conftest import CONTEXT, make_plan, render_one
        from exporter.environment import installed_fonts
        context = replace(CONTEXT, fonts=installed_fonts())
        sys.stdout.buffer.write(render_one("pdf", make_plan(name="Ada Lovelace", context=context), context=context))
        """
    )
    root = Path(__file__).parent.parent
    return subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, cwd=root, timeout=120).stdout


def test_styles_and_fonts_are_made_once_per_theme_and_fonts():
    fonts = installed_fonts()
    assert document_styles(Theme(), fonts) is document_styles(Theme(), fonts)
    assert document_styles(Theme(paper="a4"), fonts) is not document_styles(Theme(), fonts)
    style = ParagraphStyle("x")
    assert para("a", style).style is style


@pytest.mark.parametrize("name", ["Ada (محمد)", "(דוד)", "محمد.", "Zhang(张伟)محمد", "अनीता(शर्मा)"])
def test_a_word_of_two_fonts_in_a_shaped_paragraph_prints(tmp_path, name):
    """ReportLab shapes a word with the font of its first piece; a name whose script touches punctuation or
    another script with no space between used to print wrong glyphs or stop the export."""
    from conftest import run
    from realclients import pdf_tool

    result = run("export", "-o", tmp_path, "--formats", "pdf", "--name", name, "--start", "2027-01-04")
    assert result.exit_code == 0, result.stderr
    pdf_tool("qpdf", "--check", str(tmp_path / "plan.pdf"))
    text = pdf_tool("pdftotext", "-l", "1", str(tmp_path / "plan.pdf"), "-")
    assert "Й" not in text
    for piece in ("Ada", "Zhang", "张伟"):
        assert piece not in name or piece in text


@pytest.mark.parametrize(("name", "lang", "options"), WHOLE_PLANS)
def test_kept_line_breaks_draw_as_reportlab_breaks_them(monkeypatch, name, lang, options):
    """Whole plans (scripts, languages, the handout, a booklet's personal part, a name too long for a
    line) give the same bytes with line breaks and wraps kept between paragraphs and plans, cold and warm,
    as with ReportLab wrapping and breaking every paragraph itself."""
    context = replace(CONTEXT, fonts=installed_fonts())
    plan = make_plan(name=name, lang=lang, context=context)
    pdf._BROKEN.clear()
    pdf._WRAPPED.clear()
    cold = render_one("pdf", plan, context=context, options=options)
    warm = render_one("pdf", plan, context=context, options=options)
    monkeypatch.setattr(pdf._Paragraph, "breakLines", Paragraph.breakLines)
    monkeypatch.setattr(pdf._Paragraph, "wrap", Paragraph.wrap)
    assert cold == warm == render_one("pdf", plan, context=context, options=options)


@settings(deadline=None, max_examples=40)
@given(
    st.text(alphabet=ALPHABET, min_size=1, max_size=120),
    st.sampled_from(["body", "cell_bold", "small"]),
    st.lists(st.sampled_from([40, 43, 90, 180, 181.5, 300]), min_size=1, max_size=4),
)
def test_kept_line_breaks_follow_the_width(text, style_name, widths):
    """The same text broken at one width after another (a kept break for each) breaks, measures and
    splits as ReportLab breaks it itself: the same lines, widest line, fragments and drawing."""
    styles = document_styles(Theme(), installed_fonts())
    style = getattr(styles, style_name)
    again, again_theirs = para(text, style), None
    for width in widths:
        ours = para(text, style)
        theirs = Paragraph(ours.text, ours.style)
        again_theirs = again_theirs or Paragraph(again.text, again.style)
        for mine, reportlabs in ((again, again_theirs), (ours, theirs)):  # one broken again, then a new one
            assert mine.wrap(width, 800) == reportlabs.wrap(width, 800)
            assert _state(mine) == _state(reportlabs)
            assert mine.minWidth() == reportlabs.minWidth()
        assert _drawn([ours], width) == _drawn([theirs], width)
    assert _drawn([again], widths[-1]) == _drawn([again_theirs], widths[-1])


def _state(paragraph: Paragraph) -> dict:
    """What breaking and wrapping set on a paragraph: every attribute, lines and fragments by count."""
    state = {
        name: value
        for name, value in vars(paragraph).items()
        if name not in ("_lines_key", "_last_wrap", "blPara", "frags")
    }
    return state | {"lines": len(paragraph.blPara.lines), "kind": paragraph.blPara.kind, "frags": len(paragraph.frags)}
