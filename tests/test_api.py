"""The JSON API over a store of real documents, on SQLite and PostgreSQL."""

from __future__ import annotations

from urllib.parse import quote

from tests.web_fixtures import WebEnv, web  # noqa: F401 - the fixture
from tests.webdata import CITED, EN_ADDED, SYMBOL, TREATY, ZH_ADDED


def test_search_by_symbol_title_and_full_text(web: WebEnv) -> None:  # noqa: F811
    get = web.client.get
    by_symbol = get("/api/documents", params={"q": SYMBOL}).json()
    assert by_symbol["items"][0]["key"] == SYMBOL
    assert set(by_symbol["items"][0]["languages"]) >= {"en", "zh"}
    # Title words: both the draft and the resolution it follows are about the same zone.
    title = get("/api/documents", params={"q": "nuclear-weapon-free zone Middle East"}).json()
    assert {d["key"] for d in title["items"]} == {SYMBOL, CITED}
    # Full text: only version 3 of L.1 holds these words; Chinese words without spaces too.
    assert [
        d["key"] for d in get("/api/documents", params={"q": "grave concern"}).json()["items"]
    ] == [SYMBOL]
    zh = get("/api/documents", params={"q": ZH_ADDED[2:6]}).json()
    assert [d["key"] for d in zh["items"]] == [SYMBOL]
    assert get("/api/documents", params={"q": "zzzqqqnothing"}).json()["total"] == 0

    # "Quoted words" must stand together, in that order; unquoted ones anywhere.
    def keys(q: str) -> list[str]:
        return [d["key"] for d in get("/api/documents", params={"q": q}).json()["items"]]

    assert keys('"grave concern"') == keys("concern grave") == [SYMBOL]
    assert keys('"concern grave"') == []
    assert keys('Middle "grave concern"') == [SYMBOL]
    # Query syntax of the engines is not exposed: operators (and a lone quote) are plain words.
    assert get("/api/documents", params={"q": '"NEAR( OR * -'}).status_code == 200
    assert get("/api/documents", params={"q": '"" "*" ""'}).json()["total"] == 0


def test_filters_and_pagination(web: WebEnv) -> None:  # noqa: F811
    get = web.client.get
    assert [d["key"] for d in get("/api/documents", params={"kind": "treaty"}).json()["items"]] == [
        TREATY
    ]
    series = get("/api/documents", params={"series": "A/C.1/80"}).json()
    assert {d["key"] for d in series["items"]} == {SYMBOL, "A/C.1/80/L.99"}
    assert get("/api/documents", params={"changed_since": "2030-01-01"}).json()["total"] == 0
    first = get("/api/documents", params={"limit": 2}).json()
    second = get("/api/documents", params={"limit": 2, "offset": 2}).json()
    assert first["total"] == 4 and len(first["items"]) == 2 and len(second["items"]) == 2
    assert not {d["key"] for d in first["items"]} & {d["key"] for d in second["items"]}
    bad = get("/api/documents", params={"changed_since": "yesterday"})
    assert bad.status_code == 422 and "changed_since" in bad.json()["message"]
    assert get("/api/documents", params={"limit": 0}).status_code == 422


def test_document_routes_take_symbols_with_slashes(web: WebEnv) -> None:  # noqa: F811
    get = web.client.get
    doc = get(f"/api/documents/{SYMBOL}").json()
    assert doc["key"] == SYMBOL and doc["kind"] == "symbol"
    by_lang = {r["lang"]: r for r in doc["resources"]}
    assert by_lang["en"]["versions"] == 3 and by_lang["en"]["latest"]["seq"] == 3
    assert by_lang["zh"]["latest"]["id"] == web.data.versions["zh"][-1]
    # Percent-encoded slashes reach the same document.
    assert get("/api/documents/" + quote(SYMBOL, safe="")).json()["key"] == SYMBOL
    versions = get(f"/api/documents/{SYMBOL}/versions", params={"lang": "en"}).json()
    assert [v["seq"] for v in versions["items"]] == [3, 2, 1]
    assert versions["items"][0]["stats"]["chars_added"] == len(EN_ADDED)
    assert get(f"/api/documents/{SYMBOL}/versions").json()["total"] == sum(
        len(v) for v in web.data.versions.values()
    )
    missing = get("/api/documents/A/C.1/80/L.404/versions")
    assert missing.status_code == 404
    assert missing.json() == {"status": 404, "message": "no document 'A/C.1/80/L.404'"}


def test_citations_both_directions(web: WebEnv) -> None:  # noqa: F811
    out = web.client.get(f"/api/documents/{SYMBOL}/citations").json()
    cited = {c["key"]: c for c in out["cites"]}
    assert cited[CITED]["in_store"] is True
    assert cited["A/RES/3263(XXIX)"]["in_store"] is False
    back = web.client.get(f"/api/documents/{CITED}/citations").json()
    assert [c["key"] for c in back["cited_by"]] == [SYMBOL]


