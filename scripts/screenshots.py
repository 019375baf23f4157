"""Regenerate screenshots/*.svg: each pane, the sessions waterfall and the alert
list on demo data, written by the simulator.

    python scripts/screenshots.py
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import timezone
from pathlib import Path

from vivtui.app import Options, VivtuiApp
from vivtui.demo import write_forever
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


def main() -> None:
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as run_dir:
        write_forever(run_dir, rate=0, limit=260)  # as fast as it writes: no waiting
        asyncio.run(shoot(run_dir, (120, 36), ""))
        asyncio.run(shoot(run_dir, (80, 24), "-80x24"))
    print(f"wrote {len(list(OUT.glob('*.svg')))} screenshots to {OUT}")


if __name__ == "__main__":
    main()
