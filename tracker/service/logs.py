"""Service logs as text or JSON lines (`settings.log_format`), with channel URLs masked.

Alert channels are Apprise URLs that carry tokens and passwords (`mailto://user:pass@...`,
`tgram://BOT_TOKEN/...`). Any URL in a log record is passed through the alerting package's
`mask_url` before it is written, so a secret cannot reach a log file whatever logs it.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable
from typing import Any

from tracker.settings import Settings

URL_RE = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>]+")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"


def _fallback_mask(url: str) -> str:
    """Scheme and host only: used until (or unless) tracker.alerts.secrets is importable."""
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    return f"{scheme}://{host}/***" if "/" in rest or "@" in rest else url


def _masker() -> Callable[[str], str]:
    try:
        from tracker.alerts.secrets import mask_url
    except ImportError:
        return _fallback_mask
    return mask_url


def mask_urls(text: str, mask: Callable[[str], str] | None = None) -> str:
    mask = mask or _masker()
    return URL_RE.sub(lambda m: _keep_web(m.group(0), mask), text)


def _keep_web(url: str, mask: Callable[[str], str]) -> str:
    # Plain web links (the mirror, the UN sites, our own pages) carry no secrets and are what
    # an operator needs to read; every other scheme is an alert channel.
    if url.startswith(("http://", "https://")) and "@" not in url.split("/", 3)[2]:
        return url
    return mask(url)


class MaskUrls(logging.Filter):
    """Rewrites the record's message with every channel URL masked."""

    def __init__(self) -> None:
        super().__init__()
        self.mask = _masker()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_urls(message, self.mask)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def formatter(log_format: str) -> logging.Formatter:
    if log_format == "json":
        from pythonjsonlogger.json import JsonFormatter

        return JsonFormatter(JSON_FIELDS, rename_fields={"asctime": "time", "levelname": "level"})
    return logging.Formatter(TEXT_FORMAT)


def setup_logging(settings: Settings, level: int = logging.INFO, stream: Any = None) -> None:
    """Configure the root logger once for the service (and uvicorn's loggers through it)."""
    if settings.log_format not in ("text", "json"):
        raise ValueError(f"log_format: expected 'text' or 'json', got {settings.log_format!r}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter(settings.log_format))
    handler.addFilter(MaskUrls())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # uvicorn and APScheduler bring their own handlers or chatter: route them through ours.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
