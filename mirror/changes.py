"""Changes between crawls: each is a function (state, ctx, **kwargs) -> dict registered by name.

The same names serve the Python API (Mirror.apply / Mirror.<name>), the HTTP control API
(POST /_mirror/<name>) and scenario steps (action = "<name>").
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lxml import etree

from mirror import pdfedit
from mirror.corpus import MARC_NS, REPLY_FOLDER
from mirror.documents import job_of, read_pdf, text_of
from mirror.faults import Fault, Faults
from mirror.sites.library import build_record, record_symbol
from mirror.state import Doc, FeedItem, MeetingDoc, MirrorState, Participant, Reply

CHANGES: dict[str, Callable[..., dict[str, Any]]] = {}
M = f"{{{MARC_NS}}}"


class Context:
    """What changes need besides the state: corpus paths and the fault registry."""

    def __init__(self, corpus_dir: Path, faults: Faults, library_base: str) -> None:
        self.corpus_dir = corpus_dir
        self.charter_dir = corpus_dir / "charter"
        self.faults = faults
        self.library_base = library_base


def change(name: str) -> Callable:
    def register(fn: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
        CHANGES[name] = fn
        return fn

    return register


def _file(ctx: Context, file: str) -> Path:
    path = Path(file)
    return path if path.is_absolute() else ctx.corpus_dir / path


@change("publish")
def publish(
    state: MirrorState,
    ctx: Context,
    symbol: str,
    lang: str = "en",
    file: str | None = None,
    text: list[str] | str | None = None,
    title: str | None = None,
    content_type: str = "application/pdf",
    word: bool = False,
) -> dict[str, Any]:
    """Publish a language version: a PDF file (corpus-relative or absolute), real text given as
    paragraphs, or (neither) the real Charter text in that language rendered under the symbol."""
    lang = "zh" if lang == "ch" else lang
    paras = tuple(text.split("\n\n")) if isinstance(text, str) else (tuple(text) if text else None)
    doc = Doc(
        symbol,
        lang,
        path=_file(ctx, file) if file else None,
        paragraphs=paras,
        job="" if file else None,  # reused corpus files keep no real job number: avoid clashes
        content_type=content_type,
        word=word,
        published=state.tick(),
        title=title,
    )
    state.docs[(symbol, lang)] = doc
    state.announced.discard((symbol, lang))
    if not any(s == symbol for s, _ in state.announced):
        state.announced.discard((symbol, None))
    return {"symbol": symbol, "lang": lang}


@change("rerender")
def rerender(
    state: MirrorState, ctx: Context, symbol: str, lang: str = "en", size: float = 10.0
) -> dict[str, Any]:
    """The same text laid out again (another font size): new bytes, no change of substance."""
    doc = state.docs[(symbol, lang)]
    if doc.path is not None and (doc.paragraphs is None or doc.data is not None):
        raise ValueError(f"{symbol} ({lang}) is a corpus file: only rendered documents re-render")
    doc.font_size = size
    return {"symbol": symbol, "lang": lang, "size": size}


@change("add_language")
def add_language(state: MirrorState, ctx: Context, symbol: str, lang: str) -> dict[str, Any]:
    """A new language version of an existing symbol, rendered from the Charter in that language."""
    if not state.langs_of(symbol) and not state.is_announced(symbol, lang):
        raise KeyError(f"unknown symbol {symbol}")
    return publish(state, ctx, symbol, lang)


@change("announce")
def announce(state: MirrorState, ctx: Context, symbol: str, lang: str | None = None) -> dict:
    """Make a symbol known but unpublished: ODS then answers 200 with an empty body."""
    state.announced.add((symbol, lang))
    return {"symbol": symbol, "lang": lang}


@change("remove")
def remove(state: MirrorState, ctx: Context, symbol: str, lang: str | None = None) -> dict:
    """Withdraw a document (all languages unless `lang`): 404 afterwards."""
    gone = [k for k in state.docs if k[0] == symbol and (lang is None or k[1] == lang)]
    for key in gone:
        del state.docs[key]
    state.announced = {a for a in state.announced if a[0] != symbol}
    return {"removed": [list(k) for k in gone]}


def _amend(paras: tuple[str, ...], old: str | None, new: str | None) -> tuple[str, ...]:
    if old is not None:
        joined = "\n\n".join(paras)
        if old not in joined:
            raise ValueError(f"text to amend not found: {old!r}")
        return tuple(joined.replace(old, new or "", 1).split("\n\n"))
    # Default: amend the first operative paragraph ("1. Urges ...") as a committee would.
    out = list(paras)
    idx = next((i for i, p in enumerate(out) if p[:3].rstrip(". ").isdigit()), len(out) // 2)
    para = out[idx].rstrip()
    end = para[-1] if para and para[-1] in ";.," else ""
    out[idx] = para[: len(para) - len(end)] + ", and to report thereon without delay" + end
    return tuple(out)


@change("revise")
def revise(
    state: MirrorState,
    ctx: Context,
    symbol: str,
    lang: str = "en",
    rev: int | None = None,
    old: str | None = None,
    new: str | None = None,
) -> dict[str, Any]:
    """Amend a real paragraph: in place (same symbol, new bytes), or published as `/Rev.N`.

    In place, a real corpus PDF keeps its pages: the amended lines are re-set on their page
    and nothing else changes (method "pages"). Rendered documents, and corpus files where that
    cannot be done (see mirror.pdfedit), are rendered again from the amended paragraphs
    (method "render"); `/Rev.N` is always a new rendered document."""
    doc = state.docs[(symbol, lang)]
    if rev is None and doc.path is not None and doc.content_type == "application/pdf":
        # A real PDF amended in place keeps its real pages: only the amended lines are re-set
        # (mirror.pdfedit), so the new version's text differs by the amendment alone.
        amended = pdfedit.amend_pdf(doc.data or read_pdf(doc.path), old, new)
        if amended is not None:
            paras = text_of(doc, ctx.charter_dir)
            with contextlib.suppress(ValueError):  # the Word file follows where it can
                paras = _amend(paras, old, new) if old is not None else paras
            job_of(state, doc)  # the real job number (and so the URL) stays
            doc.data = amended
            doc.paragraphs = paras
            doc.published = state.tick()
            return {"symbol": symbol, "lang": lang, "method": "pages"}
    paras = _amend(text_of(doc, ctx.charter_dir), old, new)
    if rev is not None:
        target = f"{symbol}/Rev.{rev}"
        paras = tuple(p.replace(symbol, target) for p in paras)
        return publish(state, ctx, target, lang, text=list(paras), title=doc.title)
    doc.paragraphs = paras
    doc.published = state.tick()
    doc.data = None
    if doc.path is not None:
        doc.job = doc.job or None  # keep the job number (and so the URL) of the original
    return {"symbol": symbol, "lang": lang, "method": "render"}


@change("set_content_type")
def set_content_type(
    state: MirrorState, ctx: Context, symbol: str, content_type: str, lang: str = "en"
) -> dict[str, Any]:
    state.docs[(symbol, lang)].content_type = content_type
    return {"symbol": symbol, "content_type": content_type}


@change("post_reply")
def post_reply(
    state: MirrorState,
    ctx: Context,
    submitter: str,
    lang: str = "EN",
    text: list[str] | None = None,
    file: str = "pdf/A_79_88.pdf",
    prefix: str = "79-239",
) -> dict[str, Any]:
    """A new Member State reply on the ODA site (and in its feed). Without `text`, the file is
    that State's real reply pages in A/79/88."""
    reply = Reply(
        submitter,
        REPLY_FOLDER,
        prefix,
        lang.upper(),
        path=None if text else _file(ctx, file),
        paragraphs=tuple(text) if text else None,
        posted=state.tick(),
    )
    state.replies = [r for r in state.replies if r.file_path != reply.file_path] + [reply]
    title = f"Reply of {submitter} to the report of the Secretary-General"
    state.feed.append(FeedItem(title, reply.file_path, reply.posted))
    return {"path": reply.file_path}


