"""treaties: who signed, ratified, acceded to or succeeded to each watched disarmament treaty.

Targets (spider argument `targets`, or the source's watched keys of kind "treaty"):
  tpnw, ctbt, npt ...   the UNODA treaties database: its GraphQL API first, and its HTML
                        participants page when GraphQL fails (transport error, 5xx after
                        retries, not JSON, GraphQL `errors`, no actions); document key "tpnw".
  untc:XXVI-9           a UN Treaty Collection status page; document key "untc:XXVI-9".

Each treaty and source is one structured capture (record kind `treaty_participants`), whose rows
the store compares to raise `treaty_action` events. A fetch or parse failure is an error
capture, never an empty row set: an empty set would read as every State leaving the treaty.

Spider argument `fetch_timeout` (seconds) sets a per-request download timeout.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from parsel import Selector
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.base import CaptureSpider
from crawler.items import CaptureItem
from crawler.targets import watched_keys

Row = dict[str, Any]

# Every row carries these fields, so GraphQL and HTML answers give identical rows.
BASE_FIELDS = ("signature", "ratification", "accession", "succession", "withdrawal")
GRAPHQL_QUERY = (
    '{ treaty_(input:{short_name:"%s", type:"GET_TREATY"}) '
    "{ short_name actions_ { date action_type_ type state { name } } } }"
)
# GraphQL action names and codes -> row field.
GRAPHQL_ACTIONS = {
    "signatory": "signature",
    "signature": "signature",
    "sig": "signature",
    "ratification": "ratification",
    "rat": "ratification",
    "accession": "accession",
    "acc": "accession",
    "succession": "succession",
    "suc": "succession",
    "withdrawal": "withdrawal",
    "wdl": "withdrawal",
    "wit": "withdrawal",
}
# UNTC marks after a deposit date. "P" (consent to be bound, CCW protocols) has no field of its
# own in tracker.records, and it makes a party exactly as a ratification does.
UNTC_MARKS = {
    "": "ratification",
    "a": "accession",
    "d": "succession",
    "A": "acceptance",
    "AA": "approval",
    "P": "consent",  # consent to be bound
}
UNTC_TABLE_IDS = (
    "ctl00_ctl00_ContentPlaceHolder1_ContentPlaceHolderInnerPage_tblgrid",
    "ctl00_ContentPlaceHolder1_tblgrid",
)
UNTC_DATE = re.compile(r"(\d{1,2} [A-Za-z]{3,9}\.? \d{4})(?:\s+(AA|A|a|d|P|n))?")
# Names of the treaties the events speak of ("Ghana ratified the TPNW on ...").
UNODA_LABELS = {
    "tpnw": "TPNW",
    "ctbt": "CTBT",
    "npt": "NPT",
    "bwc": "BWC",
    "1925": "1925 Geneva Protocol",
    "test_ban": "Partial Test Ban Treaty",
    "outer_space": "Outer Space Treaty",
    "rarotonga": "Treaty of Rarotonga",
    "pelindaba": "Treaty of Pelindaba",
}
UNTC_LABELS = {
    "XXVI-1": "ENMOD Convention",
    "XXVI-2": "CCW",
    "XXVI-3": "CWC",
    "XXVI-4": "CTBT",
    "XXVI-5": "Anti-Personnel Mine Ban Convention",
    "XXVI-6": "Convention on Cluster Munitions",
    "XXVI-8": "ATT",
    "XXVI-9": "TPNW",
}
ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
DATE_FORMATS = ("%d %b %Y", "%d %B %Y", "%B %d, %Y", "%b %d, %Y", "%d/%m/%Y", "%d.%m.%Y")


class ParseError(ValueError):
    """An answer that arrived but does not hold what we expected: an error capture."""


# -- pure parsing ----------------------------------------------------------------------------


def iso_date(text: str | None) -> str | None:
    """'20 Sep 2017', '2017-09-20 00:00:00', 'September 20, 2017' -> '2017-09-20'."""
    text = " ".join((text or "").replace("\xa0", " ").split()).rstrip(".")
    if not text:
        return None
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", text)
    if m:
        return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text.replace("Sept ", "Sep "), fmt).date().isoformat()
        except ValueError:
            continue
    raise ParseError(f"unreadable date {text!r}")


def clean_state(name: str) -> str:
    """A participant's name without footnote numbers, stray punctuation or extra whitespace."""
    name = " ".join(name.replace("\xa0", " ").split())
    return re.sub(r"[\s\d,*]+$", "", name).strip()


