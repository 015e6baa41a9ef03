"""A batch a facilitator can trust: every row checked before any work, a dry run that writes nothing,
no silent defaults, the settings each person got in summary.csv, rows reported as they finish, and
e-mail drafts that a mail program opens."""

import csv
import os
import re
import subprocess
import sys
from dataclasses import replace
from datetime import date, datetime, timedelta
from email import policy
from email.parser import BytesParser

import openpyxl
import pytest
from conftest import FIXTURES, make_plan, run, run_process
from hypothesis import given
from hypothesis import strategies as st

from exporter.drafts import draft
from exporter.errors import InputError, Origin
from exporter.labels import ENGLISH
from exporter.roster import ALIASES, COLUMNS, folder_names, known_column, slug

MESSY = FIXTURES / "messy-roster.csv"
"""25 participants typed as people type them: odd headers, blank zones, starts and windows, a bad
zone (row 14), two Ana Limas, names in Chinese, Japanese, Korean, Arabic, Hebrew, Devanagari and
Thai, one row without an e-mail address (row 19)."""
SCRIPTS = ["张伟", "山田太郎", "김민준", "محمد", "דוד", "अनीता", "สมชาย"]
MACHINE_ZONE = "Pacific/Auckland"
EPOCH = 1790000000
PLAN = make_plan(name="Ana")
COLUMN_KEYS = ("row", "name", "zone", "start", "hours", "finish", "defaults", "problems")


def env() -> dict:
    """A machine in New Zealand on a fixed day, so the defaults are known."""
    return {**os.environ, "SOURCE_DATE_EPOCH": str(EPOCH), "TZ": MACHINE_ZONE}


def next_monday() -> str:
    from zoneinfo import ZoneInfo

    today = datetime.fromtimestamp(EPOCH, ZoneInfo(MACHINE_ZONE)).date()
    return (today + timedelta(days=-today.weekday() % 7)).isoformat()


def roster_rows() -> dict[int, dict[str, str]]:
    """The fixture's rows by the number a spreadsheet gives them."""
    with MESSY.open(encoding="utf-8") as handle:
        return {number: row for number, row in enumerate(csv.DictReader(handle), start=2)}


def table(stdout: str) -> dict[int, dict[str, str]]:
    """The dry run's table read back: cells are separated by two spaces or more, so a row that failed
    (blank settings) holds its row, name and problems, and one that did not its settings, then any defaults."""
    lines = stdout.splitlines()
    assert re.split(r"\s{2,}", lines[0]) == [ENGLISH(f"terminal.dry-run-{key}") for key in COLUMN_KEYS]
    rows = {}
    for line in lines[1:]:
        if re.match(r"\d+\s\s", line):
            cells = re.split(r"\s{2,}", line)
            keys = COLUMN_KEYS if len(cells) > 3 else ("row", "name", "problems")
            rows[int(cells[0])] = {**dict(zip(keys, cells, strict=False)), "line": line}
    return rows


@pytest.fixture(scope="module")
def dry(tmp_path_factory):
    out = tmp_path_factory.mktemp("dry") / "out"
    return run_process("batch", MESSY, "-o", out, "--dry-run", "--jobs", "2", env=env()), out


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    out = tmp_path_factory.mktemp("real") / "out"
    result = run_process("batch", MESSY, "-o", out, "--jobs", "2", "--emails", env=env())
    summary = list(csv.DictReader((out / "summary.csv").read_text(encoding="utf-8-sig").splitlines()))
    return result, out, {int(row["row"]): row for row in summary}


