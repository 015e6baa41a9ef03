"""Calls run side by side in forked processes: one person's files rendered at once on a machine with
cores to spare (`export`, `replan`).

Each call but the first runs in a child forked from this process, so it starts with everything this
process has made and imported, and imports what it needs on its own core; the first runs here. A
child sends back its result, or its exception with the child's traceback as a note, pickled through
a pipe, and leaves with `os._exit`: no exit handler of this process runs twice and no buffered
output is written twice. Ctrl-C stops the children as it stops this process (a child stopped by it
is a KeyboardInterrupt here); if this process is interrupted, its children are stopped and reaped.
Where a system cannot fork, `can_fork` is False and callers run their calls one after another.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any

_FAILED = b"\x00"
_DONE = b"\x01"


def can_fork() -> bool:
    """Whether calls can run in forked children here: not on Windows (no fork) nor macOS (whose system
    libraries do not support a fork without exec)."""
    return hasattr(os, "fork") and sys.platform != "darwin"


def run_forked(calls: Sequence[Callable[[], Any]]) -> list[Any]:
    """Every call's result, in order: the first call run here, each other in a forked child at the same time.
    The first exception of a call, in order, is raised here (a child's as the child raised it, or as a
    RuntimeError naming it when it cannot be sent); a child that dies without an answer is a RuntimeError."""
    children: list[tuple[int, int]] = []
    try:
        for call in calls[1:]:
            children.append(_fork(call))
        outcomes = [_outcome(calls[0])]
        while children:
            outcomes.append(_answer(*children.pop(0)))
    finally:
        for pid, pipe in children:
            _stop(pid, pipe)
    for succeeded, value in outcomes:
        if not succeeded:
            raise value
    return [value for _, value in outcomes]


def _outcome(call: Callable[[], Any]) -> tuple[bool, Any]:
    try:
        return True, call()
    except Exception as err:
        return False, err


def _fork(call: Callable[[], Any]) -> tuple[int, int]:
    """A child running `call`: its process id and the read end of its pipe."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        _child(call, write_end)
    os.close(write_end)
    return pid, read_end


def _child(call: Callable[[], Any], pipe: int) -> None:
    """Run `call`, send its result or exception, and leave at once (never returns)."""
    try:
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C stops the child at once; the parent reports it
        try:
            message = _DONE + pickle.dumps(call(), pickle.HIGHEST_PROTOCOL)
        except Exception as err:
            message = _FAILED + _sendable(err)
        with os.fdopen(pipe, "wb") as out:
            out.write(message)
    finally:
        os._exit(0)


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


def _answer(pid: int, pipe: int) -> tuple[bool, Any]:
    """The child's result or exception, once it has finished."""
    with os.fdopen(pipe, "rb") as answer:
        data = answer.read()
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGINT:
        raise KeyboardInterrupt  # Ctrl-C reached the child first: the command is interrupted, as here
    if not data:
        return False, RuntimeError(f"a rendering process stopped without an answer ({_how(status)})")
    return data[:1] == _DONE, pickle.loads(data[1:])


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"


def _stop(pid: int, pipe: int) -> None:
    """Stop a child that is no longer wanted and reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(pipe)
