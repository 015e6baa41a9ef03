"""Plain paragraphs and ruled drawings drawn as ReportLab draws them, in far fewer steps.

Almost every paragraph of a plan is one font, one colour, left-aligned, without links, bullets or
a background: ReportLab draws each through its general machinery (two saved graphics states, a text
object, a call per line and per operator). `drawn_paragraph` writes the same content operators
directly, character for character, and says None for anything else, which ReportLab then draws
itself. A `RuledDrawing` (lines only, the notes page's) is drawn by ReportLab once per process and
its operators appended as they are afterwards. The timeline's shapes are ReportLab's, their attributes
set without ReportLab's checking (`UncheckedLine` and the others). tests/test_pdf_draw.py compares all
of these with ReportLab's over generated input and whole plans.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import cache

from reportlab import rl_config
from reportlab.graphics.shapes import Drawing, Line, Polygon, Rect, String
from reportlab.lib.colors import Color
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase.pdfdoc import PDF_SUPPORT_VERSION
from reportlab.pdfbase.pdfmetrics import getFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas, ExtGState
from reportlab.platypus import paragraph as rl_paragraph
from reportlab.platypus.flowables import Flowable
from reportlab.platypus.paragraph import Paragraph

from exporter.kept import Kept

_CANVAS_STEPS = (
    "saveState",
    "restoreState",
    "push_state_stack",
    "pop_state_stack",
    "translate",
    "transform",
    "setFillColor",
    "setFillAlpha",
    "_setFillAlpha",
    "beginText",
    "drawText",
    "_escape",
)
"""The canvas methods ReportLab's drawing of a plain paragraph goes through: a canvas that changes any
of them draws its paragraphs through ReportLab."""
_PARAGRAPH_STEPS = (("draw", Paragraph), ("drawPara", Paragraph), ("beginText", Paragraph), ("_drawOn", Flowable))
_NO_ALPHA = ExtGState.defaults["ca"]
_TRANSPARENCY = PDF_SUPPORT_VERSION["transparency"]
SETTINGS = 512
"""Paragraph settings (font, size, colour, origin) a process keeps: a plan draws about 100 different ones."""


def drawn_paragraph(paragraph: Paragraph, canvas: Canvas, x: float, y: float) -> list[str] | None:
    """The content operators `paragraph.drawOn(canvas, x, y)` adds to the canvas's page, character for
    character (`x` already aligned), or None when the paragraph or the canvas is not of the plain kind
    written here: then ReportLab must draw it. A paragraph drawn here leaves the canvas's graphics state
    and the document's font subsets and PDF version as ReportLab's drawing leaves them."""
    if not _plain_classes(type(paragraph), type(canvas)) or not _plain_paragraph(paragraph, canvas):
        return None
    lines = paragraph.blPara
    if not lines.lines:
        return ["q", f"1 0 0 1 {fp_str(x, y)} cm", "Q"]
    colour = lines.textColor
    alpha = colour.alpha
    if not _keeps_alpha(canvas, alpha):
        return None
    doc = canvas._doc
    if alpha is not None and doc._pdfVersion < _TRANSPARENCY:
        doc.ensureMinPdfVersion("transparency")
    setting = _setting(paragraph, lines)
    text = _text_object(setting, getFont(lines.fontName), lines.lines, canvas, doc)
    return ["q", f"1 0 0 1 {fp_str(x, y)} cm", "q", setting.colour, text, "Q", "Q"]


@cache
def _plain_classes(paragraph_class: type, canvas_class: type) -> bool:
    """Whether the classes draw as ReportLab's Paragraph on ReportLab's Canvas do."""
    canvas_plain = all(getattr(canvas_class, name) is getattr(Canvas, name) for name in _CANVAS_STEPS)
    return canvas_plain and all(
        getattr(paragraph_class, name) is getattr(owner, name) for name, owner in _PARAGRAPH_STEPS
    )


def _plain_paragraph(paragraph: Paragraph, canvas: Canvas) -> bool:
    """One font and colour, left-aligned from the left indent, no bullet, background, border, link,
    underline, shaping or word order of its own, on a bottom-up canvas that enforces no colour space."""
    style, lines = paragraph.style, paragraph.blPara
    plain = (
        lines.kind == 0
        and style.alignment == TA_LEFT
        and not paragraph.debug
        and not paragraph.bulletText
        and not getattr(paragraph, "_showBoundary", None)
        and not hasattr(paragraph, "_offsets")
        and not style.backColor
        and not (getattr(style, "borderColor", None) and getattr(style, "borderWidth", None))
        and not style.firstLineIndent
        and not style.wordWrap
        and not getattr(style, "shaping", 0)
        and canvas.bottomup
        and canvas._enforceColorSpace is None
    )
    if not plain or not lines.lines:
        return plain
    return (
        not (lines.us_lines or lines.link) and type(lines.textColor) is Color and getFont(lines.fontName)._dynamicFont
    )


def _keeps_alpha(canvas: Canvas, alpha) -> bool:
    """Whether setting the text's fill alpha writes nothing (the canvas has that alpha already)."""
    if alpha is None:
        return True
    valid = isinstance(alpha, float | int) and 0 <= alpha <= 1
    return valid and alpha == canvas._extgstate._d.get("ca", _NO_ALPHA)


