"""Runtime settings: defaults, then `config/disarmwatch.toml`, then `DISARMWATCH_*` variables.

Every setting has one environment variable named after it (`DISARMWATCH_DATA_DIR`,
`DISARMWATCH_DATABASE_URL`, `DISARMWATCH_GONE_AFTER_FAILURES`, ...), so containers and CI can
configure the service without editing files.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

ENV_PREFIX = "DISARMWATCH_"
DEFAULT_CONFIG = Path("config") / "disarmwatch.toml"


# The UN sites the crawler reads, by the local mirror's site names, and the setting of each.
SITE_URL_FIELDS = {
    "undocs": "undocs_url",
    "ods": "ods_url",
    "library": "library_url",
    "unoda": "unoda_url",
    "meetings": "meetings_url",
    "docs_library": "docs_library_url",
    "treaties_unoda": "treaties_unoda_url",
    "unoda_gql": "unoda_gql_url",
    "untc": "untc_url",
    "igov": "igov_url",
}


class SettingsError(ValueError):
    """A configuration value is wrong; the message names the file (or variable) and field."""


@dataclass
class Settings:
    data_dir: Path = Path("data")
    database_url: str = ""  # empty: SQLite file `disarmwatch.db` inside data_dir
    gone_after_failures: int = 3  # consecutive failed captures before a `gone` event
    max_body_bytes: int = 100 * 1024 * 1024  # larger answers are refused, never parsed
    diff_timeout: float = 2.0  # seconds; a diff that takes longer is reported as "replaced"
    delta_chain_max: int = 100  # a text blob is stored whole again after this many deltas
    alert_text_identical: bool = False  # a re-rendered PDF with the same text raises no event
    # Crawling: who we are, and where the UN sites live (tests and the demo point these at the
    # local UN mirror).
    contact: str = "disarmwatch@example.org"
    languages: str = "en,fr,es,ru,zh,ar"
    crawl_timeout: float = 3600.0  # seconds before a crawl is ended
    # The service runs its crawls in this many long-lived crawl processes (tracker.crawl_pool):
    # a crawl then costs its own work, not a Python + Scrapy start-up. 0: a new process for
    # each crawl (the most isolated, about a second of CPU each).
    crawl_workers: int = 2
    crawl_worker_max_crawls: int = 1000  # a crawl process is replaced after this many crawls
    crawl_worker_max_rss_mb: int = 500  # ... or when its memory grows past this
    # The service: web/API address, links in alert messages, API token, logs, deliveries.
    web_host: str = "127.0.0.1"
    web_port: int = 8000
    public_url: str = "http://127.0.0.1:8000"  # base of links in alert messages and feeds
    api_token: str = ""  # bearer token for the write endpoints; empty: they are off
    log_format: str = "text"  # text | json
    delivery_interval: float = 10.0  # seconds between outbox sweeps
    delivery_backoff: float = 30.0  # seconds before the first retry of a failed delivery
    delivery_max_attempts: int = 8
    undocs_url: str = "https://undocs.org"
    ods_url: str = "https://documents.un.org"
    library_url: str = "https://digitallibrary.un.org"
    unoda_url: str = "https://disarmament.unoda.org"
    meetings_url: str = "https://meetings.unoda.org"
    docs_library_url: str = "https://docs-library.unoda.org"
    treaties_unoda_url: str = "https://treaties.unoda.org"
    unoda_gql_url: str = "https://gql-api-dataportal.unoda.org"
    untc_url: str = "https://treaties.un.org"
    igov_url: str = "https://igov.un.org"
    config_file: Path | None = field(default=None, repr=False)

    @property
    def language_list(self) -> list[str]:
        return [x.strip() for x in self.languages.split(",") if x.strip()]

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'disarmwatch.db').resolve()}"


def _coerce(name: str, value: Any, target: Any, origin: str) -> Any:
    """Convert a TOML or environment value to the field's type, or say where it is wrong."""
    try:
        if target in (Path, "Path", "Path | None"):
            return Path(value)
        if target in (int, "int"):
            return int(value)
        if target in (float, "float"):
            return float(value)
        if target in (bool, "bool"):
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off"}:
                return False
            raise ValueError(f"expected true or false, got {value!r}")
        return str(value)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{origin}: field {name!r}: {exc}") from exc


def load_settings(
    config_file: Path | None = None, environ: dict[str, str] | None = None
) -> Settings:
    """Read settings. `config_file` defaults to $DISARMWATCH_CONFIG or ./config/disarmwatch.toml."""
    environ = dict(os.environ if environ is None else environ)
    if config_file is None and environ.get(ENV_PREFIX + "CONFIG"):
        config_file = Path(environ[ENV_PREFIX + "CONFIG"])
    if config_file is None and DEFAULT_CONFIG.exists():
        config_file = DEFAULT_CONFIG
    settings = Settings(config_file=config_file)
    known = {f.name: f for f in fields(Settings) if f.name != "config_file"}
    if config_file is not None:
        try:
            with open(config_file, "rb") as fh:
                data = tomllib.load(fh)
        except FileNotFoundError as exc:
            raise SettingsError(f"{config_file}: file not found") from exc
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{config_file}: {exc}") from exc
        section = data.get("disarmwatch", {})
        for name, value in section.items():
            if name not in known:
                raise SettingsError(f"{config_file}: [disarmwatch] unknown field {name!r}")
            setattr(settings, name, _coerce(name, value, known[name].type, str(config_file)))
    for name, spec in known.items():
        env_name = ENV_PREFIX + name.upper()
        if env_name in environ:
            setattr(settings, name, _coerce(name, environ[env_name], spec.type, env_name))
    if settings.gone_after_failures < 1:
        raise SettingsError("gone_after_failures: must be at least 1")
    return settings
