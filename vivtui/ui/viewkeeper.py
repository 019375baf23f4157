"""The main screen's view, kept across sessions (``vivtui.viewstate``): what
is on screen is taken down once a second and written when it changed; on
opening, the pane and its filters come back once the panes exist, the cursor
rows once the files' first contents are read (before, the row may not be
there yet)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from vivtui.latest_writer import LatestWriter
from vivtui.safetext import one_line, preview
from vivtui.store.filters import compile_pattern
from vivtui.ui.panes.base import Pane
from vivtui.viewstate import Mark, PaneView, ViewState, load_state, write_state

Say = Callable[[str], None]


class ViewKeeper:
    def __init__(self, path: Path | None, fresh: bool, say: Say) -> None:
        self.path = path  # None: nothing kept (tests, screenshots)
        self.state, problem = (load_state(path) if path is not None and not fresh
                               else (ViewState(), None))
        self.problem = problem
        self._say = say
        self._saved = self.state.as_bytes() if path is not None else b""
        self._writer = LatestWriter(partial(write_state, path))
        self.filters_pending = bool(self.state.panes or self.state.pane)
        self.cursors_pending = any(view.place for view in self.state.panes.values())

    # -- restoring --------------------------------------------------------------------

    def restore_filters(self, panes: dict[str, Pane], focus: Callable[[str], None] | None,
                        root: str) -> None:
        """``focus``: shows the kept pane; None when the user chose one since
        the start (a key pressed while the panes were made is not undone)."""
        self.filters_pending = False
        for name, view in self.state.panes.items():
            pane = panes.get(name)
            if pane is None:
                continue
            apply_filters(pane, view.filters)
            pane.filters.categories = frozenset(view.categories) if view.categories else None
            pane.filters.min_severity = view.min_severity
            pane.filters.enabled = view.filters_on
            pane.filters.hide_foreign_under = root if self.state.hide_foreign else None
            pane.filters_changed()
            if view.search:
                pane.set_search(view.search)
        if focus is not None and self.state.pane in panes:
            focus(self.state.pane)

    def restore_cursors(self, panes: dict[str, Pane]) -> None:
        """Once the run is read (a big one's: many seconds after the start);
        a pane the user moved in since keeps the user's row."""
        self.cursors_pending = False
        for name, view in self.state.panes.items():
            pane = panes.get(name)
            if pane is None or view.follow or not view.place or pane.view.moved:
                continue
            index = pane.index_of(view.place)
            if index is not None:
                pane.view.follow = False
                pane.view.select(index)

    # -- taking down ------------------------------------------------------------------

    def take(self, panes: dict[str, Pane], active: str) -> None:
        """The view as it is now; written if it changed."""
        state = self.state
        state.pane = active
        for name, pane in panes.items():
            if not pane.view.is_mounted:
                continue
            filters = pane.filters
            view = pane.view
            selected = view.selected
            state.panes[name] = PaneView(
                filters=[pattern.text for pattern in filters.patterns],
                search=pane.search.text if pane.search is not None else None,
                categories=sorted(filters.categories) if filters.categories else None,
                min_severity=filters.min_severity, filters_on=filters.enabled,
                place=pane.place_of(selected) if selected is not None else None,
                follow=bool(view.follow))
            state.hide_foreign = filters.hide_foreign_under is not None
        self.save()

    def save(self) -> None:
        if self.path is None or self.cursors_pending or self.filters_pending:
            return  # not before what was kept is back: it would be overwritten
        problem = self._writer.problem()
        if problem is not None:
            self.path = None  # said once, then the view is not kept
            self._say(f"the view cannot be kept: {problem.strerror or problem}")
            return
        data = self.state.as_bytes()
        if data != self._saved:
            self._writer.put(data)  # written on a thread of its own: the UI goes on
            self._saved = data

    def close(self) -> None:
        """The latest state written (the screen's last second's too) before the monitor ends."""
        self._writer.close()

    # -- marks and named filters ------------------------------------------------------

    def toggle_mark(self, pane_name: str, pane: Pane, note: str) -> bool:
        """Marks the selected row (True), or unmarks it if it was (False)."""
        item = pane.view.selected
        place = pane.place_of(item)
        for mark in self.state.marks:
            if mark.pane == pane_name and mark.place == place:
                self.state.marks.remove(mark)
                return False
        record = pane.brief_of(item)
        text = preview(record.summary if record is not None else "", 120)
        self.state.marks.append(Mark(pane_name, place, one_line(note, 200), text))
        return True

    def marked(self, pane_name: str, pane: Pane) -> bool:
        item = pane.view.selected
        return item is not None and any(mark.pane == pane_name and
                                        mark.place == pane.place_of(item)
                                        for mark in self.state.marks)

    def name_filters(self, name: str, pane: Pane) -> None:
        self.state.named_filters[one_line(name, 60)] = [p.text for p in pane.filters.patterns]


def apply_filters(pane: Pane, texts: list[str]) -> None:
    """``texts`` as the pane's filters, in place of those it had."""
    pane.filters.patterns[:] = [compile_pattern(text, allow_invert=True) for text in texts]
    pane.filters.enabled = True
