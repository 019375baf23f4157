"""The render layer's one-line texts: pane heads, the filter bar, the status
line, and the budget overview. Log text in them goes through ``render.safe``."""

from __future__ import annotations

from rich.text import Text

from vivtui.store.filters import FilterSet, Pattern
from vivtui.ui import render, styles

Count = tuple[str, int, str]  # (label, count, style of the label)


def line() -> Text:
    return Text(no_wrap=True, overflow="ellipsis", end="")


def counts(label: str, items: list[Count]) -> Text:
    out = line()
    out.append(f" {label} ", styles.STRONG)
    for name, count, style in items:
        out.append(f" {render.safe(name, 30)} ", style)
        out.append(str(count), styles.STRONG)
    return out


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


def status(statuses, store, follow_text: Text | None) -> Text:
    """The bottom line: files, errors, warnings, malformed lines, spend, follow."""
    used = [s for s in statuses if s.used]
    present = sum(1 for s in used if s.state in ("ok", "empty"))
    waiting = [s for s in used if s.state == "missing"]
    out = line()
    out.append(" files ", styles.STRONG)
    out.append(f"{present}/{len(used)}")
    if waiting:
        out.append(f" ({len(waiting)} waiting)", styles.NOTE)
    bad = [s for s in statuses if s.state == "unreadable"]
    if bad:
        out.append(f" {len(bad)} unreadable", styles.FAILURE_STRONG)
    out.append("  ✗ ", styles.FAILURE)
    out.append(f"{store.errors}", styles.FAILURE_STRONG if store.errors else styles.PLAIN)
    out.append("  ⚠ ", styles.CAUTION)
    out.append(f"{store.warnings}")
    if store.malformed_count:
        out.append(f"  malformed {store.malformed_count}", styles.FAILURE)
    budget = store.budget
    out.append("  $ ", styles.MONEY)
    over = budget.fraction_used >= 1 or budget.budget_exceeded
    out.append(f"{render.money(budget.cost)}/{render.money(budget.limit)} "
               f"{budget.fraction_used:.0%}",
               styles.FAILURE_STRONG if over
               else styles.CAUTION if budget.fraction_used >= 0.8 else styles.PLAIN)
    if follow_text is not None and follow_text.plain:
        out.append("  ")
        out.append_text(follow_text)
    return out


def failures(reported: list[str]) -> Text:
    """Background work that failed: said as long as the app runs."""
    out = line()
    out.append(f" ✗ {len(reported)} background failure{'s' if len(reported) > 1 else ''}:",
               styles.FAILURE_BADGE)
    out.append(" " + render.safe(reported[-1], 60) + " ", styles.FAILURE)
    return out


def overview(budget, width: int) -> Text:
    out = Text(end="")
    out.append("Spend ", styles.STRONG)
    out.append(f"{render.money(budget.cost)} of {render.money(budget.limit)} "
               f"({budget.fraction_used:.0%})  ")
    out.append("remaining ")
    out.append(render.money(budget.remaining),
               styles.FAILURE if budget.remaining <= 0 else styles.STRONG)
    out.append("\n")
    out.append_text(render.gauge(budget.fraction_used, min(width, 60)))
    out.append("\n")
    rate = budget.spend_rate()
    left = budget.seconds_to_exhaustion()
    out.append("rate ")
    out.append(f"{render.money(rate * 60)}/min" if rate else "-", styles.STRONG)
    out.append("  exhausted ")
    if budget.remaining <= 0 or budget.budget_exceeded:
        out.append("now (BUDGET EXCEEDED)" if budget.budget_exceeded else "now",
                   styles.FAILURE_STRONG)
    else:
        out.append(f"in ~{render.duration(left)}" if left is not None else "-", styles.STRONG)
    out.append(f"   calls {budget.calls} ({budget.failed} failed)  tokens "
               f"{budget.input_tokens:,} in / {budget.output_tokens:,} out\n")
    for label, table in (("by model", budget.by_model), ("by call type", budget.by_call_type)):
        out.append(f"{label}\n", styles.STRONG)
        for name, usage in sorted(table.items(), key=lambda kv: -kv[1].cost)[:6]:
            out.append(f"  {render.fit(render.safe(name, 40), 28)} {usage.calls:>6} calls  "
                       f"{render.money(usage.cost):>10}  "
                       f"{usage.input_tokens + usage.output_tokens:>10,} tokens\n")
    return out


def hint(text: str) -> Text:
    return Text(text, styles.NOTE)
