"""Decode the bytes of a feed to text before any XML parser sees them.

feedparser trusts the HTTP charset and the XML declaration, and falls back to windows-1252 when neither
fits; an undeclared Shift_JIS or windows-1251 feed then becomes mojibake. Here the encoding is chosen
in this order, and the result is handed on as UTF-8 with a matching declaration:

1. a byte order mark (UTF-8, UTF-16, UTF-32), or the UTF-16/32 shape of ``<?`` without one;
2. the HTTP ``charset`` and the XML declaration, the first that decodes the bytes without error (a
   Latin-1 label on bytes that are valid UTF-8 is taken for the mislabel it usually is);
3. valid UTF-8;
4. detection (charset-normalizer), preferring among the equally likely candidates the encodings the web
   actually uses, and those of the feed's declared language first.

Labels are widened to the supersets browsers use (ISO-8859-1 → windows-1252, GB2312 → GB18030,
Shift_JIS → cp932, EUC-KR → cp949), so a stray character outside the narrow set does not fail the feed.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import charset_normalizer

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_NO_BOM_SHAPES: tuple[tuple[bytes, str], ...] = (
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00?\x00", "utf-16-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
    (b"\x00<", "utf-16-be"),
)
# the supersets that browsers decode these labels with (WHATWG Encoding), by Python codec name
_SUPERSETS = {
    "latin_1": "cp1252",
    "iso8859_1": "cp1252",
    "ascii": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "iso8859_9": "cp1254",
    "tis_620": "cp874",
    "iso8859_11": "cp874",
}
_SINGLE_BYTE_LATIN = {"cp1252", "iso8859_15"}
# the encodings the web uses most, by Python codec name: ties in detection go to the earliest
_POPULAR = (
    "utf_8",
    "cp1252",
    "cp1251",
    "gb18030",
    "gb2312",
    "big5",
    "shift_jis",
    "cp932",
    "euc_jp",
    "euc_kr",
    "cp949",
    "koi8_r",
    "cp1250",
    "iso8859_2",
    "cp1253",
    "cp1254",
    "cp1255",
    "cp1256",
    "cp1257",
    "tis_620",
    "cp874",
    "koi8_u",
)
_BY_LANGUAGE = {
    "ru": ("cp1251", "koi8_r"),
    "uk": ("cp1251", "koi8_u"),
    "bg": ("cp1251",),
    "ja": ("cp932", "shift_jis", "euc_jp"),
    "ko": ("cp949", "euc_kr"),
    "zh": ("gb18030", "gb2312", "big5"),
    "he": ("cp1255",),
    "ar": ("cp1256",),
    "th": ("cp874", "tis_620"),
    "el": ("cp1253",),
    "tr": ("cp1254",),
    "cs": ("cp1250", "iso8859_2"),
    "pl": ("cp1250", "iso8859_2"),
    "sk": ("cp1250", "iso8859_2"),
    "hu": ("cp1250", "iso8859_2"),
}
_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']", re.IGNORECASE)
_TEXT_DECLARATION = re.compile(r"^(\s*<\?xml[^>]*?)\s+encoding\s*=\s*[\"'][^\"']*[\"']", re.IGNORECASE)
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class DecodedFeed:
    """A feed body as text, and how its encoding was decided."""

    text: str
    encoding: str  # Python codec name actually used, e.g. "cp1251"
    source: str  # "bom", "http", "declared", "utf-8" or "detected"

    def as_utf8_xml(self) -> bytes:
        """The text as UTF-8 bytes whose XML declaration (if any) says so."""
        text = self.text.lstrip("\ufeff")
        text = _TEXT_DECLARATION.sub(r"\1", text, count=1)
        return text.encode("utf-8")


def _codec(label: str | None) -> str | None:
    """Python's codec name for a charset label, widened to its superset; None when unknown."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name.replace("-", "_")
    except LookupError:
        return None
    return _SUPERSETS.get(name, name)


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _is_utf8(body: bytes) -> bool:
    return _strict(body, "utf-8") is not None


def _detect(body: bytes, language_hint: str | None) -> tuple[str, str]:
    results = list(charset_normalizer.from_bytes(body))
    if not results:
        return body.decode("cp1252", errors="replace"), "cp1252"
    best_chaos = min(result.chaos for result in results)
    likely = {_codec(r.encoding) or r.encoding for r in results if r.chaos <= best_chaos + 0.01}
    preferred = _BY_LANGUAGE.get((language_hint or "").split("-")[0].lower(), ()) + _POPULAR
    for codec in preferred:
        if codec in likely and (text := _strict(body, codec)) is not None:
            return text, codec
    fallback = _codec(results[0].encoding) or "cp1252"
    return body.decode(fallback, errors="replace"), fallback


def decode_feed(
    body: bytes, content_type: str | None = None, *, language_hint: str | None = None
) -> DecodedFeed:
    """Decode ``body`` (a feed, XML or JSON) to text; never raises, always returns something readable."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return DecodedFeed(
                body[len(bom) :].decode(codec, errors="replace"), codec.replace("-", "_"), "bom"
            )
    for shape, codec in _NO_BOM_SHAPES:
        if body.startswith(shape) and (text := _strict(body, codec)) is not None:
            return DecodedFeed(text, codec.replace("-", "_"), "bom")
    header_match = _CHARSET.search(content_type or "")
    declared_match = _DECLARATION.match(body[:1024])
    candidates = (
        ("http", _codec(header_match.group(1)) if header_match else None),
        ("declared", _codec(declared_match.group(1).decode("ascii")) if declared_match else None),
    )
    for source, label in candidates:
        if label is None or label.startswith(("utf_16", "utf_32")):
            continue  # a UTF-16 label on bytes without the UTF-16 shape is a lie
        text = _strict(body, label)
        if text is None:
            continue
        if label in _SINGLE_BYTE_LATIN and not body.isascii() and _is_utf8(body):
            return DecodedFeed(body.decode("utf-8"), "utf_8", "utf-8")
        return DecodedFeed(text, label, source)
    if (text := _strict(body, "utf-8")) is not None:
        return DecodedFeed(text, "utf_8", "utf-8")
    detected, guess = _detect(body, language_hint)
    return DecodedFeed(detected, guess, "detected")
