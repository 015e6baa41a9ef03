"""Join PDFs into one, streaming: each file's pages are copied to the output and forgotten.

pypdf's own writer keeps every page of every file in memory until it saves, so a room of 500
plans would cost memory per participant. Here the objects reachable from each page are renumbered
and written at once, and only their offsets are kept for the cross-reference table.

The parts are PDFs ReportLab wrote, and reading them with pypdf (every object parsed into Python
objects, then serialised again) was most of a batch's last step. `_RawPdf` reads the form ReportLab
writes (a classic cross-reference table, a flat page tree, direct stream lengths) and copies each
object's bytes as they are, with only its references renumbered (never inside a string or a stream);
a part in any other form is read by pypdf as before. tests/test_pdfjoin.py checks over generated
documents that both give the same pages, content streams, resources, annotations and bookmarks.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from pypdf import PdfReader

PAGES_ID, CATALOG_ID, INFO_ID = 1, 2, 3


class _Output:
    """The joined file as it is written: each object's offset, counted as the bytes are written (asking a
    file for its position is a system call)."""

    def __init__(self, stream: BinaryIO):
        self.stream = stream
        self.offsets: dict[int, int] = {}
        self.next_id = INFO_ID + 1
        self.position = stream.tell()
        self._put(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    def _put(self, content: bytes) -> None:
        self.stream.write(content)
        self.position += len(content)

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def write(self, object_id: int, content: bytes) -> None:
        """The object `object_id`, whose value is written as `content`."""
        self.offsets[object_id] = self.position
        self._put(b"%d 0 obj\n%s\nendobj\n" % (object_id, content))

    def write_raw(self, object_id: int, body: Iterable[bytes]) -> None:
        """The object `object_id` from its body's bytes: what follows `N 0 obj` up to and with `endobj`."""
        self.offsets[object_id] = self.position
        self._put(b"".join((b"%d 0 obj" % object_id, *body, b"\n")))

    def finish(self) -> None:
        xref = self.position
        count = max(self.offsets) + 1
        offsets = (self.offsets.get(object_id) for object_id in range(1, count))
        entries = "".join(
            f"{offset:010d} 00000 n \n" if offset is not None else "0000000000 65535 f \n" for offset in offsets
        )
        self.stream.write(
            f"xref\n0 {count}\n0000000000 65535 f \n{entries}"
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
    joiner = Joiner(stream, pad_to_even)
    for part in parts:
        joiner.add(part)
    return joiner.finish(title)


@dataclass(frozen=True)
class _Joined:
    """A part as joined: its pages' new object numbers (and the blank page after them, if any), its page
    count and its bookmark's title."""

    kids: tuple[int, ...]
    count: int
    bookmark: str


class Joiner:
    """PDFs joined into one part by part, as they come: each part's pages are copied to the stream and
    forgotten. `finish` adds front parts, whose pages come before all the others (their objects follow
    them in the file: a PDF's page order is its page tree's), and writes what ends the file."""

    def __init__(self, stream: BinaryIO, pad_to_even: bool = True):
        """A joiner writing into an empty `stream`; with pad_to_even every part starts on an odd page."""
        self._output = _Output(stream)
        self._pad_to_even = pad_to_even
        self._joined: list[_Joined] = []

    def add(self, part: Part) -> int:
        """The part's pages copied after those added before; its page count."""
        joined = self._copied(part)
        self._joined.append(joined)
        return joined.count

    def finish(self, title: str, front: Iterable[Part] = ()) -> list[range]:
        """The front parts copied, then the page tree (the front parts' pages first, then the added parts'
        in order), the bookmarks in the same order, the catalogue, `title` and the cross-reference table.
        Returns each part's pages (numbered from 1), front parts first, as `page_ranges` gives them."""
        output, ahead = self._output, [self._copied(part) for part in front]
        parts = [*ahead, *self._joined]
        kids = [kid for joined in parts for kid in joined.kids]
        bookmarks = [(joined.bookmark, joined.kids[0]) for joined in parts if joined.bookmark and joined.count]
        output.write(PAGES_ID, b"<< /Type /Pages /Kids [ %s ] /Count %d >>" % (_references_to(kids), len(kids)))
        outline = b" /Outlines %s /PageMode /UseOutlines" % _write_outline(bookmarks, output) if bookmarks else b""
        output.write(CATALOG_ID, b"<< /Type /Catalog /Pages %s%s >>" % (_reference_to(PAGES_ID), outline))
        output.write(INFO_ID, b"<< /Title %s /Producer %s >>" % (text_string(title), text_string("pathway-exporter")))
        output.finish()
        return page_ranges([joined.count for joined in parts], self._pad_to_even)

    def _copied(self, part: Part) -> _Joined:
        output = self._output
        copied = _copy_part(part.path, output)
        kids = list(copied.pages)
        if _blank_after(len(copied.pages), self._pad_to_even):
            blank_id = output.new_id()
            output.write(blank_id, _blank_page(*copied.last_size))
            kids.append(blank_id)
        return _Joined(tuple(kids), len(copied.pages), part.bookmark)


def _reference_to(object_id: int) -> bytes:
    return b"%d 0 R" % object_id


def _references_to(object_ids: Iterable[int]) -> bytes:
    return b" ".join(map(_reference_to, object_ids))


_LITERAL = re.compile(r"[ -~]*")


def text_string(text: str) -> bytes:
    """A PDF text string (PDF 1.7, 7.9.2.2): printable ASCII as a literal string (backslash, parentheses
    escaped), any other text in UTF-16BE with its byte order mark, as a hexadecimal string."""
    if _LITERAL.fullmatch(text):
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return b"(%s)" % escaped.encode("ascii")
    return b"<FEFF%s>" % text.encode("utf-16-be").hex().upper().encode("ascii")


def page_count(source: Path | bytes) -> int:
    """The number of pages of the PDF file or bytes."""
    data = source if isinstance(source, bytes) else source.read_bytes()
    try:
        return len(_RawPdf(data).kids)
    except Unreadable:
        from pypdf import PdfReader

        return len(PdfReader(io.BytesIO(data)).pages)


@dataclass(frozen=True)
class _Copied:
    """A part's pages as written (their new object numbers) and the size of its last page."""

    pages: tuple[int, ...]
    last_size: tuple[float, float]


def _copy_part(path: Path, output: _Output) -> _Copied:
    """Every object a part's pages reach, written with new numbers: as ReportLab wrote them where
    `_RawPdf` reads the file, else through pypdf."""
    data = path.read_bytes()
    try:
        return _copy_raw(_RawPdf(data), output)
    except Unreadable:
        from pypdf import PdfReader

        return _copy_with_pypdf(PdfReader(io.BytesIO(data)), output)


def _copy_with_pypdf(reader: PdfReader, output: _Output) -> _Copied:
    mapping: dict[int, int] = {}
    pending: list = []
    pages = [_reference(page.indirect_reference, mapping, pending, output).idnum for page in reader.pages]
    while pending:
        new_id, old_ref = pending.pop()
        original = old_ref.get_object()
        copied = _copy(original, mapping, pending, output, is_page=original.get("/Type") == "/Page")
        written = io.BytesIO()
        copied.write_to_stream(written)
        output.write(new_id, written.getvalue())
    if not pages:
        return _Copied((), (0.0, 0.0))
    box = reader.pages[-1].mediabox
    return _Copied(tuple(pages), (float(box.width), float(box.height)))


def _copy_raw(pdf: _RawPdf, output: _Output) -> _Copied:
    """The part's objects, its pages first and then in the order they are reached, each read (or refused)
    before the first is written; references to the old page tree point to the new one."""
    order = list(pdf.kids)
    pages = set(order)
    seen = {*order, pdf.pages_root}
    read: dict[int, _RawObject] = {}
    pending = list(reversed(order))
    while pending:
        old = pending.pop()
        found = read[old] = pdf.page(old) if old in pages else pdf.object(old)
        for _, _, target in found.references:
            if target not in seen:
                seen.add(target)
                order.append(target)
                pending.append(target)
    last_size = pdf.last_size()
    mapping = {old: output.new_id() for old in order}
    mapping[pdf.pages_root] = PAGES_ID
    for old in order:
        output.write_raw(mapping[old], read[old].renumbered(pdf.data, mapping))
    return _Copied(tuple(mapping[old] for old in pdf.kids), last_size)


class Unreadable(ValueError):
    """A PDF not in the form `_RawPdf` reads (it is read with pypdf instead)."""


_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_SUBSECTION = re.compile(rb"\s*(\d+) (\d+)[ \t]*\r?\n")
_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])(?: \r| \n|\r\n)")
_TRAILER = re.compile(rb"\s*trailer\s*<<(.*)>>\s*startxref", re.S)
_REFERENCE_TO = {key: re.compile(rb"/" + key + rb"\s+(\d+)\s+0\s+R") for key in (b"Root", b"Pages")}
_HEADER = re.compile(rb"(\d+) (\d+) obj")
_SPACE = b" \t\r\n\f\x00"
_OPENING = re.compile(rb"[(%]")
_MARK = re.compile(rb"R(?<=[ \t\r\n\f\x00]R)(?=[\s()<>\[\]{}/%]|\Z)")
"""An `R` after white space and before a delimiter; the pattern starts with the `R` (its white space
looked at behind it), so that the regular expression engine looks for the letter alone, several times
faster than trying its look-behind at every byte."""
_NUMBERS = re.compile(rb"[\s\[](\d+)\s+(\d+)\s+\Z")
_STRING = re.compile(rb"\((?:[^()\\]|\\.)*\)", re.S)
_LENGTH = re.compile(rb"/Length\s+(\d+)(?=\s*[/>])")
_END_STREAM = re.compile(rb"(?:\r?\n)?endstream\s+endobj")
_KIDS = re.compile(rb"/Kids\s*\[([^\]]*)\]")
_KID = re.compile(rb"(\d+)\s+0\s+R")
_PAGES_KEYS = {b"Count", b"Kids", b"Type", b"Pages"}
_COUNT = re.compile(rb"/Count\s+(\d+)")
_PAGE_TYPE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
_NUMBER = rb"\s*(-?(?:\d+\.?\d*|\.\d+))"
_MEDIA_BOX = re.compile(rb"/MediaBox\s*\[" + _NUMBER * 4 + rb"\s*\]")


