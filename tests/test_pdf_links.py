"""The PDF writer's link annotations (writers/pdf_draw.py, LinkingCanvas, LinkAnnotation) are the bytes
ReportLab's Canvas.linkURL writes, over generated urls, rectangles, borders and canvas transforms."""

import io

from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.lib.colors import red
from reportlab.pdfbase.pdfdoc import PDFDictionary
from reportlab.pdfgen.canvas import Canvas

from exporter.writers.pdf_draw import LinkAnnotation, LinkingCanvas

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
