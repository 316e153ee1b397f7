"""UNODA website (disarmament.unoda.org, www.un.org/disarmament): pages from the corpus Markdown,
the page listing Member States' replies to a Secretary-General report, and the WordPress feed."""

from __future__ import annotations

from email.utils import format_datetime
from html import escape
from urllib.parse import quote
from xml.sax.saxutils import escape as xml_escape

from mirror.http import Request, Response, Router, html, not_found, rewrite_hosts
from mirror.markdown import to_html

router = Router()
# A real UNODA page path (seen in the corpus's navigation) for the report under resolution 79/239.
REPLIES_PAGE = "/en/our-work/emerging-challenges/artificial-intelligence-military-domain"


def page(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} | '
        f"Office for Disarmament Affairs</title></head><body><main id='main-content'>{body}"
        "</main></body></html>"
    )


def reply_url(req: Request, file_path: str) -> str:
    # The real site encodes ( and ) as %28 %29 in docs-library paths.
    return req.url("docs_library", quote(file_path, safe="/-_."))


@router.route(REPLIES_PAGE + "/?")
def replies(req: Request) -> Response:
    state = req.mirror.state
    with state.lock:
        report = dict(state.reply_report)
        rows = [(r.submitter, r.lang, r.file_path) for r in state.replies]
    items = "".join(
        f'<li class="reply"><a href="{escape(reply_url(req, path))}">{escape(who)}</a>'
        f" ({escape(lang)})</li>"
        for who, lang, path in rows
    )
    report_link = req.url("undocs", f"/en/{report['symbol']}")
    body = (
        f"<h1>{escape(report['title'])}</h1>"
        f"<p>Report of the Secretary-General pursuant to resolution {report['resolution']}: "
        f'<a href="{escape(report_link)}">{report["symbol"]}</a></p>'
        "<h2>Replies received from Member States</h2>"
        "<p>Replies received after the deadline are posted here only, in the language received."
        f'</p><ul id="replies">{items}</ul>'
    )
    return html(page(report["title"], body))


@router.route(r"/feed/?")
def feed(req: Request) -> Response:
    with req.mirror.state.lock:
        items = sorted(req.mirror.state.feed, key=lambda i: i.published, reverse=True)
    base = req.url("unoda")
    body = "".join(
        f"<item><title>{xml_escape(i.title)}</title>"
        f"<link>{xml_escape(reply_url(req, i.link) if i.link.startswith('/General') else base + i.link)}</link>"  # noqa: E501
        f"<pubDate>{format_datetime(i.published)}</pubDate>"
        f"<description>{xml_escape(i.description)}</description></item>"
        for i in items
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>United Nations Office for Disarmament Affairs</title><link>{base}/</link>"
        f"<description>UNODA</description>{body}</channel></rss>"
    )
    return Response(200, xml.encode("utf-8"), "application/rss+xml; charset=UTF-8")


@router.route(r"(?P<path>/.*)")
def any_page(req: Request, path: str) -> Response:
    state = req.mirror.state
    with state.lock:
        found = state.unoda_pages.get(path) or state.unoda_pages.get(path.rstrip("/"))
    if not found:
        return not_found()
    title, md = found
    return html(rewrite_hosts(page(title, to_html(md)), req.mirror.base_urls))
