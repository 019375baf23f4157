"""``vivtui summary`` of several runs: one report each, the JSON ones an array."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import tzinfo
from pathlib import Path
from typing import Any

from vivtui.fleet.runs import THIS_HOST, find_runs, run_names
from vivtui.ingest.layout import LayoutError
from vivtui.safetext import one_line
from vivtui.store.activity import RunActivity
from vivtui.summary import collect, render_text, summary_dict


def run_paths(paths: Iterable[str], parents: Iterable[str],
              hosts_in_paths: bool = False) -> list[tuple[Path, str, str]]:
    """(path, name, host) of the runs named and of those found under the
    parents (``hosts_in_paths``: HOST/RUN directories, a stream's mirror)."""
    named = [Path(path) for path in paths]
    if hosts_in_paths:
        return [(path, path.name, path.parent.name) for path in named]
    found = [(path, name, THIS_HOST) for path, name in zip(named, run_names(named))]
    for parent in map(Path, parents):
        found += [(path, str(path.relative_to(parent)), THIS_HOST) for path in find_runs(parent)]
    return found


def summaries(runs: list[tuple[Path, str, str]], zone: tzinfo | None, budget: float | None,
              activity: Callable[[], RunActivity], as_json: bool,
              limit: int = 20) -> list[Any]:
    """A report per run, read one after another (one run's models in memory at
    a time). A run that cannot be read is a report saying why, not the end of
    the others."""
    reports: list[Any] = []
    for path, name, host in runs:
        about = {"name": name, "host": host, "path": str(path)}
        try:
            layout, store = collect(path, zone, budget, activity())
        except LayoutError as exc:
            if as_json:
                reports.append({"run": {**about, "state": "unreadable", "error": str(exc)}})
            else:
                reports.append(f"== {one_line(name, 200)} ({one_line(host, 60)}): "
                               f"{one_line(str(exc))}\n")
            continue
        if as_json:
            data = summary_dict(layout, store, limit)
            data["run"] = {**about, **data["run"]}
            reports.append(data)
        else:
            reports.append(f"== {one_line(name, 200)} ({one_line(host, 60)})\n"
                           + render_text(layout, store, limit))
    return reports
