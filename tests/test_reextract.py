"""An extractor upgrade raises no events (tracker.reextract), on SQLite and PostgreSQL.

A store "made by the previous release" is simulated: real UN documents are crawled from the
local mirror (or ingested), then every stored version is rewritten as extractor version 1 left
it: a text that reads the same file differently (long words broken by a hyphen at a line end,
as the older reflow left them), with the citations, full-text row and change stats made from
that text. Re-extraction (by `disarmwatch reextract`, by the service at start, or lazily by a
crawl) must give back exactly what the current extractor makes of the same files, keep the older
texts as history, and let the next crawl compare with the new text: 0 events against an
unchanged mirror, and after a real change exactly its event, with a diff of the change alone.
"""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import zstandard
from sqlalchemy import delete, select, update
from sqlalchemy import text as sql
from typer.testing import CliRunner

from mirror import Mirror
from tests.corpus import corpus_pdf
from tests.crawl_harness import Crawl, events_of, outcomes
from tests.service_harness import config_text, start_service, wait_for, write_config
from tracker import queries, reextract
from tracker import search as search_index
from tracker.blobs import BlobStore, sha256_hex
from tracker.db import Database, upgrade
from tracker.extract import EXTRACTOR_VERSION, Extraction, extract_text
from tracker.models import (
    Blob,
    Capture,
    Citation,
    CrawlRun,
    Document,
    Event,
    Resource,
    Version,
    VersionText,
)
from tracker.store import CaptureInput, Store, add_citations, find_citations

PREVIOUS_RELEASE = 1
AMENDMENT = "and to report thereon without delay"  # what mirror.revise adds by default
PDF = {"Content-Type": "application/pdf"}
L1 = corpus_pdf("A_C.1_80_L.1.pdf").read_bytes()
L2 = corpus_pdf("A_C.1_80_L.2.pdf").read_bytes()


def previous_release_text(text: str) -> str:
    """The text as the previous extractor read the file: every third long word broken in two
    by a hyphen it left at a line end."""
    words = text.split(" ")
    for i in range(0, len(words), 3):
        word = words[i]
        if len(word) >= 9 and word.isalpha():
            words[i] = f"{word[: len(word) // 2]}- {word[len(word) // 2 :]}"
    return " ".join(words)


def facts(store: Store) -> dict[int, dict[str, Any]]:
    """What re-extraction must restore, per version: text, citations, change, searchable row."""
    out = {}
    with store.db.session() as session:
        blobs = BlobStore(session)
        for version in session.scalars(select(Version).order_by(Version.id)):
            cited = session.scalars(
                select(Citation.cited_key)
                .where(Citation.version_id == version.id)
                .order_by(Citation.position)
            ).all()
            out[version.id] = {
                "text": blobs.get(version.text_sha256).decode("utf-8"),
                "text_size": version.text_size,
                "citations": list(cited),
                "text_identical": version.text_identical,
                "stats": version.stats,
                "extractor_version": version.extractor_version,
            }
    return out


def make_previous_release(store: Store) -> dict[int, str]:
    """Rewrite every document version as the previous release stored it; its texts by id."""
    old_texts = {}
    with store.db.session() as session, session.begin():
        blobs = BlobStore(session)
        versions = session.scalars(
            select(Version).where(Version.media_type != "application/json").order_by(Version.id)
        ).all()
        for version in versions:
            old = previous_release_text(blobs.get(version.text_sha256).decode("utf-8"))
            old_texts[version.id] = old
            version.text_sha256 = blobs.put(old.encode("utf-8"))
            version.text_size = len(old.encode("utf-8"))
            version.extractor_version = PREVIOUS_RELEASE
            version.stats = {"made_by": "the previous release"}
            version.text_identical = False
            res = session.get(Resource, version.resource_id)
            doc = session.get(Document, res.document_id)
            session.execute(delete(Citation).where(Citation.version_id == version.id))
            session.flush()
            old_extraction = Extraction(text=old, media_type=version.media_type)
            add_citations(session, version.id, find_citations(doc, old_extraction))
            if res.latest_version_id == version.id:
                search_index.index_version(session, version, old)
    return old_texts


