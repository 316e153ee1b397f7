"""A long-lived crawl process: `python -m crawler.worker [--set NAME=VALUE ...]`.

The service keeps a few of these running (`tracker.crawl_pool.CrawlPool`) so that a scheduled
crawl costs its own work only, not a fresh Python + Scrapy start-up (about a second of CPU,
which a two-core machine cannot pay 500 times a minute).

It reads one JSON command per line on stdin:

    {"op": "crawl", "run_id": 7, "spider": "igov", "targets": [...], "source": "...",
     "spider_args": {...}, "timeout": 600}
    {"op": "stop", "run_id": 7}        end that crawl now (Scrapy closes it cleanly)

and starts each crawl at once, beside the others, in one Twisted reactor. It writes `@dw {json}`
lines on stdout, each naming its crawl's `run_id`: `started` (the spider opened; `at` is the
wall-clock time), the progress and summary lines of `crawler.progress`, and `ended` once the
crawl is over (`error` says why a crawl could not run; `log_tail` holds that crawl's own log
lines). A `heartbeat` line every second (with the process's RSS and crawls in flight) tells the
parent the reactor is alive. At the end of stdin (the service closed it, or died) the worker
closes its crawls and exits; so does SIGTERM (Scrapy's shutdown), a second SIGTERM at once.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
from collections import deque
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess

from crawler.progress import write_line
from crawler.run import announce_start, scrapy_settings

LOG_TAIL_LINES = 100
HEARTBEAT_SECONDS = 1.0
# Progress lines of many crawls at once are noise to the pool, which wants summaries.
PROGRESS_INTERVAL = 5.0

log = logging.getLogger("disarmwatch.worker")


def rss_mb() -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class RunLogHandler(logging.Handler):
    """Keeps each crawl's own log lines (records that name their spider) for its run row."""

    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.tails: dict[int, deque[str]] = {}

    def emit(self, record: logging.LogRecord) -> None:
        run_id = getattr(getattr(record, "spider", None), "run_id", None)
        tail = self.tails.get(run_id) if run_id is not None else None
        if tail is not None:
            tail.append(self.format(record))


class Worker:
    """Runs crawl commands in one reactor; everything here runs in the reactor's thread."""

    def __init__(self, process: CrawlerProcess) -> None:
        self.process = process
        self.crawlers: dict[int, Crawler] = {}
        self.known = set(process.spider_loader.list())
        self.logs = RunLogHandler()
        self.logs.setFormatter(
            logging.Formatter("%(asctime)s [%(name)s] %(levelname)s: %(message)s")
        )
        logging.getLogger().addHandler(self.logs)
        self.input_done = False

    def command(self, line: str) -> None:
        try:
            cmd = json.loads(line)
        except json.JSONDecodeError:
            log.error("not a JSON command: %r", line[:200])
            return
        op, run_id = cmd.get("op"), cmd.get("run_id")
        if op == "crawl":
            self.crawl(cmd)
        elif op == "stop":
            crawler = self.crawlers.get(run_id)
            if crawler is not None:
                crawler.stop()
        else:
            log.error("unknown command %r", op)

    def crawl(self, cmd: dict[str, Any]) -> None:
        run_id, spider = cmd.get("run_id"), cmd.get("spider")
        if spider not in self.known:
            write_line("ended", run_id=run_id, error=f"unknown spider {spider!r}", log_tail="")
            return
        try:
            crawler = self.process.create_crawler(spider)  # its own copy of the settings
            if cmd.get("timeout"):
                crawler.settings.set(
                    "CLOSESPIDER_TIMEOUT", float(cmd["timeout"]), priority="cmdline"
                )
            crawler.settings.set(
                "DISARMWATCH_PROGRESS_INTERVAL", PROGRESS_INTERVAL, priority="cmdline"
            )
            announce_start(crawler, run_id)
            self.logs.tails[run_id] = deque(maxlen=LOG_TAIL_LINES)
            self.crawlers[run_id] = crawler
            done = self.process.crawl(
                crawler,
                targets=list(cmd.get("targets") or []),
                run_id=run_id,
                source=cmd.get("source") or spider,
                **{k: str(v) for k, v in (cmd.get("spider_args") or {}).items()},
            )
        except Exception as exc:  # a bad argument must not end the other crawls
            log.exception("crawl %s could not start", run_id)
            self.ended(run_id, f"{type(exc).__name__}: {exc}")
            return
        done.addCallbacks(
            lambda _: self.ended(run_id, None),
            lambda failure: self.ended(run_id, failure.getErrorMessage() or repr(failure.value)),
        )

    def ended(self, run_id: int, error: str | None) -> None:
        self.crawlers.pop(run_id, None)
        tail = self.logs.tails.pop(run_id, None) or ()
        write_line("ended", run_id=run_id, error=error, log_tail="\n".join(tail))
        self.stop_if_done()

    def heartbeat(self) -> None:
        write_line("heartbeat", rss_mb=round(rss_mb(), 1), crawls=len(self.crawlers))

    def end_of_input(self) -> None:
        # The pool closes a worker's input once it has nothing left for it to do; an end of
        # input with crawls running means the service is gone: they close now (cleanly).
        self.input_done = True
        for crawler in list(self.crawlers.values()):
            crawler.stop()
        self.stop_if_done()

    def stop_if_done(self) -> None:
        if self.input_done and not self.crawlers:
            from twisted.internet import reactor

            if reactor.running:
                reactor.stop()


def read_commands(worker: Worker) -> None:
    """Blocking reads of stdin in a thread; each line is handed to the reactor's thread."""
    from twisted.internet import reactor

    for line in sys.stdin:
        if line.strip():
            reactor.callFromThread(worker.command, line)
    reactor.callFromThread(worker.end_of_input)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.worker", description=__doc__)
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="a Scrapy setting"
    )
    args = parser.parse_args(argv)
    overrides = dict(item.split("=", 1) for item in args.set)
    process = CrawlerProcess(scrapy_settings(overrides))
    worker = Worker(process)

    from twisted.internet import reactor, task

    beat = task.LoopingCall(worker.heartbeat)
    reactor.callWhenRunning(beat.start, HEARTBEAT_SECONDS, True)
    reactor.callWhenRunning(
        threading.Thread(target=read_commands, args=(worker,), daemon=True).start
    )
    log.info("crawl worker %d ready", os.getpid())
    process.start(stop_after_crawl=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