@change("meeting_document")
def meeting_document(
    state: MirrorState,
    ctx: Context,
    title: str,
    href: str,
    meeting: str = "74853",
    subtitle: str = "",
    doc_type: str = "Working Paper",
    date: str = "2 Sep 2025",
) -> dict[str, Any]:
    state.meetings[str(meeting)]["docs"].append(MeetingDoc(title, href, subtitle, doc_type, date))
    return {"meeting": meeting, "title": title}


@change("treaty_action")
def treaty_action(
    state: MirrorState,
    ctx: Context,
    participant: str,
    treaty: str = "tpnw",
    kind: str = "RAT",
    date: str | None = None,
) -> dict[str, Any]:
    """A signature (SIG), ratification (RAT), accession (ACC) or succession (SUC) on an ISO
    date. Shows on treaties.unoda.org, its GraphQL API and UNTC (one participants list)."""
    t = state.treaties[treaty]
    day = dt.date.fromisoformat(date) if date else state.tick().date()
    p = next((p for p in t.participants if p.name == participant), None)
    if p is None:
        p = Participant(participant)
        t.participants.append(p)
    if kind.upper() == "SIG":
        p.signature = day
    else:
        p.deposit = day
        p.deposit_mark = {"ACC": "a", "SUC": "d"}.get(kind.upper(), "")
    return {"treaty": treaty, "participant": participant, "kind": kind.upper()}


