"""The PDF writer draws plain paragraphs itself (writers/pdf_draw.py): the same operators, character
for character, as ReportLab's own drawing, the same state left on the canvas and its document, and
ReportLab still drawing everything else."""

import gc
from dataclasses import replace

import pytest
from conftest import CONTEXT, WHOLE_PLANS, make_plan, render_one
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.graphics.renderPDF import _PDFRenderer
from reportlab.graphics.shapes import Drawing, Line, Polygon, Rect, String
from reportlab.lib.colors import CMYKColor, Color
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph
from reportlab.platypus.flowables import Flowable

from exporter.environment import installed_fonts
from exporter.kept import Kept
from exporter.theme import Theme
from exporter.writers import pdf, pdf_draw, pdf_fonts
from exporter.writers.pdf import document_styles, para
from exporter.writers.pdf_draw import (
    _DRAWN,
    _STATES,
    RuledDrawing,
    ShapedDrawing,
    UncheckedLine,
    UncheckedPolygon,
    UncheckedRect,
    UncheckedString,
    drawn_paragraph,
)

STYLES = document_styles(Theme(), installed_fonts())
ALPHABET = "abc XYZ 019 ()\\\u00a0é—“”<&>\nωЖ محمد 张伟 " + "".join(chr(code) for code in range(0x100, 0x17F, 3))
NAMED = ["body", "small", "cell", "cell_bold", "head_cell", "h1", "h3", "title", "name"]
"""Styles of the writer: left-aligned ones drawn by the writer, centred ones (title, name) by ReportLab."""


def _own_style(
    index: int, left: float, first: float, auto: str, alpha: float, align: int, split: int
) -> ParagraphStyle:
    """A style the writer does not use: indents, automatic leading, a translucent colour, alignment,
    long words left whole (lines longer than the width, spaced narrower)."""
    return ParagraphStyle(
        f"own{index}",
        parent=STYLES.body,
        leftIndent=left,
        firstLineIndent=first,
        autoLeading=auto,
        textColor=Color(0.2, 0.4, 0.6, alpha=alpha),
        alignment=align,
        splitLongWords=split,
    )


own_styles = st.builds(
    _own_style,
    st.integers(0, 3),
    st.sampled_from([0, 3.5]),
    st.sampled_from([0, 0, 2]),
    st.sampled_from(["", "max", "min"]),
    st.sampled_from([1, 0.5]),
    st.sampled_from([TA_LEFT, TA_LEFT, TA_CENTER]),
    st.sampled_from([1, 0]),
)
styles = st.one_of(st.sampled_from(NAMED).map(lambda name: getattr(STYLES, name)), own_styles)
links = st.sampled_from([None, None, None, "https://example.org/a?b=1&c=(2)"])
WORDS = ["a", "Ada", "(é)", "\\x", "word\u00a0bound\u00a0together", "\u00a0", "Zoë-Ødegård" * 3, "ω", "<&>", "—"]
texts = st.one_of(st.text(alphabet=ALPHABET, max_size=90), st.lists(st.sampled_from(WORDS), max_size=14).map(" ".join))
paragraphs = st.lists(st.tuples(texts, styles, links), min_size=1, max_size=8)


def _drawings(made: list[tuple], width: float, alpha: float | None, reportlab: bool) -> tuple | str:
    """The page's operators, the canvas's state and the document's fonts and version after drawing the
    paragraphs (whole and split) on a fresh canvas, by the writer or by ReportLab; or the error raised
    on the way (ReportLab cannot lay out some shaped words at the narrowest widths)."""
    try:
        return _draw(made, width, alpha, reportlab)
    except Exception as error:  # ReportLab's own failures must be the same for both
        return type(error).__name__


