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
    story += [PageBreak(), para(labels("pdf.index"), styles.h1)]
    story.append(para(labels("pdf.index-note"), styles.small))
    rows = [_head([labels("pdf.index-part"), labels("pdf.index-pages")], styles)]
    for entry in (*shared, *entries):
        pages = labels("pdf.page-range", first=entry.first, last=entry.last)
        rows.append([para(entry.name, styles.cell), para(pages, styles.cell)])
    story.append(_table(rows, [document.width - 40 * mm, 40 * mm], styles))
    document.build(story, canvasmaker=_canvas(context, styles))
    return buffer.getvalue()


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
    frame = CopiedFrame(document.leftMargin, document.bottomMargin, document.width, document.height, id="body")
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
