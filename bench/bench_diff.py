"""Benchmark of tracker.diff.compute_diff on real UN text.

    .venv/bin/python bench/bench_diff.py [--repeat 5] [--out bench/diff-results.md]

Cases (each for every installed engine, with and without the anchored pre-pass):

* ``2mb-50-edits``: ~2 MB (2,000,000 characters) built from the English text of A/79/88
  (extracted with pypdf) followed by the UN Charter in its six languages, repeated to length;
  50 scattered edits (insertions, deletions, replacements of words and sentences, taken from
  the same real text).
* ``2mb-50-edits-no-newlines``: the same texts with every "\\n" replaced by a space.
* ``pathological-1mb-unrelated``: 1,000,000 characters of A/79/88 + Charter (en, fr, es)
  against 1,000,000 characters of the Charter in ru, ar, zh (no common text to speak of);
  must come back as "replaced" within about the time limit.

The timing is the wall time of ``compute_diff`` (best and median of --repeat runs).
Targets: <= 150 ms for the two 2 MB cases.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.corpus import CHARTER_DIR, corpus_pdf  # noqa: E402
from tracker.diff import (  # noqa: E402
    ENGINE_CPP,
    ENGINE_PY,
    available_engines,
    change_stats,
    compute_diff,
)

TARGET_MS = 150
SIZE = 2_000_000
CACHE = Path(os.environ.get("TMPDIR", "/tmp")) / "disarmwatch-bench-A_79_88.txt"
LANGS = ("en", "fr", "es", "ru", "ar", "zh")


def a_79_88_text() -> str:
    """English text of A/79/88 via pypdf (cached: extraction takes ~10 s)."""
    pdf = corpus_pdf("A_79_88.pdf")
    if CACHE.exists() and CACHE.stat().st_mtime >= pdf.stat().st_mtime:
        return CACHE.read_text(encoding="utf-8")
    from pypdf import PdfReader

    text = "\n\n".join(page.extract_text() or "" for page in PdfReader(pdf).pages)
    CACHE.write_text(text, encoding="utf-8")
    return text


def charter(lang: str) -> str:
    return (CHARTER_DIR / f"un-charter-{lang}.txt").read_text(encoding="utf-8")


def to_length(parts: list[str], size: int) -> str:
    out, n = [], 0
    while n < size:
        for part in parts:
            out.append(part)
            n += len(part)
            if n >= size:
                break
    return "".join(out)[:size]


def scattered_edits(text: str, n: int, seed: int = 79) -> str:
    """Apply n edits spread over the text: word/sentence insertions, deletions, replacements.
    Inserted material is real text taken from elsewhere in the document."""
    rng = random.Random(seed)
    step = len(text) // n
    out, prev = [], 0
    for i in range(n):
        pos = i * step + rng.randrange(step // 4, 3 * step // 4)
        # snap to the start of a word
        while pos < len(text) and not text[pos - 1].isspace():
            pos += 1
        kind = ("insert-word", "delete-word", "replace-word", "insert-sentence",
                "delete-sentence", "replace-sentence")[i % 6]  # fmt: skip
        end = pos
        if kind.endswith("word"):
            while end < len(text) and not text[end].isspace():
                end += 1
        else:
            stop = text.find(". ", pos, pos + 400)
            end = stop + 2 if stop >= 0 else min(len(text), pos + 120)
        donor = rng.randrange(0, len(text) - 400)
        if kind.endswith("word"):
            word_end = text.find(" ", donor + 1)
            new = text[donor:word_end].strip() or "disarmament"
            new += " " if kind.startswith("insert") else ""
        else:
            s = text.find(". ", donor) + 2
            new = text[s : text.find(". ", s) + 2] or "The Committee met. "
        out.append(text[prev:pos])
        if kind.startswith("insert"):
            out.append(new)
            prev = pos
        elif kind.startswith("delete"):
            prev = end
        else:
            out.append(new)
            prev = end
    out.append(text[prev:])
    return "".join(out)


def timed(fn, repeat: int) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times), result


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--timeout", type=float, default=2.0, help="compute_diff time limit (s)")
    ap.add_argument("--out", type=Path, default=None, help="write a markdown report here")
    args = ap.parse_args()

    doc = a_79_88_text()
    charters = [charter(lang) for lang in LANGS]
    base = to_length([doc, *charters], SIZE)
    edited = scattered_edits(base, 50)
    base_nl = base.replace("\n", " ")
    edited_nl = edited.replace("\n", " ")
    unrelated_a = to_length([doc, charters[0], charters[1], charters[2]], SIZE // 2)
    unrelated_b = to_length([charters[3], charters[4], charters[5]], SIZE // 2)

    cases = [
        ("2mb-50-edits", base, edited, args.repeat),
        ("2mb-50-edits-no-newlines", base_nl, edited_nl, args.repeat),
        ("pathological-1mb-unrelated", unrelated_a, unrelated_b, 1),
    ]
    rows = []
    for name, a, b, repeat in cases:
        for engine in available_engines():
            for prepass in (True, False):
                slow_py = engine == ENGINE_PY and not prepass and name != cases[2][0]
                best, median, diff = timed(
                    lambda a=a, b=b, e=engine, p=prepass: compute_diff(
                        a, b, timeout=args.timeout, engine=e, prepass=p
                    ),
                    1 if slow_py else repeat,
                )
                stats = change_stats(diff)
                ok = diff.text_a() == a and diff.text_b() == b
                met = median * 1000 <= TARGET_MS and not diff.timed_out
                target = "" if name.startswith("pathological") else ("yes" if met else "NO")
                row = dict(
                    case=name,
                    engine=engine,
                    prepass="yes" if prepass else "no",
                    best=best * 1000,
                    median=median * 1000,
                    runs=1 if slow_py else repeat,
                    timed_out=diff.timed_out,
                    ops=len(diff.ops),
                    added=stats.chars_added,
                    removed=stats.chars_removed,
                    valid=ok,
                    target=target,
                )
                rows.append(row)
                print(
                    f"{name:28} {engine:22} prepass={row['prepass']:3} "
                    f"best={row['best']:9.1f} ms median={row['median']:9.1f} ms "
                    f"timed_out={diff.timed_out!s:5} ops={len(diff.ops):5} "
                    f"+{stats.chars_added} -{stats.chars_removed} valid={ok} {target}",
                    flush=True,
                )

    if args.out:
        write_report(args, rows, len(base), len(edited), len(unrelated_a), len(unrelated_b))


NOTES = [
    "Notes:",
    "",
    "- `pre-pass=yes` is the default of `compute_diff`: common prefix/suffix trimmed, then the "
    "middle split recursively at 32-character samples found the same number of times (<= 8) in "
    "both texts; only the small changed regions reach the engine, then one windowed "
    "semantic-cleanup pass over the stitched ops. Both engines give the same ops here.",
    "- Without the pre-pass the C++ engine misses the target on text without newlines (its "
    "line mode cannot narrow anything down), and the pure Python engine hits the 2 s limit "
    "(result: 'replaced').",
    "- The C++ engine's time limit is process CPU time (`clock()`), so on a loaded machine the "
    "wall time of a timed-out diff can exceed the limit (seen: ~2.5 s for a 2 s limit while "
    "other jobs ran on this 2-CPU machine; ~2.02 s when idle). `compute_diff` checks both "
    "clocks to detect the limit.",
    "- Timings on a shared 2-CPU machine; medians vary with the other load, best-of is the "
    "steadier figure.",
    "- Pure Python engine with pre-pass: best ~90-115 ms over several runs, medians 93-185 ms "
    "depending on the other load, so it meets the 150 ms target on an idle machine but without "
    "much headroom. ~78 ms of it is dmp's character-level bisection of the ~15 regions where a "
    "whole sentence was replaced by an unrelated one (pure Python cost grows with the square of "
    "the replaced length); the C++ engine is 3-4x faster.",
]


def write_report(args, rows, n_base, n_edited, n_ua, n_ub) -> None:
    lines = [
        "# compute_diff benchmark",
        "",
        f"Machine: {os.cpu_count()} CPUs (`nproc`: {len(os.sched_getaffinity(0))}), "
        f"{cpu_model()}; Python {platform.python_version()}.",
        f"Command: `.venv/bin/python bench/bench_diff.py --repeat {args.repeat} "
        f"--timeout {args.timeout} --out {args.out}`; time limit passed to compute_diff: "
        f"{args.timeout} s. Times are wall-clock ms of one `compute_diff` call "
        "(best / median of the runs).",
        "",
        f"Texts: 2 MB case {n_base:,} -> {n_edited:,} characters (A/79/88 English via pypdf + "
        f"UN Charter in 6 languages, repeated to length, 50 scattered edits); "
        f"pathological case {n_ua:,} vs {n_ub:,} characters (en/fr/es vs ru/ar/zh). "
        f"`prepass=no` hands the whole texts to the engine (dmp's own prefix/suffix trimming "
        f"and line mode only). Target <= {TARGET_MS} ms for the 2 MB cases.",
        "",
        "| case | engine | pre-pass | best ms | median ms | runs | limit hit | ops | +chars "
        "| -chars | ops rebuild a, b | target met |",
        "|---|---|---|---:|---:|---:|---|---:|---:|---:|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['case']} | {r['engine']} | {r['prepass']} | {r['best']:.1f} | "
            f"{r['median']:.1f} | {r['runs']} | {'yes' if r['timed_out'] else 'no'} | "
            f"{r['ops']} | {r['added']} | {r['removed']} | {'yes' if r['valid'] else 'NO'} | "
            f"{r['target'] or 'n/a'} |"
        )
    lines += ["", *NOTES]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    assert ENGINE_CPP and ENGINE_PY
    main()
