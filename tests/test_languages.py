"""Outputs in the person's language (`--lang`): complete catalogues, Babel's dates and numbers, the
locale's first day of the week, holiday names, and outputs with no English label left, read the way
real programs read them (pdftotext, openpyxl and LibreOffice, icalendar and khal)."""

from __future__ import annotations

import io
import re
import string
import zipfile
from datetime import date, timedelta

import openpyxl
import pytest
from conftest import FIXTURES, make_plan, run, run_process
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from realclients import khal_events, libreoffice_recalculate, pdf_tool

from exporter.labels import COMMAND_LINE_FILE, ENGLISH, catalogue, languages
from exporter.loader import load_pathway
from exporter.model import TaskStatus
from exporter.tracker import TaskColumn, index

OTHERS = ("de", "es", "fr", "pt-BR")
LOREM = FIXTURES / "lorem.toml"
SETTINGS_KEYS = ("date.", "format.", "document.program")
"""Catalogue entries that are not words: CLDR date patterns, Excel's locale code, the program's name."""

ALLOWED = {
    "de": {"Phase", "Status", "Link"},  # German words spelt as in English
    "es": {"No"},  # Spanish "no"
    "fr": {
        "Phase",
        "Phases",
        "Action",
        "Actions",
        "Date",
        "Notes",
        "Page",
        "Participant",
    },  # French words spelt as in English
    "pt-BR": {"Link", "Item"},  # Brazilian Portuguese uses both words as they are
}
"""English labels that are also words of the language: found in its outputs, rightly."""
EVERYWHERE = {"UTC"}
"""Not a word of any language: the time scale the Generated stamp is in."""


def _placeholders(template: str) -> list[str]:
    return sorted(name for _, name, _, _ in string.Formatter().parse(template) if name)


def _english_entries():
    english_only = _keys_of(COMMAND_LINE_FILE)
    return {key: value for key, value in ENGLISH.entries.items() if key not in english_only}


def _keys_of(file_name: str) -> set[str]:
    import tomllib

    from exporter.labels import _flatten, _locales

    found: dict = {}
    _flatten(tomllib.loads((_locales() / "en" / file_name).read_text(encoding="utf-8")), "", found)
    return set(found)


# ---- the catalogue ---------------------------------------------------------------------------


def test_the_five_languages_are_there():
    assert set(languages()) == {"en", *OTHERS}


@pytest.mark.parametrize("language", OTHERS)
def test_every_language_has_every_label_with_the_same_placeholders(language):
    labels = catalogue(language)
    english = _english_entries()
    assert set(labels.entries) == set(english), "a language has exactly the English keys (terminal excepted)"
    for key, text in english.items():
        theirs = labels.entries[key]
        if isinstance(text, list):
            assert len(theirs) == len(text), key
        else:
            assert _placeholders(theirs) == _placeholders(text), key
            if not key.startswith(SETTINGS_KEYS) and key not in ("format.date-locale",):
                theirs.format_map({name: 1 for name in _placeholders(theirs)})  # every format spec works


def test_the_command_line_stays_english():
    for language in OTHERS:
        assert not any(key.startswith(("terminal.", "standing.", "replan.")) for key in catalogue(language).entries)


GROUPS = {
    "task headers": [f"tasks.{column.value}" for column in TaskColumn],
    "statuses": [f"status.{status.value}" for status in TaskStatus],
    "log headers": ["log.week", "log.planned", "log.actual", "log.cumulative-planned", "log.cumulative-actual"],
    "skill headers": [f"skills.{key}" for key in ("skill", "priority", "weeks", "target", "how", "rating")],
    "action headers": [f"actions.{key}" for key in ("when", "action", "due", "done", "done-on")],
    "done marks": ["actions.yes", "actions.no"],
    "sheets": [key for key in ENGLISH.entries if key.startswith("sheet.")],
}


