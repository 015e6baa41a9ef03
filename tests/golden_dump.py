"""Golden outputs: normalised, human-diffable text dumps of everything the CLI writes.

The normalisers (`dump_ics`, `dump_xlsx`, `dump_pdf`) are pure functions of one output each. `generate`
runs the installed command as a user would (a subprocess, fixed SOURCE_DATE_EPOCH and zone) for one
case and writes the dumps into a folder. `tests/update_golden.py` writes them to tests/golden/<case>/;
`tests/test_golden.py` writes them to a temporary folder and compares.

Regenerate after an intended change to an output, then review the diff:

    python tests/update_golden.py
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from datetime import date, datetime, time, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parent
GOLDEN = TESTS / "golden"

# 2027-01-01T00:00:00Z: every stamp in the outputs (DTSTAMP, document dates, "Generated", TODAY()).
SOURCE_DATE_EPOCH = "1798761600"

PLAN_OPTIONS = [
    "--start",
    "2027-01-04",
    "--timezone",
    "America/New_York",
    "--name",
    "Zoë Ødegård",
    "--holidays",
    "US",
]

# case -> (pathway argument, or none for the default built-in pathway; extra plan options)
CASES: dict[str, tuple[list[str], list[str]]] = {
    "builtin": ([], []),
    "tricky": (
        [str(TESTS / "fixtures" / "tricky.toml")],
        ["--availability", "tue 19:00-21:00; sat 09:00-12:30", "--blackout", "2027-02-01..2027-02-07"],
    ),
    # The built-in pathway in each language of the catalogue, with that country's holidays and zone.
    **{
        f"builtin-{language}": (
            [],
            ["--lang", language, "--holidays", place, "--timezone", zone, "--blackout", "2027-02-01..2027-02-07"],
        )
        for language, place, zone in (
            ("de", "DE-BE", "Europe/Berlin"),
            ("es", "ES-MD", "Europe/Madrid"),
            ("fr", "FR", "Europe/Paris"),
            ("pt-BR", "BR", "America/Sao_Paulo"),
        )
    },
}

# The files written per case, in the order they are written.
DUMPS = ("plan.ics.txt", "tracker.xlsx.txt", "plan.pdf.txt", "plan.json", "plan.txt")


# --- the calendar ------------------------------------------------------------------------------------


def dump_ics(data: bytes) -> str:
    """The calendar as text, one content line per line.

    Contract: RFC 5545 folding (CRLF followed by one space or tab) is undone on the bytes, so a fold
    inside a multi-byte UTF-8 sequence unfolds cleanly; the bytes are then decoded as UTF-8 (invalid
    bytes shown as backslash escapes, never an error) and every CRLF becomes LF. A lone CR or LF (not
    part of a CRLF) is a fault in an .ics, so it is kept visible as `<CR>` / `<LF>` inside its line.
    Nothing else is dropped or rewritten: DTSTAMP and the build time comes from SOURCE_DATE_EPOCH.
    """
    unfolded = data.replace(b"\r\n ", b"").replace(b"\r\n\t", b"")
    text = unfolded.decode("utf-8", errors="backslashreplace")
    lines = text.split("\r\n")
    lines = [line.replace("\r", "<CR>").replace("\n", "<LF>") for line in lines]
    return "\n".join(lines)


# --- the workbook -----------------------------------------------------------------------------------


def _value(value: Any) -> str:
    """One cell value, unambiguous: text JSON-quoted (so text `=X` differs from the formula =X)."""
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return f"timedelta({value.total_seconds():g}s)"
    if isinstance(value, int | float):
        return repr(value)
    text = getattr(value, "text", None)  # ArrayFormula / DataTableFormula
    if text is not None:
        return f"{{{text}}} (array {getattr(value, 'ref', '?')})"
    return f"{type(value).__name__}({value!r})"


def _formula_or_value(cell: Any) -> str:
    if cell.data_type == "f":
        value = cell.value
        return value if isinstance(value, str) else _value(value)
    return _value(cell.value)


def _rich_text(text: Any) -> str | None:
    """The plain text of a chart title or axis title (a Title, Text or RichText), else None."""
    if text is None:
        return None
    if isinstance(text, str):
        return text
    tx = getattr(text, "tx", None)
    if tx is not None:
        if getattr(tx, "strRef", None) is not None:
            return f"ref {tx.strRef.f}"
        text = tx.rich
    paragraphs = getattr(text, "p", None) or []
    runs = ["".join(run.t or "" for run in (paragraph.r or [])) for paragraph in paragraphs]
    return "\\n".join(runs) if runs else None


def _anchor_cell(anchor: Any) -> str:
    from openpyxl.utils import get_column_letter

    start = getattr(anchor, "_from", None)
    if start is None:
        return str(anchor)
    return f"{get_column_letter(start.col + 1)}{start.row + 1}"


def _series_ref(ref: Any) -> str | None:
    if ref is None:
        return None
    for kind in ("numRef", "strRef"):
        inner = getattr(ref, kind, None)
        if inner is not None:
            return inner.f
    return "literal"


def _column_widths(ws: Any) -> list[str]:
    """Column widths with equal neighbours merged: `F:BC 3.2`."""
    from openpyxl.utils import get_column_letter

    spans: list[list[Any]] = []  # [first, last, width]
    for dim in sorted(ws.column_dimensions.values(), key=lambda d: d.min or 0):
        if not dim.customWidth or dim.min is None:
            continue
        first, last = dim.min, dim.max or dim.min
        if spans and spans[-1][1] + 1 == first and spans[-1][2] == dim.width:
            spans[-1][1] = last
        else:
            spans.append([first, last, dim.width])
    out = []
    for first, last, width in spans:
        letters = get_column_letter(first) + (f":{get_column_letter(last)}" if last != first else "")
        out.append(f"{letters} {width:g}")
    return out


def _hidden_columns(ws: Any) -> list[str]:
    from openpyxl.utils import get_column_letter

    out = []
    for dim in sorted(ws.column_dimensions.values(), key=lambda d: d.min or 0):
        if dim.hidden and dim.min is not None:
            first, last = get_column_letter(dim.min), get_column_letter(dim.max or dim.min)
            out.append(first if first == last else f"{first}:{last}")
    return out


def _header_footer(ws: Any) -> list[str]:
    out = []
    for part in ("oddHeader", "oddFooter", "evenHeader", "evenFooter", "firstHeader", "firstFooter"):
        item = getattr(ws, part)
        for side in ("left", "center", "right"):
            text = getattr(item, side).text
            if text:
                out.append(f"  {part}.{side}: {json.dumps(text, ensure_ascii=False)}")
    return out


def _sheet(ws: Any, cached_ws: Any) -> list[str]:
    out = [f"== sheet {json.dumps(ws.title, ensure_ascii=False)}"]
    if ws.sheet_state != "visible":
        out.append(f"state: {ws.sheet_state}")
    out.append(f"dimensions: {ws.dimensions}")
    out.append(f"freeze panes: {ws.freeze_panes or '(none)'}")
    out.append(f"hidden columns: {', '.join(_hidden_columns(ws)) or '(none)'}")
    out.append(f"column widths: {', '.join(_column_widths(ws)) or '(none)'}")
    if ws.merged_cells.ranges:
        out.append(f"merged: {', '.join(sorted(str(r) for r in ws.merged_cells.ranges))}")
    if ws.auto_filter.ref:
        out.append(f"auto filter: {ws.auto_filter.ref}")

    setup = ws.page_setup
    fit = ws.sheet_properties.pageSetUpPr
    out.append("print:")
    out.append(f"  orientation: {setup.orientation}, paper size: {setup.paperSize}")
    if fit is not None and fit.fitToPage:
        out.append(f"  fit to page: {setup.fitToWidth} wide x {setup.fitToHeight} tall")
    out.append(f"  print titles: rows {ws.print_title_rows or '-'}, columns {ws.print_title_cols or '-'}")
    if ws.print_area:
        out.append(f"  print area: {ws.print_area}")
    out += _header_footer(ws)

    local_names = getattr(ws, "defined_names", {}) or {}
    for name in sorted(local_names):
        out.append(f"local name: {name} = {local_names[name].attr_text}")

    for table in sorted(ws.tables.values(), key=lambda t: t.name):
        style = table.tableStyleInfo.name if table.tableStyleInfo is not None else "-"
        out.append(f"table: {table.name} {table.ref} style {style}")

    validations = sorted(
        ws.data_validations.dataValidation, key=lambda v: (str(v.sqref), v.type or "", v.formula1 or "")
    )
    for dv in validations:
        parts = [f"type={dv.type}", f"formula1={dv.formula1}"]
        if dv.formula2 is not None:
            parts.append(f"formula2={dv.formula2}")
        if dv.operator:
            parts.append(f"operator={dv.operator}")
        parts.append(f"allow_blank={bool(dv.allow_blank)}")
        out.append(f"validation: {dv.sqref} {' '.join(parts)}")

    rules = []
    for conditional in ws.conditional_formatting:
        for rule in conditional.rules:
            rules.append((str(conditional.sqref), rule))
    for sqref, rule in sorted(rules, key=lambda item: (item[1].priority or 0, item[0])):
        parts = [f"priority={rule.priority}", f"type={rule.type}"]
        if rule.operator:
            parts.append(f"operator={rule.operator}")
        if rule.formula:
            parts.append("formula=" + " | ".join(rule.formula))
        if rule.stopIfTrue:
            parts.append("stop")
        if rule.dataBar is not None:
            ends = [f"{c.type}{'' if c.val is None else ' ' + str(c.val)}" for c in rule.dataBar.cfvo]
            parts.append("databar=" + "..".join(ends))
        if rule.colorScale is not None:
            parts.append(f"colorscale={len(rule.colorScale.cfvo)}")
        if rule.iconSet is not None:
            parts.append(f"iconset={rule.iconSet.iconSet}")
        out.append(f"conditional: {sqref} {' '.join(parts)}")

    for chart in sorted(ws._charts, key=lambda c: (_anchor_cell(c.anchor), c.tagname)):
        out.append(
            f"chart: {chart.tagname} at {_anchor_cell(chart.anchor)} title {json.dumps(_rich_text(chart.title), ensure_ascii=False)}"
        )
        for axis_name in ("x_axis", "y_axis"):
            axis = getattr(chart, axis_name, None)
            title = _rich_text(getattr(axis, "title", None)) if axis is not None else None
            if title:
                out.append(f"  {axis_name} title {json.dumps(title, ensure_ascii=False)}")
        for series in chart.series:
            name = _series_ref(series.tx) if series.tx is not None else None
            values = _series_ref(series.val) if getattr(series, "val", None) is not None else None
            categories = _series_ref(series.cat) if getattr(series, "cat", None) is not None else None
            out.append(f"  series name={name} values={values} categories={categories}")
    if ws._images:
        out.append(f"images: {len(ws._images)}")

    out.append("cells:")
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None and cell.hyperlink is None and cell.comment is None:
                continue
            line = f"  {cell.coordinate} {_formula_or_value(cell)}"
            if cell.data_type == "f":
                line += f" [cached: {_value(cached_ws[cell.coordinate].value)}]"
            if cell.number_format and cell.number_format != "General":
                line += f" [fmt: {cell.number_format}]"
            if cell.hyperlink is not None:
                target = cell.hyperlink.target or f"#{cell.hyperlink.location}"
                line += f" [link: {target}]"
            if cell.comment is not None:
                line += f" [comment: {json.dumps(cell.comment.text, ensure_ascii=False)}]"
            out.append(line)
    return out


def dump_xlsx(data: bytes) -> str:
    """The workbook as text: what a reviewer needs to see changed, never styles or XML layout.

    Contract: read with openpyxl twice (formulas, and cached results with data_only=True). Lists the
    document properties, calculation settings and sheet order, workbook defined names (sorted), then
    per sheet in workbook order: name, dimensions, freeze panes, hidden columns, custom column widths
    (equal neighbours merged, `F:BC 3.2`), print settings (orientation, paper size, fit to page, print
    titles, print area, header/footer texts), sheet-local names, tables (by name), data validations
    (by range), conditional formats (by priority), charts (type, anchor, title, axis titles, series
    references), then every non-empty cell in row-major order:
    `A1 <value or =formula> [cached: ...] [fmt: number_format] [link: target] [comment: ...]`.
    Text values are JSON-quoted (text "=SUM(A1)" is not the formula =SUM(A1)); numbers are repr'd;
    dates ISO. `fmt` is omitted for General. Output depends only on the file's content.
    """
    import warnings

    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(BytesIO(data))
        cached = openpyxl.load_workbook(BytesIO(data), data_only=True)

    props = book.properties
    out = ["== document"]
    for field in ("title", "subject", "creator", "keywords", "description", "lastModifiedBy", "created", "modified"):
        out.append(f"{field}: {_value(getattr(props, field))}")
    calc = book.calculation
    out.append(f"calculation: fullCalcOnLoad={calc.fullCalcOnLoad} calcMode={calc.calcMode}")
    out.append(f"sheets: {' | '.join(book.sheetnames)}")
    out.append(f"active sheet: {book.active.title if book.active is not None else '(none)'}")
    for name in sorted(book.defined_names):
        out.append(f"defined name: {name} = {book.defined_names[name].attr_text}")
    for ws in book.worksheets:
        out.append("")
        out += _sheet(ws, cached[ws.title])
    return "\n".join(out) + "\n"


# --- the PDF ------------------------------------------------------------------------------------------

_PDFINFO_FIELDS = (
    "Title",
    "Subject",
    "Keywords",
    "Author",
    "Creator",
    "Producer",
    "CreationDate",
    "ModDate",
    "Pages",
    "Page size",
    "PDF version",
)
_SUBSET_PREFIX = re.compile(r"^[A-Z]{6}\+")


def _tool(*argv: str) -> str:
    env = {**os.environ, "LC_ALL": "C.UTF-8", "TZ": "UTC"}
    done = subprocess.run(argv, capture_output=True, check=False, env=env, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.decode(errors='replace')}")
    return done.stdout.decode("utf-8", errors="backslashreplace")


def _fonts(listing: str) -> list[str]:
    """pdffonts rows as `name  type  encoding  emb=.. sub=.. uni=..`, subset prefix and object id dropped."""
    rows = []
    lines = listing.splitlines()
    start = next((i + 1 for i, line in enumerate(lines) if line.startswith("----")), len(lines))
    for line in lines[start:]:
        tokens = line.split()
        if len(tokens) < 8:
            rows.append(f"(unparsed) {line.strip()}")
            continue
        name = _SUBSET_PREFIX.sub("", tokens[0])
        kind, encoding = " ".join(tokens[1:-6]), tokens[-6]
        emb, sub, uni = tokens[-5:-2]
        rows.append(f"{name}  {kind}  {encoding}  emb={emb} sub={sub} uni={uni}")
    return sorted(rows)


def dump_pdf(path: Path) -> str:
    """The PDF as text, through poppler (pdfinfo, pdffonts, pdftotext; TZ=UTC, UTF-8).

    Contract: `pdfinfo -isodates` lines for Title, Subject, Keywords, Author, Creator, Producer,
    CreationDate, ModDate (ISO, zone-independent, fixed by SOURCE_DATE_EPOCH), Pages, Page size and
    PDF version, in that order (a field pdfinfo does not print is left out); then the fonts from
    `pdffonts` (subset prefix like `ABCDEF+` and object ids dropped, sorted); then `pdftotext -layout`
    text page by page, each under `--- page N ---`, trailing whitespace stripped from every line and
    trailing blank lines from every page. The result depends on the poppler version installed.
    """
    path = Path(path)
    info = {}
    for line in _tool("pdfinfo", "-isodates", "-enc", "UTF-8", str(path)).splitlines():
        key, sep, value = line.partition(":")
        if sep:
            info[key.strip()] = value.strip()
    out = ["== info"]
    out += [f"{field}: {info[field]}" for field in _PDFINFO_FIELDS if field in info]
    out.append("")
    out.append("== fonts")
    out += _fonts(_tool("pdffonts", str(path)))
    text = _tool("pdftotext", "-layout", "-enc", "UTF-8", str(path), "-")
    pages = text.split("\f")
    if pages and pages[-1].strip() == "":
        pages.pop()
    for number, page in enumerate(pages, start=1):
        lines = [line.rstrip() for line in page.split("\n")]
        while lines and not lines[-1]:
            lines.pop()
        out.append("")
        out.append(f"--- page {number} ---")
        out += lines
    return "\n".join(out) + "\n"


# --- running the command --------------------------------------------------------------------------


def cli_env() -> dict[str, str]:
    """The environment every case runs in: fixed build time, UTC system zone, UTF-8 everywhere."""
    env = dict(os.environ)
    for name in ("PYTHONHASHSEED", "COLUMNS", "LINES"):
        env.pop(name, None)
    env.update(
        SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH,
        TZ="UTC",
        LC_ALL="C.UTF-8",
        LANG="C.UTF-8",
        PYTHONUTF8="1",
        PYTHONIOENCODING="utf-8",
    )
    return env


def run_cli(*args: str, cwd: Path) -> str:
    """Run the installed command (`python -m exporter`, this interpreter) and return its stdout."""
    argv = [sys.executable, "-m", "exporter", *args]
    done = subprocess.run(argv, capture_output=True, cwd=cwd, env=cli_env(), timeout=300, check=False)
    if done.returncode != 0:
        raise RuntimeError(
            f"command failed with exit code {done.returncode}: {argv}\n"
            f"stderr:\n{done.stderr.decode('utf-8', errors='replace')}"
        )
    return done.stdout.decode("utf-8")


def generate(case: str, folder: Path) -> list[Path]:
    """Write the dumps of one case (`builtin` or `tricky`) into folder; return their paths (DUMPS order).

    Runs, in a scratch folder, `export [PATHWAY] -o OUT <plan options>`, `plan ... --json` and `plan ...`
    through the installed command, then writes plan.ics.txt, tracker.xlsx.txt, plan.pdf.txt (the dumps
    above), plan.json and plan.txt (stdout as printed). Files are UTF-8 with LF line ends.
    """
    pathway, extra = CASES[case]
    options = [*PLAN_OPTIONS, *extra]
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"golden-{case}-") as scratch:
        work = Path(scratch)
        run_cli("export", *pathway, "-o", "out", *options, cwd=work)
        out = work / "out"
        written = sorted(path.name for path in out.iterdir())
        if written != ["plan.ics", "plan.pdf", "tracker.xlsx"]:
            raise RuntimeError(f"export wrote {written}, expected plan.ics, plan.pdf, tracker.xlsx")
        texts = {
            "plan.ics.txt": dump_ics((out / "plan.ics").read_bytes()),
            "tracker.xlsx.txt": dump_xlsx((out / "tracker.xlsx").read_bytes()),
            "plan.pdf.txt": dump_pdf(out / "plan.pdf"),
            "plan.json": run_cli("plan", *pathway, *options, "--json", cwd=work),
            "plan.txt": run_cli("plan", *pathway, *options, cwd=work),
        }
    paths = []
    for name in DUMPS:
        target = folder / name
        target.write_bytes(texts[name].encode("utf-8"))
        paths.append(target)
    return paths
