"""The inspector (Enter): one record in full, and the related-events list."""

from __future__ import annotations

import threading
from datetime import tzinfo
from functools import partial
from typing import Any, Callable, Iterable, Iterator

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from vivtui.parsing.record import GluedRecord, Record
from vivtui.parsing.values import text
from vivtui.safetext import MASK, is_secret_name
from vivtui.sources.decoding import is_utf8, text_of
from vivtui.sources.json_depth import DEEPER, MOST_DEPTH
from vivtui.ui import render, styles
from vivtui.ui.clipboard import COPY_MOST, copy_soon, first_lines
from vivtui.ui.keys_footer import KeysFooter
from vivtui.ui.rowview import RowView
from vivtui.ui.soon import Soon

Line = tuple[str, str, int]  # (text, style of the value, length of the key at its start)
# Characters of one value shown (a copy takes ``COPY_MOST``): made safe and cut
# into rows on the screen's thread, 70-80 ms a megabyte (a 20 MB field froze it
# 1.6 s; its first 4M characters, 274 ms as the inspector opened); a 2 MB one
# is still shown whole.
SHOWN_MOST = 2 << 20
# Lines of fields made at most: made safe one by one on the screen's thread
# (about 10 us each), a record of 500k fields froze it 5.4 s.
SHOWN_LINES = 10_000
FIELDS_CUT = "… the rest of its fields not shown (the file holds them; P shows the line)"
# Above a raw line that is not UTF-8, how it was read (``sources.decoding``).
NOT_UTF8 = "(not UTF-8: read as Windows-1252)"
NO_FIELDS = "(no fields: P shows the line)"
READING = "reading the record…"


def _fields_lines(fields: dict) -> list[Line]:
    """``tree_lines`` of ``fields`` up to ``SHOWN_LINES`` lines and ``SHOWN_MOST``
    characters in all, then a line saying the rest is not shown."""
    out: list[Line] = []
    total = 0
    for line in tree_lines(fields, most=SHOWN_MOST):
        if len(out) >= SHOWN_LINES or total > SHOWN_MOST:
            out.append((FIELDS_CUT, styles.NOTE, 0))
            break
        out.append(line)
        total += len(line[0])
    return out


def _text_lines(text: str) -> list[Line]:
    return [(line, "", 0) for line in render.safe_block(text, SHOWN_MOST).split("\n")]


def tree_lines(value: Any, indent: int = 0, most: int | None = None) -> Iterator[Line]:
    """Fields as an indented tree; multi-line strings as blocks, in full (or
    their first ``most`` characters)."""
    pad = "  " * indent
    if indent >= MOST_DEPTH and isinstance(value, (dict, list)) and value:
        # (Values are cut so where decoded; a value made otherwise is not walked deeper.)
        yield f"{pad}{DEEPER}", styles.NOTE, 0
        return
    if isinstance(value, dict):
        for key, item in value.items():
            label = f"{pad}{render.safe(key, 200)}:"
            if isinstance(item, (dict, list)) and item:
                yield label, "", len(label)
                yield from tree_lines(item, indent + 1, most)
            elif is_secret_name(str(key)) and item not in (None, "", True, False):
                # A value known as secret by its key's name (api_key, password).
                yield f"{label} {MASK}", styles.NOTE, len(label)
            else:
                yield from _scalar_lines(label, item, pad, most)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, (dict, list)) and item:
                yield f"{pad}-", "", len(pad) + 1
                yield from tree_lines(item, indent + 1, most)
            else:
                yield from _scalar_lines(f"{pad}-", item, pad, most)
    else:
        yield from _scalar_lines(pad.rstrip() or "", value, pad, most)


def _scalar_lines(label: str, value: Any, pad: str, most: int | None) -> Iterator[Line]:
    shown = render.safe_block(value if isinstance(value, str) else text(value), most)
    style = styles.STRING_VALUE if isinstance(value, str) else styles.OTHER_VALUE
    lines = shown.split("\n")
    if len(lines) == 1:
        yield f"{label} {lines[0]}".rstrip(), style, len(label)
        return
    yield label, "", len(label)
    for line in lines:
        yield f"{pad}  │ {line}", style, 0


def wrap(lines: Iterable[Line], width: int) -> list[Line]:
    """Hard-wrapped to the width: a 2 MB field becomes rows the view pages through."""
    width = max(10, width)
    out: list[Line] = []
    for line, style, key in lines:
        if len(line) <= width:
            out.append((line, style, key))
            continue
        indent = len(line) - len(line.lstrip(" "))
        out.append((line[:width], style, min(key, width)))
        step = max(1, width - indent - 2)
        pad = " " * (indent + 2)
        for start in range(width, len(line), step):
            out.append((pad + line[start:start + step], style, 0))
    return out


def line_text(line: Line, width: int) -> Text:
    content, style, key = line
    out = Text(no_wrap=True, end="")
    out.append(content[:key], styles.STRONG)
    out.append(content[key:], style)
    return out


