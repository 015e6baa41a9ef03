"""Child processes forked ahead of their work: one person's files rendered at once on a machine with
cores to spare (`export`, `replan`).

`Ahead` forks a child for each piece of work before the work is ready: the child starts with
everything this process has imported and made, and runs its `prepare` (imports its writer and the
libraries it needs) on its own core while this process reads the inputs and makes the plan. `run`
then hands every child the same payload (pickled, fed through a pipe by a thread so that a child
still preparing never holds this process up), does its own share here, and collects the answers in
order. A child sends back its result, or its exception with the child's traceback as a note, and
leaves with `os._exit`: no exit handler of this process runs twice and no buffered output is
written twice. Ctrl-C stops the children as it stops this process (a child stopped by it is a
KeyboardInterrupt here); children that are not needed, or whose parent is interrupted, are stopped
and reaped. Where a system cannot fork, `can_fork` is False and callers work in turn.
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
from dataclasses import dataclass
from typing import Any

_FAILED = b"\x00"
_DONE = b"\x01"
_SIZE = struct.Struct("<Q")


def can_fork() -> bool:
    """Whether work can run in forked children here: not on Windows (no fork) nor macOS (whose system
    libraries do not support a fork without exec)."""
    return hasattr(os, "fork") and sys.platform != "darwin"


@dataclass(frozen=True)
class _Child:
    pid: int
    job: int  # where the payload is written
    answer: int  # where the answer is read


class Ahead:
    """Children forked now, one for each (prepare, work) pair: each runs `prepare()` at once and then
    `work(payload)` on the payload `run` sends. Use as a context manager: children not run by then are
    stopped on leaving it."""

    def __init__(self, pieces: Sequence[tuple[Callable[[], Any], Callable[[Any], Any]]]):
        self._children: list[_Child] = []
        try:
            for prepare, work in pieces:
                self._children.append(_fork(prepare, work, self._children))
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Ahead:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def run(self, payload: Any, here: Callable[[Any], Any]) -> list[Any]:
        """`here(payload)` run in this process and each child's `work(payload)` at the same time: every
        result in order (this one first). The first exception, in that order, is raised here (a child's as
        it raised it, or as a RuntimeError naming it when it cannot be sent); a child that dies without
        an answer is a RuntimeError. The children are done with afterwards, whatever happened."""
        children, self._children = self._children, []
        try:
            data = pickle.dumps(payload, pickle.HIGHEST_PROTOCOL)
        except BaseException:
            for child in children:
                _stop(child)
            raise
        feeders = [threading.Thread(target=_feed, args=(child.job, data), daemon=True) for child in children]
        for feeder in feeders:
            feeder.start()  # each feeder closes its child's job pipe
        try:
            outcomes = [_outcome(here, payload)]
            while children:
                outcomes.append(_answer(children.pop(0)))
        finally:
            for child in children:
                _stop(child, job_closed=True)
        for feeder in feeders:
            feeder.join()
        for succeeded, value in outcomes:
            if not succeeded:
                raise value
        return [value for _, value in outcomes]

    def close(self) -> None:
        """Stop and reap the children that were never run."""
        children, self._children = self._children, []
        for child in children:
            _stop(child)


def _outcome(call: Callable[[Any], Any], payload: Any) -> tuple[bool, Any]:
    try:
        return True, call(payload)
    except Exception as err:
        return False, err


def _fork(prepare: Callable[[], Any], work: Callable[[Any], Any], siblings: list[_Child]) -> _Child:
    """A child that prepares now and works on the payload it is sent later."""
    job_read, job_write = os.pipe()
    answer_read, answer_write = os.pipe()
    pid = os.fork()
    if pid == 0:
        for fd in (job_write, answer_read, *(fd for sibling in siblings for fd in (sibling.job, sibling.answer))):
            os.close(fd)
        _child(prepare, work, job_read, answer_write)
    os.close(job_read)
    os.close(answer_write)
    return _Child(pid, job_write, answer_read)


def _child(prepare: Callable[[], Any], work: Callable[[Any], Any], job: int, answer: int) -> None:
    """Prepare, wait for the payload, work on it and send the outcome; leave at once (never returns)."""
    try:
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C stops the child at once; the parent reports it
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
    """Write the payload, its size first, to a child; a child already gone is reported by its answer."""
    with contextlib.suppress(OSError), os.fdopen(job, "wb") as out:
        out.write(_SIZE.pack(len(data)) + data)


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


def _answer(child: _Child) -> tuple[bool, Any]:
    """The child's result or exception, once it has finished; the child is reaped, whatever happens."""
    try:
        with os.fdopen(child.answer, "rb") as answer:
            data = answer.read()
    except BaseException:
        _reap(child)
        raise
    _, status = os.waitpid(child.pid, 0)
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGINT:
        raise KeyboardInterrupt  # Ctrl-C reached the child first: the command is interrupted, as here
    if not data:
        return False, RuntimeError(f"a rendering process stopped without an answer ({_how(status)})")
    return data[:1] == _DONE, pickle.loads(data[1:])


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"


def _stop(child: _Child, job_closed: bool = False) -> None:
    """Stop a child that is no longer wanted, reap it and close its pipes (its job pipe unless a feeder
    has it)."""
    _reap(child)
    os.close(child.answer)
    if not job_closed:
        os.close(child.job)


def _reap(child: _Child) -> None:
    """Kill the child if it is still there and wait for it, so that it leaves no zombie."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(child.pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(child.pid, 0)
