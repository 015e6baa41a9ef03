"""Finishing touches on the saved .xlsx package that openpyxl cannot make itself.

- Formula results: each formula cell gets the value it has as written (`<v>`), so viewers that
  do not calculate still show the figures; an `ErrorValue` is written as that error (`#N/A`).
  Programs that calculate replace them on load.
- Shared strings: inline strings become a sharedStrings table, which every reader supports.
- Reproducible bytes: every zip entry and the document properties carry the build time.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from exporter.writers.markup import escape

_SHEET_PATH = re.compile(r'<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"')
_RELATION = re.compile(
    r'<Relationship [^>]*Id="([^"]+)"[^>]*Target="([^"]+)"|<Relationship [^>]*Target="([^"]+)"[^>]*Id="([^"]+)"'
)
_INLINE = re.compile(
    r'<c r="([A-Z]+\d+)"((?: s="\d+")?) t="inlineStr"><is><t(?: xml:space="preserve")?>(.*?)</t></is></c>', re.S
)
_FORMULA = re.compile(r'<c r="([A-Z]+\d+)"((?: s="\d+")?)><f>(.*?)</f><v\s*/></c>', re.S)
_EXCEL_EPOCH = date(1899, 12, 30)


@dataclass(frozen=True)
class ErrorValue:
    """A formula's result that is an error value, such as `#N/A` from `NA()` (a gap in a chart)."""

    code: str


NOT_AVAILABLE = ErrorValue("#N/A")


def finish_workbook(data: bytes, cached: dict[str, dict[str, Any]], stamp: datetime) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    parts = {name: source.read(name) for name in source.namelist()}
    sheets = _sheet_files(parts)
    strings: dict[str, int] = {}
    for title, path in sheets.items():
        xml = parts[path].decode("utf-8")
        xml = _with_results(xml, cached.get(title, {}))
        parts[path] = _share_strings(xml, strings).encode("utf-8")
    if strings:
        parts["xl/sharedStrings.xml"] = _shared_strings_xml(strings)
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b"</Types>",
            b'<Override PartName="/xl/sharedStrings.xml" '
            b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        )
        parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
            b"</Relationships>",
            b'<Relationship Id="rIdSharedStrings" '
            b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
            b'Target="sharedStrings.xml"/></Relationships>',
        )
    stamp_text = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    parts["docProps/core.xml"] = re.sub(
        rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
        rb"\g<1>" + stamp_text + rb"\g<2>",
        parts["docProps/core.xml"],
    )
    return _zip(parts, stamp)


def _sheet_files(parts: dict[str, bytes]) -> dict[str, str]:
    workbook = parts["xl/workbook.xml"].decode("utf-8")
    relations = parts["xl/_rels/workbook.xml.rels"].decode("utf-8")
    targets = {}
    for match in _RELATION.finditer(relations):
        rel_id, target = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
        targets[rel_id] = target
    sheets = {}
    for name, rel_id in _SHEET_PATH.findall(workbook):
        target = targets[rel_id].lstrip("/")
        sheets[_unescape(name)] = target if target.startswith("xl/") else f"xl/{target}"
    return sheets


def _unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


def _with_results(xml: str, values: dict[str, Any]) -> str:
    if not values:
        return xml

    def fill(match: re.Match) -> str:
        ref, style, formula = match.group(1), match.group(2), match.group(3)
        if ref not in values:
            return match.group(0)
        value = values[ref]
        if isinstance(value, ErrorValue):
            return f'<c r="{ref}"{style} t="e"><f>{formula}</f><v>{escape(value.code)}</v></c>'
        if isinstance(value, str):
            return f'<c r="{ref}"{style} t="str"><f>{formula}</f><v>{escape(value)}</v></c>'
        if isinstance(value, bool):
            return f'<c r="{ref}"{style} t="b"><f>{formula}</f><v>{int(value)}</v></c>'
        if isinstance(value, date):
            value = (value - _EXCEL_EPOCH).days
        number = f"{value:.15g}" if isinstance(value, float) else str(value)
        return f'<c r="{ref}"{style}><f>{formula}</f><v>{number}</v></c>'

    return _FORMULA.sub(fill, xml)


def _share_strings(xml: str, strings: dict[str, int]) -> str:
    def share(match: re.Match) -> str:
        text = match.group(3)
        index = strings.setdefault(text, len(strings))
        return f'<c r="{match.group(1)}"{match.group(2)} t="s"><v>{index}</v></c>'

    return _INLINE.sub(share, xml)


def _shared_strings_xml(strings: dict[str, int]) -> bytes:
    items = "".join(f'<si><t xml:space="preserve">{text}</t></si>' for text in strings)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{len(strings)}" '
        f'uniqueCount="{len(strings)}">{items}</sst>'
    ).encode()


def _zip(parts: dict[str, bytes], stamp: datetime) -> bytes:
    when = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second // 2 * 2)
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as package:
        order = ["[Content_Types].xml", *sorted(name for name in parts if name != "[Content_Types].xml")]
        for name in order:
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            package.writestr(info, parts[name])
    return output.getvalue()
