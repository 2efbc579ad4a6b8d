"""Tell a file's type from its first bytes (magic numbers), never from the name or the client's word."""

from __future__ import annotations

from collections.abc import Callable

HEAD_BYTES = 64
OCTET_STREAM = "application/octet-stream"
# What browsers and clients send for the same thing.
ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "audio/mp3": "audio/mpeg",
    "audio/x-m4a": "audio/mp4",
    "audio/m4a": "audio/mp4",
    "application/x-pdf": "application/pdf",
}
_AUDIO_MP4_BRANDS = (b"M4A ", b"M4B ")
# Content a browser would render or run if it were ever served inline: never stored as evidence.
_ACTIVE_PREFIXES = (b"<", b"\xef\xbb\xbf<", b"#!", b"MZ", b"\x7fELF", b"PK\x03\x04")


def normalise(content_type: str) -> str:
    """Return the canonical form of a declared type (lower case, no parameters, aliases resolved)."""
    base = content_type.split(";", 1)[0].strip().lower()
    return ALIASES.get(base, base)


def sniff(head: bytes) -> str | None:
    """Return the type the first bytes show, or None when they match no known evidence format."""
    for content_type, matches in _SIGNATURES:
        if matches(head):
            return content_type
    return None


_SIGNATURES: tuple[tuple[str, Callable[[bytes], bool]], ...] = (
    ("image/jpeg", lambda h: h.startswith(b"\xff\xd8\xff")),
    ("image/png", lambda h: h.startswith(b"\x89PNG\r\n\x1a\n")),
    ("image/webp", lambda h: h[:4] == b"RIFF" and h[8:12] == b"WEBP"),
    ("application/pdf", lambda h: h.startswith(b"%PDF-")),
    ("audio/mp4", lambda h: h[4:8] == b"ftyp" and h[8:12] in _AUDIO_MP4_BRANDS),
    ("video/mp4", lambda h: h[4:8] == b"ftyp"),
    # An ID3 tag, or an MPEG audio frame header (11 sync bits set); JPEG is matched before this.
    ("audio/mpeg", lambda h: h.startswith(b"ID3") or (len(h) > 1 and h[0] == 0xFF and h[1] & 0xE0 == 0xE0)),
)


def is_active_content(head: bytes) -> bool:
    """Tell whether the bytes look like markup, a script, an executable or an archive."""
    return head.lstrip(b" \t\r\n").startswith(_ACTIVE_PREFIXES)


def check_declared(declared: str, head: bytes) -> tuple[str | None, str]:
    """Return (problem or None, the type to store) for an upload declared as `declared`."""
    found = sniff(head)
    if declared == OCTET_STREAM:
        if found is not None:
            return None, found  # a known format sent without a type: store what it is
        if is_active_content(head):
            return "content looks like markup, a script, an executable or an archive", declared
        return None, declared
    if found != declared:
        shown = found or "no known format"
        return f"declared {declared} but the content is {shown}", declared
    return None, declared
