"""exporter.inputs: only regular files of bounded size are read, and nothing can make the reading wait."""

import contextlib
import os
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from exporter import inputs
from exporter.errors import InputError
from exporter.inputs import (
    CALENDAR_LIMIT,
    GUIDE_LIMIT,
    PATHWAY_LIMIT,
    PROFILE_LIMIT,
    ROSTER_LIMIT,
    THEME_LIMIT,
    decode_text,
    read_input,
)

unix_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs and /dev/zero are Unix things")


@contextlib.contextmanager
def deadline(seconds: float):
    """Fail the test, instead of hanging it, if the block takes longer than `seconds`."""

    def expired(signum, frame):
        raise TimeoutError(f"still reading after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def refusal(path, what="guide", limit=GUIDE_LIMIT) -> str:
    with pytest.raises(InputError) as caught:
        read_input(path, what, limit)
    assert len(caught.value.problems) == 1
    problem = caught.value.problems[0]
    assert problem.source == str(path)
    return problem.message


def test_limits():
    mb = 1024 * 1024
    assert 2 * mb == PATHWAY_LIMIT and 5 * mb == GUIDE_LIMIT
    assert ROSTER_LIMIT == CALENDAR_LIMIT == 20 * mb
    assert PROFILE_LIMIT == THEME_LIMIT == 256 * 1024


def test_a_regular_file_is_read_whole(tmp_path):
    path = tmp_path / "guide.txt"
    path.write_bytes(b"x" * 1000)
    assert read_input(path, "guide", 1000) == b"x" * 1000
    link = tmp_path / "link.txt"
    link.symlink_to(path)
    assert read_input(link, "guide", 1000) == b"x" * 1000


def test_one_byte_over_the_limit(tmp_path):
    path = tmp_path / "guide.txt"
    path.write_bytes(b"x" * 1001)
    assert refusal(path, "guide", 1000) == "larger than the 1000 bytes limit for a guide"


def test_an_oversize_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "big.txt"
    with open(path, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: 50 MB that take no disk
    monkeypatch.setattr(inputs, "_read_at_most", lambda *args: pytest.fail("the file was read"))
    assert refusal(path) == "larger than the 5 MB limit for a guide"
    assert refusal(path, "profile", PROFILE_LIMIT) == "larger than the 256 KB limit for a profile"


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_a_file_whose_size_the_system_does_not_know_is_still_bounded():
    # /proc files are regular files that stat as 0 bytes: only the bounded read can catch them,
    # as it catches a file that grows between the stat and the read.
    path = Path("/proc/self/status")
    assert os.stat(path).st_size == 0
    assert refusal(path, "profile", 100) == "larger than the 100 bytes limit for a profile"
    assert b"Name:" in read_input(path, "profile", PROFILE_LIMIT)


@unix_only
def test_a_fifo_is_refused_at_once(tmp_path):
    fifo = tmp_path / "guide.txt"
    os.mkfifo(fifo)
    with deadline(5):
        assert refusal(fifo) == "not a regular file (a named pipe)"
    link = tmp_path / "link.txt"
    link.symlink_to(fifo)
    with deadline(5):
        assert refusal(link) == "not a regular file (a named pipe)"


@unix_only
def test_dev_zero_through_a_symlink_is_refused_at_once(tmp_path):
    link = tmp_path / "guide.txt"
    link.symlink_to("/dev/zero")
    with deadline(5):
        assert refusal(link) == "not a regular file (a device)"


def test_a_folder_is_refused(tmp_path):
    assert refusal(tmp_path) == "not a regular file (a folder)"


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="needs Unix sockets")
def test_a_socket_is_refused():
    with tempfile.TemporaryDirectory(dir="/tmp") as folder:  # socket paths must be short
        path = Path(folder) / "s"
        with socket.socket(socket.AF_UNIX) as server:
            server.bind(str(path))
            assert refusal(path) == "not a regular file (a socket)"


@unix_only
def test_a_fifo_swapped_in_after_the_check_cannot_block(tmp_path, monkeypatch):
    """The open itself must not wait for a writer: O_NONBLOCK, then the open file is checked again."""
    fifo = tmp_path / "guide.txt"
    os.mkfifo(fifo)
    real_stat = os.stat
    regular = os.stat_result((stat.S_IFREG | 0o644, 0, 0, 1, 0, 0, 10, 0, 0, 0))

    def stat_says_regular(path, *args, **kwargs):
        return regular if str(path) == str(fifo) else real_stat(path, *args, **kwargs)

    monkeypatch.setattr(inputs.os, "stat", stat_says_regular)
    with deadline(5):
        assert refusal(fifo) == "not a regular file (a named pipe)"


def test_a_missing_file(tmp_path):
    assert refusal(tmp_path / "nope.txt") == "cannot read: No such file or directory"


def test_a_file_that_may_not_be_read(tmp_path, monkeypatch):
    path = tmp_path / "secret.txt"
    path.write_text("x")
    real_open = inputs.os.open

    def denied(name, *args, **kwargs):
        if str(name) == str(path):
            raise PermissionError(13, "Permission denied")
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(inputs.os, "open", denied)  # root reads anything, so the refusal is simulated
    assert refusal(path) == "cannot read: Permission denied"


@unix_only
@pytest.mark.parametrize("target", ["fifo", "/dev/zero"])
def test_the_import_command_never_hangs_on_a_fifo_or_a_device(tmp_path, target):
    guide = tmp_path / "guide.txt"
    if target == "fifo":
        os.mkfifo(guide)
    else:
        guide.symlink_to(target)
    started = time.monotonic()
    try:
        result = _run(guide)
    except subprocess.TimeoutExpired:
        pytest.fail("import waited on a FIFO or a device")
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {guide}: not a regular file"), result.stderr
    assert time.monotonic() - started < 30


def _run(guide):
    """The command in its own process, as a user runs it; a hang ends in TimeoutExpired, not a stuck test run."""
    return subprocess.run(
        [sys.executable, "-m", "exporter", "import", str(guide)], capture_output=True, text=True, timeout=60
    )


def test_decode_text_accepts_and_removes_a_bom(tmp_path):
    assert decode_text("\ufeffZoë".encode(), tmp_path / "a.toml", "profile") == "Zoë"
    assert decode_text("Zoë".encode(), tmp_path / "a.toml", "profile") == "Zoë"
    assert decode_text(b"", tmp_path / "a.toml", "profile") == ""


@pytest.mark.parametrize(("data", "offset"), [(b"ab\xe9cd", 2), (b"\xef\xbb\xbfab\xe9cd", 5), (b"\xff", 0)])
def test_decode_text_names_the_first_bad_byte(tmp_path, data, offset):
    path = tmp_path / "p.toml"
    with pytest.raises(InputError) as caught:
        decode_text(data, path, "profile")
    (problem,) = caught.value.problems
    assert problem.source == str(path)
    assert problem.message == f"not UTF-8 text (byte {offset}); save the profile as UTF-8"