class InspectorScreen(Screen[None]):
    DEFAULT_CSS = """
    InspectorScreen #where { height: auto; background: $boost; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back"),
        Binding("P", "toggle_raw", "Raw / fields"),
        Binding("c", "copy", "Copy"),
        Binding("r", "related", "Related"),
    ]

    def __init__(self, record: Record, source: str, zone: tzinfo | None,
                 related: Callable[[Record], None] | None = None,
                 file_line: Callable[[Record], bytes | None] | None = None) -> None:
        super().__init__()
        self.record = record
        self._file_line = file_line
        self.source = source
        self.zone = zone
        self.show_raw = record.malformed or not record.fields
        self._related = related
        # Each view's lines, made once: a resize only wraps them again (the
        # screen's first resize made a 20 MB record's lines a second time).
        self._made: dict[bool, list[Line]] = {}
        self._making = threading.Lock()  # (made by ``_soon``'s threads)
        # Made and wrapped by a thread: a 20 MB record's took the screen's
        # thread 130-154 ms as it opened.
        self._soon: Soon[list[Line]] = Soon(self, "inspector")
        self._copying: Soon[tuple[str, str]] = Soon(self, "copy")

    def compose(self) -> ComposeResult:
        yield Static(self.where_text(), id="where")
        yield RowView(line_text, follow=False)
        yield KeysFooter()

    def where_text(self) -> Text:
        r = self.record
        out = Text(no_wrap=True, overflow="ellipsis", end="")
        out.append(f"{render.safe(self.source, 120)}:{render.line_number(r.line)}", styles.STRONG)
        out.append(f"  byte {r.offset}" if r.offset >= 0 else f"  entry {r.line} of the array")
        out.append(f"  {r.kind}  ")
        out.append(render.safe(r.category, 60), render.record_style(r))
        out.append(f"  {r.severity}")
        if r.ts is not None:
            out.append(f"  {r.ts.astimezone(self.zone).isoformat(sep=' ', timespec='milliseconds')}")
        if r.malformed:
            out.append(f"  malformed: {r.note}", styles.FAILURE_STRONG)
        elif r.__class__ is GluedRecord:
            out.append(f"  {r.glued_note}", styles.NOTE)
        out.append("   P: raw line" if not self.show_raw else "   P: fields", styles.NOTE)
        return out

    def raw_text(self) -> str:
        """The line's bytes as they are in the file (not the parsed object written
        out again), when they can still be read there."""
        return self._raw()[0]

    def _raw(self) -> tuple[str, bool]:
        """``raw_text``, and whether it is not UTF-8 (read as Windows-1252:
        ``sources.decoding``)."""
        record = self.record
        data = self._file_line(record) if self._file_line is not None else None
        if data is None:
            return record.line_text, False
        return text_of(data).rstrip("\r"), not is_utf8(data)

    def content_lines(self, raw: bool | None = None) -> list[Line]:
        """The raw line's (``raw``: default, the view shown) or the fields'."""
        raw = self.show_raw if raw is None else raw
        if raw:
            text, not_utf8 = self._raw()
            note = [(NOT_UTF8, styles.NOTE, 0)] if not_utf8 else []
            return note + _text_lines(text) + self._glued_lines(raw)
        if not self.record.fields:  # a line of text, or one that is malformed
            return [(NO_FIELDS, styles.NOTE, 0)] + self._glued_lines(raw)
        return _fields_lines(self.record.fields) + self._glued_lines(raw)

    def _glued_lines(self, raw: bool) -> list[Line]:
        """The records glued on the row's line after it (a ``GluedRecord``'s),
        each under a line saying where it starts: as the row's, fields or text."""
        out: list[Line] = []
        record = self.record
        for glued in record.glued if record.__class__ is GluedRecord else ():
            out.append(("", "", 0))
            out.append((f"glued after it on this line, at byte {glued.offset}: "
                        f"{render.safe(glued.category, 60)}"
                        + (f" ({glued.note})" if glued.malformed else ""), styles.NOTE, 0))
            out += (_text_lines(glued.line_text) if raw or not glued.fields
                    else _fields_lines(glued.fields))
        return out

    def on_mount(self) -> None:
        self.refill()
        self.query_one(RowView).focus()

    def on_resize(self) -> None:
        self.refill()

    def on_unmount(self) -> None:
        self._soon.close()
        self._copying.close()

    def refill(self) -> None:
        view = self.query_one(RowView)
        width = (view.scrollable_content_region.width or self.app.size.width) - 1
        self._soon.show(partial(self._wrapped, self.show_raw, width), view.set_rows,
                        lambda: view.set_rows([(READING, styles.NOTE, 0)]))
        self.query_one("#where", Static).update(self.where_text())

    def _wrapped(self, raw: bool, width: int) -> list[Line]:
        with self._making:
            lines = self._made.get(raw)
            if lines is None:
                lines = self._made[raw] = self.content_lines(raw)
        return wrap(lines, width)

    def action_toggle_raw(self) -> None:
        self.show_raw = not self.show_raw
        self.refill()

    def text_for_copy(self) -> str:
        """The record as shown (its raw line, or its fields), as far as a copy takes it."""
        if self.show_raw:
            return self.raw_text()
        return "\n".join(first_lines(line for line, _, _ in tree_lines(self.record.fields,
                                                                        most=COPY_MOST)))

    def action_copy(self) -> None:
        copy_soon(self._copying, self.app, self.text_for_copy,
                  lambda said: self.app.notify(said, markup=False))

    def action_related(self) -> None:
        if self._related is not None:
            self._related(self.record)
