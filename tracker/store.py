"""The one door into the store: `Store.record_capture` turns one fetch into rows and events.

Every fetch attempt becomes a capture, whatever it found. Only content that passes the checks
(a real answer, the right magic bytes, extractable text) becomes a version, and only a version
whose text differs from the previous one raises an event. A failed fetch is never a change.
Each capture is recorded in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, Row, Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from tracker import search as search_index
from tracker.blobs import BlobStore, sha256_hex
from tracker.db import Database
from tracker.extract.model import EXTRACTOR_VERSION, Extraction, ExtractionError
from tracker.models import (
    Capture,
    Citation,
    CrawlRun,
    Document,
    Event,
    EventType,
    Outcome,
    Resource,
    Version,
    Watch,
    utcnow,
)
from tracker.records import get_kind
from tracker.settings import Settings

if TYPE_CHECKING:
    from tracker.reextract import Plan

# What a resource's format promises, so that a body of another kind is refused, not stored.
EXPECTED_MEDIA_TYPE = {"pdf": "application/pdf", "html": "text/html", "text": "text/plain"}
FAILURE_OUTCOMES = {Outcome.NOT_AVAILABLE, Outcome.ERROR}
AUTOMATIC_WATCH_ORIGINS = {"feed", "citation"}  # watches the crawler adds by itself


@dataclass
class CaptureInput:
    """One fetch attempt, as a spider or `disarmwatch ingest` saw it."""

    key: str
    kind: str = "symbol"
    lang: str = ""
    format: str = "pdf"
    url: str | None = None
    final_url: str | None = None
    status: int | None = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None
    size: int | None = None  # declared size, when the body was refused unread
    error: str | None = None  # transport error: timeout, reset, DNS...
    blocked: str | None = None  # refused before fetching (robots.txt) or walled: why
    fetched_at: datetime | None = None
    source: str | None = None
    run_id: int | None = None
    title: str | None = None
    meta: dict[str, Any] | None = None
    # Structured sources: rows of a registered record kind (tracker.records) instead of a body.
    records: list[dict[str, Any]] | None = None
    record_kind: str | None = None
    want_cited_keys: bool = False  # also report what an unchanged version cites


@dataclass
class EventRecord:
    id: int
    type: str
    summary: str
    data: dict[str, Any]


@dataclass
class CaptureResult:
    outcome: Outcome
    capture_id: int
    document_id: int
    resource_id: int
    version_id: int | None = None
    version_seq: int | None = None
    text_identical: bool = False
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    stats: dict[str, Any] | None = None
    events: list[EventRecord] = field(default_factory=list)
    cited_keys: list[str] = field(default_factory=list)  # what the current version cites


def _header(headers: Mapping[str, str], name: str) -> str | None:
    lname = name.lower()
    for key, value in headers.items():
        if key.lower() == lname:
            return value
    return None


def classify_failure(inp: CaptureInput, max_body_bytes: int) -> tuple[Outcome, str] | None:
    """The outcome of an answer that cannot be a version, with its reason; None if it may be one."""
    if inp.blocked:
        return Outcome.BLOCKED, inp.blocked
    if inp.error:
        return Outcome.ERROR, inp.error
    status = inp.status
    if _header(inp.headers, "x-amzn-waf-action") or (
        (_header(inp.headers, "cf-mitigated") or "").lower() == "challenge"
    ):
        return Outcome.BLOCKED, f"bot challenge (HTTP {status}): the site answered a wall"
    if status == 304:
        return Outcome.NOT_MODIFIED, ""
    if status in (404, 410):
        return Outcome.NOT_AVAILABLE, f"HTTP {status}: not found"
    if status is not None and status == 202:
        return Outcome.BLOCKED, "HTTP 202 with no document: an unfinished or challenged answer"
    if status is not None and not 200 <= status < 300:
        return Outcome.ERROR, f"HTTP {status}"
    size = inp.size if inp.size is not None else len(inp.body or b"")
    if size > max_body_bytes:
        return Outcome.ERROR, f"answer of {size:,} bytes exceeds the limit of {max_body_bytes:,}"
    if inp.body is None or not inp.body.strip():
        return Outcome.NOT_AVAILABLE, f"HTTP {status} with an empty body: not published yet"
    return None


def extract_body(body: bytes, content_type: str | None, url: str | None, fmt: str) -> Extraction:
    """The text of a fetched body, extracted as the store extracts every capture's body.

    Re-extraction (tracker.reextract) calls this with what the version's capture recorded (its
    Content-Type header and URL), so a stored version is read again exactly as it was first.
    """
    from tracker.extract import extract_text  # not needed by unchanged captures

    return extract_text(body, content_type, url=url, expected=EXPECTED_MEDIA_TYPE.get(fmt))


def find_citations(doc: Document, extraction: Extraction) -> list[Any]:
    """What a version's text and links cite (tracker.citations), its own symbol left out."""
    from tracker import citations as citation_extractor

    self_symbol = doc.key if doc.kind == "symbol" else None
    return citation_extractor.extract_citations(
        extraction.text, self_symbol=self_symbol, links=extraction.links
    )


