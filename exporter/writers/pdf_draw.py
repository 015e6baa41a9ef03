"""Plain paragraphs, ruled drawings and plain shapes drawn as ReportLab draws them, in far fewer steps.

Almost every paragraph of a plan is one font, one colour, left-aligned, without links, bullets or
a background: ReportLab draws each through its general machinery (two saved graphics states, a text
object, a call per line and per operator). `drawn_paragraph` writes the same content operators
directly, character for character, and says None for anything else, which ReportLab then draws
itself. A `RuledDrawing` (lines only, the notes page's) is drawn by ReportLab once per process and
its operators appended as they are afterwards. The timeline's shapes are ReportLab's, their attributes
set without ReportLab's checking (`UncheckedLine` and the others), and a `ShapedDrawing` writes its
plain lines, rectangles and polygons directly. tests/test_pdf_draw.py compares all of these with
ReportLab's over generated input and whole plans.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import cached_property, lru_cache

from reportlab import rl_config
from reportlab.graphics.renderbase import STATE_DEFAULTS, getStateDelta, renderScaledDrawing
from reportlab.graphics.renderPDF import _PDFRenderer
from reportlab.graphics.shapes import Drawing, Line, Polygon, Rect, String
from reportlab.lib.colors import Color
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase.pdfdoc import (
    PDF_SUPPORT_VERSION,
    NoEncryption,
    PDFArray,
    PDFBase85Encode,
    PDFDictionary,
    PDFName,
    PDFObjectReference,
    PDFPage,
    PDFResourceDictionary,
    PDFStream,
    PDFStreamFilterBase85Encode,
    PDFString,
    PDFZCompress,
)
from reportlab.pdfbase.pdfdoc import format as pdf_format
from reportlab.pdfbase.pdfmetrics import getFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import PATH_OPS, Canvas, ExtGState
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
CANVAS_CLASSES = 8
"""Classes whose drawing methods a process remembers checking: every document draws on a class of its own (its
page numbering's canvas), so an unbounded cache would keep each document's class and all it refers to."""
_NO_ALPHA = ExtGState.defaults["ca"]
_ALPHA_TYPES = (float, int)
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
        return ["q", f"1 0 0 1 {number(x)} {number(y)} cm", "Q"]
    colour = lines.textColor
    alpha = colour.alpha
    if not _keeps_alpha(canvas, alpha):
        return None
    doc = canvas._doc
    if alpha is not None and doc._pdfVersion < _TRANSPARENCY:
        doc.ensureMinPdfVersion("transparency")
    setting = _setting(paragraph, lines)
    text = _kept_text_object(setting, getFont(lines.fontName), lines, canvas, doc)
    return ["q", f"1 0 0 1 {number(x)} {number(y)} cm", "q", setting.colour, text, "Q", "Q"]


NUMBERS = 4096
"""Numbers whose text a process keeps, for floats and for integers: a plan writes about 2,500 numbers, all
but a few dozen written before (positions, sizes and colours recur in every plan of a batch)."""
_FLOAT_TEXTS: dict[float, str] = {}
_INTEGER_TEXTS: dict[int, str] = {}


def number(value) -> str:
    """`fp_str(value)`, ReportLab's text of a number in a PDF, kept per process for floats and integers (at
    most NUMBERS of each, all dropped when full): fp_str writes a number from its value alone."""
    kind = type(value)
    kept = _FLOAT_TEXTS if kind is float else _INTEGER_TEXTS if kind is int else None
    if kept is None:
        return fp_str(value)
    text = kept.get(value)
    if text is None:
        if len(kept) >= NUMBERS:
            kept.clear()
        text = kept[value] = fp_str(value)
    return text


def fp(*values) -> str:
    """`fp_str(*values)` for numbers given one by one: their texts (`number`) a space apart."""
    return " ".join([number(value) for value in values])


@lru_cache(maxsize=CANVAS_CLASSES)
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
    valid = isinstance(alpha, _ALPHA_TYPES) and 0 <= alpha <= 1
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


TEXTS = 1024
"""Text objects a process keeps: a plan draws about 330 paragraphs, most of them the same lines in every plan."""


@dataclass(frozen=True)
class _KeptText:
    """A paragraph's text object, written for these lines and setting, and what it takes from its document:
    the codes of its characters (`probe`, each once) in the font's first subset and that subset's name."""

    lines: object
    setting: _Setting
    probe: str
    codes: tuple[str, bytes]
    text: str


_TEXTS: Kept[_KeptText] = Kept(TEXTS)


def _kept_text_object(setting: _Setting, font: TTFont, lines, canvas: Canvas, doc) -> str:
    """`_text_object` for the paragraph's lines, kept per process for the lines (the kept breaks of a text
    are the same object in every plan) and setting: given again when every character of the lines has
    the same code in the document's first subset of the font, under the same name (nothing to assign)."""
    first_subset = getattr(font, "first_subset", None)
    if first_subset is None:
        return _text_object(setting, font, lines.lines, canvas, doc)
    key = (id(lines), id(setting))
    kept = _TEXTS.get(key)
    same = kept is not None and kept.lines is lines and kept.setting is setting
    if same and first_subset(kept.probe, doc) == kept.codes:
        return kept.text
    text = _text_object(setting, font, lines.lines, canvas, doc)
    probe = "".join(set("".join(" ".join(line[1]) for line in lines.lines)))
    codes = first_subset(probe, doc)
    if codes is not None:
        _TEXTS.keep(key, _KeptText(lines, setting, probe, codes, text))
    return text


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
            code.append(f"{number(extra / float(spaces))} Tw")
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
_RULED_OPERATORS = frozenset({"q", "Q", "cm", "RG", "rg", "w", "J", "j", "M", "d", "m", "l", "S", "n"})
"""The operators a ruled drawing's kept code may end in: saved states, transforms, colours, line settings
and paths, none of which names a page resource."""