def empty_row(state: str) -> Row:
    return {"state": state, **dict.fromkeys(BASE_FIELDS)}


def set_action(row: Row, field: str, when: str) -> None:
    """Keep the earliest date of an action (a withdrawal: the latest), whatever the order."""
    old = row.get(field)
    if old is None or (when > old if field == "withdrawal" else when < old):
        row[field] = when


def parse_graphql_actions(answer: Any) -> list[Row]:
    """Rows from a GraphQL `treaty_` answer; ParseError when it holds errors or no actions."""
    if not isinstance(answer, dict):
        raise ParseError("GraphQL answer is not a JSON object")
    if answer.get("errors"):
        messages = "; ".join(str(e.get("message", e)) for e in answer["errors"])
        raise ParseError(f"GraphQL errors: {messages}")
    treaty = (answer.get("data") or {}).get("treaty_")
    if not treaty:
        raise ParseError("GraphQL answer names no treaty")
    rows: dict[str, Row] = {}
    for action in treaty.get("actions_") or []:
        state = clean_state(((action.get("state") or {}).get("name")) or "")
        kind = str(action.get("action_type_") or action.get("type") or "").strip().lower()
        field = GRAPHQL_ACTIONS.get(kind) or GRAPHQL_ACTIONS.get(
            str(action.get("type") or "").lower()
        )
        when = iso_date(action.get("date"))
        if not state or field is None or when is None:
            raise ParseError(f"unreadable GraphQL action {action!r}")
        set_action(rows.setdefault(state, empty_row(state)), field, when)
    if not rows:
        raise ParseError("GraphQL answer lists no participants")
    return list(rows.values())


def cell_text(cell: Selector) -> str:
    """A cell's text without footnote markers (<sup>)."""
    parts = cell.xpath(".//text()[not(ancestor::sup)]").getall()
    return " ".join(" ".join(parts).split())


def deposit_field(href: str) -> str:
    """The deposit link's href names the kind of instrument: .../RAT, .../ACC, .../SUC."""
    tokens = set(re.split(r"[^A-Z]+", href.upper()))
    for code, field in (("ACC", "accession"), ("SUC", "succession"), ("RAT", "ratification")):
        if code in tokens:
            return field
    return "ratification"


def parse_unoda_participants(html: str | bytes) -> list[Row]:
    """Rows from treaties.unoda.org's participants table (State, signature, deposit)."""
    sel = Selector(text=html.decode("utf-8", "replace") if isinstance(html, bytes) else html)
    table = sel.css("table#sort_table_special, table#sort_table")
    if not table:
        raise ParseError("participants table not found")
    rows: dict[str, Row] = {}
    for tr in table[0].xpath(".//tr[td]"):
        cells = tr.xpath("./td")
        if len(cells) < 3:
            continue
        state = clean_state(cell_text(cells[0]))
        if not state:
            continue
        row = rows.setdefault(state, empty_row(state))
        if signature := iso_date(cell_text(cells[1])):
            set_action(row, "signature", signature)
        if deposit := iso_date(cell_text(cells[2])):
            href = cells[2].css("a::attr(href)").get() or ""
            set_action(row, deposit_field(href), deposit)
    if not rows:
        raise ParseError("participants table is empty")
    return list(rows.values())


def untc_columns(headers: list[str]) -> tuple[int | None, int]:
    """(signature column, deposit column): the deposit column is the last one."""
    signature = next((i for i, h in enumerate(headers) if h.startswith("Signature")), None)
    return signature, len(headers) - 1


