"""Web latency: the document page, the versions API and a 200 KB diff, over HTTP on loopback.

Fills a fresh database like bench_history.py (100,000 versions: one document with 1,000 versions
and 990 with 100), adds 200,000 events by bulk insert, and records one document with two
versions of ~200 KB of real text (the UN Charter in six languages, edited in a few places)
through `Store.record_capture`. Serves the app with uvicorn in a child process and measures
p50/p95 with httpx clients in threads (CONCURRENCY at a time). The diff is measured twice: cold
(the server's diff cache disabled: every request computes the diff) and warm (cached).

    python bench/bench_web.py                                   # SQLite
    python bench/bench_web.py postgresql+psycopg://postgres@127.0.0.1/postgres
"""

from __future__ import annotations

import multiprocessing
import os
import random
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import httpx  # noqa: E402
from bench_history import T0, fill  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

from bench.scratch_db import scratch_database, server_from_argv  # noqa: E402
from tracker.db import Database, upgrade  # noqa: E402
from tracker.models import Event  # noqa: E402
from tracker.settings import Settings  # noqa: E402
from tracker.store import CaptureInput, Store  # noqa: E402

EVENTS = 200_000
REQUESTS = 200  # per endpoint
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "4"))  # requests in flight
CHARTER = ROOT.parent / "shared" / "corpus" / "charter"
TYPES = ["new_version", "new_version", "new_version", "new_document", "treaty_action", "gone"]


def add_events(db: Database) -> None:
    rng = random.Random(7)
    with db.engine.begin() as conn:
        batch = []
        for i in range(EVENTS):
            doc_id = 1 if i % 10 == 0 else rng.randint(2, 991)
            etype = TYPES[i % len(TYPES)]
            batch.append(
                {
                    "type": etype,
                    "occurred_at": T0 + timedelta(minutes=i),
                    "document_id": doc_id,
                    "resource_id": doc_id,
                    "lang": "en",
                    "source": "bench",
                    "summary": f"event {i} of document {doc_id}",
                    "data": {"state": "Ghana"} if etype == "treaty_action" else {"seq": i},
                }
            )
            if len(batch) == 20_000:
                conn.execute(insert(Event), batch)
                batch = []
        if batch:
            conn.execute(insert(Event), batch)
        if conn.dialect.name == "postgresql":  # bulk inserts gave explicit ids: move sequences
            for table in ("documents", "resources", "versions", "captures", "events"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )


def real_text_200k(edit: bool) -> str:
    paras: list[str] = []
    for lang in ("en", "fr", "es", "ru", "zh", "ar"):
        text_ = (CHARTER / f"un-charter-{lang}.txt").read_text("utf-8")
        paras += [p.strip() for p in text_.splitlines() if p.strip()]
    out, size = [], 0
    for i, para in enumerate(paras * 3):
        if edit and i % 150 == 75:
            para = para.replace(" ", " [amended] ", 1)
        out.append(para)
        size += len(para.encode()) + 2
        if size >= 200_000:
            break
    return "\n\n".join(out)


def add_diff_document(db: Database) -> tuple[int, int]:
    store = Store(db, Settings())
    ids = []
    for day, edit in ((1, False), (2, True)):
        body = real_text_200k(edit).encode()
        result = store.record_capture(
            CaptureInput(
                key="BENCH/CHARTER",
                lang="en",
                format="text",
                headers={"content-type": "text/plain; charset=utf-8"},
                body=body,
                fetched_at=T0 + timedelta(days=day),
            )
        )
        assert result.version_id is not None, result.error
        ids.append(result.version_id)
    return ids[0], ids[1]


def serve(url: str, port: int, cache: bool) -> None:
    import uvicorn

    from tracker.web import create_app, data

    if not cache:
        data._DIFF_CACHE_SIZE = 0
    settings = Settings(database_url=url)
    app = create_app(settings, Database(url))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def measure(base: str, path: str, n: int = REQUESTS) -> tuple[float, float, int]:
    def one(_: int) -> float:
        with httpx.Client(base_url=base, timeout=60) as client:
            t = time.perf_counter()
            response = client.get(path)
            elapsed = (time.perf_counter() - t) * 1000
            assert response.status_code == 200, (path, response.status_code, response.text[:300])
            return elapsed

    one(0)  # warm-up (connection pools, first query plans)
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        times = sorted(pool.map(one, range(n)))
    return statistics.median(times), times[int(len(times) * 0.95) - 1], n


def start_server(url: str, cache: bool) -> tuple[multiprocessing.Process, str]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = multiprocessing.get_context("spawn").Process(target=serve, args=(url, port, cache))
    proc.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(base + "/openapi.json", timeout=1)
            return proc, base
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def run(url: str) -> None:
    db = Database(url)
    upgrade(db.engine)
    t = time.perf_counter()
    key = fill(db)
    add_events(db)
    old, new = add_diff_document(db)
    name = db.engine.dialect.name
    print(f"{name}: 100,000 versions, {EVENTS:,} events in {time.perf_counter() - t:.0f} s")
    db.dispose()
    rows = []
    for cache in (True, False):
        proc, base = start_server(url, cache)
        try:
            if cache:
                targets = [
                    ("document page (1,000 versions)", f"/documents/{key}"),
                    ("document page (100 versions)", "/documents/A/C.1/79/L.500"),
                    (
                        "versions API (1,000 versions, page of 100)",
                        f"/api/documents/{key}/versions",
                    ),
                    ("events API (newest 50)", "/api/events"),
                    ("events API (state filter)", "/api/events?state=Ghana"),
                    ("dashboard", "/"),
                    ("diff 200 KB, warm (cached), JSON", f"/api/diff?from={old}&to={new}"),
                    ("diff 200 KB, warm (cached), page", f"/diff?from={old}&to={new}"),
                ]
            else:
                targets = [
                    ("diff 200 KB, cold, JSON", f"/api/diff?from={old}&to={new}"),
                    ("diff 200 KB, cold, page", f"/diff?from={old}&to={new}"),
                ]
            for label, path in targets:
                n = 60 if "cold" in label else REQUESTS
                p50, p95, count = measure(base, path, n)
                rows.append((label, p50, p95, count))
                print(f"  {label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms ({count} requests)")
        finally:
            proc.terminate()
            proc.join()
    return rows


def main() -> None:
    with scratch_database(server_from_argv(sys.argv)) as url:
        run(url)


if __name__ == "__main__":
    main()
