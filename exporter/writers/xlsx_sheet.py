"""A worksheet's XML written without openpyxl's `WorksheetWriter`, byte for byte as it writes it, for the
sheets whose cells the tracker writes itself (`xlsx_package.sorted_sheet_data`): openpyxl serialised each
sheet's settings (views, print setup, footer, rules, validations) element by element every time, and most of
them are the same for every sheet of a workbook or every participant of a batch.

Each setting's element is openpyxl's own (`to_tree`, written as `WorksheetWriter` writes it), kept per
process by the setting object's state: its class and every attribute, nested objects and sequences
included (`_state`). A sheet with merged cells, comments, a legacy drawing, a table without columns or a
setting whose state holds other kinds of values is left to `WorksheetWriter`: `sheet_xml` returns None. The
columns, the drawing, the table parts and the hyperlinks are written here directly, from the same attributes
and with the same relationships `WorksheetWriter` adds (the links of a sheet whose cells are XML are given
to `sheet_xml`); a sheet's openpyxl cells and row dimensions are written by `WorksheetWriter.write_rows` itself.
"""

from __future__ import annotations

import io
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from openpyxl.compat import safe_string
from openpyxl.descriptors import Strict
from openpyxl.descriptors.container import ElementList
from openpyxl.descriptors.serialisable import Serialisable
from openpyxl.packaging.relationship import Relationship, RelationshipList
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.utils.units import DEFAULT_COLUMN_WIDTH
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.dimensions import ColumnDimension, SheetDimension
from openpyxl.worksheet.hyperlink import Hyperlink, HyperlinkList
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.functions import Element, xmlfile

from exporter.kept import Kept

_START = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
_END = b"</worksheet>"
_EMPTY_SHEET_DATA = b"<sheetData></sheetData>"
_RELATED = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_ELEMENTS: Kept[bytes] = Kept(128)
"""Settings' elements a process keeps: a batch's sheets share about 60; a footer naming its participant is one more
per workbook, so the bound is small and a batch worker's memory flat in the roster's length."""


class _Unsupported(Exception):
    """The sheet holds something `sheet_xml` does not write."""


class SheetColumn:
    """A column's width (openpyxl's default: 13) and hidden mark, as a sheet without column dimensions
    gives them to `sheet_xml`."""

    __slots__ = ("hidden", "width")

    def __init__(self) -> None:
        self.width: float = DEFAULT_COLUMN_WIDTH
        self.hidden = False


def sheet_xml(
    ws: Worksheet, columns: Mapping[int, SheetColumn] | None = None, links: Sequence[Hyperlink] | None = None
) -> tuple[bytes, RelationshipList] | None:
    """The sheet's XML and relationships as `WorksheetWriter(ws).write()` writes them, with the same effects on
    the sheet and its workbook (differential styles registered, rule ids, column bounds and outline, the
    tables' relationship ids, its cells' hyperlinks, no comments); openpyxl cells and row dimensions are
    written by `WorksheetWriter.write_rows`. None for a sheet this does not write (one with merged cells,
    comments, a legacy drawing, a table without columns, or a setting holding values other than text,
    numbers, ranges, openpyxl objects and sequences of them); the sheet's rules may then have registered
    their differential styles and its outline level been set, as `WorksheetWriter` does again.
    `columns` (by number, from 1), for a sheet without column dimensions, are written as openpyxl writes
    column dimensions with the same width and hidden mark. `links`, for a sheet without openpyxl cells (whose
    cells are written as XML), are its cells' links in cell order, written as those of openpyxl's cells."""
    if columns and len(ws.column_dimensions):
        raise ValueError("a sheet's columns are given either as column dimensions or as columns")
    if links and ws._cells:
        raise ValueError("a sheet's links are given either on its cells or as links")
    if ws.merged_cells or ws.legacy_drawing is not None or any(cell._comment for cell in ws._cells.values()):
        return None
    if any(not table.tableColumns for table in ws.tables.values()):
        return None
    try:
        _register_rules(ws)
        top = [_element(ws.sheet_properties), _element(SheetDimension(ws.calculate_dimension())), _element(ws.views)]
        ws.sheet_format.outlineLevelCol = ws.column_dimensions.max_outline  # before the columns set it
        top.append(_element(ws.sheet_format))
        before_links = [_gated(ws.protection), _gated(ws.scenarios), _gated(ws.auto_filter)]
        before_links.extend(_element(formatting) for formatting in ws.conditional_formatting)
        before_links.append(_gated(ws.data_validations))
        after_links = [_gated(setting) for setting in (ws.print_options, ws.page_margins, ws.page_setup)]
        after_links.extend(_gated(setting) for setting in (ws.HeaderFooter, ws.row_breaks, ws.col_breaks))
    except _Unsupported:
        return None
    top.append(_given_cols(ws, columns) if columns else _cols(ws))
    rows = _rows(ws)  # with the hyperlinks of its cells
    if links:
        ws._hyperlinks = list(links)
    rels = RelationshipList()
    hyperlinks = _hyperlinks(ws, rels)
    drawing = _drawing(ws, rels)
    xml = b"".join((_START, *top, rows, *before_links, hyperlinks, *after_links, drawing, _table_parts(ws, rels), _END))
    return xml, rels


