"""Documents, versions and diffs shaped for the API and the pages (plain dicts, JSON-ready)."""

from __future__ import annotations

from collections import OrderedDict
from datetime import UTC, date, datetime, time
from threading import Lock
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from tracker import search
from tracker.diff import Diff, compute_diff
from tracker.models import Document, Resource, Version
from tracker.queries import NotFound, version_dict, version_text

MAX_PAGE = 200


def iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)  # SQLite gives back naive UTC datetimes
    return value.isoformat()


def start_of(day: date | datetime) -> datetime:
    """A date as the UTC midnight that starts it; a naive datetime as UTC."""
    if isinstance(day, datetime):
        return day if day.tzinfo else day.replace(tzinfo=UTC)
    return datetime.combine(day, time.min, tzinfo=UTC)


def find_document(session: Session, key: str, kind: str | None = None) -> Document:
    query = select(Document).where(Document.key == key)
    if kind:
        query = query.where(Document.kind == kind)
    doc = session.execute(query.order_by(Document.id).limit(1)).scalars().first()
    if doc is None:
        raise NotFound(f"no document {key!r}" + (f" of kind {kind!r}" if kind else ""))
    return doc


def _languages(session: Session, doc_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, set[str]] = {}
    if doc_ids:
        for doc_id, lang in session.execute(
            select(Resource.document_id, Resource.lang).where(
                Resource.document_id.in_(doc_ids), Resource.version_count > 0
            )
        ):
            out.setdefault(doc_id, set()).add(lang)
    return {k: sorted(v) for k, v in out.items()}


def document_summary(doc: Document, languages: list[str]) -> dict[str, Any]:
    return {
        "kind": doc.kind,
        "key": doc.key,
        "title": doc.title,
        "languages": languages,
        "last_change": iso(doc.last_change_at),
    }


