"""The PDF writer's faster stand-ins for ReportLab steps give exactly ReportLab's results: the subset
codes of a TrueType font (ShapingFont.splitString), its embedded subsets (SubsetFace), the copy of
a frame (CopiedFrame), the fragments of plain paragraph markup (parse_markup) and numbers' texts
(pdf_draw.number)."""

import copy
from importlib import resources

from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.lib import colors
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Frame
from reportlab.platypus.flowables import Flowable
from reportlab.platypus.paraparser import ParaParser

from exporter.environment import installed_fonts
from exporter.theme import Theme
from exporter.writers import pdf_draw
from exporter.writers.pdf import CopiedFrame, _shaped, document_styles, para, parse_markup
from exporter.writers.pdf_fonts import (
    KEPT_TO_UNICODE_FLATE,
    SUBSETS,
    KeptFlate,
    KeptWidths,
    ShapingFont,
    SubsetFace,
)

DEJAVU = str(resources.files("exporter.fonts") / "DejaVuSans.ttf")
FAST = ShapingFont("SpeedTestSans", DEJAVU)
LIBRARY = TTFont("SpeedTestSansLibrary", DEJAVU)

characters = st.one_of(
    st.sampled_from("abc XYZ 019 ()\\\u00a0é—“”"),
    st.characters(min_codepoint=0x20, max_codepoint=0x5FF),  # more than 256 codes: later subsets
    st.characters(min_codepoint=0x4E00, max_codepoint=0x4E20),  # not in DejaVu: code 0
    st.characters(min_codepoint=0x100000, max_codepoint=0x100010),  # private use: never a code
)


class _Document:
    """Stands in for a PDF document: fonts keep their state per document, in a weak dictionary."""


texts = st.lists(st.text(characters, max_size=40), max_size=40)
MANY = "".join(chr(code) for code in range(0x100, 0x600) if code in LIBRARY.face.charToGlyph)[:600]
"""Characters enough for three subsets."""


def _state(font: TTFont, doc) -> tuple:
    state = font.state[doc]
    return dict(state.assignments), [list(subset) for subset in state.subsets], state.nextCode


@settings(max_examples=300, deadline=None)
@given(texts, st.integers(min_value=0, max_value=3))
def test_subset_codes_are_reportlabs(calls, repeats):
    """Texts given one after another (new characters, known ones, repeated) get ReportLab's subsets and
    bytes, and leave the font's state for the document as ReportLab leaves it."""
    fast_doc, library_doc = _Document(), _Document()
    try:
        for text in calls + calls[:repeats]:
            assert FAST.splitString(text, fast_doc) == TTFont.splitString(LIBRARY, text, library_doc)
            assert _state(FAST, fast_doc) == _state(LIBRARY, library_doc)
    finally:
        FAST.state.pop(fast_doc, None)
        LIBRARY.state.pop(library_doc, None)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(st.characters(min_codepoint=0xA0, max_codepoint=0x3FF), max_size=30), max_size=20))
def test_subset_codes_past_the_first_subset(calls):
    """Once 300 characters have codes (two subsets), texts mixing both subsets still get ReportLab's."""
    fast_doc, library_doc = _Document(), _Document()
    many = "".join(chr(code) for code in range(0x100, 0x400) if ord(chr(code)) in LIBRARY.face.charToGlyph)
    try:
        for text in [many[:300], *calls, many[250:], "a\u00a0" + many[::7]]:
            assert FAST.splitString(text, fast_doc) == TTFont.splitString(LIBRARY, text, library_doc)
            assert _state(FAST, fast_doc) == _state(LIBRARY, library_doc)
    finally:
        FAST.state.pop(fast_doc, None)
        LIBRARY.state.pop(library_doc, None)


def test_subset_codes_of_two_documents_at_once():
    """Each document keeps its own codes, whichever was the last to ask."""
    first, second, reference = _Document(), _Document(), _Document()
    try:
        FAST.splitString("ωa", first)
        FAST.splitString("éω", second)
        TTFont.splitString(LIBRARY, "éω", reference)
        assert FAST.splitString("ωé", first) == [(0, bytes([1, 2]))]
        assert FAST.splitString("ωé\u00a0", second) == TTFont.splitString(LIBRARY, "ωé\u00a0", reference)
    finally:
        for doc in (first, second):
            FAST.state.pop(doc, None)
        LIBRARY.state.pop(reference, None)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.sampled_from(sorted(LIBRARY.face.charToGlyph)[:600]), max_size=60), max_size=SUBSETS + 3))
