"""The triage order's merge of two sorted runs (a sessions file read in two
parts): the same list a sort of both would make, wherever they overlap."""

import random

from vivtui.store.session_order import merged


def test_two_sorted_runs_merge_as_one_sort_wherever_their_keys_overlap():
    chance = random.Random(7)
    for _ in range(500):
        keys = chance.sample(range(1000), chance.randint(0, 60))
        # One run of mostly older entries, one of newer: they overlap near the cut.
        cut = chance.randint(0, 1000)
        spread = chance.randint(0, 300)
        first = sorted(at for at in keys if at + chance.randint(-spread, spread) < cut)
        second = sorted(set(keys) - set(first))
        key = (lambda at: -at) if chance.random() < 0.5 else (lambda at: at)
        first.sort(key=key)
        second.sort(key=key)
        assert merged(first, second, key) == sorted(keys, key=key)
        assert merged(second, first, key) == sorted(keys, key=key)
