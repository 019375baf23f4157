"""The render layer's one-line texts: pane heads, the filter bar, the status
line, and the budget overview. Log text in them goes through ``render.safe``."""

from __future__ import annotations

from datetime import datetime
from heapq import nlargest
from operator import attrgetter

from rich.text import Text

from vivtui.store.activity import FINISHED, IDLE, LIVE, UNDATED, RunState, skew_words
from vivtui.store.budget import BudgetTracker
from vivtui.store.budget_limits import BASIS_WORDS, FORECAST_WINDOW_S
from vivtui.store.filters import FilterSet, Pattern
from vivtui.store.safety import SOURCES
from vivtui.ui import render, styles
from vivtui.ui.textline import NO_BREAK

_COST = attrgetter("cost")

Count = tuple[str, int, str]  # (label, count, style of the label)


COUNTS_MOST = 20  # (FORMATS.md knows 15 task statuses)


def line() -> Text:
    return Text(no_wrap=True, overflow="ellipsis", end="")


def counts(label: str, items: list[Count], total: int | None = None) -> Text:
    """The label, then each item's name and count: the first ``COUNTS_MOST``
    of them, and how many more (200k statuses, one a task, made a head of
    megabytes, wrapped again at every draw). ``total``: how many items there
    are, when ``items`` holds only the first."""
    out = line()
    out.append(f" {label} ", styles.STRONG)
    for name, count, style in items[:COUNTS_MOST]:
        # A name of several words is not parted by a wrap ("rate" / "limited 1").
        out.append(f" {render.safe(name, 30).replace(' ', NO_BREAK)} ", style)
        out.append(str(count), styles.STRONG)
    more = (len(items) if total is None else total) - min(len(items), COUNTS_MOST)
    if more > 0:
        out.append(f"  +{more:,} more", styles.NOTE)
    return out


def newest_listed(head: Text, listed: int, counted: int) -> Text:
    """The head, saying when its list holds the newest of the rows it counts
    only (a big run's failures: 5,000 listed under "failed 14913")."""
    if listed < counted:
        head.append(f"  newest {listed:,} listed", styles.CAUTION)
    return head


def follow(allowed: bool, following: bool, waiting: int) -> Text:
    if not allowed:
        return Text("")
    if following:
        return Text("● following", styles.SUCCESS)
    return Text(f"⏸ paused · {waiting} new · G to follow", styles.CAUTION_STRONG)


def file_progress(indexing: float | None, counting: float | None) -> Text:
    out = Text("")
    if indexing is not None:
        out.append(f"  indexing history {indexing:.0%}", styles.STRONG)
    if counting is not None:
        out.append(f"  counting {counting:.0%}", styles.NOTE)
    return out


def preview_note(progress: float, counting: bool = False) -> Text:
    """Rows from the newest lines only, while the file is read (``ui.preview``);
    ``counting``: the whole file's counts come once it is read."""
    out = line()
    doing = "counting" if counting else "reading"
    out.append(f" NEWEST LINES ONLY · {doing} {progress:.0%} ", styles.CAUTION_STRONG)
    return out


def filter_bar(filters: FilterSet, search: Pattern | None, shown: int, hits: int,
               scanning: float | None) -> Text | None:
    """None when there is nothing to say (the bar is hidden)."""
    parts = filters.describe()
    if not parts and search is None:
        return None
    text = line()
    if parts:
        text.append(" filters ", styles.STRONG)
        text.append(render.safe("  ".join(parts), 300))
        if not filters.enabled:
            text.append("  (off: ctrl+f)", styles.CAUTION_STRONG)
        else:
            text.append(f"  {shown} shown", styles.NOTE)
    if search is not None:
        text.append("  search ", styles.STRONG)
        text.append(render.safe(search.text, 100), styles.SEARCH_HIT)
        text.append(f"  {hits} hits  n/N", styles.NOTE)
    if scanning is not None:
        text.append(f"  scanning {scanning:.0%}…", styles.STRONG)
    text.append("  esc clears", styles.NOTE)
    return text


RUN_STYLE = {LIVE: styles.SUCCESS, IDLE: styles.CAUTION_STRONG, FINISHED: styles.NOTE,
             UNDATED: styles.NOTE}


