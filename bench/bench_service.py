"""Service benchmark: many sources on one-minute schedules, scheduling delay, RSS, no overlap.

    python bench/bench_service.py --sources 500 --minutes 10 --crawl igov --workers 64
    python bench/bench_service.py --sources 500 --minutes 3 --crawl stub

The service runs in this process (scheduler only, SQLite in a temporary directory), so its RSS
is this process's; its crawl processes are measured apart. `--crawl igov` runs real crawls
(`igov` spider: robots.txt and the proposals JSON) against `disarmwatch mirror` started as a
separate process, in the service's long-lived crawl processes (`--crawl-workers`, default the
setting's; 0: a new process per crawl). `--crawl stub` replaces each crawl by a shell that only
says it started, in a process of its own: the scheduler, job store and run bookkeeping alone.
`--workers` is the number of crawls that may run at once.

Scheduling delay: seconds between a run's scheduled time (jitter included) and the moment its
spider opened (the crawl's `started` line). Overlap: two runs of one source whose
[started, finished] intervals intersect.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select  # noqa: E402

import tracker.crawl  # noqa: E402
from bench.scratch_db import scratch_database  # noqa: E402
from tracker.config import Config, Source  # noqa: E402
from tracker.db import Database  # noqa: E402
from tracker.models import CrawlRun  # noqa: E402
from tracker.service.runner import Service, ServiceOptions  # noqa: E402
from tracker.settings import SITE_URL_FIELDS, load_settings  # noqa: E402

STUB_STARTED = 'echo "@dw {\\"type\\": \\"started\\", \\"at\\": $(date +%s.%N)}"'
FAST = {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "LOG_LEVEL": "WARNING"}


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def start_mirror() -> tuple[subprocess.Popen[str], dict[str, str]]:
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "disarmwatch"), "mirror"],
        stdout=subprocess.PIPE,
        text=True,
    )
    env: dict[str, str] = {}
    assert proc.stdout is not None
    while len(env) < len(SITE_URL_FIELDS):
        line = proc.stdout.readline()
        if line.startswith("export "):
            name, value = line.removeprefix("export ").strip().split("=", 1)
            env[name] = value
    return proc, env


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def overlaps(db: Database) -> int:
    with db.session() as session:
        runs = session.scalars(select(CrawlRun).order_by(CrawlRun.source, CrawlRun.started_at))
        count, last = 0, {}
        for run in runs:
            prev = last.get(run.source)
            if prev is not None and prev.finished_at and run.started_at < prev.finished_at:
                count += 1
            last[run.source] = run
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sources", type=int, default=500)
    parser.add_argument("--minutes", type=float, default=3)
    parser.add_argument("--crawl", choices=("stub", "igov"), default="stub")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--jitter", type=int, default=0, help="seconds of jitter per source")
    parser.add_argument(
        "--crawl-workers",
        type=int,
        default=None,
        help="settings.crawl_workers: long-lived crawl processes (default: the setting's; "
        "stub crawls: 0, one process per crawl)",
    )
    parser.add_argument(
        "--pg-server",
        metavar="URL",
        help="run on a scratch database made on this PostgreSQL server (default: SQLite)",
    )
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        database_url = None
        if args.pg_server:
            database_url = stack.enter_context(scratch_database(args.pg_server))
        run(args, database_url)


def run(args: argparse.Namespace, database_url: str | None) -> None:
    scratch = Path(tempfile.mkdtemp(prefix="dw-bench-service-"))
    os.environ["DISARMWATCH_DATA_DIR"] = str(scratch)
    os.environ["DISARMWATCH_DATABASE_URL"] = database_url or f"sqlite:///{scratch / 'bench.db'}"
    os.environ["DISARMWATCH_CONFIG"] = str(scratch / "none.toml")
    (scratch / "none.toml").write_text("[disarmwatch]\n")
    mirror = None
    if args.crawl == "igov":
        mirror, env = start_mirror()
        os.environ.update(env)
    else:
        original = tracker.crawl.crawl_command

        def stub(*a: Any, **k: Any) -> list[str]:
            original(*a, **k)  # same argument handling, then a child that only starts
            return ["sh", "-c", STUB_STARTED]

        tracker.crawl.crawl_command = stub  # type: ignore[assignment]
    settings = load_settings()
    if args.crawl == "stub":
        settings.crawl_workers = 0  # the stub replaces crawl_command: one child per run
    elif args.crawl_workers is not None:
        settings.crawl_workers = args.crawl_workers
    db = Database.from_settings(settings)
    config = Config(
        sources=[
            Source(
                f"s{i:04d}", "igov", ["EIGHTIETH/First Committee"], every="1m", jitter=args.jitter
            )
            for i in range(args.sources)
        ]
    )
    options = ServiceOptions(web=False, workers=args.workers, scrapy_settings=FAST)
    service = Service(settings, config, db, options)
    rss_idle: list[float] = []
    rss_all: list[float] = []
    rss_workers: list[float] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(1.0):
            value = rss_mb()
            rss_all.append(value)
            pool = service.jobs.pool if service.jobs is not None else None
            if pool is not None:
                rss_workers.append(sum(w["rss_mb"] for w in pool.status()))
            if service.jobs is not None and not service.jobs.running_sources():
                rss_idle.append(value)

    threading.Thread(target=sample, daemon=True).start()
    started = time.monotonic()
    service.start()
    time.sleep(args.minutes * 60)
    done.set()
    assert service.jobs is not None
    delays = list(service.jobs.delays)
    skipped = service.jobs.skipped_overlaps
    service.shutdown()
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )  # crawl processes are children: counted once the shutdown has reaped them
    with db.session() as session:
        runs = session.scalars(select(CrawlRun)).all()
        statuses: dict[str, int] = {}
        for run in runs:
            statuses[run.status] = statuses.get(run.status, 0) + 1
    print(
        f"crawl={args.crawl} sources={args.sources} minutes={args.minutes} "
        f"workers={args.workers} jitter={args.jitter} cpus={os.cpu_count()} "
        f"database={db.engine.dialect.name} "
        f"crawl_workers={settings.crawl_workers}"
    )
    elapsed = time.monotonic() - started
    print(f"elapsed {elapsed:.0f} s; runs {len(runs)} {statuses}")
    print(
        f"scheduling delay: n={len(delays)} median={statistics.median(delays):.3f} s "
        f"p95={percentile(delays, 0.95):.3f} s max={max(delays):.3f} s"
    )
    print(
        f"service RSS: idle (no crawl running) max={max(rss_idle, default=float('nan')):.0f} MB "
        f"({len(rss_idle)} samples); overall max={max(rss_all):.0f} MB"
    )
    cpu_service = own.ru_utime + own.ru_stime
    cpu_crawls = children.ru_utime + children.ru_stime
    finished = statuses.get("finished", 0)
    print(
        f"CPU: service {cpu_service:.0f} s, crawl processes {cpu_crawls:.0f} s "
        f"({1000 * cpu_crawls / max(1, finished):.1f} ms per finished crawl), "
        f"over {elapsed:.0f} s on {os.cpu_count()} CPUs"
    )
    if rss_workers:
        print(f"crawl processes' RSS, all of them together: max={max(rss_workers):.0f} MB")
    print(f"overlapping runs of one source: {overlaps(db)}; runs skipped as overlap: {skipped}")
    db.dispose()
    if mirror is not None:
        mirror.terminate()


if __name__ == "__main__":
    main()
