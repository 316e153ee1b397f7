"""Scrapy settings for disarmwatch's spiders: polite by default (robots.txt, AutoThrottle)."""

import os

from scrapy.settings import default_settings as _scrapy_defaults

BOT_NAME = "disarmwatch"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = "disarmwatch/0.1 (+https://github.com/disarmwatch/disarmwatch)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS_PER_DOMAIN = 2
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_ENABLED = True
RETRY_TIMES = 2
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 100 * 1024 * 1024
DOWNLOAD_WARNSIZE = 0
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # no listening port inside a crawl
FEED_EXPORT_ENCODING = "utf-8"
ITEM_PIPELINES = {"crawler.pipelines.StorePipeline": 500}
DOWNLOADER_MIDDLEWARES = {
    # Scrapy 2.19's robots.txt middleware lets concurrent first requests through: see there.
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.robotstxt.RobotsTxtMiddleware": 100,
    "crawler.middlewares.ConditionalRequestMiddleware": 560,
    "crawler.middlewares.RetryBackoffMiddleware": 545,
    # No spider sets allowed_domains or HTTP credentials: these ran on every request for nothing.
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
}
SPIDER_MIDDLEWARES = {
    # No spider reads a response's depth: citations counts its own hops.
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
}
RETRY_BACKOFF_BASE = 2.0  # seconds before the first retry; doubles each time
RETRY_BACKOFF_MAX = 60.0
EXTENSIONS = {"crawler.progress.ProgressReporter": 500}
# Scrapy's own extensions less three that are switched off anyway (TELNETCONSOLE_ENABLED,
# REMOTE_CONTROL_ENABLED, MEMDEBUG_ENABLED). Dropped from the base, not set to None in
# EXTENSIONS: Scrapy imports every key of EXTENSIONS, and the remote control imports aiohttp's
# web server, ~0.1 s of every crawl process's start-up.
EXTENSIONS_BASE = {
    path: order
    for path, order in _scrapy_defaults.EXTENSIONS_BASE.items()
    if path.rsplit(".", 1)[-1] not in {"TelnetConsole", "RemoteControl", "MemoryDebugger"}
}
# Scrapy reads and parses a generator callback's source to warn about a `return value` in it;
# its cache holds bound methods weakly, and they die with their request, so it parsed again for
# most answers (405 parses in a 1,000-document re-crawl).
WARN_ON_GENERATOR_RETURN_VALUE = False
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408]
LOG_LEVEL = "INFO"
TWISTED_REACTOR = "twisted.internet.epollreactor.EPollReactor"  # lighter than asyncio here
CONCURRENT_ITEMS = 4  # spiders yield one or two items per answer; 100 costs 100 tasks each

# DISARMWATCH_CRAWL_PROFILE=FILE: cProfile this crawl process into FILE (see crawler.profiling).
if os.environ.get("DISARMWATCH_CRAWL_PROFILE"):
    from crawler.profiling import start_from_env

    start_from_env()
