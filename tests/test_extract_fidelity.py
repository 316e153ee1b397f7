"""Faithful text on every real General Assembly document of the corpus (../shared/corpus/pdf-ga,
252 files from every Main Committee, and pdf/): nothing of the page lost, tables kept as rows,
hyphens as printed, footnote marks never glued, typographic hyphens made plain.

The truth each test compares with is read from the PDF here, independently of the extractor:
PDFium's own lines (what is on the page), its glyph sizes and baselines (which digits are raised
footnote marks) and its line-end hyphens.
"""

from __future__ import annotations

import re
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest

from tests.corpus import CORPUS, PDF_DIR, corpus_pdf
from tracker.extract import Extraction, extract_text

GA_DIR = CORPUS / "pdf-ga"
pytestmark = pytest.mark.skipif(not GA_DIR.is_dir(), reason=f"corpus not found at {GA_DIR}")

_MARKS = re.compile(r"\[\w{1,4}\]")
SUSPENDED = {"and", "or", "to"}  # "low- and middle-income": a space after the hyphen is right


@dataclass
class Truth:
    """What one PDF says, read with PDFium directly, and what the extractor made of it."""

    name: str
    text: str = ""
    error: str | None = None
    lost: list[str] = field(default_factory=list)  # page lines (not furniture) not in the text
    marks: list[tuple[str, str]] = field(default_factory=list)  # (word before, raised mark)
    compounds: list[str] = field(default_factory=list)  # "forward-looking" split at a line end
    has_u2011: bool = False


def _tokens(text: str) -> list[str]:
    # "_" splits words too: URLs and blanks ("80/____") break across lines at underscores.
    return re.findall(r"[^\W_]+", text.lower())


def _is_furniture(text: str, symbol: str | None) -> bool:
    # Job numbers, page numbers, barcodes, "Please recycle", the document's own symbol.
    if symbol and symbol in text:
        return True
    return bool(
        re.fullmatch(
            r"[\s\d/()*A-Z.-]*|Page \d+|.*\bPlease recycle\b.*|\*\d{7,9}\*.*"
            r"|\d{2}-\d{5}.*|.*\d{2}-\d{5}",
            text,
        )
    )


class _Index:
    """Where each word of a text is, to find a line's words in order quickly."""

    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.at: dict[str, list[int]] = {}
        for i, token in enumerate(self.tokens):
            self.at.setdefault(token, []).append(i)

    def __contains__(self, words: list[str]) -> bool:
        n = len(words)
        return any(self.tokens[i : i + n] == words for i in self.at.get(words[0], ()))


