"""Full-text search latency: `GET /api/documents?q=...` over HTTP on loopback.

Fills a fresh database through `Store.record_capture`, so the search index (SQLite FTS5 or
PostgreSQL tsvector, `tracker/search.py`) is filled the way production fills it, with real text
only: every text-layer PDF of the corpus recorded as itself under its real symbol, then DOCS
documents, each a different random selection of real paragraphs (the UN Charter in six
languages plus the paragraphs extracted from the corpus PDFs) in one language; every
SECOND_EVERY-th document gets a second version (another selection), which replaces its index
row. Serves the app with uvicorn in a child process (bench_web.py's `start_server`) and
measures p50/p95 per query and overall, with httpx clients in threads (CONCURRENCY at a time),
the queries interleaved in a shuffled order.

    python bench/bench_search.py                                   # SQLite
    python bench/bench_search.py postgresql+psycopg://postgres@127.0.0.1/postgres

BENCH_SEARCH_DOCS (default 2000) sets DOCS; BENCH_CONCURRENCY as in bench_web.py.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import httpx  # noqa: E402
from bench_history import T0  # noqa: E402
from bench_web import CONCURRENCY, start_server  # noqa: E402

from bench.scratch_db import scratch_database, server_from_argv  # noqa: E402
from tests.corpus import CHARTER_DIR, PDF_DIR  # noqa: E402
from tracker.db import Database, upgrade  # noqa: E402
from tracker.extract import ExtractionError, extract_text  # noqa: E402
from tracker.settings import Settings  # noqa: E402
from tracker.store import CaptureInput, Store  # noqa: E402

DOCS = int(os.environ.get("BENCH_SEARCH_DOCS", "2000"))
SECOND_EVERY = 5  # every 5th mixed document gets a second version
ROUNDS = 60  # requests per query
LANG_WEIGHTS = {"en": 5, "fr": 1, "es": 1, "ru": 1, "zh": 1, "ar": 1}
QUERIES = [  # (query type, q)
    ("word, common (en)", "disarmament"),
    ("word, moderate (en)", "ammunition"),
    ("word, rare (en)", "biological"),
    ("two words (en)", "nuclear verification"),
    ('words in quotes ("phrase")', '"lethal autonomous weapons"'),
    ("symbol, exact", "A/RES/77/247"),
    ("symbol, prefix", "A/C.1/80/L.1"),
    ("French word", "désarmement"),
    ("Russian word", "разоружение"),
    ("Chinese word (5 ideographs)", "安全理事会"),
    ("no match", "quokka"),
]


def symbol_and_lang(pdf: Path) -> tuple[str, str]:
    """`A_RES_77_247-ES.pdf` -> (`A/RES/77/247`, `es`); English when no suffix."""
    stem, _, suffix = pdf.stem.partition("-")
    return stem.replace("_", "/"), (suffix.lower() if len(suffix) == 2 else "en")


def corpus() -> tuple[list[tuple[str, str, bytes, int]], dict[str, list[str]]]:
    """The text-layer PDFs (symbol, lang, bytes, characters of text) and, per language, the
    real paragraphs of the Charter and of those PDFs."""
    pools = {}
    for lang in LANG_WEIGHTS:
        lines = (CHARTER_DIR / f"un-charter-{lang}.txt").read_text("utf-8").splitlines()
        pools[lang] = [line.strip() for line in lines if line.strip()]
    pdfs = []
    for path in sorted(PDF_DIR.glob("*.pdf")):
        body = path.read_bytes()
        try:
            extracted = extract_text(body, "application/pdf")
        except ExtractionError:  # the Russian scan has no text layer
            continue
        symbol, lang = symbol_and_lang(path)
        pdfs.append((symbol, lang, body, len(extracted.text)))
        pools[lang] += [p for p in extracted.text.split("\n\n") if len(p) > 40]
    return pdfs, pools


def mixed_text(rng: random.Random, pool: list[str]) -> str:
    picks = sorted(rng.sample(range(len(pool)), min(len(pool), rng.randint(8, 60))))
    return "\n\n".join(pool[i] for i in picks)


def fill(db: Database) -> dict[str, int]:
    store = Store(db, Settings())
    pdfs, pools = corpus()
    counts = {"documents": 0, "versions": 0, "indexed_chars": 0, "recorded_chars": 0}

    def record(key: str, lang: str, body: bytes, fmt: str, minute: int) -> None:
        result = store.record_capture(
            CaptureInput(
                key=key,
                lang=lang,
                format=fmt,
                headers={"content-type": "application/pdf" if fmt == "pdf" else "text/plain"},
                body=body,
                fetched_at=T0 + timedelta(minutes=minute),
            )
        )
        assert result.version_id is not None, (key, result.error)
        counts["versions"] += 1

    for i, (symbol, lang, body, chars) in enumerate(pdfs):
        record(symbol, lang, body, "pdf", i)
        counts["documents"] += 1
        counts["indexed_chars"] += chars
        counts["recorded_chars"] += chars
    rng = random.Random(5)
    langs = rng.choices(list(LANG_WEIGHTS), weights=list(LANG_WEIGHTS.values()), k=DOCS)
    for i, lang in enumerate(langs):
        texts = [mixed_text(rng, pools[lang]) for _ in range(2 if i % SECOND_EVERY == 0 else 1)]
        for day, body in enumerate(texts):
            record(f"BENCH/SEARCH/{lang.upper()}/{i}", lang, body.encode(), "text", i + day * DOCS)
            counts["recorded_chars"] += len(body)
        counts["documents"] += 1
        counts["indexed_chars"] += len(texts[-1])
    counts["paragraphs"] = sum(len(pool) for pool in pools.values())
    return counts


def percentiles(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def measure_queries(base: str) -> tuple[dict[str, list[float]], dict[str, int]]:
    """Every query ROUNDS times, shuffled, CONCURRENCY in flight; times (ms) and hits per type."""
    paths = {label: "/api/documents?" + urlencode({"q": q}) for label, q in QUERIES}
    hits: dict[str, int] = {}

    def get(label: str) -> float:
        with httpx.Client(base_url=base, timeout=60) as client:
            start = time.perf_counter()
            response = client.get(paths[label])
            elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, (label, response.status_code, response.text[:300])
        hits[label] = response.json()["total"]
        return elapsed

    for label in paths:  # warm-up: connection pools, first query plans, page cache
        get(label)
    order = [label for label in paths for _ in range(ROUNDS)]
    random.Random(3).shuffle(order)
    times: dict[str, list[float]] = {label: [] for label in paths}
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        for label, elapsed in zip(order, pool.map(get, order), strict=True):
            times[label].append(elapsed)
    return times, hits


def run(url: str) -> None:
    db = Database(url)
    upgrade(db.engine)
    start = time.perf_counter()
    counts = fill(db)
    name = db.engine.dialect.name
    print(
        f"{name}: {counts['documents']:,} documents, {counts['versions']:,} versions filled in "
        f"{time.perf_counter() - start:.0f} s; {counts['indexed_chars'] / 1e6:.1f} M characters "
        f"indexed (latest versions), {counts['recorded_chars'] / 1e6:.1f} M recorded; "
        f"{counts['paragraphs']:,} real paragraphs in the pools"
    )
    db.dispose()
    proc, base = start_server(url, True)
    try:
        times, hits = measure_queries(base)
    finally:
        proc.terminate()
        proc.join()
    print(f"| query type | q | hits | {name} p50 / p95 ms |")
    print("|---|---|---|---|")
    for label, q in QUERIES:
        p50, p95 = percentiles(times[label])
        print(f"| {label} | `{q}` | {hits[label]:,} | {p50:.1f} / {p95:.1f} |")
    p50, p95 = percentiles([t for series in times.values() for t in series])
    total = sum(len(series) for series in times.values())
    print(f"| overall ({total} requests, {CONCURRENCY} in flight) | | | {p50:.1f} / {p95:.1f} |")


def main() -> None:
    with scratch_database(server_from_argv(sys.argv)) as url:
        run(url)


if __name__ == "__main__":
    main()
