"""A treaty's participants as they stood on a date, the actions since, and counts over time.

The table on a date is the rows of the latest version first seen on or before that day. The
timeline and the chart come from the action dates inside the rows (signature, ratification...),
which reach back further than our own observations.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from tracker.models import Document, Event, Resource, Version
from tracker.queries import NotFound
from tracker.records import PARTY_ACTIONS, TREATY_ACTIONS, treaty_counts
from tracker.web.data import iso, start_of
from tracker.web.events import event_json

ROW_FIELDS = list(TREATY_ACTIONS)


def find_treaty(session: Session, short: str) -> Document:
    """A treaty by key ("tpnw", "untc:XXVI-4") or by its label, case-insensitively."""
    doc = session.execute(
        select(Document)
        .where(
            Document.kind == "treaty",
            or_(Document.key == short, func.lower(Document.key) == short.lower()),
        )
        .order_by(Document.id)
        .limit(1)
    ).scalar_one_or_none()
    if doc is None:
        for candidate in session.execute(
            select(Document).where(Document.kind == "treaty")
        ).scalars():
            if str((candidate.meta or {}).get("label", "")).lower() == short.lower():
                return candidate
        raise NotFound(f"no treaty {short!r}")
    return doc


def list_treaties(session: Session) -> list[dict[str, Any]]:
    docs = session.execute(
        select(Document).where(Document.kind == "treaty").order_by(Document.key)
    ).scalars()
    return [
        {"key": d.key, "label": (d.meta or {}).get("label") or d.key, "title": d.title}
        for d in docs
    ]


def _parse(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def actions_of(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every dated action in the rows, newest first."""
    out = []
    for row in rows:
        for fld in ROW_FIELDS:
            when = _parse(row.get(fld))
            if when is not None:
                out.append({"date": when.isoformat(), "state": row.get("state"), "action": fld})
    return sorted(out, key=lambda a: (a["date"], a["state"] or ""), reverse=True)


def counts_over_time(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Signatories and parties after each date on which an action happened, oldest first."""
    days = sorted({d for r in rows for f in ROW_FIELDS if (d := _parse(r.get(f))) is not None})
    points = []
    for day in days:
        signatories = parties = 0
        for r in rows:
            withdrawn = _parse(r.get("withdrawal"))
            if withdrawn is not None and withdrawn <= day:
                continue
            signed = _parse(r.get("signature"))
            signatories += signed is not None and signed <= day
            bound = [d for f in PARTY_ACTIONS if (d := _parse(r.get(f))) is not None]
            parties += bool(bound) and min(bound) <= day
        points.append({"date": day.isoformat(), "signatories": signatories, "parties": parties})
    return points


def treaty_status(session: Session, short: str, at: date | None = None) -> dict[str, Any]:
    doc = find_treaty(session, short)
    query = (
        select(Version)
        .join(Resource, Version.resource_id == Resource.id)
        .where(Resource.document_id == doc.id, Version.records.is_not(None))
    )
    end = start_of(at + timedelta(days=1)) if at is not None else None
    if end is not None:
        query = query.where(Version.first_seen_at < end)
    version = session.execute(
        query.order_by(Version.first_seen_at.desc(), Version.id.desc()).limit(1)
    ).scalar_one_or_none()
    rows = list((version.records or {}).get("rows") or []) if version is not None else []
    rows.sort(key=lambda r: str(r.get("state", "")))
    events_query = (
        select(Event)
        .where(Event.document_id == doc.id, Event.type == "treaty_action")
        .order_by(Event.occurred_at.desc(), Event.id.desc())
        .limit(500)
    )
    if end is not None:
        events_query = events_query.where(Event.occurred_at >= end)
    since = [event_json(ev, doc.key, doc.kind) for ev in session.execute(events_query).scalars()]
    return {
        "key": doc.key,
        "label": (doc.meta or {}).get("label") or doc.key,
        "title": doc.title,
        "at": at.isoformat() if at is not None else None,
        "version_id": version.id if version is not None else None,
        "as_seen_at": iso(version.first_seen_at) if version is not None else None,
        "counts": treaty_counts(rows),
        "participants": rows,
        "actions_since": since,
    }
