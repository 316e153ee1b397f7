"""Atom feeds of events: `/feeds/events.atom` (everything) and `/feeds/rules/{name}.atom`.

The web app mounts `router` and sets `app.state.db` (a `tracker.db.Database`), `app.state.settings`
and, optionally, `app.state.config` (else the rules are read from `settings.config_file`).
feedgen builds the XML with lxml, so titles and content are escaped; channel URLs never appear.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from feedgen.feed import FeedGenerator
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from tracker.alerts.messages import document_url
from tracker.alerts.rules import CompiledRule
from tracker.config import Config, Rule, load_config
from tracker.db import Database
from tracker.models import Delivery, Document, Event
from tracker.settings import Settings

FEED_SIZE = 100
SCAN_PAGE = 500  # events read at a time when a rule is matched on the fly
SCAN_MAX = 5000  # newest events a per-rule feed looks through
ATOM = "application/atom+xml; charset=utf-8"

router = APIRouter(tags=["feeds"])


def get_session(request: Request):  # noqa: ANN201 - a FastAPI generator dependency
    db: Database = request.app.state.db
    with db.session() as session:
        yield session


def get_settings(request: Request) -> Settings:
    return getattr(request.app.state, "settings", None) or Settings()


def get_config(request: Request) -> Config:
    config = getattr(request.app.state, "config", None)
    if config is None:
        config = load_config(get_settings(request).config_file)
    return config


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
ConfigDep = Annotated[Config, Depends(get_config)]


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _tag(settings: Settings, path: str) -> str:
    # A tag URI (RFC 4151): permanent, unique per installation, not a URL that must resolve.
    host = urlsplit(settings.public_url).hostname or "localhost"
    return f"tag:{host},2025:disarmwatch/{path}"


def _feed(
    settings: Settings,
    feed_id: str,
    title: str,
    self_path: str,
    rows: list[tuple[Event, str]],
) -> Response:
    base = settings.public_url.rstrip("/")
    fg = FeedGenerator()
    fg.id(_tag(settings, feed_id))
    fg.title(title)
    fg.author({"name": "disarmwatch"})
    fg.link(href=f"{base}{self_path}", rel="self", type="application/atom+xml")
    fg.link(href=f"{base}/", rel="alternate")
    fg.language("en")
    newest = max((_utc(e.occurred_at) for e, _ in rows), default=datetime(2025, 1, 1, tzinfo=UTC))
    fg.updated(newest)
    for event, key in rows:
        entry = fg.add_entry(order="append")
        entry.id(_tag(settings, f"event/{event.id}"))
        entry.title(event.summary)
        entry.updated(_utc(event.occurred_at))
        entry.published(_utc(event.occurred_at))
        entry.link(href=document_url(settings.public_url, key), rel="alternate")
        entry.category(term=event.type)
        lines = [event.summary, f"Document: {key}", f"Event: {event.type}"]
        if event.lang:
            lines.append(f"Language: {event.lang}")
        if event.source:
            lines.append(f"Source: {event.source}")
        entry.content("\n".join(lines), type="text")
    return Response(content=fg.atom_str(pretty=True), media_type=ATOM)


def _newest(limit: int) -> Select:
    return (
        select(Event, Document.key)
        .join(Document, Event.document_id == Document.id)
        .order_by(Event.occurred_at.desc(), Event.id.desc())
        .limit(limit)
    )


def rule_events(session: Session, rule: Rule, limit: int = FEED_SIZE) -> list[tuple[Event, str]]:
    """The newest events matching `rule`.

    A rule with words needs the text each version added, known only at capture time: its
    matches are the events the outbox queued for it. Other rules are matched here, so their
    feed also shows events from before the rule existed.
    """
    if rule.words:
        query = _newest(limit).where(
            Event.id.in_(select(Delivery.event_id).where(Delivery.rule == rule.name))
        )
        return [(e, k) for e, k in session.execute(query)]
    compiled = CompiledRule(rule)
    query = _newest(SCAN_PAGE)
    # The cheap filters go to SQL; globs, States and text-identical checks run in Python.
    if rule.events:
        query = query.where(Event.type.in_(rule.events))
    if rule.sources:
        query = query.where(Event.source.in_(rule.sources))
    if rule.languages:
        query = query.where(Event.lang.in_(rule.languages))
    found: list[tuple[Event, str]] = []
    for offset in range(0, SCAN_MAX, SCAN_PAGE):
        page = session.execute(query.offset(offset)).all()
        found += [(e, k) for e, k in page if compiled.matches(e, k)]
        if len(found) >= limit or len(page) < SCAN_PAGE:
            break
    return found[:limit]


@router.get("/feeds/events.atom", response_class=Response)
def events_feed(session: SessionDep, settings: SettingsDep) -> Response:
    """The newest events, all of them."""
    rows = [(e, k) for e, k in session.execute(_newest(FEED_SIZE))]
    return _feed(settings, "events", "disarmwatch: all changes", "/feeds/events.atom", rows)


@router.get("/feeds/rules/{name}.atom", response_class=Response)
def rule_feed(name: str, session: SessionDep, settings: SettingsDep, config: ConfigDep) -> Response:
    """The newest events matching one alert rule."""
    try:
        rule = config.rule(name)
    except KeyError:
        raise HTTPException(status_code=404, detail=f"no alert rule named {name!r}") from None
    rows = rule_events(session, rule)
    return _feed(
        settings,
        f"rules/{quote(name, safe='')}",
        f"disarmwatch: {name}",
        f"/feeds/rules/{quote(name, safe='')}.atom",
        rows,
    )
