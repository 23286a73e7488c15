"""What every CSV export shares: a file to send, and text cells a spreadsheet will not run."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CsvFile:
    """A CSV download: the name the browser saves it under, and its text."""

    filename: str
    text: str


def csv_text(value: str) -> str:
    """A text cell a spreadsheet will not run: a leading = + - @ (or tab/CR) gets a '."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