def broken_words(
    store: Store, current: dict[int, dict[str, Any]], old_texts: dict[int, str]
) -> set[str]:
    """Long words the previous release's texts lost (broken in two) everywhere, and that no
    title holds: full-text search finds them only in a re-extracted text."""

    def words(text: str) -> set[str]:
        return set(re.findall(r"\w+", text.lower()))

    with store.db.session() as session:
        titles = session.scalars(select(Version.title)).all()
    kept = words(" ".join(old_texts.values()) + " ".join(t or "" for t in titles))
    indexed = " ".join(f["text"][: search_index.BODY_LIMIT] for f in current.values())
    return {w for w in words(indexed) - kept if len(w) >= 9}


def history(store: Store) -> dict[int, list[tuple[int, str]]]:
    out: dict[int, list[tuple[int, str]]] = {}
    with store.db.session() as session:
        blobs = BlobStore(session)
        for row in session.scalars(select(VersionText).order_by(VersionText.id)):
            text = blobs.get(row.text_sha256).decode("utf-8")
            out.setdefault(row.version_id, []).append((row.extractor_version, text))
    return out


def extractor_versions(store: Store) -> dict[tuple[str, str, int], int]:
    with store.db.session() as session:
        rows = session.execute(
            select(Document.key, Resource.lang, Version.seq, Version.extractor_version)
            .join(Resource, Version.resource_id == Resource.id)
            .join(Document, Resource.document_id == Document.id)
        )
        return {(key, lang, seq): ev for key, lang, seq, ev in rows}


def latest_change(store: Store, key: str, lang: str) -> tuple[dict[str, Any], str, str]:
    """The latest version's stats, and the text its diff against the previous one removes and
    adds."""
    with store.db.session() as session:
        _old, new, diff = queries.diff_versions(session, key, lang=lang)
        stats = new.stats
    removed = "".join(t for op, t in diff.ops if op == -1)
    added = "".join(t for op, t in diff.ops if op == 1)
    return stats, removed, added


def search(store: Store, word: str) -> bool:
    with store.db.session() as session:
        return bool(search_index.search_ids(session, word))


# -- the issue: a store made by the previous release, upgraded, re-crawled ----------------------

TARGETS = ("A/C.1/80/L.2", "A/79/88")


def test_reextract_then_recrawl_raises_no_event_and_a_change_exactly_its_own(
    crawl: Crawl, store: Store, un_mirror: Mirror
) -> None:
    first = crawl("documents", *TARGETS, languages="en,fr")
    assert outcomes(first) == {"new_version": 4}
    current = facts(store)
    assert {f["extractor_version"] for f in current.values()} == {EXTRACTOR_VERSION}
    old_texts = make_previous_release(store)
    lost = broken_words(store, current, old_texts)
    assert lost and not any(search(store, word) for word in sorted(lost)[:5])
    assert reextract.count_due(store.db) == 4

    summary = reextract.reextract_all(store.db, store.settings)
    assert (summary.versions, summary.changed, summary.failed, summary.skipped) == (4, 4, 0, 0)
    assert facts(store) == current  # text, citations, change stats, extractor version
    assert history(store) == {vid: [(PREVIOUS_RELEASE, text)] for vid, text in old_texts.items()}
    assert [w for w in sorted(lost)[:5] if not search(store, w)] == []
    assert reextract.count_due(store.db) == 0
    again = reextract.reextract_all(store.db, store.settings)
    assert again.versions == 0  # nothing left: a restart does no work

    events_before = events_of(store)
    recrawl = crawl("documents", *TARGETS, languages="en,fr")
    assert outcomes(recrawl) == {"unchanged": 4}
    assert events_of(store) == events_before

    # New bytes, same text (laid out again): a text-identical version, no event.
    un_mirror.rerender("A/C.1/80/L.2", "fr", size=9.5)
    # A real amendment: one event, and a diff that holds the amendment and nothing else.
    un_mirror.revise("A/C.1/80/L.2", "en")
    changed = crawl("documents", *TARGETS, languages="en,fr")
    assert outcomes(changed) == {"new_version": 2, "unchanged": 2}
    assert [(t, s.split(":")[0]) for t, s in events_of(store, changed.run_id)] == [
        ("new_version", "A/C.1/80/L.2 (en)")
    ]
    stats, removed, added = latest_change(store, "A/C.1/80/L.2", "en")
    assert (stats["paragraphs_changed"], stats["paragraphs_added"]) == (1, 0)
    assert stats["paragraphs_removed"] == 0
    assert AMENDMENT in added and "- " not in removed + added
    with store.db.session() as session:
        fr = queries.get_version(session, "A/C.1/80/L.2", lang="fr", fmt="pdf", seq=2)
        assert fr.text_identical and fr.extractor_version == EXTRACTOR_VERSION


