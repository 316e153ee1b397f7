"""igov spider: the real iGov answer parsed into proposals, and crawls against the mirror."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.spiders.igov import parse_igov, proposals_url, split_target
from mirror import Mirror
from tests.corpus import CORPUS
from tests.crawl_harness import Crawl, events_of, outcomes
from tracker.models import Capture, Event, Version
from tracker.records import get_kind
from tracker.store import Store

IGOV_JSON = Path(CORPUS) / "igov" / "c1-80-proposals.json"
UNSUBMITTED = "Relationship between disarmament and development"  # only a Sponsorship stage


def by_symbol(rows: list[dict]) -> dict[str, dict]:
    return {r["symbol"]: r for r in rows if r["symbol"]}


# -- the parser, on the real answer ------------------------------------------------------------


def test_parse_igov_real_answer() -> None:
    rows = parse_igov(IGOV_JSON.read_bytes())
    assert len(rows) == 67
    assert len(get_kind("proposals").canonical(rows)) == 67  # every row has its own identity
    drafts = by_symbol(rows)
    assert len(drafts) == 63
    l4 = drafts["A/C.1/80/L.4"]
    assert l4["title"].startswith("Steps to building a common roadmap")
    assert l4["agenda_item"] == "99(bb)" and l4["main_sponsors"] == "JAPAN"
    assert [s["stage"] for s in l4["stages"]] == [
        "Submission",
        "Revision",
        "Adoption by Main Committee",
        "Adoption by the General Assembly",
    ]
    committee, assembly = l4["stages"][2:]
    assert committee["votes"] == {"yes": 145, "no": 5, "abstain": 28}
    assert committee["outcome"] == "adopted" and committee["symbol"] == "A/80/534 DR 37"
    assert assembly["resolution"] == "A/RES/80/48" and assembly["date"] == "2025-12-01"
    # A draft decision ("DD" in committee) is adopted as a decision, not a resolution.
    assert drafts["A/C.1/80/L.63"]["stages"][-1]["decision"] == "80/514"
    assert "resolution" not in drafts["A/C.1/80/L.63"]["stages"][-1]
    # No symbol yet: listed by its iGov id, without the Sponsorship stage.
    pending = next(r for r in rows if r["title"] == UNSUBMITTED)
    assert pending["symbol"] is None and pending["id"].startswith("igov:")
    assert pending["stages"] == []


def test_parse_igov_stage_order_is_not_content() -> None:
    data = json.loads(IGOV_JSON.read_bytes())
    rows = parse_igov(data)
    for proposal in data["result"]:
        proposal["PR_Stage"].reverse()
    data["result"].reverse()
    kind = get_kind("proposals")
    assert kind.to_bytes(parse_igov(data)) == kind.to_bytes(rows)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>",
        b'{"message": "Success", "success": true, "result": [{"PR_Title": "x"',  # truncated
        b'{"message": "Error", "success": false, "result": []}',
        b'{"message": "Success", "success": true, "result": [{"unexpected": 1}]}',
        b"[1, 2, 3]",
    ],
)
def test_parse_igov_refuses_what_is_not_a_proposals_answer(body: bytes) -> None:
    with pytest.raises(ValueError):
        parse_igov(body)


def test_targets_and_url() -> None:
    assert split_target("eightieth/First Committee") == ("EIGHTIETH", "First Committee")
    with pytest.raises(ValueError):
        split_target("EIGHTIETH")
    assert proposals_url("http://x/", "EIGHTIETH", "First Committee") == (
        "http://x/igov/api/proposals/EIGHTIETH/First%20Committee?env=prod"
    )


# -- crawls against the mirror -----------------------------------------------------------------


def test_first_crawl_faults_and_robots(crawl: Crawl, store: Store, un_mirror: Mirror) -> None:
    first = crawl("igov")
    assert outcomes(first) == {"new_version": 1}
    assert events_of(store, first.run_id) == [
        ("new_document", "igov:EIGHTIETH/First Committee: new document - "
         "iGov proposals: First Committee, EIGHTIETH session")
    ]  # fmt: skip
    # A 500, then a truncated answer, then the JSON under a wrong type: the same rows.
    un_mirror.fault("/igov/api/proposals", kind="500", times=1)
    un_mirror.fault("/igov/api/proposals", kind="truncate", times=1)
    un_mirror.fault("/igov/api/proposals", kind="content_type", content_type="text/html")
    again = crawl("igov", "EIGHTIETH/First Committee")
    assert outcomes(again) == {"unchanged": 1}
    assert again.counts["retries"] == 2
    assert events_of(store, again.run_id) == [] and again.counts["new_versions"] == 0
    un_mirror.clear_faults()
    un_mirror.fault("First%20Committee", kind="empty")  # 200, not JSON
    # The mirror lists no Second Committee proposals: an empty list is not an empty version.
    empty = crawl("igov", "EIGHTIETH/First Committee", "EIGHTIETH/Second Committee")
    assert outcomes(empty) == {"error": 1, "not_available": 1}
    assert events_of(store, empty.run_id) == []
    un_mirror.clear_faults()
    un_mirror.robots("igov", "User-agent: *\nDisallow: /igov/api/\n")
    disallowed = crawl("igov")
    assert outcomes(disallowed) == {"blocked": 1}
    assert events_of(store, disallowed.run_id) == []
    with store.db.session() as s:
        failed = s.execute(
            select(Capture.outcome, Capture.error)
            .where(Capture.outcome.in_(["error", "blocked"]))
            .order_by(Capture.id)
        ).all()
        versions = s.scalars(select(Version.id)).all()
    assert [o for o, _ in failed] == ["error", "blocked"]
    assert failed[0][1].startswith("not JSON") and "robots.txt" in failed[1][1]
    assert len(versions) == 1


def test_stages_of_a_draft_to_its_resolution(crawl: Crawl, store: Store, un_mirror: Mirror) -> None:
    crawl("igov")
    un_mirror.igov_stage("Submission", title=UNSUBMITTED, doc_symbol="A/C.1/80/L.64")
    submitted = crawl("igov")
    assert events_of(store, submitted.run_id) == [("proposal_stage", "A/C.1/80/L.64: Submission")]
    un_mirror.igov_stage(
        "Adoption by Main Committee",
        symbol="A/C.1/80/L.64",
        doc_symbol="A/80/534 DR 61",
        votes=[170, 2, 9],
    )
    in_committee = crawl("igov")
    assert events_of(store, in_committee.run_id) == [
        ("proposal_stage", "A/C.1/80/L.64: Adoption by Main Committee (170-2-9)")
    ]
    un_mirror.igov_stage("Adoption", symbol="A/C.1/80/L.64", doc_symbol="80/99")
    adopted = crawl("igov")
    assert events_of(store, adopted.run_id) == [
        (
            "proposal_stage",
            "A/C.1/80/L.64: Adoption by the General Assembly as resolution A/RES/80/99",
        )
    ]
    with store.db.session() as s:
        data = s.scalars(select(Event.data).where(Event.run_id == adopted.run_id)).one()
    assert data["resolution"] == "A/RES/80/99" and data["symbol"] == "A/C.1/80/L.64"
    assert data["stage"]["without_vote"] is True and data["stage"]["outcome"] == "adopted"
