"""Storage growth: 200 versions of A/79/88's text, each with 3 paragraph-level edits.

Reports the bytes stored for all 200 text versions against one whole compressed copy.
Target: the 200 versions cost <= 5 whole copies.

    python bench/bench_storage.py
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select  # noqa: E402

from tests.corpus import corpus_pdf  # noqa: E402
from tracker.blobs import BlobStore, compress  # noqa: E402
from tracker.db import Database, upgrade  # noqa: E402
from tracker.extract import extract_text  # noqa: E402
from tracker.models import Blob  # noqa: E402

VERSIONS = 200
EDITS_PER_VERSION = 3


def main() -> None:
    text = extract_text(corpus_pdf("A_79_88.pdf").read_bytes()).text
    paragraphs = text.split("\n\n")
    rng = random.Random(88)
    whole = len(compress(text.encode()))
    db = Database("sqlite://")
    upgrade(db.engine)
    put_times = []
    with db.session() as session, session.begin():
        blobs = BlobStore(session)
        previous = None
        for n in range(VERSIONS):
            if n:
                for _ in range(EDITS_PER_VERSION):
                    i = rng.randrange(len(paragraphs))
                    words = paragraphs[i].split(" ")
                    j = rng.randrange(len(words))
                    action = rng.choice(["insert", "delete", "replace"])
                    if action == "insert":
                        words.insert(j, f"(amended in version {n + 1})")
                    elif action == "delete" and len(words) > 3:
                        del words[j : j + 3]
                    else:
                        words[j] = words[j].upper()
                    paragraphs[i] = " ".join(words)
            data = "\n\n".join(paragraphs).encode()
            started = time.perf_counter()
            previous = blobs.put(data, base_sha256=previous)
            put_times.append(time.perf_counter() - started)
        stored = session.scalar(select(func.sum(Blob.stored_size)))
        whole_copies = session.scalar(select(func.count()).where(Blob.codec == "zstd"))
        started = time.perf_counter()
        BlobStore(session).get(previous)  # cold read of the newest version: the longest chain
        read_ms = (time.perf_counter() - started) * 1000
    print(f"text size: {len(text.encode()):,} bytes; one whole zstd copy: {whole:,} bytes")
    print(f"{VERSIONS} versions stored in {stored:,} bytes = {stored / whole:.2f} whole copies")
    print(
        f"  whole copies in the chain: {whole_copies}; mean per version: {stored / VERSIONS:,.0f} B"
    )
    put_times.sort()
    print(f"  write per version: p50 {put_times[len(put_times) // 2] * 1000:.0f} ms")
    print(f"  cold read of the newest version: {read_ms:.0f} ms")


if __name__ == "__main__":
    main()
