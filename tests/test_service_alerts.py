"""End to end: the service watches the mirror; a new reply and a new ratification reach each
matching rule exactly once by email and webhook; a crash between capture and delivery loses
nothing and sends nothing twice; SIGTERM during a crawl ends cleanly."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from mirror import Mirror
from mirror.sites.unoda import REPLIES_PAGE
from tests.service_harness import (
    SmtpSink,
    config_text,
    hook_messages,
    serve_process,
    start_service,
    wait_for,
    write_config,
)
from tracker.db import Database
from tracker.models import Capture, CrawlRun, Delivery, Event
from tracker.service.demo import AlertReceiver

REPLIES = f"replies:{REPLIES_PAGE}"
EVERY = 2  # seconds: the schedule of both sources


def _sources(every: str = f"{EVERY}s") -> list[dict]:
    return [
        {"name": "replies", "spider": "unoda", "targets": [REPLIES], "every": every},
        {"name": "tpnw", "spider": "treaties", "targets": ["tpnw"], "every": every},
    ]


def _rules(smtp: SmtpSink, hook: AlertReceiver) -> list[dict]:
    web = f"json://127.0.0.1:{hook.port}"
    return [
        {
            "name": "replies",
            "events": ["new_submission"],
            "sources": ["replies"],
            "channels": [smtp.url("replies@example.org"), f"{web}/replies"],
        },
        {
            "name": "ratifications",
            "events": ["treaty_action"],
            "states": ["Indonesia"],
            "channels": [smtp.url("tpnw@example.org"), f"{web}/tpnw"],
        },
        {
            "name": "elsewhere",
            "events": ["treaty_action", "new_submission"],
            "states": ["Narnia"],
            "channels": [smtp.url("none@example.org"), f"{web}/none"],
        },
    ]


def _finished_runs(db: Database, source: str) -> int:
    with db.session() as session:
        return len(
            session.scalars(
                select(CrawlRun.id).where(CrawlRun.source == source, CrawlRun.status == "finished")
            ).all()
        )


def _count(db: Database, model: type, *where: object) -> int:
    with db.session() as session:
        return len(session.scalars(select(model.id).where(*where)).all())


def test_reply_and_ratification_alert_each_matching_rule_once(
    service_env: dict[str, str],
    un_mirror: Mirror,
    db: Database,
    smtp: SmtpSink,
    webhook: AlertReceiver,
) -> None:
    pytest.importorskip("tracker.alerts.deliver")
    write_config(
        service_env,
        config_text(_sources(), _rules(smtp, webhook), {"delivery_interval": 1}),
    )
    service = start_service(db)
    try:
        # The first crawls are the baseline (new_document events only; no rule matches them).
        wait_for(lambda: _finished_runs(db, "replies") and _finished_runs(db, "tpnw"), 40)
        changed = time.monotonic()
        un_mirror.post_reply("Japan")
        un_mirror.treaty_action("Indonesia", treaty="tpnw", kind="RAT", date="2026-09-20")
        wait_for(
            lambda: (
                len(smtp.to("replies@example.org")) >= 1
                and len(smtp.to("tpnw@example.org")) >= 1
                and hook_messages(webhook, "/replies")
                and hook_messages(webhook, "/tpnw")
            ),
            timeout=40,
        )
        elapsed = time.monotonic() - changed
        # Two more cycles and a sweep: anything sent twice would show by now.
        time.sleep(2 * EVERY + 2)
    finally:
        service.shutdown()
    assert len(smtp.to("replies@example.org")) == 1
    assert len(smtp.to("tpnw@example.org")) == 1
    assert len(hook_messages(webhook, "/replies")) == 1
    assert len(hook_messages(webhook, "/tpnw")) == 1
    assert "Japan" in smtp.to("replies@example.org")[0]
    assert "Indonesia" in hook_messages(webhook, "/tpnw")[0]["message"]
    assert smtp.to("none@example.org") == [] and hook_messages(webhook, "/none") == []
    # Within two schedule cycles of the change (plus one crawl, which may have been running,
    # and the crawl that sees it, and a delivery sweep).
    assert elapsed < 2 * EVERY + 20, elapsed
    assert _count(db, Delivery, Delivery.state != "sent") == 0


def test_kill_9_between_capture_and_delivery(
    service_env: dict[str, str],
    un_mirror: Mirror,
    db: Database,
    webhook: AlertReceiver,
    tmp_path: Path,
) -> None:
    pytest.importorskip("tracker.alerts.deliver")
    rules = [
        {
            "name": "ratifications",
            "events": ["treaty_action"],
            "channels": [f"json://127.0.0.1:{webhook.port}/tpnw"],
        }
    ]
    sources = [{"name": "tpnw", "spider": "treaties", "targets": ["tpnw"], "every": "2s"}]
    write_config(service_env, config_text(sources, rules))
    log = tmp_path / "serve.log"
    # A delivery sweep only every hour: the capture is made, its deliveries wait.
    env = {**service_env, "DISARMWATCH_DELIVERY_INTERVAL": "3600"}
    proc = serve_process(env, "--no-web", log=log)
    try:
        wait_for(lambda: _finished_runs(db, "tpnw"), 40)
        un_mirror.treaty_action("Indonesia", treaty="tpnw", kind="RAT", date="2026-09-20")
        un_mirror.treaty_action("Malaysia", treaty="tpnw", kind="ACC", date="2026-09-21")
        wait_for(lambda: _count(db, Delivery, Delivery.state == "pending") == 2, 40)
        assert _crawl_processes(env["DISARMWATCH_DATABASE_URL"])  # the service's crawl pool
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert webhook.messages == []
    # Its crawl processes see their input end with the service, and leave too.
    wait_for(lambda: not _crawl_processes(env["DISARMWATCH_DATABASE_URL"]), 20)
    # Restarted with a short sweep interval: the pending deliveries go out, once each.
    env["DISARMWATCH_DELIVERY_INTERVAL"] = "1"
    proc = serve_process(env, "--no-web", log=log)
    try:
        wait_for(lambda: len(webhook.messages) >= 2, 40)
        time.sleep(3)  # more sweeps and crawls: nothing more is sent
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0, log.read_text()[-3000:]
    assert len(webhook.messages) == 2, webhook.messages
    assert sorted("Indonesia" in m["message"] for m in webhook.messages) == [False, True]
    assert _count(db, Delivery, Delivery.state == "sent") == 2
    assert _count(db, Event, Event.type == "treaty_action") == 2
    # The run the kill -9 left open was closed by the restart.
    assert _count(db, CrawlRun, CrawlRun.status == "running") == 0


def _crawl_processes(database_url: str) -> list[int]:
    """Pids of `crawler.worker` processes working for the database `database_url`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        wanted = f"DISARMWATCH_DATABASE_URL={database_url}".encode()
        if b"crawler.worker" in cmdline and wanted in environ:
            found.append(int(entry.name))
    return found


@pytest.mark.parametrize("crawl_workers", ["2", "0"], ids=["crawl-pool", "process-per-crawl"])
def test_sigterm_during_crawl_exits_0_run_interrupted_captures_kept(
    service_env: dict[str, str],
    un_mirror: Mirror,
    db: Database,
    tmp_path: Path,
    crawl_workers: str,
) -> None:
    # The reply page and its files come at once; the meeting's page hangs.
    un_mirror.fault("/meeting/74853/documents", kind="slow", delay=60, site="meetings")
    sources = [
        {"name": "unoda", "spider": "unoda", "targets": [REPLIES, "meeting:74853"], "every": "1h"}
    ]
    write_config(service_env, config_text(sources))
    log = tmp_path / "serve.log"
    proc = serve_process(
        service_env, "--no-web", "--grace", "2", "--crawl-workers", crawl_workers, log=log
    )
    try:
        wait_for(lambda: _count(db, Capture) >= 5, 40)
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=30)
    assert code == 0, log.read_text()[-3000:]
    with db.session() as session:
        (run,) = session.scalars(select(CrawlRun)).all()
    assert run.status == "interrupted" and "interrupted by shutdown" in run.log_tail
    assert _count(db, Capture, Capture.run_id == run.id) >= 5
