"""A career guide's file -> its lines, each with what its Markdown (or HTML) says about it.

Guides come as plain text copied from a page, as Markdown, or as a saved web page. All three
become the same `GuideLine`s: the text a person reads (list markers, checkboxes, emphasis,
inline code and link syntax gone), its heading level, whether it is a list item or a checkbox,
the links it holds, and the line of the file it came from.

A saved page is read with the standard library's `html.parser`: it is tolerant of the markup
pages really have, streams (so a 5 MB page needs no tree) and reports each tag's source line,
so the import report can point into the file. It is turned into Markdown, which is then read
like any Markdown guide, so both paths share one set of rules.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from html.parser import HTMLParser

BOLD_LEVEL = 7
"""The heading level of a line that is bold as a whole: weaker than any `#` heading."""

MAX_LINE = 20_000
"""A longer line is cut: no guide has one, and the pattern checks stay fast."""


class ListKind(StrEnum):
    NONE = "none"
    BULLET = "bullet"
    NUMBERED = "numbered"
    CHECKBOX = "checkbox"


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class GuideLine:
    """One line of a guide as a person reads it, with its Markdown structure.

    `level` is 1-6 for a heading (`#`, underlined, `<h1>`...), BOLD_LEVEL for a line bold as a
    whole, 0 otherwise. `ordinal` is N of a `N.` or `N)` list item. `lead` is the bold words a
    line starts with (`**Figma** (critical)` -> `Figma`), `rest` what follows them.
    """

    number: int
    text: str
    level: int = 0
    kind: ListKind = ListKind.NONE
    ordinal: int | None = None
    indent: int = 0
    blank_after: bool = True
    links: tuple[Link, ...] = ()
    lead: str = ""
    rest: str = ""

    @property
    def listed(self) -> bool:
        return self.kind is not ListKind.NONE

    @property
    def heading(self) -> bool:
        return self.level > 0


@dataclass(frozen=True)
class GuideText:
    lines: tuple[GuideLine, ...]


def decode_guide(data: bytes) -> tuple[str, str | None]:
    """The guide's text and a warning when it was not UTF-8 (it is then read as Windows-1252).

    UTF-8 with or without a byte order mark and UTF-16 with one are read as they are.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), None
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as err:
        warning = f"not UTF-8 text (byte {err.start}); read as Windows-1252: check accented letters and dashes"
        return data.decode("cp1252", errors="replace"), warning


def looks_like_html(name: str, text: str) -> bool:
    """Whether a guide is a saved web page: an .html/.htm name, or text that starts like one."""
    if name.lower().endswith((".html", ".htm", ".xhtml")):
        return True
    start = text.lstrip("\ufeff \t\r\n")[:200].lower()
    return start.startswith(("<!doctype html", "<html"))


def read_guide(text: str, html: bool = False) -> GuideText:
    """The guide's lines: Markdown (plain text is Markdown without markup) or, with `html`, a web page."""
    numbered = html_to_markdown(text) if html else list(enumerate(_split_lines(text), start=1))
    return GuideText(tuple(_markdown_lines(numbered)))


def _split_lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


