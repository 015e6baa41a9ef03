"""What the calendar writer keeps of icalendar's ways (canonical orders, the zones written as UTC,
durations, UTC offsets, VTIMEZONE) is what the library itself does: compared here, value by value."""

from __future__ import annotations

import subprocess
import sys
import zoneinfo
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import (
    Alarm,
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vDDDTypes,
    vDuration,
    vUTCOffset,
)

from exporter.writers.icslines import CANONICAL_ORDER, date_time, parse, serialise, zone_id
from exporter.writers.icslines import duration as written_duration
from exporter.writers.vtimezone import ZonePart, utc_offset, vtimezone, zone_parts

ZONES = sorted(zoneinfo.available_timezones())


def test_canonical_orders_are_the_librarys():
    for kind in (Calendar, Event, Alarm, Timezone, TimezoneStandard, TimezoneDaylight):
        assert CANONICAL_ORDER.get(kind.name, ()) == tuple(kind.canonical_order or ()), kind.name


@pytest.mark.parametrize("zone", [UTC, timezone(timedelta(hours=5)), timezone(timedelta(hours=-3), "XYZ")])
def test_zone_id_of_fixed_offsets_is_the_librarys(zone):
    moment = datetime(2027, 3, 1, 9, tzinfo=zone)
    assert zone_id(zone) == vDDDTypes(moment).params.get("TZID")


def test_a_time_without_a_named_zone_is_refused_not_written_as_utc():
    """A floating time, or a zone read from a file with no name, has no TZID to write: never a wrong `Z`."""
    with open(Path(zoneinfo.TZPATH[0]) / "Europe" / "Berlin", "rb") as file:
        nameless = zoneinfo.ZoneInfo.from_file(file)
    for moment in (datetime(2027, 3, 1, 9), datetime(2027, 3, 1, 9, tzinfo=nameless)):
        with pytest.raises(ValueError, match="named zone"):
            date_time(moment)


def test_zone_id_of_every_zone_is_the_librarys():
    """Every zone the zone database has: its name as the TZID, or none (a `Z`) where icalendar writes UTC."""
    differ = {
        name: (zone_id(zoneinfo.ZoneInfo(name)), vDDDTypes(datetime(2000, 1, 1, tzinfo=zoneinfo.ZoneInfo(name))))
        for name in ZONES
    }
    differ = {name: (ours, theirs.params.get("TZID")) for name, (ours, theirs) in differ.items()}
    assert {name: pair for name, pair in differ.items() if pair[0] != pair[1]} == {}


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(min_value=datetime(1901, 1, 1), max_value=datetime(9980, 12, 31, 23, 59, 59)),
    st.sampled_from(["UTC", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]),
    st.integers(0, 1),
)
def test_date_times_are_the_librarys(moment, zone_name, fold):
    """The value (digits of the wall time, a `Z` in UTC) and TZID of any time, either fold, as icalendar writes them."""
    moment = moment.replace(tzinfo=zoneinfo.ZoneInfo(zone_name), fold=fold)
    theirs = vDDDTypes(moment)
    assert date_time(moment) == (theirs.to_ical().decode("ascii"), dict(theirs.params))


@settings(max_examples=500, deadline=None)
@given(st.timedeltas(min_value=timedelta(days=-400), max_value=timedelta(days=400)))
def test_durations_are_the_librarys(value):
    assert written_duration(value) == vDuration(value).to_ical().decode("ascii")


@pytest.mark.parametrize(
    "value", [timedelta(0), timedelta(minutes=-15), timedelta(hours=1, seconds=1), timedelta(days=-1, hours=23)]
)
def test_durations_at_the_edges_are_the_librarys(value):
    assert written_duration(value) == vDuration(value).to_ical().decode("ascii")


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=-26 * 3600, max_value=26 * 3600).map(lambda seconds: timedelta(seconds=seconds)))
def test_utc_offsets_are_the_librarys(offset):
    assert utc_offset(offset) == vUTCOffset(offset).to_ical()


def _librarys(zone_name: str, parts: tuple[ZonePart, ...]) -> bytes:
    """The VTIMEZONE icalendar writes for these parts, built with its own components."""
    component = Timezone()
    component.add("TZID", zone_name)
    for part in parts:
        made = TimezoneDaylight() if part.daylight else TimezoneStandard()
        made.add("DTSTART", part.start)
        made.add("TZOFFSETFROM", part.offset_from)
        made.add("TZOFFSETTO", part.offset_to)
        if part.name:
            made.add("TZNAME", part.name)
        if part.rule:
            made.add("RRULE", {"FREQ": "YEARLY", "BYMONTH": part.rule[0], "BYDAY": part.rule[1]})
        component.add_component(made)
    return component.to_ical()


def test_every_zones_vtimezone_is_the_librarys():
    """Every zone, over the years a plan starting now covers: the same lines in the same order."""
    for zone_name in ZONES:
        ours = serialise(vtimezone(zone_name, 2026, 2028))
        assert ours == _librarys(zone_name, zone_parts(zone_name, 2026, 2028)), zone_name
        assert parse(ours) is not None


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(ZONES), st.integers(min_value=1975, max_value=2060), st.integers(min_value=0, max_value=4))
def test_vtimezones_of_other_years_are_the_librarys(zone_name, first_year, years):
    parts = zone_parts(zone_name, first_year, first_year + years)
    assert serialise(vtimezone(zone_name, first_year, first_year + years)) == _librarys(zone_name, parts)


def test_an_export_does_not_import_icalendar(tmp_path):
    """The export's three files are written without importing icalendar (a tenth of an export's time): on one
    core, so the calendar is rendered in the process whose modules are looked at."""
    script = (
        "import os, sys\n"
        "os.sched_setaffinity(0, {0})\n"
        "from exporter.cli import main\n"
        f"sys.argv = ['pathway-export', 'export', '-o', {str(tmp_path)!r}, '--start', '2027-01-04']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as done:\n"
        "    assert not done.code, done.code\n"
        "print('icalendar' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip().splitlines()[-1] == "False"
    assert (tmp_path / "plan.ics").stat().st_size > 0
