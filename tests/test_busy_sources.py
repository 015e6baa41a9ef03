"""Busy calendars by URL (a local server the test starts on 127.0.0.1: a good one, a slow one, a huge one, an
error), privacy (no busy event's text and no URL secret in any output, log or error), and replan."""

from __future__ import annotations

import io
import json
import re
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import openpyxl
import pytest
from conftest import FIXTURES, run
from realclients import khal_events, pdf_tool

from exporter import busy
from exporter.inputs import CALENDAR_LIMIT
from exporter.labels import ENGLISH

BUSY = FIXTURES / "busy"
SECRET_PATH = "/calendar/ical/zx-secret-account%40example.org/private-zx-secret-token/basic.ics"
SECRET_QUERY = "?key=zx-secret-key"
PRIVATE = (BUSY / "private.ics").read_bytes()
ARGS = ("--start", "2027-01-04", "--timezone", "America/New_York")


class _Calendars(BaseHTTPRequestHandler):
    """/calendar/...: the private calendar; /slow: headers, then a byte now and then; /silent: no answer;
    /huge and /huge-declared: more than the limit (streamed, or declared up front); /gone: 404; /page: HTML."""

    def do_GET(self):
        path = self.path.split("?")[0]
        if path.startswith("/calendar/"):
            self._answer(200, PRIVATE, "text/calendar")
        elif path == "/slow":
            self.send_response(200)
            self.end_headers()
            for _ in range(40):
                self.wfile.write(b"B")
                self.wfile.flush()
                time.sleep(0.1)
        elif path == "/silent":
            time.sleep(3)
        elif path == "/huge":
            self.send_response(200)
            self.end_headers()
            chunk = b"X" * 65536
            try:
                for _ in range(CALENDAR_LIMIT // len(chunk) + 10):
                    self.wfile.write(chunk)
            except OSError:
                pass  # the client hung up at its limit
        elif path == "/huge-declared":
            self.send_response(200)
            self.send_header("Content-Length", str(CALENDAR_LIMIT + 1))
            self.end_headers()
        elif path == "/page":
            self._answer(200, b"<html><body>Sign in</body></html>", "text/html")
        else:
            self._answer(404, b"not here", "text/plain")

    def _answer(self, status, body, kind):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that hung up at its limit or deadline is what these tests want


@pytest.fixture(scope="module")
def server():
    httpd = _Server(("127.0.0.1", 0), _Calendars)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def quick(monkeypatch):
    monkeypatch.setattr(busy, "FETCH_TIMEOUT", 1.0)


def test_a_url_calendar_is_read_and_named_by_its_host_only(server):
    result = run("plan", *ARGS, "--busy", server + SECRET_PATH + SECRET_QUERY, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["busy"]["calendars"] == [f"{server}/…"]
    assert data["busy"]["hours_taken"] > 0
    assert not [s for s in data["sessions"] if s["start"][11:16] == "19:00" and s["start"][:10] == "2027-01-04"]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/slow", "no answer within 1 seconds"),
        ("/silent", "no answer within 1 seconds"),
        ("/huge", "larger than the 20 MB limit for a calendar"),
        ("/huge-declared", "larger than the 20 MB limit for a calendar"),
        ("/gone", "the server answered 404 Not Found"),
        ("/page", "not an iCalendar file (it does not begin with BEGIN:VCALENDAR)"),
    ],
)
def test_url_problems_are_one_line_naming_the_host_and_nothing_is_written(server, quick, tmp_path, path, message):
    out = tmp_path / "out"
    started = time.monotonic()
    result = run("export", *ARGS, "--busy", server + path + SECRET_QUERY, "-o", out)
    assert time.monotonic() - started < 5
    assert result.exit_code == 1
    assert result.stderr == f"error: --busy: {server}/…: {message}\n"
    assert not out.exists() or not any(out.iterdir())


