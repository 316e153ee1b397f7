"""The pages in a real headless Chromium (Debian's `chromium`, driven by Playwright's Python API).

Skips when /usr/bin/chromium is missing, unless DISARMWATCH_REQUIRE_BROWSER=1 (then it fails).
Never downloads a browser (`playwright install` is not used).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from tests.web_fixtures import make_config, record_runs
from tests.webdata import EN_ADDED, SYMBOL, ZH_ADDED, populate
from tracker.db import Database, upgrade
from tracker.settings import Settings
from tracker.store import Store
from tracker.web import create_app

CHROMIUM = Path(os.environ.get("DISARMWATCH_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def _require_browser() -> None:
    reason = None
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError as exc:
            reason = f"Playwright's Python package is missing: {exc}"
    if reason:
        if os.environ.get("DISARMWATCH_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " (DISARMWATCH_REQUIRE_BROWSER=1)")
        pytest.skip(reason)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """The app on 127.0.0.1 at an ephemeral port, served by uvicorn in a thread."""
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'web.db'}")
    db = Database(settings.effective_database_url)
    upgrade(db.engine)
    store = Store(db, settings)
    populate(store)
    record_runs(store)
    app = create_app(settings, db, config=make_config(tmp_path / "disarmwatch.toml"))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        db.dispose()


def test_dashboard_document_diff_and_chinese_tab(served: str, tmp_path: Path) -> None:
    _require_browser()
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(served + "/")
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            page.get_by_role("link", name=SYMBOL).first.click()
            expect(page.get_by_role("heading", level=1)).to_contain_text(SYMBOL)
            page.get_by_role("link", name="diff with version 2").click()
            inserted = page.locator("ins.dw-ins", has_text=EN_ADDED.strip()).first
            expect(inserted).to_be_visible()
            # The highlight is really painted (the stylesheet loaded under the CSP).
            colour = inserted.evaluate("e => getComputedStyle(e).backgroundColor")
            assert colour == "rgb(204, 255, 216)", colour
            page.screenshot(path=str(tmp_path / "diff.png"), full_page=True)
            page.get_by_role("link", name=SYMBOL).first.click()
            page.get_by_role("navigation", name="Languages").get_by_role(
                "link", name="中文"
            ).click()
            assert "lang=zh" in page.url
            expect(page.locator('.tabs a[aria-current="page"]')).to_have_text("中文")
            expect(page.locator('.doctext[lang="zh"]')).to_contain_text(ZH_ADDED)
            shot = tmp_path / "chinese-tab.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
            assert not [e for e in errors if "Content Security Policy" in e], errors
        finally:
            browser.close()
