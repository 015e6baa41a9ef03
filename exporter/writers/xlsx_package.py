"""Finishing touches on the saved .xlsx package that openpyxl cannot make itself, and the cells of
most sheets, which the tracker writes as XML here rather than as openpyxl cell objects.

- Cells as XML (`sorted_sheet_data`): a cell object per value, styled one attribute at a time and
  serialised element by element, was most of the workbook's time. The tracker keeps each
  sheet's values and styles (registered with openpyxl, which writes the style table), and
  `finish_workbook` writes the cells into the sheets openpyxl saved without them, byte for byte
  as openpyxl writes the same cells (a property test compares them).
- Formula results: each formula cell gets the value it has as written (`<v>`), so viewers that
  do not calculate still show the figures; an `ErrorValue` is written as that error (`#N/A`).
  Programs that calculate replace them on load.
- Shared strings: text goes into a sharedStrings table (openpyxl writes inline strings, which
  some previewers show blank), which every reader supports.
- Reproducible bytes: every zip entry and the document properties carry the build time.
"""

from __future__ import annotations

import copy
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from openpyxl.chart._chart import ChartBase
from openpyxl.descriptors.serialisable import Serialisable
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.packaging.extended import ExtendedProperties
from openpyxl.packaging.relationship import Relationship, RelationshipList, get_rels_path
from openpyxl.styles.stylesheet import write_stylesheet
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook import Workbook
from openpyxl.workbook._writer import WorkbookWriter
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter
from openpyxl.writer.theme import theme_xml
from openpyxl.xml.constants import (
    ARC_APP,
    ARC_CORE,
    ARC_CUSTOM,
    ARC_ROOT_RELS,
    ARC_STYLE,
    ARC_THEME,
    ARC_WORKBOOK,
    ARC_WORKBOOK_RELS,
    CPROPS_TYPE,
    PKG_REL_NS,
)
from openpyxl.xml.functions import Element, tostring

from exporter.kept import Kept
from exporter.writers.markup import escape
from exporter.writers.xlsx_sheet import SheetColumn, column_attributes, column_start, object_state, sheet_xml

_SHEET_PATH = re.compile(r'<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"')
_RELATION = re.compile(
    r'<Relationship [^>]*Id="([^"]+)"[^>]*Target="([^"]+)"|<Relationship [^>]*Target="([^"]+)"[^>]*Id="([^"]+)"'
)
_INLINE = re.compile(
    rb'<c r="([A-Z]+\d+)"((?: s="\d+")?) t="inlineStr"><is><t(?: xml:space="preserve")?>(.*?)</t></is></c>', re.S
)
_EXCEL_EPOCH = date(1899, 12, 30)


@dataclass(frozen=True)
class ErrorValue:
    """A formula's result that is an error value, such as `#N/A` from `NA()` (a gap in a chart)."""

    code: str


NOT_AVAILABLE = ErrorValue("#N/A")


@dataclass(frozen=True)
class Formula:
    """A formula and the value it has when the file is written (for viewers that do not calculate)."""

    text: str
    value: Any


@dataclass(frozen=True)
class SheetData:
    """A sheet's cells as `finish_workbook` writes them into its XML: the range they span (`<dimension>`)
    and its `<sheetData>` content as pieces of XML, but for the pieces at the positions `texts` (in
    ascending order), which are cells' text as XML, shared when the package is finished (each replaced by
    its index in the shared strings). Flat, so a cell is no object of its own."""

    dimension: str
    pieces: tuple[str, ...]
    texts: tuple[int, ...]


_EMPTY_DIMENSION = b'<dimension ref="A1:A1" />'
_EMPTY_SHEET_DATA = b"<sheetData></sheetData>"


