"""Fixtures every level of test uses: the fixture run, and action lines to write."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import orjson
import pytest

FIXTURE_RUN = Path(__file__).parent / "fixtures" / "run"


@pytest.fixture(autouse=True)
def _a_cache_of_its_own(tmp_path_factory, monkeypatch) -> None:
    """Each test's answers kept apart (``ingest.kept_answers``): none is taken
    from another test, nor written to the user's cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def spawned_children(monkeypatch) -> None:
    """vivtui's children started afresh, never forked (``python_child``): for
    the tests of what a fresh process is given or runs."""
    from vivtui.ingest import python_child

    monkeypatch.setattr(python_child, "can_fork", lambda: False)


@pytest.fixture(params=["forked", "started afresh"])
def child_start(request, monkeypatch) -> str:
    """vivtui's children forked, or started afresh (``python_child``),
    whatever threads run meanwhile: a test of what they make, both ways."""
    from vivtui.ingest import python_child

    forked = request.param == "forked"
    monkeypatch.setattr(python_child, "can_fork", lambda: forked)
    return request.param


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """A demo run of 400 events, written at once (a test changes a copy)."""
    from vivtui.demo import write_forever

    root = tmp_path_factory.mktemp("demo")
    write_forever(root, rate=0, limit=400)
    return root


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    """A private copy of the fixture run (tests may append to it)."""
    target = tmp_path / "run"
    shutil.copytree(FIXTURE_RUN, target)
    return target


def _action_line(i: int, kind: str = "TOOL") -> bytes:
    return orjson.dumps({"timestamp": "2026-02-03T12:00:00+00:00", "actor": f"A-{i % 7}",
                         "action_type": kind, "action": "act", "detail": f"seq={i:08d}"})


def _write_actions(path: Path, numbers: range, every_error: int = 0) -> bytes:
    """Appends action lines ``numbers`` (every ``every_error``-th an ERROR)."""
    data = b"".join(_action_line(i, "ERROR" if every_error and i % every_error == 0 else "TOOL")
                    + b"\n" for i in numbers)
    with open(path, "ab") as handle:
        handle.write(data)
    return data


@pytest.fixture
def action_lines() -> SimpleNamespace:
    """``line(i, kind)``: action line i (detail ``seq=0000000i``); ``write(path,
    numbers, every_error)``: append them to a file."""
    return SimpleNamespace(line=_action_line, write=_write_actions)
