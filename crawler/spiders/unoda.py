"""unoda: Office for Disarmament Affairs pages - meeting documents, Member States' replies, pages.

Targets (spider argument `targets`, or the source's watched keys of kind "page"):
  meeting:74853         Meetings Place `{meetings_url}/meeting/74853/documents`: one row per
                        <article> (record kind `submissions`), document key "meeting:74853",
                        label the meeting's name.
  replies:<path|URL>    a UNODA page listing Member States' replies to a Secretary-General
                        report (relative paths are on `unoda_url`): one row per reply file named
                        `{session}-{resolution}-{submitter}-{LANG}.pdf`, document key
                        "replies:<path>", label the report's symbol. Each reply file is also
                        fetched as its own document (kind "reply", key "79-239-Austria", lang from
                        the file name), so a new reply raises `new_submission` and `new_document`.
  page:<path|URL>       any UNODA page, captured as HTML (key "page:<path>").

A target URL on a real UNODA host is fetched from the configured host of that site, so the same
targets work against the local mirror. Spider arguments: `files=0` skips the reply files;
`fetch_timeout` (seconds) sets a per-request download timeout.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import scrapy
from parsel import Selector
from scrapy.http import Response

from crawler.base import CaptureSpider
from crawler.items import CaptureItem
from crawler.spiders.treaties import ParseError, iso_date
from crawler.targets import watched_keys
from tracker.settings import Settings
from tracker.symbols import normalise_symbol

Row = dict[str, Any]

REPLY_FILE = re.compile(
    r"^(?P<session>\d+)-(?P<resolution>\d+)-(?P<submitter>.+?)-(?P<lang>[A-Za-z]{2})\.pdf$"
)
LANG_WORDS = {
    "english": "EN",
    "french": "FR",
    "spanish": "ES",
    "russian": "RU",
    "chinese": "ZH",
    "arabic": "AR",
}
LANG_CODES = {"EN", "FR", "ES", "RU", "ZH", "AR", "CH"}
SUBMITTED_BY = re.compile(r"\bsubmitted by\s+(?P<who>.+?)\s*\.?$", re.IGNORECASE)
# Submitters named in meeting documents that are not States.
NOT_STATES = re.compile(r"^(the )?(chair|chairperson|president|secretariat|bureau)\b", re.I)
SYMBOL_IN_TEXT = re.compile(r"\b(?:A|S|E|CD|CCW|NPT|TPNW|BWC)/[A-Z0-9./()-]+[A-Za-z0-9)]")
URL_FIELDS = {
    "unoda": "unoda_url",
    "meetings": "meetings_url",
    "docs_library": "docs_library_url",
}


# -- pure parsing ----------------------------------------------------------------------------


def _selector(html: str | bytes) -> Selector:
    return Selector(text=html.decode("utf-8", "replace") if isinstance(html, bytes) else html)


def _text(sel: Selector | None) -> str:
    if sel is None:
        return ""
    return " ".join(" ".join(sel.xpath(".//text()").getall()).split())


def submitting_states(text: str) -> str | None:
    """'Working paper submitted by Bulgaria, Denmark, and the Netherlands' ->
    'Bulgaria, Denmark, Netherlands'; None when no State is named (e.g. the Chair)."""
    m = SUBMITTED_BY.search(text)
    if not m or NOT_STATES.match(m["who"]):
        return None
    parts = re.split(r",\s*(?:and\s+)?|\s+and\s+", m["who"])
    names = [re.sub(r"^the\s+", "", p.strip(), flags=re.I) for p in parts if p.strip()]
    return ", ".join(names) or None


def file_language(url: str) -> str | None:
    """'..._English.pdf' or '...-EN.pdf' or undocs.org/en/... -> 'EN'."""
    path = unquote(urlsplit(url).path)
    name = path.rsplit("/", 1)[-1]
    m = re.search(r"[_-]([A-Za-z]+)\.(?:pdf|docx?)$", name)
    if m and m[1].lower() in LANG_WORDS:
        return LANG_WORDS[m[1].lower()]
    if m and m[1].upper() in LANG_CODES:
        return "ZH" if m[1].upper() == "CH" else m[1].upper()
    first = path.strip("/").split("/", 1)[0]
    if "undocs" in urlsplit(url).netloc and first.upper() in LANG_CODES:
        return first.upper()
    return None


def meeting_title(html: str | bytes) -> str | None:
    """The meeting's name: the page heading, or the <title> without the site's name."""
    sel = _selector(html)
    heading = _text(sel.css("h1")[0]) if sel.css("h1") else ""
    if heading:
        return heading
    title = " ".join((sel.css("title::text").get() or "").split())
    return title.split(" | ")[0] or None


def _cell(article: Selector, xpath: str) -> str:
    found = article.xpath(xpath)
    return _text(found[0]) if found else ""


def lenient_date(text: str) -> str | None:
    """ISO when the date can be read; else the text as shown (never fail a page over a date)."""
    try:
        return iso_date(text)
    except ParseError:
        return text


def parse_meeting_article(article: Selector, base_url: str) -> Row | None:
    """One Meetings Place <article>: title link, then a subtitle, then (type, date)."""
    link = article.css("div > div > h5 > a")
    if not link:
        return None
    label = _text(link[0])
    href = urljoin(base_url, link[0].attrib.get("href", "").strip())
    # The subtitle ("Working paper submitted by Brazil") sits between the title and the
    # type/date block; the real site's scrapers only name the title, type and date.
    subtitle = _cell(article, "./div[2]") if article.xpath("./div[3]") else ""
    symbol = normalise_symbol(label) if "/" in label else None
    return {
        "url": href,
        "title": (subtitle or label) if symbol else label,
        "state": submitting_states(subtitle) or submitting_states(label),
        "symbol": symbol,
        "type": _cell(article, "./div[3]/div[1]") or None,
        "language": file_language(href),
        "date": lenient_date(_cell(article, "./div[3]/div[2]")),
    }


def parse_meeting_articles(html: str | bytes, base_url: str = "") -> list[Row]:
    """Submissions rows from a Meetings Place documents page, one per <article>."""
    sel = _selector(html)
    articles = sel.css("article")
    if not articles:
        raise ParseError("no document <article> on the meeting page")
    rows = [row for a in articles if (row := parse_meeting_article(a, base_url))]
    if not rows:
        raise ParseError("no document link in the meeting page's <article>s")
    return rows


def parse_reply_file(url: str) -> dict[str, str] | None:
    """'.../79-239-Costa_Rica-EN.pdf' -> {session: 79, resolution: 239, state: Costa Rica,
    lang: EN, name: 79-239-Costa_Rica-EN.pdf}; None for any other file."""
    name = unquote(urlsplit(url).path).rsplit("/", 1)[-1]
    m = REPLY_FILE.match(name)
    if not m:
        return None
    state = " ".join(m["submitter"].replace("_", " ").split())
    return {
        "session": m["session"],
        "resolution": m["resolution"],
        "state": state,
        "lang": m["lang"].upper(),
        "name": name,
    }


def parse_reply_links(html: str | bytes, base_url: str = "") -> list[Row]:
    """Submissions rows from a page listing replies: every link to a reply file."""
    sel = _selector(html)
    links = sel.css("#replies a") or sel.css("a")
    rows: list[Row] = []
    for link in links:
        url = urljoin(base_url, (link.attrib.get("href") or "").strip())
        found = parse_reply_file(url)
        if found is None:
            continue
        rows.append(
            {
                "url": url,
                "title": f"Reply of {found['state']}",
                "state": found["state"],
                "symbol": None,
                "type": "Reply",
                "language": found["lang"],
                "date": None,
            }
        )
    if not rows:
        raise ParseError("no reply file linked from the page")
    return rows


def report_symbol(html: str | bytes) -> str | None:
    """The report the replies answer: the first UN symbol in the page's main text."""
    sel = _selector(html)
    main = sel.css("main") or sel.css("body")
    text = _text(main[0]) if main else ""
    for m in SYMBOL_IN_TEXT.finditer(text):
        symbol = normalise_symbol(m[0])
        if symbol:
            return symbol
    return None


