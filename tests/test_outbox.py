"""The outbox: a delivery row per (event, matching rule, channel), in the capture's transaction."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from tracker.alerts.outbox import OutboxSink, event_sink_for_settings
from tracker.alerts.secrets import channel_id
from tracker.config import Config, Rule
from tracker.ingest import ingest_file
from tracker.models import Delivery, Event
from tracker.settings import Settings
from tracker.store import CaptureInput, Store

MAIL = "mailto://alice:S3cretPW@127.0.0.1:2525?from=a@example.org&to=b@example.org"
HOOK = "json://127.0.0.1:9/hook?token=T0kenT0ken"
BASE = "Draft resolution on nuclear disarmament.\n\nOperative paragraph one."


def text_capture(body: str, key: str = "A/C.1/80/L.1", lang: str = "en") -> CaptureInput:
    return CaptureInput(key=key, lang=lang, format="text", body=body.encode(), source="fc")


def config() -> Config:
    return Config(
        rules=[
            Rule(name="drafts", channels=[MAIL, HOOK], documents=["A/C.1/80/*"]),
            Rule(name="test-ban", channels=[HOOK, HOOK], words=["test ban"]),  # URL twice
            Rule(name="digest", channels=[MAIL], mode="digest", digest="0 8 * * *"),
            Rule(name="treaties", channels=[HOOK], events=["treaty_action"]),
        ]
    )


def deliveries(store: Store) -> list[tuple[str, str, str, str]]:
    with store.db.session() as s:
        rows = s.execute(
            select(Event.type, Delivery.rule, Delivery.channel, Delivery.mode)
            .join(Event, Event.id == Delivery.event_id)
            .order_by(Delivery.id)
        )
        return [tuple(r) for r in rows]


def test_one_row_per_event_rule_and_channel(db, settings) -> None:
    store = Store(db, settings, event_sink=OutboxSink(config()))
    store.record_capture(text_capture(BASE))
    store.record_capture(text_capture(BASE + "\n\nA comprehensive Test Ban is urged."))
    store.record_capture(text_capture("Unrelated.", key="A/79/88"))
    mail, hook = channel_id(MAIL), channel_id(HOOK)
    assert deliveries(store) == [
        ("new_document", "drafts", mail, "instant"),
        ("new_document", "drafts", hook, "instant"),
        ("new_document", "digest", mail, "digest"),
        ("new_version", "drafts", mail, "instant"),
        ("new_version", "drafts", hook, "instant"),
        ("new_version", "test-ban", hook, "instant"),  # words in the added text; one row
        ("new_version", "digest", mail, "digest"),
        ("new_document", "digest", mail, "digest"),  # A/79/88 matches only the catch-all
    ]


def test_channels_are_stored_as_digests_never_urls(db, settings) -> None:
    store = Store(db, settings, event_sink=OutboxSink(config()))
    store.record_capture(text_capture(BASE))
    with db.session() as s:
        channels = set(s.scalars(select(Delivery.channel)))
    assert channels == {channel_id(MAIL), channel_id(HOOK)}
    assert all("S3cretPW" not in c and "://" not in c and len(c) == 32 for c in channels)


def test_a_failing_capture_writes_no_outbox_row(db, settings) -> None:
    outbox = OutboxSink(config())

    def outbox_then_crash(session, events, added_text) -> None:
        outbox(session, events, added_text)
        session.flush()
        assert session.scalar(select(func.count()).select_from(Delivery)) > 0
        raise RuntimeError("crash after the outbox write, before commit")

    with pytest.raises(RuntimeError):
        Store(db, settings, event_sink=outbox_then_crash).record_capture(text_capture(BASE))
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Delivery)) == 0
        assert s.scalar(select(func.count()).select_from(Event)) == 0
    # The same capture, retried without the crash, queues its deliveries with its events.
    Store(db, settings, event_sink=outbox).record_capture(text_capture(BASE))
    assert len(deliveries(Store(db, settings))) == 3


RULES_TOML = f"""
[[rules]]
name = "drafts"
channels = ["{HOOK}"]
documents = ["A/C.1/80/*"]
"""


def test_event_sink_for_settings_reads_the_rules(tmp_path: Path, settings: Settings) -> None:
    assert event_sink_for_settings(settings) is None  # no configuration file: no rules
    (tmp_path / "empty.toml").write_text("[disarmwatch]\n")
    settings.config_file = tmp_path / "empty.toml"
    assert event_sink_for_settings(settings) is None
    (tmp_path / "rules.toml").write_text(RULES_TOML)
    settings.config_file = tmp_path / "rules.toml"
    sink = event_sink_for_settings(settings)
    assert isinstance(sink, OutboxSink) and [r.name for r in sink.config.rules] == ["drafts"]


def test_ingest_writes_the_outbox(db, settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "rules.toml").write_text(RULES_TOML)
    settings.config_file = tmp_path / "rules.toml"
    path = tmp_path / "A_C.1_80_L.7.txt"
    path.write_text(BASE, "utf-8")
    ingest_file(db, settings, path, symbol="A/C.1/80/L.7", fmt="text")
    assert deliveries(Store(db, settings)) == [
        ("new_document", "drafts", channel_id(HOOK), "instant")
    ]
