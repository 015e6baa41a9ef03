"""The printable action plan: a handout laid out against the person's own dates.

Pathway and roster text is data: it is escaped for ReportLab's paragraph markup exactly once,
in `para`, and nowhere else; control characters are dropped from every text on its way to
ReportLab (`_clean`). Every string is drawn in the embedded DejaVu Sans (or the theme's
TrueType font), so names in Latin with diacritics, Greek and Cyrillic print as real glyphs; text
in other scripts is cut into runs of fonts that have its glyphs (writers/pdf_fonts.py), and
`printing_problems` names what no font at hand can print.
Every word a person reads comes from the label catalogue, through a PlanView.

The file depends on nothing but the plan, the run's context and the theme: its dates and
document ID come from `context.build_time`, whatever SOURCE_DATE_EPOCH the process has.
"""

from __future__ import annotations

import hashlib
import io
import operator
import re
from copy import copy, deepcopy
from dataclasses import fields, is_dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache, lru_cache, reduce
from importlib import resources

from reportlab.graphics.shapes import Drawing, Line
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    Image,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.paragraph import cleanBlockQuotedText, textTransformFrags
from reportlab.platypus.paraparser import ParaParser

from exporter import __version__
from exporter.context import RunContext
from exporter.controls import CONTROL
from exporter.errors import Problem
from exporter.fontfiles import FoundFont
from exporter.kept import Kept
from exporter.labels import Labels
from exporter.model import HORIZONS, Pathway
from exporter.plan import Plan
from exporter.theme import Theme
from exporter.view import PhaseView, PlanView
from exporter.writers import Handout, WriterOptions
from exporter.writers.common import safe_url
from exporter.writers.markup import escape, quoteattr
from exporter.writers.pdf_draw import (
    LinkingCanvas,
    RuledDrawing,
    ShapedDrawing,
    UncheckedLine,
    UncheckedPolygon,
    UncheckedRect,
    UncheckedString,
    drawn_paragraph,
)
from exporter.writers.pdf_fonts import ScriptFonts, ShapingFont, glyph_problem, script_fonts

FILE_NAME = "plan.pdf"
FONT, FONT_BOLD = "PathwaySans", "PathwaySans-Bold"
TICK_BOX = "☐"
ELLIPSIS = "…"
MARGIN = 18 * mm  # inside the unprintable edge of every office printer
PAPER = {"letter": LETTER, "a4": A4}
LONGEST_WORD = 500
"""Characters of one unbroken word shown before the rest is cut, for display only: ReportLab
lays out a paragraph with a long word in time that grows with the square of its length.
500 is the loader's limit on a title, name or URL, so none of those is ever cut."""
NOT_PRINTED = frozenset({"notes", "key"})
"""Fields of the pathway the PDF never prints: the author's notes and the tasks' lasting keys."""
_LONG_WORD = re.compile(rf"\S{{{LONGEST_WORD + 1},}}")
STYLE_SETS = 16
"""Sets of styles (one per theme and fonts) a process keeps; a style set has about 20 styles."""
PARAGRAPHS = 1024
"""Paragraphs whose markup and parse a process keeps (least recently used go first): a plan has about
250 different ones and most (the pathway's text, the labels', many dates) recur in every participant's
plan; about 3 KiB each, so a batch worker's memory stays flat in the roster's length."""
BREAKS = 1024
"""Line breaks (a paragraph's text and style at one width) a process keeps, the oldest going first: a
plan breaks about 400 different ones and half of them recur in every plan of a batch; a few KiB each, and a
batch worker holds its most after a few dozen participants (its memory flat in the roster's length)."""


def file_names(options: WriterOptions) -> tuple[str, ...]:
    return (FILE_NAME,)


def render(plan: Plan, context: RunContext, theme: Theme, options: WriterOptions) -> dict[str, bytes]:
    """plan.pdf: the handout of the plan, in the words of the context's catalogue."""
    return {FILE_NAME: _render(PlanView(plan, context.labels), context, theme, options)}


def printing_problems(plan: Plan, context: RunContext, theme: Theme) -> tuple[Problem, ...]:
    """Warnings for characters the PDF cannot print with the fonts at hand (the name's apart), never silent boxes."""
    scripts = document_styles(theme, context.fonts).scripts
    problems = []
    in_name = scripts.unprintable(_clean(plan.participant or ""))
    if in_name:
        problems.append(glyph_problem(in_name, "the name", FILE_NAME, field="name"))
    elsewhere = _unprintable_in(scripts, plan.pathway, theme.organisation)
    if elsewhere:
        problems.append(glyph_problem(elsewhere, f"pathway {plan.pathway.id!r}", FILE_NAME))
    return tuple(problems)


@lru_cache(maxsize=16)
def _unprintable_in(scripts: ScriptFonts, pathway: Pathway, organisation: str) -> str:
    """What no font prints in the pathway's text and the organisation: the same for every participant."""
    return scripts.unprintable(_clean("".join(_texts(pathway)) + organisation))


