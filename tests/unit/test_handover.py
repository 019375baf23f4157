"""A store handed from the process that read it to another: arrays written
from their memory come back as the same arrays."""

from __future__ import annotations

import io
import math
import pickle
import pickletools
from array import array
from pathlib import Path

from vivtui.ingest import handover
from vivtui.ingest.split_read import read_run

RUN = Path(__file__).parents[1] / "fixtures" / "run"


def handed_over(value):
    written = io.BytesIO()
    handover.dump(value, written)
    return pickle.loads(written.getvalue())


def test_arrays_are_written_from_their_memory():
    written = io.BytesIO()
    handover.dump(array("q", range(1000)), written)
    # Not pickle's own way (a copy of the bytes, kept until the end), but ours:
    # the array's memory written in place (BYTEARRAY8), for _array_of.
    opcodes = {opcode.name for opcode, _, _ in pickletools.genops(written.getvalue())}
    assert b"array_reconstructor" not in written.getvalue()
    assert b"_array_of" in written.getvalue() and "BYTEARRAY8" in opcodes


def test_arrays_come_back_as_the_same_arrays():
    values = {"q": array("q", [0, -1, 2**62]), "d": array("d", [0.5, math.nan, -1e300]),
              "B": array("B", [0, 255]), "empty": array("q")}
    back = handed_over(values)
    for name, original in values.items():
        assert type(back[name]) is array and back[name].typecode == original.typecode
        assert back[name].tobytes() == original.tobytes(), name


def test_a_read_store_comes_back_with_the_same_counts_and_models():
    _, store = read_run(RUN, processes=1)
    back = handed_over(store)
    assert store.tasks.counts and store.sessions.started  # something to compare
    assert back.tasks.counts == store.tasks.counts
    assert back.tasks._event_offsets == store.tasks._event_offsets
    assert back.sessions.state_counts("finished") == store.sessions.state_counts("finished")
    assert back.sessions.events._times.tobytes() == store.sessions.events._times.tobytes()
    assert (back.budget.cost, back.budget.calls) == (store.budget.cost, store.budget.calls)


def test_a_paced_load_gives_the_same_store_and_is_paced_piece_by_piece():
    _, store = read_run(RUN, processes=1)
    rows = [f"row {n}" for n in range(100_000)]  # (a big store's size: many frames)
    written = io.BytesIO()
    handover.dump((store, rows), written)
    paces = []
    back, rows_back = handover.load(io.BytesIO(written.getvalue()), lambda: paces.append(1))
    assert rows_back == rows
    assert back.tasks.counts == store.tasks.counts
    assert (back.budget.cost, back.budget.calls) == (store.budget.cost, store.budget.calls)
    # Called before each piece the unpickler reads, not once for all: a frame
    # of the screen's can come between them.
    frames = len(written.getvalue()) // (64 << 10)
    assert len(paces) > frames >= 1