def test_the_dry_run_plans_every_row_and_writes_nothing(dry):
    result, out = dry
    assert result.returncode == 1, result.stderr  # row 14 would fail
    assert not out.exists()
    rows = table(result.stdout)
    assert list(rows) == list(range(2, 27))
    for name in SCRIPTS:
        assert name in result.stdout
    assert rows[14]["problems"].startswith("timezone: unknown time zone 'Mars/Olympus'")
    assert rows[2]["zone"] == "Asia/Shanghai" and rows[2]["start"] == "2027-01-04" and rows[2]["hours"] == "8"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", rows[2]["finish"]) and rows[2]["finish"] > "2027-01-04"
    thai = rows[8]
    assert thai["zone"] == MACHINE_ZONE and thai["start"] == next_monday() and thai["hours"] == "10"
    assert thai["defaults"] == "start, timezone, availability"
    assert result.stdout.strip().endswith("24 of 25 row(s) would be exported; nothing was written (dry run)")


def test_a_dry_run_leaves_an_existing_folder_untouched(tmp_path):
    out = tmp_path / "out"
    (out / "ana").mkdir(parents=True)
    (out / "ana" / "plan.ics").write_bytes(b"mine")
    before = sorted((p.relative_to(out), p.stat().st_mtime_ns) for p in out.rglob("*"))
    result = run("batch", MESSY, "-o", out, "--dry-run", "--jobs", "1", "--emails")
    assert result.exit_code == 1
    assert sorted((p.relative_to(out), p.stat().st_mtime_ns) for p in out.rglob("*")) == before
    assert (out / "ana" / "plan.ics").read_bytes() == b"mine"
    assert run("batch", MESSY, "--dry-run", "--jobs", "1").exit_code == 1  # no -o needed for a dry run
    assert run("batch", MESSY, "--jobs", "1").exit_code == 2  # but for real work


def test_the_dry_run_plans_what_the_batch_makes(dry, real):
    _, _, summary = real
    rows = table(dry[0].stdout)
    for number, line in summary.items():
        if line["status"] == "ok":
            got = rows[number]
            assert (got["zone"], got["start"], got["hours"], got["finish"]) == (
                line["timezone"],
                line["start"],
                line["weekly_hours"],
                line["planned_finish"],
            )


def test_every_fallback_is_listed_before_the_work(dry, real):
    for result in (dry[0], real[0]):
        lines = result.stderr.splitlines()
        first_row = next((i for i, line in enumerate(lines) if line.startswith("[")), len(lines))
        before = "\n".join(lines[:first_row])
        assert re.search(
            r"timezone is blank in 4 row\(s\) \(5 محمد العلي, 8 สมชาย ใจดี, 16 Liam O'Brien, 25 Aiko", before
        )
        assert f"they get {MACHINE_ZONE} from the default (this machine's zone)" in before
        assert "start is blank in 4 row(s) (4 김민준, 8 สมชาย ใจดี, 13 Jamal Carter, 21 Emma Wilson)" in before
        assert f"they get {next_monday()} from the default (the next Monday)" in before
        assert "availability is blank in 5 row(s) (6 דוד כהן, 8 สมชาย ใจดี, 15 Sofia Rossi" in before
        assert "row 14: timezone: unknown time zone 'Mars/Olympus'" in before
    assert "no email in 1 row(s) (19 Priya Nair): no e-mail draft for them" in real[0].stderr


def test_a_fallback_from_an_option_names_the_option(tmp_path):
    result = run("batch", MESSY, "--dry-run", "--jobs", "1", "--timezone", "Europe/Berlin")
    assert (
        "timezone is blank in 4 row(s)" in result.stderr and "they get Europe/Berlin from --timezone" in result.stderr
    )
    assert table(result.stdout)[8]["zone"] == "Europe/Berlin"
    profile = tmp_path / "room.toml"
    profile.write_text('timezone = "Europe/Oslo"\n', encoding="utf-8")
    result = run("batch", MESSY, "--dry-run", "--jobs", "1", "--profile", profile)
    assert f"they get Europe/Oslo from {profile}" in result.stderr


