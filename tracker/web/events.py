"""Events newest first, filtered, with an opaque keyset cursor (stable while events arrive)."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from tracker.models import Document, Event
from tracker.web.data import iso, start_of


class BadCursor(ValueError):
    pass


def encode_cursor(occurred_at: datetime, event_id: int) -> str:
    if occurred_at.tzinfo is None:
        occurred_at = occurred_at.replace(tzinfo=UTC)
    raw = f"{occurred_at.astimezone(UTC).isoformat()}|{event_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, event_id = raw.rsplit("|", 1)
        moment = datetime.fromisoformat(stamp)
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)), int(event_id)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise BadCursor(f"not a cursor from this API: {cursor!r}") from exc


def event_json(ev: Event, key: str, kind: str) -> dict[str, Any]:
    return {
        "id": ev.id,
        "type": ev.type,
        "occurred_at": iso(ev.occurred_at),
        "document": key,
        "kind": kind,
        "lang": ev.lang,
        "source": ev.source,
        "summary": ev.summary,
        "version_id": ev.version_id,
        "data": ev.data or {},
    }


def list_events(
    session: Session,
    *,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    types: list[str] | None = None,
    document: str | None = None,
    document_id: int | None = None,
    state: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> dict[str, Any]:
    """One page of events, newest first, and the cursor of the next page (None at the end)."""
    query = select(Event, Document.key, Document.kind).join(
        Document, Event.document_id == Document.id
    )
    if since is not None:
        query = query.where(Event.occurred_at >= start_of(since))
    if until is not None:
        query = query.where(Event.occurred_at < start_of(until))
    if types:
        query = query.where(Event.type.in_(types))
    if document_id is not None:
        query = query.where(Event.document_id == document_id)
    elif document:
        query = query.where(Document.key == document)
    if state:
        query = query.where(Event.data["state"].as_string() == state)
    if cursor:
        at, event_id = decode_cursor(cursor)
        query = query.where(
            or_(Event.occurred_at < at, and_(Event.occurred_at == at, Event.id < event_id))
        )
    rows = session.execute(
        query.order_by(Event.occurred_at.desc(), Event.id.desc()).limit(limit + 1)
    ).all()
    items = [event_json(ev, key, kind) for ev, key, kind in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1][0]
        next_cursor = encode_cursor(last.occurred_at, last.id)
    return {"items": items, "next_cursor": next_cursor}
