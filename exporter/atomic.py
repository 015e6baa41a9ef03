"""Write files so that a reader never sees half of one, and a set of files so that nothing the person made is lost.

Two tools:

* `atomic_stream` / `write_atomically`: one file, written to a temporary name and renamed over its target;
  `put_in_place` renames a file written elsewhere on the same file system (all-plans.pdf, joined as rows finish).
* `write_file_set`: a set of files in one folder, serialised by a lock, written in two phases, with a protected
  file (the tracker, which holds the person's own progress) never overwritten without a backup and never absent.

Every temporary file is named `.<name>.<pid>.pathway-tmp` (the pid of the process writing it). Runs that were
killed leave such files behind; `write_file_set` removes them (and the older `.<name>.<pid>.tmp` ones) under
its lock, once the process that wrote them is gone.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import BinaryIO

from exporter.errors import InputError, Problem

LOCK_NAME = ".pathway-export.lock"
TEMPORARY_SUFFIX = ".pathway-tmp"
BUSY = "another pathway-export is writing into this folder; try again when it has finished"

# `.<name>.<pid>.pathway-tmp` (now) and `.<name>.<pid>.tmp` (written by earlier versions).
_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.(?:pathway-tmp|tmp)$")
_RETRY_EVERY = 0.05
# link() is refused on these file systems (FAT, some network and FUSE mounts): the backup is copied instead.
_NO_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS, errno.EMLINK, errno.EXDEV}
# fsync() of a directory is refused on some file systems; the renames are still atomic there.
_NO_DIR_SYNC = {errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EBADF, errno.EISDIR}


def temporary_name(path: Path, pid: int | None = None) -> Path:
    """Where `path` is written before it is renamed into place: `.<name>.<pid>.pathway-tmp` beside it."""
    return path.with_name(f".{path.name}.{os.getpid() if pid is None else pid}{TEMPORARY_SUFFIX}")


@contextlib.contextmanager
def atomic_stream(path: Path) -> Iterator[BinaryIO]:
    """A file to write into; it replaces `path` only when the block ends without an error.

    Contract: afterwards `path` holds either its old content or all of the new, never part of it; on an error
    the temporary file is removed and the error propagates. No lock is taken and no backup is made.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_name(path)
    try:
        with open(temporary, "wb") as handle:
            yield handle
            put_in_place(handle, temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


def put_in_place(handle: BinaryIO, written: Path, path: Path) -> Path:
    """The file `written` (open for writing as `handle`, on `path`'s file system) put in place of `path` in one
    step: flushed to disk and closed first, so `path` holds either its old content or all of the new; then the
    folder is fsynced. Returns `path`."""
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()
    os.replace(written, path)
    _sync_folder(path.parent)
    return path


def write_atomically(path: Path, data: bytes) -> Path:
    """Write `data` to `path` through `atomic_stream`; returns `path`."""
    with atomic_stream(path) as handle:
        handle.write(data)
    return path


class Outcome(Enum):
    """What `write_file_set` did with one file."""

    WROTE = "wrote"
    """The file was written (created, or an unprotected file overwritten)."""
    KEPT = "kept"
    """A protected file already existed and `force` was not given: it was not touched."""
    REPLACED = "replaced"
    """An existing protected file was replaced; its old content is kept under `Written.backup`."""


@dataclass(frozen=True)
class Written:
    """One file of a set: where it is, what happened to it, and where its old content went if it was replaced."""

    path: Path
    outcome: Outcome
    backup: Path | None = None
    """Set only for `Outcome.REPLACED`: the file that now holds the old content."""


def write_file_set(
    folder: Path,
    files: dict[str, bytes],
    *,
    protected: frozenset[str],
    force: bool,
    stamp: datetime,
    wait: float = 10.0,
) -> tuple[Written, ...]:
    """Write `files` (name -> content) into `folder` as one set, never losing a protected file's content.

    Contract:

    * Serialised: an exclusive `flock` on `folder/.pathway-export.lock`, tried without blocking until `wait`
      seconds have passed; then `InputError` with one Problem "another pathway-export is writing into this
      folder; try again when it has finished" and nothing is changed. The lock file is removed before the
      lock is released (a run killed while holding it leaves it behind: harmless, the next run reuses and
      removes it). A file system that refuses `flock` is reported as an `InputError`, nothing written.
    * Under the lock, temporaries of interrupted runs (`.<name>.<pid>.pathway-tmp`, `.<name>.<pid>.tmp`)
      whose process no longer runs are removed, whether or not `files` names them.
    * A name in `protected` whose file exists is left untouched (`Outcome.KEPT`) unless `force` is given.
    * Phase 1: every other file is written to its temporary name and fsynced. If any of them fails, all
      temporaries are removed, nothing in the folder is changed, and `InputError` carries one Problem per
      file not written, naming the OS error.
    * Phase 2: each protected file being replaced is first hard-linked (copied, exclusively, where links are
      refused) to `<stem>.backup-YYYYMMDD-HHMMSS<suffix>`, with `stamp` formatted as given (naive or aware,
      its own wall-clock time), adding `-2`, `-3`... when that name is taken: a backup never overwrites
      anything. Then each temporary is renamed over its target and the folder is fsynced. So a protected
      file exists, whole, at every moment, and if the process is killed the folder holds for each file
      either the old or the new version. If making a backup fails, nothing is changed (`InputError`). If a
      rename fails part way, `InputError` lists exactly which files were replaced and which still hold
      their old content (or were not written, if they did not exist); leftover temporaries are removed.
    * Returns one `Written` per entry of `files`, in the order of `files`.

    `folder` is created if missing. Names must be plain file names (no folder part); otherwise `ValueError`.
    """
    for name in files:
        if not name or name in (".", "..", LOCK_NAME) or os.sep in name or (os.altsep and os.altsep in name):
            raise ValueError(f"not a plain file name: {name!r}")
    _make_folder(folder)
    with _folder_lock(folder, wait):
        remove_leftover_temporaries(folder)
        return _write_set(folder, files, protected, force, stamp)


def remove_leftover_temporaries(folder: Path) -> list[Path]:
    """Remove temporaries in `folder` left by runs that were killed; returns what was removed.

    A temporary whose process still runs (an unlocked `atomic_stream` at work, or a pid reused since) is
    left alone; a later run removes it. Call this only while holding the folder's lock.
    """
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _TEMPORARY.match(entry.name)
        if not match or _process_runs(int(match["pid"])):
            continue
        with contextlib.suppress(OSError):
            if entry.is_file(follow_symlinks=False) or entry.is_symlink():
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def backup_name(path: Path, stamp: datetime, attempt: int = 1) -> Path:
    """`tracker.xlsx` -> `tracker.backup-20270104-093000.xlsx`; attempt 2 adds `-2` before the suffix."""
    suffix = "".join(path.suffixes[-1:])
    stem = path.name[: len(path.name) - len(suffix)] if suffix else path.name
    extra = f"-{attempt}" if attempt > 1 else ""
    return path.with_name(f"{stem}.backup-{stamp.strftime('%Y%m%d-%H%M%S')}{extra}{suffix}")


# --- the two phases ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    name: str
    target: Path
    temporary: Path
    data: bytes
    replaces: bool  # an existing protected file, to be backed up first


def _write_set(
    folder: Path, files: dict[str, bytes], protected: frozenset[str], force: bool, stamp: datetime
) -> tuple[Written, ...]:
    kept: dict[str, Written] = {}
    plans: list[_Plan] = []
    for name, data in files.items():
        target = folder / name
        if target.is_dir():
            raise InputError(Problem(str(target), "is a folder; nothing was written"))
        exists = os.path.lexists(target)
        if name in protected and exists and not force:
            kept[name] = Written(target, Outcome.KEPT)
            continue
        plans.append(_Plan(name, target, temporary_name(target), bytes(data), name in protected and exists))

    try:
        _write_temporaries(plans)
        backups = _make_backups(plans, stamp)
        _rename_all(folder, plans, backups)
    except BaseException:  # an interrupt (Ctrl-C) too: no temporaries are left behind
        _remove_temporaries(plans)
        raise

    done = {
        plan.name: Written(plan.target, Outcome.REPLACED, backups[plan.name])
        if plan.replaces
        else Written(plan.target, Outcome.WROTE)
        for plan in plans
    }
    return tuple(kept.get(name) or done[name] for name in files)


def _write_temporaries(plans: list[_Plan]) -> None:
    """Phase 1: all temporaries written and fsynced, or none left and `InputError`."""
    for index, plan in enumerate(plans):
        try:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(plan.temporary)  # this pid's own name, under the lock: a leftover of this process
            _write_new_file(plan.temporary, plan.data)
        except OSError as err:
            _remove_temporaries(plans)
            reason = _reason(err)
            problems = [Problem(str(plan.target), f"cannot write: {reason}; nothing in the folder was changed")]
            problems += [
                Problem(
                    str(other.target), f"not written, since {plan.name} could not be ({reason}); nothing was changed"
                )
                for other in plans[:index] + plans[index + 1 :]
            ]
            raise InputError(problems) from None


def _make_backups(plans: list[_Plan], stamp: datetime) -> dict[str, Path]:
    """Phase 2a: a backup of each protected file about to be replaced, or none made and `InputError`."""
    backups: dict[str, Path] = {}
    current: Path | None = None
    try:
        for plan in plans:
            if plan.replaces:
                current = plan.target
                backups[plan.name] = _backup(plan.target, stamp)
        if backups:
            current = None
            _sync_folder(next(iter(backups.values())).parent)
    except OSError as err:
        for made in backups.values():
            with contextlib.suppress(OSError):
                made.unlink()
        _remove_temporaries(plans)
        where = str(current) if current else str(next(iter(backups.values())).parent)
        raise InputError(
            Problem(where, f"cannot keep a backup of the old file: {_reason(err)}; nothing was changed")
        ) from None
    return backups


def _rename_all(folder: Path, plans: list[_Plan], backups: dict[str, Path]) -> None:
    """Phase 2b: every temporary renamed onto its target, then the folder fsynced."""
    for index, plan in enumerate(plans):
        try:
            os.replace(plan.temporary, plan.target)
        except OSError as err:
            _remove_temporaries(plans[index:])
            # a backup of a file that was not replaced is only a second name for it: drop it
            for other in plans[index:]:
                if other.name in backups:
                    with contextlib.suppress(OSError):
                        backups[other.name].unlink()
            raise InputError(_part_way(plans, index, backups, _reason(err))) from None
    try:
        _sync_folder(folder)
    except OSError as err:
        raise InputError(
            Problem(
                str(folder), f"all files were replaced, but the folder could not be flushed to disk: {_reason(err)}"
            )
        ) from None


def _part_way(plans: list[_Plan], failed: int, backups: dict[str, Path], reason: str) -> list[Problem]:
    problems = []
    for plan in plans[:failed]:
        note = f" (old one kept as {backups[plan.name].name})" if plan.name in backups else ""
        problems.append(Problem(str(plan.target), f"was replaced with the new version{note}"))
    for position, plan in enumerate(plans[failed:]):
        why = f"cannot replace: {reason}" if position == 0 else f"not replaced after that error ({reason})"
        state = "still holds the old content" if os.path.lexists(plan.target) else "was not written"
        problems.append(Problem(str(plan.target), f"{why}; {state}"))
    return problems


# --- files ------------------------------------------------------------------------------------------------


def _write_new_file(path: Path, data: bytes) -> None:
    """Create `path` holding `data`, fsynced; `FileExistsError` if the name is taken; on an error nothing is left."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view) :]
        os.fsync(descriptor)
    except BaseException:
        os.close(descriptor)
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise
    try:
        os.close(descriptor)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise


def _backup(target: Path, stamp: datetime) -> Path:
    """A new name holding `target`'s current content: a hard link, or an exclusive copy. Never overwrites."""
    attempt = 1
    linking = True
    while True:
        backup = backup_name(target, stamp, attempt)
        try:
            if linking:
                os.link(target, backup)
            else:
                _write_new_file(backup, target.read_bytes())
            return backup
        except FileExistsError:
            attempt += 1
        except OSError as err:
            if not linking or err.errno not in _NO_LINKS:
                raise
            linking = False


def _remove_temporaries(plans: list[_Plan]) -> None:
    for plan in plans:
        with contextlib.suppress(OSError):
            os.unlink(plan.temporary)


def _sync_folder(folder: Path) -> None:
    """fsync a folder so that renames and links in it survive a power cut (where the file system allows)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as err:
        if err.errno in _NO_DIR_SYNC:
            return
        raise
    try:
        os.fsync(descriptor)
    except OSError as err:
        if err.errno not in _NO_DIR_SYNC:
            raise
    finally:
        os.close(descriptor)


def _make_folder(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise InputError(Problem(str(folder), "output folder is a file"))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(Problem(str(folder), f"cannot create output folder: {_reason(err)}")) from None


def _process_runs(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def _reason(err: OSError) -> str:
    return err.strerror or str(err)


# --- the lock ---------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _folder_lock(folder: Path, wait: float) -> Iterator[None]:
    """Hold an exclusive flock on `folder/.pathway-export.lock`; the file is removed before it is released.

    Because a holder removes the file, a waiter may end up locking a file that is no longer in the folder;
    after every successful flock the descriptor is checked against the name and, if they differ, tried again.
    """
    path = folder / LOCK_NAME
    deadline = time.monotonic() + max(wait, 0.0)
    while True:
        try:
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o666)
        except OSError as err:
            raise InputError(Problem(str(folder), f"cannot lock the folder for writing: {_reason(err)}")) from None
        try:
            if _try_lock(descriptor, folder) and _still_named(descriptor, path):
                break
        except BaseException:
            os.close(descriptor)
            raise
        os.close(descriptor)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise InputError(Problem(str(folder), BUSY))
        time.sleep(min(_RETRY_EVERY, remaining))
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(descriptor)  # releases the lock


def _try_lock(descriptor: int, folder: Path) -> bool:
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as err:
        if err.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EINTR):
            return False
        raise InputError(Problem(str(folder), f"cannot lock the folder for writing: {_reason(err)}")) from None
    return True


def _still_named(descriptor: int, path: Path) -> bool:
    try:
        named = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    held = os.fstat(descriptor)
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)
