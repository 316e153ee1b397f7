"""Citation extraction on small texts: every form the brief and the corpus show."""

from __future__ import annotations

import time

import pytest

from tracker.citations import Citation, cited_keys, extract_citations


def keys(text: str, self_symbol: str | None = None) -> list[str]:
    return cited_keys(text, self_symbol=self_symbol)


# --- links -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("see https://undocs.org/en/A/RES/76/53.", "A/RES/76/53"),
        ("see undocs.org/A/RES/76/53, and", "A/RES/76/53"),
        ("(https://undocs.org/ch/A/RES/76/53)", "A/RES/76/53"),
        ("https://undocs.org/fr/A/C.1/80/L.35/Rev.1", "A/C.1/80/L.35/Rev.1"),
        ("undocs.org/Home/Mobile?FinalSymbol=A/RES/46/182&Language=E", "A/RES/46/182"),
        (
            "https://www.undocs.org/Home/Mobile?FinalSymbol=A%2FHRC%2F41%2F35&Language=E&D\n"
            "eviceType=Desktop",
            "A/HRC/41/35",
        ),
        ("undocs.org/pdf?symbol=en/A/RES/38/77", "A/RES/38/77"),
        (
            "https://documents.un.org/api/symbol/access?s=A%2FRES%2F76%2F53&l=en&t=pdf",
            "A/RES/76/53",
        ),
        ("www.un.org/en/ga/search/view_doc.asp?symbol=A/RES/70/10", "A/RES/70/10"),
        ("https://undocs.org/en/A/RES/\n76/53 and more", "A/RES/76/53"),
        (
            "available at https://docs-library.unoda.org/Convention_on_Certain_Conventional_\n"
            "Weapons_-Group_of_Experts_\n(2024)/CCW-GGE.1-2024-WP.3.pdf.",
            "CCW/GGE.1/2024/WP.3",
        ),
    ],
)
def test_links(text: str, key: str) -> None:
    cs = extract_citations(text)
    assert [c.key for c in cs] == [key]
    assert cs[0].kind == "link"


@pytest.mark.parametrize(
    ("href", "key"),
    [
        ("https://undocs.org/en/A/RES/76/53", "A/RES/76/53"),
        ("http://www.undocs.org/A/RES/71/258", "A/RES/71/258"),
        ("https://undocs.org/Home/Mobile?FinalSymbol=A%2FRES%2F46%2F182&Language=E",
         "A/RES/46/182"),
        ("https://documents.un.org/api/symbol/access?s=A%2FRES%2F76%2F53&l=en&t=pdf",
         "A/RES/76/53"),
        ("https://documents.un.org/symbol-explorer?s=A/C.1/80/L.1&i=A/C.1/80/L.1_7843912",
         "A/C.1/80/L.1"),
        ("https://www.un.org/en/ga/search/view_doc.asp?symbol=A/RES/70/10", "A/RES/70/10"),
        ("https://daccess-ods.un.org/access.nsf/Get?Open&DS=A/RES/76/53&Lang=E", "A/RES/76/53"),
        ("http://undocs.org/NPT/CONF.2010/50%20%28VOL.I%29", "NPT/CONF.2010/50"),
        ("https://undocs.org/en/S/RES/2231(2015)", "S/RES/2231(2015)"),
        ("https://undocs.org/en/A/RES/ES%E2%80%9110/27", "A/RES/ES-10/27"),
        # Outlook "safelinks" wrap the real target (corpus/unoda/tpnw-treaty-page.md).
        ("https://eur02.safelinks.protection.outlook.com/?url=https%3A%2F%2Fundocs.org%2FTPNW%2F"
         "MSP%2F2025%2F11%2FRev.1&data=05%7C02", "TPNW/MSP/2025/11/Rev.1"),
    ],
)  # fmt: skip
def test_link_targets(href: str, key: str) -> None:
    cs = extract_citations("Some text.", links=[href])
    assert [(c.key, c.kind, c.raw, c.context, c.start) for c in cs] == [
        (key, "link", href, href, len("Some text."))
    ]