def test_embedded_subsets_are_reportlabs(subsets):
    """The kept subsets are the font files ReportLab makes for the same characters, asked again or not."""
    assert isinstance(FAST.face, SubsetFace)
    for subset in subsets + subsets[:2]:
        codes = [0, *subset]
        assert FAST.face.makeSubset(codes) == LIBRARY.face.makeSubset(codes)
    assert len(FAST.face._subsets) <= SUBSETS


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.binary(max_size=300), st.text(max_size=100)), max_size=SUBSETS + 4))
def test_kept_flate_is_reportlabs(contents):
    """The kept filter compresses as ReportLab's Flate filter does, asked again or not, and names itself so."""
    kept = KeptFlate()
    assert kept.pdfname == pdfdoc.PDFZCompress.pdfname
    for content in contents + contents[:3]:
        assert kept.encode(content) == pdfdoc.PDFZCompress.encode(content)
    assert len(kept._compressed) <= SUBSETS


numbers = st.one_of(st.integers(-(10**6), 10**6), st.floats(-1e6, 1e6), st.sampled_from([0, 0.0, -0.0, 1e-7, 556]))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(numbers, max_size=300), max_size=SUBSETS + 3), st.booleans())
def test_kept_widths_are_written_as_reportlab_writes_them(arrays, compact):
    """Arrays of numbers (asked again or not, one line or many) are the bytes of ReportLab's PDFArray."""
    document = pdfdoc.PDFDocument()
    for sequence in arrays + arrays[:3]:
        ours, theirs = KeptWidths(sequence), pdfdoc.PDFArray(sequence)
        ours.multiline = theirs.multiline = False if compact else "forced"
        assert ours.format(document) == theirs.format(document)
    names = [pdfdoc.PDFName("A"), 1, "x"]
    assert KeptWidths(names).format(document) == pdfdoc.PDFArray(names).format(document)


def test_embedded_fonts_write_their_widths_as_reportlab():
    """The writer's fonts put their subsets' widths in the document as arrays written as ReportLab's."""
    pdfmetrics.registerFont(FAST)
    canvas = Canvas(None, invariant=1)
    canvas.setFont("SpeedTestSans", 10)
    canvas.drawString(10, 10, "Widths é ω " + "".join(chr(code) for code in range(0x400, 0x520)))
    canvas.showPage()
    canvas.getpdfdata()
    fonts = [font for font in canvas._doc.idToObject["BasicFonts"].dict.values() if hasattr(font, "Widths")]
    assert len(fonts) == 2 and all(type(font.Widths) is KeptWidths for font in fonts)
    for font in fonts:
        assert font.Widths.format(canvas._doc) == pdfdoc.PDFArray(font.Widths.sequence).format(canvas._doc)


def test_embedded_to_unicode_maps_are_reportlabs():
    """The writer's fonts compress their ToUnicode maps with the kept filter (documents drawn twice, so the
    second takes the kept bytes): each map's stream is the bytes ReportLab's Flate filter gives it."""
    pdfmetrics.registerFont(FAST)
    assert isinstance(pdfmetrics.getFont(FAST.fontName), ShapingFont)
    text = "Maps é ω " + "".join(chr(code) for code in range(0x400, 0x520))
    for _ in range(2):
        canvas = _drawn(FAST.fontName, text)
        canvas.getpdfdata()
        maps = [canvas._doc.idToObject[font.ToUnicode.name] for font in _subset_fonts(canvas)]
        assert len(maps) == 2 and all(cmap.filters == [KEPT_TO_UNICODE_FLATE] for cmap in maps)
        for cmap in maps:
            kept = cmap.format(canvas._doc)
            cmap.filters = [pdfdoc.PDFZCompress]
            assert kept == cmap.format(canvas._doc)


def _drawn(font: str, text: str) -> Canvas:
    canvas = Canvas(None, invariant=1, pageCompression=1)
    canvas.setFont(font, 10)
    canvas.drawString(10, 10, text)
    canvas.showPage()
    return canvas


def _subset_fonts(canvas: Canvas) -> list:
    return [font for font in canvas._doc.idToObject["BasicFonts"].dict.values() if hasattr(font, "ToUnicode")]


def test_frame_copy_is_deepcopys():
    """The copy has the same attributes as deepcopy's, with lists and colours copied, not shared."""
    frame = CopiedFrame(10, 20, 300, 400, id="body", showBoundary=colors.red)
    plain = Frame(10, 20, 300, 400, id="body", showBoundary=colors.red)
    for each in (frame, plain):
        each._frameBGs = [(0, 0, 0, colors.blue)]
        each._generated_content = [object]
    ours, theirs = copy.deepcopy(frame), copy.deepcopy(plain)
    assert type(ours) is CopiedFrame
    assert sorted(vars(ours)) == sorted(vars(theirs))
    for name, value in vars(ours).items():
        assert repr(value) == repr(getattr(theirs, name)), name
        shared = value is getattr(frame, name)
        assert shared == (getattr(theirs, name) is getattr(plain, name)), name
    memo = {}
    assert copy.deepcopy([frame, frame], memo)[1] is memo[id(frame)]