def search_documents(
    session: Session,
    *,
    q: str | None = None,
    kind: str | None = None,
    series: str | None = None,
    changed_since: date | None = None,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """Documents matching all filters. `q` searches symbol, title and latest text; results are
    ranked (a symbol starting with `q` first), else ordered by last change, newest first."""
    query = select(Document)
    if kind:
        query = query.where(Document.kind == kind)
    if series:
        series = series.rstrip("/")
        query = query.where(or_(Document.key == series, Document.key.startswith(series + "/")))
    if changed_since:
        query = query.where(Document.last_change_at >= start_of(changed_since))
    ranks: dict[int, float] = {}
    if q and q.strip():
        q = q.strip()
        ranks = {m.document_id: m.rank for m in search.search_ids(session, q)}
        # A symbol typed in part ("A/C.1/80/L.1", "l.1") matches by key too.
        by_key = Document.key.ilike(
            q.replace("\\", "").replace("%", "").replace("_", "\\_") + "%", escape="\\"
        )
        query = query.where(or_(Document.id.in_(list(ranks)), by_key))
        docs = session.execute(query).scalars().all()
        lowered = q.lower()

        def order(doc: Document) -> tuple[int, float, str]:
            exact = (
                0 if doc.key.lower() == lowered else 1 if doc.key.lower().startswith(lowered) else 2
            )
            return (exact, -ranks.get(doc.id, 0.0), doc.key)

        docs = sorted(docs, key=order)
        total = len(docs)
        page = docs[offset : offset + limit]
    else:
        total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        page = list(
            session.execute(
                query.order_by(Document.last_change_at.desc().nulls_last(), Document.key)
                .limit(limit)
                .offset(offset)
            ).scalars()
        )
    langs = _languages(session, [d.id for d in page])
    return {
        "total": total,
        "offset": offset,
        "limit": limit,
        "items": [document_summary(d, langs.get(d.id, [])) for d in page],
    }


def document_detail(session: Session, doc: Document) -> dict[str, Any]:
    """Metadata and every resource with its latest version."""
    resources = session.execute(
        select(Resource, Version)
        .outerjoin(Version, Version.id == Resource.latest_version_id)
        .where(Resource.document_id == doc.id)
        .order_by(Resource.lang, Resource.format)
    ).all()
    return {
        "kind": doc.kind,
        "key": doc.key,
        "title": doc.title,
        "meta": doc.meta or {},
        "created_at": iso(doc.created_at),
        "last_change": iso(doc.last_change_at),
        "resources": [
            {
                "id": res.id,
                "lang": res.lang,
                "format": res.format,
                "url": res.url,
                "versions": res.version_count,
                "gone": res.is_gone,
                "last_capture_at": iso(res.last_capture_at),
                "last_outcome": res.last_outcome,
                "latest": _version_json(latest) if latest is not None else None,
            }
            for res, latest in resources
        ],
    }


def _version_json(v: Version) -> dict[str, Any]:
    out = version_dict(v)
    out["first_seen_at"], out["last_seen_at"] = iso(v.first_seen_at), iso(v.last_seen_at)
    return out


def document_versions(
    session: Session,
    doc: Document,
    *,
    lang: str | None = None,
    fmt: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> dict[str, Any]:
    """Versions of a document's resources, newest first (by first seen, then seq)."""
    query = (
        select(Version, Resource.lang, Resource.format)
        .join(Resource, Version.resource_id == Resource.id)
        .where(Resource.document_id == doc.id)
    )
    if lang is not None:
        query = query.where(Resource.lang == lang)
    if fmt is not None:
        query = query.where(Resource.format == fmt)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(
        query.order_by(Version.first_seen_at.desc(), Version.seq.desc(), Version.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return {
        "key": doc.key,
        "kind": doc.kind,
        "total": total,
        "offset": offset,
        "limit": limit,
        "items": [{**_version_json(v), "lang": lang_, "format": fmt_} for v, lang_, fmt_ in rows],
    }


def version_context(session: Session, version_id: int) -> tuple[Version, Resource, Document]:
    found = session.execute(
        select(Version, Resource, Document)
        .join(Resource, Version.resource_id == Resource.id)
        .join(Document, Resource.document_id == Document.id)
        .where(Version.id == version_id)
    ).first()
    if found is None:
        raise NotFound(f"no version {version_id}")
    return found[0], found[1], found[2]


def neighbour_ids(session: Session, version: Version) -> tuple[int | None, int | None]:
    """Ids of the previous and next versions of the same resource."""
    prev_id = session.execute(
        select(Version.id).where(
            Version.resource_id == version.resource_id, Version.seq == version.seq - 1
        )
    ).scalar_one_or_none()
    next_id = session.execute(
        select(Version.id).where(
            Version.resource_id == version.resource_id, Version.seq == version.seq + 1
        )
    ).scalar_one_or_none()
    return prev_id, next_id


def version_detail(session: Session, version_id: int) -> dict[str, Any]:
    version, res, doc = version_context(session, version_id)
    prev_id, next_id = neighbour_ids(session, version)
    return {
        **_version_json(version),
        "document": {"kind": doc.kind, "key": doc.key, "title": doc.title},
        "lang": res.lang,
        "format": res.format,
        "previous_id": prev_id,
        "next_id": next_id,
        "records": version.records,
    }


# Diffs of immutable texts are cached by the texts' digests: a page and its API call, or two
# views of the same diff, compute it once.
_DIFF_CACHE: OrderedDict[tuple[str, str], Diff] = OrderedDict()
_DIFF_CACHE_SIZE = 32
_DIFF_LOCK = Lock()


def diff_of(
    session: Session, from_id: int, to_id: int, *, timeout: float
) -> tuple[tuple[Version, Resource, Document], tuple[Version, Resource, Document], Diff]:
    """Two versions of one resource and their character-level diff."""
    old = version_context(session, from_id)
    new = version_context(session, to_id)
    if old[1].id != new[1].id:
        raise ValueError(
            f"versions {from_id} and {to_id} belong to different resources "
            f"({old[2].key} {old[1].lang or '-'} {old[1].format} / "
            f"{new[2].key} {new[1].lang or '-'} {new[1].format}): compare versions of one resource"
        )
    cache_key = (old[0].text_sha256 or "", new[0].text_sha256 or "")
    with _DIFF_LOCK:
        cached = _DIFF_CACHE.get(cache_key)
        if cached is not None:
            _DIFF_CACHE.move_to_end(cache_key)
    if cached is None:
        cached = compute_diff(
            version_text(session, old[0]), version_text(session, new[0]), timeout=timeout
        )
        with _DIFF_LOCK:
            _DIFF_CACHE[cache_key] = cached
            while len(_DIFF_CACHE) > _DIFF_CACHE_SIZE:
                _DIFF_CACHE.popitem(last=False)
    return old, new, cached
