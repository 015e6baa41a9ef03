"""Joining PDFs: one rule (`page_ranges`) says where each part lands, for the joined file and for the
index of all-plans.pdf; the index's numbers settle, or the batch fails loudly."""

import io
import re
from pathlib import Path

import pytest
from conftest import CONTEXT, make_plan, render_format
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from realclients import pdf_tool
from reportlab.pdfgen.canvas import Canvas

from exporter import batch, pdfjoin
from exporter.pdfjoin import Part, join_pdfs, page_count, page_ranges
from exporter.theme import Theme
from exporter.writers import pdf_booklet


def _pdf(pages: int) -> bytes:
    canvas = Canvas(io.BytesIO(), invariant=1)
    for number in range(pages):
        canvas.drawString(72, 72, f"page {number + 1}")
        canvas.showPage()
    return canvas.getpdfdata()


def test_page_ranges_pad_each_odd_part_with_a_blank_page():
    assert page_ranges([2, 3, 1, 4]) == [range(1, 3), range(3, 6), range(7, 8), range(9, 13)]
    assert page_ranges([2, 3, 1, 4], pad_to_even=False) == [range(1, 3), range(3, 6), range(6, 7), range(7, 11)]
    assert page_ranges([]) == []


@settings(deadline=None, max_examples=25)
@given(st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=5), st.booleans())
def test_joined_parts_land_where_page_ranges_says(tmp_path_factory, counts, pad):
    folder = tmp_path_factory.mktemp("parts")
    parts = []
    for index, count in enumerate(counts):
        path = folder / f"{index}.pdf"
        path.write_bytes(_pdf(count))
        parts.append(Part(path, f"part {index}"))
    joined = io.BytesIO()
    ranges = join_pdfs(parts, joined, "Joined", pad_to_even=pad)
    assert ranges == page_ranges(counts, pad)
    reader = PdfReader(joined)
    total = ranges[-1].stop - 1 + (counts[-1] % 2 if pad else 0)
    assert len(reader.pages) == total
    for index, pages in enumerate(ranges):
        assert reader.pages[pages.start - 1].extract_text().strip() == "page 1", (index, pages)
        assert not pad or pages.start % 2 == 1


def _cover_of(monkeypatch, tmp_path, pages_for) -> tuple[bytes, list]:
    """batch._cover with a stand-in cover of `pages_for(first page of the first plan)` pages."""
    seen = []

    def render_cover(title, entries, shared, context, theme):
        seen.append(entries[0].first)
        return _pdf(pages_for(entries[0].first))

    monkeypatch.setattr(pdf_booklet, "render_cover", render_cover)
    plans, counts = [], (3, 4)
    for index, count in enumerate(counts):
        path = tmp_path / f"plan-{index}.pdf"
        path.write_bytes(_pdf(count))
        plans.append(Part(path, f"Person {index}"))
    return batch._cover("Workshop", [], plans, list(counts), CONTEXT, Theme()), seen


def test_the_index_numbers_settle_on_the_cover_s_own_length(monkeypatch, tmp_path):
    cover, seen = _cover_of(monkeypatch, tmp_path, lambda first: 3)
    assert len(PdfReader(io.BytesIO(cover)).pages) == 3
    assert seen == [3, 5]  # guessed two pages, then three (padded to four): the first plan starts on page 5


def test_a_guess_too_high_is_dropped_and_the_cover_settled_from_two_pages(monkeypatch, tmp_path):
    monkeypatch.setattr(pdf_booklet, "cover_pages_at_least", lambda *args: 9)
    cover, seen = _cover_of(monkeypatch, tmp_path, lambda first: 3)
    assert len(PdfReader(io.BytesIO(cover)).pages) == 3
    assert seen == [11, 3, 5]  # nine pages (padded to ten) came out as three: from two pages, as without a guess


def test_an_index_that_never_settles_is_a_fault_not_wrong_numbers(monkeypatch, tmp_path):
    with pytest.raises(RuntimeError, match="does not settle"):
        _cover_of(monkeypatch, tmp_path, lambda first: 6 if first < 6 else 2)


