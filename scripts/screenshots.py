"""Regenerate screenshots/*.svg: each pane, the sessions waterfall, the alert
list and the runs overview on demo data, written by the simulator.

    python scripts/screenshots.py
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import timezone
from pathlib import Path

from vivtui.app import Options, VivtuiApp
from vivtui.demo import DemoRun, write_forever
from vivtui.fleetapp import FleetApp
from vivtui.ingest.layout import discover
from vivtui.ui.panes.registry import PANES

OUT = Path(__file__).resolve().parent.parent / "screenshots"


async def shoot(run_dir: str, size: tuple[int, int], suffix: str) -> None:
    app = VivtuiApp(discover(run_dir, timezone.utc), Options(zone=timezone.utc, display_zone=timezone.utc),
                    start_workers=False)
    async with app.run_test(size=size) as pilot:
        app.load_all()
        app.clear_notifications()
        for spec in PANES:
            name = spec.name
            await pilot.press(spec.key)
            if name == "queue":
                await pilot.press("j")
            await pilot.pause()
            app.save_screenshot(str(OUT / f"{name}{suffix}.svg"))
        for name, keys, back in (("waterfall", ("2", "v"), ("v",)), ("alerts", ("a",), ("escape",))):
            await pilot.press(*keys)
            await pilot.pause()
            app.save_screenshot(str(OUT / f"{name}{suffix}.svg"))
            await pilot.press(*back)


async def shoot_overview(parent: str, size: tuple[int, int], suffix: str) -> None:
    app = FleetApp([], [parent], Options(zone=timezone.utc, display_zone=timezone.utc),
                   start_workers=False, keep_views=False)
    async with app.run_test(size=size) as pilot:
        app.fleet.read_once()
        app.overview.refresh_runs(force=True)
        await pilot.pause()
        app.save_screenshot(str(OUT / f"overview{suffix}.svg"))


def write_runs(parent: Path) -> None:
    """Runs of several lengths and seeds: some further into their budget than others."""
    for name, seed, events in (("kernel-a", 7, 420), ("kernel-b", 11, 180), ("kernel-c", 3, 60),
                               ("nightly-12", 5, 300)):
        run = DemoRun(parent / name, seed=seed)
        for _ in range(events):
            run.step()


def main() -> None:
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as run_dir:
        write_forever(run_dir, rate=0, limit=260)  # as fast as it writes: no waiting
        asyncio.run(shoot(run_dir, (120, 36), ""))
        asyncio.run(shoot(run_dir, (80, 24), "-80x24"))
    with tempfile.TemporaryDirectory() as parent:
        write_runs(Path(parent))
        asyncio.run(shoot_overview(parent, (120, 36), ""))
        asyncio.run(shoot_overview(parent, (80, 24), "-80x24"))
    print(f"wrote {len(list(OUT.glob('*.svg')))} screenshots to {OUT}")


if __name__ == "__main__":
    main()
