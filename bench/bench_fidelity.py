"""Text fidelity of tracker.extract against pdftotext, over every corpus PDF (issue 9).

Run by hand, never as a test. Reference: poppler's `pdftotext -layout` (each line of the page
one line, columns kept apart by runs of spaces, pages separated by form feeds); footnote marks
are read from PDFium's character data directly. "Ours" is `extract_text(pdf).text`. Files
whose extraction fails (the scan without a text layer) are listed and left out of every
measure. Every count is per file, summed over pdf/, pdf-ga/ and both.

1. Lines lost; table rows lost (goal 0). Every reference line that is not page furniture must be
   found in ours. Furniture: from page 2 on, the header block (the non-blank lines down to the
   first blank line, at most 4), and on every page the footer block (the non-blank lines below
   the last blank line, at most 4), each only when it holds a job number ("24-24688 (E)"), a
   page number ("3/8"), a barcode ("*2424688*") or a symbol ("A/RES/79/249"): the running title
   is part of those blocks; also, from page 2 on, a first line with a bare page number at one
   end ("652 Assemblée générale - ...", summary records of 1959). Comparison on skeletons: NFKC,
   casefolded, letters and digits only (spaces, tabs, hyphens, punctuation and brackets
   dropped), so "forward-\\nlooking" = "forwardlooking", "session 1" = "session[1]",
   "Angola<TAB>0.010" = "Angola 0.010". A line is found when its skeleton is a substring of
   ours, or of ours with bracketed marks removed (pdftotext moves a superscript table letter to
   the line above: "inflation 3 704 800" against "inflation[b]<TAB>3 704 800"). Not checked:
   lines whose skeleton is shorter than 4 characters (they match anywhere) and lines in a
   right-to-left script (pdftotext writes them in visual order). A line that is not a table row
   also counts as found when each of its cells (split at 3+ spaces) is found anywhere
   (side-by-side blocks, the first-page masthead, may be read in another order). Table row: a
   line of 3+ cells (split at 2+ spaces), or of 2 cells the second of which is a number
   ("0.010", "3 704 800", "(2 061 900)", "12 %", "-", "–"). A table row is found only whole,
   except a row without any number after its first cell (a header of wrapped cells: "Category |
   special political missions) | ... | Total"), which also counts as found when its cells occur
   in order within 4x its length. Not checked: how often a line occurs (a line printed on every
   page is found if ours has it once) and the order of lines.
2. Table rows merged (goal 0): consecutive table rows of the reference (same page, both found)
   that sit on one line of ours (between two "\\n"): the table was flattened ("Afghanistan
   0.005 Albania 0.010 ..."). A row is located at its first occurrence after the previous row,
   else at its first occurrence.
3. Hyphenated compounds broken (goal 0). Compounds: (a) a reference content line ending in "X-"
   or "X -" (hyphen, U+2010 or U+2011) and the next content line starting with a word "Y" give
   "X-Y" (UN documents are set without automatic hyphenation: a line-end hyphen is part of the
   word), unless Y is a conjunction ("pre-\\nand post-conflict"); (b) every "X-Y" written
   inside a reference line anywhere in the corpus (the vocabulary). Broken: (a)'s compound
   glued in ours ("forwardlooking"; at most as often as it ends a reference line, and not when
   "XY" is itself a word of a reference line), plus every "X - Y", "X- Y", "X -Y" in ours
   (spaces, on one line) whose "X-Y" is in (a) or (b), Y not a conjunction, X and Y not both
   numbers ("Non- Proliferation", "confidence - building").
4. Glued footnote marks (goal <= 1 % of marks). Marks: PDFium characters that are digits or "*"
   in a font below 0.85 of the preceding character's, with the baseline raised by 0.15 to 1 of
   that size, starting no further than 0.8 of that size right of the preceding character's
   box (same visual line: this leaves out the numbers opening footnote bodies and small page
   furniture); a mark may follow a digit ("59/300" + "9"); consecutive such digits are one mark.
   Detector check: marks are numbered 1..n through a document, so the numbers missing from
   1..n are counted (1 in the whole corpus). A mark is located in ours by the up to 3 words
   before it on its line (the line before when PDFium broke the line at the mark), joined by
   non-letters or other marks, then the mark: "[n]" = bracketed ("session[1]"); glued = the
   digits right after a letter, digit or punctuation ("session1", "20224", "79/16,2");
   "spaced" = after spaces on the same line ("Nations, 3 the": not glued, not recognisable as
   a mark either); "removed" = the words found, the mark not after them; "not located" = the
   words not found. Glued % = glued / marks.
5. Non-plain hyphens and spaces left (goal 0): U+2010, U+2011, U+2012, U+00AD, U+00A0 and
   U+202F in ours.
6. Paragraph breaks inside sentences per 1,000 paragraphs of ours (goal <= 5). Paragraphs:
   ours split at "\\n\\n". The break between P and Q is inside a sentence when P does not end
   in terminal punctuation (. ; : ! ? …, looked for before closing quotes and brackets, "[n]"
   and a mark glued after the punctuation: "weapons;3") and either Q starts with a lowercase
   letter (not a list marker "a)", "iv.") or P ends with a word that cannot end a heading or
   a sentence (of, the, and, or, to, for, in, on, by, with, ...; de, la, des, du, et, ...; el,
   los, del, y, ...) and Q does not start with a list marker ("(b)", "2."). So a heading
   ("Agenda item 143", then "Scale of ...") is not counted; a title split in two ("... the
   expenses" | "of the United Nations", "... the Granting of" | "Independence to ...") is, and
   so is a footnote body put inside a sentence that runs over a page ("... the General
   Assembly in" | "* On behalf of ..."). Agenda titles: the paragraph after "Agenda item(s)
   N", "Item(s) N of the provisional agenda", "Point N ... de l'ordre du jour", "Tema N ... del
   programa"; split = followed by such a break.
7. Impossible citation keys (goal 0), over `tracker.citations.extract_citations(ours)`, each
   citation counted once with the first reason that holds: "glued mark" = the key is not among
   the keys of the reference (PDFium's page texts with the detected marks blanked) but is one
   of them followed by the digits of one of the document's marks (A/RES/59/3009 = "59/300" +
   "9"); "other body" = an A/RES or decision key whose trigger ("resolution(s)",
   "decision(s)", the last within 150 characters before it) follows a capitalised word other
   than "Assembly" or "General" that does not open a sentence ("Council resolution 52/28",
   "Justice resolution 26/3"), or "Assembly" after a capitalised word other than "General"
   ("Environment Assembly resolution 5/14"); "session" = an A/RES or decision key of a session
   below 31 (General Assembly resolutions are numbered n/m from the 31st session, 1976) or
   above the current one (year - 1945); "number" = A/RES/n/m with m above 400 (every A/RES
   number above 350 in the corpus is an error). English wording only. Also shown, no goal:
   keys only in ours, keys only in the reference (per document, unique).
8. Speed (goal: whole pipeline >= 100 pages/s on one core). Same run and files (those that
   extract), one process pinned to one CPU (os.sched_setaffinity), after the fidelity part
   (which uses --jobs processes): per file, --repeat times, alternating, plain pypdfium2 (open,
   get_textpage().get_text_range() of every page, close) and `extract_text`; CPU time of the
   process (time.process_time: steadier than wall time on a shared machine), median per file,
   summed. Reported as pages/s of both and their ratio (pipeline pages/s / plain pages/s).

Run from the repository root (pdftotext from poppler-utils must be installed):
    python bench/bench_fidelity.py [--repeat 3] [--jobs 2] [--json FILE] [--verbose]
        [--only SUBSTRING] [--no-speed] [--rev GIT-REVISION | --src TREE]
--rev measures the extractor of a commit (exported with git archive to a temporary
directory; the working tree is not touched). --verbose prints up to 5 examples per file and
measure; the JSON holds them too.
"""