def test_an_unreachable_server_is_one_line(quick):
    result = run("plan", *ARGS, "--busy", "http://127.0.0.1:9/zx-secret-token.ics")
    assert result.exit_code == 1
    assert re.fullmatch(r"error: --busy: http://127\.0\.0\.1:9/…: cannot reach the server \(.+\)\n", result.stderr)
    assert "zx-secret" not in result.stderr


def _texts(folder: Path) -> dict[str, str]:
    """Every file of an export folder as the text a person or a program could read from it."""
    found = {}
    for path in folder.rglob("*"):
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as archive:
                found[path.name] = "\n".join(
                    archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
                )
        elif path.suffix == ".pdf":
            found[path.name] = pdf_tool("pdftotext", str(path), "-") + path.read_bytes().decode("latin-1")
        elif path.is_file():
            found[path.name] = path.read_text(encoding="utf-8", errors="replace")
    return found


def test_no_busy_event_text_or_url_secret_reaches_any_output(server, tmp_path):
    """The private calendar's title, description, location, people, categories, comment and alarm text, and
    the URL's path and query, appear in no file, no terminal line and no error."""
    url = server + SECRET_PATH + SECRET_QUERY
    out = tmp_path / "out"
    formats = ("--formats", "xlsx,ics,pdf,json,txt")
    results = [run("export", *ARGS, "--busy", BUSY / "private.ics", "--busy", url, *formats, "-o", out)]
    assert results[0].exit_code == 0, results[0].stderr
    results.append(run("plan", *ARGS, "--busy", BUSY / "private.ics", "--busy", url))
    results.append(run("replan", out, "--as-of", "2027-02-01", "--busy", BUSY / "private.ics", "--busy", url))
    assert results[-1].exit_code == 0, results[-1].stderr
    broken = tmp_path / "broken.ics"
    broken.write_bytes(PRIVATE.replace(b"DTEND;TZID=America/New_York:20270104T200000\r\n", b""))
    broken.write_bytes(re.sub(rb"DTEND;TZID=America/New_York:20270104T200000\r?\n", b"", PRIVATE))
    results.append(run("plan", *ARGS, "--busy", broken))
    assert results[-1].exit_code == 1 and "has no end" in results[-1].stderr
    outputs = _texts(out)
    assert {"tracker.xlsx", "plan.ics", "plan.pdf", "plan.json", "plan.txt"} <= outputs.keys()
    outputs.update({f"run {n}": r.stdout + r.stderr for n, r in enumerate(results)})
    for name, text in outputs.items():
        assert "zx-secret" not in text.lower(), name
        assert "Dr. Example" not in text and "Example Street" not in text and "therapy" not in text, name
        assert "private-zx" not in text and "key=" not in text, name
    assert f"{server}/…" in outputs["plan.json"]


def _inputs(tracker: Path) -> dict[str, str]:
    book = openpyxl.load_workbook(tracker)
    sheet = next(ws for ws in book.worksheets if ws.sheet_state == "veryHidden")
    return {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0] and row[0] != "session"}


