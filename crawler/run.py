"""Run one spider in this process: `python -m crawler.run SPIDER [TARGET ...] [--run-id N]`,
or several at once: `python -m crawler.run --batch FILE.json`.

A batch file is a JSON list of crawls, each `{"spider", "targets", "run_id", "source",
"spider_args", "timeout"}`; they all run in one `CrawlerProcess` (one Python + Scrapy start-up
for all of them), each with its own run id, source and time limit (`CLOSESPIDER_TIMEOUT`).
Progress lines carry their crawl's `run_id`.

The tracker starts this as a child process (Twisted's reactor cannot restart inside one process,
and a crashed crawl must not take the service down) and reads the progress lines it prints.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.run", description=__doc__)
    parser.add_argument("spider", nargs="?")
    parser.add_argument("targets", nargs="*")
    parser.add_argument("--batch", metavar="FILE.json", help="run the crawls listed in this file")
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
    if args.batch:
        return run_batch(process, args.batch)
    if args.spider is None:
        parser.error("a spider (or --batch FILE) is required")
    if args.spider not in process.spider_loader.list():
        known = ", ".join(sorted(process.spider_loader.list()))
        print(f"unknown spider {args.spider!r}; known: {known}", file=sys.stderr)
        return 2
    spider_args = dict(item.split("=", 1) for item in args.spider_args)
    process.crawl(
        args.spider,
        targets=args.targets,
        run_id=args.run_id,
        source=args.source or args.spider,
        **spider_args,
    )
    process.start()
    return 0


def run_batch(process: CrawlerProcess, path: str) -> int:
    with open(path, encoding="utf-8") as f:
        crawls = json.load(f)
    known = set(process.spider_loader.list())
    scheduled = 0
    for item in crawls:
        spider = item["spider"]
        if spider not in known:
            # Its run gets no summary line, so the parent records it as failed.
            print(f"run {item.get('run_id')}: unknown spider {spider!r}", file=sys.stderr)
            continue
        crawler = process.create_crawler(spider)  # its own copy of the settings
        if item.get("timeout"):
            crawler.settings.set("CLOSESPIDER_TIMEOUT", float(item["timeout"]), priority="cmdline")
        process.crawl(
            crawler,
            targets=list(item.get("targets") or []),
            run_id=item.get("run_id"),
            source=item.get("source") or spider,
            **{k: str(v) for k, v in (item.get("spider_args") or {}).items()},
        )
        scheduled += 1
    if scheduled:
        process.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