def _rows(ws: Worksheet) -> bytes:
    """`WorksheetWriter.write_rows`: the sheet's openpyxl cells (none: an empty `<sheetData>`), as it writes
    them; the hyperlinks of the cells are then the sheet's (`ws._hyperlinks`)."""
    if not ws._cells and not len(ws.row_dimensions):
        ws._hyperlinks, ws._comments = [], []
        return _EMPTY_SHEET_DATA
    writer = WorksheetWriter(ws, out=io.BytesIO())
    writer.write_rows()
    writer.close()
    xml = writer.out.getvalue()
    return xml[xml.index(b"<sheetData") : xml.rindex(b"</worksheet>")]


def _hyperlinks(ws: Worksheet, rels: RelationshipList) -> bytes:
    """`WorksheetWriter.write_hyperlinks`: each link with a target gets its relationship; the links' element
    kept per process for their state (`_element`: a pathway's resources are the same for each participant)."""
    links = ws._hyperlinks
    for link in links:
        if link.target:
            relation = Relationship(type="hyperlink", TargetMode="External", Target=link.target)
            rels.append(relation)
            link.id = relation.id
    return _element(HyperlinkList(links)) if links else b""


def _register_rules(ws: Worksheet) -> None:
    """What `WorksheetWriter.write_formatting` does before writing the rules: each rule's differential style
    registered in the workbook, its id on the rule (registering again finds the same id). A settled formatting
    (`settled`) whose rule gets another id than it had forgets its element."""
    empty, styles = DifferentialStyle(), ws.parent._differential_styles
    for formatting in ws.conditional_formatting:
        for rule in formatting.rules:
            if rule.dxf and rule.dxf != empty:
                number = styles.add(rule.dxf)
                if rule.dxfId != number:
                    rule.dxfId = number
                    _forget(formatting)


def _element(setting: Serialisable) -> bytes:
    """The setting's element as `WorksheetWriter` writes it, made once per process for its state."""
    return _kept_element(setting, gated=False)


def _gated(setting: Serialisable) -> bytes:
    """`_element` of a setting `WorksheetWriter` writes only when it is true (not empty)."""
    return _kept_element(setting, gated=True)


def _kept_element(setting: Serialisable, gated: bool) -> bytes:
    """`_element` or `_gated` of the setting: known by the object itself once written if it is settled (written
    from the object the first time, without working out its state: a settled object is written once, and a
    footer naming its participant is the same as no other), else kept per process for its state."""
    held = _settled(setting)
    if held is not None:
        xml = held.written.get(gated)
        if xml is None:
            xml = held.written[gated] = b"" if gated and not setting else _written(setting.to_tree())
        return xml
    key = ("gated", _state(setting)) if gated else _state(setting)
    xml = _ELEMENTS.get(key)
    if xml is None:
        xml = _ELEMENTS.keep(key, b"" if gated and not setting else _written(setting.to_tree()))
    return xml


class _Settled:
    """A setting that no longer changes and its elements once written, by whether they are gated
    (`_kept_element`)."""

    __slots__ = ("setting", "written")

    def __init__(self, setting: Serialisable):
        self.setting = setting
        self.written: dict[bool, bytes] = {}


_SETTLED: Kept[_Settled] = Kept(128)
"""Settings shared by sheets (`settled`), by their identity; each holds its setting, so the identity is not
reused while it is kept. About 40 in use in a batch (`xlsx_kept`'s objects: a footer a participant; the tracker's
conditional formats, six for a pathway, language and theme)."""


def settled(setting: Serialisable) -> None:
    """Note that the setting, an openpyxl object that sheets share, is not changed any more (in place or in
    any object it holds; but a conditional format's rules' differential style ids, which `sheet_xml` sets and
    checks itself): `sheet_xml` then knows its element by the object itself once it has written it,
    without working out its state at all (so the object holds only what `to_tree` writes as openpyxl's writer
    does, as the settings `xlsx_kept` makes do)."""
    _SETTLED.keep(id(setting), _Settled(setting))


def _forget(setting: Serialisable) -> None:
    """Forget the elements written of a settled setting that changed (`_register_rules`)."""
    held = _settled(setting)
    if held is not None:
        held.written.clear()


def _settled(setting: Serialisable) -> _Settled | None:
    held = _SETTLED.get(id(setting))
    return held if held is not None and held.setting is setting else None


def object_state(value: Serialisable) -> Hashable | None:
    """Everything that shapes an openpyxl object's element (`_state`: its class and attributes, recursively,
    but a parent sheet or workbook), or None for an object holding values of other kinds."""
    try:
        return _state(value)
    except _Unsupported:
        return None


