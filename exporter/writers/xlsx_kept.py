"""The tracker's worksheets, with their settings made once per process rather than once per sheet.

openpyxl makes about a dozen settings objects for every worksheet (views, page setup, margins, print
options, protection, header and footer, ...), each attribute through a checking descriptor, and the
tracker then changes a few of them in place: a quarter of a millisecond a sheet, nine sheets a workbook,
for objects that are the same for every sheet in the same state. A `KeptSheet` shares the settings the
tracker leaves as openpyxl makes them, one set per process, and is given the ones it sets whole
(`freeze`, `print_setup`): objects kept per process for the values they are made from, made as the
tracker made them on each sheet. The objects are shared, so nothing changes them in place: a kept
sheet's settings are set only through these functions (its `freeze_panes` is `freeze`), and each shared
object is noted as settled (`xlsx_sheet.settled`): the sheet writer knows its element by the object itself. Everything a sheet
collects (cells, rules, validations, tables, charts, columns and rows) is its own.
"""

from __future__ import annotations

from copy import copy
from typing import Any

from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.packaging.core import DocumentProperties
from openpyxl.packaging.custom import CustomPropertyList
from openpyxl.packaging.relationship import RelationshipList
from openpyxl.styles.differential import DifferentialStyleList
from openpyxl.styles.named_styles import NamedStyle, NamedStyleList
from openpyxl.styles.table import TableStyleList
from openpyxl.utils.datetime import WINDOWS_EPOCH
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.workbook import Workbook
from openpyxl.workbook.defined_name import DefinedNameDict
from openpyxl.workbook.properties import CalcProperties
from openpyxl.workbook.protection import DocumentSecurity
from openpyxl.workbook.views import BookView
from openpyxl.worksheet.dimensions import DimensionHolder
from openpyxl.worksheet.header_footer import HeaderFooter
from openpyxl.worksheet.page import PrintPageSetup
from openpyxl.worksheet.properties import WorksheetProperties
from openpyxl.worksheet.table import Table, TableList
from openpyxl.worksheet.views import SheetViewList
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.functions import tostring

from exporter.kept import Kept
from exporter.writers.xlsx_sheet import settled

SHARED = (
    "HeaderFooter",
    "row_breaks",
    "col_breaks",
    "merged_cells",
    "page_setup",
    "print_options",
    "_print_area",
    "page_margins",
    "views",
    "protection",
    "auto_filter",
    "sheet_properties",
    "scenarios",
)
"""The settings a kept sheet starts with shared, as openpyxl makes them for a new worksheet."""

_DEFAULTS: dict[str, Any] = {}
_NEW: dict[str, Any] = {}
"""A new worksheet's data validations and sheet format, as openpyxl makes them: a kept sheet has a copy of each
(`_fresh`), which it collects into or openpyxl's writers set. Never changed."""
_VIEWS: Kept[SheetViewList] = Kept(16)
_PAGES: Kept[tuple[PrintPageSetup, WorksheetProperties]] = Kept(8)
_FOOTERS: Kept[HeaderFooter] = Kept(16)
"""A footer names its participant: a workbook's sheets share theirs, and a batch keeps the last few."""