def _texts(value) -> list[str]:
    """Every string inside a frozen model value (dataclasses, tuples) that the PDF may print."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, tuple | list):
        return [text for item in value for text in _texts(item)]
    if is_dataclass(value):
        printed = (item.name for item in fields(value) if item.name not in NOT_PRINTED)
        return [text for name in printed for text in _texts(getattr(value, name))]
    return []


@cache
def register_fonts(regular: str = "", bold: str = "") -> tuple[str, str]:
    """Register the body font family once per process; the shipped DejaVu Sans unless a theme names one.

    Nothing is set in italic (data is escaped, the writer's own markup has no <i>): the family names
    an italic face for ReportLab's mapping but no file is read for it, which saves parsing a third font
    in every process; a paragraph that asked for italic would fail, not print in the wrong face."""
    fonts = resources.files("exporter.fonts")
    regular_path = regular or str(fonts / "DejaVuSans.ttf")
    bold_path = bold or (regular if regular else str(fonts / "DejaVuSans-Bold.ttf"))
    digest = hashlib.sha256(f"{regular}\0{bold}".encode()).hexdigest()[:8]
    suffix = "" if not regular else f"-{digest}"
    names = (FONT + suffix, FONT_BOLD + suffix, f"{FONT}-Italic{suffix}")
    for name, path in zip(names[:2], (regular_path, bold_path), strict=True):
        pdfmetrics.registerFont(ShapingFont(name, path))
    pdfmetrics.registerFontFamily(names[0], normal=names[0], bold=names[1], italic=names[2], boldItalic=names[1])
    return names[0], names[1]


def document_styles(theme: Theme, fonts: tuple[FoundFont, ...]) -> _Styles:
    """The body fonts registered and the paragraph styles of a theme, with the script fonts a context
    found (`context.fonts`): made once per process for each theme and set of fonts."""
    regular, bold = register_fonts(theme.font, theme.font_bold)
    return _styles(theme, regular, bold, script_fonts(regular, bold, fonts, bool(theme.font)))


class _Styles:
    def __init__(self, theme: Theme, regular: str, bold: str, scripts: ScriptFonts):
        primary = colors.HexColor(theme.primary)
        muted = colors.HexColor(theme.muted)
        self.theme = theme
        self.regular, self.bold = regular, bold
        self.body = ParagraphStyle("body", fontName=regular, fontSize=9.5, leading=13, spaceAfter=4)
        self.small = ParagraphStyle("small", parent=self.body, fontSize=8, leading=10.5, textColor=muted)
        self.cell = ParagraphStyle("cell", parent=self.body, fontSize=8.5, leading=11)
        self.cell_bold = ParagraphStyle("cellb", parent=self.cell, fontName=bold)
        self.head_cell = ParagraphStyle("headcell", parent=self.cell, fontName=bold, textColor=colors.white)
        self.h1 = ParagraphStyle(
            "h1",
            parent=self.body,
            fontName=bold,
            fontSize=17,
            leading=21,
            textColor=primary,
            spaceBefore=4,
            spaceAfter=8,
            keepWithNext=1,
        )
        self.h2 = ParagraphStyle(
            "h2",
            parent=self.body,
            fontName=bold,
            fontSize=12.5,
            leading=16,
            textColor=primary,
            spaceBefore=10,
            spaceAfter=4,
            keepWithNext=1,
        )
        self.h3 = ParagraphStyle(
            "h3",
            parent=self.body,
            fontName=bold,
            fontSize=10.5,
            leading=14,
            spaceBefore=6,
            spaceAfter=2,
            keepWithNext=1,
        )
        self.title = ParagraphStyle(
            "title",
            parent=self.body,
            fontName=bold,
            fontSize=26,
            leading=31,
            textColor=primary,
            alignment=TA_CENTER,
            spaceAfter=10,
        )
        self.subtitle = ParagraphStyle(
            "subtitle", parent=self.body, fontSize=13, leading=18, alignment=TA_CENTER, textColor=muted, spaceAfter=6
        )
        self.name = ParagraphStyle(
            "name",
            parent=self.body,
            fontName=bold,
            fontSize=20,
            leading=26,
            alignment=TA_CENTER,
            spaceBefore=18,
            spaceAfter=18,
        )
        self.scripts = scripts
        for style in vars(self).values():
            if isinstance(style, ParagraphStyle):
                style.scripts = scripts  # para() cuts text into runs of fonts that have its glyphs


@lru_cache(maxsize=STYLE_SETS)
def _styles(theme: Theme, regular: str, bold: str, scripts: ScriptFonts) -> _Styles:
    return _Styles(theme, regular, bold, scripts)


@lru_cache(maxsize=STYLE_SETS * 32)
def _shaped(style: ParagraphStyle) -> ParagraphStyle:
    """The style for a paragraph with text HarfBuzz must shape (one per style and process)."""
    return ParagraphStyle(f"{style.name}-shaped", parent=style, shaping=1)


def _clean(text: str) -> str:
    """The text without control characters (tab and line feed stay), which no font can draw."""
    return CONTROL.sub("", text)


def _line(text: str) -> str:
    """Text for one line drawn on the canvas: clean, its tabs and line breaks as spaces."""
    return _clean(text).replace("\t", " ").replace("\n", " ")


def _short_words(text: str) -> str:
    """The text with every unbroken word cut to LONGEST_WORD characters and an ellipsis (display only)."""
    return _LONG_WORD.sub(lambda found: found.group()[:LONGEST_WORD] + ELLIPSIS, text)


def para(text: str, style: ParagraphStyle, link: str | None = None, link_colour: str | None = None) -> Paragraph:
    """The one place data becomes paragraph markup: cleaned and escaped here, once.

    `link` makes the paragraph a link, underlined in `link_colour` (the theme's primary colour).
    """
    markup, used, frags = _parsed(text, style, link, link_colour)
    return _Paragraph(markup, used, frags=frags, lines_key=(text, style, link, link_colour))


class _Paragraph(Paragraph):
    """A Paragraph whose line breaks are kept per process (up to BREAKS of them) for its text, style
    and width: ReportLab breaks the same fragments at the same width the same way, and most of a
    plan's paragraphs (the pathway's text, the labels) are broken at the same widths for every
    participant, table cells twice in each document. `breakLines` gives the kept lines and sets on
    the paragraph what ReportLab's own call sets (`_BREAK_STATE`: its widest line, its fragments as
    words, its counts). Kept lines are shared and only read: a style under which ReportLab changes
    them as it draws or splits (right-to-left or mixed word order, hyphenation, URL splitting) breaks
    its lines itself, as do the pieces of a split paragraph (made by ReportLab with no `lines_key`).
    A plain paragraph (one font and colour, left-aligned, no link) is drawn by `drawn_paragraph`, which
    writes ReportLab's operators directly; every other one is drawn by ReportLab."""

    def __init__(self, text, style=None, bulletText=None, frags=None, caseSensitive=1, encoding="utf8", lines_key=None):
        super().__init__(text, style, bulletText, frags, caseSensitive, encoding)
        self._lines_key = lines_key if _keeps_lines(self.style) else None
        self._last_wrap: tuple | None = None

    def wrap(self, availWidth, availHeight):
        """ReportLab's wrap: the paragraph's size at this width, with what ReportLab's wrap sets on the
        paragraph; for a paragraph with kept lines, kept per process for its text, style and width (and by
        the paragraph for the width it was last wrapped at: tables wrap their cells again as they draw)."""
        if self._lines_key is None:
            return super().wrap(availWidth, availHeight)
        last = self._last_wrap
        if last is not None and last[0] == availWidth:
            kept = last[1]
        else:
            key = (self._lines_key, availWidth)  # ReportLab's wrap does not read the height
            kept = _WRAPPED.get(key)
            if kept is None:
                kept = _WRAPPED.keep(key, self._kept_call(super().wrap, (availWidth, availHeight), _WRAP_STATE))
            self._last_wrap = (availWidth, kept)
        size, state = kept
        self.__dict__.update(state)
        return size

    def breakLines(self, width):
        """ReportLab's line breaks at these widths, with what they set on the paragraph; kept per process for a
        paragraph with kept lines."""
        if self._lines_key is None:
            return super().breakLines(width)
        key = (self._lines_key, tuple(width) if isinstance(width, _WIDTH_LISTS) else width)
        kept = _BROKEN.get(key)
        if kept is None:
            kept = _BROKEN.keep(key, self._kept_call(super().breakLines, (width,), _BREAK_STATE))
        lines, state = kept
        self.__dict__.update(state)
        return lines

    def _kept_call(self, call, arguments: tuple, always: tuple[str, ...]) -> tuple:
        """ReportLab's result of the call and what it set on the paragraph: every attribute it changed
        and those named in `always`."""
        before = dict(self.__dict__)
        result = call(*arguments)
        state = self.__dict__
        changed = {name for name, value in state.items() if before.get(name, _UNSET) is not value}
        return result, {name: state[name] for name in changed.union(always) if name in state}

    def getSpaceBefore(self):
        """Flowable.getSpaceBefore: the paragraph's own spaceBefore, else its style's (0 if neither has one),
        read in one step (no class of the writer's paragraphs has the attribute)."""
        state = self.__dict__
        return state["spaceBefore"] if "spaceBefore" in state else getattr(state["style"], "spaceBefore", 0)

    def getSpaceAfter(self):
        """Flowable.getSpaceAfter, read in one step as getSpaceBefore."""
        state = self.__dict__
        return state["spaceAfter"] if "spaceAfter" in state else getattr(state["style"], "spaceAfter", 0)

    def getKeepWithNext(self):
        """Flowable.getKeepWithNext, read in one step as getSpaceBefore."""
        state = self.__dict__
        return state["keepWithNext"] if "keepWithNext" in state else getattr(state["style"], "keepWithNext", 0)

    def drawOn(self, canvas, x, y, _sW=0):
        """ReportLab's drawing of the paragraph at (x, y): written directly for a plain paragraph, by ReportLab
        for any other; the page's operators and the canvas's and document's state are the same either way."""
        drawn = drawn_paragraph(self, canvas, self._hAlignAdjust(x, _sW), y)
        if drawn is None:
            super().drawOn(canvas, x, y, _sW)
        else:
            canvas._code += drawn


