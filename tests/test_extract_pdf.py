"""PDF extraction on the real corpus and on real Charter text rendered with tests/pdfgen.py."""

from __future__ import annotations

import datetime
import re
import unicodedata
from functools import cache

import pytest

from tests.corpus import PDF_DIR, corpus_pdf
from tests.pdfgen import Layout, charter_paragraphs, font_missing_reason, render_pdf
from tracker.extract import Extraction, extract_text, normalise_text
from tracker.extract.layout import Line, Page
from tracker.extract.pdf import HYPHEN_BREAK
from tracker.extract.reflow import reflow, resolve_hyphens

pytestmark = pytest.mark.skipif(not PDF_DIR.is_dir(), reason=f"corpus not found at {PDF_DIR}")

SCAN = "A_RES_2758(XXVI)-RU-scan.pdf"


@cache
def extract(name: str) -> Extraction:
    return extract_text(corpus_pdf(name).read_bytes(), "application/pdf")


def paragraphs(text: str) -> list[str]:
    return text.split("\n\n")


# -- real UN documents ---------------------------------------------------------------------


def test_draft_resolution_l1_text_and_metadata() -> None:
    ex = extract("A_C.1_80_L.1.pdf")
    assert ex.media_type == "application/pdf"
    assert ex.pages == 3
    assert ex.symbol == "A/C.1/80/L.1"
    assert ex.date == datetime.date(2025, 10, 8)
    assert ex.title == (
        "Establishment of a nuclear-weapon-free zone in the region of the Middle East"
    )
    assert ex.language == "en"
    paras = paragraphs(ex.text)
    # Operative and preambular paragraphs stay separate paragraphs, whole.
    assert "The General Assembly," in paras
    assert any(p.startswith("Recalling also the recommendations") for p in paras)
    assert any(
        p.startswith("1. Urges all parties")
        # PDFium reads "Non- Proliferation" (a space the hyphen's glyph overlaps) and a raised
        # footnote mark 3: neither is glued nor spaced in the text.
        and p.endswith("Non-Proliferation of Nuclear Weapons;[3]")
        for p in paras
    )
    assert any(p.startswith("12. Decides to include") for p in paras)
    # Line-end hyphens of real compounds are kept; no words glued together.
    assert "nuclear-weapon-free zone in the region of the Middle East and, pending" in ex.text
    assert "thirty-fifth session" in ex.text and "sixty-ninth regular session" in ex.text
    assert "nuclearweapon" not in ex.text


def test_furniture_removed_but_symbols_in_body_kept() -> None:
    ex = extract("A_C.1_80_L.1.pdf")
    text = ex.text
    for furniture in ("25-16208", "*2516208*", "151025"):
        assert furniture not in text, furniture
    assert not re.search(r"(?<![\d/])[123]/3(?![\d/])", text)  # page numbers "2/3"
    # The symbol appears once, in the first-page masthead, not as a running header.
    assert text.count("A/C.1/80/L.1") == 1
    # Symbols cited in the body and footnotes are content.
    assert "[2] A/80/130 (Part I)." in paragraphs(text)
    assert "[4] A/45/435." in paragraphs(text)
    assert "resolution GC(69)/RES/15" in text
    assert "implementation of resolution 79/16;" in text


def test_no_trailing_spaces_and_clean_paragraph_breaks() -> None:
    text = extract("A_C.1_80_L.1.pdf").text
    assert "\n\n\n" not in text
    assert all(line == line.strip() and line for line in text.split("\n\n"))
    assert "\n" not in text.replace("\n\n", "")


FIRST_PAGES = [
    (
        "A_RES_79_16.pdf",
        "A/RES/79/16",
        datetime.date(2024, 12, 9),
        "Establishment of a nuclear-weapon-free zone in the region of the Middle East",
        "en",
    ),
    (
        "A_79_88.pdf",
        "A/79/88",
        datetime.date(2024, 7, 1),
        "General and complete disarmament: lethal autonomous weapons systems",
        "en",
    ),
    (
        "A_RES_77_247-ES.pdf",
        "A/RES/77/247",
        datetime.date(2023, 1, 9),
        "Prácticas y actividades de asentamiento israelíes que afectan a los derechos del "
        "pueblo palestino y otros habitantes árabes de los territorios ocupados",
        "es",
    ),
    (
        # Metadata has a title here, and it wins; the date is in French on the first page.
        "A_C.4_SR.985-FR.pdf",
        "A/C.4/SR.985",
        datetime.date(1959, 12, 4),
        "Assemblée Générale, quatorzième session, documents officiels, Quatrième Commission, "
        "compte rendu analytique de la 985ème séance, vendredi 4 décembre 1959, New York",
        "fr",
    ),
    ("A_C.1_80_L.35.pdf", "A/C.1/80/L.35", None, None, "en"),
]