@dataclass(frozen=True)
class _Setting:
    """What a plain paragraph's operators take from its style and size: the operators that set the
    colour, the text's origin and the font's size and leading (after the subset's name)."""

    colour: str
    origin: str
    font_size: str


_SETTINGS: Kept[_Setting] = Kept(SETTINGS)


def _setting(paragraph: Paragraph, lines) -> _Setting:
    """The paragraph's setting, kept per process for the values it is written from."""
    style, size, colour = paragraph.style, lines.fontSize, lines.textColor
    leading = _leading(paragraph, style, lines)
    top = paragraph.height - (size if rl_paragraph.paraFontSizeHeightOffset else getattr(lines, "ascent", size))
    key = (lines.fontName, size, leading, style.leftIndent, top, colour.red, colour.green, colour.blue)
    setting = _SETTINGS.get(key)
    if setting is None:
        setting = _SETTINGS.keep(
            key,
            _Setting(
                f"{fp_str((colour.red, colour.green, colour.blue))} rg",
                f"BT 1 0 0 1 {fp_str(style.leftIndent, top)} Tm",
                f" {fp_str(size)} Tf {fp_str(size * 1.2 if leading is None else leading)} TL",
            ),
        )
    return setting


def _text_object(setting: _Setting, font: TTFont, lines: list, canvas: Canvas, doc) -> str:
    """The paragraph's text object (BT ... ET) as ReportLab's text object writes it for _leftDrawParaLine."""
    escape = canvas._escape
    code = [setting.origin]
    subset_now = -1
    for line in lines:
        extra, words = line[0], line[1]
        text = " ".join(words)
        spaces = 0 if extra > -1e-8 else len(words) + text.count("\xa0") - 1
        if spaces > 0:
            code.append(f"{fp_str(extra / float(spaces))} Tw")
        shown = len(code)
        for subset, piece in font.splitString(text, doc):
            if subset != subset_now:
                code.append(font.getSubsetInternalName(subset, doc) + setting.font_size)
                subset_now = subset
            code.append(f"({escape(piece)}) Tj")
        if len(code) == shown:
            code.append(" T*")  # ReportLab's: an empty text shown, then a new line
        else:
            code[-1] += " T*"
        if spaces > 0:
            code.append("0 Tw")
    code.append("ET")
    return " ".join(code)


def _leading(paragraph: Paragraph, style, lines) -> float:
    """The leading ReportLab's drawPara gives the text object (autoLeading 'max' or 'min' from the lines)."""
    auto = getattr(paragraph, "autoLeading", getattr(style, "autoLeading", ""))
    if auto == "max":
        return max(style.leading, lines.ascent - lines.descent)
    if auto == "min":
        return lines.ascent - lines.descent
    return style.leading