@pytest.mark.parametrize(
    "href",
    [
        "https://documents.un.org/doc/undoc/gen/n24/123/45/pdf/n2412345.pdf",
        "https://undocs.org/",
        "https://undocs.org/en",
        "https://www.un.org/disarmament/",
        "https://docs-library.unoda.org/Treaty_on_the_Prohibition_of_Nuclear_Weapons/",
        "#main-content",
        "",
    ],
)
def test_link_targets_without_symbol(href: str) -> None:
    assert extract_citations("Some text.", links=[href]) == []


# --- symbols in running text -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("as set out in A/RES/76/53.", ["A/RES/76/53"]),
        ("decision A/CONF.236/DEC.5, adopted", ["A/CONF.236/DEC.5"]),
        ("draft A/C.1/80/L.35/Rev.1;", ["A/C.1/80/L.35/Rev.1"]),
        ("resolution S/RES/2231 (2015) endorsed", ["S/RES/2231(2015)"]),
        ("resolution A/RES/2758(XXVI))", ["A/RES/2758(XXVI)"]),
        ("A/RES/ES-11/4 of 2 March 2022", ["A/RES/ES-11/4"]),
        ("report (A/80/130).", ["A/80/130"]),
        ("See CD/1839 and CD/1985.", ["CD/1839", "CD/1985"]),
        ("NPT/CONF.2020/1, TPNW/MSP/2022/INF/1", ["NPT/CONF.2020/1", "TPNW/MSP/2022/INF/1"]),
        ("in CCW/GGE.1/2023/WP.2/Rev.1)", ["CCW/GGE.1/2023/WP.2/Rev.1"]),
        ("A/76/117 and S/2023/123", ["A/76/117", "S/2023/123"]),
        ("resolution A/RES/80/236 A-B adopted", ["A/RES/80/236"]),
        ("See A/57/759-S/2003/332, annex I.", ["A/57/759", "S/2003/332"]),
        ("1  A/48/305 and A/48/305/Corr.1.", ["A/48/305", "A/48/305/Corr.1"]),
        (
            "See decision 60/519 and A/60/88 and Corr.2, annex.",
            ["decision:60/519", "A/60/88", "A/60/88/Corr.2"],
        ),
        (
            "(NPT/CONF.1995/32 (Part I) and NPT/CONF.1995/32\n(Part I)/Corr.2), annex.",
            ["NPT/CONF.1995/32", "NPT/CONF.1995/32/Corr.2"],
        ),
        (
            "(A/ 4081 et Add. l à 3, A/C,4/L,624)",
            ["A/4081", "A/4081/Add.1", "A/4081/Add.2", "A/4081/Add.3", "A/C.4/L.624"],
        ),
        ("the draft in A/C.1/80/\nL.35 was", ["A/C.1/80/L.35"]),
        ("as in A/RES/\n76/53 and", ["A/RES/76/53"]),
    ],
)
def test_symbols(text: str, expected: list[str]) -> None:
    assert keys(text) == expected


def test_trailing_punctuation_not_in_raw() -> None:
    c = extract_citations("see A/C.1/80/L.35.")[0]
    assert c.raw == "A/C.1/80/L.35"
    assert c.kind == "symbol"


def test_not_symbols() -> None:
    text = (
        "Arabic/Chinese/English and/or USA/Tajikistan; IAEA resolution GC(69)/RES/15; "
        "AU EX.CL/Dec.263; on 10/10/2025, 1/9 of the budget, page 5/9."
    )
    assert keys(text) == []