@pytest.mark.parametrize(("name", "symbol", "date", "title", "language"), FIRST_PAGES)
def test_first_page_metadata(
    name: str, symbol: str, date: datetime.date | None, title: str | None, language: str
) -> None:
    ex = extract(name)
    assert ex.symbol == symbol
    if date is not None:
        assert ex.date == date
    if title is not None:
        assert ex.title == title
    assert ex.language == language


def test_report_179_pages_sections_and_no_running_heads() -> None:
    ex = extract("A_79_88.pdf")
    assert ex.pages == 179
    paras = paragraphs(ex.text)
    assert "Greece" in paras and "[Original: English]" in paras
    assert not any(re.fullmatch(r"\d+/179( 24-09718)?|24-09718 \d+/179|A/79/88", p) for p in paras)
    assert ex.text.count("24-09718") == 0


_JOB_LINE = re.compile(r"^\d{2}-\d{5}\b|^\*\d{7,}\*$|^\d{1,3}/\d{1,3}$")


@pytest.mark.parametrize(
    "name",
    sorted(p.name for p in PDF_DIR.glob("*.pdf") if p.name != SCAN) if PDF_DIR.is_dir() else [],
)
def test_whole_corpus_extracts_without_furniture(name: str) -> None:
    ex = extract(name)
    assert ex.text.strip()
    assert ex.symbol, "every corpus document prints its symbol"
    leftovers = [p for p in paragraphs(ex.text) if _JOB_LINE.match(p)]
    assert not leftovers


def test_old_ocr_scan_still_extracts_noisy_text() -> None:
    ex = extract("A_45_155.pdf")
    assert ex.pages == 2
    assert ex.symbol == "A/45/155"
    assert ex.date == datetime.date(1990, 2, 28)
    assert "Palestine Liberation Organization" in ex.text
    assert "Gaoa district" in ex.text  # the OCR noise is kept as is: no silent correction


def test_french_ocr_hyphenation_repaired() -> None:
    text = extract("A_C.4_SR.985-FR.pdf").text
    assert "puissances administrantes" in text
    assert "puis-sances" not in text and "rensei-gnements" not in text


# -- Charter text rendered to PDF ----------------------------------------------------------

LANGS = ["en", "fr", "es", "ru", "zh", "ar"]
_HARAKAT = re.compile(r"[\u064b-\u065f\u0670]")


def comparable(text: str) -> str:
    # NFKC maps Arabic presentation forms (what a shaped PDF holds) back to base letters and
    # full-width CJK punctuation to ASCII. Harakat are dropped: where the bidi reordering puts a
    # tanween after a comma is a rendering detail, not text.
    text = _HARAKAT.sub("", unicodedata.normalize("NFKC", text))
    return re.sub("[“”„]", '"', text)  # bidi mirroring of quotes in Arabic: not text either


def _skip_without_font(lang: str) -> None:
    reason = font_missing_reason(lang)
    if reason:
        pytest.skip(reason)


@pytest.mark.parametrize("lang", LANGS)
def test_charter_round_trip_logical_order(lang: str) -> None:
    _skip_without_font(lang)
    paras = charter_paragraphs(lang, 0, 30)
    pdf = render_pdf(paras, lang, Layout(header="A/RES/70/1", footer_job="25-12345"))
    ex = extract_text(pdf, "application/pdf")
    assert comparable(ex.text) == comparable(normalise_text("\n\n".join(paras)))
    assert ex.language == lang


@pytest.mark.parametrize("lang", LANGS)
def test_same_text_different_layout_same_output(lang: str) -> None:
    _skip_without_font(lang)
    paras = charter_paragraphs(lang, 0, 45)
    wide = render_pdf(paras, lang, Layout(header="A/C.1/80/L.1", footer_job="25-16208"))
    narrow = render_pdf(
        paras, lang, Layout(page_width=400, font_size=9, margin=50, para_gap=5, indent=20)
    )
    big = render_pdf(paras, lang, Layout(font_size=14, margin=90, footer_job="24-09718"))
    texts = [extract_text(pdf).text for pdf in (wide, narrow, big)]
    assert texts[0] == texts[1] == texts[2]
    assert len(paragraphs(texts[0])) == len(paras)


def test_chinese_has_no_inserted_spaces() -> None:
    paras = charter_paragraphs("zh", 0, 30)
    text = extract_text(render_pdf(paras, "zh", Layout(font_size=12))).text
    assert not re.search(r"[\u4e00-\u9fff] [\u4e00-\u9fff]", text)
    assert "我联合国人民同兹决心" in text


def test_arabic_words_in_logical_order() -> None:
    _skip_without_font("ar")
    paras = charter_paragraphs("ar", 0, 12)
    text = extract_text(render_pdf(paras, "ar")).text
    # The first words of the Charter's preamble, in reading order.
    assert comparable("نحن شعوب الأمم المتحدة وقد آلينا على أنفسنا") in comparable(text)
    assert comparable(text).split() == comparable(" ".join(paras)).split()