def _keeps_lines(style: ParagraphStyle) -> bool:
    """Whether a paragraph's kept lines stay as they are under this style: no word order of its own, no
    hyphenation, no splitting of URLs (ReportLab changes the lines for those)."""
    return not (
        (style.wordWrap or "").upper() in ("RTL", "LTR", "CJK")
        or getattr(style, "hyphenationLang", "")
        or getattr(style, "embeddedHyphenation", 0)
        or getattr(style, "uriWasteReduce", 0)
    )


_BREAK_STATE = ("_width_max", "_splitLongWordCount", "_hyphenations", "frags", "height")
"""What ReportLab's breakLines sets on the paragraph (ReportLab 4 and 5), kept even when a call leaves
a value as it was: another paragraph given the kept lines needs it too."""
_WRAP_STATE = (*_BREAK_STATE, "width", "_wrapWidths", "blPara")
"""What ReportLab's wrap sets on the paragraph: what its breakLines sets, the width, the widths it
broke the lines at and the lines."""
_BROKEN: Kept[tuple] = Kept(BREAKS)
_WRAPPED: Kept[tuple] = Kept(BREAKS)
_UNSET = object()
_WIDTH_LISTS = (list, tuple)


@lru_cache(maxsize=PARAGRAPHS)
def _parsed(text: str, style: ParagraphStyle, link: str | None, link_colour: str | None) -> tuple:
    """A text's paragraph markup, the style it is set in and ReportLab's parse of the markup, made once
    for each text and style: the steps of reportlab.platypus.Paragraph's own set-up, done ahead.
    A Paragraph given the fragments only reads them (it lays out and splits copies)."""
    plain = _short_words(_clean(text))
    scripts: ScriptFonts | None = getattr(style, "scripts", None)
    markup, shaped = scripts.markup(plain, style.fontName) if scripts else (escape(plain), False)
    markup = markup.replace("\n", "<br/>")
    if link:
        colour = f" color={quoteattr(link_colour)}" if link_colour else ""
        markup = f"<a href={quoteattr(_clean(link))}{colour}><u>{markup}</u></a>"
    used = _shaped(style) if shaped else style
    markup = cleanBlockQuotedText(markup)
    frags = parse_markup(markup, used)
    if frags is not None:  # else Paragraph parses again and says what is wrong
        textTransformFrags(frags, used)
    return markup, used, frags


