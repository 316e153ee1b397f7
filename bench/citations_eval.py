"""Precision and recall of tracker.citations over the labelled set in tests/data/citations/.

Each label file names a real corpus PDF (or holds a synthetic text snippet) and the exact set of
keys a careful reader finds cited in it. The extractor runs on two texts of each real PDF:

* ``raw``: pypdf ``page.extract_text()`` of each page joined with newlines (page headers,
  job numbers and line breaks still in);
* ``clean``: ``tracker.extract.extract_text`` (furniture removed, lines joined), when that module
  is importable and works; otherwise that column is reported as unavailable.

Scores are micro-averaged over the set of unique keys per document.

``--corpus`` also reads every corpus PDF (``corpus/pdf`` and the 252 General Assembly documents
of ``corpus/pdf-ga``) and counts the keys that cannot exist (:func:`impossible_key`: a
resolution of a session the Assembly numbered in Roman figures, a number no session reached, a
footnote mark in a key...), in the project's extracted text and in raw pypdfium2 page text
(footnote marks glued to the numbers).

Usage: python bench/citations_eval.py [--write bench/citations-results.md] [--corpus]
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.corpus import CORPUS, PDF_DIR  # noqa: E402
from tracker.citations import cited_keys  # noqa: E402

LABEL_DIR = ROOT / "tests" / "data" / "citations"
GA_PDF_DIR = CORPUS / "pdf-ga"

# What real UN numbering allows, written down independently of tracker.citations so that the
# check does not merely repeat the extractor's own rules. The corpus runs to the eightieth
# session (2025); the highest resolution number it cites is A/RES/73/343 and no session has
# adopted 400 resolutions; General Assembly decisions are numbered 301-599 (elections, plenary,
# Main Committees: corpus/igov/decisions-*.json run from 401 to 584); the Human Rights Council
# held its sixtieth session in 2025; the Environment Assembly its seventh.
LAST_SESSION = 80
_IMPOSSIBLE_CHECKS: tuple[tuple[str, re.Pattern[str], object], ...] = (
    (
        "A/RES session/number",
        re.compile(r"A/RES/(\d+)/(\d+)"),
        lambda s, n: int(s) < 31 or int(s) > LAST_SESSION or n[0] == "0" or int(n) >= 400,
    ),
    (
        "A/RES special session",
        re.compile(r"A/RES/(ES|S)-(\d+)/(\d+)"),
        lambda kind, s, n: int(s) > (11 if kind == "ES" else 32) or int(n) >= 100,
    ),
    ("A/RES Roman session", re.compile(r"A/RES/\d+\(([IVXLC]+)\)"), lambda r: _roman(r) > 30),
    (
        "GA decision",
        re.compile(r"decision:(\d+)/(\d+)"),
        lambda s, n: int(s) < 31 or int(s) > LAST_SESSION or not 301 <= int(n) < 700,
    ),
    (
        "HRC resolution",
        re.compile(r"A/HRC/(?:RES|DEC)/(\d+)/(\d+)"),
        lambda s, n: int(s) > 60 or n[0] == "0" or int(n) >= 200,
    ),
    ("ECOSOC resolution", re.compile(r"E/RES/(\d{4})/(\d+)"), lambda y, n: int(n) >= 100),
    (
        "UNEA resolution",
        re.compile(r"UNEP/EA\.(\d+)/Res\.(\d+)"),
        lambda s, n: int(s) > 7 or int(n) > 30,
    ),
)


def _roman(r: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
    return sum(
        -values[c] if i + 1 < len(r) and values[r[i + 1]] > values[c] else values[c]
        for i, c in enumerate(r)
    )


def impossible_key(key: str) -> str | None:
    """Why ``key`` cannot name a real document (None if it can)."""
    if re.search(r"[\[\]\s]", key):
        return "footnote mark or space in key"
    for reason, pattern, bad in _IMPOSSIBLE_CHECKS:
        m = pattern.fullmatch(key)
        if m and bad(*m.groups()):  # type: ignore[operator]
            return reason
    return None


def corpus_pdfs() -> list[Path]:
    """Every corpus PDF with a text layer: corpus/pdf and corpus/pdf-ga."""
    files = sorted(PDF_DIR.glob("*.pdf")) + sorted(GA_PDF_DIR.glob("*.pdf"))
    return [f for f in files if "-scan" not in f.name]


def pdfium_text(path: Path) -> str:
    """Raw page text (pypdfium2), pages joined: footnote marks stay glued to what they follow."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    try:
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


