"""What to watch (sources) and who to tell (alert rules), read from TOML and validated.

A configuration file holds `[disarmwatch]` settings (tracker.settings), `[[sources]]` and
`[[rules]]`. Every error names the file, the line and the field. Any field of a source or rule
can be overridden by an environment variable `DISARMWATCH_SOURCES__<NAME>__<FIELD>` or
`DISARMWATCH_RULES__<NAME>__<FIELD>` (NAME upper-cased, other characters as `_`), its value
written as a TOML value (`'["en","fr"]'`, `'"0 6 * * *"'`, `3600`) or as a bare string.
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from tracker.models import EventType
from tracker.settings import ENV_PREFIX

# The crawler's spiders (tests check this against `scrapy list`): the tracker never imports Scrapy.
SPIDERS = ("documents", "citations", "library", "unoda", "treaties", "igov", "feeds")
INTERVAL_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class ConfigError(ValueError):
    """A configuration mistake; the message says file:line, the field, and what is wrong."""


@dataclass
class Source:
    name: str
    spider: str
    targets: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    args: dict[str, Any] = field(default_factory=dict)  # spider arguments (depth, patterns...)
    every: str | None = None  # interval like "6h", "30m", "90s"
    cron: str | None = None  # crontab like "0 6 * * *"
    jitter: int = 0  # seconds
    timeout: float | None = None  # seconds; default from settings.crawl_timeout
    enabled: bool = True

    @property
    def interval(self) -> timedelta | None:
        if self.every is None:
            return None
        number, unit = INTERVAL_RE.match(self.every).groups()  # type: ignore[union-attr]
        return timedelta(seconds=float(number) * UNITS[unit])

    def spider_args(self) -> dict[str, str]:
        """Arguments for `crawler.run`: languages and args, as strings."""
        out = {
            k: ",".join(map(str, v)) if isinstance(v, list) else str(v)
            for k, v in self.args.items()
        }
        if self.languages:
            out["languages"] = ",".join(self.languages)
        return out

    def fingerprint(self) -> str:
        """Changes when anything that affects the schedule or the crawl changes."""
        text = repr(
            (
                self.spider,
                self.targets,
                self.languages,
                sorted(self.args.items()),
                self.every,
                self.cron,
                self.jitter,
                self.timeout,
                self.enabled,
            )
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class Rule:
    name: str
    channels: list[str]
    events: list[str] = field(default_factory=list)  # empty: every type
    documents: list[str] = field(default_factory=list)  # key globs, e.g. "A/C.1/80/*"
    sources: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    states: list[str] = field(default_factory=list)  # for replies and treaty actions
    words: list[str] = field(default_factory=list)  # in the added text (or the summary)
    mode: str = "instant"  # instant | digest
    digest: str | None = None  # crontab of the digest, for mode = "digest"
    include_text_identical: bool = False
    max_attempts: int | None = None  # None: settings.delivery_max_attempts


@dataclass
class Config:
    sources: list[Source] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    path: Path | None = None

    def source(self, name: str) -> Source:
        for s in self.sources:
            if s.name == name:
                return s
        raise KeyError(f"no source named {name!r}")

    def rule(self, name: str) -> Rule:
        for r in self.rules:
            if r.name == name:
                return r
        raise KeyError(f"no alert rule named {name!r}")


# -- locating errors -----------------------------------------------------------------------------


def _line_of(text: str, table: str, index: int, fld: str | None) -> int:
    """1-based line of `fld` in the index-th `[[table]]` (else the header line)."""
    header_re = re.compile(r"^\s*\[\[\s*" + re.escape(table) + r"\s*\]\]")
    any_header = re.compile(r"^\s*\[")
    seen, header_line, inside = -1, 1, False
    for number, line in enumerate(text.splitlines(), start=1):
        if header_re.match(line):
            seen += 1
            inside = seen == index
            if inside:
                header_line = number
            continue
        if inside and any_header.match(line):
            break
        if inside and fld and re.match(r"^\s*" + re.escape(fld) + r"\s*=", line):
            return number
    return header_line


def _env_name(kind: str, name: str, fld: str) -> str:
    return (
        f"{ENV_PREFIX}{kind.upper()}__{re.sub(r'[^A-Za-z0-9]', '_', name).upper()}__{fld.upper()}"
    )


def _env_value(raw: str) -> Any:
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


# -- validation ------------------------------------------------------------------------------------


def _check_cron(expr: str) -> str | None:
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(expr)
    except ValueError as exc:
        return f"not a valid crontab ({exc})"
    return None


def check_apprise_url(url: str) -> str | None:
    """None if Apprise accepts the URL, else why not (without repeating the URL's secrets)."""
    import apprise

    if not isinstance(url, str) or "://" not in url:
        return "not an Apprise URL (expected scheme://...)"
    if not apprise.Apprise().add(url):
        scheme = url.split("://", 1)[0]
        return f"Apprise does not accept this {scheme}:// URL"
    return None


class _Loader:
    def __init__(self, path: Path, text: str, environ: dict[str, str]) -> None:
        self.path, self.text, self.environ = path, text, environ

    def fail(self, table: str, index: int, fld: str | None, message: str, origin: str = "") -> None:
        where = origin or f"{self.path}:{_line_of(self.text, table, index, fld)}"
        what = f"[[{table}]] #{index + 1}" + (f" field {fld!r}" if fld else "")
        raise ConfigError(f"{where}: {what}: {message}")

    def entries(
        self, data: dict[str, Any], table: str, known: dict[str, Any]
    ) -> list[tuple[int, dict[str, Any], dict[str, str]]]:
        raw = data.get(table, [])
        if not isinstance(raw, list):
            raise ConfigError(f"{self.path}: {table} must be an array of tables ([[{table}]])")
        out = []
        for index, entry in enumerate(raw):
            entry = dict(entry)
            origins: dict[str, str] = {}
            for key in entry:
                if key not in known:
                    self.fail(
                        table, index, key, f"unknown field; known: {', '.join(sorted(known))}"
                    )
            name = entry.get("name")
            if not isinstance(name, str) or not name.strip():
                self.fail(table, index, "name", "every entry needs a non-empty name")
            for fld in known:
                env = _env_name(table, name, fld)
                if env in self.environ:
                    entry[fld] = _env_value(self.environ[env])
                    origins[fld] = env
            for key, expected in known.items():
                if key in entry and not isinstance(entry[key], expected):
                    want = " or ".join(
                        t.__name__
                        for t in (expected if isinstance(expected, tuple) else (expected,))
                    )
                    self.fail(
                        table,
                        index,
                        key,
                        f"expected {want}, got {entry[key]!r}",
                        origins.get(key, ""),
                    )
            out.append((index, entry, origins))
        return out

    def check_names(self, table: str, names: list[str]) -> None:
        seen: set[str] = set()
        for index, name in enumerate(names):
            if name in seen:
                self.fail(table, index, "name", f"duplicate name {name!r}")
            seen.add(name)


SOURCE_FIELDS: dict[str, Any] = {
    "name": str,
    "spider": str,
    "targets": list,
    "languages": list,
    "args": dict,
    "every": str,
    "cron": str,
    "jitter": int,
    "timeout": (int, float),
    "enabled": bool,
}
RULE_FIELDS: dict[str, Any] = {
    "name": str,
    "channels": list,
    "events": list,
    "documents": list,
    "sources": list,
    "languages": list,
    "states": list,
    "words": list,
    "mode": str,
    "digest": str,
    "include_text_identical": bool,
    "max_attempts": int,
}


def parse_config(text: str, path: Path, environ: dict[str, str] | None = None) -> Config:
    environ = dict(os.environ if environ is None else environ)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    loader = _Loader(path, text, environ)
    config = Config(path=path)
    for index, entry, origins in loader.entries(data, "sources", SOURCE_FIELDS):

        def bad(fld: str, message: str, index: int = index, origins: dict = origins) -> None:
            loader.fail("sources", index, fld, message, origins.get(fld, ""))

        if "spider" not in entry:
            bad("spider", f"missing; one of: {', '.join(SPIDERS)}")
        if entry["spider"] not in SPIDERS:
            bad("spider", f"unknown spider {entry['spider']!r}; known: {', '.join(SPIDERS)}")
        if ("every" in entry) == ("cron" in entry):
            bad("every" if "every" in entry else "cron", "give exactly one of every or cron")
        if "every" in entry and not INTERVAL_RE.match(entry["every"]):
            bad("every", f"not an interval like '30m', '6h', '1d': {entry['every']!r}")
        if "cron" in entry and (why := _check_cron(entry["cron"])):
            bad("cron", why)
        if entry.get("jitter", 0) < 0:
            bad("jitter", "must be >= 0 seconds")
        config.sources.append(Source(**entry))
    for index, entry, origins in loader.entries(data, "rules", RULE_FIELDS):

        def bad(fld: str, message: str, index: int = index, origins: dict = origins) -> None:
            loader.fail("rules", index, fld, message, origins.get(fld, ""))

        if not entry.get("channels"):
            bad("channels", "a rule needs at least one Apprise URL")
        for url in entry["channels"]:
            if why := check_apprise_url(url):
                bad("channels", why)
        valid_events = {t.value for t in EventType}
        for etype in entry.get("events", []):
            if etype not in valid_events:
                bad(
                    "events",
                    f"unknown event type {etype!r}; known: {', '.join(sorted(valid_events))}",
                )
        mode = entry.get("mode", "instant")
        if mode not in ("instant", "digest"):
            bad("mode", f"must be 'instant' or 'digest', not {mode!r}")
        if mode == "digest" and not entry.get("digest"):
            bad("digest", 'a digest rule needs a crontab, e.g. digest = "0 8 * * *"')
        if entry.get("digest") and (why := _check_cron(entry["digest"])):
            bad("digest", why)
        config.rules.append(Rule(**entry))
    loader.check_names("sources", [s.name for s in config.sources])
    loader.check_names("rules", [r.name for r in config.rules])
    for rule_index, rule in enumerate(config.rules):
        for name in rule.sources:
            if name not in {s.name for s in config.sources}:
                loader.fail("rules", rule_index, "sources", f"no source named {name!r}")
    return config


def load_config(path: Path | None, environ: dict[str, str] | None = None) -> Config:
    """The sources and rules of `path`; an empty configuration when there is no file."""
    if path is None:
        return Config()
    try:
        text = Path(path).read_text("utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: file not found") from exc
    return parse_config(text, Path(path), environ)
