"""write_file_set: a set of files written under a folder lock, in two phases, never losing the tracker."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import random
import subprocess
import sys
import textwrap
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest

from exporter.atomic import (
    BUSY,
    LOCK_NAME,
    Outcome,
    Written,
    atomic_stream,
    write_atomically,
    write_file_set,
)
from exporter.errors import InputError, Problem

TRACKER = "tracker.xlsx"
PROTECTED = frozenset({TRACKER})
STAMP = datetime(2027, 1, 4, 9, 30, 0)
ROOT = Path(__file__).resolve().parent.parent


def old_set(folder: Path) -> dict[str, bytes]:
    """A folder as a previous export left it, the tracker edited by the person."""
    files = {TRACKER: b"progress: week 1 done, week 2 half" * 50, "plan.ics": b"old calendar", "plan.pdf": b"old pdf"}
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return files


def new_set(tag: str = "new", size: int = 100) -> dict[str, bytes]:
    return {name: f"{tag} {name};".encode() * size for name in (TRACKER, "plan.ics", "plan.pdf")}


def contents(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}


def temporaries(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.endswith((".pathway-tmp", ".tmp")))


def backups(folder: Path) -> list[Path]:
    return sorted(folder.glob("tracker.backup-*.xlsx"))


@contextlib.contextmanager
def held_lock(folder: Path):
    """Hold the folder's lock as another pathway-export would."""
    descriptor = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o666)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    try:
        yield
    finally:
        os.close(descriptor)


def test_first_write_kept_tracker_and_order(tmp_path):
    folder = tmp_path / "out"
    first = write_file_set(folder, new_set("one"), protected=PROTECTED, force=False, stamp=STAMP)
    assert first == tuple(Written(folder / name, Outcome.WROTE) for name in (TRACKER, "plan.ics", "plan.pdf"))

    files = {"plan.pdf": b"pdf 2", TRACKER: b"tracker 2", "plan.ics": b"ics 2"}
    second = write_file_set(folder, files, protected=PROTECTED, force=False, stamp=STAMP)
    assert [(w.path.name, w.outcome, w.backup) for w in second] == [
        ("plan.pdf", Outcome.WROTE, None),
        (TRACKER, Outcome.KEPT, None),
        ("plan.ics", Outcome.WROTE, None),
    ]
    assert contents(folder) == {TRACKER: new_set("one")[TRACKER], "plan.ics": b"ics 2", "plan.pdf": b"pdf 2"}
    assert not (folder / LOCK_NAME).exists(), "the lock file is removed when the write ends"


def test_two_forced_writes_keep_both_earlier_trackers(tmp_path):
    folder = tmp_path / "out"
    original = old_set(folder)[TRACKER]
    first = write_file_set(folder, new_set("one"), protected=PROTECTED, force=True, stamp=STAMP)
    second = write_file_set(folder, new_set("two"), protected=PROTECTED, force=True, stamp=STAMP)

    assert first[0].outcome is second[0].outcome is Outcome.REPLACED
    assert first[0].backup == folder / "tracker.backup-20270104-093000.xlsx"
    assert second[0].backup == folder / "tracker.backup-20270104-093000-2.xlsx"
    assert first[0].backup.read_bytes() == original
    assert second[0].backup.read_bytes() == new_set("one")[TRACKER]
    assert (folder / TRACKER).read_bytes() == new_set("two")[TRACKER]
    assert [w.outcome for w in second[1:]] == [Outcome.WROTE, Outcome.WROTE]
    assert sorted(contents(folder)) == sorted([TRACKER, "plan.ics", "plan.pdf", *(p.name for p in backups(folder))])


def test_backup_is_copied_where_links_are_refused(tmp_path, monkeypatch):
    folder = tmp_path / "out"
    original = old_set(folder)[TRACKER]
    (folder / "tracker.backup-20270104-093000.xlsx").write_bytes(b"an older backup")

    def no_links(*args, **kwargs):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    written = write_file_set(folder, new_set(), protected=PROTECTED, force=True, stamp=STAMP)
    assert written[0].backup == folder / "tracker.backup-20270104-093000-2.xlsx"
    assert written[0].backup.read_bytes() == original
    assert (folder / "tracker.backup-20270104-093000.xlsx").read_bytes() == b"an older backup"


