"""Photos served on a public link without their metadata: EXIF (GPS position, device, Artist), XMP, IPTC and
comments can tell who took a photo and where they live. The report page re-encodes what it uploads, but a direct
post or a department's after-photo keeps whatever the camera wrote, so the tracking page strips it when serving.
Done on the bytes (no image library): JPEG APPn segments but JFIF, ICC and Adobe, and COM; PNG's text, time and
eXIf chunks; WebP's EXIF and XMP chunks (and their VP8X flags). The pixels are untouched."""

from __future__ import annotations

import struct

JPEG_KEEP_APP = (0xE0, 0xE2, 0xEE)  # JFIF, the ICC profile, Adobe's colour transform: needed to show the pixels
PNG_DROP = (b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME")
WEBP_DROP = (b"EXIF", b"XMP ")


def without_metadata(data: bytes) -> bytes | None:
    """``data`` without its metadata; None when it is no JPEG, PNG or WebP this can walk (not served then)."""
    try:
        if data.startswith(b"\xff\xd8"):
            return _jpeg(data)
        if data.startswith(b"\x89PNG\r\n\x1a\n"):
            return _png(data)
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return _webp(data)
    except (IndexError, struct.error):
        return None
    return None


def _jpeg(data: bytes) -> bytes | None:
    out, at = bytearray(data[:2]), 2
    while at < len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # no length
            out += data[at:at + 2]
            at += 2
            continue
        if marker == 0xDA or marker == 0xD9:  # start of scan: the rest is image data (and the end)
            return bytes(out + data[at:])
        (length,) = struct.unpack(">H", data[at + 2:at + 4])
        end = at + 2 + length
        if length < 2 or end > len(data):
            return None
        if not ((0xE0 <= marker <= 0xEF and marker not in JPEG_KEEP_APP) or marker == 0xFE):
            out += data[at:end]
        at = end
    return bytes(out)


def _png(data: bytes) -> bytes | None:
    out, at = bytearray(data[:8]), 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        kind, end = data[at + 4:at + 8], at + 12 + length
        if end > len(data):
            return None
        if kind not in PNG_DROP:
            out += data[at:end]
        at = end
        if kind == b"IEND":
            break
    return bytes(out)


def _webp(data: bytes) -> bytes | None:
    chunks, at = bytearray(), 12
    while at + 8 <= len(data):
        kind = data[at:at + 4]
        (length,) = struct.unpack("<I", data[at + 4:at + 8])
        end = at + 8 + length + (length & 1)
        if at + 8 + length > len(data):
            return None
        chunk = bytearray(data[at:min(end, len(data))])
        if kind == b"VP8X" and length >= 1:
            chunk[8] &= ~0x0C & 0xFF  # the EXIF (0x08) and XMP (0x04) flags: their chunks are gone
        if kind not in WEBP_DROP:
            chunks += chunk
        at = end
    return b"RIFF" + struct.pack("<I", len(chunks) + 4) + b"WEBP" + bytes(chunks)
