"""Output formats of a :class:`tracker.diff.Diff`: plain functions, listed in ``RENDERERS``.

* ``unified``: classic unified diff text (line hunks, ``@@`` headers) built from the ops.
* ``inline-html``: one block of text with ``<del>``/``<ins>``; long unchanged stretches folded.
* ``side-by-side-html``: two-column table (old | new), one row per paragraph ("\\n\\n").
* ``json``: engine, replaced flag, statistics and the ops.

HTML output is a fragment: every piece of document text is escaped, text containers carry
``dir="auto"`` (Arabic renders right to left), there is no script and no inline style; the
stable class names are styled by ``DIFF_CSS`` (or the application's own stylesheet):
``dw-diff`` (container), ``dw-del``, ``dw-ins``, ``dw-fold`` (folded unchanged text),
``dw-sbs`` (side-by-side table), ``dw-old``/``dw-new`` (its cells), ``dw-equal``/``dw-change``
(its rows).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from html import escape

from tracker.diff import (
    DELETE,
    EQUAL,
    INSERT,
    PARAGRAPH_SEP,
    Diff,
    Op,
    change_stats,
    cut_head,
    cut_tail,
    segments,
    split_units,
)

DIFF_CSS = """\
.dw-diff { white-space: pre-wrap; overflow-wrap: anywhere; }
.dw-del { background: #ffd7d5; text-decoration: line-through; }
.dw-ins { background: #ccffd8; text-decoration: none; }
.dw-fold { color: #57606a; font-style: italic; }
.dw-sbs { border-collapse: collapse; width: 100%; table-layout: fixed; }
.dw-sbs td { vertical-align: top; width: 50%; padding: 0.25em 0.5em; }
.dw-sbs tr.dw-change td.dw-old { background: #fff5f5; }
.dw-sbs tr.dw-change td.dw-new { background: #f3fff5; }
.dw-sbs tr.dw-fold td { text-align: center; }
"""

FOLD_SLACK = 40  # an unchanged stretch is folded only if it saves more than this many chars


# --------------------------------------------------------------------------------------------
# Folding helpers.


def _fold_marker(n: int) -> str:
    return f"… {n:,} characters unchanged …"


def _fold(text: str, fold: int | None, *, head: bool, tail: bool) -> tuple[str, int, str]:
    """Split unchanged ``text`` into (kept head, number of folded chars, kept tail).

    ``head``/``tail``: whether context is wanted at that end (not before the first change or
    after the last one)."""
    if fold is None:
        return text, 0, ""
    keep = (fold if head else 0) + (fold if tail else 0)
    if len(text) <= keep + FOLD_SLACK:
        return text, 0, ""
    h = cut_head(text, fold) if head else 0
    t = cut_tail(text, fold) if tail else len(text)
    if t <= h:
        return text, 0, ""
    return text[:h], t - h, text[t:]


def _html_fragments(ops: list[Op], fold: int | None, *, edges: tuple[bool, bool]) -> str:
    """Inline HTML of ops: equal text escaped (long stretches folded), changes in del/ins.

    ``edges``: whether there is a change before / after these ops (context wanted there)."""
    out = []
    last = len(ops) - 1
    for i, (op, text) in enumerate(ops):
        if op == EQUAL:
            change_before = i > 0 or edges[0]
            change_after = i < last or edges[1]
            h, n, t = _fold(text, fold, head=change_before, tail=change_after)
            out.append(escape(h))
            if n:
                out.append(f'<span class="dw-fold">{escape(_fold_marker(n))}</span>')
                out.append(escape(t))
        elif op == DELETE:
            out.append(f'<del class="dw-del">{escape(text)}</del>')
        else:
            out.append(f'<ins class="dw-ins">{escape(text)}</ins>')
    return "".join(out)


# --------------------------------------------------------------------------------------------
# Renderers.


def render_inline_html(diff: Diff, *, fold: int | None = 400) -> str:
    """``<div class="dw-diff" dir="auto">`` with the old and new text interleaved: removed text
    in ``<del class="dw-del">``, added text in ``<ins class="dw-ins">``. Unchanged stretches
    longer than 2 x ``fold`` characters keep ``fold`` characters of context on each side of a
    change, the rest becomes ``<span class="dw-fold">… N characters unchanged …</span>``.
    ``fold=None`` shows everything."""
    classes = "dw-diff dw-inline" + (" dw-replaced" if diff.replaced else "")
    body = _html_fragments(diff.ops, fold, edges=(False, False))
    return f'<div class="{classes}" dir="auto">{body}</div>'


def _side(ops: list[Op], side: int) -> list[list[Op]]:
    """One side (DELETE: old, INSERT: new) of a changed stretch, split into paragraphs."""
    paras: list[list[Op]] = [[]]
    for op, text in ops:
        if op == -side:
            continue
        parts = text.split(PARAGRAPH_SEP)
        for k, part in enumerate(parts):
            if k:
                paras.append([])
            if part:
                paras[-1].append((op, part))
    if len(paras) > 1 and not paras[-1]:
        paras.pop()
    return [p for p in paras if any(t.strip() for _, t in p)] or [[]]


def render_side_by_side_html(
    diff: Diff, *, fold: int | None = 400, from_label: str = "", to_label: str = ""
) -> str:
    """Two-column table (old | new), one row per paragraph; in changed paragraphs removed text
    is in ``<del class="dw-del">`` (left) and added text in ``<ins class="dw-ins">`` (right).
    Unchanged paragraphs between changes are folded like in :func:`render_inline_html`."""
    rows = []
    if from_label or to_label:
        rows.append(f"<thead><tr><th>{escape(from_label)}</th><th>{escape(to_label)}</th></tr>")
        rows.append("</thead>")
    rows.append("<tbody>")
    segs = segments(diff.ops, PARAGRAPH_SEP)
    for i, (kind, item) in enumerate(segs):
        if kind == "equal":
            before, after = i > 0, i < len(segs) - 1
            h, n, t = _fold(item, fold, head=before, tail=after)
            for para in split_units(h, PARAGRAPH_SEP):
                rows.append(_equal_row(para))
            if n:
                rows.append(
                    f'<tr class="dw-fold"><td colspan="2" class="dw-fold">'
                    f"{escape(_fold_marker(n))}</td></tr>"
                )
                for para in split_units(t, PARAGRAPH_SEP):
                    rows.append(_equal_row(para))
        else:
            old, new = _side(item, DELETE), _side(item, INSERT)
            for k in range(max(len(old), len(new))):
                left = _html_fragments(old[k], fold, edges=(True, True)) if k < len(old) else ""
                right = _html_fragments(new[k], fold, edges=(True, True)) if k < len(new) else ""
                rows.append(
                    f'<tr class="dw-change"><td class="dw-old" dir="auto">{left.strip()}</td>'
                    f'<td class="dw-new" dir="auto">{right.strip()}</td></tr>'
                )
    rows.append("</tbody>")
    classes = "dw-diff dw-sbs" + (" dw-replaced" if diff.replaced else "")
    return f'<table class="{classes}">' + "".join(rows) + "</table>"


def _equal_row(para: str) -> str:
    text = escape(para.strip("\n"))
    if not text.strip():
        return ""
    return (
        f'<tr class="dw-equal"><td class="dw-old" dir="auto">{text}</td>'
        f'<td class="dw-new" dir="auto">{text}</td></tr>'
    )


def _range(start: int, length: int) -> str:
    # Same convention as difflib.unified_diff: 1-based; an empty range names the line before.
    if length == 1:
        return str(start + 1)
    if length == 0:
        return f"{start},0"
    return f"{start + 1},{length}"


def render_unified(diff: Diff, *, context: int = 3, from_label="a", to_label="b") -> str:
    """Classic unified diff (``---``/``+++`` header, ``@@ -l,n +l,n @@`` hunks with ``context``
    lines of context), built from the character ops: a line is changed when any of its
    characters is. Empty string when nothing changed."""
    a_lines: list[str] = []
    b_lines: list[str] = []
    codes = []  # (tag, i1, i2, j1, j2) as difflib's opcodes; tag "equal" or "replace"
    for kind, item in segments(diff.ops, "\n"):
        i1, j1 = len(a_lines), len(b_lines)
        if kind == "equal":
            lines = split_units(item, "\n")
            a_lines += lines
            b_lines += lines
            codes.append(("equal", i1, len(a_lines), j1, len(b_lines)))
        else:
            a_lines += split_units("".join(t for op, t in item if op != INSERT), "\n")
            b_lines += split_units("".join(t for op, t in item if op != DELETE), "\n")
            codes.append(("replace", i1, len(a_lines), j1, len(b_lines)))
    if not any(tag != "equal" for tag, *_ in codes):
        return ""

    # Group into hunks (difflib.SequenceMatcher.get_grouped_opcodes).
    if codes[0][0] == "equal":
        tag, i1, i2, j1, j2 = codes[0]
        codes[0] = tag, max(i1, i2 - context), i2, max(j1, j2 - context), j2
    if codes[-1][0] == "equal":
        tag, i1, i2, j1, j2 = codes[-1]
        codes[-1] = tag, i1, min(i2, i1 + context), j1, min(j2, j1 + context)
    groups, group = [], []
    for tag, i1, i2, j1, j2 in codes:
        if tag == "equal" and i2 - i1 > 2 * context:
            group.append((tag, i1, min(i2, i1 + context), j1, min(j2, j1 + context)))
            groups.append(group)
            group = []
            i1, j1 = max(i1, i2 - context), max(j1, j2 - context)
        group.append((tag, i1, i2, j1, j2))
    if group and not (len(group) == 1 and group[0][0] == "equal"):
        groups.append(group)

    out = [f"--- {from_label}\n", f"+++ {to_label}\n"]
    for group in groups:
        first, last = group[0], group[-1]
        out.append(
            f"@@ -{_range(first[1], last[2] - first[1])} "
            f"+{_range(first[3], last[4] - first[3])} @@\n"
        )
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out += [_line(" ", line) for line in a_lines[i1:i2]]
            else:
                out += [_line("-", line) for line in a_lines[i1:i2]]
                out += [_line("+", line) for line in b_lines[j1:j2]]
    return "".join(out)


def _line(prefix: str, line: str) -> str:
    if line.endswith("\n"):
        return prefix + line
    return prefix + line + "\n\\ No newline at end of file\n"


def render_json(diff: Diff) -> str:
    """``{"engine", "replaced", "stats", "ops": [[op, text], ...]}`` (UTF-8, not ASCII-escaped)."""
    payload = {
        "engine": diff.engine,
        "replaced": diff.replaced,
        "stats": change_stats(diff).as_dict(),
        "ops": [[op, text] for op, text in diff.ops],
    }
    return json.dumps(payload, ensure_ascii=False)


RENDERERS: dict[str, Callable[..., str]] = {
    "unified": render_unified,
    "inline-html": render_inline_html,
    "side-by-side-html": render_side_by_side_html,
    "json": render_json,
}


def render(diff: Diff, fmt: str, **options) -> str:
    """Render ``diff`` in format ``fmt`` (a key of RENDERERS) with that renderer's options."""
    try:
        renderer = RENDERERS[fmt]
    except KeyError:
        raise ValueError(
            f"unknown diff format {fmt!r}; valid formats: {', '.join(RENDERERS)}"
        ) from None
    return renderer(diff, **options)