def _draw(made: list[tuple], width: float, alpha: float | None, reportlab: bool) -> tuple:
    canvas = Canvas(None, invariant=1, pageCompression=0)
    if alpha is not None:
        canvas.setFillAlpha(alpha)
    y = 800.0
    for text, style, link in made:
        paragraph = para(text, style, link=link, link_colour="#123456")
        _, height = paragraph.wrap(width, 800)
        for part in paragraph.split(width, height / 2 + 1) or [paragraph]:
            part.wrap(width, 800)
            if reportlab:
                Flowable.drawOn(part, canvas, 40, y, _sW=7)
            else:
                part.drawOn(canvas, 40, y, _sW=7)
            y -= 20
    state = {name: getattr(canvas, name) for name in Canvas.STATE_ATTRIBUTES if name != "_extgstate"}
    fonts = {name: (font.internalName, font.subsets) for name, font in _font_states(canvas).items()}
    doc = canvas._doc
    before_save = (list(canvas._code), state, canvas._extgstate._d, len(canvas.state_stack), fonts)
    canvas.showPage()
    return before_save, dict(doc.fontMapping), doc._pdfVersion, canvas.getpdfdata()


def _font_states(canvas: Canvas) -> dict:
    return {
        name: font.state[canvas._doc]
        for name, font in pdfmetrics._fonts.items()
        if getattr(font, "state", None) and canvas._doc in font.state
    }


@settings(deadline=None, max_examples=250)
@given(paragraphs, st.sampled_from([1, 60, 150, 400]), st.sampled_from([None, 0.5]))
def test_plain_paragraphs_draw_as_reportlab_draws_them(made, width, alpha):
    """Generated paragraphs (every script, escapes, no-break spaces, lines too long for the width, the
    writer's styles and others, links, a canvas with a translucent fill) give the operators, state and
    file ReportLab's drawing of the same paragraphs gives."""
    assert _drawings(made, width, alpha, reportlab=False) == _drawings(made, width, alpha, reportlab=True)


def test_the_plain_paragraphs_of_a_plan_are_drawn_by_the_writer():
    """The fast path is the one taken for the writer's left-aligned styles, ReportLab's for the others."""
    canvas = Canvas(None, invariant=1)
    for name, plain in (("body", True), ("cell", True), ("head_cell", True), ("title", False), ("name", False)):
        paragraph = para("Ada Lovelace (é)", getattr(STYLES, name))
        paragraph.wrap(200, 800)
        assert (drawn_paragraph(paragraph, canvas, 0, 0) is not None) == plain, name
    linked = para("x", STYLES.body, link="https://example.org")
    linked.wrap(200, 800)
    assert drawn_paragraph(linked, canvas, 0, 0) is None
    cmyk = para("x", ParagraphStyle("cmyk", parent=STYLES.body, textColor=CMYKColor(0, 1, 0, 0)))
    cmyk.wrap(200, 800)
    assert drawn_paragraph(cmyk, canvas, 0, 0) is None


class _OwnCanvas(Canvas):
    def setFillColor(self, aColor, alpha=None):
        super().setFillColor(aColor, alpha)
        self._code.append("% own colour")


def test_a_canvas_that_draws_its_own_way_draws_through_reportlab():
    paragraph = para("Ada", STYLES.body)
    paragraph.wrap(200, 800)
    canvas = _OwnCanvas(None, invariant=1)
    paragraph.drawOn(canvas, 10, 10)
    assert "% own colour" in canvas._code