def sorted_sheet_data(cells: Iterable[tuple[int, int, Any, int]], heights: Mapping[int, float]) -> SheetData:
    """The cells of a sheet, (row, column, value, cell style id; 0: no style) in (row, column) order, and
    the heights of rows that have one, as `finish_workbook` writes them: byte for byte what openpyxl 3.1 writes
    for the same cells and row heights once `finish_workbook` has shared their strings and filled in their
    formulas' results. A value is text (as a cell holds it, see `xlsx.clean_text`), an int or a finite float, a
    date or a naive date-time (its Excel serial number), a `Formula`, or None (no value: a cell only if it has a
    style, but its row and the dimension count it). Raises TypeError for another kind of value."""
    pieces: list[str] = []
    texts: list[int] = []
    add, mark = pieces.append, texts.append
    pending = ""  # the XML since the last text, not yet a piece
    tall, next_tall = sorted(heights), 0  # the rows with a height, and the first not yet written
    last_row = first_row = 0
    first_column, last_column = 1 << 30, 0
    for number, column, value, style in cells:
        if number != last_row:
            if last_row:
                pending += "</row>"
            while next_tall < len(tall) and tall[next_tall] <= number:
                if tall[next_tall] < number:  # a row with a height and no cells
                    pending += _row_start(tall[next_tall], heights) + "</row>"
                next_tall += 1
            pending += _row_start(number, heights)
            last_row = number
            first_row = first_row or number
        if column < first_column:
            first_column = column
        if column > last_column:
            last_column = column
        if value is None and not style:
            continue
        start = f'<c r="{_letter(column)}{number}" s="{style}"' if style else f'<c r="{_letter(column)}{number}"'
        if type(value) is str or isinstance(value, str):
            add(f'{pending}{start} t="s"><v>')
            mark(len(pieces))
            add(_escaped(value))
            pending = "</v></c>"
        else:
            pending += _cell(start, value)
    if last_row:
        pending += "</row>"
    add(pending + "".join(_row_start(number, heights) + "</row>" for number in tall[next_tall:]))
    if not last_row:
        return SheetData("A1:A1", tuple(pieces), ())
    dimension = f"{_letter(first_column)}{first_row}:{_letter(last_column)}{last_row}"
    return SheetData(dimension, tuple(pieces), tuple(texts))


def _row_start(number: int, heights: Mapping[int, float]) -> str:
    if number in heights:
        return f'<row r="{number}" ht="{heights[number]:.16g}" customHeight="1">'
    return f'<row r="{number}">'


def rows_sheet_data(rows: Sequence[Sequence[Any]], style: Callable[[Any], int]) -> SheetData:
    """`sorted_sheet_data` of rows of values from cell A1, without row heights: each value of row r (from 1)
    at column c (from 1) is the cell (r, c, value, style(value)). `style` must give the same id for values
    of the same type (and, for text, the same first character): it is asked once for each, in cell order."""
    pieces: list[str] = []
    texts: list[int] = []
    add, mark = pieces.append, texts.append
    pending = ""  # the XML since the last text, not yet a piece
    attributes: dict[Any, str] = {}  # ' s="id"' (or nothing) by the type of a value, or the first character of text
    first_row = last_row = last_column = 0
    letters = [_letter(column) for column in range(1, max(map(len, rows), default=0) + 1)]
    for number, values in enumerate(rows, start=1):
        if not values:
            continue
        first_row, last_row, last_column = first_row or number, number, max(last_column, len(values))
        pending += f'<row r="{number}">'
        for letter, value in zip(letters, values, strict=False):  # letters for the longest row
            kind = type(value)
            found = value[:1] if kind is str else kind
            attribute = attributes.get(found)
            if attribute is None:
                cell_style = style(value)
                attribute = attributes[found] = f' s="{cell_style}"' if cell_style else ""
            if kind is str:
                add(f'{pending}<c r="{letter}{number}"{attribute} t="s"><v>')
                mark(len(pieces))
                add(_escaped(value))
                pending = "</v></c>"
            elif value is not None:
                pending += _cell(f'<c r="{letter}{number}"{attribute}', value)
            elif attribute:
                pending += f'<c r="{letter}{number}"{attribute} t="n" />'
        pending += "</row>"
    add(pending)
    if not last_row:
        return SheetData("A1:A1", tuple(pieces), ())
    return SheetData(f"A{first_row}:{_letter(last_column)}{last_row}", tuple(pieces), tuple(texts))


@lru_cache(maxsize=1024)
def _letter(column: int) -> str:
    return get_column_letter(column)


_WINDOWS_EPOCH = datetime(1899, 12, 30)  # openpyxl's WINDOWS_EPOCH
_SECONDS_A_DAY = 86400


