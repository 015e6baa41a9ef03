"""A plain paragraph drawn as ReportLab draws it, in far fewer steps.

Almost every paragraph of a plan is one font, one colour, left-aligned, without links, bullets or
a background: ReportLab draws each through its general machinery (two saved graphics states, a text
object, a call per line and per operator). `drawn_paragraph` writes the same content operators
directly, character for character, and says None for anything else, which ReportLab then draws
itself. tests/test_pdf_speed.py compares both over generated paragraphs and whole plans.
"""

from __future__ import annotations

from functools import cache

from reportlab.lib.colors import Color
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase.pdfmetrics import getFont
from reportlab.pdfgen.canvas import Canvas, ExtGState
from reportlab.platypus import paragraph as rl_paragraph
from reportlab.platypus.flowables import Flowable
from reportlab.platypus.paragraph import Paragraph

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


def drawn_paragraph(paragraph: Paragraph, canvas: Canvas, x: float, y: float) -> list[str] | None:
    """The content operators `paragraph.drawOn(canvas, x, y)` adds to the canvas's page, character for
    character (`x` already aligned), or None when the paragraph or the canvas is not of the plain kind
    written here: then ReportLab must draw it. A paragraph drawn here leaves the canvas's graphics state
    and the document's font subsets and PDF version as ReportLab's drawing leaves them."""
    if not _plain_classes(type(paragraph), type(canvas)) or not _plain_paragraph(paragraph, canvas):
        return None
    lines = paragraph.blPara
    if not lines.lines:
        return ["q", f"{fp_str(1, 0, 0, 1, x, y)} cm", "Q"]
    colour = lines.textColor
    alpha = colour.alpha
    if not _keeps_alpha(canvas, alpha):
        return None
    if alpha is not None:
        canvas._doc.ensureMinPdfVersion("transparency")
    text = _text_object(paragraph, canvas, lines)
    rgb = f"{fp_str((colour.red, colour.green, colour.blue))} rg"
    return ["q", f"{fp_str(1, 0, 0, 1, x, y)} cm", "q", rgb, text, "Q", "Q"]


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


def _text_object(paragraph: Paragraph, canvas: Canvas, lines) -> str:
    """The paragraph's text object (BT ... ET) as ReportLab's text object writes it for _leftDrawParaLine."""
    style = paragraph.style
    leading = _leading(paragraph, style, lines)
    size = lines.fontSize
    top = size if rl_paragraph.paraFontSizeHeightOffset else getattr(lines, "ascent", size)
    font, doc, escape = getFont(lines.fontName), canvas._doc, canvas._escape
    font_operators = f"{fp_str(size)} Tf {fp_str(size * 1.2 if leading is None else leading)} TL"
    code = ["BT", f"1 0 0 1 {fp_str(style.leftIndent, paragraph.height - top)} Tm"]
    subset_now = -1
    for line in lines.lines:
        extra, words = line[0], line[1]
        text = " ".join(words)
        spaces = 0 if extra > -1e-8 else len(words) + text.count("\xa0") - 1
        if spaces > 0:
            code.append(f"{fp_str(extra / float(spaces))} Tw")
        shown = []
        for subset, piece in font.splitString(text, doc):
            if subset != subset_now:
                shown.append(f"{font.getSubsetInternalName(subset, doc)} {font_operators}")
                subset_now = subset
            shown.append(f"({escape(piece)}) Tj")
        code.append(" ".join(shown) + " T*")
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
