"""Bad input through the store: each is a capture with a clear error, no version, no event."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from sqlalchemy import func, select

from tests.corpus import corpus_pdf
from tracker.blobs import BlobStore
from tracker.ingest import ingest_file
from tracker.models import Capture, Event, Resource, Version
from tracker.settings import Settings
from tracker.store import CaptureInput, Store

L1 = corpus_pdf("A_C.1_80_L.1.pdf")


def _encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(L1))
    writer.encrypt(user_password="secret", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


BAD_PDF_BODIES = {
    "truncated": (lambda: L1.read_bytes()[: L1.stat().st_size // 2], "pdf"),
    "encrypted": (_encrypted_pdf, "encrypt"),
    "no_text_layer": (lambda: corpus_pdf("A_RES_2758(XXVI)-RU-scan.pdf").read_bytes(), "text"),
    "html_as_pdf": (
        lambda: (
            b"<!DOCTYPE html><html><head><title>Access denied</title></head>"
            b"<body><h1>Request blocked</h1></body></html>"
        ),
        "html",
    ),
    "garbage": (lambda: bytes(range(256)) * 64, "pdf"),
}


def _state(store: Store) -> dict[str, int]:
    with store.db.session() as s:
        return {
            "versions": s.scalar(select(func.count()).select_from(Version)),
            "events": s.scalar(select(func.count()).select_from(Event)),
            "captures": s.scalar(select(func.count()).select_from(Capture)),
        }


@pytest.mark.parametrize("case", sorted(BAD_PDF_BODIES))
def test_bad_pdf_is_a_recorded_error_and_keeps_the_bytes(store: Store, case: str) -> None:
    make, word = BAD_PDF_BODIES[case]
    body = make()
    result = store.record_capture(CaptureInput(key="A/C.1/80/L.1", lang="en", body=body))
    assert result.outcome == "error"
    assert result.version_id is None and result.events == []
    assert word in result.error.lower(), result.error
    assert _state(store) == {"versions": 0, "events": 0, "captures": 1}
    with store.db.session() as s:
        capture = s.get(Capture, result.capture_id)
        assert capture.error == result.error
        # Nothing fetched is lost: the unreadable bytes are kept for inspection.
        assert BlobStore(s).get(capture.raw_sha256) == body


def test_bad_input_after_a_good_version_changes_nothing(store: Store) -> None:
    good = store.record_capture(CaptureInput(key="A/C.1/80/L.1", lang="en", body=L1.read_bytes()))
    before = _state(store)
    bad = store.record_capture(
        CaptureInput(key="A/C.1/80/L.1", lang="en", body=L1.read_bytes()[:5000])
    )
    assert bad.outcome == "error"
    after = _state(store)
    assert after["versions"] == before["versions"] and after["events"] == before["events"]
    with store.db.session() as s:
        res = s.get(Resource, good.resource_id)
        assert res.latest_version_id == good.version_id
        assert res.consecutive_failures == 1


def test_zero_byte_200_is_not_available(store: Store) -> None:
    result = store.record_capture(CaptureInput(key="A/80/999", lang="en", status=200, body=b""))
    assert result.outcome == "not_available"
    assert "empty body" in result.error
    assert _state(store)["versions"] == 0


def test_invalid_utf8_text_is_decoded_with_a_warning(store: Store) -> None:
    # Real French text of the Charter, encoded as Latin-1 but declared UTF-8.
    from tests.corpus import CHARTER_DIR

    text = (CHARTER_DIR / "un-charter-fr.txt").read_text("utf-8")[:3000]
    result = store.record_capture(
        CaptureInput(
            key="charter-fr",
            kind="page",
            lang="fr",
            format="text",
            headers={"Content-Type": "text/plain; charset=utf-8"},
            body=text.encode("latin-1", errors="replace"),
        )
    )
    assert result.outcome == "new_version"
    assert result.warnings, "an undeclared re-decoding must be recorded"
    with store.db.session() as s:
        v = s.get(Version, result.version_id)
        stored = BlobStore(s).get(v.text_sha256).decode()
        assert "Nations Unies" in stored or "NATIONS UNIES" in stored
        assert s.get(Capture, result.capture_id).warnings


def test_empty_file_ingest_is_not_available(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    empty = tmp_path / "A_C.1_80_L.99.pdf"
    empty.write_bytes(b"")
    result = ingest_file(store.db, settings, empty, lang="en")
    assert result["key"] == "A/C.1/80/L.99"
    assert result["outcome"] == "not_available"
    assert _state(store)["versions"] == 0


def test_200_mb_file_is_refused_unread(store: Store, settings: Settings, tmp_path: Path) -> None:
    huge = tmp_path / "A_79_88.pdf"
    with open(huge, "wb") as fh:  # sparse: 200 MB on paper, nothing on disk
        fh.truncate(200 * 1024 * 1024)
    result = ingest_file(store.db, settings, huge, lang="en")
    assert result["outcome"] == "error"
    assert "exceeds the limit" in result["error"]
    assert _state(store) == {"versions": 0, "events": 0, "captures": 1}
    with store.db.session() as s:
        assert s.get(Capture, result["capture_id"]).size == 200 * 1024 * 1024