@dataclass(frozen=True)
class _RawObject:
    """An object of a `_RawPdf`: where its body lies (after `N 0 obj`, up to and with `endobj`) and its
    references (start, end and object number of each `N 0 R`)."""

    start: int
    end: int
    references: tuple[tuple[int, int, int], ...]

    def renumbered(self, data: bytes, mapping: dict[int, int]) -> list[bytes]:
        """The body's bytes with each reference to object N written as one to mapping[N]."""
        pieces, position = [], self.start
        for start, end, target in self.references:
            pieces += (data[position:start], b"%d 0 R" % mapping[target])
            position = end
        pieces.append(data[position : self.end])
        return pieces


class _RawPdf:
    """A PDF as ReportLab writes it: one cross-reference table (no update, no object stream, no
    encryption), a catalog whose page tree is one /Pages node holding every page, objects of
    generation 0 whose streams have direct lengths and with no comment outside strings. Anything
    else raises Unreadable."""

    def __init__(self, data: bytes):
        self.data = data
        self.offsets, trailer = self._cross_references()
        if b"/Prev" in trailer or b"/Encrypt" in trailer:
            raise Unreadable("an updated or encrypted file")
        catalog = self._body(self._reference(b"Root", trailer))
        self.pages_root = self._reference(b"Pages", catalog)
        tree = self._body(self.pages_root)
        kids = _KIDS.search(tree)
        if kids is None or not set(re.findall(rb"/([A-Za-z]+)", _KIDS.sub(b"", tree))) <= _PAGES_KEYS:
            raise Unreadable("a page tree of more than one node, or with inherited attributes")
        self.kids = tuple(int(number) for number in _KID.findall(kids.group(1)))
        count = _COUNT.search(tree)
        if count is None or int(count.group(1)) != len(self.kids):
            raise Unreadable("a page tree of more than one node")

    def page(self, object_id: int) -> _RawObject:
        """The page `object_id` read (see `object`); Unreadable if it is not a page (a node of a deeper tree)."""
        found = self.object(object_id)
        if not _PAGE_TYPE.search(self.data, found.start, found.end):
            raise Unreadable("a page tree of more than one node")
        return found

    def _cross_references(self) -> tuple[dict[int, int], bytes]:
        """Each object's offset (in use, generation 0) and the trailer's dictionary."""
        data = self.data
        found = _STARTXREF.search(data, max(0, len(data) - 64))
        if found is None or not data.startswith(b"xref", int(found.group(1))):
            raise Unreadable("no cross-reference table")
        position = int(found.group(1)) + 4
        offsets: dict[int, int] = {}
        while subsection := _SUBSECTION.match(data, position):
            first, count = int(subsection.group(1)), int(subsection.group(2))
            position = subsection.end()
            for object_id in range(first, first + count):
                entry = _ENTRY.match(data, position)
                if entry is None:
                    raise Unreadable("a malformed cross-reference entry")
                if entry.group(3) == b"n" and entry.group(2) == b"00000":
                    offsets[object_id] = int(entry.group(1))
                position = entry.end()
        trailer = _TRAILER.match(data, position)
        if trailer is None:
            raise Unreadable("no trailer")
        return offsets, trailer.group(1)

    def _reference(self, key: bytes, body: bytes) -> int:
        found = _REFERENCE_TO[key].search(body)
        if found is None:
            raise Unreadable(f"no /{key.decode()}")
        return int(found.group(1))

    def _body(self, object_id: int) -> bytes:
        found = self.object(object_id)
        return self.data[found.start : found.end]

    def object(self, object_id: int) -> _RawObject:
        """Object `object_id` read: Unreadable if it is missing or not in ReportLab's form."""
        data = self.data
        offset = self.offsets.get(object_id)
        spelled = b"%d 0 obj" % object_id  # as ReportLab writes it; any other spelling is matched below
        if offset is not None and data.startswith(spelled, offset):
            start = offset + len(spelled)
        else:
            header = None if offset is None else _HEADER.match(data, offset)
            if header is None or int(header.group(1)) != object_id or header.group(2) != b"0":
                raise Unreadable(f"object {object_id} is not where the table says")
            start = header.end()
        strings: list[tuple[int, int]] = []
        position = start
        while True:
            keyword, after, stream = _keyword(data, position)
            opening = _OPENING.search(data, position, keyword)
            if opening is None:
                break
            if data[opening.start()] == 0x25:
                raise Unreadable("a comment inside an object")
            position = _string_end(data, opening.start())
            strings.append((opening.start(), position))
        references = _references(data, start, keyword, strings)
        end = _stream_end(data, start, keyword, after) if stream else after
        return _RawObject(start, end, references)

    def last_size(self) -> tuple[float, float]:
        """The width and height of the last page's media box (0 x 0 without pages)."""
        if not self.kids:
            return (0.0, 0.0)
        box = _MEDIA_BOX.search(self._body(self.kids[-1]))
        if box is None:
            raise Unreadable("a page without its own media box")
        left, bottom, right, top = map(float, box.groups())
        return (right - left, top - bottom)