def _state(value: Any) -> Hashable:
    """Everything that shapes the value's element: its class and attributes, recursively (a list's class and
    items, for openpyxl's lists too, whose elements are written from their items alone). Raises
    `_Unsupported` for a value of another kind than those `sheet_xml` names."""
    kind = type(value)
    if kind is str or value is None:
        return value
    if kind is int or kind is float or kind is bool:
        return kind, value
    if kind is MultiCellRange:
        return kind, str(value)
    if isinstance(value, Serialisable | Strict):  # openpyxl objects: their values kept by descriptors
        return kind, *_attribute_states(value)
    if kind is list or kind is tuple or isinstance(value, ElementList | IndexedList):  # written from their items
        return kind, *(_state(item) for item in value)
    raise _Unsupported(kind.__name__)


def _attribute_states(value: Serialisable | Strict) -> list[tuple[str, Hashable]]:
    """(name, `_state`) of each attribute but a parent object (a missing one is kept as None); text,
    numbers and missing values, most of them, without a call each."""
    states = []
    for name, item in vars(value).items():
        kind = type(item)
        if item is None or kind is str:
            states.append((name, item))
        elif kind is bool or kind is int or kind is float:
            states.append((name, (kind, item)))
        elif name != "_parent":  # a sheet or workbook: not part of the element
            states.append((name, _state(item)))
    return states


def _written(element: Any) -> bytes:
    """The element as `WorksheetWriter` writes it into the sheet (through et_xmlfile)."""
    out = io.BytesIO()
    with xmlfile(out) as xf:
        xf.write(element)
    return out.getvalue()


def _cols(ws: Worksheet) -> bytes:
    """The `<cols>` element, as `xlsx_package`'s sheet writer writes it (see `write_cols` there)."""
    columns = ws.column_dimensions
    written, outlines = [], set()
    for column in sorted(columns.values(), key=column_start):
        attributes = column_attributes(column)
        if attributes.keys() != {"min", "max"}:
            outlines.add(column.outlineLevel)
            written.append(_col(attributes))
    if outlines:
        columns.max_outline = max(outlines)
    return b"<cols>" + b"".join(written) + b"</cols>" if written else b""


def _given_cols(ws: Worksheet, columns: Mapping[int, SheetColumn]) -> bytes:
    """`_cols` of column dimensions with these widths and hidden marks (the rest as openpyxl makes them)."""
    written = []
    for number in sorted(columns):
        column = columns[number]
        width = float(column.width)
        attributes = ' hidden="1"' if column.hidden else ""
        if width:
            attributes += f' width="{safe_string(width)}" customWidth="1"'
        if attributes:
            written.append(f'<col{attributes} min="{number}" max="{number}" />')
    if written:
        ws.column_dimensions.max_outline = 0
    return ("<cols>" + "".join(written) + "</cols>").encode() if written else b""


def _col(attributes: dict[str, str]) -> bytes:
    if attributes.keys() <= _PLAIN_COLUMN:  # numbers and flags only: nothing to escape
        return ("<col " + " ".join(f'{name}="{value}"' for name, value in attributes.items()) + " />").encode()
    return _written(Element("col", attributes))


_PLAIN_COLUMN = frozenset(("hidden", "outlineLevel", "collapsed", "width", "bestFit", "customWidth", "min", "max"))


def column_start(column: ColumnDimension) -> int:
    """The column's first index, its bounds set first (`reindex`), as `DimensionHolder.to_tree` sorts them."""
    column.reindex()
    return column.min


def column_attributes(column: ColumnDimension) -> dict[str, str]:
    """`dict(column)`, as `ColumnDimension.to_tree` writes it, without the detour through the workbook's style
    table for a column without a style (whose `style` is 0 and not written)."""
    if column._style is not None and any(column._style):
        return dict(column)
    values = (
        ("hidden", column.hidden),
        ("outlineLevel", column.outlineLevel),
        ("collapsed", column.collapsed),
        ("width", column.width),
        ("bestFit", column.bestFit),
        ("customWidth", column.customWidth),
        ("min", column.min),
        ("max", column.max),
    )
    return {name: safe_string(value) for name, value in values if value}


def _drawing(ws: Worksheet, rels: RelationshipList) -> bytes:
    """`WorksheetWriter.write_drawings`: the drawing's element and relationship, for a sheet with charts or images."""
    if not (ws._charts or ws._images):
        return b""
    relation = Relationship(type="drawing", Target="")
    rels.append(relation)
    return f'<drawing {_RELATED} r:id="{relation.id}" />'.encode()


def _table_parts(ws: Worksheet, rels: RelationshipList) -> bytes:
    """`WorksheetWriter.write_tables` for tables with columns: each table's relationship and part."""
    parts = []
    for table in ws.tables.values():
        relation = Relationship(Type=table._rel_type, Target="")
        rels.append(relation)
        table._rel_id = relation.Id
        parts.append(f'<tablePart {_RELATED} r:id="{relation.Id}" />')
    return f'<tableParts count="{len(parts)}">{"".join(parts)}</tableParts>'.encode() if parts else b""
