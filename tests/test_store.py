"""The store on SQLite and PostgreSQL: versions, outcomes, events, gone/back, bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.corpus import corpus_pdf
from tests.pdfgen import Layout, charter_paragraphs, font_missing_reason, render_pdf
from tracker.blobs import BlobStore
from tracker.extract import extract_text
from tracker.models import Blob, Capture, Citation, Event, Version
from tracker.store import CaptureInput, Store

L1 = corpus_pdf("A_C.1_80_L.1.pdf")
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def capture(key: str = "A/C.1/80/L.1", body: bytes | None = None, **kw) -> CaptureInput:
    kw.setdefault("lang", "en")
    kw.setdefault("fetched_at", T0)
    return CaptureInput(key=key, body=body, **kw)


def counts(store: Store) -> dict[str, int]:
    with store.db.session() as s:
        return {
            name: s.scalar(select(func.count()).select_from(model))
            for name, model in (
                ("captures", Capture),
                ("versions", Version),
                ("events", Event),
                ("blobs", Blob),
            )
        }


def event_types(store: Store) -> list[str]:
    with store.db.session() as s:
        return list(s.scalars(select(Event.type).order_by(Event.id)))


def test_first_capture_of_real_pdf_is_new_document_with_citations(store: Store) -> None:
    result = store.record_capture(capture(body=L1.read_bytes()))
    assert result.outcome == "new_version"
    assert result.version_seq == 1
    assert [e.type for e in result.events] == ["new_document"]
    assert "A/C.1/80/L.1" in result.events[0].summary
    with store.db.session() as s:
        version = s.get(Version, result.version_id)
        assert version.media_type == "application/pdf"
        assert version.pages and version.pages >= 2
        text = BlobStore(s).get(version.text_sha256).decode()
        assert "nuclear" in text.lower()
        cited = set(s.scalars(select(Citation.cited_key).where(Citation.version_id == version.id)))
    # A/C.1/80/L.1 follows up resolution 79/16 (corpus README); it never cites itself.
    assert "A/RES/79/16" in cited
    assert "A/C.1/80/L.1" not in cited


def test_same_bytes_again_is_unchanged_and_raises_nothing(store: Store) -> None:
    body = L1.read_bytes()
    first = store.record_capture(capture(body=body))
    later = T0 + timedelta(hours=6)
    again = store.record_capture(capture(body=body, fetched_at=later))
    assert again.outcome == "unchanged"
    assert again.version_id == first.version_id
    assert again.events == []
    assert counts(store)["versions"] == 1
    with store.db.session() as s:
        assert s.get(Version, first.version_id).last_seen_at.replace(tzinfo=UTC) == later


def test_not_modified_keeps_latest_version(store: Store) -> None:
    first = store.record_capture(capture(body=L1.read_bytes(), headers={"ETag": '"abc"'}))
    result = store.record_capture(capture(status=304, headers={"ETag": '"abc"'}))
    assert result.outcome == "not_modified"
    assert result.version_id == first.version_id
    assert result.events == []


def test_changed_text_is_new_version_with_stats(store: Store) -> None:
    text = extract_text(L1.read_bytes()).text
    paragraphs = text.split("\n\n")
    changed = list(paragraphs)
    changed[len(changed) // 2] += " Also welcomes the contribution of civil society."
    store.record_capture(capture(body=text.encode(), format="text"))
    result = store.record_capture(
        capture(body="\n\n".join(changed).encode(), format="text", fetched_at=T0 + timedelta(1))
    )
    assert result.outcome == "new_version" and result.version_seq == 2
    assert [e.type for e in result.events] == ["new_version"]
    stats = result.stats
    assert stats["chars_added"] == len(" Also welcomes the contribution of civil society.")
    assert stats["chars_removed"] == 0
    assert stats["paragraphs_changed"] == 1
    assert not stats["replaced"]


@pytest.mark.skipif(font_missing_reason("en") is not None, reason="no font for pdfgen")
def test_rerendered_pdf_with_same_text_is_text_identical_and_silent(store: Store) -> None:
    paras = charter_paragraphs("en", 0, 30)
    narrow = render_pdf(paras, "en", Layout(font_size=10, margin=90))
    wide = render_pdf(paras, "en", Layout(font_size=12, margin=50))
    assert narrow != wide
    first = store.record_capture(capture("A/TEST/1", body=narrow))
    assert first.outcome == "new_version"
    second = store.record_capture(capture("A/TEST/1", body=wide, fetched_at=T0 + timedelta(1)))
    assert second.outcome == "new_version"
    assert second.text_identical is True
    assert second.events == []
    assert event_types(store) == ["new_document"]
    # A real edit in the same PDF layout is a change again.
    edited = list(paras)
    edited[7] = edited[7].replace("peace", "lasting peace", 1)
    third = store.record_capture(
        capture("A/TEST/1", body=render_pdf(edited, "en", Layout(font_size=12, margin=50)))
    )
    assert [e.type for e in third.events] == ["new_version"]
    assert third.stats["chars_added"] == len("lasting ")


@pytest.mark.skipif(font_missing_reason("fr") is not None, reason="no font for pdfgen")
def test_new_language_version_event(store: Store) -> None:
    store.record_capture(capture("A/TEST/2", body=render_pdf(charter_paragraphs("en", 0, 10))))
    fr = store.record_capture(
        capture("A/TEST/2", lang="fr", body=render_pdf(charter_paragraphs("fr", 0, 10), "fr"))
    )
    assert [e.type for e in fr.events] == ["new_language_version"]
    assert "(fr)" in fr.events[0].summary


def test_unpublished_then_published(store: Store) -> None:
    empty = store.record_capture(capture(body=b""))
    assert empty.outcome == "not_available"
    assert "empty body" in empty.error
    assert empty.events == []
    published = store.record_capture(capture(body=L1.read_bytes(), fetched_at=T0 + timedelta(1)))
    assert [e.type for e in published.events] == ["document_published"]


def test_gone_after_three_failures_then_back(store: Store) -> None:
    body = L1.read_bytes()
    store.record_capture(capture(body=body))
    outcomes = []
    for i, inp in enumerate(
        [
            capture(status=404, fetched_at=T0 + timedelta(hours=1)),
            capture(error="timeout after 30 s", status=None, fetched_at=T0 + timedelta(hours=2)),
            capture(status=500, body=b"oops", fetched_at=T0 + timedelta(hours=3)),
            capture(status=404, fetched_at=T0 + timedelta(hours=4)),
        ]
    ):
        r = store.record_capture(inp)
        outcomes.append((r.outcome.value, [e.type for e in r.events]))
        assert r.version_id is None, i
    assert outcomes == [
        ("not_available", []),
        ("error", []),
        ("error", ["gone"]),
        ("not_available", []),  # gone is raised once, not on every failure
    ]
    back = store.record_capture(capture(body=body, fetched_at=T0 + timedelta(hours=5)))
    assert back.outcome == "unchanged"
    assert [e.type for e in back.events] == ["back"]
    assert event_types(store) == ["new_document", "gone", "back"]


def test_bot_wall_is_blocked_and_never_counts(store: Store) -> None:
    store.record_capture(capture(body=L1.read_bytes()))
    for hour in range(5):
        r = store.record_capture(
            capture(
                status=202,
                headers={"x-amzn-waf-action": "challenge"},
                body=b"",
                fetched_at=T0 + timedelta(hours=hour + 1),
            )
        )
        assert r.outcome == "blocked" and r.events == []
        assert "challenge" in r.error
    assert event_types(store) == ["new_document"]
    assert counts(store)["versions"] == 1


def test_capture_rows_record_http_facts(store: Store) -> None:
    r = store.record_capture(
        capture(
            body=L1.read_bytes(),
            url="https://documents.un.org/api/symbol/access?s=A%2FC.1%2F80%2FL.1&l=en&t=pdf",
            final_url="https://documents.un.org/doc/undoc/ltd/n25/162/08/pdf/n2516208.pdf",
            headers={"Content-Type": "application/pdf", "ETag": '"x1"', "Last-Modified": "Mon"},
        )
    )
    with store.db.session() as s:
        c = s.get(Capture, r.capture_id)
        assert c.http_status == 200
        assert c.final_url.endswith("n2516208.pdf")
        assert c.etag == '"x1"' and c.last_modified == "Mon"
        assert c.content_type == "application/pdf"
        assert c.size == L1.stat().st_size
        assert c.version_id == r.version_id


def test_text_versions_are_stored_as_small_deltas(store: Store) -> None:
    text = extract_text(corpus_pdf("A_RES_79_16.pdf").read_bytes()).text
    paragraphs = text.split("\n\n")
    for n in range(6):
        paragraphs[(n * 7) % len(paragraphs)] += f" Amendment {n} adds these words."
        store.record_capture(
            capture("A/RES/79/16", body="\n\n".join(paragraphs).encode(), format="text")
        )
    with store.db.session() as s:
        versions = s.scalars(select(Version).order_by(Version.seq)).all()
        assert [v.seq for v in versions] == list(range(1, 7))
        texts = [s.get(Blob, v.text_sha256) for v in versions]
        assert texts[0].codec == "zstd"
        assert all(b.codec == "zstd-delta" for b in texts[1:])
        assert all(b.stored_size < 400 for b in texts[1:])
        last = BlobStore(s).get(versions[-1].text_sha256).decode()
        assert last == "\n\n".join(paragraphs)


def test_event_sink_runs_inside_the_capture_transaction(db, settings) -> None:
    seen: list[tuple[list[str], str]] = []

    def sink(session, events, added_text) -> None:
        assert all(e.id is not None for e in events)  # flushed: ids usable in outbox rows
        seen.append(([e.type for e in events], added_text))

    store = Store(db, settings, event_sink=sink)
    text = extract_text(L1.read_bytes()).text
    store.record_capture(capture(body=text.encode(), format="text"))
    store.record_capture(
        capture(body=(text + "\n\nA new closing paragraph.").encode(), format="text")
    )
    store.record_capture(
        capture(body=(text + "\n\nA new closing paragraph.").encode(), format="text")
    )
    assert [types for types, _ in seen] == [["new_document"], ["new_version"]]
    assert seen[1][1] == "\n\nA new closing paragraph."

    def failing_sink(session, events, added_text) -> None:
        raise RuntimeError("outbox unavailable")

    broken = Store(db, settings, event_sink=failing_sink)
    with pytest.raises(RuntimeError):
        broken.record_capture(capture(body=b"Another text entirely.", format="text"))
    # The capture, its version and its event were rolled back together with the outbox write.
    assert event_types(store) == ["new_document", "new_version"]


def test_a_removed_watch_is_not_restored_by_a_feed(store: Store) -> None:
    from tracker.models import Watch

    assert store.add_watch("documents", "A/C.1/80/L.9", origin="feed") is True
    with store.db.session() as s, s.begin():
        s.scalars(select(Watch)).one().active = False  # a person unwatched it
    assert store.add_watch("documents", "A/C.1/80/L.9", origin="feed") is False
    assert store.add_watch("documents", "A/C.1/80/L.9", origin="citation") is False
    assert store.watches("documents") == []
    assert store.add_watch("documents", "A/C.1/80/L.9", origin="api") is True
    assert [w.key for w in store.watches("documents")] == ["A/C.1/80/L.9"]
