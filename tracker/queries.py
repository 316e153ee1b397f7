"""Read-only questions asked of the store: by the CLI today, by the web pages and API later.

Each function takes a session and returns plain dataclasses or dicts, ready for a table or JSON.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.blobs import BlobStore
from tracker.diff import Diff, compute_diff
from tracker.models import Capture, Citation, Document, Event, Resource, Version


class NotFound(LookupError):
    """The document, resource or version asked for does not exist; the message says which."""


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass
class DocumentRow:
    kind: str
    key: str
    title: str | None
    languages: list[str]
    versions: int
    last_change: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def list_documents(session: Session, *, kind: str | None = None) -> list[DocumentRow]:
    query = select(Document).order_by(Document.kind, Document.key)
    if kind:
        query = query.where(Document.kind == kind)
    docs = session.execute(query).scalars().all()
    by_doc: dict[int, list[tuple[str, int]]] = {}
    for doc_id, lang, count in session.execute(
        select(Resource.document_id, Resource.lang, Resource.version_count)
    ):
        by_doc.setdefault(doc_id, []).append((lang, count))
    rows = []
    for doc in docs:
        resources = by_doc.get(doc.id, [])
        langs = sorted({lang for lang, count in resources if lang and count > 0})
        rows.append(
            DocumentRow(
                kind=doc.kind,
                key=doc.key,
                title=doc.title,
                languages=langs,
                versions=sum(count for _lang, count in resources),
                last_change=_iso(doc.last_change_at),
            )
        )
    return rows


def get_document(session: Session, key: str, kind: str | None = None) -> Document:
    query = select(Document).where(Document.key == key)
    if kind:
        query = query.where(Document.kind == kind)
    doc = session.execute(query.order_by(Document.id)).scalars().first()
    if doc is None:
        raise NotFound(f"no document {key!r} in the store")
    return doc


def get_resource(session: Session, doc: Document, lang: str | None, fmt: str | None) -> Resource:
    """A document's resource in a language/format; filters may be omitted when one fits."""
    query = select(Resource).where(Resource.document_id == doc.id)
    if lang is not None:
        query = query.where(Resource.lang == lang)
    if fmt is not None:
        query = query.where(Resource.format == fmt)
    found = session.execute(query.order_by(Resource.id)).scalars().all()
    if not found:
        wanted = ", ".join(x for x in (lang, fmt) if x) or "any"
        raise NotFound(f"{doc.key} has no resource for {wanted}")
    if len(found) > 1:
        with_versions = [r for r in found if r.version_count > 0]
        if lang is None and len({r.lang for r in with_versions}) > 1:
            langs = ", ".join(sorted({r.lang for r in with_versions}))
            raise NotFound(
                f"{doc.key} exists in several languages ({langs}): choose one with --lang"
            )
        found = with_versions or found
    return found[0]


def history(session: Session, key: str, *, lang: str | None = None) -> dict[str, Any]:
    """Every capture and version of a document, newest first, per resource."""
    doc = get_document(session, key)
    query = select(Resource).where(Resource.document_id == doc.id).order_by(Resource.lang)
    if lang is not None:
        query = query.where(Resource.lang == lang)
    out: dict[str, Any] = {
        "kind": doc.kind,
        "key": doc.key,
        "title": doc.title,
        "resources": [],
    }
    for res in session.execute(query).scalars():
        versions = session.execute(
            select(Version).where(Version.resource_id == res.id).order_by(Version.seq.desc())
        ).scalars()
        captures = session.execute(
            select(Capture)
            .where(Capture.resource_id == res.id)
            .order_by(Capture.fetched_at.desc(), Capture.id.desc())
        ).scalars()
        out["resources"].append(
            {
                "lang": res.lang,
                "format": res.format,
                "url": res.url,
                "gone": res.is_gone,
                "versions": [version_dict(v) for v in versions],
                "captures": [
                    {
                        "id": c.id,
                        "fetched_at": _iso(c.fetched_at),
                        "outcome": c.outcome,
                        "http_status": c.http_status,
                        "size": c.size,
                        "error": c.error,
                        "source": c.source,
                        "version_id": c.version_id,
                    }
                    for c in captures
                ],
            }
        )
    return out


def version_dict(v: Version) -> dict[str, Any]:
    return {
        "id": v.id,
        "seq": v.seq,
        "first_seen_at": _iso(v.first_seen_at),
        "last_seen_at": _iso(v.last_seen_at),
        "media_type": v.media_type,
        "raw_size": v.raw_size,
        "text_size": v.text_size,
        "pages": v.pages,
        "title": v.title,
        "doc_date": _iso(v.doc_date),
        "text_identical": v.text_identical,
        "stats": v.stats or {},
        "raw_sha256": v.raw_sha256,
    }