from __future__ import annotations

import argparse
import ctypes
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from bisect import bisect_right
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pypdfium2 as pdfium  # noqa: E402
import pypdfium2.raw as pdfium_c  # noqa: E402

from tests.corpus import CORPUS  # noqa: E402

# tracker.extract and tracker.citations are imported by use_source(): from this checkout, or
# from --src (an export of another commit) to measure a revision without touching this tree.
extract_text = ExtractionError = cited_keys = extract_citations = None

SETS = {"pdf": CORPUS / "pdf", "pdf-ga": CORPUS / "pdf-ga"}
PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"
EXAMPLES = 5  # per file and measure, kept for --verbose and the JSON

GOALS = {
    "table_rows_lost": ("= 0", lambda v: v == 0),
    "table_rows_merged": ("= 0", lambda v: v == 0),
    "compounds_broken": ("= 0", lambda v: v == 0),
    "marks_glued_pct": ("<= 1 %", lambda v: v <= 1.0),
    "odd_hyphens": ("= 0", lambda v: v == 0),
    "breaks_per_1000": ("<= 5", lambda v: v <= 5.0),
    "impossible_keys": ("= 0", lambda v: v == 0),
    "pipeline_pages_s": (">= 100", lambda v: v >= 100),
}

# ---------------------------------------------------------------------------------------------
# Helpers


def use_source(src: str) -> None:
    """Import the extractor and the citation finder from the project tree at ``src``."""
    global extract_text, ExtractionError, cited_keys, extract_citations
    sys.path.insert(0, src)
    from tracker.citations import cited_keys, extract_citations
    from tracker.extract import ExtractionError, extract_text

    loaded = Path(sys.modules["tracker"].__file__).resolve().parents[1]
    if loaded != Path(src).resolve():
        raise SystemExit(f"tracker was imported from {loaded}, not from {src}")


