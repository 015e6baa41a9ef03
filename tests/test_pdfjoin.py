"""Joining PDFs: one rule (`page_ranges`) says where each part lands, for the joined file and for the
index of all-plans.pdf; the index's numbers settle, or the batch fails loudly."""

import io

import pytest
from conftest import CONTEXT
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas

from exporter import batch
from exporter.pdfjoin import Part, join_pdfs, page_ranges
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
    plans = []
    for index, count in enumerate((3, 4)):
        path = tmp_path / f"plan-{index}.pdf"
        path.write_bytes(_pdf(count))
        plans.append(Part(path, f"Person {index}"))
    return batch._cover("Workshop", [], plans, CONTEXT, Theme()), seen


def test_the_index_numbers_settle_on_the_cover_s_own_length(monkeypatch, tmp_path):
    cover, seen = _cover_of(monkeypatch, tmp_path, lambda first: 3)
    assert len(PdfReader(io.BytesIO(cover)).pages) == 3
    assert seen == [3, 5]  # guessed two pages, then three (padded to four): the first plan starts on page 5


def test_an_index_that_never_settles_is_a_fault_not_wrong_numbers(monkeypatch, tmp_path):
    with pytest.raises(RuntimeError, match="does not settle"):
        _cover_of(monkeypatch, tmp_path, lambda first: 6 if first < 6 else 2)