# ---- Markdown lines ---------------------------------------------------------------------------

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:\s+(.*?))?(?:\s+#+)?\s*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")
_RULE = re.compile(r"^ {0,3}(?:(?:\*\s*){3,}|(?:-\s*){3,}|(?:_\s*){3,})$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_LIST = re.compile(r"^(\s*)(?:([-*+•●◦▪‣·–])|(\d{1,9})[.)])\s+(.*)$")
_CHECKBOX = re.compile(r"^(?:\[([ xX✓✔])\]|([☐☑☒✅✔✓□■]))\s*(.*)$")
_QUOTE = re.compile(r"^\s{0,3}>\s?")
_BOLD_LINE = re.compile(r"^(\*\*|__)(?=\S)(.+?)(?<=\S)\1\s*:?\s*$")
_LEAD = re.compile(r"^(\*\*|__)(?=\S)(.+?)(?<=\S)\1(.*)$")
_FRONT_TITLE = re.compile(r"^title\s*:\s*[\"']?(.*?)[\"']?\s*$", re.I)
_FRONT_ENTRY = re.compile(r"^(?:[A-Za-z_][\w-]*\s*:|\s+\S|-\s|\s*$)")


def _markdown_lines(numbered: list[tuple[int, str]]) -> list[GuideLine]:
    """Markdown source lines -> GuideLines; front matter, rules, fences and blank lines are dropped."""
    numbered = _without_comments(_without_front_matter(numbered))
    result: list[GuideLine] = []
    previous_blank = True
    for number, source in numbered:
        raw = _normalise(source)
        if not previous_blank and result and _continues(result[-1], raw):
            result[-1] = _joined(result[-1], raw)
            continue
        if _FENCE.match(raw):
            previous_blank = True
            continue
        if not raw.strip():
            if result and not previous_blank:
                result[-1] = _with_blank_after(result[-1])
            previous_blank = True
            continue
        setext = _SETEXT.match(raw)
        if setext and result and not previous_blank and result[-1].level == 0 and not result[-1].listed:
            result[-1] = _as_heading(result[-1], 1 if setext.group(1)[0] == "=" else 2)
            continue
        if _RULE.match(raw):
            if result:
                result[-1] = _with_blank_after(result[-1])
            previous_blank = True
            continue
        result.append(_classify(number, raw))
        previous_blank = False
    if result:
        result[-1] = _with_blank_after(result[-1])
    return [line for line in result if line.text]


def _without_comments(numbered: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The lines with `<!-- ... -->` comments removed (a removed line stays as a blank one)."""
    result, inside = [], False
    for number, line in numbered:
        kept, position = [], 0
        while position < len(line):
            if inside:
                end = line.find("-->", position)
                if end == -1:
                    position = len(line)
                    break
                inside, position = False, end + 3
            else:
                start = line.find("<!--", position)
                if start == -1:
                    kept.append(line[position:])
                    break
                kept.append(line[position:start])
                inside, position = True, start + 4
        result.append((number, "".join(kept)))
    return result


def _continues(previous: GuideLine, raw: str) -> bool:
    """A soft-wrapped line: running text of the line before, which is long and ends mid-sentence."""
    if previous.heading or len(previous.text) < 40 or previous.text.endswith((".", "!", "?", ":", ";")):
        return False
    body = raw.strip()
    if not body or not body[0].islower() or _LIST.match(raw) or _ATX.match(raw) or _SETEXT.match(raw):
        return False
    return not previous.listed or len(raw) - len(raw.lstrip(" ")) >= 2


def _joined(previous: GuideLine, raw: str) -> GuideLine:
    more = _classify(previous.number, raw.strip())
    return GuideLine(
        **{
            **previous.__dict__,
            "text": f"{previous.text} {more.text}",
            "links": previous.links + more.links,
            "rest": f"{previous.rest} {more.text}" if previous.lead else previous.rest,
        }
    )


def _without_front_matter(numbered: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The lines without a YAML front matter block (`---` ... `---` at the top); its title becomes a heading."""
    if not numbered or numbered[0][1].strip() != "---":
        return numbered
    for position in range(1, min(len(numbered), 60)):
        line = numbered[position][1]
        if line.strip() in ("---", "..."):
            front = numbered[1:position]
            titles = [(n, m.group(1)) for n, text in front if (m := _FRONT_TITLE.match(text)) and m.group(1)]
            return [(n, f"# {title}") for n, title in titles[:1]] + numbered[position + 1 :]
        if not _FRONT_ENTRY.match(line):
            return numbered
    return numbered


def _normalise(raw: str) -> str:
    text = unicodedata.normalize("NFC", raw[:MAX_LINE]).replace("\u00a0", " ").replace("\t", "    ")
    return "".join(ch for ch in text if ch == " " or unicodedata.category(ch)[0] != "C")


def _with_blank_after(line: GuideLine) -> GuideLine:
    return GuideLine(**{**line.__dict__, "blank_after": True})


def _as_heading(line: GuideLine, level: int) -> GuideLine:
    return GuideLine(**{**line.__dict__, "level": level, "lead": "", "rest": ""})


def _line(number: int, source: str, **structure) -> GuideLine:
    text, links = inline_text(source)
    lead = _LEAD.match(source.strip())
    lead_text = rest = ""
    if lead and structure.get("level", 0) == 0:
        lead_text = inline_text(lead.group(2))[0].strip().rstrip(":").strip()
        rest = inline_text(lead.group(3))[0].strip()
    return GuideLine(number, text, links=links, lead=lead_text, rest=rest, blank_after=False, **structure)


def _classify(number: int, raw: str) -> GuideLine:
    raw = _QUOTE.sub("", raw)
    atx = _ATX.match(raw)
    if atx:
        return _line(number, atx.group(2) or "", level=len(atx.group(1)))
    indent = len(raw) - len(raw.lstrip(" "))
    body = raw.strip()
    kind, ordinal = ListKind.NONE, None
    listed = _LIST.match(raw)
    if listed:
        kind = ListKind.NUMBERED if listed.group(3) else ListKind.BULLET
        ordinal = int(listed.group(3)) if listed.group(3) else None
        body = listed.group(4).strip()
    box = _CHECKBOX.match(body)
    if box and (box.group(3) or "").strip():
        kind, body = ListKind.CHECKBOX, box.group(3).strip()
    if kind is ListKind.NONE and _BOLD_LINE.match(body):
        return _line(number, body, level=BOLD_LEVEL, indent=indent)
    return _line(number, body, kind=kind, ordinal=ordinal, indent=indent)


# ---- inline Markdown --------------------------------------------------------------------------

_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_IMAGE = re.compile(r"!\[([^\]\n]{0,500})\]\(([^)\s]{0,2000})(?:\s+\"[^\"]{0,500}\")?\)")
_MD_LINK = re.compile(r"\[([^\]\n]{0,500})\]\(\s*<?([^)\s>]{1,2000})>?(?:\s+\"[^\"]{0,500}\")?\s*\)")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]{1,2000})>", re.I)
_BARE_URL = re.compile(r"(?<![\w/\[(<\"'])((?:https?://|www\.)[^\s<>()\[\]\"']{1,2000}[^\s<>()\[\]\"'.,;:!?])", re.I)
_CODE = re.compile(r"`+([^`]{1,2000}?)`+")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*]+?)(?<=[^\s*])\*(?![\w*])|(?<!\w)_(?=\S)([^_]+?)(?<=\S)_(?!\w)")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_TAG = re.compile(r"</?(?:br|b|i|em|strong|span|u|small|sup|sub|mark)\b[^>]{0,200}>", re.I)
_PLACEHOLDER = "\ue000"


