"""UN symbol grammar: normalisation, file names, series."""

from __future__ import annotations

import pytest

from tests.corpus import PDF_DIR
from tracker.symbols import (
    filename_to_symbol,
    is_symbol,
    normalise_symbol,
    series_of,
    symbol_to_filename,
)


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("A/RES/76/53", "A/RES/76/53"),
        ("a/res/76/53", "A/RES/76/53"),
        ("A/C.1/80/L.35/Rev.1", "A/C.1/80/L.35/Rev.1"),
        ("a/c.1/80/l.35/rev.1", "A/C.1/80/L.35/Rev.1"),
        ("A/C.1/80/L.35/REV.1", "A/C.1/80/L.35/Rev.1"),
        ("A/60/88/corr.2", "A/60/88/Corr.2"),
        ("A/72/65/ADD.1", "A/72/65/Add.1"),
        ("A/CONF.236/DEC.5", "A/CONF.236/DEC.5"),
        ("a/conf.236/dec.5", "A/CONF.236/DEC.5"),
        ("S/RES/2231 (2015)", "S/RES/2231(2015)"),
        ("S/RES/2231(2015)", "S/RES/2231(2015)"),
        ("A/RES/2758(XXVI)", "A/RES/2758(XXVI)"),
        ("A/RES/2758 (XXVI)", "A/RES/2758(XXVI)"),
        ("A/RES/ES-11/4", "A/RES/ES-11/4"),
        ("A/RES/80/236 A-B", "A/RES/80/236"),
        ("A/RES/46/36 L", "A/RES/46/36"),
        ("A/RES/46/36L", "A/RES/46/36"),
        ("A/80/130", "A/80/130"),
        ("A/80/130.", "A/80/130"),
        (" CD/1839, ", "CD/1839"),
        ("NPT/CONF.2020/1", "NPT/CONF.2020/1"),
        ("TPNW/MSP/2022/INF/1", "TPNW/MSP/2022/INF/1"),
        ("CCW/GGE.1/2023/WP.2/Rev.1", "CCW/GGE.1/2023/WP.2/Rev.1"),
        ("A/ C.4/ 406", "A/C.4/406"),
        ("A/4227", "A/4227"),
        ("S/PRST/2014/13", "S/PRST/2014/13"),
        ("A/HRC/RES/51/22", "A/HRC/RES/51/22"),
        ("A/C.1/80/PV.12", "A/C.1/80/PV.12"),
        # Hyphen look-alikes of PDF and HTML text: U+2011 (non-breaking), U+2010, U+2012, the
        # en dash and the minus sign.
        ("A/RES/ES\u201110/27", "A/RES/ES-10/27"),
        ("A/ES\u201010/L.30", "A/ES-10/L.30"),
        ("A/RES/S\u201210/2", "A/RES/S-10/2"),
        ("A/RES/ES\u201311/4", "A/RES/ES-11/4"),
        ("A/RES/ES\u221211/4", "A/RES/ES-11/4"),
        # The Environment Assembly writes its resolutions and decisions in mixed case.
        ("UNEP/EA.5/Res.14", "UNEP/EA.5/Res.14"),
        ("UNEP/EA.5/RES.14", "UNEP/EA.5/Res.14"),
        ("unep/ea.4/dec.2", "UNEP/EA.4/Dec.2"),
    ],
)
def test_normalise_symbol(raw: str, key: str) -> None:
    assert normalise_symbol(raw) == key
    assert is_symbol(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "and/or",
        "Arabic/Chinese/English",
        "USA/Tajikistan",
        "10/10/2025",
        "1/9",
        "A/C.4",
        "A/C.4/L",
        "GC(69)/RES/15",
        "EX.CL/Dec.263",
        "A/",
        "A//80",
        "76/53",
        "A/RES",
    ],
)
def test_not_symbols(raw: str) -> None:
    assert normalise_symbol(raw) is None
    assert not is_symbol(raw)


def test_normalise_is_idempotent() -> None:
    for s in [
        "A/C.1/80/L.35/Rev.1",
        "S/RES/2231 (2015)",
        "A/RES/80/236 A-B",
        "a/conf.236/dec.5",
        "A/ES\u201110/L.30",
        "unep/ea.5/res.14",
    ]:
        k = normalise_symbol(s)
        assert k is not None and normalise_symbol(k) == k


@pytest.mark.parametrize(
    ("symbol", "name"),
    [
        ("A/C.1/80/L.1", "A_C.1_80_L.1"),
        ("A/RES/79/16", "A_RES_79_16"),
        ("A/RES/2758(XXVI)", "A_RES_2758(XXVI)"),
        ("A/C.4/SR.985", "A_C.4_SR.985"),
    ],
)
def test_filename_round_trip(symbol: str, name: str) -> None:
    assert symbol_to_filename(symbol) == name
    assert filename_to_symbol(name + ".pdf") == symbol


def test_filename_language_suffix() -> None:
    assert filename_to_symbol("A_RES_77_247-ES.pdf") == "A/RES/77/247"
    assert filename_to_symbol("A_C.4_SR.985-FR.pdf") == "A/C.4/SR.985"
    assert filename_to_symbol("A_RES_2758(XXVI)-RU-scan.pdf") == "A/RES/2758(XXVI)"
    assert filename_to_symbol("/some/dir/A_C.1_80_L.35.pdf") == "A/C.1/80/L.35"
    assert filename_to_symbol("notes.pdf") is None


def test_every_corpus_pdf_name_is_a_symbol() -> None:
    names = sorted(p.name for p in PDF_DIR.glob("*.pdf"))
    if not names:
        pytest.skip("corpus not present")
    for name in names:
        key = filename_to_symbol(name)
        assert key is not None, name
        assert symbol_to_filename(key) == name.split("-")[0].removesuffix(".pdf")


@pytest.mark.parametrize(
    ("symbol", "series"),
    [
        ("A/C.1/80/L.1", "A/C.1/80/L"),
        ("A/C.1/80/L.35/Rev.1", "A/C.1/80/L"),
        ("A/RES/79/16", "A/RES/79"),
        ("S/RES/2231 (2015)", "S/RES"),
        ("CD/1839", "CD"),
        ("A/79/88", "A/79"),
        ("A/C.1/80/PV.12", "A/C.1/80/PV"),
        ("A/60/88/Corr.2", "A/60"),
        ("UNEP/EA.5/Res.14", "UNEP/EA.5/Res"),
    ],
)
def test_series_of(symbol: str, series: str) -> None:
    assert series_of(symbol) == series


def test_series_of_rejects_non_symbol() -> None:
    assert series_of("hello") is None