def add_citations(session: Session, version_id: int, found: list[Any]) -> None:
    for position, cite in enumerate(found):
        session.add(
            Citation(
                version_id=version_id,
                cited_key=cite.key,
                kind=cite.kind,
                raw=cite.raw,
                context=cite.context,
                position=position,
            )
        )


def _utc(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _resource_label(doc: Document, res: Resource) -> str:
    return f"{doc.key} ({res.lang})" if res.lang else doc.key


@dataclass
class _Prepared:
    """Work done before the transaction opens: hashing, text extraction, diffing."""

    sha: str | None = None
    extraction: Extraction | None = None
    extraction_error: ExtractionError | None = None
    text_sha: str | None = None
    based_on_version_id: int | None = None
    based_on_text_sha: str | None = None  # the latest version's text the stats are against
    # The latest version re-extracted by the current extractor (tracker.reextract.Plan), when
    # it was made by an older one: applied in the capture's transaction, compared against.
    latest_reextracted: Plan | None = None
    stats: dict[str, Any] | None = None
    text_identical: bool = False
    added_text: str = ""  # what the new version adds, for alert rules that look for words


# The tables in SQL Core, for the path every unchanged capture takes (`_record_still_current`).
_DOCUMENTS, _RESOURCES, _VERSIONS, _CAPTURES, _CITATIONS = (
    cast(Table, model.__table__) for model in (Document, Resource, Version, Capture, Citation)
)
# A capture's document, resource and latest version: what `_find` reads, as plain columns.
_STATE = (
    select(
        _DOCUMENTS.c.id.label("document_id"),
        _DOCUMENTS.c.meta,
        _RESOURCES.c.id.label("resource_id"),
        _RESOURCES.c.url,
        _RESOURCES.c.is_gone,
        _RESOURCES.c.etag,
        _RESOURCES.c.last_modified,
        _VERSIONS.c.id.label("version_id"),
        _VERSIONS.c.seq.label("version_seq"),
        _VERSIONS.c.raw_sha256,
        _VERSIONS.c.text_sha256,
        _VERSIONS.c.media_type,
        _VERSIONS.c.extractor_version,
        _VERSIONS.c.reextract_failed_version,
    )
    .select_from(
        _DOCUMENTS.join(_RESOURCES, _RESOURCES.c.document_id == _DOCUMENTS.c.id).outerjoin(
            _VERSIONS, _VERSIONS.c.id == _RESOURCES.c.latest_version_id
        )
    )
    .where(
        _DOCUMENTS.c.kind == bindparam("kind"),
        _DOCUMENTS.c.key == bindparam("key"),
        _RESOURCES.c.lang == bindparam("lang"),
        _RESOURCES.c.format == bindparam("format"),
    )
)


# What a capture that finds the latest version still current writes; values come as parameters.
_INSERT_CAPTURE = insert(_CAPTURES)
_SEEN_VERSION = (
    update(_VERSIONS)
    .where(_VERSIONS.c.id == bindparam("b_id"))
    .values(last_seen_at=bindparam("b_now"))
)
_CURRENT_RESOURCE = (
    update(_RESOURCES)
    .where(_RESOURCES.c.id == bindparam("b_id"))
    .values(
        consecutive_failures=0,
        etag=bindparam("b_etag"),
        last_modified=bindparam("b_last_modified"),
        last_capture_at=bindparam("b_now"),
        last_outcome=bindparam("b_outcome"),
        url=bindparam("b_url"),
    )
)
_DOCUMENT_META = (
    update(_DOCUMENTS).where(_DOCUMENTS.c.id == bindparam("b_id")).values(meta=bindparam("b_meta"))
)
_CITED_KEYS = (
    select(_CITATIONS.c.cited_key)
    .where(_CITATIONS.c.version_id == bindparam("b_id"))
    .order_by(_CITATIONS.c.position)
)


def _state_params(inp: CaptureInput) -> dict[str, str]:
    return {"kind": inp.kind, "key": inp.key, "lang": inp.lang, "format": inp.format}


def _touches_rows(state: Row[Any], inp: CaptureInput) -> bool:
    """Whether `_document_and_resource` would change the document's meta or resource's URL."""
    meta_changes = bool(inp.meta) and {**(state.meta or {}), **(inp.meta or {})} != state.meta
    return meta_changes or bool(inp.url and state.url != inp.url)


def _still_current(
    state: Row[Any] | None,
    inp: CaptureInput,
    failure: tuple[Outcome, str] | None,
    sha: str | None,
) -> bool:
    """Whether this capture only confirms the latest version: the same bytes again or a 304,
    of a resource that has a version and is not gone (its return would be an event)."""
    if state is None or state.version_id is None or state.is_gone:
        return False
    if failure is not None:
        return failure[0] == Outcome.NOT_MODIFIED
    return sha is not None and state.raw_sha256 == sha


def _made_by_older_extractor(latest: Row[Any] | Version | None) -> bool:
    """Whether the latest version's text is due for re-extraction (tracker.reextract)."""
    if latest is None:
        return False
    from tracker.reextract import is_stale

    return is_stale(latest.extractor_version, latest.reextract_failed_version, latest.media_type)


# Called inside a capture's transaction with its events (ids assigned) and the text the new
# version added: the alert outbox is written here, so an event and its deliveries commit together.
EventSink = Callable[[Session, list[Event], str], None]
ADDED_TEXT_LIMIT = 200_000


class Store:
    """Records captures and answers the questions the rest of the project asks of them."""

    def __init__(
        self, db: Database, settings: Settings | None = None, event_sink: EventSink | None = None
    ) -> None:
        self.db = db
        self.settings = settings or Settings()
        self.event_sink = event_sink

    # -- writing ---------------------------------------------------------------------------

    def record_capture(self, inp: CaptureInput) -> CaptureResult:
        """Record one fetch attempt in one transaction; return what happened."""
        if inp.record_kind is not None:
            # Rows, and failures to get them, belong to the same JSON resource.
            inp.format = "json"
        if inp.records is not None:
            inp.body = get_kind(inp.record_kind or "").to_bytes(inp.records)
        failure = classify_failure(inp, self.settings.max_body_bytes)
        sha = sha256_hex(inp.body) if failure is None and inp.body is not None else None
        state: Row[Any] | None = None
        if failure is None or failure[0] == Outcome.NOT_MODIFIED:
            # What a re-crawl mostly finds: the same bytes again, or a 304. One query and a few
            # plain statements in one transaction, instead of loading and flushing ORM objects.
            with self.db.engine.begin() as conn:
                state = conn.execute(_STATE, _state_params(inp)).first()
                if _still_current(state, inp, failure, sha):
                    assert state is not None
                    return self._record_still_current(conn, inp, failure, sha, state)
        if (
            failure is None
            and state is not None
            and state.raw_sha256 != sha
            and not _touches_rows(state, inp)
        ):
            # New bytes of a known resource: the query above said all the ORM read would.
            latest_id, latest_text = state.version_id, state.text_sha256
            latest_stale = state.version_id is not None and _made_by_older_extractor(state)
        else:
            # A failure or the same bytes again needs no extraction: record it straight away.
            with self.db.session() as session, session.begin():
                doc, res, latest = self._document_and_resource(
                    session, inp, known_missing=failure is None and state is None
                )
                if failure is not None or (latest is not None and latest.raw_sha256 == sha):
                    prepared = _Prepared(sha=sha)
                    return self._record(session, inp, failure, prepared, doc, res, latest)
                latest_id = latest.id if latest is not None else None
                latest_text = latest.text_sha256 if latest is not None else None
                latest_stale = _made_by_older_extractor(latest)
        # New bytes: extract and diff outside any transaction (the slow part), then record.
        prepared = self._prepare(inp, sha, latest_id, latest_text, latest_stale)
        with self.db.session() as session, session.begin():
            doc, res, latest = self._document_and_resource(session, inp)
            return self._record(session, inp, None, prepared, doc, res, latest)

    @staticmethod
    def _find(
        session: Session, inp: CaptureInput
    ) -> tuple[Document, Resource, Version | None] | None:
        """The document, resource and latest version a capture is about, in one query."""
        found = session.execute(
            select(Document, Resource, Version)
            .join(Resource, Resource.document_id == Document.id)
            .outerjoin(Version, Version.id == Resource.latest_version_id)
            .where(
                Document.kind == inp.kind,
                Document.key == inp.key,
                Resource.lang == inp.lang,
                Resource.format == inp.format,
            )
        ).first()
        return None if found is None else (found[0], found[1], found[2])

    def _prepare(
        self,
        inp: CaptureInput,
        sha: str | None,
        latest_id: int | None,
        latest_text: str | None,
        latest_stale: bool = False,
    ) -> _Prepared:
        """Extract and diff new bytes: the slow part of a capture, done outside transactions.

        `latest_stale`: the latest version's text was made by an older extractor. It is
        re-extracted first and the new bytes are compared with that text, so that an upgrade
        of the extractor never shows as a change of the document.
        """
        assert inp.body is not None
        prepared = _Prepared(sha=sha, based_on_version_id=latest_id)
        if inp.records is not None:
            rows_text = get_kind(inp.record_kind or "").to_text(inp.records)
            prepared.extraction = Extraction(text=rows_text, media_type="application/json")
        else:
            try:
                prepared.extraction = extract_body(
                    inp.body,
                    _header(inp.headers, "content-type"),
                    inp.final_url or inp.url,
                    inp.format,
                )
            except ExtractionError as exc:
                prepared.extraction_error = exc
                return prepared
        old: str | None = None
        if latest_stale and latest_id is not None and inp.records is None:
            from tracker import reextract

            with self.db.session() as session:
                plan = reextract.plan_version(
                    session, latest_id, diff_timeout=self.settings.diff_timeout
                )
            prepared.latest_reextracted = plan
            if plan.error is None:
                latest_text, old = plan.text_sha256, plan.text
        prepared.based_on_text_sha = latest_text
        text = prepared.extraction.text
        prepared.text_sha = sha256_hex(text.encode("utf-8"))
        if latest_text is not None:
            if latest_text == prepared.text_sha:
                prepared.text_identical = True
            elif inp.records is None:
                from tracker.diff import change_stats, compute_diff

                if old is None:
                    with self.db.session() as session:
                        old = BlobStore(session).get(latest_text).decode("utf-8")
                diff = compute_diff(old, text, timeout=self.settings.diff_timeout)
                prepared.stats = change_stats(diff).as_dict()
                prepared.added_text = "".join(t for op, t in diff.ops if op == 1)
                prepared.added_text = prepared.added_text[:ADDED_TEXT_LIMIT]
        elif inp.records is None:
            prepared.added_text = text[:ADDED_TEXT_LIMIT]  # a first version adds all of it
        return prepared

    def _record(
        self,
        session: Session,
        inp: CaptureInput,
        failure: tuple[Outcome, str] | None,
        prepared: _Prepared,
        doc: Document,
        res: Resource,
        latest: Version | None,
    ) -> CaptureResult:
        now = _utc(inp.fetched_at)
        capture = Capture(
            resource_id=res.id,
            run_id=inp.run_id,
            source=inp.source,
            fetched_at=now,
            url=inp.url,
            final_url=inp.final_url,
            http_status=inp.status,
            content_type=_header(inp.headers, "content-type"),
            etag=_header(inp.headers, "etag"),
            last_modified=_header(inp.headers, "last-modified"),
            size=inp.size if inp.size is not None else (len(inp.body) if inp.body else 0),
            sha256=prepared.sha,
            outcome=Outcome.ERROR,
        )
        session.add(capture)
        result = CaptureResult(
            outcome=Outcome.ERROR, capture_id=0, document_id=doc.id, resource_id=res.id
        )
        blobs = BlobStore(session, chain_max=self.settings.delta_chain_max)
        events: list[Event] = []

        if failure is None and prepared.extraction_error is not None:
            failure = (Outcome.ERROR, str(prepared.extraction_error))
            # Keep the bytes of what could not be read: nothing fetched is lost.
            capture.raw_sha256 = blobs.put(inp.body or b"")
        if failure is not None and failure[0] != Outcome.NOT_MODIFIED:
            outcome, reason = failure
            capture.outcome, capture.error = outcome, reason
            result.outcome, result.error = outcome, reason
            if outcome in FAILURE_OUTCOMES:
                res.consecutive_failures += 1
                if (
                    res.version_count > 0
                    and not res.is_gone
                    and res.consecutive_failures >= self.settings.gone_after_failures
                ):
                    res.is_gone = True
                    events.append(
                        self._event(
                            EventType.GONE,
                            doc,
                            res,
                            inp,
                            now,
                            f"{_resource_label(doc, res)}: gone after "
                            f"{res.consecutive_failures} failed fetches ({reason})",
                            {"failures": res.consecutive_failures, "reason": reason},
                        )
                    )
        elif failure is not None or (latest is not None and latest.raw_sha256 == prepared.sha):
            # 304, or the same bytes again: the latest version is still current.
            outcome = Outcome.NOT_MODIFIED if failure is not None else Outcome.UNCHANGED
            capture.outcome = result.outcome = outcome
            if latest is not None:
                latest.last_seen_at = now
                capture.version_id = latest.id
                result.version_id, result.version_seq = latest.id, latest.seq
            if latest is not None and inp.want_cited_keys:
                result.cited_keys = list(
                    dict.fromkeys(
                        session.scalars(
                            select(Citation.cited_key)
                            .where(Citation.version_id == latest.id)
                            .order_by(Citation.position)
                        )
                    )
                )
            events += self._came_back(doc, res, inp, now)
        else:
            version, new_events, result.cited_keys = self._new_version(
                session, blobs, doc, res, latest, inp, prepared, now
            )
            capture.outcome = result.outcome = Outcome.NEW_VERSION
            capture.version_id = version.id
            result.version_id, result.version_seq = version.id, version.seq
            result.text_identical = version.text_identical
            result.stats = version.stats or None
            events += self._came_back(doc, res, inp, now) + new_events

        if prepared.extraction is not None and prepared.extraction.warnings:
            capture.warnings = "\n".join(prepared.extraction.warnings)
            result.warnings = list(prepared.extraction.warnings)
        if capture.outcome not in {o.value for o in FAILURE_OUTCOMES}:
            res.consecutive_failures = 0
        if capture.outcome != Outcome.BLOCKED:
            res.etag = capture.etag or res.etag
            res.last_modified = capture.last_modified or res.last_modified
        res.last_capture_at = now
        res.last_outcome = capture.outcome
        session.flush()
        for ev in events:
            ev.capture_id = capture.id
            session.add(ev)
        session.flush()
        if events:
            doc.last_change_at = now
            if self.event_sink is not None:
                self.event_sink(session, events, prepared.added_text)
        result.capture_id = capture.id
        result.events = [EventRecord(e.id, e.type, e.summary, e.data) for e in events]
        return result

    def _document_and_resource(
        self, session: Session, inp: CaptureInput, *, known_missing: bool = False
    ) -> tuple[Document, Resource, Version | None]:
        """The capture's document, resource and latest version, created when new.

        One query in the common case (all three exist). `known_missing`: the caller has just
        seen that the resource does not exist, so it is not looked for again.
        """
        found = None if known_missing else self._find(session, inp)
        if found is not None:
            doc, res, latest = found
        else:
            doc = session.execute(
                select(Document).where(Document.kind == inp.kind, Document.key == inp.key)
            ).scalar_one_or_none()
            if doc is None:
                doc = Document(kind=inp.kind, key=inp.key, title=inp.title, meta=inp.meta or {})
                session.add(doc)
                session.flush()
            res = Resource(document_id=doc.id, lang=inp.lang, format=inp.format, url=inp.url)
            session.add(res)
            session.flush()
            latest = None
        if inp.meta and {**(doc.meta or {}), **inp.meta} != doc.meta:
            doc.meta = {**(doc.meta or {}), **inp.meta}
        if inp.url and res.url != inp.url:
            res.url = inp.url
        return doc, res, latest

    def _new_version(
        self,
        session: Session,
        blobs: BlobStore,
        doc: Document,
        res: Resource,
        latest: Version | None,
        inp: CaptureInput,
        prepared: _Prepared,
        now: datetime,
    ) -> tuple[Version, list[Event], list[str]]:
        extraction = prepared.extraction
        assert extraction is not None and inp.body is not None
        reextracted = prepared.latest_reextracted
        if latest is not None and reextracted is not None and reextracted.version_id == latest.id:
            from tracker import reextract

            # Unless another writer re-extracted it first (then `latest` is reloaded as it is).
            reextract.apply(
                session,
                reextracted,
                chain_max=self.settings.delta_chain_max,
                diff_timeout=self.settings.diff_timeout,
            )
        if latest is not None and (
            prepared.based_on_version_id != latest.id
            or prepared.based_on_text_sha != latest.text_sha256
        ):
            # Another writer added a version, or re-extracted the latest one, since we prepared:
            # compare with the real latest.
            prepared = self._rebase(blobs, latest, prepared)
        text = extraction.text.encode("utf-8")
        base = latest.text_sha256 if latest is not None else None
        # Text first: a plain-text body is its own text, and should be stored as a delta.
        text_sha = blobs.put(text, base_sha256=base)
        raw_sha = blobs.put(inp.body)
        version = Version(
            resource_id=res.id,
            seq=res.version_count + 1,
            raw_sha256=raw_sha,
            text_sha256=text_sha,
            media_type=extraction.media_type,
            raw_size=len(inp.body),
            text_size=len(text),
            pages=extraction.pages,
            title=inp.title or extraction.title,
            doc_date=extraction.date,
            first_seen_at=now,
            last_seen_at=now,
            text_identical=prepared.text_identical,
            stats=prepared.stats or {},
            extractor_version=EXTRACTOR_VERSION,
            records=(
                {
                    "kind": inp.record_kind,
                    "rows": get_kind(inp.record_kind or "").canonical(inp.records),
                }
                if inp.records is not None
                else None
            ),
        )
        session.add(version)
        session.flush()
        found = find_citations(doc, extraction) if inp.records is None else []
        add_citations(session, version.id, found)
        first_of_resource = res.version_count == 0
        res.version_count += 1
        res.latest_version_id = version.id
        if not doc.title and version.title:
            doc.title = version.title
        search_index.index_version(session, version, extraction.text)  # migration 0003
        label = _resource_label(doc, res)
        title = f" - {version.title}" if version.title else ""
        events: list[Event] = []

        def emit(etype: EventType, summary: str, data: dict[str, Any] | None = None) -> None:
            events.append(self._event(etype, doc, res, inp, now, summary, data or {}))

        if first_of_resource:
            others = session.execute(
                select(Resource.lang, Resource.version_count).where(
                    Resource.document_id == doc.id, Resource.id != res.id
                )
            ).all()
            doc_had_versions = any(count > 0 for _lang, count in others)
            same_lang = any(lang == res.lang and count > 0 for lang, count in others)
            waited = session.execute(
                select(Capture.id)
                .where(Capture.resource_id == res.id, Capture.outcome == Outcome.NOT_AVAILABLE)
                .limit(1)
            ).first()
            if not doc_had_versions and waited:
                emit(EventType.DOCUMENT_PUBLISHED, f"{label}: published{title}")
            elif not doc_had_versions:
                emit(EventType.NEW_DOCUMENT, f"{label}: new document{title}")
            elif not same_lang:
                emit(
                    EventType.NEW_LANGUAGE_VERSION,
                    f"{doc.key}: new language version ({res.lang}){title}",
                )
            else:
                emit(
                    EventType.NEW_VERSION,
                    f"{label}: new {res.format} file{title}",
                    {"format": res.format},
                )
        elif inp.records is not None:
            old_rows = (latest.records or {}).get("rows", []) if latest is not None else []
            record_label = str((doc.meta or {}).get("label") or doc.key)
            for rec in get_kind(inp.record_kind or "").events(record_label, old_rows, inp.records):
                emit(EventType(rec.type), rec.summary, rec.data)
        elif not version.text_identical or self.settings.alert_text_identical:
            stats = version.stats or {}
            change = (
                "replaced"
                if stats.get("replaced")
                else f"+{stats.get('chars_added', 0)}/-{stats.get('chars_removed', 0)} characters"
            )
            emit(
                EventType.NEW_VERSION,
                f"{label}: version {version.seq} ({change})",
                {"seq": version.seq, "stats": stats, "text_identical": version.text_identical},
            )
        for ev in events:
            ev.version_id = version.id
        return version, events, list(dict.fromkeys(c.key for c in found))

    def _rebase(self, blobs: BlobStore, latest: Version, prepared: _Prepared) -> _Prepared:
        assert prepared.extraction is not None
        prepared.text_identical = latest.text_sha256 == prepared.text_sha
        prepared.stats = None
        if not prepared.text_identical and latest.text_sha256:
            from tracker.diff import change_stats, compute_diff

            old = blobs.get(latest.text_sha256).decode("utf-8")
            diff = compute_diff(old, prepared.extraction.text, timeout=self.settings.diff_timeout)
            prepared.stats = change_stats(diff).as_dict()
            added = "".join(t for op, t in diff.ops if op == 1)
            prepared.added_text = added[:ADDED_TEXT_LIMIT]
        prepared.based_on_version_id = latest.id
        prepared.based_on_text_sha = latest.text_sha256
        return prepared

    def _record_still_current(
        self,
        conn: Connection,
        inp: CaptureInput,
        failure: tuple[Outcome, str] | None,
        sha: str | None,
        state: Row[Any],
    ) -> CaptureResult:
        """`_record` for the same bytes again or a 304, in plain statements on `conn`.

        Writes exactly what `_record` writes then (`_still_current` says when that is): the
        capture, the latest version's last_seen_at, the resource's state, and the document's
        meta or resource's URL when the capture brings new ones.
        """
        outcome = Outcome.NOT_MODIFIED if failure is not None else Outcome.UNCHANGED
        now = _utc(inp.fetched_at)
        etag = _header(inp.headers, "etag")
        last_modified = _header(inp.headers, "last-modified")
        capture = {
            "resource_id": state.resource_id,
            "run_id": inp.run_id,
            "source": inp.source,
            "fetched_at": now,
            "url": inp.url,
            "final_url": inp.final_url,
            "http_status": inp.status,
            "content_type": _header(inp.headers, "content-type"),
            "etag": etag,
            "last_modified": last_modified,
            "size": inp.size if inp.size is not None else (len(inp.body) if inp.body else 0),
            "sha256": sha,
            "outcome": outcome.value,
            "version_id": state.version_id,
        }
        capture_id = conn.execute(_INSERT_CAPTURE, capture).inserted_primary_key[0]
        conn.execute(_SEEN_VERSION, {"b_id": state.version_id, "b_now": now})
        conn.execute(
            _CURRENT_RESOURCE,
            {
                "b_id": state.resource_id,
                "b_etag": etag or state.etag,
                "b_last_modified": last_modified or state.last_modified,
                "b_now": now,
                "b_outcome": outcome.value,
                "b_url": inp.url if inp.url else state.url,
            },
        )
        if inp.meta and {**(state.meta or {}), **inp.meta} != state.meta:
            meta = {**(state.meta or {}), **inp.meta}
            conn.execute(_DOCUMENT_META, {"b_id": state.document_id, "b_meta": meta})
        result = CaptureResult(
            outcome=outcome,
            capture_id=capture_id,
            document_id=state.document_id,
            resource_id=state.resource_id,
            version_id=state.version_id,
            version_seq=state.version_seq,
        )
        if inp.want_cited_keys:
            cited = conn.scalars(_CITED_KEYS, {"b_id": state.version_id})
            result.cited_keys = list(dict.fromkeys(cited))
        return result

    def _came_back(
        self, doc: Document, res: Resource, inp: CaptureInput, now: datetime
    ) -> list[Event]:
        if not res.is_gone:
            return []
        res.is_gone = False
        return [
            self._event(
                EventType.BACK, doc, res, inp, now, f"{_resource_label(doc, res)}: back again", {}
            )
        ]

    @staticmethod
    def _event(
        etype: EventType,
        doc: Document,
        res: Resource | None,
        inp: CaptureInput,
        now: datetime,
        summary: str,
        data: dict[str, Any],
    ) -> Event:
        return Event(
            type=etype.value,
            occurred_at=now,
            document_id=doc.id,
            resource_id=res.id if res is not None else None,
            run_id=inp.run_id,
            source=inp.source,
            lang=res.lang if res is not None and res.lang else None,
            summary=summary,
            data=data,
        )

    # -- what the crawler needs besides captures --------------------------------------------

    def all_validators(self) -> dict[tuple[str, str, str, str], tuple[str | None, str | None]]:
        """Every (kind, key, lang, format) with validators, in one query, for a crawl's start."""
        with self.db.session() as session:
            rows = session.execute(
                select(
                    Document.kind,
                    Document.key,
                    Resource.lang,
                    Resource.format,
                    Resource.etag,
                    Resource.last_modified,
                )
                .join(Document, Resource.document_id == Document.id)
                .where(
                    Resource.latest_version_id.is_not(None),
                    (Resource.etag.is_not(None)) | (Resource.last_modified.is_not(None)),
                )
            )
            return {(k, key, lang, fmt): (etag, lm) for k, key, lang, fmt, etag, lm in rows}

    def add_watch(
        self,
        source: str,
        key: str,
        *,
        kind: str = "symbol",
        origin: str = "config",
        cited_by: str | None = None,
        depth: int = 0,
    ) -> bool:
        """Watch a document for a source; False when it was watched already.

        A watch a person removed is only restored by a person (config, CLI, API): a feed or a
        citation that still lists the document does not bring it back.
        """
        with self.db.session() as session, session.begin():
            found = session.execute(
                select(Watch).where(Watch.source == source, Watch.kind == kind, Watch.key == key)
            ).scalar_one_or_none()
            if found is not None:
                if not found.active and origin not in AUTOMATIC_WATCH_ORIGINS:
                    found.active = True
                    return True
                return False
            session.add(
                Watch(
                    source=source, kind=kind, key=key, origin=origin, cited_by=cited_by, depth=depth
                )
            )
            return True

    def watches(self, source: str, *, kind: str | None = None) -> list[Watch]:
        with self.db.session() as session:
            query = select(Watch).where(Watch.source == source, Watch.active.is_(True))
            if kind is not None:
                query = query.where(Watch.kind == kind)
            return list(session.execute(query.order_by(Watch.id)).scalars())

    def start_run(self, source: str, spider: str | None = None) -> int:
        with self.db.session() as session, session.begin():
            run = CrawlRun(source=source, spider=spider, started_at=utcnow(), status="running")
            session.add(run)
            session.flush()
            return run.id

    def finish_run(
        self,
        run_id: int,
        *,
        status: str,
        counts: dict[str, Any] | None = None,
        log_tail: str | None = None,
    ) -> None:
        with self.db.session() as session, session.begin():
            run = session.get(CrawlRun, run_id)
            if run is None:
                raise LookupError(f"no crawl run {run_id}")
            run.status = status
            run.finished_at = utcnow()
            run.counts = counts or {}
            if log_tail is not None:
                run.log_tail = log_tail[-20_000:]
