"""Small valid PNG images for the tests (uploads, photos, the browser's file inputs), built without an imaging
library: one builder for the API, workflow and browser tests."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path


def png_bytes(width: int = 2, height: int = 2, rgb: tuple[int, int, int] = (255, 0, 0)) -> bytes:
    """A valid ``width`` × ``height`` PNG of one colour (red by default); a different size or colour makes a
    different file (another sha256)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def png_file(path: Path, width: int, height: int, rgb: tuple[int, int, int]) -> Path:
    """``path`` written with such a PNG (a browser test's file to upload)."""
    path.write_bytes(png_bytes(width, height, rgb))
    return path
