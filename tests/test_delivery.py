"""Delivery through Apprise to a local SMTP server and a local webhook: once, with retries."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.alert_servers import SmtpServer, WebhookServer, free_port
from tracker.alerts.deliver import CLAIM_LEASE, Deliverer
from tracker.alerts.messages import Message
from tracker.alerts.outbox import OutboxSink
from tracker.config import Config, Rule
from tracker.models import Delivery, utcnow
from tracker.store import CaptureInput, Store

BASE = "Draft resolution on nuclear disarmament.\n\nOperative paragraph one."
ZH_1 = "全面禁止核试验条约。\n\n大会，重申其决议。"
ZH_ADDED = "呼吁所有国家签署并批准《全面禁止核试验条约》。"
AR_1 = "معاهدة الحظر الشامل للتجارب النووية.\n\nإن الجمعية العامة، إذ تؤكد قراراتها."
AR_ADDED = "تهيب بجميع الدول أن توقع وتصدق على المعاهدة."


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def hook() -> Iterator[WebhookServer]:
    server = WebhookServer()
    yield server
    server.stop()


def text(key: str, body: str, lang: str = "en") -> CaptureInput:
    return CaptureInput(key=key, lang=lang, format="text", body=body.encode(), source="fc")


def states(db) -> list[tuple[str, str, int]]:
    with db.session() as s:
        return [
            tuple(r)
            for r in s.execute(
                select(Delivery.rule, Delivery.state, Delivery.attempts).order_by(Delivery.id)
            )
        ]


def later(seconds: float = 1.0):
    return utcnow() + timedelta(seconds=seconds)


def test_each_matching_rule_gets_one_message_per_event(db, settings, smtp, hook) -> None:
    config = Config(
        rules=[
            Rule(name="mail-drafts", channels=[smtp.url], documents=["A/C.1/80/*"]),
            Rule(name="hook-drafts", channels=[hook.url("/drafts")], documents=["A/C.1/80/*"]),
            Rule(
                name="hook-austria",
                channels=[hook.url("/austria")],
                events=["new_submission"],
                states=["austria"],
            ),
            Rule(name="nothing", channels=[hook.url("/none")], documents=["S/*"]),
        ]
    )
    store = Store(db, settings, event_sink=OutboxSink(config))
    store.record_capture(text("A/C.1/80/L.1", BASE))
    store.record_capture(text("A/C.1/80/L.1", BASE + "\n\nA new operative paragraph two."))
    replies = dict(key="A/80/78 replies", kind="page", record_kind="submissions")
    rows = [{"state": "Brazil", "title": "Reply", "url": "https://example.org/br.pdf"}]
    store.record_capture(CaptureInput(records=rows, meta={"label": "A/80/78"}, **replies))
    rows.append({"state": "Austria", "title": "Reply", "url": "https://example.org/at.pdf"})
    store.record_capture(CaptureInput(records=rows, meta={"label": "A/80/78"}, **replies))

    deliverer = Deliverer(db, settings, config)
    assert deliverer.deliver_due(later()) == {"sent": 5}
    assert deliverer.deliver_due(later(3600)) == {}  # nothing twice

    subjects = sorted(subject for subject, _ in smtp.texts())
    assert subjects == [
        "[disarmwatch] A/C.1/80/L.1 (en): new document",
        "[disarmwatch] A/C.1/80/L.1 (en): version 2 (+32/-0 characters)",
    ]
    assert [p["title"] for p in hook.to("/drafts")] == [
        "[disarmwatch] A/C.1/80/L.1 (en): new document",
        "[disarmwatch] A/C.1/80/L.1 (en): version 2 (+32/-0 characters)",
    ]
    (austria,) = hook.to("/austria")
    assert "Austria" in austria["title"] and "A/80/78" in austria["title"]
    assert hook.to("/none") == []
    # The new version's message: excerpt of the diff, links to the document and the diff.
    body = hook.to("/drafts")[1]["message"]
    assert "{+ A new operative paragraph two.+}" in body
    assert f"{settings.public_url}/documents/A/C.1/80/L.1" in body
    assert f"{settings.public_url}/diff?from=1&to=2" in body


@pytest.mark.parametrize(
    ("lang", "first", "added"), [("zh", ZH_1, ZH_ADDED), ("ar", AR_1, AR_ADDED)]
)
def test_chinese_and_arabic_arrive_intact(db, settings, smtp, hook, lang, first, added) -> None:
    config = Config(rules=[Rule(name="all", channels=[smtp.url, hook.url("/all")])])
    store = Store(db, settings, event_sink=OutboxSink(config))
    store.record_capture(text("A/RES/79/20", first, lang))
    store.record_capture(text("A/RES/79/20", first + "\n\n" + added, lang))
    assert Deliverer(db, settings, config).deliver_due(later()) == {"sent": 4}
    (_, mail_body) = smtp.texts()[1]
    webhook_body = hook.to("/all")[1]["message"]
    for body in (mail_body, webhook_body):
        assert added in body  # the excerpt holds the whole added sentence, not a cut character
        assert f"A/RES/79/20 ({lang}): version 2" in body


def test_smtp_down_three_attempts_then_up_arrives_once(db, settings, smtp) -> None:
    settings.delivery_backoff = 10
    config = Config(rules=[Rule(name="mail", channels=[smtp.url], max_attempts=5)])
    Store(db, settings, event_sink=OutboxSink(config)).record_capture(text("A/79/88", BASE))
    smtp.stop()
    deliverer = Deliverer(db, settings, config)
    t0 = later()
    assert deliverer.deliver_due(t0) == {"retry": 1}
    assert deliverer.deliver_due(t0 + timedelta(seconds=9)) == {}  # backoff: not due yet
    assert deliverer.deliver_due(t0 + timedelta(seconds=10)) == {"retry": 1}  # 10 s later
    assert deliverer.deliver_due(t0 + timedelta(seconds=29)) == {}
    assert deliverer.deliver_due(t0 + timedelta(seconds=30)) == {"retry": 1}  # then 20 s
    with db.session() as s:
        row = s.scalars(select(Delivery)).one()
        assert row.attempts == 3 and row.state == "pending" and row.last_error
    smtp.start()
    assert deliverer.deliver_due(t0 + timedelta(seconds=69)) == {}
    assert deliverer.deliver_due(t0 + timedelta(seconds=70)) == {"sent": 1}  # then 40 s
    assert deliverer.deliver_due(t0 + timedelta(days=1)) == {}
    assert len(smtp.messages) == 1
    assert states(db) == [("mail", "sent", 4)]


def test_failed_after_max_attempts_with_the_reason(db, settings, caplog) -> None:
    settings.delivery_backoff = 1
    closed = free_port()
    secret_url = f"json://bob:Pa55w0rdXYZ@127.0.0.1:{closed}/hook?token=T0kenABC123"
    config = Config(rules=[Rule(name="hook", channels=[secret_url], max_attempts=3)])
    Store(db, settings, event_sink=OutboxSink(config)).record_capture(text("A/79/88", BASE))
    deliverer = Deliverer(db, settings, config)
    caplog.set_level(logging.DEBUG)
    t0 = later()
    outcomes = [deliverer.deliver_due(t0 + timedelta(seconds=s)) for s in (0, 1, 3, 100)]
    assert outcomes == [{"retry": 1}, {"retry": 1}, {"failed": 1}, {}]
    with db.session() as s:
        row = s.scalars(select(Delivery)).one()
    assert (row.state, row.attempts) == ("failed", 3)
    assert row.last_error and "Connection error" in row.last_error
    assert "Pa55w0rdXYZ" not in row.last_error
    assert "T0kenABC123" not in row.last_error
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "failed after 3 attempts" in logged
    assert "Pa55w0rdXYZ" not in logged and "T0kenABC123" not in logged


def test_digest_sends_all_events_in_one_message(db, settings, smtp, hook) -> None:
    config = Config(
        rules=[
            Rule(
                name="daily",
                channels=[smtp.url, hook.url("/daily")],
                mode="digest",
                digest="0 8 * * *",
            )
        ]
    )
    store = Store(db, settings, event_sink=OutboxSink(config))
    for n in range(1, 4):
        store.record_capture(text(f"A/C.1/80/L.{n}", f"Draft {n}.\n\n{BASE}"))
    store.record_capture(text("A/C.1/80/L.1", f"Draft 1.\n\n{BASE}\n\nNew paragraph."))
    deliverer = Deliverer(db, settings, config)
    assert deliverer.deliver_due(later()) == {}  # digests wait for their schedule
    assert deliverer.deliver_digest("daily", later()) == {"sent": 8, "messages": 2}
    assert deliverer.deliver_digest("daily", later(60)) == {}
    ((subject, body),) = smtp.texts()
    (post,) = hook.to("/daily")
    assert subject == post["title"] == "[disarmwatch] daily: 4 changes"
    for summary in (
        "A/C.1/80/L.1 (en): new document",
        "A/C.1/80/L.2 (en): new document",
        "A/C.1/80/L.3 (en): new document",
        "A/C.1/80/L.1 (en): version 2",
    ):
        assert summary in body and summary in post["message"]
    assert "{+ New paragraph.+}" in body


def test_a_failed_digest_is_retried_by_deliver_due(db, settings, smtp) -> None:
    settings.delivery_backoff = 10
    config = Config(rules=[Rule(name="d", channels=[smtp.url], mode="digest", digest="0 8 * * *")])
    store = Store(db, settings, event_sink=OutboxSink(config))
    store.record_capture(text("A/C.1/80/L.1", BASE))
    store.record_capture(text("A/C.1/80/L.2", BASE))
    smtp.stop()
    deliverer = Deliverer(db, settings, config)
    t0 = later()
    assert deliverer.deliver_digest("d", t0) == {"retry": 2}
    smtp.start()
    assert deliverer.deliver_due(t0 + timedelta(seconds=10)) == {"sent": 2, "messages": 1}
    assert len(smtp.messages) == 1 and "2 changes" in smtp.texts()[0][0]


CRASH_BETWEEN_CLAIM_AND_SEND = """
import os, sys
from tracker.alerts.deliver import Deliverer
from tracker.config import Config, Rule
from tracker.db import Database
from tracker.settings import Settings

