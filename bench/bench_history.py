"""History query time: one document with 1,000 versions inside a store of 100,000 versions.

Fills a fresh database with bulk inserts (the rows `record_capture` would write: documents,
resources, versions, captures), then times `tracker.queries.history` - what
`disarmwatch history` runs - for the 1,000-version document. Target p50 <= 50 ms.

    python bench/bench_history.py                      # SQLite in a temporary directory
    python bench/bench_history.py postgresql+psycopg://postgres@127.0.0.1/postgres
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert  # noqa: E402

from bench.scratch_db import scratch_database, server_from_argv  # noqa: E402
from tracker.blobs import compress, sha256_hex  # noqa: E402
from tracker.db import Database, upgrade  # noqa: E402
from tracker.models import Blob, Capture, Document, Resource, Version  # noqa: E402
from tracker.queries import history  # noqa: E402

TOTAL_VERSIONS = 100_000
BIG_DOC_VERSIONS = 1_000
OTHER_DOCS = 990  # 990 documents x 100 versions + 1 x 1,000 = 100,000
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def fill(db: Database) -> str:
    payload = b"placeholder text blob for the history benchmark"
    digest = sha256_hex(payload)
    stored = compress(payload)
    with db.engine.begin() as conn:
        conn.execute(
            insert(Blob),
            [
                {
                    "sha256": digest,
                    "size": len(payload),
                    "codec": "zstd",
                    "base_sha256": None,
                    "depth": 0,
                    "stored_size": len(stored),
                    "data": stored,
                }
            ],
        )
        docs = [{"id": 1, "kind": "symbol", "key": "A/79/88", "meta": {}, "created_at": T0}]
        docs += [
            {
                "id": i + 2,
                "kind": "symbol",
                "key": f"A/C.1/79/L.{i + 1}",
                "meta": {},
                "created_at": T0,
            }
            for i in range(OTHER_DOCS)
        ]
        conn.execute(insert(Document), docs)
        per_doc = [BIG_DOC_VERSIONS] + [
            (TOTAL_VERSIONS - BIG_DOC_VERSIONS) // OTHER_DOCS
        ] * OTHER_DOCS
        conn.execute(
            insert(Resource),
            [
                {
                    "id": d["id"],
                    "document_id": d["id"],
                    "lang": "en",
                    "format": "pdf",
                    "created_at": T0,
                    "version_count": n,
                    "consecutive_failures": 0,
                    "is_gone": False,
                }
                for d, n in zip(docs, per_doc, strict=True)
            ],
        )
        version_id = 0
        batch_v: list[dict] = []
        batch_c: list[dict] = []
        for d, n in zip(docs, per_doc, strict=True):
            for seq in range(1, n + 1):
                version_id += 1
                seen = T0 + timedelta(hours=seq)
                batch_v.append(
                    {
                        "id": version_id,
                        "resource_id": d["id"],
                        "seq": seq,
                        "raw_sha256": digest,
                        "text_sha256": digest,
                        "media_type": "application/pdf",
                        "raw_size": 200_000,
                        "text_size": 40_000,
                        "first_seen_at": seen,
                        "last_seen_at": seen,
                        "text_identical": False,
                        "stats": {"chars_added": seq, "chars_removed": 0},
                    }
                )
                batch_c.append(
                    {
                        "resource_id": d["id"],
                        "fetched_at": seen,
                        "http_status": 200,
                        "size": 200_000,
                        "outcome": "new_version",
                        "version_id": version_id,
                    }
                )
            if len(batch_v) >= 20_000:
                conn.execute(insert(Version), batch_v)
                conn.execute(insert(Capture), batch_c)
                batch_v, batch_c = [], []
        if batch_v:
            conn.execute(insert(Version), batch_v)
            conn.execute(insert(Capture), batch_c)
    return "A/79/88"


def measure(url: str) -> None:
    db = Database(url)
    upgrade(db.engine)
    started = time.perf_counter()
    key = fill(db)
    print(
        f"{db.engine.dialect.name}: filled {TOTAL_VERSIONS:,} versions"
        f" in {time.perf_counter() - started:.1f} s"
    )
    times = []
    for _ in range(30):
        with db.session() as session:
            t = time.perf_counter()
            data = history(session, key)
            times.append((time.perf_counter() - t) * 1000)
    assert len(data["resources"][0]["versions"]) == BIG_DOC_VERSIONS
    times.sort()
    print(
        f"  history({key}): {BIG_DOC_VERSIONS} versions + captures:"
        f" p50 {statistics.median(times):.1f} ms,"
        f" p95 {times[int(len(times) * 0.95) - 1]:.1f} ms"
    )
    db.dispose()


def main() -> None:
    with scratch_database(server_from_argv(sys.argv)) as url:
        measure(url)


if __name__ == "__main__":
    main()
