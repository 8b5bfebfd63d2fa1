"""Who writes a store: the lock each writer holds with a record of itself, the leftovers of
writers that died, and how this process writes (set by the command that runs it).

A lock file holds a flock and one line naming its holder (pid, command, start time), so a
second writer can say whom it waits for. The kernel frees the flock of a killed process
but not its record, so a record counts only while its pid is alive. Only the holder of a
store's writer lock makes a temporary copy of the store (`<store>.tmp-<pid>`), and it records
itself before making one: a temporary file whose pid is not the live holder's was left by a
writer that died.
"""

import fcntl
import glob
import json
import os
import re
import sys
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from loaders.errors import StoreError


@dataclass(frozen=True)
class Holder:
    """The process holding a lock, as its record in the lock file names it."""
    pid: int
    command: str
    since: datetime

    def __str__(self) -> str:
        local = self.since.astimezone()
        clock = f"{local:%H:%M}" if local.date() == datetime.now().astimezone().date() else f"{local:%Y-%m-%d %H:%M}"
        return f"pid {self.pid} ({self.command}, since {clock})"


@dataclass(frozen=True)
class Writer:
    """How this process writes stores: the command its lock records name, whether real data
    written to a demo store replaces the demo (instead of being refused), and who is told,
    once, when a store is locked by another writer."""
    command: str = Path(sys.argv[0]).name or "python"
    replace_demo: bool = False
    on_wait: Callable[[str], None] | None = None


_WRITER: ContextVar[Writer] = ContextVar("writer", default=Writer())


@contextmanager
def writer(**settings):
    """Write stores, within the block, as `Writer(**settings)` says (a command sets this once)."""
    token = _WRITER.set(Writer(**settings))
    try:
        yield
    finally:
        _WRITER.reset(token)


def current() -> Writer:
    return _WRITER.get()


def lock_file(store: Path) -> Path:
    """The writer lock of a store: one writer at a time."""
    return store.with_name(store.name + ".lock")


@contextmanager
def holding(lock: Path, name: str, wait: bool, busy: str = "is being written"):
    """Hold the flock on `lock`, recording this process as its holder.

    Held by another: with `wait`, tell the Writer's on_wait once whom we wait for, then wait;
    without, StoreError naming `name`, what is going on (`busy`) and its holder."""
    lock.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)  # not truncated: the record is the holder's
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            who = holder(lock) or "another process"
            if not wait:
                raise StoreError(name, f"{busy}: {who}; run this again when it has ended") from None
            if current().on_wait:
                current().on_wait(f"waiting for {name}: held by {who}...")
            fcntl.flock(handle, fcntl.LOCK_EX)
        _record(handle, Holder(os.getpid(), current().command, datetime.now(timezone.utc)))
        try:
            yield
        finally:
            os.ftruncate(handle, 0)
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        os.close(handle)


def _record(handle: int, me: Holder) -> None:
    line = json.dumps({"pid": me.pid, "command": me.command, "since": me.since.isoformat()}) + "\n"
    os.ftruncate(handle, 0)
    os.pwrite(handle, line.encode(), 0)


def holder(lock: Path) -> Holder | None:
    """Who the lock file says holds it, if that process is alive (None: nobody, or unreadable)."""
    try:
        fields = json.loads(lock.read_text())
        found = Holder(int(fields["pid"]), str(fields["command"]), datetime.fromisoformat(fields["since"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return found if alive(found.pid) else None


def alive(pid: int) -> bool:
    """Whether a process with this pid exists (one of another user counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class Leftover:
    """A temporary store or WAL file that a stopped write left behind."""
    path: Path
    size: int


def leftovers(store: Path) -> list[Leftover]:
    """The temporary stores of `store` (and their WAL files) that no live write owns: their
    pid is not alive, or is not the one the writer lock names as writing now."""
    store = Path(store)
    pattern = re.compile(re.escape(store.name) + r"\.tmp-(\d+)(\.wal)?")
    owner = holder(lock_file(store))
    found = []
    for candidate in sorted(store.parent.glob(glob.escape(store.name) + ".tmp-*")):
        match = pattern.fullmatch(candidate.name)
        if not match or (owner is not None and owner.pid == int(match[1])):
            continue
        try:
            found.append(Leftover(candidate, candidate.stat().st_size))
        except FileNotFoundError:  # removed meanwhile by the write that owned it
            continue
    return found


def remove_leftovers(store: Path) -> None:
    """Remove what dead writers left; called while holding the store's writer lock, so the
    lock names this process and no other write can be under way."""
    for leftover in leftovers(store):
        leftover.path.unlink(missing_ok=True)


def size_text(size: int) -> str:
    """A file size as people read it: 124 MB, 3.1 GB, 12 kB."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            value = size / scale
            return f"{value:.1f} {unit}" if value < 10 else f"{value:,.0f} {unit}"
    return f"{size} bytes"
