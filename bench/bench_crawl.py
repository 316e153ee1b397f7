"""Crawl benchmark: 1,000 documents from the local UN mirror with the documents spider.

Measures the first crawl and the re-crawl of an unchanged mirror (documents/s, CPU seconds per
document, versions and events created), the peak memory of a crawl that fetches A/79/88
(179 pages), and with --profile, where the first crawl's CPU time goes; with --profile-recrawl,
where the re-crawl's does (cProfile inside the crawl child, crawler.profiling).

    python bench/bench_crawl.py [--documents 1000] [--profile | --profile-recrawl]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mirror import Mirror  # noqa: E402
from tracker.crawl import run_crawl  # noqa: E402
from tracker.db import Database  # noqa: E402
from tracker.settings import SITE_URL_FIELDS, load_settings  # noqa: E402
from tracker.store import Store  # noqa: E402

FAST = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "LOG_LEVEL": "WARNING",
}


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_crawl(store: Store, settings, targets: list[str], label: str) -> dict:
    cpu0, t0 = child_cpu(), time.perf_counter()
    result = run_crawl(
        store, settings, "documents", targets, scrapy_settings=FAST, spider_args={"languages": "en"}
    )
    wall, cpu = time.perf_counter() - t0, child_cpu() - cpu0
    n = len(targets)
    print(
        f"{label}: {result.status}, {n} documents in {wall:.1f} s = {n / wall:.1f} documents/s, "
        f"{cpu / n * 1000:.1f} ms CPU per document; outcomes {result.counts.get('outcomes')}, "
        f"new versions {result.counts.get('new_versions')}, events {result.counts.get('events')}"
    )
    return {"wall": wall, "cpu": cpu, "result": result}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--profile", action="store_true", help="profile a first crawl in-process")
    parser.add_argument(
        "--profile-recrawl",
        action="store_true",
        help="crawl once, then profile the re-crawl inside its child process",
    )
    parser.add_argument("--profile-file", help="keep the re-crawl's cProfile stats in this file")
    args = parser.parse_args()
    with Mirror(extra_symbols=args.documents) as mirror, tempfile.TemporaryDirectory() as tmp:
        os.environ["DISARMWATCH_DATABASE_URL"] = f"sqlite:///{tmp}/bench.db"
        os.environ["DISARMWATCH_CONFIG"] = str(Path(tmp) / "none.toml")
        (Path(tmp) / "none.toml").write_text("[disarmwatch]\n")
        for site, field in SITE_URL_FIELDS.items():
            os.environ[f"DISARMWATCH_{field.upper()}"] = mirror.base_urls[site]
        settings = load_settings()
        store = Store(Database.from_settings(settings), settings)
        targets = [f"A/C.1/99/L.{n}" for n in range(1, args.documents + 1)]
        if args.profile:
            profile_first_crawl(targets[:200])
            return
        if args.profile_recrawl:
            timed_crawl(store, settings, targets, "first crawl")
            prof = Path(args.profile_file or Path(tmp) / "recrawl.prof").resolve()
            profile_recrawl(store, settings, targets, prof)
            return
        # Memory first: ru_maxrss of RUSAGE_CHILDREN is the peak over all children so far.
        result = run_crawl(
            store,
            settings,
            "documents",
            ["A/79/88"],
            scrapy_settings=FAST,
            spider_args={"languages": "en"},
        )
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        outcome = result.counts.get("outcomes")
        print(f"A/79/88 crawl: {outcome}; crawl process peak RSS {peak_mb:.0f} MB")

        first = timed_crawl(store, settings, targets, "first crawl")
        again = timed_crawl(store, settings, targets, "re-crawl (unchanged mirror)")
        wall = again["wall"] / first["wall"]
        cpu = again["cpu"] / first["cpu"]
        print(f"re-crawl / first crawl: wall {wall:.2f}, CPU {cpu:.2f}")


def profile_recrawl(store: Store, settings, targets: list[str], path: Path) -> None:
    """Re-crawl with cProfile running in the crawl child; say where its CPU time went."""
    from crawler.profiling import ENV

    os.environ[ENV] = str(path)
    try:
        timed_crawl(store, settings, targets, "re-crawl (profiled)")
    finally:
        del os.environ[ENV]
    stats = pstats.Stats(str(path))
    total = stats.total_tt  # type: ignore[attr-defined]
    print(f"profile of the re-crawl's child (after crawler.settings loads): {total:.2f} s")
    for label, (path_part, function) in {
        "storing captures (record_capture)": ("tracker/store.py", "record_capture"),
        "spider callbacks (capture_item)": ("crawler/base.py", "capture_item"),
        "pipeline (StorePipeline.process_item)": ("crawler/pipelines.py", "process_item"),
        "progress lines (ProgressReporter.emit)": ("crawler/progress.py", "emit"),
        "building the crawler (Crawler.crawl start-up)": ("scrapy/crawler.py", "_create_engine"),
    }.items():
        seconds = max(
            (
                ct
                for (p, _line, fn), (_cc, _nc, _tt, ct, _callers) in stats.stats.items()  # type: ignore[attr-defined]
                if path_part in p and fn == function
            ),
            default=0.0,
        )
        print(f"  {label}: {seconds:.2f} s ({seconds / total:.0%})")
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(40)


def profile_first_crawl(targets: list[str]) -> None:
    """Run one first crawl in this process under cProfile and say where the CPU time went."""
    from crawler.run import main as crawl_main

    argv = ["documents", *targets, "-a", "languages=en"]
    for name, value in FAST.items():
        argv += ["--set", f"{name}={value}"]
    profiler = cProfile.Profile()
    profiler.enable()
    crawl_main(argv)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]

    def cumulative(path_part: str, function: str) -> float:
        return max(
            (
                ct
                for (path, _line, fn), (_cc, _nc, _tt, ct, _callers) in stats.stats.items()  # type: ignore[attr-defined]
                if path_part in path and fn == function
            ),
            default=0.0,
        )

    parts = {
        "storing captures (tracker.store.record_capture, all below)": cumulative(
            "tracker/store.py", "record_capture"
        ),
        "  text extraction (tracker.extract.extract_text)": cumulative(
            "tracker/extract/__init__.py", "extract_text"
        ),
        "  citations (tracker.citations.extract_citations)": cumulative(
            "tracker/citations.py", "extract_citations"
        ),
        "  blob compression (tracker.blobs.BlobStore.put)": cumulative("tracker/blobs.py", "put"),
    }
    print(f"profile of a first crawl of {len(targets)} documents: {total:.1f} s CPU (profiled)")
    for label, seconds in parts.items():
        print(f"  {label}: {seconds:.1f} s ({seconds / total:.0%})")
    rest = total - parts["storing captures (tracker.store.record_capture, all below)"]
    print(f"  everything else (Scrapy, Twisted, HTTP, start-up): {rest:.1f} s ({rest / total:.0%})")
    stats.sort_stats("tottime").print_stats(12)


if __name__ == "__main__":
    main()