def _render(view: PlanView, context: RunContext, theme: Theme, options: WriterOptions) -> bytes:
    plan, labels = view.plan, view.labels
    styles = document_styles(theme, context.fonts)
    regular = styles.regular
    buffer = io.BytesIO()
    page = PAPER[theme.paper]
    who = plan.participant or ""
    title = (
        labels("pdf.document-title-for", title=plan.pathway.title, name=who)
        if who
        else labels("pdf.document-title", title=plan.pathway.title)
    )
    subject = labels(
        "pdf.subject",
        from_role=plan.pathway.from_role,
        to_role=plan.pathway.to_role,
        start=view.short_date(plan.start),
        finish=view.short_date(plan.finish),
    )
    document = BaseDocTemplate(
        buffer,
        pagesize=page,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 6 * mm,
        bottomMargin=MARGIN + 4 * mm,
        title=_line(title),
        author=_line(theme.organisation or who or labels("document.program")),
        subject=_line(subject),
        creator=f"{labels('document.program')} {__version__}",
        keywords=[_line(labels("pdf.keyword")), _line(plan.pathway.to_role)],
        lang=labels.language,
        initialFontName=regular,
        invariant=1,
    )
    frame = CopiedFrame(document.leftMargin, document.bottomMargin, document.width, document.height, id="body")
    document.addPageTemplates([PageTemplate("title", [frame]), PageTemplate("body", [frame])])
    story = build_story(view, context, styles, document.width, options)
    canvas_maker = _numbered_canvas(view, context.build_time, styles, page)
    document.build(story, canvasmaker=canvas_maker)
    return buffer.getvalue()


def parse_markup(markup: str, style: ParagraphStyle) -> list | None:
    """ReportLab's fragments of paragraph markup in a style, as its parser gives them (None for markup
    it cannot parse). Text without tags or entities (many of a plan's dates and numbers) is one fragment,
    the style's, with the text: a copy of the fragment the parser gives for such text, made once per
    style, as the parser copies its fragment for each text (without parsing it)."""
    if markup and "<" not in markup and "&" not in markup:
        fragment = copy(_plain_fragment(style))
        fragment.text = markup
        return [fragment]
    _, frags, _ = ParaParser(caseSensitive=1).parse(markup, style)
    return frags


@lru_cache(maxsize=STYLE_SETS * 64)
def _plain_fragment(style: ParagraphStyle):
    """The fragment ReportLab's parser gives plain text in the style (its text is to be replaced)."""
    _, (fragment,), _ = ParaParser(caseSensitive=1).parse("x", style)
    return fragment


_ATOMIC = (type(None), bool, int, float, complex, str, bytes)
"""Types that `copy.deepcopy` gives back as they are (it keeps these objects, not copies)."""


class CopiedFrame(Frame):
    """A Frame whose deep copy is the one `copy.deepcopy` makes, made faster.

    ReportLab deep-copies the current frame every time it measures a KeepTogether (about 50 a plan),
    and deepcopy walks every attribute through its dispatch. This copy keeps the attributes deepcopy
    keeps (numbers, strings, None) and deep-copies all others, in the same memo, as deepcopy does."""

    def __deepcopy__(self, memo):
        copied = self.__class__.__new__(self.__class__)
        memo[id(self)] = copied
        state = copied.__dict__
        for name, value in self.__dict__.items():
            state[name] = value if type(value) in _ATOMIC else deepcopy(value, memo)
        return copied


class _BuildStamp:
    """ReportLab's document time stamp (reportlab.lib.utils.TimeStamp) for the run's build time.

    ReportLab stamps CreationDate, ModDate and the seed of the document ID from
    SOURCE_DATE_EPOCH or the clock; this stands in for it so the file depends on the context only.
    """

    def __init__(self, moment: datetime):
        utc = moment.astimezone(UTC)
        self.t = int(utc.timestamp())
        self.lt = utc.timetuple()
        self.YMDhms = tuple(self.lt)[:6]
        self.dhh = self.dmm = 0
        self.tzname = "UTC"


def _pin_time(document, moment: datetime) -> None:
    """Give a fresh ReportLab PDFDocument the build time as its time stamp and ID seed."""
    stamp = _BuildStamp(moment)
    document._timeStamp = stamp
    signature = hashlib.md5(usedforsecurity=False)  # what PDFDocument.__init__ seeds its ID with
    signature.update(b"a reportlab document")
    signature.update(ascii(stamp.t).encode())
    document.signature = signature


