"""The PDF writer's link annotations (writers/pdf_draw.py, LinkingCanvas, LinkAnnotation) are the bytes
ReportLab's Canvas.linkURL writes, over generated urls, rectangles, borders and canvas transforms; its
pages (DirectPage) and their contents streams (ASCII_BASE85) are the bytes ReportLab's PDFPage writes."""

import io
import operator

from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab import rl_config
from reportlab.lib.colors import red
from reportlab.pdfbase.pdfdoc import PDFBase85Encode, PDFDictionary, pdfdocEnc
from reportlab.pdfgen.canvas import Canvas

from exporter.writers.pdf_draw import ASCII_BASE85, LinkAnnotation, LinkingCanvas

urls = st.one_of(
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60),
    st.text(st.sampled_from("ab:/?=&%#()\\ é\u00a0—\t\n張"), max_size=20),
    st.sampled_from(["https://example.org/a?b=c&d=e#f", "mailto:someone@example.org", ""]),
)
numbers = st.one_of(
    st.integers(min_value=-10_000, max_value=10_000),
    st.floats(min_value=-10_000, max_value=10_000, allow_nan=False),
    st.sampled_from([0.0, 1e-9, -0.5, 123.456789, 1e5]),
)
rects = st.tuples(numbers, numbers, numbers, numbers)
options = st.fixed_dictionaries(
    {},
    optional={
        "relative": st.sampled_from([0, 1]),
        "thickness": st.one_of(numbers, st.sampled_from([None, 0, True])),
        "kind": st.sampled_from(["URI", "GoToR"]),
        "color": st.just(red),
        "dashArray": st.just([2, 1]),
        "Contents": st.just("extra"),
    },
)
links = st.lists(st.tuples(urls, rects, options), max_size=6)
transforms = st.lists(st.tuples(numbers, numbers, st.floats(min_value=0.1, max_value=3)), max_size=2)


def _file(canvas_class: type, pages: list, transform: list) -> bytes:
    buffer = io.BytesIO()
    canvas = canvas_class(buffer, invariant=1, pageCompression=0)
    for page in pages:
        for dx, dy, scale in transform:
            canvas.translate(dx, dy)
            canvas.scale(scale, scale)
        for url, rect, kw in page:
            canvas.linkURL(url, rect, **kw)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


@settings(max_examples=150, deadline=None)
@given(st.lists(links, min_size=1, max_size=3), transforms)
def test_links_are_reportlabs(pages, transform):
    """Links drawn on pages, with and without a transform, make the file ReportLab's Canvas makes."""
    assert _file(LinkingCanvas, pages, transform) == _file(Canvas, pages, transform)


@settings(max_examples=150, deadline=None)
@given(urls, rects, st.one_of(numbers, st.just(True)), st.sampled_from([True, False, "forced"]))
def test_annotation_formats_as_its_dictionary(url, rect, thickness, multiline):
    """A link annotation's bytes are PDFDictionary's for its dictionary (written on one line or not); read,
    its dictionary is kept."""
    document = Canvas(None)._doc
    annotation = LinkAnnotation(url, rect, thickness)
    annotation.multiline = multiline
    direct = annotation.format(document)
    dictionary = PDFDictionary(annotation.dict)
    dictionary.multiline = multiline
    assert direct == dictionary.format(document)
    assert annotation.format(document) == direct


page_settings = st.fixed_dictionaries(
    {
        "size": st.tuples(st.sampled_from([612, 595.2755905511812, 100.5]), st.sampled_from([792, 841.89, 7])),
        "compression": st.sampled_from([0, 1]),
        "links": st.integers(min_value=0, max_value=25),
        "text": st.text(st.characters(min_codepoint=0x20, max_codepoint=0x17F), max_size=300),
    },
    optional={
        "rotation": st.sampled_from([0, 90, 180]),
        "transition": st.just({"S": "/Dissolve", "D": 2}),
        "crop": st.just((0, 0, 50, 60)),
        "duration": st.just(3),
        "alpha": st.just(0.5),
        "image": st.just(True),
    },
)


def _pages_file(canvas_class: type, pages: list[dict]) -> bytes:
    buffer = io.BytesIO()
    canvas = canvas_class(buffer, invariant=1, pageCompression=pages[0]["compression"])
    for page in pages:
        canvas.setPageSize(page["size"])
        canvas.setPageCompression(page["compression"])
        canvas.setPageRotation(page.get("rotation", 0))
        if "transition" in page:
            canvas._pageTransition = page["transition"]
        if "crop" in page:
            canvas.setCropBox(page["crop"])
        if "duration" in page:
            canvas.setPageDuration(page["duration"])
        if "alpha" in page:
            canvas.setFillAlpha(page["alpha"])
        if "image" in page:
            canvas._currentPageHasImages = 1
        canvas.drawString(10, 10, page["text"])
        for index in range(page["links"]):
            canvas.linkURL(f"https://example.org/{index}", (index, index, index + 5, index + 5))
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


@settings(max_examples=120, deadline=None)
@given(st.lists(page_settings, min_size=1, max_size=3), st.sampled_from([0, 0, 1]))
def test_pages_are_reportlabs(pages, multiline):
    """Pages of generated sizes, rotations, transitions, crop boxes, durations, transparency, images,
    compression, text and numbers of links (past ten and six entries) make the file ReportLab's pages
    make, written one entry after another or (`pdfMultiLine`) on lines of their own."""
    saved = rl_config.pdfMultiLine
    rl_config.pdfMultiLine = multiline
    try:
        assert _pages_file(LinkingCanvas, pages) == _pages_file(Canvas, pages)
    finally:
        rl_config.pdfMultiLine = saved


@settings(max_examples=150, deadline=None)
@given(
    st.builds(
        operator.mul,
        st.one_of(st.binary(max_size=40), st.text(st.characters(max_codepoint=0xFF), max_size=40)),
        st.integers(min_value=1, max_value=12),
    ),
    st.sampled_from([0, 1]),
)
def test_ascii_base85_is_reportlabs(content, wrapped):
    """The contents stream's ASCII85 bytes are what ReportLab's filter gives (in lines of 60 or not), as
    PDFDocEncoding writes it."""
    saved = rl_config.wrapA85
    rl_config.wrapA85 = wrapped
    try:
        assert ASCII_BASE85.encode(content) == pdfdocEnc(PDFBase85Encode.encode(content))
    finally:
        rl_config.wrapA85 = saved
