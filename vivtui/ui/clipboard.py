"""What a copy (`c`) puts on the terminal's clipboard, and what it says.

The clipboard is reached by an escape sequence (OSC 52, which works over
SSH), and terminals take only so much of one: tmux passes up to 1 MB of it,
base64 (4 bytes for 3). A record with a 20 MB field was masked and encoded
whole on the screen's thread: the screen froze 9.7 s, tmux then dropped the
copy, and vivtui said it had copied 20,000,110 characters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from vivtui.safetext import head_of, shareable
from vivtui.ui.soon import Soon

COPY_MOST = 512 << 10  # characters copied at most


def copied(text: str) -> tuple[str, str]:
    """The clipboard's text (``text``'s first ``COPY_MOST`` characters, secrets
    masked, no control characters: it leaves the screen) and what to say."""
    head = head_of(text, COPY_MOST)  # (a secret cut there is not left in part)
    data = shareable(head)
    if len(head) < len(text):
        return data, (f"copied the first {len(head):,} characters: a terminal's clipboard "
                      "takes no more (the file holds the whole record)")
    return data, f"copied {len(data):,} characters"


def copy_soon(soon: Soon, app, text: Callable[[], str | None],
              say: Callable[[str], None]) -> None:
    """``text()`` made and ``copied`` by ``soon``'s thread, then put on the
    clipboard and said (None: nothing to copy); "copying…" said meanwhile, if
    that takes a while (a record of 500k fields: 280 ms on the screen's thread)."""
    def made() -> tuple[str, str] | None:
        found = text()
        return copied(found) if found is not None else None

    def put(made: tuple[str, str] | None) -> None:
        if made is not None:
            app.copy_to_clipboard(made[0])
            say(made[1])

    soon.show(made, put, lambda: say("copying…"))


def first_lines(lines: Iterable[str], most: int = COPY_MOST) -> Iterator[str]:
    """``lines`` until they hold more than ``most`` characters (with the
    newlines that join them): the rest are not made."""
    total = 0
    for line in lines:
        yield line
        total += len(line) + 1
        if total > most:
            return