def test_summary_has_the_settings_each_person_got(real):
    result, out, summary = real
    assert result.returncode == 1 and "Traceback" not in result.stderr
    header = (out / "summary.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == (
        "row,name,folder,status,start,planned_finish,timezone,weekly_hours,busy_hours_taken,defaults_applied,email_draft,error,"
        "warnings,pages"
    )
    assert summary[2]["pages"] and summary[14]["pages"] == ""  # pages of all-plans.pdf: tests/test_booklet.py
    assert summary[8]["defaults_applied"] == "start, timezone, availability"
    assert summary[8]["timezone"] == MACHINE_ZONE and summary[8]["start"] == next_monday()
    assert summary[2]["defaults_applied"] == "" and summary[2]["weekly_hours"] == "8"
    assert summary[14]["status"] == "error" and summary[14]["start"] == "" and "Mars/Olympus" in summary[14]["error"]
    assert summary[9]["folder"] == "ana-lima" and summary[10]["folder"] == "ana-lima-2"
    for number in (2, 3, 5, 8, 9, 21):
        line = summary[number]
        book = openpyxl.load_workbook(out / line["folder"] / "tracker.xlsx")
        settings = {row[0].value: row[1].value for row in book["Plan settings"].iter_rows(min_row=2)}
        assert settings["Time zone"] == line["timezone"]
        assert _day(settings["Start"]) == line["start"] and _day(settings["Planned finish"]) == line["planned_finish"]
        assert f"X-WR-TIMEZONE:{line['timezone']}" in (out / line["folder"] / "plan.ics").read_text()


def _day(value) -> str:
    return value.date().isoformat() if isinstance(value, datetime | date) else str(value)


def test_every_script_names_a_folder_with_its_vowel_signs(real):
    _, out, summary = real
    assert summary[7]["folder"] == "अनीता-शर्मा" and summary[8]["folder"] == "สมชาย-ใจดี"
    assert (out / "अनीता-शर्मा" / "plan.pdf").is_file()


def test_email_drafts_parse_and_carry_the_three_files(real):
    _, out, summary = real
    rows = roster_rows()
    drafts = sorted((out / "emails").iterdir())
    assert len(drafts) == 23  # 25 rows, less the bad one and the one without an address
    for number, line in summary.items():
        if line["status"] != "ok" or not rows[number]["E-mail"]:
            assert line["email_draft"] == ""
            continue
        assert line["email_draft"] == f"emails/{line['folder']}.eml"
        message = BytesParser(policy=policy.default).parsebytes((out / line["email_draft"]).read_bytes())
        (address,) = message["To"].addresses
        assert address.addr_spec == rows[number]["E-mail"] and address.display_name == line["name"]
        assert message["X-Unsent"] == "1" and message["Subject"] == ENGLISH(
            "email.subject", title="From Backend Developer to AI Government Specialist"
        )
        attached = {part.get_filename(): part.get_payload(decode=True) for part in message.iter_attachments()}
        assert sorted(attached) == ["plan.ics", "plan.pdf", "tracker.xlsx"]
        for name, content in attached.items():
            assert content == (out / line["folder"] / name).read_bytes()
        body = message.get_body(("plain",)).get_content()
        assert line["name"] in body and date.fromisoformat(line["planned_finish"]).strftime("%Y") in body


def test_drafts_are_the_same_for_any_number_of_jobs(real, tmp_path):
    _, out, _ = real
    roster = tmp_path / "room.csv"
    lines = MESSY.read_text(encoding="utf-8").splitlines()
    roster.write_text("\n".join(lines[:4]) + "\n", encoding="utf-8")
    again = tmp_path / "out"
    run_process("batch", roster, "-o", again, "--jobs", "1", "--emails", "--no-combined-pdf", env=env())
    for path in (again / "emails").iterdir():
        assert path.read_bytes() == (out / "emails" / path.name).read_bytes()