class KeptSheet(Worksheet):
    """A worksheet of `workbook` (not yet added to it: `add_sheet`) whose settings are shared (see the
    module): openpyxl's for a new sheet until `freeze` and `print_setup` set kept ones."""

    def __init__(self, workbook: Workbook, title: str):
        self._parent = workbook
        self.title = title
        self._setup()

    def _setup(self) -> None:
        """The attributes `Worksheet._setup` (and its parent's constructor) set: the shared settings, and
        a new object for each one a sheet collects into or openpyxl's writers set."""
        if not _DEFAULTS:
            template = Worksheet(Workbook())
            _DEFAULTS.update((name, getattr(template, name)) for name in SHARED)
            for setting in _DEFAULTS.values():
                settled(setting)
            _NEW.update((name, getattr(template, name)) for name in ("data_validations", "sheet_format"))
        self.__dict__.update(_DEFAULTS)
        self.row_dimensions = DimensionHolder(worksheet=self, default_factory=self._add_row)
        self.column_dimensions = DimensionHolder(worksheet=self, default_factory=self._add_column)
        self._cells: dict = {}
        self._charts: list = []
        self._images: list = []
        self._rels = RelationshipList()
        self._drawing = None
        self._comments: list = []
        self._tables = TableList()
        self._pivots: list = []
        self.data_validations = _fresh(_NEW["data_validations"])
        self._hyperlinks: list = []
        self.sheet_state = "visible"
        self._print_rows = None
        self._print_cols = None
        self.defined_names = DefinedNameDict()
        self._current_row = 0
        self.conditional_formatting = ConditionalFormattingList()
        self.legacy_drawing = None
        self.sheet_format = _fresh(_NEW["sheet_format"])

    @property
    def freeze_panes(self) -> str | None:
        """The top left cell of the part that scrolls (openpyxl's `freeze_panes`); setting it is `freeze`."""
        return Worksheet.freeze_panes.fget(self)

    @freeze_panes.setter
    def freeze_panes(self, top_left: str | None) -> None:
        freeze(self, top_left)


STYLE_TABLES = ("_fonts", "_alignments", "_borders", "_fills", "_number_formats", "_protections", "_cell_styles")
"""The style tables a new workbook starts with a default entry or two in, each an `IndexedList`."""
OBJECT_TABLES = ("_fonts", "_alignments", "_borders", "_fills", "_protections")
"""The tables of style objects, which a `KeptWorkbook` keeps as `StyleTable`s (the cell styles are arrays that a
cell changes in place, the number formats text)."""
_TEMPLATE: list[Workbook] = []
"""A workbook made once per process, whose style tables and Normal style every `KeptWorkbook` starts from; never
changed."""


class KeptWorkbook(Workbook):
    """A workbook as `Workbook()` makes it, but without its first sheet (its sheets are kept ones, `add_sheet`;
    the first title should avoid openpyxl's first sheet's, `FIRST_SHEET`), and with its style tables and Normal
    style copied from those of a workbook made once per process rather than made and hashed entry by entry."""

    def __init__(self) -> None:
        """The attributes `Workbook.__init__` sets, in its order, for a workbook that is not write-only."""
        self._sheets: list = []
        self._pivots: list = []
        self._active_sheet_index = 0
        self.defined_names = DefinedNameDict()
        self._external_links: list = []
        self.properties = DocumentProperties()
        self.custom_doc_props = CustomPropertyList()
        self.security = DocumentSecurity()
        self._Workbook__write_only = False
        self.shared_strings = IndexedList()
        self._setup_styles()
        self.loaded_theme = None
        self.vba_archive = None
        self.is_template = False
        self.code_name = None
        self.epoch = WINDOWS_EPOCH
        self.encoding = "utf-8"
        self.iso_dates = False
        self.rels = RelationshipList()
        self.calculation = CalcProperties()
        self.views = [BookView()]

    def _setup_styles(self) -> None:
        """The style tables `Workbook._setup_styles` makes, copied from the template's (their entries shared: style
        objects are not changed once made), and the Normal style bound to this workbook as it binds it."""
        if not _TEMPLATE:
            _TEMPLATE.append(Workbook())
        template = _TEMPLATE[0]
        for name in STYLE_TABLES:
            setattr(self, name, _copied(getattr(template, name), StyleTable if name in OBJECT_TABLES else IndexedList))
        self._date_formats: dict = {}
        self._timedelta_formats: dict = {}
        self._colors = template._colors
        normal = NamedStyle.__new__(NamedStyle)
        vars(normal).update(vars(template._named_styles[0]), _wb=self, _style=copy(template._named_styles[0]._style))
        self._named_styles = NamedStyleList([normal])
        self._table_styles = TableStyleList()
        self._differential_styles = DifferentialStyleList()


FIRST_SHEET = "Sheet"
"""The title of the sheet `Workbook()` starts with, which a `KeptWorkbook` does not have."""