def test_a_crawl_before_reextraction_compares_with_reextracted_text(
    crawl: Crawl, store: Store, un_mirror: Mirror
) -> None:
    """The automatic path: no `reextract` run; the crawl re-extracts what it compares with."""
    crawl("documents", *TARGETS, languages="en,fr")
    current = facts(store)
    make_previous_release(store)
    un_mirror.rerender("A/C.1/80/L.2", "fr", size=9.5)
    un_mirror.revise("A/C.1/80/L.2", "en")
    changed = crawl("documents", *TARGETS, languages="en,fr")
    assert outcomes(changed) == {"new_version": 2, "unchanged": 2}
    assert [t for t, _ in events_of(store, changed.run_id)] == ["new_version"]
    stats, removed, added = latest_change(store, "A/C.1/80/L.2", "en")
    assert (stats["paragraphs_changed"], stats["paragraphs_added"]) == (1, 0)
    assert AMENDMENT in added and "- " not in removed + added
    versions = extractor_versions(store)
    # What the crawl compared with was re-extracted; what it found unchanged waits.
    assert versions == {
        ("A/C.1/80/L.2", "en", 1): EXTRACTOR_VERSION,
        ("A/C.1/80/L.2", "en", 2): EXTRACTOR_VERSION,
        ("A/C.1/80/L.2", "fr", 1): EXTRACTOR_VERSION,
        ("A/C.1/80/L.2", "fr", 2): EXTRACTOR_VERSION,
        ("A/79/88", "en", 1): PREVIOUS_RELEASE,
        ("A/79/88", "fr", 1): PREVIOUS_RELEASE,
    }
    with store.db.session() as session:
        fr2 = queries.get_version(session, "A/C.1/80/L.2", lang="fr", fmt="pdf", seq=2)
        assert fr2.text_identical
    assert len(history(store)) == 2
    assert reextract.reextract_all(store.db, store.settings).versions == 2
    after = facts(store)
    assert {vid: after[vid] for vid in current} == current


def test_service_start_reextracts_in_the_background_while_a_crawl_runs(
    crawl: Crawl, service_env: dict[str, str], un_mirror: Mirror, db: Database, store: Store
) -> None:
    source = {
        "name": "drafts",
        "spider": "documents",
        "targets": list(TARGETS),
        "languages": ["en", "fr"],
        "every": "1h",
    }
    write_config(service_env, config_text([source]))  # service_env's config: the crawl's too
    crawl("documents", *TARGETS, languages="en,fr")
    current = facts(store)
    make_previous_release(store)
    events_before = events_of(store)
    un_mirror.revise("A/C.1/80/L.2", "en")
    service = start_service(db)
    try:
        service.trigger_crawl("drafts")  # races the re-extraction the start began

        def crawled() -> bool:
            with db.session() as session:
                runs = session.scalars(select(CrawlRun.status).where(CrawlRun.source == "drafts"))
                return "finished" in runs.all()

        wait_for(lambda: crawled() and reextract.count_due(db) == 0, timeout=90)
    finally:
        service.shutdown()
    new_events = events_of(store)[len(events_before) :]
    with db.session() as session:
        runs = session.execute(select(CrawlRun.source, CrawlRun.status, CrawlRun.counts)).all()
        caps = session.execute(select(Capture.run_id, Capture.outcome, Capture.error)).all()
    assert [(t, s.split(":")[0]) for t, s in new_events] == [
        ("new_version", "A/C.1/80/L.2 (en)")
    ], (runs, caps)
    stats, removed, added = latest_change(store, "A/C.1/80/L.2", "en")
    assert stats["paragraphs_changed"] == 1 and AMENDMENT in added and "- " not in removed
    after = facts(store)
    assert {vid: after[vid] for vid in current} == current
    assert sorted(len(texts) for texts in history(store).values()) == [1, 1, 1, 1]