def test_bad_addresses_are_located_and_no_header_is_injected(tmp_path):
    roster = tmp_path / "room.csv"
    roster.write_text(
        "Name,Email\n"
        "Ana,ana@example.org\n"
        "Bo,bo at example.org\n"
        'Eve,"eve@example.org\nBcc: everyone@example.org"\n'
        '"Mallory\r\nBcc: everyone@example.org",mallory@example.org\n'
        "Cy,cy@example.org; dan@example.org\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = run("batch", roster, "-o", out, "--jobs", "1", "--emails", "--formats", "ics", "--timezone", "UTC")
    assert result.exit_code == 1
    assert f"{roster}: row 3: email: not an e-mail address: bo at example.org" in result.stderr
    assert f"{roster}: row 4: email: not an e-mail address: 'eve@example.org\\nBcc:" in result.stderr
    assert f"{roster}: row 5: name: a name cannot hold control characters" in result.stderr
    assert f"{roster}: row 6: email: not an e-mail address: cy@example.org; dan@example.org" in result.stderr
    assert [path.name for path in (out / "emails").iterdir()] == ["ana.eml"]
    message = BytesParser(policy=policy.default).parsebytes((out / "emails" / "ana.eml").read_bytes())
    assert message["Bcc"] is None and [part.get_filename() for part in message.iter_attachments()] == ["plan.ics"]
    with pytest.raises(ValueError):
        draft(replace(make_plan(), participant="Eve\r\nBcc: everyone@example.org"), "eve@example.org", {}, ENGLISH)
    with pytest.raises(ValueError):
        draft(make_plan(name="Eve"), "eve@example.org\r\nBcc: everyone@example.org", {}, ENGLISH)


@pytest.mark.parametrize(
    "address", ["a@b", "@example.org", "a@@example.org", "a..b@example.org", "a@-x.org", "é@x.org"]
)
def test_addresses_that_are_not_one_plain_address(address):
    from exporter.drafts import check_address

    with pytest.raises(InputError):
        check_address(address, Origin("email", "room.csv", 2))


def test_emails_need_an_email_column(tmp_path):
    roster = tmp_path / "room.csv"
    roster.write_text("name\nAna\n", encoding="utf-8")
    result = run("batch", roster, "-o", tmp_path / "out", "--emails")
    assert result.exit_code == 1 and "--emails needs an 'email' column" in result.stderr
    assert not (tmp_path / "out").exists()


def test_an_unknown_column_stops_the_run_before_any_work(tmp_path):
    roster = tmp_path / "room.csv"
    roster.write_text("Name,Zeitzone,Start date\nAna,Europe/Berlin,2027-01-04\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run("batch", roster, "-o", out, "--jobs", "1")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"error: {roster}: row 1: column B 'Zeitzone' is not a column the roster knows (the closest is "
        "'timezone'); rename it, or give --ignore-unknown-columns to leave it out"
    )
    assert not out.exists()
    result = run("batch", roster, "-o", out, "--jobs", "1", "--ignore-unknown-columns", "--formats", "ics")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith(f"warning: {roster}: column B 'Zeitzone' is not used (--ignore-unknown-columns)")


def test_a_column_without_a_header_that_holds_data_stops_the_run(tmp_path):
    roster = tmp_path / "room.csv"
    roster.write_text("name,start,\nAna,2027-01-04,Europe/Berlin\nBo,2027-01-04,\n", encoding="utf-8")
    result = run("batch", roster, "--dry-run")
    assert result.exit_code == 1 and result.stderr.strip() == (
        f"error: {roster}: row 1: column C has no header but holds data; name it in row 1, "
        "or give --ignore-unknown-columns to leave it out"
    )
    result = run("batch", roster, "--dry-run", "--ignore-unknown-columns", "--jobs", "1")
    assert f"warning: {roster}: column C (no header) is not used (--ignore-unknown-columns)" in result.stderr


def test_require_of_a_column_the_roster_lacks_stops_the_run(tmp_path):
    result = run("batch", MESSY, "-o", tmp_path / "out", "--require", "finish_by")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: {MESSY}: row 1: --require finish_by: the roster has no 'finish_by' column"
    assert not (tmp_path / "out").exists()


def test_two_columns_for_one_setting_stop_the_run(tmp_path):
    roster = tmp_path / "room.csv"
    roster.write_text("Name,Time zone,TZ\nAna,Europe/Berlin,UTC\n", encoding="utf-8")
    result = run("batch", roster, "--dry-run", "--ignore-unknown-columns")
    assert result.exit_code == 1
    assert "row 1: timezone: columns B 'Time zone' and C 'TZ' both mean 'timezone'; keep one" in result.stderr


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("Timezone (IANA)", "timezone"),
        ("Time zone", "timezone"),
        ("TZ", "timezone"),
        ("time-zone", "timezone"),
        ("Weekly hours", "hours_per_week"),
        ("Hours per week", "hours_per_week"),
        ("Start date", "start"),
        ("Start date (YYYY-MM-DD)", "start"),
        ("E-mail", "email"),
        ("Full Name", "name"),
        ("Public holidays", "holidays"),
        ("Finish by:", "finish_by"),
        ("Notes", None),
    ],
)
def test_headers_as_people_type_them(header, column):
    assert known_column(header) == column


