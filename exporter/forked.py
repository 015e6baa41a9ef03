"""Child processes forked ahead of their work: one person's files rendered at once on a machine with
cores to spare (`export`, `replan`).

`Ahead` forks a child for each piece of work before the work is ready: the child starts with
everything this process has imported and made, and runs its `prepare` (imports its writer and the
libraries it needs) on its own core while this process reads the inputs and makes the plan. `run`
then hands every child the same payload (pickled, fed through a pipe by a thread so that a child
still preparing never holds this process up), does its own share here, and collects the answers in
order. A child sends back its result, or its exception with the child's traceback as a note, and
leaves with `os._exit`: no exit handler of this process runs twice and no buffered output is
written twice. Ctrl-C is held back while a child is forked, so it never runs this process's code;
it then stops the children as it stops this process (a child stopped by it is a KeyboardInterrupt
here). Children that are not needed, that follow a failure, or whose parent is interrupted are
stopped and reaped. Where a system cannot fork, or other threads run, `can_fork` is False and
callers work in turn.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import struct
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from typing import Any

_FAILED = b"\x00"
_DONE = b"\x01"
_SIZE = struct.Struct("<Q")


def can_fork() -> bool:
    """Whether work can run in forked children here and now: not on Windows (no fork) nor macOS (whose
    system libraries do not support a fork without exec), and not while other threads run (a child could
    inherit a lock one of them holds)."""
    return hasattr(os, "fork") and sys.platform != "darwin" and threading.active_count() == 1


class _Child:
    """A forked child and the ends of its pipes this process holds: each end is closed once, and the
    child is killed only until it is reaped (its process id cannot be reused before that)."""

    def __init__(self, pid: int, job: int, answer: int):
        self.pid = pid
        self._job: int | None = job
        self._answer: int | None = answer
        self._reaped = False

    def open_ends(self) -> tuple[int, ...]:
        """The pipe ends this process still holds for the child."""
        return tuple(fd for fd in (self._job, self._answer) if fd is not None)

    def take_job(self) -> int:
        """The end the payload is written to; whoever takes it closes it."""
        fd, self._job = self._job, None
        if fd is None:
            raise RuntimeError("the payload has already been sent")
        return fd

    def take_answer(self) -> int:
        """The end the answer is read from; whoever takes it closes it."""
        fd, self._answer = self._answer, None
        if fd is None:
            raise RuntimeError("the answer has already been read")
        return fd

    def wait(self) -> int:
        """Wait for the child to end; its wait status."""
        _, status = os.waitpid(self.pid, 0)
        self._reaped = True
        return status

    def stop(self) -> None:
        """Kill the child unless it is reaped, reap it, and close the pipe ends nobody took."""
        if not self._reaped:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                self.wait()
        for fd in self.open_ends():
            os.close(fd)
        self._job = self._answer = None


class Ahead:
    """Children forked now, one for each (prepare, work) pair: each runs `prepare()` at once and then
    `work(payload)` on the payload `run` sends. Use as a context manager: children not run by then are
    stopped on leaving it. `run` is called at most once."""

    def __init__(self, pieces: Sequence[tuple[Callable[[], Any], Callable[[Any], Any]]]):
        self._children: list[_Child] = []
        self._ran = False
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            for prepare, work in pieces:
                self._children.append(_fork(prepare, work, self._children, held))
            signal.pthread_sigmask(signal.SIG_SETMASK, held)  # a Ctrl-C held back is raised here
        except BaseException:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
            self.close()
            raise

    def __enter__(self) -> Ahead:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def run(self, payload: Any, here: Callable[[Any], Any]) -> list[Any]:
        """`here(payload)` run in this process and each child's `work(payload)` at the same time: every
        result in order (this one first). The first exception, in that order, is raised here as soon as it
        is known (a child's as it raised it, or as a RuntimeError naming it when it cannot be sent; a child
        that dies without an answer is a RuntimeError), and the children still working are stopped."""
        if self._ran:
            raise RuntimeError("these children have already been run")
        self._ran = True
        try:
            data = pickle.dumps(payload, pickle.HIGHEST_PROTOCOL)
            feeders = []
            for child in self._children:
                feeders.append(threading.Thread(target=_feed, args=(child.take_job(), data), daemon=True))
                feeders[-1].start()
            results = [here(payload)]
            results += [_answer(child) for child in self._children]
            for feeder in feeders:
                feeder.join()
            return results
        finally:
            self.close()

    def close(self) -> None:
        """Stop and reap the children still working or never run."""
        children, self._children = self._children, []
        for child in children:
            child.stop()


def _fork(prepare: Callable[[], Any], work: Callable[[Any], Any], siblings: list[_Child], held: Any) -> _Child:
    """A child that prepares now and works on the payload it is sent later (Ctrl-C is held back here)."""
    job_read, job_write = os.pipe()
    answer_read, answer_write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:  # the child never leaves this branch: whatever happens, it ends here
            for fd in (job_write, answer_read, *(fd for sibling in siblings for fd in sibling.open_ends())):
                os.close(fd)
            if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
                signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C stops the child at once; the parent says so
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
            _child(prepare, work, job_read, answer_write)
        finally:
            os._exit(1)
    os.close(job_read)
    os.close(answer_write)
    return _Child(pid, job_write, answer_read)


def _child(prepare: Callable[[], Any], work: Callable[[Any], Any], job: int, answer: int) -> None:
    """Prepare, wait for the payload, work on it and send the outcome; leave at once (never returns)."""
    try:
        try:
            prepare()
            with os.fdopen(job, "rb") as incoming:
                (size,) = _SIZE.unpack(incoming.read(_SIZE.size))
                payload = pickle.loads(incoming.read(size))
            message = _DONE + pickle.dumps(work(payload), pickle.HIGHEST_PROTOCOL)
        except Exception as err:
            message = _FAILED + _sendable(err)
        with os.fdopen(answer, "wb") as out:
            out.write(message)
    finally:
        os._exit(0)


def _feed(job: int, data: bytes) -> None:
    """Write the payload, its size first, to a child, and close the pipe; a child already gone is reported
    by its answer."""
    with contextlib.suppress(OSError), os.fdopen(job, "wb") as out:
        out.write(_SIZE.pack(len(data)))
        out.write(data)


def _sendable(err: Exception) -> bytes:
    """The exception pickled with the child's traceback as a note; a RuntimeError naming it if it does not
    pickle and unpickle as itself."""
    err.add_note("".join(traceback.format_exception(err)).rstrip())
    try:
        data = pickle.dumps(err, pickle.HIGHEST_PROTOCOL)
        sendable = type(pickle.loads(data)) is type(err)
    except Exception:
        sendable = False
    if sendable:
        return data
    stand_in = RuntimeError(f"{type(err).__name__}: {err}")
    for note in getattr(err, "__notes__", ()):
        stand_in.add_note(note)
    return pickle.dumps(stand_in, pickle.HIGHEST_PROTOCOL)


def _answer(child: _Child) -> Any:
    """The child's result once it has ended; its exception, or a RuntimeError if it died without an
    answer, raised."""
    with os.fdopen(child.take_answer(), "rb") as answer:
        data = answer.read()
    status = child.wait()
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGINT:
        raise KeyboardInterrupt  # Ctrl-C reached the child first: the command is interrupted, as here
    if not data:
        raise RuntimeError(f"a rendering process stopped without an answer ({_how(status)})")
    value = pickle.loads(data[1:])
    if data[:1] != _DONE:
        raise value
    return value


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"