def _serial(moment: datetime) -> float:
    """`openpyxl.utils.datetime.to_excel` of a naive date-time, the same arithmetic in the same order without its
    checks for other kinds of value."""
    days = (moment - _WINDOWS_EPOCH).days
    if 0 < days <= 60:
        days -= 1
    seconds = moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 10**6
    return days + seconds / _SECONDS_A_DAY


def _cell(start: str, value: Any) -> str:
    """A cell (its tag up to the attributes) holding a value that is not text, as `sorted_sheet_data`
    documents it; the kinds nearly every cell holds are told by their exact type first."""
    kind = type(value)
    if kind is int or kind is float:
        return f'{start} t="n"><v>{format(value, ".16g")}</v></c>'
    if kind is datetime:
        return f'{start} t="n"><v>{format(_serial(value), ".16g")}</v></c>'
    if kind is date:
        return f'{start} t="n"><v>{format(to_excel(value), ".16g")}</v></c>'
    if value is None:
        return f'{start} t="n" />'
    if isinstance(value, Formula):
        return _formula_cell(start, escape(value.text), value.value)
    if isinstance(value, bool) or not isinstance(value, int | float | date):
        raise TypeError(f"a cell holds text, a number, a date or a formula, not {type(value).__name__}")
    return f'{start} t="n"><v>{format(to_excel(value) if isinstance(value, date) else value, ".16g")}</v></c>'


@lru_cache(maxsize=4096)
def _escaped(text: str) -> str:
    """Text as XML character data. Cached: the pathway's own text recurs in every workbook."""
    return escape(text)


def _formula_cell(start: str, formula: str, value: Any) -> str:
    """A formula cell (its tag up to the attributes, the formula as XML) with its result as written."""
    if isinstance(value, ErrorValue):
        return f'{start} t="e"><f>{formula}</f><v>{escape(value.code)}</v></c>'
    if isinstance(value, str):
        return f'{start} t="str"><f>{formula}</f><v>{escape(value)}</v></c>'
    if isinstance(value, bool):
        return f'{start} t="b"><f>{formula}</f><v>{int(value)}</v></c>'
    if isinstance(value, date):
        value = (value - _EXCEL_EPOCH).days
    number = f"{value:.15g}" if isinstance(value, float) else str(value)
    return f"{start}><f>{formula}</f><v>{number}</v></c>"


def _sheet_data_xml(cells: SheetData, strings: dict[str, int]) -> str:
    """The `<sheetData>` content of the cells, their text added to the shared strings in cell order."""
    parts, share = list(cells.pieces), strings.setdefault
    for position in cells.texts:
        parts[position] = str(share(parts[position], len(strings)))
    return "".join(parts)


class _Parts(dict[str, bytes]):
    """The parts of a package by name, as openpyxl's writer writes them into a zip archive."""

    def writestr(self, name: str, data: str | bytes) -> None:
        """The part `name`, text as UTF-8."""
        self[name] = data.encode("utf-8") if isinstance(data, str) else data

    def namelist(self) -> list[str]:
        """The parts' names, in the order they were written."""
        return list(self)

    def close(self) -> None:
        """Nothing to close: the parts stay in memory."""


