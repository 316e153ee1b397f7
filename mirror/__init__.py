"""disarmwatch's local UN mirror: the UN sites the watcher crawls, served on loopback from the
real corpus, changeable between crawls. Independent of Scrapy and of the tracker package."""

from mirror.core import Mirror
from mirror.main import serve_forever

__all__ = ["Mirror", "serve_forever"]
