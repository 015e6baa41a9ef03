"""Golden outputs: every file the CLI writes, dumped as text, must match tests/golden/<case>/.

A failure shows a unified diff. If the change is intended, run `python tests/update_golden.py`, review
`git diff tests/golden/` and commit the new dumps with the change.
"""

from __future__ import annotations

import difflib
import io
import shutil

import pytest
from golden_dump import CASES, DUMPS, GOLDEN, _fonts, dump_ics, dump_xlsx, generate

HINT = "run `python tests/update_golden.py` and review the diff"
DIFF_LINES = 80


def test_poppler_is_installed():
    """The PDF dump needs poppler; a missing tool is a failure here, never a silent skip."""
    missing = [tool for tool in ("pdfinfo", "pdffonts", "pdftotext") if shutil.which(tool) is None]
    assert not missing, f"golden PDF dumps need poppler-utils: {', '.join(missing)} not found"


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden(case, tmp_path):
    expected_dir = GOLDEN / case
    missing = [name for name in DUMPS if not (expected_dir / name).is_file()]
    assert not missing, f"{expected_dir} lacks {', '.join(missing)}: {HINT}"

    generate(case, tmp_path)

    diff: list[str] = []
    changed = []
    for name in DUMPS:
        expected = (expected_dir / name).read_text(encoding="utf-8")
        actual = (tmp_path / name).read_text(encoding="utf-8")
        if actual != expected:
            changed.append(name)
            diff += difflib.unified_diff(
                expected.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                fromfile=f"tests/golden/{case}/{name}",
                tofile=f"generated/{case}/{name}",
                n=2,
            )
    if changed:
        shown = "".join(line if line.endswith("\n") else line + "\n" for line in diff[:DIFF_LINES])
        more = f"... {len(diff) - DIFF_LINES} more diff lines\n" if len(diff) > DIFF_LINES else ""
        pytest.fail(
            f"golden outputs of case {case!r} changed ({', '.join(changed)}); {HINT}\n\n{shown}{more}",
            pytrace=False,
        )


def test_dump_ics_unfolds_inside_a_utf8_sequence_and_shows_stray_line_ends():
    folded = "SUMMARY:Zoë".encode()
    data = b"BEGIN:VCALENDAR\r\n" + folded[:-1] + b"\r\n " + folded[-1:] + b"\r\nX:a\nb\r\nEND:VCALENDAR\r\n"
    assert dump_ics(data) == "BEGIN:VCALENDAR\nSUMMARY:Zoë\nX:a<LF>b\nEND:VCALENDAR\n"


def test_dump_xlsx_tells_text_from_formulas():
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "=1+1"
    sheet["A2"] = "=1+1"
    sheet["A2"].data_type = "s"  # text that looks like a formula, as the writer stores pathway text
    sheet["A3"].hyperlink = "https://example.org/"
    sheet["A3"].value = "link"
    buffer = io.BytesIO()
    book.save(buffer)
    dump = dump_xlsx(buffer.getvalue())
    assert "  A1 =1+1 [cached: (none)]\n" in dump
    assert '  A2 "=1+1"\n' in dump
    assert '  A3 "link" [link: https://example.org/]\n' in dump


def test_fonts_drop_subset_prefix_and_object_ids():
    listing = (
        "name                                 type              encoding         emb sub uni object ID\n"
        "------------------------------------ ----------------- ---------------- --- --- --- ---------\n"
        "QWERTY+DejaVuSans                    CID TrueType      Identity-H       yes yes yes     27  0\n"
    )
    assert _fonts(listing) == ["DejaVuSans  CID TrueType  Identity-H  emb=yes sub=yes uni=yes"]