@pytest.mark.parametrize("group", GROUPS)
def test_a_word_means_one_thing_in_every_language(group):
    """The tracker reader matches sheet names, headers and statuses in every language at once: no word
    may name two different things of one kind in two languages."""
    meaning: dict[str, set[str]] = {}
    for language in languages():
        for key in GROUPS[group]:
            meaning.setdefault(" ".join(catalogue(language)(key).split()).casefold(), set()).add(key)
    assert {word: keys for word, keys in meaning.items() if len(keys) > 1} == {}


# ---- dates, numbers, weeks and holidays ------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "long", "short"),
    [
        ("en", "Monday 4 January 2027", "4 Jan 2027"),
        ("de", "Montag, 4. Januar 2027", "4. Jan. 2027"),
        ("es", "lunes, 4 de enero de 2027", "4 ene 2027"),
        ("fr", "lundi 4 janvier 2027", "4 janv. 2027"),
        ("pt-BR", "segunda-feira, 4 de janeiro de 2027", "4 de jan. de 2027"),
    ],
)
def test_dates_are_the_locales(language, long, short):
    labels = catalogue(language)
    assert labels.long_date(date(2027, 1, 4)) == long
    assert labels.short_date(date(2027, 1, 4)) == short


def test_numbers_times_and_ranges_are_the_locales():
    from datetime import time

    assert catalogue("de")("word.hours", hours=1234.5) == "1.234,5 Std."
    assert catalogue("en")("word.hours", hours=1234.5) == "1,234.5 h"
    assert catalogue("fr").number(1234.5) == "1\u202f234,5"
    assert catalogue("de").time(time(18, 30)) == "18:30"
    assert catalogue("de").date_range(date(2027, 2, 1), date(2027, 2, 7)) == "1.–7. Feb. 2027"
    assert catalogue("en").date_range(date(2027, 2, 1), date(2027, 2, 7)) == "1–7 Feb 2027"


@pytest.mark.parametrize(("language", "first_day"), [("en", 0), ("de", 0), ("es", 0), ("fr", 0), ("pt-BR", 6)])
def test_weeks_start_on_the_locales_first_day(language, first_day):
    planned = make_plan(lang=language)
    assert planned.week_start == first_day
    assert all(week.start.weekday() == first_day for week in planned.weeks)
    assert planned.weeks[0].start <= planned.start < planned.weeks[0].start + timedelta(days=7)
    assert sum(week.hours for week in planned.weeks) == pytest.approx(planned.total_hours)


@pytest.mark.parametrize("language", languages())
def test_the_catalogues_first_weekday_is_cldrs(language):
    """Kept in the catalogue so that planning loads no locale data; it must be what Babel says."""
    from babel import Locale

    labels = catalogue(language)
    assert labels.first_weekday == Locale.parse(labels.locale).first_week_day


def test_holidays_are_named_in_the_language_with_english_where_the_package_has_no_other():
    german = make_plan(lang="de", holidays="DE-BE", timezone="Europe/Berlin")
    english = make_plan(lang="en", holidays="DE-BE", timezone="Europe/Berlin")
    assert date(2027, 3, 29) in {h.date for h in german.holidays_off}
    assert {h.name for h in german.holidays_off} >= {"Ostermontag", "Erster Mai"}
    assert {h.name for h in english.holidays_off} >= {"Easter Monday", "Labor Day"}
    assert all(german.availability.on(h.date.weekday()) for h in german.holidays_off)


def test_the_language_setting_is_checked_and_named_where_it_came_from(tmp_path):
    result = run("plan", "--lang", "klingon", "--start", "2027-01-04")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: --lang: unknown language 'klingon' (known: de, en, es, fr, pt-BR)"
    profile = tmp_path / "me.toml"
    profile.write_text('lang = "xx"\n', encoding="utf-8")
    result = run("plan", "--profile", profile)
    assert result.stderr.strip().startswith(f"error: {profile}:1: lang: unknown language 'xx'")
    assert make_plan(lang="PT_br").language == "pt-BR"