# --- resolutions and decisions without series ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pursuant to resolution 76/53,", ["A/RES/76/53"]),
        ("its resolutions 76/53 and 77/54", ["A/RES/76/53", "A/RES/77/54"]),
        ("resolutions 76/53, 77/54 and 78/12", ["A/RES/76/53", "A/RES/77/54", "A/RES/78/12"]),
        ("its decision 73/546 of 22 December 2018", ["decision:73/546"]),
        (
            "its decisions 77/512 of 7 December 2022 and 78/541 of\n4 December 2023",
            ["decision:77/512", "decision:78/541"],
        ),
        (
            "Recalling its resolutions 3263 (XXIX) of 9 December 1974, 3474 (XXX) of\n"
            "11 December 1975, 31/71 of 10 December 1976, 36/87 A and B of 9 December 1981 and "
            "79/16 of 2 December 2024 on",
            ["A/RES/3263(XXIX)", "A/RES/3474(XXX)", "A/RES/31/71", "A/RES/36/87", "A/RES/79/16"],
        ),
        ("Security Council resolution 1540 (2004)", ["S/RES/1540(2004)"]),
        (
            "Security Council resolutions 1718 (2006) of 14 October 2006 and 1874 (2009)",
            ["S/RES/1718(2006)", "S/RES/1874(2009)"],
        ),
        ("resolution 2758 (XXVI)", ["A/RES/2758(XXVI)"]),
        ("Resolution 217 A (III).", ["A/RES/217(III)"]),
        ("Human Rights Council resolution 51/22", ["A/HRC/RES/51/22"]),
        ("Economic and Social Council resolution 2011/33", ["E/RES/2011/33"]),
        ("resolution 46/36 L", ["A/RES/46/36"]),
        ("Resolution S-10/2.", ["A/RES/S-10/2"]),
        ("resolutions ES-10/15 and ES-10/13", ["A/RES/ES-10/15", "A/RES/ES-10/13"]),
        ("resolution 61/72,2 and of the Group", ["A/RES/61/72"]),
        ("resolution 52/38 J,3", ["A/RES/52/38"]),
        ("as well as its decision\n66/517 of 2 December 2011,", ["decision:66/517"]),
        # French, Spanish, Russian
        (
            "Rappelant ses résolutions 76/53 et 77/54 et sa décision 73/546",
            ["A/RES/76/53", "A/RES/77/54", "decision:73/546"],
        ),
        ("la résolution 551 (VI) de l'Assemblée générale", ["A/RES/551(VI)"]),
        (
            "sus resoluciones 76/53, de 6 de diciembre de 2021, y 77/54 y su decisión 73/546",
            ["A/RES/76/53", "A/RES/77/54", "decision:73/546"],
        ),
        ("la resolución S-30/1 del Consejo de Derechos Humanos", ["A/HRC/RES/S-30/1"]),
        ("la resolución 1860 (2009) del Consejo de Seguridad", ["S/RES/1860(2009)"]),
        (
            "резолюцию 76/53 и резолюции 77/54 и 78/12, решением 73/546",
            ["A/RES/76/53", "A/RES/77/54", "A/RES/78/12", "decision:73/546"],
        ),
        ("резолюция 51/22 Совета по правам человека", ["A/HRC/RES/51/22"]),
        ("резолюцией 76/53 от 6 декабря 2021 года и 77/54", ["A/RES/76/53", "A/RES/77/54"]),
        # Arabic
        ("القرار 76/53", ["A/RES/76/53"]),
        ("القرارين 76/53 و 77/54", ["A/RES/76/53", "A/RES/77/54"]),
        ("المقرر 73/546", ["decision:73/546"]),
        ("قرار مجلس الأمن 1540 (2004)", ["S/RES/1540(2004)"]),
        ("القرار 2758 (د-26)", ["A/RES/2758(XXVI)"]),
        # Chinese
        ("第 76/53 号决议", ["A/RES/76/53"]),
        ("第76/53号决议", ["A/RES/76/53"]),
        ("第 73/546 号决定", ["decision:73/546"]),
        ("第 76/53 和 77/54 号决议", ["A/RES/76/53", "A/RES/77/54"]),
        ("第 76/53、77/54 和 78/12 号决议", ["A/RES/76/53", "A/RES/77/54", "A/RES/78/12"]),
        ("安全理事会第1540(2004)号决议", ["S/RES/1540(2004)"]),
        ("人权理事会第51/22号决议", ["A/HRC/RES/51/22"]),
    ],
)
def test_resolutions_and_decisions(text: str, expected: list[str]) -> None:
    assert keys(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "decision 1 of the Sixth Review Conference",
        "International Telecommunication Union resolution 186",
        "the resolution of 10/10/2025",
        "resolution GC(69)/RES/15, adopted",
        "decision-making 76/53",
        "page 2/3 of the resolution",
        "79/16. Establishment of a nuclear-weapon-free zone",
    ],
)
def test_not_resolutions(text: str) -> None:
    assert keys(text) == []


