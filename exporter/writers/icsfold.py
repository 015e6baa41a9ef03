"""RFC 5545 line folding, fast for the ASCII lines that make up nearly all of a calendar.

icalendar 7 folds every content line character by character (it dropped 6.x's ASCII fast
path so that a fold never splits a TEXT escape: its issue #1501, where Google dropped events).
That walk is most of the calendar writer's time. `fold` gives exactly the library's bytes (a
test compares them over generated text): lines of at most 74 octets, continuation lines
starting with one space, never a break right after a backslash or caret, never inside a
multi-byte character.
"""

from __future__ import annotations

LIMIT = 75  # octets a line may reach with its break; folded parts hold one fewer
_SEPARATOR = "\r\n "
_ESCAPES = "\\^"


def fold(line: str) -> str:
    """The content line folded as icalendar 7 folds it."""
    if line.isascii():
        return _fold_ascii(line)
    return _fold_any(line)


def fold_joined(head: str, tail: str, folded_tails: dict[int, str]) -> str:
    """`fold(head + tail)`, for a `tail` that many lines end with (a session's description after its heading):
    an ASCII line's parts after its first depend only on where that first part ends, so the fold of `tail`
    from each such place is made once and kept in `folded_tails` (offset into `tail` -> folded rest)."""
    line = head + tail
    if len(line) < LIMIT or not line.isascii():
        return fold(line)
    end = _first_end(line)
    if end < len(head):
        return _fold_ascii(line)
    offset = end - len(head)
    rest = folded_tails.get(offset)
    if rest is None:
        rest = folded_tails[offset] = _fold_ascii(tail[offset:])
    return line[:end] + _SEPARATOR + rest


def _first_end(line: str) -> int:
    """Where the first part of a folded ASCII line of at least LIMIT characters ends."""
    end = LIMIT - 1
    return end - 1 if line[end - 1] in _ESCAPES else end


def _fold_ascii(line: str) -> str:
    if len(line) < LIMIT:
        return line
    parts = []
    start = 0
    while len(line) - start > LIMIT - 1:
        end = start + LIMIT - 1
        if line[end - 1] in _ESCAPES:
            end -= 1  # an escape's backslash goes to the next line with what it escapes
        parts.append(line[start:end])
        start = end
    parts.append(line[start:])
    return _SEPARATOR.join(parts)


def _fold_any(line: str) -> str:
    parts: list[str] = []
    current: list[str] = []
    count = 0
    for char in line:
        size = len(char.encode("utf-8"))
        if current and count + size >= LIMIT:
            if len(current) > 1 and current[-1] in _ESCAPES:
                carried = current.pop()
                parts.append("".join(current))
                current, count = [carried], len(carried.encode("utf-8"))
            else:
                parts.append("".join(current))
                current, count = [], 0
        current.append(char)
        count += size
    if current:
        parts.append("".join(current))
    return _SEPARATOR.join(parts)