def test_replan_reads_the_busy_calendar_again_and_moves_what_a_new_meeting_collides_with(tmp_path):
    calendar = tmp_path / "work.ics"
    calendar.write_bytes((BUSY / "weekly-exdate.ics").read_bytes())
    out = tmp_path / "out"
    week = ("--availability", "mon-fri 17:00-21:00")
    result = run("export", "--start", "2027-03-01", "--timezone", "Europe/Berlin", *week, "--busy", calendar, "-o", out)
    assert result.exit_code == 0, result.stderr
    inputs = _inputs(out / "tracker.xlsx")
    assert inputs["busy"] == str(calendar) and inputs["min_session"] == "30" and inputs["busy_tentative"] == "busy"
    settings = openpyxl.load_workbook(out / "tracker.xlsx")[ENGLISH("sheet.settings")]
    shown = {row[0]: row[1] for row in settings.iter_rows(values_only=True)}
    assert shown["Busy calendars (study around them)"] == str(calendar)
    assert shown["Hours of your windows they took"] == 3
    before = json.loads(run("plan", "--start", "2027-03-01", "--timezone", "Europe/Berlin", *week, "--json").stdout)
    assert any(s["start"].startswith("2027-03-10T17:00") for s in before["sessions"])
    meeting = (
        "BEGIN:VEVENT\r\nUID:new@test\r\nDTSTART;TZID=Europe/Berlin:20270310T163000\r\n"
        "DTEND;TZID=Europe/Berlin:20270310T193000\r\nSUMMARY:New meeting\r\nEND:VEVENT\r\nEND:VCALENDAR"
    )
    calendar.write_text(calendar.read_text().replace("END:VCALENDAR", meeting))
    result = run("replan", out, "--as-of", "2027-03-08", "--formats", "json,xlsx,ics")
    assert result.exit_code == 0, result.stderr
    sessions = json.loads((out / "plan.json").read_text(encoding="utf-8"))["sessions"]
    on_the_day = [f"{s['start'][11:16]}-{s['end'][11:16]}" for s in sessions if s["start"].startswith("2027-03-10")]
    assert on_the_day == ["19:30-21:00"]
    assert "moved" in result.stdout


def test_replan_asks_again_for_a_url_it_never_stored(server, tmp_path):
    url = server + SECRET_PATH + SECRET_QUERY
    out = tmp_path / "out"
    assert run("export", *ARGS, "--busy", url, "--formats", "xlsx,json", "-o", out).exit_code == 0
    inputs = _inputs(out / "tracker.xlsx")
    assert inputs["busy"] == f"{server}/…"
    result = run("replan", out, "--as-of", "2027-02-01", "--formats", "xlsx,json")
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {out / 'tracker.xlsx'}: busy: {server}/…: the plan was made with this calendar, whose secret "
        "address is never stored: give every busy calendar again with --busy\n"
    )
    result = run("replan", out, "--as-of", "2027-02-01", "--formats", "xlsx,json", "--busy", url)
    assert result.exit_code == 0, result.stderr
    assert io.StringIO(result.stdout).read().count("zx-secret") == 0


def test_khal_sees_the_sessions_around_the_meeting(tmp_path):
    out = tmp_path / "out"
    week = ("--availability", "mon 17:00-21:00", "--formats", "ics")
    result = run(
        "export",
        "--start",
        "2027-03-01",
        "--timezone",
        "Europe/Berlin",
        *week,
        "--busy",
        BUSY / "weekly-exdate.ics",
        "-o",
        out,
    )
    assert result.exit_code == 0, result.stderr
    lines = khal_events(out / "plan.ics", tmp_path, "Europe/Berlin", since="2027-03-01", days=22)
    study = [line[:33] for line in lines if "Study:" in line]
    assert study == [
        "2027-03-01 17:00 2027-03-01 18:00",
        "2027-03-01 19:00 2027-03-01 21:00",
        "2027-03-08 17:00 2027-03-08 21:00",
        "2027-03-15 17:00 2027-03-15 18:00",
        "2027-03-15 19:00 2027-03-15 21:00",
        "2027-03-22 17:00 2027-03-22 18:00",
        "2027-03-22 19:00 2027-03-22 21:00",
    ]


def test_a_roster_cell_keeps_a_semicolon_inside_an_address():
    from exporter.settings import source_texts

    cell = "https://cal.example.org/feed?a=1;b=2; work.ics;https://other.example/x.ics\nhome.ics;;webcal://h/c?k=1;d=2"
    assert [text.strip() for text in source_texts(cell)] == [
        "https://cal.example.org/feed?a=1;b=2",
        "work.ics",
        "https://other.example/x.ics",
        "home.ics",
        "",
        "webcal://h/c?k=1;d=2",
    ]
    assert source_texts("https://cal.example/feed.ics;team.vfb;notes") == [
        "https://cal.example/feed.ics",
        "team.vfb",
        "notes",
    ]
