"""The kept view's file: in the user's state directory (never the run), one per
run directory, written whole and read defensively."""

from __future__ import annotations

from pathlib import Path

from vivtui.viewstate import (
    Mark,
    PaneView,
    ViewState,
    load_state,
    save_state,
    state_file,
)


def test_the_file_is_in_the_xdg_state_directory_one_per_real_run_path(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    run = tmp_path / "run"
    run.mkdir()
    (tmp_path / "link").symlink_to(run)
    path = state_file(run)
    assert path.parent == tmp_path / "state" / "vivtui" / "runs"
    assert state_file(tmp_path / "link") == path  # the same run by another name
    assert state_file(tmp_path / "other") != path
    monkeypatch.setenv("XDG_STATE_HOME", "relative/ignored")
    assert state_file(run).is_relative_to(Path.home() / ".local" / "state")


def test_a_state_round_trips_and_unknown_fields_are_ignored(tmp_path):
    state = ViewState("queue", {"queue": PaneView(["!x"], "y", ["failed"], "error", False,
                                                  ["task", "t1"], False)},
                      [Mark("queue", ["task", "t1"], "note", "t1 failed")], {"mine": ["a"]}, True)
    path = tmp_path / "v.json"
    save_state(path, state)
    loaded, problem = load_state(path)
    assert problem is None and loaded == state
    path.write_bytes(path.read_bytes().replace(b'"pane": "queue"',
                                               b'"pane": "queue", "future": 1'))
    assert load_state(path)[0] == state


def test_what_is_not_a_state_starts_fresh_and_is_set_aside(tmp_path):
    path = tmp_path / "v.json"
    for data in (b"[]", b'{"version": 99}', b'{"version": 1, "panes": {"a": 3}}', b"\xff"):
        path.write_bytes(data)
        state, problem = load_state(path)
        assert state == ViewState() and "started fresh" in problem
        assert path.with_suffix(".bad").read_bytes() == data and not path.exists()
    assert load_state(tmp_path / "missing.json") == (ViewState(), None)