def _references(data: bytes, start: int, end: int, strings: list[tuple[int, int]]) -> tuple[tuple[int, int, int], ...]:
    """The references (`N 0 R`: start, end and N) between start and end, outside these strings."""
    found = []
    for mark in _MARK.finditer(data, start, end):
        at = mark.start()
        if strings and any(opening <= at < closing for opening, closing in strings):
            continue
        reach = max(start, at - 24)
        if data[at - 3 : at] == b" 0 ":  # `N 0 R` as ReportLab writes it: N read as _NUMBERS reads it
            space = data.rfind(b" ", reach, at - 3)
            digits = data[space + 1 : at - 3]
            if space >= 0 and digits.isdigit():
                found.append((space + 1, at + 1, int(digits)))
                continue
        numbers = _NUMBERS.search(data, reach, at)
        if numbers is None:
            raise Unreadable("an R that is not a reference to generation 0")
        number, generation = numbers.groups()
        if generation != b"0":
            raise Unreadable("an R that is not a reference to generation 0")
        found.append((numbers.start() + 1, at + 1, int(number)))
    return tuple(found)


def _keyword(data: bytes, position: int) -> tuple[int, int, bool]:
    """The first `stream` or `endobj` keyword from `position` on (each after a delimiter): where it starts,
    where it ends (with the line end after `stream`) and whether it is `stream`."""
    end = data.find(b"endobj", position)
    while end > 0 and data[end - 1] not in _SPACE:
        end = data.find(b"endobj", end + 1)
    if end < 0:
        raise Unreadable("an object without its end")
    stream = data.find(b"stream", position, end)
    while stream > 0:
        after = stream + 6 + data.startswith(b"\r", stream + 6)
        if (data[stream - 1] in _SPACE or data[stream - 1] == 0x3E) and data.startswith(b"\n", after):
            return stream, after + 1, True
        stream = data.find(b"stream", stream + 1, end)
    return end, end + 6, False


