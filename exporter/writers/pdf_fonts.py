"""Every script in the PDF: text split into runs, each drawn in a font that has its glyphs.

ReportLab draws a string in one font and has no per-glyph fallback, so text is cut into runs:
what the body font (DejaVu Sans or the theme's) has stays in it; Chinese, Japanese, Korean,
Arabic, Hebrew, Devanagari and Thai go to the fonts the run's context found (exporter.fontfiles),
each registered the first time a text needs it. Arabic, Hebrew and Devanagari are shaped by
HarfBuzz (the `uharfbuzz` package, through ReportLab): letters join, vowel signs sit where they
belong. Every font is registered as a `ShapingFont`, which HarfBuzz shapes without discretionary
ligatures; ReportLab's own fonts and defaults are left as they are. A right-to-left run is kept
whole (its spaces become no-break spaces), so HarfBuzz lays it out right to left as one piece and
its words keep their order when the line is read.

A character no font has is never drawn as a silent box: `unprintable` names it, and
`glyph_problems` turns that into a warning that says which package to install.
"""

from __future__ import annotations

import hashlib
import weakref
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import groupby, islice
from operator import itemgetter
from pathlib import Path
from struct import error as StructError
from struct import unpack_from

from reportlab import rl_config
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, TTFontFace

from exporter.errors import Kind, Problem
from exporter.fontfiles import FoundFont, script_of
from exporter.kept import Kept
from exporter.writers.markup import escape, quoteattr
from exporter.writers.pdf_draw import UncheckedString

NO_BREAK_SPACE = "\u00a0"
SHOWN_CHARACTERS = 12
"""Characters a warning names before it says how many more there are."""


@dataclass(frozen=True)
class Run:
    """A stretch of text drawn in one font; `shaped` when HarfBuzz must lay it out."""

    text: str
    font: str
    shaped: bool = False
    right_to_left: bool = False


class ScriptFonts:
    """The body fonts and the fallback fonts of the scripts they lack, for one set of found files.

    A script of the table is drawn in its own font where one was found (made for its shaping),
    unless the body font is the theme's own and has the glyph (the facilitator chose it).
    """

    def __init__(self, regular: str, bold: str, found: tuple[FoundFont, ...], prefer_body: bool = False):
        self.regular, self.bold = regular, bold
        self.found = {font.script: font for font in found}
        self.prefer_body = prefer_body

    def runs(self, text: str, base: str) -> list[Run]:
        """The text cut into runs for the body font `base` (the regular or the bold one)."""
        if not _in_table(text):
            return [Run(text, base)]  # no script of the table: the body font's, in one run (most text)
        runs = []
        for (font, right_to_left), group in groupby(zip(text, self._keys(text, base), strict=True), itemgetter(1)):
            piece = "".join(character for character, _ in group)
            shaped = any((entry := script_of(character)) and entry.shaped for character in piece)
            if right_to_left:  # kept whole: laid out right to left as one piece, never broken apart
                piece = piece.replace(" ", NO_BREAK_SPACE)
            runs.append(Run(piece, font, shaped, right_to_left))
        return runs

    def markup(self, text: str, base: str) -> tuple[str, bool]:
        """Paragraph markup of plain text (escaped here), and whether any of it must be shaped."""
        return _markup(self, text, base)

    def unprintable(self, text: str) -> str:
        """The characters of the text no font at hand prints as it should, in order, once each."""
        missing = [character for character in set(text) if not self._printable(character)]
        return "".join(sorted(missing, key=text.index))

    def _printable(self, character: str) -> bool:
        """Whether some font prints the character as it should look: a script that is shaped or written
        right to left needs its own font (the body font's letters would stand apart, in reverse order)."""
        if character.isspace() or self._fallback(character, self.regular) is not None:
            return True
        entry = script_of(character)
        needs_own = entry and (entry.shaped or entry.right_to_left) and not self.prefer_body
        return _has(self.regular, character) and not needs_own

    def draw(self, canvas, x: float, y: float, text: str, base: str, size: float) -> None:
        """Draw one line on a canvas, run by run, starting at x."""
        for run in self.runs(text, base):
            canvas.setFont(run.font, size)
            canvas.drawString(x, y, _visual_words(run), shaping=run.shaped)
            x += _run_width(run, size)

    def strings(self, x: float, y: float, text: str, base: str, size: float, **style) -> list:
        """One line for a drawing (reportlab.graphics), as one String a run (its attributes set unchecked:
        pdf_draw.UncheckedString). Drawings are not shaped."""
        shapes = []
        for run in self.runs(text, base):
            shapes.append(UncheckedString(x, y, _visual_words(run), fontName=run.font, fontSize=size, **style))
            x += pdfmetrics.stringWidth(run.text, run.font, size)
        return shapes

    def _keys(self, text: str, base: str) -> list[tuple[str, bool]]:
        """Each character's font and direction; a space between two characters of one key takes it."""
        keys = [None if character.isspace() else self._key(character, base) for character in text]
        plain = (base, False)
        before, previous = [], plain
        for key in keys:
            before.append(previous)
            previous = key or previous
        after, following = [], plain
        for key in reversed(keys):
            after.append(following)
            following = key or following
        after.reverse()
        return [key or (left if left == right else plain) for key, left, right in zip(keys, before, after, strict=True)]

    def _key(self, character: str, base: str) -> tuple[str, bool]:
        entry = script_of(character)
        if entry is None:
            return base, False
        own = None if self.prefer_body and _has(base, character) else self._fallback(character, base)
        return own or base, entry.right_to_left

    def _fallback(self, character: str, base: str) -> str | None:
        entry = script_of(character)
        found = self.found.get(entry.script) if entry else None
        if found is None:
            return None
        name = _registered(found.bold if base == self.bold else found.regular, entry.subfont)
        return name if _has(name, character) else None