def _numbered_canvas(view: PlanView, build_time: datetime, styles: _Styles, page: tuple[float, float]):
    """A canvas that holds its pages until the end, so each footer can say `Page X of Y`."""
    plan, labels = view.plan, view.labels
    width, height = page
    title = plan.pathway.title
    text = labels("pdf.header", title=title, participant=plan.participant) if plan.participant else title
    header = _fit(_line(text), styles.regular, 8, width - 2 * MARGIN)
    dates = _line(labels("pdf.footer-dates", start=view.short_date(plan.start), finish=view.short_date(plan.finish)))
    muted = colors.HexColor(styles.theme.muted)

    class NumberedCanvas(LinkingCanvas):
        def __init__(self, *args, **kwargs):
            kwargs.setdefault("initialFontName", styles.regular)
            super().__init__(*args, **kwargs)
            _pin_time(self._doc, build_time)
            self._pages: list[dict] = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                if number > 1:
                    self._decorate(number, total)
                super().showPage()
            super().save()

        def _decorate(self, number: int, total: int) -> None:
            self.saveState()
            self.setFillColor(muted)
            self.setStrokeColor(muted)
            self.setFont(styles.regular, 8)
            styles.scripts.draw(self, MARGIN, height - MARGIN + 2 * mm, header, styles.regular, 8)
            self.setFont(styles.regular, 8)
            self.line(MARGIN, height - MARGIN, width - MARGIN, height - MARGIN)
            self.line(MARGIN, MARGIN + 2 * mm, width - MARGIN, MARGIN + 2 * mm)
            self.drawString(MARGIN, MARGIN - 2 * mm, dates)
            page_label = _line(labels("pdf.footer-page", number=number, total=total))
            self.drawRightString(width - MARGIN, MARGIN - 2 * mm, page_label)
            self.restoreState()

    return NumberedCanvas


def _fit(text: str, font: str, size: float, width: float) -> str:
    """The text, or its longest start that fits `width` with an ellipsis: a binary search on the length."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    fits, too_long = 0, len(text)  # text[:fits] + … fits (or nothing does); text[:too_long] + … does not
    while too_long - fits > 1:
        middle = (fits + too_long) // 2
        if pdfmetrics.stringWidth(text[:middle] + ELLIPSIS, font, size) <= width:
            fits = middle
        else:
            too_long = middle
    return text[:fits] + ELLIPSIS


def build_story(view: PlanView, context: RunContext, styles: _Styles, width: float, options: WriterOptions) -> list:
    """The handout's flowables: the full plan, the short handout, or a booklet's personal part (the full
    plan without what is the same for everyone, the lined notes page included)."""
    short = options.handout is Handout.SHORT
    shared = not short and not options.personal_only
    pathway, labels = view.plan.pathway, view.labels
    story: list = []
    story += _title_page(view, context, styles, width)
    story += [NextPageTemplate("body"), PageBreak()]
    story += _at_a_glance(view, styles, width)
    story += _start_now(view, styles, width)
    story += _your_week(view, styles, width)
    if shared:
        story += overview(pathway, labels, styles)
    for phase in view.phases:
        story += _phase_section(view, phase, styles, width, details=not short)
    if not short:
        story += _skills(view, styles, width, how=shared)
    if shared:
        story += reality_check(pathway, labels, styles)
        story += faq(pathway, labels, styles)
    if shared:
        story += _notes_page(view, styles, width)
    return story


def masthead(theme: Theme, styles: _Styles) -> list:
    """The theme's logo (at most 40 x 80 mm) and organisation, as a title page or cover starts."""
    story: list = []
    if theme.logo:
        logo = Image(theme.logo)
        scale = min(1.0, 40 * mm / logo.drawHeight, 80 * mm / logo.drawWidth)
        logo.drawWidth, logo.drawHeight = logo.drawWidth * scale, logo.drawHeight * scale
        story += [logo, Spacer(1, 8 * mm)]
    if theme.organisation:
        story.append(para(theme.organisation, styles.subtitle))
    return story


def _busy_fact(view: PlanView) -> list[tuple[str, str]]:
    """The title page's line on the person's busy calendars (none without them): the hours they took."""
    busy, labels = view.plan.busy, view.labels
    if busy is None:
        return []
    value = labels("pdf.busy-value", hours=busy.hours_taken) if busy.hours_taken else labels("pdf.busy-value-none")
    return [(labels("pdf.busy"), value)]