def test_migration_marks_a_previous_release_store_as_extractor_1(database_url: str) -> None:
    """A store at the previous schema (0004), written with plain SQL as that release wrote it,
    upgraded: its versions are extractor 1's, and re-extraction brings them up to date."""
    db = Database(database_url)
    try:
        upgrade(db.engine, "0004")
        old_text = b"United Nations A/C.1/80/L.1 as the previous release read it"
        now = datetime.now(UTC)
        with db.engine.begin() as conn:
            for data in (L1, old_text):
                stored = zstandard.ZstdCompressor().compress(data)
                conn.execute(
                    sql(
                        "INSERT INTO blobs (sha256, size, codec, depth, stored_size, data) "
                        "VALUES (:sha, :size, 'zstd', 0, :stored_size, :data)"
                    ),
                    dict(
                        sha=sha256_hex(data), size=len(data), stored_size=len(stored), data=stored
                    ),
                )
            conn.execute(
                sql(
                    "INSERT INTO documents (id, kind, key, meta, created_at) "
                    "VALUES (1, 'symbol', 'A/C.1/80/L.1', '{}', :now)"
                ),
                dict(now=now),
            )
            conn.execute(
                sql(
                    "INSERT INTO resources (id, document_id, lang, format, created_at, "
                    "latest_version_id, version_count, consecutive_failures, is_gone) "
                    "VALUES (1, 1, 'en', 'pdf', :now, 1, 1, 0, false)"
                ),
                dict(now=now),
            )
            conn.execute(
                sql(
                    "INSERT INTO versions (id, resource_id, seq, raw_sha256, text_sha256, "
                    "media_type, raw_size, text_size, first_seen_at, last_seen_at, "
                    "text_identical, stats) VALUES (1, 1, 1, :raw, :text, 'application/pdf', "
                    ":raw_size, :text_size, :now, :now, false, '{}')"
                ),
                dict(
                    raw=sha256_hex(L1),
                    text=sha256_hex(old_text),
                    raw_size=len(L1),
                    text_size=len(old_text),
                    now=now,
                ),
            )
        upgrade(db.engine)
        store = Store(db)
        assert extractor_versions(store) == {("A/C.1/80/L.1", "en", 1): PREVIOUS_RELEASE}
        assert reextract.count_due(db) == 1
        assert reextract.reextract_all(db).changed == 1
        assert history(store) == {1: [(PREVIOUS_RELEASE, old_text.decode())]}
        (now_text,) = [f["text"] for f in facts(store).values()]
        assert now_text == extract_text(L1, "application/pdf").text
        assert extractor_versions(store) == {("A/C.1/80/L.1", "en", 1): EXTRACTOR_VERSION}
    finally:
        db.dispose()


# -- failures, records, races, the command ------------------------------------------------------


def _ingest(store: Store, body: bytes, key: str = "A/C.1/80/L.1", **kw: Any) -> Any:
    return store.record_capture(
        CaptureInput(key=key, lang="en", body=body, headers=PDF, url=f"http://ods/{key}", **kw)
    )


