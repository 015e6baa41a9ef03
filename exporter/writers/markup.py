"""XML escaping for the workbook's parts and the PDF's paragraph markup.

`xml.sax.saxutils` does the same, but importing it imports `urllib.request`, and with it
`http.client`, `email`, `ssl` and `socket`: a tenth of a second on every command that writes a
file (issue 18). These two functions give exactly its results (tests/test_markup.py compares
them over generated text).
"""

from __future__ import annotations

_ATTRIBUTE_BREAKS = str.maketrans({"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def escape(text: str) -> str:
    """`text` with &, < and > escaped, as `xml.sax.saxutils.escape` gives it."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def quoteattr(text: str) -> str:
    """`text` escaped and quoted as an XML attribute value, as `xml.sax.saxutils.quoteattr` gives it."""
    escaped = escape(text).translate(_ATTRIBUTE_BREAKS)
    if '"' not in escaped:
        return f'"{escaped}"'
    if "'" not in escaped:
        return f"'{escaped}'"
    return '"{}"'.format(escaped.replace('"', "&quot;"))
