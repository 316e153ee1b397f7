"""Run one spider in this process: `python -m crawler.run SPIDER [TARGET ...] [--run-id N]`.

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
    parser.add_argument("spider")
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


if __name__ == "__main__":
    sys.exit(main())
