"""The runs overview: one row per run, troubled runs first, updated live; enter
opens the run in the usual panes (``R`` there comes back)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen

from vivtui.fleet.runs import GONE, THIS_HOST, RunFacts, WatchedRun, trouble_order
from vivtui.store.activity import IDLE, LIVE
from vivtui.ui import render, styles
from vivtui.ui.heads import RUN_STYLE
from vivtui.ui.keys_footer import KeysFooter
from vivtui.ui.rowview import RowView
from vivtui.ui.textline import TextLine

REFRESH_S = 1.0
# From these widths: the counts' heads in full; the host; the last event.
WIDEST, WIDE, MIDDLE = 140, 120, 100

# (key, narrow head, wide head, narrow width, wide width) of the counted columns
COUNTS = (("running", "run", "running", 3, 7), ("stalled", "stl", "stalled", 3, 7),
          ("failed", "fail", "failed", 4, 6), ("unfinished", "unf", "unfinished", 3, 10),
          ("tasks_failed", "tsk✗", "tasks✗", 4, 6), ("blocks", "blk", "blocks", 3, 6),
          ("alerts", "alrt", "alerts", 4, 6), ("malformed", "malf", "malformed", 4, 9))
COUNT_STYLE = {"stalled": styles.CAUTION, "failed": styles.FAILURE_STRONG,
               "unfinished": styles.CAUTION, "tasks_failed": styles.FAILURE_STRONG,
               "blocks": styles.FAILURE_STRONG, "malformed": styles.FAILURE}


def layout(width: int) -> list[tuple[str, str, int]]:
    """(key, head, width) of each column at a screen ``width`` wide; the run's
    name takes what the others leave."""
    wide, widest = width >= WIDE, width >= WIDEST
    cells = [("host", "host", 10)] if wide else []
    cells.append(("state", "state", 16 if wide else 10))
    if width >= MIDDLE:
        cells.append(("last_event", "last event", 11))
    cells.append(("spend", "spend", 14 if wide else 12))
    cells += [(key, long if widest else short, wide_w if widest else narrow_w)
              for key, short, long, narrow_w, wide_w in COUNTS]
    name = max(8, width - sum(cell + 1 for _, _, cell in cells) - 1)
    return [("name", "run", name), *cells]


def head_row(width: int) -> Text:
    return render.columns([(head, cell, styles.STRONG) for _, head, cell in layout(width)],
                          width)


def run_row(facts: RunFacts, width: int, now: datetime, zone: tzinfo | None) -> Text:
    wide = width >= WIDE
    # Without the host column, a run of another host (a stream's) is named with it.
    name = facts.name if wide or facts.host == THIS_HOST else f"{facts.host}/{facts.name}"
    cells = []
    for key, _, cell in layout(width):
        if key == "name":
            value, style = render.safe(name, 200), styles.STRONG if facts.trouble else ""
        elif key == "host":
            value, style = render.safe(facts.host, 40), styles.NOTE
        elif key == "state":
            value = _state(facts, now, wide)
            style = RUN_STYLE.get(facts.state, styles.CAUTION_STRONG)  # (gone)
        elif key == "last_event":
            value = render.stamp(facts.last_event, zone, now) if facts.last_event else "-"
            style = styles.NOTE
        elif key == "spend":
            share = facts.worst_share
            suffix = " limit?" if share is None else f" {share:.0%}" if facts.limit else ""
            value = render.money(facts.spent) + suffix
            style = styles.level(share) if share is not None and share >= 0.8 else styles.MONEY
        else:
            figure = getattr(facts, key)
            value = str(figure) if figure else "·"
            style = _count_style(facts, key) if figure else styles.NOTE
        cells.append((value, cell, style))
    return render.columns(cells, width)


def _count_style(facts: RunFacts, key: str) -> str:
    if key == "alerts":
        return styles.FAILURE_STRONG if facts.live_alerts else styles.CAUTION
    return COUNT_STYLE.get(key, "")


def _state(facts: RunFacts, now: datetime, wide: bool) -> str:
    """live / idle 12m / finished 3h: since the last sign of life; gone 1m: since
    the run's directory was missed."""
    if facts.state == LIVE or facts.since is None:
        return facts.state
    quiet = _age((now - facts.since).total_seconds())
    if facts.state == IDLE:
        return f"idle {quiet}"
    if facts.state == GONE:
        return f"gone {quiet}"  # since its directory was missed
    return f"finished {quiet}" if wide else f"done {quiet}"


