"""The view kept across sessions, marks and named filters on the main screen
(a mixin of ``MainScreen``; what is kept: ``viewkeeper``), and the marks' list
(``M``: every marked row with its note; enter goes there)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text

from vivtui.ui import render, styles
from vivtui.ui.listscreen import ListScreen
from vivtui.ui.panes.base import Pane
from vivtui.ui.viewkeeper import apply_filters
from vivtui.viewstate import Mark


def mark_row(mark: Mark, width: int) -> Text:
    return render.columns([(render.safe(mark.note or "(no note)", 40), 30,
                            styles.STRONG if mark.note else styles.NOTE),
                           (render.safe(mark.pane, 10), 9, styles.ACTIVE),
                           (render.safe(mark.text, 300), 0, "")], width)


class MarksScreen(ListScreen):
    def __init__(self, marks: Sequence[Mark], chosen: Callable[[Mark], None]) -> None:
        about = Text(no_wrap=True, overflow="ellipsis", end="")
        about.append(f" {len(marks)} mark{'s' if len(marks) != 1 else ''}", styles.STRONG)
        about.append(" in the order made; enter: go there; m on a row unmarks it", styles.NOTE)
        super().__init__(about, list(marks), mark_row, chosen,
                         empty="No marks: m on a row marks it.")


class MarkActions:
    def _keep_view(self) -> None:
        keeper = self.keeper
        if keeper.filters_pending and all(p.view.is_mounted for p in self.panes.values()):
            root = self.run_layout.root if not self.run_layout.single_file else (
                self.run_layout.root.parent)
            keeper.restore_filters(self.panes, None if self.switched else self.focus_pane,
                                   str(root))
        if keeper.cursors_pending and not keeper.filters_pending and self.reading() is None:
            self.refresh_panes()  # hidden panes' rows, before looking for the rows kept
            keeper.restore_cursors(self.panes)
        keeper.take(self.panes, self.active_name())

    def action_mark(self) -> None:
        pane, name = self.current_pane(), self.active_name()
        if pane is None or pane.view.selected is None:
            self.say("no row to mark")
            return
        if self.keeper.marked(name, pane):
            self.keeper.toggle_mark(name, pane, "")
            self.say("mark removed")
            return
        self.prompt.ask("a note for the mark (enter: none)",
                        lambda note: self._marked(name, pane, note))

    def _marked(self, name: str, pane: Pane, note: str) -> None:
        if pane.view.selected is not None and self.keeper.toggle_mark(name, pane, note):
            self.say(f"marked ({len(self.keeper.state.marks)} marks; ' goes to the next)")
        self.keeper.save()

    def action_next_mark(self) -> None:
        marks = self.keeper.state.marks
        if not marks:
            self.say("no marks: m marks the row")
            return
        pane, name = self.current_pane(), self.active_name()
        here = pane.place_of(pane.view.selected) if pane and pane.view.selected else None
        at = next((i for i, mark in enumerate(marks)
                   if mark.pane == name and mark.place == here), -1)
        self.go_to_mark(marks[(at + 1) % len(marks)])

    def go_to_mark(self, mark: Mark) -> None:
        pane = self.panes.get(mark.pane)
        if pane is None:
            return
        self.focus_pane(mark.pane)
        index = pane.index_of(mark.place)
        if index is None:
            self.say(f"mark {mark.note or mark.text}: not among the rows shown "
                     "(a filter hides it, or the file no longer has it)", timeout=4)
            return
        pane.view.follow = False
        pane.view.select(index)

    def action_marks(self) -> None:
        self.app.push_screen(MarksScreen(self.keeper.state.marks, self._chose_mark))

    def _chose_mark(self, mark: Mark) -> None:
        self.app.pop_screen()
        self.go_to_mark(mark)

    def name_filters(self) -> None:
        pane = self.current_pane()
        if pane is None or not pane.filters.patterns:
            self.say("no filters to name: & adds one")
            return
        self.prompt.ask("a name for these filters", lambda name: self._named(pane, name))

    def _named(self, pane: Pane, name: str) -> None:
        if name.strip():
            self.keeper.name_filters(name.strip(), pane)
            self.keeper.save()
            self.say(f"filters saved as {name.strip()}: ctrl+p recalls them")

    def recall_filters(self, name: str) -> None:
        pane = self.current_pane()
        texts = self.keeper.state.named_filters.get(name)
        if pane is None or texts is None:
            return
        apply_filters(pane, texts)
        pane.filters_changed()
