from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURE_RUN = Path(__file__).parent / "fixtures" / "run"


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    """A private copy of the fixture run (tests may append to it)."""
    target = tmp_path / "run"
    shutil.copytree(FIXTURE_RUN, target)
    return target


def fixture_lines(name: str) -> list[bytes]:
    return (FIXTURE_RUN / name).read_bytes().split(b"\n")