@pytest.mark.parametrize(("name", "lang", "options"), WHOLE_PLANS)
def test_plans_draw_as_reportlab_draws_them(monkeypatch, name, lang, options):
    """Whole plans (scripts, languages, the handout, a booklet's personal part, a name too long for a
    line) give the same bytes with the writer drawing plain paragraphs, appending kept ruled lines and
    building its timeline of unchecked shapes and writing them directly, cold and warm, as with ReportLab
    drawing every paragraph and every drawing and checking every shape."""
    context = replace(CONTEXT, fonts=installed_fonts())
    plan = make_plan(name=name, lang=lang, context=context)
    for kept in (_DRAWN, _STATES, pdf_draw._SETTINGS, pdf_draw._TEXTS, pdf_fonts._WIDTHS):
        kept.clear()
    cold = render_one("pdf", plan, context=context, options=options)
    warm = render_one("pdf", plan, context=context, options=options)
    monkeypatch.setattr(pdf._Paragraph, "drawOn", Paragraph.drawOn)
    monkeypatch.setattr(pdf_draw, "_DRAWN", _Forgetful(1))
    monkeypatch.setattr(pdf, "ShapedDrawing", Drawing)
    for name, checked in (("Line", Line), ("Rect", Rect), ("Polygon", Polygon), ("String", String)):
        monkeypatch.setattr(pdf, f"Unchecked{name}", checked)
    monkeypatch.setattr(pdf_fonts, "UncheckedString", String)
    assert cold == warm == render_one("pdf", plan, context=context, options=options)


class _Forgetful(Kept):
    """Keeps nothing: every ruled drawing is drawn by ReportLab."""

    def get(self, key):
        return None


def test_an_empty_line_draws_as_reportlab_draws_it():
    """A line with no text (ReportLab shows an empty string, then moves to the next line)."""
    paragraph = para("Ada Lovelace", STYLES.body)
    paragraph.wrap(200, 800)
    paragraph.blPara.lines = [(3.0, [""]), *paragraph.blPara.lines, (-2.0, ["", "\u00a0"]), (1.0, [])]
    ours, theirs = Canvas(None, invariant=1), Canvas(None, invariant=1)
    paragraph.drawOn(ours, 5, 6)
    Flowable.drawOn(paragraph, theirs, 5, 6)
    assert ours._code == theirs._code
    assert drawn_paragraph(paragraph, ours, 5, 6) is not None


def _ruler(count: int, colour: Color, width: float):
    def rule(drawing: Drawing) -> None:
        for index in range(count):
            y = drawing.height - index * 7.5
            drawing.add(Line(0, y, drawing.width, y, strokeColor=colour, strokeWidth=width))

    return rule


canvas_states = st.fixed_dictionaries(
    {
        "font": st.sampled_from([None, "Helvetica", STYLES.regular]),
        "fill": st.sampled_from([None, Color(0.1, 0.2, 0.3), CMYKColor(0, 1, 0, 0)]),
        "alpha": st.sampled_from([None, 1, 0.5]),
        "overprint": st.booleans(),
        "transparency": st.booleans(),
    }
)


def _canvas(state: dict) -> Canvas:
    canvas = Canvas(None, invariant=1, pageCompression=0)
    if state["font"]:
        canvas.setFont(state["font"], 11)
    if state["fill"]:
        canvas.setFillColor(state["fill"])
    if state["alpha"] is not None:
        canvas.setStrokeAlpha(state["alpha"])
    if state["overprint"]:
        canvas.setFillOverprint(True)
    if state["transparency"]:
        canvas._doc.ensureMinPdfVersion("transparency")
    return canvas


@settings(deadline=None, max_examples=60)
@given(
    st.lists(st.tuples(canvas_states, st.sampled_from([100.0, 250.5]), st.integers(1, 5)), min_size=1, max_size=6),
    st.sampled_from([Color(0.72, 0.76, 0.8), Color(0, 0, 0, alpha=0.5)]),
)
def test_ruled_drawings_draw_as_reportlab_draws_them(draws, colour):
    """Ruled drawings drawn one after another (kept operators appended, or ReportLab drawing them) on
    canvases in many states give the operators, state and file ReportLab's drawing of the same lines gives."""
    _DRAWN.clear()
    rules = {count: _ruler(count, colour, 0.4) for count in range(1, 6)}  # the same rule: its lines kept
    for state, width, count in draws:
        rule = rules[count]
        ours, theirs = _canvas(state), _canvas(state)
        ruled = RuledDrawing(width, 60, "test", rule, initialFontName=STYLES.regular)
        plain = Drawing(width, 60, initialFontName=STYLES.regular)
        rule(plain)
        for _ in range(2):
            ruled.drawOn(ours, 10, 20)
            plain.drawOn(theirs, 10, 20)
        assert _page(ours) == _page(theirs)


