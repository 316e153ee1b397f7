"""What a crawl process pays before and around its requests: start-up imports, the schema check,
the Scrapy components it enables, robots.txt checks, and the profiling switch.

Each crawl is a new Python process (`python -m crawler.run`), so an import it never needs, or a
component doing work for nothing on every request, costs every crawl.
"""

from __future__ import annotations

import json
import os
import pstats
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from scrapy.robotstxt import ProtegoRobotParser
from scrapy.utils.test import get_crawler

from crawler.robotstxt import RobotsTxtMiddleware
from tracker.db import (
    Database,
    alembic_config,
    current_revision,
    ensure_schema,
    head_revision,
    scripted_head,
)
from tracker.db import upgrade as upgrade_db

ROOT = Path(__file__).resolve().parents[1]


def run_python(code: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


# -- the schema check --------------------------------------------------------------------------


def test_migration_files_head_is_alembics_head() -> None:
    assert scripted_head() is not None
    assert scripted_head() == head_revision()


def test_ensure_schema_migrates_a_new_database_and_one_behind(database_url: str) -> None:
    db = Database(database_url)
    try:
        assert ensure_schema(db.engine) is True  # empty: migrated
        assert current_revision(db.engine) == head_revision()
    finally:
        db.dispose()
    older = Database(database_url)
    try:
        # One migration behind: Alembic takes the last one back.
        from alembic import command

        command.downgrade(alembic_config(database_url), "-1")
        assert current_revision(older.engine) != head_revision()
        from tracker import db as db_module

        db_module._AT_HEAD.clear()
        assert ensure_schema(older.engine) is True
        assert current_revision(older.engine) == head_revision()
        db_module._AT_HEAD.clear()
        assert ensure_schema(older.engine) is False  # at head: nothing to do
    finally:
        older.dispose()


def test_a_database_at_head_is_opened_without_importing_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'at-head.db'}"
    db = Database(url)
    upgrade_db(db.engine)
    db.dispose()
    out = run_python(
        "import sys\n"
        "from tracker.db import Database\n"
        "from tracker.settings import Settings\n"
        f"Database.from_settings(Settings(database_url={url!r}))\n"
        "print('alembic' in sys.modules)\n",
        {},
    )
    assert out.strip() == "False"


# -- what the crawl process imports and enables ------------------------------------------------


def test_crawl_process_start_up_imports_only_what_an_unchanged_crawl_needs(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'crawl.db'}"
    db = Database(url)
    upgrade_db(db.engine)
    db.dispose()
    (tmp_path / "none.toml").write_text("[disarmwatch]\n")
    # What the crawl process builds before its first request, without starting the reactor.
    out = run_python(
        "import json, sys\n"
        "from scrapy.crawler import CrawlerProcess\n"
        "from crawler.run import scrapy_settings\n"
        "process = CrawlerProcess(scrapy_settings({'LOG_LEVEL': 'WARNING'}))\n"
        "crawler = process.create_crawler('documents')\n"
        "crawler._apply_settings()\n"
        "from crawler.middlewares import ConditionalRequestMiddleware\n"
        "from crawler.pipelines import StorePipeline, shared_store\n"
        "ConditionalRequestMiddleware()\n"
        "shared_store()\n"
        "heavy = ['alembic', 'aiohttp', 'tracker.diff', 'tracker.citations', 'pypdfium2',\n"
        "         'scrapy.extensions.telnet', 'scrapy.extensions.remote_control']\n"
        "print(json.dumps([m for m in heavy if m in sys.modules]))\n",
        {
            "DISARMWATCH_DATABASE_URL": url,
            "DISARMWATCH_CONFIG": str(tmp_path / "none.toml"),
            "SCRAPY_SETTINGS_MODULE": "crawler.settings",
        },
    )
    assert json.loads(out.strip().splitlines()[-1]) == []


