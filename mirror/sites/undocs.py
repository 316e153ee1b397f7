"""undocs.org: short links (all redirect to ODS) and the GA/SC document feeds."""

from __future__ import annotations

from email.utils import format_datetime
from urllib.parse import quote
from xml.sax.saxutils import escape

from mirror.http import Request, Response, Router, not_found, redirect
from mirror.state import Doc

router = Router()
LANGS = {"ar", "zh", "en", "fr", "ru", "es", "ch"}
# Legacy `Language=` letters (Home/Mobile links in older documents).
LEGACY_LANG = {"A": "ar", "C": "zh", "E": "en", "F": "fr", "R": "ru", "S": "es"}


def to_ods(req: Request, symbol: str, lang: str) -> Response:
    lang = "zh" if lang == "ch" else lang
    s = quote(" ".join(symbol.split()), safe="")
    return redirect(req.url("ods", f"/api/symbol/access?s={s}&l={lang}&t=pdf"))


@router.route(r"/rss/(?P<feed>gadocs|scdocs)\.xml")
def feed(req: Request, feed: str) -> Response:
    prefix = "A/" if feed == "gadocs" else "S/"
    latest: dict[str, Doc] = {}
    with req.mirror.state.lock:
        for (symbol, _lang), doc in req.mirror.state.docs.items():
            if symbol.startswith(prefix) and (
                symbol not in latest or doc.published > latest[symbol].published
            ):
                latest[symbol] = doc
    items = sorted(latest.values(), key=lambda d: (d.published, d.symbol), reverse=True)[:200]
    body = "".join(
        f"<item><title>{escape(d.symbol)}</title>"
        f"<link>{escape(req.url('undocs', '/en/' + d.symbol))}</link>"
        f"<guid>{escape(d.symbol)}</guid>"
        f"<pubDate>{format_datetime(d.published)}</pubDate></item>"
        for d in items
    )
    organ = "General Assembly" if feed == "gadocs" else "Security Council"
    xml = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{organ} documents</title><link>{req.url('undocs', '/')}</link>"
        f"<description>Latest {organ} documents</description>{body}</channel></rss>"
    )
    return Response(200, xml.encode("utf-8"), "application/rss+xml; charset=utf-8")


@router.route(r"/Home/Mobile")
def legacy_mobile(req: Request) -> Response:
    symbol = req.arg("FinalSymbol")
    if not symbol:
        return not_found()
    return to_ods(req, symbol, LEGACY_LANG.get(req.arg("Language", "E").upper(), "en"))


@router.route(r"/pdf")
def legacy_pdf(req: Request) -> Response:
    lang, _, symbol = req.arg("symbol").partition("/")
    if lang.lower() not in LANGS or not symbol:
        return not_found()
    return to_ods(req, symbol, lang.lower())


@router.route(r"/(?P<lang>[a-zA-Z]{2})/(?P<symbol>.+)")
def short_lang(req: Request, lang: str, symbol: str) -> Response:
    if lang.lower() not in LANGS:  # e.g. /A/RES/76/53: "A" is the organ, not a language
        return to_ods(req, f"{lang}/{symbol}", "en")
    return to_ods(req, symbol, lang.lower())


@router.route(r"/(?P<symbol>[^_].+)")
def short(req: Request, symbol: str) -> Response:
    return to_ods(req, symbol, "en")