def parse_untc_date(text: str) -> tuple[str, str] | None:
    """'22 Oct 1985 a' -> ('1985-10-22', 'a'); None for an empty cell."""
    m = UNTC_DATE.search(text)
    if not m:
        if text.strip():
            raise ParseError(f"unreadable UNTC date {text!r}")
        return None
    return iso_date(m[1]) or "", m[2] or ""


def parse_untc_table(html: str | bytes) -> list[Row]:
    """Rows from a UN Treaty Collection status page's participants table."""
    sel = Selector(text=html.decode("utf-8", "replace") if isinstance(html, bytes) else html)
    table = next((t for tid in UNTC_TABLE_IDS for t in sel.css(f"table#{tid}")), None)
    if table is None:
        raise ParseError("participants table not found")
    trs = table.xpath(".//tr")
    if not trs:
        raise ParseError("participants table is empty")
    headers = [cell_text(c) for c in trs[0].xpath("./td|./th")]
    if not headers or not headers[0].startswith("Participant"):
        raise ParseError(f"unexpected participants table headings {headers!r}")
    sig_col, dep_col = untc_columns(headers)
    rows: dict[str, Row] = {}
    for tr in trs[1:]:
        cells = [cell_text(c) for c in tr.xpath("./td")]
        if len(cells) != len(headers) or not clean_state(cells[0]):
            continue
        state = clean_state(cells[0])
        row = rows.setdefault(state, empty_row(state))
        if sig_col is not None and (sig := parse_untc_date(cells[sig_col])):
            set_action(row, "signature", sig[0])
        if dep := parse_untc_date(cells[dep_col]):
            set_action(row, UNTC_MARKS.get(dep[1], "ratification"), dep[0])
    if not rows:
        raise ParseError("participants table is empty")
    return list(rows.values())


def untc_title(html: str | bytes) -> str | None:
    """The treaty's name from a UNTC page heading ('XXVI-9. Treaty on ...')."""
    sel = Selector(text=html.decode("utf-8", "replace") if isinstance(html, bytes) else html)
    heading = " ".join(" ".join(sel.css("h1 ::text").getall()).split())
    return re.sub(r"^[IVXLC]+-[\w-]+\.\s*", "", heading) or None


def roman_to_int(numeral: str) -> int:
    values = [ROMAN[c] for c in numeral.upper()]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def untc_url(base: str, mtdsg_no: str) -> str:
    chapter = roman_to_int(mtdsg_no.split("-", 1)[0])
    return (
        f"{base.rstrip('/')}/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no={mtdsg_no}"
        f"&chapter={chapter}&clang=_en"
    )


# -- the spider --------------------------------------------------------------------------------