class _PartsWriter(ExcelWriter):
    """openpyxl's writer, writing into `_Parts` and each sheet into memory (its own writer goes through
    a temporary file per sheet), and the stylesheet once per process for each set of styles (`_stylesheet`).
    Not for write-only workbooks or workbooks with macros."""

    def write_data(self) -> None:
        """The parts `ExcelWriter.write_data` writes, in its order, from the same objects."""
        archive, workbook = self._archive, self.workbook
        archive.writestr(ARC_APP, _tree_xml(ExtendedProperties()))
        archive.writestr(ARC_CORE, tostring(workbook.properties.to_tree()))
        archive.writestr(ARC_THEME, workbook.loaded_theme or theme_xml)
        if len(workbook.custom_doc_props) >= 1:
            archive.writestr(ARC_CUSTOM, _tree_xml(workbook.custom_doc_props))
            self.manifest.append(_CustomProperties())
        self._write_worksheets()
        self._write_chartsheets()
        self._write_images()
        self._write_charts()
        self._write_external_links()
        archive.writestr(ARC_STYLE, _stylesheet(workbook))
        writer = _WorkbookWriter(workbook)
        archive.writestr(ARC_ROOT_RELS, writer.write_root_rels())
        archive.writestr(ARC_WORKBOOK, writer.write())
        archive.writestr(ARC_WORKBOOK_RELS, writer.write_rels())
        self._write_manifest()

    def _write_manifest(self) -> None:
        """What `Manifest._write` writes for a workbook without macros, its XML made once per process for its
        state (`_tree_xml`)."""
        manifest = self.manifest
        manifest.append(self.workbook)
        manifest._register_mimetypes(filenames=self._archive.namelist())
        self._archive.writestr(manifest.path, _tree_xml(manifest))

    def __init__(
        self,
        workbook: Workbook,
        archive: _Parts,
        chart_keys: Mapping[int, Hashable],
        columns: Mapping[str, Mapping[int, SheetColumn]],
        links: Mapping[str, Sequence[Hyperlink]],
    ):
        """The writer of `workbook` into `archive`; `chart_keys` maps id(chart) to what shapes its XML, `columns`
        a sheet's title to its columns, `links` to its links (see `workbook_parts`)."""
        super().__init__(workbook, archive)
        self._links = links
        self._chart_keys = chart_keys
        self._columns = columns

    def _write_charts(self) -> None:
        """The charts `ExcelWriter._write_charts` writes, each chart's XML made once per process for its key."""
        if len(self._charts) != len(set(self._charts)):
            raise InvalidFileException("The same chart cannot be used in more than one worksheet")
        for chart in self._charts:
            self._archive.writestr(chart.path[1:], _chart_xml(chart, self._chart_keys.get(id(chart))))
            self.manifest.append(chart)

    def _write_drawing(self, drawing: SpreadsheetDrawing) -> None:
        """`ExcelWriter._write_drawing`, the XML of a drawing of charts anchored at a cell (no images) and of its
        relationships made once per process for each chart's anchor, size and part (`_DRAWINGS`)."""
        if drawing.images or any(type(chart.anchor) is not str for chart in drawing.charts):
            super()._write_drawing(drawing)
            return
        self._drawings.append(drawing)
        drawing._id = len(self._drawings)
        for chart in drawing.charts:
            self._charts.append(chart)
            chart._id = len(self._charts)
        key = tuple((chart.anchor, chart.width, chart.height, chart.path) for chart in drawing.charts)
        xml = _DRAWINGS.get(key)
        if xml is None:
            xml = _DRAWINGS.keep(key, (tostring(drawing._write()), tostring(drawing._write_rels())))
        self._archive.writestr(drawing.path[1:], xml[0])
        self._archive.writestr(get_rels_path(drawing.path)[1:], xml[1])
        self.manifest.append(drawing)

    def write_worksheet(self, ws: Worksheet) -> None:
        """The sheet as `ExcelWriter.write_worksheet` writes it, into memory rather than a temporary file, and
        without `WorksheetWriter` where `xlsx_sheet.sheet_xml` writes it."""
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        columns, links = self._columns.get(ws.title), self._links.get(ws.title)
        written = sheet_xml(ws, columns, links)
        if written is None and links:
            raise ValueError("a sheet given links must be one `xlsx_sheet.sheet_xml` writes")
        if written is None:
            for number, column in (columns or {}).items():
                dimension = ws.column_dimensions[get_column_letter(number)]
                dimension.width, dimension.hidden = column.width, column.hidden
            writer = _SheetWriter(ws, out=io.BytesIO())
            writer.write()
            xml, ws._rels = writer.out.getvalue(), writer._rels
        else:
            xml, ws._rels = written
        self._archive.writestr(ws.path[1:], xml)
        self.manifest.append(ws)


