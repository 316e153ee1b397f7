"""Bad input: every case raises ExtractionError with a stable code and a clear message (or, for
recoverable text, decodes with a warning). Never another exception, never empty text."""

from __future__ import annotations

import io
import random

import pytest
from pypdf import PdfReader, PdfWriter

from tests.corpus import PDF_DIR, corpus_pdf
from tracker.extract import ExtractionError, extract_text, normalise_text, sniff_media_type

needs_corpus = pytest.mark.skipif(not PDF_DIR.is_dir(), reason=f"corpus not found at {PDF_DIR}")
L1 = "A_C.1_80_L.1.pdf"


def raises(code: str, content: bytes, *args: object, **kwargs: object) -> ExtractionError:
    with pytest.raises(ExtractionError) as info:
        extract_text(content, *args, **kwargs)  # type: ignore[arg-type]
    err = info.value
    assert err.code == code, f"{err.code}: {err}"
    assert len(str(err)) > 15  # a sentence, not just the code
    return err


@needs_corpus
def test_truncated_pdf() -> None:
    data = corpus_pdf(L1).read_bytes()
    err = raises("truncated_pdf", data[: len(data) // 2], "application/pdf")
    assert "truncated" in str(err)


@needs_corpus
def test_corrupt_pdf() -> None:
    data = corpus_pdf(L1).read_bytes()
    damaged = data[:1000] + bytes(random.Random(1).randbytes(len(data) - 2000)) + data[-1000:]
    raises("corrupt_pdf", b"%PDF-1.7\n" + b"\x00garbage" * 50 + b"\n%%EOF\n", "application/pdf")
    try:
        ex = extract_text(damaged, "application/pdf")
    except ExtractionError as exc:
        assert exc.code in ("corrupt_pdf", "no_text_layer")
    else:
        assert ex.text.strip()


@needs_corpus
def test_encrypted_pdf_with_user_password() -> None:
    writer = PdfWriter(clone_from=PdfReader(corpus_pdf(L1)))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    buf = io.BytesIO()
    writer.write(buf)
    err = raises("encrypted_pdf", buf.getvalue(), "application/pdf")
    assert "password" in str(err)


@needs_corpus
def test_pdf_with_owner_password_only_still_extracts() -> None:
    # Empty user password: the file opens for anyone, as in a viewer.
    writer = PdfWriter(clone_from=PdfReader(corpus_pdf(L1)))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    buf = io.BytesIO()
    writer.write(buf)
    assert "Middle East" in extract_text(buf.getvalue(), "application/pdf").text


@needs_corpus
def test_scan_without_text_layer() -> None:
    data = corpus_pdf("A_RES_2758(XXVI)-RU-scan.pdf").read_bytes()
    err = raises("no_text_layer", data, "application/pdf", expected="application/pdf")
    assert "scan" in str(err) or "OCR" in str(err)


def test_html_where_pdf_expected() -> None:
    html = b"<!DOCTYPE html><html><head><title>Access denied</title></head><body>No</body></html>"
    err = raises("not_pdf", html, "application/pdf", expected="application/pdf")
    assert "HTML" in str(err) and "Access denied" in str(err)


def test_empty_body_where_pdf_expected() -> None:
    # documents.un.org answers 200 with an empty body for unpublished symbols.
    raises("empty", b"", "application/pdf", expected="application/pdf")


@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n  ", b"\xef\xbb\xbf  \n"])
def test_empty_and_whitespace(content: bytes) -> None:
    raises("empty", content)
    raises("empty", content, "text/plain")


def test_random_binary_garbage() -> None:
    garbage = random.Random(42).randbytes(4096)
    raises("unsupported_type", garbage)
    raises("not_pdf", garbage, "application/pdf", expected="application/pdf")
    raises("undecodable", garbage, "text/plain; charset=utf-8")


def test_other_file_types_are_named() -> None:
    err = raises("unsupported_type", b"PK\x03\x04" + b"\x00" * 100, "application/octet-stream")
    assert "ZIP" in str(err)


def test_invalid_utf8_declared_utf8_decodes_with_warning() -> None:
    body = "Résolution sur le désarmement nucléaire général et complet.\n".encode("cp1252") * 5
    ex = extract_text(body, "text/plain; charset=utf-8")
    assert ex.media_type == "text/plain"
    assert "Résolution sur le désarmement nucléaire" in ex.text
    assert any("utf-8" in w.lower() and "not valid" in w for w in ex.warnings)


def test_plain_text_utf16_bom_and_normalisation() -> None:
    text = "Article 1\r\n\r\n\r\nThe Purposes  of the United Nations are:   \r\n"
    ex = extract_text(b"\xff\xfe" + text.encode("utf-16-le"))
    assert ex.text == "Article 1\n\nThe Purposes of the United Nations are:"
    assert ex.warnings == []


def test_normalise_text_is_idempotent_and_canonical() -> None:
    raw = "  e\u0301te\u0301\u00a0 \u200b2025 \t\n\n\n\nnext\u202fpara  \r\nline\n"
    once = normalise_text(raw)
    assert once == "été 2025\n\nnext para\nline"
    assert normalise_text(once) == once


@pytest.mark.parametrize(
    ("content", "declared", "url", "expected"),
    [
        (b"%PDF-1.7\n...", "text/html", None, "application/pdf"),
        (b"  \n%PDF-1.4", None, None, "application/pdf"),
        (b"<!doctype html><p>x", "application/pdf", None, "text/html"),
        (b"\xef\xbb\xbf<html><body>x", None, None, "text/html"),
        (b"plain words", "text/plain; charset=utf-8", None, "text/plain"),
        (b"plain words", None, "https://x.org/a.txt", "text/plain"),
        (b"<div>fragment</div>", None, "https://x.org/page.htm", "text/html"),
        (b"\x00\x01\x02binary", None, None, "application/octet-stream"),
    ],
)
def test_sniff_media_type(
    content: bytes, declared: str | None, url: str | None, expected: str
) -> None:
    assert sniff_media_type(content, declared, url) == expected


def test_wrong_declared_type_is_a_warning() -> None:
    html = b"<html><head><title>T</title></head><body><p>Real page text here.</p></body></html>"
    ex = extract_text(html, "application/pdf")  # no expectation given: follow the bytes
    assert ex.media_type == "text/html"
    assert any("declared as application/pdf" in w for w in ex.warnings)
