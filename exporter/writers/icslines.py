"""Calendar components as content lines: written and read without icalendar's component model.

The calendar writer makes a few hundred events per plan, and reads back the calendar it replaces.
icalendar builds an object per property, parameter and value and parses every value it reads;
that was most of the writer's time (issue 18). Here a component is its unfolded content lines,
in icalendar's canonical order (a component's `canonical_order`, then the other properties
alphabetically), so `serialise` gives exactly the bytes `Calendar.to_ical()` gives for the same
calendar: tests/test_icsfold.py checks that icalendar reads each calendar back and writes the
same bytes, and that `parse` gives the lines icalendar's own parser gives. The library itself is
not imported (its import was a tenth of an export): its canonical orders, the zones it writes as
UTC and its form of durations are kept here, and tests/test_icslines.py compares them with the
library's own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import NamedTuple
from zoneinfo import ZoneInfo

from exporter.controls import CONTROL
from exporter.writers.icsfold import fold

_UNFOLD = re.compile(r"(\r?\n)+[ \t]")
_LINE_BREAK = re.compile(r"\r?\n")
_NAME = re.compile(r"[A-Za-z0-9-]+")
_PLAIN = re.compile(r"([A-Za-z0-9-]+):")
_ONE_PARAMETER = re.compile(r'([A-Za-z0-9-]+);([A-Za-z0-9-]+)=([^";:]*):')
_PARAMETER_VALUE = re.compile(r'"[^"]*"|[^";:]*')
_QUOTED = re.compile(r"[,;:']")
_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_DATE_TIME = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z?)")


@dataclass(frozen=True)
class Property:
    """One content line taken apart: name (upper case), parameters (upper-case names) and the raw value."""

    name: str
    parameters: dict[str, str]
    value: str


class ContentLine(NamedTuple):
    """One unfolded content line and its property name (upper case)."""

    name: str
    text: str


@dataclass(frozen=True)
class Component:
    """A calendar component: its property lines (unfolded) in the order they are written, and its parts."""

    name: str
    properties: tuple[ContentLine, ...]
    components: tuple[Component, ...] = ()

    def lines(self) -> Iterator[str]:
        """Every content line of the component, BEGIN and END included, unfolded."""
        yield f"BEGIN:{self.name}"
        for line in self.properties:
            yield line.text
        for component in self.components:
            yield from component.lines()
        yield f"END:{self.name}"

    def line(self, name: str) -> ContentLine | None:
        """The first content line of the property `name`, or None."""
        for line in self.properties:
            if line.name == name:
                return line
        return None

    def get(self, name: str) -> Property | None:
        """The first property `name` taken apart, or None (ValueError if its line is malformed)."""
        line = self.line(name)
        return None if line is None else split(line.text)

    def value(self, name: str, default: str = "") -> str:
        """The raw value of the first property `name`, or `default`."""
        found = self.get(name)
        return default if found is None else found.value

    def without(self, *names: str) -> Component:
        """The component without any property of these names."""
        kept = tuple(line for line in self.properties if line.name not in names)
        return Component(self.name, kept, self.components)

    def with_lines(self, *lines: ContentLine) -> Component:
        """The component with these property lines added."""
        return Component(self.name, self.properties + lines, self.components)

    def canonical(self) -> Component:
        """The properties in icalendar's order for this kind of component (its parts left as they are):
        the kind's `canonical_order` first, then the others by name, lines of one name in their order."""
        return Component(
            self.name, tuple(sorted(self.properties, key=_ORDER.get(self.name, _BY_NAME))), self.components
        )


def _order(canonical: tuple[str, ...]) -> Callable[[ContentLine], tuple[int, str]]:
    """The sort key of a content line in a kind of component with this `canonical_order`."""
    rank = {name: (index, "") for index, name in enumerate(canonical)}
    last = len(canonical)

    def key(line: ContentLine) -> tuple[int, str]:
        return rank.get(line.name) or (last, line.name)

    return key


