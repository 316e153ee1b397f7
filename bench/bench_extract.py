"""Benchmark PDF text extraction on the real corpus, one core.

Measures, over every PDF in the corpus that has a text layer:
- raw engines: pypdf `extract_text()` and pypdfium2 `get_text_range()`, pages/s;
- the whole pipeline `tracker.extract.extract_text` (engine + geometry + furniture + reflow);
- quality on Charter text rendered by tests/pdfgen.py (ar, zh, ru): share of the original words
  found in logical order (longest common subsequence of words, after NFKC).

Run: .venv/bin/python bench/bench_extract.py [--repeat N]   (from the repository root)
Pin to one core with `taskset -c 0` for comparable figures.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pypdf  # noqa: E402
import pypdfium2 as pdfium  # noqa: E402

from tests.corpus import PDF_DIR  # noqa: E402
from tracker.extract import ExtractionError, extract_text  # noqa: E402

SKIP = {"A_RES_2758(XXVI)-RU-scan.pdf"}  # no text layer: nothing to measure


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def corpus() -> list[tuple[str, bytes]]:
    files = sorted(p for p in PDF_DIR.glob("*.pdf") if p.name not in SKIP)
    return [(p.name, p.read_bytes()) for p in files]


def bench_pdfium(docs: list[tuple[str, bytes]]) -> tuple[int, float]:
    pages = 0
    start = time.perf_counter()
    for _, data in docs:
        doc = pdfium.PdfDocument(data)
        for i in range(len(doc)):
            page = doc[i]
            textpage = page.get_textpage()
            textpage.get_text_range()
            textpage.close()
            page.close()
            pages += 1
        doc.close()
    return pages, time.perf_counter() - start


def bench_pypdf(docs: list[tuple[str, bytes]]) -> tuple[int, float]:
    pages = 0
    start = time.perf_counter()
    for _, data in docs:
        for page in pypdf.PdfReader(io.BytesIO(data)).pages:
            page.extract_text()
            pages += 1
    return pages, time.perf_counter() - start


def bench_pipeline(docs: list[tuple[str, bytes]]) -> tuple[int, float, list[str]]:
    pages = 0
    failures = []
    start = time.perf_counter()
    for name, data in docs:
        try:
            pages += extract_text(data, "application/pdf").pages or 0
        except ExtractionError as exc:
            failures.append(f"{name}: {exc.code}")
    return pages, time.perf_counter() - start, failures


def _words(text: str) -> list[str]:
    return unicodedata.normalize("NFKC", text).split()


def _lcs_ratio(original: list[str], extracted: list[str]) -> float:
    # Classic O(n*m) LCS on words: the share of original words found in the same order.
    prev = [0] * (len(extracted) + 1)
    for word in original:
        cur = [0]
        for j, other in enumerate(extracted):
            cur.append(prev[j] + 1 if word == other else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1] / max(len(original), 1)


def quality() -> list[tuple[str, str, float]]:
    from tests.pdfgen import charter_paragraphs, font_missing_reason, render_pdf

    rows = []
    for lang in ("ar", "zh", "ru"):
        if font_missing_reason(lang):
            continue
        paras = charter_paragraphs(lang, 0, 25)
        pdf = render_pdf(paras, lang)
        original = _words(" ".join(paras))
        if lang == "zh":  # no spaces: compare characters
            original = [c for c in "".join(original)]
        doc = pdfium.PdfDocument(pdf)
        texts = {
            "pypdfium2": " ".join(doc[i].get_textpage().get_text_range() for i in range(len(doc))),
            "pypdf": " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages),
            "pipeline": extract_text(pdf, "application/pdf").text,
        }
        for engine, text in texts.items():
            got = _words(text)
            if lang == "zh":
                got = [c for c in "".join(got)]
            rows.append((lang, engine, _lcs_ratio(original, got)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs")
    parser.add_argument("--skip-pypdf", action="store_true")
    args = parser.parse_args()

    docs = corpus()
    print(f"machine: nproc={os.cpu_count()}, CPU {cpu_model()}, Python {platform.python_version()}")
    print(f"pypdf {pypdf.__version__}, pypdfium2 {pdfium.PYPDFIUM_INFO}")
    print(f"corpus: {len(docs)} PDFs with a text layer")

    def best(fn):
        runs = [fn(docs) for _ in range(args.repeat)]
        return min(runs, key=lambda r: r[1])

    n, t = best(bench_pdfium)
    print(f"pypdfium2 raw text  : {n} pages in {t:.2f} s = {n / t:.0f} pages/s")
    if not args.skip_pypdf:
        n, t = bench_pypdf(docs)  # slow: one run
        print(f"pypdf raw text      : {n} pages in {t:.2f} s = {n / t:.0f} pages/s")
    n, t, failures = best(bench_pipeline)
    print(f"pipeline (pdfium+furniture+reflow): {n} pages in {t:.2f} s = {n / t:.0f} pages/s")
    for failure in failures:
        print(f"  failed: {failure}")
    print("logical-order word recall on rendered Charter text (LCS of words, NFKC):")
    for lang, engine, ratio in quality():
        print(f"  {lang} {engine:10s} {ratio:.3f}")


if __name__ == "__main__":
    main()