# --- own symbol and page furniture -----------------------------------------------------------

RAW_PAGES = (
    " United Nations  A/C.1/80/L.1 \n  \nGeneral Assembly \n \nDistr.: Limited \n"
    "25-16208 (E)    151025    \n*2516208*   \nEighty session\n"
    " Recalling its resolutions 45/52 of 4 December 1990, 46/30 of \n"
    "A/C.1/80/L.1  \n \n25-16208 2/3 \n \n"
    "6 December 1991 and 47/48 of 9 December 1992, taking note of A/80/130,\n"
    " A/C.1/80/L.1 \n \n3/3 25-16208 \n \n the end."
)


def test_own_symbol_and_furniture_never_count() -> None:
    expected = ["A/RES/45/52", "A/RES/46/30", "A/RES/47/48", "A/80/130"]
    assert keys(RAW_PAGES, self_symbol="A/C.1/80/L.1") == expected
    # Even without being told, header lines next to job numbers are furniture.
    assert keys(RAW_PAGES) == expected


def test_joint_own_symbol() -> None:
    text = "A/45/155\nS/21174\nEnglish\nPage 2\n* A/45/50, and S/21174."
    assert keys(text, self_symbol="A/45/155-S/21174") == ["A/45/50"]


def test_self_reference_in_running_text_is_dropped() -> None:
    text = "in resolution 79/16 (A/RES/79/16) and resolution 78/17"
    assert keys(text, self_symbol="A/RES/79/16") == ["A/RES/78/17"]


# --- the Citation record ---------------------------------------------------------------------


def test_citation_fields_and_order() -> None:
    text = (
        "First sentence. Recalling its resolution 76/53, and A/80/130.\n\nNew paragraph A/80/130."
    )
    cs = extract_citations(text)
    assert all(isinstance(c, Citation) for c in cs)
    assert [c.key for c in cs] == ["A/RES/76/53", "A/80/130", "A/80/130"]  # every occurrence
    assert [c.kind for c in cs] == ["resolution", "symbol", "symbol"]
    assert cs[0].raw == "76/53" and text[cs[0].start :].startswith("76/53")
    assert cs[0].context == "Recalling its resolution 76/53, and A/80/130."
    assert cs[2].context == "New paragraph A/80/130."
    assert keys(text) == ["A/RES/76/53", "A/80/130"]


def test_context_is_bounded_and_collapsed() -> None:
    text = ("word " * 400) + "resolution 76/53" + (" word" * 400)
    c = extract_citations(text)[0]
    assert len(c.context) <= 300
    assert "76/53" in c.context
    assert "  " not in c.context


def test_a_megabyte_is_read_whole() -> None:
    """Every citation of a megabyte of text is found. How the time grows with the length is
    measured by bench/bench_citations_linear.py (linear), not asserted here: a timed test
    fails on a loaded machine."""
    chunk = (
        "Recalling its resolutions 76/53 and 77/54 of 2 December 2024, A/C.1/80/L.35/Rev.1, "
        "https://undocs.org/en/A/RES/76/53 and 第76/53号决议; the 10/10/2025 and 1/9 numbers.\n"
        "A/79/88  \n \n12/179 24-09718 \n"
    )
    text = chunk * (1_000_000 // len(chunk))
    cs = extract_citations(text, self_symbol="A/79/88")
    assert len(cs) >= 5 * (len(text) // len(chunk))


@pytest.mark.parametrize(
    "tricky",
    [
        ("A/ " + "resolution " + "1" * 50 + " ") * 20000,
        # A list followed by a long run of blanks (masked page furniture, footnote marks).
        "resolution 1/1" + " " * 200_000 + "x",
        "resolution 1/1" + " \n" * 100_000 + "x",
        "[1][2][3] " * 20_000,
        "第 " * 100_000,
        "Human Rights Council, in its resolution 51/22 " * 4000,
    ],
)
def test_no_pathological_regex(tricky: str) -> None:
    # Catastrophic backtracking takes hours on these; linear code a fraction of a second. The
    # bound only catches a hang, so a loaded machine cannot fail it.
    t0 = time.perf_counter()
    extract_citations(tricky)
    assert time.perf_counter() - t0 < 120.0
