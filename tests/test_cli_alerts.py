"""`disarmwatch alerts test|log`: outcomes shown, channel secrets never."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

import tracker.cli
import tracker.cli_alerts
from tests.alert_servers import WebhookServer, free_port
from tracker.alerts.deliver import Deliverer
from tracker.alerts.outbox import OutboxSink
from tracker.config import load_config
from tracker.models import utcnow
from tracker.settings import load_settings
from tracker.store import CaptureInput, Store

SECRETS = ("Hunter2Pass", "TokTokTok9")


@pytest.fixture
def hook() -> Iterator[WebhookServer]:
    server = WebhookServer()
    yield server
    server.stop()


@pytest.fixture
def config_file(tmp_path: Path, database_url: str, hook: WebhookServer, monkeypatch) -> Path:
    good = f"json://ops:Hunter2Pass@127.0.0.1:{hook.server.server_port}/alerts?token=TokTokTok9"
    bad = f"json://ops:Hunter2Pass@127.0.0.1:{free_port()}/down?token=TokTokTok9"
    path = tmp_path / "disarmwatch.toml"
    path.write_text(
        f"""
[disarmwatch]
database_url = "{database_url}"
delivery_backoff = 1

[[rules]]
name = "hook"
channels = ["{good}"]

[[rules]]
name = "broken"
channels = ["{bad}"]
max_attempts = 1
"""
    )
    monkeypatch.setenv("DISARMWATCH_CONFIG", str(path))
    # tracker.cli caches its settings in a module-level state: start each test afresh.
    monkeypatch.setattr(tracker.cli.state, "_settings", None)
    monkeypatch.setattr(tracker.cli.state, "config", None)
    return path


def run(*args: str):
    result = CliRunner().invoke(tracker.cli_alerts.alerts_app, list(args))
    for secret in SECRETS:
        assert secret not in result.output
    return result


def test_alerts_test_sends_and_reports(config_file: Path, hook: WebhookServer, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    ok = run("test", "hook")
    assert ok.exit_code == 0, ok.output
    assert "sent" in ok.output and "json://ops:***@127.0.0.1" in ok.output
    (post,) = hook.to("/alerts")
    assert post["title"] == '[disarmwatch] test of the alert rule "hook"'
    assert "核裁军" in post["message"] and "نزع السلاح النووي" in post["message"]
    broken = run("test", "broken", "--json")
    assert broken.exit_code == 1
    (outcome,) = json.loads(broken.output)
    assert outcome["ok"] is False and outcome["error"] and "/down" in outcome["channel"]
    missing = run("test", "nope")
    assert missing.exit_code == 1
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert not any(secret in logged for secret in SECRETS)


def test_alerts_log_lists_states_and_reasons(config_file: Path, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    settings = load_settings(config_file)
    config = load_config(config_file)
    db = tracker.cli.state.database()
    store = Store(db, settings, event_sink=OutboxSink(config))
    store.record_capture(CaptureInput(key="A/79/88", lang="en", format="text", body=b"One."))
    assert Deliverer(db, settings, config).deliver_due(utcnow() + timedelta(seconds=1)) == {
        "sent": 1,
        "failed": 1,
    }
    store.record_capture(CaptureInput(key="A/79/88", lang="en", format="text", body=b"Two."))

    rows = json.loads(run("log", "--json").output)
    assert sorted((r["rule"], r["state"]) for r in rows) == [
        ("broken", "failed"),
        ("broken", "pending"),
        ("hook", "pending"),
        ("hook", "sent"),
    ]
    failed = json.loads(run("log", "--state", "failed", "--json").output)
    assert [(r["rule"], r["attempts"]) for r in failed] == [("broken", 1)]
    assert failed[0]["error"] and failed[0]["channel"].startswith("json://ops:***@")
    table = run("log")
    assert table.exit_code == 0 and "failed" in table.output and "sent" in table.output
    assert run("log", "--state", "bogus").exit_code == 1
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert not any(secret in logged for secret in SECRETS)
    db.dispose()