def get_version(
    session: Session, key: str, *, lang: str | None, fmt: str | None = None, seq: int | None = None
) -> Version:
    """Version `seq` (1-based; negative counts from the latest, -1 = latest) of a resource."""
    res = get_resource(session, get_document(session, key), lang, fmt)
    if res.version_count == 0:
        raise NotFound(f"{key} ({res.lang or 'no language'}) has no version yet")
    wanted = seq if seq is not None else -1
    if wanted < 0:
        wanted = res.version_count + 1 + wanted
    version = session.execute(
        select(Version).where(Version.resource_id == res.id, Version.seq == wanted)
    ).scalar_one_or_none()
    if version is None:
        raise NotFound(f"{key} ({res.lang}) has versions 1..{res.version_count}, not {seq}")
    return version


def version_text(session: Session, version: Version) -> str:
    if version.text_sha256 is None:
        return ""
    return BlobStore(session).get(version.text_sha256).decode("utf-8")


def version_raw(session: Session, version: Version) -> bytes:
    return BlobStore(session).get(version.raw_sha256)


def diff_versions(
    session: Session,
    key: str,
    *,
    lang: str | None,
    fmt: str | None = None,
    from_seq: int | None = None,
    to_seq: int | None = None,
    timeout: float = 2.0,
) -> tuple[Version, Version, Diff]:
    """Diff two versions of a resource: by default the latest against the one before it."""
    new = get_version(session, key, lang=lang, fmt=fmt, seq=to_seq)
    if from_seq is None:
        if new.seq < 2:
            raise NotFound(f"{key} has only one version: nothing to compare it with")
        from_seq = new.seq - 1
    old = session.execute(
        select(Version).where(Version.resource_id == new.resource_id, Version.seq == from_seq)
    ).scalar_one_or_none()
    if old is None:
        raise NotFound(f"{key} has no version {from_seq}")
    blobs = BlobStore(session)
    old_text = blobs.get(old.text_sha256).decode() if old.text_sha256 else ""
    new_text = blobs.get(new.text_sha256).decode() if new.text_sha256 else ""
    return old, new, compute_diff(old_text, new_text, timeout=timeout)


def list_events(
    session: Session,
    *,
    since: datetime | None = None,
    types: list[str] | None = None,
    document: str | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    query = (
        select(Event, Document.key, Document.kind)
        .join(Document, Event.document_id == Document.id)
        .order_by(Event.occurred_at.desc(), Event.id.desc())
        .limit(limit)
    )
    if since is not None:
        query = query.where(Event.occurred_at >= since)
    if types:
        query = query.where(Event.type.in_(types))
    if document:
        query = query.where(Document.key == document)
    return [
        {
            "id": ev.id,
            "type": ev.type,
            "occurred_at": _iso(ev.occurred_at),
            "document": key,
            "kind": kind,
            "lang": ev.lang,
            "source": ev.source,
            "summary": ev.summary,
            "version_id": ev.version_id,
            "data": ev.data,
        }
        for ev, key, kind in session.execute(query)
    ]


def citations_of(session: Session, key: str) -> dict[str, list[dict[str, Any]]]:
    """What the latest versions of a document cite, and which documents' latest versions cite it."""
    doc = get_document(session, key)
    latest_ids = select(Resource.latest_version_id).where(Resource.latest_version_id.is_not(None))
    cites = session.execute(
        select(Citation.cited_key, func.count(), func.min(Citation.context))
        .join(Version, Citation.version_id == Version.id)
        .join(Resource, Version.resource_id == Resource.id)
        .where(Resource.document_id == doc.id, Citation.version_id.in_(latest_ids))
        .group_by(Citation.cited_key)
        .order_by(Citation.cited_key)
    ).all()
    cited_by = session.execute(
        select(Document.key, func.count(), func.min(Citation.context))
        .join(Resource, Resource.document_id == Document.id)
        .join(Version, Version.resource_id == Resource.id)
        .join(Citation, Citation.version_id == Version.id)
        .where(Citation.cited_key == doc.key, Citation.version_id.in_(latest_ids))
        .group_by(Document.key)
        .order_by(Document.key)
    ).all()
    return {
        "cites": [{"key": k, "count": n, "context": c} for k, n, c in cites],
        "cited_by": [{"key": k, "count": n, "context": c} for k, n, c in cited_by],
    }