def scan_corpus(texts: dict[str, object] | None = None) -> dict:
    """Impossible keys over every corpus PDF, per text source."""
    from tracker.citations import extract_citations
    from tracker.extract import extract_text
    from tracker.symbols import filename_to_symbol

    sources = texts or {
        "extract_text": lambda p: extract_text(p.read_bytes(), "application/pdf").text,
        "pypdfium2 raw": pdfium_text,
    }
    out: dict = {}
    for name, read in sources.items():
        bad: list[tuple[str, str, str, str]] = []
        n_docs = n_cites = 0
        for path in corpus_pdfs():
            try:
                text = read(path)  # type: ignore[operator]
            except Exception:  # a file another extractor cannot read is not this measure's
                continue
            n_docs += 1
            cites = extract_citations(text, self_symbol=filename_to_symbol(path.name))
            n_cites += len(cites)
            for c in cites:
                reason = impossible_key(c.key)
                if reason:
                    bad.append((path.name, c.key, reason, c.context[:160]))
        out[name] = {"docs": n_docs, "citations": n_cites, "impossible": bad}
    return out


@dataclass
class Label:
    name: str
    file: str | None
    self_symbol: str | None
    expected: set[str]
    synthetic: bool
    pages: tuple[int, int] | None = None
    text: str | None = None
    lang: str | None = None


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    false_pos: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def load_labels(directory: Path = LABEL_DIR) -> list[Label]:
    out = []
    for p in sorted(directory.glob("*.json")):
        d = json.loads(p.read_text(encoding="utf-8"))
        pages = tuple(d["pages"]) if d.get("pages") else None
        out.append(
            Label(
                name=p.stem,
                file=d.get("file"),
                self_symbol=d.get("self_symbol"),
                expected=set(d["expected"]),
                synthetic=bool(d.get("synthetic")),
                pages=pages,  # type: ignore[arg-type]
                text=d.get("text"),
                lang=d.get("lang"),
            )
        )
    return out


def _page_range(n_pages: int, pages: tuple[int, int] | None) -> range:
    if pages is None:
        return range(n_pages)
    return range(pages[0] - 1, min(pages[1], n_pages))


def raw_text(label: Label) -> str:
    """pypdf text of the labelled pages, joined with newlines (what a naive pipeline sees)."""
    from pypdf import PdfReader

    reader = PdfReader(str(PDF_DIR / label.file))
    return "\n".join(
        reader.pages[i].extract_text() or "" for i in _page_range(len(reader.pages), label.pages)
    )


def _pdf_bytes(label: Label) -> bytes:
    data = (PDF_DIR / label.file).read_bytes()
    if label.pages is None:
        return data
    # A labelled page range: hand the cleaner a PDF of exactly those pages.
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(data))
    writer = PdfWriter()
    for i in _page_range(len(reader.pages), label.pages):
        writer.add_page(reader.pages[i])
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def clean_extractor():  # -> Callable[[Label], str] | None
    """``tracker.extract.extract_text`` wrapped for a label, or None if it is not usable."""
    try:
        from tracker.extract import extract_text  # type: ignore[import-not-found]
    except Exception:
        return None

    def run(label: Label) -> str:
        ext = extract_text(_pdf_bytes(label), "application/pdf")
        return ext.text

    return run