def _page(canvas: Canvas) -> tuple:
    state = {name: getattr(canvas, name) for name in Canvas.STATE_ATTRIBUTES if name != "_extgstate"}
    before = (list(canvas._code), state, dict(canvas._extgstate._d), canvas._doc._pdfVersion)
    canvas.showPage()
    return before, canvas.getpdfdata()


def test_a_ruled_drawing_is_drawn_once_then_appended():
    _DRAWN.clear()
    calls = []

    def rule(drawing: Drawing) -> None:
        calls.append(drawing)
        drawing.add(Line(0, 1, drawing.width, 1))

    canvas = _canvas({"font": None, "fill": None, "alpha": None, "overprint": False, "transparency": True})
    for _ in range(3):
        RuledDrawing(100, 10, "once", rule, initialFontName=STYLES.regular).drawOn(canvas, 0, 0)
    assert len(calls) == 1 and len(_DRAWN) == 1
    for _ in range(2):  # a standard font's name is a page resource: its lines are drawn by ReportLab each time
        RuledDrawing(100, 10, "standard font", rule, initialFontName="Helvetica").drawOn(canvas, 0, 0)
    assert len(calls) == 3 and len(_DRAWN) == 1
    added = RuledDrawing(100, 10, "once", rule, initialFontName=STYLES.regular)
    added.add(Line(0, 5, 100, 5))  # not the rule's alone: ReportLab draws it
    added.drawOn(canvas, 0, 0)
    assert len(calls) == 4 and "n 0 5 m 100 5 l S" in canvas._code


numbers = st.floats(-500, 500, allow_nan=False).map(lambda value: round(value, 3))
colours = st.sampled_from([None, Color(0.1, 0.2, 0.3), Color(0, 0, 0, alpha=0.5), CMYKColor(0, 1, 0, 0)])
shape_styles = st.fixed_dictionaries(
    {},
    optional={
        "strokeColor": colours,
        "strokeWidth": st.sampled_from([0, 0.3, 1.6]),
        "strokeDashArray": st.sampled_from([None, [2, 1]]),
    },
)
filled_styles = st.fixed_dictionaries(
    {}, optional={"fillColor": colours, "strokeColor": colours, "strokeWidth": numbers}
)
string_styles = st.fixed_dictionaries(
    {},
    optional={
        "fontName": st.sampled_from([STYLES.regular, STYLES.bold, "Helvetica"]),
        "fontSize": st.sampled_from([6.5, 7, 12]),
        "fillColor": colours,
        "textAnchor": st.sampled_from(["start", "middle", "end"]),
    },
)
shapes = st.one_of(
    st.tuples(st.just("Line"), st.tuples(numbers, numbers, numbers, numbers), shape_styles),
    st.tuples(st.just("Rect"), st.tuples(numbers, numbers, numbers, numbers), filled_styles),
    st.tuples(
        st.just("Polygon"),
        st.lists(numbers, min_size=1, max_size=5).map(lambda p: ([*p, *reversed(p)],)),
        filled_styles,
    ),
    st.tuples(st.just("String"), st.tuples(numbers, numbers, st.text(max_size=12)), string_styles),
)
_CHECKED = {"Line": (Line, UncheckedLine), "Rect": (Rect, UncheckedRect), "Polygon": (Polygon, UncheckedPolygon)}
_CHECKED["String"] = (String, UncheckedString)


