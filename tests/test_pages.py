"""Server-rendered pages: readable without JavaScript, multilingual, accessible markup."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl

from tests.web_fixtures import WebEnv, web  # noqa: F401 - the fixture
from tests.webdata import AR_ADDED, CITED, EN_ADDED, SYMBOL, TREATY, ZH_ADDED
from tracker.web import pages

HTML = {"Accept": "text/html"}


def page(web: WebEnv, url: str, **params: object) -> str:  # noqa: F811
    response = web.client.get(url, params=params, headers=HTML)
    assert response.status_code == 200, (url, response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith("text/html")
    body = response.text
    # Every page: a labelled search box, one h1, a language and a viewport for phones.
    assert '<label for="site-q">' in body and 'id="site-q"' in body
    assert len(re.findall(r"<h1[ >]", body)) == 1
    assert '<html lang="en">' in body and 'name="viewport"' in body
    assert "<script" not in body  # no JavaScript needed, none sent
    return body


def test_dashboard_failing_sources_first_and_recent_events(web: WebEnv) -> None:  # noqa: F811
    body = page(web, "/")
    assert body.index("treaties") < body.index("first-committee")
    assert 'class="failing"' in body and "failed" in body
    assert f'href="/documents/{SYMBOL}"' in body
    assert f"/treaties/{TREATY}" in body


def test_document_page(web: WebEnv) -> None:  # noqa: F811
    body = page(web, f"/documents/{SYMBOL}")
    # Languages as tabs that are plain links; English first and current.
    tabs = re.findall(r'<a href="([^"]+)#panel" lang="(\w+)"( aria-current="page")?', body)
    assert [(lang, bool(cur)) for _href, lang, cur in tabs][:2] == [("en", True), ("ar", False)]
    assert f"/documents/{SYMBOL}?lang=zh" in body
    # Timeline with change sizes and diff links.
    assert body.count('class="difflink"') == 2
    assert f"+{len(EN_ADDED)}" in body
    v2, v3 = web.data.versions["en"][1:]
    assert f'href="/diff?from={v2}&amp;to={v3}"' in body
    # Citations in and out, as links when the document is stored.
    assert f'<a href="/documents/{CITED}">{CITED}</a>' in body
    assert "A/RES/3263(XXIX)" in body
    cited_page = page(web, f"/documents/{CITED}")
    assert f'<a href="/documents/{SYMBOL}">{SYMBOL}</a>' in cited_page
    assert "new document" in body  # its events


def test_document_timeline_pages_to_older_versions(web: WebEnv, monkeypatch) -> None:  # noqa: F811
    # The timeline shows the newest TIMELINE versions; "Older versions" pages back by seq.
    monkeypatch.setattr(pages, "TIMELINE", 2)
    v1, v2, v3 = web.data.versions["en"]
    body = page(web, f"/documents/{SYMBOL}")
    assert f'href="/versions/{v3}"' in body and f'href="/versions/{v2}"' in body
    assert f'href="/versions/{v1}"' not in body
    assert f'href="/diff?from={v1}&amp;to={v2}"' in body  # the oldest shown still links its diff
    link = re.search(r'<a rel="next" href="([^"]+)#timeline">Older versions</a>', body)
    assert link is not None and "before=2" in link.group(1)
    path, _, query = html.unescape(link.group(1)).partition("?")
    older = page(web, path, **dict(parse_qsl(query)))
    assert f'href="/versions/{v1}"' in older and f'href="/versions/{v2}"' not in older
    assert "Older versions" not in older and "Newest versions" in older
    assert "Latest text" not in older  # the excerpt belongs to the newest page
    assert "No version before version 1." in page(web, f"/documents/{SYMBOL}", before=1)


def test_chinese_and_arabic_tabs(web: WebEnv) -> None:  # noqa: F811
    zh = page(web, f"/documents/{SYMBOL}", lang="zh")
    assert 'lang="zh" aria-current="page"' in zh
    assert re.search(r'<div class="doctext" lang="zh" dir="auto">[^<]*' + ZH_ADDED, zh)
    if web.data.has_arabic:
        ar = page(web, f"/documents/{SYMBOL}", lang="ar")
        assert re.search(r'<div class="doctext" lang="ar" dir="rtl">[^<]*' + AR_ADDED, ar)
    assert web.client.get(f"/documents/{SYMBOL}", params={"lang": "xx"}).status_code == 404


def test_diff_page_views(web: WebEnv) -> None:  # noqa: F811
    v1, v2, v3 = web.data.versions["en"]
    side = page(web, "/diff", **{"from": v2, "to": v3})
    assert f'<ins class="dw-ins">{EN_ADDED}</ins>' in side and "dw-sbs" in side
    assert "characters unchanged" in side  # long unchanged stretches folded
    assert f'href="/api/versions/{v2}/raw"' in side and f'href="/api/versions/{v3}/raw"' in side
    inline = page(web, "/diff", **{"from": v2, "to": v3, "view": "inline"})
    assert "dw-inline" in inline and f'<ins class="dw-ins">{EN_ADDED}</ins>' in inline
    zh1, zh2 = web.data.versions["zh"]
    zh = page(web, "/diff", **{"from": zh1, "to": zh2})
    assert 'lang="zh"' in zh and ZH_ADDED in re.sub(r"<[^>]+>", "", zh)
    assert re.search(r'<ins class="dw-ins">[^<]*' + ZH_ADDED[:4], zh)
    if web.data.has_arabic:
        ar1, ar2 = web.data.versions["ar"]
        ar = page(web, "/diff", **{"from": ar1, "to": ar2})
        assert 'lang="ar" dir="rtl"' in ar
        assert re.search(r'<ins class="dw-ins">[^<]*' + AR_ADDED, ar)
    bad = web.client.get("/diff", params={"from": zh1, "to": v3}, headers=HTML)
    assert bad.status_code == 422 and "<h1>Error 422</h1>" in bad.text


def test_version_page(web: WebEnv) -> None:  # noqa: F811
    v3 = web.data.versions["en"][2]
    body = page(web, f"/versions/{v3}")
    assert "Recalling " + EN_ADDED in body and f"/api/versions/{v3}/raw" in body


def test_events_page_filters(web: WebEnv) -> None:  # noqa: F811
    body = page(web, "/events", type="treaty_action")
    assert web.data.ratified_state in body and '<option value="treaty_action" selected>' in body
    for field in ("e-type", "e-since", "e-doc", "e-state"):
        assert f'<label for="{field}">' in body
    assert SYMBOL not in re.sub(r'value="[^"]*"|placeholder="[^"]*"', "", body.split("<table")[1])
    paged = page(web, "/events", document=SYMBOL)
    assert "Older events" not in paged


def test_treaty_page(web: WebEnv) -> None:  # noqa: F811
    body = page(web, f"/treaties/{TREATY}")
    assert "<svg" in body and 'role="img"' in body and "<title" in body
    assert f'<th scope="row" dir="auto">{web.data.ratified_state}</th>' in body
    assert "2026-02-03" in body and "Timeline of actions" in body
    earlier = page(web, f"/treaties/{TREATY}", at="2025-06-01")
    assert "Actions recorded since 2025-06-01" in earlier


def test_search_page_and_html_errors(web: WebEnv) -> None:  # noqa: F811
    body = page(web, "/search", q="grave concern")
    assert f'<a href="/documents/{SYMBOL}">{SYMBOL}</a>' in body and "1 document." in body
    missing = web.client.get("/documents/A/NOPE", headers=HTML)
    assert missing.status_code == 404 and "Error 404" in missing.text
    css = web.client.get("/static/style.css")
    assert css.status_code == 200 and "@media (max-width" in css.text