def test_scrapy_components_enabled_for_our_spiders() -> None:
    from scrapy.settings import default_settings
    from scrapy.utils.conf import build_component_list
    from scrapy.utils.project import get_project_settings

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()

    def enabled(name: str) -> list[str]:
        return build_component_list(settings.getwithbase(name))

    extensions = enabled("EXTENSIONS")
    dropped = {
        "scrapy.extensions.telnet.TelnetConsole",
        "scrapy.extensions.remote_control.RemoteControl",
        "scrapy.extensions.memdebug.MemoryDebugger",
    }
    for path in default_settings.EXTENSIONS_BASE:
        # CloseSpider gives crawls their time limits; the rest keep Scrapy's stats and logs.
        assert (path in extensions) == (path not in dropped), path
    assert "crawler.progress.ProgressReporter" in extensions
    downloader = enabled("DOWNLOADER_MIDDLEWARES")
    assert "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware" not in downloader
    assert "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware" not in downloader
    for kept in ("retry.RetryMiddleware", "redirect.RedirectMiddleware", "cookies."):
        assert any(kept in path for path in downloader), kept
    assert "crawler.robotstxt.RobotsTxtMiddleware" in downloader
    spider = enabled("SPIDER_MIDDLEWARES")
    assert "scrapy.spidermiddlewares.depth.DepthMiddleware" not in spider
    assert "scrapy.spidermiddlewares.referer.RefererMiddleware" in spider  # redirects use it
    assert settings.getbool("WARN_ON_GENERATOR_RETURN_VALUE") is False
    assert settings.getbool("ROBOTSTXT_OBEY") is True


# -- robots.txt checked without a coroutine once it is known -----------------------------------


def robots_middleware() -> RobotsTxtMiddleware:
    crawler = get_crawler(settings_dict={"ROBOTSTXT_OBEY": True, "USER_AGENT": "disarmwatch"})
    return RobotsTxtMiddleware(crawler)


def test_known_robots_txt_is_checked_in_a_plain_call() -> None:
    mw = robots_middleware()
    mw._parsers["un.test"] = ProtegoRobotParser.from_crawler(
        mw.crawler, b"User-agent: *\nDisallow: /private\n"
    )
    assert mw.process_request(Request("http://un.test/doc.pdf")) is None
    with pytest.raises(IgnoreRequest, match="robots.txt"):
        mw.process_request(Request("http://un.test/private/x"))
    assert mw.crawler.stats.get_value("robotstxt/forbidden") == 1
    # robots.txt that could not be fetched: nothing is forbidden.
    mw._parsers["down.test"] = None
    assert mw.process_request(Request("http://down.test/private/x")) is None
    # Asked not to obey, or not HTTP: no check at all.
    assert mw.process_request(Request("data:,x")) is None
    skip = Request("http://un.test/private/x", meta={"dont_obey_robotstxt": True})
    assert mw.process_request(skip) is None


def test_unknown_host_waits_for_its_robots_txt() -> None:
    mw = robots_middleware()
    pending = mw.process_request(Request("http://new.test/doc.pdf"))
    assert pending is not None and hasattr(pending, "__await__")
    pending.close()  # not run here: fetching robots.txt needs an engine


# -- profiling a crawl process ----------------------------------------------------------------


def test_crawl_profile_switch_writes_stats(tmp_path: Path) -> None:
    (tmp_path / "none.toml").write_text("[disarmwatch]\n")
    prof = tmp_path / "crawl.prof"
    done = subprocess.run(
        [sys.executable, "-m", "crawler.run", "documents", "--set", "LOG_LEVEL=WARNING"],
        cwd=ROOT,
        env={
            **os.environ,
            "DISARMWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}",
            "DISARMWATCH_CONFIG": str(tmp_path / "none.toml"),
            "DISARMWATCH_CRAWL_PROFILE": str(prof),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert '"type": "summary"' in done.stdout
    stats = pstats.Stats(str(prof))
    assert any(fn == "crawl" for (_path, _line, fn) in stats.stats)  # type: ignore[attr-defined]
