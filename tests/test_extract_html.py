"""HTML extraction: the real Digital Library record page, and HTML soup built around real text
(UNODA pages converted to Markdown, the Charter) in legacy encodings."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from tests.corpus import CHARTER_DIR, CORPUS
from tests.pdfgen import charter_paragraphs
from tracker.extract import extract_text

RECORD = CORPUS / "digital-library" / "record-4086346-A_80_78.html"
UNODA = CORPUS / "unoda"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS}")

_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)\s]*)[^)]*\)")


def md_inline(text: str) -> str:
    text = html.escape(text, quote=False)
    text = _LINK.sub(lambda m: f'<a href="{m.group(2)}">{m.group(1)}</a>', text)
    return re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", text)


def md_to_soup(md: str) -> str:
    """Markdown to deliberately sloppy HTML: unclosed <p> and <li>, upper-case tags."""
    out = []
    for line in md.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(">"):
            continue
        heading = re.match(r"^(#{1,6})\s+(.*)", stripped)
        if heading:
            level = len(heading.group(1))
            out.append(f"<H{level}>{md_inline(heading.group(2))}</h{level}>")
        elif stripped.startswith(("* ", "- ")):
            out.append(f"<li>{md_inline(stripped[2:])}")  # never closed
        else:
            out.append(f"<P>{md_inline(stripped)}")  # never closed
    return "\n".join(out)


def plain_words(md: str) -> list[str]:
    """Sentences of real text from the Markdown (link text kept, markup dropped)."""
    sentences = []
    for line in md.splitlines():
        if line.startswith(">"):  # the downloader's note: md_to_soup leaves it out
            continue
        raw = _LINK.sub(lambda m: m.group(1), line.strip())  # emphasis stays literal in soup
        line = re.sub(r"^#+", "", raw).strip()
        if len(line) > 80 and "http" not in line and not re.search(r"[_*]", raw):
            sentences.append(re.sub(r"\s+", " ", line))
    return sentences


def page(body: str, *, charset: str | None, title: str = "Page", lang: str = "en") -> str:
    meta = (
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        if charset
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head>{meta}
<title>{title} | United Nations Office for Disarmament Affairs</title>
<meta property="og:title" content="OG {title}">
<script>var nav = "Skip to main content"; function x() {{ return "<p>not text</p>"; }}</script>
<style>p {{ color: red }} .menu:after {{ content: "STYLE" }}</style></head>
<body><a href="#main-content">Skip to main content</a>
<header><div class="logo">United Nations HEADERLOGO</div>
<nav><ul><li><a href="/">Home NAVLINK</a><li>Search</ul></nav></header>
<div class="layout"><aside>ASIDE related links</aside>
<table><tr><td><table><tr><td>
<main id="main-content"><article>{body}</article></main>
</td></tr></table></td><td>SIDECELL</td></tr></table></div>
<form><input name="q"><button>SEARCHBUTTON</button></form>
<footer>FOOTER Copyright United Nations</footer>
</body></html>"""


CHROME = ("HEADERLOGO", "NAVLINK", "ASIDE", "SIDECELL", "SEARCHBUTTON", "FOOTER", "STYLE",
          "not text", "Skip to main content", "var nav")  # fmt: skip


@needs_corpus
def test_digital_library_record_page() -> None:
    ex = extract_text(RECORD.read_bytes(), "text/html; charset=utf-8")
    assert ex.media_type == "text/html"
    assert ex.title == (
        "Artificial intelligence in the military domain and its implications for international "
        "peace and security"
    )
    assert ex.language == "en"
    for name in ("A_80_78-AR.pdf", "A_80_78-EN.pdf", "A_80_78-ZH.pdf", "Русский", "العربية"):
        assert name in ex.text
    for chrome in ("login", "Go to main content", "Dag Hammarskjöld Library", "jquery", "Terms"):
        assert chrome not in ex.text, chrome
    assert "\n\n\n" not in ex.text


