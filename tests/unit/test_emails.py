"""One spelling per e-mail address (core/emails.py): look-alikes collide or are refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from power_portal.core.emails import normalise_email


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("admin@localhost", "admin@localhost"),
        ("  Admin@LocalHost \n", "admin@localhost"),
        ("\u00a0admin@localhost\u3000", "admin@localhost"),  # no-break and ideographic space
        (
            "\uff41\uff44\uff4d\uff49\uff4e\uff20\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54",
            "admin@localhost",
        ),  # fullwidth letters and at sign
        ("\uff21\uff24\uff2d\uff29\uff2e@localhost", "admin@localhost"),  # fullwidth capitals
        ("\ufb01nance@example.com", "finance@example.com"),  # the ligature fi
        ("ops\u2460@example.com", "ops1@example.com"),  # circled digit one
        ("a\u0301dmin@localhost", "\u00e1dmin@localhost"),  # decomposed á is the composed one
        ("ÁDMIN@localhost", "\u00e1dmin@localhost"),
        ("\u00e1dmin@localhost", "\u00e1dmin@localhost"),  # a different mailbox: kept
        ("jörg@müller.example", "jörg@müller.example"),
        ("用户@例子.广告", "用户@例子.广告"),
        ("first.last+tag@example.co.za", "first.last+tag@example.co.za"),
    ],
)
def test_normalised(given: str, stored: str) -> None:
    assert normalise_email(given) == stored


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ("admin@localhost\u200b", "U+200B ZERO WIDTH SPACE"),
        ("ad\u200bmin@localhost", "U+200B ZERO WIDTH SPACE"),
        ("\u200badmin@localhost", "U+200B ZERO WIDTH SPACE"),
        ("ad\u200dmin@localhost", "U+200D ZERO WIDTH JOINER"),
        ("ad\u200cmin@localhost", "U+200C ZERO WIDTH NON-JOINER"),
        ("ad\u2060min@localhost", "U+2060 WORD JOINER"),
        ("\ufeffadmin@localhost", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
        ("ad\u00admin@localhost", "U+00AD SOFT HYPHEN"),
        ("admin@local\u202ehost", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("admin\u200e@localhost", "U+200E LEFT-TO-RIGHT MARK"),
        ("ad\u034fmin@localhost", "U+034F COMBINING GRAPHEME JOINER"),
        ("admin\ufe0f@localhost", "U+FE0F VARIATION SELECTOR-16"),
        ("ad\U000e0100min@localhost", "U+E0100 VARIATION SELECTOR-17"),
        ("ad\u3164min@localhost", "U+1160 HANGUL JUNGSEONG FILLER"),  # NFKC of the filler
        ("ad\u115fmin@localhost", "U+115F HANGUL CHOSEONG FILLER"),
        ("ad\U000e0041min@localhost", "U+E0041 TAG LATIN CAPITAL LETTER A"),
        ("ad min@localhost", "U+0020 SPACE"),
        ("ad\u2028min@localhost", "U+2028 LINE SEPARATOR"),
        ("ad\u2029min@localhost", "U+2029 PARAGRAPH SEPARATOR"),
        ("ad\tmin@localhost", "U+0009 unnamed character"),
        ("ad\x00min@localhost", "U+0000 unnamed character"),
        ("ad\x7fmin@localhost", "U+007F unnamed character"),
        ("ad\ue000min@localhost", "U+E000 unnamed character"),  # private use
        ("ad\U0010fffdmin@localhost", "U+10FFFD unnamed character"),
        ("ad\u0378min@localhost", "U+0378 unnamed character"),  # unassigned
        ("ad\ud800min@localhost", "U+D800 unnamed character"),  # a lone surrogate
    ],
)
def test_invisible_characters_are_refused(given: str, named: str) -> None:
    with pytest.raises(ValueError, match="invisible") as caught:
        normalise_email(given)
    assert named in str(caught.value)


def test_too_long_after_normalising() -> None:
    # U+3300 SQUARE APAATO is one character and four after NFKC
    with pytest.raises(ValueError, match="at most 320"):
        normalise_email("\u3300" * 80 + "@example.com")


@given(st.text(max_size=40))
def test_normalising_twice_changes_nothing(value: str) -> None:
    try:
        once = normalise_email(value)
    except ValueError:
        return
    assert normalise_email(once) == once