NAMES = [(name, name) for name in COLUMNS] + [(alias, name) for name, aliases in ALIASES.items() for alias in aliases]


@given(
    st.sampled_from(NAMES),
    st.lists(st.sampled_from([" ", "_", "-", ".", "  ", ""]), min_size=8, max_size=8),
    st.booleans(),
    st.sampled_from(["", " (IANA)", " [optional]", ":", " *"]),
)
def test_case_spacing_and_punctuation_do_not_count(typed_and_column, separators, upper, note):
    typed, column = typed_and_column
    words = re.split(r"[ _]", typed)
    text = words[0] + "".join(separators[i % 8] + word for i, word in enumerate(words[1:]))
    text = text.upper() if upper else text.title()
    assert known_column(f"  {text}{note} ") == column


def test_require_turns_blanks_into_row_errors():
    result = run("batch", MESSY, "--dry-run", "--jobs", "1", "--require", "timezone,availability")
    assert result.exit_code == 1
    rows = table(result.stdout)
    needs = "is blank, and --require {0} needs every row to give it"
    for number in (5, 8, 16, 25):
        assert f"timezone: {needs.format('timezone')}" in rows[number]["line"]
        assert f"row {number}: timezone: {needs.format('timezone')}" in result.stderr
    for number in (6, 8, 15, 21, 25):
        assert f"availability: {needs.format('availability')}" in rows[number]["line"]
    failed = {number for number, row in rows.items() if "problems" in row and "zone" not in row}
    assert failed == {5, 6, 8, 14, 15, 16, 21, 25}
    assert "timezone is blank in" not in result.stderr  # a required blank is an error, not a fallback
    assert result.stdout.strip().endswith("17 of 25 row(s) would be exported; nothing was written (dry run)")


def test_require_names_settings_a_row_can_give():
    result = run("batch", MESSY, "--dry-run", "--require", "tmezone")
    assert result.exit_code == 2 and "'tmezone' is not a setting a row can be required to give" in result.stderr
    assert "did you mean timezone?" in result.stderr
    assert run("batch", MESSY, "--dry-run", "--jobs", "1", "--require", "Time zone, start").exit_code == 1


