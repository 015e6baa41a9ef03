"""The front of a workshop's combined PDF: a cover, an index of participants with their pages,
and (for a booklet) the parts of the plan that are the same for everyone, printed once.

The batch joins these with each participant's plan (exporter/pdfjoin.py); the page numbers in
the index are pages of the combined file, as a PDF viewer and a printer count them. Every word
comes from the label catalogue; names are data, cut into runs of fonts that have their glyphs.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import BaseDocTemplate, PageBreak, PageTemplate, Spacer

from exporter import __version__
from exporter.context import RunContext
from exporter.model import Pathway
from exporter.theme import Theme
from exporter.writers.pdf import (
    MARGIN,
    PAPER,
    CopiedFrame,
    _head,
    _line,
    _pin_time,
    _Styles,
    _table,
    document_styles,
    faq,
    masthead,
    overview,
    para,
    reality_check,
    skills_how,
)

FRAME_PADDING = 6
"""The padding inside the page's frame on every side (ReportLab's default)."""
_TOLERANCE = 1e-3
"""More than ReportLab's own tolerance for a flowable that overflows its frame (rl_config._FUZZ)."""


@dataclass(frozen=True)
class IndexEntry:
    """A line of the index: whose part it is and its first and last page in the combined file."""

    name: str
    first: int
    last: int


def render_cover(
    title: str, entries: tuple[IndexEntry, ...], shared: tuple[IndexEntry, ...], context: RunContext, theme: Theme
) -> bytes:
    """The cover (workshop title, date, organisation, number of participants) and the index.

    `shared` lists the booklet's parts for everyone (one per pathway) with their pages.
    """
    labels = context.labels
    styles, document, buffer = _document(context, theme, title)
    story: list = [Spacer(1, 30 * mm), *masthead(theme, styles)]
    story.append(para(title, styles.title))
    story.append(para(labels.long_date(context.today), styles.subtitle))
    story.append(para(labels("pdf.cover-participants", count=len(entries)), styles.subtitle))
    story += [PageBreak(), *_index(entries, shared, context, styles, document.width)]
    document.build(story, canvasmaker=_canvas(context, styles))
    return buffer.getvalue()


def _index(
    entries: tuple[IndexEntry, ...], shared: tuple[IndexEntry, ...], context: RunContext, styles: _Styles, width: float
) -> list:
    """The index's heading, its note and its table (the shared parts' lines, then the entries'), `width` wide."""
    labels = context.labels
    story: list = [para(labels("pdf.index"), styles.h1), para(labels("pdf.index-note"), styles.small)]
    rows = [_head([labels("pdf.index-part"), labels("pdf.index-pages")], styles)]
    for entry in (*shared, *entries):
        pages = labels("pdf.page-range", first=entry.first, last=entry.last)
        rows.append([para(entry.name, styles.cell), para(pages, styles.cell)])
    story.append(_table(rows, [width - 40 * mm, 40 * mm], styles))
    return story


def cover_pages_at_least(
    entries: tuple[IndexEntry, ...], shared: tuple[IndexEntry, ...], context: RunContext, theme: Theme
) -> int:
    """A number of pages that `render_cover` takes at least for these entries, or for the same entries with
    page numbers as large or larger (larger numbers never make the index shorter), worked out from the
    index's layout without drawing it: one cover page, then the index's pages, each holding the table's
    header and as many of its rows as fit below the heading and note (on the first) or the page's top.
    A row of one line in every cell cannot be split, so it moves to the next page when it does not fit;
    any other row is counted as if it could fill what is left of a page to the last point."""
    styles, document, _ = _document(context, theme, "")
    heading, note, table = _index(entries, shared, context, styles, document.width)
    width = document.width - 2 * FRAME_PADDING
    page = document.height - 2 * FRAME_PADDING + _TOLERANCE
    first = page
    for flowable in (heading, note):
        first -= flowable.wrap(width, page)[1] + flowable.getSpaceAfter()
    table.wrap(width, page)
    header, *rows = table._rowHeights
    one_line = 2 * styles.cell.leading  # a row this high or higher may hold two lines in a cell
    pages, room = 2, first - header
    for height in rows:
        if height <= room:
            room -= height
        elif height < one_line:
            pages, room = pages + 1, page - header - height
        else:
            height -= max(room, 0)
            while height > page - header:
                pages, height = pages + 1, height - (page - header)
            pages, room = pages + 1, page - header - height
    return pages


def render_shared(pathway: Pathway, context: RunContext, theme: Theme) -> bytes:
    """What the plans of a pathway share, printed once: about the transition, what you already bring,
    how to learn each skill, the reality check and the FAQ."""
    labels = context.labels
    heading = labels("pdf.shared-part", title=pathway.title)
    styles, document, buffer = _document(context, theme, heading)
    story: list = [para(heading, styles.h1), para(labels("pdf.shared-note"), styles.small)]
    story += overview(pathway, labels, styles)
    story += skills_how(pathway, labels, styles, document.width)
    story += reality_check(pathway, labels, styles)
    story += faq(pathway, labels, styles)
    document.build(story, canvasmaker=_canvas(context, styles))
    return buffer.getvalue()


def _document(context: RunContext, theme: Theme, title: str):
    styles = document_styles(theme, context.fonts)
    buffer = io.BytesIO()
    document = BaseDocTemplate(
        buffer,
        pagesize=PAPER[theme.paper],
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=_line(title),
        author=_line(theme.organisation or context.labels("document.program")),
        creator=f"{context.labels('document.program')} {__version__}",
        lang=context.labels.language,
        initialFontName=styles.regular,
        invariant=1,
    )
    frame = CopiedFrame(
        document.leftMargin,
        document.bottomMargin,
        document.width,
        document.height,
        leftPadding=FRAME_PADDING,
        bottomPadding=FRAME_PADDING,
        rightPadding=FRAME_PADDING,
        topPadding=FRAME_PADDING,
        id="body",
    )
    document.addPageTemplates([PageTemplate("body", [frame])])
    return styles, document, buffer


def _canvas(context: RunContext, styles: _Styles):
    """A canvas stamped with the run's build time, so the file depends on the context only."""

    class StampedCanvas(pdfcanvas.Canvas):
        def __init__(self, *args, **kwargs):
            kwargs.setdefault("initialFontName", styles.regular)
            super().__init__(*args, **kwargs)
            _pin_time(self._doc, context.build_time)

    return StampedCanvas
