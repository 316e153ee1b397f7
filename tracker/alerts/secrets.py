"""Channel URLs carry secrets (passwords, bot tokens, webhook keys): keep them out of sight.

The database stores `channel_id(url)`, never the URL; logs, CLI output, error texts and pages show
`mask_url(url)`, and text that may quote a URL (an Apprise error) goes through `mask_text`.
Masking errs on the side of hiding: the password, every value Apprise's plugin for the scheme
declares private (Telegram's bot token, Slack's tokens, a Discord webhook...), and query or
header values whose name looks like a credential. A URL Apprise cannot parse keeps only its
scheme and host.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import parse_qsl, quote, unquote, urlsplit

MASK = "***"
# Query or header names that carry credentials (`?token=`, `+Authorization=`, `-X-Api-Key=`...).
SECRET_NAME = re.compile(
    r"pass|pwd|^pw$|token|secret|key|auth|sig|cred|session|bearer|cookie|code|apikey|webhook",
    re.IGNORECASE,
)


def channel_id(url: str) -> str:
    """What the outbox stores for a channel: a digest (128 bits) of its URL, never the URL."""
    return hashlib.sha256(url.strip().encode("utf-8")).hexdigest()[:32]


def _apprise_private_values(url: str) -> set[str]:
    """Values Apprise's plugin for this URL marks private (tokens in hosts and paths)."""
    try:
        from apprise import Apprise

        plugin = Apprise.instantiate(url, suppress_exceptions=True)
        if not plugin:
            return set()
        cls = type(plugin)
        parsed = cls.parse_url(url) or {}
    except Exception:  # a plugin that chokes on a URL must not break masking
        return set()
    found: set[str] = set()
    specs = {**getattr(cls, "template_tokens", {}), **getattr(cls, "template_args", {})}
    for name, spec in specs.items():
        if not spec.get("private"):
            continue
        value = parsed.get(spec.get("map_to", name))
        for item in value if isinstance(value, list | tuple | set) else [value]:
            if isinstance(item, str) and item:
                found.add(item)
    return found


@lru_cache(maxsize=1024)
def secrets_of(url: str) -> frozenset[str]:
    """Every secret string found in a channel URL (raw and URL-quoted forms)."""
    parts = urlsplit(url)
    found: set[str] = set()
    if parts.password:
        found.add(parts.password)
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        # Apprise: `+Name=value` sets an HTTP header, which is how webhooks usually authenticate.
        if value and (name.startswith("+") or SECRET_NAME.search(name.lstrip("+-:"))):
            found.add(value)
    found |= _apprise_private_values(url)
    out: set[str] = set()
    for item in found:
        out |= {item, quote(item, safe=""), quote(item), unquote(item)}
    return frozenset(s for s in out if s)


def _mask_netloc(netloc: str) -> str:
    if "@" not in netloc:
        return netloc
    userinfo, host = netloc.rsplit("@", 1)
    if ":" in userinfo:
        user = userinfo.split(":", 1)[0]
        return f"{user}:{MASK}@{host}"
    return f"{userinfo}@{host}"


def mask_url(url: str) -> str:
    """The URL with its secrets replaced by `***`; safe for logs, CLI output and pages."""
    if not isinstance(url, str) or "://" not in url:
        return MASK
    scheme, rest = url.split("://", 1)
    parts = urlsplit(url)
    netloc = _mask_netloc(parts.netloc)
    if not _apprise_private_values(url) and not _parses(url):
        # Unknown to Apprise: we cannot tell tokens from paths, so show the host alone.
        host = netloc.rsplit("@", 1)[-1]
        return f"{scheme}://{host}/{MASK}" if rest.strip("/") != host else f"{scheme}://{host}"
    masked = f"{scheme}://{netloc}{rest[len(parts.netloc) :]}"
    return _replace_secrets(masked, secrets_of(url))


@lru_cache(maxsize=1024)
def _parses(url: str) -> bool:
    try:
        from apprise import Apprise

        return bool(Apprise.instantiate(url, suppress_exceptions=True))
    except Exception:
        return False


def mask_text(text: str, urls: Iterable[str]) -> str:
    """`text` with every channel URL given, and every secret in them, masked."""
    urls = [u for u in urls if u]
    if not text or not urls:
        return text
    for url in urls:
        if url in text:
            text = text.replace(url, mask_url(url))
    return _replace_secrets(text, {s for u in urls for s in secrets_of(u)})


def _replace_secrets(text: str, secrets: Iterable[str]) -> str:
    # Longest first, so that a secret containing another is masked whole.
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text
