"""Atom feeds: valid, escaped, global and per rule, and free of channel secrets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from lxml import etree

from tracker.alerts.feeds import router
from tracker.alerts.outbox import OutboxSink
from tracker.config import Config, Rule
from tracker.store import CaptureInput, Store

A = "{http://www.w3.org/2005/Atom}"
SECRET_URL = "mailto://alice:Fe3dS3cret@127.0.0.1:2525?from=a@example.org&to=b@example.org"
NASTY_KEY = 'A/C.1/80/<script>alert("x")</script>&amp;'
CONFIG = Config(
    rules=[
        Rule(name="drafts", channels=[SECRET_URL], documents=["A/C.1/80/*"]),
        Rule(name="words", channels=[SECRET_URL], words=["moratorium"]),
    ]
)


@pytest.fixture
def client(db, settings) -> Iterator[TestClient]:
    store = Store(db, settings, event_sink=OutboxSink(CONFIG))
    for key in ("A/C.1/80/L.1", "A/79/88", NASTY_KEY):
        store.record_capture(
            CaptureInput(key=key, lang="en", format="text", body=b"Text of " + key.encode())
        )
    store.record_capture(
        CaptureInput(key="A/79/88", lang="en", format="text", body=b"Calls for a moratorium.")
    )
    app = FastAPI()
    app.include_router(router)
    app.state.db, app.state.settings, app.state.config = db, settings, CONFIG
    with TestClient(app) as test_client:
        yield test_client


def parse(client: TestClient, path: str) -> etree._Element:
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml")
    assert "Fe3dS3cret" not in response.text and "mailto:" not in response.text
    root = etree.fromstring(response.content)
    assert root.tag == f"{A}feed"
    # RFC 4287: a feed has id, title, updated, an author (or every entry has one), a self link.
    for name in ("id", "title", "updated", "author"):
        assert root.find(f"{A}{name}") is not None and root.findtext(f"{A}{name}") is not None
    assert root.find(f"{A}link[@rel='self']") is not None
    ids = []
    for entry in root.iter(f"{A}entry"):
        for name in ("id", "title", "updated"):
            assert entry.findtext(f"{A}{name}"), name
        assert entry.find(f"{A}link").get("href").startswith("http://")
        ids.append(entry.findtext(f"{A}id"))
    assert len(ids) == len(set(ids))  # entry ids are unique
    return root


def titles(root: etree._Element) -> list[str]:
    return [e.findtext(f"{A}title") for e in root.iter(f"{A}entry")]


def test_global_feed_lists_all_events_newest_first(client: TestClient) -> None:
    root = parse(client, "/feeds/events.atom")
    assert titles(root) == [
        "A/79/88 (en): version 2 (+23/-15 characters)",
        f"{NASTY_KEY} (en): new document",
        "A/79/88 (en): new document",
        "A/C.1/80/L.1 (en): new document",
    ]
    first = next(root.iter(f"{A}entry"))
    assert root.findtext(f"{A}updated") == first.findtext(f"{A}updated")


def test_content_is_escaped(client: TestClient) -> None:
    raw = client.get("/feeds/events.atom").text
    assert "<script>" not in raw  # escaped as &lt;script&gt;
    assert "&lt;script&gt;" in raw and "&amp;amp;" in raw
    root = parse(client, "/feeds/events.atom")
    assert f"{NASTY_KEY} (en): new document" in titles(root)  # and round-trips exactly


def test_rule_feeds(client: TestClient) -> None:
    assert titles(parse(client, "/feeds/rules/drafts.atom")) == [
        f"{NASTY_KEY} (en): new document",
        "A/C.1/80/L.1 (en): new document",
    ]
    # A rule with words: the events the outbox matched (added text is known only at capture).
    assert titles(parse(client, "/feeds/rules/words.atom")) == [
        "A/79/88 (en): version 2 (+23/-15 characters)"
    ]
    missing = client.get("/feeds/rules/nope.atom")
    assert missing.status_code == 404 and "Fe3dS3cret" not in missing.text