def _title_page(view: PlanView, context: RunContext, styles: _Styles, width: float) -> list:
    plan, labels, theme = view.plan, view.labels, styles.theme
    pathway = plan.pathway
    story: list = [Spacer(1, 20 * mm), *masthead(theme, styles)]
    story.append(para(labels("pdf.personal-plan"), styles.subtitle))
    story.append(para(pathway.title, styles.title))
    if pathway.subtitle:
        story.append(para(pathway.subtitle, styles.subtitle))
    story.append(para(plan.participant or labels("pdf.your-plan"), styles.name))
    weekly = labels(
        "pdf.weekly-study-value",
        hours=plan.hours_per_week,
        pace=plan.pace,
        guide=pathway.hours_per_week,
        words=_pace_words(view, plan.pace),
    )
    effort = labels("pdf.effort-value", hours=plan.total_hours, sessions=len(plan.sessions))
    facts = [
        (labels("pdf.from"), pathway.from_role),
        (labels("pdf.to"), pathway.to_role),
        (labels("pdf.start"), view.long_date(plan.start)),
        (labels("pdf.finish"), view.long_date(plan.finish)),
        (labels("pdf.weekly-study"), weekly),
        (labels("pdf.effort"), effort),
        *_busy_fact(view),
        (labels("pdf.difficulty"), pathway.difficulty),
        (labels("pdf.timeline"), pathway.timeline),
        (labels("pdf.salary"), pathway.salary_change),
        (labels("pdf.generated"), view.short_date(context.today)),
    ]
    replanning = plan.replanning
    if replanning:
        facts[4:4] = [
            (labels("pdf.replanned"), view.long_date(replanning.as_of)),
            (labels("pdf.previous-finish"), view.long_date(replanning.previous_finish)),
            (
                labels("pdf.progress"),
                labels("pdf.progress-value", done=replanning.hours_done, left=replanning.hours_left),
            ),
        ]
    rows = [[para(label, styles.cell_bold), para(value, styles.cell)] for label, value in facts if value]
    table = Table(rows, colWidths=[38 * mm, min(width - 38 * mm, 110 * mm)], hAlign="CENTER")
    table.setStyle(
        _table_style(
            styles,
            [
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor(theme.light)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ],
        )
    )
    story += [table, Spacer(1, 10 * mm)]
    if pathway.demand:
        story.append(para(labels("pdf.demand", demand=pathway.demand), styles.small))
    return story


def _pace_words(view: PlanView, pace: float) -> str:
    if abs(pace - 1) < 0.05:
        return view.labels("pdf.pace-same")
    return view.labels("pdf.pace-faster" if pace > 1 else "pdf.pace-slower")


def _table(rows: list[list], widths: list[float], styles: _Styles, header_rows: int = 1, zebra: bool = True) -> Table:
    theme = styles.theme
    table = Table(rows, colWidths=widths, repeatRows=header_rows, splitInRow=1, hAlign="LEFT")
    commands = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.HexColor("#B8C2CC")),
    ]
    if header_rows:
        commands.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor(theme.primary)))
    if zebra:
        commands.append(("ROWBACKGROUNDS", (0, header_rows), (-1, -1), [colors.white, colors.HexColor(theme.light)]))
    table.setStyle(_table_style(styles, commands))
    return table


