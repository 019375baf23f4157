"""Building the app on fixture data, the same way for pilot and snapshot tests."""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import datetime, timezone
from pathlib import Path

import orjson

from vivtui.app import Options, VivtuiApp
from vivtui.ingest.layout import discover
from vivtui.parsing import actions
from vivtui.parsing.context import ParseContext
from vivtui.parsing.record import Record

FROZEN = datetime(2026, 2, 11, 1, 0, 0, tzinfo=timezone.utc)


def empty_app(run_dir: Path) -> VivtuiApp:
    """The app on a directory with nothing in it yet and no workers: records
    come from ``app.apply_records``."""
    return VivtuiApp(discover(run_dir), Options(zone=timezone.utc), start_workers=False)


@asynccontextmanager
async def actions_view(run_dir: Path, rows: int):
    """An empty app at 100x30 fed actions 1..rows: (app, pilot, the actions view)."""
    app = empty_app(run_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        app.apply_records("actions", [action(i) for i in range(1, rows + 1)])
        await pilot.pause()
        yield app, pilot, app.main.panes["actions"].view


def action(i: int, detail: str = "", action_type: str = "TOOL") -> Record:
    """Action line ``i`` (line i, offset 100 i), as the parser makes it."""
    line = orjson.dumps({"timestamp": "2026-02-03T05:44:03+00:00", "actor": f"A{i}",
                         "action_type": action_type, "action": "write_file",
                         "detail": detail or f"row {i}"})
    return actions.parse(line, i, i * 100, ParseContext(timezone.utc))


def fixture_app(run_dir: Path, live: bool = True) -> VivtuiApp:
    """The app on ``run_dir`` with no workers and a frozen clock; ``load`` feeds it."""
    return VivtuiApp(discover(run_dir, timezone.utc),
                     Options(zone=timezone.utc, display_zone=timezone.utc, live=live,
                             clock=lambda: FROZEN),
                     start_workers=False)


def load(app: VivtuiApp) -> None:
    """Every record of the run, applied as the workers' batches would be."""
    app.load_all()


def screen_text(app: VivtuiApp) -> str:
    """What the terminal shows, as plain text, one line per row."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def select_where(pane, predicate) -> int:
    """Put the pane's cursor on its first row that ``predicate`` accepts."""
    index = next(i for i, row in enumerate(pane.view.rows) if predicate(row))
    pane.view.select(index)
    return index
