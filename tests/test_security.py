"""Security: escaped content, a Content Security Policy, write endpoints behind a token, and a
loopback address by default."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.web_fixtures import WebEnv, make_config, web  # noqa: F401 - the fixture
from tracker.settings import Settings, load_settings
from tracker.store import Store
from tracker.web import create_app
from tracker.web.app import CSP

HTML = {"Accept": "text/html"}


def test_stored_markup_is_shown_as_text(web: WebEnv) -> None:  # noqa: F811
    key = "A/C.1/80/L.99"
    pages = [
        f"/documents/{key}",
        f"/versions/{web.script_version}",
        "/search?q=Reaffirming",
        f"/search?q={key}",
        "/events",
        "/",
    ]
    for url in pages:
        body = web.client.get(url, headers=HTML).text
        assert "<script" not in body, url
        assert "<b>bold</b>" not in body and "<img src=x" not in body, url
    doc = web.client.get(f"/documents/{key}", headers=HTML).text
    assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in doc
    assert "&lt;b&gt;bold&lt;/b&gt;" in doc
    assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt; Draft" in doc
    # The API gives the text back as it is, as text/plain (never text/html).
    text = web.client.get(f"/api/versions/{web.script_version}/text")
    assert text.headers["content-type"].startswith("text/plain") and "<script>" in text.text


def test_security_headers_on_every_response(web: WebEnv) -> None:  # noqa: F811
    for url in ("/", "/api/documents", "/api/nothing", "/static/style.css", "/openapi.json"):
        response = web.client.get(url)
        assert response.headers["content-security-policy"] == CSP, url
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
    assert "script-src" not in CSP and "default-src 'none'" in CSP  # so no script runs at all
    raw = web.client.get(f"/api/versions/{web.script_version}/raw")
    assert raw.headers["content-security-policy"].startswith("sandbox")


def test_nul_bytes_are_bad_parameters(web: WebEnv) -> None:  # noqa: F811
    assert web.client.get("/api/documents", params={"q": "a\x00b"}).status_code == 422
    assert web.client.get("/api/documents/A%00B").status_code == 422


def _write_calls(client: TestClient, headers: dict[str, str]) -> list[int]:
    rule = {"name": "r", "channels": ["json://127.0.0.1:9/x"]}
    return [
        client.post(
            "/api/watches", json={"source": "s", "key": "A/1"}, headers=headers
        ).status_code,
        client.request(
            "DELETE", "/api/watches", params={"source": "s", "key": "A/0"}, headers=headers
        ).status_code,
        client.post("/api/rules", json=rule, headers=headers).status_code,
        client.post("/api/crawls", json={"source": "treaties"}, headers=headers).status_code,
    ]


def test_write_endpoints_need_the_token(store: Store, settings: Settings, tmp_path) -> None:  # noqa: ANN001
    calls: list[str] = []
    store.add_watch("s", "A/0", origin="config")
    path = tmp_path / "disarmwatch.toml"
    settings.api_token = "correct horse battery staple"
    app = create_app(settings, store.db, config=make_config(path), trigger_crawl=calls.append)
    client = TestClient(app)
    config_before = path.read_text()
    for headers in (
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": "Basic Y29ycmVjdA=="},
        {"Authorization": "Bearer correct horse battery stapl"},
    ):
        assert _write_calls(client, headers) == [401, 401, 401, 401], headers
    assert client.post("/api/watches", json={}, headers={}).status_code == 401
    # Nothing changed.
    assert [w.key for w in store.watches("s")] == ["A/0"]
    assert path.read_text() == config_before and calls == []
    assert app.state.config.rules == []
    # Off when no token is configured, whatever is sent.
    settings.api_token = ""
    off = TestClient(create_app(settings, store.db, config=make_config(path)))
    assert _write_calls(off, {"Authorization": "Bearer "}) == [403, 403, 403, 403]
    assert "off" in off.post("/api/watches", json={"source": "s", "key": "A/1"}).json()["message"]
    assert [w.key for w in store.watches("s")] == ["A/0"]


@pytest.mark.parametrize("environ", [{}, {"DISARMWATCH_DATA_DIR": "x"}])
def test_binds_loopback_by_default(environ: dict[str, str], tmp_path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.chdir(tmp_path)  # no config/disarmwatch.toml here
    assert Settings().web_host == "127.0.0.1"
    assert load_settings(environ=environ).web_host == "127.0.0.1"
    assert load_settings(environ={"DISARMWATCH_WEB_HOST": "0.0.0.0"}).web_host == "0.0.0.0"
