"""The store's tables, as SQLAlchemy 2 typed models. Models hold data only: no I/O here.

documents 1-n resources 1-n captures; resources 1-n versions; versions point at blobs
(content-addressed); versions 1-n citations; events point at whatever they are about.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from tracker.extract.model import EXTRACTOR_VERSION


def utcnow() -> datetime:
    return datetime.now(UTC)


class Outcome(enum.StrEnum):
    """What one fetch attempt found."""

    NEW_VERSION = "new_version"
    UNCHANGED = "unchanged"  # same bytes as the latest version
    NOT_MODIFIED = "not_modified"  # HTTP 304 from stored validators
    NOT_AVAILABLE = "not_available"  # 404/410, or 200 with an empty body (not yet published)
    BLOCKED = "blocked"  # a bot wall answered, not the document
    ERROR = "error"  # transport error, 5xx, bad bytes, unreadable content


class EventType(enum.StrEnum):
    NEW_DOCUMENT = "new_document"
    NEW_VERSION = "new_version"
    NEW_LANGUAGE_VERSION = "new_language_version"
    GONE = "gone"
    BACK = "back"
    # Structured events raised by the crawler's sources (issue 3) use the same table.
    DOCUMENT_PUBLISHED = "document_published"
    NEW_SUBMISSION = "new_submission"
    TREATY_ACTION = "treaty_action"
    PROPOSAL_STAGE = "proposal_stage"


class Base(DeclarativeBase):
    type_annotation_map = {
        dict[str, Any]: JSON,
        datetime: DateTime(timezone=True),
    }


class Document(Base):
    """A watched thing: a UN symbol, a web page, a treaty, a proposal (kind + key)."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("kind", "key", name="uq_documents_kind_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(512))
    title: Mapped[str | None] = mapped_column(Text)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_change_at: Mapped[datetime | None]

    resources: Mapped[list[Resource]] = relationship(back_populates="document")


class Resource(Base):
    """One fetchable form of a document: a language, a format, a URL."""

    __tablename__ = "resources"
    __table_args__ = (
        UniqueConstraint("document_id", "lang", "format", name="uq_resources_doc_lang_format"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(String(8), default="")  # "" when language does not apply
    format: Mapped[str] = mapped_column(String(16))  # pdf, doc, html, json, text
    url: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Change-detection state, kept here so one capture reads one row.
    latest_version_id: Mapped[int | None] = mapped_column(Integer)
    version_count: Mapped[int] = mapped_column(default=0)
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    is_gone: Mapped[bool] = mapped_column(Boolean, default=False)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    last_capture_at: Mapped[datetime | None]
    last_outcome: Mapped[str | None] = mapped_column(String(16))

    document: Mapped[Document] = relationship(back_populates="resources")


class CrawlRun(Base):
    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(128))
    spider: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="running")
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    log_tail: Mapped[str | None] = mapped_column(Text)


