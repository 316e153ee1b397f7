"""digitallibrary.un.org: MARCXML search, record pages, MARCXML export, record files, bot wall.

Records are the real ones from the corpus search answer, plus records built on the fly (same
fields) for every document the mirror publishes, so a search for `191__a:"A/C.1/80/L.*"` finds the
mirror's First Committee drafts too.
"""

from __future__ import annotations

import fnmatch
import re
import zlib
from html import escape

from lxml import etree

from mirror.corpus import MARC_NS, pdf_symbol
from mirror.documents import pdf_bytes
from mirror.http import Request, Response, Router, html, not_found, rewrite_hosts
from mirror.state import Doc, MirrorState

router = Router()
M = f"{{{MARC_NS}}}"
LANG_LABEL = {"ar": "العربية", "zh": "中文", "en": "English", "fr": "Français", "ru": "Русский",
              "es": "Español"}  # fmt: skip
_QUERY = re.compile(r'191__a:\s*"?([^"]+?)"?\s*$')


def challenged(req: Request) -> Response | None:
    """The AWS WAF bot wall: 202, `x-amzn-waf-action: challenge`, empty body."""
    with req.mirror.state.lock:
        on = req.mirror.state.library_challenge
    if on:
        return Response(202, b"", "text/html; charset=utf-8", {"x-amzn-waf-action": "challenge"})
    return None


def synthetic_recid(symbol: str) -> str:
    return str(9_000_000 + zlib.crc32(symbol.encode()) % 900_000)


def _sub(parent, tag: str, subfields: list[tuple[str, str]], ind1: str = " ") -> None:
    field = etree.SubElement(parent, f"{M}datafield", tag=tag, ind1=ind1, ind2=" ")
    for code, value in subfields:
        etree.SubElement(field, f"{M}subfield", code=code).text = value


def build_record(state: MirrorState, symbol: str, base: str) -> etree._Element:
    """A MARC record with the fields real records carry, for a document the mirror publishes."""
    recid = synthetic_recid(symbol)
    docs: list[Doc] = [state.docs[(symbol, lang)] for lang in state.langs_of(symbol)]
    rec = etree.Element(f"{M}record", nsmap={"ns0": MARC_NS})
    etree.SubElement(rec, f"{M}controlfield", tag="001").text = recid
    newest = max(d.published for d in docs)
    etree.SubElement(rec, f"{M}controlfield", tag="005").text = newest.strftime("%Y%m%d%H%M%S.0")
    parts = symbol.split("/")
    session = next((p for p in parts if p.isdigit()), "")
    _sub(rec, "191", [("a", symbol), ("b", parts[0] + "/"), ("c", session)])
    _sub(rec, "245", [("a", docs[0].title or symbol)], "1")
    _sub(rec, "269", [("a", newest.date().isoformat())])
    for d in sorted(docs, key=lambda d: d.lang):
        name = f"{symbol.replace('/', '_')}-{d.lang.upper()}.pdf"
        _sub(
            rec,
            "856",
            [("y", LANG_LABEL[d.lang]), ("u", f"{base}/record/{recid}/files/{name}")],
            "4",
        )
    return rec


def all_records(state: MirrorState, base: str) -> list[etree._Element]:
    records = [state.library_records[r] for r in state.library_order]
    known = {r.findtext(f"{M}datafield[@tag='191']/{M}subfield[@code='a']") for r in records}
    for symbol in sorted({s for s, _ in state.docs} - known):
        records.append(build_record(state, symbol, base))
    return records


def find_record(state: MirrorState, recid: str, base: str) -> etree._Element | None:
    if recid in state.library_records:
        return state.library_records[recid]
    for symbol in {s for s, _ in state.docs}:
        if synthetic_recid(symbol) == recid:
            return build_record(state, symbol, base)
    return None


def record_symbol(rec: etree._Element) -> str:
    return rec.findtext(f"{M}datafield[@tag='191']/{M}subfield[@code='a']") or ""


def marcxml(req: Request, records: list[etree._Element], total: int) -> Response:
    body = "".join(etree.tostring(r, encoding="unicode") + "\n" for r in records)
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<!-- Search-Engine-Total-Number-Of-Results: {total} -->\n"
        f'<collection xmlns="{MARC_NS}">\n{body}\n</collection>'
    )
    xml = rewrite_hosts(xml, req.mirror.base_urls)
    return Response(200, xml.encode("utf-8"), "application/xml; charset=utf-8")


@router.route(r"/search")
def search(req: Request) -> Response:
    if blocked := challenged(req):
        return blocked
    m = _QUERY.search(req.arg("p"))
    pattern = m[1].strip().casefold() if m else "*"
    rg = max(1, min(int(req.arg("rg") or 10), 500))
    jrec = max(1, int(req.arg("jrec") or 1))
    with req.mirror.state.lock:
        records = all_records(req.mirror.state, req.url("library"))
        hits = [r for r in records if fnmatch.fnmatchcase(record_symbol(r).casefold(), pattern)]
        page = hits[jrec - 1 : jrec - 1 + rg]
        return marcxml(req, page, len(hits))


@router.route(r"/record/(?P<recid>\d+)/export/xm")
def export(req: Request, recid: str) -> Response:
    if blocked := challenged(req):
        return blocked
    with req.mirror.state.lock:
        rec = find_record(req.mirror.state, recid, req.url("library"))
        return marcxml(req, [rec], 1) if rec is not None else not_found()


@router.route(r"/record/(?P<recid>\d+)/?")
def record_page(req: Request, recid: str) -> Response:
    if blocked := challenged(req):
        return blocked
    state = req.mirror.state
    with state.lock:
        if recid in state.library_html:
            return html(rewrite_hosts(state.library_html[recid], req.mirror.base_urls))
        rec = find_record(state, recid, req.url("library"))
        if rec is None:
            return not_found()
        title = rec.findtext(f"{M}datafield[@tag='245']/{M}subfield[@code='a']") or ""
        links = [
            (f.findtext(f"{M}subfield[@code='u']") or "", f.findtext(f"{M}subfield[@code='y']"))
            for f in rec.iterfind(f"{M}datafield[@tag='856']")
        ]
    items = "".join(
        f'<li><a href="{escape(u)}">{escape(u.rsplit("/", 1)[-1])}</a> {escape(y or "")}</li>'
        for u, y in links
    )
    page = (
        f"<html><head><title>{escape(title)} - United Nations Digital Library System</title>"
        f"</head><body><h1>{escape(title)}</h1><div class='symbol'>{escape(record_symbol(rec))}"
        f"</div><ul class='files'>{items}</ul></body></html>"
    )
    return html(rewrite_hosts(page, req.mirror.base_urls))


@router.route(r"/record/(?P<recid>\d+)/files/(?P<name>[^/]+\.pdf)")
def record_file(req: Request, recid: str, name: str) -> Response:
    if blocked := challenged(req):
        return blocked
    state = req.mirror.state
    try:
        symbol, lang = pdf_symbol(name)
    except ValueError:
        return not_found()
    with state.lock:
        known = state.find_symbol(symbol) or symbol
        doc = state.docs.get((known, lang))
        if doc is None:
            # A real record's file the corpus lacks: render the Charter text under its symbol.
            rec = find_record(state, recid, req.url("library"))
            listed = rec is not None and name in etree.tostring(rec, encoding="unicode")
            if not listed and name not in state.library_html.get(recid, ""):
                return not_found()
            doc = Doc(symbol, lang)
        return Response(200, pdf_bytes(state, doc, req.mirror.charter_dir), "application/pdf")
