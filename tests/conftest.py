"""Fixtures: a migrated store on SQLite and on PostgreSQL (test databases made and dropped here).

PostgreSQL tests skip when no server answers, unless DISARMWATCH_REQUIRE_POSTGRES=1 (set by
.ci/run), which turns the skip into a failure. DISARMWATCH_TEST_PG_URL names the server
(default: postgresql+psycopg://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tracker.db import Database, upgrade
from tracker.settings import Settings
from tracker.store import Store

pytest_plugins = ["tests.mirror_fixture", "tests.crawl_harness", "tests.service_harness"]

PG_ADMIN_URL = os.environ.get(
    "DISARMWATCH_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_PG = os.environ.get("DISARMWATCH_REQUIRE_POSTGRES") == "1"


def _pg_available() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any driver or network failure means "not here"
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.__class__.__name__}: {exc}"


@pytest.fixture(scope="session")
def pg_server() -> str:
    reason = _pg_available()
    if reason:
        if REQUIRE_PG:
            pytest.fail(reason + " (DISARMWATCH_REQUIRE_POSTGRES=1)")
        pytest.skip(reason)
    return PG_ADMIN_URL


def _pg_database(admin_url: str) -> tuple[str, callable]:
    name = f"dw_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + "/" + name

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database URL on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    admin_url = request.getfixturevalue("pg_server")
    url, drop = _pg_database(admin_url)
    try:
        yield url
    finally:
        drop()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url)


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = Database(settings.effective_database_url)
    upgrade(database.engine)
    yield database
    database.dispose()


@pytest.fixture
def store(db: Database, settings: Settings) -> Store:
    return Store(db, settings)