def _string_end(data: bytes, start: int) -> int:
    """Where the literal string opening at `start` ends (after its closing parenthesis)."""
    simple = _STRING.match(data, start)
    if simple is not None:
        return simple.end()
    depth, position = 0, start
    while position < len(data):
        char = data[position]
        if char == 0x5C:  # a backslash escapes the next byte
            position += 1
        elif char == 0x28:
            depth += 1
        elif char == 0x29:
            depth -= 1
            if depth == 0:
                return position + 1
        position += 1
    raise Unreadable("a string without its end")


def _stream_end(data: bytes, start: int, keyword: int, after: int) -> int:
    """The end (after `endobj`) of a stream object whose dictionary starts at `start`, whose `stream`
    keyword starts at `keyword` and whose data at `after`."""
    lengths = _LENGTH.findall(data, start, keyword)
    if len(lengths) != 1:
        raise Unreadable("a stream without one direct length")
    end = _END_STREAM.match(data, after + int(lengths[0]))
    if end is None:
        raise Unreadable("a stream whose length is not where it ends")
    return end.end()


def _write_outline(bookmarks: list[tuple[str, int]], output: _Output) -> bytes:
    """The document outline: one entry a bookmark, each opening its first page; a reference to its root."""
    root_id = output.new_id()
    ids = [output.new_id() for _ in bookmarks]
    for index, (title, page) in enumerate(bookmarks):
        entry = b"<< /Title %s /Parent %s /Dest [ %s /Fit ]" % (
            text_string(title),
            _reference_to(root_id),
            _reference_to(page),
        )
        if index > 0:
            entry += b" /Prev %s" % _reference_to(ids[index - 1])
        if index < len(ids) - 1:
            entry += b" /Next %s" % _reference_to(ids[index + 1])
        output.write(ids[index], entry + b" >>")
    first, last = _reference_to(ids[0]), _reference_to(ids[-1])
    output.write(root_id, b"<< /Type /Outlines /First %s /Last %s /Count %d >>" % (first, last, len(ids)))
    return _reference_to(root_id)


def _reference(old, mapping: dict[int, int], pending: list, output: _Output):
    from pypdf.generic import IndirectObject

    if old.idnum not in mapping:
        mapping[old.idnum] = output.new_id()
        pending.append((mapping[old.idnum], old))
    return IndirectObject(mapping[old.idnum], 0, None)


def _copy(value, mapping: dict[int, int], pending: list, output: _Output, is_page: bool = False):
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, StreamObject

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


def _blank_page(width: float, height: float) -> bytes:
    size = b"%s %s" % (_real(width), _real(height))
    return b"<< /Type /Page /Parent %s /MediaBox [ 0 0 %s ] /Resources << >> >>" % (_reference_to(PAGES_ID), size)


def _real(number: float) -> bytes:
    """A PDF number: at most six decimals, no trailing zeros."""
    return (b"%.6f" % number).rstrip(b"0").rstrip(b".")
