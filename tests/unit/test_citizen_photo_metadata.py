"""Photos on the public tracking link lose their metadata (EXIF GPS, XMP, comments, PNG text, WebP EXIF) and keep
their pixels' bytes."""

from __future__ import annotations

import struct
import zlib

from city.citizens.photo_metadata import without_metadata

SCAN = b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00" + b"\x12\x34\x56" + b"\xff\xd9"


def _segment(marker: int, body: bytes) -> bytes:
    return bytes((0xFF, marker)) + struct.pack(">H", len(body) + 2) + body


def test_a_jpeg_loses_exif_gps_xmp_and_comments_keeps_jfif_icc_and_the_scan() -> None:
    jfif = _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    exif = _segment(0xE1, b"Exif\x00\x00MM\x00*GPSLatitude 24.51N Artist Zhang San")
    xmp = _segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>Canon EOS</x:xmpmeta>")
    icc = _segment(0xE2, b"ICC_PROFILE\x00\x01\x01profile")
    comment = _segment(0xFE, b"taken at home")
    table = _segment(0xDB, b"\x00" + bytes(64))
    photo = b"\xff\xd8" + jfif + exif + xmp + icc + comment + table + SCAN
    clean = without_metadata(photo)
    assert clean == b"\xff\xd8" + jfif + icc + table + SCAN
    assert b"GPS" not in clean and b"Canon" not in clean and b"home" not in clean


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def test_a_png_loses_text_time_and_exif_chunks() -> None:
    head = _chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    pixels = _chunk(b"IDAT", zlib.compress(b"\x00\x00\x00\x00"))
    photo = (b"\x89PNG\r\n\x1a\n" + head + _chunk(b"tEXt", b"Author\x00Zhang San") + _chunk(b"eXIf", b"MM\x00*GPS")
             + pixels + _chunk(b"IEND", b""))
    assert without_metadata(photo) == b"\x89PNG\r\n\x1a\n" + head + pixels + _chunk(b"IEND", b"")


def test_a_webp_loses_exif_and_xmp_and_their_flags() -> None:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return kind + struct.pack("<I", len(body)) + body + (b"\x00" if len(body) & 1 else b"")

    vp8x = chunk(b"VP8X", bytes((0x0C, 0, 0, 0, 0, 0, 0, 0, 0, 0)))
    image = chunk(b"VP8L", b"\x2f\x00\x00\x00\x00")
    body = vp8x + image + chunk(b"EXIF", b"MM\x00*GPS") + chunk(b"XMP ", b"<x:xmpmeta/>")
    clean = without_metadata(b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + body)
    kept = chunk(b"VP8X", bytes(10)) + image
    assert clean == b"RIFF" + struct.pack("<I", len(kept) + 4) + b"WEBP" + kept


def test_anything_else_is_not_served() -> None:
    assert without_metadata(b"GIF89a") is None
    assert without_metadata(b"\xff\xd8\xff\xe1\xff\xff") is None  # a segment running past the end