def _age(seconds: float) -> str:
    """12m, 5h, 3d: to the unit that matters for how long a run has been quiet."""
    seconds = max(0, int(seconds))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size * (2 if unit == "d" else 1):
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


class RunsScreen(Screen[None]):
    """``runs()`` gives the runs (more may come); ``open_run`` is called with the
    one chosen."""

    DEFAULT_CSS = """
    RunsScreen { layout: vertical; }
    RunsScreen #heads { height: 1; background: $boost; }
    RunsScreen #about { background: $panel; }
    """
    BINDINGS = [Binding("enter", "open_run", "Open run"), Binding("q", "app.quit", "Quit")]

    def __init__(self, runs: Callable[[], list[WatchedRun]],
                 open_run: Callable[[WatchedRun], None], now: Callable[[], datetime],
                 zone: tzinfo | None = None, problems: Callable[[], list[str]] = list) -> None:
        super().__init__()
        self._runs = runs
        self._open_run = open_run
        self._now = now
        self.zone = zone
        self._problems = problems
        self.facts: dict[int, RunFacts] = {}  # by id of the run
        self._moved = False  # the user moved the cursor: it stays on its run

    def compose(self) -> ComposeResult:
        yield TextLine(id="heads")
        yield RowView(self._row, follow=False, empty="No run found yet (looking…)")
        yield TextLine(id="about", wrap=True)
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        self.refresh_runs(force=True)
        self.set_interval(REFRESH_S, self.refresh_runs)
        self.query_one(RowView).focus()

    def on_screen_resume(self) -> None:
        self.refresh_runs(force=True)

    def on_resize(self) -> None:
        self._draw_heads()

    def _draw_heads(self) -> None:
        """The heads at the rows' width: a scrollbar (more runs than lines) takes
        its columns from the rows, not from the heads."""
        view = self.query_one(RowView)
        width = view.scrollable_content_region.width or self.size.width
        self.query_one("#heads", TextLine).update(head_row(width))

    def _row(self, run: WatchedRun, width: int) -> Text:
        facts = self.facts.get(id(run))
        return run_row(facts, width, self._now(), self.zone) if facts else Text("")

    def refresh_runs(self, force: bool = False) -> None:
        """Facts worked out again for every run (a few counters each), the rows
        ordered again; the cursor stays on its run."""
        if not self.is_mounted or not self.is_current:
            return  # under a run's screen: worked out again when shown (on_screen_resume)
        now = self._now()
        runs = list(self._runs())
        facts = {id(run): run.facts(now) for run in runs}
        self.facts = facts
        rows = sorted(runs, key=lambda run: trouble_order(facts[id(run)]))
        view = self.query_one(RowView)
        if force or rows != view.rows:
            view.set_rows(rows)
            if not self._moved:  # until the user moves, the most troubled run
                view.select(0, quiet=True)
        else:
            view.refresh()  # the same order: the figures drawn again
        self._draw_heads()
        self.query_one("#about", TextLine).update(self.about(list(facts.values())))

    def about(self, facts: list[RunFacts]) -> Text:
        out = Text(no_wrap=True, overflow="ellipsis", end="")
        live = sum(f.state == LIVE for f in facts)
        out.append(f" {len(facts)} runs", styles.STRONG)
        out.append(f"  {live} live", RUN_STYLE[LIVE] if live else styles.NOTE)
        alerts = sum(f.alerts for f in facts)
        new = sum(f.live_alerts for f in facts)
        out.append(f"  ⚑ {alerts} alerts", styles.FAILURE_STRONG if new else styles.NOTE)
        if new:
            out.append(f" ({new} while watched)", styles.FAILURE)
        spent = sum(f.spent for f in facts)
        out.append(f"  $ {render.money(spent)}", styles.MONEY)
        out.append("  enter: open a run, R there: back here", styles.NOTE)
        problems = self._problems()
        if problems:
            out.append(f"  {render.safe(problems[-1], 120)}", styles.FAILURE)
        return out

    def on_row_view_selected(self) -> None:
        self._moved = True

    def action_open_run(self) -> None:
        run = self.query_one(RowView).selected
        if run is not None:
            self._open_run(run)