@cache
def script_fonts(regular: str, bold: str, found: tuple[FoundFont, ...], prefer_body: bool = False) -> ScriptFonts:
    """The runs splitter for body fonts (registered names) and the fonts a context found; one per process.

    `prefer_body` when the body font is the theme's own: it prints the scripts it has itself."""
    return ScriptFonts(regular, bold, found, prefer_body)


MARKUPS = 1024
"""Texts whose paragraph markup a process keeps: the pathway's and the labels' texts recur in every plan."""


@lru_cache(maxsize=MARKUPS)
def _markup(scripts: ScriptFonts, text: str, base: str) -> tuple[str, bool]:
    runs = scripts.runs(text, base)
    shaped = any(run.shaped for run in runs)
    parts, previous = [], None
    for run in runs:
        if shaped and previous is not None and not previous.text[-1:].isspace() and not run.text[:1].isspace():
            parts.append(WORD_BREAK)  # one font a word: see WORD_BREAK
        escaped = escape(run.text)
        parts.append(escaped if run.font == base else f"<font face={quoteattr(run.font)}>{escaped}</font>")
        previous = run
    return "".join(parts), shaped


WORD_BREAK = "\u200a"
"""A hair space between two runs of different fonts that no space separates, in a paragraph that is
shaped. ReportLab shapes a whole word with the font of its first piece and then reads the glyphs back
in each piece's own font (reportlab.pdfbase.ttfonts.shapeFragWord), so a word such as `(محمد)` or
`محمد.` would print wrong glyphs or fail. ReportLab breaks words at white space (this one included), so
every word it shapes has one font; it sets the pieces a space apart, as it sets any two words."""


def _in_table(text: str) -> bool:
    """Whether the text holds a character of a script of the table (ASCII text never does)."""
    return not text.isascii() and any(script_of(character) for character in set(text))


