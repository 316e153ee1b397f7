"""A throw-away database for a benchmark: a temporary SQLite file, or a PostgreSQL database made
and dropped on the server given (never the server's own `postgres` database)."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text


@contextmanager
def scratch_database(server_url: str | None) -> Iterator[str]:
    """Yield a database URL: SQLite when `server_url` is None, else a new PostgreSQL database."""
    if server_url is None:
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/bench.db"
        return
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"dw_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def server_from_argv(argv: list[str]) -> str | None:
    """The PostgreSQL server URL given as the first argument, if any."""
    return argv[1] if len(argv) > 1 and argv[1].startswith("postgresql") else None