url, channel = sys.argv[1:3]
def killed(channel_url, message):  # the claim is committed; the process dies before sending
    os._exit(9)
config = Config(rules=[Rule(name="hook", channels=[channel])])
Deliverer(Database(url), Settings(database_url=url), config, sender=killed).deliver_due()
"""


def test_killed_between_claim_and_send_is_sent_after_restart(db, settings, hook) -> None:
    config = Config(rules=[Rule(name="hook", channels=[hook.url("/h")])])
    Store(db, settings, event_sink=OutboxSink(config)).record_capture(text("A/79/88", BASE))
    time.sleep(0.01)  # the row is due for the child's clock
    child = subprocess.run(
        [sys.executable, "-c", CRASH_BETWEEN_CLAIM_AND_SEND, db.url, hook.url("/h")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert child.returncode == 9, child.stderr
    assert states(db) == [("hook", "pending", 1)]  # claimed, never sent
    restarted = Deliverer(db, settings, config)
    assert restarted.deliver_due(later()) == {}  # the claim's lease still holds
    assert restarted.deliver_due(later(CLAIM_LEASE + 1)) == {"sent": 1}
    assert restarted.deliver_due(later(CLAIM_LEASE + 3600)) == {}
    assert len(hook.to("/h")) == 1
    assert states(db) == [("hook", "sent", 2)]


def test_two_workers_never_send_the_same_row(db, settings) -> None:
    config = Config(rules=[Rule(name="r", channels=["json://127.0.0.1/x"])])
    store = Store(db, settings, event_sink=OutboxSink(config))
    for n in range(20):
        store.record_capture(text(f"A/C.1/80/L.{n}", f"{BASE} {n}"))
    sent: list[str] = []
    lock = threading.Lock()

    def slow_sender(url: str, message: Message) -> None:
        time.sleep(0.005)
        with lock:
            sent.append(message.title)

    workers = [Deliverer(db, settings, config, sender=slow_sender) for _ in range(3)]
    now = later()
    threads = [threading.Thread(target=w.deliver_due, args=(now,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(sent) == 20 and len(set(sent)) == 20
    assert {state for _, state, _ in states(db)} == {"sent"}


def test_rule_without_max_attempts_uses_the_setting(db, settings) -> None:
    settings.delivery_backoff = 1
    settings.delivery_max_attempts = 2
    config = Config(rules=[Rule(name="hook", channels=[f"json://127.0.0.1:{free_port()}/x"])])
    assert config.rules[0].max_attempts is None
    Store(db, settings, event_sink=OutboxSink(config)).record_capture(text("A/79/88", BASE))
    deliverer = Deliverer(db, settings, config)
    t0 = later()
    outcomes = [deliverer.deliver_due(t0 + timedelta(seconds=s)) for s in (0, 1, 100)]
    assert outcomes == [{"retry": 1}, {"failed": 1}, {}]