def test_injected_write_failure_changes_nothing(tmp_path, monkeypatch):
    folder = tmp_path / "out"
    before = old_set(folder)
    failing: set[int] = set()
    real_open, real_write = os.open, os.write

    def tracking_open(path, flags, *args, **kwargs):
        descriptor = real_open(path, flags, *args, **kwargs)
        if str(path).endswith(".pathway-tmp") and ".plan.pdf." in str(path):
            failing.add(descriptor)
        return descriptor

    def full_disk_write(descriptor, data):
        if descriptor in failing:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(descriptor, data)

    monkeypatch.setattr(os, "open", tracking_open)
    monkeypatch.setattr(os, "write", full_disk_write)
    with pytest.raises(InputError) as caught:
        write_file_set(folder, new_set(), protected=PROTECTED, force=True, stamp=STAMP)

    assert failing, "the injection reached the temporary of plan.pdf"
    assert [p.source for p in caught.value.problems] == [str(folder / n) for n in ("plan.pdf", TRACKER, "plan.ics")]
    assert all("No space left on device" in p.message and "nothing" in p.message for p in caught.value.problems)
    assert contents(folder) == before, "old files intact, no backup, no temporaries"


def test_rename_failing_part_way_says_what_was_replaced(tmp_path, monkeypatch):
    folder = tmp_path / "out"
    before = old_set(folder)
    real_replace = os.replace
    calls = []

    def second_fails(source, target):
        calls.append(target)
        if len(calls) == 2:
            raise OSError(errno.EIO, "Input/output error")
        return real_replace(source, target)

    monkeypatch.setattr(os, "replace", second_fails)
    files = {"plan.ics": b"new ics", TRACKER: b"new tracker", "plan.pdf": b"new pdf", "notes.txt": b"new"}
    with pytest.raises(InputError) as caught:
        write_file_set(folder, files, protected=PROTECTED, force=True, stamp=STAMP)

    assert [str(p) for p in caught.value.problems] == [
        f"{folder / 'plan.ics'}: was replaced with the new version",
        f"{folder / TRACKER}: cannot replace: Input/output error; still holds the old content",
        f"{folder / 'plan.pdf'}: not replaced after that error (Input/output error); still holds the old content",
        f"{folder / 'notes.txt'}: not replaced after that error (Input/output error); was not written",
    ]
    assert contents(folder) == {**before, "plan.ics": b"new ics"}, "no temporaries and no redundant backup"


@pytest.fixture
def small_disk(tmp_path):
    """A 200 KiB tmpfs (needs root); the test is skipped where it cannot be mounted."""
    mount_point = tmp_path / "small"
    mount_point.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(mount_point)], capture_output=True, check=False
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs: {done.stderr.decode().strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=False)


def test_full_disk_changes_nothing(small_disk):
    folder = small_disk / "out"
    before = old_set(folder)
    too_big = {**new_set(), "plan.pdf": b"x" * 400_000}
    with pytest.raises(InputError) as caught:
        write_file_set(folder, too_big, protected=PROTECTED, force=True, stamp=STAMP)
    assert len(caught.value.problems) == 3
    assert "No space left on device" in str(caught.value)
    assert contents(folder) == before

    # a backup is a hard link: replacing the tracker on a nearly full disk needs no room for a copy
    written = write_file_set(folder, new_set(size=10), protected=PROTECTED, force=True, stamp=STAMP)
    assert written[0].backup.read_bytes() == before[TRACKER]