def source_revision(src: Path) -> str:
    """Commit of ``src`` (noting uncommitted changes under tracker/), or a note."""
    run = subprocess.run(
        ["git", "-C", str(src), "rev-parse", "--show-toplevel", "HEAD"],
        capture_output=True,
        text=True,
    )
    lines = run.stdout.split()
    if run.returncode or Path(lines[0]).resolve() != src.resolve():
        return f"{src} (not a git checkout)"
    dirty = subprocess.run(
        ["git", "-C", str(src), "status", "--porcelain", "--", "tracker"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return lines[1][:12] + (" +uncommitted changes in tracker/" if dirty else "")


_NONWORD = re.compile(r"[\W_]+")


def skel(text: str) -> str:
    """Letters and digits only, NFKC, casefolded: the form lines are compared in."""
    return _NONWORD.sub("", unicodedata.normalize("NFKC", text).casefold())


class Skeleton:
    """Skeleton of a text given as lines, with the line of any offset."""

    def __init__(self, lines: list[str]) -> None:
        parts = [skel(s) for s in lines]
        self.starts: list[int] = []
        pos = 0
        for part in parts:
            self.starts.append(pos)
            pos += len(part)
        self.text = "".join(parts)

    def line_at(self, offset: int) -> int:
        return bisect_right(self.starts, offset) - 1

    def ordered(self, parts: list[str], limit: int) -> bool:
        """All `parts` in order, the last ending within `limit` of the first's start."""
        parts = [p for p in parts if p]
        if not parts:
            return False
        pos = self.text.find(parts[0])
        while pos >= 0:
            end = pos + len(parts[0])
            for part in parts[1:]:
                end = self.text.find(part, end)
                if end < 0 or end - pos > limit:
                    break
                end += len(part)
            else:
                return True
            pos = self.text.find(parts[0], pos + 1)
        return False


def symbol_of(path: Path) -> str:
    """File name -> the document's symbol, as far as the name tells ("A_RES_79_249")."""
    return re.sub(r"-(?:[A-Z]{2})(?:-scan)?$", "", path.stem).replace("_", "/")


# ---------------------------------------------------------------------------------------------
# Reference lines (pdftotext -layout) and page furniture

_JOB_RE = re.compile(r"(?<![\w-])\d{2}-\d{5}(?:\s*\([A-Z]\))?(?![\w-])")
_BARCODE_RE = re.compile(r"\*\d{7,9}\*")
_PAGENO_RE = re.compile(r"(?<!\S)\d{1,3}/\d{1,3}(?!\S)")
_SYMBOL_RE = re.compile(r"(?<!\S)[A-Z][A-Z0-9.]*(?:/[A-Za-z0-9.()\-]+){1,6}(?!\S)")


# A page's first line with a bare page number at one end is a running header ("652   Assemblée
# générale - Quatorzième session - Quatrième Commission", summary records of the 1950s, where
# no blank line follows it).
_BARE_PAGENO_RE = re.compile(r"^\s*\d{1,4} {3,}\S|\S {3,}\d{1,4}\s*$")


def _is_furniture_block(lines: list[str]) -> bool:
    return any(
        _JOB_RE.search(s) or _BARCODE_RE.search(s) or _PAGENO_RE.search(s) or _SYMBOL_RE.search(s)
        for s in lines
    )


def content_lines(layout: str) -> list[tuple[int, str]]:
    """(page number, line) of every non-blank line of the reference that is not furniture, in
    order. Blank lines are kept as "" (they separate blocks, used for hyphen pairs)."""
    out: list[tuple[int, str]] = []
    pages = layout.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    for number, page in enumerate(pages, 1):
        lines = page.split("\n")
        drop: set[int] = set()
        nonblank = [i for i, s in enumerate(lines) if s.strip()]
        if not nonblank:
            continue
        # Header block: from page 2 on, the first non-blank lines down to the first blank line.
        if number > 1:
            block = []
            for i in range(nonblank[0], len(lines)):
                if not lines[i].strip() or len(block) == 4:
                    break
                block.append(i)
            if block and _is_furniture_block([lines[i] for i in block]):
                drop.update(block)
        if number > 1 and _BARE_PAGENO_RE.search(lines[nonblank[0]]):
            drop.add(nonblank[0])
        # Footer block: the last non-blank lines up from the last blank line.
        block = []
        for i in range(nonblank[-1], -1, -1):
            if not lines[i].strip() or len(block) == 4:
                break
            block.append(i)
        if block and _is_furniture_block([lines[i] for i in block]):
            drop.update(block)
        for i, s in enumerate(lines):
            if i in drop:
                continue
            out.append((number, s.rstrip()))
        out.append((number, ""))
    return out


_BRACKETED = re.compile(r"\[[0-9A-Za-z*]{1,3}\]")
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
_NUM_CELL = re.compile(r"[(\-–−+]?[$€£]?\d[\d,. ]*%?\)?[a-z*]?|[-–—]|\.\.\.?|…")


def cells(line: str, gap: int = 2) -> list[str]:
    return [c for c in re.split(f" {{{gap},}}", line.strip()) if c]


def is_table_row(line: str) -> bool:
    parts = cells(line)
    if len(parts) >= 3:
        return True
    return len(parts) == 2 and bool(_NUM_CELL.fullmatch(parts[1].strip()))


# ---------------------------------------------------------------------------------------------
# PDFium: footnote marks and the reference text for citations


def pdfium_scan(data: bytes) -> tuple[int, list[dict], str]:
    """(pages, marks, page texts with the marks removed)."""
    doc = pdfium.PdfDocument(data)
    marks: list[dict] = []
    texts: list[str] = []
    x, y = ctypes.c_double(), ctypes.c_double()
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    try:
        npages = len(doc)
        for index in range(npages):
            page = doc[index]
            textpage = page.get_textpage()
            raw = textpage.raw
            text = textpage.get_text_range()
            if len(text) != pdfium_c.FPDFText_CountChars(raw):
                texts.append(text)  # surrogate pairs: offsets are not indices, no marks here
                textpage.close()
                page.close()
                continue
            drop: set[int] = set()

            def info(i: int, raw=raw) -> tuple[float, float, float, float]:
                pdfium_c.FPDFText_GetCharOrigin(raw, i, x, y)
                pdfium_c.FPDFText_GetCharBox(raw, i, left, right, bottom, top)
                return pdfium_c.FPDFText_GetFontSize(raw, i), y.value, left.value, right.value

            for m in re.finditer(r"[0-9*]+", text):
                # A mark may follow a digit ("59/300" + "9"): every digit of the run is looked
                # at, each against the character before it.
                j = m.start() - 1
                while j >= 0 and text[j] in " \r\n\ufffe\x02":
                    j -= 1
                if j < 0:
                    continue
                prev = info(j)
                run = [info(k) for k in range(m.start(), m.end())]
                for offset, (size, cy, cx0, _) in enumerate(run):
                    psize, py, _, px1 = prev if offset == 0 else run[offset - 1]
                    if (
                        psize > 0
                        and size < 0.85 * psize
                        and 0.15 * psize <= cy - py <= psize
                        and -1.0 <= cx0 - px1 <= 0.8 * psize
                    ):
                        break
                else:
                    continue
                i = m.start() + offset
                end = i + 1
                while end < m.end():
                    s2, y2, _, _ = run[end - m.start()]
                    if abs(s2 - size) > 0.1 or abs(y2 - cy) > 0.5:
                        break
                    end += 1
                mark = text[i:end]
                # Context: the text before, earlier marks blanked ("Bangkok4 and Pelindaba").
                before = "".join(" " if k in drop else text[k] for k in range(max(0, i - 80), i))
                before = before.replace("\ufffe", "-").replace("\x02", "-")
                marks.append({"page": index + 1, "mark": mark, "before": before})
                drop.update(range(i, end))
            if drop:
                text = "".join(" " if k in drop else ch for k, ch in enumerate(text))
            texts.append(text.replace("\ufffe", "-\n"))
            textpage.close()
            page.close()
    finally:
        doc.close()
    return npages, marks, "\n".join(texts)


# ---------------------------------------------------------------------------------------------
# Measures on one file


_HYPHENS = "-\u2010\u2011"
_LINE_END_HYPHEN = re.compile(r"(\w+) ?[" + _HYPHENS + r"]$")
_LINE_START_WORD = re.compile(r"\s*(\w+)")
_CONJ = {"and", "or", "nor", "to", "et", "ou", "y", "o", "e", "u", "и", "или"}
_SPACED = re.compile(r"(?<![\w-])(\w+)(?: +[" + _HYPHENS + r"] *| *[" + _HYPHENS + r"] +)(\w+)")
_INLINE_COMPOUND = re.compile(r"(?<![\w-])\w+(?:[" + _HYPHENS + r"]\w+)+")
_ODD = {
    "\u2010": "U+2010",
    "\u2011": "U+2011",
    "\u2012": "U+2012",
    "\u00ad": "U+00AD",
    "\u00a0": "U+00A0",
    "\u202f": "U+202F",
}
_TERMINAL = set(".;:!?…")
_CLOSERS = "\"'”’»)]"
_ENDWORDS = {
    # English
    "of", "the", "and", "or", "to", "for", "in", "on", "at", "by", "with", "from", "a", "an",
    "its", "their", "as", "that", "which", "into", "upon", "under", "between", "among", "including",
    # French
    "de", "la", "le", "les", "des", "du", "et", "à", "au", "aux", "sur", "dans", "pour", "par",
    # Spanish
    "el", "los", "las", "del", "y", "en", "con", "para", "por", "al",
}  # fmt: skip
_AGENDA_RE = re.compile(
    r"^(?:Agenda items?|Items? \d+ (?:and \d+ )?of the (?:preliminary|provisional) agenda|Item)"
    r" \d|^Points? \d+ .*de l.ordre du jour|^Temas? \d+ .*del programa",
    re.I,
)
_LIST_MARK = re.compile(r"^[a-z]{1,4}[.)]\s")
_LIST_START = re.compile(r"^(?:\(?[a-z0-9]{1,5}[.)]|\([a-zA-Z0-9]{1,5}\))\s")
_KEY_RE = re.compile(r"^(?:A/RES/|decision:)(\d+)/(\d+)$")
_CURRENT_SESSION = datetime.date.today().year - 1945


def _strip_end(p: str) -> str:
    p = p.rstrip()
    while True:
        q = re.sub(r"(?:\[\w{1,3}\]|\*)$", "", p).rstrip(_CLOSERS).rstrip()
        m = re.search(r"[.;:!?…]\d{1,3}$", q)
        if m:
            q = q[: m.start() + 1]
        if q == p:
            return p
        p = q


def paragraph_breaks(ours: str) -> tuple[int, int, int, int, list[str]]:
    """(paragraphs, breaks inside sentences, agenda titles, agenda titles split, examples)."""
    paras = [p.strip() for p in ours.split("\n\n") if p.strip()]
    broken = [False] * len(paras)
    examples: list[str] = []
    for k in range(len(paras) - 1):
        p, q = _strip_end(paras[k]), paras[k + 1].lstrip("\"“‘'«")
        if not p or p[-1] in _TERMINAL:
            continue
        last = re.search(r"(\w+)$", paras[k].rstrip())
        lower = q[:1].islower() and not _LIST_MARK.match(q)
        endword = last and last.group(1) in _ENDWORDS and not _LIST_START.match(q)
        if lower or endword:
            broken[k] = True
            if len(examples) < EXAMPLES:
                examples.append(f"{paras[k][-60:]!r} | {paras[k + 1][:40]!r}")
    titles = split_titles = 0
    for k, p in enumerate(paras):
        if _AGENDA_RE.match(p) and len(p) < 80:
            titles += 1
            j = k + 1
            split = False
            while j < len(paras) - 1 and broken[j]:
                split = True
                j += 1
            split_titles += split
    return len(paras), sum(broken), titles, split_titles, examples


def _other_body(ours: str, start: int) -> bool:
    window = ours[max(0, start - 150) : start]
    hits = list(re.finditer(r"(?<![\w-])(?:[Rr]esolutions?|[Dd]ecisions?)(?![\w-])", window))
    if not hits:
        return False
    before = window[: hits[-1].start()]
    m = re.search(r"(?:(\S+)\s+)?(\S+) $", before)
    if not m:
        return False
    prev, word = m.group(1) or "", m.group(2)
    if not word[:1].isupper() or not word.isalpha():
        return False
    # "See resolution 70/1" opening a footnote, "In Resolution 78/241" after "[24 May 2024]".
    sentence_start = (
        not prev
        or prev[-1] in ".;:!?)]"
        or re.fullmatch(r"\[?\d{1,3}\]?", prev)
        or re.search(r"\n\s*\S+ $", before)
    )
    if word == "Assembly":
        return prev[:1].isupper() and prev.isalpha() and prev != "General"
    if word == "General":
        return False
    return not sentence_start


def impossible_keys(
    ours: str, self_symbol: str | None, ref_keys: set[str], marks: list[dict]
) -> tuple[int, dict[str, int], list[str], list[str], list[str]]:
    """(citations checked, impossible per reason, examples, keys only in ours, only in ref)."""
    reasons = {"glued mark": 0, "other body": 0, "session": 0, "number": 0}
    examples: list[str] = []
    mark_digits = {m["mark"] for m in marks if m["mark"].isdigit()}
    cites = extract_citations(ours, self_symbol=self_symbol)
    for c in cites:
        m = _KEY_RE.match(c.key)
        reason = None
        if c.key not in ref_keys and any(
            c.key.endswith(d) and c.key[: -len(d)] in ref_keys for d in mark_digits
        ):
            reason = "glued mark"
        elif m and _other_body(ours, c.start):
            reason = "other body"
        elif m and not 31 <= int(m.group(1)) <= _CURRENT_SESSION:
            reason = "session"
        elif m and c.key.startswith("A/RES/") and int(m.group(2)) > 400:
            reason = "number"
        if reason:
            reasons[reason] += 1
            if len(examples) < EXAMPLES:
                ctx = ours[max(0, c.start - 45) : c.start + len(c.raw) + 5].replace("\n", " ")
                examples.append(f"{c.key} [{reason}] …{ctx}…")
    ours_keys = {c.key for c in cites}
    return (
        len(cites),
        reasons,
        examples,
        sorted(ours_keys - ref_keys),
        sorted(ref_keys - ours_keys),
    )


def mark_context(before: str) -> list[str]:
    """The up to 3 word tokens before a mark, from its own line (or the line before, when
    PDFium broke the line at the mark): never the page header above the page's first line."""
    lines = re.split(r"\r?\n", before.rstrip())
    context = lines[-1]
    if not re.search(r"\w", context) and len(lines) > 1:
        context = lines[-2] + " " + context
    return re.findall(r"\w+", context)[-3:]


def locate_mark(ours: str, mark: str, before: str) -> str:
    tokens = mark_context(before)
    if not tokens:
        return "unlocated"
    # Between the words: anything but letters, and other marks ("first,[20] second",
    # "first,20 second"). The alternatives cannot overlap, so a failed search does not
    # backtrack exponentially; the pattern starts with a literal, which re scans for fast.
    context = r"(?:[^\w\[]|\[\w{1,3}\]|(?<!\d)\d{1,3}(?!\d)){0,12}?".join(
        re.escape(t) for t in tokens
    )
    m_ctx = context + r"[^\w\s\[]*"
    pattern = re.compile(m_ctx + r"(?P<sp>[ \t]*)(?P<br>\[?)" + re.escape(mark) + r"(?!\d)")
    best = None
    for m in pattern.finditer(ours):
        if m.start() and (ours[m.start() - 1].isalnum() or ours[m.start() - 1] == "_"):
            continue  # the first word is the end of a longer word
        kind = "bracketed" if m.group("br") else ("spaced" if m.group("sp") else "glued")
        if kind == "bracketed":
            return kind
        if best is None or (kind == "glued" and best == "spaced"):
            best = kind
    if best:
        return best
    for m in re.finditer(m_ctx, ours):
        if not m.start() or not (ours[m.start() - 1].isalnum() or ours[m.start() - 1] == "_"):
            return "removed"
    return "unlocated"


def analyse(path_str: str) -> dict:
    path = Path(path_str)
    data = path.read_bytes()
    result: dict = {"file": path.name, "set": path.parent.name}
    try:
        ext = extract_text(data, "application/pdf")
    except ExtractionError as exc:
        result["error"] = exc.code
        return result
    ours = ext.text
    layout = subprocess.run(
        [PDFTOTEXT, "-layout", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    npages, marks, ref_text = pdfium_scan(data)
    result["pages"] = npages
    result["text_chars"] = len(ours)

    # 1-2. Lines lost, table rows lost and merged. Two skeletons of ours, line by line: as it
    # is, and without bracketed marks ("inflation[b]"), for reference lines from which
    # pdftotext moved a superscript letter to the line above.
    ours_lines = ours.split("\n")
    variants = [Skeleton(ours_lines), Skeleton([_BRACKETED.sub("", s) for s in ours_lines])]
    lines = content_lines(layout)
    checked = lost = rows = rows_lost = merged = rtl = 0
    lost_examples: list[str] = []
    row_examples: list[str] = []
    merged_examples: list[str] = []
    prev_row: tuple[int, int, int, str] | None = None  # (page, ours line index, end, text)
    for page, line in lines:
        if not line.strip():
            continue
        k = skel(line)
        row = is_table_row(line)
        if len(k) < 4:
            prev_row = None if not row else prev_row
            continue
        if _RTL.search(line):  # pdftotext writes right-to-left lines in visual order
            rtl += 1
            prev_row = None
            continue
        checked += 1
        rows += row
        found_at = None  # (variant, offset)
        for v, sk in enumerate(variants):
            # A row is looked for after the previous row first: repeated rows stay apart.
            at = sk.text.find(k, prev_row[2]) if prev_row else -1
            if at < 0:
                at = sk.text.find(k)
            if at >= 0:
                found_at = (v, at)
                break
        found = found_at is not None
        if not found and row and not any(_NUM_CELL.fullmatch(c) for c in cells(line)[1:]):
            # A header row of wrapped cells ("Number of posts (special / political
            # missions)"): its cells in order, close together.
            found = variants[0].ordered(
                [skel(c) for c in cells(line)], 4 * len(k) + 100
            ) or variants[1].ordered([skel(c) for c in cells(line)], 4 * len(k) + 100)
        elif not found and not row:
            parts = [skel(c) for c in cells(line, 3)]
            found = len(parts) > 1 and all(p in variants[0].text for p in parts)
        if not found:
            lost += 1
            if len(lost_examples) < EXAMPLES:
                lost_examples.append(f"p{page}: {line.strip()}")
            if row:
                rows_lost += 1
                if len(row_examples) < EXAMPLES:
                    row_examples.append(f"p{page}: {' | '.join(cells(line))}")
        if row and found_at:
            v, at = found_at
            where = variants[v].line_at(at)
            if prev_row and prev_row[0] == page and prev_row[1] == where:
                merged += 1
                if len(merged_examples) < EXAMPLES:
                    merged_examples.append(f"p{page}: {prev_row[3]} + {' | '.join(cells(line))}")
            prev_row = (page, where, at + len(k), " | ".join(cells(line)))
        elif not row:
            prev_row = None
    result.update(
        lines_checked=checked,
        lines_rtl_skipped=rtl,
        lines_lost=lost,
        table_rows=rows,
        table_rows_lost=rows_lost,
        table_rows_merged=merged,
        ex_lines_lost=lost_examples,
        ex_table_rows_lost=row_examples,
        ex_table_rows_merged=merged_examples,
    )

    # 3. Hyphenated compounds: line-end compounds here, spaced candidates (filtered later
    # against the corpus vocabulary), inline compounds for the vocabulary.
    text_lines = [s for _p, s in lines]
    line_end: dict[tuple[str, str], int] = {}
    inline_words: set[str] = set()
    vocab: set[str] = set()
    for i, s in enumerate(text_lines):
        for m in _INLINE_COMPOUND.finditer(s):
            vocab.add(re.sub("[" + _HYPHENS + "]", "-", m.group(0)).casefold())
        inline_words.update(re.findall(r"\w+", s))
        m = _LINE_END_HYPHEN.search(s)
        if not m:
            continue
        nxt = next((t for t in text_lines[i + 1 : i + 6] if t.strip()), "")
        w = _LINE_START_WORD.match(nxt)
        if not w or w.group(1).casefold() in _CONJ:
            continue
        pair = (m.group(1), w.group(1))
        line_end[pair] = line_end.get(pair, 0) + 1
    glued = 0
    glued_examples: list[str] = []
    for (a, b), n in sorted(line_end.items()):
        if a + b in inline_words:
            continue
        found = len(re.findall(r"(?<![\w])" + re.escape(a + b) + r"(?!\w)", ours))
        if found:
            glued += min(found, n)
            if len(glued_examples) < EXAMPLES:
                glued_examples.append(f"{a}{b} (reference: {a}-{b})")
    spaced = []
    for m in _SPACED.finditer(ours):
        a, b = m.group(1), m.group(2)
        if b.casefold() in _CONJ or a.isdigit() and b.isdigit():
            continue
        spaced.append((f"{a}-{b}".casefold(), m.group(0)))
    result.update(
        line_end_compounds=sum(line_end.values()),
        compounds_glued=glued,
        ex_compounds_glued=glued_examples,
        spaced_candidates=spaced,
        line_end_set=sorted(f"{a}-{b}".casefold() for a, b in line_end),
        vocab=sorted(vocab),
    )

    # 4. Footnote marks.
    kinds = {"bracketed": 0, "glued": 0, "spaced": 0, "removed": 0, "unlocated": 0}
    mark_examples: list[str] = []
    for mk in marks:
        kind = locate_mark(ours, mk["mark"], mk["before"])
        kinds[kind] += 1
        if kind == "glued" and len(mark_examples) < EXAMPLES:
            ctx = " ".join(mk["before"].split())[-30:]
            mark_examples.append(f"p{mk['page']}: …{ctx}^{mk['mark']}")
    result.update(marks=len(marks), **{f"marks_{k}": v for k, v in kinds.items()})
    # Detector check: numbered marks run 1..n through a document; numbers not found are marks
    # the detector missed (or footnotes without a mark in the text).
    numbers = {int(mk["mark"]) for mk in marks if mk["mark"].isdigit()}
    result["marks_missed"] = len(set(range(1, max(numbers, default=0) + 1)) - numbers)
    result["ex_marks_glued"] = mark_examples

    # 5. Non-plain hyphens and spaces.
    odd = {name: ours.count(ch) for ch, name in _ODD.items() if ch in ours}
    result.update(odd_hyphens=sum(odd.values()), odd_detail=odd)

    # 6. Paragraph breaks.
    nparas, breaks, titles, titles_split, break_examples = paragraph_breaks(ours)
    result.update(
        paragraphs=nparas,
        breaks=breaks,
        agenda_titles=titles,
        agenda_titles_split=titles_split,
        ex_breaks=break_examples,
    )

    # 7. Citation keys.
    own = ext.symbol or symbol_of(path)
    ref_keys = set(cited_keys(ref_text, self_symbol=own))
    ncites, reasons, key_examples, only_ours, only_ref = impossible_keys(ours, own, ref_keys, marks)
    result.update(
        citations=ncites,
        impossible_keys=sum(reasons.values()),
        impossible_by_reason=reasons,
        ex_impossible_keys=key_examples,
        keys_only_ours=only_ours,
        keys_only_ref=only_ref,
    )
    return result


# ---------------------------------------------------------------------------------------------
# Speed


def speed(paths: list[Path], repeat: int) -> dict:
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
    except (AttributeError, OSError):
        cpu = None
    clock = time.process_time  # CPU time of this process: steadier than wall time on a busy box
    pages = 0
    plain_t, pipe_t = 0.0, 0.0
    wall0 = time.perf_counter()
    for path in paths:
        data = path.read_bytes()
        plain_runs, pipe_runs = [], []
        n = 0
        for _ in range(repeat):
            t0 = clock()
            doc = pdfium.PdfDocument(data)
            n = len(doc)
            for i in range(n):
                page = doc[i]
                textpage = page.get_textpage()
                textpage.get_text_range()
                textpage.close()
                page.close()
            doc.close()
            t1 = clock()
            extract_text(data, "application/pdf")
            t2 = clock()
            plain_runs.append(t1 - t0)
            pipe_runs.append(t2 - t1)
        pages += n
        plain_t += statistics.median(plain_runs)
        pipe_t += statistics.median(pipe_runs)
    return {
        "cpu": cpu,
        "clock": "process_time",
        "files": len(paths),
        "pages": pages,
        "repeat": repeat,
        "wall_s": time.perf_counter() - wall0,
        "load_average": os.getloadavg(),
        "plain_s": plain_t,
        "pipeline_s": pipe_t,
        "plain_pages_s": pages / plain_t,
        "pipeline_pages_s": pages / pipe_t,
        "ratio": plain_t / pipe_t,
    }


# ---------------------------------------------------------------------------------------------
# Report


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def finish_compounds(results: list[dict]) -> None:
    """Spaced compounds need the corpus-wide vocabulary: filter them here."""
    vocab: set[str] = set()
    for r in results:
        vocab.update(r.pop("vocab", []))
    for r in results:
        if "error" in r:
            continue
        own = set(r.pop("line_end_set"))
        hits = [raw for key, raw in r.pop("spaced_candidates") if key in vocab or key in own]
        r["compounds_spaced"] = len(hits)
        r["compounds_broken"] = r["compounds_glued"] + len(hits)
        r["ex_compounds_spaced"] = hits[:EXAMPLES]


SUMS = [
    "pages",
    "lines_checked",
    "lines_lost",
    "table_rows",
    "table_rows_lost",
    "table_rows_merged",
    "line_end_compounds",
    "compounds_glued",
    "compounds_spaced",
    "compounds_broken",
    "marks",
    "marks_bracketed",
    "marks_glued",
    "marks_spaced",
    "marks_removed",
    "marks_unlocated",
    "marks_missed",
    "lines_rtl_skipped",
    "odd_hyphens",
    "paragraphs",
    "breaks",
    "agenda_titles",
    "agenda_titles_split",
    "citations",
    "impossible_keys",
]


def totals(results: list[dict]) -> dict:
    ok = [r for r in results if "error" not in r]
    t = {k: sum(r[k] for r in ok) for k in SUMS}
    t["files"] = len(ok)
    t["marks_glued_pct"] = 100.0 * t["marks_glued"] / t["marks"] if t["marks"] else 0.0
    t["breaks_per_1000"] = 1000.0 * t["breaks"] / t["paragraphs"] if t["paragraphs"] else 0.0
    reasons: dict[str, int] = {}
    odd: dict[str, int] = {}
    for r in ok:
        for k, v in r["impossible_by_reason"].items():
            reasons[k] = reasons.get(k, 0) + v
        for k, v in r["odd_detail"].items():
            odd[k] = odd.get(k, 0) + v
    t["impossible_by_reason"] = reasons
    t["odd_detail"] = odd
    t["keys_only_ours"] = sum(len(r["keys_only_ours"]) for r in ok)
    t["keys_only_ref"] = sum(len(r["keys_only_ref"]) for r in ok)
    return t


ROWS = [
    ("files measured", "files", None),
    ("pages", "pages", None),
    ("reference lines checked", "lines_checked", None),
    ("  right-to-left lines not checked", "lines_rtl_skipped", None),
    ("lines lost", "lines_lost", None),
    ("table rows (reference)", "table_rows", None),
    ("table rows lost", "table_rows_lost", "table_rows_lost"),
    ("table rows merged onto one line", "table_rows_merged", "table_rows_merged"),
    ("line-end hyphenated compounds (reference)", "line_end_compounds", None),
    ("compounds broken", "compounds_broken", "compounds_broken"),
    ("  glued (forwardlooking)", "compounds_glued", None),
    ("  spaced (confidence - building)", "compounds_spaced", None),
    ("footnote marks (PDFium)", "marks", None),
    ("  [n]", "marks_bracketed", None),
    ("  glued", "marks_glued", None),
    ("  glued %", "marks_glued_pct", "marks_glued_pct"),
    ("  spaced", "marks_spaced", None),
    ("  removed", "marks_removed", None),
    ("  not located", "marks_unlocated", None),
    ("  detector check: numbers missing in 1..n", "marks_missed", None),
    ("non-plain hyphens/spaces left", "odd_hyphens", "odd_hyphens"),
    ("paragraphs", "paragraphs", None),
    ("breaks inside sentences", "breaks", None),
    ("  per 1,000 paragraphs", "breaks_per_1000", "breaks_per_1000"),
    ("agenda titles", "agenda_titles", None),
    ("  split", "agenda_titles_split", None),
    ("citations (ours)", "citations", None),
    ("impossible citation keys", "impossible_keys", "impossible_keys"),
    ("keys only in ours (no goal)", "keys_only_ours", None),
    ("keys only in reference (no goal)", "keys_only_ref", None),
]


def fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:,.2f}"
    return f"{v:,}"


def print_table(by_set: dict[str, dict]) -> None:
    names = list(by_set)
    width = 44
    head = f"{'measure':<{width}}" + "".join(f"{n:>12}" for n in names) + f"{'goal':>10}  met"
    print(head)
    print("-" * len(head))
    for label, key, goal in ROWS:
        vals = [by_set[n][key] for n in names]
        line = f"{label:<{width}}" + "".join(f"{fmt(v):>12}" for v in vals)
        if goal:
            text, ok = GOALS[goal]
            line += f"{text:>10}  {'yes' if ok(vals[-1]) else 'NO'}"
        print(line)
    all_ = by_set[names[-1]]
    print(f"impossible keys by reason (all): {all_['impossible_by_reason']}")
    print(f"non-plain characters (all): {all_['odd_detail']}")


def print_examples(results: list[dict]) -> None:
    keys = [
        ("ex_table_rows_lost", "table rows lost"),
        ("ex_lines_lost", "lines lost"),
        ("ex_table_rows_merged", "table rows merged"),
        ("ex_compounds_glued", "compounds glued"),
        ("ex_compounds_spaced", "compounds spaced"),
        ("ex_marks_glued", "marks glued"),
        ("ex_breaks", "paragraph breaks"),
        ("ex_impossible_keys", "impossible keys"),
    ]
    for r in results:
        if "error" in r:
            continue
        shown = [(label, r[k]) for k, label in keys if r.get(k)]
        odd = r["odd_detail"]
        if not shown and not odd:
            continue
        print(f"\n== {r['set']}/{r['file']}")
        if odd:
            print(f"  non-plain characters: {odd}")
        for label, items in shown:
            print(f"  {label}:")
            for item in items:
                print(f"    {item}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=3, help="speed: runs per file (median)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="fidelity workers")
    parser.add_argument("--json", type=Path, help="write machine-readable results here")
    parser.add_argument("--verbose", action="store_true", help="print examples per file")
    parser.add_argument("--only", help="only files whose name contains this")
    parser.add_argument("--no-speed", action="store_true", help="skip the speed measurement")
    parser.add_argument(
        "--rev",
        help="measure the extractor of this git revision (exported with git archive to a "
        "temporary directory; the working tree is not touched), e.g. --rev HEAD",
    )
    parser.add_argument(
        "--src",
        type=Path,
        default=ROOT,
        help="project tree to import tracker from (default: this checkout); e.g. an export of "
        "a commit: git archive HEAD | tar -x -C /tmp/head",
    )
    args = parser.parse_args()
    tmp = None
    if args.rev:
        tmp = tempfile.mkdtemp(prefix="bench-fidelity-")
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", "--format=tar", args.rev, "tracker"],
            capture_output=True,
            check=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        args.src = Path(tmp)
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", args.rev],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        revision = f"{args.rev} = {commit[:12]} (exported)"
    else:
        revision = source_revision(args.src)
    try:
        run(args, revision)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def run(args: argparse.Namespace, revision: str) -> None:
    use_source(str(args.src))
    from tracker.extract import EXTRACTOR_VERSION

    revision += f", EXTRACTOR_VERSION {EXTRACTOR_VERSION}"

    paths = [p for d in SETS.values() for p in sorted(d.glob("*.pdf"))]
    if args.only:
        paths = [p for p in paths if args.only in p.name]
    print(f"machine: nproc={os.cpu_count()}, CPU {cpu_model()}, Python {platform.python_version()}")
    version = subprocess.run([PDFTOTEXT, "-v"], capture_output=True, text=True).stderr
    print(f"reference: {version.splitlines()[0] if version else PDFTOTEXT}; {pdfium.PYPDFIUM_INFO}")
    print(f"extractor: {args.src} at {revision}")
    print(f"corpus: {len(paths)} PDFs in {', '.join(str(d) for d in SETS.values())}")

    t0 = time.perf_counter()
    with ProcessPoolExecutor(
        max(1, args.jobs), initializer=use_source, initargs=(str(args.src),)
    ) as pool:
        results = list(pool.map(analyse, [str(p) for p in paths], chunksize=1))
    finish_compounds(results)
    fidelity_s = time.perf_counter() - t0
    for r in results:
        if "error" in r:
            print(f"not measured: {r['set']}/{r['file']}: extraction failed ({r['error']})")

    by_set = {}
    for name in SETS:
        subset = [r for r in results if r["set"] == name]
        if subset:
            by_set[name + "/"] = totals(subset)
    if len(by_set) > 1:
        by_set["all"] = totals(results)
    print(f"\nfidelity ({fidelity_s:.1f} s, {args.jobs} workers):\n")
    print_table(by_set)

    spd = None
    if not args.no_speed:
        ok = [p for p, r in zip(paths, results, strict=True) if "error" not in r]
        spd = speed(ok, args.repeat)
        text, met = GOALS["pipeline_pages_s"]
        print(
            f"\nspeed (one process on CPU {spd['cpu']}, CPU time, median of {spd['repeat']} per "
            f"file, {spd['files']} files, {spd['pages']} pages; load average "
            f"{spd['load_average'][0]:.1f}):\n"
            f"  plain pypdfium2 : {spd['plain_s']:.2f} s = {spd['plain_pages_s']:.0f} pages/s\n"
            f"  extract_text    : {spd['pipeline_s']:.2f} s = {spd['pipeline_pages_s']:.0f} "
            f"pages/s (goal {text}: {'yes' if met(spd['pipeline_pages_s']) else 'NO'})\n"
            f"  ratio pipeline/plain (speed): {spd['ratio']:.2f}"
        )
    if args.verbose:
        print_examples(results)
    if args.json:
        payload = {
            "date": datetime.datetime.now().isoformat(timespec="seconds"),
            "machine": {"nproc": os.cpu_count(), "cpu": cpu_model()},
            "python": platform.python_version(),
            "extractor": {
                "src": f"git archive {args.rev}" if args.rev else str(args.src),
                "revision": revision,
            },
            "reference": version.splitlines()[0] if version else PDFTOTEXT,
            "goals": {k: v[0] for k, v in GOALS.items()},
            "totals": by_set,
            "speed": spd,
            "files": results,
        }
        # One line per file: a diff between two runs shows the files that changed.
        files = payload.pop("files")
        head = json.dumps(payload, indent=1, ensure_ascii=False)
        rows = ",\n".join("  " + json.dumps(r, ensure_ascii=False) for r in files)
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(f'{head[:-2]},\n "files": [\n{rows}\n ]\n}}\n')
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