class TreatiesSpider(CaptureSpider):
    name = "treaties"

    def __init__(self, fetch_timeout: str | float | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fetch_timeout = float(fetch_timeout) if fetch_timeout not in (None, "") else None

    def treaty_targets(self) -> list[str]:
        raw = self.targets or watched_keys(self.source_name or self.name, kind="treaty")
        return list(dict.fromkeys(t.strip() for t in raw if t.strip()))

    def request_meta(self, **extra: Any) -> dict[str, Any]:
        meta = dict(extra)
        if self.fetch_timeout:
            meta["download_timeout"] = self.fetch_timeout
        return meta

    async def start(self) -> Any:
        for target in self.treaty_targets():
            if target.lower().startswith("untc:"):
                yield self.untc_request(target.split(":", 1)[1].strip())
            elif re.fullmatch(r"[\w-]+", target):
                yield self.graphql_request(target.lower())
            else:
                self.logger.error("not a treaty target, skipped: %r", target)

    # -- UNODA treaties database ---------------------------------------------------------------

    @staticmethod
    def unoda_spec(short: str) -> dict[str, Any]:
        # format "json": the store keeps row sets as JSON, so errors land on the same resource.
        label = UNODA_LABELS.get(short, short.upper())
        return {"key": short, "kind": "treaty", "format": "json", "meta": {"label": label}}

    def graphql_request(self, short: str) -> scrapy.Request:
        request = self.request(
            self.dw.unoda_gql_url.rstrip("/") + "/",
            self.unoda_spec(short),
            self.parse_graphql,
            conditional=False,
            method="POST",
            body=json.dumps({"query": GRAPHQL_QUERY % short}),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            meta=self.request_meta(short=short),
        )
        return request.replace(errback=self.graphql_failed)

    def parse_graphql(self, response: Response) -> Iterator[Any]:
        short = response.meta["short"]
        try:
            if response.status != 200:
                raise ParseError(f"GraphQL HTTP {response.status}")
            rows = parse_graphql_actions(json.loads(response.body))
        except (ParseError, ValueError, AttributeError, TypeError) as exc:
            reason = (
                str(exc) if isinstance(exc, ParseError) else f"GraphQL answer unreadable: {exc}"
            )
            self.logger.warning("%s: %s; falling back to HTML", short, reason)
            yield self.html_request(short, reason)
            return
        yield self.capture_item(response, records=rows, record_kind="treaty_participants")

    def graphql_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        short = failure.request.meta["short"]  # type: ignore[attr-defined]
        reason = f"GraphQL {failure.type.__name__}: {failure.getErrorMessage()}"
        self.logger.warning("%s: %s; falling back to HTML", short, reason)
        yield self.html_request(short, reason)

    def html_request(self, short: str, graphql_error: str) -> scrapy.Request:
        request = self.request(
            f"{self.dw.treaties_unoda_url.rstrip('/')}/t/{short}/participants",
            self.unoda_spec(short),
            self.parse_unoda_html,
            conditional=False,
            meta=self.request_meta(short=short, graphql_error=graphql_error),
        )
        return request.replace(errback=self.html_failed)

    def parse_unoda_html(self, response: Response) -> Iterator[CaptureItem]:
        yield self.rows_or_error(response, parse_unoda_participants)

    def html_failed(self, failure: Failure) -> Iterator[CaptureItem]:
        graphql_error = failure.request.meta.get("graphql_error")  # type: ignore[attr-defined]
        for item in self.on_error(failure):
            if item.error and graphql_error:
                item.error = f"{graphql_error}; HTML: {item.error}"
            yield item

    # -- UN Treaty Collection ---------------------------------------------------------------

    def untc_request(self, mtdsg_no: str) -> scrapy.Request:
        mtdsg_no = mtdsg_no.upper()
        spec = {
            "key": f"untc:{mtdsg_no}",
            "kind": "treaty",
            "format": "json",
            "meta": {"label": UNTC_LABELS.get(mtdsg_no, mtdsg_no), "mtdsg_no": mtdsg_no},
        }
        return self.request(
            untc_url(self.dw.untc_url, mtdsg_no),
            spec,
            self.parse_untc,
            conditional=False,
            meta=self.request_meta(),
        )

    def parse_untc(self, response: Response) -> Iterator[CaptureItem]:
        item = self.rows_or_error(response, parse_untc_table)
        mtdsg_no = response.meta["capture"]["meta"]["mtdsg_no"]
        if item.records and mtdsg_no not in UNTC_LABELS:
            title = untc_title(response.body)
            if title:
                item.title = title
                item.meta = {**(item.meta or {}), "label": title}
        yield item

    # -- shared -------------------------------------------------------------------------------

    def rows_or_error(self, response: Response, parse: Any) -> CaptureItem:
        """A structured capture, or an error capture that says why there are no rows.

        Statuses other than 200 go to the store unchanged (404: not available, 202 or a WAF
        header: blocked, 5xx: error), with the GraphQL failure that led here, if any.
        """
        item = self.capture_item(response)
        graphql_error = response.meta.get("graphql_error")
        if response.status != 200:
            if graphql_error and response.status >= 500:
                item.error = f"{graphql_error}; HTML: HTTP {response.status}"
            return item
        try:
            item.records = parse(response.body)
            item.record_kind = "treaty_participants"
        except ParseError as exc:
            host = urlsplit(response.url).netloc
            item.error = f"{exc} ({host})"
            if graphql_error:
                item.error = f"{graphql_error}; HTML: {item.error}"
        return item