def test_symbol_in_body_is_kept_while_running_header_goes() -> None:
    paras = charter_paragraphs("en", 0, 20)
    paras[5:5] = ["A/C.1/80/L.1", "See document A/C.1/80/L.1 and resolution 79/16."]
    pdf = render_pdf(paras, "en", Layout(header="A/C.1/80/L.1", footer_job="25-16208"))
    ex = extract_text(pdf)
    got = paragraphs(ex.text)
    assert got.count("A/C.1/80/L.1") == 1  # the body paragraph, not the 2+ running headers
    assert "See document A/C.1/80/L.1 and resolution 79/16." in got
    assert not any("25-16208" in p for p in got)


# -- hyphenation and reflow units ----------------------------------------------------------


def test_resolve_hyphens_keeps_line_end_hyphens_of_unhyphenated_documents() -> None:
    # UN documents are set without automatic hyphenation: a hyphen at a line end is part of
    # the word, unless the document writes the word whole elsewhere and never with a hyphen.
    paras = [
        f"general and complete disarma{HYPHEN_BREAK}ment",
        "disarmament machinery",
        f"Treaty on the Non{HYPHEN_BREAK}Proliferation and non{HYPHEN_BREAK}proliferation",
        f"a nuclear{HYPHEN_BREAK}weapon-free zone; nuclear-weapon States",
        f"its thirty{HYPHEN_BREAK}fifth session",
        f"a forward{HYPHEN_BREAK}looking, long{HYPHEN_BREAK}term capacity{HYPHEN_BREAK}building",
        f"low{HYPHEN_BREAK}and middle-income countries",
    ]
    assert resolve_hyphens(paras) == [
        "general and complete disarmament",
        "disarmament machinery",
        "Treaty on the Non-Proliferation and non-proliferation",
        "a nuclear-weapon-free zone; nuclear-weapon States",
        "its thirty-fifth session",
        "a forward-looking, long-term capacity-building",
        "low- and middle-income countries",
    ]


def test_resolve_hyphens_repairs_an_automatically_hyphenated_document() -> None:
    # An old scan hyphenated by its typesetter: most line-end hyphens cut words the document
    # writes whole elsewhere, so an unknown cut word is joined too (not a known compound).
    paras = [
        f"des rensei{HYPHEN_BREAK}gnements, les puis{HYPHEN_BREAK}sances, la commu{HYPHEN_BREAK}"
        f"nication, la rele{HYPHEN_BREAK}vance, le non{HYPHEN_BREAK}alignement",
        "renseignements puissances communication",
    ]
    assert resolve_hyphens(paras) == [
        "des renseignements, les puissances, la communication, la relevance, le non-alignement",
        "renseignements puissances communication",
    ]


def test_reflow_without_geometry_uses_text_cues() -> None:
    # What the pypdf fallback gives: leading spaces mark first lines.
    raw = [
        (" 1. Urges all parties directly concerned to seriously consider taking the", 1),
        ("practical and urgent steps required for the forward-", 0),
        ("looking disarmament of the region;", 0),
        (" 2. Calls upon all countries of the region that have not yet done so, to", 1),
        ("agree to place all their nuclear activities under safeguards;", 0),
    ]
    page = Page(number=1, lines=[Line(t, indent=i) for t, i in raw])
    assert reflow([page]) == [
        "1. Urges all parties directly concerned to seriously consider taking the practical "
        "and urgent steps required for the forward-looking disarmament of the region;",
        "2. Calls upon all countries of the region that have not yet done so, to agree to "
        "place all their nuclear activities under safeguards;",
    ]


# -- furniture seen when a page is laid out again (mirror renderer) ---------------------------


def _mirror_pdf(paragraphs: list[str], header: str = "A/C.1/80/L.1") -> bytes:
    from mirror.render import render_pdf as mirror_render

    return mirror_render(paragraphs, "en", header=header, job="25-16208", size=11.0)


def test_barcode_opening_a_line_of_text_is_removed() -> None:
    text = extract_text(
        _mirror_pdf(["Original: English", "*2516208* Eightieth session First Committee"])
    ).text
    assert "2516208" not in text and "Eightieth session First Committee" in text


def test_footnote_rule_and_running_header_after_footnotes_are_removed() -> None:
    filler = [charter_paragraphs("en")[i] for i in range(40)]
    body = [
        *filler[:20],
        "__________________",
        "1 Resolution S-10/2.",
        "A/C.1/80/L.1",
        *filler[20:],
    ]
    text = extract_text(_mirror_pdf(body)).text
    assert "____" not in text
    assert "Resolution S-10/2." in text
    assert "A/C.1/80/L.1" not in text  # the running header, on every page and after a footnote


def test_rule_lines_inside_real_footnote_blocks_do_not_reach_the_text() -> None:
    for name in ("A_C.1_80_L.1.pdf", "A_RES_79_16.pdf", "A_RES_70_10.pdf"):
        assert "___" not in extract(name).text
        assert not re.search(r"\*\d{7}\*", extract(name).text)