def _proposal(state: MirrorState, symbol: str | None, title: str | None) -> dict[str, Any]:
    for answer in state.igov.values():
        for prop in answer["result"]:
            symbols = {s.get("DocSymbol") for s in prop["PR_Stage"]}
            if (symbol and symbol in symbols) or (title and prop["PR_Title"].startswith(title)):
                return prop
    raise KeyError(f"no iGov proposal for {symbol or title}")


@change("igov_stage")
def igov_stage(
    state: MirrorState,
    ctx: Context,
    stage: str,
    symbol: str | None = None,
    title: str | None = None,
    doc_symbol: str = "",
    votes: list[int] | None = None,
    outcome: str = "ADOPTED",
) -> dict[str, Any]:
    """Add a stage to a proposal: "Submission", "Revision", "Adoption by Main Committee"
    (votes [Y, N, A]) or "Adoption" (the GA; doc_symbol is the resolution number "80/99")."""
    prop = _proposal(state, symbol, title)
    when = state.tick().strftime("%Y-%m-%dT%H:%M:%S.000Z")
    entry: dict[str, Any] = {
        "Status": "",
        "StageName": stage,
        "StageNameSort": stage,
        "StageD": when,
        "Body": "GA" if stage == "Adoption" else "First Committee",
        "DocSymbol": doc_symbol,
        "Implications": [],
        "ImplicationsAttachments": [],
        "OralChanges": [],
        "VotesAdd": [],
        "_id": f"mirror{state.changes:020d}",
    }
    if stage.startswith("Adoption"):
        y, n, a = votes or (0, 0, 0)
        voting = "Yes" if votes else "No"
        entry.update(Voting=voting, VoteY=y, VoteN=n, VoteAbstain=a, Outcome=outcome)
    prop["PR_Stage"].append(entry)
    return {"title": prop["PR_Title"], "stages": [s["StageName"] for s in prop["PR_Stage"]]}


@change("library_challenge")
def library_challenge(state: MirrorState, ctx: Context, on: bool = True) -> dict[str, Any]:
    state.library_challenge = bool(on)
    return {"challenge": state.library_challenge}


@change("library_update")
def library_update(
    state: MirrorState, ctx: Context, symbol: str, related: str | None = None
) -> dict[str, Any]:
    """Bump a record's 005 (last modified) and optionally add a 993 related document."""
    rec = next((r for r in state.library_records.values() if record_symbol(r) == symbol), None)
    if rec is None:
        rec = build_record(state, symbol, ctx.library_base)  # materialise a built record
        recid = rec.findtext(f"{M}controlfield[@tag='001']")
        state.library_records[recid] = rec
        state.library_order.append(recid)
    stamp = rec.find(f"{M}controlfield[@tag='005']")
    stamp.text = state.tick().strftime("%Y%m%d%H%M%S.0")
    if related:
        field = etree.SubElement(rec, f"{M}datafield", tag="993", ind1="1", ind2=" ")
        etree.SubElement(field, f"{M}subfield", code="a").text = related
    return {"recid": rec.findtext(f"{M}controlfield[@tag='001']"), "005": stamp.text}


@change("robots")
def robots(state: MirrorState, ctx: Context, site: str, text: str) -> dict[str, Any]:
    state.robots[site] = text
    return {"site": site}


@change("fault")
def fault(state: MirrorState, ctx: Context, path: str, kind: str, **options: Any) -> dict:
    f = ctx.faults.add(Fault(path, kind, **options))
    return {"path": f.pattern, "kind": f.kind, "times": f.times}


@change("clear_faults")
def clear_faults(state: MirrorState, ctx: Context) -> dict[str, Any]:
    ctx.faults.clear()
    return {"faults": 0}