def test_a_pathway_says_its_language_and_keeps_its_words(tmp_path):
    assert load_pathway(str(LOREM)).language == "la"
    bad = tmp_path / "bad.toml"
    bad.write_text(LOREM.read_text(encoding="utf-8").replace('language = "la"', 'language = "latin!"'), "utf-8")
    result = run("validate", bad)
    assert result.exit_code == 1
    assert "bad.toml:6: language: must be a language tag like en, de or pt-BR, got 'latin!'" in result.stderr


# ---- no English left -------------------------------------------------------------------------


def _english_fragments() -> set[str]:
    """Every run of words of an English label between its placeholders, and English month and day names."""
    fragments = set()
    for key, value in _english_entries().items():
        if key.startswith(SETTINGS_KEYS):
            continue
        for text in value if isinstance(value, list) else [value]:
            for literal, *_ in string.Formatter().parse(text):
                part = literal.strip(" .,:;()-|·•◆&")
                if sum(char.isalpha() for char in part) >= 3:
                    fragments.add(part)
    fragments |= {name for name in ENGLISH.month_names() if len(name) > 3}
    fragments |= {name for name in ENGLISH.weekday_names() if len(name) > 3}
    return fragments


def _found(fragment: str, text: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(fragment)}(?![\w])", text) is not None


def _workbook_texts(data: bytes) -> list[str]:
    """Every text of a workbook a person can meet: cells of every sheet, sheet names, dropdown messages,
    headers and footers, chart titles and the document's properties."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    texts = list(book.sheetnames)
    for sheet in book.worksheets:
        texts += [cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
        for rule in sheet.data_validations.dataValidation:
            texts += [rule.promptTitle or "", rule.prompt or "", rule.errorTitle or "", rule.error or ""]
            texts.append(rule.formula1 or "")
        texts += [sheet.oddFooter.left.text or "", sheet.oddFooter.right.text or ""]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/charts/") or name.startswith("xl/worksheets/") or name == "docProps/core.xml":
                xml = archive.read(name).decode("utf-8")
                texts += re.findall(r"<a:t>([^<]*)</a:t>", xml) + re.findall(r"<formula>([^<]*)</formula>", xml)
                texts += re.findall(r"<dc:(?:title|subject)>([^<]*)<", xml)
    return texts


def _calendar_texts(data: bytes) -> list[str]:
    texts = []
    calendar = Calendar.from_ical(data)
    for component in calendar.walk():
        for name in ("SUMMARY", "DESCRIPTION", "X-WR-CALNAME", "X-WR-CALDESC"):
            if name in component:
                texts.append(str(component[name]))
        if "CATEGORIES" in component:
            texts += [str(category) for category in component["CATEGORIES"].cats]
    return texts


PLACES = {"en": "DE-BE", "de": "DE-BE", "es": "ES-MD", "fr": "FR", "pt-BR": "BR"}
"""Where each person's public holidays are: their names come in the person's language."""


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """The lorem pathway exported in every language, with holidays and a blackout, as a person would."""
    folders = {}
    for language in ("en", *OTHERS):
        folder = tmp_path_factory.mktemp(f"lang-{language}")
        result = run_process(
            "export", LOREM, "--lang", language, "--start", "2027-01-04", "--timezone", "Europe/Berlin",
            "--holidays", PLACES[language], "--blackout", "2027-02-01..2027-02-07", "--name", "Zoë Ødegård",
            "--availability", "sun 10:00-12:00; mon 19:00-21:00; wed 19:00-21:00; sat 09:00-11:00", "-o", folder,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        folders[language] = folder
    return folders


@pytest.mark.parametrize("language", OTHERS)
def test_no_english_label_is_left_in_any_output(language, exports):
    folder = exports[language]
    outputs = {
        "plan.pdf": pdf_tool("pdftotext", str(folder / "plan.pdf"), "-"),
        "tracker.xlsx": "\n".join(_workbook_texts((folder / "tracker.xlsx").read_bytes())),
        "plan.ics": "\n".join(_calendar_texts((folder / "plan.ics").read_bytes())),
    }
    allowed = ALLOWED[language] | EVERYWHERE
    left = {
        name: sorted(f for f in _english_fragments() - allowed if _found(f, text)) for name, text in outputs.items()
    }
    assert left == {"plan.pdf": [], "tracker.xlsx": [], "plan.ics": []}


def test_the_scan_finds_english_in_an_english_output(exports):
    """The scan above can fail: on the English outputs it finds the labels."""
    text = pdf_tool("pdftotext", str(exports["en"] / "plan.pdf"), "-")
    found = {f for f in _english_fragments() if _found(f, text)}
    assert {"At a glance", "Your week", "Personal action plan", "Monday"} <= found


def test_the_allowed_words_are_really_words_of_the_language():
    """Each allowed word is the language's own label for something: no English slips in unexplained."""
    for language, words in ALLOWED.items():
        own = set()
        for value in catalogue(language).entries.values():
            for text in value if isinstance(value, list) else [value]:
                own |= {literal.strip(" .,:;()-|·•◆&") for literal, *_ in string.Formatter().parse(str(text))}
                own |= set(re.findall(r"\w+", str(text)))
        assert words <= own, (language, words - own)