def inline_text(source: str) -> tuple[str, tuple[Link, ...]]:
    """The words of a line of Markdown and its links: `[title](url)`, `<url>` and bare addresses.

    Emphasis, strike-through, inline code and images are removed; a link becomes its title
    (a bare address stays as written). Backslash escapes give their character.
    """
    escaped: list[str] = []

    def hide(match: re.Match) -> str:
        escaped.append(match.group(1))
        return f"{_PLACEHOLDER}{len(escaped) - 1}{_PLACEHOLDER}"

    text = _ESCAPE.sub(hide, source.replace(_PLACEHOLDER, ""))
    codes: list[str] = []

    def keep_code(match: re.Match) -> str:
        codes.append(match.group(1).strip())
        return f"{_PLACEHOLDER}c{len(codes) - 1}{_PLACEHOLDER}"

    text = _CODE.sub(keep_code, text)
    text = _IMAGE.sub("", text)
    links: list[tuple[int, Link]] = []

    def markdown_link(match: re.Match) -> str:
        title = _plain(match.group(1), escaped, codes).strip() or match.group(2)
        links.append((match.start(), Link(title, _restore(match.group(2), escaped, codes))))
        return match.group(1) or match.group(2)

    text = _MD_LINK.sub(markdown_link, text)

    def autolink(match: re.Match) -> str:
        links.append((match.start(), Link(match.group(1), match.group(1))))
        return match.group(1)

    text = _AUTOLINK.sub(autolink, text)
    taken = {link.url for _, link in links}
    for match in _BARE_URL.finditer(text):
        url = match.group(1)
        full = url if url.lower().startswith("http") else f"https://{url}"
        if url not in taken and full not in taken:
            links.append((match.start(), Link(url, full)))
    text = _plain(text, escaped, codes)
    ordered = tuple(link for _, link in sorted(links, key=lambda pair: pair[0]))
    return " ".join(text.split()), ordered


def _plain(text: str, escaped: list[str], codes: list[str]) -> str:
    text = _TAG.sub(" ", text)
    for _ in range(3):  # nested emphasis: ***bold italic***
        text = _STRONG.sub(lambda m: m.group(2), text)
        text = _EMPHASIS.sub(lambda m: m.group(1) or m.group(2), text)
        text = _STRIKE.sub(lambda m: m.group(1), text)
    return _restore(text, escaped, codes)


def _restore(text: str, escaped: list[str], codes: list[str]) -> str:
    def back(match: re.Match) -> str:
        token = match.group(1)
        if token.startswith("c"):
            index = int(token[1:])
            return codes[index] if index < len(codes) else ""
        index = int(token)
        return escaped[index] if index < len(escaped) else ""

    return re.sub(f"{_PLACEHOLDER}(c?\\d+){_PLACEHOLDER}", back, text)


# ---- saved web pages --------------------------------------------------------------------------