class _WorkbookWriter(WorkbookWriter):
    """openpyxl's writer of the workbook's own parts (for a workbook without macros), each part's XML made
    once per process for the state it is written from (`_tree_xml`)."""

    def write(self) -> bytes:
        """`WorkbookWriter.write`, with the same effects on the workbook (local names' sheets, the active tab)."""
        self.write_properties()
        self.write_worksheets()
        self.write_names()
        self.write_pivots()
        self.write_views()
        self.write_refs()
        return _tree_xml(self.package)

    def write_rels(self) -> bytes:
        """`WorkbookWriter.write_rels`: the sheets' relationships (`write`), the styles' and the theme's."""
        self.rels.append(Relationship(type="styles", Target="styles.xml"))
        self.rels.append(Relationship(type="theme", Target="theme/theme1.xml"))
        return _tree_xml(self.rels)

    def write_root_rels(self) -> bytes:
        """`WorkbookWriter.write_root_rels`: the workbook's, the properties' and the custom properties'."""
        rels = RelationshipList()
        rels.append(Relationship(type="officeDocument", Target=ARC_WORKBOOK))
        rels.append(Relationship(Type=f"{PKG_REL_NS}/metadata/core-properties", Target=ARC_CORE))
        rels.append(Relationship(type="extended-properties", Target=ARC_APP))
        if len(self.wb.custom_doc_props) >= 1:
            rels.append(Relationship(type="custom-properties", Target=ARC_CUSTOM))
        return _tree_xml(rels)


_TREES: Kept[bytes] = Kept(64)
"""Package parts kept by the state they are written from: about 8 a workbook, the same for every participant who
shares a language and pathway."""


def _tree_xml(value: Serialisable) -> bytes:
    """`tostring(value.to_tree())` of an openpyxl object, made once per process for its state
    (`xlsx_sheet.object_state`; each time for an object holding other kinds of values). Only for objects whose
    `to_tree` has no effect a later step reads (the manifest's adds its extensions' defaults to itself)."""
    key = object_state(value)
    if key is None:
        return tostring(value.to_tree())
    xml = _TREES.get(key)
    return _TREES.keep(key, tostring(value.to_tree())) if xml is None else xml


_CHARTS: Kept[bytes] = Kept(64)
_DRAWINGS: Kept[tuple[bytes, bytes]] = Kept(16)
"""Drawings' XML and their relationships', by their charts' anchors, sizes and parts: the same for every participant
who shares a pathway (a tracker has two)."""


def _chart_xml(chart: ChartBase, key: Hashable | None) -> bytes:
    """The chart's XML as openpyxl writes it; once per process for a key (None: no key, made each time)."""
    if key is None:
        return tostring(chart._write())
    xml = _CHARTS.get(key)
    return _CHARTS.keep(key, tostring(chart._write())) if xml is None else xml


class _SheetWriter(WorksheetWriter):
    """openpyxl's sheet writer, with the columns' element made from their attributes directly."""

    def write_cols(self) -> None:
        """The element `DimensionHolder.to_tree` makes, with the same side effects: each column's bounds set
        (`reindex`) and the holder's `max_outline` (a column without a style keeps no style array)."""
        columns = self.ws.column_dimensions
        element, outlines = Element("cols"), set()
        for column in sorted(columns.values(), key=column_start):
            attributes = column_attributes(column)
            if attributes.keys() != {"min", "max"}:
                outlines.add(column.outlineLevel)
                element.append(Element("col", attributes))
        if outlines:
            columns.max_outline = max(outlines)
        self.xf.send(element if len(element) else None)


@dataclass(frozen=True)
class _CustomProperties:
    """The custom properties' entry in the manifest, as `ExcelWriter.write_data` adds it."""

    path: str = "/" + ARC_CUSTOM
    mime_type: str = CPROPS_TYPE


_STYLESHEETS: Kept[tuple[bytes, tuple]] = Kept(16)
"""Stylesheets by the tables they are written from (`_stylesheet`), each with the style objects its key names by
identity."""


def _stylesheet(workbook: Workbook) -> bytes:
    """openpyxl's stylesheet of the workbook (`write_stylesheet`), made once per process for each set of
    styles. The key holds every table it is written from: the style objects (fonts, fills, borders, differential
    styles, alignments and protections, the named styles' too) by their identity, which the kept stylesheet holds
    them for, so none is reused while it is kept (style objects are not changed once registered: openpyxl hands a
    cell's out as read-only proxies, and the tracker's own are made once per process and shared); the rest by
    value, copied, so a later change to a workbook's own object cannot change a key."""
    objects = (
        tuple(workbook._fonts),
        tuple(workbook._fills),
        tuple(workbook._borders),
        tuple(workbook._differential_styles.styles),
        tuple(workbook._alignments),
        tuple(workbook._protections),
        tuple((style.alignment, style.protection) for style in workbook._named_styles),
    )
    named = tuple((style.name, style.builtinId, style.hidden, tuple(style._style)) for style in workbook._named_styles)
    key = (
        tuple(tuple(map(id, table)) for table in objects[:-1]),
        tuple((id(alignment), id(protection)) for alignment, protection in objects[-1]),
        tuple(workbook._colors),
        tuple(workbook._number_formats),
        tuple(tuple(style) for style in workbook._cell_styles),
        named,
        workbook._table_styles,
    )
    kept = _STYLESHEETS.get(key)
    if kept is None:
        kept = _STYLESHEETS.keep(copy.deepcopy(key), (tostring(write_stylesheet(workbook)), objects))
    return kept[0]


