import csv
import filecmp
import io
import re
from pathlib import Path

import openpyxl
import pytest
from conftest import ROOT, run, run_process
from realclients import pdf_tool

from exporter.roster import folder_names, slug

HEADER = "name,start,availability,hours_per_week,days,timezone,blackout,holidays,pathway,paper\n"


def roster_rows() -> list[str]:
    rows = [f"Participant {i},2027-01-{i + 1:02d},,,,America/New_York,,,," for i in range(1, 16)]
    rows += [
        "Bad Zone,2027-01-04,,,,Mars/Olympus,,,,",
        '../../etc/passwd,2027-01-04,,6,"mon,wed,sat",UTC,,,,a4',
        "Same Name,2027-01-04,mon 19:00-21:00,,,Europe/Berlin,2027-07-01..2027-07-14,DE-BY,,",
        "Same Name,2027-01-04,,,,Europe/Berlin,,,,letter",
        "Жанна Ωμέγα Zoë,2027-02-01,,,,Europe/Kyiv,,,backend-developer-to-ai-government-specialist,",
    ]
    return rows


@pytest.fixture(scope="module")
def roster(tmp_path_factory):
    path = tmp_path_factory.mktemp("roster") / "room.csv"
    path.write_text(HEADER + "\n".join(roster_rows()) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def batch_runs(roster, tmp_path_factory):
    base = tmp_path_factory.mktemp("batch")
    env_runs = {}
    for jobs in (1, 2):
        out = base / f"jobs{jobs}"
        result = run_process("batch", roster, "-o", out, "--jobs", jobs, env=_env())
        env_runs[jobs] = (result, out)
    return env_runs


def _env():
    import os

    return {**os.environ, "SOURCE_DATE_EPOCH": "1790000000"}


def test_twenty_rows_nineteen_folders(batch_runs):
    result, out = batch_runs[1]
    assert result.returncode == 1
    assert "room.csv: row 17: timezone: unknown time zone 'Mars/Olympus'" in result.stderr
    assert "Traceback" not in result.stderr
    folders = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert len(folders) == 19
    assert "etc-passwd" in folders and "same-name" in folders and "same-name-2" in folders
    assert "жанна-ωμέγα-zoe" in folders
    for folder in folders:
        assert sorted(p.name for p in (out / folder).iterdir()) == ["plan.ics", "plan.pdf", "tracker.xlsx"]
    assert not (out.parent / "etc").exists()


def test_summary_csv(batch_runs):
    _, out = batch_runs[1]
    rows = list(csv.DictReader((out / "summary.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert len(rows) == 20
    bad = [r for r in rows if r["status"] == "error"]
    assert len(bad) == 1 and bad[0]["row"] == "17" and "Mars/Olympus" in bad[0]["error"] and bad[0]["folder"] == ""
    good = [r for r in rows if r["status"] == "ok"]
    assert all(re.match(r"\d{4}-\d\d-\d\d$", r["planned_finish"]) for r in good)
    assert any(r["name"] == "../../etc/passwd" and r["folder"] == "etc-passwd" for r in rows)


def test_combined_pdf_starts_each_plan_on_an_odd_page(batch_runs):
    _, out = batch_runs[1]
    counts = []
    for row in csv.DictReader((out / "summary.csv").read_text(encoding="utf-8-sig").splitlines()):
        if row["status"] == "ok":
            info = pdf_tool("pdfinfo", str(out / row["folder"] / "plan.pdf"))
            counts.append(int(re.search(r"Pages:\s+(\d+)", info).group(1)))
    assert "No syntax or stream encoding errors found" in pdf_tool("qpdf", "--check", str(out / "all-plans.pdf"))
    fonts = pdf_tool("pdffonts", str(out / "all-plans.pdf")).splitlines()[2:]
    assert fonts and all(re.search(r"\byes\s+yes\s+yes\b", line) for line in fonts)
    links = sum((folder / "plan.pdf").read_bytes().count(b"/URI") for folder in out.iterdir() if folder.is_dir())
    assert links and (out / "all-plans.pdf").read_bytes().count(b"/URI") == links
    combined = int(re.search(r"Pages:\s+(\d+)", pdf_tool("pdfinfo", str(out / "all-plans.pdf"))).group(1))
    cover_and_index = 2
    assert combined == cover_and_index + sum(c + c % 2 for c in counts)
    text = pdf_tool("pdftotext", str(out / "all-plans.pdf"), "-")
    assert text.count("Personal action plan") == 19
    assert "Жанна Ωμέγα Zoë" in text
    assert "(A4)" in pdf_tool("pdfinfo", str(out / "etc-passwd" / "plan.pdf"))


def test_jobs_one_and_two_write_the_same_files(batch_runs):
    (_, one), (_, two) = batch_runs[1], batch_runs[2]
    comparison = filecmp.dircmp(one, two)
    assert not comparison.left_only and not comparison.right_only and not comparison.diff_files
    for folder in comparison.common_dirs:
        sub = filecmp.dircmp(one / folder, two / folder)
        assert not sub.diff_files, (folder, sub.diff_files)


def test_row_settings_reach_the_plan(batch_runs):
    _, out = batch_runs[1]
    book = openpyxl.load_workbook(out / "same-name" / "tracker.xlsx")
    settings = {row[0].value: row[1].value for row in book["Plan settings"].iter_rows(min_row=2)}
    assert settings["Time zone"] == "Europe/Berlin"
    assert settings["Weekly availability"] == "Mon 19:00–21:00"  # as the locale writes it (Plan settings)
    assert settings["Public holidays of"] == "DE-BY"
    assert settings["Blackout days"] == "1–14 Jul 2027"
    uids_a = set(re.findall(r"UID:(\S+)", (out / "same-name" / "plan.ics").read_text()))
    uids_b = set(re.findall(r"UID:(\S+)", (out / "same-name-2" / "plan.ics").read_text()))
    assert uids_a and not uids_a & uids_b


def test_xlsx_roster_and_cli_fallbacks(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Name", "Start", "Time zone", "Hours per week"])
    sheet.append(["Ana", None, "Europe/Lisbon", 4])
    sheet.append(["=Bob", "2027-03-01", None, None])
    sheet["A3"].data_type = "s"
    path = tmp_path / "room.xlsx"
    book.save(path)
    result = run(
        "batch",
        path,
        "-o",
        tmp_path / "out",
        "--jobs",
        "1",
        "--start",
        "2027-02-01",
        "--timezone",
        "UTC",
        "--formats",
        "ics",
        "--no-combined-pdf",
    )
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "out" / "ana" / "plan.ics").exists() and (tmp_path / "out" / "bob" / "plan.ics").exists()
    assert not (tmp_path / "out" / "all-plans.pdf").exists()
    ana = (tmp_path / "out" / "ana" / "plan.ics").read_text()
    assert "X-WR-TIMEZONE:Europe/Lisbon" in ana and "20270201" in ana
    bob = (tmp_path / "out" / "bob" / "plan.ics").read_text()
    assert "X-WR-TIMEZONE:UTC" in bob and "20270301" in bob
    summary = (tmp_path / "out" / "summary.csv").read_text(encoding="utf-8-sig")
    assert "'=Bob" in summary


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"who,start\nAna,2027-01-04\n", "r.csv", "no 'name' column"),
        (b"name\nAn\xe9\n", "r.csv", "not UTF-8"),
        (b"name\nAna\n", "r.txt", "must be a .csv or .xlsx"),
        (b"not a zip", "r.xlsx", "not a readable .xlsx"),
        (b"name\n", "r.csv", "no participants"),
    ],
)
def test_unreadable_roster_writes_nothing(tmp_path, content, name, message):
    path = tmp_path / name
    path.write_bytes(content)
    out = tmp_path / "out"
    result = run("batch", path, "-o", out)
    assert result.exit_code == 1 and message in result.stderr
    assert not out.exists()


def test_shipped_roster_examples(tmp_path):
    for name in ("roster.example.csv", "roster.example.xlsx"):
        result = run("batch", ROOT / "templates" / name, "-o", tmp_path / name, "--jobs", "1", "--formats", "xlsx")
        assert result.exit_code == 0, result.stderr


def test_slugs_are_safe_and_unique():
    assert slug("../../etc/passwd") == "etc-passwd"
    assert slug("CON") == "participant-con" and slug("lpt1.txt") == "participant-lpt1-txt"
    assert slug("...") == "participant" and slug("Zoë Ødegård") == "zoe-ødegard"
    assert folder_names(["A", "a", "A", "b"]) == ["a", "a-2", "a-3", "b"]
    for name in ["/", "\\..\\..\\x", "a/b", "C:\\x", "\x00x", "." * 300]:
        folder = slug(name)
        assert "/" not in folder and "\\" not in folder and folder not in (".", "..") and len(folder) <= 60
        assert Path(folder).name == folder


def test_row_without_a_name_is_a_bad_row(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("name;start\nAna;2027-01-04\n;2027-01-04\n", encoding="utf-8")
    result = run("batch", roster, "-o", tmp_path / "out", "--jobs", "1", "--formats", "ics", "--timezone", "UTC")
    assert result.exit_code == 1
    assert "r.csv: row 3: name: is required" in result.stderr
    assert [p.name for p in (tmp_path / "out").iterdir() if p.is_dir()] == ["ana"]


def _collector_state(_job) -> tuple[tuple[int, int, int], bool]:
    import gc

    return gc.get_threshold(), gc.get_freeze_count() > 0


@pytest.mark.parametrize("jobs", [1, 2])
def test_rows_run_with_the_row_collector_settings_and_restore_them(jobs):
    """Rows (in this process or forked workers) see the batch's collector thresholds and a frozen heap;
    the process has Python's own settings back afterwards."""
    import gc

    from exporter.batch import ROW_COLLECTION_THRESHOLDS, _run_all

    before = gc.get_threshold()
    seen = _run_all(_collector_state, [1, 2, 3], jobs, None)
    assert seen == [(ROW_COLLECTION_THRESHOLDS, True)] * 3
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def _with_its_process(job: str) -> tuple[str, int]:
    import os

    return job, os.getpid()


def test_workers_are_given_the_work_once_and_do_each_row_s_own_job():
    """Rows in worker processes are sent as their index into the work the workers started with: each row's
    result is its own job's, in roster order, done in workers and reported once each as it finishes."""
    import os

    from exporter.batch import _run_all

    work = [f"row {index}" for index in range(7)]
    reported = []
    done = _run_all(_with_its_process, work, 2, lambda result, count, total: reported.append((count, total)))
    assert [job for job, _ in done] == work
    assert os.getpid() not in {pid for _, pid in done}
    assert reported == [(count, 7) for count in range(1, 8)]


def _frozen_count(_job) -> int:
    import gc

    return gc.get_freeze_count()


def test_what_the_first_row_leaves_alive_is_frozen_until_the_batch_ends():
    """After a process's first row, what is left alive is set aside from the collector's walks once; the
    batch unfreezes it all as it ends."""
    import gc

    from exporter.batch import _run_all

    counts = _run_all(_frozen_count, [1, 2, 3], 1, None)
    assert counts[0] < counts[1] == counts[2]
    assert gc.get_freeze_count() == 0


class _Joiner:
    """A stand-in joiner: each part is one page; the part named `fails_with` raises it."""

    def __init__(self, fails_with: tuple[str, BaseException] | None = None):
        self.fails_with = fails_with
        self.joined: list[str] = []

    def add(self, part: str) -> int:
        if self.fails_with and part == self.fails_with[0]:
            raise self.fails_with[1]
        self.joined.append(part)
        return 1


def _joined_plans(joiner: _Joiner, rows: tuple[int, ...]):
    from types import SimpleNamespace

    from exporter import batch

    prepared = SimpleNamespace(ready=[SimpleNamespace(row=SimpleNamespace(number=row)) for row in rows])
    return batch._JoinedPlans(joiner, prepared, lambda result: f"plan {result.row}", io.BytesIO(), Path("unused"))


def _row(row: int, ok: bool = True):
    from exporter.batch import RowResult, RowStatus

    return RowResult(row, f"P{row}", f"p{row}", RowStatus.OK if ok else RowStatus.ERROR)


def test_plans_are_joined_in_roster_order_as_rows_finish():
    joiner = _Joiner()
    joined = _joined_plans(joiner, (1, 2, 3, 4))
    joined.finished(_row(3))
    joined.finished(_row(2, ok=False))
    assert joiner.joined == []  # row 1 is not done: nothing after it is joined yet
    joined.finished(_row(1))
    assert joiner.joined == ["plan 1", "plan 3"]  # a row with an error has no plan
    joined.finished(_row(4))
    assert [result.row for result, _, _ in joined.plans] == [1, 3, 4]
    assert joined.failure is None


def test_a_join_that_fails_stops_joining_and_waits_for_the_rows():
    """An error while joining is kept (raised once the rows are done); Ctrl-C while joining is kept and
    raised at once, so the batch is interrupted rather than all-plans.pdf written without that plan."""
    from exporter.batch import _also_joining, _run_all

    broken = OSError("No space left on device")
    joined = _joined_plans(_Joiner(("plan 2", broken)), (1, 2, 3))
    for row in (1, 2, 3):
        joined.finished(_row(row))
    assert joined.failure is broken and [result.row for result, _, _ in joined.plans] == [1]

    joined = _joined_plans(_Joiner(("plan 3", KeyboardInterrupt())), (1, 2, 3))
    done = _run_all(_row, [1, 2, 3], 1, _also_joining(joined, None))
    assert isinstance(joined.failure, KeyboardInterrupt)
    assert [result.row for result, _, _ in joined.plans] == [1, 2] and None not in done


def test_rows_leave_what_a_caller_froze_frozen():
    import gc

    from exporter.batch import _run_all

    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        made_since = [[] for _ in range(10)]  # the caller's own, not frozen: none of the batch's to freeze
        _run_all(_collector_state, [1, 2], 1, None)
        assert gc.get_freeze_count() == frozen
        assert any(item is made_since for item in gc.get_objects())  # the collector still walks it
    finally:
        gc.unfreeze()


def test_joined_plans_are_written_out_while_rows_run_and_the_file_is_the_same(tmp_path, monkeypatch):
    """With a write-out after every plan joined, all-plans.pdf is synced as rows finish (once a plan, besides
    the syncs of writing files) and ends byte for byte as it does when written out at the end only."""
    import os

    from exporter import batch

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    path = tmp_path / "room.csv"
    path.write_text(HEADER + "\n".join(roster_rows()[:3]) + "\n", encoding="utf-8")
    syncs, fsync = [], os.fsync

    def counted(descriptor: int) -> None:
        syncs.append(descriptor)
        fsync(descriptor)

    monkeypatch.setattr(batch.os, "fsync", counted)
    combined = {}
    for every in (batch.WRITE_OUT_EVERY, 1):
        monkeypatch.setattr(batch, "WRITE_OUT_EVERY", every)
        syncs.clear()
        out = tmp_path / f"every-{every}"
        assert run("batch", path, "-o", out, "--jobs", "1", "--formats", "pdf").exit_code == 0
        combined[every] = ((out / "all-plans.pdf").read_bytes(), len(syncs))
    (at_the_end, synced_at_the_end), (as_rows_run, synced_as_rows_run) = combined.values()
    assert as_rows_run == at_the_end
    assert synced_as_rows_run == synced_at_the_end + 3
