"""The local UN mirror answers like the real sites (plain HTTP with urllib)."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from urllib.parse import quote, urlsplit

import pytest
from lxml import etree

from mirror import Mirror


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[override]
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def get(url: str, data: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    """One request, redirects not followed."""
    req = urllib.request.Request(url, data=data)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with _OPENER.open(req, timeout=10) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()


def follow(url: str) -> tuple[int, dict[str, str], bytes, list[str]]:
    chain = [url]
    for _ in range(5):
        status, headers, body = get(url)
        if status not in (301, 302):
            return status, headers, body, chain
        url = headers["location"]
        chain.append(url)
    raise AssertionError(f"redirect loop: {chain}")


def test_undocs_short_link_redirects_through_ods_to_job_path(un_mirror: Mirror) -> None:
    status, headers, _ = get(un_mirror.url("undocs", "/en/A/C.1/80/L.1"))
    assert status == 302
    assert headers["location"] == un_mirror.url(
        "ods", "/api/symbol/access?s=A%2FC.1%2F80%2FL.1&l=en&t=pdf"
    )
    status, headers, body, chain = follow(headers["location"])
    # The job number printed on the real PDF (25-16208) names the file path.
    assert chain[-1] == un_mirror.url("ods", "/doc/undoc/gen/n25/162/08/pdf/n2516208.pdf")
    assert status == 200 and headers["content-type"] == "application/pdf"
    assert body == (un_mirror.corpus_dir / "pdf" / "A_C.1_80_L.1.pdf").read_bytes()


@pytest.mark.parametrize(
    ("path", "symbol", "lang"),
    [
        ("/A/RES/79/16", "A/RES/79/16", "en"),
        ("/ch/A/RES/79/16", "A/RES/79/16", "zh"),
        ("/Home/Mobile?FinalSymbol=A/RES/46/182&Language=E", "A/RES/46/182", "en"),
        ("/pdf?symbol=fr/A/RES/38/77", "A/RES/38/77", "fr"),
    ],
)
def test_undocs_forms(un_mirror: Mirror, path: str, symbol: str, lang: str) -> None:
    status, headers, _ = get(un_mirror.url("undocs", path))
    assert status == 302
    assert headers["location"].endswith(f"?s={quote(symbol, safe='')}&l={lang}&t=pdf")


def test_rendered_language_versions_are_pdfs_and_byte_stable(un_mirror: Mirror) -> None:
    url = un_mirror.url("undocs", "/ar/A/RES/79/16")
    status, headers, first, _ = follow(url)
    assert status == 200 and first.startswith(b"%PDF")
    un_mirror.reset()
    assert follow(url)[2] == first  # deterministic bytes between crawls


def test_unpublished_symbol_is_200_empty_and_unknown_is_404(un_mirror: Mirror) -> None:
    un_mirror.announce("A/C.1/80/L.99")
    status, _, body, _ = follow(un_mirror.url("undocs", "/en/A/C.1/80/L.99"))
    assert status == 200 and body == b""
    # Translations of the newest draft are announced, not published.
    status, _, body, _ = follow(un_mirror.url("undocs", "/fr/A/C.1/80/L.40"))
    assert status == 200 and body == b""
    assert follow(un_mirror.url("undocs", "/en/A/C.1/80/L.98"))[0] == 404


def test_corpus_files_map_to_symbols_and_languages(un_mirror: Mirror) -> None:
    status, _, body, _ = follow(un_mirror.url("undocs", "/ru/A/RES/2758(XXVI)"))
    pdf = un_mirror.corpus_dir / "pdf"
    assert status == 200 and body == (pdf / "A_RES_2758(XXVI)-RU-scan.pdf").read_bytes()
    status, _, body, _ = follow(un_mirror.url("undocs", "/es/A/RES/77/247"))
    assert body == (pdf / "A_RES_77_247-ES.pdf").read_bytes()
    assert follow(un_mirror.url("undocs", "/en/A/RES/77/247"))[0] == 200  # the trap: empty
    assert follow(un_mirror.url("undocs", "/en/A/RES/77/247"))[2] == b""


def test_word_file_only_where_configured(un_mirror: Mirror) -> None:
    ods = un_mirror.url("ods", "/api/symbol/access?s=A%2FRES%2F79%2F16&l=en&t=doc")
    status, headers, body, _ = follow(ods)
    assert (
        status == 200 and body.startswith(b"PK") and "wordprocessingml" in headers["content-type"]
    )
    other = un_mirror.url("ods", "/api/symbol/access?s=A%2FRES%2F79%2F17&l=en&t=doc")
    assert get(other)[0] == 404


def test_publish_revise_remove(un_mirror: Mirror) -> None:
    un_mirror.publish("A/C.1/80/L.41", text=["Nuclear disarmament verification", "1. Requests."])
    status, _, body, _ = follow(un_mirror.url("undocs", "/en/A/C.1/80/L.41"))
    assert status == 200 and body.startswith(b"%PDF")

    url = un_mirror.url("undocs", "/en/A/C.1/80/L.1")
    before = follow(url)
    un_mirror.revise("A/C.1/80/L.1")
    after = follow(url)
    assert after[3][-1] == before[3][-1]  # same job-number URL, new content
    assert after[2].startswith(b"%PDF") and after[2] != before[2]

    un_mirror.revise("A/C.1/80/L.35", rev=1)
    assert follow(un_mirror.url("undocs", "/en/A/C.1/80/L.35/Rev.1"))[0] == 200

    un_mirror.remove("A/C.1/80/L.2")
    assert follow(un_mirror.url("undocs", "/en/A/C.1/80/L.2"))[0] == 404


def test_feed_lists_newest_first(un_mirror: Mirror) -> None:
    un_mirror.publish("A/C.1/80/L.41", text=["Text."])
    _, headers, body = get(un_mirror.url("undocs", "/rss/gadocs.xml"))
    titles = [t.text for t in etree.fromstring(body).iter("title")][1:]
    assert titles[0] == "A/C.1/80/L.41" and "A/RES/79/16" in titles
    assert "rss" in headers["content-type"]


def test_extra_symbols_for_benchmarks() -> None:
    with Mirror(extra_symbols=50) as m:
        status, _, body, _ = follow(m.url("undocs", "/en/A/C.1/99/L.50"))
        assert status == 200 and body.startswith(b"%PDF")


def test_library_search_record_export_and_challenge(un_mirror: Mirror) -> None:
    q = quote('191__a:"A/C.3/78/L.*"')
    status, headers, body = get(un_mirror.url("library", f"/search?p={q}&of=xm&rg=10&jrec=11"))
    assert status == 200
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    assert b"<!-- Search-Engine-Total-Number-Of-Results: 94 -->" in body
    assert len(etree.fromstring(body)) == 10
    q = quote('191__a:"A/C.1/80/L.*"')
    body = get(un_mirror.url("library", f"/search?p={q}&of=xm&rg=100"))[2]
    assert b"Results: 40 -->" in body

    page = get(un_mirror.url("library", "/record/4086346"))[2].decode()
    assert "A_80_78-ZH.pdf" in page and un_mirror.url("library") in page
    status, headers, body = get(un_mirror.url("library", "/record/4086346/files/A_80_78-ZH.pdf"))
    assert status == 200 and body.startswith(b"%PDF")
    xm = get(un_mirror.url("library", "/record/4026910/export/xm"))[2]
    assert b"A/C.3/78/L.49/Rev.1" in xm

    before = un_mirror.library_update("A/C.3/78/L.49/Rev.1", related="A/RES/78/999")
    xm = get(un_mirror.url("library", "/record/4026910/export/xm"))[2]
    assert before["005"].encode() in xm and b"A/RES/78/999" in xm

    un_mirror.library_challenge(True)
    status, headers, body = get(un_mirror.url("library", "/record/4026910"))
    assert (status, headers["x-amzn-waf-action"], body) == (202, "challenge", b"")


def test_meetings_documents_page_structure(un_mirror: Mirror) -> None:
    bs4 = pytest.importorskip("bs4")
    page = get(un_mirror.url("meetings", "/meeting/74853/documents"))[2]
    soup = bs4.BeautifulSoup(page, "lxml")
    links = soup.select("article div > div > h5 > a")
    assert links[0].get_text() == "CCW/GGE.1/2025/1"
    assert links[0]["href"].startswith(un_mirror.url("docs_library"))
    kinds = [d.get_text() for d in soup.select("article > div:nth-of-type(3) > div:nth-of-type(1)")]
    assert "Working Paper" in kinds and len(kinds) == len(links) == 16
    dates = soup.select("article > div:nth-of-type(3) > div:nth-of-type(2)")
    assert dates[0].get_text() == "3 Mar 2025"
    status, _, body = get(links[0]["href"])
    assert status == 200 and body.startswith(b"%PDF")


def test_member_state_replies_page_and_files(un_mirror: Mirror) -> None:
    bs4 = pytest.importorskip("bs4")
    un_mirror.post_reply("Japan")
    page = get(un_mirror.url("unoda", "/en/our-work/emerging-challenges/"
                             "artificial-intelligence-military-domain"))[2]  # fmt: skip
    links = [a["href"] for a in bs4.BeautifulSoup(page, "lxml").select("#replies a")]
    japan = un_mirror.url(
        "docs_library",
        "/General_Assembly_First_Committee_-Eightieth_session_%282025%29/79-239-Japan-EN.pdf",
    )
    assert japan in links and len(links) == 5
    status, headers, body = get(japan)
    assert (
        status == 200 and body.startswith(b"%PDF") and headers["content-type"] == "application/pdf"
    )
    feed = get(un_mirror.url("unoda", "/feed/"))[2]
    assert b"Reply of Japan" in feed.split(b"<item>")[1]
    hub = get(un_mirror.url("unoda", "/disarmament/"))[2]
    assert b"Tonga ratifies the CTBT" in hub


def test_treaties_unoda_graphql_and_untc_share_changes(un_mirror: Mirror) -> None:
    un_mirror.treaty_action("Indonesia", treaty="tpnw", kind="RAT", date="2026-09-20")
    page = get(un_mirror.url("treaties_unoda", "/t/tpnw/participants"))[2].decode()
    assert "id='sort_table'" in page and "Indonesia" in page and "/RAT" in page and "/ACC" in page

    query = '{ treaty_(input:{short_name:"tpnw", type:"GET_TREATY"}) { actions_ { date '
    query += "action_type_ type state { name } } } }"
    body = json.dumps({"query": query}).encode()
    answer = json.loads(get(un_mirror.url("unoda_gql", "/"), data=body)[2])
    actions = answer["data"]["treaty_"]["actions_"]
    assert {"date": "2017-09-20 00:00:00", "action_type_": "Signatory", "type": "SIG",
            "state": {"name": "Austria"}} in actions  # fmt: skip
    assert actions[-1]["state"]["name"] == "Indonesia" and actions[-1]["type"] == "RAT"

    untc = "/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=XXVI-9&chapter=26&clang=_en"
    page = get(un_mirror.url("untc", untc))[2].decode()
    assert "ctl00_ctl00_ContentPlaceHolder1_ContentPlaceHolderInnerPage_tblgrid" in page
    assert "<td>20 Sep 2026</td>" in page and "<td>4 Sep 2018 a</td>" in page
    ctbt = get(un_mirror.url("untc", untc.replace("XXVI-9", "XXVI-4")))[2].decode()
    assert ctbt.count("<tr>") == 183  # the real 2015 rows of 26-4.csv


def test_igov_proposals_and_stage_change(un_mirror: Mirror) -> None:
    url = un_mirror.url("igov", "/igov/api/proposals/EIGHTIETH/First%20Committee?env=prod")
    answer = json.loads(get(url)[2])
    real = json.loads((un_mirror.corpus_dir / "igov" / "c1-80-proposals.json").read_text())
    assert answer == real
    un_mirror.igov_stage("Adoption", symbol="A/C.1/80/L.4", doc_symbol="80/999", votes=[1, 2, 3])
    stages = next(
        p["PR_Stage"] for p in json.loads(get(url)[2])["result"] if p["PR_MainSponsors"] == "JAPAN"
    )
    assert stages[-1]["StageName"] == "Adoption" and stages[-1]["DocSymbol"] == "80/999"


def test_robots_and_faults(un_mirror: Mirror) -> None:
    assert get(un_mirror.url("ods", "/robots.txt"))[2] == b"User-agent: *\nDisallow:\n"
    un_mirror.robots("library", "User-agent: *\nDisallow: /search\n")
    assert b"Disallow: /search" in get(un_mirror.url("library", "/robots.txt"))[2]

    un_mirror.fault("/api/symbol/access", kind="500", times=2)
    access = un_mirror.url("ods", "/api/symbol/access?s=A%2FRES%2F79%2F16&l=en&t=pdf")
    assert [get(access)[0] for _ in range(3)] == [500, 500, 302]

    un_mirror.fault("/en/A/RES/79/16", kind="redirect_loop", times=1)
    status, headers, _ = get(un_mirror.url("undocs", "/en/A/RES/79/16"))
    assert status == 302 and headers["location"] == un_mirror.url("undocs", "/en/A/RES/79/16")

    un_mirror.fault("n2421677", kind="content_type", content_type="text/html", times=1)
    status, headers, body, _ = follow(access)
    assert headers["content-type"] == "text/html" and body.startswith(b"%PDF")

    un_mirror.fault("n2421677", kind="truncate", times=1)
    with pytest.raises(http.client.IncompleteRead):
        follow(access)

    un_mirror.fault("/rss/", kind="reset", times=1)
    with pytest.raises((ConnectionError, urllib.error.URLError, http.client.HTTPException)):
        get(un_mirror.url("undocs", "/rss/gadocs.xml"))


def test_control_api_and_scenario(un_mirror: Mirror) -> None:
    control = un_mirror.url("igov", "/_mirror/")
    status, _, body = get(control + "publish", data=b'{"symbol": "A/C.1/80/L.77"}')
    assert status == 200 and json.loads(body)["ok"]
    assert follow(un_mirror.url("undocs", "/en/A/C.1/80/L.77"))[2].startswith(b"%PDF")
    assert get(control + "nonsense", data=b"{}")[0] == 400

    steps = json.dumps({"path": "demo.toml", "round": 1}).encode()
    assert json.loads(get(control + "scenario", data=steps)[2])["ok"]
    assert follow(un_mirror.url("undocs", "/fr/A/C.1/80/L.40"))[2].startswith(b"%PDF")
    un_mirror.run_scenario("demo.toml", round=3)
    assert get(un_mirror.url("library", "/search?p=x&of=xm"))[0] == 202

    get(control + "reset", data=b"{}")
    assert get(un_mirror.url("library", "/search?p=x&of=xm"))[0] == 200
    assert json.loads(get(control + "base_urls")[2]) == un_mirror.base_urls


def test_stop_closes_every_port() -> None:
    m = Mirror().start()
    netloc = urlsplit(m.url("untc")).netloc
    m.stop()
    conn = http.client.HTTPConnection(netloc, timeout=2)
    with pytest.raises(OSError):
        conn.request("GET", "/robots.txt")
        conn.getresponse()


@pytest.mark.parametrize(
    ("symbol", "old", "new"),
    [
        ("A/C.1/80/L.1", None, None),  # the demo's revision: the first operative paragraph
        ("A/RES/79/16", None, None),
        ("A/C.1/80/L.1", "in order to move towards", "in order to move decisively towards"),
    ],
)
def test_revision_in_place_changes_only_the_amendment(
    un_mirror: Mirror, symbol: str, old: str | None, new: str | None
) -> None:
    from tracker.diff import INSERT, change_stats, compute_diff, excerpt
    from tracker.extract import extract_text

    url = un_mirror.url("undocs", f"/en/{symbol}")
    before = follow(url)
    result = un_mirror.revise(symbol, old=old, new=new)
    after = follow(url)
    assert result["method"] == "pages"  # the real pages, one paragraph re-set
    assert after[3][-1] == before[3][-1] and after[2] != before[2]
    assert follow(url)[2] == after[2]  # deterministic bytes
    diff = compute_diff(extract_text(before[2]).text, extract_text(after[2]).text)
    stats = change_stats(diff)
    assert (stats.paragraphs_changed, stats.paragraphs_added, stats.paragraphs_removed) == (1, 0, 0)
    added = "".join(t for op, t in diff.ops if op == INSERT)
    if old is None:
        assert added == ", and to report thereon without delay" and stats.chars_removed == 0
        assert "{+, and to report thereon without delay+}" in excerpt(diff)
    else:
        assert added == "decisively " and stats.chars_removed == 0


def test_same_revision_gives_same_bytes() -> None:
    from mirror.pdfedit import amend_pdf

    data = (Mirror().corpus_dir / "pdf" / "A_C.1_80_L.2.pdf").read_bytes()
    assert amend_pdf(data) == amend_pdf(data) != data


def test_find_symbol_exact_case_insensitive_and_announced() -> None:
    from mirror.state import Doc, MirrorState

    state = MirrorState()
    state.docs[("A/C.1/80/L.1", "en")] = Doc("A/C.1/80/L.1", "en")
    state.docs[("A/RES/79/16", "xx")] = Doc("A/RES/79/16", "xx")  # a language outside the six
    state.announced.add(("A/C.1/80/L.99", None))
    state.announced.add(("A/C.1/80/L.98", "fr"))
    assert state.find_symbol("A/C.1/80/L.1") == "A/C.1/80/L.1"
    assert state.find_symbol("a/c.1/80/l.1") == "A/C.1/80/L.1"
    assert state.find_symbol(" A/C.1/80/L.1 ") == "A/C.1/80/L.1"
    assert state.find_symbol("a/res/79/16") == "A/RES/79/16"
    assert state.find_symbol("A/RES/79/16") == "A/RES/79/16"
    assert state.find_symbol("A/C.1/80/L.99") == "A/C.1/80/L.99"
    assert state.find_symbol("a/c.1/80/l.98") == "A/C.1/80/L.98"
    assert state.find_symbol("A/C.1/80/L.97") is None
