"""The screen model's output, played on a terminal emulator (pyte), shows
exactly what Textual's own frames show, for far fewer bytes."""

from __future__ import annotations

import random

import pyte
from hypothesis import given, settings
from hypothesis import strategies as st

from vivtui.ui.screen_diff import ScreenModel

STYLES = ["", "1", "2", "38;5;75", "1;38;5;203", "7;38;5;75", "38;5;253;48;5;234",
          "1;7;38;5;221;48;5;17"]
CHARS = [*"abcdefgh xyz0123456789:|-", "字", "é", "e\u0301"]  # a wide char, a combined one


def random_row(rng: random.Random, width: int) -> list[tuple[str, str]]:
    """A row as (style, char) cells filling ``width`` columns; a wide char's
    second cell is ('', '')."""
    cells: list[tuple[str, str]] = []
    style = rng.choice(STYLES)
    while len(cells) < width:
        if rng.random() < 0.2:
            style = rng.choice(STYLES)
        char = rng.choice(CHARS)
        if char == "e\u0301" and len(cells) == width - 1:
            # pyte wraps a combining mark written in the last column; terminals do not
            cells.append((style, "e"))
        elif char == "字":
            if len(cells) + 2 > width:
                char = " "
                cells.append((style, char))
            else:
                cells += [(style, char), ("", "")]
        else:
            cells.append((style, char))
    return cells


def segments(cells: list[tuple[str, str]], start: int = 0) -> str:
    """Cells from ``start`` rendered as Textual renders a strip's segments."""
    out, run, style = [], [], None
    for cell_style, char in cells[start:]:
        if char == "":
            continue
        if cell_style != style and run:
            out.append(f"\x1b[{style}m{''.join(run)}\x1b[0m" if style else "".join(run))
            run = []
        style = cell_style
        run.append(char)
    if run:
        out.append(f"\x1b[{style}m{''.join(run)}\x1b[0m" if style else "".join(run))
    return "".join(out)


def frame(screen: list[list[tuple[str, str]]], rows: dict[int, int],
          cursor: tuple[int, int] = (1, 4), newline: str = "\n") -> str:
    """Textual's frame for ``rows`` (row: first column drawn), then its cursor move."""
    parts = []
    for i, (row, start) in enumerate(sorted(rows.items())):
        if start and screen[row][start][1] == "":
            start -= 1
        parts.append(f"\x1b[{row + 1};{start + 1}H" + segments(screen[row], start))
        if i < len(rows) - 1:
            parts.append(newline)
    return "".join(parts) + f"\x1b[{cursor[0] + 1};{cursor[1] + 1}H"


def cells_of(screen: pyte.Screen) -> list:
    return [[screen.buffer[y][x] for x in range(screen.columns)] for y in range(screen.lines)]


class Pair:
    """The same frames on two terminals: as Textual wrote them, and through the model."""

    def __init__(self, width: int, height: int) -> None:
        self.plain, self.frugal = pyte.Screen(width, height), pyte.Screen(width, height)
        self.plain_in, self.frugal_in = pyte.Stream(self.plain), pyte.Stream(self.frugal)
        self.model = ScreenModel(width, height)
        self.plain_bytes = self.frugal_bytes = 0

    def show(self, data: str) -> None:
        self.plain_in.feed(data)
        self.plain_bytes += len(data.encode())
        assert self.model.apply(data)
        out = self.model.render()
        self.frugal_bytes += len(out.encode())
        self.frugal_in.feed(out)
        assert cells_of(self.frugal) == cells_of(self.plain)
        assert (self.frugal.cursor.y, self.frugal.cursor.x) == (
            self.plain.cursor.y, self.plain.cursor.x)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**6), width=st.integers(4, 30), height=st.integers(3, 14),
       steps=st.integers(1, 12))
