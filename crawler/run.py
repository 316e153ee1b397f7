"""Run one spider in this process: `python -m crawler.run SPIDER [TARGET ...] [--run-id N]`.

The tracker starts this as a child process (Twisted's reactor cannot restart inside one process,
and a crashed crawl must not take the service down) and reads the progress lines it prints: a
`started` line when the spider opens, then those of `crawler.progress`. The service can instead
keep long-lived crawl processes (`crawler.worker`) that run many crawls each.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from scrapy import signals
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.utils.project import get_project_settings

from crawler.progress import write_line
from tracker.settings import load_settings


def scrapy_settings(overrides: dict[str, str]) -> object:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    dw = load_settings()
    settings.set("USER_AGENT", f"disarmwatch/0.1 (+mailto:{dw.contact})", priority="project")
    settings.set("DOWNLOAD_MAXSIZE", dw.max_body_bytes, priority="project")
    for key, value in overrides.items():
        try:
            settings.set(key, json.loads(value), priority="cmdline")
        except json.JSONDecodeError:
            settings.set(key, value, priority="cmdline")
    return settings


def announce_start(crawler: Crawler, run_id: int | None) -> None:
    """A `started` line (with the wall-clock time) when the spider opens: the moment the
    crawl really begins, from which the service measures how late a scheduled crawl was."""
    crawler.signals.connect(
        lambda spider: write_line("started", run_id=run_id, at=time.time()),
        signal=signals.spider_opened,
        weak=False,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.run", description=__doc__)
    parser.add_argument("spider", nargs="?")
    parser.add_argument("targets", nargs="*")
    parser.add_argument("--run-id", type=int)
    parser.add_argument("--source")
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="a Scrapy setting"
    )
    parser.add_argument(
        "-a",
        dest="spider_args",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a spider argument",
    )
    args = parser.parse_args(argv)
    overrides = dict(item.split("=", 1) for item in args.set)
    process = CrawlerProcess(scrapy_settings(overrides))
    if args.spider is None:
        parser.error("a spider is required")
    if args.spider not in process.spider_loader.list():
        known = ", ".join(sorted(process.spider_loader.list()))
        print(f"unknown spider {args.spider!r}; known: {known}", file=sys.stderr)
        return 2
    spider_args = dict(item.split("=", 1) for item in args.spider_args)
    crawler = process.create_crawler(args.spider)
    announce_start(crawler, args.run_id)
    process.crawl(
        crawler,
        targets=args.targets,
        run_id=args.run_id,
        source=args.source or args.spider,
        **spider_args,
    )
    process.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
