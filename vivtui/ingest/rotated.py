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
from collections.abc import Collection
from pathlib import Path

from vivtui.parsing.kinds import rotation_base

Identity = tuple[int, int]  # a file's (device, inode)


def rotated_copies(path: Path) -> list[Path]:
    """The regular files a rotation left beside ``path``, the most recently
    written first."""
    return [copy for copy, _ in _copies(path)]


def unread_copies(path: Path, read: Collection[Identity]) -> list[str]:
    """The names of ``path``'s rotated copies whose lines were not read
    (``read``: the files followed, by identity)."""
    return [copy.name for copy, identity in _copies(path) if identity not in read]


def _copies(path: Path) -> list[tuple[Path, Identity]]:
    try:
        names = os.listdir(path.parent)
    except OSError:
        return []
    copies = []
    for name in names:
        if name != path.name and rotation_base(name) == path.name:
            try:
                found = os.stat(path.parent / name)
            except OSError:
                continue
            if stat.S_ISREG(found.st_mode):
                copies.append((found.st_mtime, name, (found.st_dev, found.st_ino)))
    return [(path.parent / name, identity)
            for _, name, identity in sorted(copies, reverse=True)]


def copies_note(names: list[str]) -> str:
    """What a file's status says of its unread rotated copies ("" if none)."""
    if not names:
        return ""
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    if len(names) == 1:
        return f"rotated copy beside it not read: {shown}; open it alone to see its lines"
    return f"rotated copies beside it not read: {shown}; open each alone to see its lines"