def workbook_parts(
    workbook: Workbook,
    chart_keys: Mapping[int, Hashable] | None = None,
    columns: Mapping[str, Mapping[int, SheetColumn]] | None = None,
    links: Mapping[str, Sequence[Hyperlink]] | None = None,
) -> dict[str, bytes]:
    """The parts of the package openpyxl writes for the (not write-only) workbook, by name, as
    `ExcelWriter` writes them into a zip archive: the same bytes, without the archive. Unlike
    `Workbook.save`, leaves the properties' time as it is. `chart_keys` (by the id of a chart of the
    workbook) holds a key for each chart whose XML is the same whenever the key is: made once per process.
    `columns` (by sheet title) gives sheets without column dimensions of their own their columns' widths
    and hidden marks, written as openpyxl writes column dimensions with the same width and hidden mark.
    `links` (by sheet title) gives sheets without openpyxl cells their cells' links, in cell order (see
    `xlsx_sheet.sheet_xml`)."""
    if workbook.write_only or workbook.vba_archive:
        raise ValueError("a write-only workbook writes its sheets as it goes, and macros are not kept")
    parts = _Parts()
    _PartsWriter(workbook, parts, chart_keys or {}, columns or {}, links or {}).save()
    return dict(parts)


def finish_workbook(saved: Mapping[str, bytes], stamp: datetime, cells: dict[str, SheetData]) -> bytes:
    """The package whose parts openpyxl `saved` (`workbook_parts`) with the `cells` (sheet title -> its
    cells, `sorted_sheet_data`) written into those sheets, which it saved without cells; every string shared;
    the build time as every entry's and the properties' time."""
    parts = dict(saved)
    sheets = _sheet_files(parts)
    strings: dict[str, int] = {}
    for title, path in sheets.items():
        xml = parts[path]
        parts[path] = _with_cells(xml, cells[title], strings) if title in cells else _share_strings(xml, strings)
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


def _with_cells(xml: bytes, cells: SheetData, strings: dict[str, int]) -> bytes:
    """The sheet's XML (UTF-8, saved without cells) with the cells in its `<sheetData>` and their range as its
    `<dimension>`."""
    if xml.count(_EMPTY_SHEET_DATA) != 1 or xml.count(_EMPTY_DIMENSION) != 1:
        raise ValueError("a sheet whose cells are written as XML must be saved without cells")
    xml = xml.replace(_EMPTY_DIMENSION, f'<dimension ref="{cells.dimension}" />'.encode())
    return xml.replace(_EMPTY_SHEET_DATA, f"<sheetData>{_sheet_data_xml(cells, strings)}</sheetData>".encode())


def _share_strings(xml: bytes, strings: dict[str, int]) -> bytes:
    """The sheet's XML (UTF-8) with each inline string openpyxl wrote a shared one."""

    def share(match: re.Match) -> bytes:
        index = strings.setdefault(match.group(3).decode(), len(strings))
        return b'<c r="%s"%s t="s"><v>%d</v></c>' % (match.group(1), match.group(2), index)

    return _INLINE.sub(share, xml)


_SHARED_START, _SHARED_END = '<si><t xml:space="preserve">', "</t></si>"
_SHARED_BETWEEN = _SHARED_END + _SHARED_START


def _shared_strings_xml(strings: dict[str, int]) -> bytes:
    """The shared strings' table: the texts (as XML), in the order of their indexes."""
    items = f"{_SHARED_START}{_SHARED_BETWEEN.join(strings)}{_SHARED_END}" if strings else ""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{len(strings)}" '
        f'uniqueCount="{len(strings)}">{items}</sst>'
    ).encode()


