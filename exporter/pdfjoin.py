"""Join PDFs into one, streaming: each file's pages are copied to the output and forgotten.

pypdf's own writer keeps every page of every file in memory until it saves, so a room of 500
plans would cost memory per participant. Here pypdf only reads; objects reachable from each page
are renumbered and written at once, and only their offsets are kept for the cross-reference table.
"""

from __future__ import annotations

from collections.abc import Iterable
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


def join_pdfs(sources: Iterable[Path], stream: BinaryIO, title: str, pad_to_even: bool = True) -> int:
    """Write every page of the sources, in order; with pad_to_even each source starts on an odd page."""
    output = _Output(stream)
    kids: list[IndirectObject] = []
    for source in sources:
        reader = PdfReader(source)
        mapping: dict[int, int] = {}
        pending: list[tuple[int, IndirectObject]] = []
        for page in reader.pages:
            page_ref = page.indirect_reference
            kids.append(_reference(page_ref, mapping, pending, output))
        while pending:
            new_id, old_ref = pending.pop()
            original = old_ref.get_object()
            copied = _copy(original, mapping, pending, output, is_page=original.get("/Type") == "/Page")
            output.write(new_id, copied)
        if pad_to_even and len(reader.pages) % 2:
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
    output.write(
        CATALOG_ID,
        DictionaryObject(
            {NameObject("/Type"): NameObject("/Catalog"), NameObject("/Pages"): IndirectObject(PAGES_ID, 0, None)}
        ),
    )
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
    return len(kids)


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
