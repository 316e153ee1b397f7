"""The `disarmwatch` command as a user runs it, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.corpus import corpus_pdf
from tests.pdfgen import font_missing_reason, render_pdf
from tracker.cli import app, state
from tracker.extract import extract_text

L1 = corpus_pdf("A_C.1_80_L.1.pdf")


@pytest.fixture
def run(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DISARMWATCH_DATABASE_URL", database_url)
    monkeypatch.setenv("DISARMWATCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: str, code: int = 0) -> str:
        state._settings = None  # each invocation reads settings afresh, as a new process would
        result = runner.invoke(app, list(args), catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result.stdout

    return invoke


def _edited_copy(tmp_path: Path) -> Path:
    """A second version of A/C.1/80/L.1 made from its real text, one paragraph amended."""
    paragraphs = extract_text(L1.read_bytes()).text.split("\n\n")
    paragraphs[6] = paragraphs[6] + " Further notes the report of the Secretary-General."
    path = tmp_path / "edited-copy.pdf"
    path.write_bytes(render_pdf(paragraphs, "en"))
    return path


@pytest.mark.skipif(font_missing_reason("en") is not None, reason="no font for pdfgen")
def test_issue_walkthrough(run, tmp_path: Path) -> None:
    out = run("ingest", str(L1), "--symbol", "A/C.1/80/L.1", "--lang", "en")
    assert "new_version, version 1" in out and "new_document" in out
    out = run("ingest", str(_edited_copy(tmp_path)), "--symbol", "A/C.1/80/L.1", "--lang", "en")
    assert "version 2" in out and "new_version" in out

    docs = json.loads(run("documents", "--json"))
    assert [(d["key"], d["languages"], d["versions"]) for d in docs] == [
        ("A/C.1/80/L.1", ["en"], 2)
    ]
    assert docs[0]["title"]
    assert "A/C.1/80/L.1" in run("documents")

    hist = json.loads(run("history", "A/C.1/80/L.1", "--json"))
    (res,) = hist["resources"]
    assert [v["seq"] for v in res["versions"]] == [2, 1]
    assert res["versions"][0]["stats"]["chars_added"] > 0
    assert [c["outcome"] for c in res["captures"]] == ["new_version", "new_version"]
    assert "version" in run("history", "A/C.1/80/L.1")

    v1 = run("show", "A/C.1/80/L.1", "--lang", "en", "--version", "1")
    assert "Further notes the report" not in v1
    assert "Further notes the report" in run("show", "A/C.1/80/L.1", "--lang", "en")

    unified = run("diff", "A/C.1/80/L.1", "--lang", "en")
    assert unified.startswith("---") and "+++" in unified and "@@" in unified
    assert "Further notes the report of the Secretary-General." in unified
    ops = json.loads(run("diff", "A/C.1/80/L.1", "--lang", "en", "--format", "json"))
    inserted = "".join(text for op, text in ops["ops"] if op == 1)
    assert "Further notes the report of the Secretary-General." in inserted
    for fmt in ("inline-html", "side-by-side-html"):
        html = run("diff", "A/C.1/80/L.1", "--from", "1", "--to", "2", "--format", fmt)
        assert "<ins" in html
    run("diff", "A/C.1/80/L.1", "--format", "pdf", code=1)

    evs = json.loads(run("events", "--since", "2000-01-01", "--type", "new_version", "--json"))
    assert [e["type"] for e in evs] == ["new_version"]
    assert json.loads(run("events", "--since", "2999-01-01", "--json")) == []
    run("events", "--type", "nonsense", code=1)

    cites = json.loads(run("citations", "A/C.1/80/L.1", "--json"))
    assert "A/RES/79/16" in [c["key"] for c in cites["cites"]]


def test_cite_prints_one_symbol_per_line(run) -> None:
    lines = run("cite", str(L1)).splitlines()
    assert "A/RES/79/16" in lines
    assert "A/C.1/80/L.1" not in lines  # its own page headers are not citations
    assert len(lines) == len(set(lines))


def test_ingest_of_bad_file_exits_with_error(run, tmp_path: Path) -> None:
    fake = tmp_path / "A_C.1_80_L.2.pdf"
    fake.write_text("<html><body>Service unavailable</body></html>")
    run("ingest", str(fake), "--format", "pdf", code=2)
    hist = json.loads(run("history", "A/C.1/80/L.2", "--json"))
    assert hist["resources"][0]["captures"][0]["outcome"] == "error"
    assert hist["resources"][0]["versions"] == []


def test_unknown_document_is_a_clear_error(run) -> None:
    run("history", "A/RES/1/1", code=1)
    run("show", "A/RES/1/1", code=1)


def test_db_upgrade_and_current(run) -> None:
    from tracker.db import head_revision

    assert f"-> {head_revision()}" in run("db", "upgrade")
    assert f"current: {head_revision()}" in run("db", "current")
