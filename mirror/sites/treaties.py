"""Treaty status: treaties.unoda.org (HTML), its GraphQL API, and treaties.un.org (UNTC).

All three read the same participants (state.treaties), so one change shows on every site.
"""

from __future__ import annotations

import re
from html import escape

from mirror.http import Request, Response, Router, html, json_response, not_found
from mirror.state import Participant, Treaty
from mirror.treaty_data import treaty_by_mtdsg

treaties_unoda = Router()
unoda_gql = Router()
untc = Router()
ACTION_NAMES = {"SIG": "Signatory", "RAT": "Ratification", "ACC": "Accession",
                "SUC": "Succession"}  # fmt: skip
UNTC_TABLE_ID = "ctl00_ctl00_ContentPlaceHolder1_ContentPlaceHolderInnerPage_tblgrid"


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _treaty(req: Request, short: str) -> Treaty | None:
    return req.mirror.state.treaties.get(short.lower())


@treaties_unoda.route(r"/t/(?P<short>[\w-]+)/?")
def treaty_page(req: Request, short: str) -> Response:
    with req.mirror.state.lock:
        t = _treaty(req, short)
        if t is None:
            return not_found()
        parties = sum(1 for p in t.participants if p.deposit)
        signatories = sum(1 for p in t.participants if p.signature)
    link = req.url("treaties_unoda", f"/t/{t.short}/participants")
    return html(
        f"<html><head><title>{escape(t.title)}</title></head><body><h1>{escape(t.title)}</h1>"
        f"<p class='status'>States Parties: {parties}. Signatories: {signatories}.</p>"
        f"<a href='{link}'>Participants</a></body></html>"
    )


@treaties_unoda.route(r"/t/(?P<short>[\w-]+)/participants/?")
def participants(req: Request, short: str) -> Response:
    with req.mirror.state.lock:
        t = _treaty(req, short)
        if t is None:
            return not_found()
        rows = [_unoda_row(t, p) for p in sorted(t.participants, key=lambda p: p.name)]
    return html(
        f"<html><head><title>{escape(t.title)} - Participants</title></head><body>"
        f"<h1>{escape(t.title)}</h1><table id='sort_table'><thead><tr><th>State</th>"
        f"<th>Signature</th><th>Deposit</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        "</body></html>"
    )


def _unoda_row(t: Treaty, p: Participant) -> str:
    sig = p.signature.isoformat() if p.signature else ""
    dep = ""
    if p.deposit:
        href = f"/a/{_slug(p.name)}/{t.short}/{p.deposit_type}"
        dep = f'<a href="{href}">{p.deposit.isoformat()}</a>'
    return f"<tr><td>{escape(p.name)}</td><td>{sig}</td><td>{dep}</td></tr>"


@unoda_gql.route(r"/?", methods=("POST",))
def graphql(req: Request) -> Response:
    try:
        query = req.json().get("query", "")
    except ValueError:
        return json_response({"errors": [{"message": "invalid JSON"}]}, 400)
    m = re.search(r'short_name\s*:\s*"([^"]+)"', query)
    if not m or "treaty_" not in query:
        return json_response({"errors": [{"message": "unsupported query"}]}, 400)
    with req.mirror.state.lock:
        t = _treaty(req, m[1])
        if t is None:
            return json_response({"data": {"treaty_": None}})
        actions = []
        for p in t.participants:
            for kind, when in (("SIG", p.signature), (p.deposit_type, p.deposit)):
                if when:
                    actions.append(
                        {
                            "date": f"{when.isoformat()} 00:00:00",
                            "action_type_": ACTION_NAMES[kind],
                            "type": kind,
                            "state": {"name": p.name},
                        }
                    )
    actions.sort(key=lambda a: (a["date"], a["state"]["name"]))
    return json_response({"data": {"treaty_": {"short_name": t.short, "actions_": actions}}})


def _untc_date(when, mark: str) -> str:
    if when is None:
        return ""
    text = f"{when.day} {when.strftime('%b %Y')}"
    return f"{text} {mark}" if mark else text


@untc.route(r"/Pages/ViewDetails\.aspx")
def view_details(req: Request) -> Response:
    if req.arg("src").upper() != "TREATY":
        return not_found()
    with req.mirror.state.lock:
        t = treaty_by_mtdsg(req.mirror.state.treaties, req.arg("mtdsg_no"))
        if t is None:
            return not_found()
        has_sig = len(t.headers) > 2 and t.headers[1].startswith("Signature")
        rows = []
        for p in sorted(t.participants, key=lambda p: p.name):
            name = escape(p.name) + (f"<sup>{p.footnotes}</sup>" if p.footnotes else "")
            cells = [name]
            if has_sig:
                cells.append(_untc_date(p.signature, ""))
            if len(t.headers) == 4:
                cells.append(escape(p.provisional))
            cells.append(_untc_date(p.deposit, p.deposit_mark))
            rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    head = "".join(f"<td>{escape(h)}</td>" for h in t.headers)
    return html(
        f"<html><head><title>{escape(t.title)}</title></head><body><h1>{t.mtdsg_no}. "
        f"{escape(t.title)}</h1><table id='{UNTC_TABLE_ID}'><tr class='tableHeader'>{head}</tr>"
        f"{''.join(rows)}</table></body></html>"
    )
