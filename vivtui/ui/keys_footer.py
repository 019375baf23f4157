"""The footer of keys: one line, drawn by one widget.

Textual's ``Footer`` is a container of a widget per key, rebuilt (every key
widget mounted and styled afresh) whenever its screen says its bindings were
updated: on every focus change and every ``refresh_bindings``. A rebuild took
25-70 ms on the UI thread; one came before the first frame, and one with
each pane switch whose keys differ. Here the keys are kept as a tuple and
drawn as one line of text: a change of keys is a repaint of that line. It
looks as ``Footer`` does (its component classes and colours), and a click on
a key presses it, as there.
"""

from __future__ import annotations

from typing import NamedTuple

from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget

PALETTE_BORDER = "▏"


class ShownKey(NamedTuple):
    key: str  # what a click presses
    display: str  # as the footer writes it ("tab", "⏎", "^p")
    description: str
    enabled: bool


class KeysFooter(Widget, can_focus=False):
    """The screen's shown keys, and the command palette's key on the right."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"footer-key--key", "footer-key--description", "keys-footer--border"}
    DEFAULT_CSS = """
    KeysFooter {
        color: $footer-foreground;
        background: $footer-background;
        dock: bottom;
        height: 1;
        text-wrap: nowrap;
        text-overflow: clip;
        .footer-key--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .footer-key--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .keys-footer--border {
            color: $foreground 20%;
        }
    }
    """

    def __init__(self, compact: bool = False, show_command_palette: bool = True) -> None:
        super().__init__()
        self.compact = compact
        self.show_command_palette = show_command_palette
        self._shown: tuple[tuple[ShownKey, ...], ShownKey | None] | None = None
        self._spans: list[tuple[int, int, ShownKey]] = []  # where each key was drawn

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self.bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen) -> None:
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        keys = self.shown_keys()
        if keys != self._shown:
            self._shown = keys
            self.refresh()

    @property
    def shown(self) -> tuple[ShownKey, ...]:
        """The keys drawn (the palette's aside)."""
        return self._shown[0] if self._shown is not None else ()

    def shown_keys(self) -> tuple[tuple[ShownKey, ...], ShownKey | None]:
        """What the footer draws from its screen's bindings (as ``Footer``
        reads them): each shown key, once per action, and the palette's."""
        app, active = self.app, self.screen.active_bindings
        keys: dict[str, ShownKey] = {}
        for _, binding, enabled, _tooltip in active.values():
            if binding.show and binding.action not in keys:
                keys[binding.action] = ShownKey(binding.key, app.get_key_display(binding),
                                                binding.description, enabled)
        palette = None
        if self.show_command_palette and app.ENABLE_COMMAND_PALETTE:
            found = active.get(app.COMMAND_PALETTE_BINDING)
            if found is not None:
                _, binding, enabled, _tooltip = found
                palette = ShownKey(binding.key, app.get_key_display(binding),
                                   binding.description, enabled)
        return tuple(keys.values()), palette

    def render(self) -> Text:
        keys, palette = self._shown or ((), None)
        line = Text(no_wrap=True, overflow="crop", end="")
        self._spans = []
        for key in keys:
            self._append(line, key, self._key_text(key, self.compact))
            if self.compact:
                line.append(" ")
        if palette is not None:
            # As ``Footer`` draws it: compact whatever the footer, a cell after it.
            border = Text(PALETTE_BORDER, self.get_component_rich_style("keys-footer--border"))
            drawn = self._key_text(palette, compact=True)
            at = self.size.width - len(border) - len(drawn) - 1
            line.truncate(max(0, at), pad=True)
            self._spans = [span for span in self._spans if span[1] <= at]
            line.append_text(border)
            self._append(line, palette, drawn)
        line.truncate(self.size.width, pad=True)
        return line

    def _key_text(self, key: ShownKey, compact: bool) -> Text:
        """One key as ``FooterKey`` draws it: padded (``compact``: not), dim when disabled."""
        key_style = self.get_component_rich_style("footer-key--key")
        description_style = self.get_component_rich_style("footer-key--description")
        if not key.enabled:
            key_style, description_style = (key_style + Style(dim=True),
                                            description_style + Style(dim=True))
        drawn = Text(end="")
        drawn.append(key.display if compact else f" {key.display} ", key_style)
        if key.description:
            drawn.append(f" {key.description}" if compact else f"{key.description} ",
                         description_style)
        return drawn

    def _append(self, line: Text, key: ShownKey, drawn: Text) -> None:
        """``drawn`` at the end of the line, where a click presses ``key``."""
        self._spans.append((len(line), len(line) + len(drawn), key))
        line.append_text(drawn)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                if key.enabled:
                    self.app.simulate_key(key.key)
                else:
                    self.app.bell()
                return
