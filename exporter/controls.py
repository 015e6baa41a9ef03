"""Control characters: text from data never carries them into an output or the terminal."""

from __future__ import annotations

import re

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""C0 and C1 control characters except tab and line break, which text may hold."""
ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
"""Every C0 and C1 control character, tab and line break too (single-line values)."""
