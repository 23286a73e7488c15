"""One spelling per e-mail address: what every incoming user e-mail goes through.

``normalise_email`` makes look-alike spellings of one address the same string, and refuses
the characters that make two different strings look alike:

- compatibility forms are folded by NFKC: fullwidth letters (U+FF41 ...), the ligature
  U+FB01 or a decomposed ``a`` + combining acute become the plain ``admin@localhost``,
  ``fi`` and ``á``; then surrounding white space goes and the address is lower-cased;
- an invisible character is refused, wherever it is: controls (Cc), format characters (Cf:
  zero-width space and joiners, bidi controls, soft hyphen, BOM), white space and separators
  inside the address (Zs, Zl, Zp), private use (Co), surrogates (Cs), unassigned code points
  (Cn), and the other default-ignorable code points (variation selectors, the combining
  grapheme joiner, Hangul fillers), which render as nothing.

Letters of other scripts stay letters: ``ádmin@localhost`` is a different mailbox from
``admin@localhost`` (internationalised addresses are real), and so is a Cyrillic ``a``
(U+0430) in place of a Latin one. Telling such homoglyphs apart is left to whoever creates accounts
(admins only); what can never be told apart on screen, an invisible character, is refused.
"""

from __future__ import annotations

import unicodedata

MAX_EMAIL_LENGTH = 320
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"})
# Default_Ignorable_Code_Point (Unicode DerivedCoreProperties) outside the categories above:
# marks and letters that draw nothing. After NFKC, U+3164 and U+FFA0 are U+1160.
_IGNORABLE_RANGES = (
    (0x034F, 0x034F),  # combining grapheme joiner
    (0x115F, 0x1160),  # Hangul choseong and jungseong fillers
    (0x17B4, 0x17B5),  # Khmer inherent vowels
    (0x180B, 0x180F),  # Mongolian free variation selectors
    (0x3164, 0x3164),  # Hangul filler
    (0xFE00, 0xFE0F),  # variation selectors
    (0xFFA0, 0xFFA0),  # halfwidth Hangul filler
    (0xE0100, 0xE01EF),  # variation selectors supplement
)


def _is_invisible(char: str) -> bool:
    if unicodedata.category(char) in INVISIBLE_CATEGORIES:
        return True
    point = ord(char)
    return any(low <= point <= high for low, high in _IGNORABLE_RANGES)


def describe(char: str) -> str:
    """``U+200B ZERO WIDTH SPACE``: how an error names a character nobody can see."""
    return f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed character')}"


def normalise_email(value: str) -> str:
    """NFKC, stripped, lower-cased; ``ValueError`` for an invisible character or a
    normalised address longer than 320 characters. The address's shape (one ``@``, a domain)
    is checked by whoever needs it (the login takes anything, as wrong credentials)."""
    # NFKC again after lower-casing: a lower-case letter may have a compatibility form.
    lowered = unicodedata.normalize("NFKC", value).lower()
    normalised = unicodedata.normalize("NFKC", lowered).strip()
    for char in normalised:
        if _is_invisible(char):
            raise ValueError(
                "must not contain invisible, control or white-space characters "
                f"(found {describe(char)})"
            )
    if len(normalised) > MAX_EMAIL_LENGTH:
        raise ValueError(f"must be at most {MAX_EMAIL_LENGTH} characters")
    return normalised
