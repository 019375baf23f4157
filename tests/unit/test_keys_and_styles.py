"""One key table and one palette: the README, the help and the code agree."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from vivtui.ui import keys, styles
from vivtui.ui.panes.registry import PANES

ROOT = Path(__file__).resolve().parents[2]
COLOURS = {"red", "green", "yellow", "cyan", "magenta", "blue", "dark_orange", "black",
           "white", "bold", "dim", "reverse", "underline", "italic", "on"}


def test_the_readme_key_table_is_the_key_table():
    assert keys.markdown_table(PANES) in (ROOT / "README.md").read_text()


def test_every_key_is_in_the_help_and_every_pane_has_a_key():
    described = {key.keys for key in keys.table(PANES) if key.label}
    paired = {key.keys for key in keys.table(PANES) if not key.label}
    assert len(described) + len(paired) == len(keys.table(PANES))
    assert [k.keys for k in keys.pane_keys(PANES)] == [spec.key for spec in PANES]
    assert len({k.keys for k in keys.table(PANES)}) == len(keys.table(PANES))  # no clash


def style_literals(path: Path) -> list[str]:
    """String constants made only of style words ("bold red", "dim")."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            words = node.value.split()
            if words and all(word in COLOURS or re.fullmatch(r"#[0-9a-fA-F]{6}", word)
                             for word in words):
                found.append(node.value)
    return found


def test_styles_are_named_only_in_the_palette():
    offenders = {str(path.relative_to(ROOT)): style_literals(path)
                 for path in (ROOT / "vivtui").rglob("*.py")
                 if path.name != "styles.py"}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_no_color_keeps_failures_prominent():
    from rich.style import Style

    from vivtui.ui.prominence import _swapped
    failure, strong = _swapped(Style.parse(styles.FAILURE)), _swapped(Style.parse(styles.FAILURE_STRONG))
    assert failure.bold and failure.color.triplet == (255, 255, 255)
    assert strong.bold and strong.underline
    caution = _swapped(Style.parse(styles.CAUTION))
    assert caution.bold and caution.color.triplet == (255, 255, 255)
    plain = Style.parse(styles.SUCCESS)
    assert _swapped(plain) == plain
