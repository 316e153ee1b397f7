"""10,000 events matched against 200 alert rules and queued in the outbox (target <= 2 s).

Run: .venv/bin/python bench/bench_alerts.py [--database-url URL]
Events are written first (as captures write them); the timed part is what the outbox sink adds
to captures: matching every event against every rule and inserting the delivery rows, in
batches of 10 events per transaction (a capture raises one to a few events).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from tracker.alerts.outbox import OutboxSink
from tracker.config import Config, Rule
from tracker.db import Database, upgrade
from tracker.models import Delivery, Document, Event, utcnow

EVENTS, RULES, PER_CAPTURE = 10_000, 200, 10
TYPES = ["new_version", "new_document", "new_language_version", "treaty_action", "new_submission"]
LANGS = ["en", "fr", "es", "ru", "zh", "ar"]
STATES = ["Austria", "Brazil", "Ireland", "Mexico", "New Zealand", "South Africa"]
WORDS = ["moratorium", "nuclear test", "verification", "核武器", "نزع السلاح", "disarmament"]


def rules(rng: random.Random) -> list[Rule]:
    """200 users' rules, each watching a slice: a draft, a State, resolutions, some words."""
    out = []
    for n in range(RULES):
        kw: dict = {}
        if n % 4 == 0:
            kw = {"events": ["new_version"], "documents": [f"A/C.1/80/L.{n % 50}"]}
        elif n % 4 == 1:
            kw = {"events": ["treaty_action", "new_submission"], "states": rng.sample(STATES, 2)}
        elif n % 4 == 2:
            kw = {"documents": [f"A/RES/79/{n % 50}*"], "languages": rng.sample(LANGS, 2)}
        else:
            kw = {"events": ["new_version", "new_document"], "words": rng.sample(WORDS, 2)}
        out.append(Rule(name=f"rule-{n}", channels=[f"json://127.0.0.1/hook/{n}"], **kw))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--pg-server", default="", help="a PostgreSQL server URL; a scratch database is made"
    )
    args = parser.parse_args()
    url, drop = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}", None
    if args.pg_server:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from tests.conftest import _pg_database

        url, drop = _pg_database(args.pg_server)
    try:
        run(url)
    finally:
        if drop is not None:
            drop()


def run(url: str) -> None:
    db = Database(url)
    upgrade(db.engine)
    rng = random.Random(4)
    sink = OutboxSink(Config(rules=rules(rng)))
    texts = ["The Assembly calls for a moratorium on nuclear test explosions. " * 20] + [
        f"Paragraph {n}: the Assembly recalls its previous resolutions. " * 20 for n in range(9)
    ]
    with db.session() as s, s.begin():
        docs = [Document(kind="symbol", key=f"A/C.1/80/L.{n}") for n in range(50)]
        docs += [Document(kind="symbol", key=f"A/RES/79/{n}") for n in range(50)]
        s.add_all(docs)
        s.flush()
        doc_ids = [d.id for d in docs]
    batches: list[list[int]] = []
    with db.session() as s, s.begin():
        now = utcnow()
        events = [
            Event(
                type=rng.choice(TYPES),
                occurred_at=now,
                document_id=rng.choice(doc_ids),
                lang=rng.choice(LANGS),
                source="bench",
                summary=f"{rng.choice(STATES)} ratified the TPNW on 2026-01-{n % 28 + 1:02d}",
                data={"state": rng.choice(STATES)},
            )
            for n in range(EVENTS)
        ]
        s.add_all(events)
        s.flush()
        ids = [e.id for e in events]
        batches = [ids[i : i + PER_CAPTURE] for i in range(0, len(ids), PER_CAPTURE)]
    elapsed = in_sink = 0.0
    for batch in batches:
        with db.session() as s:
            # The capture has its events in hand: loading them is not the sink's cost.
            evs = list(s.scalars(select(Event).where(Event.id.in_(batch))))
            start = time.perf_counter()
            sink(s, evs, rng.choice(texts))
            s.flush()
            in_sink += time.perf_counter() - start
            s.commit()  # a capture commits anyway; counted in the total, not in the sink's time
            elapsed += time.perf_counter() - start
    with db.session() as s:
        queued = s.scalar(select(func.count()).select_from(Delivery))
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    backend = db.engine.url.get_backend_name()
    print(
        f"{backend}: {EVENTS} events x {RULES} rules -> {queued} deliveries; matched and "
        f"inserted in {in_sink:.2f} s, {elapsed:.2f} s with the {len(batches)} commits; "
        f"nproc {os.cpu_count()}, {cpu}, load average {os.getloadavg()[0]:.2f}"
    )
    db.dispose()


if __name__ == "__main__":
    main()
