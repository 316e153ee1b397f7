"""Citation keys are faithful: no key from a footnote mark, hyphen look-alikes in symbols,
other bodies' resolutions never keyed A/RES, no A/RES or GA decision before the thirty-first
session, HTML links as citations.

Each defect is tested on small snippets and on real corpus documents, which were picked by
scanning all corpus PDFs (corpus/pdf and the 252 General Assembly documents of corpus/pdf-ga)
for the constructions involved. The PDF extractor's output is changing (footnote marks are to
become "[n]"), so corpus tests assert what must hold either way: the real keys are there, the
impossible ones are not.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from functools import cache
from pathlib import Path

import pytest

from tests.corpus import CORPUS, PDF_DIR
from tracker.citations import cited_keys, extract_citations
from tracker.symbols import filename_to_symbol

_BENCH = Path(__file__).resolve().parents[1] / "bench" / "citations_eval.py"
_spec = importlib.util.spec_from_file_location("citations_eval", _BENCH)
assert _spec and _spec.loader
ev = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("citations_eval", ev)
_spec.loader.exec_module(ev)

GA_DIR = CORPUS / "pdf-ga"
needs_corpus = pytest.mark.skipif(
    not (PDF_DIR.is_dir() and GA_DIR.is_dir()), reason="real UN corpus not present"
)


def keys(text: str, self_symbol: str | None = None) -> list[str]:
    return cited_keys(text, self_symbol=self_symbol)


@cache
def _extracted(path: Path) -> str:
    from tracker.extract import extract_text

    return extract_text(path.read_bytes(), "application/pdf").text


@cache
def _raw(path: Path) -> str:
    return ev.pdfium_text(path)


def _corpus(name: str) -> Path:
    path = GA_DIR / name
    return path if path.is_file() else PDF_DIR / name


def corpus_keys(name: str, source: str = "extracted") -> set[str]:
    path = _corpus(name)
    try:
        text = _extracted(path) if source == "extracted" else _raw(path)
    except Exception as exc:  # the PDF extractor is someone else's work in progress
        pytest.skip(f"{name}: text extraction failed: {exc!r}")
    return set(cited_keys(text, self_symbol=filename_to_symbol(name)))


SOURCES = ["extracted", "raw"]


# --- 1. footnote marks ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Marks as the text extractor writes them: right after the word or number they follow.
        ("Recalling its resolutions 76/53[3] and 77/54", ["A/RES/76/53", "A/RES/77/54"]),
        ("resolution 79/16,[2] and resolution 80/1[14]", ["A/RES/79/16", "A/RES/80/1"]),
        ("its resolutions 52/120 of 12 December 1997[14] and 55/110",
         ["A/RES/52/120", "A/RES/55/110"]),
        ("at its seventy-ninth session[1] (A/79/88[2]).", ["A/79/88"]),
        ("the report[1]\n\n[1] A/79/88.\n[2] See resolution 79/16.", ["A/79/88", "A/RES/79/16"]),
        # Written with a space before it too (corpus A/C.3/80/L.43).
        ("Human Rights Council resolutions 34/8 of 23 March 2017,[4] 35/34 of 23 June 2017, [5] "
         "37/27", ["A/HRC/RES/34/8", "A/HRC/RES/35/34", "A/HRC/RES/37/27"]),
        # A footnote's own mark keeps it apart from the paragraph before (corpus A/RES/80/118).
        ("co-hosted by the International Telecommunication Union,\n\n[14] Resolution 78/317.",
         ["A/RES/78/317"]),
        ("adopted by the Disarmament Commission at its 1993 substantive session,[2]\n\n"
         "[1] Resolution S-10/2.", ["A/RES/S-10/2"]),
        # Marks glued by other text sources (pdftotext, plain text): taken off impossible numbers
        # and never ending a list.
        ("pursuant to its resolution 59/3009 and the reports", ["A/RES/59/300"]),
        ("see A/RES/59/3009.", ["A/RES/59/300"]),
        ("its decision 79/5123 of 2 December 2024", ["decision:79/512"]),
        ("resolution 79/16,2 and resolution 78/12", ["A/RES/79/16", "A/RES/78/12"]),
        ("resolutions 76/53 of 2 December 2021,2 77/54 of 7 December 2022",
         ["A/RES/76/53", "A/RES/77/54"]),
        ("resolutions 76/53 of 2 December 2021, 5 77/54 and 78/12",
         ["A/RES/76/53", "A/RES/77/54", "A/RES/78/12"]),
        ("resolutions 52/120 of 12 December 199714 and 55/110", ["A/RES/52/120", "A/RES/55/110"]),
        # A footnote number is not a resolution: "2758 (XXVI), 3 (I)" keeps its old item.
        ("resolutions 2758 (XXVI), 3 (I)", ["A/RES/2758(XXVI)", "A/RES/3(I)"]),
    ],
)  # fmt: skip
def test_footnote_marks(text: str, expected: list[str]) -> None:
    assert keys(text) == expected


def test_a_mark_is_never_in_raw_or_key() -> None:
    text = "its resolutions 76/53[3] and 59/3009 and A/RES/59/3009[4]"
    cs = extract_citations(text)
    assert [(c.key, c.raw) for c in cs] == [
        ("A/RES/76/53", "76/53"),
        ("A/RES/59/300", "59/300"),
        ("A/RES/59/300", "A/RES/59/300"),
    ]
    for c in cs:
        assert text[c.start : c.start + len(c.raw)] == c.raw
        assert "[" not in c.key and "[" not in c.raw


@needs_corpus
@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize(
    ("name", "present", "absent"),
    [
        # "pursuant to its resolution 59/300" + footnote 9 (glued: "59/3009").
        ("A_RES_79_116.pdf", {"A/RES/59/300"}, {"A/RES/59/3009"}),
        # "Environment Assembly resolution 5/14" + footnote 11 ("5/1411").
        ("A_80_L.17.pdf", {"UNEP/EA.5/Res.14"}, {"A/RES/5/1411", "A/RES/5/14"}),
        # "... of 12 December 1997" + footnote 14 ("199714"), the list goes on: "and 55/110".
        ("A_C.3_80_L.40.pdf", {"A/RES/52/120", "A/RES/55/110"}, set()),
        # "resolution 79/16," + footnote 2.
        ("A_C.1_80_L.1.pdf", {"A/RES/79/16"}, {"A/RES/79/162"}),
        # "pursuant to resolution 61/72," + footnote 2.
        ("A_RES_78_47.pdf", {"A/RES/61/72"}, {"A/RES/61/722"}),
        # Footnote 14 "Resolution 78/317, annex." after a paragraph ending with "International
        # Telecommunication Union,"; footnote 1 "Resolution S-10/2." after "... session,[2]".
        ("A_RES_80_118.pdf", {"A/RES/78/317"}, {"resolution:ITU:78/317"}),
        ("A_C.1_80_L.7.pdf", {"A/RES/S-10/2"}, set()),
        # "2017, [5] 37/27 of ...": a mark after a space, inside a Human Rights Council list.
        ("A_C.3_80_L.43.pdf", {"A/HRC/RES/37/27", "A/HRC/RES/58/14"}, {"A/RES/37/27"}),
    ],
)
def test_footnote_marks_in_real_documents(
    name: str, present: set[str], absent: set[str], source: str
) -> None:
    got = corpus_keys(name, source)
    assert present <= got
    assert not absent & got
    assert not [k for k in got if "[" in k]


# --- 2. hyphen look-alikes --------------------------------------------------------------------


@pytest.mark.parametrize("dash", ["\u2010", "\u2011", "\u2012", "\u2013", "\u2212"])
def test_hyphen_forms(dash: str) -> None:
    text = (
        f"Recalling its resolution ES{dash}10/27 and the draft A/ES{dash}10/L.30, resolution "
        f"S{dash}10/2 and A/RES/ES{dash}11/4."
    )
    cs = extract_citations(text)
    assert [c.key for c in cs] == [
        "A/RES/ES-10/27",
        "A/ES-10/L.30",
        "A/RES/S-10/2",
        "A/RES/ES-11/4",
    ]
    for c in cs:  # offsets and raw point into the original text, dash and all
        assert text[c.start : c.start + len(c.raw)] == c.raw
        assert dash in c.raw


def test_en_dash_is_a_range_elsewhere() -> None:
    assert keys("the period 2021\u20132030 and paragraphs 3\u20135 of resolution 79/16") == [
        "A/RES/79/16"
    ]


@needs_corpus
def test_non_breaking_hyphens_in_a_real_document() -> None:
    """A/80/L.16 cites ES-10/15, ES-10/23 and A/ES-10/273 with a plain hyphen; UN word processing
    also writes U+2011 there (the corpus has it in "COVID‑19" and "A‑32/4.3"): the same keys come
    out."""
    text = _extracted(_corpus("A_80_L.16.pdf"))
    plain = keys(text, "A/80/L.16")
    assert {"A/RES/ES-10/15", "A/RES/ES-10/23", "A/ES-10/273"} <= set(plain)
    nbh = text.replace("ES-10/", "ES\u201110/")
    assert nbh != text
    assert keys(nbh, "A/80/L.16") == plain
    for c in extract_citations(nbh, self_symbol="A/80/L.16"):
        assert nbh[c.start : c.start + len(c.raw)] == c.raw


@needs_corpus
def test_real_non_breaking_hyphen_is_no_symbol() -> None:
    """A/RES/79/144 footnotes cite IOC decisions "A‑32/4.3" (U+2011): not a UN symbol."""
    text = _extracted(_corpus("A_RES_79_144.pdf"))
    assert "A\u201132/4.3" in text or "A-32/4.3" in text
    assert not [k for k in keys(text) if "32/4" in k]


# --- 3. resolutions of other bodies -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Human Rights Council resolution 51/22", ["A/HRC/RES/51/22"]),
        ("established by the Human Rights Council in its resolution 22/13", ["A/HRC/RES/22/13"]),
        ("the decision of the Human Rights Council, in its resolution 27/21, to",
         ["A/HRC/RES/27/21"]),
        ("Human Rights Council decision 18/120 and resolutions 24/14 and 36/10",
         ["A/HRC/DEC/18/120", "A/HRC/RES/24/14", "A/HRC/RES/36/10"]),
        ("through its resolution 54/18 of 12 October 2023,[17] the Human Rights Council submitted",
         ["A/HRC/RES/54/18"]),
        ("in accordance with Council resolutions 5/1 and 5/2", ["A/HRC/RES/5/1", "A/HRC/RES/5/2"]),
        ("Economic and Social Council resolution 2011/33", ["E/RES/2011/33"]),
        ("by the Council in its decisions 1993/215 and 1995/201",
         ["E/DEC/1993/215", "E/DEC/1995/201"]),
        ("Commission on Human Rights resolution 2005/74", ["E/CN.4/RES/2005/74"]),
        ("United Nations Environment Assembly resolution 5/14", ["UNEP/EA.5/Res.14"]),
        ("Environment Assembly resolutions 5/2, 5/7 and 5/8",
         ["UNEP/EA.5/Res.2", "UNEP/EA.5/Res.7", "UNEP/EA.5/Res.8"]),
        ("the Environment Assembly at its resumed fifth session, in resolution 5/14 of 2 March "
         "2022", ["UNEP/EA.5/Res.14"]),
        ("resolution 6/14 of 1 March 2024 of the United Nations Environment Assembly",
         ["UNEP/EA.6/Res.14"]),
        ("resolution 4/6 on marine plastic litter and microplastics, adopted by the United Nations "
         "Environment Assembly", ["UNEP/EA.4/Res.6"]),
        ("Environment Assembly resolution 2/21 on sand and dust storms, adopted during its second "
         "session, resolution 4/10 on innovation", ["UNEP/EA.2/Res.21", "UNEP/EA.4/Res.10"]),
        ("résolution 5/14 de l'Assemblée des Nations Unies pour l'environnement",
         ["UNEP/EA.5/Res.14"]),
        ("resolución 5/14 de la Asamblea de las Naciones Unidas sobre el Medio Ambiente",
         ["UNEP/EA.5/Res.14"]),
        ("резолюция 5/14 Ассамблеи Организации Объединенных Наций по окружающей среде",
         ["UNEP/EA.5/Res.14"]),
        ("联合国环境大会第5/14号决议", ["UNEP/EA.5/Res.14"]),
        ("Indian Ocean Tuna Commission, resolutions 12/07 and 13/07",
         ["resolution:IOTC:12/07", "resolution:IOTC:13/07"]),
        ("IOTC resolutions 12/07", ["resolution:IOTC:12/07"]),
        ("Commission on Crime Prevention and Criminal Justice resolution 31/1",
         ["resolution:CCPCJ:31/1"]),
        ("Commission on Narcotic Drugs resolution 66/3", ["resolution:CND:66/3"]),
        ("the Economic and Social Commission for Asia and the Pacific in its resolution 73/8",
         ["resolution:ESCAP:73/8"]),
        ("decision 15/24 of the Conference of the Parties to the Convention on Biological "
         "Diversity", ["decision:CBD-COP:15/24"]),
        ("Conference of the States Parties to the United Nations Convention against Corruption "
         "resolution 8/12", ["resolution:UNCAC-COSP:8/12"]),
        ("resolution 3/2023 of 7 July 2023, entitled “International Day of the Potato”, adopted by "
         "the Conference of the Food and Agriculture Organization", ["resolution:FAO:3/2023"]),
        ("World Health Assembly resolution 58/3", ["resolution:WHA:58/3"]),
        ("IAEA General Conference resolution 67/12", ["resolution:IAEA-GC:67/12"]),
        ("Executive Board decision 2023/5", []),
        ("Parliamentary Assembly resolution 55/3", []),
        ("Economic and Social Council resolution 155 C (VII)", []),
        ("Trade and Development Board decision 535 (LXVIII)", []),
        ("United Nations Environment Programme, document CBD/COP/15/17, decision 15/4, annex.", []),
        ("Supplement No. 7 (E/2015/27), chap. I, sect. C, resolution 59/1, annex", ["E/2015/27"]),
        # The Assembly stays the Assembly.
        ("Economic and Social Council resolution 2024/4, and recalling its resolution 77/317",
         ["E/RES/2024/4", "A/RES/77/317"]),
        ("Security Council resolution 984 (1995),\nRecalling its resolutions 45/54 and 46/32",
         ["S/RES/984(1995)", "A/RES/45/54", "A/RES/46/32"]),
        ("including Assembly resolution 77/226 and Council resolution 52/28",
         ["A/RES/77/226", "A/HRC/RES/52/28"]),
        ("the report of the Human Rights Council and its resolution 78/12", ["A/RES/78/12"]),
        ("Requests the Commission on Crime Prevention and Criminal Justice, in accordance with its "
         "resolution 73/184, to", ["A/RES/73/184"]),
    ],
)  # fmt: skip
def test_other_bodies(text: str, expected: list[str]) -> None:
    assert keys(text) == expected


def test_same_number_with_a_body_elsewhere_in_the_document() -> None:
    text = (
        "Human Rights Council resolutions 34/24 and 40/20,\n\n"
        "Welcomes the report to the Human Rights Council submitted pursuant to resolutions 34/24 "
        "and 40/20, and recalls its resolution 78/218."
    )
    assert [c.key for c in extract_citations(text)] == [
        "A/HRC/RES/34/24",
        "A/HRC/RES/40/20",
        "A/HRC/RES/34/24",
        "A/HRC/RES/40/20",
        "A/RES/78/218",
    ]


@needs_corpus
@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize(
    ("name", "present", "absent"),
    [
        ("A_RES_78_128.pdf", {"UNEP/EA.5/Res.14"}, {"A/RES/5/14"}),
        (
            "A_80_L.17.pdf",
            {"resolution:IOTC:12/07", "resolution:IOTC:13/07", "decision:CBD-COP:15/24"},
            {"A/RES/12/07", "A/RES/13/07", "decision:15/24"},
        ),
        (
            "A_RES_78_155.pdf",
            {"UNEP/EA.3/Res.4", "UNEP/EA.5/Res.1", "UNEP/EA.5/Res.6", "decision:CBD-COP:14/4"},
            {"A/RES/3/4", "A/RES/5/1", "A/RES/5/6", "decision:14/4", "decision:15/11"},
        ),
        ("A_RES_78_207.pdf", {"A/HRC/RES/14/7", "A/HRC/RES/36/6"}, {"A/RES/14/7", "A/RES/36/6"}),
        (
            "A_C.3_80_L.38.pdf",
            {"A/HRC/RES/54/18", "A/HRC/RES/4/4", "E/CN.4/RES/1998/72"},
            {"A/RES/54/18", "A/RES/4/4"},
        ),
        ("A_C.2_80_L.15.pdf", {"resolution:ESCAP:73/8"}, {"A/RES/73/8"}),
        ("A_RES_79_188.pdf", {"resolution:CCPCJ:26/3"}, {"A/RES/26/3"}),
        (
            "A_C.3_80_L.9.pdf",
            {"resolution:UNTOC-COP:10/6", "resolution:UNCAC-COSP:8/12", "resolution:CCPCJ:31/1"},
            {"A/RES/10/6", "A/RES/8/12", "A/RES/31/1"},
        ),
        ("A_RES_78_123.pdf", {"resolution:FAO:3/2023"}, {"A/RES/3/2023"}),
        ("A_C.2_80_L.30.pdf", {"E/RES/2024/4", "A/RES/77/317"}, {"A/RES/59/1", "A/RES/69/1"}),
        ("A_RES_78_223.pdf", {"A/RES/415(V)"}, {"A/RES/155(VII)"}),
        ("A_RES_78_204.pdf", {"A/HRC/RES/16/21", "E/CN.4/RES/2005/74"}, {"A/RES/16/21"}),
        ("A_C.2_80_L.5.pdf", {"E/DEC/1993/215"}, {"decision:1993/215"}),
        ("A_RES_80_143.pdf", {"UNEP/EA.4/Res.10", "UNEP/EA.6/Res.7"}, {"A/RES/72/7", "A/RES/4/10"}),
        # The First Committee drafts keep their Assembly citations next to other bodies'.
        ("A_C.1_80_L.5.pdf", {"S/RES/984(1995)", "A/RES/45/54", "A/RES/79/17"}, set()),
    ],
)
def test_other_bodies_in_real_documents(
    name: str, present: set[str], absent: set[str], source: str
) -> None:
    got = corpus_keys(name, source)
    assert present <= got, present - got
    assert not absent & got, absent & got


# A body named right before "resolution(s)": its resolutions are never the Assembly's. Written
# independently of tracker.citations' own list, from the phrases counted in corpus/pdf-ga.
_OTHER_BODY_BEFORE = re.compile(
    r"(?:Human Rights Council|Economic and Social Council|Security Council|Environment Assembly"
    r"|Commission on [A-Z][\w ]{3,60}?|Tuna Commission|Conference of the (?:States )?Parties"
    r"[\w ]{0,90}?|Food and Agriculture Organization of the United Nations"
    r"|Working Group on Ageing|Commission for Asia and the Pacific)"
    r"[\s,]*(?:in its |, in its |, in )?[Rr]esolutions?\s+$"
)


# --- 4. no Assembly resolution or decision before the thirty-first session --------------------


@pytest.mark.parametrize(
    "text",
    [
        "resolution 5/14 of 2 March 2022",
        "resolutions 12/07 and 13/07",
        "decision 14/4 of 30 November 2018",
        "its decisions 21/1 and 21/2",
        "A/RES/5/14",
        "https://undocs.org/A/RES/5/14",
        "resolution 535 (LXVIII)",
    ],
)
def test_no_assembly_key_before_session_31(text: str) -> None:
    assert keys(text) == []


def test_roman_sessions_up_to_thirty() -> None:
    assert keys("resolutions 3474 (XXX), 2758 (XXVI) and 1004 (ES-II)") == [
        "A/RES/3474(XXX)",
        "A/RES/2758(XXVI)",
        "A/RES/1004(ES-II)",
    ]


@needs_corpus
@pytest.mark.slow
@pytest.mark.parametrize("source", SOURCES)
def test_no_impossible_key_in_any_corpus_pdf(source: str) -> None:
    """Every corpus PDF (corpus/pdf and the 252 of corpus/pdf-ga): no key that cannot exist
    (bench/citations_eval.impossible_key), and no Assembly resolution right after the name of
    another body. Before this work: 106 impossible keys in the extracted text, 107 in raw text,
    44 other bodies' resolutions keyed A/RES."""
    read = _extracted if source == "extracted" else _raw
    impossible: list[tuple[str, str]] = []
    other_body: list[tuple[str, str]] = []
    n_docs = n_assembly = 0
    for path in ev.corpus_pdfs():
        try:
            text = read(path)
        except Exception:  # the PDF extractor is someone else's work in progress
            continue
        n_docs += 1
        for c in extract_citations(text, self_symbol=filename_to_symbol(path.name)):
            if ev.impossible_key(c.key):
                impossible.append((path.name, c.key))
            if c.key.startswith("A/RES/") and c.kind == "resolution":
                n_assembly += 1
                if _OTHER_BODY_BEFORE.search(text, max(0, c.start - 160), c.start):
                    other_body.append((path.name, c.key))
    assert n_docs >= 300
    assert n_assembly > 2000  # the Assembly's own resolutions are still found
    assert impossible == []
    assert other_body == []


