"""The copies a rotation left beside a run's file (``action_log.jsonl.1``,
``api_audit.log.2026-02-03``, ``.old``, ``.bak``).

A run opened after its action log rotated read only the new file: its counts
were the new file's, with nothing saying that the older lines sat beside it,
while a monitor that had followed the rotation counted both. A copy is said
as not read unless its lines were (the file it was, known by its device and
inode, followed before it was renamed). Kept rows of the file as it was are
read back from its copy (``layout.LineReread``).
"""

from __future__ import annotations

import os
import stat
import threading
import time
from collections.abc import Collection
from pathlib import Path

from vivtui.parsing.kinds import rotation_base

Identity = tuple[int, int]  # a file's (device, inode)


def rotated_copies(path: Path) -> list[Path]:
    """The regular files a rotation left beside ``path``, the most recently
    written first."""
    return [copy for copy, _ in _copies(path)]


class UnreadCopies:
    """A file's rotated copies whose lines were not read, for its status, which
    is asked for every second: looked for again only once its directory has
    changed (a directory of 100k entries took 97 ms to look through, for
    each of a run's seven files, every second); a big directory looked
    through by a thread of its own (the status, on the screen's thread, says
    what was found before meanwhile: the first listing of 100k entries held
    the screen for 66 ms, 139 ms on another machine)."""

    def __init__(self) -> None:
        self._found: tuple[tuple, list[tuple[Path, Identity]]] = ((), [])
        self._looking: threading.Thread | None = None

    def of(self, path: Path, read: Collection[Identity]) -> list[str]:
        """The names of ``path``'s copies whose lines were not read (``read``:
        the files followed, by identity)."""
        try:
            directory = os.stat(path.parent)
        except OSError:
            return []
        seen = (path, directory.st_ino, directory.st_mtime_ns)
        # (A listing too young to keep is not kept: looked through again.)
        if seen != self._found[0] or path.parent not in _LISTINGS:
            if directory.st_size <= LIST_HERE_MOST:
                self._found = (seen, _copies(path))
            else:
                self._look_apart(path, seen)
        return [copy.name for copy, identity in self._found[1] if identity not in read]

    def _look_apart(self, path: Path, seen: tuple) -> None:
        if self._looking is not None and self._looking.is_alive():
            return  # (its answer comes at a later look)

        def look() -> None:
            self._found = (seen, _copies(path))

        self._looking = threading.Thread(target=look, name="rotated-copies", daemon=True)
        self._looking.start()


# A directory bigger than this (its size as most file systems give it: ext4
# about 32 bytes an entry, tmpfs 20) is looked through apart: about 10k entries.
LIST_HERE_MOST = 256 << 10


def _copies(path: Path) -> list[tuple[Path, Identity]]:
    prefix = path.name + "."
    copies = []
    for name in _names_in(path.parent):
        if name.startswith(prefix) and rotation_base(name) == path.name:
            try:
                found = os.stat(path.parent / name)
            except OSError:
                continue
            if stat.S_ISREG(found.st_mode):
                copies.append((found.st_mtime, name, (found.st_dev, found.st_ino)))
    return [(path.parent / name, identity)
            for _, name, identity in sorted(copies, reverse=True)]


_LISTINGS: dict[Path, tuple[tuple[int, int], list[str]]] = {}
_MOST_LISTINGS = 64  # directories whose listing is kept (a run has one or two)
# A directory changed this recently may change again within the same tick of
# the clock its times come from, leaving its time as it was: not kept.
_SETTLED_NS = 2_000_000_000


def _names_in(directory: Path) -> list[str]:
    """The directory's entries, listed again only once it has changed: a run's
    files share one listing."""
    try:
        found = os.stat(directory)
        seen = (found.st_ino, found.st_mtime_ns)
        kept = _LISTINGS.get(directory)
        if kept is not None and kept[0] == seen:
            return kept[1]
        names = os.listdir(directory)
    except OSError:
        return []
    if len(_LISTINGS) >= _MOST_LISTINGS:
        _LISTINGS.clear()
    if time.time_ns() - found.st_mtime_ns > _SETTLED_NS:
        _LISTINGS[directory] = (seen, names)
    else:
        _LISTINGS.pop(directory, None)
    return names


def copies_note(names: list[str]) -> str:
    """What a file's status says of its unread rotated copies ("" if none)."""
    if not names:
        return ""
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    if len(names) == 1:
        return f"rotated copy beside it not read: {shown}; open it alone to see its lines"
    return f"rotated copies beside it not read: {shown}; open each alone to see its lines"
