"""igov: status of draft resolutions and decisions, from the iGov proposals API.

Targets are `SESSION_LABEL/Committee` (default `EIGHTIETH/First Committee`); each is one
request, `{igov_url}/igov/api/proposals/{SESSION}/{Committee}?env=prod`, and one structured
capture (document kind `proposals`, key `igov:SESSION/Committee`, record kind `proposals`).
The store raises a `proposal_stage` event for each stage a proposal did not have before:
submitted, revised, adopted in committee (with its votes), adopted by the General Assembly
(with its resolution symbol, e.g. A/RES/80/48).

The "Sponsorship" stage is left out: it exists before the draft has a symbol, so keeping it
would make it look new again (under the symbol) when the draft is submitted. A proposal that
has no symbol yet is still listed, identified by its iGov id, without stages.

Anything but a JSON answer with a non-empty `result` list is recorded as an error (or, for an
empty list, `not_available`): never as an empty row set, which would read as every proposal
withdrawn.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from scrapy.http import Response

from crawler.base import CaptureSpider
from crawler.items import CaptureItem
from tracker.records import Row
from tracker.symbols import normalise_symbol

DEFAULT_TARGET = "EIGHTIETH/First Committee"
RECORD_KIND = "proposals"
# iGov stage names -> what the events say.
STAGE_NAMES = {"Adoption": "Adoption by the General Assembly"}
SKIPPED_STAGES = {"Sponsorship"}
_GA_NUMBER = re.compile(r"^(?:A/(?:RES|DEC)/)?(\d+)/(\d+)(.*)$")
_DRAFT_DECISION = re.compile(r"\bDD\s*\d+")
# GA decisions are numbered from 401 in each session; resolutions stay below.
FIRST_DECISION_NUMBER = 400


def proposals_url(base: str, session: str, committee: str) -> str:
    return (
        f"{base.rstrip('/')}/igov/api/proposals/"
        f"{quote(session, safe='')}/{quote(committee, safe='')}?env=prod"
    )


def split_target(target: str) -> tuple[str, str]:
    session, sep, committee = target.strip().partition("/")
    if not sep or not session.strip() or not committee.strip():
        raise ValueError(f"not SESSION/Committee: {target!r}")
    return session.strip().upper(), committee.strip()


# -- pure parsing ---------------------------------------------------------------------------


def _is_decision(proposal: dict[str, Any], number: int) -> bool:
    """A draft decision ("A/80/534 DD 3" in committee) ends as a decision, not a resolution."""
    committee = " ".join(str(s.get("DocSymbol") or "") for s in proposal.get("PR_Stage", []))
    return bool(_DRAFT_DECISION.search(committee)) or number > FIRST_DECISION_NUMBER


def _ga_outcome(proposal: dict[str, Any], doc_symbol: str) -> dict[str, str]:
    """The GA adoption's number as a resolution symbol, or as a decision number."""
    m = _GA_NUMBER.match(doc_symbol.strip())
    if not m:
        return {"number": doc_symbol} if doc_symbol else {}
    session, number, rest = m[1], m[2], m[3].strip()
    if _is_decision(proposal, int(number)):
        return {"decision": f"{session}/{number}"}
    resolution = f"A/RES/{session}/{number}" + (f" {rest}" if rest else "")
    return {"resolution": normalise_symbol(resolution) or resolution}


def _votes(raw: dict[str, Any]) -> dict[str, int] | None:
    keys = {"yes": "VoteY", "no": "VoteN", "abstain": "VoteAbstain"}
    if raw.get("Voting") != "Yes" or any(raw.get(k) is None for k in keys.values()):
        return None
    return {name: int(raw[k]) for name, k in keys.items()}