def run_state(run: RunState, now: datetime, zone=None) -> Text:
    """live / idle 12m (since 14:02) / finished (last event 02-11 09:44)."""
    out = Text(end="")
    out.append(run.state, RUN_STYLE[run.state])
    if run.state == IDLE and run.since is not None:
        out.append(f" {render.duration((now - run.since).total_seconds())}", styles.CAUTION)
    if run.state != LIVE and run.last_event is not None:
        out.append(f" (last event {render.stamp(run.last_event, zone, now)})", styles.NOTE)
    if run.skew:
        out.append(f" ⚠ times {skew_words(run.skew)} (--tz?)", styles.CAUTION_STRONG)
    return out


def status(statuses, store, follow_text: Text | None, now: datetime, zone=None,
           alerts: int = 0, strip: Text | None = None, counting: float | None = None,
           *, run: RunState | None, spend_counted: bool = False, brief: bool = False) -> Text:
    """The bottom line: run state, files, errors, warnings, malformed lines,
    spend, follow. ``counting``: how far the files' backlogs are read, while
    they are (the figures after it are not final until then). ``run``: the
    run's state as judged (None: not known until more is read).
    ``spend_counted``: the audit log is counted whole apart, its figures
    not in ``store`` until it is read (the spend was "$0.00" meanwhile).
    ``brief``: a file named there without why (its pane says why)."""
    # One file per kind (the action log's two forms are one), whichever is found.
    kinds = {s.kind or s.name for s in statuses}
    present = {s.kind or s.name for s in statuses if s.used and s.state in ("ok", "empty")}
    waiting = [kind for kind in kinds - present
               if not any(s.state == "unreadable" for s in statuses if (s.kind or s.name) == kind)]
    out = line()
    out.append(" ")
    out.append_text(run_state(run, now, zone) if run is not None
                    else Text("reading", styles.NOTE, end=""))
    if strip is not None:
        out.append(" ")
        out.append_text(strip)
    out.append(" ")
    out.append(" files ", styles.STRONG)
    out.append(f"{len(present)}/{len(kinds)}")
    if waiting:
        out.append(f" ({len(waiting)} waiting)", styles.NOTE)
    unread = sum(s.unread_copies for s in statuses)
    if unread:  # (their names: ``vivtui summary``)
        out.append(f" {unread} rotated cop{'y' if unread == 1 else 'ies'} unread", styles.NOTE)
    if counting is not None:
        out.append(f" counting {counting:.0%}", styles.NOTE)
    bad = [s for s in statuses if s.state == "unreadable"]
    if bad:
        # Named, with the reason: "1 unreadable" alone sent people looking.
        first = bad[0]
        out.append(f" {render.safe(first.name, 40)} unreadable", styles.FAILURE_STRONG)
        if first.note and not brief:
            out.append(f" ({render.safe(first.note, 60)})", styles.FAILURE)
        if len(bad) > 1:
            out.append(f" +{len(bad) - 1} more", styles.FAILURE_STRONG)
    refused = [s for s in statuses if s.state == "ok" and s.refused]
    if refused and not bad:  # (its rows are missing from its pane: said why, in short)
        why = refused[0].refused.removeprefix("not read: ").split(" (")[0]
        out.append(f" {render.safe(refused[0].name, 40)} not read", styles.CAUTION)
        if not brief:
            out.append(f" ({render.safe(why, 28)})", styles.CAUTION)
    out.append("  ✗ ", styles.FAILURE)
    out.append(f"{store.errors}", styles.FAILURE_STRONG if store.errors else styles.PLAIN)
    out.append("  ⚠ ", styles.CAUTION)
    out.append(f"{store.warnings}")
    if store.malformed_count:
        out.append(f"  malformed {store.malformed_count}", styles.FAILURE)
    budget = store.budget
    out.append("  $ ", styles.MONEY)
    if spend_counted:
        out.append("counting", styles.NOTE)
    else:
        _spend(out, budget)
    if alerts:
        out.append(f"  ⚑ {alerts}", styles.CAUTION)
    if follow_text is not None and follow_text.plain:
        out.append("  ")
        out.append_text(follow_text)
    return out


