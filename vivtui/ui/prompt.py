"""The one-line prompt (search, filter, save path) and the type picker."""

from __future__ import annotations

from typing import Callable

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from vivtui.ui import render, styles


class Prompt(Input):
    """Shown at the bottom for one answer; Enter gives it, Esc takes it back."""

    DEFAULT_CSS = """
    Prompt { dock: bottom; height: 3; border: tall $accent; }
    """

    class Closed(Message):
        """The answer was given or taken back: the focus goes back to the pane."""

    def __init__(self) -> None:
        super().__init__(id="prompt")
        self._answer: Callable[[str], None] | None = None
        self.display = False

    def ask(self, placeholder: str, answer: Callable[[str], None], value: str = "") -> None:
        self._answer = answer
        self.placeholder = placeholder
        self.value = value
        self.display = True
        # At once, not after the queued events (Widget.focus defers): keys typed
        # straight after `/` or `&` must land here, not in the pane.
        self.screen.set_focus(self)

    def close(self) -> None:
        self.display = False
        self._answer = None
        self.post_message(self.Closed())

    async def type_key(self, event: events.Key) -> None:
        """A key meant for the prompt that reached another widget first."""
        if event.key == "enter":
            await self.action_submit()
        elif event.key == "escape":
            self.close()
        elif event.key == "backspace":
            self.action_delete_left()
        elif event.is_printable and event.character:
            self.insert_text_at_cursor(event.character)

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        answer = self._answer
        self.close()
        if answer is not None:
            answer(event.value)

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "escape":
            event.stop()
            event.prevent_default()
            self.close()
            return
        await super()._on_key(event)


# Types offered, the most frequent first: a big run's blocks have 10k reasons,
# and a list of them all took Textual 1.2 s to lay out.
PICKED_MOST = 200


class PickerScreen(ModalScreen[str | None]):
    """`t`: show only one type / status / event (or all of them)."""

    ALL = "\x00all"
    DEFAULT_CSS = """
    PickerScreen { align: center middle; }
    PickerScreen > OptionList { width: 60; max-width: 100%; height: auto; max-height: 80%;
        border: round $primary; }
    """
    BINDINGS = [Binding("escape,q", "dismiss(None)", "Close")]

    def __init__(self, title: str, counts: list[tuple[str, int]]) -> None:
        super().__init__()
        self.heading = title
        self.counts = counts

    def compose(self) -> ComposeResult:
        options = [Option(Text("all (no type filter)", styles.STRONG), id=self.ALL)]
        for name, count in self.counts[:PICKED_MOST]:
            label = Text(no_wrap=True, end="")
            label.append(render.fit(render.safe(name, 40), 32))
            label.append(f"{count:>8}", styles.NOTE)
            options.append(Option(label, id=name))
        rest = self.counts[PICKED_MOST:]
        if rest:
            options.append(Option(Text(f"… {len(rest):,} rarer ones ({sum(n for _, n in rest):,}"
                                       " rows): & filters by any text", styles.NOTE),
                                  disabled=True))
        picker = OptionList(*options)
        picker.border_title = self.heading
        yield picker

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