_RENDERER_STEPS = (
    "saveState",
    "restoreState",
    "push_state_stack",
    "pop_state_stack",
    "transform",
    "setStrokeColor",
    "setFillColor",
    "setLineWidth",
    "setLineCap",
    "setLineJoin",
    "setDash",
    "setFont",
    "setFillAlpha",
    "setStrokeAlpha",
    "_setFillAlpha",
    "_setStrokeAlpha",
    "setFillOverprint",
    "setStrokeOverprint",
    "setOverprintMask",
    "line",
)
"""The canvas methods ReportLab's renderPDF goes through to draw lines."""
DRAWINGS = 16
"""Ruled drawings whose operators a process keeps (the notes page's, one per page width and font)."""
_DRAWN: Kept[list] = Kept(DRAWINGS)


class RuledDrawing(Drawing):
    """A Drawing of lines only (ReportLab's Line shapes, no text), added by `rule` when it is first drawn.

    ReportLab's renderPDF writes a drawing's operators from the drawing alone, except where the canvas's
    transparency or overprint state differs from its defaults (then it writes them too) and the PDF
    version the document needs (transparency, for its colours). On a ReportLab canvas with the default
    state in a document that already needs transparency, the operators ReportLab writes the first time
    (when they set no graphics state of their own, which the page's resources would have to list)
    are kept per process for `rule`, `key` (every other input `rule` shapes the lines from) and the
    drawing's size and keywords, and appended as they are afterwards; otherwise ReportLab draws the
    lines."""

    def __init__(self, width: float, height: float, key: Hashable, rule: Callable[[Drawing], None], **keywords):
        super().__init__(width, height, **keywords)
        self._key = (rule, key, width, height, tuple(sorted(keywords.items())))
        self._rule, self._ruled, self._lines = rule, False, 0

    def draw(self, showBoundary=rl_config._unset_):
        """ReportLab's drawing of the lines, or the operators it wrote for them before."""
        canvas = self.canv
        key = (self._key, self.width, self.height, self.renderScale)
        plain = _plain_canvas(type(canvas)) and not canvas._extgstate._d
        plain = plain and canvas._doc._pdfVersion >= _TRANSPARENCY and not _boundary(self, showBoundary)
        plain = plain and len(self.contents) == self._lines  # nothing drawn but the rule's lines
        kept = _DRAWN.get(key) if plain else None
        if kept is not None:
            canvas._code += kept
            return
        if not self._ruled:
            own = not self.contents
            self._rule(self)
            self._ruled, self._lines = True, len(self.contents) if own else -1
        start = len(canvas._code)
        super().draw(showBoundary)
        drawn = canvas._code[start:]
        if plain and not any(code.endswith(" gs") for code in drawn):  # a graphics state is a page resource
            _DRAWN.keep(key, drawn)


@cache
def _plain_canvas(canvas_class: type) -> bool:
    """Whether the canvas draws lines as ReportLab's Canvas does."""
    return all(getattr(canvas_class, name) is getattr(Canvas, name) for name in _RENDERER_STEPS)


def _boundary(drawing: Drawing, shown) -> bool:
    """Whether renderPDF draws the drawing's boundary (asked for, by the drawing or ReportLab's settings)."""
    if shown is rl_config._unset_:
        shown = getattr(drawing, "_showBoundary", rl_config._unset_)
    if shown is rl_config._unset_:
        shown = rl_config.showBoundary
    return bool(shown)


class UncheckedLine(Line):
    """ReportLab's Line, its attributes set as ReportLab sets them with rl_config.shapeChecking off
    (stored as given, without validating each assignment): for values the writer makes valid."""

    __setattr__ = object.__setattr__


class UncheckedRect(Rect):
    """ReportLab's Rect, its attributes set unchecked (see UncheckedLine)."""

    __setattr__ = object.__setattr__


class UncheckedPolygon(Polygon):
    """ReportLab's Polygon, its attributes set unchecked (see UncheckedLine)."""

    __setattr__ = object.__setattr__


class UncheckedString(String):
    """ReportLab's String, its attributes set unchecked (see UncheckedLine)."""

    __setattr__ = object.__setattr__