# --- 5. HTML links ----------------------------------------------------------------------------


def test_links_are_citations() -> None:
    text = "See resolution 76/53 and the report. More text."
    links = [
        "https://undocs.org/en/A/RES/76/53",  # the text's "resolution 76/53": not counted again
        "https://documents.un.org/api/symbol/access?s=A%2F80%2F130&l=en&t=pdf",
        "https://documents.un.org/symbol-explorer?s=A/C.1/80/L.1&i=A/C.1/80/L.1_7843912",
        "https://www.un.org/en/ga/search/view_doc.asp?symbol=A/RES/70/10",
        "https://daccess-ods.un.org/access.nsf/Get?Open&DS=A/RES/ES-11/4&Lang=E",
        "https://undocs.org/Home/Mobile?FinalSymbol=S%2FRES%2F2231(2015)&Language=E",
        "https://documents.un.org/doc/undoc/gen/n24/123/45/pdf/n2412345.pdf",  # no symbol
        "https://www.un.org/disarmament/",
        "https://undocs.org/A/RES/5/14",  # impossible: not a citation
        "https://undocs.org/en/A/80/130",  # a second link to A/80/130: a second occurrence
    ]
    cs = extract_citations(text, links=links)
    assert [(c.key, c.kind) for c in cs] == [
        ("A/RES/76/53", "resolution"),
        ("A/80/130", "link"),
        ("A/C.1/80/L.1", "link"),
        ("A/RES/70/10", "link"),
        ("A/RES/ES-11/4", "link"),
        ("S/RES/2231(2015)", "link"),
        ("A/80/130", "link"),
    ]
    for c in cs[1:]:
        assert c.start == len(text) and c.raw == c.context and c.raw in links


def test_link_already_cited_in_text_counts_once_per_occurrence() -> None:
    text = "A/RES/76/53 and A/RES/76/53 again."
    links = ["https://undocs.org/A/RES/76/53", "https://undocs.org/A/RES/76/53"]
    assert [c.kind for c in extract_citations(text, links=links)] == ["symbol", "symbol"]
    three = links + ["https://undocs.org/fr/A/RES/76/53"]
    assert [c.kind for c in extract_citations(text, links=three)] == ["symbol", "symbol", "link"]


def test_link_to_own_symbol_is_no_citation() -> None:
    assert (
        extract_citations("text", self_symbol="A/80/1", links=["https://undocs.org/A/80/1"]) == []
    )


def test_the_citations_spider_never_fetches_a_key_without_a_symbol() -> None:
    from crawler.spiders.citations import CitationsSpider

    spider = CitationsSpider(targets="A/79/88", series="*")
    assert spider.wanted("A/RES/79/16")
    for key in ("decision:73/546", "resolution:IOTC:12/07", "decision:UNEA:5/2"):
        assert not spider.wanted(key), key
