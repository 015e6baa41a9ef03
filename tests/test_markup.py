"""Our XML escaping gives exactly what `xml.sax.saxutils` gives."""

from __future__ import annotations

from xml.sax.saxutils import escape as library_escape
from xml.sax.saxutils import quoteattr as library_quoteattr

from hypothesis import given, settings
from hypothesis import strategies as st

from exporter.writers.markup import escape, quoteattr

_TEXT = st.text(alphabet=st.sampled_from(list("&<>\"'\n\r\t;#a é😀")) | st.characters(), max_size=40)


@settings(max_examples=500, deadline=None)
@given(_TEXT)
def test_escape_is_the_library_escape(text):
    assert escape(text) == library_escape(text)


@settings(max_examples=500, deadline=None)
@given(_TEXT)
def test_quoteattr_is_the_library_quoteattr(text):
    assert quoteattr(text) == library_quoteattr(text)