def test_versions_text_and_raw(web: WebEnv) -> None:  # noqa: F811
    v3 = web.data.versions["en"][2]
    meta = web.client.get(f"/api/versions/{v3}").json()
    assert meta["document"]["key"] == SYMBOL and meta["lang"] == "en" and meta["seq"] == 3
    assert meta["previous_id"] == web.data.versions["en"][1] and meta["next_id"] is None
    text = web.client.get(f"/api/versions/{v3}/text")
    assert text.headers["content-type"].startswith("text/plain")
    assert "Recalling " + EN_ADDED + "its resolutions" in text.text
    raw = web.client.get(f"/api/versions/{web.data.versions['en'][0]}/raw")
    assert raw.headers["content-type"] == "application/pdf"
    assert raw.content.startswith(b"%PDF")
    assert web.client.get("/api/versions/999999").status_code == 404
    assert web.client.get("/api/versions/0").status_code == 422
    assert web.client.get("/api/versions/abc/text").status_code == 422


def test_diff_formats(web: WebEnv) -> None:  # noqa: F811
    v1, v2, v3 = web.data.versions["en"]
    params = {"from": v2, "to": v3}
    js = web.client.get("/api/diff", params=params).json()
    assert [t for op, t in js["ops"] if op == 1] == [EN_ADDED]
    assert js["stats"]["chars_added"] == len(EN_ADDED) and js["document"] == SYMBOL
    unified = web.client.get("/api/diff", params={**params, "format": "unified"})
    assert unified.headers["content-type"].startswith("text/plain")
    assert "+Recalling " + EN_ADDED + "its" in unified.text
    html = web.client.get("/api/diff", params={**params, "format": "html"})
    assert f'<ins class="dw-ins">{EN_ADDED}</ins>' in html.text and "dw-sbs" in html.text
    inline = web.client.get("/api/diff", params={**params, "format": "html", "view": "inline"})
    assert "dw-inline" in inline.text
    zh1, zh2 = web.data.versions["zh"]
    other = web.client.get("/api/diff", params={"from": zh1, "to": v3})
    assert other.status_code == 422 and "different resources" in other.json()["message"]
    assert web.client.get("/api/diff", params={**params, "format": "pdf"}).status_code == 422
    assert web.client.get("/api/diff", params={"to": v3}).status_code == 422
    assert web.client.get("/api/diff", params={"from": v1, "to": 999999}).status_code == 404


def test_events_cursor_pagination_and_filters(web: WebEnv) -> None:  # noqa: F811
    get = web.client.get
    everything = get("/api/events", params={"limit": 200}).json()["items"]
    seen, cursor = [], None
    while True:
        page = get("/api/events", params={"limit": 2, **({"cursor": cursor} if cursor else {})})
        body = page.json()
        seen += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert [e["id"] for e in seen] == [e["id"] for e in everything]
    stamps = [e["occurred_at"] for e in seen]
    assert stamps == sorted(stamps, reverse=True)
    types = {e["type"] for e in get("/api/events", params={"type": "new_version"}).json()["items"]}
    assert types == {"new_version"}
    both = get("/api/events", params={"type": "new_document,treaty_action"}).json()["items"]
    assert {e["type"] for e in both} == {"new_document", "treaty_action"}
    mine = get("/api/events", params={"document": SYMBOL}).json()["items"]
    assert mine and {e["document"] for e in mine} == {SYMBOL}
    state = get("/api/events", params={"state": web.data.ratified_state}).json()["items"]
    assert [(e["type"], e["data"]["action"]) for e in state] == [("treaty_action", "ratification")]
    since = get("/api/events", params={"since": "2026-01-01"}).json()["items"]
    assert [e["type"] for e in since] == ["treaty_action"]
    assert get("/api/events", params={"cursor": "not-a-cursor"}).status_code == 422
    assert get("/api/events", params={"since": "2026-13-45"}).status_code == 422


def test_treaty_on_a_date_and_actions_since(web: WebEnv) -> None:  # noqa: F811
    state = web.data.ratified_state
    before = web.client.get(f"/api/treaties/{TREATY}", params={"at": "2025-06-01"}).json()
    assert before["version_id"] == web.data.treaty_versions[0]
    row = next(r for r in before["participants"] if r["state"] == state)
    assert not row.get("ratification")
    assert [(e["data"]["state"], e["data"]["date"]) for e in before["actions_since"]] == [
        (state, "2026-02-03")
    ]
    now = web.client.get(f"/api/treaties/{TREATY}").json()
    assert now["version_id"] == web.data.treaty_versions[1] and now["actions_since"]
    assert now["counts"]["parties"] == before["counts"]["parties"] + 1
    by_label = web.client.get("/api/treaties/anti-personnel mine ban convention").json()
    assert by_label["key"] == TREATY
    early = web.client.get(f"/api/treaties/{TREATY}", params={"at": "2020-01-01"}).json()
    assert early["version_id"] is None and early["participants"] == []
    assert web.client.get("/api/treaties/nope").status_code == 404
    assert web.client.get(f"/api/treaties/{TREATY}", params={"at": "01/02/2025"}).status_code == 422
    assert [t["key"] for t in web.client.get("/api/treaties").json()] == [TREATY]