def test_a_raw_file_that_no_longer_extracts_keeps_its_text_and_is_not_retried(
    store: Store,
) -> None:
    _ingest(store, L1)
    _ingest(store, L2, key="A/C.1/80/L.2")
    old_texts = make_previous_release(store)
    with store.db.session() as session, session.begin():
        l1, l2 = session.scalars(select(Version).order_by(Version.id)).all()
        # L.1's raw blob now holds an HTML error page; L.2's is no zstd stream at all.
        page = zstandard.ZstdCompressor().compress(b"<html>Service unavailable</html>")
        session.execute(update(Blob).where(Blob.sha256 == l1.raw_sha256).values(data=page))
        session.execute(update(Blob).where(Blob.sha256 == l2.raw_sha256).values(data=b"\x00"))
    summary = reextract.reextract_all(store.db, store.settings)
    assert (summary.versions, summary.failed, summary.changed) == (2, 2, 0)
    errors = {f["key"]: f["error"] for f in summary.failures}
    assert errors["A/C.1/80/L.1"].startswith("not_pdf: expected a PDF")
    assert "ZstdError" in errors["A/C.1/80/L.2"]
    kept = facts(store)
    assert [f["text"] for f in kept.values()] == list(old_texts.values())
    assert {f["extractor_version"] for f in kept.values()} == {PREVIOUS_RELEASE}
    with store.db.session() as session:
        marks = session.execute(
            select(Version.reextract_failed_version, Version.reextract_error)
        ).all()
    assert [m[0] for m in marks] == [EXTRACTOR_VERSION] * 2 and all(m[1] for m in marks)
    assert history(store) == {}
    # Not tried again at the next start; --all tries again.
    assert reextract.count_due(store.db) == 0
    assert reextract.reextract_all(store.db, store.settings).versions == 0
    assert reextract.reextract_all(store.db, store.settings, force=True).failed == 2


def test_records_versions_are_brought_up_to_date_without_extraction(store: Store) -> None:
    rows = [{"state": "Ghana", "signature": "2017-09-20", "ratification": "2020-01-22"}]
    inp = dict(key="tpnw", kind="treaty", record_kind="treaty_participants", records=rows)
    store.record_capture(CaptureInput(**inp))
    _ingest(store, L1)
    with store.db.session() as session, session.begin():
        session.execute(update(Version).values(extractor_version=PREVIOUS_RELEASE))
    summary = reextract.reextract_all(store.db, store.settings)
    assert (summary.records, summary.versions, summary.same_text) == (1, 1, 1)
    assert set(extractor_versions(store).values()) == {EXTRACTOR_VERSION}
    assert history(store) == {}  # the same text: nothing to keep


def test_text_identical_and_stats_are_recomputed_between_versions(store: Store) -> None:
    """Two files with one text: text-identical now, although the previous release's texts of
    them differed (it read each file's line ends its own way)."""
    text = "United Nations A/C.1/80/L.9\n\nThe General Assembly,\n\nRecalling its resolutions."
    first = text.encode() + b"\n"
    second = text.replace(",", ", ").encode()  # other bytes, the same normalised text
    for body in (first, second):
        store.record_capture(CaptureInput(key="A/C.1/80/L.9", lang="en", format="text", body=body))
    current = facts(store)
    assert [f["text_identical"] for f in current.values()] == [False, True]
    with store.db.session() as session, session.begin():
        blobs = BlobStore(session)
        for version, old in zip(
            session.scalars(select(Version).order_by(Version.id)),
            ("The General Assembly, Recalling", "The General- Assembly, Recalling"),
            strict=True,
        ):
            version.text_sha256 = blobs.put(old.encode())
            version.extractor_version = PREVIOUS_RELEASE
            version.text_identical = False
            version.stats = {"chars_added": 1}
    summary = reextract.reextract_all(store.db, store.settings)
    assert summary.changed == 2
    assert facts(store) == current