def reply_key(found: dict[str, str]) -> str:
    """One document per reply, its languages as resources: '79-239-Austria'."""
    return f"{found['session']}-{found['resolution']}-{found['state'].replace(' ', '_')}"


def target_url(target: str, base: str, dw: Settings) -> str:
    """A target path or URL on the configured host: real UNODA hosts map to the settings."""
    if not re.match(r"^https?://", target):
        return urljoin(base.rstrip("/") + "/", target.lstrip("/"))
    defaults = Settings()
    for field in URL_FIELDS.values():
        real, configured = getattr(defaults, field), getattr(dw, field)
        if target.startswith(real) and real != configured:
            return configured.rstrip("/") + target[len(real) :]
    return target


def page_key(url: str) -> str:
    """Host-independent: the path and query, so the mirror and the real site share keys."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


# -- the spider --------------------------------------------------------------------------------


class UnodaSpider(CaptureSpider):
    name = "unoda"

    def __init__(
        self,
        files: str | bool = True,
        fetch_timeout: str | float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.fetch_files = str(files).lower() not in {"0", "false", "no", "off"}
        self.fetch_timeout = float(fetch_timeout) if fetch_timeout not in (None, "") else None

    def request_meta(self, **extra: Any) -> dict[str, Any]:
        if self.fetch_timeout:
            extra["download_timeout"] = self.fetch_timeout
        return extra

    def page_targets(self) -> list[str]:
        raw = self.targets or watched_keys(self.source_name or self.name, kind="page")
        return list(dict.fromkeys(t.strip() for t in raw if t.strip()))

    async def start(self) -> Any:
        for target in self.page_targets():
            kind, _, rest = target.partition(":")
            request = None
            if kind == "meeting" and rest.strip().isdigit():
                request = self.meeting_request(rest.strip())
            elif kind == "replies" and rest.strip():
                request = self.replies_request(rest.strip())
            elif kind == "page" and rest.strip():
                request = self.page_request(rest.strip())
            if request is None:
                self.logger.error("not a unoda target, skipped: %r", target)
                continue
            yield request

    # -- requests --------------------------------------------------------------------------

    def meeting_request(self, meeting_id: str) -> scrapy.Request:
        url = f"{self.dw.meetings_url.rstrip('/')}/meeting/{meeting_id}/documents"
        spec = {"key": f"meeting:{meeting_id}", "kind": "page", "format": "json"}
        return self.request(
            url, spec, self.parse_meeting, conditional=False, meta=self.request_meta()
        )

    def replies_request(self, target: str) -> scrapy.Request:
        url = target_url(target, self.dw.unoda_url, self.dw)
        spec = {"key": f"replies:{page_key(url)}", "kind": "page", "format": "json"}
        return self.request(
            url, spec, self.parse_replies, conditional=False, meta=self.request_meta()
        )

    def page_request(self, target: str) -> scrapy.Request:
        url = target_url(target, self.dw.unoda_url, self.dw)
        spec = {"key": f"page:{page_key(url)}", "kind": "page", "format": "html"}
        return self.request(url, spec, meta=self.request_meta())

    def reply_file_request(self, url: str, report: str | None) -> scrapy.Request | None:
        found = parse_reply_file(url)
        if found is None:
            return None
        spec = {
            "key": reply_key(found),
            "kind": "reply",
            "lang": found["lang"].lower(),
            "format": "pdf",
            "title": f"Reply of {found['state']} (resolution {found['session']}/"
            f"{found['resolution']})",
            "meta": {
                "label": report or f"resolution {found['session']}/{found['resolution']}",
                "state": found["state"],
                "file": found["name"],
            },
        }
        return self.request(url, spec, meta=self.request_meta())

    # -- callbacks ---------------------------------------------------------------------------

    def parse_meeting(self, response: Response) -> Iterator[CaptureItem]:
        item = self.structured(response, parse_meeting_articles)
        if item.records is not None:
            label = meeting_title(response.body)
            item.title = label
            item.meta = {**(item.meta or {}), "label": label or item.key}
        yield item

    def parse_replies(self, response: Response) -> Iterator[CaptureItem | scrapy.Request]:
        item = self.structured(response, parse_reply_links)
        if item.records is None:
            yield item
            return
        report = report_symbol(response.body)
        item.meta = {**(item.meta or {}), "label": report or item.key}
        yield item
        if not self.fetch_files:
            return
        # A file linked twice (e.g. in a list and in a news item) is fetched once.
        for url in dict.fromkeys(row["url"] for row in item.records):
            request = self.reply_file_request(url, report)
            if request is not None:
                yield request

    def structured(self, response: Response, parse: Any) -> CaptureItem:
        """A `submissions` capture, or an error capture that says why there are no rows.

        Statuses other than 200 go to the store as they are (404: not available, 5xx: error).
        """
        item = self.capture_item(response)
        if response.status != 200:
            return item
        try:
            item.records = parse(response.body, response.url)
            item.record_kind = "submissions"
        except ParseError as exc:
            item.error = f"{exc} ({response.url})"
        return item