def score_doc(label: Label, text: str) -> tuple[Score, float]:
    t0 = time.perf_counter()
    got = set(cited_keys(text, self_symbol=label.self_symbol))
    dt = time.perf_counter() - t0
    s = Score(
        tp=len(got & label.expected),
        fp=len(got - label.expected),
        fn=len(label.expected - got),
        false_pos=sorted(got - label.expected),
        missed=sorted(label.expected - got),
    )
    return s, dt


def evaluate() -> dict:
    labels = load_labels()
    cleaner = clean_extractor()
    rows = []
    totals = {"raw": Score(), "clean": Score(), "synthetic": Score()}
    clean_ok = cleaner is not None
    clean_error = None if clean_ok else "tracker.extract.extract_text not importable"
    for lab in labels:
        if lab.synthetic:
            s, dt = score_doc(lab, lab.text or "")
            totals["synthetic"].add(s)
            rows.append((lab, {"synthetic": (s, dt)}))
            continue
        res = {"raw": score_doc(lab, raw_text(lab))}
        totals["raw"].add(res["raw"][0])
        if clean_ok:
            try:
                res["clean"] = score_doc(lab, cleaner(lab))
                totals["clean"].add(res["clean"][0])
            except Exception as exc:  # the cleaner is someone else's work in progress
                clean_ok = False
                clean_error = f"tracker.extract failed: {type(exc).__name__}: {exc}"
        rows.append((lab, res))
    return {"rows": rows, "totals": totals, "clean_ok": clean_ok, "clean_error": clean_error}


def _fmt(s: Score) -> str:
    return f"{s.precision:.3f} | {s.recall:.3f} | {s.tp} | {s.fp} | {s.fn}"


def render(result: dict) -> str:
    lines = ["# Citation extraction: precision / recall on the labelled set", ""]
    lines.append("Generated by `bench/citations_eval.py`; labels in `tests/data/citations/`.")
    lines.append("")
    t = result["totals"]
    lines += ["## Overall (micro, unique keys per document)", ""]
    lines += ["| set | text | P | R | TP | FP | FN |", "|---|---|---|---|---|---|---|"]
    lines.append(f"| real PDFs | raw pypdf text | {_fmt(t['raw'])} |")
    if result["clean_ok"]:
        lines.append(f"| real PDFs | tracker.extract text | {_fmt(t['clean'])} |")
    else:
        lines.append(f"| real PDFs | tracker.extract text | n/a ({result['clean_error']}) |||||")
    lines.append(f"| synthetic snippets (ar zh ru fr es) | text | {_fmt(t['synthetic'])} |")
    lines += ["", "## Per document", ""]
    lines += [
        "| document | text | P | R | TP | FP | FN | ms | false positives | missed |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for lab, res in result["rows"]:
        name = lab.file or lab.name
        if lab.pages:
            name += f" (pages {lab.pages[0]}-{lab.pages[1]})"
        for kind, (s, dt) in res.items():
            fp = ", ".join(s.false_pos) or "-"
            fn = ", ".join(s.missed) or "-"
            lines.append(f"| {name} | {kind} | {_fmt(s)} | {dt * 1000:.1f} | {fp} | {fn} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", type=Path, help="also write the Markdown table to this file")
    ap.add_argument("--corpus", action="store_true", help="count impossible keys in all PDFs")
    args = ap.parse_args(argv)
    result = evaluate()
    md = render(result)
    if args.corpus:
        lines = ["", "## Impossible keys over every corpus PDF", ""]
        lines += ["| text | documents | citations | impossible keys |", "|---|---|---|---|"]
        scans = scan_corpus()
        for name, r in scans.items():
            lines.append(f"| {name} | {r['docs']} | {r['citations']} | {len(r['impossible'])} |")
        for name, r in scans.items():
            for file, key, reason, ctx in r["impossible"]:
                lines.append(f"- {name}: {file} `{key}` ({reason}): {ctx}")
        md += "\n".join(lines) + "\n"
    print(md)
    if args.write:
        args.write.write_text(md, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
