"""Reading an import's CSV file safely: bounded lines, the csv module's errors and control characters reported
by line and column instead of crashing the import (a hostile or broken export must not stop it mid-file)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from typing import IO, Any

MAX_LINE = 1_000_000  # bytes: a file without line breaks is refused at its first megabyte, not read whole
# C0 controls but tab, LF and CR (which a quoted field may hold), and DEL: PostgreSQL refuses NUL in text, and
# none of them belongs in a case's text.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class HistoryFileError(ValueError):
    """The file as a whole cannot be imported (unreadable, not UTF-8, a wrong header)."""


class RowError(ValueError):
    """One row is malformed; the message names the column."""


def lines(binary: IO[bytes], done: list[int]) -> Iterator[str]:
    """The file's lines as text, counting the bytes read into ``done[0]`` (for a progress bar); a line longer
    than ``MAX_LINE`` bytes is a ``HistoryFileError``."""
    number = 0
    while raw := binary.readline(MAX_LINE + 1):
        number += 1
        done[0] += len(raw)
        if len(raw) > MAX_LINE:
            raise HistoryFileError(f"line {number}: longer than {MAX_LINE:,} bytes (is it a CSV file with line"
                                   " breaks?)")
        try:
            yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise HistoryFileError(f"line {number}: not UTF-8 ({exc.reason})") from None


def records(reader: Any) -> Iterator[list[str]]:
    """``reader``'s rows (a ``csv.reader``); its errors (a field over the csv field limit, a NUL the module
    refuses) as ``HistoryFileError`` naming the line."""
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise HistoryFileError(f"line {reader.line_num}: not readable as CSV ({exc})") from None
        yield values


def check_controls(header: list[str], values: list[str]) -> None:
    """``RowError`` naming the first column whose value holds a control character."""
    for name, value in zip(header, values, strict=False):
        if (found := CONTROL.search(value)) is not None:
            raise RowError(f"{name}: holds the control character U+{ord(found.group()):04X}")