class ShapingFont(TTFont):
    """A TrueType font that HarfBuzz shapes without discretionary ligatures, which typesetting leaves
    off unless asked for.

    ReportLab shapes with `dlig` on (the default features of reportlab.pdfbase.ttfonts.shapeFragWord);
    in Noto Sans Arabic that turns the name محمد into the honorific ligature ﷴ, with vowel marks the
    name does not have. This font gives HarfBuzz its own copy of the file in which the `dlig` feature
    is renamed (`without_feature`), so the feature is never found; the glyphs, their numbers and
    everything ReportLab embeds are the file's own. ReportLab's defaults and other fonts are untouched.
    """

    def __init__(self, name: str, path: str, subfont: int = 0):
        super().__init__(name, path, subfontIndex=subfont)
        self.face = SubsetFace.sharing(self.face)
        self.path, self.subfont = path, subfont
        self._face_without_dlig = None
        self._codes = _SubsetCodes(None)
        self._document = _no_document

    def splitString(self, text, doc, encoding="utf-8"):
        """TTFont.splitString, with a fast path for text whose every character already has a code in the
        document's first subset (most text after the first lines): the same list of (subset, bytes)."""
        state = self._state_of(doc)
        if state is None or not text or not isinstance(text, str):
            return super().splitString(text, doc, encoding)
        codes = self._codes
        if codes.state is not state:
            codes = self._codes = _SubsetCodes(state)
        encoded = codes.encode(text)
        return super().splitString(text, doc, encoding) if encoded is None else [(0, encoded)]

    def first_subset(self, text: str, doc) -> tuple[str, bytes] | None:
        """The name of the document's first subset of the font and the text's codes in it, when every
        character of the text has a code there and the subset a name (what splitString and
        getSubsetInternalName then give without changing the document's state); else None."""
        state = self._state_of(doc)
        if state is None or state.internalName is None:
            return None
        codes = self._codes
        if codes.state is not state:
            codes = self._codes = _SubsetCodes(state)
        encoded = codes.encode(text)
        return None if encoded is None else (state.internalName, encoded)

    def getSubsetInternalName(self, subset, doc):
        """TTFont.getSubsetInternalName: the PDF name of the subset in the document, the same string."""
        state = self._state_of(doc)
        if (
            state is None
            or state.internalName is None
            or type(subset) is not int
            or not 0 <= subset < len(state.subsets)
        ):
            return super().getSubsetInternalName(subset, doc)
        return f"/{state.internalName}+{subset}"

    def _state_of(self, doc):
        """`self.state.get(doc)`, looked up with the last document's weak reference (made once per
        document rather than once per call)."""
        reference = self._document
        if doc is None or reference() is not doc:
            reference = self._document = weakref.ref(doc)
        return self.state.data.get(reference)

    def addObjects(self, doc):
        """ReportLab's objects for the font's subsets in the document, each subset's widths written once
        per process for its widths (`KeptWidths`)."""
        state = self.state.get(doc)
        subsets = len(state.subsets) if state is not None else 0
        super().addObjects(doc)
        if subsets:
            fonts = doc.idToObject["BasicFonts"].dict
            prefix = doc.fontMapping[self.fontName][1:]
            for subset in range(subsets):
                font = fonts[f"{prefix}+{subset}"]
                font.Widths = KeptWidths(font.Widths.sequence)
                to_unicode = doc.idToObject[font.ToUnicode.name]
                if to_unicode.filters == [pdfdoc.PDFZCompress]:
                    to_unicode.filters = [KEPT_TO_UNICODE_FLATE]

    @property
    def hbFace(self):
        """The HarfBuzz face ReportLab shapes with: the file without its discretionary ligatures."""
        if self._face_without_dlig is None:
            import uharfbuzz

            super().hbFace  # noqa: B018 - ReportLab's own set-up for glyphs that have no character
            data = without_feature(Path(self.path).read_bytes(), DISCRETIONARY_LIGATURES)
            self._face_without_dlig = uharfbuzz.Face(uharfbuzz.Blob(data), self.subfont)
        return self._face_without_dlig


def _no_document() -> None:
    """A font's last document before it has one: a dead reference."""
    return None


SUBSETS = 8
"""Embedded subsets a face keeps: a batch's plans of one pathway mostly embed the very same one."""


