"""The five panes: each a header line over a row view, refreshed from the store."""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from vivtui.store.run import RunStore
from vivtui.store.sessions import FAILED, RUNNING, SUCCEEDED, UNFINISHED, Session
from vivtui.store.tasks import Task
from vivtui.ui import render
from vivtui.ui.rowview import RowView

_SESSION_ORDER = {FAILED: 0, UNFINISHED: 1, RUNNING: 2, SUCCEEDED: 3}


class Pane(Vertical):
    """Base: ``title``, a one-line head, and ``update_from(store, now)``."""

    title = ""
    ALLOW_MAXIMIZE = True
    DEFAULT_CSS = """
    Pane { height: 1fr; }
    Pane > .head { height: 1; background: $boost; }
    """

    def __init__(self, zone: tzinfo | None = None, live: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.zone = zone
        self.live = live
        self._seen_version = -1

    @property
    def view(self) -> RowView:
        return self.query_one(RowView)

    def head(self, text: Text) -> None:
        self.query_one(".head", Static).update(text)

    def follow_text(self) -> Text:
        view = self.view
        if not view.follow_allowed:
            return Text("")
        if view.follow:
            return Text("● following", "green")
        return Text(f"⏸ paused · {view.waiting} new · G to follow", "bold dark_orange")

    def update_from(self, store: RunStore, now: datetime) -> None:
        raise NotImplementedError


def counts_text(label: str, counts: list[tuple[str, int, str]]) -> Text:
    out = Text(no_wrap=True, overflow="ellipsis", end="")
    out.append(f" {label} ", "bold")
    for name, count, style in counts:
        out.append(f" {render.safe(name, 30)} ", style)
        out.append(str(count), "bold")
    return out


class StreamPane(Pane):
    """A store buffer shown as it grows (actions, kernel)."""

    def __init__(self, kind: str, title: str, row, **kwargs) -> None:
        super().__init__(**kwargs)
        self.kind = kind
        self.title = title
        self._row = row

    def compose(self) -> ComposeResult:
        yield Static(classes="head")
        yield RowView(lambda record, width: self._row(record, width, self.zone, self.source),
                      empty=f"waiting for {self.title.lower()}…")

    source = ""

    def update_from(self, store: RunStore, now: datetime) -> None:
        buffer = store.buffers[self.kind]
        self.source = store.sources.get(self.kind, self.source)
        if buffer.total != self._seen_version:
            self._seen_version = buffer.total
            self.view.set_rows(buffer)
        severities = store.by_severity[self.kind]
        head = counts_text(self.title, [("rows", buffer.total, "dim"),
                                        ("errors", severities["error"], "red"),
                                        ("warnings", severities["warning"], "dark_orange")])
        if self.kind == "kernel":
            k = store.kernel
            head.append(f"  blocked {k.by_class['blocked']}  error {k.by_class['error']}  "
                        f"caution {k.by_class['caution']}  waves {len(k.waves)}", "")
        head.append("  ")
        head.append_text(self.follow_text())
        self.head(head)


class SessionsPane(Pane):
    title = "Sessions"
    DEFAULT_CSS = """
    SessionsPane > .detail { height: 7; border-top: solid $primary-darken-2; }
    """

    def compose(self) -> ComposeResult:
        yield Static(classes="head")
        yield RowView(self._row, follow=False, empty="waiting for structured_logs.jsonl…")
        yield Static(classes="detail")

    def show_detail(self, session: Session | None) -> None:
        detail = self.query_one(".detail", Static)
        if session is None:
            detail.update(Text("select a session to see its details", "dim"))
            return
        perf = render.performance_of(session, self._perf)
        detail.update(render.session_text(session, perf, self._now, self.live, self.zone))

    def on_row_view_selected(self, message: RowView.Selected) -> None:
        self.show_detail(message.item)

    def _row(self, session: Session, width: int) -> Text:
        quality = render.quality_of(session, self._perf)
        return render.session_row(session, width, self._now, self.live, quality, self.zone)

    _perf: list = []
    _now: datetime = datetime.now().astimezone()

    def update_from(self, store: RunStore, now: datetime) -> None:
        tracker = store.sessions
        self._now = now
        self._perf = store.performance.entries
        if tracker.version != self._seen_version:
            self._seen_version = tracker.version
            ordered = sorted(
                tracker.sessions,
                key=lambda s: (_SESSION_ORDER[s.state(self.live)],
                               -(s.started_at or s.ended_at or now).timestamp()))
            self.view.set_rows(ordered)
            self.show_detail(self.view.selected)
        else:
            self.view.refresh()  # running sessions' elapsed time ticks
        states = [s.state(self.live) for s in tracker.sessions]
        self.head(counts_text("Sessions", [
            ("failed", states.count(FAILED), "red"),
            ("unfinished", states.count(UNFINISHED), "dark_orange"),
            ("running", states.count(RUNNING), "cyan"),
            ("ok", states.count(SUCCEEDED), "green"),
        ]))


class QueuePane(Pane):
    title = "Queue"
    DEFAULT_CSS = """
    QueuePane > .history { height: 9; border-top: solid $primary-darken-2; }
    """

    def compose(self) -> ComposeResult:
        yield Static(classes="head")
        yield RowView(lambda task, width: render.task_row(task, width, self.zone),
                      follow=False, empty="waiting for execution_log.jsonl…")
        yield Static(classes="history")

    def update_from(self, store: RunStore, now: datetime) -> None:
        tracker = store.tasks
        if tracker.version != self._seen_version:
            self._seen_version = tracker.version
            ordered = sorted(tracker.tasks.values(), key=_task_order)
            self.view.set_rows(ordered)
            self.show_history(self.view.selected)
        counts = sorted(tracker.by_status().items(), key=lambda item: -item[1])
        self.head(counts_text(f"Queue {len(tracker.tasks)} tasks", [
            (status, count, "red" if status in ("failed", "safety_blocked")
             or status.endswith("_failed") else "") for status, count in counts]))

    def show_history(self, task: Task | None) -> None:
        history = self.query_one(".history", Static)
        history.update(render.history_text(task, self.zone) if task else
                       Text("select a task to see its status history", "dim"))

    def on_row_view_selected(self, message: RowView.Selected) -> None:
        self.show_history(message.item)


def _task_order(task: Task) -> tuple:
    latest = task.latest
    rank = 0 if task.failed else 1 if latest.severity == "warning" else 2
    return (rank, -(latest.ts.timestamp() if latest.ts else 0))


class BudgetPane(Pane):
    title = "Budget"
    DEFAULT_CSS = """
    BudgetPane > .overview { height: auto; max-height: 16; padding: 0 1; }
    BudgetPane > .head { margin-top: 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static(classes="overview")
        yield Static(classes="head")
        yield RowView(lambda record, width: render.problem_row(record, width, self.zone),
                      empty="no API failures or budget events yet")

    def update_from(self, store: RunStore, now: datetime) -> None:
        budget = store.budget
        if budget.version == self._seen_version:
            return
        self._seen_version = budget.version
        width = max(20, (self.size.width or self.app.size.width) - 4)
        self.query_one(".overview", Static).update(overview_text(budget, width))
        self.view.set_rows(budget.problems)
        self.head(counts_text("Failures and budget events", [
            ("failed", budget.failed, "red"), ("budget exceeded", budget.budget_exceeded, "red"),
            ("task budget", budget.task_budget_exceeded, "red"),
            ("rate limited", budget.rate_limited, "dark_orange"),
            ("violations", budget.violations, "red")]))


def overview_text(budget, width: int) -> Text:
    out = Text(end="")
    out.append("Spend ", "bold")
    out.append(f"{render.money(budget.cost)} of {render.money(budget.limit)} "
               f"({budget.fraction_used:.0%})  ")
    out.append("remaining ")
    out.append(render.money(budget.remaining), "red" if budget.remaining <= 0 else "bold")
    out.append("\n")
    out.append_text(render.gauge(budget.fraction_used, min(width, 60)))
    out.append("\n")
    rate = budget.spend_rate()
    left = budget.seconds_to_exhaustion()
    out.append("rate ")
    out.append(f"{render.money(rate * 60)}/min" if rate else "-", "bold")
    out.append("  exhausted ")
    if budget.remaining <= 0 or budget.budget_exceeded:
        out.append("now (BUDGET EXCEEDED)" if budget.budget_exceeded else "now", "bold red")
    else:
        out.append(f"in ~{render.duration(left)}" if left is not None else "-", "bold")
    out.append(f"   calls {budget.calls} ({budget.failed} failed)  tokens "
               f"{budget.input_tokens:,} in / {budget.output_tokens:,} out\n")
    for label, table in (("by model", budget.by_model), ("by call type", budget.by_call_type)):
        out.append(f"{label}\n", "bold")
        for name, usage in sorted(table.items(), key=lambda kv: -kv[1].cost)[:6]:
            out.append(f"  {render.fit(render.safe(name, 40), 28)} {usage.calls:>6} calls  "
                       f"{render.money(usage.cost):>10}  "
                       f"{usage.input_tokens + usage.output_tokens:>10,} tokens\n")
    return out
