"""Server-rendered pages: dashboard, search, document, version, diff, events, treaties.

Everything works without JavaScript: language tabs and view switches are plain links.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date
from threading import Lock
from typing import Annotated, Any, NamedTuple

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.blobs import BlobStore
from tracker.config import Config
from tracker.diff import change_stats
from tracker.diff_render import render_inline_html, render_side_by_side_html
from tracker.models import Document, EventType, Resource, Version
from tracker.queries import citations_of, version_text
from tracker.settings import Settings
from tracker.web import chart, data, events, sources, treaty
from tracker.web.deps import get_config, get_session, get_settings
from tracker.web.render import number, render

router = APIRouter(include_in_schema=False)
SessionDep = Annotated[Session, Depends(get_session)]
MAX_ID = 2**31 - 1
TIMELINE = 100  # versions per page of a document page's timeline (`?before=` for older ones)
EXCERPT = 4000  # characters of the latest text shown on a document page


@router.get("/", response_class=HTMLResponse)
def dashboard(
    request: Request, session: SessionDep, config: Annotated[Config, Depends(get_config)]
) -> HTMLResponse:
    recent = events.list_events(session, limit=25)["items"]
    return render(
        request,
        "dashboard.html",
        events=recent,
        sources=sources.list_sources(session, config),
        failing=sources.failing,
        treaties=treaty.list_treaties(session),
    )


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    session: SessionDep,
    q: Annotated[str, Query(max_length=500)] = "",
    kind: Annotated[str, Query(max_length=32)] = "",
    series: Annotated[str, Query(max_length=255)] = "",
    changed_since: Annotated[date | None, Query()] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    per_page = 50
    found = data.search_documents(
        session,
        q=q or None,
        kind=kind or None,
        series=series or None,
        changed_since=changed_since,
        limit=per_page,
        offset=(page - 1) * per_page,
    )
    return render(
        request,
        "search.html",
        title=f"Search: {q}" if q else "Documents",
        q=q,
        kind=kind,
        series=series,
        changed_since=changed_since.isoformat() if changed_since else "",
        found=found,
        page=page,
        pages=max(1, -(-found["total"] // per_page)),
    )


def _pick_resource(resources: list[Resource], lang: str | None, fmt: str | None) -> Resource | None:
    candidates = [r for r in resources if lang is None or r.lang == lang]
    if fmt:
        candidates = [r for r in candidates if r.format == fmt] or candidates
    if lang is None:
        english = [r for r in candidates if r.lang == "en"]
        candidates = english or candidates
    candidates.sort(key=lambda r: (-r.version_count, r.format != "pdf", r.format))
    return candidates[0] if candidates else None


class TimelineRow(NamedTuple):
    """One line of a document page's version timeline, ready to print (no ORM object, no
    per-row formatting in the template: rows are most of the page's rendering time)."""

    id: int
    seq: int
    seen: str  # ISO 8601
    seen_minute: str  # "YYYY-MM-DD HH:MM"
    size: str  # text bytes, with thousands separators
    pages: int | None
    added: str | None  # characters added/removed, when counted
    removed: str | None
    replaced: bool
    identical: bool
    previous_id: int | None  # the version before it, for the diff link


_TIMELINE_COLUMNS = (
    Version.id,
    Version.seq,
    Version.first_seen_at,
    Version.text_size,
    Version.pages,
    Version.stats,
    Version.text_identical,
    Version.text_sha256,
)


def _timeline(rows: list[Any]) -> list[TimelineRow]:
    """`rows`: newest first, one more than shown (the previous version of the oldest shown)."""
    ids_by_seq = {r.seq: r.id for r in rows}
    out = []
    for r in rows[:TIMELINE]:
        stats = r.stats or {}
        counted = bool(stats.get("chars_added") or stats.get("chars_removed"))
        seen = data.iso(r.first_seen_at) or ""
        out.append(
            TimelineRow(
                id=r.id,
                seq=r.seq,
                seen=seen,
                seen_minute=seen.replace("T", " ")[:16],
                size=number(r.text_size),
                pages=r.pages,
                added=number(stats.get("chars_added") or 0) if counted else None,
                removed=number(stats.get("chars_removed") or 0) if counted else None,
                replaced=not counted and bool(stats.get("replaced")),
                identical=bool(r.text_identical),
                previous_id=ids_by_seq.get(r.seq - 1),
            )
        )
    return out


# The excerpt of a text, by its digest (texts are immutable): a document page does not
# decompress the whole latest text on every request.
_EXCERPTS: OrderedDict[str, tuple[str, bool]] = OrderedDict()
_EXCERPTS_SIZE = 256
_EXCERPTS_LOCK = Lock()


def _excerpt(session: Session, text_sha256: str | None) -> tuple[str, bool]:
    if text_sha256 is None:
        return "", False
    with _EXCERPTS_LOCK:
        found = _EXCERPTS.get(text_sha256)
        if found is not None:
            _EXCERPTS.move_to_end(text_sha256)
            return found
    text = BlobStore(session).get(text_sha256).decode("utf-8")
    found = (text[:EXCERPT], len(text) > EXCERPT)
    with _EXCERPTS_LOCK:
        _EXCERPTS[text_sha256] = found
        while len(_EXCERPTS) > _EXCERPTS_SIZE:
            _EXCERPTS.popitem(last=False)
    return found


