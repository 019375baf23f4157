"""What the terminal shows, cell by cell, and the fewest bytes that bring it to
what Textual drew: the terminal's own scrolling for a list that moved, and
only the cells that changed.

Textual repaints every line whose content changed, whole. A followed list
changes every line when one row is appended, so each new log line cost a full
screen (~8 KB at 120x40; 75 KB/s at ten lines a second). Here each of
Textual's frames is applied to a model of the screen it believes it drew (the
target); ``render`` compares the target with what the terminal was last sent
(shown), moves a block of rows with a scroll region where that saves rows,
and sends only the changed runs of cells. Frames that arrive faster than they
are sent merge in the target, so a deferred frame costs nothing extra.

A frame is what Textual's compositor writes: cursor moves, SGR styles, text,
CR and LF. Anything else is not a frame: it is passed through
and, when it may change what the screen shows, the model forgets the screen
(cells become unknown and are sent again when Textual next draws them).
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import compress, groupby, repeat
from operator import itemgetter, ne

from rich.cells import get_character_cell_size

# One token of a frame: a cursor move, an SGR, CR, LF, a text run.
_TOKEN = re.compile(r"\x1b\[(\d+);(\d+)H|\x1b\[([0-9;:]*)m|(\r)|(\n)|([^\x00-\x1f\x7f]+)")
_CUP = re.compile(r"\x1b\[(\d+);(\d+)H")
_LOOSE_LF = re.compile(r"\n(?!\x1b\[\d+;\d+H)")  # a line feed not followed by a cursor move
_SGR = re.compile(r"\x1b\[([0-9;:]*)m")
_MISSING = ("\x00", "\x00")  # a cell a piece did not write
# What no frame holds: any other escape sequence (links too), any other control.
_NOT_FRAME = re.compile(r"\x1b(?!\[\d+;\d+H|\[[0-9;:]*m)|[\x00-\x09\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f]")
# Output that leaves the screen's cells as they were: private modes other
# than the alternate screen's, queries, OSC (title, clipboard, notifications),
# the cursor's shape and the keyboard protocol, bells.
_HARMLESS = re.compile(
    r"(?:\x1b\[\?(?!(?:47|1047|1049)[hl])[\d;]*[hl]|\x1b\[\??[\d;]*\$p|\x1b\[\d* q"
    r"|\x1b\[[<>=]\d*u|\x1b\[\d*n|\x1b\][^\x1b\x07]*(?:\x1b\\|\x07)|\x07)*")
CONTINUATION = ""  # the char of a wide character's second cell
_BLANK = ("", " ")
_STYLE, _TEXT = itemgetter(0), itemgetter(1)
MERGE_GAP = 6  # unchanged cells re-sent rather than a cursor move (~7 bytes)
MIN_SCROLL_ROWS = 3


@lru_cache(maxsize=4096)
def _width(char: str) -> int:
    return get_character_cell_size(char)


Cell = tuple[str, str]  # (SGR parameters, text); None: unknown


class ScreenModel:
    def __init__(self, width: int = 0, height: int = 0) -> None:
        self.resize(width, height)

    def resize(self, width: int, height: int) -> None:
        """A new size: every cell unknown until drawn."""
        self.width, self.height = width, height
        self.target: list[list[Cell | None]] = [[None] * width for _ in range(height)]
        self.shown: list[list[Cell | None]] = [[None] * width for _ in range(height)]
        self.cursor: tuple[int, int] | None = None  # where the frame left it (row, col)
        self._at: tuple[int, int] | None = None  # where output left the terminal's cursor
        # Rows' hashes, for finding rows that moved (None: not worked out yet).
        self._target_keys: list[object | None] = [None] * height
        self._shown_keys: list[object | None] = [None] * height
        # Pieces of frames parsed, this frame's and the last one's.
        self._pieces: dict = {}
        self._last_pieces: dict = {}

    def forget(self) -> None:
        """The terminal's cells may have changed behind the model's back."""
        self.resize(self.width, self.height)

    @staticmethod
    def harmless(data: str) -> bool:
        """``data`` (not a frame) leaves every cell as it was."""
        return _HARMLESS.fullmatch(data) is not None

    # -- frames in ------------------------------------------------------------------------

    def apply(self, frame: str) -> bool:
        """Draw ``frame`` into the target; False (nothing drawn) if it is not a frame."""
        if not frame or _NOT_FRAME.search(frame):
            return False
        parts = _CUP.split(frame)
        if parts[0] or "\r" in frame or _LOOSE_LF.search(frame):
            self._apply_tokens(frame)
            return True
        # Textual's usual frame: each piece starts with a cursor move and ends
        # with a line feed; a list that scrolled sends the pieces it sent last
        # time, one row lower or higher, so each is parsed once.
        target, width, height = self.target, self.width, self.height
        seen, last = self._pieces, self._last_pieces
        keys = self._target_keys
        style = ""
        for i in range(1, len(parts), 3):
            row, col, body = int(parts[i]) - 1, int(parts[i + 1]) - 1, parts[i + 2]
            if body.endswith("\n"):
                body = body[:-1]
            if not body:
                continue
            if not 0 <= row < height:
                style = _end_style(body, style)
                continue
            key = (col, style, body)
            piece = seen.get(key) or last.get(key)
            if piece is None:
                piece = seen[key] = self._piece(col, style, body)
            else:
                seen[key] = piece
            cells, style = piece
            line = target[row]
            if cells is None:  # touches a cell before its start: drawn in place
                self._draw(line, col, body, key[1], width)
            elif cells:
                line[col:col + len(cells)] = cells
            keys[row] = None
        self._last_pieces, self._pieces = seen, {}
        self.cursor = (int(parts[-3]) - 1, int(parts[-2]) - 1) if not parts[-1] else None
        return True

    def _piece(self, col: int, style: str, body: str) -> tuple[list | None, str]:
        """A piece's cells from ``col`` (None: it reaches before ``col``), and
        the style in force after it."""
        scratch = [_MISSING] * (self.width + 1)
        end_style = self._draw(scratch, col, body, style, self.width)
        if col > 0 and scratch[col - 1] is not _MISSING:
            return None, end_style
        cells = scratch[col:self.width]
        while cells and cells[-1] is _MISSING:
            cells.pop()
        if _MISSING in cells:
            return None, end_style
        return cells, end_style

    def _draw(self, line: list, col: int, body: str, style: str, width: int) -> str:
        """Styles and text (no cursor moves) into ``line`` from ``col``."""
        # Split in C: text, an SGR's parameters, text, ... (a frame holds no
        # other sequence or control: ``apply``).
        parts = _SGR.split(body)
        put = self._put
        for at in range(0, len(parts) - 1, 2):
            if parts[at]:
                col = put(line, col, parts[at], style, width)
            style = _next_style(style, parts[at + 1])
        if parts[-1]:
            put(line, col, parts[-1], style, width)
        return style

    def _apply_tokens(self, frame: str) -> None:
        """Any frame, a token at a time."""
        row = col = 0
        style = ""  # the SGR parameters in force
        cursor = None
        target, width, height = self.target, self.width, self.height
        for token in _TOKEN.finditer(frame):
            kind = token.lastindex
            cursor = None
            if kind == 6:
                if 0 <= row < height:
                    col = self._put(target[row], col, token.group(6), style, width)
                    self._target_keys[row] = None
                else:
                    col += len(token.group(6))
            elif kind == 2:
                row, col = int(token.group(1)) - 1, int(token.group(2)) - 1
                cursor = (row, col)
            elif kind == 3:
                style = _next_style(style, token.group(3))
            elif kind == 4:
                col = 0
            else:
                row += 1
        self.cursor = cursor

    @staticmethod
    def _put(line: list, col: int, text: str, style: str, width: int) -> int:
        if text.isascii():
            end = min(width, col + len(text))
            if col < end:
                line[col:end] = zip(repeat(style), text[:end - col])
            return col + len(text)
        for char in text:
            size = _width(char)
            if size == 0:
                if 0 < col <= width and line[col - 1] is not None:
                    before = line[col - 1]
                    line[col - 1] = (before[0], before[1] + char)
                continue
            if col + size <= width:
                line[col] = (style, char)
                if size == 2:
                    line[col + 1] = (style, CONTINUATION)
            col += size
        return col

    # -- bytes out ------------------------------------------------------------------------

    def render(self) -> str:
        """Bytes that make the terminal show the target; the model then says it does."""
        out: list[str] = []
        dirty = [self.target[r] != self.shown[r] for r in range(self.height)]
        if sum(dirty) >= MIN_SCROLL_ROWS:
            self._scroll(out, dirty)
        for r in range(self.height):
            if self.target[r] != self.shown[r]:
                self._row(out, r)
        if self.cursor is not None and self.cursor != self._at:
            out.append(f"\x1b[{self.cursor[0] + 1};{self.cursor[1] + 1}H")
            self._at = self.cursor
        return "".join(out)

    def _scroll(self, out: list[str], dirty: list[bool]) -> None:
        """Move the block of rows that best matches the target by a scroll region."""
        target, shown, height = self.target, self.shown, self.height
        keys_t = _keys(self._target_keys, target)
        keys_s = _keys(self._shown_keys, shown)
        best = (0, 0, 0, 0)  # (net rows saved, shift, first row, last row) of the target
        rows_of: dict[object, list[int]] = {}
        for r, key in enumerate(keys_s):
            rows_of.setdefault(key, []).append(r)
        shifts = {was - r for r in range(height) if dirty[r] for was in rows_of.get(keys_t[r], ())}
        shifts.discard(0)
        for shift in sorted(shifts, key=abs):
            r = max(0, -shift)
            stop = min(height, height - shift)
            while r < stop:
                if keys_t[r] != keys_s[r + shift]:
                    r += 1
                    continue
                first = r
                while r < stop and keys_t[r] == keys_s[r + shift]:
                    r += 1
                last = r - 1
                saved = sum(dirty[first:r])
                # Rows the scroll uncovers are blank: drawn again even if they were right.
                uncovered = (range(last + 1, last + 1 + shift) if shift > 0
                             else range(first + shift, first))
                net = saved - sum(1 for u in uncovered if not dirty[u])
                if net > best[0]:
                    best = (net, shift, first, last)
        net, shift, first, last = best
        if net < MIN_SCROLL_ROWS:
            return
        # Rows next to the block that changed a little as well as moved (a
        # highlight that moved, a time shown once per second) go with it.
        while 0 <= last + 1 + shift < height and last + 1 < height and _nearer(
                target[last + 1], shown[last + 1 + shift], shown[last + 1]):
            last += 1
        while 0 <= first - 1 + shift < height and first > 0 and _nearer(
                target[first - 1], shown[first - 1 + shift], shown[first - 1]):
            first -= 1
        top, bottom = min(first, first + shift), max(last, last + shift)
        blank = [_BLANK] * self.width
        keys = self._shown_keys
        if shift > 0:  # content moves up
            out.append(f"\x1b[{top + 1};{bottom + 1}r\x1b[{bottom + 1};1H" + "\n" * shift)
            shown[top:bottom + 1] = shown[top + shift:bottom + 1] + [
                list(blank) for _ in range(shift)]
            keys[top:bottom + 1] = keys[top + shift:bottom + 1] + [None] * shift
        else:
            out.append(f"\x1b[{top + 1};{bottom + 1}r\x1b[{top + 1};1H" + "\x1bM" * -shift)
            shown[top:bottom + 1] = [list(blank) for _ in range(-shift)] + shown[
                top:bottom + 1 + shift]
            keys[top:bottom + 1] = [None] * -shift + keys[top:bottom + 1 + shift]
        out.append("\x1b[r")  # the whole screen again; the cursor goes home
        self._at = (0, 0)

    def _row(self, out: list[str], r: int) -> None:
        want, have = self.target[r], self.shown[r]
        width = self.width
        changed = [c for c in compress(range(width), map(ne, want, have)) if want[c] is not None]
        known = None not in want  # (then any gap between changes can be sent again)
        runs: list[list[int]] = []
        for c in changed:
            gap = c - runs[-1][1] if runs else MERGE_GAP + 1
            if gap == 1 or gap <= MERGE_GAP and (known or all(
                    want[g] is not None for g in range(c - gap + 1, c))):
                runs[-1][1] = c
            else:
                runs.append([c, c])
        for first, last in runs:
            # A wide character is written whole; writing over half of one clears it.
            while first > 0 and (_half(want[first]) or _half(have[first])):
                first -= 1
            while last + 1 < width and (_half(want[last + 1]) or _half(have[last + 1])):
                last += 1
            self._emit(out, r, first, last)
        have[:] = want
        self._shown_keys[r] = self._target_keys[r]

    def _emit(self, out: list[str], r: int, first: int, last: int) -> None:
        want = self.target[r]
        if self._at != (r, first):
            out.append(f"\x1b[{r + 1};{first + 1}H")
        cells = want[first:last + 1]
        if None in cells:  # unknown cells between changed ones: sent as blanks
            want[first:last + 1] = cells = [cell or _BLANK for cell in cells]
            self._target_keys[r] = None
        current = ""
        # A run of one style at a time; a wide character's second cell adds nothing.
        for style, same in groupby(cells, _STYLE):
            text = "".join(map(_TEXT, same))
            if not text:
                continue
            if style != current:
                out.append(_transition(current, style))
                current = style
            out.append(text)
        if current:
            out.append(_transition(current, ""))
        self._at = (r, last + 1)


def _nearer(want: list, moved: list, staying: list) -> bool:
    """``want`` is drawn in fewer cells from the row that moved than from the one in place."""
    return sum(map(ne, want, moved)) < sum(map(ne, want, staying))


def _next_style(style: str, params: str) -> str:
    if params in ("", "0"):
        return ""
    return f"{style};{params}" if style else params


def _end_style(body: str, style: str) -> str:
    for params in _SGR.findall(body):
        style = _next_style(style, params)
    return style


def _half(cell: Cell | None) -> bool:
    return cell is not None and cell[1] == CONTINUATION


def _keys(known: list, rows: list) -> list:
    """Every row's key, working out those not known; a row with unknown cells
    gets a key equal to no other."""
    for r, key in enumerate(known):
        if key is None:
            known[r] = object() if None in rows[r] else hash(tuple(rows[r]))
    return known


@lru_cache(maxsize=1024)
def _transition(current: str, style: str) -> str:
    """The SGR from one style to another: a reset and the new one's, in one sequence."""
    if not style:
        return "\x1b[0m"
    return f"\x1b[0;{style}m" if current else f"\x1b[{style}m"