def _table_style(styles: _Styles, commands: list) -> TableStyle:
    """Every table names the embedded font, or ReportLab's Helvetica slips into the file."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), styles.regular), *commands])


def _head(titles: list[str], styles: _Styles) -> list:
    return [para(title, styles.head_cell) for title in titles]


def _at_a_glance(view: PlanView, styles: _Styles, width: float) -> list:
    plan, labels, theme = view.plan, view.labels, styles.theme
    story = [para(labels("pdf.at-a-glance"), styles.h1), _timeline_drawing(view, styles, width), Spacer(1, 4 * mm)]
    weeks = (plan.finish - plan.start).days / 7
    numbers = [
        (labels("pdf.start"), view.short_date(plan.start)),
        (labels("pdf.finish"), view.short_date(plan.finish)),
        (labels("pdf.calendar-weeks"), labels.number(weeks, decimals=0)),
        (labels("pdf.study-hours"), view.number(plan.total_hours)),
        (labels("pdf.hours-a-week"), view.number(plan.hours_per_week)),
        (labels("pdf.sessions"), str(len(plan.sessions))),
        (labels("pdf.phases"), str(len(plan.phases))),
        (labels("pdf.tasks"), str(len(plan.tasks))),
    ]
    cells = [[para(label, styles.small), para(value, styles.h3)] for label, value in numbers]
    grid = [reduce(operator.iadd, cells[i : i + 4], []) for i in range(0, len(cells), 4)]
    table = Table(grid, colWidths=[width / 8] * 8, hAlign="LEFT")
    table.setStyle(
        _table_style(
            styles,
            [("BOX", (0, 0), (-1, -1), 0.5, colors.HexColor(theme.muted)), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")],
        )
    )
    story.append(table)
    milestones = view.headline_milestones
    if milestones:
        story.append(para(labels("pdf.milestones"), styles.h2))
        rows = [_head([labels("pdf.date"), labels("pdf.milestone")], styles)] + [
            [para(view.short_date(m.date), styles.cell), para(view.milestone_title(m), styles.cell)] for m in milestones
        ]
        story.append(_table(rows, [30 * mm, width - 30 * mm], styles))
    return story


def _timeline_drawing(view: PlanView, styles: _Styles, width: float) -> Drawing:
    """Phases as bars across the months; milestones as diamonds; the start as a marked line."""
    plan, labels, theme = view.plan, view.labels, styles.theme
    label_width = 58 * mm
    row_height = min(19.0, (150 * mm - 48) / max(len(plan.phases), 1))  # many phases: thinner rows, one page
    bar_height, gap, top = row_height * 0.68, row_height * 0.32, 22
    height = top + len(plan.phases) * row_height + 26
    drawing = ShapedDrawing(width, height, initialFontName=styles.regular)
    span = max((plan.finish - plan.start).days + 1, 1)
    left, right = label_width, width - 4

    def x_of(day: date) -> float:
        return left + (right - left) * ((day - plan.start).days / span)

    primary, accent, muted = (
        colors.HexColor(theme.primary),
        colors.HexColor(theme.accent),
        colors.HexColor(theme.muted),
    )
    month = date(plan.start.year, plan.start.month, 1)
    axis_y = height - top + 6
    step = max(1, round(span / 30 / 14))  # at most about 14 month labels
    index = 0
    while month <= plan.finish:
        if month >= plan.start:
            x = x_of(month)
            drawing.add(UncheckedLine(x, 10, x, axis_y, strokeColor=colors.HexColor("#D0D6DC"), strokeWidth=0.4))
            if index % step == 0:
                axis = _line(labels.axis_date(month))
                drawing.add(
                    UncheckedString(x + 1, axis_y + 3, axis, fontName=styles.regular, fontSize=6.5, fillColor=muted)
                )
            index += 1
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    for row, phase in enumerate(plan.phases):
        y = height - top - (row + 1) * (bar_height + gap)
        name = _line(labels("pdf.timeline-label", number=phase.number, title=phase.title))
        for shape in styles.scripts.strings(
            0, y + 3.5, _fit(name, styles.regular, 7.5, label_width - 6), styles.regular, 7.5
        ):
            drawing.add(shape)
        x0, x1 = x_of(phase.start), x_of(phase.finish + timedelta(days=1))
        shade = primary if row % 2 == 0 else muted
        drawing.add(
            UncheckedRect(
                x0, y, max(x1 - x0, 1.5), bar_height, fillColor=shade, strokeColor=colors.black, strokeWidth=0.3
            )
        )
        if x1 - x0 > 14:
            short = _line(labels("pdf.timeline-phase", number=phase.number))
            drawing.add(
                UncheckedString(x0 + 3, y + 3.5, short, fontName=styles.bold, fontSize=7, fillColor=colors.white)
            )
    for milestone in view.headline_milestones:
        x = x_of(milestone.date)
        drawing.add(
            UncheckedPolygon(
                [x, 8, x + 3.5, 4.5, x, 1, x - 3.5, 4.5],
                fillColor=accent,
                strokeColor=colors.black,
                strokeWidth=0.3,
            )
        )
    start_x = x_of(plan.start)
    drawing.add(UncheckedLine(start_x, 0, start_x, axis_y, strokeColor=accent, strokeWidth=1.6))
    start = _line(labels("pdf.timeline-start"))
    drawing.add(UncheckedString(start_x + 2, 12, start, fontName=styles.bold, fontSize=7, fillColor=accent))
    legend = _line(labels("pdf.timeline-legend"))
    drawing.add(UncheckedString(0, 1.5, legend, fontName=styles.regular, fontSize=6.5, fillColor=muted))
    return drawing


def _start_now(view: PlanView, styles: _Styles, width: float) -> list:
    labels = view.labels
    story: list = [CondPageBreak(60 * mm), para(labels("pdf.start-now"), styles.h1)]
    for horizon in HORIZONS:
        actions = view.actions_of(horizon)
        if not actions:
            continue
        rows = [
            [
                para(TICK_BOX, styles.body),
                para(a.title, styles.cell),
                para(labels("pdf.due-by", date=view.short_date(a.due)), styles.cell),
            ]
            for a in actions
        ]
        table = Table(rows, colWidths=[8 * mm, width - 38 * mm, 30 * mm], hAlign="LEFT")
        table.setStyle(_table_style(styles, [("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 2)]))
        story += [KeepTogether([para(labels.term(horizon), styles.h3), table])]
    return story


def _your_week(view: PlanView, styles: _Styles, width: float) -> list:
    plan, labels = view.plan, view.labels
    rows = [_head([labels("pdf.day"), labels("pdf.windows"), labels("pdf.hours")], styles)]
    for weekday in plan.weekdays:
        windows = plan.availability.on(weekday)
        if windows:
            spans = labels("pdf.window-joiner").join(
                labels("pdf.window", start=labels.clock(w.start), end=labels.clock(w.end)) for w in windows
            )
            hours = view.number(sum(w.minutes for w in windows) / 60)
            rows.append(
                [para(labels.weekday(weekday), styles.cell), para(spans, styles.cell), para(hours, styles.cell)]
            )
    rows.append(
        [
            para(labels("pdf.week"), styles.cell_bold),
            para(labels("pdf.time-zone", zone=plan.timezone), styles.cell),
            para(view.number(plan.hours_per_week), styles.cell_bold),
        ]
    )
    story = [para(labels("pdf.your-week"), styles.h2), _table(rows, [35 * mm, 80 * mm, 20 * mm], styles)]
    if plan.blackouts:
        story.append(para(labels("pdf.no-study-on", days=view.blackouts), styles.small))
    if plan.holidays:
        story.append(para(labels("pdf.no-study-holidays", place=plan.holidays), styles.small))
    if plan.holidays_off:
        story.append(para(labels("pdf.holidays-off", holidays=view.holidays_off), styles.small))
    return [KeepTogether(story)]


def overview(pathway: Pathway, labels: Labels, styles: _Styles) -> list:
    """About the transition and what you already bring: the same for everyone on the pathway."""
    story: list = []
    if pathway.overview:
        story.append(para(labels("pdf.about"), styles.h2))
        story += [para(" ".join(p.split()), styles.body) for p in pathway.overview.split("\n\n") if p.strip()]
    if pathway.transferable_skills:
        story.append(para(labels("pdf.you-bring"), styles.h2))
        for skill in pathway.transferable_skills:
            story.append(KeepTogether([para(skill.name, styles.h3), para(skill.description, styles.body)]))
    return story


def _phase_section(view: PlanView, phase_view: PhaseView, styles: _Styles, width: float, details: bool = True) -> list:
    """A phase: its dates and hours, its tasks with tick boxes and planned dates; with `details` also
    its description and resources (the short handout leaves them out)."""
    labels, theme = view.labels, styles.theme
    phase, source = phase_view.planned, phase_view.source
    story: list = [CondPageBreak((90 if details else 40) * mm)]
    story.append(para(labels("word.phase-titled", number=phase.number, title=phase.title), styles.h1))
    dates = labels(
        "pdf.phase-dates",
        start=view.long_date(phase.start),
        finish=view.long_date(phase.finish),
        hours=phase.hours,
        weeks=source.weeks,
    )
    story.append(para(dates, styles.small))
    if source.description and details:
        story.append(para(source.description, styles.body))
    rows = [_head(["", labels("pdf.task"), labels("pdf.planned"), labels("pdf.hours")], styles)]
    for task in phase_view.tasks:
        rows.append(
            [
                para(TICK_BOX, styles.body),
                para(labels("pdf.task-title", id=task.id, title=task.title), styles.cell),
                para(
                    labels("pdf.task-dates", start=view.short_date(task.start), finish=view.short_date(task.finish)),
                    styles.cell,
                ),
                para(view.number(task.hours), styles.cell),
            ]
        )
    story += [Spacer(1, 2 * mm), _table(rows, [8 * mm, width - 73 * mm, 50 * mm, 15 * mm], styles)]
    if phase_view.resources and details:
        story.append(para(labels("pdf.resources"), styles.h3))
        for resource in phase_view.resources:
            url = safe_url(resource.url)
            line = [para(labels("pdf.bullet", text=resource.title), styles.body, link=url, link_colour=theme.primary)]
            if resource.url:
                line.append(para(labels("pdf.resource-url", url=resource.url), styles.small))
            story.append(KeepTogether(line))
    return story


def _skills(view: PlanView, styles: _Styles, width: float, how: bool = True) -> list:
    """The skills with their targets; `how` adds how to learn each (a booklet prints that once)."""
    plan, labels = view.plan, view.labels
    if not plan.skills:
        return []
    head = [labels("pdf.skill"), labels("pdf.priority"), labels("pdf.weeks"), labels("pdf.target")]
    rows = [_head([*head, labels("pdf.how")] if how else head, styles)]
    for skill in plan.skills:
        cells = [
            para(skill.name, styles.cell_bold),
            para(labels.term(skill.priority), styles.cell),
            para(labels("word.ongoing") if skill.weeks is None else view.number(skill.weeks), styles.cell),
            para(view.short_date(skill.target), styles.cell),
        ]
        rows.append([*cells, para(skill.how, styles.cell)] if how else cells)
    widths = [36 * mm, 24 * mm, 18 * mm, 24 * mm]
    return [
        CondPageBreak(70 * mm),
        para(labels("pdf.skills"), styles.h1),
        _table(rows, [*widths, width - 102 * mm] if how else [width - 66 * mm, 24 * mm, 18 * mm, 24 * mm], styles),
    ]


def skills_how(pathway: Pathway, labels: Labels, styles: _Styles, width: float) -> list:
    """How to learn each skill of the pathway: the same for everyone, without anyone's dates."""
    if not pathway.skills:
        return []
    rows = [_head([labels("pdf.skill"), labels("pdf.priority"), labels("pdf.how")], styles)]
    for skill in pathway.skills:
        rows.append(
            [
                para(skill.name, styles.cell_bold),
                para(labels.term(skill.priority), styles.cell),
                para(skill.how, styles.cell),
            ]
        )
    return [
        CondPageBreak(70 * mm),
        para(labels("pdf.skills-how"), styles.h1),
        _table(rows, [40 * mm, 24 * mm, width - 64 * mm], styles),
    ]