DEFLATE_LEVEL = zlib.Z_BEST_SPEED
"""zlib's level for the package's parts: its fastest, which deflates a tracker's own parts (sheets, shared strings)
with about half the work of the default level 6, for a file about an eighth larger."""
_DEFLATED: Kept[tuple[int, bytes]] = Kept(64)
"""Parts deflated before, by their bytes, with their CRC: the parts that are the same for every participant of a
batch (about 20 a workbook, more for several languages or pathways) stay while each workbook's own parts come and
go; the bound keeps a batch worker's memory flat."""
_ZIP_INFO = zipfile.ZipInfo()  # zipfile's defaults for an entry: system and versions
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # zipfile's structFileHeader
_CENTRAL_HEADER = struct.Struct("<4s4B4HL2L5H2L")  # zipfile's structCentralDir
_END_RECORD = struct.Struct("<4s4H2LH")  # zipfile's structEndArchive
_READ_WRITE = 0o644 << 16
_UTF8_NAME = 1 << 11


def _zip(parts: dict[str, bytes], stamp: datetime) -> bytes:
    """The zip archive of the parts, [Content_Types].xml first and the rest by name, every entry deflated and
    stamped with `stamp` (from 1980): byte for byte what `zipfile.ZipFile(..., "w", ZIP_DEFLATED)` writes into
    memory for `writestr(ZipInfo(name, stamp), data, compresslevel=DEFLATE_LEVEL)` with read-write permissions,
    each part deflated once per
    process for its bytes (`_deflated`). Raises ValueError for a package that would need ZIP64 extensions."""
    if len(parts) > 0xFFFF or sum(map(len, parts.values())) * 1.05 > zipfile.ZIP64_LIMIT:
        raise ValueError("a package this large needs ZIP64 extensions, which the tracker does not write")
    dos_time = stamp.hour << 11 | stamp.minute << 5 | stamp.second // 2
    dos_date = (max(stamp.year, 1980) - 1980) << 9 | stamp.month << 5 | stamp.day
    entries, directory, offset = [], [], 0
    for name in ["[Content_Types].xml", *sorted(name for name in parts if name != "[Content_Types].xml")]:
        data = parts[name]
        crc, deflated = _deflated(data)
        file_name, flags = _entry_name(name)
        sizes = (crc, len(deflated), len(data), len(file_name))
        local = _LOCAL_HEADER.pack(
            b"PK\x03\x04", _ZIP_INFO.extract_version, 0, flags, zipfile.ZIP_DEFLATED, dos_time, dos_date, *sizes, 0
        )
        entries += (local, file_name, deflated)
        directory += (
            _CENTRAL_HEADER.pack(
                b"PK\x01\x02",
                _ZIP_INFO.create_version,
                _ZIP_INFO.create_system,
                _ZIP_INFO.extract_version,
                0,
                flags,
                zipfile.ZIP_DEFLATED,
                dos_time,
                dos_date,
                *sizes,
                0,
                0,
                0,
                0,
                _READ_WRITE,
                offset,
            ),
            file_name,
        )
        offset += len(local) + len(file_name) + len(deflated)
    listing = b"".join(directory)
    end = _END_RECORD.pack(b"PK\x05\x06", 0, 0, len(parts), len(parts), len(listing), offset, 0)
    return b"".join(entries) + listing + end


def _deflated(data: bytes) -> tuple[int, bytes]:
    """The CRC of the data and the data deflated as zipfile deflates an entry at `DEFLATE_LEVEL`; kept per process
    for the bytes."""
    kept = _DEFLATED.get(data)
    if kept is None:
        compressor = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, -15)
        kept = _DEFLATED.keep(data, (zlib.crc32(data), compressor.compress(data) + compressor.flush()))
    return kept


def _entry_name(name: str) -> tuple[bytes, int]:
    """An entry's name as zipfile writes it, and the flag it sets for a name that is not ASCII. Raises ValueError
    for a name zipfile changes (one with a NUL, or a backslash where that separates folders)."""
    if "\0" in name or "\\" in name:
        raise ValueError(f"a part's name holds a NUL or a backslash: {name!r}")
    return (name.encode("ascii"), 0) if name.isascii() else (name.encode("utf-8"), _UTF8_NAME)