class RuledDrawing(Drawing):
    """A Drawing of lines only (ReportLab's Line shapes, no text), added by `rule` when it is first drawn.

    ReportLab's renderPDF writes a drawing's operators from the drawing alone, except where the canvas's
    transparency or overprint state differs from its defaults (then it writes them too) and the PDF
    version the document needs (transparency, for its colours). On a ReportLab canvas with the default
    state and no enforced colour space, in a document that already needs transparency, the operators
    ReportLab writes the first time (when each is one of the line-drawing operators `_RULED_OPERATORS`:
    a graphics state or a font would be a page resource, which the page's resources would have to list)
    are kept per process for `rule`, `key` (every other input `rule` shapes the lines from), the
    drawing's size, scale and keywords and ReportLab's `invariant` setting, and appended as they are
    afterwards; otherwise ReportLab draws the lines."""

    def __init__(self, width: float, height: float, key: Hashable, rule: Callable[[Drawing], None], **keywords):
        super().__init__(width, height, **keywords)
        self._key = (rule, key, tuple(sorted(keywords.items())))
        self._rule, self._ruled, self._lines = rule, False, 0

    def draw(self, showBoundary=rl_config._unset_):
        """ReportLab's drawing of the lines, or the operators it wrote for them before."""
        canvas = self.canv
        key = (self._key, self.width, self.height, self.renderScale, rl_config.invariant)
        plain = _plain_canvas(type(canvas)) and not canvas._extgstate._d and canvas._enforceColorSpace is None
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
        if plain and all(code.rsplit(None, 1)[-1] in _RULED_OPERATORS for code in drawn if code):
            _DRAWN.keep(key, drawn)


@lru_cache(maxsize=CANVAS_CLASSES)
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


_SHAPE_STEPS = (*_RENDERER_STEPS, "setMiterLimit", "rect", "beginPath", "drawPath", "_strokeAndFill")
"""The canvas methods ReportLab's renderPDF goes through to draw lines, rectangles and polygons."""
SHAPE_STATES = 64
"""Shapes' graphics states whose operators a process keeps (a timeline sets about ten)."""
_STATES: Kept[tuple] = Kept(SHAPE_STATES)
_PLAIN_VALUES = frozenset({int, float, Color, type(None)})
_OWN_STATES = frozenset({"transform", "fontName", "fontSize", "fillMode", "textAnchor"})


class ShapedDrawing(Drawing):
    """A Drawing whose unchecked lines, rectangles and polygons are written directly, in ReportLab's
    renderPDF's own steps otherwise.

    renderPDF draws each shape as a saved state, the shape's state (colours, line settings) set, its
    geometry, and a restore. On a ReportLab canvas with the default transparency and overprint state,
    in a document that already needs transparency, the operators that set a shape's state depend only
    on that state (plain numbers and RGB colours, no transform, font or fill mode) and on which of
    stroke and fill the renderer had on: kept per process for those the first time ReportLab writes
    them (unless they set a graphics state, a page resource), then appended with the shape's geometry
    formatted as ReportLab's canvas formats it. Anything else (strings, other shapes, other values or
    canvases) ReportLab draws."""

    def draw(self, showBoundary=rl_config._unset_):
        """The drawing drawn as renderPDF draws it (see the class)."""
        if not _shaping_canvas(type(self.canv)) or self.canv._enforceColorSpace is not None:
            super().draw(showBoundary)
            return
        if showBoundary is rl_config._unset_:
            showBoundary = getattr(self, "_showBoundary", rl_config._unset_)
        _ShapeRenderer().draw(renderScaledDrawing(self), self.canv, 0, 0, showBoundary=showBoundary)