def test_leftover_temporaries_of_dead_runs_are_removed(tmp_path):
    folder = tmp_path / "out"
    old_set(folder)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    alive = os.getppid()
    for name in (f".plan.ics.{dead.pid}.pathway-tmp", f".tracker.xlsx.{dead.pid}.tmp", f".other.pdf.{dead.pid}.tmp"):
        (folder / name).write_bytes(b"half")
    (folder / f".plan.pdf.{alive}.pathway-tmp").write_bytes(b"someone else is writing this")
    (folder / ".notes.tmp").write_bytes(b"not ours")

    write_file_set(folder, {"plan.ics": b"x"}, protected=PROTECTED, force=False, stamp=STAMP)
    assert temporaries(folder) == sorted([f".plan.pdf.{alive}.pathway-tmp", ".notes.tmp"])


def test_stale_lock_file_does_not_block(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / LOCK_NAME).write_bytes(b"")  # left by a killed run; nobody holds it
    write_file_set(folder, {"plan.ics": b"x"}, protected=PROTECTED, force=False, stamp=STAMP, wait=0)
    assert sorted(contents(folder)) == ["plan.ics"]


def test_lock_timeout_is_one_line(tmp_path):
    folder = tmp_path / "out"
    before = old_set(folder)
    with held_lock(folder):
        started = time.monotonic()
        with pytest.raises(InputError) as caught:
            write_file_set(folder, new_set(), protected=PROTECTED, force=True, stamp=STAMP, wait=0.3)
        assert time.monotonic() - started >= 0.3
    assert caught.value.problems == [Problem(str(folder), BUSY)]
    assert (
        str(caught.value)
        == f"{folder}: another pathway-export is writing into this folder; try again when it has finished"
    )
    assert contents(folder) == {**before, LOCK_NAME: b""}


def test_waits_for_the_lock_and_then_writes(tmp_path):
    folder = tmp_path / "out"
    old_set(folder)
    ready, release = threading.Event(), threading.Event()

    def holder():
        with held_lock(folder):
            ready.set()
            release.wait(5)

    thread = threading.Thread(target=holder)
    thread.start()
    ready.wait(5)
    threading.Timer(0.5, release.set).start()
    started = time.monotonic()
    written = write_file_set(folder, new_set(), protected=PROTECTED, force=True, stamp=STAMP, wait=5)
    waited = time.monotonic() - started
    thread.join()
    assert waited >= 0.4
    assert written[0].outcome is Outcome.REPLACED


def test_a_lock_on_a_removed_lock_file_is_not_trusted(tmp_path, monkeypatch):
    """A run that locks the file its predecessor just removed must notice, and wait for the new file's holder."""
    folder = tmp_path / "out"
    folder.mkdir()
    real_flock = fcntl.flock
    third: list[int] = []

    def racing_flock(descriptor, operation):
        real_flock(descriptor, operation)
        if not third:  # right after this lock: the file is removed and a third run locks a new one for 0.4 s
            os.unlink(folder / LOCK_NAME)
            third.append(os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o666))
            real_flock(third[0], fcntl.LOCK_EX)
            threading.Timer(0.4, os.close, [third[0]]).start()

    monkeypatch.setattr(fcntl, "flock", racing_flock)
    started = time.monotonic()
    write_file_set(folder, {"plan.ics": b"x"}, protected=PROTECTED, force=False, stamp=STAMP, wait=5)
    assert time.monotonic() - started >= 0.35, "it waited for the holder of the new lock file"
    assert sorted(contents(folder)) == ["plan.ics"]