class SubsetFace(TTFontFace):
    """A parsed TrueType face whose embedded subsets (ReportLab's makeSubset, a font file built in
    Python for each document) are kept per process for their characters, at most SUBSETS of them: the
    same characters make the same bytes, as a character's glyph never changes once the face has one."""

    @classmethod
    def sharing(cls, face: TTFontFace) -> SubsetFace:
        """This face over the attributes a TTFont just parsed (shared, not copied or parsed again)."""
        shared = cls.__new__(cls)
        shared.__dict__ = face.__dict__
        shared._subsets = Kept(SUBSETS)
        return shared

    def makeSubset(self, subset):
        """ReportLab's font file for the subset (a list of character codes), made once per process."""
        key = tuple(subset)
        made = self._subsets.get(key)
        return self._subsets.keep(key, super().makeSubset(subset)) if made is None else made

    def addSubsetObjects(self, doc, fontname, subset):
        """ReportLab's objects for an embedded subset; its font file compressed once per process."""
        reference = super().addSubsetObjects(doc, fontname, subset)
        font_file = doc.idToObject.get(f"fontFile:{self.filename}({fontname})")
        if font_file is not None and font_file.filters == [pdfdoc.PDFZCompress]:
            font_file.filters = [KEPT_FLATE]
        return reference


class KeptFlate(pdfdoc.PDFStreamFilterZCompress):
    """ReportLab's Flate filter that keeps what it compressed last (the font files of SubsetFace and the
    fonts' ToUnicode maps, the same in every plan of a batch), at most SUBSETS of them."""

    def __init__(self):
        self._compressed: Kept[bytes] = Kept(SUBSETS)

    def encode(self, text):
        """ReportLab's Flate encoding of `text`; bytes or text compressed before are taken from the last
        SUBSETS (the least recently used is dropped)."""
        if not isinstance(text, _KEPT_CONTENTS):
            return super().encode(text)
        compressed = self._compressed.get(text)
        return self._compressed.keep(text, super().encode(text)) if compressed is None else compressed


_KEPT_CONTENTS = (bytes, str)
KEPT_FLATE = KeptFlate()
KEPT_TO_UNICODE_FLATE = KeptFlate()
"""The Flate filter of the fonts' ToUnicode maps (text, the same for every plan of a batch)."""


class KeptWidths(pdfdoc.PDFArray):
    """ReportLab's array of a subset's widths (numbers), written once per process for its numbers and
    layout (at most SUBSETS of them): a number is written the same in every document."""

    def format(self, document, IND=b"\n "):
        """The bytes ReportLab's PDFArray writes for these numbers."""
        if not all(type(number) in (float, int) for number in self.sequence):
            return super().format(document, IND)
        key = (tuple(self.sequence), self.multiline, rl_config.pdfMultiLine, IND)
        written = _WIDTHS.get(key)
        return _WIDTHS.keep(key, super().format(document, IND)) if written is None else written


_WIDTHS: Kept[bytes] = Kept(SUBSETS)


class _SubsetCodes:
    """The codes one document's state of a TrueType font has given characters in its first subset, as
    translation tables: kept in step with `state.assignments`, which only grows, in order."""

    def __init__(self, state):
        self.state = state
        self.seen = 0
        self.codes: dict[int, str] = {}
        self.known: dict[int, None] = {}

    def encode(self, text: str) -> bytes | None:
        """The text's codes as bytes if every character has a code below 256, else None."""
        assignments = self.state.assignments
        if len(assignments) != self.seen:
            self._catch_up(assignments)
        if text.translate(self.known):
            return None
        return text.translate(self.codes).encode("latin-1")

    def _catch_up(self, assignments: dict[int, int]) -> None:
        for character, code in islice(assignments.items(), self.seen, None):
            if code < 256:
                self.codes[character] = chr(code)
                self.known[character] = None
        self.seen = len(assignments)
        if 32 in self.codes:  # ReportLab draws a no-break space as a space
            self.codes[0xA0], self.known[0xA0] = self.codes[32], None