def test_any_frames_show_the_same(seed, width, height, steps):
    rng = random.Random(seed)
    screen = [random_row(rng, width) for _ in range(height)]
    pair = Pair(width, height)
    pair.show(frame(screen, dict.fromkeys(range(height), 0)))
    for _ in range(steps):
        kind = rng.random()
        changed: dict[int, int] = {}
        if kind < 0.4:  # a block moves up or down, new rows come in, all redrawn whole
            top = rng.randrange(height)
            bottom = rng.randrange(top, height)
            shift = rng.randint(1, bottom - top + 1) * rng.choice((1, -1))
            block = screen[top:bottom + 1]
            fresh = [random_row(rng, width) for _ in range(abs(shift))]
            block = block[shift:] + fresh if shift > 0 else fresh + block[:shift]
            screen[top:bottom + 1] = block[:bottom - top + 1]
            changed = dict.fromkeys(range(top, bottom + 1), 0)
        elif kind < 0.8:  # some rows change from a column on
            for row in rng.sample(range(height), rng.randint(1, height)):
                start = rng.randrange(width)
                new = random_row(rng, width)
                while start and "" in (new[start][1], screen[row][start][1]):
                    start -= 1  # never half of a wide char, as Textual never does
                screen[row][start:] = new[start:]
                if len(screen[row]) > width:
                    screen[row] = screen[row][:width]
                if screen[row][-1][1] == "字":
                    screen[row][-1] = ("", " ")
                changed[row] = start
        else:  # a full repaint of what is already there
            changed = dict.fromkeys(range(height), 0)
        # CR LF: not Textual's shape, drawn a token at a time
        pair.show(frame(screen, changed, (rng.randrange(height), rng.randrange(width)),
                        rng.choice(("\n", "\n", "\r\n"))))


def test_a_followed_list_costs_a_row_a_line_not_a_screen():
    rng = random.Random(3)
    width, height = 120, 40
    header = [("1", c) for c in "Actions  rows 0".ljust(width)]
    rows = [random_row(rng, width) for _ in range(height - 1)]
    pair = Pair(width, height)
    pair.show(frame([header, *rows], dict.fromkeys(range(height), 0)))
    first = pair.plain_bytes, pair.frugal_bytes
    for n in range(1, 21):
        header = [("1", c) for c in f"Actions  rows {n}".ljust(width)]
        rows = rows[1:] + [random_row(rng, width)]
        pair.show(frame([header, *rows], dict.fromkeys(range(height), 0)))
    plain, frugal = pair.plain_bytes - first[0], pair.frugal_bytes - first[1]
    row_bytes = len(segments(rows[-1]).encode())
    assert frugal < 20 * (row_bytes + 60)  # a new row and the header's count per line
    assert frugal * 10 < plain


def test_output_that_is_not_a_frame_makes_the_model_forget():
    model = ScreenModel(10, 3)
    assert model.apply("\x1b[1;1Habc")
    model.render()
    assert not model.apply("\x1b[2J")
    assert not model.harmless("\x1b[2J") and not model.harmless("\x1b[?1049h")
    assert model.harmless("\x1b[?25l\x1b[?2026$p\x07\x1b]52;c;eA==\x07")
    model.forget()
    assert model.apply("\x1b[1;1Habc")
    assert model.render() == "\x1b[1;1Habc"  # drawn again: the screen may have been cleared


def test_cells_the_model_does_not_know_are_never_sent_as_blanks():
    """Two changes with cells between them that the model does not know (the
    terminal's, since it forgot) go as two runs: merged, the gap was sent as
    blanks over whatever the terminal shows there."""
    model = ScreenModel(20, 2)
    assert model.apply("\x1b[1;1H" + "a" * 20 + "\x1b[2;1H" + "b" * 20)
    model.render()
    model.forget()
    assert model.apply("\x1b[1;1Hx\x1b[1;5Hy")
    out = model.render()
    assert "x" in out and "\x1b[1;5Hy" in out and "x   y" not in out