def test_a_row_prints_its_problems_when_it_finishes(tmp_path):
    roster = tmp_path / "room.csv"
    rows = ["Late,2027-01-04,2027-01-08", *(f"P{i},2027-01-04," for i in range(4))]
    roster.write_text("name,start,finish_by\n" + "\n".join(rows) + "\n", encoding="utf-8")
    command = [sys.executable, "-m", "exporter", "batch", str(roster), "-o", str(tmp_path / "out")]
    command += ["--jobs", "1", "--formats", "ics", "--timezone", "UTC", "--no-combined-pdf"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    error = next(i for i, line in enumerate(lines) if line.startswith(f"error: {roster}: row 2: finish_by"))
    assert lines[error - 1] == "[1/5] Late" and lines[error + 1] == "[2/5] P0"


def test_the_callback_hears_of_each_row_as_it_finishes(tmp_path):
    from conftest import CONTEXT

    from exporter.batch import BatchRules, prepare_batch, run_batch
    from exporter.pipeline import OutputChoice

    roster = tmp_path / "room.csv"
    roster.write_text("name,timezone\n" + "\n".join(f"P{i},UTC" for i in range(4)) + "\n", encoding="utf-8")
    prepared = prepare_batch(roster, [], None, CONTEXT, BatchRules())
    heard = []
    report = run_batch(
        prepared,
        tmp_path / "out",
        OutputChoice(formats=("ics",)),
        CONTEXT,
        jobs=2,
        combined_pdf=False,
        on_row=lambda result, done, total: heard.append((result.name, done, total)),
    )
    assert sorted(name for name, _, _ in heard) == ["P0", "P1", "P2", "P3"]
    assert [(done, total) for _, done, total in heard] == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert [result.name for result in report.results] == ["P0", "P1", "P2", "P3"]


def test_no_participant_takes_the_drafts_folder():
    assert folder_names(["Emails", "emails"], reserved={"emails"}) == ["emails-2", "emails-3"]
    assert slug("अनीता शर्मा") == "अनीता-शर्मा" and slug("สมชาย ใจดี") == "สมชาย-ใจดี"


def test_a_draft_is_built_from_the_catalogue(tmp_path):
    planned = make_plan(name="Wei Zhang 张伟")
    message = BytesParser(policy=policy.default).parsebytes(
        draft(planned, "wei@example.org", {"plan.pdf": b"%PDF-1.7"}, ENGLISH, "Acme Workshops")
    )
    body = message.get_body(("plain",)).get_content()
    assert body.startswith(ENGLISH("email.greeting", name="Wei Zhang 张伟"))
    assert ENGLISH.long_date(planned.finish) in body and body.rstrip().endswith("Acme Workshops")
    assert str(message["To"]) == "Wei Zhang 张伟 <wei@example.org>"
    assert draft(planned, "wei@example.org", {}, ENGLISH) == draft(planned, "wei@example.org", {}, ENGLISH)


@given(st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=40).map(str.strip).filter(bool))
def test_any_name_stays_one_display_name(name):
    planned = replace(PLAN, participant=name)
    raw = draft(planned, "ana@example.org", {"plan.ics": b"BEGIN:VCALENDAR\r\n"}, ENGLISH)
    headers = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    assert [line.split(":")[0] for line in headers.split("\r\n") if not line.startswith((" ", "\t"))] == [
        "To",
        "Subject",
        "X-Unsent",
        "MIME-Version",
        "Content-Type",
    ]
    message = BytesParser(policy=policy.default).parsebytes(raw)
    (address,) = message["To"].addresses
    assert address.addr_spec == "ana@example.org" and address.display_name == name


def test_a_draft_speaks_the_participants_language(tmp_path):
    roster = tmp_path / "room.csv"
    roster.write_text("Name,E-mail,Language,Time zone\nJonas,jonas@example.de,de,Europe/Berlin\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run("batch", roster, "-o", out, "--emails", "--formats", "ics", "--jobs", "1", "--start", "2027-01-04")
    assert result.exit_code == 0, result.stderr
    message = BytesParser(policy=policy.default).parsebytes((out / "emails" / "jonas.eml").read_bytes())
    assert message["Subject"].startswith("Ihr persönlicher Plan: ")
    assert "Er beginnt am Montag, 4. Januar 2027" in message.get_body(("plain",)).get_content()