# ---- real programs read a German plan ---------------------------------------------------------


def test_pdftotext_shows_german_dates_and_the_document_language(exports):
    text = pdf_tool("pdftotext", "-layout", str(exports["de"] / "plan.pdf"), "-")
    assert "Montag, 4. Januar 2027" in text
    assert "Ostermontag" in text and "Ihre Woche" in text and "1.–7. Feb. 2027" in text
    from pypdf import PdfReader

    assert PdfReader(exports["de"] / "plan.pdf").trailer["/Root"]["/Lang"] == "de"
    german = pdf_tool("pdftotext", "-layout", str(exports["de"] / "plan.pdf"), "-")
    week = german[german.index("Ihre Woche") :]
    assert week.index("Montag") < week.index("Samstag") < week.index("Sonntag")


def test_the_brazilian_week_starts_on_sunday_in_every_output(exports):
    book = openpyxl.load_workbook(exports["pt-BR"] / "tracker.xlsx")
    log = book[catalogue("pt-BR")("sheet.weekly-log")]
    assert log["A1"].value == "Semana de"
    assert log["A2"].value.date() == date(2027, 1, 3) and log["A2"].value.weekday() == 6
    assert log["A2"].number_format == "[$-416]ddd d mmm yyyy"
    text = pdf_tool("pdftotext", "-layout", str(exports["pt-BR"] / "plan.pdf"), "-")
    week = text[text.index("Sua semana") :]
    assert week.index("domingo") < week.index("segunda-feira") < week.index("sábado")


def test_khal_lists_the_german_calendar(exports, tmp_path):
    data = (exports["de"] / "plan.ics").read_bytes()
    assert b"SUMMARY;LANGUAGE=de:Lernen: 1.1 Legere librum" in data
    events = khal_events(exports["de"] / "plan.ics", tmp_path, "Europe/Berlin", since="2027-01-01", days=120)
    assert any("Beginn von Phase 1: Prima pars" in line for line in events)
    assert any(line.startswith("2027-01-04 19:00 2027-01-04 21:00 Lernen: 1.1 Legere librum") for line in events)


def _set_status(source, target, word: str, language: str = "de"):
    book = openpyxl.load_workbook(source)
    tasks = book[catalogue(language)("sheet.tasks")]
    for row in range(2, tasks.max_row + 1):
        if tasks.cell(row, index(TaskColumn.KEY)).value:
            tasks.cell(row, index(TaskColumn.STATUS)).value = word
    book.save(target)