def _spend(out: Text, budget: BudgetTracker) -> None:
    """The run's spend, how near the tightest wrapper is to its own limit, refusals."""
    out.append(render.money(budget.cost))
    tightest = budget.tightest
    if tightest is not None:
        used = budget.fraction_of(tightest)
        out.append(f" ({render.safe(tightest.user, 12)} {used:.0%})",
                   styles.FAILURE_STRONG if used >= 1
                   else styles.CAUTION if used >= 0.8 else styles.NOTE)
    elif budget.by_user:
        out.append(" (limits unknown)", styles.NOTE)
    if budget.refused:
        out.append(f" {budget.refused} refused", styles.FAILURE_STRONG)


def failures(reported: list[str]) -> Text:
    """Background work that failed: said as long as the app runs."""
    out = line()
    out.append(f" ✗ {len(reported)} background failure{'s' if len(reported) > 1 else ''}:",
               styles.FAILURE_BADGE)
    out.append(" " + render.safe(reported[-1], 60) + " ", styles.FAILURE)
    return out


def source_problem(note: str) -> Text:
    """Where the files come from is failing (a stream's lost link): first in
    the status line, for as long as it lasts."""
    out = line()
    out.append(" ⚠ ", styles.FAILURE_BADGE)
    out.append(" " + render.safe(note, 100) + " ", styles.FAILURE_STRONG)
    return out


WRAPPERS_SHOWN = 4


def overview_counting(progress: float) -> Text:
    """The budget overview while the audit log is counted whole apart: its
    figures so far are none (they were shown as "Spend $0.00 in 0 calls")."""
    out = Text(end="")
    out.append("Spend ", styles.STRONG)
    out.append(f"counting {progress:.0%} of the audit log", styles.CAUTION_STRONG)
    out.append(": spend, calls, tokens, limits and forecast come once it is read", styles.NOTE)
    return out


def overview(budget, width: int, run: RunState, now: datetime) -> Text:
    """Spend as the producer keeps it: per API wrapper (``user``), each against
    its own limit; refusals as refusals; a forecast only while the run is live."""
    out = Text(end="")
    out.append("Spend ", styles.STRONG)
    out.append(f"{render.money(budget.cost)}", styles.MONEY)
    out.append(f" in {budget.calls} calls ({budget.failed} failed), tokens "
               f"{budget.input_tokens:,} in / {budget.output_tokens:,} out   limit "
               f"{render.money(budget.limit)} per wrapper ({BASIS_WORDS[budget.limit_basis]})\n")
    if budget.bad_value_count:
        record, name, value = budget.bad_values[0]
        count = budget.bad_value_count
        out.append(f"  {count} bad value{'s' if count > 1 else ''} not summed",
                   styles.FAILURE_STRONG)
        out.append(f" (line {record.line}: {render.safe(name, 20)}="
                   f"{render.safe(value, 40)}{', …' if count > 1 else ''})\n",
                   styles.FAILURE)
    # Whether the budget is about to stop the run comes before the wrappers:
    # on a small screen the overview's last lines are cut.
    _refusals_and_forecast(out, budget, run, now)
    _wrapper_lines(out, budget, width)
    for label, table in (("by model", budget.by_model), ("by call type", budget.by_call_type)):
        out.append(f"{label}\n", styles.STRONG)
        for name, usage in _costliest(table, 6):
            out.append(f"  {render.fit(render.safe(name, 40), 28)} {usage.calls:>6} calls  "
                       f"{render.money(usage.cost):>10}  "
                       f"{usage.input_tokens + usage.output_tokens:>10,} tokens\n")
    return out


def _costliest(table: dict, count: int) -> list[tuple]:
    """The ``count`` costliest usages of ``table`` (those of a model or call
    type), in its order where they cost the same: found in C (a run of 50k
    models was sorted whole at each draw)."""
    usages = list(table.values())
    costs = list(map(_COST, usages))
    names = list(table)
    return [(names[at], usages[at]) for at in nlargest(count, range(len(costs)),
                                                     key=costs.__getitem__)]