def test_runs_and_sources(web: WebEnv) -> None:  # noqa: F811
    runs = web.client.get("/api/runs").json()
    assert [r["source"] for r in runs] == ["treaties", "first-committee"]
    sources = web.client.get("/api/sources").json()
    assert [s["name"] for s in sources] == ["treaties", "first-committee"]  # failing first
    assert sources[0]["last_run"]["status"] == "failed" and sources[0]["schedule"] == "0 6 * * *"


def test_errors_are_json_with_a_message(web: WebEnv) -> None:  # noqa: F811
    unknown = web.client.get("/api/nothing-here")
    assert unknown.status_code == 404 and unknown.json()["message"]
    assert unknown.headers["content-type"].startswith("application/json")
    schema = web.client.get("/openapi.json").json()
    assert "/api/documents/{key}/versions" in schema["paths"]
    assert "slashes" in schema["info"]["description"]


# -- write endpoints (function-scoped stores from conftest: SQLite and PostgreSQL) -------------


def _app(store, settings, tmp_path, token="s3cret", trigger=None):  # noqa: ANN001, ANN202
    from fastapi.testclient import TestClient

    from tests.web_fixtures import make_config
    from tracker.web import create_app

    settings.api_token = token
    config = make_config(tmp_path / "disarmwatch.toml")
    return TestClient(create_app(settings, store.db, config=config, trigger_crawl=trigger)), config


AUTH = {"Authorization": "Bearer s3cret"}


def test_watch_and_unwatch(store, settings, tmp_path) -> None:  # noqa: ANN001
    client, _ = _app(store, settings, tmp_path)
    body = {"source": "first-committee", "key": "A/C.1/80/L.4"}
    created = client.post("/api/watches", json=body, headers=AUTH)
    assert created.status_code == 201 and created.json()["added"] is True
    assert client.post("/api/watches", json=body, headers=AUTH).status_code == 200
    assert [w.key for w in store.watches("first-committee")] == ["A/C.1/80/L.4"]
    assert [w["origin"] for w in client.get("/api/watches").json()] == ["api"]
    gone = client.request("DELETE", "/api/watches", params=body, headers=AUTH)
    assert gone.status_code == 200 and store.watches("first-committee") == []
    again = client.request("DELETE", "/api/watches", params=body, headers=AUTH)
    assert again.status_code == 404
    assert client.post("/api/watches", json={"key": "x"}, headers=AUTH).status_code == 422


def test_add_rule_appends_a_validated_rule(store, settings, tmp_path) -> None:  # noqa: ANN001
    client, config = _app(store, settings, tmp_path)
    path = tmp_path / "disarmwatch.toml"
    rule = {
        "name": "tpnw-ratifications",
        "channels": ["json://127.0.0.1:9/hook"],
        "events": ["treaty_action"],
        "documents": ["untc:*"],
        "sources": ["treaties"],
    }
    added = client.post("/api/rules", json=rule, headers=AUTH)
    assert added.status_code == 201, added.text
    assert config.rule("tpnw-ratifications").events == ["treaty_action"]
    from tracker.config import load_config

    assert load_config(path, environ={}).rule("tpnw-ratifications").sources == ["treaties"]
    before = path.read_text()
    for bad in (
        {**rule, "name": "x", "events": ["no_such_event"]},
        {**rule, "name": "y", "sources": ["no-such-source"]},
        rule,  # duplicate name
        {**rule, "name": "z", "channels": ["not a url"]},
    ):
        refused = client.post("/api/rules", json=bad, headers=AUTH)
        assert refused.status_code == 422, refused.text
        assert refused.json()["message"]
    assert path.read_text() == before


def test_trigger_crawl(store, settings, tmp_path) -> None:  # noqa: ANN001
    calls: list[str] = []
    client, _ = _app(store, settings, tmp_path, trigger=lambda name: calls.append(name) or 7)
    started = client.post("/api/crawls", json={"source": "treaties"}, headers=AUTH)
    assert started.status_code == 202 and started.json()["run"] == 7 and calls == ["treaties"]
    assert client.post("/api/crawls", json={"source": "nope"}, headers=AUTH).status_code == 404
    client2, _ = _app(store, settings, tmp_path)
    assert client2.post("/api/crawls", json={"source": "treaties"}, headers=AUTH).status_code == 503