def _entries(names: list[str], counts: list[int], cover_pages: int) -> tuple[pdf_booklet.IndexEntry, ...]:
    ranges = page_ranges([cover_pages, *counts])[1:]
    return tuple(
        pdf_booklet.IndexEntry(name, pages.start, pages.stop - 1) for name, pages in zip(names, ranges, strict=True)
    )


def _settled_from_two_pages(names: list[str], counts: list[int]) -> bytes:
    """The cover as guessing its length from two pages settles on it (what the batch did before it guessed
    from the layout)."""
    cover_pages = 2
    while True:
        ranges = page_ranges([cover_pages, *counts])[1:]
        cover = pdf_booklet.render_cover("Workshop", _entries(names, counts, cover_pages), (), CONTEXT, Theme())
        rendered = page_count(cover)
        if page_ranges([rendered, *counts])[1:] == ranges:
            return cover
        cover_pages = rendered


_NAMES = st.lists(
    st.one_of(
        st.text(st.sampled_from("ab Ωé-"), min_size=1, max_size=8),
        st.text(st.sampled_from("abcdefgh ijkl mnop"), min_size=60, max_size=200),  # two lines or more
    ),
    min_size=1,
    max_size=90,
)


@settings(deadline=None, max_examples=12)
@given(_NAMES, st.data())
def test_the_cover_s_least_length_is_never_more_than_it_takes(tmp_path_factory, names, data):
    """The index's length worked out from its layout is never more than the cover takes, at the numbers of
    the shortest cover or at larger ones, and the cover rendered from that guess is the one that guessing
    from two pages settles on (rows of one line and of several, tables across page breaks)."""
    counts = data.draw(st.lists(st.integers(1, 12), min_size=len(names), max_size=len(names)))
    shared = data.draw(
        st.lists(st.sampled_from(["Shared part", "A shared part of a much longer title " * 3]), max_size=2)
    )
    shared_entries = tuple(pdf_booklet.IndexEntry(title, 3, 9) for title in shared)
    least = pdf_booklet.cover_pages_at_least(_entries(names, counts, 2), shared_entries, CONTEXT, Theme())
    for cover_pages in (2, 40):
        entries = _entries(names, counts, cover_pages)
        rendered = page_count(pdf_booklet.render_cover("Workshop", entries, shared_entries, CONTEXT, Theme()))
        assert least <= rendered
    folder = tmp_path_factory.mktemp("plans")
    plans = [Part(folder / f"{index}.pdf", name) for index, name in enumerate(names)]
    assert batch._cover("Workshop", [], plans, counts, CONTEXT, Theme()) == _settled_from_two_pages(names, counts)


def test_rows_of_several_lines_may_split_across_pages():
    """ReportLab splits a row of several lines at a page's end: the least length counts it as filling the
    page, never as moving whole to the next one."""
    names, counts = [("word " * 180).strip()] * 50, [3] * 50
    least = pdf_booklet.cover_pages_at_least(_entries(names, counts, 2), (), CONTEXT, Theme())
    cover = pdf_booklet.render_cover("Workshop", _entries(names, counts, 2), (), CONTEXT, Theme())
    assert least <= page_count(cover)


def test_a_long_index_is_rendered_once(monkeypatch):
    """Rows of one line: the least length is the length, so the cover is rendered once."""
    rendered = []
    render_cover = pdf_booklet.render_cover
    monkeypatch.setattr(pdf_booklet, "render_cover", lambda *args: rendered.append(1) or render_cover(*args))
    names, counts = [f"Person {index}" for index in range(150)], [7] * 150
    plans = [Part(Path(f"{index}.pdf"), name) for index, name in enumerate(names)]
    batch._cover("Workshop", [], plans, counts, CONTEXT, Theme())
    assert len(rendered) == 1


_AWKWARD = st.lists(
    st.sampled_from([*"ab ()\\%<>[]/", "1 0 R", "endobj", "stream\n", "é", "Ω", "😀"]), max_size=12
).map("".join)