def _raised_marks(raw: object, text: str) -> list[tuple[int, int]]:
    """(start, end) of the footnote marks of a page: runs of digits or a letter a-h drawn
    smaller than the glyph before them and raised above its baseline."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    oy = ctypes.c_double()
    ox = ctypes.c_double()

    def baseline(i: int) -> float:
        pdfium_c.FPDFText_GetCharOrigin(raw, i, ox, oy)
        return oy.value

    marks: list[tuple[int, int]] = []
    for m in re.finditer(r"(?:\d{1,3}|(?<=\S)[a-h])(?=[\s,.;:)\]]|$)", text):
        start, end = m.start(), m.end()
        ref = start - 1
        if ref >= 0 and text[ref] == " ":
            ref -= 1  # "clause 1": a space before the mark
        if ref < 0 or text[ref] in "\r\n":
            ref = end + 1  # "1 See for example": a mark opening a footnote
        if ref >= len(text) or not text[ref].strip():
            continue
        ref_size = pdfium_c.FPDFText_GetFontSize(raw, ref)
        if pdfium_c.FPDFText_GetFontSize(raw, end - 1) >= 0.8 * ref_size:
            continue
        if baseline(end - 1) <= baseline(ref) + 0.1 * ref_size:
            continue
        while start < end - 1 and pdfium_c.FPDFText_GetFontSize(raw, start) >= 0.8 * ref_size:
            start += 1  # "20224": the year's digits are not the mark
        marks.append((start, end))
    return marks


def _read(path: Path) -> Truth:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    from tracker.extract import ExtractionError

    truth = Truth(path.name)
    data = path.read_bytes()
    try:
        ex = extract_text(data, "application/pdf")
    except ExtractionError as exc:
        truth.error = exc.code
        return truth
    truth.text = ex.text
    ours = _Index(_MARKS.sub(" ", ex.text))  # marks are checked on their own below
    doc = pdfium.PdfDocument(data)
    page_lines: list[list[str]] = []
    try:
        for index in range(len(doc)):
            page = doc[index]
            textpage = page.get_textpage()
            raw_text = textpage.get_text_range()
            raw = textpage.raw
            truth.has_u2011 = truth.has_u2011 or "\u2011" in raw_text
            if len(raw_text) == pdfium_c.FPDFText_CountChars(raw):
                marks = _raised_marks(raw, raw_text)
                for start, end in marks:
                    before = re.findall(r"\S{1,12}(?= ?$)", raw_text[:start].split("\n")[-1])
                    truth.marks.append((before[0] if before else "", raw_text[start:end]))
                for start, end in reversed(marks):  # the page's own words, marks taken out
                    raw_text = raw_text[:start] + " " + raw_text[end:]
            page_lines.append([ln.strip() for ln in re.split(r"[\r\n]+", raw_text) if ln.strip()])
            for m in re.finditer(r"([^\W\d_]{2,})(?:-\r?\n|\ufffe)([^\W\d_]{2,})", raw_text):
                if m.group(2).lower() not in SUSPENDED:
                    truth.compounds.append(f"{m.group(1)}-{m.group(2)}")
            textpage.close()
            page.close()
    finally:
        doc.close()

    # Lines of the page that are not in the text: furniture, or lines repeated on pages
    # (running titles) may go; anything else is lost.
    def key(line: str) -> str:
        return re.sub(r"\d+", "#", " ".join(_tokens(line)))

    repeats = Counter(k for lines in page_lines for k in {key(ln) for ln in lines})
    for lines in page_lines:
        for line in lines:
            words = _tokens(_MARKS.sub(" ", line))  # "[and]" as printed goes on both sides
            if not words or words in ours:
                continue
            if _is_furniture(line, ex.symbol) or repeats[key(line)] >= 2:
                continue
            truth.lost.append(line)
    return truth


@cache
def corpus() -> dict[str, Truth]:
    files = sorted(GA_DIR.glob("*.pdf")) + sorted(PDF_DIR.glob("*.pdf"))
    with ProcessPoolExecutor(2) as pool:
        return {t.name: t for t in pool.map(_read, files, chunksize=8)}


@cache
def extract(name: str) -> Extraction:
    path = GA_DIR / name if (GA_DIR / name).exists() else corpus_pdf(name)
    return extract_text(path.read_bytes(), "application/pdf")


# -- 1. tables stay tables; nothing of the body is dropped -----------------------------------


def test_scale_of_assessments_keeps_every_row_as_a_line_of_cells() -> None:
    text = extract("A_RES_79_249.pdf").text
    lines = text.split("\n")
    # Rows in the top band of a page (under the running header) were dropped as furniture.
    for row in ("Angola\t0.010", "Peru\t0.145", "Philippines\t0.198", "Afghanistan\t0.005"):
        assert row in lines, row
    rows = [ln for ln in lines if re.fullmatch(r"[^\t]+\t\d+\.\d{3}", ln)]
    assert len(rows) == 193  # every Member State, one row each
    assert "Member State\tPercentage" in lines


def test_budget_table_rows_keep_their_cells_and_marks() -> None:
    lines = extract("A_RES_78_249.pdf").text.split("\n")
    assert "Estimated appropriation for 2024[a]\t63 930 800\t58 552 400" in lines
    assert "Recommendations of the Fifth Committee[c]\t(114 600)\t(120 300)" in lines


def test_no_line_of_any_corpus_page_is_lost() -> None:
    lost = {name: t.lost for name, t in corpus().items() if t.lost}
    # The French summary record is an old hyphenated scan: its cut words are joined
    # ("ren-|seignements" -> "renseignements"), so its lines are not found verbatim.
    lost.pop("A_C.4_SR.985-FR.pdf", None)
    assert lost == {}


def test_justified_text_and_ocr_layers_are_not_tables() -> None:
    with_tabs = {name for name, t in corpus().items() if "\t" in t.text}
    # Only documents that print tables (scales, budgets, posts, programmes of work, contents).
    assert with_tabs <= {
        "A_C.3_80_L.1.pdf",
        "A_C.5_80_L.13.pdf",
        "A_C.5_80_L.4.pdf",
        "A_RES_78_249.pdf",
        "A_RES_78_252.pdf",
        "A_RES_79_249.pdf",
        "A_RES_79_253.pdf",
        "A_RES_79_255.pdf",
        "A_RES_80_242.pdf",
        "A_79_88.pdf",
    }
    assert "A_RES_79_249.pdf" in with_tabs
    assert "\t" not in extract("A_RES_79_279.pdf").text  # justified lines with wide spaces


# -- 2. hyphens as printed ----------------------------------------------------------------


def test_line_end_compounds_keep_their_hyphen_everywhere() -> None:
    broken = {}
    for name, t in corpus().items():
        if name.startswith("A_C.4_SR.985"):  # the old hyphenated scan: see test_extract_pdf
            continue
        plain = t.text.replace("\n", " ")
        missing = [c for c in t.compounds if c not in plain]
        if missing:
            broken[name] = missing
    assert broken == {}
    assert sum(len(t.compounds) for t in corpus().values()) > 100  # the test looked at some


def test_known_compounds_and_no_spaces_beside_hyphens() -> None:
    texts = {name: t.text for name, t in corpus().items()}
    assert "forward-looking" in texts["A_RES_80_102.pdf"]
    assert "long-term" in texts["A_RES_79_152.pdf"]
    assert "capacity-building" in texts["A_RES_78_16.pdf"]
    assert "Non-Proliferation of Nuclear Weapons" in texts["A_C.1_80_L.1.pdf"]
    assert "the number of Vice-Presidents allocated" in texts["A_RES_78_128.pdf"]  # a footnote
    spaced = {
        name: re.findall(
            r"(?<!\band)(?<!\bor) -\w+|\w+ - [a-z]\w*|\w+- (?!and\b|or\b|to\b)[a-z]\w*", text
        )
        for name, text in texts.items()
        if not name.startswith(("A_C.4_SR.985", "A_45_155", "A_79_88"))  # OCR, dash prose
    }
    assert {name: found for name, found in spaced.items() if found} == {}
    for word in ("forwardlooking", "capacitybuilding", "longterm", "confidence - building"):
        assert not any(word in text for text in texts.values()), word


# -- 3. footnote marks ----------------------------------------------------------------------


def test_footnote_marks_are_bracketed_never_glued() -> None:
    marks = glued = 0
    examples = []
    for t in corpus().values():
        plain = t.text.replace("\n", " ")
        for before, mark in t.marks:
            marks += 1
            # The mark follows what it followed on the page ("session[1]", "plans,[2]",
            # "2024[a]"), a line break or a hyphen's repair aside.
            tail = before.rstrip(',.;:)’”"')[-4:]
            pattern = re.escape(tail) + r"\W{0,3}\[" + re.escape(mark) + r"\]"
            if not before:  # opening a footnote's text
                pattern = r"(?:^|\n)\[" + re.escape(mark) + r"\] "
            if not re.search(pattern, t.text if not before else plain):
                glued += 1
                examples.append((t.name, before, mark))
    assert marks > 1000
    assert glued <= 0.01 * marks, (glued, marks, examples[:20])
    text = extract("A_RES_79_249.pdf").text
    assert "eighty-fourth session[1] and" in text and "multi-year payment plans,[2]" in text
    assert "[1] Official Records of the General Assembly, Seventy-ninth Session" in text
    assert not re.search(r"\bsession\d|\b20\d\d\d\b", text)


# -- 4. normalised hyphens --------------------------------------------------------------------


def test_non_breaking_and_other_hyphens_are_plain() -> None:
    with_u2011 = [name for name, t in corpus().items() if t.has_u2011]
    assert with_u2011  # the corpus has them
    for name in with_u2011:
        assert not re.search("[\u2010\u2011\u2012\u00ad\u00a0\u202f]", corpus()[name].text), name


# -- 5. paragraphs --------------------------------------------------------------------------


def test_multi_line_titles_are_one_paragraph() -> None:
    paragraphs = extract("A_RES_79_249.pdf").text.split("\n\n")
    title = "Scale of assessments for the apportionment of the expenses of the United Nations"
    assert title in paragraphs
    assert f"79/249. {title}" in paragraphs
    assert "Resolution adopted by the General Assembly on 24 December 2024" in paragraphs


def test_every_document_extracts_or_fails_clearly() -> None:
    errors = {name: t.error for name, t in corpus().items() if t.error}
    assert errors == {"A_RES_2758(XXVI)-RU-scan.pdf": "no_text_layer"}


@pytest.mark.parametrize("lang", ["ar", "zh", "ru", "fr", "es"])
def test_a_revision_in_another_language_changes_one_paragraph(un_mirror, lang: str) -> None:
    """Line wraps of Arabic, Chinese and Russian text are not paragraph breaks: a paragraph
    amended and set again on its page is still one changed paragraph (the Arabic amendment
    adds Latin words to a right-to-left line, which once made it a paragraph of its own)."""
    from tests.test_mirror import follow
    from tracker.diff import change_stats, compute_diff

    url = un_mirror.url("undocs", f"/{lang}/A/C.1/80/L.1")
    before = extract_text(follow(url)[2]).text
    un_mirror.revise("A/C.1/80/L.1", lang=lang)
    after = extract_text(follow(url)[2]).text
    stats = change_stats(compute_diff(before, after))
    assert (stats.paragraphs_changed, stats.paragraphs_added, stats.paragraphs_removed) == (1, 0, 0)
