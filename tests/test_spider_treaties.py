"""treaties spider: parsers on the mirror's pages (built from the real UNTC rows), and crawls
end to end against the local UN mirror on both database backends."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from crawler.spiders.treaties import (
    GRAPHQL_QUERY,
    ParseError,
    clean_state,
    iso_date,
    parse_graphql_actions,
    parse_unoda_participants,
    parse_untc_table,
    untc_url,
)
from mirror import Mirror
from tests.crawl_harness import Crawl, events_of, fetch, latest_rows, outcomes
from tracker.models import Capture, Document, Resource
from tracker.records import get_kind
from tracker.store import Store

KIND = get_kind("treaty_participants")
UNTC_TPNW = "untc:XXVI-9"


def graphql_answer(mirror: Mirror, short: str = "tpnw") -> Any:
    body = json.dumps({"query": GRAPHQL_QUERY % short}).encode()
    return json.loads(fetch(mirror.url("unoda_gql", "/"), body))


def captures_of(store: Store, key: str) -> list[tuple[str, str | None]]:
    with store.db.session() as s:
        rows = s.execute(
            select(Capture.outcome, Capture.error)
            .join(Resource)
            .join(Document)
            .where(Document.key == key)
            .order_by(Capture.id)
        ).all()
    return [tuple(r) for r in rows]


# -- parsers ---------------------------------------------------------------------------------


def test_dates_and_names_are_normalised() -> None:
    assert iso_date("20 Sep 2017") == iso_date("2017-09-20 00:00:00") == "2017-09-20"
    assert iso_date("September 20, 2017") == "2017-09-20"
    assert iso_date("") is None
    with pytest.raises(ParseError):
        iso_date("sometime in 2017")
    assert clean_state("Holy See 1, 2") == clean_state(" Holy\xa0See\n") == "Holy See"


def test_graphql_and_html_give_the_same_rows(un_mirror: Mirror) -> None:
    graphql = parse_graphql_actions(graphql_answer(un_mirror))
    html = parse_unoda_participants(fetch(un_mirror.url("treaties_unoda", "/t/tpnw/participants")))
    assert KIND.to_bytes(graphql) == KIND.to_bytes(html)
    rows = {r["state"]: r for r in graphql}
    assert len(rows) == 13
    assert rows["Austria"] == {
        "state": "Austria",
        "signature": "2017-09-20",
        "ratification": "2018-05-08",
        "accession": None,
        "succession": None,
        "withdrawal": None,
    }
    assert rows["Cook Islands"]["accession"] == "2018-09-04"
    assert rows["Cook Islands"]["signature"] is None


def test_graphql_order_and_errors(un_mirror: Mirror) -> None:
    answer = graphql_answer(un_mirror)
    shuffled = json.loads(json.dumps(answer))
    shuffled["data"]["treaty_"]["actions_"].reverse()
    assert KIND.to_bytes(parse_graphql_actions(shuffled)) == KIND.to_bytes(
        parse_graphql_actions(answer)
    )
    withdrawn = json.loads(json.dumps(answer))
    withdrawn["data"]["treaty_"]["actions_"].append(
        {
            "date": "2030-01-01 00:00:00",
            "action_type_": "Withdrawal",
            "type": "WDL",
            "state": {"name": "Mexico"},
        }
    )
    mexico = next(r for r in parse_graphql_actions(withdrawn) if r["state"] == "Mexico")
    assert mexico["withdrawal"] == "2030-01-01"
    for bad in (
        {"errors": [{"message": "boom"}]},
        {"data": {"treaty_": None}},
        [],
        {"data": {"treaty_": {"actions_": []}}},
    ):
        with pytest.raises(ParseError):
            parse_graphql_actions(bad)


def test_untc_table_real_rows_footnotes_and_order(un_mirror: Mirror) -> None:
    page = fetch(untc_url(un_mirror.url("untc"), "XXVI-9")).decode()
    assert "<sup>1</sup>" in page  # the Holy See carries a footnote number
    rows = {r["state"]: r for r in parse_untc_table(page)}
    assert rows["Holy See"]["ratification"] == "2017-09-20"
    assert rows["Cuba"]["accession"] == "2018-01-30" and rows["Cuba"]["ratification"] is None
    # A re-rendered page with the rows in another order is the same row set.
    head, _, rest = page.partition("</tr>")
    body, _, tail = rest.partition("</table>")
    trs = [t + "</tr>" for t in body.split("</tr>") if t]
    reordered = head + "</tr>" + "".join(reversed(trs)) + "</table>" + tail
    assert KIND.to_bytes(parse_untc_table(reordered)) == KIND.to_bytes(list(rows.values()))
    # The real CTBT rows (2015 scrape, 26-4.csv): 183 participants.
    ctbt = {
        r["state"]: r for r in parse_untc_table(fetch(untc_url(un_mirror.url("untc"), "XXVI-4")))
    }
    assert len(ctbt) == 183
    assert ctbt["Albania"]["signature"] == "1996-09-27"
    assert ctbt["Albania"]["ratification"] == "2003-04-23"
    with pytest.raises(ParseError, match="participants table not found"):
        parse_untc_table("<html><body><table id='other'></table></body></html>")


# -- crawls ----------------------------------------------------------------------------------


def test_first_crawl_unchanged_then_ratification(
    crawl: Crawl, store: Store, un_mirror: Mirror
) -> None:
    first = crawl("treaties", "tpnw", UNTC_TPNW)
    assert outcomes(first) == {"new_version": 2}
    assert sorted(events_of(store, first.run_id)) == [
        ("new_document", "tpnw: new document"),
        ("new_document", "untc:XXVI-9: new document"),
    ]
    assert (
        len(latest_rows(store, "tpnw", kind="treaty")) == len(latest_rows(store, UNTC_TPNW)) == 13
    )

    again = crawl("treaties", "tpnw", UNTC_TPNW)
    assert outcomes(again) == {"unchanged": 2}
    assert events_of(store, again.run_id) == [] and again.counts["new_versions"] == 0

    un_mirror.treaty_action("Indonesia", treaty="tpnw", kind="RAT", date="2026-09-20")
    changed = crawl("treaties", "tpnw", UNTC_TPNW)
    evs = events_of(store, changed.run_id)
    assert evs == [("treaty_action", "Indonesia ratified the TPNW on 2026-09-20")] * 2
    with store.db.session() as s:
        from tracker.models import Event

        data = [e.data for e in s.scalars(select(Event).where(Event.run_id == changed.run_id))]
    for d in data:
        assert d["counts_before"]["parties"] == 13 and d["counts_after"]["parties"] == 14
        assert (d["state"], d["action"], d["treaty"]) == ("Indonesia", "ratification", "TPNW")


def test_graphql_down_falls_back_to_html_then_both_down_is_an_error(
    crawl: Crawl, store: Store, un_mirror: Mirror
) -> None:
    crawl("treaties", "tpnw")
    un_mirror.fault("/", kind="500", site="unoda_gql")
    fallback = crawl("treaties", "tpnw")
    assert outcomes(fallback) == {"unchanged": 1}
    assert fallback.counts["retries"] >= 2
    assert events_of(store, fallback.run_id) == []

    un_mirror.fault("/t/tpnw/participants", kind="500", site="treaties_unoda")
    down = crawl("treaties", "tpnw")
    assert outcomes(down) == {"error": 1}
    assert events_of(store, down.run_id) == []
    outcome, error = captures_of(store, "tpnw")[-1]
    assert outcome == "error" and "GraphQL HTTP 500" in error and "HTML: HTTP 500" in error
    # The row set is untouched: the next good crawl is unchanged, not "everyone came back".
    un_mirror.clear_faults()
    back = crawl("treaties", "tpnw")
    assert outcomes(back) == {"unchanged": 1} and events_of(store, back.run_id) == []


def test_graphql_errors_and_missing_table(crawl: Crawl, store: Store, un_mirror: Mirror) -> None:
    # GraphQL answers 200 with `errors` (unknown treaty short name shapes aside), and the HTML
    # page has lost its table: an error capture, not an empty row set.
    un_mirror.fault("/", kind="status", status=400, site="unoda_gql")
    un_mirror.fault("/t/ctbt/participants", kind="empty", site="treaties_unoda")
    un_mirror.fault("/Pages/ViewDetails", kind="empty", site="untc")
    result = crawl("treaties", "ctbt", "untc:XXVI-4")
    assert outcomes(result) == {"error": 2}
    assert events_of(store, result.run_id) == []
    assert "participants table not found" in captures_of(store, "ctbt")[-1][1]
    assert "participants table not found" in captures_of(store, "untc:XXVI-4")[-1][1]


def test_robots_block_and_slow_answer_is_an_error(
    crawl: Crawl, store: Store, un_mirror: Mirror
) -> None:
    un_mirror.robots("untc", "User-agent: *\nDisallow: /Pages/\n")
    un_mirror.fault("/t/tpnw/participants", kind="slow", delay=3, site="treaties_unoda")
    un_mirror.fault("/", kind="reset", site="unoda_gql")
    result = crawl("treaties", UNTC_TPNW, "tpnw", "npt", fetch_timeout=1)
    # untc: blocked by robots.txt; tpnw: GraphQL reset, HTML too slow -> one error capture;
    # npt (not in the mirror): not available. The crawl finishes every target.
    assert outcomes(result) == {"blocked": 1, "error": 1, "not_available": 1}
    assert events_of(store, result.run_id) == []
    assert "robots.txt" in captures_of(store, UNTC_TPNW)[-1][1]
    assert "TimeoutError" in captures_of(store, "tpnw")[-1][1]