def _awkward_pdf(text: str, pages: int, compress: bool) -> bytes:
    """A ReportLab PDF whose strings, links and (uncompressed) content streams hold what a reader of
    references could take for syntax: parentheses, `N 0 R`, `endobj`, `stream`."""
    canvas = Canvas(io.BytesIO(), invariant=1, pageCompression=int(compress))
    canvas.setTitle(f"{text} 1 0 R")
    canvas.setAuthor(f"({text} [2 0 R] endobj")
    for number in range(pages):
        canvas.drawString(72, 720, f"page {number + 1} {text}")
        canvas.linkURL(f"https://example.org/{text}", (72, 700, 200, 712))
        canvas.bookmarkPage(f"p{number}")
        canvas.addOutlineEntry(text or "x", f"p{number}")
        canvas.showPage()
    return canvas.getpdfdata()


def _plain(value, depth: int = 0):
    """A PDF value as plain Python, references followed (a page's /Parent left out), streams as their
    dictionary and raw bytes: what two joins must agree on."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

    assert depth < 40
    if isinstance(value, IndirectObject):
        value = value.get_object()
    if isinstance(value, StreamObject):
        items = {key: _plain(item, depth + 1) for key, item in value.items() if key != "/Length"}
        return ("stream", items, value._data)
    if isinstance(value, DictionaryObject):
        return {key: _plain(item, depth + 1) for key, item in value.items() if key != "/Parent"}
    if isinstance(value, ArrayObject):
        return [_plain(item, depth + 1) for item in value]
    return value


def _summary(data: bytes) -> dict:
    """What a reader sees of a joined file: each page, the bookmarks and where they lead, page labels, title."""
    reader = PdfReader(io.BytesIO(data))
    return {
        "pages": [_plain(page) for page in reader.pages],
        "contents": [page.get_contents().get_data() if page.get_contents() else b"" for page in reader.pages],
        "outline": [(item.title, reader.get_destination_page_number(item)) for item in reader.outline],
        "labels": list(reader.page_labels),
        "title": reader.metadata.title,
    }


def _joined(parts: list[Part], title: str, pad: bool) -> bytes:
    joined = io.BytesIO()
    join_pdfs(parts, joined, title, pad_to_even=pad)
    return joined.getvalue()


def _by_hand(parts: list[Part], title: str, pad: bool) -> bytes:
    """The join with every part read by `_RawPdf`: none left to pypdf."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdfjoin, "_copy_with_pypdf", _refuse)
        return _joined(parts, title, pad)


def _with_pypdf(parts: list[Part], title: str, pad: bool) -> bytes:
    """The join as it was before `_RawPdf`: every part read by pypdf."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdfjoin, "_RawPdf", _refuse)
        return _joined(parts, title, pad)


def _refuse(*_):
    raise pdfjoin.Unreadable("refused here")


def _checked(data: bytes, folder) -> str:
    """qpdf finds nothing wrong; pdftotext's text of the file."""
    path = folder / "joined.pdf"
    path.write_bytes(data)
    assert "No syntax or stream encoding errors found" in pdf_tool("qpdf", "--check", str(path))
    return pdf_tool("pdftotext", str(path), "-")


@settings(deadline=None, max_examples=30)
@given(
    st.lists(st.tuples(_AWKWARD, st.integers(min_value=1, max_value=3), st.booleans()), min_size=1, max_size=4),
    _AWKWARD,
    st.booleans(),
)
def test_reading_reportlab_s_form_joins_what_pypdf_joins(tmp_path_factory, documents, title, pad):
    """The hand-written reader copies the same pages, content streams, resources, links, bookmarks and
    labels as the pypdf-based join, and the file is clean for qpdf and reads the same in pdftotext."""
    folder = tmp_path_factory.mktemp("parts")
    parts = []
    for index, (text, pages, compress) in enumerate(documents):
        path = folder / f"{index}.pdf"
        path.write_bytes(_awkward_pdf(text, pages, compress))
        parts.append(Part(path, text if index % 2 else ""))
    ours, theirs = _by_hand(parts, title, pad), _with_pypdf(parts, title, pad)
    assert _summary(ours) == _summary(theirs)
    assert _checked(ours, folder) == _checked(theirs, folder)
    for part in parts:
        assert page_count(part.path) == len(PdfReader(part.path).pages)


