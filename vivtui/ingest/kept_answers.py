"""What a backlog's process made of a file, kept for the next look at the
same run (``ingest.apart_process``).

A big run opened again (a dropped SSH link, another look at an old run) was
read again whole: the big run's counts came 15-20 s after its first screen
on this project's 2-core VM, each time. A process's answer is small (the
1M-line audit log's: 1 MB; 200k sessions': 24 MB) and is what the same
reading of the same bytes makes again, so it is kept in the user's cache
(``$XDG_CACHE_HOME/vivtui/answers``) and taken instead of a process, when:

- the file is the same file (its path, device and inode) and holds at
  least the bytes the answer was made of;
- those bytes read as they did: the first and last 64 KB of them, and 4 KB
  at 256 places between (a file that was cut and written again, or replaced,
  differs there; a run's files are only ever appended to);
- the reading was given the same settings (zone, budget, alerts, ...: the
  pickled reading it starts from is part of the key) by the same vivtui
  (its modules' sizes and times written are too).

What the file gained since is read on from where the answer ends, as after
a process. vivtui writes nothing beside the run's files; the cache keeps the
newest answers of ``MOST_KEPT`` files and at most ``MOST_BYTES`` in all.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import stat
import tempfile
from functools import cache
from pathlib import Path
from typing import IO

EDGE = 64 << 10  # bytes read as they were at either end of an answer's range
SAMPLE = 4 << 10  # and at SAMPLES places between
SAMPLES = 256
MOST_KEPT = 64  # answers
MOST_BYTES = 1 << 30
_taking = True  # False: ``--fresh`` (``take_none``)


class Kept:
    """Where a file's answers are kept, and the key of this reading of it."""

    def __init__(self, folder: Path, key: str, fd: int) -> None:
        self.folder = folder
        self._key = key
        self._fd = fd

    @classmethod
    def of(cls, path: Path, spec_name: str, zone, reading_state: object,
           fd: int) -> Kept | None:
        """For the file at ``path``, open as ``fd``, read from ``reading_state``
        (the store and engine a process starts from); None when nothing can be
        kept (no cache folder, or a reading that cannot be pickled). (The path
        is part of the key: an answer names its file, and a rotation renames
        a file, inode and all.)"""
        folder = answers_folder()
        if folder is None:
            return None
        try:
            opened = os.fstat(fd)
            state = pickle.dumps((spec_name, zone, reading_state), protocol=5)
        except (OSError, pickle.PicklingError, TypeError, AttributeError):
            return None
        digest = hashlib.sha256(code_digest().encode() + state)
        digest.update(f"{os.path.realpath(path)}\0{opened.st_dev}:{opened.st_ino}".encode())
        return cls(folder, digest.hexdigest()[:32], fd)

    def find(self, begin: int, most: int) -> tuple[int, Path] | None:
        """The kept answer of the bytes from ``begin`` to an end no further
        than ``most`` that still read as they did: (its end, its file)."""
        if not _taking:
            return None
        for end, path in sorted(self._answers(begin), reverse=True):
            if end <= most and self.marks(end) == path.name.rsplit("-", 1)[1]:
                return end, path
        return None

    def keep(self, begin: int, end: int, answer: IO[bytes], marks: str | None) -> None:
        """``answer`` (a process's, of the bytes from ``begin`` to ``end``,
        whose marks were ``marks`` when it began) kept, if those bytes read
        the same still (the file was not cut while it was read); the older
        answers of the same start dropped."""
        if marks is None or self.marks(end) != marks:
            return
        try:
            answer.seek(0)
            with tempfile.NamedTemporaryFile(dir=self.folder, delete=False) as copy:
                try:
                    shutil.copyfileobj(answer, copy, 1 << 20)
                except OSError:  # (a full disk)
                    _remove(Path(copy.name))
                    raise
            os.replace(copy.name, self.folder / f"{self._key}-{begin}-{end}-{marks}")
        except OSError:
            return
        for old_end, path in self._answers(begin):
            if old_end != end:
                _remove(path)
        _prune(self.folder)

    def _answers(self, begin: int) -> list[tuple[int, Path]]:
        prefix = f"{self._key}-{begin}-"
        found = []
        try:
            for entry in os.scandir(self.folder):
                if entry.name.startswith(prefix):
                    end = entry.name[len(prefix):].split("-", 1)[0]
                    if end.isdigit():
                        found.append((int(end), Path(entry.path)))
        except OSError:
            return []
        return found

    def marks(self, end: int) -> str | None:
        """What the bytes up to ``end`` read as now (see the module's note)."""
        digest = hashlib.sha256(str(end).encode())
        try:
            if os.fstat(self._fd).st_size < end:
                return None
            for at, size in _places(end):
                digest.update(os.pread(self._fd, size, at))
        except OSError:
            return None
        return digest.hexdigest()[:32]


def take_none() -> None:
    """No answer kept from an earlier look is taken from now on in this
    process (``--fresh``: every file counted again); new ones are still kept."""
    global _taking
    _taking = False


def taking() -> bool:
    """Are kept answers taken in this process (not ``take_none``)?"""
    return _taking


def _places(end: int) -> list[tuple[int, int]]:
    """The (offset, size) read for an answer's marks."""
    if end <= 2 * EDGE + SAMPLES * SAMPLE:
        return [(0, end)]
    step = (end - 2 * EDGE) // (SAMPLES + 1)
    return ([(0, EDGE)] + [(EDGE + step * n, SAMPLE) for n in range(1, SAMPLES + 1)]
            + [(end - EDGE, EDGE)])


def answers_folder() -> Path | None:
    """The cache's folder, made if need be; None if there is none to be had,
    or none that only this user can write to: an answer is a pickle, and
    loading one planted by someone else would run their code (a cache
    folder in a shared place, ``XDG_CACHE_HOME=/tmp``)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "vivtui" / "answers"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not all(_own(place) for place in (folder, folder.parent)):
            return None
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None


def _own(folder: Path) -> bool:
    """Is ``folder`` this user's, and no one else's to write to (made so if it
    is this user's)?"""
    found = os.lstat(folder)
    if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.getuid():
        return False
    if found.st_mode & 0o022:
        os.chmod(folder, stat.S_IMODE(found.st_mode) & ~0o022)
    return True


@cache
def code_digest() -> str:
    """vivtui's modules, each by its size and time written (their bytes took
    9 ms to hash, before the first frame): an answer made by other code is
    not taken."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parent.parent
    for path in sorted(root.rglob("*.py")):
        try:
            written = path.stat()
        except OSError:
            continue
        digest.update(f"{path.relative_to(root)}:{written.st_size}:{written.st_mtime_ns};".encode())
    return digest.hexdigest()


def _prune(folder: Path) -> None:
    """The oldest answers dropped past ``MOST_KEPT`` of them or ``MOST_BYTES``."""
    try:
        entries = sorted(((e.stat().st_mtime, e.stat().st_size, e.path)
                          for e in os.scandir(folder) if e.is_file()), reverse=True)
    except OSError:
        return
    total = 0
    for number, (_, size, path) in enumerate(entries):
        total += size
        if number >= MOST_KEPT or total > MOST_BYTES:
            _remove(Path(path))


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass
