"""Re-extraction: bring stored versions' texts up to the current extractor, raising no events.

Each version records the extractor (`tracker.extract.EXTRACTOR_VERSION`) that made its text.
When that version goes up, every version made by an older one is read again from its raw blob
with the arguments its capture had (`tracker.store.extract_body`), and in one transaction per
version: the earlier text moves to `version_texts` (history), the new text becomes the
version's, its citations and (for a resource's latest version) its full-text row are made
again, and its change against the previous version (`text_identical`, `stats`) is recomputed,
as is the next version's when that one is already current. Events, the outbox and alerts are
never touched: the documents did not change, only the way their text is read.

Who runs it: `disarmwatch reextract`, and the service at start (in a background thread, see
tracker.service.runner). Crawls do not wait for it: a capture with new bytes of a resource whose
latest version is stale re-extracts that version first, in its own transaction
(`Store._prepare` / `Store._new_version`), so new bytes are always compared with current text.
Same bytes again need no text at all. Both writers claim a version with a guarded UPDATE (its
old extractor version and text): whoever comes second updates no row and uses what the first
wrote, so two writers never both replace a text, and nothing is compared with a text that is
being replaced.

A version whose raw file the new extractor cannot read keeps its text, gets the extractor
version and the reason in `reextract_failed_version` / `reextract_error`, and is not tried again
on every start: only when the extractor version goes up again, or with `--all`. Versions of
structured records (tracker.records) have no extracted text: their extractor version is only
brought up to date.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, delete, func, or_, select, update
from sqlalchemy.orm import Session

from tracker import search as search_index
from tracker.blobs import BlobStore, sha256_hex
from tracker.db import Database
from tracker.extract.model import EXTRACTOR_VERSION, Extraction, ExtractionError
from tracker.models import (
    Capture,
    Citation,
    Document,
    Outcome,
    Resource,
    Version,
    VersionText,
    utcnow,
)
from tracker.settings import Settings
from tracker.store import add_citations, extract_body, find_citations

log = logging.getLogger("disarmwatch.reextract")

RECORDS_MEDIA_TYPE = "application/json"  # structured records' versions: no extracted text
ERROR_LIMIT = 2_000

# What `apply` did with a version.
CHANGED = "changed"  # a new text; the old one is in version_texts
SAME_TEXT = "same_text"  # the same text again (citations and stats made again all the same)
FAILED = "failed"  # the raw file could not be read: the old text stays
SKIPPED = "skipped"  # another writer re-extracted it first

_VERSIONS = cast(Table, Version.__table__)


def is_stale(extractor_version: int, failed_version: int | None, media_type: str) -> bool:
    """Whether a version's text is due for re-extraction by the current extractor."""
    return (
        media_type != RECORDS_MEDIA_TYPE
        and extractor_version < EXTRACTOR_VERSION
        and (failed_version is None or failed_version < EXTRACTOR_VERSION)
    )


def _due(force: bool) -> ColumnElement[bool]:
    """`is_stale` in SQL; with `force`, every version that has extracted text."""
    clause = Version.media_type != RECORDS_MEDIA_TYPE
    if force:
        return clause
    return (
        clause
        & (Version.extractor_version < EXTRACTOR_VERSION)
        & or_(
            Version.reextract_failed_version.is_(None),
            Version.reextract_failed_version < EXTRACTOR_VERSION,
        )
    )


@dataclass
class Change:
    """A version's change against the version before it, as the store records it."""

    text_identical: bool = False
    stats: dict[str, Any] = field(default_factory=dict)


def change_between(old: str | None, new: str, *, timeout: float) -> Change:
    if old is None:
        return Change()  # a resource's first version
    if old == new:
        return Change(text_identical=True)
    from tracker.diff import change_stats, compute_diff

    return Change(stats=change_stats(compute_diff(old, new, timeout=timeout)).as_dict())


@dataclass
class Plan:
    """What re-extracting one version will write, worked out before its transaction opens."""

    version_id: int
    old_extractor_version: int
    old_text_sha256: str | None
    old_text_size: int
    error: str | None = None  # why the raw file could not be read
    extraction: Extraction | None = None
    text: str = ""
    text_sha256: str | None = None
    previous_text_sha256: str | None = None  # the text `change` is against
    change: Change = field(default_factory=Change)
    # The next version, when it is current already: its change against the new text.
    next_id: int | None = None
    next_text_sha256: str | None = None
    next_change: Change | None = None


def _text(blobs: BlobStore, sha: str | None) -> str | None:
    return None if sha is None else blobs.get(sha).decode("utf-8")


def plan_version(session: Session, version_id: int, *, diff_timeout: float = 2.0) -> Plan:
    """Read a version's raw file again with the current extractor (slow; writes nothing)."""
    version = session.get(Version, version_id)
    if version is None:
        raise LookupError(f"no version {version_id}")
    res = session.get(Resource, version.resource_id)
    assert res is not None
    out = Plan(version.id, version.extractor_version, version.text_sha256, version.text_size)
    # The capture that brought the version: its Content-Type and URL guide extraction.
    capture = session.execute(
        select(Capture.content_type, Capture.url, Capture.final_url)
        .where(Capture.version_id == version.id, Capture.outcome == Outcome.NEW_VERSION)
        .order_by(Capture.id)
        .limit(1)
    ).first()
    content_type = capture.content_type if capture is not None else version.media_type
    url = (capture.final_url or capture.url) if capture is not None else res.url
    blobs = BlobStore(session)
    try:
        raw = blobs.get(version.raw_sha256)
        out.extraction = extract_body(raw, content_type, url, res.format)
    except ExtractionError as exc:
        out.error = f"{exc.code}: {exc}"
    except Exception as exc:  # a damaged blob or an extractor bug: recorded, never a crash
        out.error = f"{type(exc).__name__}: {exc}"
    if out.error is not None:
        out.error = out.error[:ERROR_LIMIT]
        return out
    assert out.extraction is not None
    out.text = out.extraction.text
    out.text_sha256 = sha256_hex(out.text.encode("utf-8"))
    neighbours = session.execute(
        select(Version.id, Version.seq, Version.text_sha256, Version.extractor_version).where(
            Version.resource_id == version.resource_id,
            Version.seq.in_((version.seq - 1, version.seq + 1)),
        )
    ).all()
    for other in neighbours:
        if other.seq < version.seq:
            out.previous_text_sha256 = other.text_sha256
            previous = _text(blobs, other.text_sha256) or ""
            out.change = change_between(previous, out.text, timeout=diff_timeout)
        elif other.extractor_version >= EXTRACTOR_VERSION and other.text_sha256 is not None:
            # A stale next version gets its change when it is re-extracted itself.
            out.next_id, out.next_text_sha256 = other.id, other.text_sha256
            following = _text(blobs, other.text_sha256) or ""
            out.next_change = change_between(out.text, following, timeout=diff_timeout)
    return out


def apply(session: Session, plan: Plan, *, chain_max: int = 100, diff_timeout: float = 2.0) -> str:
    """Write a plan in the caller's transaction; returns CHANGED, SAME_TEXT, FAILED or SKIPPED."""
    # The claim: only while the version still has the text and extractor the plan started from.
    guard = update(_VERSIONS).where(
        _VERSIONS.c.id == plan.version_id,
        _VERSIONS.c.extractor_version == plan.old_extractor_version,
        _VERSIONS.c.text_sha256.is_(None)
        if plan.old_text_sha256 is None
        else _VERSIONS.c.text_sha256 == plan.old_text_sha256,
    )
    if plan.error is not None:
        values: dict[str, Any] = {
            "reextract_failed_version": EXTRACTOR_VERSION,
            "reextract_error": plan.error,
        }
    else:
        values = {
            "extractor_version": EXTRACTOR_VERSION,
            "reextract_failed_version": None,
            "reextract_error": None,
        }
    claimed = session.execute(guard.values(**values)).rowcount == 1
    version = session.get(Version, plan.version_id)
    assert version is not None
    session.expire(version)  # changed behind the ORM's back: read again when next used
    if not claimed:
        return SKIPPED
    if plan.error is not None:
        return FAILED
    extraction = plan.extraction
    assert extraction is not None and plan.text_sha256 is not None
    blobs = BlobStore(session, chain_max=chain_max)
    text_changed = plan.text_sha256 != plan.old_text_sha256
    if text_changed:
        # A delta against the previous version's text, as the store stores texts; a first
        # version's against its own older text.
        base = plan.previous_text_sha256 or plan.old_text_sha256
        blobs.put(plan.text.encode("utf-8"), base_sha256=base)
        if plan.old_text_sha256 is not None:
            session.add(
                VersionText(
                    version_id=version.id,
                    extractor_version=plan.old_extractor_version,
                    text_sha256=plan.old_text_sha256,
                    text_size=plan.old_text_size,
                    replaced_at=utcnow(),
                )
            )
        version.text_sha256 = plan.text_sha256
        version.text_size = len(plan.text.encode("utf-8"))
    version.media_type = extraction.media_type
    version.pages = extraction.pages if extraction.pages is not None else version.pages
    # Titles and dates often come from the catalogue, not the file: only gaps are filled.
    version.title = version.title or extraction.title
    version.doc_date = version.doc_date or extraction.date
    neighbours = {
        row.seq: row
        for row in session.execute(
            select(Version.id, Version.seq, Version.text_sha256, Version.extractor_version).where(
                Version.resource_id == version.resource_id,
                Version.seq.in_((version.seq - 1, version.seq + 1)),
            )
        )
    }
    previous = neighbours.get(version.seq - 1)
    change = plan.change
    if previous is not None and previous.text_sha256 != plan.previous_text_sha256:
        # Re-extracted by another writer since the plan: compare with its text of now.
        change = change_between(_text(blobs, previous.text_sha256), plan.text, timeout=diff_timeout)
    version.text_identical, version.stats = change.text_identical, change.stats
    following = neighbours.get(version.seq + 1)
    if following is not None and following.extractor_version >= EXTRACTOR_VERSION:
        next_change = plan.next_change
        if next_change is None or following.text_sha256 != plan.next_text_sha256:
            next_text = _text(blobs, following.text_sha256) or ""
            next_change = change_between(plan.text, next_text, timeout=diff_timeout)
        session.execute(
            update(_VERSIONS)
            .where(_VERSIONS.c.id == following.id)
            .values(text_identical=next_change.text_identical, stats=next_change.stats)
        )
    res = session.get(Resource, version.resource_id)
    doc = session.get(Document, res.document_id) if res is not None else None
    assert res is not None and doc is not None
    # Citations are made again even for the same text: the extractor may read links now.
    session.execute(delete(Citation).where(Citation.version_id == version.id))
    add_citations(session, version.id, find_citations(doc, extraction))
    session.flush()
    if text_changed and res.latest_version_id == version.id:
        search_index.index_version(session, version, plan.text)  # one row per resource
    return CHANGED if text_changed else SAME_TEXT


def reextract_version(db: Database, version_id: int, settings: Settings | None = None) -> str:
    """Re-extract one version: the plan outside any transaction, then one transaction."""
    settings = settings or Settings()
    with db.session() as session:
        work = plan_version(session, version_id, diff_timeout=settings.diff_timeout)
    with db.session() as session, session.begin():
        return apply(
            session,
            work,
            chain_max=settings.delta_chain_max,
            diff_timeout=settings.diff_timeout,
        )


def due_version_ids(db: Database, *, force: bool = False) -> list[int]:
    """Versions to re-extract, each resource's in order (a version is compared with the one
    before it, which is then re-extracted already)."""
    with db.session() as session:
        query = select(Version.id).where(_due(force)).order_by(Version.resource_id, Version.seq)
        return list(session.scalars(query))


def count_due(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Version).where(_due(False))) or 0


@dataclass
class Summary:
    extractor_version: int = EXTRACTOR_VERSION
    versions: int = 0  # versions looked at
    changed: int = 0
    same_text: int = 0
    failed: int = 0
    skipped: int = 0
    records: int = 0  # structured records' versions brought up to date without extraction
    seconds: float = 0.0
    stopped: bool = False  # stopped before the end (the service was stopping)
    failures: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


Progress = Callable[[int, int], None]  # (versions done, versions in all)


def reextract_all(
    db: Database,
    settings: Settings | None = None,
    *,
    force: bool = False,
    on_progress: Progress | None = None,
    stop: threading.Event | None = None,
) -> Summary:
    """Re-extract every version made by an older extractor (every version, with `force`)."""
    settings = settings or Settings()
    started = time.monotonic()
    summary = Summary()
    with db.session() as session, session.begin():
        summary.records = session.execute(
            update(_VERSIONS)
            .where(
                _VERSIONS.c.media_type == RECORDS_MEDIA_TYPE,
                _VERSIONS.c.extractor_version < EXTRACTOR_VERSION,
            )
            .values(extractor_version=EXTRACTOR_VERSION)
        ).rowcount
    ids = due_version_ids(db, force=force)
    for done, version_id in enumerate(ids):
        if stop is not None and stop.is_set():
            summary.stopped = True
            break
        if on_progress is not None:
            on_progress(done, len(ids))
        outcome = reextract_version(db, version_id, settings)
        summary.versions += 1
        setattr(summary, outcome, getattr(summary, outcome) + 1)
        if outcome == FAILED:
            summary.failures.append(_failure(db, version_id))
            log.warning("re-extraction failed, the older text is kept: %s", summary.failures[-1])
    if on_progress is not None and not summary.stopped:
        on_progress(len(ids), len(ids))
    summary.seconds = round(time.monotonic() - started, 3)
    return summary


def _failure(db: Database, version_id: int) -> dict[str, Any]:
    with db.session() as session:
        row = session.execute(
            select(Document.key, Resource.lang, Version.seq, Version.reextract_error)
            .join(Resource, Version.resource_id == Resource.id)
            .join(Document, Resource.document_id == Document.id)
            .where(Version.id == version_id)
        ).one()
    return {
        "version_id": version_id,
        "key": row.key,
        "lang": row.lang,
        "seq": row.seq,
        "error": row.reextract_error,
    }