def test_real_plans_join_as_pypdf_joins_them(tmp_path):
    """Plans in several scripts, and a cover, joined by hand and by pypdf: the same document for a reader."""
    parts = []
    for index, name in enumerate(["Ana", "Zoë (Ω)", "محمد", "李小龍"]):
        pdf = render_format("pdf", make_plan(name=name, availability="mon 19:00-21:00"))["plan.pdf"]
        path = tmp_path / f"{index}.pdf"
        path.write_bytes(pdf)
        parts.append(Part(path, name))
    ours, theirs = _by_hand(parts, "Spring (2027)", True), _with_pypdf(parts, "Spring (2027)", True)
    assert _summary(ours) == _summary(theirs)
    assert _checked(ours, tmp_path) == _checked(theirs, tmp_path)


def test_a_part_in_another_form_is_read_with_pypdf(tmp_path):
    """A PDF with object streams and a cross-reference stream (here from qpdf) is refused by the hand-written
    reader and joined through pypdf."""
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(_awkward_pdf("x", 3, True))
    packed = tmp_path / "packed.pdf"
    pdf_tool("qpdf", "--object-streams=generate", str(plain), str(packed))
    with pytest.raises(pdfjoin.Unreadable):
        pdfjoin._RawPdf(packed.read_bytes())
    parts = [Part(plain, "plain"), Part(packed, "packed")]
    summary = _summary(_joined(parts, "t", True))
    assert len(summary["pages"]) == 8 and summary["contents"][:3] == summary["contents"][4:7]
    assert summary["outline"] == [("plain", 0), ("packed", 4)]
    assert page_count(packed) == 3


@settings(deadline=None, max_examples=100)
@given(st.text())
def test_text_strings_read_back_as_written(text):
    """Titles and bookmarks are written as PDF text strings that pypdf reads back unchanged."""
    reader = PdfReader(io.BytesIO(_joined([], text, True)))
    assert reader.metadata["/Title"] == text


def test_references_spelled_with_other_white_space_are_followed(tmp_path):
    """`N 0 R` with a line break or a tab before the R (as other writers spell it) is a reference to renumber
    and follow: the part joins by hand as pypdf joins it."""
    data = _awkward_pdf("x", 2, True)
    respelled = data.replace(b" 0 R /Resources", b" 0\nR /Resources").replace(b" 0 R /MediaBox", b" 0\tR /MediaBox")
    assert respelled.count(b"\nR /Resources") == 2 and respelled.count(b"\tR /MediaBox") == 2
    path = tmp_path / "respelled.pdf"
    path.write_bytes(respelled)
    parts = [Part(path, "respelled")]
    assert _summary(_by_hand(parts, "t", True)) == _summary(_with_pypdf(parts, "t", True))


_MARK_BY_LOOK_BEHIND = re.compile(rb"(?<=[ \t\r\n\f\x00])R(?=[\s()<>\[\]{}/%]|\Z)")
"""An `R` after white space and before a delimiter, as the look-behind is naturally written."""


_MARK_PIECES = [
    b"R",
    b"1 0 R",
    b" ",
    b"\t",
    b"\r",
    b"\n",
    b"\f",
    b"\v",
    b"\x00",
    *(bytes([byte]) for byte in b"()<>[]{}/%0a"),
]