@settings(deadline=None, max_examples=80)
@given(st.lists(shapes, min_size=1, max_size=8))
def test_unchecked_shapes_are_reportlab_shapes(made):
    """Shapes built unchecked from valid values have ReportLab's shapes' attributes and draw as they do."""
    ours, theirs = Drawing(300, 200, initialFontName=STYLES.regular), Drawing(300, 200, initialFontName=STYLES.regular)
    for kind, arguments, style in made:
        checked, unchecked = _CHECKED[kind]
        mine, reportlabs = unchecked(*arguments, **style), checked(*arguments, **style)
        assert isinstance(mine, checked)
        assert vars(mine) == vars(reportlabs)
        ours.add(mine)
        theirs.add(reportlabs)
    assert _drawn(ours) == _drawn(theirs)


def _drawn(drawing: Drawing) -> bytes:
    canvas = Canvas(None, invariant=1, pageCompression=0)
    drawing.drawOn(canvas, 10, 20)
    return canvas.getpdfdata()


@settings(deadline=None, max_examples=80)
@given(
    st.lists(st.tuples(canvas_states, st.sampled_from([0, 1])), min_size=1, max_size=4),
    st.lists(shapes, min_size=1, max_size=8),
)
def test_shaped_drawings_draw_as_reportlab_draws_them(draws, made):
    """Unchecked shapes (with strings and ReportLab's own shapes between them) drawn twice, kept state
    operators appended or ReportLab drawing them, in drawings of either fill mode on canvases in many states
    give the operators, state and file ReportLab's drawing of the same drawing gives."""
    _STATES.clear()
    for state, fill_mode in draws:
        modes = {"initialFillMode": fill_mode}  # the fill mode renderPDF starts the drawing in
        ours = type("Mode", (ShapedDrawing,), modes)(300, 200, initialFontName=STYLES.regular)
        theirs = type("Mode", (Drawing,), modes)(300, 200, initialFontName=STYLES.regular)
        for index, (kind, arguments, style) in enumerate(made):
            checked, unchecked = _CHECKED[kind]
            ours.add((checked if index % 3 == 2 else unchecked)(*arguments, **style))
            theirs.add(checked(*arguments, **style))
        ours_canvas, theirs_canvas = _canvas(state), _canvas(state)
        for _ in range(2):
            ours.drawOn(ours_canvas, 10, 20)
            theirs.drawOn(theirs_canvas, 10, 20)
        assert _page(ours_canvas) == _page(theirs_canvas)


def test_plain_shapes_are_written_from_kept_states(monkeypatch):
    """The second of two equally styled rectangles (another place) is written from the kept state:
    renderPDF sets the state of the drawing (its defaults, then its own) and of the first rectangle only."""
    _STATES.clear()
    canvas = _canvas({"font": None, "fill": None, "alpha": None, "overprint": False, "transparency": True})
    drawing = ShapedDrawing(100, 100)
    drawing.add(UncheckedRect(1, 2, 3, 4, fillColor=Color(0.1, 0.2, 0.3), strokeWidth=0.3))
    drawing.add(UncheckedRect(5, 6, 7, 8, fillColor=Color(0.1, 0.2, 0.3), strokeWidth=0.3))
    states = []
    applied = _PDFRenderer.applyStateChanges

    def applying(renderer, delta, new):
        states.append(delta)
        applied(renderer, delta, new)

    monkeypatch.setattr(_PDFRenderer, "applyStateChanges", applying)
    drawing.drawOn(canvas, 0, 0)
    assert len(states) == 3 and len(_STATES) == 1 and "n 5 6 7 8 re B*" in canvas._code


def test_a_process_keeps_no_document_s_canvas_class():
    """Every document draws on a canvas class of its own: a batch worker that renders many plans keeps at most
    `CANVAS_CLASSES` of them (and what they refer to), not one for each plan it rendered."""
    plan = make_plan(name="Many")
    for _ in range(pdf_draw.CANVAS_CLASSES + 6):
        render_one("pdf", plan)
    gc.collect()
    alive = [kind for kind in gc.get_objects() if isinstance(kind, type) and kind.__name__ == "NumberedCanvas"]
    assert len(alive) <= pdf_draw.CANVAS_CLASSES + 1
