"""A copy (`c`): what goes to the terminal's clipboard, and what is said."""

from __future__ import annotations

from vivtui.safetext import PREVIEW_MARGIN
from vivtui.ui import clipboard
from vivtui.ui.clipboard import COPY_MOST, copied, first_lines


def test_a_record_a_terminal_takes_is_copied_whole_masked():
    data, said = copied("key gsk_abcdefghijklmnop \x1b]0;pwned\x07 end")
    assert "gsk_…[redacted]" in data and "abcdefghijklmnop" not in data
    assert "\x1b" not in data and data.endswith(" end")
    assert said == f"copied {len(data):,} characters"


def test_a_huge_record_is_copied_as_far_as_a_terminal_takes_and_said_so(monkeypatch):
    masked = []
    real = clipboard.shareable
    monkeypatch.setattr(clipboard, "shareable", lambda text: masked.append(len(text))
                        or real(text))
    huge = "password=hunter22 " + "x" * 20_000_000
    data, said = copied(huge)
    assert masked and max(masked) <= COPY_MOST  # (20 MB masked: the screen froze 9.7 s)
    assert len(data) < COPY_MOST + 100 and "hunter22" not in data  # (masked: a little longer)
    assert said.startswith(f"copied the first {COPY_MOST:,} characters")
    assert "20,000,018" not in said  # (it said it had copied them all)


def test_a_secret_the_cut_falls_in_is_not_copied_in_part():
    token = "gsk_" + "Q" * 60
    for before in range(COPY_MOST - PREVIEW_MARGIN - 70, COPY_MOST + 5, 97):
        text = "a " * (before // 2) + token + " tail"
        data, _ = copied(text)
        assert "QQQQQQQQ" not in data, before
        if len(text) <= COPY_MOST:
            assert "gsk_…[redacted]" in data


def test_the_lines_of_a_copy_are_made_only_as_far_as_it_takes():
    made = []

    def lines():
        for number in range(10_000):
            made.append(number)
            yield "y" * 1000

    text = "\n".join(first_lines(lines(), 5000))
    assert len(made) == 5 and len(text) > 5000  # (the cut is ``copied``'s)
    assert "\n".join(first_lines(["a", "b"], 5000)) == "a\nb"