@lru_cache(maxsize=CANVAS_CLASSES)
def _shaping_canvas(canvas_class: type) -> bool:
    """Whether the canvas draws shapes as ReportLab's Canvas does."""
    return all(getattr(canvas_class, name) is getattr(Canvas, name) for name in _SHAPE_STEPS)


class _ShapeRenderer(_PDFRenderer):
    """renderPDF's renderer, writing plain unchecked shapes directly (see ShapedDrawing)."""

    def drawNode(self, node):
        """The node drawn: its kept state's operators and its geometry, or as renderPDF draws it."""
        key = self._key(node)
        if key is None:
            super().drawNode(node)
            return
        kept = _STATES.get(key)
        geometry = None
        if kept is not None:
            operators, stroke, fill = kept
            geometry = _GEOMETRY[type(node)](node, stroke, fill, self._canvas._fillMode)
        if geometry is None:
            self._drawn(node, key)
            return
        self._stroke, self._fill = stroke, fill
        code = self._canvas._code
        code.extend(operators)
        code.extend(geometry)
        code.append("Q")

    def _key(self, node) -> tuple | None:
        """What a plain shape's state operators are written from, or None for anything else."""
        canvas = self._canvas
        if type(node) not in _GEOMETRY or canvas._extgstate._d or canvas._doc._pdfVersion < _TRANSPARENCY:
            return None
        if getattr(node, "_drawTimeCallback", None) is not None:
            return None
        state = []
        for name, value in node.__dict__.items():
            if name in STATE_DEFAULTS:
                if name in _OWN_STATES or type(value) not in _PLAIN_VALUES:
                    return None
                state.append((name, value))
        return type(node), tuple(state), self._stroke, self._fill, rl_config.invariant

    def _drawn(self, node, key: tuple) -> None:
        """renderPDF's drawNode for a plain shape (not a clipping path), keeping the state's operators."""
        canvas = self._canvas
        start = len(canvas._code)
        canvas.saveState()
        deltas = getStateDelta(node)
        self._tracker.push(deltas)
        self.applyStateChanges(deltas, {})
        operators = tuple(canvas._code[start:])
        self.drawNodeDispatcher(node)
        self._tracker.pop()
        canvas.restoreState()
        if not any(code.endswith(" gs") for code in operators):
            _STATES.keep(key, (operators, self._stroke, self._fill))


_NUMBERS = frozenset({int, float})


def _numbers(*values) -> bool:
    return all(type(value) in _NUMBERS for value in values)


def _line(line: Line, stroke: int, fill: int, fill_mode: int) -> list[str] | None:
    """canvas.line's operators as renderPDF's drawLine writes them."""
    if not _numbers(line.x1, line.y1, line.x2, line.y2):
        return None
    return [f"n {fp(line.x1, line.y1)} m {fp(line.x2, line.y2)} l S"] if stroke else []


def _rect(rect: Rect, stroke: int, fill: int, fill_mode: int) -> list[str] | None:
    """canvas.rect's operators as renderPDF's drawRect writes them (square corners only)."""
    if not _numbers(rect.x, rect.y, rect.width, rect.height, rect.rx, rect.ry) or rect.rx or rect.ry:
        return None
    return [f"n {fp(rect.x, rect.y, rect.width, rect.height)} re {PATH_OPS[stroke, fill, fill_mode]}"]


def _polygon(polygon: Polygon, stroke: int, fill: int, fill_mode: int) -> list[str] | None:
    """The path's and canvas.drawPath's operators as renderPDF's drawPolygon writes them."""
    points = polygon.points
    if type(points) is not list or len(points) < 2 or len(points) % 2 or not _numbers(*points):
        return None
    path = ["n", f"{fp(points[0], points[1])} m"]
    path += [f"{fp(points[index], points[index + 1])} l" for index in range(2, len(points), 2)]
    return [" ".join([*path, "h"]), PATH_OPS[stroke, fill, fill_mode]]


