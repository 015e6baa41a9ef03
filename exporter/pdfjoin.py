"""Join PDFs into one, streaming: each file's pages are copied to the output and forgotten.

pypdf's own writer keeps every page of every file in memory until it saves, so a room of 500
plans would cost memory per participant. Here pypdf only reads; objects reachable from each page
are renumbered and written at once, and only their offsets are kept for the cross-reference table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
    StreamObject,
    TextStringObject,
)

PAGES_ID, CATALOG_ID, INFO_ID = 1, 2, 3


class _Output:
    def __init__(self, stream: BinaryIO):
        self.stream = stream
        self.offsets: dict[int, int] = {}
        self.next_id = INFO_ID + 1
        self.stream.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def write(self, object_id: int, content: PdfObject) -> None:
        self.offsets[object_id] = self.stream.tell()
        self.stream.write(f"{object_id} 0 obj\n".encode())
        content.write_to_stream(self.stream)
        self.stream.write(b"\nendobj\n")

    def finish(self) -> None:
        xref = self.stream.tell()
        count = max(self.offsets) + 1
        self.stream.write(f"xref\n0 {count}\n0000000000 65535 f \n".encode())
        for object_id in range(1, count):
            offset = self.offsets.get(object_id)
            line = f"{offset:010d} 00000 n \n" if offset is not None else "0000000000 65535 f \n"
            self.stream.write(line.encode())
        self.stream.write(
            f"trailer\n<< /Size {count} /Root {CATALOG_ID} 0 R /Info {INFO_ID} 0 R >>\n"
            f"startxref\n{xref}\n%%EOF\n".encode()
        )


def page_ranges(counts: Iterable[int], pad_to_even: bool = True) -> list[range]:
    """Each part's pages (numbered from 1) when parts of these page counts are joined in order, as
    `join_pdfs` joins them: with pad_to_even a part of an odd count is followed by a blank page, so
    every part starts on an odd page (duplex printing keeps them apart)."""
    ranges, used = [], 0
    for count in counts:
        ranges.append(range(used + 1, used + count + 1))
        used += count + _blank_after(count, pad_to_even)
    return ranges


def _blank_after(count: int, pad_to_even: bool) -> int:
    """Blank pages after a part of `count` pages: one when padding and the count is odd."""
    return count % 2 if pad_to_even else 0


@dataclass(frozen=True)
class Part:
    """A PDF to join and the title of its bookmark (outline entry); no bookmark when empty."""

    path: Path
    bookmark: str = ""


def join_pdfs(parts: Iterable[Part], stream: BinaryIO, title: str, pad_to_even: bool = True) -> list[range]:
    """Write every page of the parts, in order, with a bookmark for each part that names one;
    with pad_to_even each part starts on an odd page. Returns each part's pages (numbered from 1),
    as `page_ranges` of the parts' page counts gives them."""
    output = _Output(stream)
    kids: list[IndirectObject] = []
    counts: list[int] = []
    bookmarks: list[tuple[str, IndirectObject]] = []
    for part in parts:
        reader = PdfReader(part.path)
        first = len(kids)
        mapping: dict[int, int] = {}
        pending: list[tuple[int, IndirectObject]] = []
        for page in reader.pages:
            page_ref = page.indirect_reference
            kids.append(_reference(page_ref, mapping, pending, output))
        counts.append(len(kids) - first)
        if part.bookmark and len(kids) > first:
            bookmarks.append((part.bookmark, kids[first]))
        while pending:
            new_id, old_ref = pending.pop()
            original = old_ref.get_object()
            copied = _copy(original, mapping, pending, output, is_page=original.get("/Type") == "/Page")
            output.write(new_id, copied)
        if _blank_after(len(reader.pages), pad_to_even):
            blank_id = output.new_id()
            box = reader.pages[-1].mediabox
            output.write(blank_id, _blank_page(float(box.width), float(box.height)))
            kids.append(IndirectObject(blank_id, 0, None))
    pages = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Pages"),
            NameObject("/Kids"): ArrayObject(kids),
            NameObject("/Count"): NumberObject(len(kids)),
        }
    )
    output.write(PAGES_ID, pages)
    catalog = DictionaryObject(
        {NameObject("/Type"): NameObject("/Catalog"), NameObject("/Pages"): IndirectObject(PAGES_ID, 0, None)}
    )
    if bookmarks:
        catalog[NameObject("/Outlines")] = _write_outline(bookmarks, output)
        catalog[NameObject("/PageMode")] = NameObject("/UseOutlines")
    output.write(CATALOG_ID, catalog)
    output.write(
        INFO_ID,
        DictionaryObject(
            {
                NameObject("/Title"): TextStringObject(title),
                NameObject("/Producer"): TextStringObject("pathway-exporter"),
            }
        ),
    )
    output.finish()
    return page_ranges(counts, pad_to_even)


def _write_outline(bookmarks: list[tuple[str, IndirectObject]], output: _Output) -> IndirectObject:
    """The document outline: one entry a bookmark, each opening its first page; the outline's root."""
    root_id = output.new_id()
    ids = [output.new_id() for _ in bookmarks]
    for index, (title, page) in enumerate(bookmarks):
        entry = DictionaryObject(
            {
                NameObject("/Title"): TextStringObject(title),
                NameObject("/Parent"): IndirectObject(root_id, 0, None),
                NameObject("/Dest"): ArrayObject([page, NameObject("/Fit")]),
            }
        )
        if index > 0:
            entry[NameObject("/Prev")] = IndirectObject(ids[index - 1], 0, None)
        if index < len(ids) - 1:
            entry[NameObject("/Next")] = IndirectObject(ids[index + 1], 0, None)
        output.write(ids[index], entry)
    root = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Outlines"),
            NameObject("/First"): IndirectObject(ids[0], 0, None),
            NameObject("/Last"): IndirectObject(ids[-1], 0, None),
            NameObject("/Count"): NumberObject(len(ids)),
        }
    )
    output.write(root_id, root)
    return IndirectObject(root_id, 0, None)


def _reference(old: IndirectObject, mapping: dict[int, int], pending: list, output: _Output) -> IndirectObject:
    if old.idnum not in mapping:
        mapping[old.idnum] = output.new_id()
        pending.append((mapping[old.idnum], old))
    return IndirectObject(mapping[old.idnum], 0, None)


def _copy(value, mapping: dict[int, int], pending: list, output: _Output, is_page: bool = False):
    if isinstance(value, IndirectObject):
        return _reference(value, mapping, pending, output)
    if isinstance(value, StreamObject):
        copied = type(value)()
        for key, item in value.items():
            copied[NameObject(key)] = _copy(item, mapping, pending, output)
        copied._data = value._data  # the raw, still-compressed bytes: copied as they are
        return copied
    if isinstance(value, DictionaryObject):
        copied = DictionaryObject()
        for key, item in value.items():
            if is_page and key == "/Parent":
                copied[NameObject("/Parent")] = IndirectObject(PAGES_ID, 0, None)
            else:
                copied[NameObject(key)] = _copy(item, mapping, pending, output)
        return copied
    if isinstance(value, ArrayObject):
        return ArrayObject(_copy(item, mapping, pending, output) for item in value)
    return value


def _blank_page(width: float, height: float) -> DictionaryObject:
    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Page"),
            NameObject("/Parent"): IndirectObject(PAGES_ID, 0, None),
            NameObject("/MediaBox"): ArrayObject(
                [FloatObject(0), FloatObject(0), FloatObject(width), FloatObject(height)]
            ),
            NameObject("/Resources"): DictionaryObject(),
        }
    )
