"""Alerts in the monitor: a line written while watched rings (banner, bell,
desktop notification, command); the history is listed and never rung; the list
shows every alert and enter shows its evidence."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timezone

import orjson

from vivtui.app import Options, VivtuiApp
from vivtui.ingest.layout import discover
from vivtui.ui.alerts import AlertsScreen
from vivtui.ui.inspector import InspectorScreen


def blocked_task(task_id: str) -> bytes:
    return orjson.dumps({"task_id": task_id, "worker_id": "worker-9", "status": "safety_blocked",
                         "timestamp": datetime.now(UTC).isoformat(),
                         "errors": "Attempt to write to protected file"}) + b"\n"


async def test_a_live_alert_rings_shows_a_banner_until_seen_and_leads_to_its_line(
        tui, run_dir, tmp_path):
    received = tmp_path / "received.jsonl"
    command = (f"{sys.executable} -c \"import sys; open(sys.argv[1], 'ab')"
               f".write(sys.stdin.buffer.read())\" {received}")
    app = VivtuiApp(discover(run_dir), Options(zone=timezone.utc, display_zone=timezone.utc,
                                               alert_bell=True, alert_notify="osc9",
                                               alert_cmd=command))
    rung, written = [], []
    async with app.run_test(size=(140, 40)) as pilot:
        app.bell = lambda: rung.append(True)
        write = app._driver.write
        app._driver.write = lambda data: (written.append(data), write(data))[1]
        await tui.wait_until(pilot, lambda: app.tailing.reading_backlog() is None)
        await pilot.pause()
        history = app.alerts.fired
        assert history and "ALERT" not in tui.screen_text(app) and not rung
        # (History's alerts are counted in the status line by its next tick.)
        await tui.wait_until(pilot, lambda: f"⚑ {history}" in tui.screen_text(app))
        log = run_dir / "execution_log.jsonl"
        lines_before = log.read_bytes().count(b"\n")
        with open(log, "ab") as handle:
            handle.write(blocked_task("task-live-1"))
        await tui.wait_until(pilot, lambda: any(alert.rule == "safety-block"
                                                for alert in app.main.unseen))
        # Drawn within the pacer's budget (``MainScreen.status_soon``), which
        # the start's frames may have spent: up to a fifth of a second later.
        await tui.wait_until(pilot, lambda: "⚑ ALERT" in tui.screen_text(app))
        screen = tui.screen_text(app)
        evidence = f"execution_log.jsonl:{lines_before + 1}"
        assert "safety-block" in screen and evidence in screen
        assert rung == [True]
        assert any(data.startswith("\x1b]9;vivtui critical: safety-block") for data in written)
        await pilot.press("a")
        assert isinstance(app.screen, AlertsScreen)
        listed = tui.screen_text(app)
        assert evidence in listed and f"{history + 1} alerts" in listed
        await pilot.press("enter")
        assert isinstance(app.screen, InspectorScreen)
        assert "task-live-1" in tui.screen_text(app)
        await pilot.press("escape")
        await pilot.press("escape")
        assert app.screen is app.main
        assert "⚑ ALERT" not in tui.screen_text(app)  # seen
    app.alert_command.close(wait=10)
    sent = [json.loads(line) for line in received.read_text().splitlines()]
    assert [(alert["rule"], alert["line"]) for alert in sent] == [
        ("safety-block", lines_before + 1)]


async def test_an_old_runs_alerts_are_listed_and_never_rung(tui, run_dir):
    app = tui.fixture_app(run_dir, live=False)
    app.options.alert_bell = True
    rung = []
    async with app.run_test(size=(140, 40)) as pilot:
        app.bell = lambda: rung.append(True)
        tui.load(app)
        await pilot.pause()
        assert app.alerts.fired and not rung
        assert "ALERT" not in tui.screen_text(app)
        await pilot.press("a")
        listed = tui.screen_text(app)
        assert f"{app.alerts.fired} alerts (0 while watched" in listed
        assert "safety-block" in listed
