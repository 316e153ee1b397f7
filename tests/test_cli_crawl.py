"""`disarmwatch crawl` as a user runs it: a child-process crawl with a summary."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tracker.cli import app, state
from tracker.settings import Settings


def test_crawl_command_runs_a_spider_and_summarises(crawl_env: Settings, db) -> None:
    runner = CliRunner()
    state._settings = None
    result = runner.invoke(
        app, ["crawl", "documents", "A/C.1/80/L.5", "--json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["status"] == "finished"
    assert summary["outcomes"] == {"new_version": 6}  # six languages served by the mirror
    assert summary["event_types"] == {"new_document": 1, "new_language_version": 5}
    assert summary["requests"] >= 6 and summary["seconds"] > 0

    state._settings = None
    table = runner.invoke(
        app, ["crawl", "documents", "A/C.1/80/L.5", "-a", "languages=en,fr"], catch_exceptions=False
    )
    assert table.exit_code == 0, table.output
    assert "unchanged" in table.stdout and "finished" in table.stdout
    assert "captures     │ 2 " in table.stdout

    state._settings = None
    runs = runner.invoke(app, ["events", "--json"], catch_exceptions=False)
    assert len(json.loads(runs.stdout)) == 6


def test_unknown_spider_fails_clearly(crawl_env: Settings, db) -> None:
    state._settings = None
    result = CliRunner().invoke(app, ["crawl", "nosuchspider"], catch_exceptions=False)
    assert result.exit_code == 1
    assert "unknown spider" in result.output
