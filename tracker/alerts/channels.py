"""Sending one message to one channel URL through Apprise, with secrets kept out of its logs."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from tracker.alerts.messages import Message
from tracker.alerts.secrets import mask_text

# (channel URL, message) -> None when the channel accepted it, else why not (secrets masked).
Sender = Callable[[str, Message], str | None]

APPRISE_LOGGER = "apprise"


class _SecretFilter(logging.Filter):
    """Masks channel secrets in Apprise's own log records.

    Installed on the `apprise` logger, it runs before any handler (caplog, files, JSON logs)
    sees a record, so a plugin that quotes its URL in an error cannot leak a password or token.
    """

    def __init__(self) -> None:
        super().__init__()
        self.urls: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = mask_text(record.getMessage(), self.urls), None
        return True


_filter = _SecretFilter()
logging.getLogger(APPRISE_LOGGER).addFilter(_filter)


def protect(urls: Iterable[str]) -> None:
    """Register channel URLs whose secrets must be masked in Apprise's log records."""
    _filter.urls.update(u for u in urls if u)


def apprise_send(url: str, message: Message) -> str | None:
    """Send `message` to `url`; None on success, else the reason Apprise gave (masked)."""
    import apprise

    protect([url])
    notifier = apprise.Apprise()
    if not notifier.add(url):
        return "Apprise does not accept this channel URL"
    try:
        result = notifier.notify(
            title=message.title, body=message.body, body_format=apprise.NotifyFormat.TEXT
        )
    except Exception as exc:  # a plugin bug is a failed attempt, not a crashed deliverer
        return mask_text(f"{exc.__class__.__name__}: {exc}", [url])
    if result:
        return None
    reason = _reason(result)
    return mask_text(reason or "the channel refused the message", [url])


def _reason(result: object) -> str:
    """Apprise's warnings for a failed send (it logs them from worker threads, so read them from
    the result it returns rather than from the logger)."""
    logs = getattr(result, "logs", None)
    if not callable(logs):
        return ""
    messages = [
        str(entry.message)
        for entry in logs()
        if getattr(entry, "level", "") in ("WARNING", "ERROR", "CRITICAL")
        or getattr(entry, "levelno", 0) >= logging.WARNING
    ]
    return "; ".join(dict.fromkeys(messages[-3:]))
