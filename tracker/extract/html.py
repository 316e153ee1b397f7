"""HTML bytes -> Extraction: the page's main text, without navigation, scripts and site chrome.

Encoding, in the order browsers use: BOM, charset of the HTTP header, <meta> charset, then
detection. A declared charset that does not decode is reported and skipped, not trusted.
"""

from __future__ import annotations

import datetime
import re

from bs4 import BeautifulSoup, Comment, Doctype, NavigableString, ProcessingInstruction, Tag

from tracker.extract.decode import charset_from_content_type, decode_bytes
from tracker.extract.firstpage import find_date
from tracker.extract.language import guess_language
from tracker.extract.model import HTML, Extraction, ExtractionError
from tracker.extract.normalise import clean_line, normalise_text

_META_CHARSET = re.compile(
    rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE
)  # both <meta charset=x> and <meta http-equiv content="text/html; charset=x">
_DROP_TAGS = (
    "script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form",
    "iframe", "svg", "canvas", "button", "select", "input", "textarea", "object", "embed",
    "head", "dialog", "menu",
)  # fmt: skip
_DROP_ROLES = {"navigation", "banner", "contentinfo", "search", "menubar", "menu", "complementary"}
_MAIN_SELECTORS = ("main", "article", "[role=main]", "#content", "#main-content", "#main")
_BLOCK = {
    "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul",
    "ol", "dl", "dt", "dd", "table", "tbody", "thead", "tfoot", "tr", "caption", "blockquote",
    "pre", "address", "figure", "figcaption", "hr", "br", "body", "html", "center", "fieldset",
    "details", "summary", "legend",
}  # fmt: skip
_CELL = {"td", "th"}
_SKIP_LINK = re.compile(r"^\s*(?:skip|go|jump)\s+to\s+(?:the\s+)?(?:main\s+)?content\s*$", re.I)
_TITLE_SPLIT = re.compile(r"\s+[|–—-]\s+")
_SITE_WORDS = re.compile(
    r"United Nations|\bUN\b|UNODA|Library|Office|Affairs|Portal|System|Website|Home|Nations Unies",
    re.I,
)


def _decode(content: bytes, declared_type: str | None, warnings: list[str]) -> str:
    meta = _META_CHARSET.search(content[:4096])
    meta_charset = meta.group(1).decode("ascii", "replace") if meta else None
    header_charset = charset_from_content_type(declared_type)
    return decode_bytes(content, [header_charset, meta_charset], warnings, what="HTML")


def _drop_chrome(root: Tag) -> None:
    for node in root.find_all(
        string=lambda s: isinstance(s, Comment | Doctype | ProcessingInstruction)
    ):
        node.extract()
    for tag in root.find_all(_DROP_TAGS):
        tag.decompose()
    for tag in root.find_all(attrs={"role": True}):
        if not tag.decomposed and str(tag.get("role", "")).lower() in _DROP_ROLES:
            tag.decompose()
    for tag in root.find_all(True):
        if tag.decomposed:
            continue
        style = str(tag.get("style", "")).replace(" ", "").lower()
        if (
            tag.has_attr("hidden")
            or "display:none" in style
            or tag.get("aria-hidden") == "true"
            or tag.name == "a"
            and _SKIP_LINK.match(tag.get_text())
        ):
            tag.decompose()


def _main_root(soup: BeautifulSoup) -> Tag:
    for selector in _MAIN_SELECTORS:
        found = soup.select_one(selector)
        if found is not None and len(found.get_text(strip=True)) > 50:
            return found
    return soup.body or soup


def _blocks(root: Tag) -> list[str]:
    """Text of `root` as paragraphs: block elements break paragraphs, table cells on a row are
    joined with " | " (nested tables become their own rows)."""
    out: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = clean_line("".join(current))
        if text:
            out.append(text)
        current.clear()

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                current.append(str(child))
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name
            if name in _BLOCK:
                flush()
                walk(child)
                flush()
            elif name in _CELL:
                if clean_line("".join(current)):
                    current.append(" | ")
                walk(child)
            else:
                walk(child)

    walk(root)
    flush()
    return out


# Hrefs that are not link targets: in-page anchors and script or mail actions.
_NOT_A_TARGET = re.compile(r"^\s*(?:#|javascript:|mailto:|tel:|data:)", re.I)


def _links(root: Tag) -> list[str]:
    """The href of every <a> in `root`, as written (whitespace trimmed), in document order.

    Citations are read from these (tracker.citations: ``extract_citations(links=...)``), since
    a link's target is not part of the text. Repeats are kept: a citation is an occurrence.
    """
    out: list[str] = []
    for a in root.find_all("a", href=True):
        href = str(a["href"]).strip()
        if href and not _NOT_A_TARGET.match(href):
            out.append(href)
    return out


def _head_title(soup: BeautifulSoup) -> str | None:
    if not soup.title:
        return None
    title = clean_line(soup.title.get_text())
    # "Page title | Site name": drop a last part that names the site (not a part of the title
    # itself, as in "CCW GGE on LAWS — 2025 Meeting Page").
    separators = list(_TITLE_SPLIT.finditer(title))
    if separators:
        last = title[separators[-1].end() :]
        if len(last) <= 60 and _SITE_WORDS.search(last):
            title = title[: separators[-1].start()]
    return title.strip(" :") or None


def _og_title(soup: BeautifulSoup) -> str | None:
    og = soup.find("meta", attrs={"property": "og:title"})
    return clean_line(str(og["content"])) or None if og and og.get("content") else None


def _h1(root: Tag) -> str | None:
    h1 = root.find("h1")
    return clean_line(h1.get_text(" ")) or None if h1 else None


def _date(soup: BeautifulSoup) -> datetime.date | None:
    for attrs in (
        {"property": "article:published_time"},
        {"name": "DC.date"},
        {"name": "dcterms.date"},
        {"name": "citation_date"},
        {"name": "date"},
    ):
        tag = soup.find("meta", attrs=attrs)
        if tag and tag.get("content"):
            value = str(tag["content"])
            match = re.match(r"(\d{4})-(\d{2})-(\d{2})", value)
            try:
                return datetime.date(*map(int, match.groups())) if match else find_date(value)
            except ValueError:
                continue
    return None


def extract_html(content: bytes, declared_type: str | None = None) -> Extraction:
    warnings: list[str] = []
    markup = _decode(content, declared_type, warnings)
    soup = BeautifulSoup(markup, "lxml")
    # Read metadata before the chrome goes (<head> is dropped with it).
    lang = soup.html.get("lang") if soup.html else None
    head_title, og_title, date = _head_title(soup), _og_title(soup), _date(soup)
    _drop_chrome(soup)
    root = _main_root(soup)
    text = normalise_text("\n\n".join(_blocks(root)))
    if not text:
        raise ExtractionError("empty", "HTML page has no text outside navigation and scripts")
    language = str(lang).split("-")[0].lower() if lang else None
    if language not in ("en", "fr", "es", "ru", "zh", "ar"):
        language = guess_language(text)
    return Extraction(
        text=text,
        media_type=HTML,
        title=head_title or _h1(root) or og_title,
        date=date,
        language=language,
        warnings=warnings,
        links=_links(root),
    )
