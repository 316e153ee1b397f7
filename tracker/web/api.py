"""The read-only JSON API (`/api/...`). Write endpoints live in tracker.web.write.

Document routes take the key as a `{key:path}`: symbols contain slashes. The routes with a
suffix (`/versions`, `/citations`) are registered first, so `/api/documents/A/C.1/80/L.1/versions`
reaches the versions of `A/C.1/80/L.1`.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.config import Config
from tracker.diff_render import (
    render_inline_html,
    render_json,
    render_side_by_side_html,
    render_unified,
)
from tracker.models import Document, Watch
from tracker.queries import citations_of, version_raw, version_text
from tracker.settings import Settings
from tracker.web import data, events, sources, treaty
from tracker.web.deps import get_config, get_session, get_settings

router = APIRouter(prefix="/api", tags=["read"])

SessionDep = Annotated[Session, Depends(get_session)]
MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL
IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="version id")]
KeyPath = Annotated[
    str,
    Path(description="the document key, slashes included (e.g. A/C.1/80/L.1)", min_length=1),
]
KindQuery = Annotated[
    str | None, Query(max_length=32, description="document kind, when keys collide")
]
Limit = Annotated[int, Query(ge=1, le=data.MAX_PAGE)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


class DiffFormat(StrEnum):
    json = "json"
    unified = "unified"
    html = "html"


class DiffView(StrEnum):
    side = "side"
    inline = "inline"


@router.get("/documents", summary="Search and list documents")
def documents(
    session: SessionDep,
    q: Annotated[
        str | None, Query(max_length=500, description="words or a symbol (full text)")
    ] = None,
    kind: KindQuery = None,
    series: Annotated[
        str | None, Query(max_length=255, description="symbol prefix, e.g. A/C.1/80")
    ] = None,
    changed_since: Annotated[date | None, Query(description="YYYY-MM-DD")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    return data.search_documents(
        session,
        q=q,
        kind=kind,
        series=series,
        changed_since=changed_since,
        limit=limit,
        offset=offset,
    )


@router.get("/documents/{key:path}/versions", summary="Version history of a document")
def document_versions(
    session: SessionDep,
    key: KeyPath,
    kind: KindQuery = None,
    lang: Annotated[str | None, Query(max_length=8)] = None,
    format: Annotated[str | None, Query(max_length=16)] = None,  # noqa: A002 - API name
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    doc = data.find_document(session, key, kind)
    return data.document_versions(session, doc, lang=lang, fmt=format, limit=limit, offset=offset)


@router.get("/documents/{key:path}/citations", summary="What a document cites and what cites it")
def document_citations(session: SessionDep, key: KeyPath, kind: KindQuery = None) -> dict[str, Any]:
    doc = data.find_document(session, key, kind)
    found = citations_of(session, doc.key)
    keys = {c["key"] for side in found.values() for c in side}
    known = (
        set(session.execute(select(Document.key).where(Document.key.in_(keys))).scalars())
        if keys
        else set()
    )
    for side in found.values():
        for c in side:
            c["in_store"] = c["key"] in known
    return {"key": doc.key, **found}


@router.get("/documents/{key:path}", summary="A document: metadata and resources")
def document(session: SessionDep, key: KeyPath, kind: KindQuery = None) -> dict[str, Any]:
    return data.document_detail(session, data.find_document(session, key, kind))


@router.get("/versions/{version_id}", summary="One version's metadata")
def version(session: SessionDep, version_id: IdPath) -> dict[str, Any]:
    return data.version_detail(session, version_id)


@router.get(
    "/versions/{version_id}/text",
    summary="A version's normalised text",
    response_class=PlainTextResponse,
)
def version_text_endpoint(session: SessionDep, version_id: IdPath) -> PlainTextResponse:
    v, _res, _doc = data.version_context(session, version_id)
    return PlainTextResponse(version_text(session, v), media_type="text/plain; charset=utf-8")


@router.get(
    "/versions/{version_id}/raw",
    summary="The file as fetched, with its media type",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}, "text/html": {}}}},
)
def version_raw_endpoint(session: SessionDep, version_id: IdPath) -> Response:
    v, res, doc = data.version_context(session, version_id)
    body = version_raw(session, v)
    name = f"{doc.key.replace('/', '_')}-{res.lang or 'xx'}-v{v.seq}.{res.format}"
    headers = {"Content-Disposition": f'inline; filename="{_ascii(name)}"'}
    if v.media_type != "application/pdf":
        # A fetched HTML page must not run in our origin: a sandbox without scripts.
        headers["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src data:"
    return Response(body, media_type=v.media_type, headers=headers)


def _ascii(name: str) -> str:
    return "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name)


@router.get(
    "/diff",
    summary="Diff two versions of one resource",
    response_class=Response,
    responses={
        200: {"content": {"application/json": {}, "text/plain": {}, "text/html": {}}},
        422: {"description": "versions of different resources, or bad parameters"},
    },
)
def diff(
    session: SessionDep,
    settings: Annotated[Settings, Depends(get_settings)],
    from_: Annotated[int, Query(alias="from", ge=1, le=MAX_ID, description="version id")],
    to: Annotated[int, Query(ge=1, le=MAX_ID, description="version id")],
    format: DiffFormat = DiffFormat.json,  # noqa: A002 - API name
    view: Annotated[DiffView, Query(description="html only: side by side or inline")] = (
        DiffView.side
    ),
) -> Response:
    try:
        old, new, result = data.diff_of(session, from_, to, timeout=settings.diff_timeout)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    label = f"{new[2].key} ({new[1].lang or '-'})"
    if format is DiffFormat.unified:
        body = render_unified(
            result, from_label=f"{label} v{old[0].seq}", to_label=f"{label} v{new[0].seq}"
        )
        return PlainTextResponse(body, media_type="text/plain; charset=utf-8")
    if format is DiffFormat.html:
        html = (
            render_inline_html(result)
            if view is DiffView.inline
            else render_side_by_side_html(
                result, from_label=f"version {old[0].seq}", to_label=f"version {new[0].seq}"
            )
        )
        return Response(html, media_type="text/html; charset=utf-8")
    payload = json.loads(render_json(result))
    payload.update({"document": new[2].key, "lang": new[1].lang, "from": from_, "to": to})
    return Response(
        json.dumps(payload, ensure_ascii=False), media_type="application/json; charset=utf-8"
    )


@router.get("/events", summary="Events, newest first, cursor-paginated")
def list_events(
    session: SessionDep,
    since: Annotated[
        date | datetime | None, Query(description="YYYY-MM-DD or an ISO datetime (UTC)")
    ] = None,
    type: Annotated[  # noqa: A002 - API name
        list[str] | None, Query(description="event type(s); repeat or comma-separate")
    ] = None,
    document: Annotated[str | None, Query(max_length=512, description="document key")] = None,
    state: Annotated[
        str | None, Query(max_length=255, description="a State (treaty actions, replies)")
    ] = None,
    cursor: Annotated[
        str | None, Query(max_length=200, description="next_cursor of the previous page")
    ] = None,
    limit: Limit = 50,
) -> dict[str, Any]:
    types = [t.strip() for value in type or [] for t in value.split(",") if t.strip()]
    try:
        return events.list_events(
            session,
            since=since,
            types=types or None,
            document=document,
            state=state,
            cursor=cursor,
            limit=limit,
        )
    except events.BadCursor as exc:
        raise HTTPException(422, str(exc)) from exc


@router.get("/treaties", summary="Treaties in the store")
def treaties(session: SessionDep) -> list[dict[str, Any]]:
    return treaty.list_treaties(session)


@router.get("/treaties/{short:path}", summary="Participants on a date, and the actions since")
def treaty_status(
    session: SessionDep,
    short: Annotated[str, Path(description="treaty key or label: tpnw, untc:XXVI-4")],
    at: Annotated[date | None, Query(description="YYYY-MM-DD; default: today")] = None,
) -> dict[str, Any]:
    return treaty.treaty_status(session, short, at)


@router.get("/runs", summary="Crawl runs, newest first")
def runs(
    session: SessionDep,
    source: Annotated[str | None, Query(max_length=128)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    return sources.list_runs(session, source=source, limit=limit, offset=offset)


@router.get("/sources", summary="Configured sources and their last run, failing first")
def list_sources(
    session: SessionDep, config: Annotated[Config, Depends(get_config)]
) -> list[dict[str, Any]]:
    return sources.list_sources(session, config)


@router.get("/watches", summary="Active watches (documents the crawler keeps fetching)")
def watches(
    session: SessionDep,
    source: Annotated[str | None, Query(max_length=128)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    query = select(Watch).where(Watch.active.is_(True)).order_by(Watch.source, Watch.key)
    if source:
        query = query.where(Watch.source == source)
    return [
        {
            "source": w.source,
            "kind": w.kind,
            "key": w.key,
            "origin": w.origin,
            "cited_by": w.cited_by,
            "depth": w.depth,
            "added_at": data.iso(w.added_at),
        }
        for w in session.execute(query.limit(limit).offset(offset)).scalars()
    ]