def reality_check(pathway: Pathway, labels: Labels, styles: _Styles) -> list:
    """The pathway's reality check: the same for everyone on it."""
    check = pathway.reality_check
    if not (check.intro or check.love or check.miss or check.challenges):
        return []
    story: list = [CondPageBreak(70 * mm), para(labels("pdf.reality-check"), styles.h1)]
    if check.intro:
        story.append(para(check.intro, styles.body))
    for key, items in (("pdf.love", check.love), ("pdf.miss", check.miss), ("pdf.challenges", check.challenges)):
        if items:
            bullets = (para(labels("pdf.bullet", text=item), styles.body) for item in items)
            story.append(KeepTogether([para(labels(key), styles.h3), *bullets]))
    return story


def faq(pathway: Pathway, labels: Labels, styles: _Styles) -> list:
    """The pathway's questions and answers and its closing words: the same for everyone on it."""
    story: list = []
    if pathway.faq:
        story += [CondPageBreak(50 * mm), para(labels("pdf.faq"), styles.h1)]
        for item in pathway.faq:
            question = item.question or labels("pdf.faq-untitled")
            story.append(KeepTogether([para(question, styles.h3), para(item.answer, styles.body)]))
    if pathway.closing:
        story += [Spacer(1, 4 * mm), *(para(p.strip(), styles.body) for p in pathway.closing.split("\n\n"))]
    return story  # the pathway's notes are for its author, not the handout


NOTE_LINES = 24
NOTE_LINE_COLOUR = "#B8C2CC"


def _notes_page(view: PlanView, styles: _Styles, width: float) -> list:
    lines = RuledDrawing(width, 200 * mm, "notes", _note_lines, initialFontName=styles.regular)
    return [PageBreak(), para(view.labels("pdf.notes"), styles.h1), lines]


def _note_lines(drawing: Drawing) -> None:
    """The notes page's ruled lines, across the drawing's width from its top (NOTE_LINES, 8.4 mm apart)."""
    for index in range(NOTE_LINES):
        y = drawing.height - index * 8.4 * mm
        drawing.add(Line(0, y, drawing.width, y, strokeColor=colors.HexColor(NOTE_LINE_COLOUR), strokeWidth=0.4))
