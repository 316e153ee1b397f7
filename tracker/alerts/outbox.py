"""The store's event sink: one delivery per (event, rule, channel), in the capture's transaction.

Writing the outbox in the transaction that writes the events means an event exists if and only if
its deliveries do: a crash before commit loses both (the capture is simply redone), a crash after
commit leaves pending rows that the deliverer sends after restart. Nothing is sent from here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Dialect, bindparam, insert, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from tracker.alerts.rules import CompiledRule, RuleIndex
from tracker.alerts.secrets import channel_id
from tracker.config import Config, load_config
from tracker.models import Delivery, Document, Event, utcnow
from tracker.settings import Settings
from tracker.store import EventSink

log = logging.getLogger(__name__)

# The columns a queued delivery sets, in this order in the rows of `OutboxSink.rows_for`'s
# tuples, and their PostgreSQL types for a binary COPY (which must name each column's exact type;
# tests/test_outbox.py runs on PostgreSQL, so a schema change that breaks this is caught there).
COLUMNS = (
    "event_id",
    "rule",
    "channel",
    "mode",
    "state",
    "attempts",
    "next_attempt_at",
    "created_at",
)
PG_TYPES = (
    "int4",
    "varchar",
    "varchar",
    "varchar",
    "varchar",
    "int4",
    "timestamptz",
    "timestamptz",
)
# Prebuilt (no statement built per capture), run through Core (no ORM execution overhead).
DOCUMENT_KEYS = select(Document.__table__.c.id, Document.__table__.c.key).where(
    Document.__table__.c.id.in_(bindparam("ids", expanding=True))
)
SQLITE_INSERT = (
    f"INSERT INTO {Delivery.__tablename__} ({', '.join(COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(COLUMNS))})"
)
COPY_SQL = f"COPY {Delivery.__tablename__} ({', '.join(COLUMNS)}) FROM STDIN (FORMAT BINARY)"


def _datetime_converter(dialect: Dialect) -> Callable[[datetime], object] | None:
    """The conversion SQLAlchemy applies to a timestamp parameter of the outbox table."""
    return Delivery.__table__.c.created_at.type.dialect_impl(dialect).bind_processor(dialect)


class OutboxSink:
    """An `EventSink` writing `Delivery` rows for the rules of `config`."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.rules = [CompiledRule(r) for r in config.rules]
        self.index = RuleIndex(self.rules)
        # Digests of each rule's channels, computed once (a rule listing a URL twice sends once).
        self.channels = {
            r.name: list(dict.fromkeys(channel_id(u) for u in r.channels)) for r in config.rules
        }

    def __call__(self, session: Session, events: list[Event], added_text: str) -> None:
        rows = self.rows_for(session, events, added_text)
        if not rows:
            return
        connection = session.connection()  # the capture's transaction, begun if need be
        if connection.dialect.name == "postgresql":
            # One binary COPY on the same connection, so in the same transaction: an executemany
            # is a round trip and a parse per row (psycopg pipelines them, still ~2.5x slower), an
            # INSERT .. RETURNING page or unnest() arrays measured slower than COPY too.
            driver = connection.connection.driver_connection
            dbapi = connection.dialect.loaded_dbapi
            try:
                with driver.cursor() as cursor, cursor.copy(COPY_SQL) as copy:
                    copy.set_types(PG_TYPES)
                    for row in rows:
                        copy.write_row(row)
            except dbapi.Error as err:  # as SQLAlchemy raises it (IntegrityError for a duplicate)
                raise DBAPIError.instance(COPY_SQL, None, err, dbapi.Error) from err
        elif connection.dialect.name == "sqlite":
            # The driver's executemany of plain tuples, in the same transaction: SQLAlchemy's
            # executemany spends most of its time converting each row's two timestamps, which
            # are the same `now` for every row of a call, so they are converted once here (by
            # the column type's own converter, so they are stored exactly as before).
            convert = _datetime_converter(connection.dialect)
            done: dict[datetime, object] = {}
            for value in {r[6] for r in rows} | {r[7] for r in rows}:
                done[value] = convert(value) if convert is not None else value
            connection.exec_driver_sql(
                SQLITE_INSERT, [(*r[:6], done[r[6]], done[r[7]]) for r in rows]
            )
        else:
            session.execute(
                insert(Delivery.__table__), [dict(zip(COLUMNS, r, strict=True)) for r in rows]
            )

    def _document_keys(self, session: Session, events: list[Event]) -> dict[int | None, str]:
        """The events' documents' keys (globs match keys): from the session when it holds the
        documents (a capture does), else in one small query, not one per event."""
        keys: dict[int | None, str] = {}
        missing = set()
        identity_map = session.identity_map
        for event in events:
            doc_id = event.document_id
            if doc_id is None or doc_id in keys:
                continue
            doc = identity_map.get(identity_key(Document, doc_id))
            if doc is not None:
                keys[doc_id] = doc.key
            else:
                missing.add(doc_id)
        if missing:
            keys.update(session.connection().execute(DOCUMENT_KEYS, {"ids": sorted(missing)}).all())
        return keys

    def rows_for(
        self, session: Session, events: list[Event], added_text: str, now: datetime | None = None
    ) -> list[tuple]:
        """The outbox rows for `events` (flushed, so with ids): tuples of `COLUMNS`' values."""
        now = now or utcnow()
        match = self.index.matcher(added_text.casefold() if added_text else "")
        keys = self._document_keys(session, events)
        channels = self.channels
        rows: list[tuple] = []
        for event in events:
            data = event.data or {}
            for compiled in match(
                event.type,
                keys.get(event.document_id, ""),
                event.source,
                event.lang,
                data.get("state"),
                bool(data.get("text_identical")),
                event.summary.casefold(),
            ):
                rule = compiled.rule
                for channel in channels[rule.name]:
                    rows.append((event.id, rule.name, channel, rule.mode, "pending", 0, now, now))
        if rows:
            log.debug("outbox: %d deliveries queued for %d events", len(rows), len(events))
        return rows


def event_sink_for_settings(settings: Settings) -> EventSink | None:
    """The outbox sink for the rules of `settings.config_file`; None when there are no rules."""
    config = load_config(settings.config_file)
    if not config.rules:
        return None
    return OutboxSink(config)