@needs_corpus
@pytest.mark.parametrize(
    "name", sorted(p.name for p in UNODA.glob("*.md")) if UNODA.is_dir() else []
)
@pytest.mark.parametrize("encoding", ["utf-8", "windows-1252"])
def test_unoda_pages_in_soup(name: str, encoding: str) -> None:
    md = (UNODA / name).read_text(encoding="utf-8")
    title = md.splitlines()[0].lstrip("# ").strip()
    doc = page(md_to_soup(md), charset=encoding, title=html.escape(title))
    data = doc.encode(encoding, errors="xmlcharrefreplace")
    ex = extract_text(data, "text/html")  # no charset in the header: the <meta> tells
    assert ex.title == title.replace("&amp;", "&")
    for sentence in plain_words(md)[:15]:
        assert sentence in ex.text, sentence[:60]
    for chrome in CHROME:
        assert chrome not in ex.text, chrome
    assert ex.warnings == []


@pytest.mark.parametrize("encoding", ["cp1251", "shift_jis", "koi8-r"])
def test_russian_charter_in_legacy_encodings(encoding: str) -> None:
    if not CHARTER_DIR.is_dir():
        pytest.skip("corpus missing")
    paras = charter_paragraphs("ru", 0, 20)
    body = "".join(f"<p>{html.escape(p)}</p>\n" for p in paras)
    # « » are not in Shift_JIS or KOI8-R: written as character references, as real pages do.
    data = page(body, charset=encoding, title="Устав", lang="ru").encode(
        encoding, errors="xmlcharrefreplace"
    )
    ex = extract_text(data, "text/html")
    assert ex.text.split("\n\n") == paras
    assert ex.language == "ru"
    assert ex.title == "Устав"


def test_header_charset_wins_but_is_checked() -> None:
    paras = charter_paragraphs("fr", 0, 10)
    body = "".join(f"<p>{html.escape(p)}" for p in paras)
    data = page(body, charset="windows-1252", lang="fr").encode("cp1252")
    # The server claims UTF-8, wrongly: the bytes are not UTF-8, so the <meta> charset is used.
    ex = extract_text(data, "text/html; charset=UTF-8")
    assert ex.text.split("\n\n") == paras
    assert any("UTF-8" in w and "not valid" in w for w in ex.warnings)


def test_no_charset_anywhere_is_detected() -> None:
    paras = charter_paragraphs("ru", 0, 10)
    data = ("<html><body>" + "".join(f"<p>{p}</p>" for p in paras) + "</body></html>").encode(
        "cp1251"
    )
    ex = extract_text(data)
    assert ex.text.split("\n\n") == paras
    assert ex.warnings  # the guess is reported


def test_title_fallbacks_and_main_preference() -> None:
    body = (
        b"<html><body><nav>Menu</nav><div id='content'><h1>Treaty on the Prohibition of Nuclear"
        b" Weapons</h1><p>The Treaty was adopted on 7 July 2017 and entered into force.</div>"
        b"<div>Unrelated sidebar text outside the content area.</div></body></html>"
    )
    ex = extract_text(body, "text/html")
    assert ex.title == "Treaty on the Prohibition of Nuclear Weapons"
    assert "Unrelated sidebar" not in ex.text
    assert ex.text.endswith("The Treaty was adopted on 7 July 2017 and entered into force.")


def test_html_with_only_chrome_is_an_error() -> None:
    from tracker.extract import ExtractionError

    with pytest.raises(ExtractionError) as info:
        extract_text(b"<html><body><nav>Home</nav><script>x()</script></body></html>", "text/html")
    assert info.value.code == "empty"


def test_table_cells_joined_on_a_row() -> None:
    body = (
        b"<table><tr><th>State<th>Signature<th>Ratification"
        b"<tr><td>Austria<td>20 Sep 2017<td>8 May 2018</table>"
    )
    ex = extract_text(b"<html><body>" + body, "text/html")
    assert ex.text == "State | Signature | Ratification\n\nAustria | 20 Sep 2017 | 8 May 2018"


def test_record_page_path_exists_for_other_modules() -> None:
    assert isinstance(RECORD, Path)


# --- link targets (Extraction.links): citations are read from them too ------------------------