class Blob(Base):
    """Content stored once by SHA-256, compressed whole or as a delta against a base blob."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    codec: Mapped[str] = mapped_column(String(16))  # "zstd" | "zstd-delta" | "raw"
    base_sha256: Mapped[str | None] = mapped_column(String(64), ForeignKey("blobs.sha256"))
    depth: Mapped[int] = mapped_column(default=0)  # deltas to follow to reach a whole copy
    stored_size: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Capture(Base):
    """One fetch attempt, whatever it found."""

    __tablename__ = "captures"
    __table_args__ = (
        Index("ix_captures_resource_time", "resource_id", "fetched_at"),
        Index("ix_captures_version", "version_id"),  # migration 0005: the capture of a version
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"))
    source: Mapped[str | None] = mapped_column(String(128))
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    url: Mapped[str | None] = mapped_column(Text)
    final_url: Mapped[str | None] = mapped_column(Text)
    http_status: Mapped[int | None]
    content_type: Mapped[str | None] = mapped_column(String(255))
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
    warnings: Mapped[str | None] = mapped_column(Text)
    # Bytes of a failed capture are kept too (a scan with no text, a wrong file): nothing is lost.
    raw_sha256: Mapped[str | None] = mapped_column(String(64), ForeignKey("blobs.sha256"))
    version_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id", ondelete="SET NULL"))


class Version(Base):
    """One distinct content of a resource, with its extracted text and change stats."""

    __tablename__ = "versions"
    __table_args__ = (UniqueConstraint("resource_id", "seq", name="uq_versions_resource_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"))
    seq: Mapped[int]  # 1, 2, 3... within the resource
    raw_sha256: Mapped[str] = mapped_column(String(64), ForeignKey("blobs.sha256"))
    text_sha256: Mapped[str | None] = mapped_column(String(64), ForeignKey("blobs.sha256"))
    media_type: Mapped[str] = mapped_column(String(64))
    raw_size: Mapped[int] = mapped_column(BigInteger)
    text_size: Mapped[int] = mapped_column(BigInteger, default=0)
    pages: Mapped[int | None]
    title: Mapped[str | None] = mapped_column(Text)
    doc_date: Mapped[date | None] = mapped_column(Date)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    text_identical: Mapped[bool] = mapped_column(Boolean, default=False)
    stats: Mapped[dict[str, Any]] = mapped_column(default=dict)
    records: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # structured sources' rows
    # Migration 0005. Deferred (not loaded with the row until asked for, one query for the three)
    # because migration 0003 selects the live `Version` model before these columns exist.
    # The extractor version (tracker.extract.EXTRACTOR_VERSION) that made the stored text:
    # versions stored before 0005 were made by version 1; tracker.reextract brings them up.
    extractor_version: Mapped[int] = mapped_column(
        default=EXTRACTOR_VERSION, server_default="1", deferred=True, deferred_group="extraction"
    )
    # The extractor version that could not re-extract the raw file, and why: the version keeps
    # its older text and is not tried again until the extractor version changes (or --all).
    reextract_failed_version: Mapped[int | None] = mapped_column(
        deferred=True, deferred_group="extraction"
    )
    reextract_error: Mapped[str | None] = mapped_column(
        Text, deferred=True, deferred_group="extraction"
    )


class VersionText(Base):
    """A text a version had before it was re-extracted by a newer extractor (history)."""

    __tablename__ = "version_texts"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("versions.id", ondelete="CASCADE"), index=True
    )
    extractor_version: Mapped[int]  # the extractor that made this text
    text_sha256: Mapped[str] = mapped_column(String(64), ForeignKey("blobs.sha256"))
    text_size: Mapped[int] = mapped_column(BigInteger)
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow)


class Watch(Base):
    """A document the crawler keeps fetching: from configuration, a feed, or a citation."""

    __tablename__ = "watches"
    __table_args__ = (UniqueConstraint("source", "kind", "key", name="uq_watches_source_kind_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32), default="symbol")
    key: Mapped[str] = mapped_column(String(512))
    origin: Mapped[str] = mapped_column(String(16))  # config | feed | citation | cli | api
    cited_by: Mapped[str | None] = mapped_column(String(512))  # the citing document's key
    depth: Mapped[int] = mapped_column(default=0)  # citation hops from a configured document
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Citation(Base):
    __tablename__ = "citations"
    __table_args__ = (Index("ix_citations_cited_key", "cited_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("versions.id", ondelete="CASCADE"), index=True
    )
    cited_key: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    raw: Mapped[str] = mapped_column(Text)
    context: Mapped[str] = mapped_column(Text)
    position: Mapped[int]


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_occurred", "occurred_at"),
        Index("ix_events_type_occurred", "type", "occurred_at"),
        Index("ix_events_document", "document_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    resource_id: Mapped[int | None] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"))
    version_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id", ondelete="SET NULL"))
    capture_id: Mapped[int | None] = mapped_column(ForeignKey("captures.id", ondelete="SET NULL"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"))
    source: Mapped[str | None] = mapped_column(String(128))
    lang: Mapped[str | None] = mapped_column(String(8))
    summary: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Delivery(Base):
    """The outbox: one row per (event, alert rule, channel), written in the event's transaction.

    A row is sent once (`state` pending -> sent), retried with backoff while its channel fails,
    and marked failed with its reason after the configured number of tries. Digest rules' rows
    wait until their digest is due and are then sent together in one message.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "rule", "channel", name="uq_deliveries_event_rule_channel"),
        Index("ix_deliveries_state_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(128))
    channel: Mapped[str] = mapped_column(String(64))  # a digest of the URL: no secret stored
    mode: Mapped[str] = mapped_column(String(16), default="instant")  # instant | digest
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