@settings(deadline=None, max_examples=300)
@given(st.lists(st.sampled_from(_MARK_PIECES), max_size=40).map(b"".join), st.data())
def test_the_reference_mark_is_found_where_the_look_behind_finds_it(data, draw):
    """`_MARK`, written to start with its letter, finds the `R`s the look-behind pattern finds, within any span."""
    start = draw.draw(st.integers(0, len(data)))
    end = draw.draw(st.integers(start, len(data)))
    found = [mark.span() for mark in pdfjoin._MARK.finditer(data, start, end)]
    assert found == [mark.span() for mark in _MARK_BY_LOOK_BEHIND.finditer(data, start, end)]


def _references_by_search(data: bytes, start: int, end: int) -> tuple | str:
    """The references as the reader first read them: each `R` with the numbers `_NUMBERS` finds before it,
    within 24 bytes; "unreadable" where it refused the object."""
    found = []
    for mark in _MARK_BY_LOOK_BEHIND.finditer(data, start, end):
        numbers = pdfjoin._NUMBERS.search(data, max(start, mark.start() - 24), mark.start())
        if numbers is None or numbers.group(2) != b"0":
            return "unreadable"
        found.append((numbers.start() + 1, mark.end(), int(numbers.group(1))))
    return tuple(found)


_REFERENCE_PIECES = st.one_of(
    st.sampled_from(
        [
            b" 12 0 R",
            b" 3 0 R",
            b"[5 0 R",
            b"\n7 0 R",
            b" 0 R",
            b"  4 0 R",
            b" 12345678901234567890 0 R",
            b" 1234567890123456789012 0 R",
        ]
    ),
    st.sampled_from([b" ", b"/a ", b"[ ", b"] ", b"<< ", b">>", b"\t", b"0", b"R", b" 1 R", b"1 0 R"]),
)


@settings(deadline=None, max_examples=150)
@given(st.lists(_REFERENCE_PIECES, max_size=12).map(b"".join), st.data())
def test_references_are_read_as_the_numbers_before_each_r_say(data, draw):
    """References read with the shortcut for ReportLab's `N 0 R` are those the numbers' pattern finds before
    each `R`, and the same objects are refused."""
    start = draw.draw(st.one_of(st.just(0), st.integers(0, len(data))))
    end = draw.draw(st.one_of(st.just(len(data)), st.integers(start, len(data))))
    try:
        found = pdfjoin._references(data, start, end, [])
    except pdfjoin.Unreadable:
        found = "unreadable"
    assert found == _references_by_search(data, start, end)


def test_a_malformed_media_box_is_refused_not_a_crash():
    """A media box whose numbers do not parse makes the hand-written reader refuse the part (pypdf reads it)."""
    data = _awkward_pdf("x", 1, True).replace(b"595.2756", b"595.2.56")
    pdf = pdfjoin._RawPdf(data)
    with pytest.raises(pdfjoin.Unreadable):
        pdf.last_size()


@settings(deadline=None, max_examples=20)
@given(
    st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=4),
    st.lists(st.integers(min_value=1, max_value=4), max_size=3),
    st.booleans(),
)
def test_front_parts_given_last_read_as_if_joined_first(tmp_path_factory, counts, front_counts, pad):
    """A batch joins plans as rows finish and puts the cover in front at the end: readers see the same
    pages, bookmarks and title as a join of the front parts first; qpdf finds the file sound."""
    folder = tmp_path_factory.mktemp("front")
    parts, front = [], []
    for kind, numbers, into in (("plan", counts, parts), ("front", front_counts, front)):
        for index, count in enumerate(numbers):
            path = folder / f"{kind}-{index}.pdf"
            path.write_bytes(_pdf(count))
            into.append(Part(path, f"{kind} {index}"))
    target = folder / "joined.pdf"
    with target.open("wb") as handle:
        joiner = pdfjoin.Joiner(handle, pad_to_even=pad)
        assert [joiner.add(part) for part in parts] == counts
        ranges = joiner.finish("Joined", front)
    assert ranges == page_ranges([*front_counts, *counts], pad)
    assert _summary(target.read_bytes()) == _summary(_joined([*front, *parts], "Joined", pad))
    assert "No syntax or stream encoding errors found" in pdf_tool("qpdf", "--check", str(target))
