"""A run's view kept across sessions: after a dropped SSH link, reopening the
run brings back its pane, filters, search, cursor row, marks and named filters.

Kept per run directory in the user's state directory ($XDG_STATE_HOME/vivtui,
else ~/.local/state/vivtui), never in the run: vivtui writes nothing there. A
file is written whole to a temporary name and renamed (a crash leaves the old
one), readable by its owner only (filters and notes may name what they
should not). A file that cannot be read as a state is set aside, said, and
a fresh view starts: a view is never worth refusing to open a run.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson

VERSION = 1
MOST_MARKS = 500
MOST_NAMED = 100


@dataclass
class PaneView:
    filters: list[str] = field(default_factory=list)  # as typed, "!" for filter-outs
    search: str | None = None
    categories: list[str] | None = None
    min_severity: str | None = None
    filters_on: bool = True
    place: list | None = None  # the row under the cursor, as the pane names rows
    follow: bool = True


@dataclass
class Mark:
    pane: str
    place: list
    note: str = ""
    text: str = ""  # what the row said when it was marked, one line


@dataclass
class ViewState:
    pane: str | None = None
    panes: dict[str, PaneView] = field(default_factory=dict)
    marks: list[Mark] = field(default_factory=list)
    named_filters: dict[str, list[str]] = field(default_factory=dict)
    hide_foreign: bool = False

    def as_bytes(self) -> bytes:
        return orjson.dumps({"version": VERSION, **asdict(self)}, option=orjson.OPT_INDENT_2)


def state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or ""
    root = Path(base) if os.path.isabs(base) else Path.home() / ".local" / "state"
    return root / "vivtui" / "runs"


def state_file(run_root: Path) -> Path:
    """One file per run directory, named by a digest of its real path."""
    real = os.path.realpath(run_root)
    return state_dir() / (hashlib.sha256(real.encode("utf-8", "surrogateescape"))
                          .hexdigest()[:32] + ".json")


def load_state(path: Path) -> tuple[ViewState, str | None]:
    """The state kept at ``path`` (a fresh one if none), and what went wrong
    reading it (the file is then set aside as ``*.bad``)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return ViewState(), None
    except OSError as exc:
        return ViewState(), f"view state {path}: {exc.strerror or exc}"
    try:
        return from_object(orjson.loads(data)), None
    except (orjson.JSONDecodeError, TypeError, ValueError, KeyError, AttributeError) as exc:
        try:
            path.replace(path.with_suffix(".bad"))
        except OSError:
            pass
        return ViewState(), f"view state {path} unreadable ({type(exc).__name__}): started fresh"


def from_object(obj: Any) -> ViewState:
    if not isinstance(obj, dict) or obj.get("version") != VERSION:
        raise ValueError("not a vivtui view state of this version")
    panes = {str(name): PaneView(**_only(PaneView, view))
             for name, view in dict(obj.get("panes") or {}).items()}
    marks = [Mark(**_only(Mark, mark)) for mark in list(obj.get("marks") or [])[:MOST_MARKS]]
    named = {str(name): [str(text) for text in texts]
             for name, texts in list(dict(obj.get("named_filters") or {}).items())[:MOST_NAMED]}
    pane = obj.get("pane")
    return ViewState(str(pane) if pane is not None else None, panes, marks, named,
                     bool(obj.get("hide_foreign")))


def _only(cls, value: Any) -> dict:
    """The fields ``cls`` has, from a dict read from a file."""
    if not isinstance(value, dict):
        raise TypeError(f"{cls.__name__}: not an object")
    names = cls.__dataclass_fields__
    return {name: item for name, item in value.items() if name in names}


def save_state(path: Path, state: ViewState) -> None:
    write_state(path, state.as_bytes())


def write_state(path: Path, data: bytes) -> None:
    """A state's bytes written whole, then renamed into place; the owner's only."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
