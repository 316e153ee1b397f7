"""Is tracker.citations.extract_citations linear in the text length? Run by hand (not a test).

Real text: the extracted text of General Assembly documents of corpus/pdf-ga, concatenated
1x, 2x, 4x, 8x and 16x (the base is about 200,000 characters). Pathological inputs, each at
25k, 50k, 100k and 200k characters: dense resolution lists ("resolution 1/1, "), long runs of
"A/" and "A/RES/", runs of trigger words, runs of body names before triggers ("Human Rights
Council, in its resolution"), capitalised words (the unknown-body scan), footnote marks,
glued-mark digits, hyphen look-alikes, URLs, and long blank runs after a list.

For each input it prints the best of three timings and the cost in ms per 100,000 characters;
linear time shows as a flat ms/100k column down each group (a quadratic pattern would double it
at each doubling of the size).

Usage: python bench/bench_citations_linear.py [--docs 12] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.corpus import CORPUS  # noqa: E402
from tracker.citations import extract_citations  # noqa: E402

SIZES = (25_000, 50_000, 100_000, 200_000)

# Each pattern is repeated up to the size; some are the worst cases of one part of the module.
PATHOLOGICAL: dict[str, str] = {
    "resolution 1/1, ": "resolution 1/1, ",
    "A/ run": "A/",
    "A/RES/ run": "A/RES/",
    "trigger words": "resolution decision resolutions ",
    "list of n/m items": "76/53, ",
    "dates in a list": "76/53 of 2 December 2024, ",
    "body + trigger": "Human Rights Council, in its resolution 51/22 ",
    "capitalised words": "Xyz Abc Council Commission Assembly ",
    "body names, no trigger": "United Nations Environment Assembly ",
    "footnote marks": "[1][2][3] ",
    "glued marks": "resolution 59/3009 ",
    "hyphen forms": "ES\u201110/27 A/ES\u201210/L.30 S\u221210/2 ",
    "URLs": "https://undocs.org/en/A/RES/76/53 ",
    "digits": "1234567890",
    "document, annex": "A/56/1026, annex II, resolution 14/221 ",
    # Long blank runs after a list (masked furniture and footnote marks become blanks): the
    # module before this benchmark took 8.6 s on one 12,500-blank run and 152 s on 50,000.
    "list + 1,000 blanks": "resolution 76/53" + " " * 1000,
    "list + blank lines": "resolution 76/53 of 2 December 2024" + " \n" * 500,
    "Chinese 第 run": "第 ",
    "Arabic, no spaces": "استقرار",
}


def _corpus_text(n_docs: int) -> str:
    from tracker.extract import extract_text

    texts = []
    for path in sorted((CORPUS / "pdf-ga").glob("*.pdf"))[:n_docs]:
        try:
            texts.append(extract_text(path.read_bytes(), "application/pdf").text)
        except Exception as exc:  # a file the extractor cannot read is left out
            print(f"  (skipped {path.name}: {exc})", file=sys.stderr)
    return "\n\n".join(texts)


def _best(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _row(label: str, text: str, repeat: int) -> None:
    n_cites = len(extract_citations(text))
    dt = _best(lambda: extract_citations(text), repeat)
    per_100k = dt * 1000 / (len(text) / 100_000)
    print(f"| {label} | {len(text):,} | {n_cites:,} | {dt * 1000:.1f} | {per_100k:.1f} |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=12, help="pdf-ga documents in the base text")
    ap.add_argument("--repeat", type=int, default=3, help="timings per input (best is kept)")
    args = ap.parse_args(argv)

    header = "| input | characters | citations | ms | ms per 100k chars |\n|---|---|---|---|---|"
    base = _corpus_text(args.docs)
    print(f"## Real text: {args.docs} pdf-ga documents, concatenated\n")
    print(header)
    for times in (1, 2, 4, 8, 16):
        _row(f"real x{times}", "\n\n".join([base] * times), args.repeat)
    print("\n## Pathological inputs\n")
    print(header)
    for name, unit in PATHOLOGICAL.items():
        for size in SIZES:
            text = (unit * (size // len(unit) + 1))[:size]
            _row(f"{name} ({size // 1000}k)", text, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
