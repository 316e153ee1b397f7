"""Profile a crawl child: `DISARMWATCH_CRAWL_PROFILE=FILE` writes cProfile stats to FILE.

`crawler.settings` calls `start_from_env()` when Scrapy loads it, so the profile covers the
spiders' imports, building Scrapy's components, the crawl and shutting down (not the imports
of `crawler.run` itself: `python -X importtime -m crawler.run ...` shows those). The stats are
written when the process exits; read them with `pstats` (bench/bench_crawl.py --profile-recrawl).
"""

from __future__ import annotations

import atexit
import os

ENV = "DISARMWATCH_CRAWL_PROFILE"
_started = False


def start_from_env() -> bool:
    """Start profiling this process if ENV names a file; True when it started now."""
    global _started
    path = os.environ.get(ENV)
    if not path or _started:
        return False
    import cProfile

    profiler = cProfile.Profile()
    _started = True

    def dump() -> None:
        profiler.disable()
        profiler.dump_stats(path)

    atexit.register(dump)
    profiler.enable()
    return True