@router.get("/documents/{key:path}", response_class=HTMLResponse)
def document_page(
    request: Request,
    session: SessionDep,
    key: Annotated[str, Path(min_length=1)],
    kind: Annotated[str | None, Query(max_length=32)] = None,
    lang: Annotated[str | None, Query(max_length=8)] = None,
    format: Annotated[str | None, Query(max_length=16)] = None,  # noqa: A002
    before: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> HTMLResponse:
    """A document; its timeline shows the newest TIMELINE versions, `before=<seq>` older ones."""
    doc = data.find_document(session, key, kind)
    resources = list(
        session.execute(
            select(Resource).where(Resource.document_id == doc.id).order_by(Resource.lang)
        ).scalars()
    )
    langs = sorted({r.lang for r in resources}, key=lambda code: (code != "en", code))
    res = _pick_resource(resources, lang, format)
    if lang is not None and (res is None or res.lang != lang):
        raise HTTPException(404, f"{doc.key} has no {lang!r} version")
    rows: list[Any] = []
    excerpt, truncated, latest = "", False, None
    if res is not None:
        query = select(*_TIMELINE_COLUMNS).where(Version.resource_id == res.id)
        if before is not None:
            query = query.where(Version.seq < before)
        rows = list(session.execute(query.order_by(Version.seq.desc()).limit(TIMELINE + 1)))
        if rows and before is None:
            latest = rows[0]
            excerpt, truncated = _excerpt(session, latest.text_sha256)
    timeline = _timeline(rows)
    cites = citations_of(session, doc.key)
    cited = {c["key"] for side in cites.values() for c in side}
    known = (
        set(session.execute(select(Document.key).where(Document.key.in_(cited))).scalars())
        if cited
        else set()
    )
    return render(
        request,
        "document.html",
        title=doc.key if before is None else f"{doc.key}: versions before {before}",
        doc=doc,
        detail=data.document_detail(session, doc),
        langs=langs,
        formats=[r for r in resources if res is not None and r.lang == res.lang],
        res=res,
        timeline=timeline,
        before=before,
        # The link to the next page: the versions older than the oldest one shown.
        older_than=timeline[-1].seq if len(rows) > TIMELINE else None,
        latest=latest,
        iso=data.iso,
        excerpt=excerpt,
        truncated=truncated,
        cites=cites,
        known=known,
        events=events.list_events(session, document_id=doc.id, limit=30)["items"],
    )


@router.get("/versions/{version_id}", response_class=HTMLResponse)
def version_page(
    request: Request,
    session: SessionDep,
    version_id: Annotated[int, Path(ge=1, le=MAX_ID)],
) -> HTMLResponse:
    version, res, doc = data.version_context(session, version_id)
    prev_id, next_id = data.neighbour_ids(session, version)
    return render(
        request,
        "version.html",
        title=f"{doc.key} ({res.lang or '-'}) version {version.seq}",
        doc=doc,
        res=res,
        version=version,
        iso=data.iso,
        prev_id=prev_id,
        next_id=next_id,
        text=version_text(session, version),
    )


@router.get("/diff", response_class=HTMLResponse)
def diff_page(
    request: Request,
    session: SessionDep,
    settings: Annotated[Settings, Depends(get_settings)],
    from_: Annotated[int, Query(alias="from", ge=1, le=MAX_ID)],
    to: Annotated[int, Query(ge=1, le=MAX_ID)],
    view: Annotated[str, Query(pattern="^(side|inline)$")] = "side",
) -> HTMLResponse:
    try:
        old, new, result = data.diff_of(session, from_, to, timeout=settings.diff_timeout)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    if view == "inline":
        body = render_inline_html(result)
    else:
        body = render_side_by_side_html(
            result, from_label=f"Version {old[0].seq}", to_label=f"Version {new[0].seq}"
        )
    doc, res = new[2], new[1]
    return render(
        request,
        "diff.html",
        title=f"{doc.key} ({res.lang or '-'}): version {old[0].seq} → {new[0].seq}",
        doc=doc,
        res=res,
        old=old[0],
        new=new[0],
        iso=data.iso,
        view=view,
        stats=change_stats(result).as_dict(),
        changed=result.changed,
        diff_html=body,
    )


@router.get("/events", response_class=HTMLResponse)
def events_page(
    request: Request,
    session: SessionDep,
    since: Annotated[date | None, Query()] = None,
    type: Annotated[str, Query(max_length=64)] = "",  # noqa: A002
    document: Annotated[str, Query(max_length=512)] = "",
    state: Annotated[str, Query(max_length=255)] = "",
    cursor: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    try:
        page = events.list_events(
            session,
            since=since,
            types=[type] if type else None,
            document=document or None,
            state=state or None,
            cursor=cursor or None,
            limit=50,
        )
    except events.BadCursor as exc:
        raise HTTPException(422, str(exc)) from exc
    filters: dict[str, Any] = {
        "since": since.isoformat() if since else "",
        "type": type,
        "document": document,
        "state": state,
    }
    return render(
        request,
        "events.html",
        title="Events",
        page=page,
        filters=filters,
        types=[t.value for t in EventType],
    )


@router.get("/treaties", response_class=HTMLResponse)
def treaties_page(request: Request, session: SessionDep) -> HTMLResponse:
    return render(
        request, "treaties.html", title="Treaties", treaties=treaty.list_treaties(session)
    )


@router.get("/treaties/{short:path}", response_class=HTMLResponse)
def treaty_page(
    request: Request,
    session: SessionDep,
    short: Annotated[str, Path(min_length=1)],
    at: Annotated[date | None, Query()] = None,
) -> HTMLResponse:
    status = treaty.treaty_status(session, short, at)
    rows = status["participants"]
    points = treaty.counts_over_time(rows)
    return render(
        request,
        "treaty.html",
        title=f"{status['label']}: participants",
        status=status,
        fields=treaty.ROW_FIELDS,
        used_fields=[f for f in treaty.ROW_FIELDS if any(r.get(f) for r in rows)],
        actions=treaty.actions_of(rows)[:300],
        chart_svg=chart.step_chart(points, ("signatories", "parties")),
        points=points,
    )