_GEOMETRY = {UncheckedLine: _line, UncheckedRect: _rect, UncheckedPolygon: _polygon}


class LinkingCanvas(Canvas):
    """ReportLab's Canvas whose plain URI links (what a paragraph's `<a href>` makes: no colour, dash or
    extra entries) are `LinkAnnotation`s, written straight to bytes when the document is saved; every
    other link is ReportLab's. Its pages are `DirectPage`s."""

    def _setAnnotations(self, page):
        """ReportLab's step that gives the page its annotations, the page then made a `DirectPage`: the
        PDFPage that Canvas.showPage has just made, written the same way in fewer steps."""
        super()._setAnnotations(page)
        if type(page) is PDFPage:
            page.__class__ = DirectPage

    def linkURL(self, url, rect, relative=0, thickness=0, color=None, dashArray=None, kind="URI", **kw):
        """ReportLab's linkURL: a link annotation on the page for `url` over `rect`, the same object in the file."""
        if kw or color or dashArray or kind != "URI" or not isinstance(url, str):
            return super().linkURL(url, rect, relative, thickness, color, dashArray, kind, **kw)
        self._addAnnotation(LinkAnnotation(url, self._absRect(rect, relative), thickness or 0))
        return None


class LinkAnnotation(PDFDictionary):
    """The dictionary ReportLab's `Canvas.linkURL` makes for a plain URI link (its url, absolute rectangle and
    border thickness), formatted directly as PDFDictionary formats that dictionary, byte for byte, for
    ASCII urls without parentheses or backslashes, plain numbers, no encryption and single-line
    dictionaries. Its `dict` is ReportLab's, made when first read; once it is, ReportLab formats it."""

    def __init__(self, url: str, rect: tuple, thickness: float):
        self.url, self.rect, self.thickness = url, tuple(rect), thickness

    @cached_property
    def dict(self) -> dict:
        """The dictionary `Canvas.linkURL` makes for these values."""
        action = PDFDictionary()
        action["Type"] = PDFName("Action")
        action["S"] = PDFName("URI")
        action["URI"] = PDFString(self.url)
        return {
            "Type": PDFName("Annot"),
            "Subtype": PDFName("Link"),
            "Rect": PDFArray(self.rect),
            "A": action,
            "Border": PDFArray([0, 0, self.thickness]),
        }

    def format(self, document, IND=b"\n "):
        """PDFDictionary's bytes for the link in `document`."""
        if "dict" in self.__dict__ or not self._direct(document):
            return super().format(document, IND)
        numbers = fp(*self.rect)
        return (
            b"<<\n/A <<\n/S /URI /Type /Action /URI (%s)\n>> /Border [ 0 0 %s ] /Rect [ %s ] /Subtype /Link /Type /Annot\n>>"
            % (self.url.encode("ascii"), number(self.thickness).encode("ascii"), numbers.encode("ascii"))
        )

    def _direct(self, document) -> bool:
        url = self.url
        return (
            not rl_config.pdfMultiLine
            and self.multiline is True
            and type(document.encrypt) is NoEncryption
            and url.isascii()
            and url.isprintable()
            and "(" not in url
            and ")" not in url
            and "\\" not in url
            and len(self.rect) == 4
            and all(type(value) in _NUMBERS for value in (*self.rect, self.thickness))
        )


_PAGE_ENTRIES = ("Parent", "MediaBox", "Resources", "Contents", "Rotate", "Annots", "Trans")
"""The entries of a page dictionary `DirectPage` writes itself (the others must be unset)."""
_PAGE_UNSET = tuple(name for name in PDFPage.__NoDefault__ if name not in _PAGE_ENTRIES)


