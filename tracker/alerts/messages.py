"""Alert messages: subject and body rendered from Jinja2 templates in tracker/templates/alerts/.

Messages are plain text (Apprise turns them into e-mail, JSON, chat...). A new version's message
carries a short excerpt of its diff, computed here from the stored texts (`tracker.diff.excerpt`
never cuts inside a character sequence, so Chinese and Arabic arrive whole), and links to the web
pages of the document and of the diff.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.blobs import BlobStore
from tracker.diff import compute_diff, excerpt
from tracker.models import Document, Event, EventType, Version

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "alerts"
SUBJECT_MAX = 200  # chat services and mail clients cut long subjects anyway
EXCERPT_MAX = 300

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=False,  # plain text; feeds and pages escape on their own
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=False,
)


@dataclass
class Message:
    title: str
    body: str


@dataclass
class EventView:
    """What a template needs to know about one event."""

    id: int
    type: str
    summary: str
    occurred_at: str
    document_key: str
    document_url: str
    lang: str | None = None
    source: str | None = None
    excerpt: str = ""
    diff_url: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


def document_url(public_url: str, key: str) -> str:
    # Keys are UN symbols ("A/C.1/80/L.1"): slashes stay, the web app routes /documents/{key:path}.
    return f"{public_url.rstrip('/')}/documents/{quote(key, safe='/')}"


def diff_url(public_url: str, old_version_id: int, new_version_id: int) -> str:
    return f"{public_url.rstrip('/')}/diff?from={old_version_id}&to={new_version_id}"


def _previous_version(session: Session, version: Version) -> Version | None:
    return session.execute(
        select(Version).where(
            Version.resource_id == version.resource_id, Version.seq == version.seq - 1
        )
    ).scalar_one_or_none()


def event_views(
    session: Session, event_ids: list[int], public_url: str, diff_timeout: float = 2.0
) -> dict[int, EventView]:
    """Views of the events `event_ids`, with excerpt and links, by event id."""
    views: dict[int, EventView] = {}
    if not event_ids:
        return views
    rows = session.execute(
        select(Event, Document.key)
        .join(Document, Event.document_id == Document.id)
        .where(Event.id.in_(event_ids))
    ).all()
    blobs = BlobStore(session)
    for event, key in rows:
        view = EventView(
            id=event.id,
            type=event.type,
            summary=event.summary,
            occurred_at=event.occurred_at.strftime("%Y-%m-%d %H:%M UTC"),
            document_key=key,
            document_url=document_url(public_url, key),
            lang=event.lang,
            source=event.source,
            data=dict(event.data or {}),
        )
        version = session.get(Version, event.version_id) if event.version_id else None
        previous = _previous_version(session, version) if version is not None else None
        if event.type == EventType.NEW_VERSION and version is not None and previous is not None:
            view.diff_url = diff_url(public_url, previous.id, version.id)
            if version.text_sha256 and previous.text_sha256 and not version.text_identical:
                old = blobs.get(previous.text_sha256).decode("utf-8")
                new = blobs.get(version.text_sha256).decode("utf-8")
                view.excerpt = excerpt(
                    compute_diff(old, new, timeout=diff_timeout), max_chars=EXCERPT_MAX
                )
        views[event.id] = view
    return views


def _subject(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= SUBJECT_MAX else line[: SUBJECT_MAX - 1] + "…"


def render_event(rule: str, event: EventView, public_url: str) -> Message:
    ctx = {"rule": rule, "event": event, "public_url": public_url}
    return Message(
        _subject(_env.get_template("instant_subject.txt.j2").render(ctx)),
        _env.get_template("instant_body.txt.j2").render(ctx).strip() + "\n",
    )


def render_digest(rule: str, events: list[EventView], public_url: str) -> Message:
    ctx = {"rule": rule, "events": events, "public_url": public_url}
    return Message(
        _subject(_env.get_template("digest_subject.txt.j2").render(ctx)),
        _env.get_template("digest_body.txt.j2").render(ctx).strip() + "\n",
    )


def render_test(rule: str, public_url: str) -> Message:
    ctx = {"rule": rule, "public_url": public_url}
    return Message(
        _subject(_env.get_template("test_subject.txt.j2").render(ctx)),
        _env.get_template("test_body.txt.j2").render(ctx).strip() + "\n",
    )
