"""Fixtures of the web tests: one populated store per backend and module, and its app.

Read-only tests share `web` (populated once per module and backend: SQLite and PostgreSQL);
tests that write use the function-scoped `store` of conftest instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import _pg_database
from tests.webdata import WebData, populate, store_script_document
from tracker.config import Config, parse_config
from tracker.db import Database, upgrade
from tracker.settings import Settings
from tracker.store import Store
from tracker.web import create_app

CONFIG_TOML = """\
[[sources]]
name = "first-committee"
spider = "documents"
targets = ["A/C.1/80/L.1"]
languages = ["en", "zh", "ar"]
every = "6h"

[[sources]]
name = "treaties"
spider = "treaties"
cron = "0 6 * * *"
"""


@dataclass
class WebEnv:
    app: FastAPI
    client: TestClient
    db: Database
    settings: Settings
    config: Config
    data: WebData
    script_version: int
    backend: str


def make_config(path: Path) -> Config:
    path.write_text(CONFIG_TOML, encoding="utf-8")
    return parse_config(CONFIG_TOML, path, environ={})


def record_runs(store: Store) -> None:
    ok = store.start_run("first-committee", "documents")
    store.finish_run(ok, status="finished", counts={"new_version": 3})
    bad = store.start_run("treaties", "treaties")
    store.finish_run(bad, status="failed", counts={"error": 1}, log_tail="HTTP 503")


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def web(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WebEnv]:
    tmp = tmp_path_factory.mktemp("web")
    drop = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'web.db'}"
    else:
        url, drop = _pg_database(request.getfixturevalue("pg_server"))
    settings = Settings(data_dir=tmp, database_url=url)
    db = Database(url)
    try:
        upgrade(db.engine)
        store = Store(db, settings)
        data = populate(store)
        script_version = store_script_document(store)
        record_runs(store)
        config = make_config(tmp / "disarmwatch.toml")
        app = create_app(settings, db, config=config)
        with TestClient(app) as client:
            yield WebEnv(app, client, db, settings, config, data, script_version, request.param)
    finally:
        db.dispose()
        if drop is not None:
            drop()
