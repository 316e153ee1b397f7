"""Running real crawls in tests: a child-process crawl against the local UN mirror.

`crawl_env` points every UN site at the mirror and the store at the test database;
`crawl(...)` runs a spider exactly as `disarmwatch crawl` and the scheduler do (a child
process, `tracker.crawl.run_crawl`) and returns its result.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from mirror import Mirror
from tracker.crawl import CrawlResult, run_crawl
from tracker.models import Document, Event, Resource, Version
from tracker.settings import SITE_URL_FIELDS, Settings, load_settings
from tracker.store import Store

SITE_SETTINGS = SITE_URL_FIELDS

# Fast and deterministic against a loopback mirror: no throttling, quick retries.
TEST_SCRAPY_SETTINGS: dict[str, Any] = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "DOWNLOAD_TIMEOUT": 5,
    "RETRY_TIMES": 2,
    "RETRY_BACKOFF_BASE": 0.2,
    "LOG_LEVEL": "INFO",
}

Crawl = Callable[..., CrawlResult]


@pytest.fixture
def crawl_env(
    un_mirror: Mirror, database_url: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    monkeypatch.setenv("DISARMWATCH_DATABASE_URL", database_url)
    monkeypatch.setenv("DISARMWATCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DISARMWATCH_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text("[disarmwatch]\n")
    for site, field in SITE_SETTINGS.items():
        monkeypatch.setenv(f"DISARMWATCH_{field.upper()}", un_mirror.base_urls[site])
    return load_settings()


@pytest.fixture
def crawl(crawl_env: Settings, db: Any) -> Crawl:
    store = Store(db, crawl_env)

    def run(spider: str, *targets: str, timeout: float = 120, **spider_args: Any) -> CrawlResult:
        result = run_crawl(
            store,
            crawl_env,
            spider,
            list(targets),
            timeout=timeout,
            scrapy_settings=TEST_SCRAPY_SETTINGS,
            spider_args=spider_args,
        )
        assert result.status == "finished", result.log_tail[-4000:]
        return result

    return run


def outcomes(result: CrawlResult) -> dict[str, int]:
    """Captures by outcome in one crawl run."""
    return result.counts.get("outcomes", {})


def latest_rows(store: Store, key: str, kind: str | None = None) -> list[dict[str, Any]]:
    """The row set of a structured document's latest version."""
    with store.db.session() as session:
        query = (
            select(Version)
            .join(Resource, Version.resource_id == Resource.id)
            .join(Document)
            .where(Document.key == key)
            .order_by(Version.id.desc())
        )
        if kind is not None:
            query = query.where(Document.kind == kind)
        version = session.scalars(query).first()
        assert version is not None and version.records is not None, key
        return version.records["rows"]


def fetch(url: str, data: bytes | None = None) -> bytes:
    """GET (or POST JSON `data`) from the mirror, as a test sees it."""
    headers = {"Content-Type": "application/json"} if data else {}
    with urllib.request.urlopen(urllib.request.Request(url, data, headers), timeout=10) as r:
        return r.read()


def events_of(store: Store, run_id: int | None = None) -> list[tuple[str, str]]:
    """(type, summary) of the events raised, optionally by one crawl run, in order."""
    with store.db.session() as session:
        query = select(Event.type, Event.summary).order_by(Event.id)
        if run_id is not None:
            query = query.where(Event.run_id == run_id)
        return [tuple(row) for row in session.execute(query)]
