"""Sending the outbox: each (event, rule, channel) row exactly once, retried with backoff.

Protocol for one row (`deliver_due`), each step its own short transaction:

1. claim: ``UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = now + lease
   WHERE id = :id AND state = 'pending' AND attempts = :seen AND next_attempt_at <= :now``.
   Only one worker can win (the row changed under the others, whatever the backend), and no
   lock is held while talking to the network (SQLite would block every capture meanwhile).
2. send through Apprise;
3. right after Apprise reports success, one UPDATE marks the row sent (guarded by the claimed
   `attempts`), and commits. On failure the row gets its reason and its next attempt at
   ``now + delivery_backoff * 2**(attempts - 1)``, or `failed` after the rule's `max_attempts`
   (default: `settings.delivery_max_attempts`).

Crashes: killed after 1 and before 3, the row is still pending with its lease as next attempt, so
it is sent after restart once the lease (`claim_lease`, longer than any send) has passed. The only
at-least-once window is between Apprise's success and the commit of step 3: a crash exactly there
sends the message again. Nothing else happens in that window (no rendering, no other row), so it
lasts one UPDATE. No channel offers a way to close it (SMTP and webhooks have no idempotency key).
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, bindparam, select, true, update
from sqlalchemy.orm import Session

from tracker.alerts.channels import Sender, apprise_send, protect
from tracker.alerts.messages import Message, event_views, render_digest, render_event, render_test
from tracker.alerts.secrets import channel_id, mask_url
from tracker.config import Config, Rule
from tracker.db import Database
from tracker.models import Delivery, Event, utcnow
from tracker.settings import Settings

log = logging.getLogger(__name__)

CLAIM_LEASE = 300.0  # seconds; longer than Apprise's own timeouts (SMTP 15 s, HTTP a few s)
BATCH = 100  # rows read per query in a sweep
DIGEST_MAX = 500  # events per digest message; a larger backlog goes out in several messages
_deliveries = Delivery.__table__


def _utc(moment: datetime | None) -> datetime:
    if moment is None:
        return utcnow()
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class _Row:
    id: int
    event_id: int
    rule: str
    channel: str
    attempts: int


# The outbox columns a sweep reads; each sweep adds its own filter and order.
_ROW_QUERY = select(
    Delivery.id, Delivery.event_id, Delivery.rule, Delivery.channel, Delivery.attempts
)


class Deliverer:
    """Sends due outbox rows of `config`'s rules. Safe to run in several processes at once."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        config: Config,
        *,
        sender: Sender | None = None,
        claim_lease: float = CLAIM_LEASE,
    ) -> None:
        self.db, self.settings, self.config = db, settings, config
        self.send: Sender = sender or apprise_send
        self.claim_lease = timedelta(seconds=claim_lease)
        self.rules: dict[str, Rule] = {r.name: r for r in config.rules}
        self.urls: dict[tuple[str, str], str] = {
            (r.name, channel_id(u)): u for r in config.rules for u in r.channels
        }
        protect(self.urls.values())

    # -- public ------------------------------------------------------------------------------

    def retry_delay(self, attempts: int) -> timedelta:
        """Wait after the `attempts`-th failed attempt: backoff, doubled each time."""
        return timedelta(seconds=self.settings.delivery_backoff * 2 ** max(attempts - 1, 0))

    def deliver_due(self, now: datetime | None = None) -> dict[str, int]:
        """Send every due instant row, and retry digests whose last send failed.

        The scheduler calls this every `settings.delivery_interval` seconds. `now` is the clock
        (tests pass it to move time); returns counts: sent, retry, failed, skipped (claimed by
        another worker).
        """
        now = _utc(now)
        stats: Counter[str] = Counter()
        views: dict[int, object] = {}
        seen: set[int] = set()
        while True:
            rows = self._rows(
                _ROW_QUERY.where(
                    Delivery.state == "pending",
                    Delivery.mode == "instant",
                    Delivery.next_attempt_at <= now,
                    Delivery.id.not_in(seen) if seen else true(),
                )
                .order_by(Delivery.next_attempt_at, Delivery.id)
                .limit(BATCH)
            )
            for row in rows:
                seen.add(row.id)
                stats[self._deliver_one(row, now, views)] += 1
            if len(rows) < BATCH:
                break
        with self.db.session() as session:
            retries = session.execute(
                select(Delivery.rule, Delivery.channel)
                .where(
                    Delivery.state == "pending",
                    Delivery.mode == "digest",
                    Delivery.attempts > 0,
                    Delivery.next_attempt_at <= now,
                )
                .distinct()
            ).all()
        for rule, channel in retries:
            stats.update(self._send_digest(rule, channel, now))
        return {k: n for k, n in stats.items() if n}

    def deliver_digest(self, rule_name: str, now: datetime | None = None) -> dict[str, int]:
        """Send all pending rows of a digest rule: one message per channel listing every event.

        The scheduler calls this on the rule's `digest` crontab.
        """
        now = _utc(now)
        with self.db.session() as session:
            channels = session.scalars(
                select(Delivery.channel)
                .where(
                    Delivery.rule == rule_name,
                    Delivery.mode == "digest",
                    Delivery.state == "pending",
                    Delivery.next_attempt_at <= now,
                )
                .distinct()
            ).all()
        stats: Counter[str] = Counter()
        for channel in channels:
            stats.update(self._send_digest(rule_name, channel, now))
        return {k: n for k, n in stats.items() if n}

    def send_test(self, rule_name: str) -> list[tuple[str, str | None]]:
        """Send a test message through every channel of a rule: [(masked URL, error or None)]."""
        rule = self.config.rule(rule_name)
        message = render_test(rule.name, self.settings.public_url)
        results = []
        for url in rule.channels:
            error = self.send(url, message)
            results.append((mask_url(url), error))
            self._log_outcome(rule.name, url, "test message", error)
        return results

    # -- one row -------------------------------------------------------------------------------

    def _deliver_one(self, row: _Row, now: datetime, views: dict[int, object]) -> str:
        rule = self.rules.get(row.rule)
        url = self.urls.get((row.rule, row.channel))
        if rule is None or url is None:
            why = "rule no longer configured" if rule is None else "channel no longer in the rule"
            return self._give_up([row], why, now)
        if not self._claim([row], now):
            return "skipped"
        row.attempts += 1
        try:
            if row.event_id not in views:
                with self.db.session() as session:
                    views.update(self._views(session, [row.event_id]))
            message = render_event(rule.name, views[row.event_id], self.settings.public_url)
        except Exception as exc:  # a message that cannot be built counts as a failed attempt
            log.exception("alert %s: cannot render event %d", rule.name, row.event_id)
            return self._failed([row], rule, f"cannot render the message: {exc}", now)
        error = self.send(url, message)
        # Nothing between the send and this commit: it is the at-least-once window.
        if error is None:
            return self._sent([row], now)
        self._log_outcome(rule.name, url, f"event {row.event_id}", error)
        return self._failed([row], rule, error, now)

    def _rows(self, statement: Select[Any]) -> list[_Row]:
        with self.db.session() as session:
            return [_Row(*r) for r in session.execute(statement)]

    # -- a digest ------------------------------------------------------------------------------

    def _send_digest(self, rule_name: str, channel: str, now: datetime) -> Counter[str]:
        stats: Counter[str] = Counter()
        rule = self.rules.get(rule_name)
        url = self.urls.get((rule_name, channel))
        while True:
            rows = self._rows(
                _ROW_QUERY.join(Event, Event.id == Delivery.event_id)
                .where(
                    Delivery.rule == rule_name,
                    Delivery.channel == channel,
                    Delivery.mode == "digest",
                    Delivery.state == "pending",
                    Delivery.next_attempt_at <= now,
                )
                .order_by(Event.occurred_at, Event.id)
                .limit(DIGEST_MAX)
            )
            if not rows:
                return stats
            if rule is None or url is None:
                why = (
                    "rule no longer configured" if rule is None else "channel no longer in the rule"
                )
                stats[self._give_up(rows, why, now)] += len(rows)
                return stats
            claimed = self._claim(rows, now)
            stats["skipped"] += len(rows) - len(claimed)
            if not claimed:
                return stats
            for row in claimed:
                row.attempts += 1
            with self.db.session() as session:
                views = self._views(session, [r.event_id for r in claimed])
            ordered = [views[r.event_id] for r in claimed if r.event_id in views]
            message = render_digest(rule.name, ordered, self.settings.public_url)
            error = self.send(url, message)
            if error is None:
                stats[self._sent(claimed, now)] += len(claimed)
                stats["messages"] += 1
            else:
                self._log_outcome(rule.name, url, f"digest of {len(claimed)} events", error)
                for row in claimed:
                    stats[self._failed([row], rule, error, now)] += 1
                return stats  # the channel is failing: the rest waits for the retry
            if len(rows) < DIGEST_MAX:
                return stats

    # -- state changes, each one short transaction ---------------------------------------------

    def _claim(self, rows: list[_Row], now: datetime) -> list[_Row]:
        """Claim rows for sending; returns those this worker won."""
        lease = now + self.claim_lease
        won: list[_Row] = []
        with self.db.session() as session, session.begin():
            for row in rows:
                result = session.execute(
                    update(_deliveries)
                    .where(
                        _deliveries.c.id == row.id,
                        _deliveries.c.state == "pending",
                        _deliveries.c.attempts == row.attempts,
                        _deliveries.c.next_attempt_at <= now,
                    )
                    .values(attempts=row.attempts + 1, next_attempt_at=lease)
                )
                if result.rowcount == 1:
                    won.append(row)
        return won

    def _finish(self, rows: list[_Row], values: dict) -> None:
        """Apply `values` to claimed rows, unless another worker re-claimed them since."""
        with self.db.session() as session, session.begin():
            session.connection().execute(
                update(_deliveries)
                .where(
                    _deliveries.c.id == bindparam("row_id"),
                    _deliveries.c.attempts == bindparam("row_attempts"),
                    _deliveries.c.state == "pending",
                )
                .values(**values),
                [{"row_id": r.id, "row_attempts": r.attempts} for r in rows],
            )

    def _sent(self, rows: list[_Row], now: datetime) -> str:
        self._finish(rows, {"state": "sent", "sent_at": now, "last_error": None})
        for row in rows:
            log.info("alert %s: event %d delivered", row.rule, row.event_id)
        return "sent"

    def _failed(self, rows: list[_Row], rule: Rule, error: str, now: datetime) -> str:
        (row,) = rows
        limit = rule.max_attempts or self.settings.delivery_max_attempts
        if row.attempts >= limit:
            self._finish(rows, {"state": "failed", "last_error": error})
            log.warning(
                "alert %s: event %d failed after %d attempts: %s",
                rule.name,
                row.event_id,
                row.attempts,
                error,
            )
            return "failed"
        retry_at = now + self.retry_delay(row.attempts)
        self._finish(rows, {"last_error": error, "next_attempt_at": retry_at})
        return "retry"

    def _give_up(self, rows: list[_Row], why: str, now: datetime) -> str:
        with self.db.session() as session, session.begin():
            session.execute(
                update(_deliveries)
                .where(_deliveries.c.id.in_([r.id for r in rows]), _deliveries.c.state == "pending")
                .values(state="failed", last_error=why)
            )
        log.warning("alert %s: %d deliveries failed: %s", rows[0].rule, len(rows), why)
        return "failed"

    def _views(self, session: Session, event_ids: list[int]) -> dict:
        return event_views(session, event_ids, self.settings.public_url, self.settings.diff_timeout)

    @staticmethod
    def _log_outcome(rule: str, url: str, what: str, error: str | None) -> None:
        if error is None:
            log.info("alert %s: %s sent via %s", rule, what, mask_url(url))
        else:
            log.warning("alert %s: %s not sent via %s: %s", rule, what, mask_url(url), error)


def deliverer_for_settings(db: Database, settings: Settings) -> Deliverer:
    """A deliverer for the rules of `settings.config_file`."""
    from tracker.config import load_config

    return Deliverer(db, settings, load_config(settings.config_file))


__all__ = ["Deliverer", "Message", "deliverer_for_settings"]
