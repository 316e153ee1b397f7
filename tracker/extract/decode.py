"""Bytes to str for text and HTML: BOM, declared charset, charset in the document, then
detection. Every fallback is reported as a warning so a wrong guess is visible later."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from tracker.extract.model import ExtractionError

_BOM_CODECS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Browsers read these labels as windows-1252 / cp932 / GBK: so do we (the WHATWG mapping).
_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "gb2312": "gbk",
    "x-gbk": "gbk",
}


def charset_from_content_type(declared: str | None) -> str | None:
    if not declared:
        return None
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", declared, re.IGNORECASE)
    return match.group(1) if match else None


def codec_name(label: str | None) -> str | None:
    """A Python codec for a charset label, or None if the label is unknown."""
    if not label:
        return None
    label = label.strip().lower()
    label = _ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def strip_bom(content: bytes) -> tuple[bytes, str | None]:
    for bom, name in _BOM_CODECS:
        if content.startswith(bom):
            return content[len(bom) :], name
    return content, None


def _printable_ratio(text: str) -> float:
    if not text:
        return 0.0
    bad = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\t\n\r\f") or ch == "\ufffd")
    return 1.0 - bad / len(text)


def decode_bytes(
    content: bytes, charsets: list[str | None], warnings: list[str], *, what: str = "text"
) -> str:
    """Decode `content` trying the BOM, then `charsets` in order (declared ones first), then
    charset-normalizer. Raises ExtractionError("undecodable") if nothing gives sensible text."""
    body, bom_codec = strip_bom(content)
    if bom_codec:
        try:
            return body.decode(bom_codec)
        except UnicodeDecodeError:
            warnings.append(f"{what} starts with a {bom_codec} byte-order mark but is not valid")
    tried: list[str] = []
    for label in charsets:
        name = codec_name(label)
        if label and not name:
            warnings.append(f"unknown charset {label!r} declared for {what}; ignored")
        if not name or name in tried:
            continue
        tried.append(name)
        try:
            return body.decode(name)
        except UnicodeDecodeError as exc:
            warnings.append(
                f"{what} declared as {label} but is not valid {label} "
                f"(byte {exc.start}: {body[exc.start : exc.start + 4]!r}); detecting the encoding"
            )
    if not tried:
        # Nothing declared: plain UTF-8 is by far the most likely and cheapest to check.
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            pass
    best = from_bytes(body[:200_000]).best()
    if best is not None and best.encoding:
        text = body.decode(best.encoding, errors="replace")
        if _printable_ratio(text) > 0.97:
            if tried:
                warnings[-1] += f"; decoded as {best.encoding}"
            else:
                warnings.append(f"no charset declared for {what}; detected {best.encoding}")
            return text
    # Last resort: UTF-8 with replacement, acceptable only if almost all of it is valid.
    text = body.decode("utf-8", errors="replace")
    if _printable_ratio(text) > 0.97:
        warnings.append(f"{what} is not valid in any detected encoding; invalid bytes replaced")
        return text
    raise ExtractionError(
        "undecodable",
        f"could not decode {what}: not valid in "
        f"{', '.join(tried) or 'UTF-8'} and no encoding could be detected "
        "(it looks like binary data)",
    )