def _md_hrefs(md: str) -> list[str]:
    """The hrefs md_to_soup writes, in order, without in-page anchors and mail links."""
    out = []
    for line in md.splitlines():
        if line.strip().startswith(">"):
            continue
        for m in _LINK.finditer(html.escape(line.strip(), quote=False)):
            href = html.unescape(m.group(2))
            if href and not href.startswith(("#", "mailto:", "javascript:")):
                out.append(href)
    return out


@needs_corpus
@pytest.mark.parametrize(
    "name", sorted(p.name for p in UNODA.glob("*.md")) if UNODA.is_dir() else []
)
def test_unoda_page_links(name: str) -> None:
    from tracker.citations import _href_symbol as href_symbol  # the link reader under test
    from tracker.citations import extract_citations

    md = (UNODA / name).read_text(encoding="utf-8")
    doc = page(md_to_soup(md), charset="utf-8", title="Page")
    ex = extract_text(doc.encode("utf-8"), "text/html")
    # Every link of the main content, as written and in order; none of the page chrome.
    assert ex.links == _md_hrefs(md)
    assert "/" not in ex.links and "#main-content" not in ex.links
    # A link to a UN document is a citation; one whose key the text cites there already (the
    # link's own text, "[A/RES/72/31](https://undocs.org/A/RES/72/31)") is not counted twice.
    found = extract_citations(ex.text, links=ex.links)
    in_text = extract_citations(ex.text)
    link_keys = [k for k in map(href_symbol, ex.links) if k]
    for key in set(link_keys):
        n_text = sum(c.key == key for c in in_text)
        n_found = sum(c.key == key for c in found)
        assert n_found == max(n_text, link_keys.count(key)), key
    for c in found[len(in_text) :]:
        assert c.kind == "link" and c.start == len(ex.text) and c.raw in ex.links


@needs_corpus
def test_tpnw_page_link_citations() -> None:
    from tracker.citations import cited_keys, extract_citations

    md = (UNODA / "tpnw-treaty-page.md").read_text(encoding="utf-8")
    ex = extract_text(page(md_to_soup(md), charset="utf-8").encode("utf-8"), "text/html")
    keys = {c.key for c in extract_citations(ex.text, links=ex.links)}
    # Linked from "Meeting documents" and resolution lists; the third one through an Outlook
    # "safelinks" redirect, the fourth with a percent-encoded "(VOL.I)".
    assert {
        "TPNW/MSP/2022/6",
        "TPNW/MSP/2023/14",
        "TPNW/MSP/2025/11/Rev.1",
        "NPT/CONF.2010/50",
        "A/RES/72/31",
        "A/RES/78/35",
        "A/78/138",
    } <= keys
    assert set(cited_keys(ex.text)) <= keys


def test_links_of_the_main_content_only() -> None:
    body = (
        b"<html><body><header><a href='https://undocs.org/A/1'>logo</a></header>"
        b"<nav><a href='https://undocs.org/A/2'>menu</a></nav>"
        b"<main><h1>Documents of the session</h1><p>The report "
        b"<a href=' https://undocs.org/en/A/80/130 '>A/80/130</a>, the "
        b"<a href='https://documents.un.org/api/symbol/access?s=A/RES/76/53&amp;l=en'>resolution</a>"
        b" and <a href='#top'>top</a> <a href='mailto:x@un.org'>mail</a> <a name='n'>anchor</a>"
        b" <a href='https://undocs.org/en/A/80/130'>again</a>.</p></main>"
        b"<footer><a href='https://undocs.org/A/3'>footer</a></footer></body></html>"
    )
    ex = extract_text(body, "text/html")
    assert ex.links == [
        "https://undocs.org/en/A/80/130",
        "https://documents.un.org/api/symbol/access?s=A/RES/76/53&l=en",
        "https://undocs.org/en/A/80/130",
    ]
    from tracker.citations import extract_citations

    cs = extract_citations(ex.text, links=ex.links)
    # "A/80/130" in the text is the first link's own text; the second link and the one to
    # resolution 76/53 (whose text says only "resolution") are citations of their own.
    assert [(c.key, c.kind) for c in cs] == [
        ("A/80/130", "symbol"),
        ("A/RES/76/53", "link"),
        ("A/80/130", "link"),
    ]