def parse_stage(proposal: dict[str, Any], raw: dict[str, Any]) -> Row | None:
    name = str(raw.get("StageName") or "").strip()
    if not name or name in SKIPPED_STAGES:
        return None
    stage: Row = {"stage": STAGE_NAMES.get(name, name)}
    if raw.get("StageD"):
        stage["date"] = str(raw["StageD"])[:10]
    doc_symbol = str(raw.get("DocSymbol") or "").strip()
    if doc_symbol:
        stage["symbol"] = doc_symbol
    if votes := _votes(raw):
        stage["votes"] = votes
    elif name.startswith("Adoption") and raw.get("Voting") == "No":
        stage["without_vote"] = True
    if raw.get("Outcome"):
        stage["outcome"] = str(raw["Outcome"]).lower()
    if name == "Adoption":
        stage.update(_ga_outcome(proposal, doc_symbol))
    return stage


def draft_symbol(proposal: dict[str, Any]) -> str | None:
    """The draft's symbol: its submission's, else any stage's that is a plain L. symbol."""
    stages = proposal.get("PR_Stage") or []
    ordered = [s for s in stages if s.get("StageName") == "Submission"] + list(stages)
    for stage in ordered:
        symbol = normalise_symbol(str(stage.get("DocSymbol") or ""))
        if symbol and "/L." in symbol:
            return symbol
    return None


def _stage_order(stage: Row) -> tuple[str, str, str]:
    # Several stages can share a date and name (votes on amendments): the whole stage decides.
    return (stage.get("date") or "", stage["stage"], json.dumps(stage, sort_keys=True))


def parse_proposal(proposal: dict[str, Any]) -> Row:
    stages = [s for raw in proposal.get("PR_Stage") or [] if (s := parse_stage(proposal, raw))]
    row: Row = {
        "symbol": draft_symbol(proposal),
        "title": " ".join(str(proposal.get("PR_Title") or "").split()) or None,
        "agenda_item": proposal.get("PR_AgendaItem") or None,
        "main_sponsors": proposal.get("PR_MainSponsors") or None,
        # Stable order: iGov's own order of stages is not a change.
        "stages": sorted(stages, key=_stage_order),
    }
    if not row["symbol"]:
        row["id"] = f"igov:{proposal.get('_id') or row['title']}"
    return row


def parse_igov(data: bytes | str | dict[str, Any]) -> list[Row]:
    """`proposals` rows of an iGov answer; ValueError if it is not a proposals answer."""
    if isinstance(data, bytes | str):
        try:
            data = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"not JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("result"), list):
        raise ValueError("not an iGov answer: no `result` list")
    if data.get("success") is False:
        raise ValueError(f"iGov answered failure: {data.get('message')!r}")
    if not all(isinstance(p, dict) and "PR_Stage" in p for p in data["result"]):
        raise ValueError("not an iGov proposals answer: entries without PR_Stage")
    return [parse_proposal(p) for p in data["result"]]


# -- the spider -----------------------------------------------------------------------------


class IgovSpider(CaptureSpider):
    name = "igov"

    async def start(self) -> Any:
        for target in self.targets or [DEFAULT_TARGET]:
            try:
                session, committee = split_target(target)
            except ValueError as exc:
                self.logger.error("skipped: %s", exc)
                continue
            yield self.request(
                proposals_url(self.dw.igov_url, session, committee),
                {
                    "key": f"igov:{session}/{committee}",
                    "kind": "proposals",
                    "format": "json",
                    "title": f"iGov proposals: {committee}, {session} session",
                    "meta": {"label": f"{committee} ({session})", "session": session},
                },
                self.parse_proposals,
            )

    def parse_proposals(self, response: Response) -> Iterator[CaptureItem]:
        if response.status != 200:
            yield self.capture_item(response)  # the store records 5xx, 404, walls
            return
        try:
            rows = parse_igov(response.body)
        except ValueError as exc:
            item = self.capture_item(response)
            item.error = str(exc)
            yield item
            return
        if not rows:
            item = self.capture_item(response)
            item.body = b""  # no proposals listed: not_available, never an empty version
            yield item
            return
        yield self.capture_item(response, records=rows, record_kind=RECORD_KIND)