def test_two_writers_replace_a_text_once(store: Store) -> None:
    """The background run and a crawl re-extracting the same version: the second one to claim
    it writes nothing and reports it skipped."""
    _ingest(store, L1)
    make_previous_release(store)
    with store.db.session() as session:
        (version_id,) = session.scalars(select(Version.id)).all()
        first = reextract.plan_version(session, version_id)
        second = reextract.plan_version(session, version_id)
    results = []
    for work in (first, second):
        with store.db.session() as session, session.begin():
            results.append(reextract.apply(session, work))
    assert results == [reextract.CHANGED, reextract.SKIPPED]
    assert [len(texts) for texts in history(store).values()] == [1]


@pytest.mark.parametrize("stale", [True, False], ids=["stale", "forced"])
def test_a_capture_prepared_against_a_text_replaced_meanwhile_compares_with_the_new_one(
    store: Store, monkeypatch: pytest.MonkeyPatch, stale: bool
) -> None:
    """New bytes arrive, and another writer replaces the latest version's text between the
    capture's preparation and its transaction: the capture compares with the text of now.

    stale: the latest text was made by an older extractor; the capture re-extracted it too, and
    finds it done (its claim updates nothing). forced: the latest text looked current (a run
    with --all replaced it): the capture diffs again in its transaction."""
    text = "The General Assembly,\n\nRecalling its resolutions on nuclear disarmament."
    store.record_capture(CaptureInput(key="A/C.1/80/L.9", lang="en", format="text", body=b"x"))
    with store.db.session() as session, session.begin():
        version = session.scalars(select(Version)).one()
        raw = BlobStore(session).put(text.encode())
        version.raw_sha256 = raw  # the file says `text`; the stored text is "x"
        if stale:
            version.extractor_version = PREVIOUS_RELEASE
    original_prepare = Store._prepare

    def prepare_then_lose_the_race(self: Store, *args: Any) -> Any:
        prepared = original_prepare(self, *args)
        with self.db.session() as session:
            (version_id,) = session.scalars(select(Version.id)).all()
        assert reextract.reextract_version(self.db, version_id) == reextract.CHANGED
        return prepared

    monkeypatch.setattr(Store, "_prepare", prepare_then_lose_the_race)
    amended = text.replace("disarmament", "disarmament and non-proliferation")
    result = store.record_capture(
        CaptureInput(key="A/C.1/80/L.9", lang="en", format="text", body=amended.encode())
    )
    assert result.outcome == "new_version"
    assert result.stats["chars_added"] == len(" and non-proliferation")
    assert result.stats["chars_removed"] == 0
    assert [len(texts) for texts in history(store).values()] == [1]


def test_new_versions_record_the_extractor_version(store: Store) -> None:
    _ingest(store, L1)
    assert list(extractor_versions(store).values()) == [EXTRACTOR_VERSION]
    assert reextract.count_due(store.db) == 0


def test_reextract_command(database_url: str, tmp_path: Path, monkeypatch) -> None:
    from tracker.cli import app, state

    monkeypatch.setenv("DISARMWATCH_DATABASE_URL", database_url)
    monkeypatch.setenv("DISARMWATCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def run(*args: str) -> str:
        state._settings = None
        result = runner.invoke(app, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.stdout

    run("ingest", str(corpus_pdf("A_C.1_80_L.1.pdf")), "--symbol", "A/C.1/80/L.1")
    run("ingest", str(corpus_pdf("A_C.1_80_L.2.pdf")), "--symbol", "A/C.1/80/L.2")
    db = Database(database_url)
    try:
        store = Store(db)
        make_previous_release(store)
        out = run("reextract")
        assert "re-extraction" in out and f"extractor version {EXTRACTOR_VERSION}" in out
        assert "changed" in out and "│ 2" in out.split("changed")[1].splitlines()[0]
        summary = json.loads(run("reextract", "--json"))
        assert summary["versions"] == 0 and summary["extractor_version"] == EXTRACTOR_VERSION
        started = time.monotonic()
        summary = json.loads(run("reextract", "--all", "--json"))
        assert (summary["versions"], summary["same_text"], summary["changed"]) == (2, 2, 0)
        assert summary["seconds"] <= time.monotonic() - started
        with db.session() as session:
            assert session.scalars(select(Event.type)).all() == ["new_document"] * 2
    finally:
        db.dispose()
