"""The store's short path for captures that find the latest version still current.

`Store.record_capture` records the same bytes again and a 304 with a few plain SQL statements
instead of the ORM (an unchanged re-crawl takes that path for every document), and records new
bytes of a known resource without re-reading it through the ORM. Both must write exactly what
the ORM path writes: the same sequence of captures is recorded twice, once with the short paths
switched off, and every row and result must come out the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import tracker.store as store_module
from tests.conftest import _pg_database
from tests.corpus import corpus_pdf
from tracker.db import Database, upgrade
from tracker.models import Capture, Document, Event, Resource, Version
from tracker.settings import Settings
from tracker.store import CaptureInput, Store

L1 = corpus_pdf("A_C.1_80_L.1.pdf").read_bytes()
L2 = corpus_pdf("A_C.1_80_L.2.pdf").read_bytes()
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
KEY = "A/C.1/80/L.1"
PDF = {"Content-Type": "application/pdf"}


def sequence() -> list[CaptureInput]:
    """Captures that take every branch near the short path, in order."""
    steps: list[dict[str, Any]] = [
        # 1 a new document, with an ETag and meta
        dict(body=L1, url="http://ods/1", headers={**PDF, "ETag": '"e1"'}, meta={"a": 1}),
        # 2 the same bytes: no ETag now, a Last-Modified (the stored ETag stays)
        dict(body=L1, url="http://ods/1", headers={**PDF, "Last-Modified": "Mon"}),
        # 3 the same bytes from another URL and with more meta
        dict(body=L1, url="http://ods/2", headers=PDF, meta={"b": 2}),
        # 4 a failure, then 5 the same bytes again (the failure count goes back to 0)
        dict(status=404, url="http://ods/2"),
        dict(body=L1, url="http://ods/2", headers=PDF, size=None),
        # 6 a 304 with a new ETag
        dict(status=304, url="http://ods/2", headers={"ETag": '"e2"'}),
        # 7 the same bytes, asking what the version cites
        dict(body=L1, url="http://ods/2", headers=PDF, want_cited_keys=True),
        # 8 a 404 then a 304 for a language with no version yet
        dict(lang="fr", status=404, url="http://ods/fr"),
        dict(lang="fr", status=304, url="http://ods/fr"),
        # 9 gone after three failures, then back with the same bytes
        dict(status=500, url="http://ods/2"),
        dict(status=500, url="http://ods/2"),
        dict(status=500, url="http://ods/2"),
        dict(body=L1, url="http://ods/2", headers=PDF),
        # 10 new bytes of the known resource, 11 new bytes again with new meta and URL
        dict(body=L2, url="http://ods/2", headers=PDF),
        dict(body=L1, url="http://ods/3", headers=PDF, meta={"c": 3}),
        # 12 the same bytes of a document another source fetches, with a run id
        dict(body=L1, url="http://ods/3", headers=PDF, source="citations", run_id=None),
    ]
    out = []
    for i, step in enumerate(steps):
        step.setdefault("lang", "en")
        step.setdefault("source", "documents")
        out.append(CaptureInput(key=KEY, fetched_at=T0 + timedelta(hours=i), **step))
    return out


def result_facts(result: Any) -> tuple:
    return (
        str(result.outcome),
        result.capture_id,
        result.document_id,
        result.resource_id,
        result.version_id,
        result.version_seq,
        result.error,
        [(e.type, e.summary) for e in result.events],
        result.cited_keys,
    )


def rows(store: Store) -> dict[str, list[dict[str, Any]]]:
    skip = {"created_at"}  # set by the database clock
    out = {}
    with store.db.session() as session:
        for model in (Document, Resource, Version, Capture, Event):
            table = model.__table__
            columns = [c for c in table.columns if c.name not in skip]
            found = session.execute(select(*columns).order_by(table.c.id)).mappings().all()
            out[table.name] = [dict(row) for row in found]
    return out


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def two_stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Store, Store]]:
    if request.param == "sqlite":
        urls, drops = [f"sqlite:///{tmp_path / name}.db" for name in ("a", "b")], []
    else:
        made = [_pg_database(request.getfixturevalue("pg_server")) for _ in range(2)]
        urls, drops = [url for url, _ in made], [drop for _, drop in made]
    dbs = [Database(url) for url in urls]
    try:
        for db in dbs:
            upgrade(db.engine)
        settings = Settings(data_dir=tmp_path / "data")
        yield Store(dbs[0], settings), Store(dbs[1], settings)
    finally:
        for db in dbs:
            db.dispose()
        for drop in drops:
            drop()


def test_short_paths_write_what_the_orm_path_writes(
    two_stores: tuple[Store, Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    short, orm = two_stores
    with_short = [result_facts(short.record_capture(inp)) for inp in sequence()]
    monkeypatch.setattr(store_module, "_still_current", lambda *args: False)
    monkeypatch.setattr(store_module, "_touches_rows", lambda *args: True)
    with_orm = [result_facts(orm.record_capture(inp)) for inp in sequence()]
    assert with_short == with_orm
    outcomes = [facts[0] for facts in with_short]
    assert outcomes == [
        "new_version",
        "unchanged",
        "unchanged",
        "not_available",
        "unchanged",
        "not_modified",
        "unchanged",
        "not_available",
        "not_modified",
        "error",
        "error",
        "error",
        "unchanged",
        "new_version",
        "new_version",
        "unchanged",
    ]
    assert with_short[6][-1], "the unchanged capture reports what its version cites"
    assert [e[0] for e in with_short[12][-2]] == ["back"]
    assert rows(short) == rows(orm)
    with short.db.session() as session:
        resource = session.scalars(select(Resource).where(Resource.lang == "en")).one()
        document = session.scalars(select(Document)).one()
    assert (resource.etag, resource.last_modified, resource.url) == ('"e2"', "Mon", "http://ods/3")
    assert document.meta == {"a": 1, "b": 2, "c": 3}


def test_unchanged_capture_runs_one_query_and_no_orm_flush(store: Store) -> None:
    """The same bytes again: one SELECT, then the capture and two updates, one transaction."""
    from sqlalchemy import event

    store.record_capture(CaptureInput(key=KEY, lang="en", body=L1, headers=PDF))
    statements: list[str] = []

    def log(conn, cursor, statement, *args) -> None:  # noqa: ANN001 - SQLAlchemy's signature
        statements.append(statement.split()[0].upper())

    event.listen(store.db.engine, "before_cursor_execute", log)
    try:
        result = store.record_capture(CaptureInput(key=KEY, lang="en", body=L1, headers=PDF))
    finally:
        event.remove(store.db.engine, "before_cursor_execute", log)
    assert result.outcome == "unchanged"
    assert statements == ["SELECT", "INSERT", "UPDATE", "UPDATE"]


def test_a_stale_latest_version_is_reextracted_alike_on_both_paths(
    two_stores: tuple[Store, Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    """New bytes of a resource whose latest text an older extractor made: the short path (the
    query's columns say it is stale) and the ORM path re-extract it alike before comparing."""
    from tracker.blobs import BlobStore
    from tracker.models import VersionText

    def stale_then_new_bytes(store: Store) -> list[tuple]:
        first = store.record_capture(sequence()[0])
        with store.db.session() as session, session.begin():
            version = session.get(Version, first.version_id)
            text = BlobStore(session).get(version.text_sha256)
            version.text_sha256 = BlobStore(session).put(text.replace(b"Assembly", b"Assem- bly"))
            version.extractor_version = 1
        new_bytes = CaptureInput(
            key=KEY, lang="en", body=L2, url="http://ods/1", headers=PDF, fetched_at=T0
        )
        return [result_facts(first), result_facts(store.record_capture(new_bytes))]

    from tracker.diff import change_stats, compute_diff
    from tracker.extract import extract_text

    texts = [extract_text(body, "application/pdf").text for body in (L1, L2)]
    expected = change_stats(compute_diff(*texts)).as_dict()
    short, orm = two_stores
    with_short = stale_then_new_bytes(short)
    monkeypatch.setattr(store_module, "_touches_rows", lambda *args: True)
    assert stale_then_new_bytes(orm) == with_short
    assert rows(short) == rows(orm)
    for store in two_stores:
        with store.db.session() as session:
            history = session.execute(select(VersionText.version_id, VersionText.extractor_version))
            assert history.all() == [(1, 1)]
            stats = session.scalars(select(Version.stats).order_by(Version.id)).all()
        assert stats == [{}, expected]  # against the re-extracted text, not the older one
