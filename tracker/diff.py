"""Character-level diffs of document texts, their statistics and short excerpts.

Modelled on EDGI's web-monitoring-diff: the diff itself is a plain function over two texts
(``compute_diff``), the output formats are plain functions over a :class:`Diff`, listed in one
map (``RENDERERS`` in :mod:`tracker.diff_render`, re-exported here). Time and size limits are
explicit parameters, never library defaults: both diff-match-patch libraries default to an
*unlimited* run time, so ``compute_diff`` always passes one.

Engines: ``fast_diff_match_patch`` (C++ bindings) when importable, else the pure Python
``diff_match_patch``. Both are driven through the same anchored pre-pass (see
:func:`_anchored_diff`): common prefix/suffix are trimmed and the remaining middle is split
recursively at substrings that occur the same (small) number of times in both texts, so the
character-level engine only ever sees the small regions that actually changed. That keeps a
2 MB document with a few dozen scattered edits fast even without any newline, and even for the
pure Python engine.

When an engine hits its time limit it returns a coarse (but valid) diff. We detect that and
return the "replaced" diff ``[(-1, a), (1, b)]`` with ``timed_out=True`` instead, so callers
never mistake a coarse diff for a precise one.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

Op = tuple[int, str]  # (-1 deleted | 0 equal | 1 inserted, text)

DELETE, EQUAL, INSERT = -1, 0, 1

ENGINE_CPP = "fast-diff-match-patch"
ENGINE_PY = "diff-match-patch"
CLEANUPS = ("semantic", "efficiency", "none")

# Size limits of the anchored pre-pass (characters).
ANCHOR_LEN = 32  # length of the sample searched for in the other text
ANCHOR_MAX_OCCURRENCES = 8  # a sample may repeat at most this often (same count in a and b)
ANCHOR_MIN_SPAN = 1024  # middles shorter than this (len(a) + len(b)) go straight to the engine
ANCHOR_MAX_DEPTH = 48  # recursion depth limit of the pre-pass
_ANCHOR_FRACTIONS = (0.5, 0.375, 0.625, 0.25, 0.75, 0.125, 0.875, 0.0625, 0.9375)

PARAGRAPH_SEP = "\n\n"

try:  # pragma: no cover - depends on the installation
    import fast_diff_match_patch as _fdmp
except ImportError:  # pragma: no cover
    _fdmp = None

try:  # pragma: no cover - depends on the installation
    import diff_match_patch as _pydmp_module
except ImportError:  # pragma: no cover
    _pydmp_module = None


@dataclass
class Diff:
    """A character-level diff: ``ops`` applied in order spell out both texts."""

    ops: list[Op]
    timed_out: bool = False  # True: the engine hit its time limit; ops are [(-1, a), (1, b)]
    engine: str = ""  # "fast-diff-match-patch" | "diff-match-patch"
    elapsed: float = field(default=0.0, compare=False)  # seconds spent in compute_diff

    @property
    def replaced(self) -> bool:
        return self.timed_out

    @property
    def changed(self) -> bool:
        return any(op != EQUAL for op, _ in self.ops)

    def text_a(self) -> str:
        """The old text, rebuilt from the ops."""
        return "".join(t for op, t in self.ops if op != INSERT)

    def text_b(self) -> str:
        """The new text, rebuilt from the ops."""
        return "".join(t for op, t in self.ops if op != DELETE)


def available_engines() -> list[str]:
    """Engines importable here, preferred first."""
    engines = []
    if _fdmp is not None:
        engines.append(ENGINE_CPP)
    if _pydmp_module is not None:
        engines.append(ENGINE_PY)
    return engines


# --------------------------------------------------------------------------------------------
# Engines. Each takes (a, b, limit_seconds, cleanup) and returns (ops, hit_time_limit).


def _cpp_engine(a: str, b: str, limit: float, cleanup: str) -> tuple[list[Op], bool]:
    # The C++ library measures its deadline with clock() (process CPU time), so check both clocks.
    mode = {"semantic": "Semantic", "efficiency": "Efficiency", "none": "No"}[cleanup]
    w0, c0 = time.perf_counter(), time.process_time()
    raw = _fdmp.diff(a, b, timelimit=limit, checklines=True, cleanup=mode, counts_only=False)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    codes = {"=": EQUAL, "-": DELETE, "+": INSERT}
    ops = [(codes[op], text) for op, text in raw]
    return ops, max(wall, cpu) >= limit


if _pydmp_module is not None:

    class _FlaggingDMP(_pydmp_module.diff_match_patch):
        """Pure Python diff-match-patch that records whether a bisection ran out of time."""

        hit_deadline = False

        def diff_bisect(self, text1, text2, deadline):
            result = super().diff_bisect(text1, text2, deadline)
            if time.time() > deadline:
                self.hit_deadline = True
            return result


def _py_engine(a: str, b: str, limit: float, cleanup: str) -> tuple[list[Op], bool]:
    dmp = _FlaggingDMP()
    dmp.Diff_Timeout = limit
    start = time.perf_counter()
    ops = dmp.diff_main(a, b, True, time.time() + limit)
    if cleanup == "semantic":
        dmp.diff_cleanupSemantic(ops)
    elif cleanup == "efficiency":
        dmp.diff_cleanupEfficiency(ops)
    hit = dmp.hit_deadline or time.perf_counter() - start >= limit
    return [(op, text) for op, text in ops], hit


_ENGINES: dict[str, Callable[[str, str, float, str], tuple[list[Op], bool]]] = {
    ENGINE_CPP: _cpp_engine,
    ENGINE_PY: _py_engine,
}


class _TimeLimit(Exception):
    pass


# --------------------------------------------------------------------------------------------
# The anchored pre-pass.


def common_prefix_len(a: str, b: str) -> int:
    """Length of the common prefix (binary search over slices: C speed on long texts)."""
    if not a or not b or a[0] != b[0]:
        return 0
    lo, hi = 0, min(len(a), len(b))
    mid, start = hi, 0
    while lo < mid:
        if a[start:mid] == b[start:mid]:
            lo = mid
            start = lo
        else:
            hi = mid
        mid = (hi - lo) // 2 + lo
    return mid


def common_suffix_len(a: str, b: str) -> int:
    """Length of the common suffix."""
    if not a or not b or a[-1] != b[-1]:
        return 0
    lo, hi = 0, min(len(a), len(b))
    mid, end = hi, 0
    while lo < mid:
        if a[len(a) - mid : len(a) - end] == b[len(b) - mid : len(b) - end]:
            lo = mid
            end = lo
        else:
            hi = mid
        mid = (hi - lo) // 2 + lo
    return mid


def _occurrences(text: str, sample: str, limit: int) -> list[int]:
    """Start positions of ``sample`` in ``text`` (overlapping), at most ``limit + 1`` of them."""
    found = []
    i = text.find(sample)
    while i >= 0 and len(found) <= limit:
        found.append(i)
        i = text.find(sample, i + 1)
    return found


def _find_anchor(a: str, b: str) -> tuple[int, int] | None:
    """Positions (ia, ib) of one common substring to split a and b at, or None.

    A sample of ``a`` qualifies when it occurs in ``a`` and ``b`` the same number of times
    (at most ANCHOR_MAX_OCCURRENCES); its k-th occurrence in ``a`` is paired with the k-th in
    ``b``. Samples are tried from the middle outwards, so splits are balanced.
    """
    n = len(a)
    if n < 4 * ANCHOR_LEN or len(b) < 4 * ANCHOR_LEN:
        return None
    for frac in _ANCHOR_FRACTIONS:
        pos = int((n - ANCHOR_LEN) * frac)
        sample = a[pos : pos + ANCHOR_LEN]
        in_b = _occurrences(b, sample, ANCHOR_MAX_OCCURRENCES)
        if not in_b or len(in_b) > ANCHOR_MAX_OCCURRENCES:
            continue
        in_a = _occurrences(a, sample, ANCHOR_MAX_OCCURRENCES)
        if len(in_a) != len(in_b):
            continue
        k = in_a.index(pos)
        return pos, in_b[k]
    return None


def _anchored_diff(
    a: str,
    b: str,
    out: list[Op],
    engine: Callable[[str, str, float, str], tuple[list[Op], bool]],
    deadline: float,
    cleanup: str,
    depth: int = 0,
) -> None:
    """Append the ops turning ``a`` into ``b`` to ``out``; raise _TimeLimit on timeout."""
    p = common_prefix_len(a, b)
    if p:
        out.append((EQUAL, a[:p]))
        a, b = a[p:], b[p:]
    s = common_suffix_len(a, b)
    suffix = ""
    if s:
        suffix = a[len(a) - s :]
        a, b = a[: len(a) - s], b[: len(b) - s]
    if not a and b:
        out.append((INSERT, b))
    elif a and not b:
        out.append((DELETE, a))
    elif a and b:
        split = None
        if len(a) + len(b) >= ANCHOR_MIN_SPAN and depth < ANCHOR_MAX_DEPTH:
            split = _find_anchor(a, b)
        if split is not None:
            ia, ib = split
            _anchored_diff(a[:ia], b[:ib], out, engine, deadline, cleanup, depth + 1)
            _anchored_diff(a[ia:], b[ib:], out, engine, deadline, cleanup, depth + 1)
        else:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise _TimeLimit
            ops, hit = engine(a, b, remaining, cleanup)
            if hit:
                raise _TimeLimit
            out.extend(ops)
    if suffix:
        out.append((EQUAL, suffix))


def merge_ops(ops: list[Op]) -> list[Op]:
    """Drop empty ops and join neighbours of the same kind; deletions before insertions."""
    out: list[Op] = []
    dels: list[str] = []
    ins: list[str] = []
    eq: list[str] = []

    def flush_changes() -> None:
        if dels:
            out.append((DELETE, "".join(dels)))
            dels.clear()
        if ins:
            out.append((INSERT, "".join(ins)))
            ins.clear()

    for op, text in ops:
        if not text:
            continue
        if op == EQUAL:
            flush_changes()
            eq.append(text)
        else:
            if eq:
                out.append((EQUAL, "".join(eq)))
                eq.clear()
            (dels if op == DELETE else ins).append(text)
    flush_changes()
    if eq:
        out.append((EQUAL, "".join(eq)))
    return out


CLEANUP_WINDOW = 256  # context kept around edits by the final cleanup pass (characters)


def _final_cleanup(ops: list[Op], cleanup: str) -> list[Op]:
    """Re-run the cleanup over the stitched ops, so that edits next to a split point (the
    trimmed prefix/suffix, an anchor) get the same treatment (e.g. shifted onto word or
    paragraph boundaries) as in one engine call. Long equalities separate independent groups
    and only their ends (CLEANUP_WINDOW characters) are handed to the cleanup."""
    if cleanup == "none" or _pydmp_module is None or len(ops) < 2:
        return ops
    dmp = _pydmp_module.diff_match_patch()
    step = dmp.diff_cleanupSemantic if cleanup == "semantic" else dmp.diff_cleanupEfficiency
    w = CLEANUP_WINDOW
    out: list[Op] = []
    group: list[Op] = []

    def flush() -> None:
        if any(op != EQUAL for op, _ in group):
            step(group)
        out.extend(group)
        group.clear()

    for op, text in ops:
        if op == EQUAL and len(text) > 2 * w:
            group.append((EQUAL, text[:w]))
            flush()
            out.append((EQUAL, text[w : len(text) - w]))
            group.append((EQUAL, text[len(text) - w :]))
        else:
            group.append((op, text))
    flush()
    return merge_ops(out)


def compute_diff(
    a: str,
    b: str,
    *,
    timeout: float = 2.0,
    cleanup: str = "semantic",
    engine: str | None = None,
    prepass: bool = True,
) -> Diff:
    """Character-level diff of ``a`` -> ``b``.

    ``timeout`` (seconds, > 0) bounds the engine time; when it is hit, the result is the
    "replaced" diff ``[(-1, a), (1, b)]`` with ``timed_out=True``. ``cleanup`` is "semantic"
    (human-readable, default), "efficiency" or "none". ``engine`` forces
    "fast-diff-match-patch" or "diff-match-patch" (default: the C++ one when importable).
    ``prepass=False`` hands the whole texts to the engine (for benchmarks).
    """
    if not timeout or timeout <= 0:
        raise ValueError("timeout must be a positive number of seconds")
    if cleanup not in CLEANUPS:
        raise ValueError(f"cleanup must be one of {', '.join(CLEANUPS)}, not {cleanup!r}")
    if engine is None:
        engines = available_engines()
        if not engines:
            raise RuntimeError("neither fast_diff_match_patch nor diff_match_patch is installed")
        engine = engines[0]
    elif engine not in _ENGINES or engine not in available_engines():
        raise ValueError(f"engine must be one of {', '.join(available_engines())}, not {engine!r}")
    run = _ENGINES[engine]
    start = time.perf_counter()
    deadline = start + timeout
    ops: list[Op] = []
    try:
        if prepass:
            _anchored_diff(a, b, ops, run, deadline, cleanup)
            ops = _final_cleanup(merge_ops(ops), cleanup)
        elif a != b:
            ops, hit = run(a, b, timeout, cleanup)
            if hit:
                raise _TimeLimit
        elif a:
            ops = [(EQUAL, a)]
    except _TimeLimit:
        replaced = [(op, text) for op, text in ((DELETE, a), (INSERT, b)) if text]
        return Diff(replaced, True, engine, time.perf_counter() - start)
    return Diff(merge_ops(ops), False, engine, time.perf_counter() - start)


# --------------------------------------------------------------------------------------------
# Segmentation into units (lines, paragraphs) shared by stats and renderers.


ALIGN_MAX_SHIFT = 1000  # how far align_edits may slide an edit (characters)


def _tail_of(left: str, right: str, n: int) -> str:
    """Last ``n`` characters of left + right, without building it."""
    return right[-n:] if len(right) >= n else (left[-n:] + right)[-n:]


def align_edits(ops: list[Op], sep: str) -> list[Op]:
    """Slide pure insertions/deletions (one edit between two equalities) so that they start
    and end on ``sep`` boundaries when an equivalent position exists, e.g. an inserted line
    found as ``"\nnew line"`` after "old line" becomes ``"new line\n"`` after "old line\n".
    The texts are unchanged; only where the edit sits is."""
    ops = list(ops)
    n = len(sep)
    for idx in range(len(ops)):
        op, edit = ops[idx]
        if op == EQUAL or not edit:
            continue
        if (idx > 0 and ops[idx - 1][0] != EQUAL) or (
            idx + 1 < len(ops) and ops[idx + 1][0] != EQUAL
        ):
            continue  # part of a replacement
        before = ops[idx - 1][1] if idx > 0 else ""
        after = ops[idx + 1][1] if idx + 1 < len(ops) else ""

        at_start = idx == 0
        if (at_start or before.endswith(sep)) and edit.endswith(sep):
            continue  # already aligned
        if len(edit) > ALIGN_MAX_SHIFT:
            continue
        best = None
        limit = min(len(edit), ALIGN_MAX_SHIFT)
        k = 0  # slide right by k: requires edit[:k] == after[:k]
        while k < limit and k < len(after) and edit[k] == after[k]:
            k += 1
            p_tail = _tail_of(before, after[:k], n)
            e_tail = _tail_of(edit[k:], edit[:k], n)
            if p_tail.endswith(sep) and e_tail.endswith(sep):
                best = k
                break
        k = 0  # slide left by k: requires edit[-k:] == before[-k:]
        while (best is None or k < best) and k < limit and k < len(before):
            if edit[len(edit) - 1 - k] != before[len(before) - 1 - k]:
                break
            k += 1
            p_rest = before[: len(before) - k]
            e_new = before[len(before) - k :] + edit[: len(edit) - k]
            if (p_rest.endswith(sep) or (not p_rest and at_start)) and e_new.endswith(sep):
                best = -k
                break
        if not best:
            continue
        if best > 0:
            k = best
            before, edit, after = before + after[:k], edit[k:] + edit[:k], after[k:]
        else:
            k = -best
            before, edit, after = (
                before[: len(before) - k],
                before[len(before) - k :] + edit[: len(edit) - k],
                edit[len(edit) - k :] + after,
            )
        if idx > 0:
            ops[idx - 1] = (EQUAL, before)
        elif before:  # cannot happen: nothing to slide left into
            ops.insert(0, (EQUAL, before))
        ops[idx] = (op, edit)
        if idx + 1 < len(ops):
            ops[idx + 1] = (EQUAL, after)
        elif after:
            ops.append((EQUAL, after))
    return [(op, t) for op, t in ops if t]


def segments(ops: list[Op], sep: str) -> list[tuple[str, object]]:
    """Split ``ops`` into units ending with ``sep`` ("\\n" lines, "\\n\\n" paragraphs).

    Returns ``("equal", text)`` items (whole units unchanged, identical in both texts) and
    ``("change", ops)`` items: the smallest run of ops whose old side and new side both start
    and end on unit boundaries. Concatenating all items gives back the ops.
    """
    ops = align_edits(ops, sep)
    n = len(sep)
    out: list[tuple[str, object]] = []
    common = ""  # pending unchanged text (a partial unit) while not dirty
    pend: list[Op] = []  # ops of the open change segment while dirty

    def side_tail(side: int) -> str:
        # Last ``n`` characters of one side (DELETE: old, INSERT: new) of the open change.
        tail = ""
        for op, text in reversed(pend):
            if op == -side:
                continue
            tail = text[-n:] + tail
            if len(tail) >= n:
                break
        return tail

    for op, text in ops:
        if not text:
            continue
        if not pend:  # clean
            if op == EQUAL:
                common += text
                k = common.rfind(sep)
                if k >= 0:
                    out.append(("equal", common[: k + n]))
                    common = common[k + n :]
            else:
                if common:
                    pend.append((EQUAL, common))
                    common = ""
                pend.append((op, text))
            continue
        if op != EQUAL:
            pend.append((op, text))
            continue
        # dirty and an equality: close the change at the first boundary common to both sides
        cut = -1
        tails = (side_tail(DELETE), side_tail(INSERT))
        for i in range(0, min(n, len(text) + 1)):
            ends = [tail + text[:i] for tail in tails]
            if all(not e or e.endswith(sep) for e in ends):
                cut = i
                break
        if cut < 0:
            j = text.find(sep)
            if j >= 0:
                cut = j + n
        if cut < 0:
            pend.append((EQUAL, text))
            continue
        if cut:
            pend.append((EQUAL, text[:cut]))
        out.append(("change", pend))
        pend = []
        rest = text[cut:]
        if rest:
            common = rest
            k = common.rfind(sep)
            if k >= 0:
                out.append(("equal", common[: k + n]))
                common = common[k + n :]
    if pend:
        out.append(("change", pend))
    elif common:
        out.append(("equal", common))
    merged: list[tuple[str, object]] = []
    for kind, item in out:
        if kind == "equal" and merged and merged[-1][0] == "equal":
            merged[-1] = ("equal", merged[-1][1] + item)
        else:
            merged.append((kind, item))
    return merged


def split_units(text: str, sep: str) -> list[str]:
    """Split text into units each ending with ``sep`` (the last one may not)."""
    parts = text.split(sep)
    units = [p + sep for p in parts[:-1]]
    if parts[-1]:
        units.append(parts[-1])
    return units


# --------------------------------------------------------------------------------------------
# Statistics.


@dataclass
class ChangeStats:
    chars_added: int
    chars_removed: int
    paragraphs_added: int
    paragraphs_removed: int
    paragraphs_changed: int
    replaced: bool

    def as_dict(self) -> dict:
        return asdict(self)


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split(PARAGRAPH_SEP) if p.strip()]


def change_stats(diff: Diff) -> ChangeStats:
    """Characters and paragraphs (separated by "\\n\\n") added, removed and changed.

    Within a changed stretch, paragraphs whose text is identical on both sides are not counted;
    of the rest, pairs count as changed and the surplus as added or removed.
    """
    added = sum(len(t) for op, t in diff.ops if op == INSERT)
    removed = sum(len(t) for op, t in diff.ops if op == DELETE)
    p_add = p_rem = p_chg = 0
    for kind, item in segments(diff.ops, PARAGRAPH_SEP):
        if kind != "change":
            continue
        old = Counter(_paragraphs("".join(t for op, t in item if op != INSERT)))
        new = Counter(_paragraphs("".join(t for op, t in item if op != DELETE)))
        same = old & new
        n_old = sum((old - same).values())
        n_new = sum((new - same).values())
        changed = min(n_old, n_new)
        p_chg += changed
        p_rem += n_old - changed
        p_add += n_new - changed
    return ChangeStats(added, removed, p_add, p_rem, p_chg, diff.replaced)


# --------------------------------------------------------------------------------------------
# Whole-character cuts and excerpts.


def _extends(ch: str) -> bool:
    """True when ``ch`` continues the preceding character (must not start a cut piece)."""
    o = ord(ch)
    return (
        unicodedata.category(ch) in ("Mn", "Mc", "Me")
        or 0xDC00 <= o <= 0xDFFF  # low surrogate (lone surrogates from surrogateescape)
        or 0xFE00 <= o <= 0xFE0F  # variation selectors
        or 0xE0100 <= o <= 0xE01EF
        or 0x1F3FB <= o <= 0x1F3FF  # emoji skin tones
        or o == 0x200D  # zero width joiner
    )


def _joins_next(ch: str) -> bool:
    o = ord(ch)
    return o == 0x200D or 0xD800 <= o <= 0xDBFF


def safe_cut(text: str, i: int, *, forward: bool = False) -> int:
    """Move index ``i`` to the nearest position that does not split a character sequence
    (surrogate pair, base + combining marks, ZWJ sequence): backwards, or forwards."""
    i = max(0, min(i, len(text)))
    while 0 < i < len(text) and (_extends(text[i]) or _joins_next(text[i - 1])):
        i += 1 if forward else -1
    return i


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def cut_head(text: str, n: int, *, slack: int = 30) -> int:
    """End index of a head of at most ``n`` characters of ``text``: whole characters, ending
    after a space or newline when there is one in the last ``slack`` characters."""
    i = safe_cut(text, n)
    ws = max(text.rfind(" ", max(0, i - slack), i), text.rfind("\n", max(0, i - slack), i))
    return ws + 1 if ws > 0 else i


def cut_tail(text: str, n: int, *, slack: int = 30) -> int:
    """Start index of a tail of at most ``n`` characters of ``text`` (see cut_head)."""
    i = safe_cut(text, len(text) - n, forward=True)
    cands = [j for j in (text.find(" ", i, i + slack), text.find("\n", i, i + slack)) if j >= 0]
    return min(cands) + 1 if cands else i


def _head(text: str, n: int) -> str:
    if len(text) <= n:
        return text
    return text[: cut_head(text, n - 1, slack=15)] + "…"


def _tail(text: str, n: int) -> str:
    if len(text) <= n:
        return text
    return "…" + text[cut_tail(text, n - 1, slack=15) :]


WHITESPACE_ONLY = "(only spacing and line breaks changed)"


def _substantive_ops(ops: list[Op]) -> list[Op]:
    """``ops`` with every change that only touches whitespace (a space, a line or paragraph
    break moved, added or removed) shown as its new text, unchanged: such changes are layout,
    not substance, and would otherwise be all an excerpt shows."""
    out: list[Op] = []
    group: list[Op] = []

    def flush() -> None:
        if group and all(not t.strip() for _, t in group):
            out.append((EQUAL, "".join(t for op, t in group if op == INSERT)))
        else:
            out.extend(group)
        group.clear()

    for op, text in ops:
        if op == EQUAL:
            flush()
            out.append((op, text))
        else:
            group.append((op, text))
    flush()
    return out


def excerpt(diff: Diff, *, max_chars: int = 300, context: int = 40) -> str:
    """Short plain-text excerpt around the first substantive changes, for alert messages.

    Removed text is shown as ``[-…-]``, added text as ``{+…+}`` (wdiff style), with up to
    ``context`` characters of unchanged text around; whitespace runs become single spaces.
    Changes of whitespace alone (line and paragraph breaks moved) are not marked and do not
    choose where the excerpt starts; when nothing else changed, the excerpt says so
    (``WHITESPACE_ONLY``). Never longer than ``max_chars`` and never cuts inside a character
    sequence.
    """
    if not diff.changed:
        return ""
    ops = [(op, _squash(t)) for op, t in _substantive_ops(diff.ops) if t]
    ops = merge_ops([(op, t) for op, t in ops if t])
    first = next((i for i, (op, _) in enumerate(ops) if op != EQUAL), None)
    if first is None:
        return _head(WHITESPACE_ONLY, max_chars)
    pieces: list[str] = []
    budget = max_chars
    if first > 0:
        lead = _tail(ops[first - 1][1], context).lstrip()
        pieces.append(lead)
        budget -= len(lead)
    for i in range(first, len(ops)):
        op, text = ops[i]
        if budget <= 6:
            break
        if op == EQUAL:
            if i == len(ops) - 1 or len(text) > 2 * context:
                piece = _head(text, min(context, budget - 1))
                pieces.append(piece)
                budget -= len(piece)
                if i < len(ops) - 1 and budget > 6 + context:
                    piece = " " + _tail(text, context)
                    pieces.append(piece)
                    budget -= len(piece)
                elif i < len(ops) - 1:
                    break
            else:
                pieces.append(text)
                budget -= len(text)
        else:
            left, right = ("[-", "-]") if op == DELETE else ("{+", "+}")
            room = max(1, min(budget, max_chars // 2) - len(left) - len(right))
            piece = left + _head(text, room) + right
            pieces.append(piece)
            budget -= len(piece)
    result = "".join(pieces).strip()
    if len(result) > max_chars:
        result = result[: safe_cut(result, max_chars - 1)] + "…"
    return result


# The renderers live in tracker.diff_render; re-exported lazily (no import cycle).
_RENDER_NAMES = (
    "RENDERERS",
    "DIFF_CSS",
    "render",
    "render_unified",
    "render_inline_html",
    "render_side_by_side_html",
    "render_json",
)


def __getattr__(name: str):
    if name in _RENDER_NAMES:
        from tracker import diff_render

        return getattr(diff_render, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