CANONICAL_ORDER = {
    "VCALENDAR": ("VERSION", "PRODID", "CALSCALE", "METHOD", "DESCRIPTION", "X-WR-CALDESC", "NAME", "X-WR-CALNAME"),
    "VEVENT": (
        "SUMMARY",
        "DTSTART",
        "DTEND",
        "DURATION",
        "DTSTAMP",
        "UID",
        "RECURRENCE-ID",
        "SEQUENCE",
        "RRULE",
        "RDATE",
        "EXDATE",
    ),
    "VTIMEZONE": ("TZID",),
}
"""The properties icalendar writes first in a kind of component (its `canonical_order`), in that order;
other kinds, and other properties after these, go by name."""
_ORDER = {kind: _order(names) for kind, names in CANONICAL_ORDER.items()}
_BY_NAME = _order(())
UTC_ZONES = frozenset(
    {
        *("UTC", "Etc/UTC", "UCT", "Etc/UCT", "Universal", "Etc/Universal", "Zulu", "Etc/Zulu"),
        *("GMT", "Etc/GMT", "GMT0", "Etc/GMT0", "GMT+0", "Etc/GMT+0", "GMT-0", "Etc/GMT-0"),
        *("Greenwich", "Etc/Greenwich", "Iceland", "Atlantic/Reykjavik", "Atlantic/St_Helena"),
        *("Africa/Abidjan", "Africa/Accra", "Africa/Bamako", "Africa/Banjul", "Africa/Conakry", "Africa/Dakar"),
        *("Africa/Freetown", "Africa/Lome", "Africa/Nouakchott", "Africa/Ouagadougou", "Africa/Timbuktu"),
    }
)
"""The zones icalendar counts as UTC (its table of equivalent zones puts UTC among theirs): their
times are written in UTC with a `Z`, never with a TZID."""


def split(line: str) -> Property:
    """The content line's name, parameters and raw value; ValueError if it is not a content line."""
    match = _NAME.match(line)
    if match is None:
        raise ValueError("no property name")
    position = match.end()
    parameters: dict[str, str] = {}
    while position < len(line) and line[position] == ";":
        found = _NAME.match(line, position + 1)
        if found is None or found.end() >= len(line) or line[found.end()] != "=":
            raise ValueError("malformed parameter")
        value = _PARAMETER_VALUE.match(line, found.end() + 1)
        parameters[found.group().upper()] = value.group().strip('"')
        position = value.end()
    if position >= len(line) or line[position] != ":":
        raise ValueError("no value")
    return Property(match.group().upper(), parameters, line[position + 1 :])


def _split_line(line: str) -> Property:
    """`split(line)`, made by one match for a line whose name is followed by its value or by one unquoted
    parameter and its value (the lines the calendar writer writes)."""
    plain = _PLAIN.match(line)
    if plain is not None:
        return Property(plain.group(1).upper(), {}, line[plain.end() :])
    one = _ONE_PARAMETER.match(line)
    if one is not None:
        return Property(one.group(1).upper(), {one.group(2).upper(): one.group(3)}, line[one.end() :])
    return split(line)


def content_line(name: str, value: str, parameters: dict[str, str] | None = None) -> ContentLine:
    """A content line: parameters sorted by name, a value holding `,`, `;` or `:` quoted. This is how
    icalendar writes the parameters the calendar has (LANGUAGE, TZID, VALUE); it is not its RFC 6868
    escaping of `^`, `"` and line breaks, which no such value holds."""
    if not parameters:
        return ContentLine(name, f"{name}:{value}")
    written = "".join(f";{key}={_parameter(parameters[key])}" for key in sorted(parameters))
    return ContentLine(name, f"{name}{written}:{value}")


def _parameter(value: str) -> str:
    return f'"{value}"' if _QUOTED.search(value) else value


def text(value: str) -> str:
    """A TEXT value escaped as RFC 5545 3.3.11 (and icalendar) escape it: icalendar's seven replacements in its
    order, those with nothing to replace left out (no backslash: the first two; no carriage return: two of
    the last three)."""
    if "\\" in value:
        value = value.replace(r"\N", "\n").replace("\\", "\\\\")
    value = value.replace(";", r"\;").replace(",", r"\,")
    if "\r" in value:
        return value.replace("\r\n", r"\n").replace("\n", r"\n").replace("\r", r"\n")
    return value.replace("\n", r"\n")


def date_value(day: date) -> str:
    """A DATE value (write it with VALUE=DATE)."""
    return f"{day.year:04}{day.month:02}{day.day:02}"


def date_time(moment: datetime) -> tuple[str, dict[str, str]]:
    """A DATE-TIME value and its parameters: TZID for a zone, none and a Z for UTC (however the zone is named)."""
    tzid = zone_id(moment.tzinfo)
    written = wall_time(moment)
    return (f"{written}Z", {}) if tzid is None else (written, {"TZID": tzid})