_SKIPPED = {
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "head",
    "nav",
    "footer",
    "button",
    "select",
    "iframe",
    "form",
}
"""A page's code, menus and site footer: never part of the guide."""
_BLOCKS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "header",
    "aside",
    "blockquote",
    "dt",
    "dd",
    "tr",
    "td",
    "th",
    "figcaption",
    "pre",
    "table",
    "dl",
    "ul",
    "ol",
    "details",
    "summary",
}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_VOID = {"br", "img", "input", "hr", "meta", "link", "wbr", "source", "area", "col", "embed", "param", "track"}
_INLINE = {"strong": "**", "b": "**", "em": "*", "i": "*", "code": "`"}
"""Inline tags and the Markdown marks they become, opening and closing."""
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>~|])")
_LINE_START = re.compile(r"^(#|>|[-+=])")
_LINE_NUMBERED = re.compile(r"^(\d+)([.)])")


def html_to_markdown(text: str) -> list[tuple[int, str]]:
    """A web page as Markdown lines, each with the line of the page it starts on."""
    parser = _PageReader()
    parser.feed(text)
    parser.close()
    parser.flush()
    return parser.lines


class _PageReader(HTMLParser):
    """Streams a page: headings, paragraphs, list items (with checkboxes), links, bold and code."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[int, str]] = []
        self.parts: list[str] = []
        self.start_line = 1
        self.skipping = ""  # the tag whose content is skipped (a script, a menu), and how deep
        self.skip_depth = 0
        self.heading = 0
        self.lists: list[list[int]] = []  # per open list: [is_ordered, counter]
        self.item_prefix = ""
        self.links: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            self.void(tag, dict(attrs))
            return
        if self.skipping or tag in _SKIPPED:
            if tag == (self.skipping or tag):
                self.skipping, self.skip_depth = tag, self.skip_depth + 1
            return
        if tag in _HEADINGS or tag in _BLOCKS or tag in ("li", "ul", "ol", "menu"):
            self.flush()
            self.start_line = self.getpos()[0]
        if tag in _HEADINGS:
            self.heading = _HEADINGS[tag]
        elif tag in ("ul", "ol", "menu"):
            self.lists.append([tag == "ol", 0])
        elif tag == "li":
            depth = max(len(self.lists), 1)
            ordered = bool(self.lists and self.lists[-1][0])
            if self.lists:
                self.lists[-1][1] += 1
            marker = f"{self.lists[-1][1]}." if ordered else "-"
            self.item_prefix = "  " * (depth - 1) + marker + " "
        elif tag in _INLINE:
            self.parts.append(_INLINE[tag])
        elif tag == "a":
            href = (dict(attrs).get("href") or "").strip()
            usable = re.match(r"^(https?://|mailto:)[^\s()<>]{1,2000}$", href, re.I)
            self.links.append(href if usable else None)
            if usable:
                self.parts.append("[")

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        if self.skipping:
            if tag == self.skipping:
                self.skip_depth -= 1
                self.skipping = self.skipping if self.skip_depth else ""
            return
        if tag in _HEADINGS or tag in _BLOCKS or tag == "li" or tag in ("ul", "ol", "menu"):
            self.flush()
            self.item_prefix = ""
            if tag in _HEADINGS:
                self.heading = 0
            if tag in ("ul", "ol", "menu") and self.lists:
                self.lists.pop()
        elif tag in _INLINE:
            self.parts.append(_INLINE[tag])
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href:
                self.parts.append(f"]({href})")

    def void(self, tag: str, attrs: dict[str, str | None]) -> None:
        if self.skipping:
            return
        if tag == "br":
            self.flush()
        elif tag == "input" and (attrs.get("type") or "").lower() == "checkbox":
            self.parts.append("[x] " if "checked" in attrs else "[ ] ")

    def handle_data(self, data: str) -> None:
        if self.skipping or not data:
            return
        if not self.parts:
            self.start_line = self.getpos()[0]
        self.parts.append(_MD_SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", data)))

    def flush(self) -> None:
        text = " ".join("".join(self.parts).split())
        text = re.sub(r"\*\*\s*\*\*|(?<!\*)\*\s+\*(?!\*)|``", "", text).strip()
        self.parts = []
        if not text or text in ("**", "*"):
            return
        text = _LINE_NUMBERED.sub(r"\1\\\2", _LINE_START.sub(r"\\\1", text))
        if self.heading:
            text = "#" * self.heading + " " + text
        elif self.item_prefix:
            text = self.item_prefix + text
            self.item_prefix = ""
        self.lines.append((self.start_line, text))
        self.lines.append((self.start_line, ""))