def test_libreoffice_recalculates_a_german_tracker_with_tasks_done(exports, tmp_path):
    done = tmp_path / "tracker.xlsx"
    _set_status(exports["de"] / "tracker.xlsx", done, catalogue("de").term(TaskStatus.DONE))
    (before,) = libreoffice_recalculate([exports["de"] / "tracker.xlsx"], tmp_path / "before")
    (after,) = libreoffice_recalculate([done], tmp_path / "after")

    def progress(path):
        book = openpyxl.load_workbook(path, data_only=True)
        sheet, cell = next(iter(book.defined_names["OverallProgress"].destinations))
        planned = book.defined_names["PlannedHours"]
        return book[sheet][cell.replace("$", "")].value, planned

    (value_before, planned), (value_after, _) = progress(before), progress(after)
    assert value_before == 0 and value_after == 1
    assert planned.attr_text.startswith("'Übersicht'!") or planned.attr_text.startswith("Übersicht!")
    dashboard = openpyxl.load_workbook(after, data_only=True)["Übersicht"]
    figures = {dashboard.cell(row, 1).value: dashboard.cell(row, 2).value for row in range(1, 20)}
    assert figures["Erledigte Aufgaben"] == "3 von 3"


def test_status_and_replan_read_a_german_tracker(exports, tmp_path):
    import shutil

    folder = tmp_path / "plan"
    shutil.copytree(exports["de"], folder)
    book = openpyxl.load_workbook(folder / "tracker.xlsx")
    tasks = book["Aufgaben"]
    tasks.cell(2, index(TaskColumn.STATUS)).value = "erledigt"  # any letter case
    tasks.cell(3, index(TaskColumn.STATUS)).value = "Done"  # typed in English: still the key `done`
    tasks.cell(2, index(TaskColumn.DONE_ON)).value = "Mo., 11. Jan. 2027"
    book.save(folder / "tracker.xlsx")

    result = run("status", folder, "--as-of", "2027-01-25", "--json", "--pathway", LOREM)
    assert result.exit_code == 0, result.stderr
    assert '"tasks_done": 2' in result.stdout

    result = run("replan", folder, "--as-of", "2027-01-25", "--pathway", LOREM)
    assert result.exit_code == 0, result.stderr
    assert "Done: 2 of 3 tasks" in result.stdout  # the command line stays English
    replanned = openpyxl.load_workbook(folder / "tracker.xlsx")
    assert "Aufgaben" in replanned.sheetnames  # the language travels in the tracker
    statuses = [replanned["Aufgaben"].cell(row, index(TaskColumn.STATUS)).value for row in (2, 3, 4)]
    assert statuses == ["Erledigt", "Erledigt", "Nicht begonnen"]
    assert replanned["Aufgaben"].cell(2, index(TaskColumn.DONE_ON)).value.date() == date(2027, 1, 11)

    result = run("replan", folder, "--as-of", "2027-01-26", "--lang", "fr", "--pathway", LOREM)
    assert result.exit_code == 0, result.stderr
    assert "Tâches" in openpyxl.load_workbook(folder / "tracker.xlsx").sheetnames


@settings(max_examples=60, deadline=None)
@given(
    language=st.sampled_from(languages()),
    number=st.one_of(st.integers(-(10**6), 10**6), st.floats(-1e6, 1e6, allow_nan=False)),
    word=st.text(max_size=8),
)
def test_every_template_is_filled_as_the_locale_formatter_fills_it(language, number, word):
    """Labels fill a template with `str.format_map` after formatting its locale numbers (`g`, `.Nf`) once:
    the same text as the locale formatter gives, for every template of every catalogue."""
    from exporter.labels import _formatter

    labels = catalogue(language)
    for key, template in labels.entries.items():
        if not isinstance(template, str) or "{" not in template:
            continue
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        for value in (number, word):
            placeholders = {name: value for name in names}
            try:
                expected = _formatter(labels.locale).vformat(template, (), placeholders)
            except (ValueError, TypeError):
                continue  # a text where the template wants a number
            assert labels(key, **placeholders) == expected, key