# --- separate processes -----------------------------------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import os, sys, time
    from datetime import datetime
    from pathlib import Path
    import exporter.atomic as atomic

    folder, tag, size, loops = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    log = sys.argv[5] if len(sys.argv) > 5 else None
    if log:  # record when this process holds the lock, and hold it a little longer
        inner = atomic._write_set
        def logged(*args):
            started = time.monotonic()
            time.sleep(0.3)
            result = inner(*args)
            with open(log, "a") as handle:
                handle.write(f"{started} {time.monotonic()}\\n")
            return result
        atomic._write_set = logged
    print("ready", flush=True)
    i = 0
    while loops == 0 or i < loops:
        i += 1
        body = f"{tag}-{i:06d};".encode()
        files = {name: body * (size // len(body)) for name in ("tracker.xlsx", "plan.ics", "plan.pdf")}
        atomic.write_file_set(
            folder, files, protected=frozenset({"tracker.xlsx"}), force=True, stamp=datetime.now(), wait=60
        )
    """
)
SIZE = 200_000


def start_writer(folder: Path, tag: str, loops: int = 0, log: Path | None = None) -> subprocess.Popen:
    args = [sys.executable, "-c", WRITER, str(folder), tag, str(SIZE), str(loops), *([str(log)] if log else [])]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, cwd=ROOT)
    assert process.stdout is not None and process.stdout.readline() == b"ready\n"
    return process


def version(data: bytes) -> str | None:
    """The version a complete file written by WRITER holds (e.g. 'k3-000002'), or None if it is not whole."""
    head, _, _ = data.partition(b";")
    body = head + b";"
    return head.decode() if data == body * (SIZE // len(body)) else None


def test_kill_9_never_loses_the_tracker(tmp_path):
    folder = tmp_path / "out"
    original = old_set(folder)[TRACKER]
    checked: set[str] = set()
    original_kept_as: Path | None = None
    kills_with_temporaries = 0
    chance = random.Random(20270104)
    for kill in range(25):
        writer = start_writer(folder, f"k{kill}")
        time.sleep(chance.uniform(0.0, 0.4))
        writer.kill()
        writer.wait()

        tracker = (folder / TRACKER).read_bytes()  # exists after every kill
        assert tracker == original or version(tracker), f"kill {kill}: tracker.xlsx is not a complete version"
        for backup in backups(folder):
            if backup.name not in checked:
                data = backup.read_bytes()
                assert data == original or version(data), f"kill {kill}: {backup.name} is not a complete version"
                checked.add(backup.name)
                original_kept_as = original_kept_as or (backup if data == original else None)
        survives = tracker == original or (original_kept_as and original_kept_as.read_bytes() == original)
        assert survives, f"kill {kill}: the person's own tracker is lost"
        for name in ("plan.ics", "plan.pdf"):
            data = (folder / name).read_bytes()
            assert data in (b"old calendar", b"old pdf", b"after the kill") or version(data), (
                f"kill {kill}: {name} is half written"
            )

        kills_with_temporaries += bool(temporaries(folder))
        write_file_set(folder, {"plan.ics": b"after the kill"}, protected=PROTECTED, force=False, stamp=STAMP)
        assert temporaries(folder) == [], "the next call removes what the killed run left"
        assert (folder / TRACKER).read_bytes() == tracker
    assert kills_with_temporaries, "at least one kill landed while temporaries existed"


def test_two_forced_writers_at_once_both_finish_and_keep_every_tracker(tmp_path):
    folder = tmp_path / "out"
    original = old_set(folder)[TRACKER]
    log = tmp_path / "holding.log"
    with held_lock(folder):  # both start while the folder is busy, so they contend
        writers = [start_writer(folder, tag, loops=1, log=log) for tag in ("A", "B")]
        time.sleep(0.3)
    assert [writer.wait(timeout=60) for writer in writers] == [0, 0]

    held = sorted(tuple(map(float, line.split())) for line in log.read_text().splitlines())
    assert len(held) == 2 and held[0][1] <= held[1][0], f"the second waited for the first: {held}"
    kept = [(folder / TRACKER).read_bytes(), *(backup.read_bytes() for backup in backups(folder))]
    assert len(kept) == 3
    assert original in kept
    assert sorted(version(data) for data in kept if data != original) == ["A-000001", "B-000001"]
    assert temporaries(folder) == [] and not (folder / LOCK_NAME).exists()


# --- the single-file helpers keep working -----------------------------------------------------------------


def test_write_atomically_and_stream(tmp_path):
    target = tmp_path / "sub" / "file.csv"
    assert write_atomically(target, b"one") == target and target.read_bytes() == b"one"
    with pytest.raises(RuntimeError), atomic_stream(target) as handle:
        handle.write(b"half")
        raise RuntimeError("stop")
    assert target.read_bytes() == b"one"
    assert sorted(p.name for p in target.parent.iterdir()) == ["file.csv"]