def wall_time(moment: datetime) -> str:
    """The moment's date and time of day as a DATE-TIME value writes them (`20270104T190000`), without the
    `Z` or TZID `date_time` adds for its zone."""
    # %-formatting: about twice as fast as f-string format specs, the same digits
    return "%04d%02d%02dT%02d%02d%02d" % (  # noqa: UP031
        moment.year,
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
    )


def zone_id(zone: tzinfo | None) -> str | None:
    """The TZID icalendar writes for a time in a named `zone` (a zone of the zone database, or a fixed offset
    such as UTC): the zone's name, or None where it writes UTC with a `Z` (the `UTC_ZONES`). ValueError for
    no zone (a floating time) or a zone without a name: the calendar never holds either."""
    name = getattr(zone, "key", None) or (zone.tzname(None) if isinstance(zone, timezone) else None)
    if name is None:
        raise ValueError(f"a calendar time needs a named zone, not {zone!r}")
    return None if name in UTC_ZONES else name


def duration(value: timedelta) -> str:
    """A DURATION value as icalendar writes it: `PT15M`, `-PT1H30M`, `P1DT2H`, `P2D`."""
    sign = "-" if value.days < 0 else ""
    value = -value if value.days < 0 else value
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    time = ""
    if value.seconds:
        time = "T" + (f"{hours}H" if hours else "")
        time += f"{minutes}M" if minutes or (hours and seconds) else ""
        time += f"{seconds}S" if seconds else ""
    if value.days == 0 and time:
        return f"{sign}P{time}"
    return f"{sign}P{value.days}D{time}"


def serialise(calendar: Component) -> bytes:
    """The calendar's bytes: every line folded (icsfold), CRLF line ends."""
    return "\r\n".join(fold(line) for line in calendar.lines()).encode("utf-8") + b"\r\n"


def parse(data: bytes) -> Component | None:
    """The calendar object in `data` with its lines as written, or None if it is not one well-formed component:
    not UTF-8, a control character other than tab, a line that is not a content line, BEGIN and END that
    do not match."""
    try:
        text_ = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    lines = [line for line in _LINE_BREAK.split(_unfolded(text_)) if line]
    if any(CONTROL.search(line) for line in lines):
        return None
    try:
        component, used = _component(lines, 0)
    except (ValueError, IndexError):
        return None
    return component if used == len(lines) else None


def _unfolded(text_: str) -> str:
    """The text with every fold (line breaks followed by a space or tab) taken out. Where every line ends in
    CRLF, no line is empty and no line starts with a tab, a fold is exactly CRLF and a space, and a plain
    replace takes them out far faster than the regular expression tried at each position."""
    if "\n\r\n" in text_ or "\n\t" in text_ or text_.count("\n") != text_.count("\r\n"):
        return _UNFOLD.sub("", text_)
    return text_.replace("\r\n ", "")


def _component(lines: list[str], start: int) -> tuple[Component, int]:
    """The component whose BEGIN line is lines[start], and the index after its END line."""
    begin = _split_line(lines[start])
    if begin.name != "BEGIN" or begin.parameters:
        raise ValueError("not a component")
    name = begin.value.upper()
    properties: list[str] = []
    parts: list[Component] = []
    position = start + 1
    while True:
        found = _split_line(lines[position])
        if found.name == "END":
            if found.value.upper() != name:
                raise ValueError("END does not match BEGIN")
            return Component(name, tuple(properties), tuple(parts)), position + 1
        if found.name == "BEGIN":
            part, position = _component(lines, position)
            parts.append(part)
        else:
            properties.append(ContentLine(found.name, lines[position]))
            position += 1


def moment_of(found: Property) -> date | datetime:
    """A DATE or DATE-TIME property's value: a date, or an aware datetime (a zone nobody knows and a floating
    time are read as UTC); ValueError if it is neither."""
    if found.parameters.get("VALUE", "").upper() == "DATE" or len(found.value) == 8:
        match = _DATE.fullmatch(found.value)
        if match is None:
            raise ValueError("not a date")
        return date(*map(int, match.groups()))
    match = _DATE_TIME.fullmatch(found.value)
    if match is None:
        raise ValueError("not a date-time")
    moment = datetime(*map(int, match.groups()[:6]))
    if match.group(7):
        return moment.replace(tzinfo=UTC)
    return moment.replace(tzinfo=_zone(found.parameters.get("TZID", "")))


def _zone(tzid: str) -> ZoneInfo | type[UTC]:
    try:
        return ZoneInfo(tzid) if tzid else UTC
    except (ValueError, KeyError, OSError):
        return UTC
