"""Scrapy settings for disarmwatch's spiders: polite by default (robots.txt, AutoThrottle)."""

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
}
RETRY_BACKOFF_BASE = 2.0  # seconds before the first retry; doubles each time
RETRY_BACKOFF_MAX = 60.0
EXTENSIONS = {"crawler.progress.ProgressReporter": 500}
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408]
LOG_LEVEL = "INFO"
TWISTED_REACTOR = "twisted.internet.epollreactor.EPollReactor"  # lighter than asyncio here
CONCURRENT_ITEMS = 4  # spiders yield one or two items per answer; 100 costs 100 tasks each