class DirectPage(PDFPage):
    """ReportLab's page dictionary (PDFPage), formatted directly as PDFCatalog and PDFDictionary format it
    when it holds what Canvas.showPage sets (contents, media box, parent, resources, rotation, an empty
    transition, annotations) and pages are written one entry after another (no `pdfMultiLine`): the
    references made in ReportLab's order, the values ReportLab's. Its contents stream, encoded with
    ASCII85 and Flate as ReportLab's canvas asks, gets its ASCII85 text as bytes (`ASCII_BASE85`) rather
    than through ReportLab's PDFDocEncoding codec, which writes those characters as their ASCII bytes."""

    def check_format(self, document):
        """PDFPage's set-up of the entries, the contents stream given `ASCII_BASE85`."""
        super().check_format(document)
        contents = self.Contents
        if type(contents) is PDFStream and contents.filters == [PDFBase85Encode, PDFZCompress]:
            contents.filters = [ASCII_BASE85, PDFZCompress]
            contents.__class__ = _ContentsStream

    def format(self, document):
        """The bytes PDFCatalog.format writes for the page."""
        self.check_format(document)
        if not self._direct():
            return super().format(document)
        contents = document.Reference(self.Contents)
        parent = document.Reference(self.Parent)
        entries = [] if self.Annots is None else [b"/Annots " + pdf_format(self.Annots, document)]
        entries += [
            b"/Contents " + pdf_format(contents, document),
            b"/MediaBox [ " + fp(*self.MediaBox.sequence).encode("ascii") + b" ]",
            b"/Parent " + pdf_format(parent, document),
            b"/Resources " + _resources(self.Resources, document),
            b"/Rotate " + number(self.Rotate).encode("ascii"),
        ]
        if self.Trans is not None:
            entries.append(b"/Trans <<\n\n>>")
        entries.append(b"/Type /Page")
        for index in reversed(range(6, len(entries), 6)):  # PDFDictionary's break every six entries
            entries.insert(index, b"\n ")
        return b"<<\n" + b" ".join(entries) + b"\n>>"

    def _direct(self) -> bool:
        """Whether the page holds only what `format` writes, in the values it writes them from."""
        box, annotations, transition = self.MediaBox, self.Annots, self.Trans
        return (
            not rl_config.pdfMultiLine
            and not self.Override_default_compilation
            and getattr(self, "Type", None) is None
            and all(getattr(self, name) is None for name in _PAGE_UNSET)
            and type(box) is PDFArray
            and len(box.sequence) == 4
            and all(type(value) in _NUMBERS for value in (*box.sequence, self.Rotate))
            and (annotations is None or type(annotations) is PDFArray)
            and (transition is None or (type(transition) is PDFDictionary and not transition.dict))
            and type(self.Parent) is PDFObjectReference
        )


_RESOURCE_DICTIONARIES = tuple(name for name in PDFResourceDictionary.dict_attributes if name != "Font")


def _resources(resources, document) -> bytes:
    """The bytes PDFResourceDictionary formats for a page's resources: written directly when they are
    ReportLab's fonts' reference and a list of procedure sets only (no colour spaces, graphics states,
    images or shadings)."""
    procedures = resources.ProcSet
    plain = (
        type(resources) is PDFResourceDictionary
        and type(resources.Font) is PDFObjectReference
        and type(procedures) is list
        and 0 < len(procedures) <= 10
        and all(type(name) is str and name.isascii() for name in procedures)
        and all(getattr(resources, name) == {} for name in _RESOURCE_DICTIONARIES)
    )
    if not plain:
        return pdf_format(resources, document)
    font = resources.Font.format(document)
    return b"<<\n/Font " + font + b" /ProcSet [ " + " ".join(procedures).encode("ascii") + b" ]\n>>"


class _ContentsStream(PDFStream):
    """A page's contents stream as DirectPage gives it (encoded with `ASCII_BASE85` and Flate), formatted
    directly as PDFStream formats it when its dictionary is empty and the document is not encrypted."""

    def format(self, document):
        """The bytes PDFStream.format writes for the stream."""
        if (
            self.dictionary.dict
            or self.filters != [ASCII_BASE85, PDFZCompress]
            or type(document.encrypt) is not NoEncryption
            or rl_config.pdfMultiLine
            or self.content is None
        ):
            return super().format(document)
        content = ASCII_BASE85.encode(PDFZCompress.encode(self.content))
        if type(content) is not bytes:
            return super().format(document)
        length = str(len(content)).encode("ascii")
        return (
            b"<<\n/Filter [ /ASCII85Decode /FlateDecode ] /Length "
            + length
            + b"\n>>\nstream\n"
            + content
            + b"endstream\n"
        )


class _AsciiBase85(PDFStreamFilterBase85Encode):
    """ReportLab's ASCII85 filter giving its text as the bytes ReportLab's PDFDocEncoding writes for it:
    its ASCII bytes, as ASCII85 writes only characters PDFDocEncoding writes as their ASCII byte (`!` to
    `u`, `z`, `~>` and line breaks)."""

    def encode(self, text):
        """ReportLab's ASCII85 encoding of `text`, as ASCII bytes (what ReportLab gives, should it not be
        ASCII text)."""
        encoded = super().encode(text)
        return encoded.encode("ascii") if isinstance(encoded, str) and encoded.isascii() else encoded


ASCII_BASE85 = _AsciiBase85()