def _refusals_and_forecast(out: Text, budget, run: RunState, now: datetime) -> None:
    """Calls refused so far, and which wrapper runs out first (only while live)."""
    last = budget.last_refusal
    if last is not None:
        out.append(f"{budget.refused} call{'s' if budget.refused != 1 else ''} refused",
                   styles.FAILURE_STRONG)
        if last.last_remaining is not None:
            out.append(f", {render.safe(last.user, 40)} had "
                       f"{render.money(last.last_remaining)} left at the latest")
        out.append("   ")
    out.append("forecast ", styles.STRONG)
    forecast = budget.forecast(now) if run.live else None
    if forecast is not None:
        out.append(f"{render.safe(forecast.user, 40)} runs out in "
                   f"~{render.duration(forecast.seconds)}",
                   styles.FAILURE_STRONG if forecast.seconds < 600 else styles.STRONG)
        out.append(f" ({render.money(forecast.rate * 60)}/min, last "
                   f"{render.duration(forecast.window)})\n", styles.NOTE)
    else:
        out.append("none (the run is not live)\n" if not run.live
                   else "none (no spend in the last "
                        f"{render.duration(FORECAST_WINDOW_S)})\n", styles.NOTE)


def _wrapper_lines(out: Text, budget, width: int) -> None:
    """The wrappers nearest their limits, each against its own."""
    name_width = 20 if width >= 100 else 12  # a wrapper's line fits 80 columns
    wrappers = budget.wrappers()
    for wrapper in wrappers[:WRAPPERS_SHOWN]:
        if not budget.limit_known(wrapper):
            _unknown_limit(out, budget, wrapper, name_width)
            continue
        fraction = budget.fraction_of(wrapper)
        remaining = budget.remaining_of(wrapper)
        out.append(f"  {render.fit(render.safe(wrapper.user, 40), name_width)} ", styles.STRONG)
        out.append_text(render.gauge(fraction, min(max(10, width - 70), 30)))
        out.append(f" {render.money(wrapper.cost)} of {render.money(budget.limit_of(wrapper))} "
                   f"({fraction:.0%})  left ")
        out.append(render.money(remaining), styles.FAILURE if remaining <= 0 else styles.STRONG)
        if wrapper.refused:
            out.append(f"  {wrapper.refused} refused", styles.FAILURE_STRONG)
        out.append("\n")
    if len(wrappers) > WRAPPERS_SHOWN:
        more = len(wrappers) - WRAPPERS_SHOWN
        out.append(f"  … {more} more wrapper{'s' if more > 1 else ''}\n", styles.NOTE)
    unknown = budget.unknown_limits
    if unknown:
        # The producer refuses a call that would pass the limit (``limit_holds``).
        first = wrappers[len(wrappers) - unknown]  # the biggest spender of them
        out.append(f"  {unknown} wrapper{'s' if unknown > 1 else ''} past the limit unrefused "
                   f"({render.safe(first.user, 20)} {render.money(first.cost)}"
                   f"{', …' if unknown > 1 else ''}): a higher limit (--budget), or restarted "
                   "at $0 while the log summed on\n", styles.NOTE)


def _unknown_limit(out: Text, budget, wrapper, name_width: int) -> None:
    """A wrapper whose spend says its limit is not the one assumed: its
    spend, and no share, gauge or remainder made from that limit."""
    out.append(f"  {render.fit(render.safe(wrapper.user, 40), name_width)} ", styles.STRONG)
    out.append(f"{render.money(wrapper.cost)} spent, past {render.money(budget.limit_of(wrapper))}"
               f" with no refusal{' since' if wrapper.refused else ''}: ")
    out.append("limit unknown", styles.CAUTION)
    if wrapper.refused:
        out.append(f"  {wrapper.refused} refused", styles.FAILURE_STRONG)
    out.append("\n")


def safety_overview(tally) -> Text:
    """Blocks counted by the file that wrote them down and by reason."""
    out = Text(end="")
    out.append("Blocked ", styles.STRONG)
    out.append(str(tally.total), styles.FAILURE_STRONG if tally.total else styles.STRONG)
    out.append("  by source ")
    out.append("  ".join(f"{source} {tally.by_source.get(source, 0)}" for source in SOURCES))
    out.append("\nby reason\n", styles.STRONG)
    for reason, count in tally.reasons(6):
        out.append(f"  {count:>6}  {render.safe(reason, 80)}\n")
    if len(tally.by_reason) > 6:
        out.append(f"  … {len(tally.by_reason) - 6} more reasons (t picks one)\n", styles.NOTE)
    return out


def hint(text: str) -> Text:
    return Text(text, styles.NOTE)