DISCRETIONARY_LIGATURES = b"dlig"


def without_feature(data: bytes, tag: bytes) -> bytes:
    """A TrueType or OpenType file (or collection) whose GSUB table no longer names the feature `tag`.

    Each of the feature's records gets the tag one lower in its last letter (`dlig` -> `dlif`, which
    no shaper asks for), so the list keeps its order; lookups, glyphs and every other byte stay. A file
    whose tables do not read (a damaged theme font) is given back as it is."""
    try:
        return _renamed_feature(data, tag)
    except StructError:
        return data


def _renamed_feature(data: bytes, tag: bytes) -> bytes:
    stand_in = tag[:3] + bytes([tag[3] - 1])
    patched = bytearray(data)
    for start in _font_starts(data):
        (tables,) = unpack_from(">H", data, start + 4)
        for record in range(start + 12, start + 12 + 16 * tables, 16):
            if data[record : record + 4] != b"GSUB":
                continue
            (table,) = unpack_from(">I", data, record + 8)
            (feature_list,) = unpack_from(">H", data, table + 6)
            (count,) = unpack_from(">H", data, table + feature_list)
            first = table + feature_list + 2
            for at in range(first, first + 6 * count, 6):
                if data[at : at + 4] == tag:
                    patched[at : at + 4] = stand_in
    return bytes(patched)


def _font_starts(data: bytes) -> tuple[int, ...]:
    """Where each font's table directory starts: one for a font file, each member's for a collection."""
    if data[:4] != b"ttcf":
        return (0,)
    (count,) = unpack_from(">I", data, 8)
    return unpack_from(f">{count}I", data, 12)


def _font_name(path: str, subfont: int) -> str:
    digest = hashlib.sha256(f"{path}\0{subfont}".encode()).hexdigest()[:8]
    return f"PathwayScript-{digest}"


@cache
def _registered(path: str, subfont: int) -> str:
    """Register a fallback font file once per process (shaping on); its name."""
    name = _font_name(path, subfont)
    pdfmetrics.registerFont(ShapingFont(name, path, subfont))
    return name


@cache
def _coverage(font: str) -> frozenset[int]:
    return frozenset(pdfmetrics.getFont(font).face.charToGlyph)


def _has(font: str, character: str) -> bool:
    return ord(character) in _coverage(font)


def _visual_words(run: Run) -> str:
    """A run as a canvas draws it: shaping on a canvas orders each word's letters but keeps the words in
    reading order, so a right-to-left run's words are given last first (paragraphs need no help)."""
    if not run.right_to_left:
        return run.text
    return NO_BREAK_SPACE.join(reversed(run.text.split(NO_BREAK_SPACE)))


def _run_width(run: Run, size: float) -> float:
    if run.shaped:
        from reportlab.pdfgen.textobject import bidiShapedText

        return bidiShapedText(run.text, None, fontName=run.font, fontSize=size, shaping=True)[1]
    return pdfmetrics.stringWidth(run.text, run.font, size)


def glyph_problem(characters: str, what: str, source: str, field: str | None = None) -> Problem:
    """A warning that these characters of `what` cannot be printed, saying which package would print them."""
    shown = characters[:SHOWN_CHARACTERS]
    codes = " ".join(f"U+{ord(c):04X}" for c in shown)
    more = f" and {len(characters) - len(shown)} more" if len(characters) > len(shown) else ""
    packages = sorted({entry.package for c in characters if (entry := script_of(c))})
    scripts = sorted({entry.script for c in characters if (entry := script_of(c))})
    if packages:
        fix = f"install the Debian package {' and '.join(packages)} ({', '.join(scripts)}) and export again"
    else:
        fix = "name a TrueType font that has them in the theme (font = ...) and export again"
    message = f"cannot print {shown!r} ({codes}{more}) in {what}: no installed font prints them; {fix}"
    return Problem(source, message, field=field, kind=Kind.MISSING)
