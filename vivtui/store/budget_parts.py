"""An audit log read in two parts at once (``ingest.apart_parts``): the
second part's budget tracker joined onto the first's, as if one had read on.

Calls, spend, tokens and budget events add up. A refusal after the cut read
its wrapper's spend without the first part's: the limit it points to (its
spend then plus what was left) is worked out again with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vivtui.store.budget import BudgetTracker, Usage, Wrapper

_SUMMED = ("succeeded", "failed", "cost", "input_tokens", "output_tokens", "budget_exceeded",
           "task_budget_exceeded", "rate_limited", "violations", "unreadable_costs",
           "bad_value_count")


def follow(mine: BudgetTracker, later: BudgetTracker) -> None:
    """``later``'s calls and budget events after ``mine``'s."""
    from vivtui.store.budget import KEPT_BAD_VALUES

    for name in _SUMMED:
        setattr(mine, name, getattr(mine, name) + getattr(later, name))
    mine.bad_values.extend(later.bad_values[:KEPT_BAD_VALUES - len(mine.bad_values)])
    for ours, theirs in ((mine.by_model, later.by_model), (mine.by_call_type, later.by_call_type)):
        for key, usage in theirs.items():
            _add_usage(ours[key], usage)
    for user, theirs in later.by_user.items():
        _follow_wrapper(mine, mine.wrapper_named(user), theirs)
    mine.moved.update(later.by_user)
    mine._rates = None  # (made again at the next look)
    mine.order.forget()
    mine.recent.followed_by(later.recent)
    if later.last_refusal is not None:
        mine.last_refusal = mine.by_user[later.last_refusal.user]
    mine.stated_as(mine.stated_limits + later.stated_limits)
    mine.spend_by_minute.update(later.spend_by_minute)
    mine.tokens_by_minute.update(later.tokens_by_minute)
    _follow_problems(mine, later)
    mine.version = max(mine.version, later.version) + 1


def _follow_problems(mine: BudgetTracker, later: BudgetTracker) -> None:
    """The listed problems and their columns, ``later``'s after ``mine``'s."""
    mine.problems.followed_by(later.problems)
    mine.problem_times.followed_by(later.problem_times, len(mine.problems))


def _add_usage(usage: Usage, more: Usage) -> None:
    usage.calls += more.calls
    usage.cost += more.cost
    usage.input_tokens += more.input_tokens
    usage.output_tokens += more.output_tokens


def _follow_wrapper(mine: BudgetTracker, wrapper: Wrapper, later: Wrapper) -> None:
    """A wrapper's account, with what the rest of the log says of it (``later``)."""
    spent_before = wrapper.cost
    wrapper.calls += later.calls
    wrapper.cost += later.cost
    wrapper.refused += later.refused
    for minute, cost in later.by_minute.items():
        wrapper.by_minute[minute] = wrapper.by_minute.get(minute, 0.0) + cost
    if wrapper.first_spent_at is None:
        wrapper.first_spent_at = later.first_spent_at
    if later.spent_at_refusal is not None:
        wrapper.last_remaining = later.last_remaining
        wrapper.spent_at_refusal = spent = spent_before + later.spent_at_refusal
        if spent > 0:
            mine.infers(wrapper, round(spent + later.last_remaining, 2))