STYLES = document_styles(Theme(), installed_fonts())
PARAGRAPH_STYLES = [
    STYLES.body,
    STYLES.head_cell,
    STYLES.h1,
    STYLES.title,
    _shaped(STYLES.cell),
    ParagraphStyle("upper", parent=STYLES.small, textTransform="uppercase", fontName="Helvetica-Bold"),
]


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(st.text(characters, max_size=40), st.text(st.sampled_from("ab <&>;#x41 amp lt/\n\t\u00a0"), max_size=20)),
    st.sampled_from(PARAGRAPH_STYLES),
)
def test_markup_is_parsed_as_reportlab_parses_it(markup, style):
    """Plain text (taken without parsing) and markup with tags and entities (parsed) give the fragments,
    attribute for attribute, that ReportLab's parser gives, or fail to parse as it does."""
    assert _fragments(parse_markup, markup, style) == _fragments(_reportlabs_parse, markup, style)


def _reportlabs_parse(markup: str, style: ParagraphStyle) -> list | None:
    return ParaParser(caseSensitive=1).parse(markup, style)[1]


def _fragments(parse, markup: str, style: ParagraphStyle) -> list | str | None:
    """Each fragment's type and attributes, None if the parser says the markup is wrong, or what it raises."""
    try:
        fragments = parse(markup, style)
    except ValueError as error:
        return str(error)
    return None if fragments is None else [(type(fragment), vars(fragment)) for fragment in fragments]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 2), st.one_of(texts, st.just([MANY])), st.integers(-1, 3), st.booleans()), max_size=12
    )
)
def test_subset_names_are_reportlabs(steps):
    """Three documents asked in turn (texts, then subset names, valid or not), their font state sometimes
    dropped and made again, some past the first subsets: the same names, errors and codes as ReportLab's."""
    ours = [pdfdoc.PDFDocument() for _ in range(3)]
    theirs = [pdfdoc.PDFDocument() for _ in range(3)]
    try:
        for which, calls, subset, drop in steps:
            mine, reference = ours[which], theirs[which]
            for text in calls[:3]:
                assert FAST.splitString(text, mine) == TTFont.splitString(LIBRARY, text, reference)
            assert _name(FAST, subset, mine) == _name(LIBRARY, subset, reference)
            if drop:
                FAST.state.pop(mine, None)
                LIBRARY.state.pop(reference, None)
    finally:
        for doc in ours:
            FAST.state.pop(doc, None)
        for doc in theirs:
            LIBRARY.state.pop(doc, None)


def _name(font: TTFont, subset: int, doc) -> str:
    try:
        return font.getSubsetInternalName(subset, doc)
    except IndexError as error:
        return str(error).replace(font.fontName, "")


numbers = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.sampled_from([0, 0.0, -0.0, 1e-7, -1e-7, 1.5e-7, 0.5, 1, 1.0, True, 595.2755905511812, 12345678.9]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(numbers, min_size=1, max_size=8), st.integers(min_value=1, max_value=5))
def test_kept_number_texts_are_fp_strs(values, size):
    """A number's kept text (pdf_draw.number, fp) is ReportLab's fp_str of it, asked again and again, an
    integer and a float of the same value apart, the store filling up and emptied."""
    saved = pdf_draw.NUMBERS
    pdf_draw.NUMBERS = size
    try:
        for _ in range(2):
            for value in values:
                assert pdf_draw.number(value) == fp_str(value)
            assert pdf_draw.fp(*values) == fp_str(*values)
            for value in values:
                assert pdf_draw.number(float(value)) == fp_str(float(value))
                assert pdf_draw.number(int(value)) == fp_str(int(value))
    finally:
        pdf_draw.NUMBERS = saved


class _Bare:
    """A style with no spaces and no keeping with the next flowable."""


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(["body", "h1", "h2", "cell", "title"]),
    st.dictionaries(st.sampled_from(["spaceBefore", "spaceAfter", "keepWithNext"]), st.sampled_from([0, 3.5, 1])),
    st.booleans(),
)
def test_paragraph_spaces_are_flowables(name, own, bare):
    """A paragraph's spaces and keeping with the next are Flowable's: its own attributes, else its style's,
    else 0."""
    paragraph = para("Ada Lovelace", getattr(STYLES, name))
    if bare:
        paragraph.style = _Bare()
    paragraph.__dict__.update(own)
    for method in ("getSpaceBefore", "getSpaceAfter", "getKeepWithNext"):
        assert getattr(paragraph, method)() == getattr(Flowable, method)(paragraph), method
