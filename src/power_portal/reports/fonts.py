"""The Unicode font family of the PDF documents, registered with ReportLab once.

``font_family()`` registers DejaVu Sans (regular and bold, Debian's ``fonts-dejavu-core``)
or, when it is not installed, the Bitstream Vera fonts ReportLab ships, and returns their
names. They are TrueType fonts, so ReportLab embeds a subset of each in every PDF with a
``ToUnicode`` map: the text is selectable and can be extracted (names like "Müller Café").
Registration reads and parses the font files, so it happens once per process (cached).
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from pathlib import Path

import reportlab
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
VERA_DIR = Path(reportlab.__file__).parent / "fonts"


@dataclass(frozen=True)
class FontFiles:
    """One family's regular and bold TrueType files and the names to register them under."""

    regular_name: str
    bold_name: str
    regular: Path
    bold: Path

    def exist(self) -> bool:
        return self.regular.is_file() and self.bold.is_file()


@dataclass(frozen=True)
class FontFamily:
    """The registered names: use them as ``fontName`` in styles, tables and drawings."""

    regular: str
    bold: str


DEJAVU = FontFiles(
    "DejaVuSans",
    "DejaVuSans-Bold",
    DEJAVU_DIR / "DejaVuSans.ttf",
    DEJAVU_DIR / "DejaVuSans-Bold.ttf",
)
VERA = FontFiles("Vera", "VeraBd", VERA_DIR / "Vera.ttf", VERA_DIR / "VeraBd.ttf")
_LOCK = threading.Lock()


def choose_font_files(candidates: tuple[FontFiles, ...] = (DEJAVU, VERA)) -> FontFiles:
    """The first family whose files are all there; the last one (ReportLab's own) otherwise."""
    return next((files for files in candidates if files.exist()), candidates[-1])


def _register(files: FontFiles) -> FontFamily:
    pdfmetrics.registerFont(TTFont(files.regular_name, str(files.regular)))
    pdfmetrics.registerFont(TTFont(files.bold_name, str(files.bold)))
    # <b> in a Paragraph (and bold=1 lookups) map to the bold face; there is no italic here.
    addMapping(files.regular_name, 0, 0, files.regular_name)
    addMapping(files.regular_name, 0, 1, files.regular_name)
    addMapping(files.regular_name, 1, 0, files.bold_name)
    addMapping(files.regular_name, 1, 1, files.bold_name)
    return FontFamily(regular=files.regular_name, bold=files.bold_name)


@functools.cache
def font_family() -> FontFamily:
    """Register the family (first call only) and return its names."""
    with _LOCK:
        return _register(choose_font_files())