class StyleTable(IndexedList):
    """An `IndexedList` of a workbook's style objects that finds an object added before by its identity rather than
    by its value (hashing a style object walks every attribute it has): the same indexes for style objects that are
    not changed once added, as the tracker's are (made once per process and added again and again)."""

    def __init__(self) -> None:
        super().__init__()
        self._known: dict[int, int] = {}
        """The index of each object added, by its identity."""
        self._held: list = []
        """Every object added, so no identity in `_known` is reused while the table lives."""

    def add(self, value: Any) -> int:
        """`IndexedList.add`: the index of the value (of the first equal value added), added if new."""
        index = self._known.get(id(value))
        if index is None:
            index = self._known[id(value)] = super().add(value)
            self._held.append(value)
        return index


def _copied(table: IndexedList, kind: type[IndexedList]) -> IndexedList:
    """A copy of the indexed list, of this kind, with the same entries and index, no entry hashed again (a dict's
    copy keeps the hashes it stored)."""
    copied = kind()
    list.extend(copied, table)
    copied._dict = dict(table._dict)
    copied.clean = table.clean
    return copied


class KeptTable(Table):
    """A table that workbooks share, made once per process for what it is made from: openpyxl's package writer sets
    only its number (`id`) and relationship id on it, so its part's XML is made once for each number."""

    __attrs__ = Table.__attrs__  # what openpyxl writes of a table (its metaclass would find none on a subclass)
    __elements__ = Table.__elements__
    __nested__ = Table.__nested__

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._parts: dict[int, bytes] = {}

    def _write(self, archive: Any) -> None:
        """`Table._write`: the part's XML written into the archive."""
        xml = self._parts.get(self.id)
        if xml is None:
            xml = self._parts[self.id] = tostring(self.to_tree())
        archive.writestr(self.path[1:], xml)


def _fresh(template: Any) -> Any:
    """A new object of the template's class with its attributes, as that class's constructor set them on the
    template (their values numbers, text, None or lists: each list a new one with the same items), without the
    constructor's descriptor checks."""
    made = object.__new__(type(template))
    vars(made).update((name, list(value) if type(value) is list else value) for name, value in vars(template).items())
    return made


def add_sheet(workbook: Workbook, title: str) -> KeptSheet:
    """A new kept sheet at the end of the workbook, as `Workbook.create_sheet` adds a sheet."""
    sheet = KeptSheet(workbook, title)
    workbook._add_sheet(sheet)
    return sheet


class _Views:
    """What openpyxl's `freeze_panes` setter works on: a sheet's views and the active one."""

    def __init__(self) -> None:
        self.views = SheetViewList()

    @property
    def sheet_view(self) -> Any:
        return self.views.active


def freeze(sheet: Worksheet, top_left: str | None) -> None:
    """Freeze the rows above and the columns left of `top_left` (None or "A1": nothing), as openpyxl's
    `freeze_panes` does, with views kept per process for the cell."""
    views = _VIEWS.get(top_left)
    if views is None:
        made = _Views()
        Worksheet.freeze_panes.fset(made, top_left)
        views = _VIEWS.keep(top_left, made.views)
        settled(views)
    sheet.views = views


def print_setup(sheet: Worksheet, orientation: str, paper: str, left: str, right: str) -> None:
    """Print the sheet fitted to one page wide, `orientation` on `paper` (openpyxl's paper size code), with
    the footer's left and right parts (header and footer markup, 8-point), with objects kept per process."""
    pages = _PAGES.get((orientation, paper))
    if pages is None:
        setup = PrintPageSetup(orientation=orientation, paperSize=paper, fitToWidth=1, fitToHeight=0)
        properties = WorksheetProperties()
        properties.pageSetUpPr.fitToPage = True
        pages = _PAGES.keep((orientation, paper), (setup, properties))
        settled(setup)
        settled(properties)
    sheet.page_setup, sheet.sheet_properties = pages
    footer = _FOOTERS.get((left, right))
    if footer is None:
        footer = HeaderFooter()
        footer.oddFooter.left.text, footer.oddFooter.left.size = left, 8
        footer.oddFooter.right.text, footer.oddFooter.right.size = right, 8
        footer = _FOOTERS.keep((left, right), footer)
        settled(footer)
    sheet.HeaderFooter = footer
